/*
 * Shadow copies on disk: which exist after reloads, after close, after a
 * crash (swept by the next process), with two processes sharing the shadow
 * folder, and after a thousand reloads.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

/* Reloads to build `name` and returns the path of its copy. */
static char *reload_to(fx_env *e, hot_lib *lib, const char *name, long value)
{
    install_fixture(e, name);
    ASSERT(wait_for_value(lib, value, WAIT_MS));
    return strdup(hot_loaded_path(lib));
}

/* On disk: the running build's copy and the one before it (what a crash
 * in a guarded call would roll back to); older copies are gone. Nothing is
 * left after hot_close, not even the owner file. */
TEST(shadow, copies_follow_versions)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    char *c1, *c2, *c3;

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    c1 = strdup(hot_loaded_path(lib));
    ASSERT_EQ(count_copies(e.shadow), 1);
    ASSERT_EQ(count_owner_files(e.shadow), 1);
    c2 = reload_to(&e, lib, "fx_v2", FX_V2);
    c3 = reload_to(&e, lib, "fx_v3", FX_V3);
    ASSERT(strcmp(c1, c2) != 0 && strcmp(c2, c3) != 0);
    wait_for_copies(e.shadow, 2);
    ASSERT(!path_exists(c1));
    ASSERT(path_exists(c2));
    ASSERT(path_exists(c3));
    ASSERT_EQ(count_copies(e.shadow), 2);
    hot_close(lib);
    ASSERT_EQ(count_copies(e.shadow), 0);
    ASSERT_EQ(count_owner_files(e.shadow), 0);
    free(c1);
    free(c2);
    free(c3);
    env_free(&e);
}

/* A build refused after its copy was made leaves no copy behind. */
TEST(shadow, refused_build_leaves_no_copy)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    o.watch = HOT_WATCH_NONE;
    lib = env_open(&o);
    install_fixture(&e, "fx_sig");
    ASSERT_HOT_ERR(hot_reload_now(lib), HOT_EMISMATCH);
    install_fixture(&e, "fx_undef");
    ASSERT_HOT_ERR(hot_reload_now(lib), HOT_ELOAD);
    ASSERT_EQ(count_copies(e.shadow), 1);
    ASSERT_EQ(hot_versions_held(lib), 1);
    hot_close(lib);
    env_free(&e);
}

static int remove_tree_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Something (a /tmp cleaner, a user) removes the shadow folder while the
 * program runs: the next build must still load, the folder made again. */
TEST(shadow, folder_removed_while_running)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT_EQ(nftw(e.shadow, remove_tree_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
    ASSERT(!path_exists(e.shadow));
    ASSERT_EQ(fx_value(), FX_V1); /* the mapping outlives its file */
    install_fixture(&e, "fx_v2");
    if (!wait_for_value(lib, FX_V2, 2000))
        FAIL("build 2 did not load after the shadow folder went: %s", hot_errmsg(lib));
    ASSERT(path_exists(hot_loaded_path(lib)));
    hot_close(lib);
    env_free(&e);
}

/* Exiting without hot_close still deletes the copies (exit handler). */
TEST(shadow, exit_without_close_deletes_copies)
{
    fx_env e;
    int status;
    pid_t pid;

    env_init(&e);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        hot_options o = env_options(&e);
        env_open(&o);
        exit(count_copies(e.shadow) == 1 ? 0 : 3);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    ASSERT_EQ(count_copies(e.shadow), 0);
    ASSERT_EQ(count_owner_files(e.shadow), 0);
    env_free(&e);
}

/* A process killed with its library open leaves its copy; the next
 * hot_open on the same shadow folder sweeps it. */
TEST(shadow, crashed_process_copies_swept)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    int pipefd[2], status;
    char child_copy[512] = "";
    ssize_t n;
    pid_t pid;

    env_init(&e);
    ASSERT_EQ(pipe(pipefd), 0);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        hot_lib *child_lib;
        o = env_options(&e);
        child_lib = env_open(&o);
        if (write(pipefd[1], hot_loaded_path(child_lib), strlen(hot_loaded_path(child_lib))) < 0)
            _exit(3);
        raise(SIGKILL);
    }
    close(pipefd[1]);
    n = read(pipefd[0], child_copy, sizeof child_copy - 1);
    child_copy[n > 0 ? n : 0] = '\0';
    close(pipefd[0]);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    ASSERT(path_exists(child_copy));
    ASSERT_EQ(count_copies(e.shadow), 1);
    ASSERT_EQ(count_owner_files(e.shadow), 1);

    o = env_options(&e);
    lib = env_open(&o);
    ASSERT(!path_exists(child_copy));
    ASSERT_EQ(count_copies(e.shadow), 1); /* ours */
    ASSERT_EQ(count_owner_files(e.shadow), 1);
    hot_close(lib);
    ASSERT_EQ(count_copies(e.shadow), 0);
    env_free(&e);
}

