/*
 * hotreload run: builds the project, starts the host and keeps it running.
 * A saved source rebuilds the library; the runtime inside the host reloads
 * it and reports back over the event channel (HOTRELOAD_EVENT_FD), which
 * makes the status line. A refused interface change, or a host that exits,
 * restarts the host, its state carried in HOTRELOAD_STATE_FILE.
 *
 * One thread, one poll() loop over: signals (a self-pipe), the source
 * watcher and the event channel. Builds run to completion in the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hotreload.h>

#include "cli.h"
#include "proc.h"
#include "run.h"
#include "srcwatch.h"
#include "term.h"

#define STOP_GRACE_MS 3000   /* a host gets this long to save its state */
#define VERDICT_WAIT_MS 2000 /* how long a build waits for the runtime's word */
#define QUICK_EXIT_MS 1000   /* a host dying this soon is not restarted in a loop */

/* A built library waiting for the runtime's verdict (reloaded / refused). */
struct pending_build {
    int active;
    double deadline;   /* monotonic ms */
    double noticed_at; /* wall ms: the first change of this build seen */
    double built_at;   /* wall ms: the build finished */
    double build_ms;
};

struct runner {
    struct run_config cfg;
    char **host_argv;
    srcwatch *watch;
    struct dep_set deps;
    int events[2]; /* the event channel: read end, write end */
    char event_buf[8192];
    size_t event_len;
    pid_t host;          /* 0: not running */
    double host_started; /* monotonic ms */
    int starts;
    int wait_for_change;   /* the host died quickly or did not build */
    int restart;           /* restart the host at the end of this turn */
    unsigned long version; /* the version the host runs */
    int lib_dirty, host_dirty;
    int saved_in_build;    /* a source was saved while the last build ran */
    int saved_in_before;   /* ... while the build before it ran */
    double quiet_until;    /* debounce: build once no change came since */
    double noticed_at;     /* wall ms of the first change not yet built */
    double events_came_at; /* wall ms: the unhandled channel bytes came */
    struct pending_build pending;
    int color;
    int stopping;
    FILE *stats;
    char state_dir[PATH_MAX - 16]; /* private to this run (mkdtemp) */
    char state_file[PATH_MAX];
    struct run_term term; /* the terminal lent to the host */
    int out_fd;           /* where status lines and build output go; -1: nowhere */
    char reasons[8192];   /* "reason" events: the refusal that follows has them all */
    int n_reasons;
    int no_host;             /* host = none: processes someone else started */
    hot_supervisor *sv;      /* ...report on this socket */
    struct announcer *known; /* every process heard from */
    char held[16384];        /* lines that came during a build, one per line */
    size_t held_len;
};

/* A process that reported on the supervisor socket (host = none). */
struct announcer {
    unsigned long pid;
    char name[64];
    unsigned long version;
    char reasons[8192];
    int n_reasons;
    struct announcer *next;
};

static int signal_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
    unsigned char byte = (unsigned char)sig;
    int saved = errno;

    if (write(signal_pipe[1], &byte, 1) < 0) { /* full: a wake-up is pending */
    }
    errno = saved;
}

