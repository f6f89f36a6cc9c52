/*
 * hot_keep_object's migration by field name (src/keep.c), on real structs:
 * a struct as the old program had it, saved with its layout as the
 * interface lists it, read back into the new program's struct. Each case
 * checks every field's value: copied, kept at its initial value, or dropped.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

/* The old program's struct and the new one's, as two listed types. */
struct old_game {
    int lives;
    float speed;   /* retyped to int (same size) */
    short level;   /* resized to long */
    int removed;   /* gone in the new one */
    struct {
        int x, y;
    } pos;
    double score;  /* moved to the front */
    char name[8];
};

struct new_game {
    double score;
    int lives;
    int speed;
    long level;
    int added;     /* new */
    struct {
        int y, x;  /* reordered inside the nested struct */
    } pos;
    char name[8];
};

#define FIELD(T, f) {#T, #f, offsetof(T, f), sizeof(((T *)0)->f)},
#define KIND(T, f) HOT__FIELD_KIND(T, f)
#define OLD_FIELDS(F)                                                         \
    F(struct old_game, lives) F(struct old_game, speed) F(struct old_game, level) \
    F(struct old_game, removed) F(struct old_game, pos) F(struct old_game, pos.x) \
    F(struct old_game, pos.y) F(struct old_game, score) F(struct old_game, name)
#define NEW_FIELDS(F)                                                         \
    F(struct new_game, score) F(struct new_game, lives) F(struct new_game, speed) \
    F(struct new_game, level) F(struct new_game, added) F(struct new_game, pos) \
    F(struct new_game, pos.y) F(struct new_game, pos.x) F(struct new_game, name)

static const hot_type_desc old_types[] = {{"struct game", sizeof(struct old_game), 8}};
static const hot_field_desc old_fields[] = {OLD_FIELDS(FIELD)};
static const unsigned char old_kinds[] = {OLD_FIELDS(KIND)};
static const hot_type_desc new_types[] = {{"struct game", sizeof(struct new_game), 8}};
static const hot_field_desc new_fields[] = {NEW_FIELDS(FIELD)};
static const unsigned char new_kinds[] = {NEW_FIELDS(KIND)};

static hot_manifest manifest_of(const hot_type_desc *types, const hot_field_desc *fields,
                                unsigned n_fields)
{
    hot_manifest m;

    memset(&m, 0, sizeof m);
    m.n_types = 1;
    m.types = types;
    m.n_fields = n_fields;
    m.fields = fields;
    return m;
}

/* The field names are those of struct game in both programs. */
static void rename_type(hot_field_desc *fields, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        fields[i].type = "struct game";
}

static void layouts(hot__kept_layout *was, hot__kept_layout *now, int with_kinds)
{
    static hot_field_desc of[sizeof old_fields / sizeof old_fields[0]];
    static hot_field_desc nf[sizeof new_fields / sizeof new_fields[0]];
    hot_manifest om, nm;

    memcpy(of, old_fields, sizeof of);
    memcpy(nf, new_fields, sizeof nf);
    rename_type(of, sizeof of / sizeof of[0]);
    rename_type(nf, sizeof nf / sizeof nf[0]);
    om = manifest_of(old_types, of, sizeof of / sizeof of[0]);
    nm = manifest_of(new_types, nf, sizeof nf / sizeof nf[0]);
    ASSERT_EQ(hot__kept_layout_from_manifest(was, &om, "struct game", with_kinds ? old_kinds : NULL),
              0);
    ASSERT_EQ(hot__kept_layout_from_manifest(now, &nm, "struct game", with_kinds ? new_kinds : NULL),
              0);
}

static struct old_game saved_game(void)
{
    struct old_game g;

    memset(&g, 0, sizeof g);
    g.lives = 3;
    g.speed = 2.5f;
    g.level = 300;
    g.removed = 99;
    g.pos.x = 11;
    g.pos.y = -12;
    g.score = 1234.5;
    memcpy(g.name, "alice", 6);
    return g;
}

static struct new_game initial_game(void)
{
    struct new_game g;

    memset(&g, 0xee, sizeof g); /* padding too: it must stay as it was */
    g.score = -1;
    g.lives = -2;
    g.speed = -3;
    g.level = -4;
    g.added = 555;
    g.pos.x = -5;
    g.pos.y = -6;
    memcpy(g.name, "nobody", 7);
    return g;
}

