/* The delay's DSP: a feedback delay with a one-pole low-pass ("tone") in
 * the loop. This file is the hot library: rebuild it while a host plays
 * and the next block is computed by the new code, the echoes of what was
 * played before going on (the delay line is carried across the swap). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "delay-plugin.h"

/* The output gain: the tests edit this line (or build with -DDELAY_GAIN). */
#ifndef DELAY_GAIN
#define DELAY_GAIN 1.0f
#endif

#define DELAY_STATE_MAGIC 0x444c4159u /* "DLAY" */

/* The DSP state, in one block the next build's instance takes as it is
 * (the in-place hand-over): change DELAY_LAYOUT with this struct. */
#ifndef DELAY_LAYOUT_EDITED
#define DELAY_LAYOUT 0x4c415931u /* "LAY1" */
#else /* a test's build with another layout: the shell must copy */
#define DELAY_LAYOUT 0x4c415932u
#endif

typedef struct delay_state {
    unsigned layout;
    unsigned length; /* samples in the line */
    unsigned pos;
    float lowpass;
    float line[1];   /* length samples */
} delay_state;

struct hot_plugin_instance {
    double rate;
    delay_state *st;
    unsigned long blocks; /* process() calls, for DELAY_CRASH_AFTER */
};

/* What save_rt writes: this header, then the line from its oldest sample. */
typedef struct delay_header {
    unsigned magic, length;
    float lowpass;
} delay_header;

static hot_plugin_instance *delay_create(double rate, unsigned max_block)
{
    hot_plugin_instance *d = calloc(1, sizeof *d);
    unsigned length;

    (void)max_block;
    if (!d)
        return NULL;
    d->rate = rate;
    length = (unsigned)(rate * DELAY_MAX_SECONDS) + 2;
    d->st = rate > DELAY_MAX_RATE ? NULL : calloc(1, sizeof *d->st + length * sizeof(float));
    if (!d->st) {
        free(d);
        return NULL;
    }
    d->st->layout = DELAY_LAYOUT;
    d->st->length = length;
    return d;
}

static void delay_destroy(hot_plugin_instance *d)
{
    free(d->st);
    free(d);
}

static void delay_reset(hot_plugin_instance *d)
{
    memset(d->st->line, 0, d->st->length * sizeof(float));
    d->st->pos = 0;
    d->st->lowpass = 0;
}

#if defined(DELAY_CRASH_RECURSE) || defined(DELAY_CRASH_DIVIDE)
static volatile int delay_zero; /* what a test's build divides by */
#endif

#ifdef DELAY_CRASH_RECURSE
/* An endless recursion: not a tail call, a frame the compiler keeps. */
static int delay_recurse(volatile char *from)
{
    volatile char frame[256];

    frame[0] = from ? from[0] : 1;
    if (delay_zero)
        return frame[0];
    return delay_recurse(frame) + frame[1];
}
#endif

#ifdef DELAY_CRASH_AFTER
/* How a test's build crashes: raise(SIGSEGV) by default. */
static void delay_crash(hot_plugin_instance *d)
{
    (void)d;
#if defined(DELAY_CRASH_STORE) /* a store through a null pointer */
    *(volatile float *)(volatile void *)0 = d->st->lowpass;
#elif defined(DELAY_CRASH_RECURSE) /* a stack overflow */
    d->st->lowpass += (float)delay_recurse(NULL);
#elif defined(DELAY_CRASH_DIVIDE) /* SIGFPE: an integer divided by zero */
    d->st->pos += d->st->length / (unsigned)delay_zero;
#elif defined(DELAY_CRASH_ABORT) /* a failed assert() */
    abort();
#elif defined(DELAY_CRASH_BUS)
    raise(SIGBUS);
#else
    raise(SIGSEGV);
#endif
}
#endif

/* A test's build crashes in its N-th process() call (the shell's warm-up
 * block counts). */
static void maybe_crash(hot_plugin_instance *d)
{
#ifdef DELAY_CRASH_AFTER
    if (++d->blocks >= DELAY_CRASH_AFTER)
        delay_crash(d);
#else
    (void)d;
#endif
}

