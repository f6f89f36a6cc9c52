/*
 * The interface between the host and the hot library: the functions the
 * host calls and the types both share. Both sides compile this header; the
 * runtime refuses a library built from a different version of it, and
 * `hotreload run` then restarts the host with its state.
 */
#ifndef LOGIC_H
#define LOGIC_H

#include <hotreload.h>

/* What survives reloads: it lives in the host. */
struct state {
    long ticks;
};

#define LOGIC_FUNCTIONS(X, XV) \
    XV(void, logic_tick, (struct state *s), (s))

#define LOGIC_TYPES(TYPE, FIELD) \
    TYPE(struct state)           \
    FIELD(struct state, ticks)

/* Guarded: if a new build crashes inside logic_tick, the runtime rolls back
 * to the previous version and the tick is made again there. */
HOT_GUARDED_INTERFACE(logic, LOGIC_FUNCTIONS, LOGIC_TYPES)

#endif
