/*
 * Building a version from the file on disk: read it whole, check it is a
 * complete library for this machine, skip it if its content is what already
 * runs, copy it, load the copy, verify the manifest, resolve the table.
 * Nothing here touches the version answering calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static double ms_since(uint64_t start)
{
    return (double)(hot__now_ns() - start) / 1e6;
}

void hot__version_free(hot__version *v)
{
    if (!v)
        return;
    hot__state_free(v);
    hot__dl_close(v->handle);
    while (v->n_deps > 0)
        hot__dl_close(v->deps[--v->n_deps]);
    hot__shadow_forget(v);
    free(v->table);
    free(v);
}

/* The same library with the same $ORIGIN dependencies (none is the same
 * as none). */
static int same_build(const hot__version *known, const hot__version *v)
{
    return known && hot__content_id_equal(&known->id, &v->id) &&
           (known->deps_id.len == v->deps_id.len &&
            (v->deps_id.len == 0 || hot__content_id_equal(&known->deps_id, &v->deps_id)));
}

/* The content is already running, or already waiting to run. */
static int is_known(hot_lib *lib, const hot__version *v)
{
    hot__version *pending;
    int known;

    hot__mutex_lock(&lib->mu);
    pending = __atomic_load_n(&lib->pending, __ATOMIC_ACQUIRE);
    known = same_build(lib->current, v) || same_build(pending, v);
    hot__mutex_unlock(&lib->mu);
    return known;
}

static int has_crashed(hot_lib *lib, const hot__content_id *id)
{
    int found;

    hot__mutex_lock(&lib->mu);
    found = hot__rollback_refuses(lib, id);
    hot__mutex_unlock(&lib->mu);
    return found;
}

/* Reads the whole file, and only a file no one changed while we read: a
 * writer that starts again (an in-place `cp` storm) makes it incomplete.
 * Into lib->read_buf (under load_mu): *buf is valid until the next read. */
static int read_unchanged(hot_lib *lib, unsigned char **buf, size_t *size)
{
    char msg[HOT__MSG_MAX] = "";
    int changed = 0, err;

    if ((err = hot__fs_read_into(lib->path, &lib->read_buf, size, &changed, msg, sizeof msg)) < 0)
        return hot__fail(lib, err, "%s", msg);
    *buf = lib->read_buf.data;
    if (changed)
        return hot__fail(lib, HOT_EINCOMPLETE, "%s: changed while being read: still being written?",
                         lib->path);
    return 0;
}

static int read_and_check(hot_lib *lib, unsigned char **buf, size_t *size, hot__content_id *id)
{
    char msg[HOT__MSG_MAX] = "";
    int err;

    if ((err = read_unchanged(lib, buf, size)) < 0)
        return err;
    err = hot__elf_check(*buf, *size, hot__host_machine(), id, msg, sizeof msg);
    if (err < 0)
        return hot__fail(lib, err, "%s: %s", lib->path, msg);
    if (id->len == 0)
        hot__hash_content(*buf, *size, id);
    return 0;
}

/* Refusals are remembered by the bytes read, not by build-id: a file read
 * half-written already carries the finished build's id (the note comes
 * first), and the finished file must not be taken for the refused one. */
static int refused_before(const hot_lib *lib, const unsigned char *buf, size_t size)
{
    hot__content_id read;

    if (lib->last_refused.len == 0 || !buf)
        return 0;
    hot__hash_content(buf, size, &read);
    return hot__content_id_equal(&lib->last_refused, &read);
}

static void remember_refusal(hot_lib *lib, int err, const unsigned char *buf, size_t size)
{
    lib->last_refused.len = 0;
    /* Not the build's fault (or nothing read; a shadow folder refused):
     * retry it. A load that failed may need a dependency that is yet to
     * come: retried too. */
    if (!buf || err == HOT_ENOSPC || err == HOT_ENOMEM || err == HOT_ENOENT || err == HOT_ELOAD ||
        err == HOT_EACCES)
        return;
    hot__hash_content(buf, size, &lib->last_refused);
}

