/*
 * Renaming a needed library in place (src/elf.c, for src/deps.c): the
 * DT_NEEDED string of the library and the SONAME of the dependency become a
 * unique name of the same length, and nothing else in the file changes; a
 * name that shares the renamed string's tail refuses the rename.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "internal.h"

static unsigned char *fixture_bytes(const char *name, size_t *len)
{
    char path[512];
    unsigned char *buf;
    FILE *f;
    long size;

    snprintf(path, sizeof path, "%s/lib%s.so", FIXTURE_DIR, name);
    if (!(f = fopen(path, "rb")))
        FAIL("fixture %s is missing: was the build run?", path);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    buf = malloc((size_t)size);
    ASSERT(buf && fread(buf, 1, (size_t)size, f) == (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static int needs(const unsigned char *b, size_t len, const char *name)
{
    hot__elf_dyn dyn;
    unsigned i;

    ASSERT_EQ(hot__elf_dynamic(b, len, &dyn), 0);
    for (i = 0; i < dyn.n_needed; i++) {
        if (strcmp(dyn.needed[i], name) == 0)
            return 1;
    }
    return 0;
}

TEST(unit, rename_needed_in_place)
{
    size_t len, i, changed = 0;
    unsigned char *b = fixture_bytes("fx_origin", &len);
    unsigned char *before = malloc(len);

    ASSERT(before);
    memcpy(before, b, len);
    ASSERT(needs(b, len, "libfxdep.so"));
    ASSERT(hot__elf_rename_needed(b, len, "libfxdep.so", "li~00000001") >= 1);
    ASSERT(needs(b, len, "li~00000001"));
    ASSERT(!needs(b, len, "libfxdep.so"));
    for (i = 0; i < len; i++)
        changed += b[i] != before[i];
    ASSERT(changed > 0 && changed <= 11 * 8); /* only the name's bytes */
    ASSERT_EQ(hot__elf_rename_needed(b, len, "li~00000001", "short"), 0);
    free(before);
    free(b);
}

TEST(unit, rename_soname_in_place)
{
    size_t len;
    unsigned char *b = fixture_bytes("fxdep", &len);
    hot__elf_dyn dyn;

    ASSERT(hot__elf_rename_needed(b, len, "libfxdep.so", "li~00000002") >= 1);
    ASSERT_EQ(hot__elf_dynamic(b, len, &dyn), 0);
    ASSERT(dyn.soname && strcmp(dyn.soname, "li~00000002") == 0);
    free(b);
}

/* The SONAME's string offset, and the dynamic symbol named `name`. */
static void find_names(unsigned char *b, Elf64_Word *soname, Elf64_Sym **sym, const char *name)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
    Elf64_Shdr *sh = (Elf64_Shdr *)(b + eh->e_shoff);
    int i;

    *soname = 0;
    *sym = NULL;
    for (i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type == SHT_DYNAMIC) {
            Elf64_Dyn *d = (Elf64_Dyn *)(b + sh[i].sh_offset);
            for (; d->d_tag != DT_NULL; d++)
                if (d->d_tag == DT_SONAME)
                    *soname = (Elf64_Word)d->d_un.d_val;
        } else if (sh[i].sh_type == SHT_DYNSYM) {
            Elf64_Sym *s = (Elf64_Sym *)(b + sh[i].sh_offset);
            const char *str = (const char *)b + sh[sh[i].sh_link].sh_offset;
            size_t n = sh[i].sh_size / sizeof *s, j;
            for (j = 0; j < n; j++)
                if (strcmp(str + s[j].st_name, name) == 0)
                    *sym = &s[j];
        }
    }
}

/* A linker that shares tails could point a symbol's name inside the
 * SONAME ("dep.so" inside "libfxdep.so"): renaming would rename it too. */
TEST(unit, rename_refused_when_a_name_shares_the_tail)
{
    size_t len;
    unsigned char *b = fixture_bytes("fxdep", &len);
    Elf64_Word soname;
    Elf64_Sym *sym;

    if (b[EI_CLASS] != ELFCLASS64)
        SKIP("the fixture is not ELF64");
    find_names(b, &soname, &sym, "fxdep_value");
    ASSERT(soname != 0 && sym != NULL);
    sym->st_name = soname + 5; /* "dep.so" */
    ASSERT_EQ(hot__elf_rename_needed(b, len, "libfxdep.so", "li~00000003"), 0);
    free(b);
}
