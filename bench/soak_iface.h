/*
 * The interface the soak reloads (bench_soak.c). One header, compiled as the
 * host and as the library (soak_lib.c, HOT_LIBRARY).
 */
#ifndef SOAK_IFACE_H
#define SOAK_IFACE_H

#include <hotreload.h>

/* The library holds {SOAK_STAMP_MAGIC, n} in its data; the soak writes each
 * build's number n into the file after the magic before installing it, so
 * soak_stamp() says which build answered and every build differs in
 * content (one compile gives 10,000 builds). */
#define SOAK_STAMP_MAGIC 0x4b414f5353544d50UL

#define SOAK_FUNCTIONS(X, XV)                                                 \
    X(long, soak_stamp, (void), ())                                           \
    X(long, soak_work, (long x), (x))

#define SOAK_TYPES(TYPE, FIELD)

HOT_INTERFACE(soaklib, SOAK_FUNCTIONS, SOAK_TYPES)

#endif
