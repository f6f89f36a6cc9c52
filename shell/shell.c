/*
 * The swap. A logic instance lives in a slot. Off the audio thread (the
 * host's worker, else the shell's own thread) a slot is made for each newly
 * accepted logic: created at the sample rate and block size, reset, and
 * left in `pending`. At the start of a block the audio thread takes it
 * (one atomic exchange): the old instance saves its DSP state into the
 * hand-over buffer allocated at create, the new one loads it, `cur`
 * changes, and the old slot goes into the retire ring to be destroyed off
 * the audio thread. No lock, no allocation, no system call on the audio
 * thread, and every block is processed by some logic: nothing is skipped
 * or silenced, whatever the timing.
 *
 * Every call into the logic on the audio thread goes through
 * hot_call_guarded. The instance swapped out stays in `prev` while its
 * successor plays: when process() crashes, the shell swaps back to it at
 * once (it takes the crashed instance's DSP state if it can, and processes
 * the block again), so the sound goes on in the previous logic. With no
 * previous instance the plugin is silent until a new build is accepted.
 * A crashed instance is never called again nor destroyed (its memory may
 * be corrupt): it is leaked. The crash is logged off the audio thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shell-logic.h"
#include "shell.h"

#define SHELL_CHUNK 4096      /* frames per logic call at most */
#define SHELL_MAX_EVENTS 512  /* events per chunk; more are dropped */
#define SHELL_RING 32         /* retired slots waiting to be destroyed */
#define SHELL_IDLE_MS 10      /* own thread: how often it looks anyway */

/* The static build (HOT_STATIC) compiles the swap out of run(). */
#define SHELL_SWAP_ONLY __attribute__((unused))

typedef struct shell_slot {
    const hot_plugin_logic *logic;
    hot_plugin_instance *inst;
    unsigned long version;
    int fresh; /* from a state restore: takes no DSP state from the old */
    int crashed; /* crashed on the audio thread: never called again */
} shell_slot;

enum { MSG_PREPARE = 1, MSG_READY, MSG_RETIRE };

typedef struct shell_msg {
    int type;
    shell_slot *slot;
} shell_msg;

struct hot_shell {
    const hot_plugin_desc *desc;
    hot_shell_host host;
    shell_member member;
    double rate;
    unsigned chunk, n_in, n_out;

    /* The audio thread's. */
    shell_slot *cur, *fading, *prev; /* prev: swapped out, kept to go back to */
    unsigned fade_pos;
    unsigned long scheduled;     /* the version last asked of the worker */
    float *params;
    const float **in_at;
    float **out_at;
    float *scratch_in, *scratch_out;
    const float **scratch_in_at;
    float **scratch_out_at;
    hot_plugin_event *events;
    void *handover;

    /* Shared with other threads, through atomics. */
    shell_slot *pending;
    int preparing;
    shell_slot *ring[SHELL_RING];
    unsigned ring_head, ring_tail; /* audio thread writes head, drainer tail */
    unsigned long playing;
    uint64_t swapped_ns;         /* CLOCK_MONOTONIC at the last hand-over... */
    unsigned long swapped_version; /* ...to this version */
    const hot_plugin_logic *playing_logic; /* written before playing */
    int stacks_wanted;           /* a thread of run() found the reserve empty */
    int carry_failed;
    int active;
    int restored;                /* a host restore since the last activate */
    unsigned long runs, runs_at_activate;
    int snap_wanted, snap_ready;
    void *snap;
    long snap_len;
    const hot_plugin_logic *snap_logic;
    unsigned long crashes;       /* process() crashes so far */
    int crash_signal;            /* the last one's signal */
    unsigned long crash_version, crash_back_to; /* 0: nothing to go back to */

    /* Off the audio thread. */
    unsigned long announced;     /* the version last logged as playing */
    unsigned long crashes_logged;
    pthread_mutex_t lock;        /* own thread's wake-up only (taken
                                    under the logic's member list lock) */
    pthread_mutex_t state_lock;  /* one host state call at a time */
    pthread_cond_t wake;
    pthread_t thread;
    int has_thread, stop, woken;
};

/* ---- Logging (never from the audio thread) ------------------------------ */

static void member_log(void *userdata, hot_log_level level, const char *line)
{
    hot_shell *s = userdata;

    if (s->host.log)
        s->host.log(s->host.log_userdata, level, line);
    else
        fprintf(stderr, "%s\n", line);
}

