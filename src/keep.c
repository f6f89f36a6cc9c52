/*
 * Objects kept across restarts of the host (hot_keep_object), carried by
 * field name. The interface lists each type's fields (name, offset, size)
 * and the host's header adds each field's type class; the layout is saved
 * with the bytes, so the next program (maybe with a changed struct) takes
 * what still means the same and leaves the rest at its initial values.
 *
 * The saved file (text, HOTRELOAD_STATE_FILE, private folder of
 * `hotreload run`):
 *     hotreload-kept 1
 *     object SIZE NFIELDS TYPE
 *     field OFFSET SIZE KIND NAME        (NFIELDS lines)
 *     bytes HEX                          (2 * SIZE digits)
 * TYPE and NAME run to the end of their line (they may hold spaces).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KEEP_HEADER "hotreload-kept 1\n"
#define KINDS_MAX 64

/* ---- The host's field type classes, registered by its constructors ----- */

static struct {
    const hot_interface *iface;
    const unsigned char *kinds;
} kinds_by_iface[KINDS_MAX];
static int kinds_lock;

void hot__iface_field_kinds(const hot_interface *iface, const unsigned char *kinds)
{
    int i;

    hot__spin_lock(&kinds_lock);
    for (i = 0; i < KINDS_MAX; i++) {
        if (!kinds_by_iface[i].iface || kinds_by_iface[i].iface == iface) {
            kinds_by_iface[i].iface = iface;
            kinds_by_iface[i].kinds = kinds;
            break;
        }
    }
    hot__spin_unlock(&kinds_lock);
}

static const unsigned char *kinds_of(const hot_interface *iface)
{
    const unsigned char *kinds = NULL;
    int i;

    hot__spin_lock(&kinds_lock);
    for (i = 0; i < KINDS_MAX && kinds_by_iface[i].iface; i++) {
        if (kinds_by_iface[i].iface == iface)
            kinds = kinds_by_iface[i].kinds;
    }
    hot__spin_unlock(&kinds_lock);
    return kinds;
}

/* ---- Layouts ----------------------------------------------------------- */

void hot__kept_layout_free(hot__kept_layout *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        free(l->fields[i].name);
    free(l->fields);
    free(l->type);
    l->fields = NULL;
    l->type = NULL;
    l->n = 0;
}

static int layout_add(hot__kept_layout *l, const char *name, unsigned long offset,
                      unsigned long size, unsigned kind)
{
    hot__kept_field *grown = realloc(l->fields, (l->n + 1) * sizeof *grown);

    if (!grown)
        return HOT_ENOMEM;
    l->fields = grown;
    grown[l->n].name = hot__strdup(name);
    if (!grown[l->n].name)
        return HOT_ENOMEM;
    grown[l->n].offset = offset;
    grown[l->n].size = size;
    grown[l->n].kind = kind;
    l->n++;
    return 0;
}

/* The layout of a listed type from a manifest; kinds (may be NULL) runs in
 * step with manifest->fields. Returns HOT_ENOENT if the type is not listed. */
int hot__kept_layout_from_manifest(hot__kept_layout *l, const hot_manifest *m, const char *type,
                                   const unsigned char *kinds)
{
    unsigned i;
    int err = HOT_ENOENT;

    memset(l, 0, sizeof *l);
    for (i = 0; i < m->n_types; i++) {
        if (strcmp(m->types[i].name, type) == 0) {
            l->size = m->types[i].size;
            err = 0;
        }
    }
    if (err < 0)
        return err;
    l->type = hot__strdup(type);
    if (!l->type)
        return HOT_ENOMEM;
    for (i = 0; i < m->n_fields && err == 0; i++) {
        const hot_field_desc *f = &m->fields[i];
        if (strcmp(f->type, type) == 0)
            err = layout_add(l, f->name, f->offset, f->size, kinds ? kinds[i] : 0);
    }
    return err;
}

static const hot__kept_field *field_named(const hot__kept_layout *l, const char *name)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        if (strcmp(l->fields[i].name, name) == 0)
            return &l->fields[i];
    }
    return NULL;
}

/* ---- Layouts of HOT_STRUCT definitions ---------------------------------- */

