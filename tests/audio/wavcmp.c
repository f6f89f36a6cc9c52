/* wavcmp: makes and compares the mono WAV files of the audio tests.
 *   wavcmp gen OUT.wav FRAMES          a deterministic test signal
 *   wavcmp equal A.wav B.wav           B is A, sample for sample
 *   wavcmp scaled A.wav B.wav FACTOR   B is A * FACTOR (to 1e-6)
 *   wavcmp differs A.wav B.wav         not silent, and not A
 *   wavcmp cut A.wav B.wav FRAME       B is A before FRAME, silent from it
 *   wavcmp sounds A.wav                A is not silent: a quarter of its
 *       256-frame blocks or more peak above 0.01
 *   wavcmp continuity REC.wav [ALLOWED] REC has the input in channel 1
 *       and the output in channel 2 (jack_rec): no more than ALLOWED
 *       (default 0) blocks with a silent run in the output while the input
 *       plays or a second-difference spike beyond 3x the median of the
 *       256-frame block maxima
 * Prints one line saying what it found; exit 0 if it holds, 1 if not. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bursts of a chirp with silences between: the delay's echoes show. */
static float signal_at(long n)
{
    double t = n / 48000.0;
    long burst = n % 12000;

    return burst < 3000 ? (float)(0.5 * sin(2 * M_PI * (220 + 40 * t) * t) + 0.2 * sin(n * 0.37)) : 0.0f;
}

static int gen(const char *path, long frames)
{
    SF_INFO info;
    SNDFILE *f;
    float *x = malloc(frames * sizeof *x);
    long i;

    memset(&info, 0, sizeof info);
    info.samplerate = 48000;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    f = sf_open(path, SFM_WRITE, &info);
    if (!f || !x) {
        fprintf(stderr, "wavcmp: %s: %s\n", path, sf_strerror(f));
        return 1;
    }
    for (i = 0; i < frames; i++)
        x[i] = signal_at(i);
    sf_writef_float(f, x, frames);
    sf_close(f);
    free(x);
    return 0;
}

