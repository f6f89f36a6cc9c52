/*
 * What a call costs: direct, through a function pointer, and through the
 * hot wrapper; and what hot_update() costs when nothing changed.
 *
 * The function pointer baseline (call_ns_fnptr) points at the very function
 * the hot wrapper reaches: the library's bench_inc in the loaded shadow
 * copy, found with dlopen(RTLD_NOLOAD) + dlsym. So the ratio measures the
 * wrapper and nothing else. Where the callee lives matters on its own: on
 * the machines we measured, a call into another mapped object costs ~0.8 ns
 * more than a call within the program, whatever the call path;
 * call_ns_fnptr_local (a pointer to the program's own copy of the body)
 * shows that part.
 *
 * Each measurement times a loop of N calls; the loops run interleaved
 * (A B C D E A B C D E ...) so that machine noise hits them alike, after a
 * warm-up. We report the median and the minimum over the runs, and the hot
 * call's cost as a ratio to the function pointer's, both measured here.
 *
 * usage: bench_calls [variants_dir] [runs] [calls_per_run]
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_iface.h"
#include "bench_util.h"

#define BENCH_STR2(x) #x
#define BENCH_STR(x) BENCH_STR2(x)
#ifdef __clang__
#define BENCH_COMPILER \
    "clang " BENCH_STR(__clang_major__) "." BENCH_STR(__clang_minor__) "." BENCH_STR(__clang_patchlevel__)
#else
#define BENCH_COMPILER "gcc " __VERSION__
#endif

#define WARMUP_RUNS 20

/* The argument is read from a volatile in every loop, so no call can be
 * folded or hoisted; the pointer is volatile so it is loaded on every
 * call, as the hot wrapper loads its table (with acquire ordering). */
static volatile long g_arg = 1;
static long (*volatile g_fnptr)(long);       /* the library's bench_inc */
static long (*volatile g_fnptr_local)(long) = bench_direct_inc;
static volatile long g_sink;
static hot_lib *g_lib;
static void *g_dl; /* our reference to the loaded shadow copy */

static BENCH_LOOP long loop_direct(long n)
{
    long acc = 0, i;

    for (i = 0; i < n; i++)
        acc += bench_direct_inc(g_arg);
    return acc;
}

static BENCH_LOOP long loop_fnptr(long n)
{
    long acc = 0, i;

    for (i = 0; i < n; i++)
        acc += g_fnptr(g_arg);
    return acc;
}

static BENCH_LOOP long loop_fnptr_local(long n)
{
    long acc = 0, i;

    for (i = 0; i < n; i++)
        acc += g_fnptr_local(g_arg);
    return acc;
}

/* bench_inc is the wrapper HOT_INTERFACE generated: an acquire load of
 * the table pointer, the entry, an indirect call. Nothing here helps or
 * hinders it. */
static BENCH_LOOP long loop_hot(long n)
{
    long acc = 0, i;

    for (i = 0; i < n; i++)
        acc += bench_inc(g_arg);
    return acc;
}

static BENCH_LOOP long loop_update(long n)
{
    long acc = 0, i;

    for (i = 0; i < n; i++)
        acc += hot_update(g_lib);
    return acc;
}

long bench_guarded_loop(long n, volatile long *arg);

static BENCH_LOOP long loop_hot_guarded(long n)
{
    return bench_guarded_loop(n, &g_arg);
}

typedef struct bench_case {
    const char *key;
    long (*loop)(long n);
    double *ns; /* ns per call, one per measured run */
} bench_case;

static bench_case g_cases[] = {
    {"call_ns_direct", loop_direct, NULL},
    {"call_ns_fnptr", loop_fnptr, NULL},
    {"call_ns_hot", loop_hot, NULL},
    {"call_ns_fnptr_local", loop_fnptr_local, NULL},
    {"update_poll_ns", loop_update, NULL},
    {"call_ns_hot_guarded", loop_hot_guarded, NULL},
};
/* Indexes into g_cases, for the ratios. */
enum { CASE_DIRECT, CASE_FNPTR, CASE_HOT, CASE_FNPTR_LOCAL, CASE_UPDATE, CASE_GUARDED };
#define N_CASES (sizeof g_cases / sizeof g_cases[0])

