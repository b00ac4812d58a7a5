#ifndef ROLECALL_CMALLOC_SHIM_H
#define ROLECALL_CMALLOC_SHIM_H
// glibc's allocator tuning (mallopt); absent elsewhere, where the command line does without it.
#if __has_include(<malloc.h>) && defined(__linux__)
#include <malloc.h>
#endif
#endif
