/*
 * The watcher against half-written and odd files, as real writers make
 * them: a writer through a shared mapping (what gold does), one that
 * leaves a hole, real gold links, an in-place `cp` storm, GNU ld's zeros
 * at the start, a FIFO at the path, a relative folder and a chdir, the
 * folder swapped under the watcher, links on the way, a constructor that
 * never returns, and inotify failing (forced through the seam).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"
#include "syscalls.h"

/* Paths here are short temporary folders; gcc cannot know that. */
#if defined(__GNUC__) && !defined(__clang__)
#  pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

typedef struct scene {
    fx_env env;
    hot_lib *lib;
    recorder rec;
    log_capture logs;
} scene;

static void scene_open_with(scene *s, hot_options *o)
{
    log_capture_init(&s->logs, o);
    s->lib = env_open(o);
    recorder_init(&s->rec);
    recorder_attach(&s->rec, s->lib, HOT_EVENT_ALL);
    ASSERT_EQ(fx_value(), FX_V1);
}

static void scene_open(scene *s, hot_watch_mode mode)
{
    hot_options o;

    env_init(&s->env);
    o = env_options(&s->env);
    o.watch = mode;
    o.apply = HOT_APPLY_AT_ONCE;
    scene_open_with(s, &o);
}

static void scene_close(scene *s)
{
    hot_close(s->lib);
    recorder_free(&s->rec);
    log_capture_free(&s->logs);
    env_free(&s->env);
}

static int reloads(scene *s)
{
    return recorder_count(&s->rec, HOT_EVENT_AFTER_RELOAD);
}

static void expect_no_refusal(scene *s)
{
    int i = recorder_wait(&s->rec, HOT_EVENT_REFUSED, 0, 0);
    if (i >= 0)
        FAIL("refused: %s", recorder_get(&s->rec, i).message);
}

/* The refusal's message holds words; v1 still answers. */
static void expect_refused(scene *s, const char *words)
{
    int i = recorder_wait(&s->rec, HOT_EVENT_REFUSED, 0, WAIT_MS);

    ASSERT(i >= 0);
    ASSERT_CONTAINS(recorder_get(&s->rec, i).message, words);
    ASSERT_EQ(fx_value(), FX_V1);
}

static void pause_settles(unsigned n)
{
    sleep_ms(TEST_SETTLE_MS * n);
}

/* ---- 24: writers through a shared mapping ------------------------------- */

/* Like gold: the old output deleted, the new one created and given its
 * final size, the bytes written through a shared mapping in pieces (no
 * events for them), closed last. hole: the piece left for last. */
static void mapped_write(scene *s, const char *name, int hole)
{
    size_t len, piece, i;
    unsigned char *buf = read_whole(fixture(name), &len), *map;
    int fd;

    ASSERT_EQ(unlink(s->env.lib), 0);
    fd = open(s->env.lib, O_RDWR | O_CREAT | O_EXCL, 0755);
    ASSERT(fd >= 0);
    ASSERT_EQ(ftruncate(fd, (off_t)len), 0);
    map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ASSERT(map != MAP_FAILED);
    piece = len / 4 + 1;
    for (i = 0; i < 4; i++) {
        size_t off = i * piece, n = off + piece > len ? len - off : piece;
        if ((int)i == hole)
            continue;
        memcpy(map + off, buf + off, n);
        pause_settles(4);
        ASSERT_EQ(hot_version(s->lib), 1); /* looks whole, is not */
    }
    if (hole >= 0) {
        size_t off = (size_t)hole * piece, n = off + piece > len ? len - off : piece;
        pause_settles(6);
        ASSERT_EQ(hot_version(s->lib), 1);
        memcpy(map + off, buf + off, n);
    }
    ASSERT_EQ(munmap(map, len), 0);
    pause_settles(4);
    ASSERT_EQ(hot_version(s->lib), 1); /* still open: not done */
    ASSERT_EQ(close(fd), 0);
    free(buf);
}

TEST(harden_watch, mapped_writer_loads_on_close)
{
    scene s;

    scene_open(&s, HOT_WATCH_NOTIFY);
    mapped_write(&s, "fx_v2", -1);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    pause_settles(5);
    ASSERT_EQ(reloads(&s), 1);
    ASSERT_EQ(hot_version(s.lib), 2);
    expect_no_refusal(&s);
    scene_close(&s);
}

