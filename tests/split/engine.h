/* The engine library of a split host (tests/test_harden_split.c): host
 * code in a shared library, built with hidden visibility, that calls hot
 * functions through its own copy of the fx interface. */
#ifndef SPLIT_ENGINE_H
#define SPLIT_ENGINE_H

#include <hotreload.h>

#define SPLIT_ENGINE_API __attribute__((visibility("default")))

/* fx_value(), called from inside the engine. */
SPLIT_ENGINE_API long engine_value(void);
/* hot_open of the fx interface at path, from inside the engine. */
SPLIT_ENGINE_API int engine_open(const char *path, hot_lib **out);

#endif
