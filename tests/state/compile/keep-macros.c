/*
 * The state macros as a library writes them, including the header's own
 * examples. Compiled by the state.compile.* tests as C (C89 and C99) and
 * as C++, with HOT_LIBRARY (the real macros) and without (plain statics).
 */
#include <hotreload.h>

#if defined(STATE_COMMAS)
/* The example in hotreload.h: two declarators in one declaration. */
HOT_STRUCT(world, { float x, y; int lives; });
#else
HOT_STRUCT(world, { float x; float y; int lives; });
#endif

#if defined(__cplusplus)
/* C++ has no tentative definitions: the initializer is an argument. */
HOT_KEEP_INIT(long, total_frames, 0);
HOT_KEEP_STRUCT_INIT(world, the_world, {0, 0, 3});
HOT_KEEP(int, zeroed_counter);
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
HOT_KEEP(long, total_frames) = 0;
HOT_KEEP_STRUCT_INIT(world, the_world, {0, 0, 3});
#else
HOT_KEEP(long, total_frames) = 0;
HOT_KEEP_STRUCT(world, the_world) = {0, 0, 3};
#endif

static int save(void **data, size_t *size, unsigned *tag)
{
    (void)data, (void)size, (void)tag;
    return -1;
}

static int load(unsigned tag, const void *data, size_t size)
{
    (void)tag, (void)data, (void)size;
    return -1;
}

HOT_STATE_HOOKS(save, load, 0);

int keep_macros_use(void);
int keep_macros_use(void)
{
#if defined(__cplusplus)
    return the_world.lives + (int)total_frames + zeroed_counter;
#else
    return the_world.lives + (int)total_frames;
#endif
}