/* A kept struct's library has no field list, only HOT_STRUCT's text
 * ("{ int x; long y[3]; char *name; }"): the layout is worked out from it
 * by the C rules for the scalar types below, and used only when it comes
 * to the size and alignment the compiler gave the struct. Anything else
 * (bit-fields, nested or named struct types, typedefs not listed, several
 * declarators) means no field layout: the variable then starts afresh. */
#define SCALAR(T, name)                                                                            \
    {                                                                                              \
        name, #T, sizeof(T),                                                                       \
            offsetof(                                                                              \
                struct {                                                                           \
                    char c;                                                                        \
                    T t;                                                                           \
                },                                                                                 \
                t)                                                                                 \
    }
static const struct scalar {
    const char *spelling, *canonical;
    unsigned long size, align;
} scalars[] = {
    SCALAR(char, "char"),
    SCALAR(signed char, "signed char"),
    SCALAR(unsigned char, "unsigned char"),
    SCALAR(short, "short"),
    SCALAR(short, "short int"),
    SCALAR(short, "signed short"),
    SCALAR(unsigned short, "unsigned short"),
    SCALAR(unsigned short, "unsigned short int"),
    SCALAR(int, "int"),
    SCALAR(int, "signed"),
    SCALAR(int, "signed int"),
    SCALAR(unsigned, "unsigned"),
    SCALAR(unsigned, "unsigned int"),
    SCALAR(long, "long"),
    SCALAR(long, "long int"),
    SCALAR(long, "signed long"),
    SCALAR(unsigned long, "unsigned long"),
    SCALAR(unsigned long, "unsigned long int"),
    SCALAR(long long, "long long"),
    SCALAR(unsigned long long, "unsigned long long"),
    SCALAR(float, "float"),
    SCALAR(double, "double"),
    SCALAR(long double, "long double"),
    SCALAR(_Bool, "_Bool"),
    SCALAR(_Bool, "bool"),
    SCALAR(int8_t, "int8_t"),
    SCALAR(uint8_t, "uint8_t"),
    SCALAR(int16_t, "int16_t"),
    SCALAR(uint16_t, "uint16_t"),
    SCALAR(int32_t, "int32_t"),
    SCALAR(uint32_t, "uint32_t"),
    SCALAR(int64_t, "int64_t"),
    SCALAR(uint64_t, "uint64_t"),
    SCALAR(size_t, "size_t"),
    SCALAR(intptr_t, "intptr_t"),
    SCALAR(uintptr_t, "uintptr_t"),
    SCALAR(ptrdiff_t, "ptrdiff_t"),
};

static unsigned text_hash(const char *s)
{
    unsigned hash = 5381;
    for (; *s; s++)
        hash = hash * 33 + (unsigned char)*s;
    return hash ? hash : 1;
}

/* Words of one declaration, spaces collapsed: "unsigned  long x [ 4 ]" ->
 * type "unsigned long", name "x", count 4. Returns 0, or -1 if it is not
 * a declaration this reads. */
struct decl {
    char type[128], name[64];
    unsigned long count;
    int pointer;
};

static int read_dims(const char *s, const char *end, unsigned long *count, const char **name_end)
{
    *count = 1;
    while (end > s && end[-1] == ' ')
        end--;
    while (end > s && end[-1] == ']') {
        const char *open = end - 1;
        char *stop;
        unsigned long n;
        while (open > s && *open != '[')
            open--;
        if (*open != '[')
            return -1;
        n = strtoul(open + 1, &stop, 10);
        while (*stop == ' ')
            stop++;
        if (stop != end - 1 || n == 0)
            return -1;
        *count *= n;
        end = open;
        while (end > s && end[-1] == ' ')
            end--;
    }
    *name_end = end;
    return 0;
}

static int read_decl(const char *s, const char *end, struct decl *d)
{
    const char *name_end, *name, *p;
    size_t len = 0;

    memset(d, 0, sizeof *d);
    for (p = s; p < end; p++) {
        if (strchr(",:(){}=", *p))
            return -1;
    }
    if (read_dims(s, end, &d->count, &name_end) < 0)
        return -1;
    for (name = name_end; name > s && (isalnum((unsigned char)name[-1]) || name[-1] == '_');)
        name--;
    if (name == name_end || (size_t)(name_end - name) >= sizeof d->name)
        return -1;
    memcpy(d->name, name, (size_t)(name_end - name));
    for (p = s; p < name; p++) {
        int space = *p == ' ' || *p == '\t' || *p == '\n';
        if (*p == '*')
            d->pointer = 1;
        if (space && (len == 0 || d->type[len - 1] == ' '))
            continue;
        if (len + 2 >= sizeof d->type)
            return -1;
        d->type[len++] = (char)(space ? ' ' : *p);
    }
    while (len > 0 && d->type[len - 1] == ' ')
        len--;
    d->type[len] = '\0';
    return len ? 0 : -1;
}

