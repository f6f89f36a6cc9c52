/*
 * The hot library: edit this file while `hotreload run` runs, save, and the
 * next tick runs the new code.
 */
#include <stdio.h>

#include "logic.h"

void logic_tick(struct state *s)
{
    s->ticks++;
    printf("tick %ld: %s\n", s->ticks, "hello from logic.c");
    fflush(stdout);
}
