#ifndef ROLECALL_CYAML_SHIM_H
#define ROLECALL_CYAML_SHIM_H
#include <yaml.h>
#endif
