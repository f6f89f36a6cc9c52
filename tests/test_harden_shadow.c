/*
 * The shadow folder under attack (issue 7 items 1-5, 21, 22; issue 8 items
 * 27 and 36): another user who makes the folder again after a temp cleaner
 * removed it, a link planted in its place, a folder swapped between the
 * copy and the load, a folder under a directory anyone can write, a FIFO
 * named like an owner file, a privileged host with a hostile environment,
 * a forked child, an event channel whose reader has gone. Each system call
 * the folder code makes is also forced to fail once through the seam.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

enum { OTHER_UID = 65534 }; /* nobody */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* What a temp cleaner does. */
static void remove_tree(const char *path)
{
    ASSERT_EQ(nftw(path, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
    ASSERT(!path_exists(path));
}

static void path_in(char *out, size_t len, const char *dir, const char *name)
{
    snprintf(out, len, "%s/%s", dir, name);
}

static hot_lib *open_unwatched(fx_env *e)
{
    hot_options o = env_options(e);

    o.watch = HOT_WATCH_NONE;
    return env_open(&o);
}

/* Runs fn(arg) in a child as another user; returns its exit status. */
static int as_other_user(int (*fn)(const char *), const char *arg)
{
    int status;
    pid_t pid;

    if (geteuid() != 0)
        SKIP("needs root to become another user");
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        if (setresgid(OTHER_UID, OTHER_UID, OTHER_UID) != 0 ||
            setresuid(OTHER_UID, OTHER_UID, OTHER_UID) != 0)
            _exit(90);
        _exit(fn(arg));
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int make_open_folder(const char *path)
{
    return mkdir(path, 0777) == 0 && chmod(path, 0777) == 0 ? 0 : 1;
}

/* ---- Item 1: the folder is checked whenever it is made or used ----------- */

/* /tmp-like: a temp cleaner removes the shadow folder, another user makes
 * one of the same name. The next reload must not write or load anything
 * there: refused, build 1 goes on. */
TEST(harden_shadow, folder_made_again_by_another_user_refused)
{
    fx_env e;
    hot_lib *lib;

    env_init(&e);
    ASSERT_EQ(chmod(e.dir, 01777), 0);
    lib = open_unwatched(&e);
    remove_tree(e.shadow);
    ASSERT_EQ(as_other_user(make_open_folder, e.shadow), 0);
    install_fixture(&e, "fx_v2");
    ASSERT_HOT_ERR(hot_reload_now(lib), HOT_EACCES);
    ASSERT_CONTAINS(hot_errmsg(lib), "uid 65534");
    ASSERT(!strchr(hot_errmsg(lib), '\n'));
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_EQ(count_copies(e.shadow), 0);
    ASSERT_EQ(count_owner_files(e.shadow), 0);
    hot_close(lib);
    env_free(&e);
}

/* The folder removed and a link planted in its place: refused, nothing
 * written where the link points. */
TEST(harden_shadow, link_in_place_of_folder_refused)
{
    fx_env e;
    hot_lib *lib;
    char elsewhere[400];

    env_init(&e);
    lib = open_unwatched(&e);
    path_in(elsewhere, sizeof elsewhere, e.dir, "elsewhere");
    ASSERT_EQ(mkdir(elsewhere, 0700), 0);
    remove_tree(e.shadow);
    ASSERT_EQ(symlink(elsewhere, e.shadow), 0);
    install_fixture(&e, "fx_v2");
    ASSERT_HOT_ERR(hot_reload_now(lib), HOT_EACCES);
    ASSERT_CONTAINS(hot_errmsg(lib), "link");
    ASSERT_EQ(fx_value(), FX_V1);
    ASSERT_EQ(count_copies(elsewhere), 0);
    ASSERT_EQ(count_owner_files(elsewhere), 0);
    /* The link removed, the folder is made again and the build loads. */
    ASSERT_EQ(unlink(e.shadow), 0);
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(lib);
    env_free(&e);
}

/* A folder above the shadow folder that anyone may rename entries in (no
 * sticky bit): the folder could be swapped at any time. Refused at open;
 * with the sticky bit (as /tmp) accepted. */
TEST(harden_shadow, open_ancestor_refused)
{
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;
    char open_dir[400], shadow[420];

    env_init(&e);
    path_in(open_dir, sizeof open_dir, e.dir, "open");
    path_in(shadow, sizeof shadow, open_dir, "shadow");
    ASSERT_EQ(mkdir(open_dir, 0777), 0);
    ASSERT_EQ(chmod(open_dir, 0777), 0);
    o = env_options(&e);
    o.shadow_dir = shadow;
    ASSERT_HOT_ERR(hot_open(&lib, "fx", HOT_IFACE(fx), &o), HOT_EACCES);
    ASSERT_CONTAINS(hot_last_error(), open_dir);
    ASSERT_CONTAINS(hot_last_error(), "not sticky");
    ASSERT(!path_exists(shadow));
    ASSERT_EQ(chmod(open_dir, 01777), 0);
    lib = env_open(&o);
    hot_close(lib);
    env_free(&e);
}

static fx_env *swap_env;
static int swap_armed, swap_done;

/* Right after the runtime created its copy (still empty), the folder is
 * renamed away and a folder holding build 3 under the copy's name takes
 * its place: whoever loads by path loads build 3. */
static void swap_folder_after_copy_created(const char *path, int fd)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char moved[400], planted[700];
    size_t len;
    unsigned char *bytes;

    (void)fd;
    if (!__atomic_load_n(&swap_armed, __ATOMIC_ACQUIRE) || swap_done ||
        strncmp(base, "libfx.", 6) != 0 || strcmp(base, "libfx.so") == 0)
        return; /* only the copy, not the library read before it */
    swap_done = 1;
    snprintf(moved, sizeof moved, "%s.moved", swap_env->shadow);
    ASSERT_EQ(rename(swap_env->shadow, moved), 0);
    ASSERT_EQ(mkdir(swap_env->shadow, 0700), 0);
    path_in(planted, sizeof planted, swap_env->shadow, base);
    bytes = read_whole(fixture("fx_v3"), &len);
    write_whole(planted, bytes, len);
    free(bytes);
}

static hot_lib *open_for_swap(fx_env *e)
{
    swap_env = e;
    seam_after_open(swap_folder_after_copy_created);
    return open_unwatched(e);
}

/* Loaded is what was written: the copy is loaded through the folder held
 * by descriptor, not by a path a rename can redirect. */
TEST(harden_shadow, folder_swapped_between_copy_and_load)
{
    fx_env e;
    hot_lib *lib;

    env_init(&e);
    lib = open_for_swap(&e);
    install_fixture(&e, "fx_v2");
    __atomic_store_n(&swap_armed, 1, __ATOMIC_RELEASE);
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT(swap_done);
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(lib);
    seam_reset();
    env_free(&e);
}

/* Without /proc (forced: fstatat of /proc paths fails) the copy is loaded
 * by the folder's path, checked to still be the folder held. */
TEST(harden_shadow, loads_without_proc)
{
    fx_env e;
    hot_lib *lib;

    env_init(&e);
    seam_fail_call("fstatat", "/proc/", ENOENT);
    lib = open_unwatched(&e);
    ASSERT_EQ(count_loaded_under(e.shadow), 1);
    install_fixture(&e, "fx_v2");
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_V2);
    hot_close(lib);
    seam_reset();
    env_free(&e);
}

/* Without /proc, a folder swapped before the load is noticed: refused. */
TEST(harden_shadow, swapped_folder_without_proc_refused)
{
    fx_env e;
    hot_lib *lib;

    env_init(&e);
    seam_fail_call("fstatat", "/proc/", ENOENT);
    lib = open_for_swap(&e);
    install_fixture(&e, "fx_v2");
    __atomic_store_n(&swap_armed, 1, __ATOMIC_RELEASE);
    ASSERT_HOT_ERR(hot_reload_now(lib), HOT_EACCES);
    ASSERT_CONTAINS(hot_errmsg(lib), "no longer the folder");
    ASSERT_EQ(fx_value(), FX_V1);
    hot_close(lib);
    seam_reset();
    env_free(&e);
}

/* ---- Each system call of the folder code, forced to fail ----------------- */

/* The reload is refused with one line naming the call; build 1 goes on;
 * once the call works again the same build loads. */
static void expect_refused_naming(hot_lib *lib, const char *call)
{
    int err = hot_reload_now(lib);

    if (err >= 0)
        FAIL("reload with %s failing: %d, expected a refusal", call, err);
    ASSERT_CONTAINS(hot_errmsg(lib), call);
    ASSERT(!strchr(hot_errmsg(lib), '\n'));
    ASSERT_EQ(fx_value(), FX_V1);
    seam_fail_call(NULL, NULL, 0);
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(fx_value(), FX_V2);
}

static hot_lib *open_with_seam(fx_env *e)
{
    env_init(e);
    seam_fail_call("openat", NULL, 0); /* installs the fakes, fails nothing */
    return open_unwatched(e);
}

static void close_with_seam(fx_env *e, hot_lib *lib)
{
    hot_close(lib);
    seam_reset();
    env_free(e);
}

TEST(harden_shadow, openat_failure_refused)
{
    fx_env e;
    hot_lib *lib = open_with_seam(&e);

    install_fixture(&e, "fx_v2");
    seam_fail_call("openat", "libfx.", EACCES);
    expect_refused_naming(lib, "openat");
    close_with_seam(&e, lib);
}

TEST(harden_shadow, mkdirat_failure_refused)
{
    fx_env e;
    hot_lib *lib = open_with_seam(&e);

    install_fixture(&e, "fx_v2");
    remove_tree(e.shadow);
    seam_fail_call("mkdirat", "shadow", EACCES);
    expect_refused_naming(lib, "mkdirat");
    ASSERT(path_exists(e.shadow));
    close_with_seam(&e, lib);
}

TEST(harden_shadow, renameat_failure_refused)
{
    fx_env e;
    hot_lib *lib = open_with_seam(&e);

    install_fixture(&e, "fx_v2");
    remove_tree(e.shadow); /* made again, with a new owner file */
    seam_fail_call("renameat", ".owner-", EACCES);
    expect_refused_naming(lib, "renameat");
    ASSERT_EQ(count_owner_files(e.shadow), 1);
    close_with_seam(&e, lib);
}

TEST(harden_shadow, fstatat_failure_refused)
{
    fx_env e;
    hot_lib *lib = open_with_seam(&e);

    install_fixture(&e, "fx_v2");
    remove_tree(e.shadow); /* made again: the way to it is checked again */
    seam_fail_call("fstatat", NULL, EACCES);
    expect_refused_naming(lib, "fstatat");
    close_with_seam(&e, lib);
}

/* A copy that cannot be deleted is not a reason to refuse anything: one
 * warning naming the call (on stderr: a version's copy is deleted where no
 * handle's log is at hand). */
TEST(harden_shadow, unlinkat_failure_warned)
{
    fx_env e;
    hot_lib *lib;
    char err_path[400];
    unsigned char *said;
    size_t len;
    int saved_stderr, fd;

    env_init(&e);
    path_in(err_path, sizeof err_path, e.dir, "stderr.txt");
    seam_fail_call("unlinkat", NULL, 0);
    lib = open_unwatched(&e);
    seam_fail_call("unlinkat", "libfx.", EACCES);
    install_fixture(&e, "fx_v2");
    ASSERT_EQ(hot_reload_now(lib), 1);
    install_fixture(&e, "fx_v3");
    fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    saved_stderr = dup(2);
    ASSERT(fd >= 0 && saved_stderr >= 0);
    dup2(fd, 2);
    ASSERT_EQ(hot_reload_now(lib), 1); /* build 1's copy is deleted now */
    dup2(saved_stderr, 2);
    close(fd);
    close(saved_stderr);
    ASSERT_EQ(fx_value(), FX_V3);
    said = read_whole(err_path, &len);
    said[len] = '\0'; /* read_whole leaves room for it */
    ASSERT_CONTAINS((const char *)said, "unlinkat");
    free(said);
    seam_fail_call(NULL, NULL, 0);
    hot_close(lib);
    seam_reset();
    env_free(&e);
}

/* ---- Item 2: a privileged host ignores the environment ------------------- */

HELPER(privileged_host)
{
    hot_options o = HOT_OPTIONS_INIT;
    hot_lib *lib = NULL;

    if (argc < 2)
        return 2;
    o.dir = argv[0];
    o.shadow_dir = argv[1];
    o.watch = HOT_WATCH_NONE;
    if (hot_open(&lib, "fx", HOT_IFACE(fx), &o) != 0) {
        fprintf(stderr, "privileged_host: %s\n", hot_last_error());
        return 3;
    }
    printf("%ld\n", fx_value());
    hot_close(lib);
    return 0;
}

/* A setuid host started by another user who sets HOTRELOAD_LIB_FX (code
 * of their choice) and HOTRELOAD_EVENT_FD (a descriptor to write to): the
 * host loads its own library and has no channel. */
TEST(harden_shadow, setuid_host_ignores_environment)
{
    fx_env e;
    char host[400], line[64] = "";
    int out[2], status;
    ssize_t n;
    pid_t pid;
    size_t len;
    unsigned char *self;

    if (geteuid() != 0)
        SKIP("needs root to make a setuid program");
    env_init(&e);
    ASSERT_EQ(chmod(e.dir, 0755), 0);
    path_in(host, sizeof host, e.dir, "host");
    self = read_whole("/proc/self/exe", &len);
    write_whole(host, self, len);
    free(self);
    ASSERT_EQ(chmod(host, 04755), 0);
    ASSERT_EQ(pipe(out), 0);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        setenv("HOTRELOAD_LIB_FX", fixture("fx_v2"), 1);
        setenv("HOTRELOAD_EVENT_FD", "1", 1);
        if (setresgid(OTHER_UID, OTHER_UID, OTHER_UID) != 0 ||
            setresuid(OTHER_UID, OTHER_UID, OTHER_UID) != 0)
            _exit(90);
        execl(host, host, "helper:privileged_host", e.dir, e.shadow, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    n = read(out[0], line, sizeof line - 1);
    line[n > 0 ? n : 0] = '\0';
    close(out[0]);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        SKIP("cannot run a setuid program here (nosuid?)");
    ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Build 1, and no "hotreload-event" line on the descriptor named. */
    ASSERT_STR_EQ(line, "1\n");
    env_free(&e);
}

/* ---- Item 4: copy names stay inside the folder --------------------------- */

TEST(harden_shadow, copy_name_template_refused)
{
    static const char *const bad[] = { "../up-{uuid}", "sub/{uuid}", "{uuid}/..", ".owner-{uuid}",
                                       "a..b{uuid}" };
    fx_env e;
    hot_options o;
    hot_lib *lib = NULL;
    size_t i;

    env_init(&e);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = env_options(&e);
        o.shadow_name = bad[i];
        ASSERT_HOT_ERR(hot_open(&lib, "fx", HOT_IFACE(fx), &o), HOT_EINVAL);
        ASSERT_CONTAINS(hot_last_error(), "shadow_name");
        ASSERT_CONTAINS(hot_last_error(), bad[i]);
        ASSERT(lib == NULL);
    }
    ASSERT_EQ(count_copies(e.dir), 1); /* libfx.so only */
    env_free(&e);
}

/* ---- Item 5: hotreload check and a constructor that crashes --------------- */

/* hot_inspect (what `hotreload check` runs) lists its copy in an owner file
 * before loading it: a constructor that crashes the process leaves a copy
 * the next sweep deletes. */
TEST(harden_shadow, inspect_crash_leaves_no_copy)
{
    fx_env e;
    char runtime_dir[400], shadow[420];
    hot_library_info *info = NULL;
    int status;
    pid_t pid;

    env_init(&e);
    path_in(runtime_dir, sizeof runtime_dir, e.dir, "run");
    path_in(shadow, sizeof shadow, runtime_dir, "hotreload");
    ASSERT_EQ(mkdir(runtime_dir, 0700), 0);
    setenv("XDG_RUNTIME_DIR", runtime_dir, 1);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        hot_inspect(&info, fixture("fx_ctor_crash"));
        _exit(0);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    /* SIGSEGV, or a sanitizer's report of it and exit */
    ASSERT(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0));
    ASSERT(path_exists(shadow));
    ASSERT_EQ(count_copies(shadow), 1);      /* left by the crash... */
    ASSERT_EQ(count_owner_files(shadow), 1); /* ...and listed */
    ASSERT_HOT_OK(hot_inspect(&info, fixture("fx_v1")));
    hot_info_free(info);
    ASSERT_EQ(count_copies(shadow), 0);
    ASSERT_EQ(count_owner_files(shadow), 0);
    env_free(&e);
}

