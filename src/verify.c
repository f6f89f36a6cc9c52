/*
 * Verifying a library's manifest against the host's expectations. Every
 * mismatch names the field: "game_step: signature changed: (struct state *,
 * float) -> (struct state *, double)". Parameter names do not count.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ---- Signatures --------------------------------------------------------- */

/*
 * Normalising drops parameter names (also inside function-pointer
 * parameters) and spaces the tokens one way. It works in fixed buffers; a
 * signature too long for them is marked truncated and then compared as
 * whole text instead (see same_signature), never cut short and found equal.
 */

#define TOKENS_MAX 64
#define TOKEN_LEN 64

typedef struct tokens {
    char text[TOKENS_MAX][TOKEN_LEN];
    int n;
} tokens;

typedef struct sig_out {
    char *buf;
    size_t len;
    int truncated;
} sig_out;

static int is_ident_char(int c)
{
    return isalnum(c) || c == '_';
}

static void tokenize(const char *s, size_t len, tokens *t, sig_out *o)
{
    size_t i = 0;

    t->n = 0;
    while (i < len) {
        size_t start = i, n;
        if (isspace((unsigned char)s[i])) {
            i++;
            continue;
        }
        if (is_ident_char((unsigned char)s[i])) {
            while (i < len && is_ident_char((unsigned char)s[i]))
                i++;
        } else {
            i++;
        }
        if (t->n == TOKENS_MAX || i - start >= TOKEN_LEN) {
            o->truncated = 1;
            return;
        }
        n = i - start;
        memcpy(t->text[t->n], s + start, n);
        t->text[t->n++][n] = '\0';
    }
}

static int is_keyword(const char *w)
{
    static const char *const words[] = { "void",     "char",     "short",  "int",      "long",
                                         "float",    "double",   "signed", "unsigned", "const",
                                         "volatile", "restrict", "_Bool",  "_Complex", "struct",
                                         "union",    "enum",     NULL };
    int i;
    for (i = 0; words[i]; i++) {
        if (strcmp(w, words[i]) == 0)
            return 1;
    }
    return 0;
}

static int is_qualifier(const char *w)
{
    return !strcmp(w, "const") || !strcmp(w, "volatile") || !strcmp(w, "restrict");
}

static int is_tag(const char *w)
{
    return !strcmp(w, "struct") || !strcmp(w, "union") || !strcmp(w, "enum");
}

/* Index of the parameter's declared name, or -1 if it has none. */
static int declarator_name(const tokens *t)
{
    int i, last = -1, type_words = 0;

    for (i = 0; i + 2 < t->n; i++) { /* void (*cb): the name follows "(*" */
        if (!strcmp(t->text[i], "(") && !strcmp(t->text[i + 1], "*") &&
            is_ident_char((unsigned char)t->text[i + 2][0]))
            return i + 2;
    }
    for (i = 0; i < t->n && strcmp(t->text[i], "["); i++) {
        if (is_ident_char((unsigned char)t->text[i][0]))
            last = i;
    }
    if (last < 0 || is_keyword(t->text[last]) || (last > 0 && is_tag(t->text[last - 1])))
        return -1;
    for (i = 0; i < last; i++) {
        if (!is_qualifier(t->text[i]) && is_ident_char((unsigned char)t->text[i][0]))
            type_words++;
    }
    return type_words > 0 ? last : -1;
}

static void append(sig_out *o, const char *s)
{
    size_t used = strlen(o->buf), n = strlen(s);

    if (used + n >= o->len) {
        o->truncated = 1;
        return;
    }
    memcpy(o->buf + used, s, n + 1);
}

static int glued(const char *prev, const char *tok)
{
    return !strcmp(prev, "(") || !strcmp(prev, "*") || !strcmp(prev, "[") || !strcmp(tok, ")") ||
           !strcmp(tok, "]") || !strcmp(tok, ",") || (!strcmp(tok, "(") && !strcmp(prev, ")"));
}

/* Joins tokens the way people write C: "const char *", "int [4]". */
static void join(const tokens *t, int skip, sig_out *o)
{
    const char *prev = NULL;
    int i;

    for (i = 0; i < t->n; i++) {
        if (i == skip)
            continue;
        if (prev && !glued(prev, t->text[i]))
            append(o, " ");
        append(o, t->text[i]);
        prev = t->text[i];
    }
}

/* The end of the balanced group opening at s[open], or 0. */
static size_t group_end(const char *s, size_t len, size_t open)
{
    size_t i;
    int depth = 0;

    for (i = open; i < len; i++) {
        if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && --depth == 0)
            return i;
    }
    return 0;
}

