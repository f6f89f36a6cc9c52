/*
 * The handle's API around reloading: opening (errors, overrides, paths),
 * options, logging, and calls made with no library loaded.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

TEST(api, paths)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    char fmt_name[64];

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_STR_EQ(hot_path(lib), e.lib);
    ASSERT(strncmp(hot_loaded_path(lib), e.shadow, strlen(e.shadow)) == 0);
    ASSERT(path_exists(hot_loaded_path(lib)));
    snprintf(fmt_name, sizeof fmt_name, hot_lib_filename_format(), "fx");
    ASSERT_STR_EQ(fmt_name, "libfx.so");
    hot_close(lib);
    env_free(&e);
}

TEST(api, open_by_path)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;

    env_init(&e);
    o = env_options(&e);
    o.dir = NULL;
    ASSERT_HOT_OK(hot_open(&lib, e.lib, HOT_IFACE(fx), &o));
    ASSERT_STR_EQ(hot_path(lib), e.lib);
    ASSERT_EQ(fx_value(), FX_V1);
    hot_close(lib);
    env_free(&e);
}

/* HOTRELOAD_LIB_FX points the handle at another file. */
TEST(api, env_override)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    char other[400];
    size_t len;
    unsigned char *buf;

    env_init(&e);
    snprintf(other, sizeof other, "%s/elsewhere.so", e.dir);
    buf = read_whole(fixture("fx_v3"), &len);
    write_whole(other, buf, len);
    free(buf);
    setenv("HOTRELOAD_LIB_FX", other, 1);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_STR_EQ(hot_path(lib), other);
    ASSERT_EQ(fx_value(), FX_V3);
    hot_close(lib);
    unsetenv("HOTRELOAD_LIB_FX");
    env_free(&e);
}

TEST(api, env_override_named_by_option)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    char other[400];
    size_t len;
    unsigned char *buf;

    env_init(&e);
    snprintf(other, sizeof other, "%s/chosen.so", e.dir);
    buf = read_whole(fixture("fx_v2"), &len);
    write_whole(other, buf, len);
    free(buf);
    setenv("MY_FX_LIBRARY", other, 1);
    o = env_options(&e);
    o.env_override = "MY_FX_LIBRARY";
    lib = env_open(&o);
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(lib);
    env_free(&e);
}

TEST(api, log_level_from_env)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    log_capture logs;
    int i;

    env_init(&e);
    o = env_options(&e);
    log_capture_init(&logs, &o);
    setenv("HOTRELOAD_LOG", "info", 1);
    lib = env_open(&o);
    i = log_capture_find(&logs, "loaded v1 from", 0);
    ASSERT(i >= 0);
    ASSERT_EQ(logs.levels[i], HOT_LOG_INFO);
    ASSERT_CONTAINS(logs.lines[i], e.shadow);
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    ASSERT(log_capture_find(&logs, "reloaded v2", WAIT_MS) >= 0);
    hot_close(lib);
    log_capture_free(&logs);
    env_free(&e);
}

/* At "error", a refusal (a warning) is not logged; the event still comes. */
TEST(api, log_level_error_hides_warnings)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    log_capture logs;
    recorder rec;

    env_init(&e);
    o = env_options(&e);
    o.log_level = HOT_LOG_DEBUG; /* the environment wins */
    log_capture_init(&logs, &o);
    setenv("HOTRELOAD_LOG", "error", 1);
    lib = env_open(&o);
    recorder_init(&rec);
    recorder_attach(&rec, lib, HOT_EVENT_REFUSED);
    install_bytes(&e, "junk", 4);
    ASSERT(recorder_wait(&rec, HOT_EVENT_REFUSED, 0, WAIT_MS) >= 0);
    ASSERT_EQ(log_capture_count(&logs), 0);
    hot_close(lib);
    recorder_free(&rec);
    log_capture_free(&logs);
    env_free(&e);
}

TEST(api, log_level_option)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    log_capture logs;
    recorder rec;
    int i;

    unsetenv("HOTRELOAD_LOG");
    env_init(&e);
    o = env_options(&e);
    o.log_level = HOT_LOG_WARN;
    log_capture_init(&logs, &o);
    lib = env_open(&o);
    ASSERT_EQ(log_capture_find(&logs, "loaded v1", 0), -1); /* info: below warn */
    recorder_init(&rec);
    recorder_attach(&rec, lib, HOT_EVENT_REFUSED);
    install_bytes(&e, "junk", 4);
    i = log_capture_find(&logs, "refused", WAIT_MS);
    ASSERT(i >= 0);
    ASSERT_EQ(logs.levels[i], HOT_LOG_WARN);
    ASSERT_CONTAINS(logs.lines[i], "not an ELF");
    hot_close(lib);
    recorder_free(&rec);
    log_capture_free(&logs);
    env_free(&e);
}

