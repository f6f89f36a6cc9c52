/*
 * lv2-null-host CASE BUNDLE VARIANTS: a small lilv host for the null tests
 * of the plugin shell, driving the lv2-delay example.
 *
 * It renders a test signal in 64-frame blocks: with the first logic only
 * (A), with the edited logic only (B), and with the edited logic installed
 * after block K (C), swapped in at the next block boundary. Then
 *   C == A exactly before sample S = 64 K, and C == B (or the declared
 *   crossfade from A to B) after it, to 1e-6.
 * The worker is synchronous (run inside schedule_work, as lv2file and
 * Ardour's export do), or absent (the shell's own thread).
 * Cases: swap_worker swap_own_thread crossfade refused_mismatch
 * refused_garbage state_roundtrip state_during_reload latency, and
 * synth_swap: the lv2-synth example (MIDI in, no audio in), its oscillator
 * shape edited while two notes sound: the notes go on with the new shape.
 * handover_in_place: the edited build cannot copy its state (save_rt
 * refuses), so only the in-place hand-over carries the line;
 * handover_layout_changed: the edited build has another state layout, so
 * the shell copies (save_rt/load_rt). Both must equal new-only after.
 * crash_back, crash_back_store (own thread): the edited logic's process()
 * crashes in its 21st call (raise(SIGSEGV), or a store through NULL): the
 * previous logic plays on from that block with the DSP state, the output
 * is the old-only render again. crash_first: the first logic crashes with
 * nothing to go back to: silence, the host goes on, and a new build plays.
 */
#include <lilv/lilv.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/midi/midi.h>

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DELAY_URI "urn:hotreload:examples:lv2-delay"
#define SYNTH_URI "urn:hotreload:examples:lv2-synth"
#define BLOCK 64
#define FRAMES (BLOCK * 600)
#define SWAP_BLOCK 200
#define CROSSFADE 256

static const char *the_case, *variants;
static char work[512], bundle_copy[1024];
static LilvWorld *world;
static const LilvPlugin *plugin;
static int use_worker = 1;
static int synth_mode; /* the lv2-synth example instead of the delay */
static const char *plugin_uri = DELAY_URI, *logic_file = "libdelay-logic.so";
static float in_buf[FRAMES];

/* ---- urid:map, log, worker, options ------------------------------------- */

static char *uris[256];
static unsigned n_uris;
static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri)
{
    unsigned i;

    (void)h;
    pthread_mutex_lock(&map_lock);
    for (i = 0; i < n_uris && strcmp(uris[i], uri) != 0; i++)
        ;
    if (i == n_uris && n_uris < 256)
        uris[n_uris++] = strdup(uri);
    pthread_mutex_unlock(&map_lock);
    return i + 1;
}

static char log_text[1 << 16];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
    char line[1024];
    size_t used;

    (void)h;
    (void)type;
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "[plugin] %s", line);
    pthread_mutex_lock(&log_lock);
    used = strlen(log_text);
    snprintf(log_text + used, sizeof log_text - used, "%s", line);
    pthread_mutex_unlock(&log_lock);
    return 0;
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = log_vprintf(h, type, fmt, ap);
    va_end(ap);
    return r;
}

static int logged(const char *what)
{
    int found;

    pthread_mutex_lock(&log_lock);
    found = strstr(log_text, what) != NULL;
    pthread_mutex_unlock(&log_lock);
    return found;
}

static void wait_logged(const char *what)
{
    int i;

    for (i = 0; i < 2000 && !logged(what); i++)
        usleep(10000);
    if (!logged(what)) {
        fprintf(stderr, "FAIL: the plugin never logged \"%s\" (20 s)\n", what);
        exit(1);
    }
}

static void clear_log(void)
{
    pthread_mutex_lock(&log_lock);
    log_text[0] = 0;
    pthread_mutex_unlock(&log_lock);
}

typedef struct host_instance {
    LilvInstance *lilv;
    const LV2_Worker_Interface *worker;
    LV2_Worker_Schedule *sched;
    LV2_Feature *sched_f;
    float params[3], latency, out[BLOCK];
    union {
        LV2_Atom_Sequence seq;
        unsigned char bytes[4096];
    } midi;
} host_instance;

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data)
{
    host_instance *hi = h;

    return hi->worker->work_response(lilv_instance_get_handle(hi->lilv), size, data);
}

/* Synchronous, like lv2file's: the work and its response happen inside
 * schedule_work, during run(). */