static void normalize_simple(const char *s, size_t len, sig_out *o)
{
    tokens t;

    tokenize(s, len, &t, o);
    join(&t, declarator_name(&t), o);
}

static void normalize_params(const char *p, size_t len, sig_out *o);

/* "void (*cb)(int count)": the part up to "(*cb)", then its own parameter
 * list, normalised in turn. */
static int normalize_function_pointer(const char *s, size_t len, sig_out *o)
{
    size_t i, close, list;

    for (i = 0; i < len && s[i] != '('; i++)
        ;
    for (close = i + 1; close < len && isspace((unsigned char)s[close]); close++)
        ;
    if (i == len || close == len || s[close] != '*' || !(close = group_end(s, len, i)))
        return 0;
    for (list = close + 1; list < len && isspace((unsigned char)s[list]); list++)
        ;
    if (list == len || s[list] != '(' || group_end(s, len, list) != len - 1)
        return 0;
    normalize_simple(s, close + 1, o);
    normalize_params(s + list + 1, len - list - 2, o);
    return 1;
}

static void normalize_param(const char *s, size_t len, sig_out *o)
{
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (!normalize_function_pointer(s, len, o))
        normalize_simple(s, len, o);
}

static void normalize_params(const char *p, size_t len, sig_out *o)
{
    size_t i, start = 0;
    int depth = 0;

    append(o, "(");
    for (i = 0; i <= len; i++) {
        if (i == len || (p[i] == ',' && depth == 0)) {
            if (start > 0)
                append(o, ", ");
            normalize_param(p + start, i - start, o);
            start = i + 1;
        } else if (p[i] == '(') {
            depth++;
        } else if (p[i] == ')') {
            depth--;
        }
    }
    append(o, ")");
}

/* Returns 1 if the result had to be cut short. */
static int normalize(const char *sig, char *buf, size_t buflen)
{
    size_t len = strlen(sig), open;
    sig_out o;
    int depth = 0;

    o.buf = buf;
    o.len = buflen;
    o.truncated = 0;
    buf[0] = '\0';
    while (len > 0 && isspace((unsigned char)sig[len - 1]))
        len--;
    /* The parameter list is the last balanced group; without one (only a
     * hand-made manifest has that) the text is compared as it is. */
    for (open = len; len > 0 && sig[len - 1] == ')' && open > 0; open--) {
        if (sig[open - 1] == ')')
            depth++;
        else if (sig[open - 1] == '(' && --depth == 0)
            break;
    }
    if (len == 0 || sig[len - 1] != ')' || open == 0) {
        snprintf(buf, buflen, "%.*s", (int)len, sig);
        return len >= buflen;
    }
    open--;
    normalize_param(sig, open, &o);
    append(&o, " ");
    normalize_params(sig + open + 1, len - open - 2, &o);
    return o.truncated;
}

void hot__normalize_signature(const char *sig, char *out, size_t outlen)
{
    if (outlen)
        normalize(sig, out, outlen);
}

/* Equal up to runs of white space, for signatures too long to normalise. */
static int same_text(const char *a, const char *b)
{
    for (;;) {
        int space_a = 0, space_b = 0;
        while (isspace((unsigned char)*a))
            a++, space_a = 1;
        while (isspace((unsigned char)*b))
            b++, space_b = 1;
        if (*a != *b || (space_a != space_b && *a))
            return 0;
        if (!*a)
            return 1;
        a++, b++;
    }
}

/* Writes both normalised forms; says whether they are the same signature. */
static int same_signature(const char *want, const char *have, char *a, char *b, size_t len)
{
    int cut = normalize(want, a, len) | normalize(have, b, len);
    return cut ? same_text(want, have) : strcmp(a, b) == 0;
}

/* ---- Manifests ---------------------------------------------------------- */

/* Every reason a library is refused, one per line; the first error code. */
typedef struct reasons {
    char *buf;
    size_t len;
    int count;
    int first;
} reasons;

static void add_reason(reasons *r, int err, const char *fmt, ...)
{
    size_t used = r->len ? strlen(r->buf) : 0;
    va_list ap;

    if (r->count++ == 0)
        r->first = err;
    if (!r->len || used + 2 >= r->len)
        return;
    if (used > 0)
        r->buf[used++] = '\n';
    va_start(ap, fmt);
    vsnprintf(r->buf + used, r->len - used, fmt, ap);
    va_end(ap);
}

static const char *params_of(const char *normalized)
{
    const char *p = strchr(normalized, '(');
    return p ? p : normalized;
}

