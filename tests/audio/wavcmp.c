/* wavcmp: makes and compares the mono WAV files of the audio tests.
 *   wavcmp gen OUT.wav FRAMES          a deterministic test signal
 *   wavcmp equal A.wav B.wav           B is A, sample for sample
 *   wavcmp scaled A.wav B.wav FACTOR   B is A * FACTOR (to 1e-6)
 *   wavcmp differs A.wav B.wav         not silent, and not A
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

static float *load(const char *path, long *frames)
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
    if (info.channels != 1) { /* keep the first channel */
        long i;
        for (i = 0; i < *frames; i++)
            x[i] = x[i * info.channels];
    }
    sf_close(f);
    return x;
}

int main(int argc, char **argv)
{
    long na, nb, i, worst = -1;
    float *a, *b;
    double factor = 1, err = 0, peak = 0;

    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], atol(argv[3]));
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
