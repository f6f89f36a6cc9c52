/*
 * hotreload/plugin.h: an audio plugin described once, its DSP reloadable.
 *
 * A plugin is two parts built from the same sources:
 *   - the shell (shell/, with its LV2 glue in shell/lv2/): what the host
 *     loads and caches at scan time. It owns the plugin's identity, its
 *     ports and its parameters, and never reloads.
 *   - the logic: a hot library with the DSP, reloaded whenever it is
 *     rebuilt, while the host plays.
 *
 * Both compile one description header written by the plugin's author:
 *
 *     #include <hotreload/plugin.h>
 *     #define DELAY_PORTS(AUDIO_IN, AUDIO_OUT, MIDI_IN)                  \
 *         AUDIO_IN(in, "In")                                            \
 *         AUDIO_OUT(out, "Out")
 *     #define DELAY_PARAMS(PARAM)                                       \
 *         PARAM(DELAY_TIME, time, "Delay time (s)", 0.01, 1.0, 0.25)    \
 *         PARAM(DELAY_FEEDBACK, feedback, "Feedback", 0.0, 0.95, 0.5)
 *     HOT_PLUGIN_DESCRIBE(delay, "urn:example:delay", "Delay",
 *                         DELAY_PORTS, DELAY_PARAMS, 65536, 0)
 *
 * PARAM(enum name, symbol, label, minimum, maximum, default) also defines
 * the enum (DELAY_TIME is 0, DELAY_FEEDBACK 1) the logic indexes the
 * parameter values with. The last two arguments are the bytes the shell
 * reserves for the real-time hand-over of DSP state (save_rt below) and the
 * crossfade length in samples (0: none).
 *
 * The logic implements hot_plugin_logic and exports it once:
 *     HOT_PLUGIN_LOGIC(delay, my_create, my_destroy, my_reset, my_process,
 *                      my_latency, my_save_rt, my_load_rt, my_save_bytes,
 *                      my_load_bytes);
 *
 * When a rebuilt logic was compiled from a different description (ports,
 * parameters, identity), the shell refuses it, names the difference, and
 * the previous logic goes on playing: the shell must be rebuilt and the host
 * must rescan it.
 *
 * This header is C89 and C++ clean; it adds nothing to link.
 */
#ifndef HOTRELOAD_PLUGIN_H
#define HOTRELOAD_PLUGIN_H

#include <hotreload.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HOT_PLUGIN_DESC_VERSION 1

typedef enum hot_port_kind {
    HOT_PORT_AUDIO_IN = 1,
    HOT_PORT_AUDIO_OUT = 2,
    HOT_PORT_MIDI_IN = 3 /* optional for the host: connectionOptional */
} hot_port_kind;

typedef struct hot_plugin_port {
    int kind;            /* hot_port_kind */
    const char *symbol;  /* "in": a C identifier, unique in the plugin */
    const char *name;    /* "In" */
} hot_plugin_port;

typedef struct hot_plugin_param {
    const char *symbol;
    const char *name;
    float minimum, maximum, def;
} hot_plugin_param;

/* What both parts compile; the shell compares the logic's with its own. */
typedef struct hot_plugin_desc {
    unsigned version;              /* HOT_PLUGIN_DESC_VERSION */
    const char *id;                /* C name given to HOT_PLUGIN_DESCRIBE */
    const char *uri;
    const char *name;
    unsigned n_ports;
    const hot_plugin_port *ports;  /* in the order the host sees them */
    unsigned n_params;
    const hot_plugin_param *params;
    unsigned long rt_state_max;    /* bytes reserved for save_rt */
    unsigned crossfade_samples;    /* 0: the new logic plays at once */
} hot_plugin_desc;

/* A MIDI (or other short) event inside the block. */
typedef struct hot_plugin_event {
    unsigned frame;                /* offset in the block */
    unsigned size;
    const unsigned char *data;
} hot_plugin_event;

/* One block for process(). Buffers may alias (in[i] == out[j]). */
typedef struct hot_plugin_block {
    unsigned frames;               /* at most the max_block given to create */
    unsigned n_in, n_out;          /* audio ports, in description order */
    const float *const *in;
    float *const *out;
    const float *params;           /* the shell's values, clamped, in enum order */
    unsigned n_events;
    const hot_plugin_event *events; /* sorted by frame */
} hot_plugin_block;

/* The logic's own instance type; the shell only passes it back. */
typedef struct hot_plugin_instance hot_plugin_instance;

