/*
 * A struct's members as the compiler saw them, from the library's DWARF
 * (.debug_info, versions 2 to 5, as gcc and clang write it): what
 * `hotreload check` compares with the listed fields, by name.
 *
 * A small reader over bytes already read (no system calls), bounded at
 * every step: each read is checked against its section's end, and a form
 * it does not know stops the walk with a message naming it, since the
 * size of an unknown form cannot be skipped safely (failing closed: the
 * caller then checks by layout and says why).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "platform.h"

/* ---- Tags, attributes and forms used here (DWARF 5, section 7.5) --------- */
#define TAG_array_type 0x01
#define TAG_class_type 0x02
#define TAG_enumeration_type 0x04
#define TAG_member 0x0d
#define TAG_pointer_type 0x0f
#define TAG_structure_type 0x13
#define TAG_typedef 0x16
#define TAG_union_type 0x17
#define TAG_subrange_type 0x21
#define TAG_const_type 0x26
#define TAG_volatile_type 0x35
#define TAG_restrict_type 0x37
#define TAG_atomic_type 0x47

#define AT_name 0x03
#define AT_byte_size 0x0b
#define AT_bit_offset 0x0c
#define AT_bit_size 0x0d
#define AT_upper_bound 0x2f
#define AT_count 0x37
#define AT_data_member_location 0x38
#define AT_declaration 0x3c
#define AT_type 0x49
#define AT_data_bit_offset 0x6b
#define AT_str_offsets_base 0x72
#define AT_dwo_name 0x76
#define AT_GNU_dwo_name 0x2130

#define OP_plus_uconst 0x23
#define UT_skeleton 4

#define DEPTH_MAX 64 /* nesting of DIEs in one unit */
#define TYPE_HOPS 16 /* typedef/const chains followed */

typedef struct cursor {
    const unsigned char *p, *end;
    int bad; /* a read ran past the end */
} cursor;

static uint64_t fixed(cursor *c, unsigned n)
{
    uint64_t v = 0;
    unsigned i;

    if (c->bad || n > 8 || (size_t)(c->end - c->p) < n) {
        c->bad = 1;
        return 0;
    }
    for (i = 0; i < n; i++) /* little-endian, as elf.c checked */
        v |= (uint64_t)c->p[i] << (8 * i);
    c->p += n;
    return v;
}

/* LEB128, unsigned or sign-extended; bounded to what a 64-bit value needs. */
static uint64_t leb(cursor *c, int is_signed)
{
    uint64_t v = 0;
    unsigned shift = 0;

    while (!c->bad && c->p < c->end && shift <= 70) {
        unsigned char b = *c->p++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) {
            if (is_signed && shift < 64 && (b & 0x40))
                v |= ~(uint64_t)0 << shift;
            return v;
        }
    }
    c->bad = 1; /* cut short, or longer than any 64-bit value */
    return 0;
}

static uint64_t uleb(cursor *c)
{
    return leb(c, 0);
}

static int64_t sleb(cursor *c)
{
    return (int64_t)leb(c, 1);
}

static void skip(cursor *c, uint64_t n)
{
    if (c->bad || (uint64_t)(c->end - c->p) < n)
        c->bad = 1;
    else
        c->p += n;
}

/* A NUL-terminated string at off in a section, or NULL. */
static const char *section_string(const unsigned char *s, size_t len, uint64_t off)
{
    if (!s || off >= len || !memchr(s + off, '\0', len - (size_t)off))
        return NULL;
    return (const char *)s + off;
}

/* ---- The sections, units and abbreviations ------------------------------ */

typedef struct section {
    const unsigned char *p;
    size_t len;
} section;

struct hot__dwarf {
    section info, abbrev, str, line_str, str_offsets;
    unsigned version; /* of the first unit, for the message */
    int split;        /* a skeleton unit seen: the types are in .dwo files */
};

typedef struct abbrev {
    uint64_t code;
    unsigned tag;
    int children;
    const unsigned char *specs; /* (attribute, form[, implicit value]) pairs */
} abbrev;

