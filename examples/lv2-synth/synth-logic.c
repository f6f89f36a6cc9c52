/* The synth's DSP: a voice per note, an oscillator and an attack/release
 * envelope each. Edit the oscillator's shape (SYNTH_SHAPE) or the envelope
 * and rebuild while notes play: the notes go on (phases and envelopes are
 * carried across the swap) with the new sound. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth-plugin.h"

/* 0: sine, 1: saw, 2: square. The tests edit this line. */
#ifndef SYNTH_SHAPE
#define SYNTH_SHAPE 0
#endif

#define SYNTH_STATE_MAGIC 0x53594e54u /* "SYNT" */

typedef struct voice {
    int note;      /* -1: free */
    int held;
    double phase;  /* 0..1 */
    float level;   /* envelope, 0..1 */
} voice;

struct hot_plugin_instance {
    double rate;
    voice voices[SYNTH_VOICES];
};

typedef struct synth_state {
    unsigned magic;
    voice voices[SYNTH_VOICES];
} synth_state;

static float oscillator(double phase)
{
    switch (SYNTH_SHAPE) {
    case 1: return (float)(2.0 * phase - 1.0);
    case 2: return phase < 0.5 ? 1.0f : -1.0f;
    default: return (float)sin(2.0 * M_PI * phase);
    }
}

static hot_plugin_instance *synth_create(double rate, unsigned max_block)
{
    hot_plugin_instance *s = calloc(1, sizeof *s);

    (void)max_block;
    if (s)
        s->rate = rate;
    return s;
}

static void synth_destroy(hot_plugin_instance *s)
{
    free(s);
}

static void synth_reset(hot_plugin_instance *s)
{
    int i;

    for (i = 0; i < SYNTH_VOICES; i++) {
        memset(&s->voices[i], 0, sizeof s->voices[i]);
        s->voices[i].note = -1;
    }
}

static void note_on(hot_plugin_instance *s, int note)
{
    int i, pick = 0;

    for (i = 0; i < SYNTH_VOICES; i++)
        if (s->voices[i].note < 0 || s->voices[i].note == note) {
            pick = i;
            break;
        }
    s->voices[pick].note = note;
    s->voices[pick].held = 1;
    if (s->voices[pick].level == 0)
        s->voices[pick].phase = 0;
}

static void note_off(hot_plugin_instance *s, int note)
{
    int i;

    for (i = 0; i < SYNTH_VOICES; i++)
        if (s->voices[i].note == note)
            s->voices[i].held = 0;
}

static void handle(hot_plugin_instance *s, const hot_plugin_event *ev)
{
    int status = ev->size >= 3 ? ev->data[0] & 0xf0 : 0;

    if (status == 0x90 && ev->data[2] > 0)
        note_on(s, ev->data[1]);
    else if (status == 0x80 || status == 0x90)
        note_off(s, ev->data[1]);
}

static float voice_sample(hot_plugin_instance *s, voice *v, float attack, float release)
{
    double freq = 440.0 * pow(2.0, (v->note - 69) / 12.0);
    float out;

    if (v->held)
        v->level = v->level + attack > 1.0f ? 1.0f : v->level + attack;
    else if ((v->level -= release) <= 0) {
        v->level = 0;
        v->note = -1;
        return 0;
    }
    out = v->level * oscillator(v->phase);
    v->phase += freq / s->rate;
    v->phase -= floor(v->phase);
    return out;
}

static void synth_process(hot_plugin_instance *s, const hot_plugin_block *b)
{
    float attack = (float)(1.0 / (b->params[SYNTH_ATTACK] * s->rate));
    float release = (float)(1.0 / (b->params[SYNTH_RELEASE] * s->rate));
    unsigned i, e = 0;
    int k;

    for (i = 0; i < b->frames; i++) {
        float sum = 0;
        for (; e < b->n_events && b->events[e].frame <= i; e++)
            handle(s, &b->events[e]);
        for (k = 0; k < SYNTH_VOICES; k++)
            if (s->voices[k].note >= 0)
                sum += voice_sample(s, &s->voices[k], attack, release);
        b->out[0][i] = b->params[SYNTH_VOLUME] * sum;
    }
}

static unsigned synth_latency(const hot_plugin_instance *s)
{
    (void)s;
    return 0;
}

static long synth_save_rt(const hot_plugin_instance *s, void *buf, unsigned long capacity)
{
    synth_state st;

    if (capacity < sizeof st)
        return -1;
    st.magic = SYNTH_STATE_MAGIC;
    memcpy(st.voices, s->voices, sizeof st.voices);
    memcpy(buf, &st, sizeof st);
    return (long)sizeof st;
}

static int synth_load_rt(hot_plugin_instance *s, const void *buf, unsigned long size)
{
    synth_state st;

    if (size != sizeof st)
        return -1;
    memcpy(&st, buf, sizeof st);
    if (st.magic != SYNTH_STATE_MAGIC)
        return -1;
    memcpy(s->voices, st.voices, sizeof st.voices);
    return 0;
}

/* Sounding notes are not part of a preset: nothing to save. */
static int synth_save_bytes(const hot_plugin_instance *s, void **data, size_t *size)
{
    (void)s;
    *data = malloc(1);
    *size = *data ? 1 : 0;
    return *data ? 0 : -1;
}

static int synth_load_bytes(hot_plugin_instance *s, const void *data, size_t size)
{
    (void)s;
    (void)data;
    return size == 1 ? 0 : -1;
}

HOT_PLUGIN_LOGIC(synth, synth_create, synth_destroy, synth_reset, synth_process, synth_latency, synth_save_rt,
                 synth_load_rt, synth_save_bytes, synth_load_bytes);
