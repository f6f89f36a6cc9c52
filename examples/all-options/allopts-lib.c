/* The library of the all-options example, built three ways: v1, v2 (the
 * reload) and the override (a different file named by an environment
 * variable). */
#include "allopts-api.h"

const char *allopts_message(void)
{
#if defined(ALLOPTS_OVERRIDE)
    return "the override library";
#elif defined(ALLOPTS_V2)
    return "options v2";
#else
    return "options v1";
#endif
}
