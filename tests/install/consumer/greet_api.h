#ifndef GREET_API_H
#define GREET_API_H
#include <hotreload.h>

#define GREET_FUNCTIONS(X, XV) X(int, greet_answer, (int base), (base))
#define GREET_TYPES(TYPE, FIELD)
HOT_INTERFACE(greet, GREET_FUNCTIONS, GREET_TYPES)

#endif
