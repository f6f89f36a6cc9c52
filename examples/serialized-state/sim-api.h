/* The interface of the serialized-state example. The simulation's state is
 * private to the library (its layout changes between versions), so nothing
 * is shared but functions: the host carries the state across a reload as an
 * opaque blob, written by the old version and read by the new one. */
#ifndef SIM_API_H
#define SIM_API_H

#include <hotreload.h>

#define SIM_FUNCTIONS(X, XV)                                                  \
    XV(void, sim_step, (void), ())                                            \
    XV(void, sim_describe, (char *out, size_t cap), (out, cap))               \
    X(size_t, sim_save, (char *buf, size_t cap), (buf, cap))                  \
    X(int, sim_load, (const char *buf, size_t len), (buf, len))

#define SIM_TYPES(TYPE, FIELD)

HOT_INTERFACE(sim, SIM_FUNCTIONS, SIM_TYPES)

#endif
