/* The interface of the scripted demo. run-demo.sh gives the library its own
 * copy of this header and edits it, to show a refused build. */
#ifndef DEMO_API_H
#define DEMO_API_H

#include <hotreload.h>

/* The host's state: it owns it, the library updates it. */
struct demo_state {
    long counter;
    long ticks;
};

#define DEMO_FUNCTIONS(X, XV)                                                 \
    X(long, demo_step, (struct demo_state *state), (state))                   \
    X(const char *, demo_message, (void), ())

#define DEMO_TYPES(TYPE, FIELD)                                               \
    TYPE(struct demo_state)                                                   \
    FIELD(struct demo_state, counter)                                         \
    FIELD(struct demo_state, ticks)

HOT_INTERFACE(demo, DEMO_FUNCTIONS, DEMO_TYPES)

#endif