/* ---- Item 21: a forked child leaves its parent's files alone -------------- */

TEST(harden_shadow, forked_child_leaves_parent_files)
{
    fx_env e;
    hot_lib *lib;
    char *copy;
    int status, round;
    pid_t pid;

    env_init(&e);
    lib = open_unwatched(&e);
    copy = strdup(hot_loaded_path(lib));
    for (round = 0; round < 2; round++) {
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
            if (round == 1)
                hot_close(lib); /* a child closing what it inherited */
            exit(0);            /* runs the exit hook */
        }
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        ASSERT(path_exists(copy));
        ASSERT_EQ(count_owner_files(e.shadow), 1);
    }
    install_fixture(&e, "fx_v2");
    ASSERT_EQ(hot_reload_now(lib), 1);
    ASSERT_EQ(count_copies(e.shadow), 2);
    hot_close(lib);
    ASSERT_EQ(count_copies(e.shadow), 0);
    ASSERT_EQ(count_owner_files(e.shadow), 0);
    free(copy);
    env_free(&e);
}

/* ---- Item 22: the event channel ------------------------------------------- */

static void set_channel(int fd)
{
    char value[16];

    snprintf(value, sizeof value, "%d", fd);
    setenv("HOTRELOAD_EVENT_FD", value, 1);
}

