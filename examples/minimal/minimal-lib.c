/* The hot library of the minimal example. Rebuild it while the host runs
 * and the host prints the new message at its next safe point. The test
 * builds it twice, the second time with MINIMAL_V2. */
#include "minimal-api.h"

long minimal_step(long counter)
{
    return counter + 1;
}

const char *minimal_message(void)
{
#ifdef MINIMAL_V2
    return "hello from v2";
#else
    return "hello from v1";
#endif
}