/*
 * The logic's instance interface. Thread classes, as in LV2:
 *   create, destroy, save_bytes, load_bytes: never on the audio thread;
 *   reset, process, latency, save_rt, load_rt: on the audio thread, so they
 *   must not allocate, lock or make system calls.
 * save_rt writes the DSP state (delay lines, phases, filter memories) into
 * a buffer of `capacity` bytes and returns how many it wrote, or -1 if it
 * does not fit; load_rt takes it back in a new instance of the next build
 * (return 0, or negative for bytes it does not understand: the new
 * instance then starts from reset). save_bytes/load_bytes are for the
 * host's presets and sessions: save_bytes malloc's *data (the shell frees
 * it); both return 0 or negative.
 *
 * The in-place hand-over (optional, HOT_PLUGIN_LOGIC_IN_PLACE; NULL in
 * HOT_PLUGIN_LOGIC): a logic that keeps its DSP state in one block of its
 * own (malloc'd in create, freed in destroy) lets the next build's instance
 * take that block as it is, whatever its size: no copy.
 *   state_rt(self): the block now holding self's state;
 *   adopt_rt(self, block): makes block (another instance's, of this build
 *   or an older one) self's state and returns the block self had, or NULL
 *   when it does not know the block's layout (self unchanged: the shell
 *   then copies with save_rt/load_rt). Both on the audio thread.
 * The shell exchanges the blocks: each instance always owns exactly one.
 * Mark the block with a layout tag the logic changes whenever the block's
 * layout changes, and check it in adopt_rt.
 *
 * Before a new instance is swapped in, the shell calls each of its audio
 * thread functions once off the audio thread (a silent block, latency,
 * save_rt then load_rt of its own bytes, adopt_rt of its own block, then
 * reset), so their code and data are faulted in; all under a crash guard.
 */
typedef struct hot_plugin_logic {
    unsigned size;                 /* sizeof(hot_plugin_logic) */
    const hot_plugin_desc *desc;   /* the description the logic compiled */
    hot_plugin_instance *(*create)(double sample_rate, unsigned max_block);
    void (*destroy)(hot_plugin_instance *self);
    void (*reset)(hot_plugin_instance *self);
    void (*process)(hot_plugin_instance *self, const hot_plugin_block *block);
    unsigned (*latency)(const hot_plugin_instance *self);
    long (*save_rt)(const hot_plugin_instance *self, void *buf, unsigned long capacity);
    int (*load_rt)(hot_plugin_instance *self, const void *buf, unsigned long size);
    int (*save_bytes)(const hot_plugin_instance *self, void **data, size_t *size);
    int (*load_bytes)(hot_plugin_instance *self, const void *data, size_t size);
    void *(*state_rt)(hot_plugin_instance *self);
    void *(*adopt_rt)(hot_plugin_instance *self, void *block);
} hot_plugin_logic;

/* ---- The description ---------------------------------------------------- */

#define HOT__PORT_AUDIO_IN(sym, label) {HOT_PORT_AUDIO_IN, #sym, label},
#define HOT__PORT_AUDIO_OUT(sym, label) {HOT_PORT_AUDIO_OUT, #sym, label},
#define HOT__PORT_MIDI_IN(sym, label) {HOT_PORT_MIDI_IN, #sym, label},
#define HOT__PARAM_DESC(e, sym, label, lo, hi, def) {#sym, label, (float)(lo), (float)(hi), (float)(def)},
#define HOT__PARAM_ENUM(e, sym, label, lo, hi, def) e,