static void member_wake(void *userdata)
{
    hot_shell *s = userdata;

    pthread_mutex_lock(&s->lock);
    s->woken = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

/* ---- Slots (off the audio thread) --------------------------------------- */

static int has_in_place(const hot_plugin_logic *logic)
{
    return logic->size >= sizeof(hot_plugin_logic) && logic->state_rt && logic->adopt_rt;
}

/* The calls the audio thread makes at the swap, once here on the new
 * instance's own state (a round trip that changes nothing; the caller
 * resets after): their code pages are faulted in off the audio thread. */
static void warm_hand_over(hot_shell *s, shell_slot *slot)
{
    const hot_plugin_logic *l = slot->logic;
    void *scratch = malloc(s->desc->rt_state_max + 1);
    long n;

    l->latency(slot->inst);
    if (has_in_place(l))
        l->adopt_rt(slot->inst, l->state_rt(slot->inst));
    n = scratch ? l->save_rt(slot->inst, scratch, s->desc->rt_state_max) : -1;
    if (n >= 0)
        l->load_rt(slot->inst, scratch, (unsigned long)n);
    free(scratch);
}

/* One silent block through a new instance, here: the pages of its code
 * and data are faulted in off the audio thread (a fault there can wait on
 * the process's memory lock while the watcher maps the next build). The
 * reset after it starts the instance clean. */
static void warm_up(hot_shell *s, shell_slot *slot)
{
    size_t n = (size_t)(s->n_in + s->n_out + 1) * s->chunk;
    float *buf = calloc(n, sizeof(float));
    const float **in = calloc(s->n_in + 1, sizeof *in);
    float **out = calloc(s->n_out + 1, sizeof *out);
    float *params = calloc(s->desc->n_params + 1, sizeof(float));
    hot_plugin_block b;
    unsigned i;

    if (buf && in && out && params) {
        for (i = 0; i < s->n_in; i++)
            in[i] = buf + (size_t)i * s->chunk;
        for (i = 0; i < s->n_out; i++)
            out[i] = buf + (size_t)(s->n_in + i) * s->chunk;
        for (i = 0; i < s->desc->n_params; i++)
            params[i] = s->desc->params[i].def; /* not s->params: the audio thread's */
        memset(&b, 0, sizeof b);
        b.frames = s->chunk;
        b.n_in = s->n_in;
        b.n_out = s->n_out;
        b.in = in;
        b.out = out;
        b.params = params;
        slot->logic->reset(slot->inst);
        slot->logic->process(slot->inst, &b);
        warm_hand_over(s, slot);
    }
    free(buf);
    free(in);
    free(out);
    free(params);
}

typedef struct make_call {
    hot_shell *s;
    shell_slot *slot;
} make_call;

static void make_guarded(void *arg)
{
    make_call *c = arg;

    c->slot->inst = c->slot->logic->create(c->s->rate, c->s->chunk);
    if (!c->slot->inst)
        return;
    warm_up(c->s, c->slot);
    c->slot->logic->reset(c->slot->inst);
}

/* A new instance, made (and run once) under a crash guard: a build that
 * crashes there is marked and never reaches the audio thread. */
static shell_slot *slot_create(hot_shell *s, const hot_plugin_logic *logic, unsigned long version)
{
    shell_slot *slot;
    make_call c;
    int sig = 0;

    if (!logic)
        return NULL;
    if (shell_logic_crashed(version)) {
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: logic v%lu crashed before; no instance is made of it until a new build is accepted",
                        s->desc->name, version);
        return NULL;
    }
    slot = calloc(1, sizeof *slot);
    if (!slot)
        return NULL;
    slot->logic = logic;
    slot->version = version;
    c.s = s;
    c.slot = slot;
    hot_guard_prepare_thread(); /* not the audio thread: an overflow is caught too */
    if (hot_call_guarded(shell_logic_lib(), make_guarded, &c, &sig) != 0) {
        char why[256];
        shell_logic_mark_crashed(version);
        snprintf(why, sizeof why, "logic v%lu crashed (%s) in create() or its first block, off the audio thread; it is not used",
                 version, hot_signal_name(sig));
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: %s (the previous logic goes on playing; fix it and rebuild)",
                        s->desc->name, why);
        hot_report(shell_logic_lib(), "refused", version, 0, HOT_ECRASHED, why); /* to `hotreload run` */
        free(slot); /* the instance, if any, is leaked: never touched again */
        return NULL;
    }
    if (!slot->inst) {
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: logic v%lu could not create an instance (the previous logic goes on playing)",
                        s->desc->name, version);
        free(slot);
        return NULL;
    }
    shell_logic_log(HOT_LOG_INFO, "hotreload: %s: logic v%lu instance ready", s->desc->name, version);
    return slot;
}

static void slot_destroy(shell_slot *slot)
{
    if (!slot || slot->crashed)
        return; /* a crashed instance is leaked, never touched again */
    slot->logic->destroy(slot->inst);
    free(slot);
}

/* To `hotreload run`, which also shows hosts it did not start. */
static void report_crash(const hot_shell *s, unsigned long version, unsigned long back, const char *sig)
{
    char why[256];

    if (back)
        snprintf(why, sizeof why, "rolled back to logic v%lu: %s in process() of logic v%lu (%s)", back, sig,
                 version, s->desc->name);
    else
        snprintf(why, sizeof why, "stopped: %s in process() of logic v%lu and no logic to go back to; silent until a new build (%s)",
                 sig, version, s->desc->name);
    hot_report(shell_logic_lib(), back ? "rolledback" : "stopped", back, 0, HOT_ECRASHED, why);
}

static void log_crash(hot_shell *s)
{
    unsigned long crashes = __atomic_load_n(&s->crashes, __ATOMIC_ACQUIRE);
    unsigned long version = __atomic_load_n(&s->crash_version, __ATOMIC_RELAXED);
    unsigned long back = __atomic_load_n(&s->crash_back_to, __ATOMIC_RELAXED);
    const char *sig = hot_signal_name(__atomic_load_n(&s->crash_signal, __ATOMIC_RELAXED));

    if (crashes == s->crashes_logged)
        return;
    s->crashes_logged = crashes;
    report_crash(s, version, back, sig);
    if (back)
        shell_logic_log(HOT_LOG_ERROR,
                        "hotreload: %s: logic v%lu crashed in process() (%s); back to logic v%lu, which plays "
                        "on with the DSP state (v%lu is not called again; fix it and rebuild)",
                        s->desc->name, version, sig, back, version);
    else
        shell_logic_log(HOT_LOG_ERROR,
                        "hotreload: %s: logic v%lu crashed in process() (%s) with no previous logic to go back "
                        "to; silent until a new build is accepted",
                        s->desc->name, version, sig);
}

