/*
 * @NAME@: the host. It owns the window, the state and the frame loop; the
 * hot library (logic.c) updates and draws each frame, and the hotreload
 * runtime swaps in each rebuilt library between two frames.
 *
 *   ./@NAME@ [--fps N] [--frames N] [--headless --out DIR [--save-every N]]
 *
 * Headless (no display needed: SDL_VIDEODRIVER=offscreen or dummy), it
 * draws into a software surface and saves every Nth frame as
 * DIR/frame-NNNNN.bmp. Every 10th frame it prints the frame number and the
 * box's position.
 *
 * State across restarts: hot_keep_object() keeps the state; under
 * `hotreload run`, hot_close() saves it and the next run gets it back by
 * field name, even after struct state changed.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logic.h"

struct settings {
    const char *out; /* headless: where frames go */
    int headless;
    unsigned fps;
    long frames; /* stop after this many frames of this run; 0: never */
    long save_every;
};

struct display {
    SDL_Window *window;   /* NULL when headless */
    SDL_Surface *surface; /* headless: what the renderer draws into */
    SDL_Renderer *renderer;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int parse_settings(int argc, char **argv, struct settings *s)
{
    int i;

    memset(s, 0, sizeof *s);
    s->fps = 60;
    s->save_every = 10;
    for (i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--headless") == 0)
            s->headless = 1;
        else if (strcmp(argv[i], "--out") == 0 && next)
            s->out = argv[++i];
        else if (strcmp(argv[i], "--fps") == 0 && next)
            s->fps = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--frames") == 0 && next)
            s->frames = atol(argv[++i]);
        else if (strcmp(argv[i], "--save-every") == 0 && next)
            s->save_every = atol(argv[++i]);
        else
            return -1;
    }
    return s->fps == 0 || s->save_every <= 0 || (s->headless && !s->out) ? -1 : 0;
}

static int open_display(const struct settings *s, struct display *d)
{
    memset(d, 0, sizeof *d);
    if (s->headless) {
        d->surface =
            SDL_CreateRGBSurfaceWithFormat(0, SCENE_W, SCENE_H, 32, SDL_PIXELFORMAT_ARGB8888);
        d->renderer = d->surface ? SDL_CreateSoftwareRenderer(d->surface) : NULL;
    } else {
        d->window = SDL_CreateWindow("@NAME@", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                     SCENE_W, SCENE_H, 0);
        d->renderer = d->window ? SDL_CreateRenderer(d->window, -1, 0) : NULL;
    }
    if (!d->renderer) {
        fprintf(stderr, "@NAME@: %s\n", SDL_GetError());
        return -1;
    }
    return 0;
}

static void close_display(struct display *d)
{
    if (d->renderer)
        SDL_DestroyRenderer(d->renderer);
    if (d->surface)
        SDL_FreeSurface(d->surface);
    if (d->window)
        SDL_DestroyWindow(d->window);
}

static void save_frame(const struct settings *s, const struct display *d, long frame)
{
    char path[4096];

    snprintf(path, sizeof path, "%s/frame-%05ld.bmp", s->out, frame);
    if (SDL_SaveBMP(d->surface, path) == 0)
        printf("saved %s\n", path);
    else
        fprintf(stderr, "@NAME@: %s: %s\n", path, SDL_GetError());
}

/* The window's close button (or its quit key) ends the program: under
 * `hotreload run`, a quit ends the loop too. */
static void poll_window_events(void)
{
    SDL_Event ev;

    while (SDL_PollEvent(&ev)) {
        if (ev.type == SDL_QUIT || (ev.type == SDL_KEYDOWN && ev.key.keysym.sym == SDLK_ESCAPE))
            stop_requested = 1;
    }
}

static void show_frame(const struct settings *s, const struct display *d, const struct state *st)
{
    if (st->frame % 10 == 0)
        printf("frame %ld: box at %.2f,%.2f\n", st->frame, st->x, st->y);
    if (d->window) {
        SDL_RenderPresent(d->renderer);
        poll_window_events();
    } else if (st->frame % s->save_every == 0) {
        save_frame(s, d, st->frame);
    }
    fflush(stdout);
}

static void run_frames(const struct settings *s, const struct display *d, hot_lib *lib)
{
    struct state state;
    float dt = 1.0f / (float)s->fps;
    long run_frames = 0;

    logic_init(&state);
    /* after its initial values: a restart fills it from the last run */
    if (hot_keep_object(lib, "struct state", &state) < 0)
        fprintf(stderr, "@NAME@: %s\n", hot_errmsg(lib));
    while (!stop_requested && (s->frames == 0 || run_frames < s->frames)) {
        if (hot_update(lib) == 1)
            printf("reloaded v%lu at frame %ld\n", hot_version(lib), state.frame);
        logic_update(&state, dt);
        logic_draw(&state, d->renderer);
        show_frame(s, d, &state);
        run_frames++;
        SDL_Delay(1000 / s->fps);
    }
}

/* liblogic.so sits next to the program (make and CMake both put it there);
 * the runtime finds it there from any working directory. */
static int open_logic(hot_lib **lib)
{
    hot_options opts = HOT_OPTIONS_INIT;
    int err;

    opts.guard_timeout_ms = 2000; /* say so when a frame never returns */
    err = hot_open(lib, "logic", HOT_IFACE(logic), &opts);
    if (err < 0)
        fprintf(stderr, "@NAME@: %s\n", hot_last_error());
    return err;
}

int main(int argc, char **argv)
{
    struct settings settings;
    struct display display;
    hot_lib *lib = NULL;
    int status = 1;

    if (parse_settings(argc, argv, &settings) < 0) {
        fprintf(stderr,
                "usage: %s [--fps N] [--frames N] [--headless --out DIR [--save-every N]]\n",
                argv[0]);
        return 2;
    }
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    if (SDL_Init(SDL_INIT_VIDEO) < 0) {
        fprintf(stderr, "@NAME@: SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    if (open_display(&settings, &display) == 0 && open_logic(&lib) == 0) {
        run_frames(&settings, &display, lib);
        status = 0;
    }
    hot_close(lib); /* saves the kept state under hotreload run */
    close_display(&display);
    SDL_Quit();
    return status;
}
