/*
 * Shadow copies. The runtime never loads the build output itself (a linker
 * that rewrites it in place would crash the program) and never writes over
 * a loaded file. Each version is loaded from a copy with a unique name.
 *
 * Every handle keeps an owner file in the shadow folder, locked while the
 * process lives, listing the copies it made. A copy is deleted as soon as no
 * one needs it, and all at close or exit; an owner file whose lock can be
 * taken belongs to a process that died, and its copies are swept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define OWNER_PREFIX ".owner-"

/* Only a file directly inside the shadow folder is ever deleted, whatever
 * an owner file says. */
static int inside(const char *shadow_dir, const char *path)
{
    size_t len = strlen(shadow_dir);

    return strncmp(path, shadow_dir, len) == 0 && path[len] == '/' &&
           !strchr(path + len + 1, '/') && strcmp(path + len + 1, "..") != 0 &&
           path[len + 1] != '\0';
}

/* Was this line taken back by a later "!path" line? */
static int retracted(const char *lines, const char *end, const char *path)
{
    size_t len = strlen(path);
    const char *p;

    for (p = lines; p < end; p += strlen(p) + 1) {
        if (p[0] == '!' && strncmp(p + 1, path, len) == 0 && p[1 + len] == '\0')
            return 1;
    }
    return 0;
}

/* Deletes the copies an owner file lists, then (if asked) the owner file. */
static void delete_listed(const char *shadow_dir, const char *owner_path, int delete_owner)
{
    unsigned char *list = NULL;
    size_t size = 0, i;
    const char *line, *end;
    char msg[256];

    if (hot__fs_read_all(owner_path, &list, &size, msg, sizeof msg) == 0) {
        for (i = 0; i < size; i++)
            list[i] = list[i] == '\n' ? '\0' : list[i];
        end = (const char *)list + size;
        for (line = (const char *)list; line < end && size; line += strlen(line) + 1) {
            if (line[0] != '!' && inside(shadow_dir, line) && !retracted(line, end, line))
                hot__fs_unlink(line);
        }
    }
    if (delete_owner)
        hot__fs_unlink(owner_path);
    free(list);
}

static void sweep_owner(const char *shadow_dir, const char *owner_name)
{
    char *path = hot__printf("%s/%s", shadow_dir, owner_name);

    if (path && hot__owner_try_orphan(path)) {
        delete_listed(shadow_dir, path, 1);
        hot__log(NULL, HOT_LOG_DEBUG, "swept copies of a process that is gone: %s", path);
    }
    free(path);
}

struct sweep_ctx {
    const char *dir;
};

static void sweep_entry(const char *name, void *arg)
{
    const struct sweep_ctx *ctx = arg;
    if (strncmp(name, OWNER_PREFIX, strlen(OWNER_PREFIX)) == 0)
        sweep_owner(ctx->dir, name);
}

void hot__shadow_sweep(const char *shadow_dir)
{
    struct sweep_ctx ctx;
    ctx.dir = shadow_dir;
    hot__fs_list(shadow_dir, sweep_entry, &ctx);
}

static void random_hex(char *out, size_t nbytes)
{
    unsigned char raw[16];

    hot__random_bytes(raw, nbytes);
    hot__hex(raw, nbytes, out);
}

static int create_owner(hot_lib *lib)
{
    char msg[HOT__MSG_MAX] = "", tag[17];
    char *owner_path;
    int err;

    if ((err = hot__fs_mkdirs(lib->shadow_dir, msg, sizeof msg)) < 0)
        return hot__fail(lib, err, "shadow folder: %s", msg);
    random_hex(tag, 8);
    owner_path = hot__printf("%s/" OWNER_PREFIX "%lu-%s", lib->shadow_dir, hot__pid(), tag);
    if (!owner_path)
        return hot__fail(lib, HOT_ENOMEM, "out of memory");
    err = hot__owner_create(&lib->owner, owner_path, msg, sizeof msg);
    free(owner_path);
    return err < 0 ? hot__fail(lib, err, "shadow folder: %s", msg) : 0;
}

int hot__shadow_init(hot_lib *lib)
{
    char msg[HOT__MSG_MAX] = "";
    int err;

    if ((err = hot__fs_mkdirs(lib->shadow_dir, msg, sizeof msg)) < 0 ||
        (err = hot__fs_check_private(lib->shadow_dir, msg, sizeof msg)) < 0)
        return hot__fail(lib, err, "shadow folder: %s", msg);
    hot__shadow_sweep(lib->shadow_dir);
    return create_owner(lib);
}

