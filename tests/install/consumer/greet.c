#include "greet_api.h"

int greet_answer(int base)
{
    return base + 2;
}