TEST(keep, fields_carried_by_name)
{
    hot__kept_layout was, now;
    struct old_game old = saved_game();
    struct new_game g = initial_game();
    char warn[1024];

    layouts(&was, &now, 1);
    hot__kept_migrate(&was, (const unsigned char *)&old, &now, &g, warn, sizeof warn);
    ASSERT(g.score == 1234.5);           /* moved: copied by name */
    ASSERT_EQ(g.lives, 3);               /* same place: copied */
    ASSERT_EQ(g.speed, -3);              /* float -> int: initial value */
    ASSERT_EQ(g.level, -4);              /* short -> long: initial value */
    ASSERT_EQ(g.added, 555);             /* new: initial value */
    ASSERT_EQ(g.pos.x, 11);              /* nested, reordered: by name */
    ASSERT_EQ(g.pos.y, -12);
    ASSERT_STR_EQ(g.name, "alice");      /* an array of the same size */
    ASSERT_CONTAINS(warn, "field speed: type changed");
    ASSERT_CONTAINS(warn, "field level: size changed 2 -> 8 bytes");
    ASSERT_NOT_CONTAINS(warn, "lives");
    ASSERT_NOT_CONTAINS(warn, "removed"); /* dropped, nothing to say */
    ASSERT_NOT_CONTAINS(warn, "added");
    hot__kept_layout_free(&was);
    hot__kept_layout_free(&now);
}

/* Bytes no listed field covers (padding here) keep the new program's. */
TEST(keep, unlisted_bytes_keep_initial)
{
    hot__kept_layout was, now;
    struct old_game old = saved_game();
    struct new_game g = initial_game(), want = initial_game();
    char warn[1024];
    size_t pad = offsetof(struct new_game, added) + sizeof g.added;

    layouts(&was, &now, 1);
    hot__kept_migrate(&was, (const unsigned char *)&old, &now, &g, warn, sizeof warn);
    if (pad < offsetof(struct new_game, pos)) /* padding after added */
        ASSERT_EQ(memcmp((char *)&g + pad, (char *)&want + pad,
                         offsetof(struct new_game, pos) - pad),
                  0);
    hot__kept_layout_free(&was);
    hot__kept_layout_free(&now);
}

/* A compiler that cannot say a field's type class: the size still decides,
 * and a same-size retype is then copied (documented). */
TEST(keep, without_type_classes_size_decides)
{
    hot__kept_layout was, now;
    struct old_game old = saved_game();
    struct new_game g = initial_game();
    char warn[1024];

    layouts(&was, &now, 0);
    hot__kept_migrate(&was, (const unsigned char *)&old, &now, &g, warn, sizeof warn);
    ASSERT_EQ(g.level, -4);
    ASSERT_EQ(g.lives, 3);
    ASSERT(memcmp(&g.speed, &old.speed, sizeof g.speed) == 0);
    ASSERT_NOT_CONTAINS(warn, "speed");
    hot__kept_layout_free(&was);
    hot__kept_layout_free(&now);
}

/* A nested struct whose size changed: the whole is not copied, its listed
 * fields are, one by one. */
TEST(keep, nested_struct_resized_fields_carried)
{
    struct a {
        int hp;
        struct {
            int x, y;
        } pos;
    } old = {7, {1, 2}};
    struct b {
        struct {
            int y;
            int z;
            int x;
        } pos;
        int hp;
    } g = {{-1, -2, -3}, -4};
    static const hot_type_desc ta[] = {{"struct s", sizeof(struct a), 4}};
    static const hot_type_desc tb[] = {{"struct s", sizeof(struct b), 4}};
    const hot_field_desc fa[] = {{"struct s", "hp", offsetof(struct a, hp), sizeof(int)},
                                 {"struct s", "pos", offsetof(struct a, pos), sizeof old.pos},
                                 {"struct s", "pos.x", offsetof(struct a, pos.x), sizeof(int)},
                                 {"struct s", "pos.y", offsetof(struct a, pos.y), sizeof(int)}};
    const hot_field_desc fb[] = {{"struct s", "pos", offsetof(struct b, pos), sizeof g.pos},
                                 {"struct s", "pos.y", offsetof(struct b, pos.y), sizeof(int)},
                                 {"struct s", "pos.z", offsetof(struct b, pos.z), sizeof(int)},
                                 {"struct s", "pos.x", offsetof(struct b, pos.x), sizeof(int)},
                                 {"struct s", "hp", offsetof(struct b, hp), sizeof(int)}};
    hot_manifest ma = manifest_of(ta, fa, 4), mb = manifest_of(tb, fb, 5);
    hot__kept_layout was, now;
    char warn[1024];

    ASSERT_EQ(hot__kept_layout_from_manifest(&was, &ma, "struct s", NULL), 0);
    ASSERT_EQ(hot__kept_layout_from_manifest(&now, &mb, "struct s", NULL), 0);
    hot__kept_migrate(&was, (const unsigned char *)&old, &now, &g, warn, sizeof warn);
    ASSERT_EQ(g.hp, 7);
    ASSERT_EQ(g.pos.x, 1);
    ASSERT_EQ(g.pos.y, 2);
    ASSERT_EQ(g.pos.z, -2); /* new: initial */
    ASSERT_CONTAINS(warn, "field pos: size changed 8 -> 12 bytes");
    hot__kept_layout_free(&was);
    hot__kept_layout_free(&now);
}