/* The message is one line: the first reason, and how many more there are
 * (hotreload check lists them all). All of them are kept for the channel. */
static int refuse_with_first_reason(hot_lib *lib, int err, char *reasons)
{
    char *newline = strchr(reasons, '\n');
    int more = 0;
    char *p;

    for (p = newline; p; p = strchr(p + 1, '\n'))
        more++;
    if (more)
        snprintf(lib->refusal_reasons, sizeof lib->refusal_reasons, "%s", reasons);
    if (newline)
        *newline = '\0';
    if (more)
        return hot__fail(lib, err, "%s (and %d more)", reasons, more);
    return hot__fail(lib, err, "%s", reasons);
}

/* Is addr inside one of the library's own segments? Asked of the ranges
 * found once, not of dladdr per address: dladdr looks through every loaded
 * object, and a host holding old versions has many. Outside them, dladdr
 * names the object it lies in. */
typedef struct own_ranges {
    hot__range r[16];
    int n; /* < 0: unknown, ask dladdr */
} own_ranges;

static int owns(const hot__version *v, const own_ranges *own, const void *addr, char *where,
                size_t wherelen)
{
    int i;

    for (i = 0; i < own->n; i++) {
        if ((uintptr_t)addr >= own->r[i].lo && (uintptr_t)addr < own->r[i].hi)
            return 1;
    }
    return hot__dl_owns(v->handle, addr, where, wherelen);
}

/* The manifest and every address in it must be the library's own: one
 * taken from the global scope (libc's random, an -rdynamic host's
 * update, the host's own manifest arrays) would run someone else's code. */
static int check_owned(hot_lib *lib, const hot__version *v, const own_ranges *own,
                       const hot_manifest *found)
{
    const void *arrays[4];
    const char *names[4] = { "the manifest", "the manifest's functions", "the manifest's types",
                             "the manifest's fields" };
    char where[256];
    unsigned i;

    arrays[0] = found, arrays[1] = found->fns, arrays[2] = found->types, arrays[3] = found->fields;
    for (i = 0; i < 4; i++) {
        if (!owns(v, own, arrays[i], where, sizeof where))
            return hot__fail(lib, HOT_EMISMATCH,
                             "%s: %s lies in %s, not in the library (resolved through the "
                             "global scope: build the library with hotreload's header)",
                             lib->path, names[i], where);
    }
    for (i = 0; i < lib->iface->expected->n_fns; i++) {
        if (!owns(v, own, (const void *)v->table[i], where, sizeof where))
            return hot__fail(lib, HOT_EMISMATCH,
                             "%s: %s: the library's manifest points into %s, not into the "
                             "library (the name was bound to another object's function)",
                             lib->path, lib->iface->expected->fns[i].name, where);
    }
    return 0;
}

/* Where the version's code lies (to name a crash's version): its own
 * executable segments, found with the rest; else asked of the loader. */
static void find_code_range(hot__version *v, const own_ranges *own)
{
    int i;

    v->code_lo = UINTPTR_MAX;
    v->code_hi = 0;
    for (i = 0; i < own->n; i++) {
        if (!own->r[i].code)
            continue;
        v->code_lo = own->r[i].lo < v->code_lo ? own->r[i].lo : v->code_lo;
        v->code_hi = own->r[i].hi > v->code_hi ? own->r[i].hi : v->code_hi;
    }
    if (v->code_hi == 0)
        hot__dl_code_range((const void *)v->table[0], &v->code_lo, &v->code_hi);
}