static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle h, uint32_t size,
                                       const void *data)
{
    host_instance *hi = h;

    return hi->worker->work(lilv_instance_get_handle(hi->lilv), respond, hi, size, data);
}

static LV2_URID_Map map = { NULL, map_uri };
static LV2_Log_Log log_feature = { NULL, log_printf, log_vprintf };
static int32_t max_block = BLOCK;

/* ---- Files -------------------------------------------------------------- */

static void sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) {
        fprintf(stderr, "FAIL: %s\n", cmd);
        exit(1);
    }
}

/* As a linker writing through a temporary does: the new file appears
 * complete under the library's name. */
static void install_logic(const char *variant)
{
    if (strcmp(variant, "garbage") == 0)
        sh("printf 'this is not a library' > %s/new.so", work);
    else if (strcmp(variant, "v1") == 0)
        sh("cp %s/v1.so %s/new.so", work, work);
    else
        sh("cp %s/%s/%s %s/new.so", variants, variant, logic_file, work);
    sh("mv %s/new.so %s/%s", work, bundle_copy, logic_file);
}

static void set_up(const char *bundle)
{
    const char *base = strrchr(bundle, '/') ? strrchr(bundle, '/') + 1 : bundle;
    char lv2_path[600];
    LilvNode *uri;

    snprintf(work, sizeof work, "/tmp/hot-null-XXXXXX");
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        exit(1);
    }
    snprintf(bundle_copy, sizeof bundle_copy, "%s/lv2/%s", work, base);
    sh("mkdir -p %s/lv2 && cp -r %s %s/lv2/ && cp %s/%s %s/v1.so", work, bundle, work, bundle_copy,
       logic_file, work);
    snprintf(lv2_path, sizeof lv2_path, "%s/lv2", work);
    setenv("LV2_PATH", lv2_path, 1);
    world = lilv_world_new();
    lilv_world_load_all(world);
    uri = lilv_new_uri(world, plugin_uri);
    plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri);
    lilv_node_free(uri);
    if (!plugin) {
        fprintf(stderr, "FAIL: %s not found in %s\n", plugin_uri, lv2_path);
        exit(1);
    }
}

/* ---- Instances ---------------------------------------------------------- */

static host_instance *open_instance(void)
{
    static LV2_Feature map_f = { LV2_URID__map, &map };
    static LV2_Feature log_f = { LV2_LOG__log, &log_feature };
    static LV2_Options_Option options[2];
    static LV2_Feature opt_f = { LV2_OPTIONS__options, options };
    host_instance *hi = calloc(1, sizeof *hi);
    LV2_Worker_Schedule *sched = calloc(1, sizeof *sched);
    LV2_Feature *sched_f = calloc(1, sizeof *sched_f);
    const LV2_Feature *features[5];
    int n = 0;

    options[0].context = LV2_OPTIONS_INSTANCE;
    options[0].key = map_uri(NULL, LV2_BUF_SIZE__maxBlockLength);
    options[0].size = sizeof max_block;
    options[0].type = map_uri(NULL, LV2_ATOM__Int);
    options[0].value = &max_block;
    hi->sched = sched;
    hi->sched_f = sched_f;
    sched->handle = hi;
    sched->schedule_work = schedule_work;
    sched_f->URI = LV2_WORKER__schedule;
    sched_f->data = sched;
    features[n++] = &map_f;
    features[n++] = &log_f;
    features[n++] = &opt_f;
    if (use_worker)
        features[n++] = sched_f;
    features[n] = NULL;
    hi->lilv = lilv_plugin_instantiate(plugin, 48000, features);
    if (!hi->lilv) {
        fprintf(stderr, "FAIL: instantiate\n");
        exit(1);
    }
    hi->worker = lilv_instance_get_extension_data(hi->lilv, LV2_WORKER__interface);
    hi->params[0] = synth_mode ? 0.3f : 0.05f; /* volume, attack, release */
    hi->params[1] = synth_mode ? 0.01f : 0.6f; /* time, feedback, tone */
    hi->params[2] = synth_mode ? 0.3f : 0.5f;
    lilv_instance_connect_port(hi->lilv, 0, synth_mode ? (void *)&hi->midi : (void *)in_buf);
    lilv_instance_connect_port(hi->lilv, 1, hi->out);
    lilv_instance_connect_port(hi->lilv, 2, &hi->params[0]);
    lilv_instance_connect_port(hi->lilv, 3, &hi->params[1]);
    lilv_instance_connect_port(hi->lilv, 4, &hi->params[2]);
    lilv_instance_connect_port(hi->lilv, 5, &hi->latency);
    lilv_instance_activate(hi->lilv);
    return hi;
}

