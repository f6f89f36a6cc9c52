/*
 * bench_audio BUNDLE VARIANTS [SWAPS]: what a logic swap costs the audio
 * thread, measured in the same run beside the approach of truce (the
 * reload done under a mutex that run() try-locks, skipping the block when
 * busy, and the state hand-over done inside run()).
 *
 * An audio thread runs 64-frame blocks at 48 kHz pace. Ours: the lv2-delay
 * plugin through lilv, with no worker (the shell's own thread prepares);
 * the main thread installs builds that alternately report latency 0 and 32,
 * so the block in which the latency port changes is the swap's block. The
 * stall is that block's run() time minus the median of the blocks without
 * a swap. A block is "skipped" when run() leaves its output unwritten, and
 * "silenced" when it writes zeros while the input plays.
 * Prints one JSON object: rt_stall_us_max, rt_stall_us_p99,
 * rt_blocks_skipped, rt_blocks_silenced, rt_stall_us_max_mutex_baseline,
 * rt_blocks_skipped_mutex_baseline, rt_swaps, and rt_stall_us_max_no_swap:
 * the same max over as many blocks without a swap (the machine's noise in
 * this run; on a shared machine it sets rt_stall_us_max as often as not).
 */
#include <dlfcn.h>
#include <lilv/lilv.h>
#include <lv2/log/log.h>
#include <lv2/urid/urid.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hotreload/plugin.h>

#include "bench_util.h"

#define BLOCK 64
#define RATE 48000
#define MAX_BLOCKS 400000
#define DELAY_URI "urn:hotreload:examples:lv2-delay"

static char work[256], bundle_copy[512];
static const char *variants;
static float in_buf[BLOCK], out_buf[BLOCK];
static double dur_ns[MAX_BLOCKS];
static unsigned char swapped[MAX_BLOCKS];
static long n_blocks, n_skipped, n_silenced;
static int stop_audio;
static unsigned long swaps_seen;

static double now_ns(void)
{
    return (double)bench_now_ns();
}

static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_audio: %s failed\n", cmd);
        exit(1);
    }
}

static void realtime_priority(void)
{
    struct sched_param p;

    p.sched_priority = 70;
    if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) != 0)
        fprintf(stderr, "bench_audio: no SCHED_FIFO here; timings include preemption\n");
}

/* Sleeps to the next block's deadline (48 kHz pace). */
static void pace(struct timespec *next)
{
    next->tv_nsec += (long)(1e9 * BLOCK / RATE);
    if (next->tv_nsec >= 1000000000L) {
        next->tv_sec++;
        next->tv_nsec -= 1000000000L;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

static void check_output(void)
{
    int i, unwritten = 0, zero = 1;

    for (i = 0; i < BLOCK; i++) {
        unwritten |= isnan(out_buf[i]);
        zero &= out_buf[i] == 0.0f;
    }
    n_skipped += unwritten;
    n_silenced += !unwritten && zero;
}

static void prefill(void)
{
    int i;

    for (i = 0; i < BLOCK; i++) {
        in_buf[i] = 0.3f + 0.2f * (float)sin(i * 0.1); /* never zero */
        out_buf[i] = NAN;
    }
}

/* ---- Ours: the plugin through lilv -------------------------------------- */

static LilvInstance *instance;
static float params[3] = {0.05f, 0.6f, 0.5f}, latency;

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri)
{
    static char *uris[64];
    static unsigned n;
    unsigned i;

    (void)h;
    for (i = 0; i < n && strcmp(uris[i], uri) != 0; i++)
        ;
    if (i == n && n < 64)
        uris[n++] = strdup(uri);
    return i + 1;
}

static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
    (void)h;
    (void)type;
    (void)fmt;
    (void)ap;
    return 0; /* the shell says a lot at 1,000 swaps */
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
    (void)h;
    (void)type;
    (void)fmt;
    return 0;
}

static void *ours_audio(void *arg)
{
    struct timespec next;
    float last = 0;

    (void)arg;
    realtime_priority();
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (!__atomic_load_n(&stop_audio, __ATOMIC_ACQUIRE) && n_blocks < MAX_BLOCKS) {
        double t0;
        prefill();
        t0 = now_ns();
        lilv_instance_run(instance, BLOCK);
        dur_ns[n_blocks] = now_ns() - t0;
        check_output();
        if (latency != last) {
            swapped[n_blocks] = 1;
            last = latency;
            __atomic_add_fetch(&swaps_seen, 1, __ATOMIC_RELEASE);
        }
        n_blocks++;
        pace(&next);
    }
    return NULL;
}