static const struct scalar *scalar_named(const char *type)
{
    size_t i;
    for (i = 0; i < sizeof scalars / sizeof scalars[0]; i++) {
        if (strcmp(scalars[i].spelling, type) == 0)
            return &scalars[i];
    }
    return NULL;
}

/* Adds one declaration at the next offset the C rules give it. */
static int lay_out(hot__kept_layout *l, const struct decl *d, unsigned long *at,
                   unsigned long *align)
{
    const struct scalar *s = d->pointer ? NULL : scalar_named(d->type);
    unsigned long size = d->pointer ? sizeof(void *) : s ? s->size : 0;
    unsigned long a = d->pointer ? offsetof(
                                       struct {
                                           char c;
                                           void *p;
                                       },
                                       p)
                      : s ? s->align
                          : 0;
    char kind[160];

    if (!size || field_named(l, d->name))
        return -1;
    *at = (*at + a - 1) / a * a;
    snprintf(kind, sizeof kind, "%s[%lu]", s ? s->canonical : d->type, d->count);
    if (layout_add(l, d->name, *at, size * d->count, text_hash(kind)) < 0)
        return -1;
    *at += size * d->count;
    *align = a > *align ? a : *align;
    return 0;
}

int hot__kept_layout_from_definition(hot__kept_layout *l, const char *type, const char *definition,
                                     unsigned long size, unsigned long align)
{
    const char *open = strchr(definition, '{'), *close = strrchr(definition, '}'), *p, *semi;
    unsigned long at = 0, most = 1;
    struct decl d;

    memset(l, 0, sizeof *l);
    l->type = hot__strdup(type);
    l->size = size;
    if (!l->type || !open || !close || close < open)
        return HOT_EINVAL;
    for (p = open + 1; p < close; p = semi + 1) {
        while (p < close && strchr(" \t\n", *p))
            p++;
        semi = memchr(p, ';', (size_t)(close - p));
        if (!semi)
            break;
        if (read_decl(p, semi, &d) < 0 || lay_out(l, &d, &at, &most) < 0)
            return HOT_EINVAL;
    }
    if (p < close || l->n == 0 || (at + most - 1) / most * most != size || most != align)
        return HOT_EINVAL; /* not what the compiler made of it */
    return 0;
}

/* ---- Migration by field name ------------------------------------------- */

/* "pos.x" and "items[2]" lie inside "pos" and "items": nested fields are
 * carried after the ones holding them, so they win. */
static unsigned depth_of(const char *name)
{
    unsigned depth = 0;
    for (; *name; name++)
        depth += *name == '.' || *name == '[';
    return depth;
}

static void note(char *warn, size_t warnlen, const char *fmt, const char *name, unsigned long a,
                 unsigned long b)
{
    size_t used = strlen(warn);

    if (used + 3 >= warnlen)
        return;
    if (used) {
        strcpy(warn + used, "; ");
        used += 2;
    }
    snprintf(warn + used, warnlen - used, fmt, name, a, b);
}

/* Why the saved field cannot be copied into the new one, or NULL. */
static const char *field_change(const hot__kept_field *was, const hot__kept_field *now,
                                const hot__kept_layout *saved, char *warn, size_t warnlen)
{
    if (was->offset + was->size > saved->size || was->offset + was->size < was->offset) {
        note(warn, warnlen, "field %s: saved outside its object (%lu + %lu bytes)", now->name,
             was->offset, was->size);
        return "outside";
    }
    if (was->size != now->size) {
        note(warn, warnlen, "field %s: size changed %lu -> %lu bytes; it keeps its initial value",
             now->name, was->size, now->size);
        return "size";
    }
    if (was->kind && now->kind && was->kind != now->kind) {
        note(warn, warnlen, "field %s: type changed (class %lu -> %lu); it keeps its initial value",
             now->name, was->kind, now->kind);
        return "type";
    }
    return NULL;
}

