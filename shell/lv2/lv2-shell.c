/*
 * The LV2 glue: maps LV2's calls onto the shell engine (shell/shell.h).
 * Every feature is optional: without urid:map there are no MIDI events and
 * no state; without a worker the shell uses a thread of its own; without a
 * log, lines go to stderr. Only lv2_descriptor is exported.
 */
#include <stdlib.h>
#include <string.h>

#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/log/logger.h>
#include <lv2/midi/midi.h>
#include <lv2/options/options.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include "../shell.h"
#include "lv2-layout.h"

#define HOT_LV2_STATE_KEY "urn:hotreload:plugin-state"
#define HOT_LV2_MAX_EVENTS 512

typedef struct lv2_plugin {
    hot_shell *shell;
    const hot_plugin_desc *desc;
    void **ports;           /* as connected, by port index */
    const float **in;
    float **out;
    float *params;
    hot_plugin_event *events;
    LV2_URID_Map *map;
    LV2_URID midi_event, atom_chunk, state_key;
    LV2_Log_Logger logger;
    LV2_Worker_Schedule *schedule;
} lv2_plugin;

/* ---- Host features ------------------------------------------------------ */

static void log_line(void *userdata, hot_log_level level, const char *line)
{
    lv2_plugin *p = userdata;

    if (level <= HOT_LOG_ERROR)
        lv2_log_error(&p->logger, "%s\n", line);
    else if (level == HOT_LOG_WARN)
        lv2_log_warning(&p->logger, "%s\n", line);
    else
        lv2_log_note(&p->logger, "%s\n", line);
}

static int schedule(void *userdata, const void *msg, unsigned size)
{
    lv2_plugin *p = userdata;

    return p->schedule->schedule_work(p->schedule->handle, size, msg) == LV2_WORKER_SUCCESS ? 0 : -1;
}

static unsigned max_block_from(const LV2_Options_Option *opt, LV2_URID_Map *map)
{
    LV2_URID max_key, int_type;

    if (!opt || !map)
        return 0;
    max_key = map->map(map->handle, LV2_BUF_SIZE__maxBlockLength);
    int_type = map->map(map->handle, LV2_ATOM__Int);
    for (; opt->key; opt++)
        if (opt->key == max_key && opt->type == int_type && opt->value)
            return (unsigned)*(const int32_t *)opt->value;
    return 0;
}

static void *feature(const LV2_Feature *const *features, const char *uri)
{
    /* lv2file passes a feature with a NULL URI: skip it. */
    for (; features && *features; features++)
        if ((*features)->URI && strcmp((*features)->URI, uri) == 0)
            return (*features)->data;
    return NULL;
}

/* ---- Instantiation ------------------------------------------------------ */

static char *logic_path(const char *bundle)
{
    size_t n = strlen(bundle) + sizeof(HOT_PLUGIN_LOGIC_FILE) + 2;
    char *path = malloc(n);

    if (path) {
        strcpy(path, bundle);
        if (n > 2 && path[strlen(path) - 1] != '/')
            strcat(path, "/");
        strcat(path, HOT_PLUGIN_LOGIC_FILE);
    }
    return path;
}

static void cleanup(LV2_Handle handle)
{
    lv2_plugin *p = handle;

    if (!p)
        return;
    hot_shell_destroy(p->shell);
    free(p->ports);
    free(p->in);
    free(p->out);
    free(p->params);
    free(p->events);
    free(p);
}

static int allocate(lv2_plugin *p)
{
    unsigned n = hot_lv2_port_count(p->desc);

    p->ports = calloc(n, sizeof *p->ports);
    p->in = calloc(n, sizeof *p->in);
    p->out = calloc(n, sizeof *p->out);
    p->params = calloc(p->desc->n_params + 1, sizeof *p->params);
    p->events = calloc(HOT_LV2_MAX_EVENTS, sizeof *p->events);
    return p->ports && p->in && p->out && p->params && p->events;
}

static void take_features(lv2_plugin *p, const LV2_Feature *const *features)
{
    p->map = feature(features, LV2_URID__map);
    p->schedule = feature(features, LV2_WORKER__schedule);
    lv2_log_logger_init(&p->logger, p->map, feature(features, LV2_LOG__log));
    if (p->map) {
        p->midi_event = p->map->map(p->map->handle, LV2_MIDI__MidiEvent);
        p->atom_chunk = p->map->map(p->map->handle, LV2_ATOM__Chunk);
        p->state_key = p->map->map(p->map->handle, HOT_LV2_STATE_KEY);
    }
}

static LV2_Handle instantiate(const LV2_Descriptor *descriptor, double rate, const char *bundle,
                              const LV2_Feature *const *features)
{
    lv2_plugin *p = calloc(1, sizeof *p);
    hot_shell_host host;
    char *path = logic_path(bundle);
    int err;

    (void)descriptor;
    if (!p || !path || (p->desc = HOT_LV2_DESC, !allocate(p))) {
        free(path);
        cleanup(p);
        return NULL;
    }
    take_features(p, features);
    memset(&host, 0, sizeof host);
    host.log = log_line;
    host.log_userdata = p;
    if (p->schedule) {
        host.schedule = schedule;
        host.schedule_userdata = p;
    }
    err = hot_shell_create(&p->shell, p->desc, path, rate,
                           max_block_from(feature(features, LV2_OPTIONS__options), p->map), &host);
    free(path);
    if (err < 0) {
        cleanup(p);
        return NULL;
    }
    return p;
}