static void open_plugin(const char *bundle)
{
    static LV2_URID_Map map = {NULL, map_uri};
    static LV2_Log_Log log = {NULL, log_printf, log_vprintf};
    static LV2_Feature map_f = {LV2_URID__map, &map}, log_f = {LV2_LOG__log, &log};
    const LV2_Feature *features[] = {&map_f, &log_f, NULL};
    const char *base = strrchr(bundle, '/') + 1;
    char lv2_path[300];
    LilvWorld *world;
    LilvNode *uri;
    const LilvPlugin *plugin;

    snprintf(bundle_copy, sizeof bundle_copy, "%s/lv2/%s", work, base);
    sh("mkdir -p %s/lv2 && cp -r %s %s/lv2/", work, bundle, work);
    snprintf(lv2_path, sizeof lv2_path, "%s/lv2", work);
    setenv("LV2_PATH", lv2_path, 1);
    world = lilv_world_new();
    lilv_world_load_all(world);
    uri = lilv_new_uri(world, DELAY_URI);
    plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
    instance = plugin ? lilv_plugin_instantiate(plugin, RATE, features) : NULL;
    if (!instance) {
        fprintf(stderr, "bench_audio: cannot instantiate %s from %s\n", DELAY_URI, lv2_path);
        exit(1);
    }
    lilv_instance_connect_port(instance, 0, in_buf);
    lilv_instance_connect_port(instance, 1, out_buf);
    lilv_instance_connect_port(instance, 2, &params[0]);
    lilv_instance_connect_port(instance, 3, &params[1]);
    lilv_instance_connect_port(instance, 4, &params[2]);
    lilv_instance_connect_port(instance, 5, &latency);
    lilv_instance_activate(instance);
}

/* The largest excess over the median among as many blocks without a swap
 * as there were swaps, spread over the run (every k-th): what the machine's
 * noise alone gives the max, in the same run. */
static double noise_max_us(double median, long ns)
{
    long i, k, seen = 0, picked = 0;
    double worst = 0;

    k = ns ? (n_blocks - ns) / ns : 0;
    for (i = 0; k > 0 && i < n_blocks && picked < ns; i++) {
        if (swapped[i] || seen++ % k != 0)
            continue;
        picked++;
        if (dur_ns[i] - median > worst)
            worst = dur_ns[i] - median;
    }
    return worst / 1000;
}

/* Stalls of the swap blocks over the median block; max and p99 in us, and
 * the noise's max (noise_max_us). */
static void stalls(double *max_us, double *p99_us, double *noise_us)
{
    double *plain = malloc(n_blocks * sizeof *plain), *swap = malloc(n_blocks * sizeof *swap), median;
    long i, np = 0, ns = 0;

    for (i = 0; i < n_blocks; i++) {
        if (swapped[i])
            swap[ns++] = dur_ns[i];
        else
            plain[np++] = dur_ns[i];
    }
    bench_sort(plain, (size_t)np);
    median = np ? plain[np / 2] : 0;
    *noise_us = noise_max_us(median, ns);
    for (i = 0; i < ns; i++)
        swap[i] = swap[i] > median ? (swap[i] - median) / 1000 : 0;
    bench_sort(swap, (size_t)ns);
    *max_us = ns ? swap[ns - 1] : 0;
    *p99_us = bench_percentile(swap, (size_t)ns, 99);
    free(plain);
    free(swap);
}

static void run_ours(const char *bundle, int n_swaps)
{
    pthread_t audio;
    int i;

    open_plugin(bundle);
    sh("cp %s/libdelay-logic.so %s/v1.so", bundle_copy, work);
    pthread_create(&audio, NULL, ours_audio, NULL);
    for (i = 1; i <= n_swaps; i++) {
        int waited;
        if (i % 2)
            sh("cp %s/latency/libdelay-logic.so %s/new.so && mv %s/new.so %s/libdelay-logic.so", variants, work,
               work, bundle_copy);
        else
            sh("cp %s/v1.so %s/new.so && mv %s/new.so %s/libdelay-logic.so", work, work, work, bundle_copy);
        for (waited = 0; __atomic_load_n(&swaps_seen, __ATOMIC_ACQUIRE) < (unsigned long)i; waited++) {
            if (waited > 10000) {
                fprintf(stderr, "bench_audio: swap %d never happened (10 s)\n", i);
                exit(1);
            }
            usleep(1000);
        }
    }
    __atomic_store_n(&stop_audio, 1, __ATOMIC_RELEASE);
    pthread_join(audio, NULL);
    lilv_instance_deactivate(instance);
    lilv_instance_free(instance);
}

/* ---- The truce approach: a mutex run() try-locks ------------------------ */

static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
static const hot_plugin_logic *base_cur, *base_next;
static hot_plugin_instance *base_inst;

/* On the audio thread, as truce does: serialize, free, allocate, init,
 * deserialize inside process(). */
static void base_hand_over(void)
{
    void *data = NULL;
    size_t size = 0;

    base_cur->save_bytes(base_inst, &data, &size);
    base_cur->destroy(base_inst);
    base_cur = base_next;
    base_next = NULL;
    base_inst = base_cur->create(RATE, BLOCK);
    base_cur->reset(base_inst);
    base_cur->load_bytes(base_inst, data, size);
    free(data);
}