static int make_pipe(int fds[2])
{
    if (pipe(fds) < 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    return 0;
}

static int catch_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
    struct sigaction sa;
    size_t i;

    if (make_pipe(signal_pipe) < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* ---- Status lines ------------------------------------------------------- */

static FILE *status_out;    /* NULL: status_to = none */
static char status_who[96]; /* "pid 1234 (jalv): ", for host = none */

static void status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void status(const char *fmt, ...)
{
    va_list ap;

    if (!status_out)
        return;
    fputs(status_who, status_out);
    va_start(ap, fmt);
    vfprintf(status_out, fmt, ap);
    va_end(ap);
    fputc('\n', status_out);
    fflush(status_out);
}

/* One JSON object per line, for scripts (--stats FILE). */
static void stats_line(struct runner *r, const char *kind, unsigned long version, double event_at,
                       double load_ms)
{
    if (!r->stats)
        return;
    fprintf(r->stats,
            "{\"kind\":\"%s\",\"version\":%lu,\"noticed_at\":%.3f,"
            "\"built_at\":%.3f,\"build_ms\":%.3f,\"event_at\":%.3f,\"load_ms\":%.3f}\n",
            kind, version, r->pending.noticed_at, r->pending.built_at, r->pending.build_ms,
            event_at, load_ms);
    fflush(r->stats);
}

/* A failed build in --stats: "build_failed", the version still running. */
static void note_failed_build(struct runner *r, const struct build_result *b)
{
    r->pending.built_at = cli_wall_ms();
    r->pending.build_ms = b->ms;
    stats_line(r, "build_failed", r->version, r->pending.built_at, 0);
    r->pending.active = 0;
}

static const char *timings_note(const struct runner *r, double event_at, char *buf, size_t len)
{
    if (!r->cfg.timings || !r->pending.active)
        return "";
    snprintf(buf, len,
             " [debounce %u ms · build %.1f ms · runtime answered %.1f ms "
             "after the build]",
             r->cfg.debounce_ms, r->pending.build_ms, event_at - r->pending.built_at);
    return buf;
}

/* ---- The host ----------------------------------------------------------- */

static const char *host_name(const struct runner *r)
{
    return r->host_argv[0];
}

/* Prints "<how> ./demo<what> (pid N)". */
static void start_host(struct runner *r, const char *how, const char *what)
{
    struct host_launch launch;

    launch.dir = r->cfg.dir;
    launch.argv = r->host_argv;
    launch.event_fd = r->events[1];
    launch.state_file = r->state_file;
    launch.tty_fd = r->term.fd;
    r->host = proc_start_host(&launch);
    if (r->host < 0) {
        status("could not start %s: %s", host_name(r), strerror(errno));
        r->host = 0;
        r->wait_for_change = 1;
        return;
    }
    term_give(&r->term, r->host);
    r->host_started = cli_now_ms();
    r->starts++;
    r->wait_for_change = 0;
    r->version = 0;
    status("%s %s%s (pid %ld)", how, host_name(r), what, (long)r->host);
}

/* Stops the host; returns 1 if it left its state behind. */
static int stop_host(struct runner *r)
{
    if (r->host > 0) {
        proc_stop_host(r->host, STOP_GRACE_MS);
        r->host = 0;
        term_take_back(&r->term);
    }
    return access(r->state_file, F_OK) == 0;
}

static void rescan_deps(struct runner *r);
static void on_change(const char *dir, const char *name, void *ud);

/*
 * A source saved while a build runs, after the compiler read it: the output
 * is newer than the save, so a build tool that compares times (make) takes
 * the output for up to date at the next build, and the save never runs.
 * The changes that came during the build are taken now, and the library's
 * time is put back to the build's start (its content is of then): the next
 * build makes it again. Ninja needs none of it (its log keeps each
 * command's start), and it does it no harm.
 */
static void predate_library(const struct runner *r, const struct timespec *started)
{
    char path[PATH_MAX];
    struct timespec times[2];
    struct stat sb;

    if (cli_path_join(path, sizeof path, r->cfg.dir, r->cfg.library) < 0 || stat(path, &sb) != 0)
        return;
    if (sb.st_mtim.tv_sec < started->tv_sec ||
        (sb.st_mtim.tv_sec == started->tv_sec && sb.st_mtim.tv_nsec < started->tv_nsec))
        return; /* not written by this build */
    times[0].tv_nsec = UTIME_OMIT;
    times[1] = *started;
    utimensat(AT_FDCWD, path, times, 0);
}

static int run_build(struct runner *r, const char *command, const struct build_side *side,
                     struct build_result *b)
{
    struct timespec started;
    int rc, dirty;

    clock_gettime(CLOCK_REALTIME, &started);
    r->saved_in_before = r->saved_in_build;
    r->saved_in_build = 0;
    rc = proc_run_build(command, r->cfg.dir, r->color, r->out_fd, side, b);
    dirty = r->lib_dirty || r->host_dirty;
    srcwatch_read(r->watch, on_change, r);
    if (!dirty && (r->lib_dirty || r->host_dirty)) {
        r->saved_in_build = 1;
        if (rc == 0 && b->ok)
            predate_library(r, &started);
    }
    return rc;
}

/* Builds everything, then starts the host (again). */
static void build_all_and_start(struct runner *r)
{
    struct build_result b;
    int had_host = r->host > 0 || r->starts > 0;
    int with_state = stop_host(r);
    char how[64];

    r->pending.noticed_at = r->noticed_at;
    if (run_build(r, r->cfg.build_all, NULL, &b) < 0 || !b.ok) {
        status("build failed: %s · host not running, waiting for a change",
               b.first_error[0] ? b.first_error : strerror(errno));
        note_failed_build(r, &b);
        r->wait_for_change = 1;
        rescan_deps(r);
        return;
    }
    rescan_deps(r); /* what this build wrote: .d files, Ninja's log */
    snprintf(how, sizeof how, "built in %.0f ms · %s", b.ms, had_host ? "restarted" : "started");
    /* Only what the stopped host left behind comes back. */
    start_host(r, how,
               !had_host    ? ""
               : with_state ? " with state"
                            : " without state (it saved none)");
}

/* host = none: the first build; the processes come and go on their own. */
static void build_all_no_host(struct runner *r)
{
    struct build_result b;

    if (run_build(r, r->cfg.build_all, NULL, &b) < 0 || !b.ok)
        status("build failed: %s · waiting for a change",
               b.first_error[0] ? b.first_error : strerror(errno));
    else
        status("built in %.0f ms · no host to start: showing what the processes that load %s "
               "do (socket %s)",
               b.ms, r->cfg.library, hot_supervisor_path(r->sv));
    rescan_deps(r);
}

/* The user quit the program: its own quit (status 0) or Ctrl-C (killed by
 * SIGINT, or exited with the shells' 128 + SIGINT). */
static int user_quit(int st)
{
    if (WIFSIGNALED(st))
        return WTERMSIG(st) == SIGINT;
    return WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 128 + SIGINT);
}

/* Ctrl-Z stopped the host: stop with it, as a shell job would. */
static void suspend_with_host(struct runner *r)
{
    status("%s suspended · hotreload run too ('fg' resumes both)", host_name(r));
    term_suspend_with(&r->term, r->host);
    status("resumed %s", host_name(r));
}

static void reap_host(struct runner *r)
{
    double lived = cli_now_ms() - r->host_started;
    int st, stops = r->term.fd >= 0 ? WUNTRACED : 0;

    if (r->host <= 0 || waitpid(r->host, &st, WNOHANG | stops) != r->host)
        return;
    if (WIFSTOPPED(st)) {
        suspend_with_host(r);
        return;
    }
    proc_kill_group(r->host);
    r->host = 0;
    term_take_back(&r->term);
    if (!r->cfg.restart_always && user_quit(st)) {
        status("%s %s · quitting", host_name(r), proc_describe_status(st));
        r->stopping = 1;
    } else if (!r->cfg.restart_always) {
        status("%s %s · restarting at the next change", host_name(r), proc_describe_status(st));
        r->wait_for_change = 1;
    } else if (lived < QUICK_EXIT_MS) {
        status("%s %s after %.1f s · restarting at the next change", host_name(r),
               proc_describe_status(st), lived / 1000);
        r->wait_for_change = 1;
    } else {
        status("%s %s · restarting (restart = always)", host_name(r), proc_describe_status(st));
        r->restart = 1;
    }
}

/* ---- Runtime events ------------------------------------------------------ */

/* Refusals that only a rebuilt host can get past: the interface or the
 * ABI (runtime, data model, compiler) changed. */
static int is_interface_change(const char *error)
{
    return strcmp(error, hot_errname(HOT_EMISMATCH)) == 0 ||
           strcmp(error, hot_errname(HOT_EABI)) == 0;
}

/* The runtime appends "; state: ..." to a reload's message when some state
 * could not be carried; the user must see that. */
static const char *state_note(const char *message, char *buf, size_t len)
{
    const char *state = strstr(message, "; state: ");

    if (!state)
        return "";
    snprintf(buf, len, " · state: %s", state + strlen("; state: "));
    return buf;
}

static void on_reloaded(struct runner *r, unsigned long version, double ms, const char *message,
                        double event_at)
{
    char note[256], state[512];

    r->version = version;
    if (r->pending.active) {
        status("built in %.0f ms · reloaded v%lu in %.1f ms%s%s", r->pending.build_ms, version, ms,
               timings_note(r, event_at, note, sizeof note),
               state_note(message, state, sizeof state));
        stats_line(r, "reloaded", version, event_at, ms);
        r->pending.active = 0;
    } else {
        status("reloaded v%lu in %.1f ms%s", version, ms, state_note(message, state, sizeof state));
    }
}

/* The runtime sends each reason of a refusal before the refusal itself. */
static void on_reason(struct runner *r, const char *reason)
{
    size_t len = strlen(r->reasons);

    snprintf(r->reasons + len, sizeof r->reasons - len, "    %s\n", reason);
    r->n_reasons++;
}

/* "refused v3: <the one reason> · <what now>", or with several reasons
 * "refused v3: 3 reasons · <what now>" and each below it, indented: the old
 * library is often overwritten by then, so `check --against` cannot tell. */
static void print_refusal(struct runner *r, unsigned long version, const char *message,
                          const char *what_now)
{
    if (r->n_reasons > 1) {
        status("refused v%lu: %d reasons · %s", version, r->n_reasons, what_now);
        if (status_out) {
            fputs(r->reasons, status_out);
            fflush(status_out);
        }
    } else {
        status("refused v%lu: %s · %s", version, message, what_now);
    }
    r->reasons[0] = '\0';
    r->n_reasons = 0;
}

static void on_refused(struct runner *r, unsigned long version, const char *error,
                       const char *message, double event_at)
{
    int restart = is_interface_change(error);
    char still[64];

    snprintf(still, sizeof still, "still running v%lu", r->version);
    /* "with state" or not is known once the host has stopped */
    print_refusal(r, version, message,
                  !restart     ? still
                  : r->no_host ? "restart it (for a plugin: rebuild the shell, rescan)"
                               : "restarting the host");
    restart = restart && !r->no_host;
    stats_line(r, "refused", version, event_at, 0);
    r->pending.active = 0;
    r->restart = r->restart || restart;
}

/* New code crashed in a guarded call; the runtime went back a version. */
static void on_rolled_back(struct runner *r, unsigned long version, const char *message)
{
    r->version = version;
    stats_line(r, "rolledback", version, cli_wall_ms(), 0);
    r->pending.active = 0;
    status("%s", message);
}

/* The program's own report (hot_report) that version's first block was
 * processed, ms before the report: the end of edit-to-sound. */
static void on_played(struct runner *r, unsigned long version, double ms, double event_at)
{
    double first_block = event_at - ms;

    stats_line(r, "played", version, first_block, 0);
    if (r->pending.noticed_at > 0 && first_block >= r->pending.noticed_at)
        status("playing v%lu: first block %.0f ms after the change was seen", version,
               first_block - r->pending.noticed_at);
    else
        status("playing v%lu", version);
}

/* hotreload-event <TAB> kind <TAB> version <TAB> ms <TAB> error <TAB> message */
static void handle_event_line(struct runner *r, char *line, double event_at)
{
    char *field[6], *tab;
    int n;

    field[0] = line;
    for (n = 1; n < 6; n++) { /* the message, last, may hold anything */
        if (!(tab = strchr(field[n - 1], '\t')))
            return;
        *tab = '\0';
        field[n] = tab + 1;
    }
    if (strcmp(field[0], "hotreload-event") != 0)
        return;
    if (strcmp(field[1], "opened") == 0) {
        r->version = strtoul(field[2], NULL, 10);
        status("loaded v%lu in %.1f ms", r->version, strtod(field[3], NULL));
    } else if (strcmp(field[1], "reloaded") == 0) {
        on_reloaded(r, strtoul(field[2], NULL, 10), strtod(field[3], NULL), field[5], event_at);
    } else if (strcmp(field[1], "reason") == 0) {
        on_reason(r, field[5]);
    } else if (strcmp(field[1], "refused") == 0) {
        on_refused(r, strtoul(field[2], NULL, 10), field[4], field[5], event_at);
    } else if (strcmp(field[1], "played") == 0) {
        on_played(r, strtoul(field[2], NULL, 10), strtod(field[3], NULL), event_at);
    } else if (strcmp(field[1], "rolledback") == 0) {
        on_rolled_back(r, strtoul(field[2], NULL, 10), field[5]);
    } else if (strcmp(field[1], "slow") == 0 || strcmp(field[1], "stopped") == 0) {
        status("%s", field[5]);
    } else if (strcmp(field[1], "warning") == 0) {
        status("warning: %s", field[5]);
    } else if (strcmp(field[1], "kept") == 0) {
        status("state: %s", field[5]);
    }
}

/* ---- Processes reporting on the supervisor socket (host = none) ---------- */

static struct announcer *announcer_for(struct runner *r, unsigned long pid, const char *name)
{
    struct announcer *a;

    for (a = r->known; a; a = a->next) {
        if (a->pid == pid)
            break;
    }
    if (!a && (a = calloc(1, sizeof *a)) != NULL) {
        a->pid = pid;
        a->next = r->known;
        r->known = a;
    }
    if (a)
        snprintf(a->name, sizeof a->name, "%s", name);
    return a;
}

/* The handlers keep one process's version and pending reasons in the
 * runner: lend them this process's, and take them back after. */
static void lend(struct runner *r, struct announcer *a, int back)
{
    if (back) {
        a->version = r->version;
        memcpy(a->reasons, r->reasons, sizeof a->reasons);
        a->n_reasons = r->n_reasons;
        status_who[0] = '\0';
        return;
    }
    r->version = a->version;
    memcpy(r->reasons, a->reasons, sizeof r->reasons);
    r->n_reasons = a->n_reasons;
    snprintf(status_who, sizeof status_who, "pid %lu (%s): ", a->pid, a->name);
}

/* pid <TAB> name <TAB> hotreload-event ... */
static void handle_announcement(struct runner *r, char *line, double event_at)
{
    char *name, *event, *end;
    unsigned long pid = strtoul(line, &end, 10);
    struct announcer *a;

    if (end == line || *end != '\t')
        return;
    name = end + 1;
    if (!(event = strchr(name, '\t')))
        return;
    *event++ = '\0';
    if (!(a = announcer_for(r, pid, name)))
        return;
    lend(r, a, 0);
    handle_event_line(r, event, event_at);
    lend(r, a, 1);
}

static void read_announcements(void *ud)
{
    struct runner *r = ud;
    char line[8192];

    while (hot_supervisor_read(r->sv, line, sizeof line) > 0)
        handle_announcement(r, line, cli_wall_ms());
}

/* During a build: kept, to be credited to it once it is done (as the
 * channel's bytes are); a full buffer hands out what it has. */
static void hold_announcements(void *ud)
{
    struct runner *r = ud;
    char line[8192];
    size_t n;

    while (hot_supervisor_read(r->sv, line, sizeof line) > 0) {
        n = strlen(line);
        if (r->held_len + n + 2 > sizeof r->held)
            return; /* left in the socket until the build is done */
        if (r->held_len == 0)
            r->events_came_at = cli_wall_ms();
        memcpy(r->held + r->held_len, line, n);
        r->held[r->held_len + n] = '\n';
        r->held_len += n + 1;
    }
}

static void handle_held_announcements(struct runner *r)
{
    char *line = r->held, *nl;

    while (line < r->held + r->held_len &&
           (nl = memchr(line, '\n', (size_t)(r->held + r->held_len - line))) != NULL) {
        *nl = '\0';
        handle_announcement(r, line, r->events_came_at);
        line = nl + 1;
    }
    r->held_len = 0;
    if (r->sv)
        read_announcements(r);
}

static void handle_events(struct runner *r)
{
    char *nl;

    while ((nl = strchr(r->event_buf, '\n')) != NULL) {
        *nl = '\0';
        handle_event_line(r, r->event_buf, r->events_came_at);
        r->event_len -= (size_t)(nl + 1 - r->event_buf);
        memmove(r->event_buf, nl + 1, r->event_len + 1);
    }
}

/* The buffer is full (many events during one build): hand out its complete
 * lines now. A line that fills it alone is no event of ours: drop it. */
static void make_room(struct runner *r)
{
    if (strchr(r->event_buf, '\n')) {
        handle_events(r);
    } else {
        r->event_len = 0;
        r->event_buf[0] = '\0';
    }
}

/* Reads what the channel holds, without handling it yet (events that come
 * during a build are credited to it afterwards); notes when the oldest
 * unhandled bytes came. */
static void fill_event_buf(void *ud)
{
    struct runner *r = ud;
    ssize_t n;

    while ((n = read(r->events[0], r->event_buf + r->event_len,
                     sizeof r->event_buf - 1 - r->event_len)) > 0) {
        if (r->event_len == 0)
            r->events_came_at = cli_wall_ms();
        r->event_len += (size_t)n;
        r->event_buf[r->event_len] = '\0';
        if (r->event_len == sizeof r->event_buf - 1)
            make_room(r);
    }
}

static void read_events(struct runner *r)
{
    fill_event_buf(r);
    handle_events(r);
}

/* ---- Source changes and builds -------------------------------------------- */

static void watch_folder(const char *dir, void *ud)
{
    struct runner *r = ud;
    srcwatch_add(r->watch, dir);
}

static int has_source_suffix(const char *name)
{
    static const char *const suffixes[] = { ".c",  ".h",   ".cc",  ".cpp", ".cxx",
                                            ".hh", ".hpp", ".inc", ".inl" };
    size_t i, len = strlen(name), slen;

    for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        slen = strlen(suffixes[i]);
        if (len > slen && strcmp(name + len - slen, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

static int is_host_source(const struct runner *r, const char *path)
{
    char full[PATH_MAX];
    int i;

    for (i = 0; i < r->cfg.n_host_sources; i++) {
        if (cli_path_join(full, sizeof full, r->cfg.dir, r->cfg.host_sources[i]) == 0 &&
            strcmp(full, path) == 0)
            return 1;
    }
    return 0;
}

static void on_change(const char *dir, const char *name, void *ud)
{
    struct runner *r = ud;
    char path[PATH_MAX], canonical[PATH_MAX];

    if (cli_path_join(path, sizeof path, dir, name) < 0)
        return;
    if (!realpath(path, canonical))
        snprintf(canonical, sizeof canonical, "%s", path); /* deleted */
    if (is_host_source(r, canonical))
        r->host_dirty = 1;
    else if (deps_contains(&r->deps, canonical) || has_source_suffix(name))
        r->lib_dirty = 1;
    else
        return;
    if (r->noticed_at == 0)
        r->noticed_at = cli_wall_ms();
    r->quiet_until = cli_now_ms() + r->cfg.debounce_ms;
}

static void rescan_deps(struct runner *r)
{
    char dir[PATH_MAX];
    int i;

    for (i = 0; i < r->cfg.n_watch; i++) {
        if (cli_path_join(dir, sizeof dir, r->cfg.dir, r->cfg.watch[i]) == 0)
            deps_scan_folder(&r->deps, dir, r->cfg.dir, watch_folder, r);
    }
    deps_scan_ninja(&r->deps, r->cfg.dir, watch_folder, r);
}

static void build_library(struct runner *r)
{
    struct build_result b;
    struct build_side side;

    /* The runtime may reload before make has exited: its event is timed
     * when it comes, and handled once the build is known to be done. */
    side.fd = r->no_host ? hot_supervisor_fd(r->sv) : r->events[0];
    side.on_readable = r->no_host ? hold_announcements : fill_event_buf;
    side.userdata = r;
    r->pending.noticed_at = r->noticed_at;
    if (run_build(r, r->cfg.build, &side, &b) < 0 || !b.ok) {
        status("build failed: %s · still running v%lu",
               b.first_error[0] ? b.first_error : strerror(errno), r->version);
        note_failed_build(r, &b);
        handle_events(r);
        handle_held_announcements(r);
        return;
    }
    r->pending.active = 1;
    r->pending.deadline = cli_now_ms() + VERDICT_WAIT_MS;
    r->pending.noticed_at = r->noticed_at;
    r->pending.built_at = cli_wall_ms();
    r->pending.build_ms = b.ms;
    handle_events(r);
    handle_held_announcements(r);
}

static void rebuild(struct runner *r)
{
    int whole = !r->no_host && (r->host_dirty || r->host <= 0);

    if (r->host_dirty && r->host > 0 && !r->no_host)
        status("host source changed · restarting the host");
    r->lib_dirty = r->host_dirty = 0;
    if (whole)
        build_all_and_start(r);
    else
        build_library(r);
    r->noticed_at = 0;
    rescan_deps(r);
}

static void verdict_overdue(struct runner *r)
{
    /* The library was made again, the same: a source saved during the
     * build before may still be older than its object file to make. */
    const char *why = r->saved_in_before ? " (a source saved during the build before may look "
                                           "older than its object file to make: save it again)"
                                         : "";

    if (r->no_host)
        status("built in %.0f ms · no process reported a reload (none loads %s, or the "
               "library did not change)%s",
               r->pending.build_ms, r->cfg.library, why);
    else
        status("built in %.0f ms · no reload: the library did not change%s", r->pending.build_ms,
               why);
    stats_line(r, "unchanged", r->version, cli_wall_ms(), 0);
    r->pending.active = 0;
}

/* ---- The loop ------------------------------------------------------------ */

static void handle_signals(struct runner *r)
{
    unsigned char sig;

    while (read(signal_pipe[0], &sig, 1) == 1) {
        if (sig == SIGCHLD)
            reap_host(r);
        else
            r->stopping = 1;
    }
}

static int next_timeout(const struct runner *r)
{
    double now = cli_now_ms(), wait = -1;

    if (r->lib_dirty || r->host_dirty)
        wait = r->quiet_until - now;
    if (r->pending.active && (wait < 0 || r->pending.deadline - now < wait))
        wait = r->pending.deadline - now;
    if (r->restart)
        wait = 0;
    return wait < 0 && (r->lib_dirty || r->host_dirty || r->pending.active) ? 0
           : wait < 0                                                       ? -1
                                                                            : (int)wait + 1;
}

static void after_wakeup(struct runner *r)
{
    double now = cli_now_ms();

    if (r->pending.active && now >= r->pending.deadline)
        verdict_overdue(r);
    if ((r->lib_dirty || r->host_dirty) && now >= r->quiet_until &&
        (r->host > 0 || r->wait_for_change || r->no_host))
        rebuild(r);
    if (r->restart && !r->stopping) {
        r->restart = 0;
        build_all_and_start(r);
    }
}

static void loop(struct runner *r)
{
    struct pollfd fds[4];

    fds[0].fd = signal_pipe[0];
    fds[1].fd = srcwatch_fd(r->watch);
    fds[2].fd = r->events[0];
    fds[3].fd = r->sv ? hot_supervisor_fd(r->sv) : -1;
    while (!r->stopping) {
        fds[0].events = fds[1].events = fds[2].events = fds[3].events = POLLIN;
        if (poll(fds, 4, next_timeout(r)) < 0 && errno != EINTR)
            break;
        if (fds[3].revents)
            read_announcements(r);
        if (fds[0].revents)
            handle_signals(r);
        if (fds[1].revents)
            srcwatch_read(r->watch, on_change, r);
        if (fds[2].revents)
            read_events(r);
        if (!r->stopping)
            after_wakeup(r);
    }
}

/* ---- Setting up and tearing down ------------------------------------------ */

static int watch_sources(struct runner *r)
{
    char dir[PATH_MAX];
    int i;

    if (srcwatch_open(&r->watch) < 0) {
        fprintf(stderr, "hotreload run: cannot watch files: %s\n", strerror(errno));
        return -1;
    }
    for (i = 0; i < r->cfg.n_watch; i++) {
        if (cli_path_join(dir, sizeof dir, r->cfg.dir, r->cfg.watch[i]) < 0 ||
            srcwatch_add(r->watch, dir) < 0) {
            fprintf(stderr, "hotreload run: cannot watch %s: %s\n", dir, strerror(errno));
            return -1;
        }
    }
    rescan_deps(r);
    return 0;
}

/* The host writes its state there and reads it back: not a predictable
 * name in a shared /tmp (another user could plant a link or a file of
 * theirs), but a folder mkdtemp makes, mode 0700, named at random. */
static int name_state_file(struct runner *r)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(r->state_dir, sizeof r->state_dir, "%s/hotreload-run-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(r->state_dir)) {
        fprintf(stderr, "hotreload run: cannot make a folder for the host's state in %s: %s\n",
                tmp && *tmp ? tmp : "/tmp", strerror(errno));
        r->state_dir[0] = '\0';
        return -1;
    }
    snprintf(r->state_file, sizeof r->state_file, "%s/host.state", r->state_dir);
    return 0;
}

/* status_to: stdout (the default), stderr, none, or a file or terminal
 * (appended to). */
static int open_status_output(struct runner *r)
{
    const char *to = r->cfg.status_to;

    status_out = stdout;
    if (to && strcmp(to, "stderr") == 0)
        status_out = stderr;
    else if (to && strcmp(to, "none") == 0)
        status_out = NULL;
    else if (to && strcmp(to, "stdout") != 0 && !(status_out = fopen(to, "a"))) {
        fprintf(stderr, "hotreload run: status_to %s: %s\n", to, strerror(errno));
        return -1;
    }
    r->out_fd = status_out ? fileno(status_out) : -1;
    r->color = r->out_fd >= 0 && isatty(r->out_fd);
    return 0;
}

/* host = none: the socket the library's processes report on. */
static int open_supervisor(struct runner *r)
{
    char lib[PATH_MAX];

    if (!r->cfg.library) {
        fprintf(stderr, "hotreload run: host = none needs library = (the library file the "
                        "processes load, relative to the project)\n");
        return -1;
    }
    if (cli_path_join(lib, sizeof lib, r->cfg.dir, r->cfg.library) < 0 ||
        hot_supervisor_open(&r->sv, lib, NULL) < 0) {
        fprintf(stderr, "hotreload run: cannot listen for the processes that load %s: %s\n",
                r->cfg.library, hot_last_error());
        return -1;
    }
    return 0;
}

static int set_up(struct runner *r)
{
    r->events[0] = r->events[1] = -1;
    r->no_host = strcmp(r->cfg.host, "none") == 0;
    if (!r->no_host)
        term_open(&r->term);
    else
        r->term.fd = -1;
    if (open_status_output(r) < 0)
        return -1;
    if (name_state_file(r) < 0)
        return -1;
    if (r->no_host) {
        if (open_supervisor(r) < 0)
            return -1;
    } else if (!(r->host_argv = run_config_host_argv(&r->cfg)) || !r->host_argv[0]) {
        fprintf(stderr, "hotreload run: the host command is empty\n");
        return -1;
    }
    if (r->cfg.stats && !(r->stats = fopen(r->cfg.stats, "a"))) {
        fprintf(stderr, "hotreload run: %s: %s\n", r->cfg.stats, strerror(errno));
        return -1;
    }
    if (catch_signals() < 0 || make_pipe(r->events) < 0) {
        fprintf(stderr, "hotreload run: %s\n", strerror(errno));
        return -1;
    }
    return watch_sources(r);
}

static void tear_down(struct runner *r)
{
    char **arg;

    if (r->host > 0) {
        status("stopping %s", host_name(r));
        stop_host(r);
    }
    if (r->state_dir[0]) {
        remove(r->state_file);
        rmdir(r->state_dir);
    }
    srcwatch_close(r->watch);
    deps_free(&r->deps);
    hot_supervisor_close(r->sv);
    while (r->known) {
        struct announcer *next = r->known->next;
        free(r->known);
        r->known = next;
    }
    if (r->stats)
        fclose(r->stats);
    if (status_out && status_out != stdout && status_out != stderr)
        fclose(status_out);
    status_out = NULL;
    if (r->events[0] >= 0)
        close(r->events[0]), close(r->events[1]);
    for (arg = r->host_argv; arg && *arg; arg++)
        free(*arg);
    free(r->host_argv);
    run_config_free(&r->cfg);
}

int cli_cmd_run(int argc, char **argv)
{
    struct runner r;
    int help, status_code;

    memset(&r, 0, sizeof r);
    if ((status_code = run_config_load(&r.cfg, argc, argv, &help)) != CLI_OK || help) {
        if (help)
            cli_print_usage(stdout, "run");
        run_config_free(&r.cfg);
        return status_code;
    }
    status_code = set_up(&r) < 0 ? CLI_FAILED : CLI_OK;
    if (status_code == CLI_OK) {
        if (r.no_host)
            build_all_no_host(&r);
        else
            build_all_and_start(&r);
        loop(&r);
    }
    tear_down(&r);
    return status_code;
}