static void connect_port(LV2_Handle handle, uint32_t port, void *data)
{
    lv2_plugin *p = handle;

    if (port < hot_lv2_port_count(p->desc))
        p->ports[port] = data;
}

static void activate(LV2_Handle handle)
{
    hot_shell_activate(((lv2_plugin *)handle)->shell);
}

static void deactivate(LV2_Handle handle)
{
    hot_shell_deactivate(((lv2_plugin *)handle)->shell);
}

/* ---- run() -------------------------------------------------------------- */

static unsigned read_events(lv2_plugin *p, const LV2_Atom_Sequence *seq)
{
    unsigned n = 0;

    if (!seq || !p->map)
        return 0;
    LV2_ATOM_SEQUENCE_FOREACH (seq, ev) {
        if (ev->body.type != p->midi_event || n == HOT_LV2_MAX_EVENTS)
            continue;
        p->events[n].frame = (unsigned)ev->time.frames;
        p->events[n].size = ev->body.size;
        p->events[n].data = (const unsigned char *)LV2_ATOM_BODY_CONST(&ev->body);
        n++;
    }
    return n;
}

static unsigned gather_ports(lv2_plugin *p, unsigned *n_events)
{
    unsigned i, n_in = 0, n_out = 0;

    *n_events = 0;
    for (i = 0; i < p->desc->n_ports; i++) {
        int kind = p->desc->ports[i].kind;
        if (kind == HOT_PORT_AUDIO_IN)
            p->in[n_in++] = p->ports[i];
        else if (kind == HOT_PORT_AUDIO_OUT)
            p->out[n_out++] = p->ports[i];
        else if (*n_events == 0)
            *n_events = read_events(p, p->ports[i]);
    }
    for (i = 0; i < p->desc->n_params; i++) {
        const float *v = p->ports[hot_lv2_param_port(p->desc, i)];
        p->params[i] = v ? *v : p->desc->params[i].def;
    }
    return n_in + n_out;
}

static void run(LV2_Handle handle, uint32_t frames)
{
    lv2_plugin *p = handle;
    float *latency = p->ports[hot_lv2_latency_port(p->desc)];
    unsigned n_events;

    gather_ports(p, &n_events);
    hot_shell_run(p->shell, p->in, p->out, p->params, p->events, n_events, frames);
    if (latency)
        *latency = (float)hot_shell_latency(p->shell);
}

/* ---- Worker ------------------------------------------------------------- */

typedef struct respond_ctx {
    LV2_Worker_Respond_Function respond;
    LV2_Worker_Respond_Handle handle;
} respond_ctx;

static int respond_trampoline(void *handle, unsigned size, const void *msg)
{
    respond_ctx *ctx = handle;

    return ctx->respond(ctx->handle, size, msg) == LV2_WORKER_SUCCESS ? 0 : -1;
}

static LV2_Worker_Status work(LV2_Handle handle, LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle rhandle, uint32_t size, const void *data)
{
    respond_ctx ctx;

    ctx.respond = respond;
    ctx.handle = rhandle;
    hot_shell_work(((lv2_plugin *)handle)->shell, respond_trampoline, &ctx, data, size);
    return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status work_response(LV2_Handle handle, uint32_t size, const void *data)
{
    hot_shell_work_response(((lv2_plugin *)handle)->shell, data, size);
    return LV2_WORKER_SUCCESS;
}

/* ---- State -------------------------------------------------------------- */

static LV2_State_Status save(LV2_Handle handle, LV2_State_Store_Function store, LV2_State_Handle shandle,
                             uint32_t flags, const LV2_Feature *const *features)
{
    lv2_plugin *p = handle;
    void *data = NULL;
    size_t size = 0;
    LV2_State_Status status;

    (void)flags;
    (void)features;
    if (!p->map)
        return LV2_STATE_ERR_NO_FEATURE;
    if (hot_shell_state_save(p->shell, &data, &size) < 0)
        return LV2_STATE_ERR_UNKNOWN;
    status = store(shandle, p->state_key, data, size, p->atom_chunk, LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
    free(data);
    return status;
}

static LV2_State_Status restore(LV2_Handle handle, LV2_State_Retrieve_Function retrieve, LV2_State_Handle shandle,
                                uint32_t flags, const LV2_Feature *const *features)
{
    lv2_plugin *p = handle;
    size_t size = 0;
    uint32_t type = 0, vflags = 0;
    const void *data;

    (void)flags;
    (void)features;
    if (!p->map)
        return LV2_STATE_ERR_NO_FEATURE;
    data = retrieve(shandle, p->state_key, &size, &type, &vflags);
    if (!data)
        return LV2_STATE_SUCCESS; /* a preset with parameters only */
    if (type != p->atom_chunk)
        return LV2_STATE_ERR_BAD_TYPE;
    return hot_shell_state_restore(p->shell, data, size) < 0 ? LV2_STATE_ERR_UNKNOWN : LV2_STATE_SUCCESS;
}

static const void *extension_data(const char *uri)
{
    static const LV2_Worker_Interface worker = {work, work_response, NULL};
    static const LV2_State_Interface state = {save, restore};

    if (strcmp(uri, LV2_WORKER__interface) == 0)
        return &worker;
    if (strcmp(uri, LV2_STATE__interface) == 0)
        return &state;
    return NULL;
}

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
    static LV2_Descriptor descriptor = {
        NULL, instantiate, connect_port, activate, run, deactivate, cleanup, extension_data};

    if (index != 0)
        return NULL;
    descriptor.URI = HOT_LV2_DESC->uri;
    return &descriptor;
}
