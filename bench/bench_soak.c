/*
 * The soak: many reloads in background mode while a thread calls the hot
 * functions without pause. Checks, on every reload: no crash (the process
 * survives), every value the thread sees is one a variant returns, and the
 * shadow copies on disk: right after a swap at most two (the running
 * version's, and the previous one's, kept as the crash-rollback target
 * until it is unloaded), and one once the calling thread has passed a safe
 * point. Old versions are unloaded as that thread passes hot_update()
 * (opts.unload_retired), so memory must stay flat; VmRSS and
 * hot_versions_held are reported.
 *
 * usage: bench_soak [variants_dir] [work_dir] [reloads]
 * Exit status 0 if every check held.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_iface.h"
#include "bench_util.h"

#define WAIT_MS 5000
#define SETTLE_US 1000000 /* for the retired copy to go once unloaded */
#define REPORT_EVERY 1000

typedef struct soak {
    bench_variants variants;
    char *dir, *shadow;
    char lib_path[4096], tmp_path[4096];
    hot_lib *lib;
    int stop;                 /* set by main, read by the caller thread */
    unsigned long calls, bad; /* written by the caller thread */
    long first_bad;
    int lost, too_many_copies, max_copies, refused;
    long rss_start, rss_max;
} soak;

static void on_refused(const hot_event *ev, void *userdata)
{
    soak *s = userdata;

    __atomic_add_fetch(&s->refused, 1, __ATOMIC_RELAXED);
    fprintf(stderr, "bench_soak: refused: %s\n", ev->message);
}

static int value_ok(long v)
{
    return v >= BENCH_VALUE_BASE && v < BENCH_VALUE_BASE + BENCH_N_VARIANTS;
}

/* Calls without pause; every 16 calls passes a safe point, which is what
 * lets the runtime unload the versions it retired. */
static void *caller_main(void *arg)
{
    soak *s = arg;
    unsigned long calls = 0, bad = 0;
    long x = 0, v;

    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        v = bench_value();
        if (!value_ok(v) || bench_inc(x) != x + 1) {
            if (bad++ == 0)
                s->first_bad = v;
        }
        x++;
        if (++calls % 16 == 0)
            hot_update(s->lib);
    }
    s->calls = calls;
    s->bad = bad;
    return NULL;
}

static int open_soak(soak *s, const char *variants_dir, const char *work_dir)
{
    hot_options opts = HOT_OPTIONS_INIT;
    const char *tmp = getenv("TMPDIR");

    if (bench_variants_load(&s->variants, variants_dir, BENCH_N_VARIANTS) < 0 ||
        !(s->dir = bench_mkdtemp(work_dir, "soak-")) ||
        !(s->shadow = bench_mkdtemp(tmp && *tmp ? tmp : "/tmp", "hotreload-soak-")))
        return -1;
    snprintf(s->lib_path, sizeof s->lib_path, "%s/libbenchlib.so", s->dir);
    snprintf(s->tmp_path, sizeof s->tmp_path, "%s/.libbenchlib.so.tmp", s->dir);
    if (bench_write_file(s->tmp_path, s->variants.buf[0], s->variants.size[0]) < 0 ||
        rename(s->tmp_path, s->lib_path) < 0)
        return -1;
    opts.apply = HOT_APPLY_AT_ONCE;
    opts.unload_retired = 1;
    opts.shadow_dir = s->shadow;
    if (hot_open(&s->lib, s->lib_path, HOT_IFACE(benchlib), &opts) < 0) {
        fprintf(stderr, "bench_soak: hot_open: %s\n", hot_last_error());
        return -1;
    }
    return hot_on_event(s->lib, HOT_EVENT_REFUSED, on_refused, s);
}

/* The previous version is unloaded, and its copy deleted, once the calling
 * thread passes hot_update(): wait for that, briefly. */
static int settled_copies(soak *s)
{
    int copies, waited = 0;

    while ((copies = bench_count_files(s->shadow)) > 1 && waited < SETTLE_US) {
        usleep(100);
        waited += 100;
    }
    return copies;
}

