/*
 * Every kind of bad build, through the public API. Each case starts on build
 * 1, puts the bad file in place the way a tool would, and checks that
 *   (a) build 1 still answers calls,
 *   (b) the refusal names the cause (event and hot_errmsg),
 *   (c) the next good build loads (version 2, its return values).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

typedef struct scene {
    fx_env env;
    hot_lib *lib;
    recorder rec;
} scene;

static void scene_open_with(scene *s, const hot_options *opts)
{
    s->lib = env_open(opts);
    recorder_init(&s->rec);
    recorder_attach(&s->rec, s->lib, HOT_EVENT_ALL);
    ASSERT_EQ(fx_value(), FX_V1);
}

static void scene_open(scene *s)
{
    hot_options opts;

    env_init(&s->env);
    opts = env_options(&s->env);
    scene_open_with(s, &opts);
}

static void scene_close(scene *s)
{
    hot_close(s->lib);
    recorder_free(&s->rec);
    env_free(&s->env);
}

static void expect_v1_answers(scene *s)
{
    struct fx_state st = {0, 0};

    ASSERT_EQ(hot_update(s->lib), 0);
    ASSERT_EQ(hot_version(s->lib), 1);
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_EQ(fx_step(&st, 0.5f), FX_V1 * 1000 + 1);
    ASSERT_EQ(fx_twice(21), 42);
}

static void expect_refused(scene *s, int code, const char *words)
{
    int i = recorder_wait(&s->rec, HOT_EVENT_REFUSED, 0, WAIT_MS);
    recorded_event ev;

    if (i < 0)
        FAIL("no HOT_EVENT_REFUSED within %d ms (errmsg: %s)", WAIT_MS, hot_errmsg(s->lib));
    ev = recorder_get(&s->rec, i);
    harness_note("refused: %s", ev.message);
    ASSERT_HOT_ERR(ev.error, code);
    ASSERT_CONTAINS(ev.message, words);
    ASSERT_CONTAINS(hot_errmsg(s->lib), words);
    ASSERT_EQ(ev.from_version, 1);
    ASSERT_EQ(ev.version, 2);
    ASSERT_EQ(recorder_count(&s->rec, HOT_EVENT_AFTER_RELOAD), 0);
    expect_v1_answers(s);
}

static void expect_next_build_loads(scene *s)
{
    struct fx_state st = {0, 0};

    install_fixture(&s->env, "fx_v2");
    if (!wait_for_value(s->lib, FX_V2, WAIT_MS))
        FAIL("build 2 did not load (errmsg: %s)", hot_errmsg(s->lib));
    ASSERT_EQ(hot_version(s->lib), 2);
    ASSERT_EQ(fx_step(&st, 0.5f), FX_V2 * 1000 + 1);
}

/* The whole scenario for a file that is refused as soon as it appears. */
static void check_bad_build(const void *bytes, size_t len, int code, const char *words)
{
    scene s;

    scene_open(&s);
    install_bytes(&s.env, bytes, len);
    expect_refused(&s, code, words);
    expect_next_build_loads(&s);
    scene_close(&s);
}

static void check_bad_fixture(const char *name, int code, const char *words)
{
    size_t len;
    unsigned char *buf = read_whole(fixture(name), &len);

    check_bad_build(buf, len, code, words);
    free(buf);
}

TEST(core, truncated)
{
    size_t len;
    unsigned char *buf = read_whole(fixture("fx_v2"), &len);

    check_bad_build(buf, len / 2, HOT_EINCOMPLETE, "truncated");
    free(buf);
}

TEST(core, empty)
{
    check_bad_build("", 0, HOT_EINCOMPLETE, "empty file");
}

TEST(core, garbage)
{
    unsigned char junk[4096];
    unsigned i, x = 12345;

    for (i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (unsigned char)(x >> 16);
    }
    junk[0] = 'G'; /* never the ELF magic by chance */
    check_bad_build(junk, sizeof junk, HOT_ENOTLIB, "not an ELF");
}

TEST(core, missing_function)
{
    check_bad_fixture("fx_missing_fn", HOT_EMISMATCH, "fx_twice: missing from the library");
}

TEST(core, undefined_symbol)
{
    check_bad_fixture("fx_undef", HOT_ELOAD, "undefined symbol: fx_defined_nowhere");
}

TEST(core, other_arch)
{
    size_t len;
    unsigned char *buf = read_whole(fixture("fx_v2"), &len);

    buf[18] = 183; /* e_machine: EM_AARCH64, little-endian */
    buf[19] = 0;
    check_bad_build(buf, len, HOT_EARCH, "aarch64");
    free(buf);
}

