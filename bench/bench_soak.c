/*
 * The soak: many reloads of a realistic -g library (a few MB: soak_lib.c and
 * generated code) in background mode (HOT_APPLY_AT_ONCE) while two threads
 * call into it without pause and the main thread replaces the file, build
 * after build. Each build carries its number (soak_iface.h), so a caller
 * can tell which build answered.
 *
 * Two runs, each in its own child process (a crash is counted, not fatal):
 *   unload: opts.unload_retired, the callers pass a safe point every 16
 *           calls; old versions must go, so nothing may grow;
 *   keep:   the default (old versions stay mapped); a tenth of the reloads
 *           (at most 1,000), to measure what that holds.
 * Checked in both: no crash, no lost or refused reload, no bad value, no
 * wrong-version call (a call answered by a build older than one its thread
 * had already seen), no descriptor or thread left after hot_close, no file
 * left in the shadow folder after hot_close. In the unload run also: at
 * most two shadow copies right after a swap and one once the callers passed
 * a safe point. Reported: mappings, RSS and shadow bytes held.
 *
 * usage: bench_soak LIBRARY WORK_DIR [RELOADS [KEEP_RELOADS]]
 * (KEEP_RELOADS: the keep run's, default RELOADS / 10, at most 1,000)
 * Prints one flat JSON object; exit status 0 if every check held.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_proc.h"
#include "bench_util.h"
#include "soak_iface.h"

#define N_CALLERS 2
#define WAIT_MS 10000
#define SETTLE_US 2000000 /* for a retired copy to go once unloaded */
#define REPORT_EVERY 1000

/* What a run measured; in shared memory, so a run's child can fill it. */
typedef struct soak_result {
    long reloads, lost, refused, bad_values, wrong_version_calls, copy_violations;
    long fd_growth, threads_growth, shadow_files_left, maps_growth, max_copies;
    long rss_start_kib, rss_end_kib;
    long long shadow_bytes_held;
    unsigned long calls;
    double seconds;
    int done; /* the child got to the end */
} soak_result;

typedef struct soak_caller {
    struct soak_run *run;
    unsigned long calls;
    long bad, wrong, highest;
} soak_caller;

typedef struct soak_run {
    const unsigned char *image;
    size_t size, stamp_at;
    int unload;
    char *dir, *shadow;
    char lib_path[4096], tmp_path[4096];
    hot_lib *lib;
    int stop;
    soak_caller callers[N_CALLERS];
    soak_result *r;
} soak_run;

static void on_refused(const hot_event *ev, void *userdata)
{
    soak_run *run = userdata;

    if (__atomic_add_fetch(&run->r->refused, 1, __ATOMIC_RELAXED) <= 5)
        fprintf(stderr, "bench_soak: refused: %s\n", ev->message);
}

/* One call pair; a value below the highest this thread has seen is a call
 * that reached an older build after the thread had seen a newer one. */
static void call_once(soak_caller *c, long x)
{
    long v = soak_stamp();

    if (v < 1 || v > c->run->r->reloads + 1 || soak_work(x) != x + 1)
        c->bad++;
    if (v < c->highest && c->wrong++ < 5)
        fprintf(stderr, "bench_soak: a call reached build %ld after build %ld\n", v, c->highest);
    c->highest = v > c->highest ? v : c->highest;
}

/* Calls without pause; every 16 calls passes a safe point, which is what
 * lets the runtime unload the versions it retired. */
static void *caller_main(void *arg)
{
    soak_caller *c = arg;
    soak_run *run = c->run;
    long x = 0;

    hot_quiescent(run->lib); /* announce this thread before its first call */
    while (!__atomic_load_n(&run->stop, __ATOMIC_ACQUIRE)) {
        call_once(c, x++);
        if (++c->calls % 16 == 0)
            hot_update(run->lib);
    }
    hot_thread_leave(run->lib);
    return NULL;
}

/* Installs build n: the image with n after the magic, written under a
 * temporary name and renamed into place, as a careful build tool does. */
static int install_build(soak_run *run, long n)
{
    unsigned char *image = (unsigned char *)run->image;
    unsigned long stamp = (unsigned long)n;

    memcpy(image + run->stamp_at, &stamp, sizeof stamp);
    return bench_write_file(run->tmp_path, image, run->size) == 0 &&
                   rename(run->tmp_path, run->lib_path) == 0
               ? 0
               : -1;
}

