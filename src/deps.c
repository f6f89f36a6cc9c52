/*
 * Dependencies found through the library's $ORIGIN rpath. The copy lives in
 * the shadow folder, where $ORIGIN finds none of the library's siblings, and
 * the dynamic loader hands out an object already loaded for a SONAME: a
 * dependency rebuilt later would never be picked up. So each one is read
 * with the library, and its bytes count in what the version is (a rebuilt
 * dependency is a new version). Each is loaded from a copy of its own whose
 * SONAME is rewritten, in the dynamic string table, to a unique name of the
 * same length, and the library's copy names it in its DT_NEEDED the same
 * way: same-length strings move nothing in the file. The new pair loads
 * beside the old one, which stays mapped for calls in flight. A dependency
 * without a SONAME, or with one too short to make unique, is loaded as
 * before: by absolute path, first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { UNIQUE_MIN_LEN = 6 };

/* "$ORIGIN/../lib" with origin "/build" -> "/build/../lib"; 0 if the entry
 * does not start with $ORIGIN (the loader finds those from the copy too). */
static int expand_origin(const char *entry, size_t len, const char *origin, char *out,
                         size_t outlen)
{
    static const char *const tokens[] = { "$ORIGIN", "${ORIGIN}" };
    size_t i;

    for (i = 0; i < 2; i++) {
        size_t n = strlen(tokens[i]);
        if (len >= n && strncmp(entry, tokens[i], n) == 0) {
            snprintf(out, outlen, "%s%.*s", origin, (int)(len - n), entry + n);
            return 1;
        }
    }
    return 0;
}

/* The dependency `needed` where the original's $ORIGIN rpath finds it. */
static int find_in_origin(hot_lib *lib, const char *runpath, const char *needed, char *out,
                          size_t outlen)
{
    const char *p = runpath;

    while (*p) {
        size_t len = strcspn(p, ":");
        char dir[1024], msg[256];
        hot__stat st;
        if (expand_origin(p, len, lib->dir, dir, sizeof dir)) {
            snprintf(out, outlen, "%s/%s", dir, needed);
            if (hot__fs_stat(out, &st, msg, sizeof msg) == 0 && st.exists && st.is_regular)
                return 1;
        }
        p += len + (p[len] == ':');
    }
    return 0;
}

void hot__deps_free(hot__deps *d)
{
    while (d->n > 0) {
        d->n--;
        free(d->bytes[d->n]);
    }
}

/* What the version is: the hashes of the dependencies' bytes, in order. */
static void hash_deps(const hot__deps *d, hot__content_id *out)
{
    unsigned char all[HOT__DEPS_MAX * HOT__ID_MAX];
    size_t len = 0;
    unsigned i;

    for (i = 0; i < d->n; i++) {
        hot__content_id one;
        hot__hash_content(d->bytes[i], d->size[i], &one);
        memcpy(all + len, one.bytes, one.len);
        len += one.len;
    }
    out->len = 0;
    if (len)
        hot__hash_content(all, len, out);
}

int hot__deps_read(hot_lib *lib, const unsigned char *buf, size_t size, hot__deps *d,
                   hot__content_id *id)
{
    char msg[HOT__MSG_MAX];
    hot__elf_dyn dyn;
    unsigned i;
    int err;

    memset(d, 0, sizeof *d);
    id->len = 0;
    if (hot__elf_dynamic(buf, size, &dyn) < 0 || !dyn.runpath || !strstr(dyn.runpath, "ORIGIN"))
        return 0;
    for (i = 0; i < dyn.n_needed; i++) {
        char *path = d->path[d->n];
        if (strchr(dyn.needed[i], '/') ||
            !find_in_origin(lib, dyn.runpath, dyn.needed[i], path, sizeof d->path[0]))
            continue; /* not through $ORIGIN, or not there: dlopen says */
        snprintf(d->needed[d->n], sizeof d->needed[0], "%s", dyn.needed[i]);
        err = hot__fs_read_all(path, &d->bytes[d->n], &d->size[d->n], msg, sizeof msg);
        if (err == 0) {
            hot__content_id ignored;
            d->n++; /* freed with the others */
            err = hot__elf_check(d->bytes[d->n - 1], d->size[d->n - 1], hot__host_machine(),
                                 &ignored, msg, sizeof msg);
        }
        if (err < 0) {
            hot__deps_free(d);
            return hot__fail(lib, err, "%s: its dependency %s (through $ORIGIN): %s", lib->path,
                             path, msg);
        }
    }
    hash_deps(d, id);
    return 0;
}

