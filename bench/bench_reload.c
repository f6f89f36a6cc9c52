/*
 * Reload latency in background mode (HOT_APPLY_AT_ONCE, inotify watch):
 * how long from the moment a new build lands (rename() into the watched
 * folder, as lld, clang and editors do) until a hot call returns the new
 * build's value. Also the per-phase split of each reload, from the
 * HOT_EVENT_AFTER_RELOAD events.
 *
 * Then the frame loop (HOT_APPLY_AT_UPDATE): a host thread calls
 * hot_update() and the hot function every frame while reloads land, and
 * the longest a frame was held inside those two calls. That is a maximum,
 * which one hiccup of a virtual machine sets (0.8 ms seen once, with no
 * context switch in the frame): FRAME_ROUNDS rounds are run, and
 * reload_frame_block_ms_max is the median of their maxima,
 * reload_frame_block_ms_max_worst the largest.
 *
 * Consecutive reloads install different variants: a rebuild whose content
 * is already running is skipped by the runtime, by design.
 *
 * usage: bench_reload [variants_dir] [work_dir] [reloads]  (half of them synced)
 */
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_iface.h"
#include "bench_util.h"

#define MAX_RELOADS 100000
#define TIMEOUT_NS 2000000000ull /* a reload not seen in 2 s counts as lost */
#define QUIET_US 2000            /* let the watcher drain the temp file's events */
#define FRAME_ROUNDS 3           /* of the frame loop: its maximum is their median */

typedef struct phases {
    double copy, load, verify, publish, detect;
} phases;

static phases *g_phases;
static int g_n_events; /* written by the watcher thread only */
static int g_n_refused;

static void on_event(const hot_event *ev, void *userdata)
{
    int i = __atomic_load_n(&g_n_events, __ATOMIC_RELAXED);

    (void)userdata;
    if (ev->type == HOT_EVENT_REFUSED) {
        __atomic_add_fetch(&g_n_refused, 1, __ATOMIC_RELAXED);
        fprintf(stderr, "bench_reload: refused: %s\n", ev->message);
        return;
    }
    if (i < MAX_RELOADS) {
        g_phases[i].copy = ev->copy_ms;
        g_phases[i].load = ev->load_ms;
        g_phases[i].verify = ev->verify_ms;
        g_phases[i].publish = ev->publish_ms;
        g_phases[i].detect = ev->detect_ms;
    }
    __atomic_store_n(&g_n_events, i + 1, __ATOMIC_RELEASE);
}

typedef struct setup {
    bench_variants variants;
    char *dir;
    char lib_path[4096], tmp_path[4096];
    hot_lib *lib;
} setup;

/* Writes variant k under a temp name in the watched folder; the caller
 * renames it into place. synced: its blocks are on disk first, so that the
 * rename is a rename only (see SYNCED below). */
static int stage(setup *s, int k, int synced)
{
    if (bench_write_file(s->tmp_path, s->variants.buf[k], s->variants.size[k]) < 0)
        return -1;
    return synced ? bench_sync_file(s->tmp_path) : 0;
}

static int open_setup(setup *s, const char *variants_dir, const char *work_dir,
                      hot_apply_mode apply)
{
    hot_options opts = HOT_OPTIONS_INIT;

    if (bench_variants_load(&s->variants, variants_dir, BENCH_N_VARIANTS) < 0 ||
        !(s->dir = bench_mkdtemp(work_dir, "reload-")))
        return -1;
    snprintf(s->lib_path, sizeof s->lib_path, "%s/libbenchlib.so", s->dir);
    snprintf(s->tmp_path, sizeof s->tmp_path, "%s/.libbenchlib.so.tmp", s->dir);
    if (stage(s, 0, 0) < 0 || rename(s->tmp_path, s->lib_path) < 0)
        return -1;
    opts.apply = apply;
    if (hot_open(&s->lib, s->lib_path, HOT_IFACE(benchlib), &opts) < 0) {
        fprintf(stderr, "bench_reload: hot_open: %s\n", hot_last_error());
        return -1;
    }
    return hot_on_event(s->lib, HOT_EVENT_AFTER_RELOAD | HOT_EVENT_REFUSED, on_event, NULL);
}

