/*
 * @NAME@'s DSP: a gain and a one-pole low-pass filter. This file is the
 * hot library: save it while a host plays the plugin, `hotreload run`
 * rebuilds it, and the next block is computed by the new code, the
 * filter's memory carried over (save_rt / load_rt below).
 *
 * It runs on the host's audio thread: no allocation, no lock, no system
 * call in process(). A crash in process() rolls back to the previous
 * build, which goes on playing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

/* Edit this and save: every sample after the reload is scaled by it. */
#define OUTPUT_TRIM 1.0f

#define STATE_MAGIC 0x4c50463au /* marks the hand-over bytes */

/* The DSP state: what a reload carries to the next build. */
typedef struct filter_state {
    unsigned magic;
    unsigned channels;
    float memory[PLUGIN_MAX_CHANNELS]; /* the low-pass output, per channel */
} filter_state;

struct hot_plugin_instance {
    double rate;
    filter_state st;
};

static hot_plugin_instance *plugin_create(double rate, unsigned max_block)
{
    hot_plugin_instance *self = calloc(1, sizeof *self);

    (void)max_block;
    if (self)
        self->rate = rate;
    return self;
}

static void plugin_destroy(hot_plugin_instance *self)
{
    free(self);
}

static void plugin_reset(hot_plugin_instance *self)
{
    memset(&self->st, 0, sizeof self->st);
}

static float db_to_gain(float db)
{
    return powf(10.0f, db / 20.0f);
}

/* The one-pole low-pass coefficient for a cutoff, at this sample rate. */
static float lowpass_coefficient(const hot_plugin_instance *self, float cutoff_hz)
{
    return 1.0f - expf(-2.0f * 3.14159265f * cutoff_hz / (float)self->rate);
}

static void plugin_process(hot_plugin_instance *self, const hot_plugin_block *b)
{
    float gain = db_to_gain(b->params[PARAM_GAIN]) * OUTPUT_TRIM;
    float coeff = lowpass_coefficient(self, b->params[PARAM_CUTOFF]);
    unsigned channels = b->n_in < b->n_out ? b->n_in : b->n_out, c, i;

    if (channels > PLUGIN_MAX_CHANNELS)
        channels = PLUGIN_MAX_CHANNELS;
    for (c = 0; c < channels; c++) {
        float y = self->st.memory[c];
        for (i = 0; i < b->frames; i++) {
            y += coeff * (b->in[c][i] - y);
            b->out[c][i] = gain * y;
        }
        self->st.memory[c] = y;
    }
    for (; c < b->n_out; c++) /* outputs with no input of their rank */
        memset(b->out[c], 0, b->frames * sizeof(float));
}

static unsigned plugin_latency(const hot_plugin_instance *self)
{
    (void)self;
    return 0;
}

/* The hand-over to the next build, on the audio thread: plain bytes. A
 * build that changes filter_state should change STATE_MAGIC: the new one
 * then starts from reset instead of misreading the old bytes. */
static long plugin_save_rt(const hot_plugin_instance *self, void *buf, unsigned long capacity)
{
    filter_state st = self->st;

    if (capacity < sizeof st)
        return -1;
    st.magic = STATE_MAGIC;
    st.channels = PLUGIN_MAX_CHANNELS;
    memcpy(buf, &st, sizeof st);
    return (long)sizeof st;
}

static int plugin_load_rt(hot_plugin_instance *self, const void *buf, unsigned long size)
{
    filter_state st;

    if (size != sizeof st)
        return -1;
    memcpy(&st, buf, sizeof st);
    if (st.magic != STATE_MAGIC || st.channels != PLUGIN_MAX_CHANNELS)
        return -1;
    self->st = st;
    return 0;
}

/* The host's presets and sessions keep the same bytes. */
static int plugin_save_bytes(const hot_plugin_instance *self, void **data, size_t *size)
{
    *data = malloc(sizeof(filter_state));
    if (!*data)
        return -1;
    *size = sizeof(filter_state);
    return plugin_save_rt(self, *data, *size) < 0 ? -1 : 0;
}

static int plugin_load_bytes(hot_plugin_instance *self, const void *data, size_t size)
{
    return plugin_load_rt(self, data, size);
}

HOT_PLUGIN_LOGIC(@ID@, plugin_create, plugin_destroy, plugin_reset, plugin_process, plugin_latency,
                 plugin_save_rt, plugin_load_rt, plugin_save_bytes, plugin_load_bytes);