typedef struct unit {
    const hot__dwarf *d;
    uint64_t start, end; /* in .debug_info: the header's first byte, past the last */
    uint64_t dies;       /* the first DIE */
    unsigned version, offset_size, address_size, unit_type;
    uint64_t str_offsets_base;
    abbrev *abbrevs;
    size_t n_abbrevs;
    char *msg;
    size_t msglen;
} unit;

/* What a DIE says that matters here. */
typedef struct die {
    uint64_t offset; /* in .debug_info */
    unsigned tag;
    int children;
    const char *name;
    int has_size, has_location, has_type, has_bit_size, has_bit_offset, declaration, has_count,
        has_upper, split;
    uint64_t size, location, type, bit_offset, count, upper;
} die;

/* The last one wins: a failure that is let pass (a type whose size is not
 * known) is followed by none, or by the one that stops the walk. */
static int fail(unit *u, const char *what, uint64_t at)
{
    snprintf(u->msg, u->msglen, "debug info: %s at .debug_info+0x%llx", what,
             (unsigned long long)at);
    return HOT_ENOTLIB;
}

/* The next (attribute, form[, implicit value]) of an abbreviation; 0 at
 * its end (the (0, 0) pair) or if cut short. */
static int next_spec(cursor *specs, uint64_t *attr, uint64_t *form, int64_t *implicit)
{
    *attr = uleb(specs);
    *form = uleb(specs);
    *implicit = *form == 0x21 ? sleb(specs) : 0;
    return !specs->bad && (*attr != 0 || *form != 0);
}

static int load_abbrevs(unit *u, uint64_t off)
{
    cursor c;
    size_t cap = 64;
    uint64_t code, attr, form;
    int64_t implicit;

    if (off >= u->d->abbrev.len)
        return fail(u, "abbreviation table out of range", u->start);
    c.p = u->d->abbrev.p + off;
    c.end = u->d->abbrev.p + u->d->abbrev.len;
    c.bad = 0;
    if (!(u->abbrevs = hot__calloc(cap, sizeof *u->abbrevs)))
        return fail(u, "out of memory for the abbreviation table", u->start);
    while ((code = uleb(&c)) != 0 && !c.bad) {
        abbrev *a;
        if (u->n_abbrevs == cap) {
            abbrev *more = cap > ((size_t)-1) / 2 / sizeof *more
                               ? NULL
                               : hot__realloc(u->abbrevs, 2 * cap * sizeof *more);
            if (!more)
                return fail(u, "out of memory for the abbreviation table", u->start);
            u->abbrevs = more;
            cap *= 2;
        }
        a = &u->abbrevs[u->n_abbrevs++];
        a->code = code;
        a->tag = (unsigned)uleb(&c);
        a->children = (int)fixed(&c, 1);
        a->specs = c.p;
        while (next_spec(&c, &attr, &form, &implicit))
            ; /* up to the (0, 0) pair */
    }
    return c.bad ? fail(u, "abbreviation table cut short", u->start) : 0;
}

static const abbrev *find_abbrev(const unit *u, uint64_t code)
{
    size_t i;

    if (code >= 1 && code <= u->n_abbrevs && u->abbrevs[code - 1].code == code)
        return &u->abbrevs[code - 1]; /* the usual numbering, 1..n */
    for (i = 0; i < u->n_abbrevs; i++) {
        if (u->abbrevs[i].code == code)
            return &u->abbrevs[i];
    }
    return NULL;
}

/* ---- Attribute values --------------------------------------------------- */

typedef struct value {
    uint64_t u;
    const unsigned char *block; /* exprloc and blocks */
    uint64_t block_len;
    const char *str;
    int is_ref, is_const, is_str;
} value;

static const char *strx(const unit *u, uint64_t index)
{
    const section *so = &u->d->str_offsets;
    uint64_t at = u->str_offsets_base + index * u->offset_size;
    cursor c;

    if (!so->p || at >= so->len)
        return NULL;
    c.p = so->p + at;
    c.end = so->p + so->len;
    c.bad = 0;
    at = fixed(&c, u->offset_size);
    return c.bad ? NULL : section_string(u->d->str.p, u->d->str.len, at);
}

static void read_block(cursor *c, value *v, uint64_t len)
{
    v->block = c->p;
    v->block_len = len;
    skip(c, len);
}

