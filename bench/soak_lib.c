/*
 * The soak's hot library: two small functions, linked with a few MB of
 * generated code and debug info (gen_soak_code.py) so that copies, mappings
 * and memory weigh what a real -g library weighs.
 */
#include "soak_iface.h"

/* Volatile: read from memory, so a patched file gives a patched answer. */
static const volatile unsigned long soak_build[2] = {SOAK_STAMP_MAGIC, 0};

long soak_generated_entry(long x); /* gen_soak_code.py */

long soak_stamp(void)
{
    return (long)soak_build[1];
}

/* The generated code is reached (so it is linked and kept) but not run in
 * the soak, whose x never goes below 0: the callers stay fast. */
long soak_work(long x)
{
    return x < 0 ? soak_generated_entry(x) : x + 1;
}