#define HOT_PLUGIN_DESCRIBE(id, uri, name, PORTS, PARAMS, rt_state_max, crossfade) \
    enum { PARAMS(HOT__PARAM_ENUM) hot__n_params_##id };                      \
    static const hot_plugin_port hot__ports_##id[] = {                        \
        PORTS(HOT__PORT_AUDIO_IN, HOT__PORT_AUDIO_OUT, HOT__PORT_MIDI_IN){0, 0, 0}}; \
    static const hot_plugin_param hot__params_##id[] = {                      \
        PARAMS(HOT__PARAM_DESC){0, 0, 0.0f, 0.0f, 0.0f}};                      \
    static HOT__UNUSED const hot_plugin_desc hot_plugin_desc_##id = {         \
        HOT_PLUGIN_DESC_VERSION, #id, uri, name,                              \
        (unsigned)(sizeof hot__ports_##id / sizeof hot__ports_##id[0] - 1),   \
        hot__ports_##id,                                                      \
        (unsigned)(sizeof hot__params_##id / sizeof hot__params_##id[0] - 1), \
        hot__params_##id, rt_state_max, crossfade}

/* ---- The logic's one entry point, through the core runtime -------------- */

#define HOT_PLUGIN_FUNCTIONS(X, XV) \
    X(const hot_plugin_logic *, hot_plugin_logic_get, (void), ())

/* Every field of the types the two parts pass each other, so that the
 * layout check covers all their bytes. */
#define HOT_PLUGIN_TYPES(TYPE, FIELD)                                         \
    TYPE(hot_plugin_logic)                                                    \
    FIELD(hot_plugin_logic, size)                                             \
    FIELD(hot_plugin_logic, desc)                                             \
    FIELD(hot_plugin_logic, create)                                           \
    FIELD(hot_plugin_logic, destroy)                                          \
    FIELD(hot_plugin_logic, reset)                                            \
    FIELD(hot_plugin_logic, process)                                          \
    FIELD(hot_plugin_logic, latency)                                          \
    FIELD(hot_plugin_logic, save_rt)                                          \
    FIELD(hot_plugin_logic, load_rt)                                          \
    FIELD(hot_plugin_logic, save_bytes)                                       \
    FIELD(hot_plugin_logic, load_bytes)                                       \
    FIELD(hot_plugin_logic, state_rt)                                         \
    FIELD(hot_plugin_logic, adopt_rt)                                         \
    TYPE(hot_plugin_block)                                                    \
    FIELD(hot_plugin_block, frames)                                           \
    FIELD(hot_plugin_block, n_in)                                             \
    FIELD(hot_plugin_block, n_out)                                            \
    FIELD(hot_plugin_block, in)                                               \
    FIELD(hot_plugin_block, out)                                              \
    FIELD(hot_plugin_block, params)                                           \
    FIELD(hot_plugin_block, n_events)                                         \
    FIELD(hot_plugin_block, events)                                           \
    TYPE(hot_plugin_desc)                                                     \
    FIELD(hot_plugin_desc, version)                                           \
    FIELD(hot_plugin_desc, id)                                                \
    FIELD(hot_plugin_desc, uri)                                               \
    FIELD(hot_plugin_desc, name)                                              \
    FIELD(hot_plugin_desc, n_ports)                                           \
    FIELD(hot_plugin_desc, ports)                                             \
    FIELD(hot_plugin_desc, n_params)                                          \
    FIELD(hot_plugin_desc, params)                                            \
    FIELD(hot_plugin_desc, rt_state_max)                                      \
    FIELD(hot_plugin_desc, crossfade_samples)                                 \
    TYPE(hot_plugin_event)                                                    \
    FIELD(hot_plugin_event, frame)                                            \
    FIELD(hot_plugin_event, size)                                             \
    FIELD(hot_plugin_event, data)

HOT_INTERFACE(hot_plugin, HOT_PLUGIN_FUNCTIONS, HOT_PLUGIN_TYPES)

/* In the logic (one .c): defines hot_plugin_logic_get(). */
#define HOT_PLUGIN_LOGIC(id, create, destroy, reset, process, latency,         \
                         save_rt, load_rt, save_bytes, load_bytes)            \
    static const hot_plugin_logic hot__logic_##id = {                         \
        sizeof(hot_plugin_logic), &hot_plugin_desc_##id, create, destroy,     \
        reset, process, latency, save_rt, load_rt, save_bytes, load_bytes,    \
        0, 0};                                                                \
    const hot_plugin_logic *hot_plugin_logic_get(void) { return &hot__logic_##id; } \
    typedef int hot__plugin_logic_defined_##id

/* The same, with the in-place hand-over. */
#define HOT_PLUGIN_LOGIC_IN_PLACE(id, create, destroy, reset, process, latency, \
                                  save_rt, load_rt, save_bytes, load_bytes,    \
                                  state_rt, adopt_rt)                          \
    static const hot_plugin_logic hot__logic_##id = {                         \
        sizeof(hot_plugin_logic), &hot_plugin_desc_##id, create, destroy,     \
        reset, process, latency, save_rt, load_rt, save_bytes, load_bytes,    \
        state_rt, adopt_rt};                                                  \
    const hot_plugin_logic *hot_plugin_logic_get(void) { return &hot__logic_##id; } \
    typedef int hot__plugin_logic_defined_##id

#ifdef __cplusplus
}
#endif

#endif /* HOTRELOAD_PLUGIN_H */