/* `hotreload run` has gone (the channel's reader closed): the host goes
 * on, with no SIGPIPE left pending either. */
TEST(harden_shadow, channel_reader_gone_host_survives)
{
    fx_env e;
    hot_lib *lib;
    int p[2];
    sigset_t pending;

    signal(SIGPIPE, SIG_DFL);
    env_init(&e);
    ASSERT_EQ(pipe(p), 0);
    close(p[0]);
    set_channel(p[1]);
    lib = open_unwatched(&e); /* reports "opened" */
    install_fixture(&e, "fx_v2");
    ASSERT_EQ(hot_reload_now(lib), 1); /* reports "reloaded" */
    ASSERT_EQ(fx_value(), FX_V2);
    ASSERT_EQ(sigpending(&pending), 0);
    ASSERT(!sigismember(&pending, SIGPIPE));
    hot_close(lib);
    close(p[1]);
    env_free(&e);
}

/* The host's own children (exec'd) get neither the variable nor the
 * descriptor; the host still reports on it. */
TEST(harden_shadow, channel_not_inherited)
{
    fx_env e;
    hot_lib *lib;
    char script[200], line[256] = "";
    int p[2], status;
    ssize_t n;
    pid_t pid;

    env_init(&e);
    ASSERT_EQ(pipe(p), 0);
    set_channel(p[1]);
    lib = open_unwatched(&e);
    ASSERT(getenv("HOTRELOAD_EVENT_FD") == NULL);
    snprintf(script, sizeof script, "[ -z \"${HOTRELOAD_EVENT_FD+set}\" ] && [ ! -e /dev/fd/%d ]",
             p[1]);
    pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    n = read(p[0], line, sizeof line - 1);
    line[n > 0 ? n : 0] = '\0';
    ASSERT_CONTAINS(line, "hotreload-event\topened");
    hot_close(lib);
    close(p[0]);
    close(p[1]);
    env_free(&e);
}

