#!/bin/sh
# Runs gdb_host under gdb with gdb_check.py (see there). Exit 77 (skipped)
# when gdb or its Python support is missing.
#   run_gdb_test.sh <gdb_host> <gdb_check.py> <fixture sources folder>
host=$1 script=$2 sources=$3
if ! command -v gdb >/dev/null 2>&1; then
    echo "SKIP: gdb is not installed" >&2
    exit 77
fi
if ! gdb -nx -batch -ex 'python print("ok")' 2>/dev/null | grep -q ok; then
    echo "SKIP: this gdb has no Python support" >&2
    exit 77
fi
FX_GDB_V2_SOURCE=$sources/fx_gdb_v2.c FX_LIB_SOURCE=$sources/fx_lib.c \
    exec gdb -nx -batch -x "$script" --args "$host"
