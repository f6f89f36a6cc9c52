/*
 * A tiny test harness in the spirit of libuv's test/task.h.
 *
 * Cases are defined with TEST(group, name) and register themselves; the
 * program runs the one named by argv[1] ("group.name"), so that ctest runs
 * every case in its own process with its own timeout and a crash fails one
 * case, not the run. tests/CMakeLists.txt finds the TEST( lines in the
 * sources and registers each as a ctest test.
 *
 * A failed assertion prints file:line and the values, then ends the process
 * with status 1 (from any thread). SKIP() ends it with status 77, which ctest
 * reports as skipped, after printing the reason.
 */
#ifndef HOT_TEST_HARNESS_H
#define HOT_TEST_HARNESS_H

#include <stddef.h>
#include <string.h>

typedef void (*harness_fn)(void);

void harness_register(const char *name, harness_fn fn);
/* Helpers are entry points for child processes a test starts itself
 * ("helper:name" as argv[1]); they get the remaining arguments. */
void harness_register_helper(const char *name, int (*fn)(int argc, char **argv));
int harness_main(int argc, char **argv);

#if defined(__GNUC__)
#  define HARNESS__PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define HARNESS__NORETURN __attribute__((noreturn))
#else
#  define HARNESS__PRINTF(f, a)
#  define HARNESS__NORETURN
#endif

void harness_fail(const char *file, int line, const char *fmt, ...)
    HARNESS__PRINTF(3, 4) HARNESS__NORETURN;
void harness_skip(const char *fmt, ...) HARNESS__PRINTF(1, 2) HARNESS__NORETURN;
/* Progress notes, printed to stderr with the elapsed time. */
void harness_note(const char *fmt, ...) HARNESS__PRINTF(1, 2);

#define TEST(group, name)                                                     \
    static void test_##group##_##name(void);                                 \
    __attribute__((constructor)) static void register_##group##_##name(void) \
    {                                                                         \
        harness_register(#group "." #name, test_##group##_##name);           \
    }                                                                         \
    static void test_##group##_##name(void)

#define HELPER(name)                                                          \
    static int helper_##name(int argc, char **argv);                         \
    __attribute__((constructor)) static void register_helper_##name(void)    \
    {                                                                         \
        harness_register_helper(#name, helper_##name);                       \
    }                                                                         \
    static int helper_##name(int argc, char **argv)

#define FAIL(...) harness_fail(__FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...) harness_skip(__VA_ARGS__)

#define ASSERT(expr)                                                          \
    do {                                                                      \
        if (!(expr))                                                          \
            FAIL("ASSERT(%s)", #expr);                                        \
    } while (0)

#define HARNESS__CMP(a, op, b)                                                \
    do {                                                                      \
        long long a_ = (long long)(a), b_ = (long long)(b);                   \
        if (!(a_ op b_))                                                      \
            FAIL("%s %s %s: %lld vs %lld", #a, #op, #b, a_, b_);              \
    } while (0)

#define ASSERT_EQ(a, b) HARNESS__CMP(a, ==, b)
#define ASSERT_NE(a, b) HARNESS__CMP(a, !=, b)
#define ASSERT_LT(a, b) HARNESS__CMP(a, <, b)
#define ASSERT_LE(a, b) HARNESS__CMP(a, <=, b)
#define ASSERT_GT(a, b) HARNESS__CMP(a, >, b)
#define ASSERT_GE(a, b) HARNESS__CMP(a, >=, b)

#define ASSERT_STR_EQ(a, b)                                                   \
    do {                                                                      \
        const char *a_ = (a), *b_ = (b);                                      \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                \
            FAIL("%s == %s:\n  got      \"%s\"\n  expected \"%s\"", #a, #b,   \
                 a_ ? a_ : "(null)", b_ ? b_ : "(null)");                     \
    } while (0)

/* Case-insensitive: messages may come from strerror ("No space left") or
 * from the runtime's own table ("no space left"). */
int harness_contains(const char *haystack, const char *needle);
#define ASSERT_CONTAINS(haystack, needle)                                     \
    do {                                                                      \
        const char *h_ = (haystack), *n_ = (needle);                          \
        if (!harness_contains(h_, n_))                                        \
            FAIL("%s should contain \"%s\":\n  \"%s\"", #haystack, n_,        \
                 h_ ? h_ : "(null)");                                         \
    } while (0)
#define ASSERT_NOT_CONTAINS(haystack, needle)                                 \
    do {                                                                      \
        const char *h_ = (haystack), *n_ = (needle);                          \
        if (harness_contains(h_, n_))                                         \
            FAIL("%s should not contain \"%s\":\n  \"%s\"", #haystack, n_, h_); \
    } while (0)

#endif /* HOT_TEST_HARNESS_H */
