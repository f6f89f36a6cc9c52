/*
 * The hot library. Built once per variant with -DBENCH_VARIANT=k: the
 * variants differ in content (the runtime skips a rebuild whose content is
 * already running), and bench_value() says which one answers.
 */
#include "bench_iface.h"

#ifndef BENCH_VARIANT
#error "build with -DBENCH_VARIANT=k"
#endif

/* The same body as bench_direct_inc() in bench_callee.c. */
long bench_inc(long x)
{
    return x + 1;
}

long bench_value(void)
{
    return BENCH_VALUE_BASE + BENCH_VARIANT;
}
