/* Helpers shared by the benchmark programs (see bench_util.h). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

uint64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_sort(double *a, size_t n)
{
    qsort(a, n, sizeof *a, cmp_double);
}

double bench_percentile(const double *sorted, size_t n, double p)
{
    size_t rank;

    if (n == 0)
        return 0;
    rank = (size_t)(p / 100.0 * (double)n + 0.999999); /* ceil, nearest rank */
    if (rank < 1)
        rank = 1;
    return sorted[(rank > n ? n : rank) - 1];
}

double bench_median(const double *a, size_t n)
{
    double *copy, m;

    if (n == 0 || !(copy = malloc(n * sizeof *copy)))
        return 0;
    memcpy(copy, a, n * sizeof *copy);
    bench_sort(copy, n);
    m = n % 2 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2;
    free(copy);
    return m;
}

double bench_min(const double *a, size_t n)
{
    double m = n ? a[0] : 0;
    size_t i;

    for (i = 1; i < n; i++)
        m = a[i] < m ? a[i] : m;
    return m;
}

static int read_file(const char *path, unsigned char **buf, size_t *size)
{
    FILE *f = fopen(path, "rb");
    long len;

    if (!f)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
        !(*buf = malloc((size_t)len)) || fread(*buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        return -1;
    }
    *size = (size_t)len;
    fclose(f);
    return 0;
}

int bench_variants_load(bench_variants *v, const char *dir, int count)
{
    char path[4096];
    int k;

    memset(v, 0, sizeof *v);
    for (k = 0; k < count && k < 16; k++) {
        snprintf(path, sizeof path, "%s/libbenchlib_v%d.so", dir, k);
        if (read_file(path, &v->buf[k], &v->size[k]) < 0) {
            fprintf(stderr, "bench: cannot read %s\n", path);
            bench_variants_free(v);
            return -1;
        }
        v->count = k + 1;
    }
    return 0;
}

int bench_file_load(bench_variants *v, const char *path)
{
    memset(v, 0, sizeof *v);
    if (read_file(path, &v->buf[0], &v->size[0]) < 0)
        return -1;
    v->count = 1;
    return 0;
}

void bench_variants_free(bench_variants *v)
{
    int k;

    for (k = 0; k < v->count; k++)
        free(v->buf[k]);
    v->count = 0;
}

int bench_write_file(const char *path, const unsigned char *buf, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    size_t done = 0;
    ssize_t n;

    if (fd < 0)
        return -1;
    while (done < size && (n = write(fd, buf + done, size - done)) > 0)
        done += (size_t)n;
    return close(fd) == 0 && done == size ? 0 : -1;
}

int bench_sync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    return close(fd) == 0 && rc == 0 ? 0 : -1;
}

char *bench_mkdtemp(const char *base, const char *prefix)
{
    size_t len = strlen(base) + strlen(prefix) + 9;
    char *path = malloc(len);

    if (!path)
        return NULL;
    snprintf(path, len, "%s/%sXXXXXX", base, prefix);
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

void bench_rmdir_flat(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096];

    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int bench_count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

long bench_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;

    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    }
    if (f)
        fclose(f);
    return kb;
}

static int json_started;

static void json_key(const char *key)
{
    printf("%s\"%s\": ", json_started ? ",\n  " : "{\n  ", key);
    json_started = 1;
}

void bench_json_num(const char *key, double value, int decimals)
{
    json_key(key);
    printf("%.*f", decimals, value);
}

/* Values are our own (compiler versions, messages): escape only what JSON
 * requires of them. */
void bench_json_str(const char *key, const char *value)
{
    const char *p;

    json_key(key);
    putchar('"');
    for (p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            putchar('\\');
        if ((unsigned char)*p >= 0x20)
            putchar(*p);
    }
    putchar('"');
}

void bench_json_end(void)
{
    puts(json_started ? "\n}" : "{}");
    fflush(stdout);
    json_started = 0;
}
