/*
 * Threads the program did not create: an audio plugin's run() on a host's
 * audio thread gets an alternate signal stack from a reserve mapped ahead
 * of time (hot_guard_reserve_stacks, hot_guard_adopt_thread), so that an
 * endless recursion in a guarded call is cut short there too.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void add_one(void *arg)
{
    (*(int *)arg)++;
}

typedef struct adopter {
    int adopted, crashed_ok, after_ok, again;
} adopter;

/* A host's thread: adopts a stack, overflows it in a guarded call, and
 * goes on. */
static void *adopting_thread(void *arg)
{
    adopter *a = arg;
    int sig = 0, depth = 0, n = 0;

    a->adopted = hot_guard_adopt_thread(); /* 1: it has one now */
    if (a->adopted != 1)
        return NULL;
    a->crashed_ok = hot_call_guarded(NULL, support_overflow, &depth, &sig) == HOT_ECRASHED && sig == SIGSEGV;
    a->after_ok = hot_call_guarded(NULL, add_one, &n, NULL) == 0 && n == 1;
    a->again = hot_guard_adopt_thread(); /* has one: 0, and takes none */
    return NULL;
}

static adopter run_thread(void)
{
    pthread_attr_t attr;
    pthread_t t;
    adopter a;

    memset(&a, 0, sizeof a);
    a.adopted = -100;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    ASSERT_EQ(pthread_create(&t, &attr, adopting_thread, &a), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&attr);
    return a;
}

TEST(adopt_thread, stack_overflow_on_a_host_thread)
{
    adopter a;

    ASSERT_EQ(hot_guard_reserve_stacks(1), 0);
    a = run_thread();
    ASSERT_EQ(a.adopted, 1);
    ASSERT_EQ(a.crashed_ok, 1);
    ASSERT_EQ(a.after_ok, 1);
    ASSERT_EQ(a.again, 0);
}

static void *has_stack_thread(void *arg)
{
    stack_t now;

    *(int *)arg = sigaltstack(NULL, &now) == 0 && !(now.ss_flags & SS_DISABLE);
    return NULL;
}

/* Whether new threads start with an alternate stack (AddressSanitizer
 * gives them one): they then keep it and take nothing from the reserve. */
static int threads_start_with_stack(void)
{
    pthread_t t;
    int has = 0;

    ASSERT_EQ(pthread_create(&t, NULL, has_stack_thread, &has), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    return has;
}

/* The stacks come from the reserve only: an empty one says so (the thread
 * maps nothing itself), and a new reservation serves the next thread. */
TEST(adopt_thread, reserve_empty_then_refilled)
{
    adopter a;

    if (threads_start_with_stack())
        SKIP("new threads have an alternate stack of the sanitizer's; they keep it");
    ASSERT_EQ(hot_guard_reserve_stacks(1), 0);
    ASSERT_EQ(run_thread().adopted, 1);
    ASSERT_EQ(run_thread().adopted, HOT_ENOMEM);
    ASSERT_EQ(hot_guard_reserve_stacks(2), 0);
    ASSERT_EQ(run_thread().adopted, 1);
    a = run_thread();
    ASSERT_EQ(a.adopted, 1);
    ASSERT_EQ(a.crashed_ok, 1);
    ASSERT_EQ(run_thread().adopted, HOT_ENOMEM);
}

/* A thread that has a stack of the program's keeps it, and the reserved
 * one goes back for the next thread. */
static void *own_stack_thread(void *arg)
{
    static char mine[128 * 1024];
    stack_t st, now, before;

    memset(&st, 0, sizeof st);
    st.ss_sp = mine;
    st.ss_size = sizeof mine;
    if (sigaltstack(&st, &before) != 0)
        return NULL;
    if (hot_guard_adopt_thread() == 1 && sigaltstack(NULL, &now) == 0)
        *(int *)arg = now.ss_sp == (void *)mine;
    sigaltstack(&before, NULL); /* a sanitizer unmaps its own at thread exit */
    return NULL;
}

TEST(adopt_thread, keeps_the_programs_stack)
{
    pthread_t t;
    int kept = 0;

    ASSERT_EQ(hot_guard_reserve_stacks(1), 0);
    ASSERT_EQ(pthread_create(&t, NULL, own_stack_thread, &kept), 0);
    ASSERT_EQ(pthread_join(t, NULL), 0);
    ASSERT_EQ(kept, 1);
    ASSERT_EQ(run_thread().adopted, 1); /* the reserved stack is still there */
}
