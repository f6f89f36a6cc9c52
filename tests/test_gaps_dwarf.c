/*
 * The field check by name (src/dwarf.c, src/coverage.c): the members of a
 * listed struct read from the library's DWARF, and what happens when that
 * debug info cannot be read (the layout check, saying why). The fixture is
 * libpc_v1.so, built with -g by hotreload_add_library: struct pc_state
 * lists first and last, not forgotten.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"
#include "pc_api.h"

static unsigned char *read_fixture(size_t *size)
{
    unsigned char *buf = NULL;
    char msg[512];

    if (hot__fs_read_all(FIXTURE_DIR "/libpc_v1.so", &buf, size, msg, sizeof msg) < 0)
        return NULL;
    return buf;
}

/* The manifest the fixture's host is compiled with. */
static const hot_manifest *pc_manifest(void)
{
    return HOT_IFACE(pc)->expected;
}

TEST(gaps_dwarf, forgotten_member_named)
{
    size_t size;
    unsigned char *buf = read_fixture(&size);
    char out[1024], how[512];

    ASSERT(buf != NULL);
    ASSERT_EQ(hot__uncovered_named(pc_manifest(), buf, size, out, sizeof out, how, sizeof how), 1);
    ASSERT_STR_EQ(out, "struct pc_state: field 'forgotten' (offset 8, 8 bytes) is not listed: "
                       "a FIELD is missing\n");
    ASSERT_CONTAINS(how, "name against the debug info (DWARF ");
    free(buf);
}

/* The bytes of the first attribute form of the first abbreviation. */
static unsigned char *first_form(unsigned char *buf, size_t size)
{
    const unsigned char *abbrev;
    size_t len;
    int compressed, skip;
    unsigned char *p;

    if (hot__elf_section(buf, size, ".debug_abbrev", &abbrev, &len, &compressed) < 0 || len < 8)
        return NULL;
    p = buf + (abbrev - buf);
    /* code, tag (ULEB128 each), children (a byte), then the attribute */
    for (skip = 0; skip < 2; skip++)
        while (*p++ & 0x80)
            ;
    p++;
    while (*p++ & 0x80)
        ;
    return p;
}

/* A form this reader does not know: it stops, names it, and the layout
 * check runs instead (which sees the 8 bytes of forgotten). */
TEST(gaps_dwarf, unknown_form_fails_closed)
{
    size_t size;
    unsigned char *buf = read_fixture(&size), *form;
    char out[1024], how[512];

    ASSERT(buf != NULL);
    ASSERT((form = first_form(buf, size)) != NULL);
    *form = 0x7f; /* no DW_FORM has this value */
    ASSERT_EQ(hot__uncovered_named(pc_manifest(), buf, size, out, sizeof out, how, sizeof how), 1);
    ASSERT_CONTAINS(how, "layout only (debug info: form 0x7f not read at .debug_info+0x");
    ASSERT_CONTAINS(out, "struct pc_state: bytes 8..15 (8) are in no listed field");
    free(buf);
}

/* Debug info cut short: the unit's length runs past the section. */
TEST(gaps_dwarf, cut_short_fails_closed)
{
    size_t size, len;
    unsigned char *buf = read_fixture(&size);
    const unsigned char *info;
    char out[1024], how[512];
    int compressed;

    ASSERT(buf != NULL);
    ASSERT_EQ(hot__elf_section(buf, size, ".debug_info", &info, &len, &compressed), 0);
    memset(buf + (info - buf), 0x7e, 4); /* a unit of 0x7e7e7e7e bytes */
    ASSERT_EQ(hot__uncovered_named(pc_manifest(), buf, size, out, sizeof out, how, sizeof how), 1);
    ASSERT_CONTAINS(how, "layout only (debug info: unit cut short at .debug_info+0x0)");
    free(buf);
}

/* Through the public API, as `hotreload check` calls it. */
TEST(gaps_dwarf, public_api_names_it)
{
    hot_library_info *info = NULL;
    char out[1024], how[512];

    ASSERT_EQ(hot_inspect(&info, FIXTURE_DIR "/libpc_v1.so"), 0);
    ASSERT_EQ(hot_info_uncovered(info, out, sizeof out, how, sizeof how), 1);
    ASSERT_CONTAINS(out, "field 'forgotten' (offset 8, 8 bytes) is not listed");
    ASSERT_EQ(hot_info_uncovered(NULL, out, sizeof out, how, sizeof how), HOT_EINVAL);
    hot_info_free(info);
}
