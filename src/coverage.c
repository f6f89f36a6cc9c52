/*
 * Bytes of a listed type that no listed field covers (hot_manifest_uncovered):
 * a field left out of the TYPES list, so its layout is never checked.
 *
 * The manifest cannot tell every such field from padding: in
 * { char a; char b; long c; } with b unlisted, bytes 1..7 may be padding.
 * A gap is let pass only when alignment alone can make it: the next field
 * (or the end of the type) sits at a multiple of some alignment no larger
 * than the type's, and the gap is shorter than that alignment. Anything
 * else is named. `hotreload iface` lists every field and closes the rest.
 *
 * With the library's debug information (hot_info_uncovered, `hotreload
 * check`), nothing is guessed: the struct's real members are compared with
 * the listed fields by name (hot__uncovered_named).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A listed field at the top of the type ("pos", not "pos.x"). */
static int top_level(const hot_field_desc *f)
{
    return !strpbrk(f->name, ".[");
}

/* Whether alignment alone explains a gap from end to next (next: the
 * following field's offset, or the type's size). */
static int may_be_padding(unsigned long end, unsigned long next, unsigned long type_align)
{
    unsigned long a;

    for (a = 1; a <= type_align && a != 0; a *= 2) {
        if (next % a == 0 && next - end < a)
            return 1;
    }
    return 0;
}

/* The end of the covered run starting at or after from: the lowest field
 * offset >= from is the next start. Returns the type's size if none. */
static unsigned long next_start(const hot_manifest *m, const hot_type_desc *t, unsigned long from,
                                unsigned long *end)
{
    unsigned long best = t->size; /* no field: the run starts at the end */
    unsigned long best_end = best;
    unsigned i;

    for (i = 0; i < m->n_fields; i++) {
        const hot_field_desc *f = &m->fields[i];
        if (strcmp(f->type, t->name) != 0 || !top_level(f) || f->offset + f->size <= from)
            continue;
        if (f->offset < best || (f->offset == best && f->offset + f->size > best_end)) {
            best = f->offset < from ? from : f->offset;
            best_end = f->offset + f->size;
        }
    }
    *end = best_end;
    return best;
}

static int type_uncovered(const hot_manifest *m, const hot_type_desc *t, char *out, size_t len)
{
    unsigned long at = 0, start, end;
    int found = 0;
    size_t used;

    while (at < t->size) {
        start = next_start(m, t, at, &end);
        if (start > at && !may_be_padding(at, start, t->align)) {
            used = strlen(out);
            snprintf(out + used, len > used ? len - used : 0,
                     "%s: bytes %lu..%lu (%lu) are in no listed field: a FIELD is missing\n",
                     t->name, at, start - 1, start - at);
            found = 1;
        }
        at = end > at ? end : at + 1;
    }
    return found;
}

int hot_manifest_uncovered(const hot_manifest *m, char *out, size_t len)
{
    unsigned i;
    int n = 0;

    if (out && len)
        out[0] = '\0';
    if (!m || !out || !len)
        return HOT_EINVAL;
    for (i = 0; i < m->n_types; i++)
        n += type_uncovered(m, &m->types[i], out, len);
    return n;
}

/* ---- By name, from the debug information ---------------------------------- */

/* How a member's path is listed: 2 itself (or its elements, "a[0]"), 1 only
 * by its own members ("pos.x"), 0 not at all. */
static int listing(const hot_manifest *m, const char *type, const char *path)
{
    size_t n = strlen(path);
    int how = 0;
    unsigned i;

    for (i = 0; i < m->n_fields; i++) {
        const char *f = m->fields[i].name;
        if (strcmp(m->fields[i].type, type) != 0 || strncmp(f, path, n) != 0)
            continue;
        if (f[n] == '\0' || f[n] == '[')
            return 2;
        if (f[n] == '.')
            how = 1;
    }
    return how;
}

typedef struct named_check {
    const hot_manifest *m;
    const hot_type_desc *t;
    char *out;
    size_t len;
    int found;
} named_check;