/* CLOCK_MONOTONIC: read through the vDSO, no system call. */
static uint64_t monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* `hotreload run` learns when the version's first block was processed
 * (ms before now): the end of edit-to-sound. */
static void report_playing(hot_shell *s, unsigned long playing)
{
    double ago = (double)(monotonic_ns() - __atomic_load_n(&s->swapped_ns, __ATOMIC_RELAXED)) / 1e6;
    char line[160];

    if (__atomic_load_n(&s->swapped_version, __ATOMIC_RELAXED) != playing)
        return; /* not a hand-over (a crash went back, a restore): no time to tell */
    snprintf(line, sizeof line, "%s: logic v%lu processes the blocks", s->desc->name, playing);
    hot_report(shell_logic_lib(), "played", playing, ago, 0, line);
}

/* Destroys what the audio thread retired, and says what plays now. */
static void drain_retired(hot_shell *s)
{
    unsigned head = __atomic_load_n(&s->ring_head, __ATOMIC_ACQUIRE);
    unsigned long playing;

    while (s->ring_tail != head) {
        slot_destroy(s->ring[s->ring_tail % SHELL_RING]);
        __atomic_store_n(&s->ring_tail, s->ring_tail + 1, __ATOMIC_RELEASE);
    }
    if (__atomic_exchange_n(&s->stacks_wanted, 0, __ATOMIC_ACQ_REL))
        hot_guard_reserve_stacks(2);
    if (__atomic_exchange_n(&s->carry_failed, 0, __ATOMIC_ACQ_REL))
        shell_logic_log(HOT_LOG_WARN, "hotreload: %s: the new logic did not take the old one's DSP state; it started from reset",
                        s->desc->name);
    log_crash(s);
    playing = __atomic_load_n(&s->playing, __ATOMIC_ACQUIRE);
    if (playing != s->announced) {
        s->announced = playing;
        shell_logic_log(HOT_LOG_INFO, "hotreload: %s: now playing logic v%lu", s->desc->name, playing);
        report_playing(s, playing);
    }
}

