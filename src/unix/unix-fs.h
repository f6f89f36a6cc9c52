/* Shared by the Unix file code (fs.c, folder.c). */
#ifndef HOT_UNIX_FS_H
#define HOT_UNIX_FS_H

#include <stddef.h>

#include "../platform.h"

/* Reads a whole regular file from fd (anything else is refused) into b,
 * grown as needed; or into a new malloc'd buffer the caller frees.
 * changed (may be NULL): see hot__fs_read_into. */
int hot__unix_read_fd(int fd, hot__buffer *b, size_t *size, int *changed, const char *path,
                      char *msg, size_t msglen);
int hot__unix_read_fd_new(int fd, unsigned char **out, size_t *size, const char *path, char *msg,
                          size_t msglen);
/* Writes all of buf; returns 0 or an errno value. */
int hot__unix_write_all(int fd, const void *buf, size_t size);

/* Opens a file of a held folder (src/unix/folder.c), relative to the
 * folder's descriptor: no path, so nothing can be swapped in between.
 * Returns a descriptor, or -1 with errno set. */
struct hot__dir;
int hot__unix_dir_openat(struct hot__dir *d, const char *name, int flags);
/* The held folder's descriptor, for the *at calls of other Unix files
 * (src/unix/announce.c). */
int hot__unix_dir_fd(const struct hot__dir *d);

/* Per OS (src/linux/memfs.c): is path a memory-backed folder that allows
 * code to be mapped from it? */
int hot__memory_folder_allows_code(const char *path);

#endif
