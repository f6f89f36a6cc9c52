/*
 * The supervisor socket, from the runtime's side: a process that no
 * supervisor started (no HOTRELOAD_EVENT_FD) reports its events to the
 * library's socket in the shadow folder when one is bound, found at each
 * event; a forked child reports with its own pid; a name held by a live
 * supervisor is refused, a stale one replaced; a failing socket() costs
 * the host nothing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"
#include "syscalls.h"

/* The next line of `kind` on sv, within WAIT_MS; its fields in out. */
static int next_line(hot_supervisor *sv, const char *kind, char *out, size_t len)
{
    struct pollfd p;
    uint64_t deadline = now_ms() + WAIT_MS;
    char want[64];

    snprintf(want, sizeof want, "\thotreload-event\t%s\t", kind);
    p.fd = hot_supervisor_fd(sv);
    p.events = POLLIN;
    while (now_ms() < deadline) {
        if (poll(&p, 1, 50) > 0) {
            while (hot_supervisor_read(sv, out, len) > 0) {
                if (strstr(out, want))
                    return 1;
            }
        }
    }
    return 0;
}

static unsigned long line_pid(const char *line)
{
    return strtoul(line, NULL, 10);
}

/* A fresh folder with build 1, options that reload at once. */
static hot_options fresh(fx_env *e)
{
    hot_options o;

    env_init(e);
    o = env_options(e);
    o.apply = HOT_APPLY_AT_ONCE;
    return o;
}

static void finish(fx_env *e, hot_lib *lib, hot_supervisor *sv)
{
    hot_close(lib);
    hot_supervisor_close(sv);
    env_free(e);
}

static hot_supervisor *supervise(const fx_env *e)
{
    hot_supervisor *sv = NULL;

    ASSERT_HOT_OK(hot_supervisor_open(&sv, e->lib, e->shadow));
    return sv;
}

TEST(announce, host_reports_to_a_supervisor_it_was_not_started_by)
{
    fx_env e;
    hot_options o;
    hot_supervisor *sv;
    hot_lib *lib;
    char line[1024];

    o = fresh(&e);
    sv = supervise(&e);
    lib = env_open(&o);
    ASSERT(next_line(sv, "opened", line, sizeof line));
    ASSERT_EQ(line_pid(line), (unsigned long)getpid());
    install_fixture(&e, "fx_v2");
    ASSERT(next_line(sv, "reloaded", line, sizeof line));
    ASSERT(strstr(line, "\treloaded\t2\t") != NULL);
    finish(&e, lib, sv);
}

TEST(announce, supervisor_started_after_the_host_is_found)
{
    fx_env e;
    hot_options o;
    hot_supervisor *sv;
    hot_lib *lib;
    char line[1024];

    o = fresh(&e);
    lib = env_open(&o);
    sv = supervise(&e);
    install_fixture(&e, "fx_v2");
    ASSERT(next_line(sv, "reloaded", line, sizeof line));
    ASSERT(strstr(line, "\treloaded\t2\t") != NULL);
    finish(&e, lib, sv);
}

TEST(announce, forked_child_reports_with_its_own_pid)
{
    fx_env e;
    hot_supervisor *sv;
    hot_options o;
    hot_lib *lib;
    char line[1024];
    pid_t child;
    int st;

    o = fresh(&e);
    lib = env_open(&o);
    sv = supervise(&e);
    child = fork();
    ASSERT(child >= 0);
    if (child == 0)
        _exit(hot_report(lib, "played", 7, 1.5, 0, "from the child") == 0 ? 0 : 1);
    ASSERT_EQ(waitpid(child, &st, 0), child);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ASSERT(next_line(sv, "played", line, sizeof line));
    ASSERT_EQ(line_pid(line), (unsigned long)child);
    ASSERT(strstr(line, "\tplayed\t7\t1.500\t-\tfrom the child") != NULL);
    finish(&e, lib, sv);
}

TEST(announce, report_kind_must_be_a_lowercase_word)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    o = fresh(&e);
    lib = env_open(&o);
    ASSERT_HOT_ERR(hot_report(lib, "Played", 1, 0, 0, "x"), HOT_EINVAL);
    ASSERT_HOT_ERR(hot_report(lib, "reloaded\tfake", 1, 0, 0, "x"), HOT_EINVAL);
    ASSERT_HOT_ERR(hot_report(lib, "", 1, 0, 0, "x"), HOT_EINVAL);
    ASSERT_HOT_ERR(hot_report(NULL, "played", 1, 0, 0, "x"), HOT_EINVAL);
    ASSERT_HOT_OK(hot_report(lib, "played", 1, 0, 0, NULL));
    hot_close(lib);
    env_free(&e);
}

TEST(announce, live_supervisor_refused_stale_one_replaced)
{
    fx_env e;
    hot_supervisor *sv, *second = NULL;
    pid_t child;
    int st;

    env_init(&e);
    sv = supervise(&e);
    ASSERT_HOT_ERR(hot_supervisor_open(&second, e.lib, e.shadow), HOT_EBUSY);
    ASSERT(strstr(hot_last_error(), "another supervisor already listens on") != NULL);
    ASSERT(second == NULL);
    hot_supervisor_close(sv);
    /* A supervisor killed without closing leaves its socket behind. */
    child = fork();
    ASSERT(child >= 0);
    if (child == 0) {
        hot_supervisor *gone = NULL;
        _exit(hot_supervisor_open(&gone, e.lib, e.shadow) == 0 ? 0 : 1);
    }
    ASSERT_EQ(waitpid(child, &st, 0), child);
    ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ASSERT_HOT_OK(hot_supervisor_open(&sv, e.lib, e.shadow));
    hot_supervisor_close(sv);
    env_free(&e);
}

static int failing_socket(int domain, int type, int protocol)
{
    (void)domain, (void)type, (void)protocol;
    errno = EMFILE;
    return -1;
}

TEST(announce, no_socket_for_the_host_costs_it_nothing)
{
    fx_env e;
    hot_options o;
    hot_supervisor *sv;
    hot_lib *lib;
    char line[1024];

    o = fresh(&e);
    sv = supervise(&e); /* bound before the seam fails socket() */
    hot__sys.socket = failing_socket;
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    ASSERT(wait_for_value(lib, FX_V2, WAIT_MS));
    ASSERT(hot_supervisor_read(sv, line, sizeof line) == 0); /* nothing came */
    hot_close(lib); /* its watcher reads the seam: put it back after */
    hot__syscalls_reset();
    hot_supervisor_close(sv);
    env_free(&e);
}

/* A shadow folder whose path does not fit in a socket address (108
 * bytes): both sides reach the socket through the held folder. */
TEST(announce, long_shadow_folder_path)
{
    fx_env e;
    hot_options o;
    hot_supervisor *sv = NULL;
    hot_lib *lib;
    char shadow[400], line[1024];

    o = fresh(&e);
    snprintf(shadow, sizeof shadow, "%s/%0120d", e.dir, 0);
    o.shadow_dir = shadow;
    ASSERT_HOT_OK(hot_supervisor_open(&sv, e.lib, shadow));
    ASSERT(strlen(hot_supervisor_path(sv)) > 108);
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    ASSERT(next_line(sv, "reloaded", line, sizeof line));
    finish(&e, lib, sv);
}
