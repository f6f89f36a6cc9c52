/*
 * Shadow copies. The runtime never loads the build output itself (a linker
 * that rewrites it in place would crash the program) and never writes over
 * a loaded file. Each version is loaded from a copy with a unique name.
 *
 * The shadow folder is held by descriptor (src/platform.h, hot__dir): its
 * privacy is checked when it is opened or made again, and every copy is
 * created, loaded and deleted relative to the folder that was checked. A
 * folder that cannot be checked, or fails the check, refuses the reload
 * (the old code keeps running).
 *
 * Every handle keeps an owner file in the shadow folder, locked while the
 * process lives, listing the copies it made (one name a line). A copy is
 * deleted as soon as no one needs it, and all at close or exit; an owner
 * file whose lock can be taken belongs to a process that died, and its
 * copies are swept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define OWNER_PREFIX ".owner-"

/* A name directly inside the folder (a listed name, or a copy name). */
static int plain_name(const char *name)
{
    return name[0] != '\0' && !strchr(name, '/') && strcmp(name, ".") != 0 &&
           strcmp(name, "..") != 0;
}

/* Owner files list plain names; older runtimes wrote "<folder>/<name>". */
static const char *listed_name(hot__dir *d, const char *line)
{
    const char *dir = hot__dir_path(d);
    size_t len = strlen(dir);

    if (strncmp(line, dir, len) == 0 && line[len] == '/')
        line += len + 1;
    return plain_name(line) ? line : NULL;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Was this line taken back by a later "!name" line? */
static int retracted(const char *lines, const char *end, const char *line)
{
    size_t len = strlen(line);
    const char *p;

    for (p = lines; p < end; p += strlen(p) + 1) {
        if (p[0] == '!' && strncmp(p + 1, line, len) == 0 && p[1 + len] == '\0')
            return 1;
    }
    return 0;
}

/* Deletes the copies an owner file lists, then (if asked) the owner file. */
static void delete_listed(hot__dir *d, const char *owner_name, int delete_owner)
{
    unsigned char *list = NULL;
    size_t size = 0, i;
    const char *line, *end, *name;
    char msg[256];

    if (hot__dir_read_all(d, owner_name, &list, &size, msg, sizeof msg) == 0) {
        for (i = 0; i < size; i++)
            list[i] = list[i] == '\n' ? '\0' : list[i];
        end = (const char *)list + size;
        for (line = (const char *)list; line < end && size; line += strlen(line) + 1) {
            if (line[0] != '!' && (name = listed_name(d, line)) != NULL &&
                !retracted((const char *)list, end, line))
                hot__dir_unlink(d, name, msg, sizeof msg);
        }
    } else {
        hot__log(NULL, HOT_LOG_DEBUG, "owner file not read: %s", msg);
    }
    if (delete_owner)
        hot__dir_unlink(d, owner_name, msg, sizeof msg);
    free(list);
}

static void sweep_entry(const char *name, void *arg)
{
    hot__dir *d = arg;

    if (strncmp(name, OWNER_PREFIX, strlen(OWNER_PREFIX)) == 0 && hot__owner_try_orphan(d, name)) {
        delete_listed(d, name, 1);
        hot__log(NULL, HOT_LOG_DEBUG, "swept copies of a process that is gone: %s/%s",
                 hot__dir_path(d), name);
    }
}

static void sweep(hot__dir *d)
{
    hot__dir_list(d, sweep_entry, d);
}

void hot__shadow_sweep(const char *shadow_dir)
{
    char msg[HOT__MSG_MAX];
    hot__dir *d;

    if (hot__dir_open(&d, shadow_dir, msg, sizeof msg) == 0) {
        sweep(d);
        hot__dir_close(d);
    }
}

static void random_hex(char *out, size_t nbytes)
{
    unsigned char raw[16];

    hot__random_bytes(raw, nbytes);
    hot__hex(raw, nbytes, out);
}

static int new_owner(hot__dir *d, hot__owner **out, char *msg, size_t msglen)
{
    char name[64], tag[17];

    random_hex(tag, 8);
    snprintf(name, sizeof name, OWNER_PREFIX "%lu-%s", hot__pid(), tag);
    return hot__owner_create(out, d, name, msg, msglen);
}

int hot__shadow_init(hot_lib *lib)
{
    char msg[HOT__MSG_MAX] = "";
    int err;

    if ((err = hot__dir_open(&lib->shadow, lib->shadow_dir, msg, sizeof msg)) < 0)
        return hot__fail(lib, err, "shadow folder: %s", msg);
    sweep(lib->shadow);
    if ((err = new_owner(lib->shadow, &lib->owner, msg, sizeof msg)) < 0)
        return hot__fail(lib, err, "shadow folder: %s", msg);
    return 0;
}

/* A temp cleaner (or a person) removed the shadow folder under us: make it
 * again, checked as at open (someone else may have made one in its place:
 * then the reload is refused), with a new owner file (the old one went
 * with the folder). */
static int recreate_folder(hot_lib *lib, char *msg, size_t msglen)
{
    char why[HOT__MSG_MAX] = "";
    int err;

    hot__log(lib, HOT_LOG_WARN, "shadow folder %s was removed; making it again", lib->shadow_dir);
    if ((err = hot__dir_reopen(lib->shadow, why, sizeof why)) < 0) {
        snprintf(msg, msglen, "the shadow folder was removed and cannot be made again: %s", why);
        return err;
    }
    hot__owner_close(lib->owner, NULL, 0);
    lib->owner = NULL;
    return 0;
}

static int write_listed(hot_lib *lib, const char *name, const unsigned char *buf, size_t size,
                        char *msg, size_t msglen)
{
    int err = 0;

    /* No owner file: the last re-creation made the folder but not it. */
    if (!lib->owner && (err = new_owner(lib->shadow, &lib->owner, msg, msglen)) < 0)
        return err;
    if ((err = hot__owner_append(lib->owner, name)) < 0) {
        snprintf(msg, msglen, "write to the owner file %s/%s: %s", lib->shadow_dir,
                 hot__owner_name(lib->owner), hot_strerror(err));
        return err;
    }
    return hot__dir_write_new(lib->shadow, name, buf, size, msg, msglen);
}

static int write_copy(hot_lib *lib, const char *name, const unsigned char *buf, size_t size,
                      char *msg, size_t msglen)
{
    int err = write_listed(lib, name, buf, size, msg, msglen);

    if (err == HOT_ENOENT && !hot__dir_exists(lib->shadow)) {
        if ((err = recreate_folder(lib, msg, msglen)) == 0)
            err = write_listed(lib, name, buf, size, msg, msglen);
    }
    if (err == HOT_EEXIST) {
        /* Someone else's file (a template without {pid} or {uuid}): take
         * the name back, so no sweep of ours ever deletes it. */
        char *retract = hot__printf("!%s", name);
        if (retract)
            hot__owner_append(lib->owner, retract);
        free(retract);
        snprintf(msg, msglen,
                 "%s/%s already exists: the copy name template (%s) must make "
                 "names unique, e.g. with {pid} and {uuid}",
                 lib->shadow_dir, name, lib->shadow_name);
    }
    return err;
}

/*
 * The exit hook and a watcher still making a copy race. The hook raises
 * `exiting`, deletes the listed copies, raises `hook_done`, and deletes the
 * owner file if no write is in flight. A writer counts itself in flight,
 * then checks `exiting` before and after writing its copy; seeing it, it
 * deletes its copy, and the last writer out after the hook deletes the
 * owner file. All of it sequentially consistent: either the hook sees a
 * listed copy, or its writer sees `exiting`. A writer the process ends in
 * the middle leaves the owner file, and the next start's sweep finishes.
 */
static int exiting, hook_done, writes_in_flight;

static void delete_owner_file(hot_lib *lib)
{
    char msg[256];

    if (lib->owner && hot__dir_mine(lib->shadow))
        hot__dir_unlink(lib->shadow, hot__owner_name(lib->owner), msg, sizeof msg);
}

static int leave_write(hot_lib *lib, const char *name, int err)
{
    char msg[256];

    if (__atomic_load_n(&exiting, __ATOMIC_SEQ_CST)) {
        if (err == 0)
            hot__dir_unlink(lib->shadow, name, msg, sizeof msg);
        err = hot__fail(lib, HOT_ECLOSED, "the process is exiting");
    }
    if (__atomic_sub_fetch(&writes_in_flight, 1, __ATOMIC_SEQ_CST) == 0 &&
        __atomic_load_n(&hook_done, __ATOMIC_SEQ_CST))
        delete_owner_file(lib);
    return err;
}

static int copy_name(hot_lib *lib, char **path)
{
    lib->load_counter++;
    random_hex(lib->copy_uuid, 8);
    if (!(*path = hot__expand_copy_name(lib)))
        return hot__fail(lib, HOT_ENOMEM, "out of memory for the copy's name");
    if (!plain_name(base_name(*path)) || base_name(*path)[0] == '.') {
        hot__fail(lib, HOT_EINVAL, "shadow_name %s expands to '%s', not a file name",
                  lib->shadow_name, base_name(*path));
        free(*path);
        *path = NULL;
        return HOT_EINVAL; /* spelled out: the analyzer cannot see hot__fail's value */
    }
    return 0;
}

/* Writes the copy at path (freed on failure). */
static int write_named(hot_lib *lib, char *path, const unsigned char *buf, size_t size)
{
    char msg[HOT__MSG_MAX] = "";
    int err = 0;

    __atomic_add_fetch(&writes_in_flight, 1, __ATOMIC_SEQ_CST);
    /* Listed before it exists: a crash between the two leaves nothing
     * unlisted behind. */
    if (!__atomic_load_n(&exiting, __ATOMIC_SEQ_CST) &&
        (err = write_copy(lib, base_name(path), buf, size, msg, sizeof msg)) < 0)
        err = hot__fail(lib, err, "shadow copy: %s", msg[0] ? msg : hot_strerror(err));
    err = leave_write(lib, base_name(path), err);
    if (err < 0)
        free(path);
    return err;
}

int hot__shadow_write(hot_lib *lib, const unsigned char *buf, size_t size, hot__version *v)
{
    char *path;
    int err = copy_name(lib, &path);

    if (err < 0 || (err = write_named(lib, path, buf, size)) < 0)
        return err;
    v->copy_path = path;
    v->copy_dir = lib->shadow;
    return 0;
}

int hot__shadow_write_dep(hot_lib *lib, const char *soname, const unsigned char *buf, size_t size,
                          hot__version *v)
{
    char tag[17], *path;
    int err;

    random_hex(tag, 8);
    if (!(path = hot__printf("%s/%s.%lu.%s.so", lib->shadow_dir, soname, hot__pid(), tag)))
        return hot__fail(lib, HOT_ENOMEM, "out of memory for the name of %s's copy", soname);
    if ((err = write_named(lib, path, buf, size)) < 0)
        return err;
    v->copy_dir = lib->shadow;
    v->dep_copies[v->n_dep_copies++] = path;
    return 0;
}

char *hot__shadow_load_path_of(hot_lib *lib, const char *copy_path)
{
    char msg[HOT__MSG_MAX] = "";
    char *path = hot__dir_load_path(lib->shadow, base_name(copy_path), msg, sizeof msg);

    if (!path)
        hot__fail(lib, HOT_EACCES, "shadow folder: %s", msg);
    return path;
}

char *hot__shadow_load_path(hot_lib *lib, const hot__version *v)
{
    char msg[HOT__MSG_MAX] = "";
    char *path = hot__dir_load_path(v->copy_dir, base_name(v->copy_path), msg, sizeof msg);

    if (!path)
        hot__fail(lib, HOT_EACCES, "shadow folder: %s", msg);
    return path;
}

static void forget_copy(hot__dir *dir, char **copy)
{
    char msg[HOT__MSG_MAX];

    if (!*copy)
        return;
    if (dir && hot__dir_mine(dir) && hot__dir_unlink(dir, base_name(*copy), msg, sizeof msg) < 0)
        hot__log(NULL, HOT_LOG_WARN, "shadow copy not deleted: %s", msg);
    free(*copy);
    *copy = NULL;
}

void hot__shadow_forget(hot__version *v)
{
    forget_copy(v->copy_dir, &v->copy_path);
    while (v->n_dep_copies > 0)
        forget_copy(v->copy_dir, &v->dep_copies[--v->n_dep_copies]);
}

int hot__shadow_take_copies(hot__version *v, hot__old_copies *out)
{
    out->dir = v->copy_dir;
    out->handle = v->handle;
    out->path = v->copy_path;
    v->copy_path = NULL;
    for (out->n_deps = 0; v->n_dep_copies > 0;)
        out->deps[out->n_deps++] = v->dep_copies[--v->n_dep_copies];
    return out->path != NULL || out->n_deps > 0;
}

void hot__shadow_delete_taken(hot__old_copies *c)
{
    if (c->path && c->dir)
        hot__dl_drop_unmapped(c->handle, c->dir, base_name(c->path));
    forget_copy(c->dir, &c->path);
    while (c->n_deps > 0)
        forget_copy(c->dir, &c->deps[--c->n_deps]);
}

/* At exit: the files this handle listed go, nothing in memory is touched
 * (other threads may still be running). A forked child exiting leaves its
 * parent's files alone. */
void hot__shadow_exiting(void)
{
    __atomic_store_n(&exiting, 1, __ATOMIC_SEQ_CST);
}

void hot__shadow_delete_at_exit(hot_lib *lib)
{
    if (lib->owner && hot__dir_mine(lib->shadow))
        delete_listed(lib->shadow, hot__owner_name(lib->owner), 0);
}

void hot__shadow_exit_done(hot_lib *const *libs, int n)
{
    int i;

    __atomic_store_n(&hook_done, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&writes_in_flight, __ATOMIC_SEQ_CST) != 0)
        return; /* the last writer out deletes them */
    for (i = 0; i < n; i++) {
        if (libs[i])
            delete_owner_file(libs[i]);
    }
}

