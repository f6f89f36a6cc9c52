/* The interface of the reload-events example: the library advances a score
 * kept by the host. */
#ifndef EVENTS_API_H
#define EVENTS_API_H

#include <hotreload.h>

struct score {
    long ticks;
    long points;
};

#define EVENTS_FUNCTIONS(X, XV)                                               \
    XV(void, events_step, (struct score *score), (score))                     \
    X(const char *, events_version_name, (void), ())

#define EVENTS_TYPES(TYPE, FIELD)                                             \
    TYPE(struct score)                                                        \
    FIELD(struct score, ticks)                                                \
    FIELD(struct score, points)

HOT_INTERFACE(events, EVENTS_FUNCTIONS, EVENTS_TYPES)

#endif