/* Forms whose value is a constant or a reference; 0 if not one of them. */
static int read_number(unit *u, cursor *c, uint64_t form, int64_t implicit, value *v)
{
    static const unsigned char sizes[] = { 0, 0, 0, 0, 0, 2, 4, 8, 0, 0, 0, 1 };

    v->is_const = 1;
    switch (form) {
    case 0x0b:
    case 0x05:
    case 0x06:
    case 0x07: /* data1, 2, 4, 8 */ v->u = fixed(c, sizes[form]); return 1;
    case 0x0d: v->u = (uint64_t)sleb(c); return 1;  /* sdata */
    case 0x0f: v->u = uleb(c); return 1;            /* udata */
    case 0x21: v->u = (uint64_t)implicit; return 1; /* implicit_const */
    }
    v->is_const = 0;
    v->is_ref = 1;
    switch (form) {
    case 0x11: v->u = u->start + fixed(c, 1); return 1; /* ref1 */
    case 0x12: v->u = u->start + fixed(c, 2); return 1; /* ref2 */
    case 0x13: v->u = u->start + fixed(c, 4); return 1; /* ref4 */
    case 0x14: v->u = u->start + fixed(c, 8); return 1; /* ref8 */
    case 0x15: v->u = u->start + uleb(c); return 1;     /* ref_udata */
    case 0x10: /* ref_addr: in the section (DWARF 2: address-sized) */
        v->u = fixed(c, u->version == 2 ? u->address_size : u->offset_size);
        return 1;
    }
    v->is_ref = 0;
    return 0;
}

static int read_string(unit *u, cursor *c, uint64_t form, value *v)
{
    const char *s;

    v->is_str = 1;
    switch (form) {
    case 0x08: /* string, in place */
        s = (const char *)c->p;
        if (!memchr(c->p, '\0', (size_t)(c->end - c->p)))
            return c->bad = 1;
        c->p += strlen(s) + 1;
        v->str = s;
        return 1;
    case 0x0e:
        v->str = section_string(u->d->str.p, u->d->str.len, fixed(c, u->offset_size));
        return 1;
    case 0x1f: /* line_strp */
        v->str = section_string(u->d->line_str.p, u->d->line_str.len, fixed(c, u->offset_size));
        return 1;
    case 0x1a:
    case 0x1f02: v->str = strx(u, uleb(c)); return 1;   /* strx, GNU_str_index */
    case 0x25: v->str = strx(u, fixed(c, 1)); return 1; /* strx1 */
    case 0x26: v->str = strx(u, fixed(c, 2)); return 1; /* strx2 */
    case 0x27: v->str = strx(u, fixed(c, 3)); return 1; /* strx3 */
    case 0x28: v->str = strx(u, fixed(c, 4)); return 1; /* strx4 */
    case 0x1d:
    case 0x1f21: fixed(c, u->offset_size); return 1; /* strp_sup, GNU_strp_alt */
    }
    v->is_str = 0;
    return 0;
}

/* Every other form: skipped by its known size. 0 if the form is unknown. */
static int skip_form(unit *u, cursor *c, uint64_t form, value *v)
{
    switch (form) {
    case 0x01: skip(c, u->address_size); return 1;      /* addr */
    case 0x0a: read_block(c, v, fixed(c, 1)); return 1; /* block1 */
    case 0x03: read_block(c, v, fixed(c, 2)); return 1; /* block2 */
    case 0x04: read_block(c, v, fixed(c, 4)); return 1; /* block4 */
    case 0x09:
    case 0x18: read_block(c, v, uleb(c)); return 1; /* block, exprloc */
    case 0x1e: skip(c, 16); return 1;               /* data16 */
    case 0x17:
    case 0x1f20: v->u = fixed(c, u->offset_size); return 1; /* sec_offset, GNU_ref_alt */
    case 0x20: skip(c, 8); return 1;                        /* ref_sig8 */
    case 0x1c: skip(c, 4); return 1;                        /* ref_sup4 */
    case 0x24: skip(c, 8); return 1;                        /* ref_sup8 */
    case 0x1b:
    case 0x22:
    case 0x23:
    case 0x1f01: uleb(c); return 1;  /* addrx, loclistx, rnglistx */
    case 0x29: skip(c, 1); return 1; /* addrx1 */
    case 0x2a: skip(c, 2); return 1; /* addrx2 */
    case 0x2b: skip(c, 3); return 1; /* addrx3 */
    case 0x2c: skip(c, 4); return 1; /* addrx4 */
    }
    return 0;
}