/* The hole in the middle: loaded early, its constructors would run over
 * zeros inside dlopen. */
TEST(harden_watch, mapped_writer_with_hole)
{
    scene s;

    scene_open(&s, HOT_WATCH_NOTIFY);
    mapped_write(&s, "fx_v2", 2);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    pause_settles(5);
    ASSERT_EQ(reloads(&s), 1);
    expect_no_refusal(&s);
    scene_close(&s);
}

/* ---- 24: real gold links, an in-place cp storm --------------------------- */

static int run(const char *cmd)
{
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A large library (gold takes its time writing it): one big array. */
static void write_big_source(const char *path)
{
    FILE *f = fopen(path, "w");

    ASSERT(f != NULL);
    fputs("const char fx_big[24 << 20] = {1};\n"
          "const char *fx_big_ptr(void) { return fx_big; }\n",
          f);
    ASSERT_EQ(fclose(f), 0);
}

static void gold_link(const fx_env *e, const char *big, long value, char *cmd, size_t cmdlen)
{
    snprintf(cmd, cmdlen,
             "cc -shared -fPIC -fuse-ld=gold -DHOT_LIBRARY -DFX_VALUE=%ld -I%s/include -I%s/tests/"
             "fixtures -o %s %s/tests/fixtures/fx_lib.c %s",
             value, HOT_SOURCE_DIR, HOT_SOURCE_DIR, e->lib, HOT_SOURCE_DIR, big);
}

TEST(harden_watch, gold_links)
{
    enum { LINKS = 20, BASE = 100 };
    char cmd[2048], big[400];
    scene s;
    int i;

    scene_open(&s, HOT_WATCH_NOTIFY);
    snprintf(big, sizeof big, "%s/big.o", s.env.dir);
    snprintf(cmd, sizeof cmd, "%s/big.c", s.env.dir);
    write_big_source(cmd);
    snprintf(cmd, sizeof cmd, "cc -c -fPIC -o %s %s/big.c", big, s.env.dir);
    if (run(cmd) != 0)
        SKIP("no C compiler");
    snprintf(cmd, sizeof cmd, "cc -fuse-ld=gold -shared -o %s/probe.so %s 2>/dev/null", s.env.dir,
             big);
    if (run(cmd) != 0)
        SKIP("cc -fuse-ld=gold does not link here (no ld.gold)");
    for (i = 1; i <= LINKS; i++) {
        gold_link(&s.env, big, BASE + i, cmd, sizeof cmd);
        ASSERT_EQ(run(cmd), 0);
        pause_settles(1);
    }
    ASSERT(wait_for_value(s.lib, BASE + LINKS, WAIT_MS));
    pause_settles(5);
    harness_note("%d reloads for %d links", reloads(&s), LINKS);
    ASSERT_LE(reloads(&s), LINKS); /* never one of an output gold had open */
    expect_no_refusal(&s);
    scene_close(&s);
}

TEST(harden_watch, cp_storm_in_place)
{
    enum { COPIES = 60 };
    char cmd[1024];
    scene s;
    int i;

    scene_open(&s, HOT_WATCH_NOTIFY);
    for (i = 0; i < COPIES; i++) {
        snprintf(cmd, sizeof cmd, "cp %s %s", fixture(i % 2 ? "fx_v3" : "fx_v2"), s.env.lib);
        ASSERT_EQ(run(cmd), 0);
    }
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    pause_settles(5);
    expect_no_refusal(&s);
    scene_close(&s);
}

/* ---- 25: a refused incomplete read does not poison the build -------------- */

/* Where needle first occurs in buf (it must). */
static size_t find_bytes(const unsigned char *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, needle, n) == 0)
            return i;
    }
    FAIL("\"%s\" is not in the fixture", needle);
}

/* A writer that writes out of order (as through a mapping): the file has
 * its final size and the finished build's id, but the bytes naming the
 * manifest are not written yet. Polling loads it after the settle time and
 * refuses it; the finished file must then load, not be taken for it. */
