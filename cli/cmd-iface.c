/*
 * hotreload iface HEADER: writes the interface header for an existing
 * header of ordinary prototypes and struct definitions. The output is the
 * header itself with its prototypes taken out and put into the FUNCTIONS
 * list, every struct listed in TYPES with every field, and HOT_INTERFACE.
 *
 * A reader of top-level C declarations, not a compiler: comments, strings
 * and preprocessor lines are skipped (and kept in the output); a
 * declaration runs to its ';' outside braces and parentheses.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define ITEMS_MAX 4096

struct iface_args {
    const char *header, *out, *name;
    int guarded;
};

struct span {
    size_t start, end; /* [start, end) of the header's text */
};

struct gen {
    const char *path;
    const char *text;
    size_t len;
    char *fns, *types; /* the two lists, as macro lines */
    size_t fns_len, types_len;
    struct span cut[ITEMS_MAX]; /* prototypes taken out */
    size_t n_cut;
    int n_fns, failed;
};

static int line_of(const struct gen *g, size_t at)
{
    int line = 1;
    size_t i;
    for (i = 0; i < at && i < g->len; i++)
        line += g->text[i] == '\n';
    return line;
}

static void add(char **buf, size_t *len, const char *fmt, const char *a, const char *b,
                const char *c, const char *d)
{
    int n = snprintf(NULL, 0, fmt, a, b, c, d);
    char *grown = realloc(*buf, *len + (size_t)n + 1);

    if (!grown) {
        fprintf(stderr, "hotreload iface: out of memory\n");
        exit(CLI_FAILED);
    }
    *buf = grown;
    snprintf(*buf + *len, (size_t)n + 1, fmt, a, b, c, d);
    *len += (size_t)n;
}

/* ---- Skipping what is not a declaration --------------------------------- */

/* The end of a comment, string or preprocessor line starting at i, or i. */
static size_t skip_noise(const char *s, size_t len, size_t i, int line_start)
{
    if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
        const char *end = strstr(s + i + 2, "*/");
        return end ? (size_t)(end - s) + 2 : len;
    }
    if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
        while (i < len && s[i] != '\n')
            i++;
        return i;
    }
    if (s[i] == '"' || s[i] == '\'') {
        char quote = s[i++];
        while (i < len && s[i] != quote)
            i += s[i] == '\\' ? 2 : 1;
        return i + 1 < len ? i + 1 : len;
    }
    if (s[i] == '#' && line_start) {
        while (i < len && !(s[i] == '\n' && s[i - 1] != '\\'))
            i++;
        return i;
    }
    return i;
}

/* The declaration's text with comments and runs of space made one space. */
static char *clean_copy(const char *s, size_t start, size_t end)
{
    char *out = malloc(end - start + 1);
    size_t n = 0, i = start, next;
    int space;

    if (!out)
        exit(CLI_FAILED);
    while (i < end) {
        next = skip_noise(s, end, i, 0);
        space = (next != i && s[i] == '/') || isspace((unsigned char)s[i]);
        if (space) {
            i = next != i && s[i] == '/' ? next : i + 1;
            if (n && out[n - 1] != ' ')
                out[n++] = ' ';
            continue;
        }
        out[n++] = s[i++];
    }
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return out;
}

/* ---- Declarators ---------------------------------------------------------- */

static int is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The name a declarator declares: "*p[3]" -> p, "(*cb)(int)" -> cb. */
static int declarator_name(const char *d, char *name, size_t len)
{
    const char *p = strstr(d, "(*"), *end, *start;

    if (p) {
        for (p += 2; *p == ' ' || *p == '*'; p++)
            ;
        for (end = p; is_ident_char(*end); end++)
            ;
        start = p;
    } else {
        end = d + strlen(d);
        while (end > d && (end[-1] == ' ' || end[-1] == ']')) {
            if (end[-1] == ']')
                while (end > d && end[-1] != '[')
                    end--;
            if (end > d)
                end--;
        }
        for (start = end; start > d && is_ident_char(start[-1]); start--)
            ;
    }
    if (end == start || (size_t)(end - start) >= len || isdigit((unsigned char)*start))
        return -1;
    memcpy(name, start, (size_t)(end - start));
    name[end - start] = '\0';
    return 0;
}