static int read_value(unit *u, cursor *c, uint64_t form, int64_t implicit, value *v)
{
    memset(v, 0, sizeof *v);
    if (form == 0x0c) { /* flag: its byte is the value */
        v->u = fixed(c, 1);
        v->is_const = 1;
        return 0;
    }
    if (form == 0x19) { /* flag_present */
        v->u = 1;
        v->is_const = 1;
        return 0;
    }
    if (form == 0x16) /* indirect: the form comes first (once: no chains) */
        if ((form = uleb(c)) == 0x16 || form == 0x21)
            return HOT_ENOTLIB;
    if (read_number(u, c, form, implicit, v) || read_string(u, c, form, v) ||
        skip_form(u, c, form, v))
        return c->bad ? HOT_ENOTLIB : 0;
    return HOT_ENOTLIB;
}

/* ---- DIEs --------------------------------------------------------------- */

static void keep_attr(die *e, uint64_t attr, const value *v)
{
    switch (attr) {
    case AT_name: e->name = v->is_str ? v->str : e->name; break;
    case AT_byte_size: e->has_size = v->is_const, e->size = v->u; break;
    case AT_bit_size: e->has_bit_size = 1; break;
    case AT_data_bit_offset: e->has_bit_offset = v->is_const, e->bit_offset = v->u; break;
    case AT_declaration: e->declaration = v->u != 0; break;
    case AT_type: e->has_type = v->is_ref, e->type = v->u; break;
    case AT_count: e->has_count = v->is_const, e->count = v->u; break;
    case AT_upper_bound: e->has_upper = v->is_const, e->upper = v->u; break;
    case AT_dwo_name:
    case AT_GNU_dwo_name: e->split = 1; break;
    case AT_data_member_location:
        if (v->is_const) {
            e->has_location = 1, e->location = v->u;
        } else if (v->block && v->block_len >= 2 && v->block[0] == OP_plus_uconst) {
            cursor b;
            b.p = v->block + 1, b.end = v->block + v->block_len, b.bad = 0;
            e->location = uleb(&b);
            e->has_location = !b.bad;
        }
        break;
    }
}

/* The DIE at c (its abbreviation code first); e->tag 0 for a null entry. */
static int read_die(unit *u, cursor *c, die *e)
{
    uint64_t code;
    const abbrev *a;
    cursor specs;
    uint64_t attr, form;
    int64_t implicit;

    memset(e, 0, sizeof *e);
    e->offset = (uint64_t)(c->p - u->d->info.p);
    if ((code = uleb(c)) == 0)
        return c->bad ? fail(u, "entry cut short", e->offset) : 0;
    if (!(a = find_abbrev(u, code)))
        return fail(u, "entry with an unknown abbreviation", e->offset);
    e->tag = a->tag;
    e->children = a->children;
    specs.p = a->specs;
    specs.end = u->d->abbrev.p + u->d->abbrev.len;
    specs.bad = 0;
    while (next_spec(&specs, &attr, &form, &implicit)) {
        value v;
        if (read_value(u, c, form, implicit, &v) < 0) {
            char what[64];
            snprintf(what, sizeof what, "form 0x%llx not read", (unsigned long long)form);
            return fail(u, c->bad ? "entry cut short" : what, e->offset);
        }
        keep_attr(e, attr, &v);
    }
    return specs.bad ? fail(u, "abbreviation cut short", e->offset) : 0;
}

/* The str_offsets_base is a sec_offset: read it from the unit's DIE before
 * any strx name in it is needed. */
static void read_str_offsets_base(unit *u)
{
    const abbrev *a;
    cursor c, specs;
    uint64_t attr, form;
    int64_t implicit;
    value v;

    c.p = u->d->info.p + u->dies;
    c.end = u->d->info.p + u->end;
    c.bad = 0;
    u->str_offsets_base = u->offset_size == 8 ? 16 : 8; /* past the table's header */
    if (!(a = find_abbrev(u, uleb(&c))))
        return;
    specs.p = a->specs;
    specs.end = u->d->abbrev.p + u->d->abbrev.len;
    specs.bad = 0;
    while (next_spec(&specs, &attr, &form, &implicit) &&
           read_value(u, &c, form, implicit, &v) == 0) {
        if (attr == AT_str_offsets_base && form == 0x17)
            u->str_offsets_base = v.u;
    }
}

