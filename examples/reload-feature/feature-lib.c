/* The library of the reload-feature example: prices an order. Built as a
 * hot library (HOT_LIBRARY), or compiled into the static program
 * (HOT_STATIC); FEATURE_V2 is the "edited" version the test swaps in. */
#include <stdio.h>

#include "feature-api.h"

long feature_total_cents(const struct order *order)
{
    long total = (long)order->quantity * order->unit_cents;
#ifdef FEATURE_V2
    if (order->quantity >= 5) /* v2 adds a bulk discount of 10% */
        total -= total / 10;
#endif
    return total;
}

void feature_describe(const struct order *order, char *out, size_t cap)
{
    long total = feature_total_cents(order);
#ifdef FEATURE_V2
    snprintf(out, cap, "%d items at %d.%02d: %ld.%02ld (v2 pricing)", order->quantity,
             order->unit_cents / 100, order->unit_cents % 100, total / 100, total % 100);
#else
    snprintf(out, cap, "%d x %d.%02d = %ld.%02ld", order->quantity,
             order->unit_cents / 100, order->unit_cents % 100, total / 100, total % 100);
#endif
}
