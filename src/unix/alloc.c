/* The runtime's allocations, through the fault seam (src/unix/syscalls.h):
 * a test can make any one of them fail, and the load that needed it is
 * refused with the old code still running. */
#include "../platform.h"
#include "syscalls.h"

void *hot__malloc(size_t size)
{
    return hot__sys.malloc(size);
}

void *hot__calloc(size_t n, size_t size)
{
    return hot__sys.calloc(n, size);
}

void *hot__realloc(void *p, size_t size)
{
    return hot__sys.realloc(p, size);
}