static const char *const type_words[] = { "void",     "char",     "short",    "int",
                                          "long",     "float",    "double",   "signed",
                                          "unsigned", "_Bool",    "bool",     "const",
                                          "volatile", "restrict", "register", NULL };

static int is_type_word(const char *w, size_t n)
{
    int i;
    for (i = 0; type_words[i]; i++) {
        if (strlen(type_words[i]) == n && strncmp(type_words[i], w, n) == 0)
            return 1;
    }
    return 0;
}

/* Whether a parameter has a name of its own ("int x") or is only a type
 * ("int", "struct game *", "size_t"). */
static int param_has_name(const char *p)
{
    const char *w = p;
    int typed = 0, others = 0, tag_next = 0;

    while (*w) {
        size_t n = 0;
        while (*w && !is_ident_char(*w))
            w++;
        while (is_ident_char(w[n]))
            n++;
        if (!n)
            break;
        if (tag_next)
            typed = 1, tag_next = 0;
        else if ((n == 6 && (!strncmp(w, "struct", 6))) || (n == 5 && !strncmp(w, "union", 5)) ||
                 (n == 4 && !strncmp(w, "enum", 4)))
            tag_next = 1;
        else if (is_type_word(w, n))
            typed |= strncmp(w, "const", n) && strncmp(w, "volatile", n) ? 1 : 0;
        else
            others++;
        w += n;
    }
    return typed ? others >= 1 : others >= 2;
}

/* ---- Functions ------------------------------------------------------------- */

/* Splits s (no outer parentheses) at commas outside brackets. */
static int split_commas(char *s, char **parts, int max)
{
    int n = 0, depth = 0;
    char *p;

    parts[n++] = s;
    for (p = s; *p; p++) {
        depth += *p == '(' || *p == '[' || *p == '{';
        depth -= *p == ')' || *p == ']' || *p == '}';
        if (*p == ',' && depth == 0 && n < max) {
            *p = '\0';
            parts[n++] = p + 1;
        }
    }
    return n;
}

static char *trim(char *s)
{
    char *end;
    while (*s == ' ')
        s++;
    end = s + strlen(s);
    while (end > s && end[-1] == ' ')
        *--end = '\0';
    return s;
}

/* The parameter list as the interface writes it, names given where the
 * prototype has none (a0, a1...), and the argument list. */
static int params_and_args(struct gen *g, size_t at, const char *fn, char *params, char *out,
                           size_t outlen, char *args, size_t argslen)
{
    char *parts[64], name[128], given[16];
    int n, i;

    if (strcmp(trim(params), "void") == 0 || !*trim(params)) {
        snprintf(out, outlen, "(void)");
        snprintf(args, argslen, "()");
        return 0;
    }
    n = split_commas(params, parts, 64);
    snprintf(out, outlen, "(");
    snprintf(args, argslen, "(");
    for (i = 0; i < n; i++) {
        char *p = trim(parts[i]);
        const char *sep = i ? ", " : "";
        if (strcmp(p, "...") == 0) {
            fprintf(stderr,
                    "hotreload iface: %s:%d: %s takes '...': a hot function cannot pass on "
                    "variable arguments (give it a va_list, or leave it out)\n",
                    g->path, line_of(g, at), fn);
            return -1;
        }
        if (param_has_name(p) && declarator_name(p, name, sizeof name) == 0) {
            snprintf(out + strlen(out), outlen - strlen(out), "%s%s", sep, p);
        } else {
            snprintf(given, sizeof given, "a%d", i);
            snprintf(name, sizeof name, "%s", given);
            snprintf(out + strlen(out), outlen - strlen(out), "%s%s %s", sep, p, given);
        }
        snprintf(args + strlen(args), argslen - strlen(args), "%s%s", sep, name);
    }
    snprintf(out + strlen(out), outlen - strlen(out), ")");
    snprintf(args + strlen(args), argslen - strlen(args), ")");
    return 0;
}