static void close_instance(host_instance *hi)
{
    lilv_instance_deactivate(hi->lilv);
    lilv_instance_free(hi->lilv);
    free(hi->sched);
    free(hi->sched_f);
    free(hi);
}

/* The synth's score: two notes, held across the swap at block 200. */
static void midi_for_block(host_instance *hi, int b)
{
    static const struct {
        int block, frame, status, note;
    } score[] = {
        { 2, 5, 0x90, 60 }, { 50, 17, 0x90, 67 }, { 400, 3, 0x80, 60 }, { 500, 40, 0x80, 67 }
    };
    LV2_Atom_Forge forge;
    LV2_Atom_Forge_Frame frame;
    unsigned i;

    lv2_atom_forge_init(&forge, &map);
    lv2_atom_forge_set_buffer(&forge, hi->midi.bytes, sizeof hi->midi.bytes);
    lv2_atom_forge_sequence_head(&forge, &frame, 0);
    for (i = 0; i < sizeof score / sizeof score[0]; i++) {
        unsigned char msg[3];
        if (score[i].block != b)
            continue;
        msg[0] = (unsigned char)score[i].status;
        msg[1] = (unsigned char)score[i].note;
        msg[2] = 100;
        lv2_atom_forge_frame_time(&forge, score[i].frame);
        lv2_atom_forge_atom(&forge, 3, map_uri(NULL, LV2_MIDI__MidiEvent));
        lv2_atom_forge_write(&forge, msg, 3);
    }
    lv2_atom_forge_pop(&forge, &frame);
}

static void render_here(host_instance *hi, float *out, int from_block, int to_block)
{
    int b;

    for (b = from_block; b < to_block; b++) {
        if (synth_mode)
            midi_for_block(hi, b);
        else
            lilv_instance_connect_port(hi->lilv, 0, in_buf + b * BLOCK);
        lilv_instance_run(hi->lilv, BLOCK);
        memcpy(out + b * BLOCK, hi->out, sizeof hi->out);
    }
}

/* As real-time hosts do: run() on a thread of the host's that did not
 * instantiate the plugin (a new one for every render, 512 KiB of stack). */
static int host_audio_thread;

typedef struct render_job {
    host_instance *hi;
    float *out;
    int from, to;
} render_job;

static void *render_job_main(void *arg)
{
    render_job *j = arg;

    render_here(j->hi, j->out, j->from, j->to);
    return NULL;
}

static void render(host_instance *hi, float *out, int from_block, int to_block)
{
    render_job j = { hi, out, from_block, to_block };
    pthread_attr_t attr;
    pthread_t t;

    if (!host_audio_thread) {
        render_here(hi, out, from_block, to_block);
        return;
    }
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 512 * 1024);
    if (pthread_create(&t, &attr, render_job_main, &j) != 0) {
        fprintf(stderr, "FAIL: pthread_create\n");
        exit(1);
    }
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
}

static float *render_only(const char *variant)
{
    float *out = calloc(FRAMES, sizeof *out);
    host_instance *hi;

    install_logic(variant);
    hi = open_instance();
    render(hi, out, 0, FRAMES / BLOCK);
    close_instance(hi);
    return out;
}

/* ---- Checks ------------------------------------------------------------- */

static void expect_near(const char *what, const float *got, const float *want, int from, int to,
                        double tol)
{
    double worst = 0;
    int i, at = -1;

    for (i = from; i < to; i++)
        if (fabs(got[i] - want[i]) > worst) {
            worst = fabs(got[i] - want[i]);
            at = i;
        }
    if (worst > tol) {
        fprintf(stderr, "FAIL: %s: frames %d..%d differ by %g at %d (got %g, want %g)\n", what,
                from, to, worst, at, got[at], want[at]);
        exit(1);
    }
    printf("ok: %s: frames %d..%d within %g\n", what, from, to, tol);
}

static void expect_differs(const char *what, const float *a, const float *b, int from, int to)
{
    int i;

    for (i = from; i < to; i++)
        if (fabs(a[i] - b[i]) > 1e-4)
            return;
    fprintf(stderr, "FAIL: %s: frames %d..%d are the same\n", what, from, to);
    exit(1);
}

static void signal_init(void)
{
    int n;

    for (n = 0; n < FRAMES; n++)
        in_buf[n] = n % 12000 < 3000 ? (float)(0.5 * sin(n * 0.05) + 0.2 * sin(n * 0.37)) : 0.0f;
}