/* A temp cleaner (or a person) removed the shadow folder under us: make it
 * again, with a new owner file (the old one went with the folder). */
static int recreate_folder(hot_lib *lib)
{
    hot__log(lib, HOT_LOG_WARN, "shadow folder %s was removed; making it again", lib->shadow_dir);
    hot__owner_close(lib->owner, 0);
    lib->owner = NULL;
    return create_owner(lib);
}

static int write_copy(hot_lib *lib, const char *path, const unsigned char *buf, size_t size,
                      char *msg, size_t msglen)
{
    int err = hot__owner_append(lib->owner, path);

    if (err == 0)
        err = hot__fs_write_new(path, buf, size, msg, msglen);
    if (err == HOT_ENOENT && recreate_folder(lib) == 0 &&
        (err = hot__owner_append(lib->owner, path)) == 0)
        err = hot__fs_write_new(path, buf, size, msg, msglen);
    if (err == HOT_EEXIST) {
        /* Someone else's file (a template without {pid} or {uuid}): take
         * the name back, so no sweep of ours ever deletes it. */
        char *retract = hot__printf("!%s", path);
        if (retract)
            hot__owner_append(lib->owner, retract);
        free(retract);
        snprintf(msg, msglen,
                 "%s already exists: the copy name template (%s) must make "
                 "names unique, e.g. with {pid} and {uuid}",
                 path, lib->shadow_name);
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

static int leave_write(hot_lib *lib, const char *path, int err)
{
    if (__atomic_load_n(&exiting, __ATOMIC_SEQ_CST)) {
        if (err == 0)
            hot__fs_unlink(path);
        err = hot__fail(lib, HOT_ECLOSED, "the process is exiting");
    }
    if (__atomic_sub_fetch(&writes_in_flight, 1, __ATOMIC_SEQ_CST) == 0 &&
        __atomic_load_n(&hook_done, __ATOMIC_SEQ_CST) && lib->owner)
        hot__fs_unlink(hot__owner_path(lib->owner));
    return err;
}

int hot__shadow_write(hot_lib *lib, const unsigned char *buf, size_t size, char **copy_path)
{
    char msg[HOT__MSG_MAX] = "";
    char *path;
    int err = 0;

    lib->load_counter++;
    random_hex(lib->copy_uuid, 8);
    path = hot__expand_copy_name(lib);
    if (!path)
        return hot__fail(lib, HOT_ENOMEM, "out of memory");
    __atomic_add_fetch(&writes_in_flight, 1, __ATOMIC_SEQ_CST);
    /* Listed before it exists: a crash between the two leaves nothing
     * unlisted behind. */
    if (!__atomic_load_n(&exiting, __ATOMIC_SEQ_CST) &&
        (err = write_copy(lib, path, buf, size, msg, sizeof msg)) < 0)
        err = hot__fail(lib, err, "shadow copy: %s", msg[0] ? msg : hot_strerror(err));
    err = leave_write(lib, path, err);
    if (err < 0) {
        free(path);
        return err;
    }
    *copy_path = path;
    return 0;
}

void hot__shadow_forget(char **copy_path)
{
    if (*copy_path) {
        hot__fs_unlink(*copy_path);
        free(*copy_path);
        *copy_path = NULL;
    }
}

/* At exit: the files this handle listed go, nothing in memory is touched
 * (other threads may still be running). */
void hot__shadow_exiting(void)
{
    __atomic_store_n(&exiting, 1, __ATOMIC_SEQ_CST);
}

void hot__shadow_delete_at_exit(hot_lib *lib)
{
    if (lib->owner)
        delete_listed(lib->shadow_dir, hot__owner_path(lib->owner), 0);
}

void hot__shadow_exit_done(hot_lib *const *libs, int n)
{
    int i;

    __atomic_store_n(&hook_done, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&writes_in_flight, __ATOMIC_SEQ_CST) != 0)
        return; /* the last writer out deletes them */
    for (i = 0; i < n; i++) {
        if (libs[i] && libs[i]->owner)
            hot__fs_unlink(hot__owner_path(libs[i]->owner));
    }
}

void hot__shadow_close(hot_lib *lib)
{
    hot__owner_close(lib->owner, 1);
    lib->owner = NULL;
}
