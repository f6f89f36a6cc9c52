/*
 * The call through a guarded wrapper (HOT_GUARDED_INTERFACE), for
 * call_ns_hot_guarded: the guard pushed and popped around the call, which
 * goes through the runtime's trampoline on x86-64 (elsewhere a
 * __builtin_setjmp), after the same table load as the plain wrapper. In its own file because a
 * translation unit gets one kind of wrapper per interface.
 */
#define BENCH_GUARDED
#include "bench_iface.h"
#include "bench_util.h"

long bench_guarded_loop(long n, volatile long *arg);

BENCH_LOOP long bench_guarded_loop(long n, volatile long *arg)
{
    long acc = 0, i;

    for (i = 0; i < n; i++)
        acc += bench_inc(*arg);
    return acc;
}
