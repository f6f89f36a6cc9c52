/*
 * The interfaces compiled into this process. Every object that includes an
 * interface header in host mode (the executable, an engine library calling
 * hot functions) has its own table slot; its constructor registers it here,
 * and every store of a version's table goes to every registered slot of that
 * interface name. So one library per interface name serves the whole
 * process, whichever object opened it, and calls still cost one load.
 *
 * Read without locks by the crash handler (hot__iface_serves); changed under
 * a spin lock, which also orders a late registration (an engine library
 * loaded after hot_open) against stores of a new table.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define REGISTERED_MAX 256

static const hot_interface *registered[REGISTERED_MAX];
static int registry_lock;

/* The table each open interface's slots hold now, and the interface of
 * the object that opened it (whose function order the table follows). */
static struct {
    const hot_interface *opener;
    hot_fn *table;
} current[REGISTERED_MAX];

static const char *name_of(const hot_interface *iface)
{
    return iface->expected->interface_name;
}

static int same_name(const hot_interface *a, const char *name)
{
    return strcmp(name_of(a), name) == 0;
}

static int find_current(const char *name)
{
    int i;
    for (i = 0; i < REGISTERED_MAX; i++) {
        if (current[i].opener && same_name(current[i].opener, name))
            return i;
    }
    return -1;
}

/* A table is filled in the order of one object's function list; another
 * object may use it only if its list is the same. */
static int same_functions(const hot_manifest *a, const hot_manifest *b)
{
    unsigned i;

    if (a->n_fns != b->n_fns)
        return 0;
    for (i = 0; i < a->n_fns; i++) {
        if (strcmp(a->fns[i].name, b->fns[i].name) != 0)
            return 0;
    }
    return hot__verify(a, b, 1, NULL, NULL, 0) == 0;
}

void hot__iface_register(const hot_interface *iface)
{
    int i, open, free_slot = -1;

    if (!iface || !iface->expected || !iface->slot)
        return;
    hot__spin_lock(&registry_lock);
    for (i = 0; i < REGISTERED_MAX; i++) {
        if (registered[i] == iface)
            break;
        if (!registered[i] && free_slot < 0)
            free_slot = i;
    }
    if (i == REGISTERED_MAX && free_slot >= 0) {
        __atomic_store_n(&registered[free_slot], iface, __ATOMIC_RELEASE);
        /* Loaded after hot_open: serve it the table the others have. */
        open = find_current(name_of(iface));
        if (open >= 0 && same_functions(current[open].opener->expected, iface->expected))
            __atomic_store_n(iface->slot, current[open].table, __ATOMIC_RELEASE);
        else if (open >= 0)
            fprintf(stderr,
                    "hotreload: an object loaded now has interface %s compiled differently "
                    "from the open one: its calls stay unfilled (rebuild it)\n",
                    name_of(iface));
    }
    hot__spin_unlock(&registry_lock);
}

void hot__iface_unregister(const hot_interface *iface)
{
    int i;

    hot__spin_lock(&registry_lock);
    for (i = 0; i < REGISTERED_MAX; i++) {
        if (registered[i] == iface)
            __atomic_store_n(&registered[i], NULL, __ATOMIC_RELEASE);
    }
    hot__spin_unlock(&registry_lock);
}

int hot__iface_check(const hot_interface *iface, char *msg, size_t msglen)
{
    int i, err = 0;

    hot__spin_lock(&registry_lock);
    for (i = 0; i < REGISTERED_MAX && err == 0; i++) {
        const hot_interface *r = registered[i];
        if (r && r != iface && same_name(r, name_of(iface)) &&
            !same_functions(iface->expected, r->expected))
            err = HOT_EMISMATCH;
    }
    hot__spin_unlock(&registry_lock);
    if (err)
        snprintf(msg, msglen,
                 "interface %s is compiled differently in two parts of this program "
                 "(an executable and a library built from different headers): rebuild both",
                 name_of(iface));
    return err;
}

static void remember(const hot_interface *opener, hot_fn *table)
{
    int i = find_current(name_of(opener));

    if (i < 0 && table) {
        for (i = 0; i < REGISTERED_MAX && current[i].opener; i++)
            ;
    }
    if (i < 0 || i == REGISTERED_MAX)
        return;
    current[i].opener = table ? opener : NULL;
    current[i].table = table;
}

void hot__iface_store(const hot_interface *iface, hot_fn *table)
{
    const char *name = name_of(iface);
    int i;

    hot__spin_lock(&registry_lock);
    __atomic_store_n(iface->slot, table ? table : iface->traps, __ATOMIC_RELEASE);
    for (i = 0; i < REGISTERED_MAX; i++) {
        const hot_interface *r = registered[i];
        if (r && r != iface && same_name(r, name) && same_functions(iface->expected, r->expected))
            __atomic_store_n(r->slot, table ? table : r->traps, __ATOMIC_RELEASE);
    }
    remember(iface, table);
    hot__spin_unlock(&registry_lock);
}

int hot__iface_serves(const hot_interface *iface, hot_fn *volatile *slot)
{
    int i;

    if (iface->slot == slot)
        return 1;
    for (i = 0; i < REGISTERED_MAX; i++) {
        const hot_interface *r = __atomic_load_n(&registered[i], __ATOMIC_ACQUIRE);
        if (r && r->slot == slot && same_name(r, name_of(iface)))
            return 1;
    }
    return 0;
}

int hot__check_host(hot_lib *lib)
{
    const hot_manifest *m = lib->iface->expected;
    char msg[HOT__MSG_MAX];
    int err;

    if (m->magic != HOT_MANIFEST_MAGIC)
        return hot__fail(lib, HOT_EINVAL, "hot_open: iface is not an interface (bad magic %08x)",
                         m->magic);
    if (m->abi != HOT_ABI_VERSION)
        return hot__fail(lib, HOT_EABI,
                         "ABI mismatch: host built for hotreload ABI %u, this runtime is ABI %u: "
                         "rebuild the host against this runtime's hotreload.h",
                         m->abi, (unsigned)HOT_ABI_VERSION);
    if ((err = hot__iface_check(lib->iface, msg, sizeof msg)) < 0)
        return hot__fail(lib, err, "%s", msg);
    return 0;
}
