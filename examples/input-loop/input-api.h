/* The interface between the input-loop host and its hot library: the host
 * owns the state and reads lines; the library says what to do with each. */
#ifndef INPUT_API_H
#define INPUT_API_H

#include <hotreload.h>

struct input_state {
    long lines; /* lines read so far: survives reloads */
};

#define INPUT_FUNCTIONS(X, XV)                                                \
    XV(void, input_line, (struct input_state *s, const char *line), (s, line)) \
    XV(void, input_ready, (const struct input_state *s), (s))

#define INPUT_TYPES(TYPE, FIELD)                                              \
    TYPE(struct input_state)                                                  \
    FIELD(struct input_state, lines)

HOT_INTERFACE(input, INPUT_FUNCTIONS, INPUT_TYPES)

#endif
