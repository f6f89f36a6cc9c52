/* Is a logic build the one this shell was built for? Everything a host
 * caches at scan time must match: identity, ports, parameters; and what the
 * shell sized in advance (the hand-over buffer, the crossfade). */
#include <stdio.h>
#include <string.h>

#include "shell-logic.h"

static int same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

static const char *kind_name(int kind)
{
    return kind == HOT_PORT_AUDIO_IN ? "audio input" : kind == HOT_PORT_AUDIO_OUT ? "audio output" : "MIDI input";
}

static int compare_ports(const hot_plugin_desc *s, const hot_plugin_desc *l, char *why, size_t len)
{
    unsigned i;

    if (s->n_ports != l->n_ports) {
        snprintf(why, len, "the logic has %u ports, the shell %u", l->n_ports, s->n_ports);
        return HOT_EMISMATCH;
    }
    for (i = 0; i < s->n_ports; i++) {
        const hot_plugin_port *a = &s->ports[i], *b = &l->ports[i];
        if (a->kind != b->kind || !same(a->symbol, b->symbol) || !same(a->name, b->name)) {
            snprintf(why, len, "port %u is the %s \"%s\" in the logic, the %s \"%s\" in the shell", i,
                     kind_name(b->kind), b->symbol, kind_name(a->kind), a->symbol);
            return HOT_EMISMATCH;
        }
    }
    return 0;
}

static int compare_params(const hot_plugin_desc *s, const hot_plugin_desc *l, char *why, size_t len)
{
    unsigned i;

    if (s->n_params != l->n_params) {
        snprintf(why, len, "the logic has %u parameters, the shell %u", l->n_params, s->n_params);
        return HOT_EMISMATCH;
    }
    for (i = 0; i < s->n_params; i++) {
        const hot_plugin_param *a = &s->params[i], *b = &l->params[i];
        if (!same(a->symbol, b->symbol) || !same(a->name, b->name)) {
            snprintf(why, len, "parameter %u is \"%s\" in the logic, \"%s\" in the shell", i, b->symbol,
                     a->symbol);
            return HOT_EMISMATCH;
        }
        if (a->minimum != b->minimum || a->maximum != b->maximum || a->def != b->def) {
            snprintf(why, len,
                     "parameter \"%s\" has range %g..%g default %g in the logic, %g..%g default %g in the shell",
                     a->symbol, b->minimum, b->maximum, b->def, a->minimum, a->maximum, a->def);
            return HOT_EMISMATCH;
        }
    }
    return 0;
}

int shell_desc_compare(const hot_plugin_desc *s, const hot_plugin_logic *logic, char *why, size_t len)
{
    const hot_plugin_desc *l = logic ? logic->desc : NULL;
    int err;

    if (!l || logic->size < sizeof(hot_plugin_logic) || l->version != HOT_PLUGIN_DESC_VERSION) {
        snprintf(why, len, "the logic's plugin interface is of another version");
        return HOT_EMISMATCH;
    }
    if (!same(s->uri, l->uri) || !same(s->name, l->name) || !same(s->id, l->id)) {
        snprintf(why, len, "the logic describes plugin <%s> \"%s\", the shell <%s> \"%s\"", l->uri, l->name,
                 s->uri, s->name);
        return HOT_EMISMATCH;
    }
    if ((err = compare_ports(s, l, why, len)) < 0 || (err = compare_params(s, l, why, len)) < 0)
        return err;
    if (s->rt_state_max != l->rt_state_max || s->crossfade_samples != l->crossfade_samples) {
        snprintf(why, len, "the logic asks for a %lu-byte hand-over and a %u-sample crossfade, the shell has %lu and %u",
                 l->rt_state_max, l->crossfade_samples, s->rt_state_max, s->crossfade_samples);
        return HOT_EMISMATCH;
    }
    return 0;
}
