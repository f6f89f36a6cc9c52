/* The library of the reload-events example. v1 scores a point a tick; v2
 * (built with EVENTS_V2) ten, so the test can see which code ran. */
#include "events-api.h"

#ifdef EVENTS_V2
#define POINTS_PER_TICK 10
#define VERSION_NAME "v2"
#else
#define POINTS_PER_TICK 1
#define VERSION_NAME "v1"
#endif

void events_step(struct score *score)
{
    score->ticks++;
    score->points += POINTS_PER_TICK;
}

const char *events_version_name(void)
{
    return VERSION_NAME;
}