/* ---- Cases -------------------------------------------------------------- */

static float *render_with_swap(const char *variant, const char *wait_for)
{
    float *out = calloc(FRAMES, sizeof *out);
    host_instance *hi;

    install_logic("v1");
    hi = open_instance();
    render(hi, out, 0, SWAP_BLOCK);
    clear_log();
    install_logic(variant);
    wait_logged(wait_for);
    render(hi, out, SWAP_BLOCK, FRAMES / BLOCK);
    close_instance(hi);
    return out;
}

static int case_swap(void)
{
    float *a = render_only("v1"), *b = render_only("half"), *c,
          *half = calloc(FRAMES, sizeof *half);
    int s = SWAP_BLOCK * BLOCK, i;

    for (i = 0; i < FRAMES; i++)
        half[i] = 0.5f * a[i];
    expect_near("new-only is old-only x0.5 (the edit)", b, half, 0, FRAMES, 0);
    c = render_with_swap("half", use_worker ? "logic v2 accepted" : "logic v2 instance ready");
    expect_near("before the swap: old-only", c, a, 0, s, 0);
    expect_differs("the swap happened at the block boundary", c, a, s, s + BLOCK);
    expect_near("after the swap: new-only", c, b, s, FRAMES, 1e-6);
    wait_logged("now playing logic v2"); /* the worker, or the shell's thread, says so */
    return 0;
}

static int case_handover(const char *variant)
{
    float *b = render_only("half"), *c;
    int s = SWAP_BLOCK * BLOCK;

    c = render_with_swap(variant, "logic v2 accepted");
    expect_near("after the swap: new-only, the line carried", c, b, s, FRAMES, 1e-6);
    if (logged("did not take the old one's DSP state")) {
        fprintf(stderr, "FAIL: the state was not carried\n");
        return 1;
    }
    return 0;
}

static int case_crossfade(void)
{
    float *a = render_only("v1"), *b = render_only("xfade_half"), *c,
          *want = calloc(FRAMES, sizeof *want);
    int s = SWAP_BLOCK * BLOCK, i;

    c = render_with_swap("xfade_half", "logic v2 accepted");
    for (i = 0; i < FRAMES; i++) {
        int k = i - s;
        float t = k < 0 ? 0.0f : k + 1 >= CROSSFADE ? 1.0f : (float)(k + 1) / CROSSFADE;
        want[i] = a[i] * (1.0f - t) + b[i] * t;
    }
    expect_near("before the swap: old-only", c, a, 0, s, 0);
    expect_near("the crossfade, then new-only", c, want, s, FRAMES, 1e-6);
    return 0;
}

static int case_refused(const char *variant, const char *reason)
{
    float *a = render_only("v1"), *c = render_with_swap(variant, reason);

    expect_near("a refused build changes nothing", c, a, 0, FRAMES, 0);
    return 0;
}

/* The latency port tells the host what the logic playing reports. */
static int case_latency(void)
{
    float out[BLOCK * 2];
    host_instance *hi;

    install_logic("v1");
    hi = open_instance();
    render(hi, out, 0, 1);
    if (hi->latency != 0) {
        fprintf(stderr, "FAIL: latency %g before the swap\n", hi->latency);
        return 1;
    }
    clear_log();
    install_logic("latency");
    wait_logged("logic v2 accepted");
    lilv_instance_run(hi->lilv, BLOCK);
    if (hi->latency != 32) {
        fprintf(stderr, "FAIL: latency port says %g after the swap, the logic 32\n", hi->latency);
        return 1;
    }
    printf("ok: the latency port went from 0 to 32 with the new logic\n");
    close_instance(hi);
    return 0;
}

static const void *port_value(const char *symbol, void *userdata, uint32_t *size, uint32_t *type)
{
    host_instance *hi = userdata;
    static const char *symbols[] = { "time", "feedback", "tone" };
    int i;

    for (i = 0; i < 3; i++)
        if (strcmp(symbol, symbols[i]) == 0) {
            *size = sizeof(float);
            *type = map_uri(NULL, LV2_ATOM__Float);
            return &hi->params[i];
        }
    *size = *type = 0;
    return NULL;
}

static LilvState *save_state(host_instance *hi)
{
    static LV2_Feature map_f = { LV2_URID__map, &map };
    const LV2_Feature *features[] = { &map_f, NULL };
    LilvState *st =
        lilv_state_new_from_instance(plugin, hi->lilv, &map, NULL, NULL, NULL, NULL, port_value, hi,
                                     LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE, features);

    if (!st) {
        fprintf(stderr, "FAIL: no state saved\n");
        exit(1);
    }
    return st;
}

