/* The harness's registry and runner (see harness.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MAX_CASES 256
/* A backstop for runs outside ctest (which has its own timeouts): no case
 * should ever take this long, even under a sanitizer. */
#define ALARM_SECONDS 240

static struct {
    const char *name;
    harness_fn fn;
} cases[MAX_CASES];
static int n_cases;

static struct {
    const char *name;
    int (*fn)(int, char **);
} helpers[16];
static int n_helpers;

static struct timespec started;

void harness_register(const char *name, harness_fn fn)
{
    if (n_cases == MAX_CASES) {
        fprintf(stderr, "harness: more than %d cases\n", MAX_CASES);
        exit(2);
    }
    cases[n_cases].name = name;
    cases[n_cases++].fn = fn;
}

void harness_register_helper(const char *name, int (*fn)(int, char **))
{
    if (n_helpers == (int)(sizeof helpers / sizeof helpers[0])) {
        fprintf(stderr, "harness: too many helpers\n");
        exit(2);
    }
    helpers[n_helpers].name = name;
    helpers[n_helpers++].fn = fn;
}

static double elapsed_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - started.tv_sec) + (double)(now.tv_nsec - started.tv_nsec) / 1e9;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "FAIL %s:%d (%.3fs): ", file, line, elapsed_s());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    fflush(stdout);
    /* _exit: other threads may still be running, and exit handlers could
     * hide the failure behind a second one. */
    _exit(1);
}

void harness_skip(const char *fmt, ...)
{
    va_list ap;

    fputs("SKIP: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    _exit(77);
}

void harness_note(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "[%.3fs] ", elapsed_s());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int harness_contains(const char *haystack, const char *needle)
{
    size_t n;

    if (!haystack || !needle)
        return 0;
    n = strlen(needle);
    for (; *haystack; haystack++) {
        if (strncasecmp(haystack, needle, n) == 0)
            return 1;
    }
    return n == 0;
}

static void list_cases(void)
{
    int i;
    for (i = 0; i < n_cases; i++)
        printf("%s\n", cases[i].name);
}

int harness_main(int argc, char **argv)
{
    int i;

    clock_gettime(CLOCK_MONOTONIC, &started);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2 || strcmp(argv[1], "--list") == 0) {
        list_cases();
        return argc < 2 ? 2 : 0;
    }
    if (strncmp(argv[1], "helper:", 7) == 0) {
        for (i = 0; i < n_helpers; i++) {
            if (strcmp(argv[1] + 7, helpers[i].name) == 0)
                return helpers[i].fn(argc - 2, argv + 2);
        }
    }
    for (i = 0; i < n_cases; i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            alarm(ALARM_SECONDS);
            cases[i].fn();
            fprintf(stderr, "PASS %s (%.3fs)\n", cases[i].name, elapsed_s());
            return 0;
        }
    }
    fprintf(stderr, "harness: no case named '%s' (--list shows them)\n", argv[1]);
    return 2;
}
