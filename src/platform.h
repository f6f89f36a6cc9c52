/*
 * The platform contract: everything the portable core needs from the OS.
 * One implementation per OS lives in src/unix, src/linux and src/win; the
 * build picks the files. Nothing in src/ outside those folders calls the OS.
 *
 * Conventions: functions return 0 or a negative HOT_E* code; a function that
 * takes `char *msg, size_t msglen` writes a one-line cause there on failure.
 */
#ifndef HOT_PLATFORM_H
#define HOT_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "platform-types.h" /* hot__mutex, hot__cond, hot__thread (per OS) */

/* ---- Threads ------------------------------------------------------------ */

int hot__mutex_init(hot__mutex *m);
void hot__mutex_destroy(hot__mutex *m);
void hot__mutex_lock(hot__mutex *m);
void hot__mutex_unlock(hot__mutex *m);
/* Takes m if it is free: 1 if taken, 0 if another thread holds it. */
int hot__mutex_trylock(hot__mutex *m);

int hot__cond_init(hot__cond *c);
void hot__cond_destroy(hot__cond *c);
void hot__cond_broadcast(hot__cond *c);
/* Waits until woken or until the monotonic time deadline_ns (0: for ever).
 * Returns 0 when woken (or spuriously), HOT_ETIMEDOUT past the deadline. */
int hot__cond_wait_until(hot__cond *c, hot__mutex *m, uint64_t deadline_ns);

/* msg names the failed call. */
int hot__thread_start(hot__thread *t, void (*fn)(void *), void *arg, char *msg, size_t msglen);
void hot__thread_join(hot__thread *t);
/* A number unique to the calling thread while it lives. */
uint64_t hot__thread_self(void);
/* Calls fn(arg) on the calling thread when it exits. */
int hot__thread_at_exit(void (*fn)(void *), void *arg);

/* ---- Memory ------------------------------------------------------------- */

/* malloc, calloc and realloc through the fault seam, for what a load
 * allocates (freed with free): a test fails one to see the load refused
 * and the old code kept. */
void *hot__malloc(size_t size);
void *hot__calloc(size_t n, size_t size);
void *hot__realloc(void *p, size_t size);

/* The threads of the process, so that old code is unmapped only when every
 * one of them is accounted for (src/linux/process-threads.c). */
/* The OS's id of the calling thread, as hot__process_threads lists it. */
uint64_t hot__thread_os_id(void);
/* How many threads the process has (the first max ids written to ids), or
 * a negative code when they cannot be listed. */
int hot__process_threads(uint64_t *ids, unsigned max);
/* Is the thread with this id one the runtime started (hot__thread_start)
 * and still running? It runs no code of a library except inside a call
 * the runtime makes and waits for (a callback). */
int hot__thread_is_runtime(uint64_t os_id);
/* Called by hot__thread_start's threads as they begin and end. */
void hot__runtime_thread_begin(void);
void hot__runtime_thread_end(void);

/* Proving that a thread which never announced itself is outside old
 * versions, without its help and without a signal (src/linux/thread-scan.c).
 * A range is an old version's code, data or function table; owner is the
 * index hot__thread_scan marks in hit[]. */
typedef struct hot__range {
    uintptr_t lo, hi; /* [lo, hi) */
    unsigned owner;
    int code; /* an executable segment */
} hot__range;
/* Appends the address ranges a loaded object maps (its segments, in whole
 * pages) to out (room for max), each with owner. Returns how many, or a
 * negative code. */
int hot__dl_ranges(void *handle, unsigned owner, hot__range *out, unsigned max);
#define HOT__SCAN_UNPROVEN 0 /* it ran, or is not in a system call: no proof */
#define HOT__SCAN_SEEN 1     /* blocked throughout; hit[] says what it holds */
#define HOT__SCAN_GONE 2     /* it has exited */
/* Looks at thread os_id of this process. HOT__SCAN_SEEN when it was
 * blocked in a system call all through the look (or is the caller), with
 * hit[owner] set for each range (sorted by lo, not overlapping) that its
 * program counter, its system call's arguments or a word of its stack,
 * from its stack pointer (and the red zone below it) to the end of a
 * thread stack, points into. What no look can see: callee-saved registers
 * the kernel holds for it, and what the thread keeps elsewhere (the heap). */
