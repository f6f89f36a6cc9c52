/* The demo's hot library. run-demo.sh edits the lines below while the host
 * runs: the message, the step, and demo_step's signature. */
#include "demo-api.h"

#define DEMO_MESSAGE "hello from the first build"
#define DEMO_STEP 1

long demo_step(struct demo_state *state)
{
    state->ticks++;
    state->counter += DEMO_STEP;
    return DEMO_STEP;
}

const char *demo_message(void)
{
    return DEMO_MESSAGE;
}