/* A name as long as `name` that no other object has: its start, '~', and
 * hex digits of a count that starts at a random place (another copy of the
 * runtime in the process counts too) and is never repeated: once the
 * digits are used up, 0 (loaded by path, as before). */
static int unique_name(const char *name, char *out, size_t outlen)
{
    static uint32_t start;
    static uint64_t count;
    size_t len = strlen(name), digits = len < UNIQUE_MIN_LEN ? 0 : len - 3 < 8 ? len - 3 : 8;
    uint64_t n = __atomic_add_fetch(&count, 1, __ATOMIC_RELAXED);
    uint64_t room = (uint64_t)1 << (4 * digits);
    uint32_t seed;

    if (digits == 0 || len + 1 > outlen || n >= room)
        return 0;
    if (__atomic_load_n(&start, __ATOMIC_ACQUIRE) == 0) {
        hot__random_bytes(&seed, sizeof seed);
        seed |= 1;
        __atomic_compare_exchange_n(&start, &(uint32_t){ 0 }, seed, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE);
    }
    n = (n + __atomic_load_n(&start, __ATOMIC_ACQUIRE)) % room;
    snprintf(out, outlen, "%.*s~%0*lx", (int)(len - 1 - digits), name, (int)digits,
             (unsigned long)n);
    return 1;
}

/* The dependency's copy, its SONAME unique, loaded first. */
static int load_renamed(hot_lib *lib, hot__deps *d, unsigned i, const char *unique, hot__version *v)
{
    char msg[HOT__MSG_MAX];
    char *load_path = NULL;
    int err;

    hot__elf_rename_needed(d->bytes[i], d->size[i], d->needed[i], unique);
    if ((err = hot__shadow_write_dep(lib, unique, d->bytes[i], d->size[i], v)) < 0)
        return err;
    load_path = hot__shadow_load_path_of(lib, v->dep_copies[v->n_dep_copies - 1]);
    if (!load_path)
        return HOT_EACCES;
    err = hot__dl_open(load_path, &v->deps[v->n_deps], msg, sizeof msg);
    free(load_path);
    if (err < 0)
        return hot__fail(lib, err, "%s: its dependency %s (through $ORIGIN): %s", lib->path,
                         d->path[i], msg);
    v->n_deps++;
    return 0;
}

static int has_soname(const hot__deps *d, unsigned i)
{
    hot__elf_dyn dyn;

    return hot__elf_dynamic(d->bytes[i], d->size[i], &dyn) == 0 && dyn.soname &&
           strcmp(dyn.soname, d->needed[i]) == 0;
}

int hot__deps_load(hot_lib *lib, hot__deps *d, unsigned char *copy, size_t size, hot__version *v)
{
    char msg[HOT__MSG_MAX], unique[256];
    unsigned i;
    int err;

    for (i = 0; i < d->n; i++) {
        if (has_soname(d, i) && unique_name(d->needed[i], unique, sizeof unique) &&
            hot__elf_rename_needed(copy, size, d->needed[i], unique) > 0) {
            if ((err = load_renamed(lib, d, i, unique, v)) < 0)
                return err;
            continue;
        }
        if ((err = hot__dl_open(d->path[i], &v->deps[v->n_deps], msg, sizeof msg)) < 0)
            return hot__fail(lib, err, "%s: its dependency %s (through $ORIGIN): %s", lib->path,
                             d->path[i], msg);
        v->n_deps++;
    }
    return 0;
}