static const hot_fn_desc *find_fn(const hot_manifest *m, const char *name)
{
    unsigned i;
    for (i = 0; i < m->n_fns; i++) {
        if (strcmp(m->fns[i].name, name) == 0)
            return &m->fns[i];
    }
    return NULL;
}

static const char *layout_part(int i, char *buf, size_t len)
{
    if (i == 0)
        return "return value";
    snprintf(buf, len, "parameter %d", i);
    return buf;
}

/* Same text, different types behind it (a typedef or macro changed): the
 * sizes and alignments the compilers saw say so. Returns 1 if it differs. */
static int check_layout(const hot_fn_desc *want, const hot_fn_desc *have, const char *params,
                        reasons *r)
{
    char part[32];
    int i;

    if (want->n_params < 0 || have->n_params < 0 || !want->layout || !have->layout)
        return 0; /* compiled without variadic macros: not known */
    if (want->n_params != have->n_params) {
        add_reason(r, HOT_EMISMATCH, "%s: parameter count changed: %d -> %d", want->name,
                   want->n_params, have->n_params);
        return 1;
    }
    for (i = 0; i <= want->n_params; i++) {
        const hot_layout *a = &want->layout[i], *b = &have->layout[i];
        if (a->size != b->size)
            add_reason(r, HOT_EMISMATCH,
                       "%s: %s size changed: %lu -> %lu bytes (same text %s: a typedef or macro "
                       "behind it changed)",
                       want->name, layout_part(i, part, sizeof part), a->size, b->size, params);
        else if (a->align != b->align)
            add_reason(r, HOT_EMISMATCH,
                       "%s: %s alignment changed: %lu -> %lu (same text %s: a typedef or macro "
                       "behind it changed)",
                       want->name, layout_part(i, part, sizeof part), a->align, b->align, params);
        else
            continue;
        return 1;
    }
    return 0;
}

static void check_function(const hot_fn_desc *want, const hot_manifest *found, hot_fn *slot,
                           reasons *r)
{
    const hot_fn_desc *have = find_fn(found, want->name);
    char a[512], b[512];

    if (!have) {
        add_reason(r, HOT_EMISMATCH, "%s: missing from the library", want->name);
        return;
    }
    if (!same_signature(want->signature, have->signature, a, b, sizeof a)) {
        size_t ra = (size_t)(params_of(a) - a), rb = (size_t)(params_of(b) - b);
        int same_return = ra == rb && strncmp(a, b, ra) == 0;
        add_reason(r, HOT_EMISMATCH, "%s: signature changed: %s -> %s", want->name,
                   same_return ? params_of(a) : a, same_return ? params_of(b) : b);
    } else if (check_layout(want, have, a, r)) {
        return;
    } else if (!have->fn) {
        add_reason(r, HOT_EMISMATCH, "%s: the library's manifest has no address for it",
                   want->name);
    } else if (slot) {
        *slot = have->fn;
    }
}

static const hot_type_desc *find_type(const hot_manifest *m, const char *name)
{
    unsigned i;
    for (i = 0; i < m->n_types; i++) {
        if (strcmp(m->types[i].name, name) == 0)
            return &m->types[i];
    }
    return NULL;
}

static void check_type(const hot_type_desc *want, const hot_manifest *found, reasons *r)
{
    const hot_type_desc *have = find_type(found, want->name);

    if (!have)
        add_reason(r, HOT_EMISMATCH, "%s: shared type missing from the library", want->name);
    else if (have->size != want->size)
        add_reason(r, HOT_EMISMATCH, "%s: size changed: %lu -> %lu bytes", want->name, want->size,
                   have->size);
    else if (have->align != want->align)
        add_reason(r, HOT_EMISMATCH, "%s: alignment changed: %lu -> %lu", want->name, want->align,
                   have->align);
}

static const hot_field_desc *find_field(const hot_manifest *m, const hot_field_desc *f)
{
    unsigned i;
    for (i = 0; i < m->n_fields; i++) {
        if (!strcmp(m->fields[i].type, f->type) && !strcmp(m->fields[i].name, f->name))
            return &m->fields[i];
    }
    return NULL;
}

static void check_field(const hot_field_desc *w, const hot_manifest *found, reasons *r)
{
    const hot_field_desc *h = find_field(found, w);

    if (!h)
        add_reason(r, HOT_EMISMATCH, "%s.%s: field missing from the library", w->type, w->name);
    else if (h->offset != w->offset)
        add_reason(r, HOT_EMISMATCH, "%s.%s: offset changed: %lu -> %lu", w->type, w->name,
                   w->offset, h->offset);
    else if (h->size != w->size)
        add_reason(r, HOT_EMISMATCH, "%s.%s: size changed: %lu -> %lu bytes", w->type, w->name,
                   w->size, h->size);
}

