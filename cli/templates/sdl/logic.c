/*
 * The hot library: edit this file while `hotreload run` runs, save, and the
 * next frame is drawn by the new code (change BOX_RGB, or the speed).
 */
#include "logic.h"

#define BACKGROUND_RGB 16, 24, 32
#define BOX_RGB 230, 70, 50
#define BOX_SIZE 32

void logic_init(struct state *s)
{
    s->frame = 0;
    s->x = 40.0f;
    s->y = 30.0f;
    s->vx = 60.0f;
    s->vy = 45.0f;
}

/* Moves along one axis, bouncing off both walls. */
static void bounce(float *pos, float *vel, float limit, float dt)
{
    *pos += *vel * dt;
    if (*pos < 0) {
        *pos = -*pos;
        *vel = -*vel;
    } else if (*pos + BOX_SIZE > limit) {
        *pos = 2 * (limit - BOX_SIZE) - *pos;
        *vel = -*vel;
    }
}

void logic_update(struct state *s, float dt)
{
    bounce(&s->x, &s->vx, SCENE_W, dt);
    bounce(&s->y, &s->vy, SCENE_H, dt);
    s->frame++;
}

void logic_draw(const struct state *s, SDL_Renderer *r)
{
    SDL_Rect box;

    SDL_SetRenderDrawColor(r, BACKGROUND_RGB, 255);
    SDL_RenderClear(r);
    SDL_SetRenderDrawColor(r, BOX_RGB, 255);
    box.x = (int)s->x;
    box.y = (int)s->y;
    box.w = box.h = BOX_SIZE;
    SDL_RenderFillRect(r, &box);
}
