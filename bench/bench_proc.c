/* What a process holds, from /proc/self (see bench_proc.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench_proc.h"

long bench_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    long n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* The opendir's own descriptor is one of them: take it off. */
long bench_count_fds(void)
{
    long n = bench_count_entries("/proc/self/fd");

    return n < 0 ? -1 : n - 1;
}

long bench_count_threads(void)
{
    return bench_count_entries("/proc/self/task");
}

long bench_count_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    int c;

    if (!f)
        return -1;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

typedef struct inode_set {
    unsigned long long *ino;
    size_t n, cap;
} inode_set;

/* 1 if added, 0 if already there or out of memory. */
static int inode_add(inode_set *s, unsigned long long ino)
{
    size_t i;
    unsigned long long *grown;

    for (i = 0; i < s->n; i++)
        if (s->ino[i] == ino)
            return 0;
    if (s->n == s->cap) {
        grown = realloc(s->ino, (s->cap * 2 + 16) * sizeof *grown);
        if (!grown)
            return 0;
        s->ino = grown;
        s->cap = s->cap * 2 + 16;
    }
    s->ino[s->n++] = ino;
    return 1;
}

/* A mapping's file, deleted or not, is still reachable through map_files. */
static long long mapped_file_size(const char *range)
{
    char path[128];
    struct stat st;

    snprintf(path, sizeof path, "/proc/self/map_files/%s", range);
    return stat(path, &st) == 0 ? (long long)st.st_blocks * 512 : 0;
}

static long long mapped_bytes_under(const char *dir, inode_set *seen)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4600], range[64], file[4096];
    unsigned long long ino;
    size_t len = strlen(dir);
    long long bytes = 0;

    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "%63s %*s %*s %*s %llu %4095s", range, &ino, file) != 3)
            continue;
        if (strncmp(file, dir, len) == 0 && file[len] == '/' && inode_add(seen, ino))
            bytes += mapped_file_size(range);
    }
    if (f)
        fclose(f);
    return bytes;
}

static long long listed_bytes_under(const char *dir, inode_set *seen)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];
    struct stat st;
    long long bytes = 0;

    while (d && (e = readdir(d))) {
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && inode_add(seen, st.st_ino))
            bytes += (long long)st.st_blocks * 512;
    }
    if (d)
        closedir(d);
    return bytes;
}

long long bench_bytes_held_under(const char *dir)
{
    inode_set seen = {NULL, 0, 0};
    long long bytes = mapped_bytes_under(dir, &seen) + listed_bytes_under(dir, &seen);

    free(seen.ino);
    return bytes;
}