/* "int game_step(struct game *g, int key)" -> X(int, game_step, (...), (g, key)) */
static int add_function(struct gen *g, char *decl, size_t at)
{
    char *open = strchr(decl, '('), *close = strrchr(decl, ')'), *name_end, *name, *ret;
    char params[2048], args[1024], fn[128];

    if (!open || !close || close < open)
        return 0;
    for (name_end = open; name_end > decl && name_end[-1] == ' '; name_end--)
        ;
    for (name = name_end; name > decl && is_ident_char(name[-1]); name--)
        ;
    if (name == name_end || (size_t)(name_end - name) >= sizeof fn)
        return 0; /* "void (*f)(void)": not a prototype this reads */
    memcpy(fn, name, (size_t)(name_end - name));
    fn[name_end - name] = '\0';
    *name = '\0';
    *close = '\0';
    ret = trim(decl);
    if (strncmp(ret, "extern ", 7) == 0)
        ret = trim(ret + 7);
    if (params_and_args(g, at, fn, open + 1, params, sizeof params, args, sizeof args) < 0)
        return -1;
    add(&g->fns, &g->fns_len, "    %s(%s, %s, %s, ", strcmp(ret, "void") ? "X" : "XV", ret, fn,
        params);
    add(&g->fns, &g->fns_len, "%s)%s%s%s", args, " \\\n", "", "");
    g->n_fns++;
    return 1;
}

/* ---- Structs ------------------------------------------------------------- */

static void add_field(struct gen *g, const char *type, const char *name)
{
    add(&g->types, &g->types_len, "    FIELD(%s, %s)%s%s", type, name, " \\\n", "");
}

static void add_members(struct gen *g, size_t at, const char *type, char *body)
{
    char *decl = body, *semi, *parts[64], name[128];
    int depth, n, i;

    while (*decl) {
        for (semi = decl, depth = 0; *semi && !(*semi == ';' && depth == 0); semi++)
            depth += (*semi == '{') - (*semi == '}');
        if (!*semi)
            break;
        *semi = '\0';
        decl = trim(decl);
        if (strchr(decl, '}')) /* a nested struct or union: its declarators follow */
            decl = strrchr(decl, '}') + 1;
        n = *decl ? split_commas(decl, parts, 64) : 0;
        for (i = 0; i < n; i++) {
            if (strchr(parts[i], ':'))
                fprintf(stderr,
                        "hotreload iface: %s:%d: %s: bit-field '%s' cannot be listed (no "
                        "offsetof): its bytes are not checked\n",
                        g->path, line_of(g, at), type, trim(parts[i]));
            else if (declarator_name(trim(parts[i]), name, sizeof name) == 0)
                add_field(g, type, name);
        }
        decl = semi + 1;
    }
}

/* "struct game { ... }" or "typedef struct [tag] { ... } alias". */
static void add_struct(struct gen *g, char *decl, size_t at)
{
    int is_typedef = strncmp(decl, "typedef ", 8) == 0;
    char *kw = is_typedef ? trim(decl + 8) : decl, *open = strchr(decl, '{');
    char *close = strrchr(decl, '}'), tag[160], type[200], alias[128];
    size_t taglen;

    if (!open || !close || (strncmp(kw, "struct", 6) != 0 && strncmp(kw, "union", 5) != 0))
        return;
    *open = '\0';
    *close = '\0';
    taglen = strlen(trim(kw));
    snprintf(tag, sizeof tag, "%s", trim(kw));
    if (is_typedef && declarator_name(trim(close + 1), alias, sizeof alias) == 0)
        snprintf(type, sizeof type, "%s", alias);
    else if (strchr(tag, ' '))
        snprintf(type, sizeof type, "%s", tag);
    else
        return; /* an anonymous struct with no name to list */
    (void)taglen;
    add(&g->types, &g->types_len, "    TYPE(%s)%s%s%s", type, " \\\n", "", "");
    add_members(g, at, type, open + 1);
}

/* ---- The walk ---------------------------------------------------------- */

static void take_declaration(struct gen *g, size_t start, size_t end, int has_body)
{
    char *decl = clean_copy(g->text, start, end);
    int rc = 0;

    if (!*decl) { /* only comments and space */
        free(decl);
        return;
    }
    if (strchr(decl, '{') && !has_body)
        add_struct(g, decl, start);
    else if (!has_body && strchr(decl, '(') && strncmp(decl, "typedef", 7) != 0 &&
             strncmp(decl, "static", 6) != 0 && !strstr(decl, "inline"))
        rc = add_function(g, decl, start);
    if (rc < 0)
        g->failed = 1;
    if (rc > 0 && g->n_cut < ITEMS_MAX) {
        g->cut[g->n_cut].start = start;
        g->cut[g->n_cut].end = end + 1; /* the ';' */
        g->n_cut++;
    }
    free(decl);
}