/* The delay's state is its line: a restored instance plays the echoes of
 * what the saved one played. Restored into an active instance, the state
 * is applied at its next block. With reactivate_after, the host runs
 * blocks and re-activates after the restore (Ardour loading a session):
 * the restored state stands. */
static int case_state_roundtrip(int reactivate_after)
{
    float *x = calloc(FRAMES, sizeof *x), *y = calloc(FRAMES, sizeof *y);
    host_instance *hx, *hy;
    LilvState *st;
    int s = SWAP_BLOCK * BLOCK;

    install_logic("v1");
    hx = open_instance();
    hy = open_instance();
    render(hx, x, 0, SWAP_BLOCK);
    render(hy, y, 0, 10); /* active and running */
    st = save_state(hx);
    lilv_state_restore(st, hy->lilv, NULL, NULL, 0, NULL);
    render(hx, x, SWAP_BLOCK, SWAP_BLOCK + 10);
    render(hy, y, SWAP_BLOCK, SWAP_BLOCK + 10);
    if (reactivate_after) {
        lilv_instance_deactivate(hy->lilv);
        lilv_instance_activate(hy->lilv);
    }
    render(hx, x, SWAP_BLOCK + 10, FRAMES / BLOCK);
    render(hy, y, SWAP_BLOCK + 10, FRAMES / BLOCK);
    expect_near("restored instance plays on as the saved one", y, x, s, FRAMES, 0);
    lilv_state_free(st);
    close_instance(hx);
    close_instance(hy);
    return 0;
}

/* Blocks of silence in: what comes out is the instance's history alone. */
static void render_silence(host_instance *hi, float *out, int blocks)
{
    static float zeros[BLOCK];
    int b;

    lilv_instance_connect_port(hi->lilv, 0, zeros);
    for (b = 0; b < blocks; b++) {
        lilv_instance_run(hi->lilv, BLOCK);
        memcpy(out + b * BLOCK, hi->out, sizeof hi->out);
    }
}

/* deactivate() then activate() forgets the history (LV2 core; Ardour does
 * it around every export): no echo of what was played before comes out.
 * The same instance left active plays the echoes (the control). */
static int case_reactivate_resets(void)
{
    float *x = calloc(FRAMES, sizeof *x), *tail = calloc(FRAMES, sizeof *tail);
    float *none = calloc(FRAMES, sizeof *none);
    host_instance *hx = open_instance(), *hy = open_instance();
    int n = 100 * BLOCK;

    render(hx, x, 0, SWAP_BLOCK);
    render(hy, x, 0, SWAP_BLOCK);
    render_silence(hx, tail, 100);
    expect_differs("echoes after the input stops (still active)", tail, none, 0, n);
    lilv_instance_deactivate(hy->lilv);
    lilv_instance_activate(hy->lilv);
    render_silence(hy, tail, 100);
    expect_near("re-activated instance plays no echo", tail, none, 0, n, 0);
    close_instance(hx);
    close_instance(hy);
    return 0;
}

/* A save while a new logic waits to be swapped in returns the running
 * instance's state, not an empty or reset one. */
static int case_state_during_reload(void)
{
    float *x = calloc(FRAMES, sizeof *x), *z = calloc(FRAMES, sizeof *z);
    host_instance *hx, *hz;
    LilvState *st;
    int s = SWAP_BLOCK * BLOCK;

    use_worker = 0;
    install_logic("v1");
    hx = open_instance();
    render(hx, x, 0, SWAP_BLOCK);
    clear_log();
    install_logic("half");
    wait_logged("logic v2 instance ready"); /* waiting for the next block */
    st = save_state(hx);
    hz = open_instance();
    lilv_state_restore(st, hz->lilv, NULL, NULL, 0, NULL);
    render(hx, x, SWAP_BLOCK, FRAMES / BLOCK);
    render(hz, z, SWAP_BLOCK, FRAMES / BLOCK);
    expect_near("saved during the reload: the running state", z, x, s, FRAMES, 1e-6);
    lilv_state_free(st);
    close_instance(hx);
    close_instance(hz);
    return 0;
}

/* The shell calls process() 21 times in the crashing build: one warm-up
 * block off the audio thread, then 20 blocks from the swap on, the last of
 * which crashes and is processed again by the previous logic. */
#define CRASH_BLOCK (SWAP_BLOCK + 19)

