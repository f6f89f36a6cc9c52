/*
 * A sample interface compiled by the header hygiene tests in all three
 * modes (host, HOT_LIBRARY, HOT_STATIC), as C89 and as C++, with every
 * warning an error. It uses every public macro a program or library writes;
 * HS_GUARDED makes it a guarded interface.
 */
#include <hotreload.h>

struct hs_state {
    long n;
    float x;
};

#define HS_FUNCTIONS(X, XV)                                                   \
    X(long, hs_step, (struct hs_state *s, float dt), (s, dt))                 \
    XV(void, hs_say, (const char *msg), (msg))

#define HS_TYPES(TYPE, FIELD)                                                 \
    TYPE(struct hs_state)                                                     \
    FIELD(struct hs_state, n)                                                 \
    FIELD(struct hs_state, x)

#ifdef HS_GUARDED
HOT_GUARDED_INTERFACE(hs, HS_FUNCTIONS, HS_TYPES)
#else
HOT_INTERFACE(hs, HS_FUNCTIONS, HS_TYPES)
#endif

#if defined(HOT_LIBRARY) || defined(HOT_STATIC)

/* Kept state, written the way the header documents for each language. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#  define HS_MODERN 1
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#  define HS_MODERN 1
#endif

#if defined(HS_MODERN)
HOT_STRUCT(hs_world, { float x, y; int lives; });
HOT_KEEP_INIT(long, hs_frames, 0);
HOT_KEEP_STRUCT_INIT(hs_world, hs_the_world, {0, 0, 3});
#elif defined(__cplusplus)
/* C++98: no initializers (the variables start zeroed). */
HOT_STRUCT(hs_world, { float x; float y; int lives; });
HOT_KEEP(long, hs_frames);
HOT_KEEP_STRUCT(hs_world, hs_the_world);
#else
/* C89: one declarator per member, a comma would split the argument. */
HOT_STRUCT(hs_world, { float x; float y; int lives; });
HOT_KEEP(long, hs_frames) = 0;
HOT_KEEP_STRUCT(hs_world, hs_the_world) = {0, 0, 3};
#endif

static int hs_save(void **data, size_t *size, unsigned *tag)
{
    *data = 0;
    *size = 0;
    *tag = 1;
    return 0;
}

static int hs_load(unsigned tag, const void *data, size_t size)
{
    (void)tag;
    (void)data;
    (void)size;
    return 0;
}

HOT_STATE_HOOKS(hs_save, hs_load, 0);

long hs_step(struct hs_state *s, float dt)
{
    s->x += dt;
    hs_the_world.x += dt;
    return ++s->n + ++hs_frames;
}

void hs_say(const char *msg)
{
    (void)msg;
}

#endif

#if !defined(HOT_LIBRARY)

int hs_host_main(void);

int hs_host_main(void)
{
    struct hs_state s = {0, 0.0f};
    hot_lib *lib = 0;
    hot_options opts = HOT_OPTIONS_INIT;
    int err;

    err = hot_open(&lib, "hs", HOT_IFACE(hs), &opts);
    if (err != 0)
        return err;
    hs_say(hot_strerror(err));
    s.n = hs_step(&s, 0.5f);
    if (hot_update(lib) < 0 || hot_was_updated(lib))
        s.n++;
    hot_close(lib);
    return (int)s.n + (int)hot_errname(err)[0];
}

#endif
