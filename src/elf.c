/*
 * Is this buffer a complete shared object for this machine? Linkers write
 * the program headers, the segments and the section headers at different
 * times; a file is complete when all three lie inside it. Also reads the GNU
 * build-id, which identifies the content without hashing it.
 * Pure parsing of bytes: no system calls.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ET_DYN 3
#define PT_LOAD 1
#define PT_NOTE 4
#define NT_GNU_BUILD_ID 3
#define PN_XNUM 0xffff /* the real count is in section header 0 */

/* The fields we need, whatever the class. */
typedef struct elf_header {
    int is64;
    unsigned type, machine;
    uint64_t phoff, shoff;
    unsigned phentsize, phnum, shentsize, shnum;
} elf_header;

static uint64_t rd(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    size_t i;
    for (i = 0; i < n; i++) /* little-endian files only: see host_endian */
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static const char *machine_name(unsigned m)
{
    switch (m) {
    case 3: return "i386";
    case 8: return "mips";
    case 20: return "ppc";
    case 21: return "ppc64";
    case 22: return "s390";
    case 40: return "arm";
    case 62: return "x86-64";
    case 183: return "aarch64";
    case 243: return "riscv";
    default: return "unknown";
    }
}

static int starts_with_zeros(const unsigned char *b, size_t size)
{
    size_t i, n = size < 4 ? size : 4;

    for (i = 0; i < n && b[i] == 0; i++)
        ;
    return i == n;
}

static int parse_header(const unsigned char *b, size_t size, elf_header *h, char *msg,
                        size_t msglen)
{
    if (size == 0) {
        snprintf(msg, msglen, "empty file (0 bytes): still being written?");
        return HOT_EINCOMPLETE;
    }
    if (starts_with_zeros(b, size)) {
        /* GNU ld writes the ELF header last: the start of its output stays
         * zero until the end. */
        snprintf(msg, msglen, "starts with zeros: still being written?");
        return HOT_EINCOMPLETE;
    }
    if (memcmp(b, "\177ELF", size < 4 ? size : 4) != 0) {
        snprintf(msg, msglen, "not an ELF shared library (starts with %02x %02x %02x %02x)", b[0],
                 size > 1 ? b[1] : 0, size > 2 ? b[2] : 0, size > 3 ? b[3] : 0);
        return HOT_ENOTLIB;
    }
    if (size < 20) { /* the start of an ELF file: its writer is still at it */
        snprintf(msg, msglen, "truncated: %lu bytes, shorter than an ELF header",
                 (unsigned long)size);
        return HOT_EINCOMPLETE;
    }
    h->is64 = b[EI_CLASS] == ELFCLASS64;
    h->machine = (unsigned)rd(b + 18, 2);
    if (b[EI_DATA] != 1) {
        snprintf(msg, msglen, "big-endian ELF (%s): this process is little-endian",
                 machine_name(h->machine));
        return HOT_EARCH;
    }
    if (b[EI_CLASS] != ELFCLASS32 && b[EI_CLASS] != ELFCLASS64) {
        snprintf(msg, msglen, "bad ELF class %u", b[EI_CLASS]);
        return HOT_ENOTLIB;
    }
    if (size < (h->is64 ? 64u : 52u)) {
        snprintf(msg, msglen, "truncated: %lu bytes, shorter than an ELF header",
                 (unsigned long)size);
        return HOT_EINCOMPLETE;
    }
    h->type = (unsigned)rd(b + 16, 2);
    h->phoff = h->is64 ? rd(b + 32, 8) : rd(b + 28, 4);
    h->shoff = h->is64 ? rd(b + 40, 8) : rd(b + 32, 4);
    h->phentsize = (unsigned)rd(b + (h->is64 ? 54 : 42), 2);
    h->phnum = (unsigned)rd(b + (h->is64 ? 56 : 44), 2);
    h->shentsize = (unsigned)rd(b + (h->is64 ? 58 : 46), 2);
    h->shnum = (unsigned)rd(b + (h->is64 ? 60 : 48), 2);
    return 0;
}

static int check_target(const elf_header *h, int machine, char *msg, size_t msglen)
{
    int host64 = sizeof(void *) == 8;

    if ((machine && (int)h->machine != machine) || h->is64 != host64) {
        snprintf(msg, msglen, "built for %s (%d-bit), this process is %s (%d-bit)",
                 machine_name(h->machine), h->is64 ? 64 : 32, machine_name((unsigned)machine),
                 host64 ? 64 : 32);
        return HOT_EARCH;
    }
    if (h->type != ET_DYN) {
        snprintf(msg, msglen, "not a shared library (ELF type %u)", h->type);
        return HOT_ENOTLIB;
    }
    return 0;
}

static int table_fits(uint64_t off, unsigned n, unsigned entsize, size_t size)
{
    return off <= size && (uint64_t)n * entsize <= size - off;
}

static void read_build_id(const unsigned char *b, uint64_t off, uint64_t len, hot__content_id *id)
{
    uint64_t pos = 0;

    while (pos + 12 <= len) {
        const unsigned char *n = b + off + pos;
        uint64_t namesz = rd(n, 4), descsz = rd(n + 4, 4), type = rd(n + 8, 4);
        uint64_t desc = 12 + ((namesz + 3) & ~(uint64_t)3);
        uint64_t next = desc + ((descsz + 3) & ~(uint64_t)3);

        if (pos + next > len)
            return;
        if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(n + 12, "GNU", 4) == 0 && descsz > 0 &&
            descsz <= HOT__ID_MAX) {
            memcpy(id->bytes, n + desc, (size_t)descsz);
            id->len = (size_t)descsz;
            return;
        }
        pos += next;
    }
}

