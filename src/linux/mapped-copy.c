/*
 * What a loaded copy keeps once it is old: its file's blocks that no
 * segment maps are freed (a deleted copy still mapped then holds only its
 * code and data), and, for debugging, an unloaded copy's addresses can stay
 * reserved with no access so that a stray call faults with a line naming
 * the version instead of running whatever is mapped there next.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../internal.h"
#include "unix-fs.h"

#define SEGMENTS_MAX 16

typedef struct segments {
    ElfW(Addr) base;
    const char *name;
    size_t n;
    ElfW(Phdr) load[SEGMENTS_MAX];
} segments;

static uintptr_t page_down(uintptr_t x, uintptr_t page)
{
    return x & ~(page - 1);
}

static uintptr_t page_up(uintptr_t x, uintptr_t page)
{
    return (x + page - 1) & ~(page - 1);
}

static uintptr_t page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (uintptr_t)page : 4096;
}

static int collect(struct dl_phdr_info *info, size_t size, void *arg)
{
    segments *s = arg;
    ElfW(Half) i;

    (void)size;
    if (info->dlpi_addr != s->base || !info->dlpi_name || strcmp(info->dlpi_name, s->name) != 0)
        return 0;
    for (i = 0; i < info->dlpi_phnum && s->n < SEGMENTS_MAX; i++) {
        if (info->dlpi_phdr[i].p_type == PT_LOAD)
            s->load[s->n++] = info->dlpi_phdr[i];
    }
    return 1;
}

/* The PT_LOAD program headers of a loaded object, as the loader saw them. */
static int find_segments(void *handle, segments *s)
{
    struct link_map *map = NULL;

    memset(s, 0, sizeof *s);
    if (!handle || dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map || !map->l_name)
        return HOT_ESYS;
    s->base = map->l_addr;
    s->name = map->l_name;
    return dl_iterate_phdr(collect, s) == 1 && s->n > 0 ? 0 : HOT_ESYS;
}

int hot__dl_ranges(void *handle, unsigned owner, hot__range *out, unsigned max)
{
    uintptr_t page = page_size();
    unsigned n = 0;
    size_t i;
    segments s;

    if (find_segments(handle, &s) < 0)
        return HOT_ESYS;
    for (i = 0; i < s.n && n < max; i++) {
        uintptr_t at = s.base + s.load[i].p_vaddr;
        out[n].lo = page_down(at, page);
        out[n].hi = page_up(at + s.load[i].p_memsz, page);
        out[n].code = (s.load[i].p_flags & PF_X) != 0;
        out[n++].owner = owner;
    }
    return i == s.n ? (int)n : HOT_ENOMEM;
}

/* Is the page at offset inside a page some segment maps? */
static int mapped_page(const segments *s, uintptr_t offset, uintptr_t page)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        uintptr_t from = page_down(s->load[i].p_offset, page);
        uintptr_t to = page_up(s->load[i].p_offset + s->load[i].p_filesz, page);
        if (offset >= from && offset < to)
            return 1;
    }
    return 0;
}

/* A regular file (O_NONBLOCK above: a FIFO planted there does not hang). */
static int regular_file(int fd)
{
    struct stat sb;

    return fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
}

void hot__dl_drop_unmapped(void *handle, hot__dir *d, const char *name)
{
    uintptr_t page = page_size(), offset, start;
    segments s;
    off_t end;
    int fd;

    if (find_segments(handle, &s) < 0)
        return;
    fd = hot__unix_dir_openat(d, name, O_WRONLY | O_NONBLOCK);
    if (fd < 0)
        return;
    if (!regular_file(fd)) {
        close(fd);
        return;
    }
    end = lseek(fd, 0, SEEK_END);
    /* Whole pages only: a page any segment maps is never touched. */
    for (offset = 0; end > 0 && offset < (uintptr_t)end;) {
        if (mapped_page(&s, offset, page)) {
            offset += page;
            continue;
        }
        start = offset;
        while (offset < (uintptr_t)end && !mapped_page(&s, offset, page))
            offset += page;
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)start,
                  (off_t)(offset - start));
    }
    close(fd);
}