static unsigned max_depth(const hot__kept_layout *l)
{
    unsigned most = 0;
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (depth_of(l->fields[i].name) > most)
            most = depth_of(l->fields[i].name);
    }
    return most;
}

void hot__kept_migrate(const hot__kept_layout *saved, const unsigned char *bytes,
                       const hot__kept_layout *now, void *object, char *warn, size_t warnlen)
{
    unsigned char *out = object;
    unsigned char *initial = malloc(now->size ? now->size : 1);
    unsigned depth, deepest = max_depth(now);
    size_t i;

    warn[0] = '\0';
    if (!initial) {
        note(warn, warnlen, "%s: out of memory; it keeps its initial value", now->type, 0, 0);
        return;
    }
    memcpy(initial, object, now->size);
    for (depth = 0; depth <= deepest; depth++) {
        for (i = 0; i < now->n; i++) {
            const hot__kept_field *f = &now->fields[i], *was = field_named(saved, f->name);
            if (depth_of(f->name) != depth || !was)
                continue; /* a new field: its initial value */
            if (field_change(was, f, saved, warn, warnlen))
                memcpy(out + f->offset, initial + f->offset, f->size);
            else
                memcpy(out + f->offset, bytes + was->offset, f->size);
        }
    }
    free(initial);
}

/* ---- The saved file ---------------------------------------------------- */

struct hot__keep {
    struct kept_object {
        hot__kept_layout layout;
        void *object;
        struct kept_object *next;
    } * objects;
    /* What the previous run saved, until each object is registered. */
    struct saved_object {
        hot__kept_layout layout;
        unsigned char *bytes;
        struct saved_object *next;
    } * saved;
    int file_read;
};

static int append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *grown;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return HOT_EINVAL;
    if (*len + (size_t)n + 1 > *cap) {
        *cap = (*len + (size_t)n + 1) * 2;
        grown = realloc(*buf, *cap);
        if (!grown)
            return HOT_ENOMEM;
        *buf = grown;
    }
    va_start(ap, fmt);
    vsnprintf(*buf + *len, *cap - *len, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return 0;
}

static int append_object(char **buf, size_t *len, size_t *cap, const struct kept_object *o)
{
    const hot__kept_layout *l = &o->layout;
    const unsigned char *bytes = o->object;
    size_t i;
    int err = append(buf, len, cap, "object %lu %lu %s\n", l->size, (unsigned long)l->n, l->type);

    for (i = 0; i < l->n && err == 0; i++)
        err = append(buf, len, cap, "field %lu %lu %u %s\n", l->fields[i].offset, l->fields[i].size,
                     l->fields[i].kind, l->fields[i].name);
    if (err == 0)
        err = append(buf, len, cap, "bytes ");
    for (i = 0; i < l->size && err == 0; i++)
        err = append(buf, len, cap, "%02x", bytes[i]);
    return err == 0 ? append(buf, len, cap, "\n") : err;
}

