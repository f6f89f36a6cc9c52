/*
 * The SDL scene's host: owns the window (or, headless, a software surface),
 * the scene state and the frame loop; the hot library updates and draws.
 *
 *   sdl-scene [--lib PATH] [--fps N] [--frames N]
 *             [--headless --out DIR [--save-every N]]
 *
 * Headless, it renders into an SDL software renderer on a surface and saves
 * every Nth frame as DIR/frame-NNNNN.bmp (SDL_VIDEODRIVER=offscreen or dummy
 * needs no display). Every 10th frame it prints the frame number and the
 * first box's position, and it says when a new version of the library runs.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"

struct settings {
    const char *lib;  /* the hot library: a path, or a name next to us */
    const char *out;  /* headless: where frames go */
    int headless;
    unsigned fps;
    long frames;      /* stop after this many; 0: never */
    long save_every;
};

struct display {
    SDL_Window *window;     /* NULL when headless */
    SDL_Surface *surface;   /* headless: what the renderer draws into */
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
    s->lib = "sdl_scene_logic";
    s->fps = 60;
    s->save_every = 10;
    for (i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--headless") == 0) s->headless = 1;
        else if (strcmp(argv[i], "--lib") == 0 && next) s->lib = argv[++i];
        else if (strcmp(argv[i], "--out") == 0 && next) s->out = argv[++i];
        else if (strcmp(argv[i], "--fps") == 0 && next) s->fps = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--frames") == 0 && next) s->frames = atol(argv[++i]);
        else if (strcmp(argv[i], "--save-every") == 0 && next) s->save_every = atol(argv[++i]);
        else return -1;
    }
    if (s->fps == 0 || s->save_every <= 0 || (s->headless && !s->out))
        return -1;
    return 0;
}

static int open_display(const struct settings *s, struct display *d)
{
    memset(d, 0, sizeof *d);
    if (s->headless) {
        d->surface = SDL_CreateRGBSurfaceWithFormat(0, SCENE_W, SCENE_H, 32,
                                                    SDL_PIXELFORMAT_ARGB8888);
        d->renderer = d->surface ? SDL_CreateSoftwareRenderer(d->surface) : NULL;
    } else {
        d->window = SDL_CreateWindow("hotreload sdl-scene", SDL_WINDOWPOS_CENTERED,
                                     SDL_WINDOWPOS_CENTERED, SCENE_W, SCENE_H, 0);
        d->renderer = d->window ? SDL_CreateRenderer(d->window, -1, 0) : NULL;
    }
    if (!d->renderer) {
        fprintf(stderr, "sdl-scene: %s\n", SDL_GetError());
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
        fprintf(stderr, "sdl-scene: %s: %s\n", path, SDL_GetError());
}

/* A window's close button also stops the loop. */
static void poll_window_events(void)
{
    SDL_Event ev;

    while (SDL_PollEvent(&ev)) {
        if (ev.type == SDL_QUIT)
            stop_requested = 1;
    }
}

static void show_frame(const struct settings *s, const struct display *d,
                       const struct scene *scene)
{
    if (scene->frame % 10 == 0)
        printf("frame %ld: box0 at %.2f,%.2f\n", scene->frame, scene->boxes[0].x,
               scene->boxes[0].y);
    if (d->window) {
        SDL_RenderPresent(d->renderer);
        poll_window_events();
    } else if (scene->frame % s->save_every == 0) {
        save_frame(s, d, scene->frame);
    }
    fflush(stdout);
}

static void run_frames(const struct settings *s, const struct display *d, hot_lib *lib)
{
    struct scene scene;
    float dt = 1.0f / (float)s->fps;

    scene_init(&scene);
    while (!stop_requested && (s->frames == 0 || scene.frame < s->frames)) {
        if (hot_update(lib) == 1)
            printf("reloaded v%lu at frame %ld\n", hot_version(lib), scene.frame);
        scene_update(&scene, dt);
        scene_render(&scene, d->renderer);
        show_frame(s, d, &scene);
        SDL_Delay(1000 / s->fps);
    }
}

int main(int argc, char **argv)
{
    struct settings settings;
    struct display display;
    hot_lib *lib = NULL;
    int status = 1;

    if (parse_settings(argc, argv, &settings) < 0) {
        fprintf(stderr, "usage: %s [--lib PATH] [--fps N] [--frames N] "
                        "[--headless --out DIR [--save-every N]]\n", argv[0]);
        return 2;
    }
    signal(SIGTERM, on_stop);
    signal(SIGINT, on_stop);
    if (SDL_Init(SDL_INIT_VIDEO) < 0) {
        fprintf(stderr, "sdl-scene: SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    if (open_display(&settings, &display) == 0 &&
        hot_open(&lib, settings.lib, HOT_IFACE(scene), NULL) == 0) {
        run_frames(&settings, &display, lib);
        status = 0;
    } else if (display.renderer) {
        fprintf(stderr, "sdl-scene: %s\n", hot_last_error());
    }
    hot_close(lib);
    close_display(&display);
    SDL_Quit();
    return status;
}