/* Every segment must lie inside the file; notes yield the build-id. */
static int check_segments(const unsigned char *b, size_t size, const elf_header *h,
                          hot__content_id *id, char *msg, size_t msglen)
{
    unsigned i;

    for (i = 0; i < h->phnum; i++) {
        const unsigned char *ph = b + h->phoff + (uint64_t)i * h->phentsize;
        unsigned type = (unsigned)rd(ph, 4);
        uint64_t off = h->is64 ? rd(ph + 8, 8) : rd(ph + 4, 4);
        uint64_t filesz = h->is64 ? rd(ph + 32, 8) : rd(ph + 16, 4);

        if ((type == PT_LOAD || type == PT_NOTE) && (off > size || filesz > size - off)) {
            snprintf(msg, msglen, "truncated: a segment ends at byte %llu, the file has %lu",
                     (unsigned long long)(off + filesz), (unsigned long)size);
            return HOT_EINCOMPLETE;
        }
        if (type == PT_NOTE && id->len == 0)
            read_build_id(b, off, filesz, id);
    }
    return 0;
}

int hot__elf_check(const unsigned char *b, size_t size, int machine, hot__content_id *id, char *msg,
                   size_t msglen)
{
    elf_header h;
    int err;

    id->len = 0;
    if ((err = parse_header(b, size, &h, msg, msglen)) < 0)
        return err;
    if ((err = check_target(&h, machine, msg, msglen)) < 0)
        return err;
    if (h.phnum == PN_XNUM) {
        snprintf(msg, msglen, "e_phnum is PN_XNUM (65535 or more program headers): not supported");
        return HOT_ENOTLIB;
    }
    if (h.phnum == 0 || !table_fits(h.phoff, h.phnum, h.phentsize, size) ||
        h.phentsize < (h.is64 ? 56u : 32u)) {
        snprintf(msg, msglen, "truncated: program headers missing or past the end (%lu bytes)",
                 (unsigned long)size);
        return HOT_EINCOMPLETE;
    }
    if (h.shoff != 0 && !table_fits(h.shoff, h.shnum, h.shentsize, size)) {
        snprintf(msg, msglen, "truncated: section headers end at byte %llu, the file has %lu",
                 (unsigned long long)(h.shoff + (uint64_t)h.shnum * h.shentsize),
                 (unsigned long)size);
        return HOT_EINCOMPLETE;
    }
    return check_segments(b, size, &h, id, msg, msglen);
}