static int case_crash_back(const char *variant, const char *signal_name)
{
    char line[200];
    float *a = render_only("v1"), *b = render_only("half"), *c;
    int s = SWAP_BLOCK * BLOCK, k = CRASH_BLOCK * BLOCK;

    c = render_with_swap(variant, use_worker ? "logic v2 accepted" : "logic v2 instance ready");
    expect_near("before the swap: old-only", c, a, 0, s, 0);
    expect_near("after the swap, until the crash: new-only", c, b, s, k, 1e-6);
    expect_near("from the crashed block on: the old logic, with the DSP state", c, a, k, FRAMES,
                1e-6);
    snprintf(line, sizeof line, "logic v2 crashed in process() (%s); back to logic v1",
             signal_name);
    wait_logged(line);
    printf("ok: the crash was logged through the host's log\n");
    return 0;
}

/* The build crashes in its first block, which the worker runs before the
 * swap: it never reaches the audio thread, the old logic plays on. */
static int case_crash_warm_up(void)
{
    float *a = render_only("v1"), *c;

    c = render_with_swap("crash_warm_up", "logic v2 accepted");
    expect_near("a build crashing in its first block changes nothing", c, a, 0, FRAMES, 0);
    wait_logged("logic v2 crashed (SIGSEGV) in create() or its first block, off the audio thread; "
                "it is not used");
    return 0;
}

/* Restores through the plugin's State interface, the bytes given here. */
static const void *blob_data;
static size_t blob_size;

static const void *retrieve_blob(LV2_State_Handle h, uint32_t key, size_t *size, uint32_t *type,
                                 uint32_t *flags)
{
    (void)h;
    (void)key;
    *size = blob_size;
    *type = map_uri(NULL, LV2_ATOM__Chunk);
    *flags = LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE;
    return blob_data;
}

static const void *store_data;
static size_t store_size;

static LV2_State_Status store_blob(LV2_State_Handle h, uint32_t key, const void *value, size_t size,
                                   uint32_t type, uint32_t flags)
{
    (void)h;
    (void)key;
    (void)type;
    (void)flags;
    free((void *)store_data);
    store_data = memcpy(malloc(size), value, size);
    store_size = size;
    return LV2_STATE_SUCCESS;
}

static const LV2_State_Interface *state_iface(host_instance *hi)
{
    return lilv_instance_get_extension_data(hi->lilv, LV2_STATE__interface);
}

static LV2_State_Status restore_bytes(host_instance *hi, const void *data, size_t size)
{
    blob_data = data;
    blob_size = size;
    return state_iface(hi)->restore(lilv_instance_get_handle(hi->lilv), retrieve_blob, NULL, 0,
                                    NULL);
}

static void save_bytes(host_instance *hi)
{
    if (state_iface(hi)->save(lilv_instance_get_handle(hi->lilv), store_blob, NULL, 0, NULL) !=
        LV2_STATE_SUCCESS) {
        fprintf(stderr, "FAIL: state save\n");
        exit(1);
    }
}

#define RESTORE_BLOCK 300

/* An instance that played v1 up to the swap and variant after it, up to
 * the restore. */
static host_instance *play_to_restore(float *out, const char *variant)
{
    host_instance *hi;

    install_logic("v1");
    hi = open_instance();
    render(hi, out, 0, SWAP_BLOCK);
    clear_log();
    install_logic(variant);
    wait_logged("logic v2 accepted");
    render(hi, out, SWAP_BLOCK, RESTORE_BLOCK);
    return hi;
}

/* After a crash sent the shell back to v1, a state restore makes its
 * instance of v1, the logic playing, not of v2 that crashed: the output
 * goes on as old-only (the state is the one it had). */
static int case_state_after_crash(void)
{
    float *a = render_only("v1"), *c = calloc(FRAMES, sizeof *c);
    host_instance *hi;
    int r = RESTORE_BLOCK * BLOCK;

    hi = play_to_restore(c, "crash");
    wait_logged("logic v2 crashed in process() (SIGSEGV); back to logic v1");
    save_bytes(hi);
    if (restore_bytes(hi, store_data, store_size) != LV2_STATE_SUCCESS) {
        fprintf(stderr, "FAIL: the restore was refused\n");
        return 1;
    }
    render(hi, c, RESTORE_BLOCK, FRAMES / BLOCK);
    expect_near("after the restore: still the old logic, from the restored state", c, a, r, FRAMES,
                1e-6);
    close_instance(hi);
    return 0;
}

/* Bytes that are not this plugin's state: refused with a message, and the
 * instance plays on as it was. */
