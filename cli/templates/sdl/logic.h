/*
 * The interface between the host (host.c: the window, the frame loop) and
 * the hot library (logic.c: how the scene moves and looks). Both sides
 * compile this header; the runtime refuses a library built from another
 * version of it, and `hotreload run` then restarts the host with its state.
 */
#ifndef LOGIC_H
#define LOGIC_H

#include <SDL.h>
#include <hotreload.h>

#define SCENE_W 320
#define SCENE_H 240

/* What survives reloads and restarts: it lives in the host. */
struct state {
    long frame;
    float x, y;   /* the box's top-left corner, pixels */
    float vx, vy; /* pixels per second */
};

#define LOGIC_FUNCTIONS(X, XV)                                         \
    XV(void, logic_init, (struct state *s), (s))                       \
    XV(void, logic_update, (struct state *s, float dt), (s, dt))       \
    XV(void, logic_draw, (const struct state *s, SDL_Renderer *r), (s, r))

#define LOGIC_TYPES(TYPE, FIELD) \
    TYPE(struct state)           \
    FIELD(struct state, frame)   \
    FIELD(struct state, x)       \
    FIELD(struct state, y)       \
    FIELD(struct state, vx)      \
    FIELD(struct state, vy)

/* Guarded: if a new build crashes inside update or draw, the runtime rolls
 * back to the previous version and the call is made again there. */
HOT_GUARDED_INTERFACE(logic, LOGIC_FUNCTIONS, LOGIC_TYPES)

#endif