static double time_run(const bench_case *c, long calls)
{
    uint64_t t0 = bench_now_ns();

    g_sink = c->loop(calls);
    return (double)(bench_now_ns() - t0) / (double)calls;
}

/* Warm-up rounds are timed and thrown away: they fault pages in, fill the
 * caches and predictors, and let the clock frequency settle. */
static void measure(long runs, long calls)
{
    long r;
    size_t c;

    for (r = -WARMUP_RUNS; r < runs; r++) {
        for (c = 0; c < N_CASES; c++) {
            double ns = time_run(&g_cases[c], calls);
            if (r >= 0)
                g_cases[c].ns[r] = ns;
        }
    }
}

/* The baseline's target: the loaded copy's own bench_inc. RTLD_NOLOAD
 * takes a reference to the object the runtime loaded; it loads nothing. */
static int find_lib_function(void)
{
    long (*fn)(long) = NULL;

    g_dl = dlopen(hot_loaded_path(g_lib), RTLD_NOW | RTLD_NOLOAD);
    if (g_dl)
        *(void **)&fn = dlsym(g_dl, "bench_inc"); /* the POSIX idiom */
    g_fnptr = fn;
    if (!fn || fn(41) != 42) {
        fprintf(stderr, "bench_calls: no bench_inc in %s\n", hot_loaded_path(g_lib));
        return -1;
    }
    return 0;
}

static int open_lib(const char *variants_dir)
{
    hot_options opts = HOT_OPTIONS_INIT;
    char path[4096];
    int err;

    /* No watcher: nothing reloads here, and the call path is the same. */
    opts.watch = HOT_WATCH_NONE;
    snprintf(path, sizeof path, "%s/libbenchlib_v0.so", variants_dir);
    err = hot_open(&g_lib, path, HOT_IFACE(benchlib), &opts);
    if (err < 0) {
        fprintf(stderr, "bench_calls: hot_open %s: %s\n", path, hot_last_error());
        return -1;
    }
    if (bench_inc(41) != 42 || bench_value() != BENCH_VALUE_BASE) {
        fprintf(stderr, "bench_calls: the hot library answers wrongly\n");
        return -1;
    }
    return find_lib_function();
}

static void report(long runs, long calls)
{
    double med[N_CASES], min[N_CASES];
    char key[64];
    size_t c;

    for (c = 0; c < N_CASES; c++) {
        med[c] = bench_median(g_cases[c].ns, (size_t)runs);
        min[c] = bench_min(g_cases[c].ns, (size_t)runs);
        bench_json_num(g_cases[c].key, med[c], 3);
        snprintf(key, sizeof key, "%s_min", g_cases[c].key);
        bench_json_num(key, min[c], 3);
    }
    bench_json_num("call_overhead_ratio_vs_fnptr", med[CASE_HOT] / med[CASE_FNPTR], 3);
    bench_json_num("call_overhead_ratio_vs_fnptr_min", min[CASE_HOT] / min[CASE_FNPTR], 3);
    bench_json_num("call_overhead_ratio_vs_fnptr_local",
                   med[CASE_HOT] / med[CASE_FNPTR_LOCAL], 3);
    bench_json_num("call_guarded_ratio_vs_hot", med[CASE_GUARDED] / med[CASE_HOT], 3);
    bench_json_num("call_runs", (double)runs, 0);
    bench_json_num("calls_per_run", (double)calls, 0);
    bench_json_str("compiler", BENCH_COMPILER);
    bench_json_end();
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : BENCH_VARIANTS_DIR;
    long runs = argc > 2 ? atol(argv[2]) : 400;
    long calls = argc > 3 ? atol(argv[3]) : 200000;
    size_t c;

    if (runs < 1 || calls < 1 || open_lib(dir) < 0)
        return 1;
    for (c = 0; c < N_CASES; c++) {
        if (!(g_cases[c].ns = calloc((size_t)runs, sizeof(double))))
            return 1;
    }
    fprintf(stderr, "bench_calls: %ld runs of %ld calls, interleaved\n", runs, calls);
    measure(runs, calls);
    report(runs, calls);
    dlclose(g_dl);
    hot_close(g_lib);
    for (c = 0; c < N_CASES; c++)
        free(g_cases[c].ns);
    return 0;
}