/* The text of every kept object, malloc'd. */
int hot__keep_encode(const hot__keep *k, char **out, size_t *outlen)
{
    size_t len = 0, cap = 0;
    char *buf = NULL;
    const struct kept_object *o;
    int err = append(&buf, &len, &cap, "%s", KEEP_HEADER);

    for (o = k ? k->objects : NULL; o && err == 0; o = o->next)
        err = append_object(&buf, &len, &cap, o);
    if (err < 0) {
        free(buf);
        return err;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* A line of the saved text, NUL-terminated in place; NULL at the end. */
static char *next_line(char **cursor)
{
    char *line = *cursor, *end;

    if (!line || !*line)
        return NULL;
    end = strchr(line, '\n');
    if (end) {
        *end = '\0';
        *cursor = end + 1;
    } else {
        *cursor = line + strlen(line);
    }
    return line;
}

/* Reads "N N ... rest": n numbers then the rest of the line. */
static const char *read_numbers(const char *s, unsigned long *values, int n)
{
    char *end;
    int i;

    for (i = 0; i < n; i++) {
        if (*s != ' ')
            return NULL;
        values[i] = strtoul(s + 1, &end, 10);
        if (end == s + 1)
            return NULL;
        s = end;
    }
    return *s == ' ' ? s + 1 : NULL;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static unsigned char *parse_bytes(const char *line, unsigned long size)
{
    unsigned char *bytes;
    unsigned long i;

    if (strncmp(line, "bytes ", 6) != 0 || strlen(line + 6) != size * 2)
        return NULL;
    bytes = malloc(size ? size : 1);
    for (i = 0; bytes && i < size; i++) {
        int hi = hex_digit(line[6 + 2 * i]), lo = hex_digit(line[7 + 2 * i]);
        if (hi < 0 || lo < 0) {
            free(bytes);
            return NULL;
        }
        bytes[i] = (unsigned char)(hi * 16 + lo);
    }
    return bytes;
}

/* One object's lines; returns NULL (and frees) if they are malformed. */
static struct saved_object *parse_object(const char *head, char **cursor)
{
    struct saved_object *s = calloc(1, sizeof *s);
    unsigned long v[3], n, i;
    const char *rest = read_numbers(head + strlen("object"), v, 2), *line;
    int ok = s && rest && strncmp(head, "object ", 7) == 0;

    if (ok) {
        s->layout.size = v[0];
        s->layout.type = hot__strdup(rest);
        ok = s->layout.type != NULL;
    }
    n = ok ? v[1] : 0;
    for (i = 0; ok && i < n; i++) {
        line = next_line(cursor);
        rest = line && strncmp(line, "field ", 6) == 0 ? read_numbers(line + 5, v, 3) : NULL;
        ok = rest && layout_add(&s->layout, rest, v[0], v[1], (unsigned)v[2]) == 0;
    }
    line = ok ? next_line(cursor) : NULL;
    if (s && line)
        s->bytes = parse_bytes(line, s->layout.size);
    if (s && s->bytes)
        return s;
    if (s)
        hot__kept_layout_free(&s->layout);
    free(s);
    return NULL;
}

static void free_saved(struct saved_object *s)
{
    while (s) {
        struct saved_object *next = s->next;
        hot__kept_layout_free(&s->layout);
        free(s->bytes);
        free(s);
        s = next;
    }
}

/* Parses text (modified in place) into k's saved objects. Returns 0 or
 * HOT_EINVAL for text that is not a saved state (nothing kept then). */
int hot__keep_decode(hot__keep *k, char *text)
{
    char *cursor = text, *line;
    struct saved_object *list = NULL, **tail = &list;

    if (strncmp(text, KEEP_HEADER, strlen(KEEP_HEADER)) != 0)
        return HOT_EINVAL;
    cursor += strlen(KEEP_HEADER);
    while ((line = next_line(&cursor)) != NULL) {
        *tail = parse_object(line, &cursor);
        if (!*tail) {
            free_saved(list);
            return HOT_EINVAL;
        }
        tail = &(*tail)->next;
    }
    free_saved(k->saved);
    k->saved = list;
    return 0;
}

hot__keep *hot__keep_new(void)
{
    return calloc(1, sizeof(hot__keep));
}

void hot__keep_free(hot__keep *k)
{
    if (!k)
        return;
    while (k->objects) {
        struct kept_object *next = k->objects->next;
        hot__kept_layout_free(&k->objects->layout);
        free(k->objects);
        k->objects = next;
    }
    free_saved(k->saved);
    free(k);
}

/* ---- hot_keep_object and the save at hot_close ------------------------- */

/* HOTRELOAD_STATE_FILE's folder (made private by `hotreload run`, and
 * checked as such) and the file's name in it; NULL when unset or bad. */
static hot__dir *state_folder(const char **name, char *msg, size_t msglen)
{
    const char *path = getenv("HOTRELOAD_STATE_FILE");
    const char *slash = path ? strrchr(path, '/') : NULL;
    char *folder;
    hot__dir *d = NULL;

    if (!slash || !slash[1])
        return NULL;
    folder = hot__strdup(path);
    if (!folder)
        return NULL;
    folder[(slash - path) ? (slash - path) : 1] = '\0'; /* "/x" -> "/" */
    if (hot__dir_open(&d, folder, msg, msglen) < 0)
        d = NULL;
    free(folder);
    *name = slash + 1;
    return d;
}

/* A warning for the log, and for `hotreload run`'s status line (which
 * keeps the host's own log quiet). */
static void say(hot_lib *lib, const char *fmt, const char *a, const char *b)
{
    char line[HOT__MSG_MAX];

    snprintf(line, sizeof line, fmt, a, b);
    hot__log(lib, HOT_LOG_WARN, "%s: %s", lib->file, line);
    hot__channel_report(lib, "kept", lib->version, 0, 0, line);
}

/* The previous run's file, read once and deleted (a later run without a
 * save must not get stale state). */
static void read_state_file(hot_lib *lib, hot__keep *k)
{
    const char *name = NULL;
    char msg[256] = "", *text;
    hot__dir *d = state_folder(&name, msg, sizeof msg);
    unsigned char *data = NULL;
    size_t size = 0;

    k->file_read = 1;
    if (!d || hot__dir_read_all(d, name, &data, &size, msg, sizeof msg) < 0) {
        hot__dir_close(d);
        return;
    }
    hot__dir_unlink(d, name, msg, sizeof msg);
    hot__dir_close(d);
    text = malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = '\0';
        if (hot__keep_decode(k, text) < 0)
            say(lib, "kept objects: %s is not a saved state%s; ignored", name, "");
    }
    free(text);
    free(data);
}

static void restore(hot_lib *lib, hot__keep *k, const hot__kept_layout *now, void *object)
{
    struct saved_object *s;
    char warn[1024];

    for (s = k->saved; s; s = s->next) {
        if (strcmp(s->layout.type, now->type) != 0)
            continue;
        hot__kept_migrate(&s->layout, s->bytes, now, object, warn, sizeof warn);
        if (warn[0])
            say(lib, "kept %s: %s", now->type, warn);
        return;
    }
}

static int already_kept(const hot__keep *k, const char *type)
{
    const struct kept_object *o;
    for (o = k->objects; o; o = o->next) {
        if (strcmp(o->layout.type, type) == 0)
            return 1;
    }
    return 0;
}

int hot_keep_object(hot_lib *lib, const char *type, void *object)
{
    struct kept_object *o;
    int err;

    if (!lib || !type || !object)
        return lib ? hot__fail(lib, HOT_EINVAL, "hot_keep_object: NULL argument") : HOT_EINVAL;
    if (!lib->keep && !(lib->keep = hot__keep_new()))
        return hot__fail(lib, HOT_ENOMEM, "hot_keep_object: out of memory");
    if (already_kept(lib->keep, type))
        return hot__fail(lib, HOT_EINVAL, "hot_keep_object: an object of %s is already kept", type);
    o = calloc(1, sizeof *o);
    if (!o)
        return hot__fail(lib, HOT_ENOMEM, "hot_keep_object: out of memory");
    err = hot__kept_layout_from_manifest(&o->layout, lib->iface->expected, type,
                                         kinds_of(lib->iface));
    if (err < 0) {
        hot__kept_layout_free(&o->layout);
        free(o);
        return hot__fail(lib, HOT_EINVAL,
                         "hot_keep_object: %s is not a type the interface %s lists (TYPE)", type,
                         lib->iface->expected->interface_name);
    }
    o->object = object;
    o->next = lib->keep->objects;
    lib->keep->objects = o;
    if (!lib->keep->file_read)
        read_state_file(lib, lib->keep);
    restore(lib, lib->keep, &o->layout, object);
    return 0;
}

void hot__keep_save(hot_lib *lib)
{
    const char *name = NULL;
    char *text, msg[256] = "";
    size_t len;
    hot__dir *d;

    if (!lib->keep || !lib->keep->objects || !getenv("HOTRELOAD_STATE_FILE"))
        return;
    d = state_folder(&name, msg, sizeof msg);
    if (!d) {
        say(lib, "kept objects not saved: HOTRELOAD_STATE_FILE's folder: %s%s",
            msg[0] ? msg : "not a path", "");
        return;
    }
    if (hot__keep_encode(lib->keep, &text, &len) == 0) {
        hot__dir_unlink(d, name, msg, sizeof msg);
        if (hot__dir_write_new(d, name, text, len, msg, sizeof msg) < 0)
            say(lib, "kept objects not saved: %s%s", msg, "");
        free(text);
    }
    hot__dir_close(d);
}
