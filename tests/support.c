/* Shared helpers of the integration tests (see support.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#ifndef FIXTURE_DIR
#  error "FIXTURE_DIR must name the folder of the fixture libraries"
#endif

void sleep_ms(unsigned ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const char *fixture(const char *name)
{
    /* A few at once are enough for any test; each call gets its own slot. */
    static __thread char paths[8][512];
    static __thread unsigned next;
    char *p = paths[next++ % 8];

    snprintf(p, 512, "%s/lib%s.so", FIXTURE_DIR, name);
    if (!path_exists(p))
        FAIL("fixture %s is missing: was the build run?", p);
    return p;
}

unsigned char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long size;

    if (!f)
        FAIL("open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
        FAIL("read %s", path);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

void write_whole(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (!f || (len && fwrite(buf, 1, len, f) != len) || fclose(f) != 0)
        FAIL("write %s: %s", path, strerror(errno));
}

void install_bytes(fx_env *e, const void *buf, size_t len)
{
    char tmp[400];

    snprintf(tmp, sizeof tmp, "%s/.incoming-%u", e->dir, e->installs++);
    write_whole(tmp, buf, len);
    if (rename(tmp, e->lib) != 0)
        FAIL("rename %s -> %s: %s", tmp, e->lib, strerror(errno));
}

void install_fixture(fx_env *e, const char *name)
{
    size_t len;
    unsigned char *buf = read_whole(fixture(name), &len);

    install_bytes(e, buf, len);
    free(buf);
}

void install_fixture_as(const fx_env *e, const char *name, const char *file)
{
    char path[400], tmp[400];
    size_t len;
    unsigned char *buf = read_whole(fixture(name), &len);

    snprintf(path, sizeof path, "%s/%s", e->dir, file);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", e->dir, file);
    write_whole(tmp, buf, len);
    free(buf);
    if (rename(tmp, path) != 0)
        FAIL("rename %s: %s", tmp, strerror(errno));
}

unsigned char *patched_build(long value, size_t *len)
{
    static const char tag[8] = "FXPATCH";
    unsigned char *buf = read_whole(fixture("fx_patch"), len);
    unsigned char *at = memmem(buf, *len, tag, sizeof tag);

    if (!at || memmem(at + 1, *len - (size_t)(at + 1 - buf), tag, sizeof tag))
        FAIL("libfx_patch.so should hold the FXPATCH tag exactly once");
    memcpy(at + sizeof tag, &value, sizeof value);
    return buf;
}

int path_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static int count_entries(const char *dir, int owners)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    int n = 0;

    if (!d)
        return 0;
    while ((ent = readdir(d)) != NULL) {
        int is_owner = strncmp(ent->d_name, ".owner-", 7) == 0;
        if (owners ? is_owner : ent->d_name[0] != '.')
            n++;
    }
    closedir(d);
    return n;
}

int count_copies(const char *shadow_dir)
{
    return count_entries(shadow_dir, 0);
}

int count_owner_files(const char *shadow_dir)
{
    return count_entries(shadow_dir, 1);
}

struct loaded_names {
    char names[128][512];
    int n;
};

/* Copies are loaded through the held shadow folder (/proc/<pid>/fd/<n>/
 * name): the folder part is resolved to compare it with dir. */
static int loaded_under(const char *name, const char *dir)
{
    char folder[4096], real_folder[4096], real_dir[4096];
    const char *slash = strrchr(name, '/');

    if (!slash || (size_t)(slash - name) >= sizeof folder)
        return 0;
    memcpy(folder, name, (size_t)(slash - name));
    folder[slash - name] = '\0';
    if (!realpath(folder, real_folder) || !realpath(dir, real_dir))
        return strncmp(name, dir, strlen(dir)) == 0;
    return strcmp(real_folder, real_dir) == 0;
}

/* Only copies the names: the loader's lock is held here, and another
 * thread may be waiting in dlclose. */
static int copy_loaded_name(struct dl_phdr_info *info, size_t size, void *arg)
{
    struct loaded_names *c = arg;
    (void)size;
    if (info->dlpi_name && info->dlpi_name[0] && c->n < 128)
        snprintf(c->names[c->n++], sizeof c->names[0], "%s", info->dlpi_name);
    return 0;
}

int count_loaded_under(const char *dir)
{
    struct loaded_names *c = calloc(1, sizeof *c);
    int i, n = 0;

    ASSERT(c != NULL);
    dl_iterate_phdr(copy_loaded_name, c);
    for (i = 0; i < c->n; i++)
        n += loaded_under(c->names[i], dir);
    free(c);
    return n;
}

/* ---- The per-test folder ------------------------------------------------ */

