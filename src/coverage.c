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
