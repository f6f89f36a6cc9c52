/* One source file with two interfaces: in a library that implements both,
 * or a host that uses both. */
#include <hotreload.h>

#define TA_FUNCTIONS(X, XV) X(int, ta_get, (void), ())
#define TA_TYPES(TYPE, FIELD)
HOT_INTERFACE(ta, TA_FUNCTIONS, TA_TYPES)

#define TB_FUNCTIONS(X, XV) XV(void, tb_set, (int v), (v))
#define TB_TYPES(TYPE, FIELD)
HOT_INTERFACE(tb, TB_FUNCTIONS, TB_TYPES)

#ifdef HOT_LIBRARY
static int stored;

int ta_get(void)
{
    return stored;
}

void tb_set(int v)
{
    stored = v;
}
#else
int two_interfaces_host(void);

int two_interfaces_host(void)
{
    tb_set(3);
    return ta_get();
}
#endif