static void base_process(void)
{
    hot_plugin_block b;
    const float *in[1] = {in_buf};
    float *out[1] = {out_buf};
    float values[3] = {0.05f, 0.6f, 0.5f};

    memset(&b, 0, sizeof b);
    b.frames = BLOCK;
    b.n_in = b.n_out = 1;
    b.in = in;
    b.out = out;
    b.params = values;
    base_cur->process(base_inst, &b);
}

static void *base_audio(void *arg)
{
    struct timespec next;

    (void)arg;
    realtime_priority();
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (!__atomic_load_n(&stop_audio, __ATOMIC_ACQUIRE) && n_blocks < MAX_BLOCKS) {
        double t0;
        prefill();
        t0 = now_ns();
        if (pthread_mutex_trylock(&reload_lock) == 0) {
            if (base_next) {
                base_hand_over();
                swapped[n_blocks] = 1;
                __atomic_add_fetch(&swaps_seen, 1, __ATOMIC_RELEASE);
            }
            base_process();
            pthread_mutex_unlock(&reload_lock);
        } /* else: busy, the block is skipped */
        dur_ns[n_blocks] = now_ns() - t0;
        check_output();
        n_blocks++;
        pace(&next);
    }
    return NULL;
}

static const hot_plugin_logic *base_load(const char *lib, int k)
{
    char copy[600];
    void *h;
    const hot_plugin_logic *(*get)(void);

    snprintf(copy, sizeof copy, "%s/base-%d.so", work, k);
    sh("cp %s %s", lib, copy);
    h = dlopen(copy, RTLD_NOW | RTLD_LOCAL);
    get = h ? (const hot_plugin_logic *(*)(void))dlsym(h, "hot_plugin_logic_get") : NULL;
    if (!get) {
        fprintf(stderr, "bench_audio: %s: %s\n", copy, dlerror());
        exit(1);
    }
    return get();
}

static void run_baseline(int n_swaps)
{
    char lib[2][600];
    pthread_t audio;
    int i;

    snprintf(lib[0], sizeof lib[0], "%s/v1.so", work);
    snprintf(lib[1], sizeof lib[1], "%s/latency/libdelay-logic.so", variants);
    base_cur = base_load(lib[0], 0);
    base_inst = base_cur->create(RATE, BLOCK);
    base_cur->reset(base_inst);
    pthread_create(&audio, NULL, base_audio, NULL);
    for (i = 1; i <= n_swaps; i++) {
        /* The reload, as truce does it: copy and load under the lock. */
        pthread_mutex_lock(&reload_lock);
        base_next = base_load(lib[i % 2], i);
        pthread_mutex_unlock(&reload_lock);
        while (__atomic_load_n(&swaps_seen, __ATOMIC_ACQUIRE) < (unsigned long)i)
            usleep(500);
    }
    __atomic_store_n(&stop_audio, 1, __ATOMIC_RELEASE);
    pthread_join(audio, NULL);
    base_cur->destroy(base_inst);
}

int main(int argc, char **argv)
{
    int n_swaps = argc > 3 ? atoi(argv[3]) : 1000;
    double max_us, p99_us, noise_us, base_max, base_p99, base_noise;
    long skipped, silenced, blocks;

    if (argc < 3) {
        fprintf(stderr, "usage: bench_audio BUNDLE VARIANTS [SWAPS]\n");
        return 2;
    }
    variants = argv[2];
    snprintf(work, sizeof work, "/tmp/hot-bench-audio-XXXXXX");
    if (!mkdtemp(work))
        return 1;
    run_ours(argv[1], n_swaps);
    stalls(&max_us, &p99_us, &noise_us);
    skipped = n_skipped;
    silenced = n_silenced;
    blocks = n_blocks;
    memset(swapped, 0, sizeof swapped);
    n_blocks = n_skipped = n_silenced = 0;
    swaps_seen = 0;
    stop_audio = 0;
    run_baseline(n_swaps);
    stalls(&base_max, &base_p99, &base_noise);
    fprintf(stderr, "bench_audio: %d swaps in %ld blocks; baseline %ld blocks, %ld skipped\n", n_swaps, blocks,
            n_blocks, n_skipped + n_silenced);
    printf("{\"rt_swaps\": %d, \"rt_stall_us_max\": %.2f, \"rt_stall_us_p99\": %.2f, \"rt_blocks_skipped\": %ld, "
           "\"rt_blocks_silenced\": %ld, \"rt_stall_us_max_mutex_baseline\": %.2f, "
           "\"rt_stall_us_p99_mutex_baseline\": %.2f, \"rt_blocks_skipped_mutex_baseline\": %ld, "
           "\"rt_stall_us_max_no_swap\": %.2f}\n",
           n_swaps, max_us, p99_us, skipped, silenced, base_max, base_p99, n_skipped, noise_us);
    sh("rm -rf %s", work);
    return 0;
}
