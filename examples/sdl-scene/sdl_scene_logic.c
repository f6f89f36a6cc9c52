/*
 * The hot part of the SDL scene: how the boxes move and how they look.
 * Change BOX_RGB, save and rebuild: the next frame has the new colour and
 * the boxes go on from where they were.
 */
#include "scene.h"

#define BACKGROUND_RGB 16, 24, 32
#define BOX_RGB 230, 70, 50

void scene_init(struct scene *s)
{
    int i;

    s->frame = 0;
    for (i = 0; i < SCENE_BOXES; i++) {
        s->boxes[i].x = 20.0f + 60.0f * (float)i;
        s->boxes[i].y = 30.0f + 35.0f * (float)i;
        s->boxes[i].vx = 40.0f + 15.0f * (float)i;
        s->boxes[i].vy = 30.0f - 10.0f * (float)i;
        s->boxes[i].size = 24.0f + 4.0f * (float)i;
    }
}

/* Moves along one axis, bouncing off both walls. */
static void bounce(float *pos, float *vel, float size, float limit, float dt)
{
    *pos += *vel * dt;
    if (*pos < 0) {
        *pos = -*pos;
        *vel = -*vel;
    } else if (*pos + size > limit) {
        *pos = 2 * (limit - size) - *pos;
        *vel = -*vel;
    }
}

void scene_update(struct scene *s, float dt)
{
    int i;

    for (i = 0; i < SCENE_BOXES; i++) {
        struct box *b = &s->boxes[i];
        bounce(&b->x, &b->vx, b->size, SCENE_W, dt);
        bounce(&b->y, &b->vy, b->size, SCENE_H, dt);
    }
    s->frame++;
}

void scene_render(const struct scene *s, SDL_Renderer *r)
{
    int i;

    SDL_SetRenderDrawColor(r, BACKGROUND_RGB, 255);
    SDL_RenderClear(r);
    SDL_SetRenderDrawColor(r, BOX_RGB, 255);
    for (i = 0; i < SCENE_BOXES; i++) {
        SDL_Rect rect;
        rect.x = (int)s->boxes[i].x;
        rect.y = (int)s->boxes[i].y;
        rect.w = rect.h = (int)s->boxes[i].size;
        SDL_RenderFillRect(r, &rect);
    }
}