/* ---- Issue 8 item 27: a FIFO named like an owner file --------------------- */

/* The sweep at hot_open opens every owner file: a FIFO must not block it. */
TEST(harden_shadow, fifo_owner_file_does_not_hang_open)
{
    fx_env e;
    hot_lib *lib;
    char fifo[400];

    env_init(&e);
    ASSERT_EQ(mkdir(e.shadow, 0700), 0);
    path_in(fifo, sizeof fifo, e.shadow, ".owner-999999-0123456789abcdef");
    ASSERT_EQ(mkfifo(fifo, 0600), 0);
    alarm(20); /* the old code blocked here for ever */
    lib = open_unwatched(&e);
    alarm(0);
    ASSERT_EQ(fx_value(), FX_V1);
    hot_close(lib);
    env_free(&e);
}

/* ---- Issue 8 item 36: the default folder is in memory --------------------- */

static int shm_usable(void)
{
    struct statfs fs;
    struct statvfs vfs;

    return statfs("/dev/shm", &fs) == 0 && fs.f_type == 0x01021994 &&
           statvfs("/dev/shm", &vfs) == 0 && !(vfs.f_flag & ST_NOEXEC);
}

static void expect_default_under(fx_env *e, const char *prefix)
{
    hot_options o = env_options(e);
    hot_lib *lib;

    o.shadow_dir = NULL;
    o.watch = HOT_WATCH_NONE;
    lib = env_open(&o);
    if (strncmp(hot_loaded_path(lib), prefix, strlen(prefix)) != 0)
        FAIL("copy %s, expected under %s", hot_loaded_path(lib), prefix);
    hot_close(lib);
}

