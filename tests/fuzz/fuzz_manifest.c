/*
 * libFuzzer target: arbitrary manifests into the verifier (hot__verify),
 * which reads the manifest a library exports before any of its code runs.
 * The bytes are decoded into a manifest whose arrays match their counts
 * (a count larger than its array cannot be told from a valid one in
 * process) but whose strings may be anything, empty, unterminated-looking
 * or NULL, and whose numbers may be anything. The host's side is either a
 * fixed realistic manifest or one decoded from the same bytes (without
 * NULLs: the host's own manifest comes from its compiler).
 * The verifier must not crash, must return 0 or a HOT_E* code with a
 * terminated message (naming a reason whenever it refuses), and on success
 * must have filled every slot of the table with one of the library's
 * functions.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define MAX_ITEMS 8
#define MAX_ALLOCS 256

typedef struct reader {
    const unsigned char *p;
    size_t left;
    void *allocs[MAX_ALLOCS];
    int n_allocs;
} reader;

static void fn_a(void) {}
static void fn_b(void) {}

static unsigned u8(reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static unsigned long u32(reader *r)
{
    unsigned long v = 0;
    int i;

    for (i = 0; i < 4; i++)
        v = v << 8 | u8(r);
    return v;
}

static void *keep(reader *r, void *p)
{
    if (p && r->n_allocs < MAX_ALLOCS)
        r->allocs[r->n_allocs++] = p;
    else if (p) {
        free(p);
        p = NULL;
    }
    return p;
}

/* A length byte, then that many bytes; 255 means NULL (when allowed). An
 * exact-size allocation, so a read past the terminator is caught. */
static const char *str(reader *r, int allow_null)
{
    unsigned len = u8(r);
    char *s;

    if (len == 255 && allow_null)
        return NULL;
    len = len > r->left ? (unsigned)r->left : len;
    if (!(s = keep(r, malloc(len + 1))))
        return "";
    memcpy(s, r->p, len);
    s[len] = '\0';
    r->p += len;
    r->left -= len;
    return s;
}

/* A field that is usually right, so the checks after it are reached. */
static unsigned mostly(reader *r, unsigned right)
{
    return u8(r) < 224 ? right : (unsigned)u32(r);
}

static void decode_arrays(reader *r, hot_manifest *m, int allow_null)
{
    hot_fn_desc *fns = keep(r, calloc(MAX_ITEMS + 1, sizeof *fns));
    hot_type_desc *types = keep(r, calloc(MAX_ITEMS, sizeof *types));
    hot_field_desc *fields = keep(r, calloc(MAX_ITEMS, sizeof *fields));
    unsigned i;

    m->n_fns = fns ? u8(r) % (MAX_ITEMS + 1) : 0;
    for (i = 0; i < m->n_fns; i++) {
        fns[i].name = str(r, allow_null);
        fns[i].signature = str(r, allow_null);
        fns[i].fn = u8(r) & 1 ? fn_a : fn_b;
    }
    m->fns = fns;
    m->n_types = types ? u8(r) % (MAX_ITEMS + 1) : 0;
    for (i = 0; i < m->n_types; i++) {
        types[i].name = str(r, allow_null);
        types[i].size = u32(r);
        types[i].align = u8(r);
    }
    m->types = types;
    m->n_fields = fields ? u8(r) % (MAX_ITEMS + 1) : 0;
    for (i = 0; i < m->n_fields; i++) {
        fields[i].type = str(r, allow_null);
        fields[i].name = str(r, allow_null);
        fields[i].offset = u32(r);
        fields[i].size = u32(r);
    }
    m->fields = fields;
}

static void decode(reader *r, hot_manifest *m, int allow_null)
{
    memset(m, 0, sizeof *m);
    m->magic = mostly(r, HOT_MANIFEST_MAGIC);
    m->abi = mostly(r, HOT_ABI_VERSION);
    m->interface_name = str(r, allow_null);
    m->compiler = u8(r) < 128 ? HOT__COMPILER : str(r, allow_null);
    m->data_model = mostly(r, HOT__DATA_MODEL);
    decode_arrays(r, m, allow_null);
}

static const hot_fn_desc fixed_fns[] = {
    {"game_step", "long (struct game *g, float dt)", fn_a},
    {"game_draw", "void (const struct game *g, void (*put)(int x, int y))", fn_b},
    {"game_name", "const char *(void)", fn_a},
};
static const hot_type_desc fixed_types[] = {{"struct game", 24, 8}, {"struct pos", 8, 4}};
static const hot_field_desc fixed_fields[] = {
    {"struct game", "score", 0, 8}, {"struct game", "pos", 8, 8}, {"struct pos", "x", 0, 4}};
static const hot_manifest fixed = {HOT_MANIFEST_MAGIC, HOT_ABI_VERSION, "game", HOT__COMPILER,
                                   HOT__DATA_MODEL, 3, fixed_fns, 2, fixed_types, 3,
                                   fixed_fields};

static int in_library(const hot_manifest *found, hot_fn fn)
{
    unsigned i;

    for (i = 0; i < found->n_fns; i++)
        if (found->fns[i].fn == fn)
            return 1;
    return 0;
}

static void check(const hot_manifest *want, const hot_manifest *found, int ignore_compiler)
{
    hot_fn table[MAX_ITEMS + 1];
    char msg[512], tiny[8];
    int err, i;

    memset(table, 0, sizeof table);
    err = hot__verify(want, found, ignore_compiler, table, msg, sizeof msg);
    if (err > 0 || memchr(msg, '\0', sizeof msg) == NULL || (err < 0 && msg[0] == '\0'))
        abort();
    for (i = 0; err == 0 && i < (int)want->n_fns; i++)
        if (!in_library(found, table[i]))
            abort();
    if (hot__verify(want, found, ignore_compiler, NULL, tiny, sizeof tiny) != err ||
        memchr(tiny, '\0', sizeof tiny) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    reader r;
    hot_manifest found, host;
    unsigned mode;

    memset(&r, 0, sizeof r);
    r.p = data;
    r.left = size;
    mode = u8(&r);
    decode(&r, &found, 1);
    if (mode & 1)
        decode(&r, &host, 0);
    check(mode & 1 ? &host : &fixed, &found, (mode >> 1) & 1);
    while (r.n_allocs > 0)
        free(r.allocs[--r.n_allocs]);
    return 0;
}
