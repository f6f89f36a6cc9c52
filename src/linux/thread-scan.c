/*
 * Is a thread that never announced itself outside the old versions? It is
 * looked at, never stopped or signalled (a signal would make the host's
 * poll, epoll_wait or nanosleep fail with EINTR). For a thread asleep in a
 * system call Linux tells its system call, arguments, stack pointer and
 * program counter (/proc/self/task/<tid>/syscall, "running" otherwise),
 * and how often it was switched off a processor (status). Asleep at the
 * same place before and after, with the same count: it did not run in
 * between (leaving a processor counts, and it was off one both times), so
 * its stack, read in between through /proc/self/mem (an unmapped address
 * is an error there, not a fault), is the one it will return through.
 *
 * On x86-64 every call pushes its return address on the stack: a thread
 * whose program counter, system call arguments and stack words point into
 * no range of a version will not return into it. What the look cannot see
 * is a pointer kept by code outside the version in a callee-saved register
 * the kernel holds for it, or in the heap: a pointer obtained from an old
 * version, which the caller's contract covers (docs/guide.md). Elsewhere
 * (aarch64 keeps a leaf call's return address in the link register, which
 * the look does not show) there is no proof.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../internal.h"
#include "syscalls.h"

#if defined(__x86_64__)
#define RETURNS_ON_STACK 1
#else
#define RETURNS_ON_STACK 0
#endif

#define RED_ZONE 128                     /* below the stack pointer: the leaf's own */
#define STACK_READ_MAX (8u << 20)        /* a thread using more: no proof */
#define LOOKS 3                          /* a thread that ran during a look gets another */
#define WORDS (4096 / sizeof(uintptr_t)) /* read at once */

typedef struct asleep {
    long nr;
    unsigned long args[6], sp, pc;
} asleep;

typedef struct stack {
    uintptr_t lo, hi;
} stack;

/* Reads a small /proc file, NUL-terminated; -1 (errno set) if it cannot be
 * opened. */
static ssize_t read_proc(const char *path, char *buf, size_t len)
{
    int fd = hot__sys.open(path, O_RDONLY | O_CLOEXEC, 0);
    ssize_t got, n = 0;

    if (fd < 0)
        return -1;
    while (n < (ssize_t)len - 1 && (got = hot__sys.read(fd, buf + n, len - 1 - (size_t)n)) > 0)
        n += got;
    hot__sys.close(fd);
    buf[n] = '\0';
    return n;
}

static int gone(void)
{
    return errno == ENOENT || errno == ESRCH;
}

/* Reads n numbers in base 16 ("0x" allowed) after *p; 0 if one is missing. */
static int hex_fields(const char *p, unsigned long *out, int n)
{
    char *end;
    int i;

    for (i = 0; i < n; i++, p = end) {
        out[i] = strtoul(p, &end, 16);
        if (end == p)
            return 0;
    }
    return 1;
}

/* 1: asleep in a system call (*a filled); 0: not (running, or stopped
 * outside one); -1: the thread has exited. */
static int read_asleep(uint64_t tid, asleep *a)
{
    char path[64], buf[256], *end;
    unsigned long f[8];

    snprintf(path, sizeof path, "/proc/self/task/%llu/syscall", (unsigned long long)tid);
    if (read_proc(path, buf, sizeof buf) < 0)
        return gone() ? -1 : 0;
    a->nr = strtol(buf, &end, 10); /* "running" leaves end at buf */
    if (end == buf || a->nr < 0 || !hex_fields(end, f, 8))
        return 0;
    memcpy(a->args, f, sizeof a->args);
    a->sp = f[6];
    a->pc = f[7];
    return 1;
}