/* Whether the text between start and a '{' is `extern "C"`. */
static int is_extern_c(const struct gen *g, size_t start, size_t brace)
{
    char *head = clean_copy(g->text, start, brace);
    int yes = strcmp(head, "extern \"C\"") == 0;

    free(head);
    return yes;
}

/* Whether a ')' comes before the first '{' of the declaration: a function
 * definition's body, not a struct's. */
static int is_function_body(const struct gen *g, size_t start, size_t first_brace)
{
    return memchr(g->text + start, ')', first_brace - start) != NULL;
}

static void walk(struct gen *g)
{
    size_t i = 0, start = 0, first_brace = 0, next;
    int depth = 0, in_decl = 0, line_start = 1, extern_c = 0;

    while (i < g->len) {
        char c = g->text[i];
        next = skip_noise(g->text, g->len, i, line_start && !in_decl);
        if (next != i) {
            i = next;
            continue;
        }
        line_start = c == '\n' ? 1 : (isspace((unsigned char)c) ? line_start : 0);
        if (!in_decl && !isspace((unsigned char)c)) {
            if (c == '}' && extern_c > 0) { /* the end of an extern "C" block */
                extern_c--;
                i++;
                continue;
            }
            in_decl = 1;
            start = i;
        }
        if (in_decl && depth == 0 && c == '{') {
            if (is_extern_c(g, start, i)) {
                extern_c++;
                in_decl = 0;
                i++;
                continue;
            }
            first_brace = i;
        }
        depth += (c == '{' || c == '(') - (c == '}' || c == ')');
        if (in_decl && depth == 0 && c == ';') {
            take_declaration(g, start, i, 0);
            in_decl = 0;
        } else if (in_decl && depth == 0 && c == '}' && is_function_body(g, start, first_brace)) {
            in_decl = 0; /* an inline function's body: kept as it is */
        }
        i++;
    }
}

/* ---- Output ---------------------------------------------------------------- */

/* The include guard's #define line end, and the last #endif's start. */
static void find_guard(const struct gen *g, size_t *after_define, size_t *last_endif)
{
    const char *ifndef = strstr(g->text, "#ifndef"), *define, *endif = NULL, *p;

    *after_define = 0;
    *last_endif = g->len;
    if (!ifndef || !(define = strstr(ifndef, "#define")))
        return;
    for (p = g->text; (p = strstr(p, "#endif")) != NULL; p++)
        endif = p;
    if (!endif)
        return;
    p = strchr(define, '\n');
    *after_define = p ? (size_t)(p - g->text) + 1 : g->len;
    *last_endif = (size_t)(endif - g->text);
}

/* The cut prototype starting at i, or NULL. */
static const struct span *cut_at(const struct gen *g, size_t i)
{
    size_t c;
    for (c = 0; c < g->n_cut; c++) {
        if (g->cut[c].start == i)
            return &g->cut[c];
    }
    return NULL;
}

static void write_text(FILE *out, const struct gen *g, size_t from, size_t to)
{
    const struct span *cut;
    size_t i = from;

    while (i < to) {
        if ((cut = cut_at(g, i)) != NULL) {
            i = cut->end;
            if (i < to && g->text[i] == '\n')
                i++;
            continue;
        }
        fputc(g->text[i++], out);
    }
}

static void macro_name(const char *name, char *out, size_t len)
{
    size_t i;
    if (!name)
        name = "";
    for (i = 0; name[i] && i + 1 < len; i++)
        out[i] = (char)toupper((unsigned char)name[i]);
    out[i] = '\0';
}