TEST(api, options_version_mismatch)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = (hot_lib *)&e; /* must be set to NULL */

    env_init(&e);
    o = env_options(&e);
    o.version = 99;
    ASSERT_HOT_ERR(hot_open(&lib, "fx", HOT_IFACE(fx), &o), HOT_EINVAL);
    ASSERT(lib == NULL);
    ASSERT_CONTAINS(hot_last_error(), "options version 99");
    ASSERT_EQ(count_copies(e.shadow), 0);
    env_free(&e);
}

TEST(api, open_missing_library)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;
    char missing[400];

    env_init(&e);
    snprintf(missing, sizeof missing, "%s/libnothere.so", e.dir);
    o = env_options(&e);
    ASSERT_HOT_ERR(hot_open(&lib, "nothere", HOT_IFACE(fx), &o), HOT_ENOENT);
    ASSERT(lib == NULL);
    ASSERT_CONTAINS(hot_last_error(), missing);
    ASSERT_CONTAINS(hot_last_error(), "no such file");
    ASSERT_EQ(count_copies(e.shadow), 0);
    ASSERT_EQ(count_owner_files(e.shadow), 0);
    env_free(&e);
}

/* A first build that is refused fails hot_open with the reason. */
TEST(api, open_refused_library)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;

    env_init(&e);
    install_fixture(&e, "fx_sig");
    o = env_options(&e);
    ASSERT_HOT_ERR(hot_open(&lib, "fx", HOT_IFACE(fx), &o), HOT_EMISMATCH);
    ASSERT_CONTAINS(hot_last_error(), "fx_step: signature changed");
    ASSERT_EQ(count_copies(e.shadow), 0);
    env_free(&e);
}

TEST(api, open_twice_is_busy)
{
    fx_env e;
    hot_options o;
    hot_lib *lib, *second = NULL;

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_HOT_ERR(hot_open(&second, "fx", HOT_IFACE(fx), &o), HOT_EBUSY);
    ASSERT(second == NULL);
    ASSERT_CONTAINS(hot_last_error(), "already open");
    ASSERT_EQ(fx_value(), FX_V1); /* the first handle is untouched */
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    hot_close(lib);
    lib = env_open(&o); /* free again after close */
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(lib);
    env_free(&e);
}

TEST(api, null_arguments)
{
    hot_lib *lib = NULL;

    ASSERT_HOT_ERR(hot_open(NULL, "fx", HOT_IFACE(fx), NULL), HOT_EINVAL);
    ASSERT_HOT_ERR(hot_open(&lib, NULL, HOT_IFACE(fx), NULL), HOT_EINVAL);
    ASSERT_HOT_ERR(hot_open(&lib, "fx", NULL, NULL), HOT_EINVAL);
    hot_close(NULL);
    ASSERT_HOT_ERR(hot_update(NULL), HOT_EINVAL);
    ASSERT_HOT_ERR(hot_reload_now(NULL), HOT_EINVAL);
    ASSERT_HOT_ERR(hot_wait_reload(NULL, 0, 1), HOT_EINVAL);
    ASSERT_HOT_ERR(hot_quiescent(NULL), HOT_EINVAL);
    ASSERT_EQ(hot_version(NULL), 0);
    ASSERT_EQ(hot_was_updated(NULL), 0);
    ASSERT_EQ(hot_versions_held(NULL), 0);
    ASSERT(hot_errmsg(NULL) != NULL);
    hot_listener_close(NULL);
}

/* Calling a hot function after hot_close stops the program with a message
 * naming the cause (in a child, which is expected to die). */
TEST(api, call_after_close_traps)
{
    fx_env e;
    int pipefd[2], status;
    char out[1024] = "";
    ssize_t n;
    pid_t pid;

    env_init(&e);
    ASSERT_EQ(pipe(pipefd), 0);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        hot_options o = env_options(&e);
        hot_lib *lib = env_open(&o);
        dup2(pipefd[1], 2);
        hot_close(lib);
        fx_value();
        _exit(0); /* not reached if the trap works */
    }
    close(pipefd[1]);
    n = read(pipefd[0], out, sizeof out - 1);
    out[n > 0 ? n : 0] = '\0';
    close(pipefd[0]);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFSIGNALED(status));
    ASSERT_EQ(WTERMSIG(status), SIGABRT);
    ASSERT_CONTAINS(out, "no version of its library is loaded");
    env_free(&e);
}