TEST(core, no_manifest)
{
    check_bad_fixture("fx_plain", HOT_ENOMANIFEST, "no hot_manifest_fx");
}

TEST(core, other_interface)
{
    check_bad_fixture("other", HOT_ENOMANIFEST, "hot_manifest_fx");
}

TEST(core, abi_mismatch)
{
    check_bad_fixture("fx_abi999", HOT_EABI,
                      "ABI mismatch: library built for hotreload ABI 999, host for ABI " HOT__STR(HOT_ABI_VERSION));
}

TEST(core, signature_changed)
{
    check_bad_fixture("fx_sig", HOT_EMISMATCH,
                      "fx_step: signature changed: (struct fx_state *, float) -> "
                      "(struct fx_state *, double)");
}

TEST(core, layout_changed)
{
    check_bad_fixture("fx_layout", HOT_EMISMATCH, "struct fx_state: size changed: 8 -> 16 bytes");
}

/* Deleting the file is no refusal by itself; asking for a reload is. */
TEST(core, deleted)
{
    scene s;
    int i;

    scene_open(&s);
    ASSERT_EQ(unlink(s.env.lib), 0);
    sleep_ms(TEST_SETTLE_MS * 3); /* the watcher sees the deletion */
    expect_v1_answers(&s);
    ASSERT_HOT_ERR(hot_reload_now(s.lib), HOT_ENOENT);
    ASSERT_CONTAINS(hot_errmsg(s.lib), "no such file");
    i = recorder_wait(&s.rec, HOT_EVENT_REFUSED, 0, WAIT_MS);
    ASSERT(i >= 0);
    ASSERT_HOT_ERR(recorder_get(&s.rec, i).error, HOT_ENOENT);
    expect_v1_answers(&s);
    expect_next_build_loads(&s);
    scene_close(&s);
}

TEST(core, directory)
{
    scene s;

    scene_open(&s);
    ASSERT_EQ(unlink(s.env.lib), 0);
    ASSERT_EQ(mkdir(s.env.lib, 0755), 0);
    expect_refused(&s, HOT_ENOTLIB, "is a directory");
    ASSERT_EQ(rmdir(s.env.lib), 0);
    expect_next_build_loads(&s);
    scene_close(&s);
}

/* Does chmod 000 stop this process from reading? Not for root. */
static int permissions_bind_us(const char *dir)
{
    char probe[400];
    int fd;

    snprintf(probe, sizeof probe, "%s/.probe", dir);
    write_whole(probe, "x", 1);
    chmod(probe, 0);
    fd = open(probe, O_RDONLY);
    if (fd >= 0)
        close(fd);
    unlink(probe);
    return fd < 0;
}

/* An unreadable build (written, made unreadable, renamed into place). As
 * root, where chmod 000 stops nothing, the seam makes open fail instead. */
TEST(core, unreadable)
{
    scene s;
    hot_options opts;
    size_t len;
    unsigned char *buf;
    char tmp[400];
    int use_seam;

    env_init(&s.env);
    use_seam = !permissions_bind_us(s.env.dir);
    if (use_seam) {
        harness_note("running as root: forcing EACCES through the seam");
        seam_fail_open(s.env.lib, 0); /* installed now, armed below */
    }
    opts = env_options(&s.env);
    scene_open_with(&s, &opts);
    buf = read_whole(fixture("fx_v2"), &len);
    snprintf(tmp, sizeof tmp, "%s/.unreadable", s.env.dir);
    write_whole(tmp, buf, len);
    ASSERT_EQ(chmod(tmp, 0), 0);
    if (use_seam)
        seam_fail_open(s.env.lib, EACCES);
    ASSERT_EQ(rename(tmp, s.env.lib), 0);
    expect_refused(&s, HOT_EACCES, "Permission denied");
    if (use_seam)
        seam_fail_open(s.env.lib, 0);
    expect_next_build_loads(&s);
    scene_close(&s);
    seam_reset();
    free(buf);
}

/* The copy into the shadow folder fails (forced: the seam's write returns
 * ENOSPC for anything as large as a library). Not the build's fault: the
 * same build loads once there is room again. */