static int die_at(unit *u, uint64_t off, die *e, cursor *after)
{
    cursor c;

    if (off < u->dies || off >= u->end)
        return fail(u, "reference outside its unit", off);
    c.p = u->d->info.p + off;
    c.end = u->d->info.p + u->end;
    c.bad = 0;
    if (read_die(u, &c, e) < 0)
        return HOT_ENOTLIB;
    if (after)
        *after = c;
    return 0;
}

/* ---- Unit headers ------------------------------------------------------- */

static int read_unit(const hot__dwarf *d, uint64_t start, unit *u, char *msg, size_t msglen)
{
    cursor c;
    uint64_t len, abbrev_off;

    memset(u, 0, sizeof *u);
    u->d = d;
    u->start = start;
    u->msg = msg;
    u->msglen = msglen;
    c.p = d->info.p + start;
    c.end = d->info.p + d->info.len;
    c.bad = 0;
    u->offset_size = 4;
    if ((len = fixed(&c, 4)) == 0xffffffffu) {
        u->offset_size = 8;
        len = fixed(&c, 8);
    } else if (len >= 0xfffffff0u) {
        return fail(u, "reserved unit length", start);
    }
    if (c.bad || len > (uint64_t)(c.end - c.p))
        return fail(u, "unit cut short", start);
    u->end = (uint64_t)(c.p - d->info.p) + len;
    c.end = d->info.p + u->end;
    u->version = (unsigned)fixed(&c, 2);
    if (u->version < 2 || u->version > 5)
        return fail(u, "unsupported DWARF version", start);
    if (u->version == 5) {
        u->unit_type = (unsigned)fixed(&c, 1);
        u->address_size = (unsigned)fixed(&c, 1);
        abbrev_off = fixed(&c, u->offset_size);
        if (u->unit_type == UT_skeleton || u->unit_type == 5)
            skip(&c, 8); /* dwo_id */
        else if (u->unit_type == 2 || u->unit_type == 6)
            skip(&c, 8 + u->offset_size); /* type signature, type offset */
    } else {
        abbrev_off = fixed(&c, u->offset_size);
        u->address_size = (unsigned)fixed(&c, 1);
    }
    if (c.bad)
        return fail(u, "unit header cut short", start);
    if (u->address_size != 4 && u->address_size != 8)
        return fail(u, "unsupported address size", start);
    u->dies = (uint64_t)(c.p - d->info.p);
    if (load_abbrevs(u, abbrev_off) < 0)
        return HOT_ENOTLIB;
    read_str_offsets_base(u);
    return 0;
}

static void unit_free(unit *u)
{
    free(u->abbrevs);
    u->abbrevs = NULL;
}

/* ---- Types -------------------------------------------------------------- */

static int is_qualifier(unsigned tag)
{
    return tag == TAG_typedef || tag == TAG_const_type || tag == TAG_volatile_type ||
           tag == TAG_restrict_type || tag == TAG_atomic_type;
}

/* Follows typedefs and qualifiers from a type reference to the type. */
static int strip_type(unit *u, uint64_t off, die *t)
{
    int hops;

    for (hops = 0; hops < TYPE_HOPS; hops++) {
        if (die_at(u, off, t, NULL) < 0)
            return HOT_ENOTLIB;
        if (!is_qualifier(t->tag) || !t->has_type)
            return 0;
        off = t->type;
    }
    return fail(u, "type chain too long", off);
}

static uint64_t type_size(unit *u, uint64_t off, int depth);

/* An array's size: the element's times each dimension's count. */
static uint64_t array_size(unit *u, const die *arr, const cursor *children, int depth)
{
    uint64_t n = type_size(u, arr->type, depth + 1);
    cursor c = *children;
    die e;

    while (n && read_die(u, &c, &e) == 0 && e.tag != 0) {
        if (e.tag == TAG_subrange_type)
            n *= e.has_count ? e.count : e.has_upper ? e.upper + 1 : 0;
        if (e.children)
            return 0; /* not what compilers write for a dimension */
    }
    return n;
}