void hot__shadow_close(hot_lib *lib)
{
    hot__owner_close(lib->owner, hot__dir_mine(lib->shadow) ? lib->shadow : NULL, 1);
    lib->owner = NULL;
    hot__dir_close(lib->shadow);
    lib->shadow = NULL;
}

/* ---- One-off loads (hot_inspect) ----------------------------------------- */

static int load_listed(hot__dir *d, hot__owner *owner, const unsigned char *buf, size_t size,
                       void **handle, char *msg, size_t msglen)
{
    char name[64], tag[17], scratch[256], *load_path;
    int err;

    random_hex(tag, 8);
    snprintf(name, sizeof name, "inspect.%lu.%s.so", hot__pid(), tag);
    if ((err = hot__owner_append(owner, name)) < 0 ||
        (err = hot__dir_write_new(d, name, buf, size, msg, msglen)) < 0)
        return err;
    load_path = hot__dir_load_path(d, name, msg, msglen);
    err = load_path ? hot__dl_open(load_path, handle, msg, msglen) : HOT_EACCES;
    hot__dir_unlink(d, name, scratch, sizeof scratch);
    free(load_path);
    return err;
}

int hot__shadow_load_once(const unsigned char *buf, size_t size, void **handle, char *msg,
                          size_t msglen)
{
    char *dir = hot__default_shadow_dir();
    hot__owner *owner = NULL;
    hot__dir *d = NULL;
    int err;

    if (!dir) {
        snprintf(msg, msglen, "out of memory for the shadow folder's path");
        return HOT_ENOMEM;
    }
    if ((err = hot__dir_open(&d, dir, msg, msglen)) == 0) {
        sweep(d);
        if ((err = new_owner(d, &owner, msg, msglen)) == 0)
            err = load_listed(d, owner, buf, size, handle, msg, msglen);
        hot__owner_close(owner, d, 1);
    }
    hot__dir_close(d);
    free(dir);
    return err;
}
