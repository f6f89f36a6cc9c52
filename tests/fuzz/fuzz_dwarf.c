/*
 * libFuzzer target: hostile bytes into the DWARF reader `hotreload check`
 * runs over a library's debug info (src/dwarf.c), through the public
 * entry's path (hot__uncovered_named). Seeds: the fixture libraries, built
 * with -g. Any out-of-bounds read is an AddressSanitizer report; a refusal
 * must name its cause, and every member reported must be a proper string.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int each(void *ctx, const hot__dwarf_member *m)
{
    if (!memchr(m->path, '\0', sizeof m->path))
        abort();
    return ++*(unsigned *)ctx < 64; /* descend, for a while */
}

static void walk_types(const unsigned char *buf, size_t size)
{
    /* A type the fixtures define (found: its members are walked), and one
     * none does (every entry of every unit is read). */
    static const char *const names[] = {"struct fx_state", "struct nowhere", "fx_alias"};
    hot__dwarf *d = NULL;
    char msg[256];
    unsigned i, seen = 0;

    if (hot__dwarf_open(&d, buf, size, msg, sizeof msg) < 0) {
        if (msg[0] == '\0')
            abort();
        return;
    }
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (hot__dwarf_members(d, names[i], 8, each, &seen, msg, sizeof msg) < 0 && !msg[0])
            abort();
    }
    hot__dwarf_close(d);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    /* A copy of exactly `size` bytes, so a read past the end is caught. */
    unsigned char *buf = malloc(size ? size : 1);
    hot_type_desc t = {"struct fx_state", 8, 4};
    hot_field_desc f = {"struct fx_state", "counter", 0, 4};
    hot_manifest m;
    char out[1024], how[512];

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    walk_types(buf, size);
    memset(&m, 0, sizeof m);
    m.types = &t, m.n_types = 1, m.fields = &f, m.n_fields = 1;
    if (hot__uncovered_named(&m, buf, size, out, sizeof out, how, sizeof how) < 0 || !how[0])
        abort();
    free(buf);
    return 0;
}