/* ---- The dynamic section: needed libraries, search paths ----------------- */

#define PT_DYNAMIC 2
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_STRTAB 5
#define DT_STRSZ 10
#define DT_SONAME 14
#define DT_RPATH 15
#define DT_RUNPATH 29

/* The file offset of a virtual address inside a loaded segment, or 0. */
static uint64_t file_offset(const unsigned char *b, const elf_header *h, uint64_t vaddr)
{
    unsigned i;

    for (i = 0; i < h->phnum; i++) {
        const unsigned char *ph = b + h->phoff + (uint64_t)i * h->phentsize;
        uint64_t off = h->is64 ? rd(ph + 8, 8) : rd(ph + 4, 4);
        uint64_t va = h->is64 ? rd(ph + 16, 8) : rd(ph + 8, 4);
        uint64_t filesz = h->is64 ? rd(ph + 32, 8) : rd(ph + 16, 4);
        if (rd(ph, 4) == PT_LOAD && vaddr >= va && vaddr - va < filesz)
            return off + (vaddr - va);
    }
    return 0;
}

static const unsigned char *find_dynamic(const unsigned char *b, const elf_header *h, uint64_t *len)
{
    unsigned i;

    for (i = 0; i < h->phnum; i++) {
        const unsigned char *ph = b + h->phoff + (uint64_t)i * h->phentsize;
        if (rd(ph, 4) == PT_DYNAMIC) {
            *len = h->is64 ? rd(ph + 32, 8) : rd(ph + 16, 4);
            return b + (h->is64 ? rd(ph + 8, 8) : rd(ph + 4, 4));
        }
    }
    return NULL;
}

/* A string of the dynamic string table, if it lies inside the file. */
static const char *dyn_string(const unsigned char *b, size_t size, uint64_t strtab, uint64_t strsz,
                              uint64_t at)
{
    if (!strtab || at >= strsz || strtab > size || strsz > size - strtab ||
        !memchr(b + strtab + at, '\0', (size_t)(strsz - at)))
        return NULL;
    return (const char *)b + strtab + at;
}

static void collect_dynamic(const unsigned char *b, size_t size, const elf_header *h,
                            const unsigned char *dyn, uint64_t len, hot__elf_dyn *out)
{
    uint64_t ent = h->is64 ? 16 : 8, pos, strtab = 0, strsz = 0, soname = 0, path = 0;
    uint64_t needed[HOT__DEPS_MAX];
    int has_soname = 0, has_path = 0;
    unsigned i, n = 0;

    for (pos = 0; pos + ent <= len; pos += ent) {
        uint64_t tag = rd(dyn + pos, ent / 2), val = rd(dyn + pos + ent / 2, ent / 2);
        if (tag == DT_NULL)
            break;
        if (tag == DT_STRTAB)
            strtab = file_offset(b, h, val);
        else if (tag == DT_STRSZ)
            strsz = val;
        else if (tag == DT_NEEDED && n < HOT__DEPS_MAX)
            needed[n++] = val;
        else if (tag == DT_SONAME)
            soname = val, has_soname = 1;
        else if (tag == DT_RUNPATH || (tag == DT_RPATH && !has_path))
            path = val, has_path = 1; /* RUNPATH wins over RPATH */
    }
    for (i = 0; i < n; i++) {
        const char *s = dyn_string(b, size, strtab, strsz, needed[i]);
        if (s)
            out->needed[out->n_needed++] = s;
    }
    out->soname = has_soname ? dyn_string(b, size, strtab, strsz, soname) : NULL;
    out->runpath = has_path ? dyn_string(b, size, strtab, strsz, path) : NULL;
}