static int open_run(soak_run *run, const char *work_dir)
{
    hot_options opts = HOT_OPTIONS_INIT;
    const char *tmp = getenv("TMPDIR");

    if (!(run->dir = bench_mkdtemp(work_dir, "soak-")) ||
        !(run->shadow = bench_mkdtemp(tmp && *tmp ? tmp : "/tmp", "hotreload-soak-")))
        return -1;
    snprintf(run->lib_path, sizeof run->lib_path, "%s/libsoaklib.so", run->dir);
    snprintf(run->tmp_path, sizeof run->tmp_path, "%s/.libsoaklib.so.tmp", run->dir);
    if (install_build(run, 1) < 0)
        return -1;
    opts.apply = HOT_APPLY_AT_ONCE;
    opts.unload_retired = run->unload;
    opts.shadow_dir = run->shadow;
    if (hot_open(&run->lib, run->lib_path, HOT_IFACE(soaklib), &opts) < 0) {
        fprintf(stderr, "bench_soak: hot_open: %s\n", hot_last_error());
        return -1;
    }
    return hot_on_event(run->lib, HOT_EVENT_REFUSED, on_refused, run);
}

/* The previous version is unloaded, and its copy deleted, once both callers
 * pass hot_update(): wait for that, briefly. */
static long settled_copies(soak_run *run)
{
    long copies;
    int waited = 0;

    while ((copies = bench_count_files(run->shadow)) > 1 && waited < SETTLE_US) {
        usleep(200);
        waited += 200;
    }
    return copies;
}

static void check_copies(soak_run *run, long i)
{
    long copies = bench_count_files(run->shadow);
    soak_result *r = run->r;

    r->max_copies = copies > r->max_copies ? copies : r->max_copies;
    if (!run->unload)
        return;
    if (copies > 2 && r->copy_violations++ < 5)
        fprintf(stderr, "bench_soak: %ld shadow copies right after reload %ld\n", copies, i);
    if (copies > 1 && (copies = settled_copies(run)) > 1 && r->copy_violations++ < 5)
        fprintf(stderr, "bench_soak: %ld shadow copies %d ms after reload %ld\n", copies,
                SETTLE_US / 1000, i);
}

/* Installs build i and waits until it answers calls. */
static void one_reload(soak_run *run, long i)
{
    unsigned long since = hot_version(run->lib);

    if (install_build(run, i) < 0 || hot_wait_reload(run->lib, since, WAIT_MS) != 0) {
        if (run->r->lost++ < 5)
            fprintf(stderr, "bench_soak: build %ld not answering within %d ms\n", i, WAIT_MS);
    }
    check_copies(run, i);
}

static void progress(soak_run *run, long i, uint64_t t0)
{
    fprintf(stderr, "bench_soak: %s: %6ld reloads, %.1f s, VmRSS %ld KiB, %u versions held\n",
            run->unload ? "unload" : "keep", i, (double)(bench_now_ns() - t0) / 1e9, bench_rss_kb(),
            hot_versions_held(run->lib));
}

/* Every build after the first, then a pause for the callers to pass a safe
 * point after the last swap. */
static void reload_all(soak_run *run)
{
    soak_result *r = run->r;
    uint64_t t0 = bench_now_ns();
    long i;

    for (i = 2; i <= r->reloads + 1; i++) {
        one_reload(run, i);
        if ((i - 1) % REPORT_EVERY == 0 || i == r->reloads + 1)
            progress(run, i - 1, t0);
    }
    if (run->unload)
        settled_copies(run);
    usleep(100000);
    r->seconds = (double)(bench_now_ns() - t0) / 1e9;
}

static int start_callers(soak_run *run, pthread_t *threads)
{
    int k;

    for (k = 0; k < N_CALLERS; k++) {
        run->callers[k].run = run;
        if (pthread_create(&threads[k], NULL, caller_main, &run->callers[k]) != 0)
            return -1;
    }
    return 0;
}

static void stop_callers(soak_run *run, pthread_t *threads)
{
    soak_result *r = run->r;
    int k;

    __atomic_store_n(&run->stop, 1, __ATOMIC_RELEASE);
    for (k = 0; k < N_CALLERS; k++) {
        pthread_join(threads[k], NULL);
        r->calls += run->callers[k].calls;
        r->bad_values += run->callers[k].bad;
        r->wrong_version_calls += run->callers[k].wrong;
    }
}

/* One run, in the child: the counts go to run->r. */
static int soak_child(soak_run *run, const char *work_dir)
{
    soak_result *r = run->r;
    long fds = bench_count_fds(), threads = bench_count_threads(), maps;
    pthread_t callers[N_CALLERS];

    if (open_run(run, work_dir) < 0 || start_callers(run, callers) < 0)
        return 1;
    usleep(100000); /* both callers running, first build mapped */
    maps = bench_count_maps();
    r->rss_start_kib = bench_rss_kb();
    reload_all(run);
    r->maps_growth = bench_count_maps() - maps;
    r->rss_end_kib = bench_rss_kb();
    r->shadow_bytes_held = bench_bytes_held_under(run->shadow);
    stop_callers(run, callers);
    hot_close(run->lib);
    r->shadow_files_left = bench_count_entries(run->shadow);
    r->fd_growth = bench_count_fds() - fds;
    r->threads_growth = bench_count_threads() - threads;
    bench_rmdir_flat(run->dir);
    bench_rmdir_flat(run->shadow);
    r->done = 1;
    return 0;
}