static int see_member(void *ctx, const hot__dwarf_member *dm)
{
    named_check *c = ctx;
    int how = listing(c->m, c->t->name, dm->path);
    size_t used = strlen(c->out);
    char size[48] = "";

    if (how != 0)
        return how == 1; /* its own members are listed one by one: check them */
    if (dm->bitfield)
        snprintf(size, sizeof size, ", a bit-field");
    else if (dm->size)
        snprintf(size, sizeof size, ", %lu byte%s", dm->size, dm->size == 1 ? "" : "s");
    snprintf(c->out + used, c->len > used ? c->len - used : 0,
             "%s: field '%s' (offset %lu%s) is not listed: a FIELD is missing\n", c->t->name,
             dm->path, dm->offset, size);
    c->found++;
    return 0;
}

/* The check by layout, with how saying why it was used. */
static int by_layout(const hot_manifest *m, char *out, size_t len, char *how, size_t howlen,
                     const char *why)
{
    snprintf(how, howlen, "layout only (%s): a field small enough to sit in padding is not seen",
             why);
    return hot_manifest_uncovered(m, out, len);
}

/* Each type by name; one not in the debug info by layout (noted in how). */
static int named_types(const hot_manifest *m, hot__dwarf *d, char *out, size_t len, char *how,
                       size_t howlen, char *msg, size_t msglen, unsigned *named)
{
    unsigned i;
    int n = 0, r;

    *named = 0;
    for (i = 0; i < m->n_types; i++) {
        named_check c;
        c.m = m, c.t = &m->types[i], c.out = out, c.len = len, c.found = 0;
        r = hot__dwarf_members(d, c.t->name, c.t->size, see_member, &c, msg, msglen);
        if (r < 0)
            return r;
        *named += r == 1;
        if (r == 0) {
            size_t used = strlen(how);
            snprintf(how + used, howlen > used ? howlen - used : 0,
                     "; %s by layout (not in the debug info)", c.t->name);
            c.found = type_uncovered(m, c.t, out, len);
        }
        n += c.found;
    }
    return n;
}

int hot__uncovered_named(const hot_manifest *m, const unsigned char *buf, size_t size, char *out,
                         size_t len, char *how, size_t howlen)
{
    hot__dwarf *d = NULL;
    char msg[HOT__MSG_MAX];
    unsigned named;
    int n, split;

    if (out && len)
        out[0] = '\0';
    if (how && howlen)
        how[0] = '\0';
    if (!m || !out || !len || !how || !howlen)
        return HOT_EINVAL;
    if (hot__dwarf_open(&d, buf, size, msg, sizeof msg) < 0)
        return by_layout(m, out, len, how, howlen, msg);
    snprintf(how, howlen, "name against the debug info (DWARF %u)", hot__dwarf_version(d));
    n = named_types(m, d, out, len, how, howlen, msg, sizeof msg, &named);
    split = hot__dwarf_split(d);
    hot__dwarf_close(d);
    if (n >= 0 && named == 0 && m->n_types > 0) { /* none by name: say it once */
        out[0] = '\0';
        return by_layout(m, out, len, how, howlen,
                         split ? "-gsplit-dwarf: the types are in .dwo files, not read here"
                               : "the listed types are not in the debug info");
    }
    if (n < 0) { /* unreadable: fail closed, to the check that needs none */
        out[0] = '\0';
        return by_layout(m, out, len, how, howlen, msg);
    }
    return n;
}

/* At hot_open: the log, and `hotreload run`'s status line. */
void hot__warn_uncovered(hot_lib *lib)
{
    char lines[2048], *line, *nl;

    if (hot_manifest_uncovered(lib->iface->expected, lines, sizeof lines) <= 0)
        return;
    for (line = lines; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
        *nl = '\0';
        hot__log(lib, HOT_LOG_WARN, "interface %s: %s", lib->iface->expected->interface_name, line);
        hot__channel_report(lib, "warning", 0, 0, 0, line);
    }
}
