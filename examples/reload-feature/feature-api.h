/* The interface of the reload-feature example. The same header builds the
 * hot program (host wrappers, library manifest) and, with HOT_STATIC, a
 * plain program that calls the library's functions directly. */
#ifndef FEATURE_API_H
#define FEATURE_API_H

#include <hotreload.h>

/* Shared by host and library, so its layout is checked at every load. */
struct order {
    int quantity;
    int unit_cents;
};

#define FEATURE_FUNCTIONS(X, XV)                                              \
    X(long, feature_total_cents, (const struct order *order), (order))        \
    XV(void, feature_describe, (const struct order *order, char *out, size_t cap), \
       (order, out, cap))

#define FEATURE_TYPES(TYPE, FIELD)                                            \
    TYPE(struct order)                                                        \
    FIELD(struct order, quantity)                                             \
    FIELD(struct order, unit_cents)

HOT_INTERFACE(feature, FEATURE_FUNCTIONS, FEATURE_TYPES)

#endif