/* ---- Another process sweeping while we open ------------------------------- */

/* The runtime's sweep of a shadow folder, as another process's hot_open
 * runs it (src/shadow.c). */
void hot__shadow_sweep(const char *shadow_dir);

static const char *race_shadow_dir;
static int race_swept;

static void sweep_after_owner_created(const char *path, int fd)
{
    (void)fd;
    if (race_swept || !strstr(path, "owner-")) /* .owner-* or its unlisted name */
        return;
    race_swept = 1;
    hot__shadow_sweep(race_shadow_dir);
}

/* A process starting while another sweeps the shared shadow folder: the
 * sweep may run between the creation of our owner file and its lock. Our
 * owner file must survive it (it is how our copies get swept if we crash). */
TEST(shadow, owner_file_survives_concurrent_sweep)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;

    env_init(&e);
    race_shadow_dir = e.shadow;
    seam_after_open(sweep_after_owner_created);
    o = env_options(&e);
    lib = env_open(&o);
    ASSERT(race_swept);
    ASSERT_EQ(count_owner_files(e.shadow), 1);
    hot_close(lib);
    seam_reset();
    env_free(&e);
}

/* ---- Two processes -------------------------------------------------------- */

/* The host each process runs: opens fx in dir with copies in shadow, says
 * "ready <copy>", waits for build 2, says "reloaded <value> <copy>", waits
 * for a line on stdin, checks its copy is still there and closes. */
HELPER(two_process_host)
{
    hot_options o = HOT_OPTIONS_INIT;
    hot_lib *lib = NULL;
    char line[64];
    int err;

    if (argc < 2)
        return 2;
    o.dir = argv[0];
    o.shadow_dir = argv[1];
    o.settle_ms = TEST_SETTLE_MS;
    err = hot_open(&lib, "fx", HOT_IFACE(fx), &o);
    if (err) {
        fprintf(stderr, "child: hot_open: %s\n", hot_last_error());
        return 3;
    }
    printf("ready %s\n", hot_loaded_path(lib));
    if (!wait_for_value(lib, FX_V2, WAIT_MS))
        return 4;
    printf("reloaded %ld %s\n", fx_value(), hot_loaded_path(lib));
    if (!fgets(line, sizeof line, stdin))
        return 5;
    if (!path_exists(hot_loaded_path(lib))) {
        fprintf(stderr, "child: my copy %s is gone\n", hot_loaded_path(lib));
        return 6;
    }
    hot_close(lib);
    return 0;
}

typedef struct child {
    pid_t pid;
    FILE *from;   /* its stdout */
    FILE *to;     /* its stdin */
    char copy[512];
} child;

