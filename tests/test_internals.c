/*
 * Unit tests of the runtime's internals: signature normalisation, manifest
 * verification messages, the ELF completeness check and copy names. Linked
 * against the static runtime, whose internal symbols they can reach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "internal.h"

#ifndef FIXTURE_DIR
#  error "FIXTURE_DIR must name the folder of the fixture libraries"
#endif

/* ---- hot__normalize_signature --------------------------------------------- */

static void expect_normalized(const char *signature, const char *want)
{
    char out[512];

    memset(out, 'x', sizeof out);
    hot__normalize_signature(signature, out, sizeof out);
    ASSERT_STR_EQ(out, want);
}

TEST(unit, normalize_drops_parameter_names)
{
    expect_normalized("long (struct state *s, float dt)", "long (struct state *, float)");
}

/* Found by tests/fuzz: a ')' with no '(' once made the scan wrap around. */
TEST(unit, normalize_unbalanced_is_kept_as_is)
{
    expect_normalized("unsigned lo)", "unsigned lo)");
    expect_normalized(")", ")");
    expect_normalized("int x)) (", "int x)) (");
}

TEST(unit, normalize_struct_pointer)
{
    expect_normalized("void (struct state *s)", "void (struct state *)");
    expect_normalized("void (struct state*s)", "void (struct state *)");
    expect_normalized("void (struct   state  *  s)", "void (struct state *)");
}

TEST(unit, normalize_keeps_unnamed_parameters)
{
    expect_normalized("long (struct state *, float)", "long (struct state *, float)");
    expect_normalized("void (struct state)", "void (struct state)");
    expect_normalized("int (size_t)", "int (size_t)");
}

TEST(unit, normalize_const_char_pointer)
{
    expect_normalized("void (const char *msg)", "void (const char *)");
    expect_normalized("void (char const *msg)", "void (char const *)");
}

TEST(unit, normalize_multi_word_types)
{
    expect_normalized("unsigned long (unsigned long n)", "unsigned long (unsigned long)");
    expect_normalized("int (unsigned n, long long m)", "int (unsigned, long long)");
    expect_normalized("int (size_t n)", "int (size_t)");
}

TEST(unit, normalize_void)
{
    expect_normalized("void (void)", "void (void)");
    expect_normalized("long ()", "long ()");
}

TEST(unit, normalize_function_pointer_parameter)
{
    expect_normalized("void (void (*cb)(int))", "void (void (*)(int))");
    expect_normalized("void (void (*)(int))", "void (void (*)(int))");
    expect_normalized("int (int (*compare)(const void *, const void *), int n)",
                      "int (int (*)(const void *, const void *), int)");
}

TEST(unit, normalize_arrays)
{
    /* The form the join in verify.c documents: "int [4]". */
    expect_normalized("void (int v[4])", "void (int [4])");
    expect_normalized("void (int v[])", "void (int [])");
}

TEST(unit, normalize_arrays_compare_equal)
{
    char a[256], b[256];

    hot__normalize_signature("void (float m[16])", a, sizeof a);
    hot__normalize_signature("void (float matrix[16])", b, sizeof b);
    ASSERT_STR_EQ(a, b);
    hot__normalize_signature("void (float m[9])", b, sizeof b);
    ASSERT(strcmp(a, b) != 0);
}

/* The return type is normalised like a parameter, then one space. */
TEST(unit, normalize_pointer_return)
{
    expect_normalized("const char *(int code)", "const char * (int)");
    expect_normalized("struct state*(void)", "struct state * (void)");
}

TEST(unit, normalize_small_buffer_is_terminated)
{
    char out[8];

    memset(out, 'x', sizeof out);
    hot__normalize_signature("long (struct state *s, float dt)", out, sizeof out);
    ASSERT(memchr(out, '\0', sizeof out) != NULL);
}

TEST(unit, normalize_public_wrapper)
{
    char out[128];

    hot_signature_normalize("long (struct state *s, float dt)", out, sizeof out);
    ASSERT_STR_EQ(out, "long (struct state *, float)");
    hot_signature_normalize(NULL, out, sizeof out);
    ASSERT_STR_EQ(out, "");
}

/* ---- hot__verify ---------------------------------------------------------- */