TEST(core, disk_full)
{
    scene s;
    hot_options opts;

    env_init(&s.env);
    seam_fail_writes(0, 0); /* installed before the watcher starts */
    opts = env_options(&s.env);
    scene_open_with(&s, &opts);
    ASSERT_EQ(count_copies(s.env.shadow), 1);
    seam_fail_writes(512, ENOSPC);
    install_fixture(&s.env, "fx_v2");
    expect_refused(&s, HOT_ENOSPC, "No space left");
    ASSERT_EQ(count_copies(s.env.shadow), 1); /* no half copy left behind */
    seam_fail_writes(0, 0);
    ASSERT_EQ(hot_reload_now(s.lib), 1);
    ASSERT_EQ(fx_value(), FX_V2);
    install_fixture(&s.env, "fx_v3");
    ASSERT(wait_for_value(s.lib, FX_V3, WAIT_MS));
    scene_close(&s);
    seam_reset();
}

/* Writes `len` bytes of buf into the open fd, asserting it all went. */
static void write_part(int fd, const unsigned char *buf, size_t len)
{
    ASSERT_EQ(write(fd, buf, len), (long long)len);
}

/* A build caught half-written: the writer keeps the file open past the
 * settle time. The old build answers meanwhile, nothing is refused, and the
 * finished file loads. cut: how many bytes go before the pause. */
static void check_caught_half_written(size_t cut)
{
    scene s;
    size_t len;
    unsigned char *buf = read_whole(fixture("fx_v2"), &len);
    int fd;

    scene_open(&s);
    fd = open(s.env.lib, O_WRONLY | O_TRUNC);
    ASSERT(fd >= 0);
    write_part(fd, buf, cut);
    sleep_ms(TEST_SETTLE_MS * 5);
    expect_v1_answers(&s);
    write_part(fd, buf + cut, len - cut);
    ASSERT_EQ(close(fd), 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    ASSERT_EQ(recorder_count(&s.rec, HOT_EVENT_REFUSED), 0);
    scene_close(&s);
    free(buf);
}

TEST(core, half_written)
{
    size_t len;
    free(read_whole(fixture("fx_v2"), &len));
    check_caught_half_written(len / 2);
}

/* Caught after 16 bytes: the ELF magic is there, the header is not. That
 * is an incomplete library, not "not a library". */
TEST(core, half_written_header)
{
    check_caught_half_written(16);
}

/* A good build written slowly in place over the old one, in chunks with
 * pauses longer than the settle time. */
TEST(core, slow_write)
{
    scene s;
    size_t len, done = 0, chunk;
    unsigned char *buf = read_whole(fixture("fx_v2"), &len);
    int fd;

    scene_open(&s);
    chunk = len / 4 + 1;
    fd = open(s.env.lib, O_WRONLY | O_TRUNC);
    ASSERT(fd >= 0);
    while (done < len) {
        size_t n = len - done < chunk ? len - done : chunk;
        write_part(fd, buf + done, n);
        done += n;
        sleep_ms(TEST_SETTLE_MS * 3);
        ASSERT_EQ(fx_value(), FX_V1);
    }
    ASSERT_EQ(close(fd), 0);
    ASSERT(wait_for_value(s.lib, FX_V2, WAIT_MS));
    ASSERT_EQ(recorder_count(&s.rec, HOT_EVENT_REFUSED), 0);
    scene_close(&s);
    free(buf);
}

/* 50 distinct builds renamed into place within about half a second. The
 * program keeps calling; every answer is build 1 or one of the 50, never
 * older than one seen before, and it ends on the last. */
TEST(core, rapid_rebuilds)
{
    enum { BUILDS = 50 };
    scene s;
    long seen = FX_V1, v;
    uint64_t t0;
    int i;

    scene_open(&s);
    t0 = now_ms();
    for (i = 1; i <= BUILDS; i++) {
        size_t len;
        unsigned char *buf = patched_build(i, &len);
        install_bytes(&s.env, buf, len);
        free(buf);
        sleep_ms(8);
        hot_update(s.lib);
        v = fx_value();
        ASSERT(v == FX_V1 || (v > FX_PATCH_BASE && v <= FX_PATCH_BASE + BUILDS));
        ASSERT_GE(v, seen);
        seen = v;
    }
    harness_note("%d builds installed in %llu ms", BUILDS, (unsigned long long)(now_ms() - t0));
    ASSERT(wait_for_value(s.lib, FX_PATCH_BASE + BUILDS, WAIT_MS));
    ASSERT_EQ(recorder_count(&s.rec, HOT_EVENT_REFUSED), 0);
    wait_for_copies(s.env.shadow, 2);
    scene_close(&s);
}
