/* include/hotreload/plugin.h compiles as C89 and as C++ in the three
 * modes (shell, HOT_LIBRARY logic, HOT_STATIC), with a description and a
 * logic. */
#include <stdlib.h>

#include <hotreload/plugin.h>

#define SAMPLE_PORTS(AUDIO_IN, AUDIO_OUT, MIDI_IN) AUDIO_IN(in, "In") AUDIO_OUT(out, "Out") MIDI_IN(midi, "MIDI")
#define SAMPLE_PARAMS(PARAM) PARAM(SAMPLE_GAIN, gain, "Gain", 0.0, 2.0, 1.0)
HOT_PLUGIN_DESCRIBE(sample, "urn:test:sample", "Sample", SAMPLE_PORTS, SAMPLE_PARAMS, 16, 0);

struct hot_plugin_instance {
    int unused;
};

static hot_plugin_instance *s_create(double rate, unsigned max_block)
{
    (void)rate;
    (void)max_block;
    return (hot_plugin_instance *)calloc(1, sizeof(hot_plugin_instance));
}
static void s_destroy(hot_plugin_instance *s) { free(s); }
static void s_reset(hot_plugin_instance *s) { (void)s; }
static void s_process(hot_plugin_instance *s, const hot_plugin_block *b)
{
    unsigned i;
    (void)s;
    for (i = 0; i < b->frames; i++)
        b->out[0][i] = b->params[SAMPLE_GAIN] * b->in[0][i];
}
static unsigned s_latency(const hot_plugin_instance *s) { (void)s; return 0; }
static long s_save_rt(const hot_plugin_instance *s, void *buf, unsigned long cap) { (void)s; (void)buf; (void)cap; return 0; }
static int s_load_rt(hot_plugin_instance *s, const void *buf, unsigned long n) { (void)s; (void)buf; (void)n; return 0; }
static int s_save_bytes(const hot_plugin_instance *s, void **d, size_t *n) { (void)s; *d = 0; *n = 0; return 0; }
static int s_load_bytes(hot_plugin_instance *s, const void *d, size_t n) { (void)s; (void)d; (void)n; return 0; }

#if !defined(HOT_LIBRARY) /* the shell's and the static build's */
static void *s_state_rt(hot_plugin_instance *self)
{
    return self;
}

static void *s_adopt_rt(hot_plugin_instance *self, void *block)
{
    (void)self;
    (void)block;
    return 0;
}
#endif

#if defined(HOT_STATIC) /* both macros: the in-place one here */
HOT_PLUGIN_LOGIC_IN_PLACE(sample, s_create, s_destroy, s_reset, s_process, s_latency, s_save_rt, s_load_rt,
                          s_save_bytes, s_load_bytes, s_state_rt, s_adopt_rt);
#elif defined(HOT_LIBRARY)
HOT_PLUGIN_LOGIC(sample, s_create, s_destroy, s_reset, s_process, s_latency, s_save_rt, s_load_rt, s_save_bytes,
                 s_load_bytes);
#else
/* The shell's side: the logic is only referenced. */
const hot_plugin_logic *sample_unused_logic(void);
const hot_plugin_logic *sample_unused_logic(void)
{
    static const hot_plugin_logic l = {sizeof(hot_plugin_logic), &hot_plugin_desc_sample, s_create, s_destroy,
                                       s_reset, s_process, s_latency, s_save_rt, s_load_rt, s_save_bytes,
                                       s_load_bytes, s_state_rt, s_adopt_rt};
    return &l;
}
#endif
