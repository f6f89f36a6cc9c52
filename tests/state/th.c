/* The harness of the state tests (see th.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "th.h"

#ifndef TH_FIXTURE_DIR
#error "TH_FIXTURE_DIR (where the fixture libraries are built) is required"
#endif

#define MAX_EVENTS 1024
#define MAX_LOGS 1024

static char test_dir[256];
static pid_t test_dir_owner; /* children leave the directory to it */
static char live_path[300];
static th_event events[MAX_EVENTS];
static unsigned n_events;
static char logs[MAX_LOGS][640];
static unsigned n_logs;
/* Events and log lines come from whichever thread reloads or crashed. */
static pthread_mutex_t record_mu = PTHREAD_MUTEX_INITIALIZER;

static void remove_test_dir(void);

void th_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (getpid() == test_dir_owner)
        remove_test_dir();
    _exit(1); /* not exit(): a failing child must not run the parent's atexit */
}

void th_skip(const char *why)
{
    printf("SKIP: %s\n", why);
    fflush(stdout);
    if (getpid() == test_dir_owner)
        remove_test_dir();
    _exit(TH_SKIP);
}

void th_check_str(const char *file, int line, const char *expr, const char *got,
                  const char *want)
{
    if (!got || strcmp(got, want) != 0)
        th_fail(file, line, "%s\n  got:  \"%s\"\n  want: \"%s\"", expr, got ? got : "(null)",
                want);
}

void th_check_has(const char *file, int line, const char *expr, const char *hay,
                  const char *needle, int want)
{
    int has = hay && strstr(hay, needle) != NULL;
    if (has != want)
        th_fail(file, line, "%s %s \"%s\"\n  it is: \"%s\"", expr,
                want ? "should contain" : "should not contain", needle, hay ? hay : "(null)");
}

/* ---- The test's directory -------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_test_dir(void)
{
    if (test_dir[0])
        nftw(test_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static void make_test_dir(void)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(test_dir, sizeof test_dir, "%s/hot-state-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(test_dir))
        th_fail(__FILE__, __LINE__, "mkdtemp %s: %s", test_dir, strerror(errno));
    snprintf(live_path, sizeof live_path, "%s/libfx.so", test_dir);
    test_dir_owner = getpid();
}

/* ---- Fixtures -------------------------------------------------------------------- */

static void copy_file(const char *from, const char *to)
{
    char buf[65536];
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    size_t n;

    if (!in || !out)
        th_fail(__FILE__, __LINE__, "copy %s -> %s: %s", from, to, strerror(errno));
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, n, out) != n)
            th_fail(__FILE__, __LINE__, "write %s: %s", to, strerror(errno));
    }
    fclose(in);
    if (fclose(out) != 0)
        th_fail(__FILE__, __LINE__, "close %s: %s", to, strerror(errno));
}

void th_install(const char *variant)
{
    char from[512], tmp[400];

    snprintf(from, sizeof from, "%s/libfx_%s.so", TH_FIXTURE_DIR, variant);
    snprintf(tmp, sizeof tmp, "%s.tmp", live_path);
    copy_file(from, tmp);
    if (rename(tmp, live_path) != 0)
        th_fail(__FILE__, __LINE__, "rename %s: %s", tmp, strerror(errno));
}

void th_install_patched(const char *variant, long value)
{
    static const char tag[8] = "FXPATCH";
    char from[512], tmp[400];
    unsigned char *buf;
    long size, i;
    FILE *f;

    snprintf(from, sizeof from, "%s/libfx_%s.so", TH_FIXTURE_DIR, variant);
    f = fopen(from, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0)
        th_fail(__FILE__, __LINE__, "read %s: %s", from, strerror(errno));
    buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
        th_fail(__FILE__, __LINE__, "read %s", from);
    fclose(f);
    for (i = 0; i + 8 + (long)sizeof value <= size && memcmp(buf + i, tag, 8) != 0; i++)
        ;
    if (i + 8 + (long)sizeof value > size)
        th_fail(__FILE__, __LINE__, "%s has no FXPATCH marker", from);
    memcpy(buf + i + 8, &value, sizeof value);
    snprintf(tmp, sizeof tmp, "%s.tmp", live_path);
    f = fopen(tmp, "wb");
    if (!f || fwrite(buf, 1, (size_t)size, f) != (size_t)size || fclose(f) != 0)
        th_fail(__FILE__, __LINE__, "write %s: %s", tmp, strerror(errno));
    free(buf);
    if (rename(tmp, live_path) != 0)
        th_fail(__FILE__, __LINE__, "rename %s: %s", tmp, strerror(errno));
}

/* ---- Recording ---------------------------------------------------------------- */

static void record_event(const hot_event *ev, void *userdata)
{
    th_event *e;

    (void)userdata;
    pthread_mutex_lock(&record_mu);
    if (n_events < MAX_EVENTS) {
        e = &events[n_events++];
        e->type = ev->type;
        e->version = ev->version;
        e->from_version = ev->from_version;
        e->error = ev->error;
        snprintf(e->message, sizeof e->message, "%s", ev->message ? ev->message : "");
    }
    pthread_mutex_unlock(&record_mu);
}