static void check_copies(soak *s, int i)
{
    int copies = bench_count_files(s->shadow);

    s->max_copies = copies > s->max_copies ? copies : s->max_copies;
    if (copies > 2 && s->too_many_copies++ < 5)
        fprintf(stderr, "bench_soak: %d shadow copies right after reload %d\n", copies, i);
    if (copies > 1 && (copies = settled_copies(s)) > 1 && s->too_many_copies++ < 5)
        fprintf(stderr, "bench_soak: %d shadow copies %d ms after reload %d\n", copies,
                SETTLE_US / 1000, i);
}

/* Installs the next variant and waits until it answers calls. */
static void one_reload(soak *s, int i)
{
    const int k = i % s->variants.count;
    unsigned long since = hot_version(s->lib);

    if (bench_write_file(s->tmp_path, s->variants.buf[k], s->variants.size[k]) < 0 ||
        rename(s->tmp_path, s->lib_path) < 0 ||
        hot_wait_reload(s->lib, since, WAIT_MS) != 0) {
        if (s->lost++ < 5)
            fprintf(stderr, "bench_soak: reload %d not seen within %d ms\n", i, WAIT_MS);
    }
    check_copies(s, i);
}

static void progress(soak *s, int i, uint64_t t0)
{
    long rss = bench_rss_kb();

    s->rss_max = rss > s->rss_max ? rss : s->rss_max;
    fprintf(stderr, "bench_soak: %6d reloads, %.1f s, VmRSS %ld KiB, %u versions held\n", i,
            (double)(bench_now_ns() - t0) / 1e9, rss, hot_versions_held(s->lib));
}

static int report(soak *s, int reloads, double seconds)
{
    int ok = s->bad == 0 && s->lost == 0 && s->too_many_copies == 0 && s->refused == 0;
    long rss_end = bench_rss_kb();

    bench_json_num("soak_reloads", reloads, 0);
    bench_json_num("soak_seconds", seconds, 1);
    bench_json_num("soak_calls", (double)s->calls, 0);
    bench_json_num("soak_bad_values", (double)s->bad, 0);
    bench_json_num("soak_lost_reloads", s->lost, 0);
    bench_json_num("soak_refused", s->refused, 0);
    bench_json_num("soak_max_shadow_copies", s->max_copies, 0);
    bench_json_num("soak_shadow_copy_violations", s->too_many_copies, 0);
    bench_json_num("soak_versions_held_end", hot_versions_held(s->lib), 0);
    bench_json_num("soak_rss_kb_start", (double)s->rss_start, 0);
    bench_json_num("soak_rss_kb_max", (double)s->rss_max, 0);
    bench_json_num("soak_rss_kb_end", (double)rss_end, 0);
    bench_json_str("soak_result", ok ? "PASS" : "FAIL");
    bench_json_end();
    if (s->bad)
        fprintf(stderr, "bench_soak: %lu bad values, the first %ld\n", s->bad, s->first_bad);
    return ok ? 0 : 1;
}

static void close_soak(soak *s)
{
    hot_close(s->lib);
    if (s->dir)
        bench_rmdir_flat(s->dir);
    if (s->shadow)
        bench_rmdir_flat(s->shadow);
    free(s->dir);
    free(s->shadow);
    bench_variants_free(&s->variants);
}

int main(int argc, char **argv)
{
    const char *variants_dir = argc > 1 ? argv[1] : BENCH_VARIANTS_DIR;
    const char *work_dir = argc > 2 ? argv[2] : BENCH_WORK_DIR;
    int reloads = argc > 3 ? atoi(argv[3]) : 10000, i, rc = 1;
    pthread_t caller;
    uint64_t t0;
    soak s;

    memset(&s, 0, sizeof s);
    if (reloads < 1 || open_soak(&s, variants_dir, work_dir) < 0 ||
        pthread_create(&caller, NULL, caller_main, &s) != 0)
        goto cleanup;
    s.rss_start = s.rss_max = bench_rss_kb();
    fprintf(stderr, "bench_soak: %d reloads; shadow copies in %s\n", reloads, s.shadow);
    t0 = bench_now_ns();
    for (i = 1; i <= reloads; i++) {
        one_reload(&s, i);
        if (i % REPORT_EVERY == 0 || i == reloads)
            progress(&s, i, t0);
    }
    usleep(100000); /* let the caller pass a safe point after the last swap */
    __atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
    pthread_join(caller, NULL);
    rc = report(&s, reloads, (double)(bench_now_ns() - t0) / 1e9);
cleanup:
    close_soak(&s);
    return rc;
}