/* A type's size in bytes; 0 if not known (a flexible array, a reference
 * out of the unit). */
static uint64_t type_size(unit *u, uint64_t off, int depth)
{
    cursor children;
    die t;

    if (depth > TYPE_HOPS || strip_type(u, off, &t) < 0 || die_at(u, t.offset, &t, &children) < 0)
        return 0;
    if (t.has_size)
        return t.size;
    if (t.tag == TAG_pointer_type)
        return u->address_size;
    if (t.tag == TAG_array_type && t.has_type && t.children)
        return array_size(u, &t, &children, depth);
    return 0;
}

/* ---- Members ------------------------------------------------------------ */

typedef struct walk {
    unit *u;
    hot__dwarf_member_fn *each;
    void *ctx;
    unsigned count, max;
} walk;

static int members_of(walk *w, uint64_t off, const char *prefix, uint64_t base, int depth);

static int member(walk *w, const die *m, const char *prefix, uint64_t base, int depth)
{
    hot__dwarf_member dm;
    die t;
    int nested;

    memset(&t, 0, sizeof t);
    nested = m->has_type && strip_type(w->u, m->type, &t) == 0 &&
             (t.tag == TAG_structure_type || t.tag == TAG_union_type) && t.children;

    if (++w->count > w->max)
        return fail(w->u, "more members than are read", m->offset);
    memset(&dm, 0, sizeof dm);
    dm.offset = base + (m->has_location ? m->location : m->has_bit_offset ? m->bit_offset / 8 : 0);
    dm.bitfield = m->has_bit_size;
    if (!m->name) { /* an anonymous struct or union: its members are the parent's */
        return nested && depth < 8 ? members_of(w, t.offset, prefix, dm.offset, depth + 1) : 0;
    }
    snprintf(dm.path, sizeof dm.path, "%s%s%s", prefix, prefix[0] ? "." : "", m->name);
    dm.size = m->has_type ? type_size(w->u, m->type, 0) : 0;
    if (w->each(w->ctx, &dm) && nested && depth < 8)
        return members_of(w, t.offset, dm.path, dm.offset, depth + 1);
    return 0;
}

/* Calls each() for the members of the struct or union at off. */
static int members_of(walk *w, uint64_t off, const char *prefix, uint64_t base, int depth)
{
    cursor c;
    die s, e;
    int level = 0, err;

    if (die_at(w->u, off, &s, &c) < 0)
        return HOT_ENOTLIB;
    if (!s.children)
        return 0;
    while ((err = read_die(w->u, &c, &e)) == 0) {
        if (e.tag == 0) {
            if (level-- == 0)
                return 0;
            continue;
        }
        if (level == 0 && e.tag == TAG_member && (err = member(w, &e, prefix, base, depth)) < 0)
            return err;
        if (e.children && ++level > DEPTH_MAX)
            return fail(w->u, "entries nested too deep", e.offset);
    }
    return err;
}

/* ---- Finding a type by its C name --------------------------------------- */

/* "struct game" -> structure "game"; "union u"; else a typedef name. */
static unsigned wanted_tag(const char *type, const char **name)
{
    if (strncmp(type, "struct ", 7) == 0)
        return *name = type + 7, TAG_structure_type;
    if (strncmp(type, "union ", 6) == 0)
        return *name = type + 6, TAG_union_type;
    if (strncmp(type, "class ", 6) == 0)
        return *name = type + 6, TAG_class_type;
    *name = type;
    return TAG_typedef;
}

/* Whether e is the definition asked for: its members' struct in *s. */
static int is_definition(unit *u, const die *e, unsigned tag, const char *name, uint64_t size,
                         die *s)
{
    /* A bare name is a typedef in C, and may be the struct's own name in
     * C++ (struct game; TYPE(game)). */
    int own_name = tag == TAG_typedef && (e->tag == TAG_structure_type ||
                                          e->tag == TAG_union_type || e->tag == TAG_class_type);

    if ((e->tag != tag && !own_name) || !e->name || strcmp(e->name, name) != 0 || e->declaration)
        return 0;
    if (e->tag == TAG_typedef) {
        if (!e->has_type || strip_type(u, e->type, s) < 0)
            return 0;
        if (s->tag != TAG_structure_type && s->tag != TAG_union_type)
            return 0;
    } else {
        *s = *e;
    }
    return !s->declaration && s->has_size && s->size == size && s->children;
}