/* Times it left a processor, voluntarily or not: 1, 0 (unknown), -1 (gone). */
static int read_switches(uint64_t tid, unsigned long long *n)
{
    static const char vol[] = "\nvoluntary_ctxt_switches:",
                      nonvol[] = "\nnonvoluntary_ctxt_switches:";
    char path[64], buf[4096];
    const char *v, *nv;

    snprintf(path, sizeof path, "/proc/self/task/%llu/status", (unsigned long long)tid);
    if (read_proc(path, buf, sizeof buf) < 0)
        return gone() ? -1 : 0;
    v = strstr(buf, vol);
    nv = strstr(buf, nonvol);
    if (!v || !nv)
        return 0;
    *n = strtoull(v + sizeof vol - 1, NULL, 10) + strtoull(nv + sizeof nonvol - 1, NULL, 10);
    return 1;
}

typedef struct lines {
    int fd;
    size_t have, used;
    char buf[4096];
} lines;

/* The next whole line, NUL-terminated, or NULL at the end. */
static char *next_line(lines *l)
{
    char *nl, *line;
    ssize_t got;

    while (!(nl = memchr(l->buf + l->used, '\n', l->have - l->used))) {
        memmove(l->buf, l->buf + l->used, l->have - l->used);
        l->have -= l->used;
        l->used = 0;
        if (l->have == sizeof l->buf)
            l->have = 0; /* a line longer than the buffer: dropped */
        got = hot__sys.read(l->fd, l->buf + l->have, sizeof l->buf - l->have);
        if (got <= 0)
            return NULL;
        l->have += (size_t)got;
    }
    line = l->buf + l->used;
    *nl = '\0';
    l->used = (size_t)(nl + 1 - l->buf);
    return line;
}

/* "lo-hi perms ..." of a /proc/self/maps line. */
static int parse_mapping(const char *line, unsigned long *lo, unsigned long *hi, char *perms)
{
    char *end;

    *lo = strtoul(line, &end, 16);
    if (end == line || *end != '-')
        return 0;
    line = end + 1;
    *hi = strtoul(line, &end, 16);
    if (end == line || *end != ' ' || strlen(end + 1) < 4)
        return 0;
    memcpy(perms, end + 1, 4);
    perms[4] = '\0';
    return 1;
}

/* The thread stack holding sp: the main thread's [stack], or a writable
 * mapping right above a guard page (how thread libraries lay one out).
 * 0 if sp is on no such stack (a signal's alternate stack, a coroutine's):
 * frames of the code it interrupted may then lie elsewhere. */