/* "gcc 12.2.0" and "gcc 12.3.0" agree; "gcc 12" and "clang 14" do not. */
static int same_compiler(const char *a, const char *b)
{
    size_t na = strcspn(a, "."), nb = strcspn(b, ".");
    return na == nb && strncmp(a, b, na) == 0;
}

/* A name the manifest leaves NULL: a library built by the interface
 * macros has none, so one means the manifest is corrupt (fuzz_manifest). */
static const char *null_name(const hot_manifest *m)
{
    unsigned i;

    if (!m->interface_name || !m->compiler)
        return "interface or compiler";
    if ((m->n_fns && !m->fns) || (m->n_types && !m->types) || (m->n_fields && !m->fields))
        return "table";
    for (i = 0; i < m->n_fns; i++)
        if (!m->fns[i].name || !m->fns[i].signature)
            return "function";
    for (i = 0; i < m->n_types; i++)
        if (!m->types[i].name)
            return "type";
    for (i = 0; i < m->n_fields; i++)
        if (!m->fields[i].type || !m->fields[i].name)
            return "field";
    return NULL;
}

/* Returns nonzero when nothing else in the manifest can be trusted. */
static int check_header(const hot_manifest *want, const hot_manifest *found, int ignore_compiler,
                        reasons *r)
{
    const char *what;

    if (found->magic != HOT_MANIFEST_MAGIC) {
        add_reason(r, HOT_ENOMANIFEST, "manifest is corrupt (bad magic %08x)", found->magic);
        return 1;
    }
    if (found->abi != want->abi) {
        add_reason(r, HOT_EABI, "ABI mismatch: library built for hotreload ABI %u, host for ABI %u",
                   found->abi, want->abi);
        return 1;
    }
    if ((what = null_name(found)) != NULL) {
        add_reason(r, HOT_ENOMANIFEST, "manifest is corrupt (a %s name is NULL)", what);
        return 1;
    }
    if (strcmp(found->interface_name, want->interface_name) != 0)
        add_reason(r, HOT_EMISMATCH, "interface changed: %s -> %s", want->interface_name,
                   found->interface_name);
    if (found->data_model != want->data_model)
        add_reason(r, HOT_EABI, "data model changed: %06x -> %06x (pointer, long, int sizes)",
                   want->data_model, found->data_model);
    if (!ignore_compiler && !same_compiler(want->compiler, found->compiler))
        add_reason(r, HOT_EABI, "compiler changed: %s -> %s", want->compiler, found->compiler);
    return 0;
}

static void check_extras(const hot_manifest *want, const hot_manifest *found, reasons *r)
{
    unsigned i;

    for (i = 0; i < found->n_types; i++) {
        if (!find_type(want, found->types[i].name))
            add_reason(r, HOT_EMISMATCH, "%s: new shared type in the library",
                       found->types[i].name);
    }
    for (i = 0; i < found->n_fields; i++) {
        if (!find_field(want, &found->fields[i]))
            add_reason(r, HOT_EMISMATCH, "%s.%s: new field in the library", found->fields[i].type,
                       found->fields[i].name);
    }
}

int hot__verify(const hot_manifest *want, const hot_manifest *found, int ignore_compiler,
                hot_fn *table, char *msg, size_t msglen)
{
    reasons r;
    unsigned i;

    r.buf = msg;
    r.len = msglen;
    r.count = 0;
    r.first = 0;
    if (msglen)
        msg[0] = '\0';
    if (check_header(want, found, ignore_compiler, &r))
        return r.first;
    for (i = 0; i < want->n_fns; i++)
        check_function(&want->fns[i], found, table ? &table[i] : NULL, &r);
    for (i = 0; i < want->n_types; i++)
        check_type(&want->types[i], found, &r);
    for (i = 0; i < want->n_fields; i++)
        check_field(&want->fields[i], found, &r);
    check_extras(want, found, &r);
    return r.count ? r.first : 0;
}

int hot_manifest_compare(const hot_manifest *expected, const hot_manifest *found,
                         int ignore_compiler, char *reasons_out, size_t len)
{
    if (!expected || !found)
        return HOT_EINVAL;
    return hot__verify(expected, found, ignore_compiler, NULL, reasons_out, len);
}

void hot_signature_normalize(const char *signature, char *out, size_t len)
{
    if (out && len)
        hot__normalize_signature(signature ? signature : "", out, len);
}