/* Spins on the hot call until it answers `expected`. Returns when (the
 * clock's ns), or 0 after TIMEOUT_NS from t0. The clock is read every 64
 * calls only. */
static uint64_t spin_until(long expected, uint64_t t0)
{
    unsigned n = 0;
    uint64_t now;

    for (;;) {
        if (bench_value() == expected)
            return bench_now_ns();
        sched_yield();
        if (++n % 64 == 0 && (now = bench_now_ns()) - t0 > TIMEOUT_NS)
            return 0;
    }
}

/* The event follows the swap the caller already saw; wait for it so that
 * reloads never overlap. */
static void wait_events(int n)
{
    int waited_us = 0;

    while (__atomic_load_n(&g_n_events, __ATOMIC_ACQUIRE) < n && waited_us < 2000000) {
        usleep(100);
        waited_us += 100;
    }
}

/*
 * The build tool: renames each build into place when asked, from a thread
 * of its own, as a linker in another process would. Were the spinning
 * caller to rename, the kernel would wake the watcher on the caller's own
 * processor (a woken thread goes near its waker) and the two would take
 * turns there, up to a scheduler slice (about 4 ms here) at a time, while
 * the other processor idles: that measured the scheduler, not the reload.
 */
typedef struct lander {
    setup *s;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int asked, quit, failed;
    uint64_t t0; /* just before the last rename (atomic) */
} lander;

static void *lander_main(void *arg)
{
    lander *l = arg;

    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->asked && !l->quit)
            pthread_cond_wait(&l->cond, &l->mu);
        if (l->quit)
            break;
        l->asked = 0;
        __atomic_store_n(&l->t0, bench_now_ns(), __ATOMIC_RELEASE);
        if (rename(l->s->tmp_path, l->s->lib_path) < 0)
            l->failed = 1;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static int lander_start(lander *l, setup *s)
{
    memset(l, 0, sizeof *l);
    l->s = s;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cond, NULL);
    return pthread_create(&l->thread, NULL, lander_main, l) == 0 ? 0 : -1;
}

static void lander_signal(lander *l, int quit)
{
    pthread_mutex_lock(&l->mu);
    l->asked = !quit;
    l->quit = quit;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->mu);
}

static void lander_stop(lander *l)
{
    lander_signal(l, 1);
    pthread_join(l->thread, NULL);
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->mu);
}

/*
 * Which reloads have their build synced before it lands: every other one.
 * A rename over an existing file on ext4 first forces the new file's
 * delayed blocks to be allocated (auto_da_alloc), before the new name
 * appears: measured here, rename() to the watcher's inotify event is
 * 0.12 ms at the median against 0.06 ms once the file was synced (and
 * 0.04 ms on tmpfs, the rest of it the watcher's processor waking). That
 * is the writer's file system at work before the build has landed, not the
 * reload, and no reloader can start before it: the latency keys are of the
 * synced reloads, and the same from the unsynced ones is reported beside
 * (`_unsynced`), interleaved with them so that the machine's noise hits
 * both alike.
 */
#define SYNCED(i) ((i) % 2 == 1)

/* One reload; returns its latency in ms, or -1 if it was never seen. */
static double one_reload(setup *s, lander *l, int i)
{
    int k = i % s->variants.count;
    uint64_t asked, seen;

    if (stage(s, k, SYNCED(i)) < 0)
        return -1;
    usleep(QUIET_US);
    asked = bench_now_ns();
    lander_signal(l, 0);
    seen = spin_until(BENCH_VALUE_BASE + k, asked);
    hot_quiescent(s->lib); /* the contract: a thread that calls in passes one now and then */
    wait_events(i);
    if (!seen || l->failed)
        return -1;
    return (double)(seen - __atomic_load_n(&l->t0, __ATOMIC_ACQUIRE)) / 1e6;
}