static int case_state_refused(void)
{
    static const char garbage[] = "this is not a state of the delay";
    float *a = render_only("v1"), *c = calloc(FRAMES, sizeof *c);
    host_instance *hi;
    unsigned char *other;
    int r = RESTORE_BLOCK * BLOCK;

    install_logic("v1");
    hi = open_instance();
    render(hi, c, 0, RESTORE_BLOCK);
    save_bytes(hi);
    other = memcpy(malloc(store_size), store_data, store_size);
    other[0] ^= 0xff; /* another version's magic number */
    if (restore_bytes(hi, store_data, store_size / 2) == LV2_STATE_SUCCESS ||
        restore_bytes(hi, garbage, sizeof garbage) == LV2_STATE_SUCCESS ||
        restore_bytes(hi, other, store_size) == LV2_STATE_SUCCESS ||
        restore_bytes(hi, "", 0) == LV2_STATE_SUCCESS) {
        fprintf(stderr, "FAIL: a damaged state was restored\n");
        return 1;
    }
    wait_logged("refused the state to restore");
    render(hi, c, RESTORE_BLOCK, FRAMES / BLOCK);
    expect_near("after the refused restores: as before", c, a, r, FRAMES, 0);
    free(other);
    close_instance(hi);
    return 0;
}

/* The playing build crashes in load_bytes (on the host's thread, not the
 * audio thread): the restore is refused, the instance plays on. */
static int case_state_restore_crash(void)
{
    float *b = render_only("crash_load"), *c = calloc(FRAMES, sizeof *c);
    host_instance *hi;
    int r = RESTORE_BLOCK * BLOCK;

    hi = play_to_restore(c, "crash_load");
    save_bytes(hi);
    if (restore_bytes(hi, store_data, store_size) == LV2_STATE_SUCCESS) {
        fprintf(stderr, "FAIL: a restore that crashed says it succeeded\n");
        return 1;
    }
    wait_logged("logic v2 crashed (SIGSEGV) loading the state to restore; refused");
    render(hi, c, RESTORE_BLOCK, FRAMES / BLOCK);
    expect_near("after the crashed restore: the build plays on", c, b, r, FRAMES, 1e-6);
    close_instance(hi);
    return 0;
}

/* cleanup() while the shell's thread makes an instance of a new build, or
 * while one waits for the audio thread: nothing crashes, nothing leaks
 * (run under a leak checker to see the second). */
static int case_cleanup_during_reload(void)
{
    float out[BLOCK * 4];
    host_instance *hi;
    int i;

    use_worker = 0;
    for (i = 0; i < 20; i++) {
        install_logic(i % 2 ? "v1" : "half");
        hi = open_instance();
        render(hi, out, 0, 2);
        install_logic(i % 2 ? "half" : "v1");
        if (i % 3 == 0)
            usleep(1000 * (i % 7));
        close_instance(hi);
    }
    printf("ok: 20 instances closed while a build was loading or waiting\n");
    return 0;
}

/* The crashing build is the first one: silence from the crash, the host
 * goes on, and the next build plays (from reset). */
static int case_crash_first(void)
{
    float *out = calloc(FRAMES, sizeof *out), *a = render_only("v1");
    host_instance *hi;
    int i, k = 20 * BLOCK;

    install_logic("crash");
    hi = open_instance();
    clear_log();
    render(hi, out, 0, SWAP_BLOCK);
    wait_logged("with no previous logic to go back to; silent until a new build is accepted");
    for (i = k; i < SWAP_BLOCK * BLOCK; i++)
        if (out[i] != 0.0f) {
            fprintf(stderr, "FAIL: sound at frame %d after the crash (%g)\n", i, out[i]);
            return 1;
        }
    printf("ok: silent from the crashed block on\n");
    install_logic("v1");
    wait_logged("logic v2 accepted");
    render(hi, out, SWAP_BLOCK, FRAMES / BLOCK);
    expect_differs("the next build plays", out, a, SWAP_BLOCK * BLOCK, FRAMES);
    for (i = SWAP_BLOCK * BLOCK; i < FRAMES && out[i] == 0.0f; i++)
        ;
    if (i == FRAMES) {
        fprintf(stderr, "FAIL: still silent after the new build\n");
        return 1;
    }
    printf("ok: the new build plays\n");
    close_instance(hi);
    return 0;
}

/* Edit the oscillator's shape while notes sound: they go on, with their
 * phases and envelopes, in the new shape. */