static void write_interface(FILE *out, const struct gen *g, const struct iface_args *a)
{
    char upper[128];
    size_t after_define, last_endif;

    macro_name(a->name, upper, sizeof upper);
    find_guard(g, &after_define, &last_endif);
    fprintf(out,
            "/*\n * Generated by `hotreload iface %s`: %s for hotreload, with its\n"
            " * prototypes listed in %s_FUNCTIONS and its structs, every field, in\n"
            " * %s_TYPES. Include it instead of %s in the host and the library.\n */\n",
            a->header, a->header, upper, upper, a->header);
    write_text(out, g, 0, after_define);
    fprintf(out, "#include <hotreload.h>\n");
    write_text(out, g, after_define, last_endif);
    fprintf(out, "\n#define %s_FUNCTIONS(X, XV) \\\n%s", upper, g->fns ? g->fns : "");
    fprintf(out, "    /* end of %s_FUNCTIONS */\n\n", upper);
    fprintf(out, "#define %s_TYPES(TYPE, FIELD) \\\n%s", upper, g->types ? g->types : "");
    fprintf(out, "    /* end of %s_TYPES */\n\n", upper);
    fprintf(out, "%s(%s, %s_FUNCTIONS, %s_TYPES)\n\n",
            a->guarded ? "HOT_GUARDED_INTERFACE" : "HOT_INTERFACE", a->name, upper, upper);
    write_text(out, g, last_endif, g->len);
}

/* ---- The command ------------------------------------------------------------ */

static char default_name[128];

static int parse_iface_args(int argc, char **argv, struct iface_args *a)
{
    const char *base, *p;
    size_t n = 0;
    int i;

    memset(a, 0, sizeof *a);
    for (i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--name") == 0) && i + 1 == argc)
            return cli_usage_error("iface", "%s needs a value", argv[i]);
        if (strcmp(argv[i], "-o") == 0)
            a->out = argv[++i];
        else if (strcmp(argv[i], "--name") == 0)
            a->name = argv[++i];
        else if (strcmp(argv[i], "--guarded") == 0)
            a->guarded = 1;
        else if (argv[i][0] == '-')
            return cli_usage_error("iface", "unknown option '%s'", argv[i]);
        else if (a->header)
            return cli_usage_error("iface", "one header at a time ('%s' is extra)", argv[i]);
        else
            a->header = argv[i];
    }
    if (!a->header)
        return cli_usage_error("iface", "which header?");
    if (!a->name) { /* game.h -> game */
        base = strrchr(a->header, '/') ? strrchr(a->header, '/') + 1 : a->header;
        for (p = base; *p && *p != '.' && n + 1 < sizeof default_name; p++)
            default_name[n++] = (char)(is_ident_char(*p) ? *p : '_');
        default_name[n] = '\0';
        a->name = default_name;
    }
    for (p = a->name; *p; p++) {
        if (!is_ident_char(*p) || isdigit((unsigned char)a->name[0]))
            return cli_usage_error("iface", "'%s' is not a C name (give --name)", a->name);
    }
    return *a->name ? CLI_OK : cli_usage_error("iface", "give --name");
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long size;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = malloc((size_t)size + 1)) != NULL) {
        *len = fread(text, 1, (size_t)size, f);
        text[*len] = '\0';
    }
    fclose(f);
    return text;
}

/* Walks the header and writes the interface header for it. */
static int generate(struct gen *g, const struct iface_args *a)
{
    FILE *out;

    walk(g);
    if (!g->failed && g->n_fns == 0)
        fprintf(stderr, "hotreload iface: %s: no function prototypes to make hot\n", a->header);
    if (g->failed || g->n_fns == 0)
        return CLI_FAILED;
    out = a->out ? fopen(a->out, "w") : stdout;
    if (!out) {
        fprintf(stderr, "hotreload iface: %s: %s\n", a->out, strerror(errno));
        return CLI_FAILED;
    }
    write_interface(out, g, a);
    if (a->out && fclose(out) != 0) {
        fprintf(stderr, "hotreload iface: %s: %s\n", a->out, strerror(errno));
        return CLI_FAILED;
    }
    return CLI_OK;
}

int cli_cmd_iface(int argc, char **argv)
{
    struct iface_args a;
    struct gen *g;
    int status;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return cli_print_usage(stdout, "iface"), CLI_OK;
    if ((status = parse_iface_args(argc, argv, &a)) != CLI_OK)
        return status;
    g = calloc(1, sizeof *g);
    if (!g)
        return CLI_FAILED;
    g->path = a.header;
    if (!(g->text = read_file(a.header, &g->len))) {
        fprintf(stderr, "hotreload iface: %s: %s\n", a.header, strerror(errno));
        free(g);
        return CLI_USAGE;
    }
    status = generate(g, &a);
    free((char *)g->text);
    free(g->fns);
    free(g->types);
    free(g);
    return status;
}