static void dummy_fn(void) {}
static void other_fn(void) {}

/* A manifest like the host's, which each test bends into the library's. */
typedef struct manifest_parts {
    hot_fn_desc fns[3];
    hot_type_desc types[1];
    hot_field_desc fields[2];
    hot_manifest m;
} manifest_parts;

static void make_manifest(manifest_parts *p)
{
    static const hot_fn_desc fns[3] = {
        {"fx_step", "long (struct fx_state *s, float dt)", dummy_fn},
        {"fx_twice", "long (long n)", other_fn},
        {NULL, NULL, NULL}};
    static const hot_type_desc types[1] = {{"struct fx_state", 8, 4}};
    static const hot_field_desc fields[2] = {
        {"struct fx_state", "counter", 0, 4}, {"struct fx_state", "x", 4, 4}};

    memcpy(p->fns, fns, sizeof fns);
    memcpy(p->types, types, sizeof types);
    memcpy(p->fields, fields, sizeof fields);
    memset(&p->m, 0, sizeof p->m);
    p->m.magic = HOT_MANIFEST_MAGIC;
    p->m.abi = HOT_ABI_VERSION;
    p->m.interface_name = "fx";
    p->m.compiler = "gcc 12.2.0";
    p->m.data_model = HOT__DATA_MODEL;
    p->m.n_fns = 2;
    p->m.fns = p->fns;
    p->m.n_types = 1;
    p->m.types = p->types;
    p->m.n_fields = 2;
    p->m.fields = p->fields;
}

/* Verifies found against want; returns the code, messages in msg. */
static int verify(manifest_parts *want, manifest_parts *found, char *msg, size_t len)
{
    hot_fn table[3] = {NULL, NULL, NULL};
    return hot__verify(&want->m, &found->m, 0, table, msg, len);
}

static void expect_refusal(manifest_parts *want, manifest_parts *found, int code,
                           const char *first_line)
{
    char msg[2048];
    char *newline;
    int err = verify(want, found, msg, sizeof msg);

    if (err != code)
        FAIL("hot__verify: %s, expected %s (%s)", hot_errname(err), hot_errname(code), msg);
    newline = strchr(msg, '\n');
    if (newline)
        *newline = '\0';
    ASSERT_STR_EQ(msg, first_line);
}

TEST(unit, verify_accepts_equal_manifests)
{
    manifest_parts want, found;
    hot_fn table[3] = {NULL, NULL, NULL};
    char msg[256];

    make_manifest(&want);
    make_manifest(&found);
    found.fns[0].signature = "long (struct fx_state *state, float seconds)";
    ASSERT_EQ(hot__verify(&want.m, &found.m, 0, table, msg, sizeof msg), 0);
    ASSERT_STR_EQ(msg, "");
    ASSERT(table[0] == dummy_fn);
    ASSERT(table[1] == other_fn);
}

TEST(unit, verify_fills_table_in_host_order)
{
    manifest_parts want, found;
    hot_fn table[3] = {NULL, NULL, NULL};
    hot_fn_desc swapped;
    char msg[256];

    make_manifest(&want);
    make_manifest(&found);
    swapped = found.fns[0];
    found.fns[0] = found.fns[1];
    found.fns[1] = swapped;
    ASSERT_EQ(hot__verify(&want.m, &found.m, 0, table, msg, sizeof msg), 0);
    ASSERT(table[0] == dummy_fn);
    ASSERT(table[1] == other_fn);
}

TEST(unit, verify_signature_changed)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.fns[0].signature = "long (struct fx_state *s, double dt)";
    expect_refusal(&want, &found, HOT_EMISMATCH,
                   "fx_step: signature changed: (struct fx_state *, float) -> "
                   "(struct fx_state *, double)");
}

TEST(unit, verify_return_type_changed)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.fns[1].signature = "int (long n)";
    expect_refusal(&want, &found, HOT_EMISMATCH,
                   "fx_twice: signature changed: long (long) -> int (long)");
}

TEST(unit, verify_missing_function)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.m.n_fns = 1;
    expect_refusal(&want, &found, HOT_EMISMATCH, "fx_twice: missing from the library");
}