/* Offers a slot to the audio thread; false if one is already waiting. */
static int offer(hot_shell *s, shell_slot *slot)
{
    shell_slot *none = NULL;

    return __atomic_compare_exchange_n(&s->pending, &none, slot, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* ---- The audio thread --------------------------------------------------- */

static void set_playing(hot_shell *s, const shell_slot *slot)
{
    __atomic_store_n(&s->playing_logic, slot->logic, __ATOMIC_RELEASE);
    __atomic_store_n(&s->playing, slot->version, __ATOMIC_RELEASE);
}

static int ring_room(const hot_shell *s)
{
    return SHELL_RING - (s->ring_head - __atomic_load_n(&s->ring_tail, __ATOMIC_ACQUIRE));
}

/* Returns 0, or -1 when the host's worker did not take the message. */
static int schedule_msg(hot_shell *s, int type, shell_slot *slot)
{
    shell_msg m;

    m.type = type;
    m.slot = slot;
    if (s->host.schedule(s->host.schedule_userdata, &m, sizeof m) == 0)
        return 0;
    if (type == MSG_PREPARE)
        __atomic_store_n(&s->preparing, 0, __ATOMIC_RELEASE);
    return -1;
}

static void retire(hot_shell *s, shell_slot *slot)
{
    s->ring[s->ring_head % SHELL_RING] = slot;
    __atomic_store_n(&s->ring_head, s->ring_head + 1, __ATOMIC_RELEASE);
    if (s->host.schedule)
        schedule_msg(s, MSG_RETIRE, NULL);
}

typedef struct carry {
    hot_shell *s;
    const shell_slot *old;
    shell_slot *next;
    int in_place, ok;
} carry;

/* The blocks exchanged: next takes old's state as it is, old takes next's
 * (reset) block, so that each still owns one. */
static int exchange_blocks(const shell_slot *old, shell_slot *next)
{
    void *theirs, *mine;

    if (!has_in_place(old->logic) || !has_in_place(next->logic))
        return 0;
    theirs = old->logic->state_rt(old->inst);
    mine = next->logic->adopt_rt(next->inst, theirs);
    if (!mine)
        return 0;
    if (old->logic->adopt_rt(old->inst, mine))
        return 1;
    next->logic->adopt_rt(next->inst, mine); /* old refused it: undo */
    return 0;
}

static void carry_guarded(void *arg)
{
    carry *c = arg;
    long n;

    if (c->in_place && exchange_blocks(c->old, c->next)) {
        c->ok = 1;
        return;
    }
    n = c->old->logic->save_rt(c->old->inst, c->s->handover, c->s->desc->rt_state_max);
    c->ok = n >= 0 && c->next->logic->load_rt(c->next->inst, c->s->handover, (unsigned long)n) >= 0;
}

static void reset_guarded(void *arg)
{
    shell_slot *slot = arg;

    slot->logic->reset(slot->inst);
}

/* The old instance's DSP state into the new one: in place when both
 * builds offer it and the old one stops playing (in_place), else copied
 * through the buffer allocated at create; from reset when that fails, or
 * crashes (the old instance may be one that crashed). */
static void carry_state(hot_shell *s, const shell_slot *old, shell_slot *next, int in_place)
{
    carry c;

    c.s = s;
    c.old = old;
    c.next = next;
    c.in_place = in_place;
    c.ok = 0;
    if (hot_call_guarded(shell_logic_lib(), carry_guarded, &c, NULL) == 0 && c.ok)
        return;
    if (hot_call_guarded(shell_logic_lib(), reset_guarded, next, NULL) != 0)
        next->crashed = 1;
    __atomic_store_n(&s->carry_failed, 1, __ATOMIC_RELEASE);
}

static void keep_as_prev(hot_shell *s, shell_slot *old)
{
    if (s->prev)
        retire(s, s->prev);
    s->prev = NULL;
    if (old->crashed)
        retire(s, old); /* not one to go back to; the drainer leaks it */
    else
        s->prev = old;
}

static void hand_over(hot_shell *s, shell_slot *next)
{
    shell_slot *old = s->cur;

    if (!next->fresh && !old->crashed) /* a crossfade plays on the old state */
        carry_state(s, old, next, !s->desc->crossfade_samples);
    if (s->fading) /* a swap inside a crossfade: the oldest goes at once */
        retire(s, s->fading);
    s->fading = NULL;
    if (s->desc->crossfade_samples && !next->fresh && !old->crashed) {
        if (s->prev)
            retire(s, s->prev);
        s->prev = NULL;
        s->fading = old;
        s->fade_pos = 0;
    } else {
        keep_as_prev(s, old);
    }
    s->cur = next;
    __atomic_store_n(&s->swapped_ns, monotonic_ns(), __ATOMIC_RELAXED);
    __atomic_store_n(&s->swapped_version, next->version, __ATOMIC_RELAXED);
    set_playing(s, next);
    if (s->host.schedule) /* the worker says what plays now (and retires) */
        schedule_msg(s, MSG_RETIRE, NULL);
}

/* The block boundary: ask for a new instance when a new logic was
 * accepted, take one that is ready. */
SHELL_SWAP_ONLY static void swap_point(hot_shell *s)
{
    unsigned long version = shell_logic_version();
    shell_slot *next;

    if (s->host.schedule && version != s->scheduled && !__atomic_load_n(&s->preparing, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&s->preparing, 1, __ATOMIC_RELEASE);
        s->scheduled = version; /* before: a synchronous worker answers inside */
        if (schedule_msg(s, MSG_PREPARE, NULL) != 0)
            s->scheduled = 0; /* the worker's queue was full: ask again next block */
    }
    if (!__atomic_load_n(&s->pending, __ATOMIC_ACQUIRE) || ring_room(s) < 3)
        return; /* nothing ready, or the drainer is behind: swap next block */
    next = __atomic_exchange_n(&s->pending, NULL, __ATOMIC_ACQ_REL);
    if (next && shell_logic_crashed(next->version))
        retire(s, next); /* another instance crashed in that build since */
    else if (next)
        hand_over(s, next);
}

typedef struct process_call {
    const shell_slot *slot;
    const hot_plugin_block *block;
} process_call;

static void process_guarded(void *arg)
{
    const process_call *c = arg;

    c->slot->logic->process(c->slot->inst, c->block);
}

/* Returns 0, or the signal process() crashed with. */
static int call_logic(const shell_slot *slot, const hot_shell *s, const float *const *in, float *const *out,
                      const hot_plugin_event *events, unsigned n_events, unsigned frames)
{
    hot_plugin_block b;
    process_call c;
    int sig = 0;

    b.frames = frames;
    b.n_in = s->n_in;
    b.n_out = s->n_out;
    b.in = in;
    b.out = out;
    b.params = s->params;
    b.n_events = n_events;
    b.events = events;
    c.slot = slot;
    c.block = &b;
    if (hot_call_guarded(shell_logic_lib(), process_guarded, &c, &sig) != 0 && sig == 0)
        sig = -1;
    return sig;
}

static void silence(hot_shell *s, unsigned frames)
{
    unsigned j;

    for (j = 0; j < s->n_out; j++)
        memset(s->out_at[j], 0, frames * sizeof(float));
}

/* The audio thread's record of a crash, for the drainer to log. */
static void note_crash(hot_shell *s, shell_slot *bad, int sig, const shell_slot *back_to)
{
    bad->crashed = 1;
    shell_logic_mark_crashed(bad->version);
    __atomic_store_n(&s->crash_signal, sig, __ATOMIC_RELAXED);
    __atomic_store_n(&s->crash_version, bad->version, __ATOMIC_RELAXED);
    __atomic_store_n(&s->crash_back_to, back_to ? back_to->version : 0, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->crashes, 1, __ATOMIC_RELEASE);
    if (s->host.schedule)
        schedule_msg(s, MSG_RETIRE, NULL); /* the worker logs it */
}

/* process() of the playing instance crashed in this chunk: back to the
 * previous instance, given the crashed one's DSP state if it can take it,
 * and the chunk again (the input is as it was unless the host processes
 * in place). Returns 0 when the chunk has its output. */
static int go_back(hot_shell *s, int sig, const hot_plugin_event *ev, unsigned n_ev, unsigned frames)
{
    shell_slot *bad = s->cur, *back = s->prev;

    if (!back) {
        note_crash(s, bad, sig, NULL);
        return -1; /* cur stays, crashed: silence until a new build */
    }
    bad->crashed = 1;
    carry_state(s, bad, back, 1);
    s->prev = NULL;
    s->cur = back;
    set_playing(s, back);
    note_crash(s, bad, sig, back); /* after the switch: the worker may log at once */
    if (back->crashed)
        return -1;
    sig = call_logic(back, s, (const float *const *)s->in_at, s->out_at, ev, n_ev, frames);
    if (sig != 0) {
        note_crash(s, back, sig, NULL);
        return -1;
    }
    return 0;
}

static void play(hot_shell *s, const hot_plugin_event *ev, unsigned n_ev, unsigned frames)
{
    int sig;

    if (s->cur->crashed) {
        silence(s, frames);
        return;
    }
    sig = call_logic(s->cur, s, (const float *const *)s->in_at, s->out_at, ev, n_ev, frames);
    if (sig != 0 && go_back(s, sig, ev, n_ev, frames) != 0)
        silence(s, frames);
}

/* A crash inside a crossfade: the instance that did not crash plays on
 * alone, with the output it made for this chunk. */
static void crossfade_crashed(hot_shell *s, int old_sig, int new_sig, unsigned frames)
{
    shell_slot *fading = s->fading;
    unsigned j;

    s->fading = NULL;
    if (old_sig) {
        note_crash(s, fading, old_sig, new_sig ? NULL : s->cur);
        retire(s, fading);
        if (new_sig)
            note_crash(s, s->cur, new_sig, NULL);
        if (new_sig)
            silence(s, frames);
        return;
    }
    note_crash(s, s->cur, new_sig, fading);
    retire(s, s->cur);
    s->cur = fading;
    set_playing(s, fading);
    for (j = 0; j < s->n_out; j++)
        memcpy(s->out_at[j], s->scratch_out_at[j], frames * sizeof(float));
}

/* Both instances run; the output goes from the old to the new one with
 * weight t = (k + 1) / N for the k-th sample after the swap. */
static void crossfade(hot_shell *s, const hot_plugin_event *ev, unsigned n_ev, unsigned frames)
{
    unsigned n = s->desc->crossfade_samples, i, j;

    for (i = 0; i < s->n_in; i++)
        memcpy(s->scratch_in + (size_t)i * s->chunk, s->in_at[i], frames * sizeof(float));
    int old_sig = call_logic(s->fading, s, s->scratch_in_at, s->scratch_out_at, ev, n_ev, frames);
    int new_sig = call_logic(s->cur, s, s->scratch_in_at, s->out_at, ev, n_ev, frames);

    if (old_sig || new_sig) {
        crossfade_crashed(s, old_sig, new_sig, frames);
        return;
    }
    for (j = 0; j < s->n_out; j++) {
        const float *old = s->scratch_out_at[j];
        float *out = s->out_at[j];
        for (i = 0; i < frames; i++) {
            unsigned k = s->fade_pos + i;
            float t = k + 1 >= n ? 1.0f : (float)(k + 1) / (float)n;
            out[i] = old[i] * (1.0f - t) + out[i] * t;
        }
    }
    s->fade_pos += frames;
    if (s->fade_pos >= n) {
        keep_as_prev(s, s->fading);
        s->fading = NULL;
    }
}

static unsigned slice_events(hot_shell *s, const hot_plugin_event *events, unsigned n_events, unsigned start,
                             unsigned frames)
{
    unsigned i, n = 0;

    for (i = 0; i < n_events && n < SHELL_MAX_EVENTS; i++) {
        if (events[i].frame < start || events[i].frame >= start + frames)
            continue;
        s->events[n] = events[i];
        s->events[n].frame -= start;
        n++;
    }
    return n;
}

typedef struct snap_call {
    hot_shell *s;
    long len;
} snap_call;

static void snap_guarded(void *arg)
{
    snap_call *c = arg;

    c->len = c->s->cur->logic->save_rt(c->s->cur->inst, c->s->snap, c->s->desc->rt_state_max);
}

static void take_snapshot(hot_shell *s)
{
    snap_call c;

    c.s = s;
    c.len = -1;
    if (s->cur->crashed || hot_call_guarded(shell_logic_lib(), snap_guarded, &c, NULL) != 0)
        c.len = -1;
    s->snap_len = c.len;
    s->snap_logic = s->cur->logic;
    __atomic_store_n(&s->snap_wanted, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&s->snap_ready, 1, __ATOMIC_RELEASE);
}

static void clamp_params(hot_shell *s, const float *params)
{
    unsigned i;

    for (i = 0; i < s->desc->n_params; i++) {
        const hot_plugin_param *p = &s->desc->params[i];
        float v = params ? params[i] : p->def;
        s->params[i] = v < p->minimum ? p->minimum : v > p->maximum ? p->maximum : v;
    }
}

/* The host's audio thread gets an alternate signal stack at its first
 * run(), from the reserve mapped off the audio thread: one sigaltstack()
 * system call, once per thread; then a thread-local read per block. The
 * drainer refills the reserve after a thread took one (or found none). */
SHELL_SWAP_ONLY static void want_stack(hot_shell *s)
{
    if (hot_guard_adopt_thread() == 0 || __atomic_exchange_n(&s->stacks_wanted, 1, __ATOMIC_ACQ_REL))
        return; /* had one, or the drainer was asked already */
    if (s->host.schedule)
        schedule_msg(s, MSG_RETIRE, NULL);
}

void hot_shell_run(hot_shell *s, const float *const *in, float *const *out, const float *params,
                   const hot_plugin_event *events, unsigned n_events, unsigned frames)
{
    unsigned start, i;

    clamp_params(s, params);
#if !defined(HOT_STATIC)
    want_stack(s);
    swap_point(s);
#endif
    for (start = 0; start < frames; start += s->chunk) {
        unsigned n = frames - start < s->chunk ? frames - start : s->chunk;
        unsigned n_ev = slice_events(s, events, n_events, start, n);
        for (i = 0; i < s->n_in; i++)
            s->in_at[i] = in[i] + start;
        for (i = 0; i < s->n_out; i++)
            s->out_at[i] = out[i] + start;
        if (s->fading)
            crossfade(s, s->events, n_ev, n);
        else
            play(s, s->events, n_ev, n);
    }
    if (__atomic_load_n(&s->snap_wanted, __ATOMIC_ACQUIRE))
        take_snapshot(s);
    __atomic_add_fetch(&s->runs, 1, __ATOMIC_RELEASE);
}

unsigned hot_shell_latency(const hot_shell *s)
{
    if (s->cur->crashed)
        return 0;
    return s->cur->logic->latency(s->cur->inst);
}

unsigned long hot_shell_playing(const hot_shell *s)
{
    return __atomic_load_n(&s->playing, __ATOMIC_ACQUIRE);
}

/* ---- The worker --------------------------------------------------------- */

void hot_shell_work(hot_shell *s, int (*respond)(void *handle, unsigned size, const void *msg), void *handle,
                    const void *msg, unsigned size)
{
    shell_msg m;
    unsigned long version;
    const hot_plugin_logic *logic;

    if (size != sizeof m)
        return;
    memcpy(&m, msg, sizeof m);
    hot_guard_prepare_thread(); /* once per thread: the logic's calls here are guarded */
    if (m.type == MSG_RETIRE) {
        drain_retired(s);
        return;
    }
    if (m.type != MSG_PREPARE)
        return;
    logic = shell_logic_current(&version);
    m.type = MSG_READY;
    m.slot = slot_create(s, logic, version);
    respond(handle, sizeof m, &m);
}

void hot_shell_work_response(hot_shell *s, const void *msg, unsigned size)
{
    shell_msg m;

    if (size != sizeof m)
        return;
    memcpy(&m, msg, sizeof m);
    if (m.type != MSG_READY)
        return;
    if (m.slot && !offer(s, m.slot))
        retire(s, m.slot); /* a restore got there first: it wins */
    __atomic_store_n(&s->preparing, 0, __ATOMIC_RELEASE);
}

/* ---- The shell's own thread, for hosts without a worker ----------------- */

static void wait_for_work(hot_shell *s)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += SHELL_IDLE_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->lock);
    while (!s->woken && !s->stop)
        if (pthread_cond_timedwait(&s->wake, &s->lock, &until) == ETIMEDOUT)
            break;
    s->woken = 0;
    pthread_mutex_unlock(&s->lock);
}

