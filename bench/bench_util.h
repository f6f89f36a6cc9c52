/*
 * Helpers shared by the benchmark programs: the clock, statistics, the
 * library variants, temp folders and a flat JSON printer. Programs print
 * one flat JSON object on stdout (bench/run.sh merges them) and progress on
 * stderr.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Timed loops start on a cache line, so their layout is the same from one
 * build to the next (on Zen 4 a loop's placement alone moved a call by a
 * cycle). */
#define BENCH_LOOP __attribute__((noinline, aligned(64)))

/* The baseline callee (bench_callee.c). */
long bench_direct_inc(long x);

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

/* Sorts a in place. */
void bench_sort(double *a, size_t n);
/* Of a sorted array: nearest-rank percentile, p in [0, 100]. */
double bench_percentile(const double *sorted, size_t n, double p);
/* Sorts a copy; a is left as it is. */
double bench_median(const double *a, size_t n);
double bench_min(const double *a, size_t n);

/* The built variants of the hot library, read into memory once so that
 * installing one is a write and a rename, not a copy from elsewhere. */
typedef struct bench_variants {
    unsigned char *buf[16];
    size_t size[16];
    int count;
} bench_variants;

int bench_variants_load(bench_variants *v, const char *dir, int count);
/* One file, as the only "variant" (buf[0], size[0]). */
int bench_file_load(bench_variants *v, const char *path);
void bench_variants_free(bench_variants *v);

/* Writes bytes to path (created or truncated) and closes it. 0 or -1. */
int bench_write_file(const char *path, const unsigned char *buf, size_t size);
/* fsync of the file at path: its blocks are allocated and written. */
int bench_sync_file(const char *path);

/* A new empty folder "<base>/<prefix>XXXXXX", malloc'd; NULL on failure. */
char *bench_mkdtemp(const char *base, const char *prefix);
/* Deletes the files in a flat folder, then the folder. */
void bench_rmdir_flat(const char *dir);
/* Files in dir whose name does not start with '.'; -1 if unreadable. */
int bench_count_files(const char *dir);

/* VmRSS of this process in KiB, from /proc/self/status; -1 if unknown. */
long bench_rss_kb(void);

/* A flat JSON object on stdout, one key per call. */
void bench_json_num(const char *key, double value, int decimals);
void bench_json_str(const char *key, const char *value);
void bench_json_end(void);

#endif