static int find_stack(uintptr_t sp, stack *s)
{
    lines l;
    char *line, perms[8] = "", prev[8] = "";
    unsigned long lo, hi, prev_hi = 0;
    int found = 0;

    l.fd = hot__sys.open("/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
    l.have = l.used = 0;
    if (l.fd < 0)
        return 0;
    while (!found && (line = next_line(&l)) != NULL) {
        if (!parse_mapping(line, &lo, &hi, perms))
            break;
        if (sp >= lo && sp < hi)
            found = perms[0] == 'r' && perms[1] == 'w' &&
                    (strstr(line, "[stack]") || (prev_hi == lo && strncmp(prev, "---", 3) == 0));
        if (found) {
            s->lo = lo;
            s->hi = hi;
        }
        prev_hi = hi;
        memcpy(prev, perms, sizeof prev);
        if (sp < lo)
            break;
    }
    hot__sys.close(l.fd);
    return found;
}

/* Marks the owner of the range w points into. */
static void mark(uintptr_t w, const hot__range *r, unsigned n, unsigned char *hit)
{
    unsigned lo = 0, hi = n;

    while (lo < hi) { /* the first range ending above w */
        unsigned mid = lo + (hi - lo) / 2;
        if (r[mid].hi <= w)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && w >= r[lo].lo)
        hit[r[lo].owner] = 1;
}

/* Every word of [from, to) through the descriptor of /proc/self/mem:
 * 0, or -1 if some of it cannot be read. */
static int scan_words(int mem, uintptr_t from, uintptr_t to, const hot__range *r, unsigned n,
                      unsigned char *hit)
{
    uintptr_t buf[WORDS];
    ssize_t got;
    size_t i;

    for (; from < to; from += (uintptr_t)got) {
        size_t want = to - from < sizeof buf ? to - from : sizeof buf;
        got = hot__sys.pread(mem, buf, want, (off_t)from);
        if (got <= 0 || (size_t)got % sizeof *buf)
            return -1;
        for (i = 0; i < (size_t)got / sizeof *buf; i++)
            mark(buf[i], r, n, hit);
    }
    return 0;
}

/* The stack from sp (red zone included) to the end of s. */
static int scan_stack(int mem, uintptr_t sp, const stack *s, const hot__range *r, unsigned n,
                      unsigned char *hit)
{
    uintptr_t from = (sp > RED_ZONE ? sp - RED_ZONE : 0) & ~(uintptr_t)(sizeof(uintptr_t) - 1);

    if (sp < s->lo || sp >= s->hi || s->hi - sp > STACK_READ_MAX)
        return -1;
    return scan_words(mem, from < s->lo ? s->lo : from, s->hi, r, n, hit);
}

static int same_place(const asleep *a, const asleep *b)
{
    return a->nr == b->nr && a->sp == b->sp && a->pc == b->pc &&
           memcmp(a->args, b->args, sizeof a->args) == 0;
}

/* One look at another thread, as short as it can be (its stack is found
 * in /proc/self/maps before): a thread that sleeps a millisecond at a time
 * must fit it. Hits it marks stay marked even when the look proves
 * nothing: that only keeps more. */
static int look(int mem, uint64_t tid, const hot__range *r, unsigned n, unsigned char *hit)
{
    unsigned long long before, after = 0;
    asleep a, b;
    stack st;
    int s, i;

    if ((s = read_asleep(tid, &a)) <= 0)
        return s < 0 ? HOT__SCAN_GONE : HOT__SCAN_UNPROVEN;
    if (!find_stack(a.sp, &st))
        return HOT__SCAN_UNPROVEN;
    if ((s = read_switches(tid, &before)) <= 0 || (s = read_asleep(tid, &a)) <= 0)
        return s < 0 ? HOT__SCAN_GONE : HOT__SCAN_UNPROVEN;
    mark(a.pc, r, n, hit);
    for (i = 0; i < 6; i++)
        mark(a.args[i], r, n, hit);
    if (scan_stack(mem, a.sp, &st, r, n, hit) < 0)
        return HOT__SCAN_UNPROVEN;
    if ((s = read_asleep(tid, &b)) <= 0 || !same_place(&a, &b) ||
        (s = read_switches(tid, &after)) <= 0 || after != before)
        return s < 0 ? HOT__SCAN_GONE : HOT__SCAN_UNPROVEN;
    return HOT__SCAN_SEEN;
}

/* The caller itself: its callers' frames, from this one up. */
static int look_at_self(int mem, const hot__range *r, unsigned n, unsigned char *hit)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    stack st;

    return find_stack(sp, &st) && scan_stack(mem, sp, &st, r, n, hit) == 0 ? HOT__SCAN_SEEN
                                                                           : HOT__SCAN_UNPROVEN;
}

int hot__thread_scan(uint64_t os_id, const hot__range *ranges, unsigned n, unsigned char *hit)
{
    int mem, result = HOT__SCAN_UNPROVEN, k;

    if (!RETURNS_ON_STACK)
        return HOT__SCAN_UNPROVEN;
    mem = hot__sys.open("/proc/self/mem", O_RDONLY | O_CLOEXEC, 0);
    if (mem < 0)
        return HOT__SCAN_UNPROVEN;
    if (os_id == hot__thread_os_id())
        result = look_at_self(mem, ranges, n, hit);
    for (k = 0; k < LOOKS && result == HOT__SCAN_UNPROVEN && os_id != hot__thread_os_id(); k++)
        result = look(mem, os_id, ranges, n, hit);
    hot__sys.close(mem);
    return result;
}