SHELL_SWAP_ONLY static void *own_thread(void *arg)
{
    hot_shell *s = arg;

    hot_guard_prepare_thread();
    while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
        unsigned long version;
        const hot_plugin_logic *logic = shell_logic_current(&version);
        drain_retired(s); /* first: the stack reserve is full before a swap */
        if (version != s->scheduled && !__atomic_load_n(&s->pending, __ATOMIC_ACQUIRE)) {
            shell_slot *slot = slot_create(s, logic, version);
            s->scheduled = version; /* a failed create is not retried */
            if (slot && !offer(s, slot))
                slot_destroy(slot);
        }
        drain_retired(s);
        wait_for_work(s);
    }
    return NULL;
}

/* ---- Host state --------------------------------------------------------- */

static void sleep_ms(unsigned ms)
{
    struct timespec ts;

    ts.tv_sec = 0;
    ts.tv_nsec = (long)ms * 1000000L;
    nanosleep(&ts, NULL);
}

/* The running instance's DSP state: taken by the audio thread at a block
 * boundary while it plays (so never from an instance being swapped out or
 * in), or read here when no block is running. */
static void snapshot(hot_shell *s)
{
    unsigned long runs = __atomic_load_n(&s->runs, __ATOMIC_ACQUIRE);
    unsigned waited;

    if (__atomic_load_n(&s->active, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&s->snap_ready, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&s->snap_wanted, 1, __ATOMIC_RELEASE);
        for (waited = 0; waited < 1000; waited++) {
            if (__atomic_load_n(&s->snap_ready, __ATOMIC_ACQUIRE))
                return;
            if (waited == 100 && __atomic_load_n(&s->runs, __ATOMIC_ACQUIRE) == runs)
                break; /* active, but the host is not running blocks */
            sleep_ms(1);
        }
        __atomic_store_n(&s->snap_wanted, 0, __ATOMIC_RELEASE);
    }
    take_snapshot(s);
}

