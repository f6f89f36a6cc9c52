/* The hot logic library: opened by the first instance, closed by the last.
 * The core's watcher thread loads every rebuild and publishes it at once
 * (HOT_APPLY_AT_ONCE: nothing here waits for a safe point, because no
 * instance calls through the core's table on the audio thread; each keeps
 * the hot_plugin_logic pointer it was created with, and old versions stay
 * mapped). on_event() then checks the build's description and accepts it. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shell-logic.h"

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;    /* open/close */
static pthread_mutex_t members_lock = PTHREAD_MUTEX_INITIALIZER; /* the list */
static shell_member *members;
static unsigned refs;
static hot_lib *lib;
static const hot_plugin_desc *shell_desc;
static const hot_plugin_logic *accepted;
static unsigned long accepted_version;
static unsigned crashed_next; /* beside what run() reads every block: cached */
#define CRASHED_MAX 64        /* the newest crashed builds remembered */
static unsigned long crashed[CRASHED_MAX];

void shell_logic_log(hot_log_level level, const char *fmt, ...)
{
    char line[768];
    va_list ap;
    shell_member *m;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&members_lock);
    for (m = members; m; m = m->next)
        m->log(m->userdata, level, line);
    if (!members)
        fprintf(stderr, "%s\n", line);
    pthread_mutex_unlock(&members_lock);
}

static void wake_all(void)
{
    shell_member *m;

    pthread_mutex_lock(&members_lock);
    for (m = members; m; m = m->next)
        if (m->wake)
            m->wake(m->userdata);
    pthread_mutex_unlock(&members_lock);
}

const hot_plugin_logic *shell_logic_current(unsigned long *version)
{
    if (version)
        *version = __atomic_load_n(&accepted_version, __ATOMIC_ACQUIRE);
    return __atomic_load_n(&accepted, __ATOMIC_ACQUIRE);
}

unsigned long shell_logic_version(void)
{
    return __atomic_load_n(&accepted_version, __ATOMIC_ACQUIRE);
}

void shell_logic_mark_crashed(unsigned long version)
{
    unsigned at;

    if (shell_logic_crashed(version))
        return;
    at = __atomic_fetch_add(&crashed_next, 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&crashed[at % CRASHED_MAX], version, __ATOMIC_RELEASE);
}

int shell_logic_crashed(unsigned long version)
{
    unsigned i;

    if (!__atomic_load_n(&crashed_next, __ATOMIC_ACQUIRE))
        return 0; /* the usual case, one load: the list is 8 cache lines */
    for (i = 0; version && i < CRASHED_MAX; i++)
        if (__atomic_load_n(&crashed[i], __ATOMIC_ACQUIRE) == version)
            return 1;
    return 0;
}

hot_lib *shell_logic_lib(void)
{
    return lib;
}

/* The logic now in the core's table becomes the one instances swap to, if
 * it was built from the shell's description. */
static int accept_current(unsigned long version)
{
    const hot_plugin_logic *logic = hot_plugin_logic_get();
    char why[512];

    if (shell_desc_compare(shell_desc, logic, why, sizeof why) < 0) {
        shell_logic_log(HOT_LOG_ERROR,
                        "hotreload: %s: logic v%lu refused: %s; rebuild the shell and let the host rescan "
                        "the plugin (the previous logic goes on playing)",
                        shell_desc->name, version, why);
        /* to `hotreload run`, which also shows hosts it did not start */
        hot_report(lib, "refused", version, 0, HOT_EMISMATCH, why);
        return HOT_EMISMATCH;
    }
    /* The pointer first: a reader of the new version always finds the new
     * logic (a reader of the old one may too, and swaps once more). */
    __atomic_store_n(&accepted, logic, __ATOMIC_RELEASE);
    __atomic_store_n(&accepted_version, version, __ATOMIC_RELEASE);
    return 0;
}

static void on_event(const hot_event *ev, void *userdata)
{
    (void)userdata;
    if (ev->type == HOT_EVENT_REFUSED) {
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: logic build refused: %s (the previous logic goes on playing)",
                        shell_desc->name, ev->message);
        return;
    }
    if (accept_current(ev->version) < 0)
        return;
    shell_logic_log(HOT_LOG_INFO, "hotreload: %s: logic v%lu accepted (%s)", shell_desc->name, ev->version,
                    ev->path);
    wake_all();
}

static void core_log(hot_log_level level, const char *line, void *userdata)
{
    (void)userdata;
    shell_logic_log(level, "hotreload: %s: %s", shell_desc->name, line);
}

static int open_library(const hot_plugin_desc *desc, const char *path)
{
    hot_options opts = HOT_OPTIONS_INIT;
    int err;

    shell_desc = desc;
    opts.apply = HOT_APPLY_AT_ONCE;
    /* An assert() failing in the DSP must not take the host's session down:
     * abort() in a guarded logic call is survived like a fault (glibc's
     * abort() holds no lock when it raises SIGABRT). */
    opts.rollback_abort = 1;
    opts.log_fn = core_log;
    err = hot_open(&lib, path, HOT_IFACE(hot_plugin), &opts);
    if (err < 0) {
        shell_logic_log(HOT_LOG_ERROR, "hotreload: %s: cannot load the logic %s: %s", desc->name, path,
                        hot_last_error());
        return err;
    }
    err = hot_on_event(lib, HOT_EVENT_AFTER_RELOAD | HOT_EVENT_REFUSED, on_event, NULL);
    if (err == 0)
        err = accept_current(hot_version(lib));
    if (err < 0) {
        hot_close(lib);
        lib = NULL;
    }
    return err;
}

int shell_logic_acquire(shell_member *m, const hot_plugin_desc *desc, const char *path)
{
    int err = 0;

    pthread_mutex_lock(&open_lock);
    pthread_mutex_lock(&members_lock);
    m->next = members;
    members = m;
    pthread_mutex_unlock(&members_lock);
    if (refs == 0)
        err = open_library(desc, path);
    if (err == 0)
        refs++;
    pthread_mutex_unlock(&open_lock);
    if (err < 0)
        shell_logic_release(m);
    return err;
}

static void remove_member(shell_member *m)
{
    shell_member **p;

    pthread_mutex_lock(&members_lock);
    for (p = &members; *p; p = &(*p)->next)
        if (*p == m) {
            *p = m->next;
            break;
        }
    pthread_mutex_unlock(&members_lock);
}

void shell_logic_release(shell_member *m)
{
    pthread_mutex_lock(&open_lock);
    remove_member(m);
    /* A failed acquire never counted; the last instance closes the library
     * (outside members_lock: the watcher's callbacks take it). */
    if (refs > 0 && --refs == 0 && lib) {
        hot_close(lib);
        lib = NULL;
        __atomic_store_n(&accepted, NULL, __ATOMIC_RELEASE);
        __atomic_store_n(&accepted_version, 0, __ATOMIC_RELEASE);
        memset(crashed, 0, sizeof crashed); /* a new library counts from v1 */
        __atomic_store_n(&crashed_next, 0, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&open_lock);
}