static void spawn_host(child *c, fx_env *e)
{
    int in[2], out[2];
    char self[512];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

    ASSERT(n > 0);
    self[n] = '\0';
    ASSERT_EQ(pipe(in), 0);
    ASSERT_EQ(pipe(out), 0);
    c->pid = fork();
    ASSERT(c->pid >= 0);
    if (c->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(self, self, "helper:two_process_host", e->dir, e->shadow, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->from = fdopen(out[0], "r");
    c->to = fdopen(in[1], "w");
    ASSERT(c->from && c->to);
}

/* Reads "<word> ... <path>" from the child; keeps the path. */
static void expect_line(child *c, const char *word)
{
    char line[700], *space;

    if (!fgets(line, sizeof line, c->from))
        FAIL("child %d said nothing, expected '%s'", (int)c->pid, word);
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, word, strlen(word)) != 0)
        FAIL("child %d said '%s', expected '%s'", (int)c->pid, line, word);
    space = strrchr(line, ' ');
    ASSERT(space != NULL);
    snprintf(c->copy, sizeof c->copy, "%s", space + 1);
}

static void close_host(child *c)
{
    int status;

    fputs("close\n", c->to);
    fflush(c->to);
    ASSERT_EQ(waitpid(c->pid, &status, 0), c->pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        FAIL("child %d ended with status %#x", (int)c->pid, status);
    fclose(c->to);
    fclose(c->from);
}

/* Two processes run the same library with the same shadow folder: each
 * reloads on its own, neither deletes the other's copies, both exit
 * cleanly and leave nothing behind. */
TEST(shadow, two_processes_share_shadow_dir)
{
    fx_env e;
    child a, b;

    env_init(&e);
    spawn_host(&a, &e);
    expect_line(&a, "ready");
    spawn_host(&b, &e); /* its hot_open sweeps the folder while a runs */
    expect_line(&b, "ready");
    ASSERT(path_exists(a.copy));
    ASSERT(path_exists(b.copy));
    install_fixture(&e, "fx_v2");
    expect_line(&a, "reloaded 2");
    expect_line(&b, "reloaded 2");
    ASSERT(strcmp(a.copy, b.copy) != 0);
    ASSERT(path_exists(a.copy));
    ASSERT(path_exists(b.copy));
    close_host(&a);
    ASSERT(!path_exists(a.copy));
    ASSERT(path_exists(b.copy));
    close_host(&b);
    ASSERT_EQ(count_copies(e.shadow), 0);
    ASSERT_EQ(count_owner_files(e.shadow), 0);
    env_free(&e);
}

/* ---- Many reloads ---------------------------------------------------------- */

/* A thousand reloads, alternating two builds, with old versions unloaded at
 * each safe point: at most one copy on disk then, and few versions held. */
TEST(shadow, thousand_reloads)
{
    enum { RELOADS = 1000 };
    fx_env e;
    hot_options o;
    hot_lib *lib;
    unsigned char *builds[2];
    size_t lens[2];
    uint64_t t0 = now_ms();
    int i;

    env_init(&e);
    builds[0] = patched_build(1, &lens[0]);
    builds[1] = patched_build(2, &lens[1]);
    o = env_options(&e);
    o.watch = HOT_WATCH_NONE;
    o.unload_retired = 1;
    lib = env_open(&o);
    for (i = 0; i < RELOADS; i++) {
        install_bytes(&e, builds[i % 2], lens[i % 2]);
        ASSERT_EQ(hot_reload_now(lib), 1);
        ASSERT_EQ(fx_value(), FX_PATCH_BASE + 1 + i % 2);
        hot_update(lib); /* the safe point: older versions go */
        if (count_copies(e.shadow) > 1)
            FAIL("after reload %d: %d copies on disk", i + 1, count_copies(e.shadow));
    }
    harness_note("%d reloads in %llu ms", RELOADS, (unsigned long long)(now_ms() - t0));
    ASSERT_EQ(hot_version(lib), RELOADS + 1);
    ASSERT_LE(hot_versions_held(lib), 1);
    ASSERT_LE(count_loaded_under(e.shadow), 1);
    hot_close(lib);
    ASSERT_EQ(count_copies(e.shadow), 0);
    free(builds[0]);
    free(builds[1]);
    env_free(&e);
}