typedef struct save_call {
    hot_shell *s;
    void **data;
    size_t *size;
    int err;
} save_call;

/* The bytes come from a scratch instance of the same logic given the
 * snapshot: nothing off the audio thread touches the running one. */
static void save_guarded(void *arg)
{
    save_call *c = arg;
    hot_shell *s = c->s;
    hot_plugin_instance *tmp = s->snap_logic->create(s->rate, s->chunk);

    if (!tmp)
        return;
    s->snap_logic->reset(tmp);
    if (s->snap_len >= 0)
        s->snap_logic->load_rt(tmp, s->snap, (unsigned long)s->snap_len);
    c->err = s->snap_logic->save_bytes(tmp, c->data, c->size) < 0 ? HOT_EINVAL : 0;
    s->snap_logic->destroy(tmp);
}

int hot_shell_state_save(hot_shell *s, void **data, size_t *size)
{
    save_call c;
    int sig = 0;

    c.s = s;
    c.data = data;
    c.size = size;
    c.err = HOT_ENOMEM;
    hot_guard_prepare_thread();
    pthread_mutex_lock(&s->state_lock);
    snapshot(s);
    if (hot_call_guarded(shell_logic_lib(), save_guarded, &c, &sig) != 0) {
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: the logic crashed (%s) saving its state; nothing saved (the logic goes on playing)",
                        s->desc->name, hot_signal_name(sig));
        c.err = HOT_ECRASHED;
    }
    pthread_mutex_unlock(&s->state_lock);
    return c.err;
}

