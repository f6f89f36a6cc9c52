/* Is a folder memory-backed and may code be mapped from it? Linux: a tmpfs
 * (statfs) not mounted noexec (statvfs). */
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "unix-fs.h"

#define TMPFS_MAGIC_NUMBER 0x01021994 /* TMPFS_MAGIC, linux/magic.h */

int hot__memory_folder_allows_code(const char *path)
{
    struct statfs fs;
    struct statvfs vfs;

    return statfs(path, &fs) == 0 && fs.f_type == TMPFS_MAGIC_NUMBER && statvfs(path, &vfs) == 0 &&
           !(vfs.f_flag & ST_NOEXEC);
}