int hot__elf_dynamic(const unsigned char *b, size_t size, hot__elf_dyn *out)
{
    char msg[256];
    hot__content_id id;
    const unsigned char *dyn;
    elf_header h;
    uint64_t len = 0;

    memset(out, 0, sizeof *out);
    if (hot__elf_check(b, size, 0, &id, msg, sizeof msg) < 0 ||
        parse_header(b, size, &h, msg, sizeof msg) < 0)
        return HOT_ENOTLIB;
    if (!(dyn = find_dynamic(b, &h, &len)) || dyn > b + size || len > size - (size_t)(dyn - b))
        return 0;
    collect_dynamic(b, size, &h, dyn, len, out);
    return 0;
}

static int section(const unsigned char *b, size_t size, const elf_header *h, unsigned i,
                   uint64_t *type, uint64_t *off, uint64_t *len, uint64_t *link);

/* ---- Renaming a needed library in place --------------------------------- */

#define SHT_DYNSYM_ 11
#define SHT_GNU_VERDEF 0x6ffffffd
#define SHT_GNU_VERNEED 0x6ffffffe
#define DT_AUXILIARY 0x7ffffffd
#define DT_FILTER 0x7fffffff
#define NAMES_MAX 8

/* The strings to rewrite (offsets into the dynamic string table), and
 * whether another name lies inside one of them. */
typedef struct rename_plan {
    const unsigned char *b;
    size_t size;
    uint64_t strtab, strsz;
    const char *from;
    uint64_t at[NAMES_MAX];
    unsigned n;
    int shared_tail;
} rename_plan;

/* A name the file uses: kept if it is `from` and can name a library (a
 * DT_NEEDED, the SONAME, a version requirement's file); every name is also
 * checked against the kept ones, since a linker may share a string's tail
 * ("dep.so" inside "libfxdep.so"): renaming would change it too. */
static void see_name(rename_plan *p, uint64_t at, int names_library)
{
    const char *s = dyn_string(p->b, p->size, p->strtab, p->strsz, at);
    size_t len = strlen(p->from);
    unsigned i;

    if (names_library && s && strcmp(s, p->from) == 0) {
        for (i = 0; i < p->n && p->at[i] != at; i++)
            ;
        if (i == p->n && p->n < NAMES_MAX)
            p->at[p->n++] = at;
        else if (i == p->n)
            p->shared_tail = 1; /* more than we track: do not rename */
        return;
    }
    for (i = 0; i < p->n; i++)
        p->shared_tail |= at > p->at[i] && at < p->at[i] + len;
}

static void see_dynamic(rename_plan *p, const elf_header *h, const unsigned char *dyn, uint64_t len)
{
    uint64_t ent = h->is64 ? 16 : 8, pos;

    for (pos = 0; pos + ent <= len && rd(dyn + pos, ent / 2) != DT_NULL; pos += ent) {
        uint64_t tag = rd(dyn + pos, ent / 2), val = rd(dyn + pos + ent / 2, ent / 2);
        if (tag == DT_NEEDED || tag == DT_SONAME)
            see_name(p, val, 1);
        else if (tag == DT_RPATH || tag == DT_RUNPATH || tag == DT_AUXILIARY || tag == DT_FILTER)
            see_name(p, val, 0);
    }
}

/* Version requirements (Verneed, then its Vernaux entries) and
 * definitions (Verdef, then its Verdaux entries), bounded by the section. */