static float *load_channels(const char *path, long *frames, int *channels)
{
    SF_INFO info;
    SNDFILE *f;
    float *x;

    memset(&info, 0, sizeof info);
    f = sf_open(path, SFM_READ, &info);
    if (!f) {
        fprintf(stderr, "wavcmp: %s: %s\n", path, sf_strerror(NULL));
        exit(2);
    }
    x = malloc((info.frames + 1) * info.channels * sizeof *x);
    *frames = sf_readf_float(f, x, info.frames);
    *channels = info.channels;
    sf_close(f);
    return x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Skips the first 0.25 s (connections settling). A glitch is a 256-frame
 * block with a second-difference spike beyond 3x the median block maximum,
 * or inside a silent run (|y| < 1e-5 for more than 8 frames while the
 * input plays); a JACK xrun can make one, so up to `allowed` pass. */
static int continuity(const char *path, long allowed)
{
    long n, i, run = 0, longest = 0, blocks = 0, worst_at = -1, glitches = 0, b;
    int ch;
    float *r = load_channels(path, &n, &ch);
    double *maxima, *sorted, worst = 0, median;
    unsigned char *silent;

    if (ch < 2 || n < 24000) {
        printf("wavcmp: %s: %d channels, %ld frames: not a recording of input and output\n", path, ch, n);
        return 1;
    }
    maxima = calloc(n / 256 + 1, sizeof *maxima);
    sorted = calloc(n / 256 + 1, sizeof *sorted);
    silent = calloc(n / 256 + 1, 1);
    for (i = 12000; i < n; i++) {
        float x = r[i * ch], y = r[i * ch + 1];
        double d2 = fabs(y - 2 * r[(i - 1) * ch + 1] + r[(i - 2) * ch + 1]);
        if ((i - 12000) % 256 == 0)
            blocks++;
        run = fabs(y) < 1e-5 && fabs(x) > 0.05 ? run + 1 : 0;
        longest = run > longest ? run : longest;
        if (run > 8)
            silent[blocks - 1] = 1;
        if (d2 > maxima[blocks - 1])
            maxima[blocks - 1] = d2;
        if (d2 > worst) {
            worst = d2;
            worst_at = i;
        }
    }
    memcpy(sorted, maxima, blocks * sizeof *sorted);
    qsort(sorted, blocks, sizeof *sorted, cmp_double);
    median = sorted[blocks / 2];
    for (b = 0; b < blocks; b++)
        glitches += silent[b] || maxima[b] > 3 * median;
    printf("wavcmp: %ld frames; longest silent run while the input plays: %ld; second difference: "
           "max %g (frame %ld), block median %g, ratio %.2f; glitched blocks %ld (allowed %ld)\n",
           n, longest, worst, worst_at, median, median > 0 ? worst / median : 0, glitches, allowed);
    return median > 0 && glitches <= allowed ? 0 : 1;
}

/* The first channel of a file. */
static float *load(const char *path, long *frames)
{
    int channels;
    float *x = load_channels(path, frames, &channels);
    long i;

    for (i = 0; channels != 1 && i < *frames; i++)
        x[i] = x[i * channels];
    return x;
}


static int sounds(const char *path)
{
    long n, i, blocks = 0, loud = 0;
    float *x = load(path, &n);
    float peak = 0;

    for (i = 0; i < n; i++) {
        if (fabsf(x[i]) > peak)
            peak = fabsf(x[i]);
        if (i % 256 == 255 || i == n - 1) {
            blocks++;
            loud += peak > 0.01f;
            peak = 0;
        }
    }
    printf("wavcmp: %ld frames, %ld of %ld blocks sound\n", n, loud, blocks);
    return blocks > 0 && loud * 4 >= blocks ? 0 : 1;
}

static int cut(const float *a, const float *b, long n, long at)
{
    long i, differs = -1, sounds = -1;

    for (i = 0; i < n && i < at && differs < 0; i++)
        if (a[i] != b[i])
            differs = i;
    for (i = at; i < n && sounds < 0; i++)
        if (b[i] != 0.0f)
            sounds = i;
    printf("wavcmp: %ld frames; first difference before frame %ld: %ld; first sound from it: %ld\n", n, at,
           differs, sounds);
    return differs < 0 && sounds < 0 && at < n ? 0 : 1;
}

int main(int argc, char **argv)
{
    long na, nb, i, worst = -1;
    float *a, *b;
    double factor = 1, err = 0, peak = 0;

    if ((argc == 3 || argc == 4) && strcmp(argv[1], "continuity") == 0)
        return continuity(argv[2], argc == 4 ? atol(argv[3]) : 0);
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], atol(argv[3]));
    if (argc == 3 && strcmp(argv[1], "sounds") == 0)
        return sounds(argv[2]);
    if (argc < 4) {
        fprintf(stderr, "usage: wavcmp gen|equal|scaled|differs ...\n");
        return 2;
    }
    a = load(argv[2], &na);
    b = load(argv[3], &nb);
    if (na != nb) {
        printf("wavcmp: %s has %ld frames, %s %ld\n", argv[2], na, argv[3], nb);
        return 1;
    }
    if (strcmp(argv[1], "scaled") == 0 && argc == 5)
        factor = atof(argv[4]);
    if (strcmp(argv[1], "cut") == 0 && argc == 5)
        return cut(a, b, na, atol(argv[4]));
    for (i = 0; i < na; i++) {
        double d = fabs(b[i] - a[i] * factor);
        if (fabs(b[i]) > peak)
            peak = fabs(b[i]);
        if (d > err) {
            err = d;
            worst = i;
        }
    }
    if (strcmp(argv[1], "differs") == 0) {
        printf("wavcmp: peak %g, largest difference %g at frame %ld\n", peak, err, worst);
        return peak > 0.01 && err > 0.01 ? 0 : 1;
    }
    if (strcmp(argv[1], "equal") == 0) {
        printf("wavcmp: %ld frames, largest difference %g (frame %ld), peak %g\n", na, err, worst, peak);
        return err == 0 && peak > 0.01 ? 0 : 1;
    }
    printf("wavcmp: %ld frames, largest error against x%g: %g (frame %ld), peak %g\n", na, factor, err, worst,
           peak);
    return err <= 1e-6 && peak > 0.01 ? 0 : 1;
}
