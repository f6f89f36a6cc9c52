/* The interface between the minimal host and its hot library. The host
 * compiles it as wrappers that call the current version; the library, built
 * with HOT_LIBRARY, as its exports plus the manifest the runtime checks. */
#ifndef MINIMAL_API_H
#define MINIMAL_API_H

#include <hotreload.h>

#define MINIMAL_FUNCTIONS(X, XV)                                              \
    X(long, minimal_step, (long counter), (counter))                          \
    X(const char *, minimal_message, (void), ())

/* No types are shared: the counter is a plain long owned by the host. */
#define MINIMAL_TYPES(TYPE, FIELD)

HOT_INTERFACE(minimal, MINIMAL_FUNCTIONS, MINIMAL_TYPES)

#endif