TEST(harden_shadow, default_folder_dev_shm)
{
    fx_env e;
    char want[64];

    if (!shm_usable())
        SKIP("/dev/shm is not a tmpfs that allows exec here");
    env_init(&e);
    unsetenv("XDG_RUNTIME_DIR");
    setenv("TMPDIR", e.dir, 1);
    snprintf(want, sizeof want, "/dev/shm/hotreload-%lu/", (unsigned long)geteuid());
    expect_default_under(&e, want);
    env_free(&e);
}

/* $XDG_RUNTIME_DIR first, when it is private; ignored when it is not. */
TEST(harden_shadow, default_folder_xdg_runtime_dir)
{
    fx_env e;
    char runtime_dir[400], want[420];

    env_init(&e);
    path_in(runtime_dir, sizeof runtime_dir, e.dir, "run");
    ASSERT_EQ(mkdir(runtime_dir, 0700), 0);
    setenv("XDG_RUNTIME_DIR", runtime_dir, 1);
    path_in(want, sizeof want, runtime_dir, "hotreload/");
    expect_default_under(&e, want);
    ASSERT_EQ(chmod(runtime_dir, 0755), 0); /* others can look in: not private */
    setenv("TMPDIR", e.dir, 1);
    {
        hot_options o = env_options(&e);
        hot_lib *lib;
        o.shadow_dir = NULL;
        o.watch = HOT_WATCH_NONE;
        lib = env_open(&o);
        ASSERT(strncmp(hot_loaded_path(lib), runtime_dir, strlen(runtime_dir)) != 0);
        hot_close(lib);
    }
    env_free(&e);
}
