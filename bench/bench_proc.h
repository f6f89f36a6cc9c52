/*
 * What a process holds, read from /proc/self (Linux): descriptors, threads,
 * mappings, and the bytes of files under a folder that are still mapped or
 * present (a deleted copy that is still mapped holds its disk or RAM, and
 * `ls` does not show it). -1 where unknown.
 */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

long bench_count_fds(void);
long bench_count_threads(void);
long bench_count_maps(void);
/* Bytes held by files under dir: those in it, and deleted ones still
 * mapped, each file counted once. */
long long bench_bytes_held_under(const char *dir);
/* Every entry of dir but "." and "..", dot files included. */
long bench_count_entries(const char *dir);

#endif
