/* The delay's description, declared once: the shell (what the host scans)
 * and the logic (the DSP, reloaded) both compile it. */
#ifndef DELAY_PLUGIN_H
#define DELAY_PLUGIN_H

#include <hotreload/plugin.h>

#define DELAY_MAX_SECONDS 0.5
#define DELAY_MAX_RATE 192000

#define DELAY_PORTS(AUDIO_IN, AUDIO_OUT, MIDI_IN)                             \
    AUDIO_IN(in, "In")                                                        \
    AUDIO_OUT(out, "Out")

#ifndef DELAY_DESC_EDITED
#  define DELAY_FEEDBACK_MAX 0.95
#else /* a test's edit of the description: the shell must refuse it */
#  define DELAY_FEEDBACK_MAX 0.99
#endif

/* PARAM(enum, symbol, name, minimum, maximum, default) */
#define DELAY_PARAMS(PARAM)                                                   \
    PARAM(DELAY_TIME, time, "Delay time (s)", 0.001, DELAY_MAX_SECONDS, 0.05) \
    PARAM(DELAY_FEEDBACK, feedback, "Feedback", 0.0, DELAY_FEEDBACK_MAX, 0.6) \
    PARAM(DELAY_TONE, tone, "Tone", 0.0, 1.0, 0.5)

/* The crossfade a build may declare (tests build a variant with one). */
#ifndef DELAY_CROSSFADE
#  define DELAY_CROSSFADE 0
#endif

/* Bytes for the hand-over: a header and the longest delay line. */
#define DELAY_RT_STATE_MAX (64 + (unsigned long)(DELAY_MAX_SECONDS * DELAY_MAX_RATE + 2) * 4)

HOT_PLUGIN_DESCRIBE(delay, "urn:hotreload:examples:lv2-delay", "hotreload delay", DELAY_PORTS, DELAY_PARAMS,
                    DELAY_RT_STATE_MAX, DELAY_CROSSFADE);

#endif