TEST(unit, verify_struct_size_changed)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.types[0].size = 16;
    found.types[0].align = 8;
    found.fields[1].offset = 8;
    found.fields[1].size = 8;
    expect_refusal(&want, &found, HOT_EMISMATCH, "struct fx_state: size changed: 8 -> 16 bytes");
}

TEST(unit, verify_field_offset_changed)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.fields[0].offset = 4; /* fields swapped, same size */
    found.fields[1].offset = 0;
    expect_refusal(&want, &found, HOT_EMISMATCH,
                   "struct fx_state.counter: offset changed: 0 -> 4");
}

TEST(unit, verify_field_size_changed)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.fields[1].size = 2;
    expect_refusal(&want, &found, HOT_EMISMATCH, "struct fx_state.x: size changed: 4 -> 2 bytes");
}

TEST(unit, verify_alignment_changed)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.types[0].align = 8;
    expect_refusal(&want, &found, HOT_EMISMATCH, "struct fx_state: alignment changed: 4 -> 8");
}

TEST(unit, verify_abi_mismatch)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.m.abi = 999;
    found.fns[0].signature = "nonsense"; /* not looked at: nothing else is trusted */
    expect_refusal(&want, &found, HOT_EABI,
                   "ABI mismatch: library built for hotreload ABI 999, host for ABI " HOT__STR(HOT_ABI_VERSION));
}

TEST(unit, verify_bad_magic)
{
    manifest_parts want, found;

    make_manifest(&want);
    make_manifest(&found);
    found.m.magic = 0xdeadbeef;
    expect_refusal(&want, &found, HOT_ENOMANIFEST, "manifest is corrupt (bad magic deadbeef)");
}

TEST(unit, verify_compiler_changed)
{
    manifest_parts want, found;
    char msg[512];

    make_manifest(&want);
    make_manifest(&found);
    found.m.compiler = "gcc 12.3.0"; /* same major version: accepted */
    ASSERT_EQ(verify(&want, &found, msg, sizeof msg), 0);
    found.m.compiler = "clang 14.0.6";
    expect_refusal(&want, &found, HOT_EABI, "compiler changed: gcc 12.2.0 -> clang 14.0.6");
    ASSERT_EQ(hot__verify(&want.m, &found.m, 1, NULL, msg, sizeof msg), 0);
}

TEST(unit, verify_new_type_and_field)
{
    manifest_parts want, found;
    char msg[1024];

    make_manifest(&want);
    make_manifest(&found);
    want.m.n_fields = 1; /* the host knows only counter */
    ASSERT_EQ(verify(&want, &found, msg, sizeof msg), HOT_EMISMATCH);
    ASSERT_STR_EQ(msg, "struct fx_state.x: new field in the library");
    want.m.n_types = 0; /* the host shares no type at all */
    want.m.n_fields = 0;
    expect_refusal(&want, &found, HOT_EMISMATCH, "struct fx_state: new shared type in the library");
}

TEST(unit, verify_lists_every_reason)
{
    manifest_parts want, found;
    char msg[2048];

    make_manifest(&want);
    make_manifest(&found);
    found.fns[0].signature = "long (struct fx_state *s, double dt)";
    found.m.n_fns = 1;
    found.types[0].size = 16;
    ASSERT_EQ(verify(&want, &found, msg, sizeof msg), HOT_EMISMATCH);
    ASSERT_STR_EQ(msg, "fx_step: signature changed: (struct fx_state *, float) -> "
                       "(struct fx_state *, double)\n"
                       "fx_twice: missing from the library\n"
                       "struct fx_state: size changed: 8 -> 16 bytes");
}

TEST(unit, verify_small_message_buffer)
{
    manifest_parts want, found;
    char msg[24];

    make_manifest(&want);
    make_manifest(&found);
    found.fns[0].signature = "long (struct fx_state *s, double dt)";
    found.m.n_fns = 1;
    memset(msg, 'x', sizeof msg);
    ASSERT_EQ(hot__verify(&want.m, &found.m, 0, NULL, msg, sizeof msg), HOT_EMISMATCH);
    ASSERT(memchr(msg, '\0', sizeof msg) != NULL);
    ASSERT_EQ(hot__verify(&want.m, &found.m, 0, NULL, NULL, 0), HOT_EMISMATCH);
}

