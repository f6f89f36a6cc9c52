/*
 * Watching source folders for `hotreload run`. Folders, not files: editors
 * save by writing a new file and renaming it over the old one. One backend
 * file per OS implements this (srcwatch-inotify.c on Linux).
 */
#ifndef HOTRELOAD_CLI_SRCWATCH_H
#define HOTRELOAD_CLI_SRCWATCH_H

typedef struct srcwatch srcwatch;

/* Called for each file completely written, renamed into, or deleted from a
 * watched folder; `dir` is the folder as it was added. */
typedef void (*srcwatch_fn)(const char *dir, const char *name, void *userdata);

/* Returns 0 or -1 (errno set). */
int srcwatch_open(srcwatch **out);

/* Watches one more folder; adding a folder twice is a no-op. Returns 0 or
 * -1 (errno set). */
int srcwatch_add(srcwatch *w, const char *dir);

/* A descriptor that poll() reports readable when changes are waiting. */
int srcwatch_fd(const srcwatch *w);

/* Reports every waiting change to `fn`, without blocking. */
void srcwatch_read(srcwatch *w, srcwatch_fn fn, void *userdata);

/* NULL-safe. */
void srcwatch_close(srcwatch *w);

#endif /* HOTRELOAD_CLI_SRCWATCH_H */
