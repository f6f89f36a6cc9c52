/*
 * @NAME@'s description, declared once: the shell (what the host loads and
 * caches when it scans) and the logic (logic.c, the DSP, reloaded on every
 * rebuild) both compile it. Its identity, ports and parameters belong to
 * the shell: change them and the shell must be rebuilt (make) and the host
 * must scan the plugin again; a logic built from another version of this
 * file is refused, and the one playing goes on.
 */
#ifndef PLUGIN_H
#define PLUGIN_H

#include <hotreload/plugin.h>

/* The audio ports, in the order the host sees them. For stereo, add
 * AUDIO_IN(in_r, "In R") and AUDIO_OUT(out_r, "Out R"): logic.c filters
 * each input into the output of the same rank. */
#define PLUGIN_PORTS(AUDIO_IN, AUDIO_OUT, MIDI_IN) \
    AUDIO_IN(in, "In")                             \
    AUDIO_OUT(out, "Out")

/* PARAM(enum, symbol, name, minimum, maximum, default): the host shows
 * these; logic.c reads b->params[PARAM_GAIN] and b->params[PARAM_CUTOFF]. */
#define PLUGIN_PARAMS(PARAM)                                         \
    PARAM(PARAM_GAIN, gain, "Gain (dB)", -24.0, 12.0, 0.0)           \
    PARAM(PARAM_CUTOFF, cutoff, "Cutoff (Hz)", 20.0, 20000.0, 8000.0)

/* Up to this many channels (the filter's memory, one float each). */
#define PLUGIN_MAX_CHANNELS 8

/* Bytes the shell reserves for handing the DSP state to the next build. */
#define PLUGIN_RT_STATE_MAX 256

/* Samples over which a reload fades from the old logic to the new one
 * (0: the new logic plays from the next block). */
#define PLUGIN_CROSSFADE 0

/* The URI is the plugin's identity for hosts: replace this placeholder
 * with one of your own before you publish the plugin. */
HOT_PLUGIN_DESCRIBE(@ID@, "@URI@", "@NAME@", PLUGIN_PORTS, PLUGIN_PARAMS, PLUGIN_RT_STATE_MAX,
                    PLUGIN_CROSSFADE);

#endif