TEST(unit, manifest_compare_public)
{
    manifest_parts want, found;
    char msg[256];

    make_manifest(&want);
    make_manifest(&found);
    ASSERT_EQ(hot_manifest_compare(&want.m, &found.m, 0, msg, sizeof msg), 0);
    ASSERT_EQ(hot_manifest_compare(NULL, &found.m, 0, msg, sizeof msg), HOT_EINVAL);
    found.m.n_fns = 1;
    ASSERT_EQ(hot_manifest_compare(&want.m, &found.m, 0, msg, sizeof msg), HOT_EMISMATCH);
    ASSERT_STR_EQ(msg, "fx_twice: missing from the library");
}

/* ---- hot__elf_check ------------------------------------------------------ */

static unsigned char *read_fixture(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    unsigned char *buf;
    long size;

    snprintf(path, sizeof path, "%s/lib%s.so", FIXTURE_DIR, name);
    f = fopen(path, "rb");
    if (!f)
        FAIL("fixture %s is missing: was the build run?", path);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
        FAIL("read %s", path);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Checks the first `cut` bytes in a buffer of exactly that size, so that
 * ASan sees any read past the end. */
static int check_prefix(const unsigned char *lib, size_t cut, char *msg, size_t msglen)
{
    unsigned char *copy = malloc(cut ? cut : 1);
    hot__content_id id;
    int err;

    memcpy(copy, lib, cut);
    err = hot__elf_check(copy, cut, hot__host_machine(), &id, msg, msglen);
    free(copy);
    return err;
}

TEST(unit, elf_accepts_real_library)
{
    size_t len;
    unsigned char *lib = read_fixture("fx_v1", &len);
    char msg[256] = "";

    ASSERT_EQ(check_prefix(lib, len, msg, sizeof msg), 0);
    free(lib);
}

TEST(unit, elf_empty)
{
    char msg[256] = "";

    ASSERT_EQ(hot__elf_check((const unsigned char *)"", 0, hot__host_machine(),
                             &(hot__content_id){{0}, 0}, msg, sizeof msg), HOT_EINCOMPLETE);
    ASSERT_CONTAINS(msg, "empty");
}

TEST(unit, elf_garbage)
{
    static const char text[] = "#!/bin/sh\necho this is not a library\n";
    char msg[256] = "";
    hot__content_id id;

    ASSERT_EQ(hot__elf_check((const unsigned char *)text, sizeof text - 1, hot__host_machine(),
                             &id, msg, sizeof msg), HOT_ENOTLIB);
    ASSERT_CONTAINS(msg, "not an ELF");
}

TEST(unit, elf_not_shared_object)
{
    size_t len;
    unsigned char *lib = read_fixture("fx_v1", &len);
    char msg[256] = "";
    hot__content_id id;

    lib[16] = 2; /* e_type: ET_EXEC */
    ASSERT_EQ(hot__elf_check(lib, len, hot__host_machine(), &id, msg, sizeof msg), HOT_ENOTLIB);
    ASSERT_CONTAINS(msg, "not a shared library");
    free(lib);
}

TEST(unit, elf_other_machine)
{
    size_t len;
    unsigned char *lib = read_fixture("fx_v1", &len);
    char msg[256] = "";
    hot__content_id id;

    lib[18] = 183;
    lib[19] = 0;
    ASSERT_EQ(hot__elf_check(lib, len, hot__host_machine(), &id, msg, sizeof msg), HOT_EARCH);
    ASSERT_CONTAINS(msg, "aarch64");
    free(lib);
}

/* Every cut of a real library must be refused (never accepted, never a
 * crash), as incomplete or as not a library. */
TEST(unit, elf_truncated_everywhere)
{
    size_t len, cut;
    unsigned char *lib = read_fixture("fx_v1", &len);
    char msg[256];
    int err, incomplete = 0;

    for (cut = 0; cut < len; cut += cut < 256 ? 1 : 97) {
        msg[0] = '\0';
        err = check_prefix(lib, cut, msg, sizeof msg);
        if (err != HOT_EINCOMPLETE && err != HOT_ENOTLIB)
            FAIL("cut at %lu of %lu: %s (%s)", (unsigned long)cut, (unsigned long)len,
                 hot_errname(err), msg);
        incomplete += err == HOT_EINCOMPLETE;
    }
    ASSERT_GT(incomplete, 0);
    free(lib);
}

/* A prefix of a real library is an incomplete library: the watcher waits
 * for the rest instead of refusing it. Cuts inside the ELF header too. */
TEST(unit, elf_prefix_is_incomplete)
{
    static const size_t cuts[] = {1, 3, 4, 16, 19, 20, 32, 63, 64, 200, 1000};
    size_t len, i;
    unsigned char *lib = read_fixture("fx_v1", &len);
    char msg[256];

    for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        int err = check_prefix(lib, cuts[i], msg, sizeof msg);
        if (err != HOT_EINCOMPLETE)
            FAIL("cut at %lu: %s (%s), expected HOT_EINCOMPLETE", (unsigned long)cuts[i],
                 hot_errname(err), msg);
    }
    for (i = len / 4; i < len; i += len / 4) {
        ASSERT_EQ(check_prefix(lib, i, msg, sizeof msg), HOT_EINCOMPLETE);
        ASSERT_CONTAINS(msg, "truncated");
    }
    free(lib);
}

