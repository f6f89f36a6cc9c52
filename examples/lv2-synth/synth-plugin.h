/* The synth's description, declared once: the shell and the logic both
 * compile it. */
#ifndef SYNTH_PLUGIN_H
#define SYNTH_PLUGIN_H

#include <hotreload/plugin.h>

#define SYNTH_VOICES 8

#define SYNTH_PORTS(AUDIO_IN, AUDIO_OUT, MIDI_IN)                             \
    MIDI_IN(midi, "MIDI in")                                                  \
    AUDIO_OUT(out, "Out")

/* PARAM(enum, symbol, name, minimum, maximum, default) */
#define SYNTH_PARAMS(PARAM)                                                   \
    PARAM(SYNTH_VOLUME, volume, "Volume", 0.0, 1.0, 0.3)                      \
    PARAM(SYNTH_ATTACK, attack, "Attack (s)", 0.001, 2.0, 0.01)               \
    PARAM(SYNTH_RELEASE, release, "Release (s)", 0.001, 4.0, 0.3)

HOT_PLUGIN_DESCRIBE(synth, "urn:hotreload:examples:lv2-synth", "hotreload synth", SYNTH_PORTS, SYNTH_PARAMS,
                    1024, 0);

#endif
