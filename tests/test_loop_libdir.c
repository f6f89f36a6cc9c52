/*
 * Where the library is found (src/libdir.c): a relative folder (the default
 * ".") is taken against the working directory when the library is there,
 * else against the program's own folder. The test program lives next to
 * the fixtures folder (build/tests and build/tests/fixtures), and runs from
 * a fresh folder elsewhere, as a host started from another folder does.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

/* FIXTURE_DIR relative to this program's folder ("fixtures"). */
static const char *fixtures_from_program(void)
{
    static char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    size_t len;

    ASSERT(n > 0);
    self[n] = '\0';
    *strrchr(self, '/') = '\0';
    len = strlen(self);
    ASSERT(strncmp(FIXTURE_DIR, self, len) == 0 && FIXTURE_DIR[len] == '/');
    return FIXTURE_DIR + len + 1;
}

static hot_options options_from_elsewhere(fx_env *e)
{
    hot_options o;

    env_init(e);
    o = env_options(e);
    o.dir = fixtures_from_program();
    ASSERT(chdir(e->dir) == 0);
    return o;
}

static int same_file(const char *a, const char *b)
{
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

TEST(libdir, next_to_program_from_another_folder)
{
    fx_env e;
    hot_options o = options_from_elsewhere(&e);
    hot_lib *lib = NULL;

    ASSERT(!path_exists("fixtures"));
    ASSERT_HOT_OK(hot_open(&lib, "fx_v1", HOT_IFACE(fx), &o));
    ASSERT(same_file(hot_path(lib), fixture("fx_v1")));
    ASSERT_EQ(fx_value(), FX_V1);
    hot_close(lib);
    env_free(&e);
}

/* The working directory comes first: what programs always got stays. */
TEST(libdir, working_directory_first)
{
    fx_env e;
    hot_options o = options_from_elsewhere(&e);
    hot_lib *lib = NULL;
    char here[600];
    size_t len;
    unsigned char *v2 = read_whole(fixture("fx_v2"), &len);

    snprintf(here, sizeof here, "%s/%s", e.dir, o.dir);
    ASSERT(mkdir(here, 0700) == 0);
    snprintf(here, sizeof here, "%s/%s/libfx_v1.so", e.dir, o.dir);
    write_whole(here, v2, len);
    free(v2);
    ASSERT_HOT_OK(hot_open(&lib, "fx_v1", HOT_IFACE(fx), &o));
    ASSERT(same_file(hot_path(lib), here));
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(lib);
    env_free(&e);
}

/* Found nowhere: the error names the path asked for, under the working
 * directory, not a guess. */
TEST(libdir, missing_names_the_asked_path)
{
    fx_env e;
    hot_options o = options_from_elsewhere(&e);
    hot_lib *lib = NULL;

    o.dir = "nowhere";
    ASSERT(hot_open(&lib, "fx_v1", HOT_IFACE(fx), &o) < 0);
    ASSERT(lib == NULL);
    ASSERT(strstr(hot_last_error(), "nowhere/libfx_v1.so") != NULL);
    env_free(&e);
}

/* /proc/self/exe unreadable (through the seam): the program's folder is
 * not known, so only the working directory is searched, and the error
 * names the path asked for; once readable, the library is found. */
TEST(libdir, program_folder_unreadable)
{
    fx_env e;
    hot_options o = options_from_elsewhere(&e);
    hot_lib *lib = NULL;

    seam_fail_from_nth("readlink", "/proc/self/exe", 1, EACCES, 1);
    ASSERT(hot_open(&lib, "fx_v1", HOT_IFACE(fx), &o) < 0);
    ASSERT(seam_nth_seen() >= 1);
    ASSERT(strstr(hot_last_error(), "fixtures/libfx_v1.so") != NULL);
    seam_reset();
    ASSERT_HOT_OK(hot_open(&lib, "fx_v1", HOT_IFACE(fx), &o));
    ASSERT_EQ(fx_value(), FX_V1);
    hot_close(lib);
    env_free(&e);
}