static int case_synth_swap(void)
{
    float *a = render_only("v1"), *b = render_only("saw"), *c;
    int s = SWAP_BLOCK * BLOCK;

    expect_differs("the shapes sound different", a, b, s, s + BLOCK);
    c = render_with_swap("saw", "logic v2 accepted");
    expect_near("before the swap: the sine", c, a, 0, s, 0);
    expect_near("after the swap: the saw, notes going on", c, b, s, FRAMES, 1e-6);
    return 0;
}

/* Crashes of each kind on a host's audio thread (not the one that
 * instantiated the plugin), a stack overflow with either worker. */
static int crash_recurse(void)
{
    return case_crash_back("crash_recurse", "SIGSEGV");
}
static int crash_recurse_own_thread(void)
{
    use_worker = 0;
    return case_crash_back("crash_recurse", "SIGSEGV");
}
static int crash_divide(void)
{
    return case_crash_back("crash_divide", "SIGFPE");
}
static int crash_abort(void)
{
    return case_crash_back("crash_abort", "SIGABRT");
}
static int crash_bus(void)
{
    return case_crash_back("crash_bus", "SIGBUS");
}

/* The cases that take arguments, or set up the host first. */
static int swap_own_thread(void)
{
    use_worker = 0;
    return case_swap();
}
static int refused_mismatch(void)
{
    return case_refused("mismatch", "rebuild the shell and let the host rescan");
}
static int refused_garbage(void)
{
    return case_refused("garbage", "logic build refused");
}
static int state_roundtrip(void)
{
    return case_state_roundtrip(0);
}
static int reactivate_keeps_restored(void)
{
    return case_state_roundtrip(1);
}
static int handover_in_place(void)
{
    return case_handover("half_no_copy");
}
static int handover_layout_changed(void)
{
    return case_handover("half_layout");
}
static int crash_back(void)
{
    return case_crash_back("crash", "SIGSEGV");
}
static int crash_back_store(void)
{
    use_worker = 0;
    return case_crash_back("crash_store", "SIGSEGV");
}

/* audio_thread: run() is called from a thread of the host's own, not the
 * one that instantiated the plugin. */
static const struct {
    const char *name;
    int (*run)(void);
    int audio_thread;
} cases[] = {
    { "swap_worker", case_swap, 0 },
    { "swap_own_thread", swap_own_thread, 0 },
    { "crossfade", case_crossfade, 0 },
    { "refused_mismatch", refused_mismatch, 0 },
    { "refused_garbage", refused_garbage, 0 },
    { "state_roundtrip", state_roundtrip, 0 },
    { "synth_swap", case_synth_swap, 0 },
    { "latency", case_latency, 0 },
    { "handover_in_place", handover_in_place, 0 },
    { "handover_layout_changed", handover_layout_changed, 0 },
    { "crash_back", crash_back, 0 },
    { "crash_back_store", crash_back_store, 0 },
    { "crash_back_recurse", crash_recurse, 1 },
    { "crash_back_recurse_own_thread", crash_recurse_own_thread, 1 },
    { "crash_back_divide", crash_divide, 1 },
    { "crash_back_abort", crash_abort, 1 },
    { "crash_back_bus", crash_bus, 1 },
    { "crash_warm_up", case_crash_warm_up, 0 },
    { "state_after_crash", case_state_after_crash, 0 },
    { "state_refused", case_state_refused, 0 },
    { "state_restore_crash", case_state_restore_crash, 0 },
    { "cleanup_during_reload", case_cleanup_during_reload, 0 },
    { "crash_first", case_crash_first, 0 },
    { "state_during_reload", case_state_during_reload, 0 },
    { "reactivate_resets", case_reactivate_resets, 0 },
    { "reactivate_keeps_restored", reactivate_keeps_restored, 0 },
};

static int run_case(const char *name)
{
    unsigned i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(cases[i].name, name) == 0) {
            host_audio_thread = cases[i].audio_thread;
            return cases[i].run();
        }
    }
    fprintf(stderr, "unknown case %s\n", name);
    return 2;
}

int main(int argc, char **argv)
{
    int rc;

    if (argc != 4) {
        fprintf(stderr, "usage: %s CASE BUNDLE VARIANTS\n", argv[0]);
        return 2;
    }
    the_case = argv[1];
    variants = argv[3];
    if (strncmp(the_case, "synth", 5) == 0) {
        synth_mode = 1;
        plugin_uri = SYNTH_URI;
        logic_file = "libsynth-logic.so";
    }
    signal_init();
    set_up(argv[2]);
    rc = run_case(the_case);
    lilv_world_free(world);
    sh("rm -rf %s", work);
    return rc;
}