int hot__thread_scan(uint64_t os_id, const hot__range *ranges, unsigned n, unsigned char *hit);

/* ---- Time, process, environment ----------------------------------------- */

uint64_t hot__now_ns(void); /* monotonic */
unsigned long hot__pid(void);
/* Fills buf with unpredictable bytes (for {uuid}). */
void hot__random_bytes(void *buf, size_t len);
/* The default folder for shadow copies: private to this user. Caller frees. */
char *hot__default_shadow_dir(void);
/* The folder of this program's executable, or NULL. Caller frees. */
char *hot__program_dir(void);
/* An environment variable, or NULL; always NULL in a setuid or setcap
 * process (secure_getenv): its environment is the caller's to choose. */
const char *hot__env(const char *name);
/* Registers fn to run at process exit (once per fn). */
void hot__at_exit(void (*fn)(void));
/* The event channel a supervising process handed us: the descriptor named
 * by HOTRELOAD_EVENT_FD, or -1. Read once per process: the variable is then
 * removed from the environment and the descriptor marked close-on-exec, so
 * the host's own children inherit neither. */
long hot__channel_from_env(void);
/* Writes one whole line to the channel; errors are ignored (the supervisor
 * may have gone away: no SIGPIPE is raised). */
void hot__channel_write(long channel, const char *line);
/* This process's short name (argv[0]'s last part), for the supervisor. */
const char *hot__process_name(void);

/* ---- The descriptor behind hot_fd() --------------------------------------- */

/* A non-blocking, close-on-exec descriptor that poll() reports readable
 * once signalled, until drained. */
int hot__wakefd_open(long *fd, char *msg, size_t msglen);
void hot__wakefd_signal(long fd);
void hot__wakefd_drain(long fd);
void hot__wakefd_close(long fd);

/* ---- Files -------------------------------------------------------------- */

typedef struct hot__stat {
    int exists;
    int is_regular;
    uint64_t size;
    uint64_t mtime_ns;
    uint64_t ctime_ns;
    uint64_t inode;
} hot__stat;

