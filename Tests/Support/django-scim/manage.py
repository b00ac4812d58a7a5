#!/usr/bin/env python3
"""django-scim2 0.23.0 as a SCIM test server for rolecall (sqlite; started by scripts/scim-servers.sh)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scimsite.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