/* After unloading many versions at once, the dynamic loader's and our own
 * freed blocks sit in the heap below live ones: give the pages back. */
void hot__memory_trim(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* ---- Trapping unloaded code ------------------------------------------------- */

#define TRAPS_MAX 1024

typedef struct trap {
    uintptr_t start, end;
    char line[160];
    size_t len;
} trap;

static trap traps[TRAPS_MAX];
static int n_traps; /* entries below it are complete (atomic) */
static int traps_lock;
static struct sigaction previous_segv;

static void pass_on(int sig, siginfo_t *info, void *ctx)
{
    if ((previous_segv.sa_flags & SA_SIGINFO) && previous_segv.sa_sigaction) {
        previous_segv.sa_sigaction(sig, info, ctx);
        return;
    }
    if (!(previous_segv.sa_flags & SA_SIGINFO) && previous_segv.sa_handler != SIG_DFL &&
        previous_segv.sa_handler != SIG_IGN) {
        previous_segv.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL); /* the fault repeats and kills the process */
}

/* Async-signal-safe: atomic loads, write, signal. */
static void on_fault(int sig, siginfo_t *info, void *ctx)
{
    uintptr_t at = (uintptr_t)info->si_addr;
    int i, n = __atomic_load_n(&n_traps, __ATOMIC_ACQUIRE);

    for (i = 0; i < n; i++) {
        if (at >= traps[i].start && at < traps[i].end) {
            ssize_t ignored = write(2, traps[i].line, traps[i].len);
            (void)ignored;
            signal(sig, SIG_DFL);
            return;
        }
    }
    pass_on(sig, info, ctx);
}

static void install_fault_line(void)
{
    static int installed;
    struct sigaction sa;

    if (installed)
        return;
    installed = 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
}

static void add_trap(uintptr_t start, uintptr_t end, unsigned long version, const char *name)
{
    int n = __atomic_load_n(&n_traps, __ATOMIC_ACQUIRE);
    trap *t;

    if (n == TRAPS_MAX)
        return;
    t = &traps[n];
    t->start = start;
    t->end = end;
    snprintf(t->line, sizeof t->line,
             "hotreload: a thread ran code of v%lu of %s after it was unloaded (it never "
             "announced itself, or passed no quiescent point since)\n",
             version, name);
    t->len = strlen(t->line);
    __atomic_store_n(&n_traps, n + 1, __ATOMIC_RELEASE);
}

/* Reserves [start, end) with no access if nothing is mapped there. */
static int reserve(uintptr_t start, uintptr_t end)
{
    void *want = (void *)start, *got;

    got = mmap(want, end - start, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    if (got == MAP_FAILED)
        return HOT_ESYS;
    if (got != want) { /* a kernel without MAP_FIXED_NOREPLACE */
        munmap(got, end - start);
        return HOT_ESYS;
    }
    return 0;
}

int hot__dl_close_trapped(void *handle, unsigned long version, const char *name)
{
    uintptr_t page = page_size();
    int err = HOT_ESYS;
    segments s;
    size_t i;

    if (find_segments(handle, &s) < 0) {
        hot__dl_close(handle);
        return HOT_ESYS;
    }
    hot__dl_close(handle);
    hot__spin_lock(&traps_lock);
    install_fault_line();
    for (i = 0; i < s.n; i++) {
        uintptr_t start = page_down(s.base + s.load[i].p_vaddr, page);
        uintptr_t end = page_up(s.base + s.load[i].p_vaddr + s.load[i].p_memsz, page);
        if (reserve(start, end) == 0) {
            add_trap(start, end, version, name);
            err = 0;
        }
    }
    hot__spin_unlock(&traps_lock);
    return err;
}