static double median_of(const phases *p, int n, size_t offset)
{
    double *a = malloc((size_t)n * sizeof *a), m;
    int i;

    if (!a)
        return 0;
    for (i = 0; i < n; i++)
        a[i] = *(const double *)((const char *)&p[i] + offset);
    m = bench_median(a, (size_t)n);
    free(a);
    return m;
}

/* On stderr: where the time of the slowest reloads went. The wake-up is
 * what detect_ms leaves out: rename() to the watcher's event, plus the
 * swap to the spinning caller's next call. */
static void explain_slowest(const double *lat, int n, int shown)
{
    int i, j, worst;
    char *used = calloc((size_t)n + 1, 1);

    for (j = 0; used && j < shown && j < n && n <= g_n_events; j++) {
        for (worst = -1, i = 0; i < n; i++) {
            if (!used[i] && (worst < 0 || lat[i] > lat[worst]))
                worst = i;
        }
        used[worst] = 1;
        fprintf(stderr,
                "bench_reload: slow reload %d: %.3f ms = wake-up %.3f + detect %.3f "
                "(copy %.3f, load %.3f, verify %.3f, publish %.3f)\n",
                worst + 1, lat[worst], lat[worst] - g_phases[worst].detect, g_phases[worst].detect,
                g_phases[worst].copy, g_phases[worst].load, g_phases[worst].verify,
                g_phases[worst].publish);
    }
    free(used);
}

/* The latencies of the reloads of one kind (synced or not), sorted. */
static size_t of_kind(const double *lat, int n, int synced, double *out)
{
    size_t m = 0;
    int i;

    for (i = 0; i < n; i++) {
        if (SYNCED(i + 1) == synced)
            out[m++] = lat[i];
    }
    bench_sort(out, m);
    return m;
}

static void report(unsigned held, double *lat, int n_ok, int reloads, double *frame_ms)
{
    int n_ev = g_n_events < MAX_RELOADS ? g_n_events : MAX_RELOADS;
    double *kind = calloc((size_t)n_ok + 1, sizeof *kind);
    size_t m;

    if (!kind)
        return;
    if (n_ok == reloads)
        explain_slowest(lat, n_ok, 3);
    m = of_kind(lat, n_ok, 1, kind);
    bench_json_num("reload_latency_ms_p50", bench_percentile(kind, m, 50), 3);
    bench_json_num("reload_latency_ms_p99", bench_percentile(kind, m, 99), 3);
    bench_json_num("reload_latency_ms_min", m ? kind[0] : 0, 3);
    bench_json_num("reload_latency_ms_max", m ? kind[m - 1] : 0, 3);
    m = of_kind(lat, n_ok, 0, kind);
    bench_json_num("reload_latency_ms_p50_unsynced", bench_percentile(kind, m, 50), 3);
    bench_json_num("reload_latency_ms_p99_unsynced", bench_percentile(kind, m, 99), 3);
    free(kind);
    bench_json_num("copy_ms", median_of(g_phases, n_ev, offsetof(phases, copy)), 4);
    bench_json_num("load_ms", median_of(g_phases, n_ev, offsetof(phases, load)), 4);
    bench_json_num("verify_ms", median_of(g_phases, n_ev, offsetof(phases, verify)), 4);
    bench_json_num("publish_ms", median_of(g_phases, n_ev, offsetof(phases, publish)), 4);
    bench_json_num("detect_ms", median_of(g_phases, n_ev, offsetof(phases, detect)), 4);
    bench_json_num("reload_count", reloads, 0);
    bench_json_num("reload_lost", reloads - n_ok, 0);
    bench_json_num("reload_refused", g_n_refused, 0);
    bench_json_num("reload_versions_held", held, 0);
    bench_sort(frame_ms, FRAME_ROUNDS);
    bench_json_num("reload_frame_block_ms_max", bench_median(frame_ms, FRAME_ROUNDS), 3);
    bench_json_num("reload_frame_block_ms_max_worst", frame_ms[FRAME_ROUNDS - 1], 3);
    bench_json_end();
}

/* ---- The frame loop ------------------------------------------------------ */