/* Searches one unit; 1 with the definition's offset if found. */
static int find_in_unit(unit *u, unsigned tag, const char *name, uint64_t size, uint64_t *at)
{
    cursor c;
    die e, s;
    int level = 0, err = 0;

    c.p = u->d->info.p + u->dies;
    c.end = u->d->info.p + u->end;
    c.bad = 0;
    while (c.p < c.end && (err = read_die(u, &c, &e)) == 0) {
        if (e.tag == 0) {
            level -= level > 0;
            continue;
        }
        if (e.split)
            ((hot__dwarf *)u->d)->split = 1;
        if (is_definition(u, &e, tag, name, size, &s)) {
            *at = s.offset;
            return 1;
        }
        if (e.children && ++level > DEPTH_MAX)
            return fail(u, "entries nested too deep", e.offset);
    }
    return c.p < c.end ? err : 0;
}

int hot__dwarf_members(hot__dwarf *d, const char *type, unsigned long size,
                       hot__dwarf_member_fn *each, void *ctx, char *msg, size_t msglen)
{
    uint64_t start = 0, at = 0;
    const char *name;
    unsigned tag = wanted_tag(type, &name);
    unit u;
    int found = 0, err = 0;

    msg[0] = '\0';
    while (!found && err == 0 && start < d->info.len) {
        if ((err = read_unit(d, start, &u, msg, msglen)) == 0) {
            d->split |= u.unit_type == UT_skeleton;
            if ((err = find_in_unit(&u, tag, name, size, &at)) == 1) {
                walk w;
                w.u = &u, w.each = each, w.ctx = ctx, w.count = 0, w.max = 4096;
                found = 1;
                err = members_of(&w, at, "", 0, 0);
            }
        }
        start = u.end;
        unit_free(&u);
    }
    return err < 0 ? err : found;
}

/* ---- Opening --------------------------------------------------------------- */

static int get(const unsigned char *buf, size_t size, const char *name, section *s, int *compressed)
{
    int c = 0;

    if (hot__elf_section(buf, size, name, &s->p, &s->len, &c) < 0)
        s->p = NULL, s->len = 0;
    *compressed |= c;
    return s->p != NULL;
}

int hot__dwarf_open(hot__dwarf **out, const unsigned char *buf, size_t size, char *msg,
                    size_t msglen)
{
    hot__dwarf d;
    int compressed = 0;

    *out = NULL;
    memset(&d, 0, sizeof d);
    if (!get(buf, size, ".debug_info", &d.info, &compressed) ||
        !get(buf, size, ".debug_abbrev", &d.abbrev, &compressed)) {
        snprintf(msg, msglen, "no debug info: built without -g, or stripped");
        return HOT_ENOTLIB;
    }
    get(buf, size, ".debug_str", &d.str, &compressed);
    get(buf, size, ".debug_line_str", &d.line_str, &compressed);
    get(buf, size, ".debug_str_offsets", &d.str_offsets, &compressed);
    if (compressed) {
        snprintf(msg, msglen, "compressed debug info (-gz) is not read");
        return HOT_ENOTLIB;
    }
    if (d.info.len >= 6 && (d.info.p[0] & d.info.p[1] & d.info.p[2] & d.info.p[3]) != 0xff)
        d.version = (unsigned)(d.info.p[4] | d.info.p[5] << 8);
    else if (d.info.len >= 14) /* the 64-bit format */
        d.version = (unsigned)(d.info.p[12] | d.info.p[13] << 8);
    if (!(*out = hot__calloc(1, sizeof d))) {
        snprintf(msg, msglen, "out of memory reading the debug info");
        return HOT_ENOMEM;
    }
    **out = d;
    return 0;
}

int hot__dwarf_split(const hot__dwarf *d)
{
    return d->split;
}

unsigned hot__dwarf_version(const hot__dwarf *d)
{
    return d->version;
}

void hot__dwarf_close(hot__dwarf *d)
{
    free(d);
}
