/*
 * The interface of the SDL scene: the host owns the scene (positions,
 * velocities, the frame counter) and the renderer; the hot library updates
 * and draws it. Edit sdl_scene_logic.c while the scene runs.
 */
#ifndef SDL_SCENE_H
#define SDL_SCENE_H

#include <SDL.h>
#include <hotreload.h>

#define SCENE_BOXES 4
#define SCENE_W 320
#define SCENE_H 240

struct box {
    float x, y;   /* top-left corner, pixels */
    float vx, vy; /* pixels per second */
    float size;
};

struct scene {
    long frame;
    struct box boxes[SCENE_BOXES];
};

#define SCENE_FUNCTIONS(X, XV)                                          \
    XV(void, scene_init, (struct scene *s), (s))                        \
    XV(void, scene_update, (struct scene *s, float dt), (s, dt))        \
    XV(void, scene_render, (const struct scene *s, SDL_Renderer *r), (s, r))

#define SCENE_TYPES(TYPE, FIELD)  \
    TYPE(struct scene)            \
    FIELD(struct scene, frame)    \
    FIELD(struct scene, boxes)    \
    TYPE(struct box)              \
    FIELD(struct box, x)          \
    FIELD(struct box, y)          \
    FIELD(struct box, vx)         \
    FIELD(struct box, vy)         \
    FIELD(struct box, size)

HOT_INTERFACE(scene, SCENE_FUNCTIONS, SCENE_TYPES)

#endif