void env_init(fx_env *e)
{
    const char *tmp = getenv("TMPDIR");

    unsetenv("HOTRELOAD_LIB_FX"); /* would point every test elsewhere */
    memset(e, 0, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "%s/hotreload-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(e->dir))
        FAIL("mkdtemp %s: %s", e->dir, strerror(errno));
    snprintf(e->lib, sizeof e->lib, "%s/libfx.so", e->dir);
    snprintf(e->shadow, sizeof e->shadow, "%s/shadow", e->dir);
    install_fixture(e, "fx_v1");
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void env_free(fx_env *e)
{
    if (e->dir[0])
        nftw(e->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    e->dir[0] = '\0';
}

hot_options env_options(const fx_env *e)
{
    hot_options o = HOT_OPTIONS_INIT;

    o.dir = e->dir;
    o.shadow_dir = e->shadow;
    o.settle_ms = TEST_SETTLE_MS;
    o.poll_ms = TEST_POLL_MS;
    return o;
}

hot_lib *env_open(const hot_options *opts)
{
    hot_lib *lib = NULL;

    ASSERT_HOT_OK(hot_open(&lib, "fx", HOT_IFACE(fx), opts));
    ASSERT(lib != NULL);
    return lib;
}

int wait_for_value(hot_lib *lib, long want, unsigned timeout_ms)
{
    uint64_t deadline = now_ms() + timeout_ms;

    for (;;) {
        hot_update(lib);
        if (fx_value() == want)
            return 1;
        if (now_ms() >= deadline)
            return 0;
        hot_wait_reload(lib, hot_version(lib), 20);
    }
}

typedef struct timed_call {
    void *(*fn)(void *);
    void *arg;
    int done; /* atomic */
} timed_call;

static void *timed_call_main(void *p)
{
    timed_call *c = p;

    c->fn(c->arg);
    __atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static int call_done(const void *p)
{
    return __atomic_load_n(&((const timed_call *)p)->done, __ATOMIC_ACQUIRE);
}

void call_within(void *(*fn)(void *), void *arg, const char *what)
{
    timed_call c;
    pthread_t t;

    c.fn = fn;
    c.arg = arg;
    c.done = 0;
    ASSERT_EQ(pthread_create(&t, NULL, timed_call_main, &c), 0);
    await_true(call_done, &c, what);
    pthread_join(t, NULL);
}

void await_true(int (*done)(const void *), const void *arg, const char *what)
{
    uint64_t deadline = now_ms() + WAIT_MS;

    while (!done(arg)) {
        if (now_ms() > deadline)
            FAIL("%s: not within %d ms (deadlock?)", what, WAIT_MS);
        sleep_ms(1);
    }
}

void wait_for_held(hot_lib *lib, unsigned want)
{
    uint64_t deadline = now_ms() + WAIT_MS;

    while (hot_versions_held(lib) != want) {
        if (now_ms() > deadline)
            FAIL("hot_versions_held stayed %u, expected %u (errmsg: %s)", hot_versions_held(lib),
                 want, hot_errmsg(lib));
        sleep_ms(2);
    }
}

void wait_for_copies(const char *shadow_dir, int want)
{
    uint64_t deadline = now_ms() + WAIT_MS;

    while (count_copies(shadow_dir) > want) {
        if (now_ms() > deadline)
            FAIL("%d shadow copies stayed in %s, expected %d", count_copies(shadow_dir), shadow_dir,
                 want);
        sleep_ms(2);
    }
}

void let_the_watcher_retire(void)
{
    sleep_ms(150); /* its delay: 5 ms after the first request, at most 100 ms */
}

/* ---- Recording events --------------------------------------------------- */

void recorder_init(recorder *r)
{
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cond, NULL);
}

static void on_event(const hot_event *ev, void *userdata)
{
    recorder *r = userdata;
    recorded_event rec;

    memset(&rec, 0, sizeof rec);
    if (ev->type == HOT_EVENT_BEFORE_RELOAD && r->before_delay_ms)
        sleep_ms(r->before_delay_ms);
    rec.type = ev->type;
    rec.version = ev->version;
    rec.from_version = ev->from_version;
    rec.error = ev->error;
    snprintf(rec.message, sizeof rec.message, "%s", ev->message ? ev->message : "(null)");
    rec.thread = (uint64_t)pthread_self();
    rec.live_version = hot_version(r->lib);
    rec.live_value = fx_value();
    pthread_mutex_lock(&r->mu);
    if (r->count < (int)(sizeof r->events / sizeof r->events[0]))
        r->events[r->count++] = rec;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
}

void recorder_attach(recorder *r, hot_lib *lib, unsigned mask)
{
    r->lib = lib;
    ASSERT_HOT_OK(hot_on_event(lib, mask, on_event, r));
}

static int find_from(recorder *r, unsigned type, int from)
{
    int i;
    for (i = from < 0 ? 0 : from; i < r->count; i++) {
        if (r->events[i].type & type)
            return i;
    }
    return -1;
}

int recorder_wait(recorder *r, unsigned type, int from, unsigned timeout_ms)
{
    uint64_t deadline = now_ms() + timeout_ms;
    int found;

    pthread_mutex_lock(&r->mu);
    while ((found = find_from(r, type, from)) < 0 && now_ms() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r->cond, &r->mu, &ts);
    }
    pthread_mutex_unlock(&r->mu);
    return found;
}

int recorder_count(recorder *r, unsigned type)
{
    int i, n = 0;

    pthread_mutex_lock(&r->mu);
    for (i = 0; i < r->count; i++)
        n += (r->events[i].type & type) != 0;
    pthread_mutex_unlock(&r->mu);
    return n;
}

recorded_event recorder_get(recorder *r, int i)
{
    recorded_event copy;

    pthread_mutex_lock(&r->mu);
    if (i < 0 || i >= r->count)
        FAIL("no recorded event %d (%d recorded)", i, r->count);
    copy = r->events[i];
    pthread_mutex_unlock(&r->mu);
    return copy;
}

void recorder_free(recorder *r)
{
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->mu);
}

/* ---- Capturing log lines ------------------------------------------------ */

static void capture_line(hot_log_level level, const char *line, void *userdata)
{
    log_capture *c = userdata;

    pthread_mutex_lock(&c->mu);
    if (c->count < (int)(sizeof c->lines / sizeof c->lines[0])) {
        snprintf(c->lines[c->count], sizeof c->lines[0], "%s", line);
        c->levels[c->count++] = level;
    }
    pthread_mutex_unlock(&c->mu);
}

void log_capture_init(log_capture *c, hot_options *opts)
{
    /* HOTRELOAD_LOG would override opts->log_level; a test that wants it
     * sets it after this. */
    unsetenv("HOTRELOAD_LOG");
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    opts->log_fn = capture_line;
    opts->log_userdata = c;
}

int log_capture_find(log_capture *c, const char *words, unsigned timeout_ms)
{
    uint64_t deadline = now_ms() + timeout_ms;
    int i;

    for (;;) {
        pthread_mutex_lock(&c->mu);
        for (i = 0; i < c->count; i++) {
            if (harness_contains(c->lines[i], words)) {
                pthread_mutex_unlock(&c->mu);
                return i;
            }
        }
        pthread_mutex_unlock(&c->mu);
        if (now_ms() >= deadline)
            return -1;
        sleep_ms(5);
    }
}

int log_capture_count(log_capture *c)
{
    int n;

    pthread_mutex_lock(&c->mu);
    n = c->count;
    pthread_mutex_unlock(&c->mu);
    return n;
}

void log_capture_free(log_capture *c)
{
    pthread_mutex_destroy(&c->mu);
}

static volatile int overflow_stops; /* never set */

/* Not a tail call, and a frame the compiler cannot drop. */
static int overflow_depth(volatile char *from)
{
    volatile char frame[512];

    frame[0] = from ? from[0] : 1;
    if (overflow_stops)
        return frame[0];
    return overflow_depth(frame) + frame[1];
}

void support_overflow(void *arg)
{
    *(int *)arg = overflow_depth(NULL);
}

/* ---- Patched builds, and what a process holds ----------------------------- */

unsigned char *patched_fixture(const char *name, long value, size_t *len)
{
    static const char tag[8] = "FXPATCH";
    unsigned char *buf = read_whole(fixture(name), len);
    unsigned char *at = memmem(buf, *len, tag, sizeof tag);

    if (!at)
        FAIL("lib%s.so holds no FXPATCH tag", name);
    memcpy(at + sizeof tag, &value, sizeof value);
    return buf;
}

void install_patched_fixture(fx_env *e, const char *name, long value)
{
    size_t len;
    unsigned char *buf = patched_fixture(name, value, &len);

    install_bytes(e, buf, len);
    free(buf);
}

void reload_to_patch(fx_env *e, hot_lib *lib, const char *name, long value)
{
    install_patched_fixture(e, name, value);
    ASSERT_HOT_OK(hot_reload_now(lib) == 1 ? 0 : HOT_EIO);
    ASSERT_EQ(fx_value(), FX_PATCH_BASE + value);
}

void frame_with_reload(fx_env *e, hot_lib *lib, const char *name, long value)
{
    reload_to_patch(e, lib, name, value);
    ASSERT_EQ(hot_update(lib), 0);
}

long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    ASSERT(f != NULL);
    ASSERT_EQ(fscanf(f, "%ld %ld", &pages, &resident), 2);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    int c, n = 0;

    ASSERT(f != NULL);
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

int count_lines(log_capture *c, const char *words)
{
    int i, n = 0;

    pthread_mutex_lock(&c->mu);
    for (i = 0; i < c->count; i++)
        n += strstr(c->lines[i], words) != NULL;
    pthread_mutex_unlock(&c->mu);
    return n;
}