static int load_and_verify(hot_lib *lib, hot__version *v)
{
    const hot_manifest *expected = lib->iface->expected;
    char msg[2048] = "", symbol[256];
    const hot_manifest *found;
    own_ranges own;
    uint64_t t0 = hot__now_ns();
    char *load_path = hot__shadow_load_path(lib, v);
    int err;

    if (!load_path)
        return HOT_EACCES;
    err = hot__dl_open(load_path, &v->handle, msg, sizeof msg);
    free(load_path);
    v->load_ms = ms_since(t0);
    if (err < 0)
        return hot__fail(lib, err, "%s: %s", lib->path, msg);
    t0 = hot__now_ns();
    snprintf(symbol, sizeof symbol, "hot_manifest_%s", expected->interface_name);
    found = (const hot_manifest *)hot__dl_sym(v->handle, symbol);
    if (!found)
        return hot__fail(lib, HOT_ENOMANIFEST,
                         "%s: dlsym found no %s: built without hotreload, or for another interface",
                         lib->path, symbol);
    v->table = hot__calloc(expected->n_fns + 1, sizeof *v->table);
    if (!v->table)
        return hot__fail(lib, HOT_ENOMEM, "out of memory for the function table");
    err = hot__verify(expected, found, lib->opts.ignore_compiler, v->table, msg, sizeof msg);
    if (err < 0)
        return refuse_with_first_reason(lib, err, msg);
    own.n = hot__dl_ranges(v->handle, 0, own.r, 16);
    if ((err = check_owned(lib, v, &own, found)) < 0)
        return err;
    hot__state_resolve(v, found);
    find_code_range(v, &own);
    v->verify_ms = ms_since(t0);
    return 0;
}

/* The dependencies load first, from copies the library's copy names; the
 * library's copy is then written and loaded. */
static int copy_and_load(hot_lib *lib, hot__deps *deps, const unsigned char *buf, size_t size,
                         hot__version *v)
{
    unsigned char *copy = (unsigned char *)buf;
    uint64_t t0;
    int err;

    if (deps->n && buf) {
        if (!(copy = hot__malloc(size)))
            return hot__fail(lib, HOT_ENOMEM, "out of memory for a copy of %lu bytes",
                             (unsigned long)size);
        memcpy(copy, buf, size);
    }
    if ((err = hot__deps_load(lib, deps, copy, size, v)) == 0) {
        t0 = hot__now_ns();
        err = hot__shadow_write(lib, copy, size, v);
        v->copy_ms = (double)(hot__now_ns() - t0) / 1e6;
    }
    if (copy != buf)
        free(copy);
    return err < 0 ? err : load_and_verify(lib, v);
}

int hot__load_version(hot_lib *lib, hot__version **out, int quiet_incomplete)
{
    hot__deps deps;
    unsigned char *buf = NULL;
    size_t size = 0;
    hot__version *v;
    int err;

    *out = NULL;
    memset(&deps, 0, sizeof deps);
    lib->refusal_reasons[0] = '\0';
    v = hot__calloc(1, sizeof *v);
    if (!v)
        return hot__fail(lib, HOT_ENOMEM, "out of memory for a version record");
    err = read_and_check(lib, &buf, &size, &v->id);
    if (err == HOT_EINCOMPLETE && quiet_incomplete)
        goto cleanup;
    if (err == 0)
        err = hot__deps_read(lib, buf, size, &deps, &v->deps_id);
    /* last_refused holds a build-id only when a rollback put it there. */
    if (err == 0 && (is_known(lib, v) || refused_before(lib, buf, size) ||
                     hot__content_id_equal(&lib->last_refused, &v->id))) {
        hot__log(lib, HOT_LOG_DEBUG, "%s: content unchanged, nothing to load", lib->path);
        err = 0;
        goto cleanup;
    }
    if (err == 0 && has_crashed(lib, &v->id))
        err = hot__fail(lib, HOT_ECRASHED,
                        "%s: this build crashed and was rolled back; "
                        "waiting for a new build",
                        lib->path);
    if (err < 0)
        goto refused;
    if ((err = copy_and_load(lib, &deps, buf, size, v)) < 0)
        goto refused;
    /* A refused build that comes back after this one is judged afresh. */
    lib->last_refused.len = 0;
    __atomic_store_n(&lib->origin_deps, deps.n > 0, __ATOMIC_RELEASE);
    hot__deps_free(&deps);
    *out = v;
    return 1;

refused:
    /* The same bytes are not retried until the file changes again. */
    remember_refusal(lib, err, buf, size);
cleanup:
    hot__deps_free(&deps);
    hot__version_free(v);
    return err;
}