/* The same file, unchanged: a change of any of these is a change. */
static inline int hot__stat_same(const hot__stat *a, const hot__stat *b)
{
    return a->exists == b->exists && a->inode == b->inode && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* Never fails for a missing file: st->exists is 0 then. */
int hot__fs_stat(const char *path, hot__stat *st, char *msg, size_t msglen);
/* Reads a whole regular file into a malloc'd buffer (never mapped: a file
 * truncated while mapped would raise SIGBUS). */
int hot__fs_read_all(const char *path, unsigned char **out, size_t *size, char *msg, size_t msglen);
/* A buffer read into again and again: the library is read at each reload,
 * and a fresh block of megabytes each time is one the allocator keeps
 * besides (glibc raises its mapping threshold once the first is freed). */
typedef struct hot__buffer {
    unsigned char *data;
    size_t cap;
} hot__buffer;
/* As hot__fs_read_all, into b: grown as needed, never shrunk, freed by its
 * owner with free(b->data). *changed: the open file's size, times or
 * identity moved while it was read, or it no longer holds what was read (a
 * writer is still at it). Asked of the open file, not of the path again: a
 * path walk costs more than the read on a just-woken processor. */
int hot__fs_read_into(const char *path, hot__buffer *b, size_t *size, int *changed, char *msg,
                      size_t msglen);
/* ---- Private folders (the shadow folder) -------------------------------- */

/* A folder held by descriptor: every access is relative to the folder
 * that was checked, never to a path someone could swap. */
typedef struct hot__dir hot__dir;

/* Opens path as a private folder, making it (mode 0700, and missing
 * parents) if needed. Refuses (HOT_EACCES, the cause in msg) unless the
 * folder is a real folder (not a link) owned by this user that no one else
 * can write, and every folder above it belongs to root or this user and is
 * not writable by others unless sticky: copies loaded from it run as code. */
int hot__dir_open(hot__dir **out, const char *path, char *msg, size_t msglen);
void hot__dir_close(hot__dir *d);
const char *hot__dir_path(const hot__dir *d);
/* 0 once the folder has been removed (a temp cleaner). */
int hot__dir_exists(hot__dir *d);
/* Makes and checks the folder again at its path, as hot__dir_open does,
 * and swaps the descriptor in place (other threads see the old folder or
 * the new one). On failure d still holds the old folder. */
int hot__dir_reopen(hot__dir *d, char *msg, size_t msglen);
/* Was d opened by this process? (Not by a parent before fork: a child
 * must not delete its parent's files.) */
int hot__dir_mine(const hot__dir *d);
/* Creates name (which must not exist, never through a link) holding
 * exactly buf; on failure nothing is left behind. */
int hot__dir_write_new(hot__dir *d, const char *name, const void *buf, size_t size, char *msg,
                       size_t msglen);
/* Reads a whole regular file of the folder; anything else (a FIFO, a
 * device, a link) is refused without blocking on it. */
int hot__dir_read_all(hot__dir *d, const char *name, unsigned char **out, size_t *size, char *msg,
                      size_t msglen);
/* Missing is not an error. */
int hot__dir_unlink(hot__dir *d, const char *name, char *msg, size_t msglen);
/* Calls fn for each entry name (not . or ..). */
int hot__dir_list(hot__dir *d, void (*fn)(const char *name, void *arg), void *arg);
/* A path to name that the dynamic loader, and a debugger attached to this
 * process, resolve through the held folder itself (/proc/<pid>/fd/<fd>/name
 * on Linux), or, where there is no such path, the folder's own path once it
 * is checked to still be the held folder. Caller frees. */
char *hot__dir_load_path(hot__dir *d, const char *name, char *msg, size_t msglen);

/* An owner file in a held folder: created and held locked while this
 * process lives, so that another process can tell a live owner from a
 * crashed one. */
typedef struct hot__owner hot__owner;
int hot__owner_create(hot__owner **out, hot__dir *d, const char *name, char *msg, size_t msglen);
int hot__owner_append(hot__owner *o, const char *line);
const char *hot__owner_name(const hot__owner *o);
void hot__owner_close(hot__owner *o, hot__dir *d, int remove);
/* Takes the lock of another owner file if its owner is gone: 1 if taken
 * (the caller may clean up and unlink it), 0 if still owned or not a
 * regular file. */
int hot__owner_try_orphan(hot__dir *d, const char *name);

/* ---- The supervisor socket (src/unix/announce.c) ------------------------ */

/* Sends one datagram to the socket `name` of the held folder d, if a
 * socket of this user is there; never blocks, never raises SIGPIPE, is
 * silently lost when no one reads. HOT_EACCES (nothing sent) when
 * something else has the name: a file, a link, another user's socket. */
int hot__announce_send(hot__dir *d, const char *name, const char *line);
/* Binds the socket `name` in d (non-blocking, close-on-exec) for a
 * supervisor. A stale socket of ours (no one bound) is replaced; a live
 * one is HOT_EBUSY; anything else at the name is refused (HOT_EACCES). */
int hot__announce_bind(hot__dir *d, const char *name, long *out, char *msg, size_t msglen);
/* One datagram into buf (NUL-terminated): its length, 0 if none is
 * waiting, -1 on error. */
long hot__announce_receive(long fd, char *buf, size_t size);
/* Closes the socket and removes its name. */
void hot__announce_unbind(hot__dir *d, const char *name, long fd);

/* ---- Dynamic loading ---------------------------------------------------- */

/* Loads with every symbol resolved now and nothing made global. */
int hot__dl_open(const char *path, void **handle, char *msg, size_t msglen);
void *hot__dl_sym(void *handle, const char *name);
/* 1 if addr lies inside the object loaded as handle; else 0, with the name
 * of the object it lies in written to where. */
int hot__dl_owns(void *handle, const void *addr, char *where, size_t wherelen);
void hot__dl_close(void *handle);
/* The executable code of the loaded object holding addr ([*lo, *hi), both
 * 0 if none). */
void hot__dl_code_range(const void *addr, uintptr_t *lo, uintptr_t *hi);
/* Frees the blocks of a loaded copy's file (name in the held folder d,
 * about to be deleted) that none of its segments maps: debug information,
 * symbol tables. The deleted copy then holds only what is mapped. The file
 * is opened relative to d's descriptor (never by path), and only a regular
 * file is touched. Best effort. */
void hot__dl_drop_unmapped(void *handle, hot__dir *d, const char *name);
/* Unloads like hot__dl_close, then reserves the object's addresses with no
 * access: a call or read there faults, and the crash line names `version`
 * of `name`. Returns 0, or a negative code when the addresses could not be
 * reserved (the object is unloaded or left loaded either way). */
int hot__dl_close_trapped(void *handle, unsigned long version, const char *name);
/* Returns freed heap pages to the system (after many unloads). */
void hot__memory_trim(void);
/* "lib%s.so" on Linux; "%s.dll" on Windows. */
const char *hot__dl_name_format(void);
/* The ELF machine (or PE machine) this process runs as. */
int hot__host_machine(void);

/* ---- Watching ----------------------------------------------------------- */

enum {
    HOT__WATCH_COMPLETE = 1, /* written and closed, or renamed into place */
    HOT__WATCH_WRITING = 2,  /* a writer is writing: its close says when it is done */
    HOT__WATCH_GONE = 4,     /* deleted or renamed away */
    HOT__WATCH_WOKEN = 8,    /* hot__watch_wake was called */
    HOT__WATCH_LOST = 16,    /* the backend cannot go on (folder removed) */
    HOT__WATCH_ATTRIB = 32,  /* permissions changed (GNU ld chmods its output) */
    HOT__WATCH_CHANGED = 64, /* changed, completeness unknown (polling, a new name, a
                                re-pointed link, lost events): let it settle */
    HOT__WATCH_SIBLING = 128 /* another library in the folder was written or
                                renamed into place (a dependency?) */
};

typedef struct hot__watch_ops hot__watch; /* each backend's struct starts with it */

/* Kernel notification on the folder holding the file at the absolute path,
 * and on the folder of every link met on the way to it (a re-pointed link
 * is a change). Failure (HOT_ESYS, msg naming the call) lets the caller
 * fall back to polling. */
int hot__watch_notify_open(hot__watch **out, const char *path, char *msg, size_t msglen);
/* Portable polling of the file's identity every poll_ms. */
int hot__watch_poll_open(hot__watch **out, const char *path, unsigned poll_ms);

/* Waits at most timeout_ms (0: for ever) and returns HOT__WATCH_* bits,
 * 0 on timeout, or a negative code with w->msg naming the failed call. */
int hot__watch_wait(hot__watch *w, unsigned timeout_ms);
/* Makes a hot__watch_wait in another thread return HOT__WATCH_WOKEN. */
void hot__watch_wake(hot__watch *w);
void hot__watch_close(hot__watch *w);

struct hot__watch_ops {
    int (*wait)(hot__watch *w, unsigned timeout_ms);
    void (*wake)(hot__watch *w);
    void (*close)(hot__watch *w);
    char msg[256]; /* why the last wait failed */
};

/* ---- Paths -------------------------------------------------------------- */

/* path made absolute against the working folder, links kept (they are
 * watched as links). Caller frees; NULL when out of memory or the working
 * folder is unknown. */
char *hot__path_absolute(const char *path);
/* path with every link resolved (of its folder only, when the file is
 * missing), to name one file the same way from any process. Caller frees. */
char *hot__path_canonical(const char *path);

/* ---- Threads, bounded --------------------------------------------------- */

/* Lets a thread that will not finish run on alone. */
void hot__thread_detach(hot__thread *t);

#endif /* HOT_PLATFORM_H */