TEST(unit, elf_section_headers_cut)
{
    size_t len;
    unsigned char *lib = read_fixture("fx_v1", &len);
    char msg[256] = "";

    /* GNU ld writes the section headers last: losing the final byte loses
     * part of them. */
    ASSERT_EQ(check_prefix(lib, len - 1, msg, sizeof msg), HOT_EINCOMPLETE);
    ASSERT_CONTAINS(msg, "section headers");
    free(lib);
}

TEST(unit, elf_reads_build_id)
{
    static const unsigned char want[20] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
                                           0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
                                           0xcd, 0xef, 0x01, 0x23, 0x45, 0x67};
    size_t len;
    unsigned char *lib = read_fixture("fx_fixed_id", &len);
    hot__content_id id;
    char msg[256] = "";

    ASSERT_EQ(hot__elf_check(lib, len, hot__host_machine(), &id, msg, sizeof msg), 0);
    ASSERT_EQ(id.len, 20);
    ASSERT(memcmp(id.bytes, want, 20) == 0);
    free(lib);
}

TEST(unit, elf_no_build_id)
{
    size_t len;
    unsigned char *lib = read_fixture("fx_patch", &len);
    hot__content_id id;
    char msg[256] = "";

    id.len = 99;
    ASSERT_EQ(hot__elf_check(lib, len, hot__host_machine(), &id, msg, sizeof msg), 0);
    ASSERT_EQ(id.len, 0);
    free(lib);
}

TEST(unit, elf_build_ids_differ_between_builds)
{
    size_t len1, len2;
    unsigned char *a = read_fixture("fx_v1", &len1), *b = read_fixture("fx_v2", &len2);
    hot__content_id ia, ib;
    char msg[256];

    ASSERT_EQ(hot__elf_check(a, len1, hot__host_machine(), &ia, msg, sizeof msg), 0);
    ASSERT_EQ(hot__elf_check(b, len2, hot__host_machine(), &ib, msg, sizeof msg), 0);
    ASSERT_EQ(ia.len, 20);
    ASSERT(!hot__content_id_equal(&ia, &ib));
    free(a);
    free(b);
}

/* hot__elf_find_symbol reads section headers; with a lying e_shentsize it
 * must stay inside the buffer. */
TEST(unit, elf_find_symbol_bad_section_size)
{
    size_t len;
    unsigned char *lib = read_fixture("fx_v1", &len);
    unsigned char *copy;
    char name[128];
    uint64_t shoff = len - 1;
    int i;

    for (i = 0; i < 8; i++)
        lib[40 + i] = (unsigned char)(shoff >> (8 * i)); /* e_shoff: the last byte */
    lib[58] = 1; /* e_shentsize */
    lib[59] = 0;
    lib[60] = 1; /* e_shnum */
    lib[61] = 0;
    copy = malloc(len);
    memcpy(copy, lib, len);
    ASSERT_EQ(hot__elf_find_symbol(copy, len, "hot_manifest_", name, sizeof name), HOT_ENOMANIFEST);
    free(copy);
    free(lib);
}