static void see_versions(rename_plan *p, uint64_t off, uint64_t len, int need)
{
    uint64_t at = 0, steps = 0;

    const uint64_t entry = need ? 16 : 20, aux_entry = need ? 16 : 8;

    while (at + entry <= len && steps++ < 4096) {
        const unsigned char *e = p->b + off + at;
        uint64_t cnt = rd(e + (need ? 2 : 6), 2), aux = at + rd(e + (need ? 8 : 12), 4);
        uint64_t next = rd(e + (need ? 12 : 16), 4);
        if (need)
            see_name(p, rd(e + 4, 4), 1);
        while (cnt-- > 0 && aux + aux_entry <= len && steps++ < 4096) {
            const unsigned char *a = p->b + off + aux;
            uint64_t anext = rd(a + (need ? 12 : 4), 4);
            see_name(p, rd(a + (need ? 8 : 0), 4), 0);
            if (!anext)
                break;
            aux += anext;
        }
        if (!next)
            break;
        at += next;
    }
}

/* 0 when the file has no section headers (its names cannot all be seen). */
static int see_sections(rename_plan *p, const elf_header *h)
{
    uint64_t type, off, len, link, pos, entsize = h->is64 ? 24 : 16;
    unsigned i;

    if (h->shoff == 0 || h->shnum == 0)
        return 0;
    for (i = 0; i < h->shnum; i++) {
        if (!section(p->b, p->size, h, i, &type, &off, &len, &link))
            continue;
        if (type == SHT_DYNSYM_) {
            for (pos = 0; pos + entsize <= len; pos += entsize)
                see_name(p, rd(p->b + off + pos, 4), 0);
        } else if (type == SHT_GNU_VERNEED || type == SHT_GNU_VERDEF) {
            see_versions(p, off, len, type == SHT_GNU_VERNEED);
        }
    }
    return 1;
}

int hot__elf_rename_needed(unsigned char *b, size_t size, const char *from, const char *to)
{
    uint64_t ent, pos, len = 0;
    const unsigned char *dyn;
    rename_plan p;
    elf_header h;
    char msg[256];
    unsigned i;

    memset(&p, 0, sizeof p);
    p.b = b, p.size = size, p.from = from;
    if (strlen(from) != strlen(to) || parse_header(b, size, &h, msg, sizeof msg) < 0 ||
        !(dyn = find_dynamic(b, &h, &len)) || dyn > b + size || len > size - (size_t)(dyn - b))
        return 0;
    ent = h.is64 ? 16 : 8;
    for (pos = 0; pos + ent <= len && rd(dyn + pos, ent / 2) != DT_NULL; pos += ent) {
        if (rd(dyn + pos, ent / 2) == DT_STRTAB)
            p.strtab = file_offset(b, &h, rd(dyn + pos + ent / 2, ent / 2));
        else if (rd(dyn + pos, ent / 2) == DT_STRSZ)
            p.strsz = rd(dyn + pos + ent / 2, ent / 2);
    }
    /* Twice: the first pass finds the names to rewrite, the second checks
     * every name against all of them. */
    see_dynamic(&p, &h, dyn, len);
    if (!see_sections(&p, &h))
        return 0;
    see_dynamic(&p, &h, dyn, len);
    see_sections(&p, &h);
    if (p.shared_tail)
        return 0;
    for (i = 0; i < p.n; i++)
        memcpy(b + p.strtab + p.at[i], to, strlen(to));
    return (int)p.n;
}

/* ---- Dynamic symbols ---------------------------------------------------- */

#define SHT_DYNSYM 11

static int section(const unsigned char *b, size_t size, const elf_header *h, unsigned i,
                   uint64_t *type, uint64_t *off, uint64_t *len, uint64_t *link)
{
    const unsigned char *sh = b + h->shoff + (uint64_t)i * h->shentsize;

    *type = rd(sh + 4, 4);
    *off = h->is64 ? rd(sh + 24, 8) : rd(sh + 16, 4);
    *len = h->is64 ? rd(sh + 32, 8) : rd(sh + 20, 4);
    *link = rd(sh + (h->is64 ? 40 : 24), 4);
    return *off <= size && *len <= size - *off;
}

