/* The hot library of the input-loop example. Built twice: as is, and with
 * INPUT_V2 (the "edit" the test swaps in while the host waits for input). */
#include <stdio.h>

#include "input-api.h"

#ifdef INPUT_V2
#define STYLE "v2, shouting"
#else
#define STYLE "v1"
#endif

void input_line(struct input_state *s, const char *line)
{
    s->lines++;
    printf("[%s] line %ld: %s\n", STYLE, s->lines, line);
    fflush(stdout);
}

void input_ready(const struct input_state *s)
{
    printf("ready (%s), %ld lines so far\n", STYLE, s->lines);
    fflush(stdout);
}