TEST(unit, elf_find_manifest_symbol)
{
    size_t len;
    unsigned char *lib = read_fixture("fx_v1", &len);
    char name[128] = "";

    ASSERT_EQ(hot__elf_find_symbol(lib, len, "hot_manifest_", name, sizeof name), 0);
    ASSERT_STR_EQ(name, "hot_manifest_fx");
    free(lib);
    lib = read_fixture("fx_plain", &len);
    ASSERT_EQ(hot__elf_find_symbol(lib, len, "hot_manifest_", name, sizeof name), HOT_ENOMANIFEST);
    free(lib);
}

/* ---- Content identity without a build-id ------------------------------------ */

TEST(unit, content_hash_identity)
{
    static const unsigned char a[] = "some library bytes";
    static const unsigned char zeros[8] = {0};
    hot__content_id x, y, empty;

    hot__hash_content(a, sizeof a, &x);
    hot__hash_content(a, sizeof a, &y);
    ASSERT(hot__content_id_equal(&x, &y));
    hot__hash_content(a, sizeof a - 1, &y); /* one byte shorter */
    ASSERT(!hot__content_id_equal(&x, &y));
    hot__hash_content(zeros, 4, &x); /* appended zeros change it too */
    hot__hash_content(zeros, 8, &y);
    ASSERT(!hot__content_id_equal(&x, &y));
    memset(&empty, 0, sizeof empty); /* "no identity" equals nothing */
    ASSERT(!hot__content_id_equal(&empty, &empty));
}

/* ---- Copy names ------------------------------------------------------------ */

static char *expand(const char *template_, const char *file, const char *stem)
{
    hot_lib lib;
    char *name;

    memset(&lib, 0, sizeof lib);
    lib.shadow_dir = (char *)"/shadow";
    lib.shadow_name = (char *)template_;
    lib.file = (char *)file;
    lib.stem = (char *)stem;
    lib.load_counter = 7;
    memcpy(lib.copy_uuid, "0123456789abcdef", 17);
    name = hot__expand_copy_name(&lib);
    ASSERT(name != NULL);
    return name;
}

static void expect_copy_name(const char *template_, const char *file, const char *stem,
                             const char *want)
{
    char *got = expand(template_, file, stem);
    ASSERT_STR_EQ(got, want);
    free(got);
}

TEST(unit, copy_name_default_template)
{
    char want[256];

    snprintf(want, sizeof want, "/shadow/libfx.%lu.7.0123456789abcdef.so", (unsigned long)getpid());
    expect_copy_name("{lib_name}.{pid}.{load_counter}.{uuid}", "libfx.so", "libfx", want);
}

TEST(unit, copy_name_each_placeholder)
{
    char want[256];

    expect_copy_name("{lib_name}", "libfx.so", "libfx", "/shadow/libfx.so");
    expect_copy_name("v{load_counter}", "libfx.so", "libfx", "/shadow/v7.so");
    expect_copy_name("{uuid}", "libfx.so", "libfx", "/shadow/0123456789abcdef.so");
    snprintf(want, sizeof want, "/shadow/p%lu.so", (unsigned long)getpid());
    expect_copy_name("p{pid}", "libfx.so", "libfx", want);
}

TEST(unit, copy_name_keeps_suffix_once)
{
    expect_copy_name("{lib_name}-{load_counter}.so", "libfx.so", "libfx", "/shadow/libfx-7.so");
    expect_copy_name("{lib_name}.so.{load_counter}", "libfx.so", "libfx", "/shadow/libfx.so.7");
}

TEST(unit, copy_name_unknown_placeholder_kept)
{
    expect_copy_name("{nope}-{load_counter}", "libfx.so", "libfx", "/shadow/{nope}-7.so");
    expect_copy_name("{lib_name", "libfx.so", "libfx", "/shadow/{lib_name.so");
}

TEST(unit, copy_name_file_without_suffix)
{
    expect_copy_name("{lib_name}.{load_counter}", "fxlib", "fxlib", "/shadow/fxlib.7");
}