static void delay_process(hot_plugin_instance *d, const hot_plugin_block *b)
{
    unsigned delay = (unsigned)(b->params[DELAY_TIME] * d->rate), i;
    float feedback = b->params[DELAY_FEEDBACK];
    float coeff = 0.05f + 0.95f * b->params[DELAY_TONE];

    maybe_crash(d);
    if (delay < 1)
        delay = 1;
    if (delay > d->st->length - 1)
        delay = d->st->length - 1;
    for (i = 0; i < b->frames; i++) {
        float x = b->in[0][i];
        float echo = d->st->line[(d->st->pos + d->st->length - delay) % d->st->length];
        d->st->lowpass += coeff * (echo - d->st->lowpass);
        d->st->line[d->st->pos] = x + feedback * d->st->lowpass;
        d->st->pos = (d->st->pos + 1) % d->st->length;
        b->out[0][i] = DELAY_GAIN * (0.5f * x + 0.5f * d->st->lowpass);
    }
}

/* The delay adds none; a test's build reports some, to see the host told. */
#ifndef DELAY_LATENCY
#define DELAY_LATENCY 0
#endif

static unsigned delay_latency(const hot_plugin_instance *d)
{
    (void)d;
    return DELAY_LATENCY;
}

/* The line is written oldest sample first, so a build with another
 * length could take it too; this one only takes its own length. */
static long delay_save_rt(const hot_plugin_instance *d, void *buf, unsigned long capacity)
{
    delay_header h;
    unsigned long need = sizeof h + (unsigned long)d->st->length * sizeof(float);
    char *out = buf;
    unsigned tail = d->st->length - d->st->pos;

    if (need > capacity)
        return -1;
    h.magic = DELAY_STATE_MAGIC;
    h.length = d->st->length;
    h.lowpass = d->st->lowpass;
    memcpy(out, &h, sizeof h);
    memcpy(out + sizeof h, d->st->line + d->st->pos, tail * sizeof(float));
    memcpy(out + sizeof h + tail * sizeof(float), d->st->line, d->st->pos * sizeof(float));
    return (long)need;
}

static int delay_load_rt(hot_plugin_instance *d, const void *buf, unsigned long size)
{
    delay_header h;

#ifdef DELAY_NO_COPY /* a test's build: the state can only come in place */
    size = 0;
#endif
    if (size < sizeof h)
        return -1;
    memcpy(&h, buf, sizeof h);
    if (h.magic != DELAY_STATE_MAGIC || h.length != d->st->length || size != sizeof h + h.length * sizeof(float))
        return -1;
    memcpy(d->st->line, (const char *)buf + sizeof h, d->st->length * sizeof(float));
    d->st->pos = 0;
    d->st->lowpass = h.lowpass;
    return 0;
}

static void *delay_state_rt(hot_plugin_instance *d)
{
    return d->st;
}

/* Takes a block of the same layout and length (the rate is the host's). */
static void *delay_adopt_rt(hot_plugin_instance *d, void *block)
{
    delay_state *other = block, *mine = d->st;

    if (other->layout != DELAY_LAYOUT || other->length != mine->length)
        return NULL;
    d->st = other;
    return mine;
}

/* A session keeps the echoes too: the same bytes. */
static int delay_save_bytes(const hot_plugin_instance *d, void **data, size_t *size)
{
    unsigned long need = sizeof(delay_header) + (unsigned long)d->st->length * sizeof(float);

    *data = malloc(need);
    if (!*data)
        return -1;
    *size = need;
    return delay_save_rt(d, *data, need) < 0 ? -1 : 0;
}

static int delay_load_bytes(hot_plugin_instance *d, const void *data, size_t size)
{
#ifdef DELAY_CRASH_LOAD /* a test's build: a restore crashes */
    raise(SIGSEGV);
#endif
    return delay_load_rt(d, data, size);
}

HOT_PLUGIN_LOGIC_IN_PLACE(delay, delay_create, delay_destroy, delay_reset, delay_process, delay_latency,
                          delay_save_rt, delay_load_rt, delay_save_bytes, delay_load_bytes, delay_state_rt,
                          delay_adopt_rt);
