/*
 * Crash handlers for guarded calls, on POSIX signals. Installed once, on
 * the first guarded call, for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT,
 * on an alternate stack (so a stack overflow in new code is caught). The
 * portable code (src/guard.c) is told of each crash through the callback
 * it gave; a crash it does not recover goes to the handler the program had
 * before, delivered as the kernel would have, or kills the process with the
 * same signal, so core dumps and debuggers see the real fault.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../internal.h"

#define ALT_STACK_BYTES (64 * 1024)

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
static struct sigaction previous[NSIG];
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static pthread_key_t alt_stack_key;
static int (*on_crash_fn)(const hot__crash *crash);
/* Set once this thread has an alternate stack (ours or the program's), or
 * failed to get one from sigaltstack (not tried again). */
static __thread int thread_has_stack __attribute__((tls_model("initial-exec")));
/* Stacks mapped ahead of time for threads that may not make system calls
 * or allocate when they first need one (an audio thread). */
#define RESERVE_MAX 8
static void *reserve[RESERVE_MAX];
static pthread_mutex_t reserve_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t page_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? (size_t)page : 4096;
}

/* A fault (si_code > 0) re-executes its instruction when the handler
 * returns; a sent or raised signal (si_code <= 0) does not. */
static int is_fault(const siginfo_t *info)
{
    return info->si_code > 0;
}

static void default_action(int sig, const siginfo_t *info)
{
    signal(sig, SIG_DFL);
    if (!is_fault(info))
        raise(sig); /* a fault faults again under SIG_DFL */
}

/* Delivers sig to the handler the program had before ours, as the kernel
 * would have: SIG_IGN and SIG_DFL as the kernel treats them (a fault cannot
 * be ignored), the handler's own mask and SA_NODEFER, SA_RESETHAND (the
 * program's disposition becomes SIG_DFL), SA_SIGINFO or a plain handler. */
