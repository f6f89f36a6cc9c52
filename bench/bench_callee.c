/*
 * The baseline callee, in its own translation unit so the compiler cannot
 * inline it, clone it or prove it constant at the call site (no LTO here).
 */
#include "bench_util.h"

long bench_direct_inc(long x)
{
    return x + 1;
}