static void replace_inactive(hot_shell *s, shell_slot *slot)
{
    slot_destroy(s->cur);
    slot_destroy(s->fading);
    slot_destroy(s->prev);
    s->fading = s->prev = NULL;
    s->cur = slot;
    set_playing(s, slot);
}

/* The logic a restore makes its instance of: the accepted one, unless it
 * crashed (then the one playing, which the shell went back to). */
static const hot_plugin_logic *restore_logic(hot_shell *s, unsigned long *version)
{
    const hot_plugin_logic *logic = shell_logic_current(version);
    unsigned long again;

    if (!shell_logic_crashed(*version))
        return logic;
    do { /* the pair as one: the audio thread writes the logic first */
        *version = __atomic_load_n(&s->playing, __ATOMIC_ACQUIRE);
        logic = __atomic_load_n(&s->playing_logic, __ATOMIC_ACQUIRE);
        again = __atomic_load_n(&s->playing, __ATOMIC_ACQUIRE);
    } while (again != *version);
    return logic;
}

typedef struct load_call {
    shell_slot *slot;
    const void *data;
    size_t size;
    int err;
} load_call;

static void load_guarded(void *arg)
{
    load_call *c = arg;

    c->err = c->slot->logic->load_bytes(c->slot->inst, c->data, c->size);
}

/* A new slot holding the host's bytes, or NULL (logged). */
static shell_slot *restored_slot(hot_shell *s, const void *data, size_t size, int *err)
{
    unsigned long version;
    const hot_plugin_logic *logic = restore_logic(s, &version);
    load_call c;
    int sig = 0;

    *err = shell_logic_crashed(version) ? HOT_ECRASHED : HOT_ENOMEM;
    c.slot = slot_create(s, logic, version);
    if (!c.slot)
        return NULL;
    c.data = data;
    c.size = size;
    c.err = -1;
    if (hot_call_guarded(shell_logic_lib(), load_guarded, &c, &sig) != 0) {
        shell_logic_mark_crashed(version);
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: logic v%lu crashed (%s) loading the state to restore; refused "
                        "(the logic goes on playing as it was)", s->desc->name, version, hot_signal_name(sig));
        free(c.slot); /* the instance is leaked: never touched again */
        *err = HOT_ECRASHED;
        return NULL;
    }
    if (c.err < 0) {
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: logic v%lu refused the state to restore (%lu bytes: from "
                        "another version of the plugin, or damaged); the logic goes on playing as it was",
                        s->desc->name, version, (unsigned long)size);
        slot_destroy(c.slot);
        *err = HOT_EINVAL;
        return NULL;
    }
    return c.slot;
}

int hot_shell_state_restore(hot_shell *s, const void *data, size_t size)
{
    unsigned long runs;
    shell_slot *slot;
    unsigned waited;
    int err;

    hot_guard_prepare_thread();
    slot = restored_slot(s, data, size, &err);
    if (!slot)
        return err;
    slot->fresh = 1;
    __atomic_store_n(&s->restored, 1, __ATOMIC_RELEASE);
    pthread_mutex_lock(&s->state_lock);
    runs = __atomic_load_n(&s->runs, __ATOMIC_ACQUIRE);
    for (waited = 0; __atomic_load_n(&s->active, __ATOMIC_ACQUIRE) && waited < 2000; waited++) {
        if (offer(s, slot)) {
            pthread_mutex_unlock(&s->state_lock);
            return 0; /* the audio thread applies it at the next block */
        }
        if (waited == 100 && __atomic_load_n(&s->runs, __ATOMIC_ACQUIRE) == runs)
            break;
        sleep_ms(1);
    }
    replace_inactive(s, slot);
    pthread_mutex_unlock(&s->state_lock);
    return 0;
}

/* ---- Instantiation ------------------------------------------------------ */

static void count_ports(hot_shell *s)
{
    unsigned i;

    for (i = 0; i < s->desc->n_ports; i++) {
        if (s->desc->ports[i].kind == HOT_PORT_AUDIO_IN)
            s->n_in++;
        else if (s->desc->ports[i].kind == HOT_PORT_AUDIO_OUT)
            s->n_out++;
    }
}

/* Memory the audio thread writes, faulted in here: a page fault in run()
 * is a system call's worth of stall. */
static void *touched(size_t size)
{
    unsigned char *p = malloc(size);
    size_t i;

    for (i = 0; p && i < size; i += 4096)
        ((volatile unsigned char *)p)[i] = 0;
    return p;
}