static int search_symbols(const unsigned char *b, size_t size, const elf_header *h, uint64_t symoff,
                          uint64_t symlen, unsigned strndx, const char *prefix, char *out,
                          size_t outlen)
{
    uint64_t type, stroff, strlen_, link, pos, entsize = h->is64 ? 24 : 16;
    size_t plen = strlen(prefix);

    if (strndx >= h->shnum || !section(b, size, h, strndx, &type, &stroff, &strlen_, &link))
        return HOT_ENOMANIFEST;
    for (pos = 0; pos + entsize <= symlen; pos += entsize) {
        uint64_t name = rd(b + symoff + pos, 4);
        const char *s = (const char *)b + stroff + name;
        if (name + plen < strlen_ && strncmp(s, prefix, plen) == 0 &&
            memchr(s, '\0', (size_t)(strlen_ - name))) {
            snprintf(out, outlen, "%s", s);
            return 0;
        }
    }
    return HOT_ENOMANIFEST;
}

int hot__elf_find_symbol(const unsigned char *b, size_t size, const char *prefix, char *out,
                         size_t outlen)
{
    char msg[256];
    elf_header h;
    unsigned i;

    if (parse_header(b, size, &h, msg, sizeof msg) < 0 || h.shoff == 0 ||
        h.shentsize < (h.is64 ? 64u : 40u) || !table_fits(h.shoff, h.shnum, h.shentsize, size))
        return HOT_ENOMANIFEST;
    for (i = 0; i < h.shnum; i++) {
        uint64_t type, off, len, link;
        if (section(b, size, &h, i, &type, &off, &len, &link) && type == SHT_DYNSYM &&
            search_symbols(b, size, &h, off, len, (unsigned)link, prefix, out, outlen) == 0)
            return 0;
    }
    return HOT_ENOMANIFEST;
}

/* ---- A section by name (the debug information) -------------------------- */

#define SHT_NOBITS 8
#define SHF_COMPRESSED 0x800

/* The section-name table's entry for header i, or NULL. */
static const char *section_name(const unsigned char *b, size_t size, const elf_header *h,
                                unsigned i, unsigned shstrndx)
{
    uint64_t type, off, len, link, name = rd(b + h->shoff + (uint64_t)i * h->shentsize, 4);

    if (shstrndx >= h->shnum || !section(b, size, h, shstrndx, &type, &off, &len, &link) ||
        name >= len || !memchr(b + off + name, '\0', (size_t)(len - name)))
        return NULL;
    return (const char *)b + off + name;
}

int hot__elf_section(const unsigned char *b, size_t size, const char *name,
                     const unsigned char **data, size_t *len, int *compressed)
{
    char msg[256];
    elf_header h;
    unsigned i, shstrndx;

    *data = NULL;
    *len = 0;
    *compressed = 0;
    if (parse_header(b, size, &h, msg, sizeof msg) < 0 || h.shoff == 0 ||
        h.shentsize < (h.is64 ? 64u : 40u) || !table_fits(h.shoff, h.shnum, h.shentsize, size))
        return HOT_ENOTLIB;
    shstrndx = (unsigned)rd(b + (h.is64 ? 62 : 50), 2);
    for (i = 1; i < h.shnum; i++) {
        const unsigned char *sh = b + h.shoff + (uint64_t)i * h.shentsize;
        uint64_t type, off, slen, link, flags = h.is64 ? rd(sh + 8, 8) : rd(sh + 8, 4);
        const char *s = section_name(b, size, &h, i, shstrndx);
        if (!s || strcmp(s, name) != 0)
            continue;
        if (!section(b, size, &h, i, &type, &off, &slen, &link) || type == SHT_NOBITS)
            return HOT_ENOTLIB; /* cut short, or only in a separate debug file */
        *data = b + off;
        *len = (size_t)slen;
        *compressed = (flags & SHF_COMPRESSED) != 0;
        return 0;
    }
    return HOT_ENOTLIB;
}
