/*
 * State across reloads. Two mechanisms, both checked:
 *  - kept variables (HOT_KEEP): copied from the old version's memory into
 *    the new one's when name, type, size, alignment and struct definition
 *    all match; otherwise the new version keeps its initial value and a
 *    warning names the variable and what changed.
 *  - save/load hooks (HOT_STATE_HOOKS): the old code saves tagged bytes,
 *    the new code loads them or migrates them, or starts from defaults with
 *    a warning. The bytes are kept as the snapshot a rollback restores.
 * Runs on the thread doing the swap, before the new table is published.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The kept variables come from the manifest (no symbol to look up, so C++
 * name mangling cannot hide them). */
void hot__state_resolve(hot__version *v, const hot_manifest *manifest)
{
    const hot_state_hooks *hooks = hot__dl_sym(v->handle, "hot__exported_state_hooks");
    char where[256];

    /* dlsym also searches the library's dependencies: hooks found in one
     * of them are not this library's. */
    if (hooks && !hot__dl_owns(v->handle, hooks, where, sizeof where))
        hooks = NULL;
    v->hooks = hooks && hooks->size >= sizeof *hooks ? hooks : NULL;
    if (manifest->vars_start && manifest->vars_stop > manifest->vars_start) {
        v->vars = manifest->vars_start;
        v->n_vars = (size_t)(manifest->vars_stop - manifest->vars_start);
    }
}

static void warn_more(char *warn, size_t warnlen, const char *fmt, ...)
{
    size_t used = strlen(warn);
    va_list ap;

    if (used + 3 >= warnlen)
        return;
    if (used) {
        strcpy(warn + used, "; ");
        used += 2;
    }
    va_start(ap, fmt);
    vsnprintf(warn + used, warnlen - used, fmt, ap);
    va_end(ap);
}

static const hot_var_desc *find_var(const hot__version *v, const char *name)
{
    size_t i;
    for (i = 0; i < v->n_vars; i++) {
        if (v->vars[i] && strcmp(v->vars[i]->name, name) == 0)
            return v->vars[i];
    }
    return NULL;
}

/* What differs between two descriptions of a kept variable, or NULL. */
static const char *var_change(const hot_var_desc *a, const hot_var_desc *b, char *buf, size_t len)
{
    if (strcmp(a->type, b->type) != 0)
        snprintf(buf, len, "type changed: %s -> %s", a->type, b->type);
    else if (a->size != b->size)
        snprintf(buf, len, "size changed: %lu -> %lu bytes", a->size, b->size);
    else if (a->align != b->align)
        snprintf(buf, len, "alignment changed: %lu -> %lu", a->align, b->align);
    else if (strcmp(a->definition, b->definition) != 0)
        snprintf(buf, len, "definition of %s changed", a->type);
    else
        return NULL;
    return buf;
}

/* A kept struct whose layout changed, carried by field name when both
 * versions' HOT_STRUCT texts can be laid out. Returns -1 if not. */
static int carry_by_fields(const hot_var_desc *was, const hot_var_desc *now, char *warn,
                           size_t warnlen)
{
    hot__kept_layout saved = { 0 }, fresh = { 0 };
    char notes[512];
    int ok = strcmp(was->type, now->type) == 0 && was->definition[0] && now->definition[0];

    ok = ok && hot__kept_layout_from_definition(&saved, was->type, was->definition, was->size,
                                                was->align) == 0;
    ok = ok && hot__kept_layout_from_definition(&fresh, now->type, now->definition, now->size,
                                                now->align) == 0;
    if (!ok) {
        hot__kept_layout_free(&saved);
        hot__kept_layout_free(&fresh);
        return -1;
    }
    hot__kept_migrate(&saved, was->address, &fresh, now->address, notes, sizeof notes);
    if (notes[0])
        warn_more(warn, warnlen, "kept variable %s carried by field name: %s", now->name, notes);
    hot__kept_layout_free(&saved);
    hot__kept_layout_free(&fresh);
    return 0;
}

static void carry_vars(const hot__version *old, hot__version *v, char *warn, size_t warnlen)
{
    char why[256];
    size_t i;

    for (i = 0; i < v->n_vars; i++) {
        const hot_var_desc *now = v->vars[i], *was = now ? find_var(old, now->name) : NULL;
        if (!was)
            continue; /* new variable: its initial value */
        if (!var_change(was, now, why, sizeof why))
            memcpy(now->address, was->address, now->size);
        else if (carry_by_fields(was, now, warn, warnlen) < 0)
            warn_more(warn, warnlen, "kept variable %s: %s; it starts from its initial value",
                      now->name, why);
    }
}

/* The new code loads the bytes, or migrates them, or starts afresh. */
static void load_saved(hot_lib *lib, hot__version *v, char *warn, size_t warnlen)
{
    const hot_state_hooks *h = v->hooks;
    unsigned tag = v->snapshot.tag;

    if (!h || !h->load) {
        warn_more(warn, warnlen, "v%lu has no load hook; the saved state (tag %u) is dropped",
                  lib->last_number + 1, tag);
        return;
    }
    if (h->load(tag, v->snapshot.data, v->snapshot.size) == 0)
        return;
    if (h->migrate && h->migrate(tag, v->snapshot.data, v->snapshot.size) == 0)
        return;
    warn_more(warn, warnlen,
              "state with tag %u was refused by the new code's load%s hook; "
              "it starts from its defaults",
              tag, h->migrate ? " and migrate" : "");
}

static void carry_saved(hot_lib *lib, const hot__version *old, hot__version *v, char *warn,
                        size_t warnlen)
{
    int rc;

    if (!old->hooks || !old->hooks->save)
        return;
    rc = old->hooks->save(&v->snapshot.data, &v->snapshot.size, &v->snapshot.tag);
    if (rc < 0) {
        free(v->snapshot.data);
        v->snapshot.data = NULL;
        warn_more(warn, warnlen,
                  "the old code's save hook failed (%d); the new code starts "
                  "from its defaults",
                  rc);
        return;
    }
    load_saved(lib, v, warn, warnlen);
}

void hot__state_carry(hot_lib *lib, hot__version *old, hot__version *v, char *warn, size_t warnlen)
{
    warn[0] = '\0';
    if (!old)
        return;
    carry_vars(old, v, warn, warnlen);
    carry_saved(lib, old, v, warn, warnlen);
    if (warn[0])
        hot__log(lib, HOT_LOG_WARN, "%s: state: %s", lib->file, warn);
}

void hot__state_restore(hot_lib *lib, hot__version *crashed, hot__version *prev, char *warn,
                        size_t warnlen)
{
    warn[0] = '\0';
    if (!crashed->snapshot.data && !crashed->snapshot.size)
        return;
    if (!prev->hooks || !prev->hooks->load ||
        prev->hooks->load(crashed->snapshot.tag, crashed->snapshot.data, crashed->snapshot.size) !=
            0)
        warn_more(warn, warnlen, "v%lu could not load back its own saved state", prev->number);
    hot__state_free(crashed); /* used once: the crashed version never runs again */
    if (warn[0])
        hot__log(lib, HOT_LOG_WARN, "%s: state: %s", lib->file, warn);
}

/* A snapshot is only ever restored from the current version (into the
 * one before it): retired versions drop theirs. */
void hot__state_free(hot__version *v)
{
    free(v->snapshot.data);
    v->snapshot.data = NULL;
    v->snapshot.size = 0;
}