static void record_log(hot_log_level level, const char *line, void *userdata)
{
    (void)userdata;
    pthread_mutex_lock(&record_mu);
    if (n_logs < MAX_LOGS)
        snprintf(logs[n_logs++], sizeof logs[0], "%s", line);
    pthread_mutex_unlock(&record_mu);
    if (level <= HOT_LOG_WARN)
        fprintf(stderr, "log: %s\n", line); /* visible in ctest's output */
}

th_event th_last(hot_event_type type)
{
    th_event found;
    unsigned i;

    memset(&found, 0, sizeof found);
    pthread_mutex_lock(&record_mu);
    for (i = n_events; i-- > 0;) {
        if (events[i].type == type) {
            found = events[i];
            break;
        }
    }
    pthread_mutex_unlock(&record_mu);
    return found;
}

unsigned th_count(hot_event_type type)
{
    unsigned i, n = 0;

    pthread_mutex_lock(&record_mu);
    for (i = 0; i < n_events; i++)
        n += events[i].type == type;
    pthread_mutex_unlock(&record_mu);
    return n;
}

int th_logged(const char *needle)
{
    unsigned i;
    int found = 0;

    pthread_mutex_lock(&record_mu);
    for (i = 0; i < n_logs && !found; i++)
        found = strstr(logs[i], needle) != NULL;
    pthread_mutex_unlock(&record_mu);
    return found;
}

/* ---- Opening ------------------------------------------------------------------ */

hot_lib *th_open(const hot_interface *iface, const char *variant, int unload_retired)
{
    hot_options opts = HOT_OPTIONS_INIT;

    opts.unload_retired = unload_retired;
    return th_open_opts(iface, variant, &opts);
}

hot_lib *th_open_opts(const hot_interface *iface, const char *variant, const hot_options *given)
{
    hot_options opts = *given;
    char shadow[300];
    hot_lib *lib = NULL;
    int err;

    snprintf(shadow, sizeof shadow, "%s/shadow", test_dir);
    opts.shadow_dir = shadow;
    opts.watch = HOT_WATCH_NONE; /* reloads happen only through hot_reload_now */
    opts.log_level = HOT_LOG_DEBUG;
    opts.log_fn = record_log;
    th_install(variant);
    err = hot_open(&lib, live_path, iface, &opts);
    if (err < 0)
        th_fail(__FILE__, __LINE__, "hot_open %s: %s: %s", variant, hot_errname(err),
                hot_last_error());
    if (hot_on_event(lib, HOT_EVENT_ALL, record_event, NULL) != 0)
        th_fail(__FILE__, __LINE__, "hot_on_event failed");
    return lib;
}

void th_close(hot_lib *lib)
{
    hot_close(lib);
}

/* ---- Children ----------------------------------------------------------------- */

int th_child(void (*body)(void))
{
    struct rlimit no_core = {0, 0};
    int status = 0;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        th_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
    if (pid == 0) {
        setrlimit(RLIMIT_CORE, &no_core);
        body();
        fflush(NULL);
        _exit(0);
    }
    if (waitpid(pid, &status, 0) != pid)
        th_fail(__FILE__, __LINE__, "waitpid: %s", strerror(errno));
    return status;
}

static void describe(const char *what, int status, char *buf, size_t len)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "%s: killed by signal %d (%s)", what, WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "%s: exited with %d", what, WEXITSTATUS(status));
}

void th_expect_signal(const char *what, int status, int sig)
{
    char got[256];

    describe(what, status, got, sizeof got);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
        th_fail(__FILE__, __LINE__, "%s; want killed by signal %d (%s)", got, sig, strsignal(sig));
    printf("ok: %s\n", got);
}

void th_expect_exit(const char *what, int status, int code)
{
    char got[256];

    describe(what, status, got, sizeof got);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
        th_fail(__FILE__, __LINE__, "%s; want exit code %d", got, code);
    printf("ok: %s\n", got);
}

/* ---- Main --------------------------------------------------------------------- */

static const th_case *find_case(const th_case *const *tables, const char *name)
{
    const th_case *c;

    for (; *tables; tables++) {
        for (c = *tables; c->name; c++) {
            if (strcmp(c->name, name) == 0)
                return c;
        }
    }
    return NULL;
}

static void list_cases(const th_case *const *tables)
{
    const th_case *c;

    for (; *tables; tables++) {
        for (c = *tables; c->name; c++)
            printf("%s\n", c->name);
    }
}

int th_main(int argc, char **argv, const th_case *const *tables)
{
    const th_case *c;

    if (argc != 2 || strcmp(argv[1], "--list") == 0) {
        list_cases(tables);
        return argc == 2 ? 0 : 2;
    }
    c = find_case(tables, argv[1]);
    if (!c) {
        fprintf(stderr, "no case named %s (--list lists them)\n", argv[1]);
        return 2;
    }
    make_test_dir();
    c->run();
    remove_test_dir();
    printf("PASS %s\n", c->name);
    return 0;
}
