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
    hot__shadow_forget(&v->copy_path);
    free(v->table);
    free(v);
}

/* The content is already running, or already waiting to run. */
static int is_known(hot_lib *lib, const hot__content_id *id)
{
    hot__version *pending;
    int known;

    hot__mutex_lock(&lib->mu);
    pending = __atomic_load_n(&lib->pending, __ATOMIC_ACQUIRE);
    known = (lib->current && hot__content_id_equal(&lib->current->id, id)) ||
            (pending && hot__content_id_equal(&pending->id, id));
    hot__mutex_unlock(&lib->mu);
    return known;
}

static int has_crashed(hot_lib *lib, const hot__content_id *id)
{
    unsigned i;
    int found = 0;

    hot__mutex_lock(&lib->mu);
    for (i = 0; i < lib->n_crashed && !found; i++)
        found = hot__content_id_equal(&lib->crashed_ids[i], id);
    hot__mutex_unlock(&lib->mu);
    return found;
}

static int read_and_check(hot_lib *lib, unsigned char **buf, size_t *size, hot__content_id *id)
{
    char msg[HOT__MSG_MAX] = "";
    int err;

    err = hot__fs_read_all(lib->path, buf, size, msg, sizeof msg);
    if (err < 0)
        return hot__fail(lib, err, "%s", msg);
    err = hot__elf_check(*buf, *size, hot__host_machine(), id, msg, sizeof msg);
    if (err < 0)
        return hot__fail(lib, err, "%s: %s", lib->path, msg);
    if (id->len == 0)
        hot__hash_content(*buf, *size, id);
    return 0;
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

static int load_and_verify(hot_lib *lib, hot__version *v)
{
    const hot_manifest *expected = lib->iface->expected;
    char msg[2048] = "", symbol[256];
    const hot_manifest *found;
    uint64_t t0 = hot__now_ns();
    int err;

    err = hot__dl_open(v->copy_path, &v->handle, msg, sizeof msg);
    v->load_ms = ms_since(t0);
    if (err < 0)
        return hot__fail(lib, err, "%s: %s", lib->path, msg);
    t0 = hot__now_ns();
    snprintf(symbol, sizeof symbol, "hot_manifest_%s", expected->interface_name);
    found = (const hot_manifest *)hot__dl_sym(v->handle, symbol);
    if (!found)
        return hot__fail(lib, HOT_ENOMANIFEST,
                         "%s: no %s: built without hotreload, or for another interface", lib->path,
                         symbol);
    v->table = calloc(expected->n_fns + 1, sizeof *v->table);
    if (!v->table)
        return hot__fail(lib, HOT_ENOMEM, "out of memory");
    err = hot__verify(expected, found, lib->opts.ignore_compiler, v->table, msg, sizeof msg);
    if (err == 0)
        hot__state_resolve(v, expected->interface_name);
    v->verify_ms = ms_since(t0);
    return err < 0 ? refuse_with_first_reason(lib, err, msg) : 0;
}

int hot__load_version(hot_lib *lib, hot__version **out, int quiet_incomplete)
{
    unsigned char *buf = NULL;
    size_t size = 0;
    hot__version *v;
    uint64_t t0;
    int err;

    *out = NULL;
    lib->refusal_reasons[0] = '\0';
    v = calloc(1, sizeof *v);
    if (!v)
        return hot__fail(lib, HOT_ENOMEM, "out of memory");
    err = read_and_check(lib, &buf, &size, &v->id);
    if (err == HOT_EINCOMPLETE && quiet_incomplete)
        goto cleanup;
    if (err == 0 && (is_known(lib, &v->id) || hot__content_id_equal(&lib->last_refused, &v->id))) {
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
    t0 = hot__now_ns();
    err = hot__shadow_write(lib, buf, size, &v->copy_path);
    v->copy_ms = (double)(hot__now_ns() - t0) / 1e6;
    if (err < 0)
        goto refused;
    if ((err = load_and_verify(lib, v)) < 0)
        goto refused;
    /* A refused build that comes back after this one is judged afresh. */
    lib->last_refused.len = 0;
    free(buf);
    *out = v;
    return 1;

refused:
    /* The same bytes are not retried until the file changes again. */
    lib->last_refused = v->id;
    if (err == HOT_ENOSPC || err == HOT_ENOMEM || err == HOT_ENOENT)
        lib->last_refused.len = 0; /* not the build's fault: retry it */
cleanup:
    free(buf);
    hot__version_free(v);
    return err;
}