TEST(harden_watch, incomplete_refusal_then_finished_build)
{
    scene s;
    size_t len, at;
    unsigned char *buf = read_whole(fixture("fx_v2"), &len), *early;
    int fd;

    scene_open(&s, HOT_WATCH_POLL);
    early = malloc(len);
    ASSERT(early != NULL);
    memcpy(early, buf, len);
    at = find_bytes(buf, len, "hot_manifest_fx");
    memset(early + at, 0, strlen("hot_manifest_fx"));
    fd = open(s.env.lib, O_WRONLY | O_TRUNC);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, early, len), (long long)len);
    ASSERT(recorder_wait(&s.rec, HOT_EVENT_REFUSED, 0, WAIT_MS) >= 0);
    ASSERT_EQ(pwrite(fd, buf + at, strlen("hot_manifest_fx"), (off_t)at),
              (long long)strlen("hot_manifest_fx"));
    ASSERT_EQ(close(fd), 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    scene_close(&s);
    free(early);
    free(buf);
}

/* ---- 27: a FIFO at the path --------------------------------------------- */

TEST(harden_watch, fifo_at_path)
{
    scene s;

    scene_open(&s, HOT_WATCH_NOTIFY);
    ASSERT_EQ(unlink(s.env.lib), 0);
    ASSERT_EQ(mkfifo(s.env.lib, 0644), 0);
    expect_refused(&s, "FIFO");
    ASSERT_HOT_ERR(hot_reload_now(s.lib), HOT_ENOTLIB);
    ASSERT_EQ(unlink(s.env.lib), 0);
    install_fixture(&s.env, "fx_v2");
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    scene_close(&s); /* returns: nothing blocks on the FIFO */
}