/* A saved field that claims bytes outside its saved object (a damaged
 * file) is never read. */
TEST(keep, saved_field_outside_object_refused)
{
    static const hot_type_desc t[] = {{"struct s", 8, 4}};
    const hot_field_desc bad[] = {{"struct s", "hp", 6, 4}};
    const hot_field_desc good[] = {{"struct s", "hp", 0, 4}};
    hot_manifest mb = manifest_of(t, bad, 1), mg = manifest_of(t, good, 1);
    hot__kept_layout was, now;
    unsigned char saved[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int g = -1;
    char warn[256];

    ASSERT_EQ(hot__kept_layout_from_manifest(&was, &mb, "struct s", NULL), 0);
    ASSERT_EQ(hot__kept_layout_from_manifest(&now, &mg, "struct s", NULL), 0);
    now.size = sizeof g;
    hot__kept_migrate(&was, saved, &now, &g, warn, sizeof warn);
    ASSERT_EQ(g, -1);
    ASSERT_CONTAINS(warn, "field hp: saved outside its object");
    hot__kept_layout_free(&was);
    hot__kept_layout_free(&now);
}

TEST(keep, unlisted_type_not_found)
{
    hot_manifest m = manifest_of(old_types, old_fields, 1);
    hot__kept_layout l;

    ASSERT_EQ(hot__kept_layout_from_manifest(&l, &m, "struct nope", NULL), HOT_ENOENT);
    hot__kept_layout_free(&l);
}

/* The saved text round trip: garbage and truncated files are refused
 * whole, never half-read. */
TEST(keep, decode_refuses_damaged_text)
{
    hot__keep *k = hot__keep_new();
    char good[] = "hotreload-kept 1\nobject 4 1 struct s\nfield 0 4 1 hp\nbytes 07000000\n";
    char short_bytes[] = "hotreload-kept 1\nobject 4 1 struct s\nfield 0 4 1 hp\nbytes 0700\n";
    char no_field[] = "hotreload-kept 1\nobject 4 2 struct s\nfield 0 4 1 hp\nbytes 07000000\n";
    char bad_hex[] = "hotreload-kept 1\nobject 4 1 struct s\nfield 0 4 1 hp\nbytes 07zz0000\n";
    char other[] = "ticks=5\n";

    ASSERT(k != NULL);
    ASSERT_EQ(hot__keep_decode(k, good), 0);
    ASSERT_EQ(hot__keep_decode(k, short_bytes), HOT_EINVAL);
    ASSERT_EQ(hot__keep_decode(k, no_field), HOT_EINVAL);
    ASSERT_EQ(hot__keep_decode(k, bad_hex), HOT_EINVAL);
    ASSERT_EQ(hot__keep_decode(k, other), HOT_EINVAL);
    hot__keep_free(k);
}

/* HOT_STRUCT text laid out as the compiler lays out the same struct. */
TEST(keep, definition_laid_out_as_compiled)
{
    struct real {
        char c;
        double d;
        unsigned short s[3];
        char *p;
        long long q;
        _Bool b;
    };
    const char *text = "{ char c; double d; unsigned  short s [3]; char *p; long long q; _Bool b; }";
    hot__kept_layout l;

    ASSERT_EQ(hot__kept_layout_from_definition(&l, "struct real", text, sizeof(struct real),
                                               offsetof(struct { char c; struct real r; }, r)),
              0);
    ASSERT_EQ(l.n, 6);
    ASSERT_STR_EQ(l.fields[2].name, "s");
    ASSERT_EQ(l.fields[0].offset, offsetof(struct real, c));
    ASSERT_EQ(l.fields[1].offset, offsetof(struct real, d));
    ASSERT_EQ(l.fields[2].offset, offsetof(struct real, s));
    ASSERT_EQ(l.fields[2].size, sizeof(unsigned short) * 3);
    ASSERT_EQ(l.fields[3].offset, offsetof(struct real, p));
    ASSERT_EQ(l.fields[4].offset, offsetof(struct real, q));
    ASSERT_EQ(l.fields[5].offset, offsetof(struct real, b));
    ASSERT_NE(l.fields[0].kind, l.fields[5].kind); /* char and _Bool: both 1 byte */
    hot__kept_layout_free(&l);
}

/* What the text cannot say is refused, never guessed: unknown types,
 * bit-fields, several declarators, a size the compiler did not give. */
TEST(keep, definition_refused_when_unsure)
{
    hot__kept_layout l;

    ASSERT_EQ(hot__kept_layout_from_definition(&l, "s", "{ my_t x; }", 4, 4), HOT_EINVAL);
    hot__kept_layout_free(&l);
    ASSERT_EQ(hot__kept_layout_from_definition(&l, "s", "{ int x : 3; }", 4, 4), HOT_EINVAL);
    hot__kept_layout_free(&l);
    ASSERT_EQ(hot__kept_layout_from_definition(&l, "s", "{ int x, y; }", 8, 4), HOT_EINVAL);
    hot__kept_layout_free(&l);
    ASSERT_EQ(hot__kept_layout_from_definition(&l, "s", "{ int x; int y; }", 12, 4), HOT_EINVAL);
    hot__kept_layout_free(&l);
    ASSERT_EQ(hot__kept_layout_from_definition(&l, "s", "{ struct v pos; }", 8, 4), HOT_EINVAL);
    hot__kept_layout_free(&l);
    ASSERT_EQ(hot__kept_layout_from_definition(&l, "s", "{ int x; int y; }", 8, 4), 0);
    hot__kept_layout_free(&l);
}

/* ---- hot_manifest_uncovered (src/coverage.c) ------------------------------ */

struct cov_three {
    int a, b, c;
};
struct cov_pad {
    char a;
    long c;
};
struct cov_hidden {
    char a;
    char b; /* fits where padding could be: not seen */
    long c;
};
struct cov_tail {
    long a;
    int b;
};

static int uncovered(const char *type, unsigned long size, unsigned long align,
                     const hot_field_desc *fields, unsigned n, char *out, size_t len)
{
    hot_type_desc t;
    hot_manifest m;

    t.name = type;
    t.size = size;
    t.align = align;
    m = manifest_of(&t, fields, n);
    return hot_manifest_uncovered(&m, out, len);
}

TEST(coverage, middle_field_left_out)
{
    const hot_field_desc f[] = {{"s", "a", 0, 4}, {"s", "c", 8, 4}};
    char out[512];

    ASSERT_EQ(uncovered("s", sizeof(struct cov_three), 4, f, 2, out, sizeof out), 1);
    ASSERT_STR_EQ(out, "s: bytes 4..7 (4) are in no listed field: a FIELD is missing\n");
}

TEST(coverage, last_field_left_out)
{
    const hot_field_desc f[] = {{"s", "a", 0, 8}};
    char out[512];

    ASSERT_EQ(uncovered("s", sizeof(struct cov_tail), 8, f, 1, out, sizeof out), 1);
    ASSERT_CONTAINS(out, "s: bytes 8..15 (8)");
}

TEST(coverage, padding_is_not_a_field)
{
    const hot_field_desc f[] = {{"s", "a", offsetof(struct cov_pad, a), 1},
                                {"s", "c", offsetof(struct cov_pad, c), sizeof(long)}};
    char out[512];

    ASSERT_EQ(uncovered("s", sizeof(struct cov_pad), sizeof(long), f, 2, out, sizeof out), 0);
    ASSERT_STR_EQ(out, "");
}

/* The documented blind spot: a field that fits where padding could be. */
TEST(coverage, field_in_padding_not_seen)
{
    const hot_field_desc f[] = {{"s", "a", offsetof(struct cov_hidden, a), 1},
                                {"s", "c", offsetof(struct cov_hidden, c), sizeof(long)}};
    char out[512];

    ASSERT_EQ(uncovered("s", sizeof(struct cov_hidden), sizeof(long), f, 2, out, sizeof out), 0);
}

/* Nested paths do not count as covering; the whole field does. */
TEST(coverage, paths_and_overlaps)
{
    const hot_field_desc f[] = {{"s", "pos", 0, 8}, {"s", "pos.x", 0, 4}, {"s", "n", 8, 4}};
    const hot_field_desc only_path[] = {{"s", "pos.x", 0, 4}, {"s", "n", 8, 4}};
    char out[512];

    ASSERT_EQ(uncovered("s", 12, 4, f, 3, out, sizeof out), 0);
    ASSERT_EQ(uncovered("s", 12, 4, only_path, 2, out, sizeof out), 1);
    ASSERT_CONTAINS(out, "s: bytes 0..7 (8)");
}
