/*
 * The interface the benchmarks reload. One header, compiled as the host
 * (benchmark programs) and as the library (bench_lib.c, HOT_LIBRARY).
 */
#ifndef BENCH_IFACE_H
#define BENCH_IFACE_H

#include <hotreload.h>

/* bench_value() of variant k returns BENCH_VALUE_BASE + k, so a caller can
 * tell which build answered. */
#define BENCH_VALUE_BASE 1000
#define BENCH_N_VARIANTS 8

#define BENCH_FUNCTIONS(X, XV)                                                \
    X(long, bench_inc, (long x), (x))                                         \
    X(long, bench_value, (void), ())

#define BENCH_TYPES(TYPE, FIELD)

/* bench_guarded.c compiles the same interface with guarded wrappers (the
 * library is the same either way: only the host's wrappers differ). */
#ifdef BENCH_GUARDED
HOT_GUARDED_INTERFACE(benchlib, BENCH_FUNCTIONS, BENCH_TYPES)
#else
HOT_INTERFACE(benchlib, BENCH_FUNCTIONS, BENCH_TYPES)
#endif

#endif
