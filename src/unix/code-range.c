/* Where a loaded object's code lies, for naming a crash's version. */
#include <link.h>
#include <stdint.h>

#include "hotreload.h"
#include "../platform.h"

struct range_search {
    uintptr_t addr, lo, hi;
};

static int search_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct range_search *s = arg;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    int i, inside = 0;

    (void)size;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr, end = start + ph->p_memsz;
        if (ph->p_type != PT_LOAD)
            continue;
        inside |= s->addr >= start && s->addr < end;
        if (ph->p_flags & PF_X) {
            lo = start < lo ? start : lo;
            hi = end > hi ? end : hi;
        }
    }
    if (!inside || hi == 0)
        return 0;
    s->lo = lo;
    s->hi = hi;
    return 1;
}

void hot__dl_code_range(const void *addr, uintptr_t *lo, uintptr_t *hi)
{
    struct range_search s = { (uintptr_t)addr, 0, 0 };

    dl_iterate_phdr(search_object, &s);
    *lo = s.lo;
    *hi = s.hi;
}
