/* The interface of the all-options example: one function, so the example
 * is about the options, not the library. */
#ifndef ALLOPTS_API_H
#define ALLOPTS_API_H

#include <hotreload.h>

#define ALLOPTS_FUNCTIONS(X, XV) X(const char *, allopts_message, (void), ())
#define ALLOPTS_TYPES(TYPE, FIELD)

HOT_INTERFACE(allopts, ALLOPTS_FUNCTIONS, ALLOPTS_TYPES)

#endif
