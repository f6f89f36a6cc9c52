/*
 * A small harness for the state tests: checks that stop the test with the
 * line that failed, a private directory per test run, fixture variants
 * installed by name, events and log lines recorded, and child processes
 * for the cases that must die.
 *
 * Each ctest test runs one case in its own process: the runtime keeps one
 * open handle per interface and a rollback changes the process for good.
 */
#ifndef TH_H
#define TH_H

#include <hotreload.h>

#define TH_SKIP 77 /* ctest SKIP_RETURN_CODE */

void th_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
void th_skip(const char *why) __attribute__((noreturn));

#define CHECK(c)                                                          \
    do {                                                                  \
        if (!(c))                                                         \
            th_fail(__FILE__, __LINE__, "%s", #c);                        \
    } while (0)
#define CHECK_LONG(a, b)                                                  \
    do {                                                                  \
        long a_ = (long)(a), b_ = (long)(b);                              \
        if (a_ != b_)                                                     \
            th_fail(__FILE__, __LINE__, "%s == %s: %ld != %ld", #a, #b, a_, b_); \
    } while (0)
#define CHECK_STR(a, b) th_check_str(__FILE__, __LINE__, #a, (a), (b))
#define CHECK_HAS(hay, needle) th_check_has(__FILE__, __LINE__, #hay, (hay), (needle), 1)
#define CHECK_LACKS(hay, needle) th_check_has(__FILE__, __LINE__, #hay, (hay), (needle), 0)

void th_check_str(const char *file, int line, const char *expr, const char *got,
                  const char *want);
void th_check_has(const char *file, int line, const char *expr, const char *hay,
                  const char *needle, int want);

/* One case of a test program. */
typedef struct th_case {
    const char *name;
    void (*run)(void);
} th_case;

/* Runs the case named argv[1] from the NULL-terminated tables. */
int th_main(int argc, char **argv, const th_case *const *tables);

/* Copies the fixture variant <name> (libfx_<name>.so) to the watched path,
 * atomically (a rename), as a build would. */
void th_install(const char *variant);
/* The same with `value` written after the variant's FXPATCH marker: a
 * distinct build per value (FX_PATCHABLE variants have no build-id). */
void th_install_patched(const char *variant, long value);

/* Installs the variant and opens it: no watcher, shadow copies in the
 * test's directory, events and log lines recorded. */
hot_lib *th_open(const hot_interface *iface, const char *variant, int unload_retired);
/* The same with the caller's options (shadow_dir, watch and logging are
 * the harness's). */
hot_lib *th_open_opts(const hot_interface *iface, const char *variant, const hot_options *opts);
void th_close(hot_lib *lib);

/* An event as recorded (its message copied). */
typedef struct th_event {
    hot_event_type type;
    unsigned long version, from_version;
    int error;
    char message[512];
} th_event;

/* The newest recorded event of this type (a copy), or a zeroed event. */
th_event th_last(hot_event_type type);
unsigned th_count(hot_event_type type);
/* Was a log line containing needle recorded? */
int th_logged(const char *needle);

/* Forks; the child runs body and exits 0 if it returns. Returns the wait
 * status. The child writes no core file. */
int th_child(void (*body)(void));
/* Checks a status from th_child: killed by sig (0: exited with code). */
void th_expect_signal(const char *what, int status, int sig);
void th_expect_exit(const char *what, int status, int code);

#endif /* TH_H */