static void pass_on(int sig, siginfo_t *info, void *ctx)
{
    struct sigaction old = previous[sig];
    sigset_t mask, saved;

    if (old.sa_handler == SIG_IGN) {
        if (is_fault(info))
            default_action(sig, info);
        return;
    }
    if (old.sa_handler == SIG_DFL) {
        default_action(sig, info);
        return;
    }
    if (old.sa_flags & SA_RESETHAND) {
        previous[sig].sa_handler = SIG_DFL;
        previous[sig].sa_flags &= ~SA_SIGINFO;
    }
    mask = old.sa_mask;
    if (!(old.sa_flags & SA_NODEFER))
        sigaddset(&mask, sig);
    pthread_sigmask(SIG_BLOCK, &mask, &saved);
    if (old.sa_flags & SA_SIGINFO)
        old.sa_sigaction(sig, info, ctx);
    else
        old.sa_handler(sig);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

static void on_crash(int sig, siginfo_t *info, void *ctx)
{
    int (*decide)(const hot__crash *crash);
    hot__crash crash;

    crash.signal = sig;
    crash.is_abort = sig == SIGABRT;
    /* kill -SEGV from elsewhere is no crash of ours; raise() and abort()
     * (SI_TKILL from this process) are. */
    crash.sent = info->si_code <= 0 && info->si_pid != getpid();
    crash.context = ctx;
    crash.pc = hot__crash_pc(ctx);
    decide = __atomic_load_n(&on_crash_fn, __ATOMIC_ACQUIRE);
    if (decide && decide(&crash))
        return; /* recovered: the context now returns into the wrapper */
    pass_on(sig, info, ctx);
}

void hot__crash_write(const char *line)
{
    size_t len = strlen(line);

    while (len > 0) {
        ssize_t n = write(2, line, len);
        if (n <= 0)
            return;
        line += n;
        len -= (size_t)n;
    }
}

static void free_alt_stack(void *stack)
{
    stack_t none;

    memset(&none, 0, sizeof none);
    none.ss_flags = SS_DISABLE;
    sigaltstack(&none, NULL);
    munmap((char *)stack - page_size(), ALT_STACK_BYTES + page_size());
}

/* The stack a crash is handled on, with an unmapped page below it: a fault
 * that overflows it stops there instead of writing over the heap. */
static void *map_alt_stack(void)
{
    size_t page = page_size();
    char *base = mmap(NULL, ALT_STACK_BYTES + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (base == MAP_FAILED)
        return NULL;
    if (mprotect(base, page, PROT_NONE) != 0) {
        munmap(base, ALT_STACK_BYTES + page);
        return NULL;
    }
    return base + page;
}

static void install(void)
{
    struct sigaction sa;
    size_t i;

    pthread_key_create(&alt_stack_key, free_alt_stack);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    /* NODEFER: jumping out of the handler leaves nothing blocked. */
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &sa, &previous[crash_signals[i]]);
}

void hot__crash_prepare_thread(int (*on_crash_cb)(const hot__crash *crash))
{
    stack_t st, current;

    __atomic_store_n(&on_crash_fn, on_crash_cb, __ATOMIC_RELEASE);
    pthread_once(&install_once, install);
    if (thread_has_stack)
        return;
    if (sigaltstack(NULL, &current) == 0 && !(current.ss_flags & SS_DISABLE)) {
        thread_has_stack = 1; /* the program gave this thread one already */
        return;
    }
    memset(&st, 0, sizeof st);
    st.ss_size = ALT_STACK_BYTES;
    st.ss_sp = map_alt_stack();
    if (!st.ss_sp)
        return; /* crashes are still caught, only not stack overflows */
    if (sigaltstack(&st, NULL) == 0) {
        pthread_setspecific(alt_stack_key, st.ss_sp);
        thread_has_stack = 1;
    } else {
        free_alt_stack(st.ss_sp);
    }
}

/* Puts a mapped stack in an empty place of the reserve; 0 if it is full. */
static int reserve_put(void *stack)
{
    size_t i;

    for (i = 0; i < RESERVE_MAX; i++) {
        void *none = NULL;
        if (__atomic_compare_exchange_n(&reserve[i], &none, stack, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return 1;
    }
    return 0;
}

int hot__crash_reserve_stacks(unsigned n)
{
    unsigned have = 0;
    size_t i;
    int err = 0;

    if (n > RESERVE_MAX)
        n = RESERVE_MAX;
    pthread_mutex_lock(&reserve_lock); /* fillers only: takers never lock */
    for (i = 0; i < RESERVE_MAX; i++)
        have += __atomic_load_n(&reserve[i], __ATOMIC_ACQUIRE) != NULL;
    for (; have < n; have++) {
        void *stack = map_alt_stack();
        if (!stack) {
            err = HOT_ENOMEM;
            break;
        }
        if (!reserve_put(stack))
            munmap((char *)stack - page_size(), ALT_STACK_BYTES + page_size());
    }
    pthread_mutex_unlock(&reserve_lock);
    return err;
}

static void *reserve_take(void)
{
    size_t i;

    for (i = 0; i < RESERVE_MAX; i++) {
        void *stack;
        if (!__atomic_load_n(&reserve[i], __ATOMIC_ACQUIRE))
            continue; /* an empty reserve is only read, block after block */
        stack = __atomic_exchange_n(&reserve[i], NULL, __ATOMIC_ACQ_REL);
        if (stack)
            return stack;
    }
    return NULL;
}

/* No allocation and, once the thread has a stack, no system call: a
 * thread-local read. The first time, one sigaltstack() (two when the
 * thread had a stack of the program's, which it keeps). */
int hot__crash_adopt_thread(void)
{
    stack_t st, old;

    if (thread_has_stack)
        return 0;
    memset(&st, 0, sizeof st);
    st.ss_size = ALT_STACK_BYTES;
    st.ss_sp = reserve_take();
    if (!st.ss_sp)
        return HOT_ENOMEM;
    /* Back to the reserve when unused (were it full, the stack would only
     * stay mapped: nothing here may unmap). */
    thread_has_stack = 1;
    if (sigaltstack(&st, &old) != 0) {
        reserve_put(st.ss_sp);
        return HOT_ESYS;
    }
    if (!(old.ss_flags & SS_DISABLE)) { /* the program's stack wins */
        sigaltstack(&old, NULL);
        reserve_put(st.ss_sp);
        return 1;
    }
    pthread_setspecific(alt_stack_key, st.ss_sp); /* unmapped at thread exit */
    return 1;
}

void hot__crash_after_jump(int sig)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

const char *hot__signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    default: return "signal";
    }
}
