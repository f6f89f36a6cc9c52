/*
 * The plugin shell's engine, independent of the plugin format: it owns the
 * running logic instance and swaps in a new one at a block boundary. The
 * LV2 glue (shell/lv2/) maps host calls onto it; a CLAP glue would do the
 * same. Uses only the public API (hotreload.h, hotreload/plugin.h).
 *
 * Threads, as the glue must respect them:
 *   audio thread:  hot_shell_run, hot_shell_work_response, hot_shell_latency
 *   worker/other:  hot_shell_work, hot_shell_state_save/_restore
 *   instantiation: hot_shell_create, hot_shell_destroy, hot_shell_activate
 */
#ifndef HOT_SHELL_H
#define HOT_SHELL_H

#include <hotreload/plugin.h>

typedef struct hot_shell hot_shell;

/* What the host offers; every member may be NULL. */
typedef struct hot_shell_host {
    /* The host's log (any thread but the audio thread). */
    void (*log)(void *userdata, hot_log_level level, const char *line);
    void *log_userdata;
    /* The host's worker: schedule() runs hot_shell_work with a copy of the
     * message off the audio thread (or synchronously, offline). NULL: the
     * shell runs a thread of its own. */
    int (*schedule)(void *userdata, const void *msg, unsigned size);
    void *schedule_userdata;
} hot_shell_host;

/*
 * Creates a shell instance: opens the logic (once per process) from
 * logic_path, checks its description against desc, creates the first
 * logic instance. max_block 0: unknown (the shell processes in chunks of
 * its own). Returns 0 or a HOT_E* code; the reason is logged.
 */
int hot_shell_create(hot_shell **out, const hot_plugin_desc *desc, const char *logic_path,
                     double sample_rate, unsigned max_block, const hot_shell_host *host);
void hot_shell_destroy(hot_shell *shell);
void hot_shell_activate(hot_shell *shell);
void hot_shell_deactivate(hot_shell *shell);

/* One block: audio buffers per port kind in description order, parameter
 * values in enum order (clamped here), events sorted by frame. */
void hot_shell_run(hot_shell *shell, const float *const *in, float *const *out,
                   const float *params, const hot_plugin_event *events, unsigned n_events,
                   unsigned frames);
unsigned hot_shell_latency(const hot_shell *shell);

/* The worker's side of hot_shell_host.schedule. respond() hands a message
 * back to the audio thread (hot_shell_work_response). */
void hot_shell_work(hot_shell *shell, int (*respond)(void *handle, unsigned size, const void *msg),
                    void *handle, const void *msg, unsigned size);
void hot_shell_work_response(hot_shell *shell, const void *msg, unsigned size);

/* Host state: the running instance's bytes (malloc'd, the caller frees),
 * and a restore applied at the next block (or at once when not active). */
int hot_shell_state_save(hot_shell *shell, void **data, size_t *size);
int hot_shell_state_restore(hot_shell *shell, const void *data, size_t size);

/* Test and tool hooks: the logic generation now playing (1 for the first
 * build, +1 per accepted build), and the accepted generation waiting. */
unsigned long hot_shell_playing(const hot_shell *shell);

#endif /* HOT_SHELL_H */