/* Runs one soak in a child process; 1 if it crashed (or died otherwise). */
static int soak_run_forked(soak_run *run, const char *work_dir)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return 1;
    if (pid == 0)
        _exit(soak_child(run, work_dir));
    if (waitpid(pid, &status, 0) < 0)
        return 1;
    if (WIFSIGNALED(status))
        fprintf(stderr, "bench_soak: the %s run died of signal %d\n",
                run->unload ? "unload" : "keep", WTERMSIG(status));
    return !run->r->done || !WIFEXITED(status);
}

static void print_run(const char *suffix, const soak_result *r)
{
    char key[64];

#define KEY(name) (snprintf(key, sizeof key, "soak_%s%s", name, suffix), key)
    bench_json_num(KEY("reloads"), (double)r->reloads, 0);
    bench_json_num(KEY("seconds"), r->seconds, 1);
    bench_json_num(KEY("calls"), (double)r->calls, 0);
    bench_json_num(KEY("wrong_version_calls"), (double)r->wrong_version_calls, 0);
    bench_json_num(KEY("bad_values"), (double)r->bad_values, 0);
    bench_json_num(KEY("lost_reloads"), (double)r->lost, 0);
    bench_json_num(KEY("refused"), (double)r->refused, 0);
    bench_json_num(KEY("fd_growth"), (double)r->fd_growth, 0);
    bench_json_num(KEY("threads_growth"), (double)r->threads_growth, 0);
    bench_json_num(KEY("shadow_files_left"), (double)r->shadow_files_left, 0);
    bench_json_num(KEY("maps_growth"), (double)r->maps_growth, 0);
    bench_json_num(KEY("max_shadow_copies"), (double)r->max_copies, 0);
    bench_json_num(KEY("shadow_copy_violations"), (double)r->copy_violations, 0);
    bench_json_num(KEY("rss_growth_kib_per_reload"),
                   (double)(r->rss_end_kib - r->rss_start_kib) / (double)r->reloads, 2);
    bench_json_num(KEY("shadow_bytes_held"), (double)r->shadow_bytes_held, 0);
#undef KEY
}

static int run_ok(const soak_result *r)
{
    return r->done && r->lost == 0 && r->refused == 0 && r->bad_values == 0 &&
           r->wrong_version_calls == 0 && r->fd_growth == 0 && r->threads_growth == 0 &&
           r->shadow_files_left == 0 && r->copy_violations == 0;
}

/* The first occurrence of the magic; -1 if none or more than one. */
static long find_stamp(const unsigned char *image, size_t size)
{
    const unsigned long magic = SOAK_STAMP_MAGIC;
    long at = -1;
    size_t i;

    for (i = 0; i + 2 * sizeof magic <= size; i++) {
        if (memcmp(image + i, &magic, sizeof magic) != 0)
            continue;
        if (at >= 0)
            return -1;
        at = (long)(i + sizeof magic);
    }
    return at;
}

int main(int argc, char **argv)
{
    long reloads = argc > 3 ? atol(argv[3]) : 10000, crashes;
    long keep = argc > 4 ? atol(argv[4]) : reloads / 10;
    soak_result *results;
    soak_run unload, kept;
    bench_variants image;
    int ok;

    if (argc < 3 || reloads < 10 || keep < 1) {
        fprintf(stderr, "usage: bench_soak LIBRARY WORK_DIR [RELOADS >= 10 [KEEP_RELOADS]]\n");
        return 2;
    }
    memset(&unload, 0, sizeof unload);
    if (bench_file_load(&image, argv[1]) < 0 ||
        (long)(unload.stamp_at = (size_t)find_stamp(image.buf[0], image.size[0])) < 0) {
        fprintf(stderr, "bench_soak: %s: unreadable, or no single build stamp in it\n", argv[1]);
        return 2;
    }
    results =
        mmap(NULL, 2 * sizeof *results, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (results == MAP_FAILED)
        return 2;
    memset(results, 0, 2 * sizeof *results);
    unload.image = image.buf[0];
    unload.size = image.size[0];
    kept = unload;
    unload.unload = 1;
    unload.r = &results[0];
    kept.r = &results[1];
    results[0].reloads = reloads;
    results[1].reloads = keep > 1000 ? 1000 : keep;
    fprintf(stderr, "bench_soak: %s, %zu bytes; %ld reloads unloading, %ld keeping\n", argv[1],
            image.size[0], results[0].reloads, results[1].reloads);
    crashes = soak_run_forked(&unload, argv[2]) + soak_run_forked(&kept, argv[2]);

    bench_json_num("soak_crashes", (double)crashes, 0);
    bench_json_num("soak_library_bytes", (double)image.size[0], 0);
    print_run("", &results[0]);
    print_run("_keep", &results[1]);
    ok = crashes == 0 && run_ok(&results[0]) && run_ok(&results[1]);
    bench_json_str("soak_result", ok ? "PASS" : "FAIL");
    bench_json_end();
    bench_variants_free(&image);
    return ok ? 0 : 1;
}