TEST(harden_watch, socket_at_path)
{
    struct sockaddr_un addr;
    scene s;
    int fd;

    scene_open(&s, HOT_WATCH_NOTIFY);
    ASSERT_EQ(unlink(s.env.lib), 0);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT(fd >= 0);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    ASSERT(strlen(s.env.lib) < sizeof addr.sun_path);
    memcpy(addr.sun_path, s.env.lib, strlen(s.env.lib));
    ASSERT_EQ(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    expect_refused(&s, "socket");
    close(fd);
    ASSERT_EQ(unlink(s.env.lib), 0);
    install_fixture(&s.env, "fx_v2");
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    scene_close(&s);
}

/* ---- 28: a relative folder, then chdir ---------------------------------- */

TEST(harden_watch, relative_dir_then_chdir)
{
    char other[400], decoy[500];
    scene s;
    hot_options o;

    env_init(&s.env);
    o = env_options(&s.env);
    o.apply = HOT_APPLY_AT_ONCE;
    ASSERT_EQ(chdir(s.env.dir), 0);
    o.dir = ".";
    scene_open_with(&s, &o);
    ASSERT_STR_EQ(hot_path(s.lib), s.env.lib);
    /* A daemon moves to a folder that holds a library of the same name. */
    snprintf(other, sizeof other, "%s/elsewhere", s.env.dir);
    ASSERT_EQ(mkdir(other, 0755), 0);
    snprintf(decoy, sizeof decoy, "%s/libfx.so", other);
    {
        size_t len;
        unsigned char *buf = read_whole(fixture("fx_v3"), &len);
        write_whole(decoy, buf, len);
        free(buf);
    }
    ASSERT_EQ(chdir(other), 0);
    install_fixture(&s.env, "fx_v2");
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    ASSERT_GE(hot_reload_now(s.lib), 0); /* the watched file, not ./libfx.so */
    ASSERT_EQ(fx_value(), FX_V2);
    expect_no_refusal(&s);
    ASSERT_EQ(chdir("/"), 0);
    scene_close(&s);
}

/* ---- 29: the folder swapped or re-created -------------------------------- */

static void put_build(const char *dir, const char *name)
{
    char path[600];
    size_t len;
    unsigned char *buf = read_whole(fixture(name), &len);

    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/libfx.so", dir);
    write_whole(path, buf, len);
    free(buf);
}

static void open_in_subfolder(scene *s, const char *sub, char *libdir, size_t len)
{
    hot_options o;

    env_init(&s->env);
    snprintf(libdir, len, "%s/%s", s->env.dir, sub);
    put_build(libdir, "fx_v1");
    o = env_options(&s->env);
    o.dir = libdir;
    o.apply = HOT_APPLY_AT_ONCE;
    o.log_level = HOT_LOG_INFO;
    scene_open_with(s, &o);
}

TEST(harden_watch, folder_swapped)
{
    char lib[400], fresh[400], old[400];
    scene s;

    open_in_subfolder(&s, "lib", lib, sizeof lib);
    snprintf(fresh, sizeof fresh, "%s.new", lib);
    snprintf(old, sizeof old, "%s.old", lib);
    put_build(fresh, "fx_v2");
    /* A blue/green switch. */
    ASSERT_EQ(rename(lib, old), 0);
    ASSERT_EQ(rename(fresh, lib), 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    /* And the next build in the new folder. */
    snprintf(fresh, sizeof fresh, "%s/libfx.so.tmp", lib);
    {
        size_t len;
        unsigned char *buf = read_whole(fixture("fx_v3"), &len);
        char path[500];
        write_whole(fresh, buf, len);
        snprintf(path, sizeof path, "%s/libfx.so", lib);
        ASSERT_EQ(rename(fresh, path), 0);
        free(buf);
    }
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    expect_no_refusal(&s);
    scene_close(&s);
}

TEST(harden_watch, folder_recreated)
{
    char lib[400], cmd[600];
    scene s;

    open_in_subfolder(&s, "lib", lib, sizeof lib);
    snprintf(cmd, sizeof cmd, "rm -r %s && mkdir %s && cp %s %s/libfx.so", lib, lib,
             fixture("fx_v2"), lib);
    ASSERT_EQ(run(cmd), 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    /* inotify is back on the new folder. */
    if (log_capture_find(&s.logs, "watching with inotify again", WAIT_MS) < 0) {
        int i;
        for (i = 0; i < s.logs.count; i++)
            harness_note("log: %s", s.logs.lines[i]);
        FAIL("inotify was not armed again");
    }
    snprintf(cmd, sizeof cmd, "cp %s %s/libfx.so.tmp && mv %s/libfx.so.tmp %s/libfx.so",
             fixture("fx_v3"), lib, lib, lib);
    ASSERT_EQ(run(cmd), 0);
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    scene_close(&s);
}

/* ---- 30: a constructor that never returns -------------------------------- */

TEST(harden_watch, constructor_never_returns)
{
    char marker[400];
    scene s;
    hot_options o;
    uint64_t t0;

    env_init(&s.env);
    snprintf(marker, sizeof marker, "%s/in-constructor", s.env.dir);
    setenv("FX_HANG_MARKER", marker, 1); /* before the watcher starts */
    o = env_options(&s.env);
    o.apply = HOT_APPLY_AT_ONCE;
    scene_open_with(&s, &o);
    install_fixture(&s.env, "fx_hang");
    while (!path_exists(marker))
        sleep_ms(10);
    ASSERT_EQ(fx_value(), FX_V1); /* the old version answers */
    t0 = now_ms();
    hot_close(s.lib);
    harness_note("hot_close returned after %llu ms", (unsigned long long)(now_ms() - t0));
    ASSERT(log_capture_find(&s.logs, "never returns", 0) >= 0);
    /* exit() would wait for the loader's lock, which the stuck constructor
     * holds (said in the guide). */
    _exit(0);
}

/* ---- 31: links on the way ------------------------------------------------ */

static void repoint(const char *link, const char *target)
{
    char tmp[500];

    snprintf(tmp, sizeof tmp, "%s.tmp", link);
    unlink(tmp);
    ASSERT_EQ(symlink(target, tmp), 0);
    ASSERT_EQ(rename(tmp, link), 0); /* atomic, as nix does */
}

static void open_through(scene *s, const char *dir)
{
    hot_options o = env_options(&s->env);

    o.dir = dir;
    o.apply = HOT_APPLY_AT_ONCE;
    o.watch = HOT_WATCH_NOTIFY;
    scene_open_with(s, &o);
}

/* result -> store/a, re-pointed to store/b (a Nix result link). */
TEST(harden_watch, link_result_repointed)
{
    char a[400], b[400], result[400];
    scene s;

    env_init(&s.env);
    snprintf(a, sizeof a, "%s/store-a", s.env.dir);
    snprintf(b, sizeof b, "%s/store-b", s.env.dir);
    snprintf(result, sizeof result, "%s/result", s.env.dir);
    put_build(a, "fx_v1");
    ASSERT_EQ(symlink(a, result), 0);
    open_through(&s, result);
    put_build(b, "fx_v2");
    repoint(result, b);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    put_build(a, "fx_v3"); /* the old store path changes: not ours now */
    pause_settles(5);
    ASSERT_EQ(fx_value(), FX_V2);
    repoint(result, a);
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    scene_close(&s);
}

/* current -> releases/N (relative), replaced the way `ln -sfn` does:
 * removed, then made again. */
TEST(harden_watch, link_current_release)
{
    char rel[400], current[400];
    scene s;

    env_init(&s.env);
    snprintf(rel, sizeof rel, "%s/releases/1", s.env.dir);
    snprintf(current, sizeof current, "%s/current", s.env.dir);
    snprintf(rel, sizeof rel, "%s/releases", s.env.dir);
    ASSERT_EQ(mkdir(rel, 0755), 0);
    snprintf(rel, sizeof rel, "%s/releases/1", s.env.dir);
    put_build(rel, "fx_v1");
    ASSERT_EQ(symlink("releases/1", current), 0);
    open_through(&s, current);
    snprintf(rel, sizeof rel, "%s/releases/2", s.env.dir);
    put_build(rel, "fx_v2");
    ASSERT_EQ(unlink(current), 0);
    ASSERT_EQ(symlink("releases/2", current), 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    /* A rebuild inside the current release. */
    {
        char cmd[900];
        snprintf(cmd, sizeof cmd, "cp %s %s/libfx.so", fixture("fx_v3"), rel);
        ASSERT_EQ(run(cmd), 0);
    }
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    scene_close(&s);
}

/* dir/libfx.so -> build/libfx.so: the build folder is where the linker
 * writes. */
TEST(harden_watch, link_into_build_folder)
{
    char build[400], target[500], cmd[1200];
    scene s;

    env_init(&s.env);
    snprintf(build, sizeof build, "%s/build", s.env.dir);
    put_build(build, "fx_v1");
    snprintf(target, sizeof target, "%s/libfx.so", build);
    ASSERT_EQ(unlink(s.env.lib), 0);
    ASSERT_EQ(symlink(target, s.env.lib), 0);
    open_through(&s, s.env.dir);
    snprintf(cmd, sizeof cmd, "cp %s %s.tmp && mv %s.tmp %s", fixture("fx_v2"), target, target,
             target);
    ASSERT_EQ(run(cmd), 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    snprintf(cmd, sizeof cmd, "cp %s %s", fixture("fx_v3"), target); /* in place */
    ASSERT_EQ(run(cmd), 0);
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    scene_close(&s);
}

/* ---- 32: dependencies found through $ORIGIN -------------------------------- */

enum { FX_ORIGIN = 20 + 1 }; /* fx_origin's 20 plus libfxdep.so's 1 */

static void put_dependency(const fx_env *e)
{
    char cmd[1200];

    snprintf(cmd, sizeof cmd, "cp %s %s/libfxdep.so", fixture("fxdep"), e->dir);
    ASSERT_EQ(run(cmd), 0);
}

/* The copy lives in the shadow folder; libfxdep.so lives beside libfx.so
 * and is found through the library's $ORIGIN runpath all the same. */
TEST(harden_watch, origin_sibling_found)
{
    scene s;

    scene_open(&s, HOT_WATCH_NOTIFY);
    put_dependency(&s.env);
    install_fixture(&s.env, "fx_origin");
    ASSERT(wait_for_value(s.lib, FX_ORIGIN, WAIT_MS));
    expect_no_refusal(&s);
    scene_close(&s);
}

/* The dependency comes after the library: the refused load is tried again
 * when it appears, without the library's own bytes changing. */
TEST(harden_watch, origin_dependency_retried)
{
    scene s;

    scene_open(&s, HOT_WATCH_NOTIFY);
    install_fixture(&s.env, "fx_origin");
    expect_refused(&s, "libfxdep.so");
    put_dependency(&s.env);
    ASSERT(wait_for_value(s.lib, FX_ORIGIN, WAIT_MS));
    scene_close(&s);
}

/* ---- 33: GNU ld's header written last; PN_XNUM ---------------------------- */

/* Polling sees the file quiet with its first 64 bytes still zero: that is
 * a file being written, not "not a library". */
TEST(harden_watch, zeros_at_start_wait)
{
    scene s;
    size_t len;
    unsigned char *buf = read_whole(fixture("fx_v2"), &len);
    static const unsigned char zeros[64];
    int fd;

    scene_open(&s, HOT_WATCH_POLL);
    fd = open(s.env.lib, O_WRONLY | O_TRUNC);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, zeros, 64), 64);
    ASSERT_EQ(write(fd, buf + 64, len - 64), (long long)(len - 64));
    pause_settles(10);
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_EQ(pwrite(fd, buf, 64, 0), 64);
    ASSERT_EQ(close(fd), 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    expect_no_refusal(&s);
    scene_close(&s);
    free(buf);
}

static void check_pn_xnum(hot_watch_mode mode)
{
    scene s;
    size_t len;
    unsigned char *buf = read_whole(fixture("fx_v2"), &len);

    scene_open(&s, mode);
    buf[56] = 0xff; /* e_phnum of a 64-bit header */
    buf[57] = 0xff;
    install_bytes(&s.env, buf, len);
    expect_refused(&s, "PN_XNUM");
    install_fixture(&s.env, "fx_v3");
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    scene_close(&s);
    free(buf);
}

TEST(harden_watch, pn_xnum_refused_notify)
{
    check_pn_xnum(HOT_WATCH_NOTIFY);
}

TEST(harden_watch, pn_xnum_refused_poll)
{
    check_pn_xnum(HOT_WATCH_POLL);
}

/* ---- inotify failing, forced through the seam ------------------------------ */

static struct hot__syscalls real_sys;
static int inotify_fd = -1;   /* atomic */
static int fail_reads;        /* atomic */

static int failing_add_watch(int fd, const char *path, uint32_t mask)
{
    (void)fd, (void)path, (void)mask;
    errno = ENOSPC; /* the user's watch limit */
    return -1;
}

static int noting_init1(int flags)
{
    int fd = real_sys.inotify_init1(flags);
    __atomic_store_n(&inotify_fd, fd, __ATOMIC_RELEASE);
    return fd;
}

static ssize_t failing_read(int fd, void *buf, size_t len)
{
    if (__atomic_load_n(&fail_reads, __ATOMIC_ACQUIRE) &&
        fd == __atomic_load_n(&inotify_fd, __ATOMIC_ACQUIRE)) {
        errno = EIO;
        return -1;
    }
    return real_sys.read(fd, buf, len);
}

TEST(harden_watch, inotify_add_watch_fails)
{
    scene s;
    hot_options o;

    real_sys = hot__sys;
    hot__sys.inotify_add_watch = failing_add_watch;
    env_init(&s.env);
    o = env_options(&s.env);
    o.watch = HOT_WATCH_NOTIFY;
    o.apply = HOT_APPLY_AT_ONCE;
    scene_open_with(&s, &o);
    ASSERT(log_capture_find(&s.logs, "inotify_add_watch", 0) >= 0);
    ASSERT(log_capture_find(&s.logs, "polling every", 0) >= 0);
    install_fixture(&s.env, "fx_v2");
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    scene_close(&s);
    hot__syscalls_reset();
}

TEST(harden_watch, inotify_read_fails)
{
    scene s;
    hot_options o;

    real_sys = hot__sys;
    hot__sys.inotify_init1 = noting_init1;
    hot__sys.read = failing_read;
    env_init(&s.env);
    o = env_options(&s.env);
    o.watch = HOT_WATCH_NOTIFY;
    o.apply = HOT_APPLY_AT_ONCE;
    scene_open_with(&s, &o);
    __atomic_store_n(&fail_reads, 1, __ATOMIC_RELEASE);
    install_fixture(&s.env, "fx_v2"); /* the event's read fails */
    ASSERT(log_capture_find(&s.logs, "read from inotify", WAIT_MS) >= 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS)); /* the poller's check */
    install_fixture(&s.env, "fx_v3");
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    scene_close(&s);
    hot__syscalls_reset();
}
