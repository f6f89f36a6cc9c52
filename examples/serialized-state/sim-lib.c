/*
 * A moving body whose state layout changes between versions. v1 has
 * position and velocity; v2 (built with SIM_V2) adds drag. A fresh load
 * starts from the statics below, so the state is carried over by
 * serialising it to a small versioned text format:
 *
 *     sim 1
 *     ticks 12
 *     position 12
 *     velocity 1
 *
 * Format 2 adds a "drag" line. Readers take any format up to their own and
 * give missing fields their defaults; a newer format is refused rather than
 * misread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim-api.h"

#ifdef SIM_V2
#define SIM_FORMAT 2
#define DEFAULT_DRAG 0.1
#else
#define SIM_FORMAT 1
#endif

struct sim {
    long ticks;
    double position;
    double velocity;
#ifdef SIM_V2
    double drag; /* new in format 2 */
#endif
};

static struct sim sim = {
    0, 0.0, 1.0,
#ifdef SIM_V2
    DEFAULT_DRAG,
#endif
};

void sim_step(void)
{
#ifdef SIM_V2
    sim.velocity -= sim.velocity * sim.drag;
#endif
    sim.position += sim.velocity;
    sim.ticks++;
}

void sim_describe(char *out, size_t cap)
{
#ifdef SIM_V2
    snprintf(out, cap, "sim v2: ticks=%ld position=%.2f velocity=%.2f drag=%.2f",
             sim.ticks, sim.position, sim.velocity, sim.drag);
#else
    snprintf(out, cap, "sim v1: ticks=%ld position=%.2f velocity=%.2f",
             sim.ticks, sim.position, sim.velocity);
#endif
}

/* Writes the state; returns its length, or 0 if cap is too small. %.17g
 * makes doubles survive the round trip exactly. */
size_t sim_save(char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "sim %d\nticks %ld\nposition %.17g\nvelocity %.17g\n",
                     SIM_FORMAT, sim.ticks, sim.position, sim.velocity);
#ifdef SIM_V2
    if (n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, "drag %.17g\n", sim.drag);
#endif
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* One "key value" line into the state; unknown keys are ignored. */
static void load_field(struct sim *s, const char *key, const char *value)
{
    if (strcmp(key, "ticks") == 0)
        s->ticks = strtol(value, NULL, 10);
    else if (strcmp(key, "position") == 0)
        s->position = strtod(value, NULL);
    else if (strcmp(key, "velocity") == 0)
        s->velocity = strtod(value, NULL);
#ifdef SIM_V2
    else if (strcmp(key, "drag") == 0)
        s->drag = strtod(value, NULL);
#endif
}

/* Reads a saved state. Returns the format it read, or 0 if the blob is not
 * one, or is newer than this version reads (the state is then unchanged).
 * Fields the blob lacks keep their defaults (the statics' initial values). */
int sim_load(const char *buf, size_t len)
{
    char text[1024], key[32], value[64];
    struct sim loaded = sim;
    int format = 0, used;
    const char *p;

    if (len == 0 || len >= sizeof text)
        return 0;
    memcpy(text, buf, len);
    text[len] = '\0';
    if (sscanf(text, "sim %d", &format) != 1 || format < 1 || format > SIM_FORMAT)
        return 0;
    for (p = strchr(text, '\n'); p && sscanf(p, " %31s %63s%n", key, value, &used) == 2; p += used)
        load_field(&loaded, key, value);
    sim = loaded;
    return format;
}