#define FRAME_SPACING_US 200 /* the host's own work between frames */

typedef struct frame_run {
    setup *s;
    int reloads;
    volatile int done;
} frame_run;

/* The build side: the next variant lands once the frame loop has taken
 * the last one. */
static void *land_variants(void *arg)
{
    frame_run *r = arg;
    int i, k, waited;

    for (i = 1; i <= r->reloads; i++) {
        k = i % r->s->variants.count;
        if (stage(r->s, k, 0) < 0 || rename(r->s->tmp_path, r->s->lib_path) < 0)
            break;
        for (waited = 0; bench_value() != BENCH_VALUE_BASE + k && waited < 2000000; waited += 50)
            usleep(50);
        usleep(QUIET_US);
    }
    r->done = 1;
    return NULL;
}

/* Runs frames until the builds are done; returns the longest frame, ms. */
static double frame_loop(frame_run *r)
{
    uint64_t worst = 0, t0, t;

    while (!r->done) {
        t0 = bench_now_ns();
        hot_update(r->s->lib);
        (void)bench_value();
        t = bench_now_ns() - t0;
        worst = t > worst ? t : worst;
        usleep(FRAME_SPACING_US);
    }
    return (double)worst / 1e6;
}

static int frame_block(const char *variants_dir, const char *work_dir, int reloads, double *ms)
{
    setup s;
    frame_run r;
    pthread_t builder;
    int rc = -1;

    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    if (open_setup(&s, variants_dir, work_dir, HOT_APPLY_AT_UPDATE) == 0) {
        r.s = &s;
        r.reloads = reloads;
        if (pthread_create(&builder, NULL, land_variants, &r) == 0) {
            *ms = frame_loop(&r);
            pthread_join(builder, NULL);
            rc = 0;
        }
    }
    hot_close(s.lib);
    if (s.dir)
        bench_rmdir_flat(s.dir);
    free(s.dir);
    bench_variants_free(&s.variants);
    return rc;
}

int main(int argc, char **argv)
{
    const char *variants_dir = argc > 1 ? argv[1] : BENCH_VARIANTS_DIR;
    const char *work_dir = argc > 2 ? argv[2] : BENCH_WORK_DIR;
    int reloads = argc > 3 ? atoi(argv[3]) : 400, i, n_ok = 0, rc = 1;
    unsigned held;
    lander l;
    double *lat = calloc(reloads > 0 ? (size_t)reloads : 1, sizeof *lat), ms;
    double frame_ms[FRAME_ROUNDS];
    setup s;

    memset(&s, 0, sizeof s);
    g_phases = calloc(MAX_RELOADS, sizeof *g_phases);
    if (reloads < 1 || reloads > MAX_RELOADS || !lat || !g_phases ||
        open_setup(&s, variants_dir, work_dir, HOT_APPLY_AT_ONCE) < 0)
        goto cleanup;
    if (lander_start(&l, &s) < 0)
        goto cleanup;
    fprintf(stderr, "bench_reload: %d reloads by rename() into %s\n", reloads, s.dir);
    for (i = 1; i <= reloads; i++) {
        if ((ms = one_reload(&s, &l, i)) >= 0)
            lat[n_ok++] = ms;
        else
            fprintf(stderr, "bench_reload: reload %d was not seen within 2 s\n", i);
    }
    lander_stop(&l);
    held = hot_versions_held(s.lib);
    hot_close(s.lib); /* one handle per interface: the frame loop opens its own */
    s.lib = NULL;
    for (i = 0; i < FRAME_ROUNDS; i++) {
        if (frame_block(variants_dir, work_dir, reloads / 2, &frame_ms[i]) < 0)
            goto cleanup;
    }
    report(held, lat, n_ok, reloads, frame_ms);
    rc = n_ok == reloads ? 0 : 1;
cleanup:
    hot_close(s.lib);
    if (s.dir)
        bench_rmdir_flat(s.dir);
    free(s.dir);
    bench_variants_free(&s.variants);
    free(g_phases);
    free(lat);
    return rc;
}
