/* Where each part of a plugin description sits among the LV2 ports; the
 * glue (lv2-shell.c) and the .ttl generator (lv2-ttlgen.c) share it:
 * the description's ports in order, then one control input per parameter,
 * then the latency output. */
#ifndef HOT_LV2_LAYOUT_H
#define HOT_LV2_LAYOUT_H

#include <hotreload/plugin.h>

static inline unsigned hot_lv2_param_port(const hot_plugin_desc *d, unsigned param)
{
    return d->n_ports + param;
}

static inline unsigned hot_lv2_latency_port(const hot_plugin_desc *d)
{
    return d->n_ports + d->n_params;
}

static inline unsigned hot_lv2_port_count(const hot_plugin_desc *d)
{
    return d->n_ports + d->n_params + 1;
}

/* The plugin's description, named by the build:
 * -DHOT_PLUGIN_HEADER="delay-plugin.h" -DHOT_PLUGIN_ID=delay */
#include HOT_PLUGIN_HEADER
#define HOT_LV2_CAT2(a, b) a##b
#define HOT_LV2_CAT(a, b) HOT_LV2_CAT2(a, b)
#define HOT_LV2_DESC (&HOT_LV2_CAT(hot_plugin_desc_, HOT_PLUGIN_ID))

#endif