static int allocate(hot_shell *s)
{
    unsigned i, n_io = s->n_in + s->n_out + 1;

    s->params = calloc(s->desc->n_params + 1, sizeof(float));
    s->in_at = calloc(n_io, sizeof *s->in_at);
    s->out_at = calloc(n_io, sizeof *s->out_at);
    s->scratch_in_at = calloc(n_io, sizeof *s->scratch_in_at);
    s->scratch_out_at = calloc(n_io, sizeof *s->scratch_out_at);
    s->scratch_in = calloc((size_t)s->chunk * (s->n_in + 1), sizeof(float));
    s->scratch_out = calloc((size_t)s->chunk * (s->n_out + 1), sizeof(float));
    s->events = calloc(SHELL_MAX_EVENTS, sizeof *s->events);
    s->handover = touched(s->desc->rt_state_max + 1);
    s->snap = touched(s->desc->rt_state_max + 1);
    if (!s->params || !s->in_at || !s->out_at || !s->scratch_in_at || !s->scratch_out_at || !s->scratch_in ||
        !s->scratch_out || !s->events || !s->handover || !s->snap)
        return HOT_ENOMEM;
    for (i = 0; i < s->n_in; i++)
        s->scratch_in_at[i] = s->scratch_in + (size_t)i * s->chunk;
    for (i = 0; i < s->n_out; i++)
        s->scratch_out_at[i] = s->scratch_out + (size_t)i * s->chunk;
    clamp_params(s, NULL);
    return 0;
}

static void release_memory(hot_shell *s)
{
    free(s->params);
    free(s->in_at);
    free(s->out_at);
    free(s->scratch_in_at);
    free(s->scratch_out_at);
    free(s->scratch_in);
    free(s->scratch_out);
    free(s->events);
    free(s->handover);
    free(s->snap);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->state_lock);
    pthread_cond_destroy(&s->wake);
    free(s);
}

static int start_first_logic(hot_shell *s, const char *logic_path)
{
    unsigned long version;
    int err = shell_logic_acquire(&s->member, s->desc, logic_path);

    const hot_plugin_logic *logic;

    if (err < 0)
        return err;
    logic = shell_logic_current(&version);
    s->cur = slot_create(s, logic, version);
    if (!s->cur) {
        shell_logic_release(&s->member);
        return HOT_ENOMEM;
    }
    s->scheduled = s->announced = version;
    set_playing(s, s->cur);
    return 0;
}

int hot_shell_create(hot_shell **out, const hot_plugin_desc *desc, const char *logic_path, double sample_rate,
                     unsigned max_block, const hot_shell_host *host)
{
    hot_shell *s = calloc(1, sizeof *s);
    int err;

    *out = NULL;
    if (!s)
        return HOT_ENOMEM;
    hot_guard_prepare_thread(); /* off the audio thread: its calls then make none */
    hot_guard_reserve_stacks(2); /* for the host's audio threads (want_stack) */
    s->desc = desc;
    if (host)
        s->host = *host;
    s->rate = sample_rate;
    s->chunk = max_block && max_block < SHELL_CHUNK ? max_block : SHELL_CHUNK;
    s->member.log = member_log;
    s->member.wake = member_wake;
    s->member.userdata = s;
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->state_lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    count_ports(s);
    err = allocate(s);
    if (err == 0)
        err = start_first_logic(s, logic_path);
    if (err < 0) {
        release_memory(s);
        return err;
    }
#if !defined(HOT_STATIC)
    if (!s->host.schedule)
        s->has_thread = pthread_create(&s->thread, NULL, own_thread, s) == 0;
#endif
    *out = s;
    return 0;
}

/* deactivate() then activate() is the host asking the instance to forget
 * its history (LV2: "MUST reset all state information dependent on the
 * history"): Ardour does it around every export, so that two exports of
 * the same range are the same. A state the host restored since the last
 * activate stands: Ardour restores a session's state, runs one block, and
 * re-activates. Not concurrent with run() (the host's contract). */
void hot_shell_activate(hot_shell *s)
{
    int restored = __atomic_exchange_n(&s->restored, 0, __ATOMIC_ACQ_REL);
    unsigned long runs = __atomic_load_n(&s->runs, __ATOMIC_ACQUIRE);

    hot_guard_reserve_stacks(2);
    if (runs != s->runs_at_activate && !restored && !s->cur->crashed) {
        if (s->fading) /* a crossfade in progress ends with the history */
            retire(s, s->fading);
        s->fading = NULL;
        if (hot_call_guarded(shell_logic_lib(), reset_guarded, s->cur, NULL) != 0) {
            s->cur->crashed = 1;
            shell_logic_mark_crashed(s->cur->version);
        }
    }
    s->runs_at_activate = runs;
    __atomic_store_n(&s->active, 1, __ATOMIC_RELEASE);
}

void hot_shell_deactivate(hot_shell *s)
{
    __atomic_store_n(&s->active, 0, __ATOMIC_RELEASE);
}

void hot_shell_destroy(hot_shell *s)
{
    if (!s)
        return;
    if (s->has_thread) {
        pthread_mutex_lock(&s->lock);
        __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
    }
    drain_retired(s);
    slot_destroy(__atomic_exchange_n(&s->pending, NULL, __ATOMIC_ACQ_REL));
    slot_destroy(s->fading);
    slot_destroy(s->prev);
    slot_destroy(s->cur);
    shell_logic_release(&s->member);
    release_memory(s);
}
