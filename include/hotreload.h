/*
 * hotreload: reload a running C program's shared library, safely.
 *
 * A program (the host) calls into a library through functions declared once
 * in an interface header. The runtime loads the library through a shadow
 * copy, verifies it against what the host was compiled with, publishes its
 * function table atomically, and reloads it whenever the library is rebuilt.
 * A build that cannot be loaded safely is refused with a one-line reason and
 * the program goes on with the code it has.
 *
 * This header is C89 and C++ clean. Every public name starts with hot_ or
 * HOT_; names starting with hot__ or HOT__ are internal.
 *
 * The interface header
 * --------------------
 *     #include <hotreload.h>
 *     struct state { long counter; float x; };
 *
 *     #define GAME_FUNCTIONS(X, XV)                                     \
 *         X(long, game_step, (struct state *s, float dt), (s, dt))      \
 *         XV(void, game_say, (const char *msg), (msg))
 *
 *     #define GAME_TYPES(TYPE, FIELD)                                   \
 *         TYPE(struct state)                                            \
 *         FIELD(struct state, counter)                                  \
 *         FIELD(struct state, x)
 *
 *     HOT_INTERFACE(game, GAME_FUNCTIONS, GAME_TYPES)
 *
 * X lists a function that returns a value, XV one that returns void:
 * X(return type, name, (parameters), (arguments)); the arguments are the
 * parameter names. The signature's text and the size and alignment of its
 * return and parameter types (C99/C++11) are checked on every load. TYPE
 * and FIELD list the types both sides share; their size, alignment and
 * field layout are checked too.
 *
 * The same header compiles three ways:
 *   - in the host (default): wrappers with the functions' own names call
 *     through the current version's table; HOT_IFACE(game) names the
 *     interface for hot_open().
 *   - in the library (HOT_LIBRARY defined): prototypes of the exported
 *     functions (which bind inside the library whatever they are named)
 *     plus the manifest the runtime verifies.
 * Everything the macros emit has C linkage, also in C++. Host code may be
 * split over an executable and libraries: each object's tables are filled
 * by the one hot_open of the interface (a second one gets HOT_EBUSY).
 *   - HOT_STATIC defined: plain prototypes and direct calls, and every hot_*
 *     call a host makes (open, update, events, listeners) becomes an inline
 *     no-op, so the same sources build a static program with no runtime
 *     dependency (the inspection calls are not declared there).
 */
#ifndef HOTRELOAD_H
#define HOTRELOAD_H

#include <setjmp.h>
#include <stddef.h>

#if defined(HOT_STATIC)
/* The waits of a static build (below) block on a condition variable. */
#  include <pthread.h>
#  include <sys/time.h>
#endif

#include "hotreload/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Compiler glue ------------------------------------------------------ */

#if defined(_WIN32) && !defined(HOT_STATIC_LIB)
#  if defined(HOT_BUILDING_RUNTIME)
#    define HOT_EXTERN __declspec(dllexport)
#  else
#    define HOT_EXTERN __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define HOT_EXTERN __attribute__((visibility("default")))
#else
#  define HOT_EXTERN
#endif

/* Marks what a hot library exports to the runtime (the manifest, the state
 * hooks). Not for the hot functions: the interface declares those itself,
 * with a visibility that a different attribute on the definition would
 * contradict. */
#if defined(_WIN32)
#  define HOT_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#  define HOT_EXPORT __attribute__((visibility("default")))
#else
#  define HOT_EXPORT
#endif

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#  define HOT__INLINE inline
#elif defined(__GNUC__)
#  define HOT__INLINE __inline__
#else
#  define HOT__INLINE
#endif

/* Definitions that every translation unit including an interface header may
 * emit; the linker keeps one. */
#if defined(_WIN32) && defined(__GNUC__)
#  define HOT__MERGED __attribute__((selectany))
#elif defined(__GNUC__)
#  define HOT__MERGED __attribute__((weak))
#else
#  error "hotreload needs GCC or Clang (weak definitions) for hot builds"
#endif

#if defined(__GNUC__)
#  define HOT__UNUSED __attribute__((unused))
#  define HOT__ALIGNOF(T) __alignof__(T)
#  define HOT__LOAD_ACQUIRE(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#  define HOT__STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#else
#  define HOT__UNUSED
#  define HOT__ALIGNOF(T) sizeof(T)
#  define HOT__LOAD_ACQUIRE(p) (*(p))
#  define HOT__STORE_RELAXED(p, v) (*(p) = (v))
#endif

#define HOT__CAT2(a, b) a##b
#define HOT__CAT(a, b) HOT__CAT2(a, b)
#define HOT__STR2(x) #x
#define HOT__STR(x) HOT__STR2(x)
#define HOT__NOTHING

/* A const definition with external linkage: C++ needs the extern. */
#ifdef __cplusplus
#  define HOT__EXTERN_CONST extern const
#else
#  define HOT__EXTERN_CONST const
#endif

/* ---- Errors ------------------------------------------------------------- */

/* X(name, value, description). One table makes the enum, hot_strerror() and
 * hot_errname(). */
#define HOT_ERRNO_MAP(X)                                                      \
    X(HOT_EINVAL, -1, "invalid argument")                                     \
    X(HOT_ENOMEM, -2, "out of memory")                                        \
    X(HOT_ENOENT, -3, "no such file")                                         \
    X(HOT_EACCES, -4, "permission denied")                                    \
    X(HOT_EIO, -5, "input/output error")                                      \
    X(HOT_ENOSPC, -6, "no space left on device")                              \
    X(HOT_ENOTLIB, -7, "not a shared library")                                \
    X(HOT_EINCOMPLETE, -8, "library file is incomplete")                      \
    X(HOT_EARCH, -9, "library is for another architecture")                   \
    X(HOT_ELOAD, -10, "the dynamic loader refused the library")               \
    X(HOT_ENOMANIFEST, -11, "library has no hotreload manifest")              \
    X(HOT_EABI, -12, "runtime ABI mismatch")                                  \
    X(HOT_EMISMATCH, -13, "library does not match the interface")             \
    X(HOT_ETIMEDOUT, -14, "timed out")                                        \
    X(HOT_EBUSY, -15, "resource busy")                                        \
    X(HOT_ECRASHED, -16, "build crashed before and is refused")               \
    X(HOT_ESYS, -17, "system error")                                          \
    X(HOT_ECLOSED, -18, "handle is closing")                                  \
    X(HOT_EEXIST, -19, "file exists")

#define HOT__ERRNO_ENUM(name, value, text) name = value,
typedef enum hot_errno {
    HOT_OK = 0,
    HOT_ERRNO_MAP(HOT__ERRNO_ENUM)
    HOT_ERRNO_LAST_ = -19
} hot_errno;
#undef HOT__ERRNO_ENUM

#define HOT__ERRNO_TEXT(name, value, text) case value: return text;
#define HOT__ERRNO_NAME(name, value, text) case value: return #name;

/* Static description of an error code ("timed out"). Never NULL. */
static HOT__INLINE HOT__UNUSED const char *hot_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    HOT_ERRNO_MAP(HOT__ERRNO_TEXT)
    default: return "unknown error";
    }
}

/* The code's name ("HOT_ETIMEDOUT"). Never NULL. */
static HOT__INLINE HOT__UNUSED const char *hot_errname(int err)
{
    switch (err) {
    case 0: return "HOT_OK";
    HOT_ERRNO_MAP(HOT__ERRNO_NAME)
    default: return "HOT_E?";
    }
}

/* ---- Interface description (filled in by HOT_INTERFACE) ----------------- */

typedef void (*hot_fn)(void);

/* The size and alignment of a value as the compiler saw its type. */
typedef struct hot_layout {
    unsigned long size;
    unsigned long align;
} hot_layout;

/* hot_fn_desc.n_params when the compiler had no variadic macros (C89,
 * C++98): the parameters' layout is not known and not compared. */
#define HOT_LAYOUT_UNKNOWN (-1)

typedef struct hot_fn_desc {
    const char *name;
    const char *signature; /* "long (struct state *s, float dt)" */
    hot_fn fn;             /* the library's function; a trap in the host */
    int n_params;          /* or HOT_LAYOUT_UNKNOWN */
    /* [0]: the return value (size 0: void); [1..n_params]: each parameter,
     * as declared (an array parameter counts as its array type). NULL when
     * n_params is HOT_LAYOUT_UNKNOWN. */
    const hot_layout *layout;
} hot_fn_desc;

typedef struct hot_type_desc {
    const char *name;      /* "struct state" */
    unsigned long size;
    unsigned long align;
} hot_type_desc;

typedef struct hot_field_desc {
    const char *type;      /* "struct state" */
    const char *name;      /* "counter" */
    unsigned long offset;
    unsigned long size;
} hot_field_desc;

#define HOT_MANIFEST_MAGIC 0x484f5452u /* "HOTR" */

/* What a hot library exports as hot_manifest_<interface>. The first two
 * fields never move, so any runtime can read and refuse any library. */
typedef struct hot_manifest {
    unsigned magic;
    unsigned abi;
    const char *interface_name;
    const char *compiler;  /* "gcc 12.2.0" */
    unsigned data_model;   /* HOT__DATA_MODEL: pointer, long and int sizes */
    unsigned n_fns;
    const hot_fn_desc *fns;
    unsigned n_types;
    const hot_type_desc *types;
    unsigned n_fields;
    const hot_field_desc *fields;
    /* The library's kept variables (HOT_KEEP): pointers to their
     * descriptions, [vars_start, vars_stop). Both NULL in the host and in
     * a library with none. */
    const struct hot_var_desc *const *vars_start;
    const struct hot_var_desc *const *vars_stop;
} hot_manifest;

/* What the host compiled: the manifest it expects, and the slot holding the
 * current version's function table, one entry per function in list order. */
typedef struct hot_interface {
    const hot_manifest *expected;
    hot_fn *volatile *slot;
    hot_fn *traps;
} hot_interface;

#if defined(__clang__)
#  define HOT__COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#  define HOT__COMPILER "gcc " HOT__STR(__GNUC__) "." HOT__STR(__GNUC_MINOR__) "." HOT__STR(__GNUC_PATCHLEVEL__)
#else
#  define HOT__COMPILER "unknown"
#endif

#define HOT__DATA_MODEL \
    ((unsigned)(sizeof(void *) << 16 | sizeof(long) << 8 | sizeof(int)))

/* ---- State that survives reloads (in the library) ---------------------- */

/*
 * Save and load hooks. At a swap the old version's save hook hands over its
 * state as bytes with a tag of its choosing; the new version's load hook
 * takes them. A load hook returns 0, or a negative value when it does not
 * know the tag or the bytes: then the migration hook (if any) gets them,
 * and if it refuses too the new code starts from its defaults and a warning
 * says why. The bytes are malloc'd by save and freed by the runtime.
 *     HOT_STATE_HOOKS(game_save, game_load, game_migrate);   (in one .c)
 */
typedef int (*hot_save_fn)(void **data, size_t *size, unsigned *tag);
typedef int (*hot_load_fn)(unsigned tag, const void *data, size_t size);

typedef struct hot_state_hooks {
    unsigned size;          /* sizeof(hot_state_hooks) */
    hot_save_fn save;
    hot_load_fn load;
    hot_load_fn migrate;    /* may be NULL */
} hot_state_hooks;

/*
 * Kept variables. HOT_KEEP(type, name) defines a static variable whose
 * value the runtime carries from the old version into the new one when its
 * name, type name, size and alignment match; HOT_KEEP_STRUCT(tag, name) does
 * the same for a struct defined with HOT_STRUCT(tag, { fields }), and also
 * compares the struct's definition text, so reordered or retyped fields are
 * caught. A variable whose layout changed keeps the new version's initial
 * value, with a warning naming it.
 *     HOT_KEEP(long, total_frames) = 0;                 (C)
 *     HOT_KEEP_INIT(long, total_frames, 0);             (C99, C++)
 *     HOT_STRUCT(world, { float x; float y; int lives; });
 *     HOT_KEEP_STRUCT_INIT(world, the_world, {0, 0, 3});
 * In C89, write one declarator per field in HOT_STRUCT (a comma would split
 * the macro argument); C99 and C++ take any body. In C++ HOT_KEEP and
 * HOT_KEEP_STRUCT take no initializer (the variable starts zeroed): use the
 * _INIT forms.
 */
typedef struct hot_var_desc {
    const char *name;
    const char *type;
    const char *definition; /* HOT_STRUCT's text, or "" */
    unsigned long size;
    unsigned long align;
    void *address;
} hot_var_desc;

#if (defined(__cplusplus) && __cplusplus >= 201103L) || \
    (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#  define HOT__HAVE_VARIADIC_MACROS 1
#endif

#ifdef HOT__HAVE_VARIADIC_MACROS
#  define HOT_STRUCT(tag, ...)                                                \
    struct tag __VA_ARGS__;                                                   \
    static HOT__UNUSED const char hot__definition_##tag[] = #__VA_ARGS__
#else
#  define HOT_STRUCT(tag, body)                                               \
    struct tag body;                                                          \
    static HOT__UNUSED const char hot__definition_##tag[] = #body
#endif

#if defined(HOT_LIBRARY)
/* Each kept variable puts a pointer to its description in the section
 * hot_vars; the linker brackets it with __start_/__stop_hot_vars. */
#  define HOT__KEEP_DESC(T, name, definition)                                 \
    static const hot_var_desc hot__var_##name = {                             \
        #name, #T, definition, sizeof(T), HOT__ALIGNOF(T), &name};            \
    static const hot_var_desc *const hot__var_ptr_##name                      \
        __attribute__((used, section("hot_vars"))) = &hot__var_##name;
/* The definition takes C linkage from the declaration before it. */
#  define HOT_STATE_HOOKS(save, load, migrate)                                \
    HOT__C_BEGIN                                                              \
    extern HOT_EXPORT const hot_state_hooks hot__exported_state_hooks;        \
    HOT__C_END                                                                \
    HOT__EXTERN_CONST hot_state_hooks hot__exported_state_hooks = {           \
        sizeof(hot_state_hooks), save, load, migrate}
#else
#  define HOT__KEEP_DESC(T, name, definition)
/* Nothing reloads: the hooks are referenced (no unused warnings), not run. */
#  define HOT_STATE_HOOKS(save, load, migrate)                                \
    static HOT__UNUSED const hot_state_hooks hot__unused_state_hooks = {      \
        sizeof(hot_state_hooks), save, load, migrate}
#endif

#ifdef __cplusplus
/* C++ has no tentative definitions: the variable is defined once, first;
 * the trailing typedef takes the semicolon. */
#  define HOT__KEEP(T, name, definition)                                      \
    static T name;                                                            \
    HOT__KEEP_DESC(T, name, definition)                                       \
    typedef int hot__kept_##name
#else
/* A tentative definition first, so the description can take its address;
 * the second declaration takes the initializer that follows the macro. */
#  define HOT__KEEP(T, name, definition)                                      \
    static T name;                                                            \
    HOT__KEEP_DESC(T, name, definition)                                       \
    static T name
#endif

#define HOT_KEEP(T, name) HOT__KEEP(T, name, "")
#define HOT_KEEP_STRUCT(tag, name) HOT__KEEP(struct tag, name, hot__definition_##tag)

#ifdef HOT__HAVE_VARIADIC_MACROS
#  define HOT__KEEP_INIT(T, name, definition, ...)                            \
    static T name = __VA_ARGS__;                                              \
    HOT__KEEP_DESC(T, name, definition)                                       \
    typedef int hot__kept_##name
#  define HOT_KEEP_INIT(T, name, ...) HOT__KEEP_INIT(T, name, "", __VA_ARGS__)
#  define HOT_KEEP_STRUCT_INIT(tag, name, ...)                                \
    HOT__KEEP_INIT(struct tag, name, hot__definition_##tag, __VA_ARGS__)
#endif

/* ---- HOT_INTERFACE ------------------------------------------------------ */

/* Everything the interface macros emit has C linkage, also in C++: the
 * runtime finds and calls it by its C name. */
#ifdef __cplusplus
#  define HOT__C_BEGIN extern "C" {
#  define HOT__C_END }
#else
#  define HOT__C_BEGIN
#  define HOT__C_END
#endif

/* What only this object may bind to: the manifest's arrays, the host's
 * table. A library built without -fvisibility=hidden, or a host linked
 * with -rdynamic, must not lend them to another object. */
#if defined(__GNUC__) && !defined(_WIN32)
#  define HOT__HIDDEN __attribute__((visibility("hidden")))
#else
#  define HOT__HIDDEN
#endif

/* The library's hot functions: exported, but its own references to them
 * (the manifest's addresses) bind inside the library. With default
 * visibility a function named like one of libc (random), libm (round) or
 * of an -rdynamic host would be taken from there instead. */
#if defined(_WIN32)
#  define HOT__LIBRARY_FN __declspec(dllexport)
#elif defined(__GNUC__) && !defined(__APPLE__)
#  define HOT__LIBRARY_FN __attribute__((visibility("protected")))
#else
#  define HOT__LIBRARY_FN HOT_EXPORT
#endif

/*
 * Parameter layouts: the size and alignment of the return type and of each
 * parameter type, as the compiler sees them, so a typedef or a macro that
 * changed behind the same text is caught. The parameters become the
 * members of a struct (one per function, never instantiated) and the
 * arguments name them, so the X-macro's arguments must be the parameter
 * names, as in X(long, step, (struct state *s, float dt), (s, dt)); at most
 * 16 parameters, each declarable as a struct member (write a function
 * parameter as a pointer, `int v[]` as `int *v`; a sized array parameter is
 * measured as the array). This needs variadic macros (C99, C++11): elsewhere
 * the layout is recorded as not known.
 */
#ifdef HOT__HAVE_VARIADIC_MACROS
#  define HOT__UNPAREN(...) __VA_ARGS__
#  define HOT__CALL(m, ...) m(__VA_ARGS__)
#  define HOT__FIRST_(a, ...) a
#  define HOT__FIRST(...) HOT__FIRST_(__VA_ARGS__, ~)
#  define HOT__SECOND_(a, b, ...) b
#  define HOT__SECOND(...) HOT__SECOND_(__VA_ARGS__)
#  define HOT__EMPTY_PROBE_ ~, 1
#  define HOT__PROBE2(x) HOT__EMPTY_PROBE_##x
#  define HOT__PROBE(x) HOT__PROBE2(x)
/* 1 for an empty argument list "()", 0 when the first argument is a name. */
#  define HOT__NO_ARGS(args) HOT__SECOND(HOT__PROBE(HOT__FIRST args), 0, ~)
#  define HOT__ARG_N(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N
#  define HOT__ARG_N_(...) HOT__ARG_N(__VA_ARGS__)
#  define HOT__COUNT_0(args) HOT__ARG_N_(HOT__UNPAREN args, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, ~)
#  define HOT__COUNT_1(args) 0
#  define HOT__NARGS(args) HOT__CAT(HOT__COUNT_, HOT__NO_ARGS(args))(args)
#  define HOT__MEMBERS_0(...)
#  define HOT__MEMBERS_1(a) a;
#  define HOT__MEMBERS_2(a, b) a; b;
#  define HOT__MEMBERS_3(a, b, c) a; b; c;
#  define HOT__MEMBERS_4(a, b, c, d) a; b; c; d;
#  define HOT__MEMBERS_5(a, b, c, d, e) a; b; c; d; e;
#  define HOT__MEMBERS_6(a, b, c, d, e, f) a; b; c; d; e; f;
#  define HOT__MEMBERS_7(a, b, c, d, e, f, g) a; b; c; d; e; f; g;
#  define HOT__MEMBERS_8(a, b, c, d, e, f, g, h) a; b; c; d; e; f; g; h;
#  define HOT__MEMBERS_9(a, b, c, d, e, f, g, h, i) a; b; c; d; e; f; g; h; i;
#  define HOT__MEMBERS_10(a, b, c, d, e, f, g, h, i, j) a; b; c; d; e; f; g; h; i; j;
#  define HOT__MEMBERS_11(a, b, c, d, e, f, g, h, i, j, k) a; b; c; d; e; f; g; h; i; j; k;
#  define HOT__MEMBERS_12(a, b, c, d, e, f, g, h, i, j, k, l) a; b; c; d; e; f; g; h; i; j; k; l;
#  define HOT__MEMBERS_13(a, b, c, d, e, f, g, h, i, j, k, l, m) a; b; c; d; e; f; g; h; i; j; k; l; m;
#  define HOT__MEMBERS_14(a, b, c, d, e, f, g, h, i, j, k, l, m, n) a; b; c; d; e; f; g; h; i; j; k; l; m; n;
#  define HOT__MEMBERS_15(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o) a; b; c; d; e; f; g; h; i; j; k; l; m; n; o;
#  define HOT__MEMBERS_16(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) a; b; c; d; e; f; g; h; i; j; k; l; m; n; o; p;
#  define HOT__PARAM_LAYOUT(P, a) {sizeof(((P *)0)->a), __alignof__(((P *)0)->a)},
#  define HOT__LAYOUTS_0(P, ...)
#  define HOT__LAYOUTS_1(P, a) HOT__PARAM_LAYOUT(P, a)
#  define HOT__LAYOUTS_2(P, a, b) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b)
#  define HOT__LAYOUTS_3(P, a, b, c) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c)
#  define HOT__LAYOUTS_4(P, a, b, c, d) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d)
#  define HOT__LAYOUTS_5(P, a, b, c, d, e) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e)
#  define HOT__LAYOUTS_6(P, a, b, c, d, e, f) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f)
#  define HOT__LAYOUTS_7(P, a, b, c, d, e, f, g) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g)
#  define HOT__LAYOUTS_8(P, a, b, c, d, e, f, g, h) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h)
#  define HOT__LAYOUTS_9(P, a, b, c, d, e, f, g, h, i) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h) HOT__PARAM_LAYOUT(P, i)
#  define HOT__LAYOUTS_10(P, a, b, c, d, e, f, g, h, i, j) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h) HOT__PARAM_LAYOUT(P, i) HOT__PARAM_LAYOUT(P, j)
#  define HOT__LAYOUTS_11(P, a, b, c, d, e, f, g, h, i, j, k) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h) HOT__PARAM_LAYOUT(P, i) HOT__PARAM_LAYOUT(P, j) HOT__PARAM_LAYOUT(P, k)
#  define HOT__LAYOUTS_12(P, a, b, c, d, e, f, g, h, i, j, k, l) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h) HOT__PARAM_LAYOUT(P, i) HOT__PARAM_LAYOUT(P, j) HOT__PARAM_LAYOUT(P, k) HOT__PARAM_LAYOUT(P, l)
#  define HOT__LAYOUTS_13(P, a, b, c, d, e, f, g, h, i, j, k, l, m) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h) HOT__PARAM_LAYOUT(P, i) HOT__PARAM_LAYOUT(P, j) HOT__PARAM_LAYOUT(P, k) HOT__PARAM_LAYOUT(P, l) HOT__PARAM_LAYOUT(P, m)
#  define HOT__LAYOUTS_14(P, a, b, c, d, e, f, g, h, i, j, k, l, m, n) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h) HOT__PARAM_LAYOUT(P, i) HOT__PARAM_LAYOUT(P, j) HOT__PARAM_LAYOUT(P, k) HOT__PARAM_LAYOUT(P, l) HOT__PARAM_LAYOUT(P, m) HOT__PARAM_LAYOUT(P, n)
#  define HOT__LAYOUTS_15(P, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h) HOT__PARAM_LAYOUT(P, i) HOT__PARAM_LAYOUT(P, j) HOT__PARAM_LAYOUT(P, k) HOT__PARAM_LAYOUT(P, l) HOT__PARAM_LAYOUT(P, m) HOT__PARAM_LAYOUT(P, n) HOT__PARAM_LAYOUT(P, o)
#  define HOT__LAYOUTS_16(P, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) HOT__PARAM_LAYOUT(P, a) HOT__PARAM_LAYOUT(P, b) HOT__PARAM_LAYOUT(P, c) HOT__PARAM_LAYOUT(P, d) HOT__PARAM_LAYOUT(P, e) HOT__PARAM_LAYOUT(P, f) HOT__PARAM_LAYOUT(P, g) HOT__PARAM_LAYOUT(P, h) HOT__PARAM_LAYOUT(P, i) HOT__PARAM_LAYOUT(P, j) HOT__PARAM_LAYOUT(P, k) HOT__PARAM_LAYOUT(P, l) HOT__PARAM_LAYOUT(P, m) HOT__PARAM_LAYOUT(P, n) HOT__PARAM_LAYOUT(P, o) HOT__PARAM_LAYOUT(P, p)
#  define HOT__PARAMS_TYPE(fn) struct HOT__CAT(hot__params_, fn)
#  define HOT__LAYOUT_OF(ret_size, ret_align, fn, params, args)               \
    HOT__PARAMS_TYPE(fn) {                                                    \
        char hot__first;                                                      \
        HOT__CALL(HOT__CAT(HOT__MEMBERS_, HOT__NARGS(args)), HOT__UNPAREN params) \
    };                                                                        \
    static HOT__UNUSED const hot_layout HOT__CAT(hot__layout_, fn)[] = {      \
        {ret_size, ret_align},                                                \
        HOT__CALL(HOT__CAT(HOT__LAYOUTS_, HOT__NARGS(args)), HOT__PARAMS_TYPE(fn), \
                  HOT__UNPAREN args) {0, 0}};
#  define HOT__LAYOUT(ret, fn, params, args)                                  \
    HOT__LAYOUT_OF(sizeof(ret), HOT__ALIGNOF(ret), fn, params, args)
#  define HOT__LAYOUT_VOID(ret, fn, params, args) HOT__LAYOUT_OF(0, 0, fn, params, args)
#  define HOT__LAYOUT_REF(fn, args) HOT__NARGS(args), HOT__CAT(hot__layout_, fn)
#else
#  define HOT__LAYOUT(ret, fn, params, args)
#  define HOT__LAYOUT_VOID(ret, fn, params, args)
#  define HOT__LAYOUT_REF(fn, args) HOT_LAYOUT_UNKNOWN, 0
#endif

#define HOT__FN_DESC(ret, fn, params, args)                                   \
    {#fn, #ret " " #params, (hot_fn)fn, HOT__LAYOUT_REF(fn, args)},
#define HOT__FN_TRAP_DESC(ret, fn, params, args)                              \
    {#fn, #ret " " #params, hot__trap, HOT__LAYOUT_REF(fn, args)},
#define HOT__TYPE_DESC(T) {#T, sizeof(T), HOT__ALIGNOF(T)},
#define HOT__FIELD_DESC(T, f) {#T, #f, offsetof(T, f), sizeof(((T *)0)->f)},
#define HOT__NO_TYPE(T)
#define HOT__NO_FIELD(T, f)
/* Each listed field's type class as the compiler sees it (integer, real,
 * pointer, struct...), for hot_keep_object()'s by-name migration: a field
 * retyped at the same size is not copied. 0 where the compiler cannot
 * say (the size is then all that is compared). */
#if defined(__GNUC__)
#  define HOT__FIELD_KIND(T, f) (unsigned char)__builtin_classify_type(((T *)0)->f),
#else
#  define HOT__FIELD_KIND(T, f) 0,
#endif
#define HOT__TRAP_ENTRY(ret, fn, params, args) hot__trap,
#define HOT__INDEX(ret, fn, params, args) hot__i_##fn,
#define HOT__PROTO(ret, fn, params, args) ret fn params;
#define HOT__EXPORTED_PROTO(ret, fn, params, args) HOT__LIBRARY_FN ret fn params;

/* Fills the arrays of a manifest from the lists; FNDESC chooses whether
 * function entries point at the functions (library) or at traps (host).
 * The arrays are hidden: each object's manifest points at its own. */
#define HOT__MANIFEST(name, FUNCS, TYPES, FNDESC, sym, VISIBILITY, VSTART, VSTOP) \
    FUNCS(HOT__LAYOUT, HOT__LAYOUT_VOID)                                      \
    extern HOT__HIDDEN const hot_fn_desc hot__fns_##name[];                   \
    HOT__MERGED HOT__HIDDEN HOT__EXTERN_CONST hot_fn_desc hot__fns_##name[] = { \
        FUNCS(FNDESC, FNDESC){0, 0, 0, 0, 0}};                                \
    extern HOT__HIDDEN const hot_type_desc hot__types_##name[];               \
    HOT__MERGED HOT__HIDDEN HOT__EXTERN_CONST hot_type_desc hot__types_##name[] = { \
        TYPES(HOT__TYPE_DESC, HOT__NO_FIELD){0, 0, 0}};                       \
    extern HOT__HIDDEN const hot_field_desc hot__fields_##name[];             \
    HOT__MERGED HOT__HIDDEN HOT__EXTERN_CONST hot_field_desc hot__fields_##name[] = { \
        TYPES(HOT__NO_TYPE, HOT__FIELD_DESC){0, 0, 0, 0}};                    \
    extern VISIBILITY const hot_manifest sym;                                 \
    HOT__MERGED VISIBILITY HOT__EXTERN_CONST hot_manifest sym = {             \
        HOT_MANIFEST_MAGIC, HOT_ABI_VERSION, #name, HOT__COMPILER,            \
        HOT__DATA_MODEL,                                                      \
        (unsigned)(sizeof hot__fns_##name / sizeof hot__fns_##name[0] - 1),   \
        hot__fns_##name,                                                      \
        (unsigned)(sizeof hot__types_##name / sizeof hot__types_##name[0] - 1), \
        hot__types_##name,                                                    \
        (unsigned)(sizeof hot__fields_##name / sizeof hot__fields_##name[0] - 1), \
        hot__fields_##name, VSTART, VSTOP};

#if defined(HOT_STATIC)

#define HOT_INTERFACE(name, FUNCS, TYPES) FUNCS(HOT__PROTO, HOT__PROTO)
#define HOT_GUARDED_INTERFACE(name, FUNCS, TYPES) FUNCS(HOT__PROTO, HOT__PROTO)
#define HOT_IFACE(name) ((const hot_interface *)0)

#elif defined(HOT_LIBRARY)

extern const hot_var_desc *const __start_hot_vars[] __attribute__((weak, visibility("hidden")));
extern const hot_var_desc *const __stop_hot_vars[] __attribute__((weak, visibility("hidden")));

/* A pointer whose type names every listed type, so that the debug info
 * has each one's members (clang leaves out a type only sizeof and
 * offsetof use): `hotreload check` compares them with the listed fields. */
#define HOT__DEBUG_TYPE(type) , type *
#define HOT__DEBUG_TYPES(name, TYPES)                                         \
    static void (*const hot__debug_types_##name)(int TYPES(HOT__DEBUG_TYPE, HOT__NO_FIELD)) \
        __attribute__((used)) = 0;

/* The manifest is the only name the runtime looks up (by the library's
 * own handle); the kept variables are reached through it. */
#define HOT_INTERFACE(name, FUNCS, TYPES)                                     \
    HOT__C_BEGIN                                                              \
    FUNCS(HOT__EXPORTED_PROTO, HOT__EXPORTED_PROTO)                           \
    HOT__MANIFEST(name, FUNCS, TYPES, HOT__FN_DESC, hot_manifest_##name, HOT_EXPORT, \
                  __start_hot_vars, __stop_hot_vars)                          \
    HOT__DEBUG_TYPES(name, TYPES)                                             \
    HOT__C_END
#define HOT_GUARDED_INTERFACE HOT_INTERFACE
#define HOT_IFACE(name) ((const hot_interface *)0)

#else /* the host */

/* Called through a table entry that no library has filled: before
 * hot_open() or after hot_close(). Prints which and aborts. */
HOT_EXTERN void hot__trap(void);

/* The wrappers of one interface find its table through a static pointer
 * named after the line of the HOT_INTERFACE invocation, because the lists
 * hand the item macros no interface name. */
#define HOT__TABLE_REF HOT__CAT(hot__table_ref_, __LINE__)

#define HOT__WRAP(ret, fn, params, args)                                      \
    static HOT__INLINE HOT__UNUSED ret fn params                              \
    {                                                                         \
        return ((ret(*) params)HOT__LOAD_ACQUIRE(HOT__TABLE_REF)[hot__i_##fn]) args; \
    }
#define HOT__WRAP_VOID(ret, fn, params, args)                                 \
    static HOT__INLINE HOT__UNUSED void fn params                             \
    {                                                                         \
        ((void(*) params)HOT__LOAD_ACQUIRE(HOT__TABLE_REF)[hot__i_##fn]) args; \
    }

/*
 * Guarded calls (HOT_GUARDED_INTERFACE). If the newest version crashes
 * inside the call (SIGSEGV, SIGBUS, SIGILL, SIGFPE; SIGABRT only with
 * opts.rollback_abort), the runtime rolls back to the previous version and
 * the call is made again there, once. With no version to go back to, the
 * call returns a zero value and the interface is stopped: every call
 * returns a zero value at once until a new build loads. A crash it does not
 * recover goes to the program's previous handler.
 *
 * The fast path makes no call into the runtime's C code: the wrapper loads
 * the table, pushes its guard on the thread's list (an initial-exec
 * thread-local the runtime exports) and pops it after. How the crash
 * handler gets back into the wrapper depends on the target:
 *   HOT__GUARD_TRAMPOLINE (x86-64 ELF): the call goes through
 *     hot__guard_call, a few instructions of assembly that keep the return
 *     address, stack pointer and callee-saved registers in the guard; the
 *     handler pops the guard and makes the call return there. No setjmp:
 *     the wrapper inlines, and stores 5 words besides the trampoline's 8.
 *   HOT__GUARD_LIBC_JMP (under AddressSanitizer and ThreadSanitizer, which
 *     track setjmp/longjmp but not the rest): setjmp and longjmp.
 *   otherwise: __builtin_setjmp and __builtin_longjmp.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define HOT__GUARD_LIBC_JMP 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#    define HOT__GUARD_LIBC_JMP 1
#  endif
#endif
#if defined(HOT__GUARD_LIBC_JMP)
#  define HOT__GUARD_MODE 1
#elif defined(__x86_64__) && defined(__ELF__)
#  define HOT__GUARD_TRAMPOLINE 1
#  define HOT__GUARD_MODE 2
#else
#  define HOT__GUARD_MODE 0
#endif

/* What a guarded call site never changes: static objects of the wrapper
 * (one for the first attempt, one for the retry after a recovery), so a
 * call stores one pointer for all of it. Each store counts: the guarded
 * call costs about one cycle per store. */
typedef struct hot_guard_site {
    hot_fn *volatile *const *slot_ref; /* the wrapper's HOT__TABLE_REF */
    const char *function;
    int mode;                          /* HOT__GUARD_MODE of the wrapper */
    int retry;                         /* the call was recovered once already */
    unsigned index;                    /* the function's entry in the table */
} hot_guard_site;

typedef struct hot_guard {
    hot_fn *entry;             /* the table entry called, so the version's
                                  table is entry - site->index (trampoline:
                                  offset 0; tables never change once made) */
    union {
        void *words[8];        /* trampoline: return address, stack pointer,
                                  rbx, rbp, r12-r15; or __builtin_setjmp's */
        jmp_buf libc;          /* setjmp */
    } env;
    const hot_guard_site *site;
    struct hot_guard *outer;
    int signal;                /* written by the crash handler */
} hot_guard;

/* The innermost guarded call of this thread: NULL until the thread's first
 * guarded call, then hot__guard_bottom when outside any. */
HOT_EXTERN extern __thread hot_guard *hot__guard_innermost
    __attribute__((tls_model("initial-exec")));
HOT_EXTERN extern hot_guard hot__guard_bottom;
/* Non-zero while some handle times guarded calls (guard_timeout_ms). */
HOT_EXTERN extern int hot__guard_timed;
/* The entry of every function of a stopped interface's table. */
HOT_EXTERN long hot__guard_stopped_fn(void);
/* Calls *hot__guard_innermost->entry with the caller's arguments (a
 * pointer, so that no compiler sees a function called through a cast; the
 * runtime points it at a trampoline that also counts calls for
 * guard_timeout_ms while some handle asks for that). */
HOT_EXTERN extern hot_fn hot__guard_call;

/* Out of line, off the fast path: */
HOT_EXTERN void hot__guard_first(hot_guard *guard);  /* a thread's first call */
HOT_EXTERN void hot__guard_timed_enter(hot_guard *guard); /* no trampoline */
/* After a crash: 1 when the call may be made again, 0 when it returns a
 * zero value (the interface is stopped). */
HOT_EXTERN int hot__guard_recover(hot_guard *guard);
/* A call into a stopped interface (warns once). */
HOT_EXTERN void hot__guard_stopped(hot_guard *guard);

#define HOT__GUARD_INIT(fn)                                                   \
    static const hot_guard_site hot__site[2] = {                              \
        {&HOT__TABLE_REF, #fn, HOT__GUARD_MODE, 0, hot__i_##fn},              \
        {&HOT__TABLE_REF, #fn, HOT__GUARD_MODE, 1, hot__i_##fn}};             \
    hot_guard hot__g, *hot__outer;                                            \
    hot__g.site = &hot__site[0]

/* After a crash: once more, in the version rolled back to, or a zero value
 * (break) when the interface stopped. */
#define HOT__GUARD_RECOVER()                                                  \
    if (hot__guard_recover(&hot__g)) {                                        \
        hot__g.site = &hot__site[1];                                          \
        continue;                                                             \
    }                                                                         \
    break;

/* Picks the entry, or breaks out of the retry loop when the interface is
 * stopped (the wrapper then returns a zero value). */
#define HOT__GUARD_TARGET(fn)                                                 \
    hot__g.entry = &HOT__LOAD_ACQUIRE(HOT__TABLE_REF)[hot__i_##fn];           \
    if (*hot__g.entry == (hot_fn)hot__guard_stopped_fn) {                     \
        hot__guard_stopped(&hot__g);                                          \
        break;                                                                \
    }

/* hot__outer keeps a copy the compiler can hold in a register: popping
 * from it, not from hot__g.outer, takes a store-to-load round trip out of
 * each call. The stores to hot__guard_innermost are atomic (a plain move)
 * because the watcher samples it from another thread. */
#define HOT__GUARD_PUSH()                                                     \
    hot__g.outer = hot__outer = hot__guard_innermost;                         \
    if (!hot__outer) {                                                        \
        hot__guard_first(&hot__g);                                            \
        hot__outer = hot__g.outer;                                            \
    }                                                                         \
    HOT__STORE_RELAXED(&hot__guard_innermost, &hot__g);

#ifdef HOT__GUARD_TRAMPOLINE
/* The call returns normally, or from a crash, which the handler tells by
 * popping the guard itself: no flag to clear before each call. Timing
 * (guard_timeout_ms) is the trampoline's business. */
#  define HOT__GUARD_ENTER(fn)                                                \
    HOT__GUARD_TARGET(fn)                                                     \
    HOT__GUARD_PUSH()
#  define HOT__GUARD_FN(type) ((type)hot__guard_call)
#  define HOT__GUARD_AFTER()                                                  \
    if (__builtin_expect(hot__guard_innermost != &hot__g, 0)) {               \
        HOT__GUARD_RECOVER()                                                  \
    }                                                                         \
    HOT__STORE_RELAXED(&hot__guard_innermost, hot__outer);
#else
#  ifdef HOT__GUARD_LIBC_JMP
#    define HOT__GUARD_SETJMP() setjmp(hot__g.env.libc)
#  else
#    define HOT__GUARD_SETJMP() __builtin_setjmp(hot__g.env.words)
#  endif
/* The handler pops the guard and jumps back here. */
#  define HOT__GUARD_ENTER(fn)                                                \
    HOT__GUARD_TARGET(fn)                                                     \
    if (HOT__GUARD_SETJMP() != 0) {                                           \
        HOT__GUARD_RECOVER()                                                  \
    }                                                                         \
    HOT__GUARD_PUSH()                                                         \
    if (hot__guard_timed)                                                     \
        hot__guard_timed_enter(&hot__g);
#  define HOT__GUARD_FN(type) ((type)*hot__g.entry)
#  define HOT__GUARD_AFTER() HOT__STORE_RELAXED(&hot__guard_innermost, hot__outer);
#endif

/* The zero value a stopped call returns is a static object of the return
 * type (zero-initialised). */
#define HOT__GUARDED_WRAP(ret, fn, params, args)                              \
    static HOT__INLINE HOT__UNUSED ret fn params                              \
    {                                                                         \
        static ret hot__zero;                                                 \
        ret hot__r;                                                           \
        HOT__GUARD_INIT(fn);                                                  \
        for (;;) {                                                            \
            HOT__GUARD_ENTER(fn)                                              \
            hot__r = HOT__GUARD_FN(ret(*) params) args;                       \
            HOT__GUARD_AFTER()                                                \
            return hot__r;                                                    \
        }                                                                     \
        return hot__zero;                                                     \
    }
#define HOT__GUARDED_WRAP_VOID(ret, fn, params, args)                         \
    static HOT__INLINE HOT__UNUSED void fn params                             \
    {                                                                         \
        HOT__GUARD_INIT(fn);                                                  \
        for (;;) {                                                            \
            HOT__GUARD_ENTER(fn)                                              \
            HOT__GUARD_FN(void(*) params) args;                               \
            HOT__GUARD_AFTER()                                                \
            return;                                                           \
        }                                                                     \
    }

/*
 * Each object (the executable, an engine library that calls hot functions)
 * has its own table, hidden, so calls cost one load as before. Its
 * constructor registers the object's interface with the runtime, which
 * fills every registered table of an interface name (one library per
 * interface name per process), whichever object called hot_open.
 */
HOT_EXTERN void hot__iface_register(const hot_interface *iface);
HOT_EXTERN void hot__iface_unregister(const hot_interface *iface);
/* The host's field type classes, one per hot_manifest.fields entry. */
HOT_EXTERN void hot__iface_field_kinds(const hot_interface *iface, const unsigned char *kinds);

#define HOT__REGISTRATION(name)                                               \
    __attribute__((constructor)) static void hot__register_##name(void)       \
    {                                                                         \
        hot__iface_register(&hot_iface_##name);                               \
    }                                                                         \
    __attribute__((destructor)) static void hot__unregister_##name(void)      \
    {                                                                         \
        hot__iface_unregister(&hot_iface_##name);                             \
    }

#define HOT__HOST_INTERFACE(name, FUNCS, TYPES, WRAP, WRAP_VOID)              \
    HOT__C_BEGIN                                                              \
    enum { FUNCS(HOT__INDEX, HOT__INDEX) hot__count_##name };                 \
    extern HOT__HIDDEN hot_fn hot__traps_##name[];                            \
    HOT__MERGED HOT__HIDDEN hot_fn hot__traps_##name[] = {                    \
        FUNCS(HOT__TRAP_ENTRY, HOT__TRAP_ENTRY) 0};                           \
    extern HOT__HIDDEN hot_fn *volatile hot__table_##name;                    \
    HOT__MERGED HOT__HIDDEN hot_fn *volatile hot__table_##name = hot__traps_##name; \
    HOT__MANIFEST(name, FUNCS, TYPES, HOT__FN_TRAP_DESC, hot__expected_##name, HOT__HIDDEN, 0, 0) \
    extern HOT__HIDDEN const hot_interface hot_iface_##name;                  \
    HOT__MERGED HOT__HIDDEN HOT__EXTERN_CONST hot_interface hot_iface_##name = { \
        &hot__expected_##name, &hot__table_##name, hot__traps_##name};        \
    HOT__REGISTRATION(name)                                                   \
    static const unsigned char hot__field_kinds_##name[] = {                  \
        TYPES(HOT__NO_TYPE, HOT__FIELD_KIND) 0};                              \
    __attribute__((constructor)) static void hot__kinds_##name(void)          \
    {                                                                         \
        hot__iface_field_kinds(&hot_iface_##name, hot__field_kinds_##name);   \
    }                                                                         \
    static HOT__UNUSED hot_fn *volatile *const HOT__TABLE_REF = &hot__table_##name; \
    FUNCS(WRAP, WRAP_VOID)                                                    \
    HOT__C_END

#define HOT_INTERFACE(name, FUNCS, TYPES) \
    HOT__HOST_INTERFACE(name, FUNCS, TYPES, HOT__WRAP, HOT__WRAP_VOID)
#define HOT_GUARDED_INTERFACE(name, FUNCS, TYPES) \
    HOT__HOST_INTERFACE(name, FUNCS, TYPES, HOT__GUARDED_WRAP, HOT__GUARDED_WRAP_VOID)

#define HOT_IFACE(name) (&hot_iface_##name)

#endif

/* ---- Logging ------------------------------------------------------------ */

typedef enum hot_log_level {
    HOT_LOG_OFF = 0,
    HOT_LOG_ERROR,
    HOT_LOG_WARN,
    HOT_LOG_INFO,
    HOT_LOG_DEBUG,
    HOT_LOG_TRACE
} hot_log_level;

/* Receives one line, without a trailing newline. Called from the thread that
 * did the work (the program's or the runtime's watcher thread). */
typedef void (*hot_log_fn)(hot_log_level level, const char *line, void *userdata);

/* ---- Events ------------------------------------------------------------- */

typedef enum hot_event_type {
    HOT_EVENT_BEFORE_RELOAD = 1, /* a verified build is about to be swapped in */
    HOT_EVENT_AFTER_RELOAD = 2,  /* the new version is answering calls */
    HOT_EVENT_REFUSED = 4,       /* a build was refused; the old one goes on */
    HOT_EVENT_ROLLED_BACK = 8,   /* new code crashed in a guarded call; the
                                    previous version answers calls again */
    HOT_EVENT_SLOW_CALL = 16,    /* a guarded call has run longer than
                                    opts.guard_timeout_ms (an endless loop?) */
    HOT_EVENT_STOPPED = 32,      /* new code crashed in a guarded call with no
                                    version to go back to: every call of the
                                    interface returns a zero value until a
                                    new build loads (error HOT_ECRASHED) */
    HOT_EVENT_ALL = 63
} hot_event_type;

typedef struct hot_event {
    hot_event_type type;
    unsigned long version;      /* the version loaded, or refused (candidate) */
    unsigned long from_version; /* the version answering calls before */
    int error;                  /* HOT_E* for HOT_EVENT_REFUSED, else 0 */
    const char *message;        /* one line; valid during the callback or
                                   until the listener's next wait */
    const char *path;           /* the library file */
    /* Milliseconds spent on each phase of this reload. */
    double copy_ms, load_ms, verify_ms, publish_ms;
    double detect_ms;           /* from the watcher's event to the swap */
} hot_event;

/* ---- Options ------------------------------------------------------------ */

typedef enum hot_watch_mode {
    HOT_WATCH_NOTIFY = 0, /* kernel notification (inotify); polls if none */
    HOT_WATCH_POLL = 1,   /* stat the file every poll_ms */
    HOT_WATCH_NONE = 2    /* never watch: reload only through hot_reload_now */
} hot_watch_mode;

typedef enum hot_apply_mode {
    HOT_APPLY_AT_UPDATE = 0, /* the program swaps at hot_update(), its safe point */
    HOT_APPLY_AT_ONCE = 1    /* the watcher thread swaps as soon as it can */
} hot_apply_mode;

#define HOT_OPTIONS_VERSION 1

typedef struct hot_options {
    unsigned version;           /* HOT_OPTIONS_VERSION; a runtime takes
                                   its own version and older ones, with
                                   defaults for the fields they lack */
    const char *dir;            /* where to look for the library by name;
                                   NULL: the current directory */
    const char *shadow_dir;     /* where shadow copies go; NULL:
                                   $TMPDIR/hotreload-<uid> */
    const char *shadow_name;    /* copy name template: {lib_name},
                                   {load_counter}, {pid} and {uuid};
                                   NULL: "{lib_name}.{pid}.{load_counter}.{uuid}" */
    unsigned settle_ms;         /* wait for a file whose completeness cannot
                                   be known (polling, writes with no close);
                                   0: 50 */
    unsigned poll_ms;           /* polling interval; 0: 100 */
    hot_watch_mode watch;
    hot_apply_mode apply;
    const char *env_override;   /* variable overriding the library's path;
                                   NULL: HOTRELOAD_LIB_<NAME> */
    hot_log_level log_level;    /* HOT_LOG_OFF: warn. A non-empty
                                   HOTRELOAD_LOG overrides it for a run */
    hot_log_fn log_fn;          /* NULL: lines go to stderr */
    void *log_userdata;
    unsigned hold_timeout_ms;   /* how long a reload waits for holders to
                                   release it before going ahead; 0: 5000 */
    int unload_retired;         /* unload old versions once every thread that
                                   announced itself has passed a quiescent
                                   point (see hot_quiescent); default 0:
                                   keep them mapped */
    int ignore_compiler;        /* accept a library built by another compiler
                                   (the C ABI usually allows it); default 0 */
    unsigned guard_timeout_ms;  /* report a guarded call running longer than
                                   this (HOT_EVENT_SLOW_CALL); 0: never */
    int rollback_abort;         /* also roll back SIGABRT (abort(), a failed
                                   assert). Default 0: abort() is often called
                                   by libc with a lock held (the allocator's
                                   checks), and going on would deadlock; only
                                   a library that aborts through its own
                                   asserts can be resumed */
    int crash_passthrough;      /* a guarded crash with no version to go back
                                   to passes on to the program's handler (the
                                   process dies) instead of stopping the
                                   interface; default 0 */
    unsigned max_retired;       /* old versions kept mapped (the newest is a
                                   rollback's target); beyond it the oldest
                                   is unloaded once every thread of the
                                   process is the runtime's, announced and
                                   past a quiescent point since, or seen
                                   asleep with nothing of it on its stack
                                   (with unload_retired: every announced
                                   thread), else kept, with one warning; a
                                   pointer the host keeps into an old
                                   version is valid for max_retired reloads;
                                   0: 8;
                                   HOT_KEEP_ALL_VERSIONS: no bound */
    int trap_unloaded;          /* debugging: an unloaded version's addresses
                                   stay reserved with no access, so a thread
                                   that calls into it dies at once with a
                                   line naming the version; default 0 */
} hot_options;

#define HOT_KEEP_ALL_VERSIONS 0xffffffffu

#define HOT_OPTIONS_INIT \
    {HOT_OPTIONS_VERSION, 0, 0, 0, 0, 0, HOT_WATCH_NOTIFY, HOT_APPLY_AT_UPDATE, \
     0, HOT_LOG_OFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/* ---- The library handle ------------------------------------------------- */

typedef struct hot_lib hot_lib;
typedef void (*hot_event_fn)(const hot_event *event, void *userdata);
typedef struct hot_listener hot_listener;

#if !defined(HOT_STATIC)

/*
 * Opens a hot library and loads its first version.
 *   out:   receives the handle; set to NULL on failure.
 *   name:  a name ("game": <dir>/libgame.so on Linux) or a path (anything
 *          with a '/' or a suffix). HOTRELOAD_LIB_<NAME> overrides it.
 *   iface: HOT_IFACE(name) of the interface the host was compiled with.
 *   opts:  NULL for defaults; the struct is copied.
 * Returns 0 or a HOT_E* code; on failure hot_last_error() names the cause:
 * HOT_EABI for a host compiled against another ABI, HOT_EBUSY when this
 * interface name is already open in the process (by any of its objects).
 * Starts a watcher thread unless opts->watch is HOT_WATCH_NONE.
 */
HOT_EXTERN int hot__open(hot_lib **out, const char *name, const hot_interface *iface,
                         const hot_options *opts, size_t opts_size);
/* The caller's sizeof(hot_options) goes with it: a newer runtime reads only
 * the fields an older caller has, and gives the rest their defaults. */
static HOT__INLINE HOT__UNUSED int hot_open(hot_lib **out, const char *name,
                                            const hot_interface *iface, const hot_options *opts)
{
    return hot__open(out, name, iface, opts, sizeof *opts);
}

/* Stops the watcher, unloads every version and deletes the shadow copies.
 * A reload held by a listener or in flight on another thread is abandoned
 * (it publishes nothing); hot_close waits for it to end before freeing.
 * No thread may be inside the library; not from an event callback.
 * NULL-safe. */
HOT_EXTERN void hot_close(hot_lib *lib);

/*
 * The safe point. Swaps in a verified build if one is waiting (apply mode
 * HOT_APPLY_AT_UPDATE); never waits for a load in progress, nor for another
 * thread's swap (then it returns 0). Costs a few loads when nothing changed:
 * it records this thread's quiescent point, under a lock, once per version
 * it sees (with opts.unload_retired, at every call).
 * Returns 1 if a new version now answers calls, 0 if nothing changed, or a
 * negative code. Call it from a point where no stack frame of the library is
 * live on this thread.
 */
HOT_EXTERN int hot_update(hot_lib *lib);

/* Checks the file now and loads it if it changed, in the calling thread,
 * ignoring the apply mode. Returns 1 if reloaded, 0 if unchanged, or the
 * reason it was refused (also reported as HOT_EVENT_REFUSED).
 * hot_update and hot_reload_now return HOT_EBUSY when called from an event
 * callback (the reload that runs the callback is still going on). */
HOT_EXTERN int hot_reload_now(hot_lib *lib);

/* The version answering calls: 1 after hot_open, +1 per reload; after a
 * rollback, the number of the version rolled back to. */
HOT_EXTERN unsigned long hot_version(const hot_lib *lib);

/* 1 once after each reload (or batch of reloads), then 0. */
HOT_EXTERN int hot_was_updated(hot_lib *lib);

/* Waits until a version newer than `since` answers calls (never from an
 * event callback: HOT_EBUSY there). In
 * HOT_APPLY_AT_UPDATE mode the waiting thread applies a waiting build itself
 * (the caller is at a safe point). While it waits the thread counts as
 * outside the library; once the new version answers, the old versions that
 * may go are unloaded before it returns. timeout_ms 0 waits for ever.
 * Returns 0, HOT_ETIMEDOUT, HOT_ECLOSED (hot_close ran meanwhile: it wakes
 * waiters and waits for them to leave), or HOT_EBUSY from an event
 * callback. */
HOT_EXTERN int hot_wait_reload(hot_lib *lib, unsigned long since,
                               unsigned timeout_ms);

/* The one-line cause of the handle's last failure or refusal. Owned by the
 * handle, valid until its next failure. Never NULL. */
HOT_EXTERN const char *hot_errmsg(const hot_lib *lib);

/* The cause of the last failure of hot_open() on this thread, or of a call
 * given no handle. Never NULL. */
HOT_EXTERN const char *hot_last_error(void);

/* The library file being watched (after overrides). Owned by the handle. */
HOT_EXTERN const char *hot_path(const hot_lib *lib);

/* The shadow copy the current version was loaded from. Owned by the handle,
 * valid until the next reload. */
HOT_EXTERN const char *hot_loaded_path(const hot_lib *lib);

/* How many versions are mapped: the current one, a parked one, retired ones
 * (one being unloaded counts until dlclose has returned) and ones rolled
 * back from. */
HOT_EXTERN unsigned hot_versions_held(const hot_lib *lib);

/*
 * A crash-guarded call without rollback, for code that calls through
 * pointers of its own (an audio plugin shell calling its logic's process()
 * on the host's audio thread). Runs fn(arg) on this thread; if it crashes
 * there (SIGSEGV, SIGBUS, SIGILL, SIGFPE; SIGABRT only with lib's
 * opts.rollback_abort), the call is cut short where it crashed and returns
 * HOT_ECRASHED, *crash_signal (if not NULL) set to the signal number.
 * Nothing is rolled back and lib's table is not touched: the caller decides
 * what to run instead. Memory the crashed code held (locks included) stays
 * as it was. lib (may be NULL) gives the options only.
 * The call path makes no system call and allocates nothing once
 * hot_guard_prepare_thread() ran in the process; before that, the first
 * call prepares (system calls). Returns 0 when fn returned.
 */
HOT_EXTERN int hot_call_guarded(hot_lib *lib, void (*fn)(void *arg), void *arg,
                                int *crash_signal);

/* Installs the crash handlers (once per process) and gives the calling
 * thread an alternate signal stack, so that a stack overflow in a guarded
 * call is caught too. Call it ahead of time, where system calls are
 * allowed: once from any thread makes hot_call_guarded free of them on
 * every thread; a thread never prepared itself has its crashes handled on
 * its own stack. Returns 0. */
HOT_EXTERN int hot_guard_prepare_thread(void);

/*
 * For threads the program did not create and cannot prepare ahead of time
 * (an audio plugin's run() on a host's audio thread, which must not
 * allocate, and makes system calls only once).
 * hot_guard_reserve_stacks(n) maps alternate signal stacks until n (at most
 * 8) wait in a process-wide reserve, and installs the crash handlers: call
 * it where system calls are allowed, again after a thread took one.
 * hot_guard_adopt_thread() gives the calling thread a stack from the
 * reserve if it has none yet. Cost: on a thread that has one (ours or the
 * program's), one thread-local read; the first time on a thread, one
 * sigaltstack() system call (two when the thread had the program's, which
 * it keeps), no allocation (glibc's pthread_setspecific allocates 32
 * pointers once per thread when the process uses more than 32 keys). The
 * stack is the thread's until it exits. hot_guard_reserve_stacks returns 0
 * or HOT_ENOMEM; hot_guard_adopt_thread returns 0 (the thread had a
 * stack), 1 (it has one now: refill the reserve), HOT_ENOMEM (the reserve
 * is empty: the thread's crashes are still caught, only not stack
 * overflows; call again later) or HOT_ESYS (not tried again).
 */
HOT_EXTERN int hot_guard_reserve_stacks(unsigned n);
HOT_EXTERN int hot_guard_adopt_thread(void);

/* "SIGSEGV" for SIGSEGV (the crash signals), else "signal". */
HOT_EXTERN const char *hot_signal_name(int sig);

/*
 * Marks the calling thread as outside the library now (hot_update does it
 * too), and lets the old versions go that may: with opts.unload_retired,
 * those every announced thread has left; by default, those beyond
 * max_retired once every thread of the process is accounted for (announced,
 * the runtime's, or seen asleep outside them). The unloading is the watcher
 * thread's, a few milliseconds later, so that this call never waits for it:
 * then it returns 0. Without a watcher (HOT_WATCH_NONE) it unloads them
 * itself and returns how many. A thread that calls hot functions and never
 * reaches hot_update should call it regularly, or old versions beyond the
 * bound stay mapped.
 * The contract: a thread announces itself with hot_quiescent (or
 * hot_update, or its first guarded call) BEFORE its first call into the
 * library, then reaches one of
 * them regularly; a thread that announced itself and will make no more
 * calls says so with hot_thread_leave, or it holds old versions loaded.
 */
HOT_EXTERN int hot_quiescent(hot_lib *lib);
HOT_EXTERN void hot_thread_leave(hot_lib *lib);

/* Registers a callback for the events in `mask` (HOT_EVENT_* bits). It runs
 * on the thread doing the reload; a HOT_EVENT_BEFORE_RELOAD callback holds
 * the reload until it returns. Returns 0, HOT_EINVAL or HOT_ENOMEM. */
HOT_EXTERN int hot_on_event(hot_lib *lib, unsigned mask, hot_event_fn fn,
                            void *userdata);

/* Sends an event of the program's own to its supervisor (`hotreload run`),
 * the way the runtime sends its own: over HOTRELOAD_EVENT_FD, or else to
 * the supervisor socket (see hot_supervisor_open); nothing when there is
 * none. kind: a lowercase word of at most 15 letters (the plugin shell
 * sends "played": the first block a logic version processed, ms before
 * this call; and "refused": a build it refused). error: 0 or a HOT_E*
 * code. message: one line. Never blocks, but makes a system call: not
 * from a real-time thread. Returns 0 or HOT_EINVAL. */
HOT_EXTERN int hot_report(hot_lib *lib, const char *kind, unsigned long version,
                          double ms, int error, const char *message);

/*
 * Listeners: events for threads that block. A listener opened with hold=1
 * holds every reload at HOT_EVENT_BEFORE_RELOAD until it calls
 * hot_listener_release() or hot_listener_wait() again, or until
 * opts.hold_timeout_ms passes (then the reload goes ahead, with a warning),
 * or hot_close abandons it. A reload running on the thread that last waited
 * on the listener (its own hot_update) is not held by it.
 */
HOT_EXTERN int hot_listener_open(hot_listener **out, hot_lib *lib,
                                 unsigned mask, int hold);
/* Waits for the next event; timeout_ms 0 waits for ever. The event's
 * strings live until the next call on this listener. Returns 0,
 * HOT_ETIMEDOUT or HOT_ECLOSED. */
HOT_EXTERN int hot__listener_wait(hot_listener *listener, unsigned timeout_ms,
                                  hot_event *out, size_t out_size);
/* The caller's sizeof(hot_event) goes with it: the runtime writes no more
 * than that, so a caller built against an older header keeps working. */
static HOT__INLINE HOT__UNUSED int hot_listener_wait(hot_listener *listener, unsigned timeout_ms,
                                                     hot_event *out)
{
    return hot__listener_wait(listener, timeout_ms, out, sizeof *out);
}
/* Lets a held reload go ahead. */
HOT_EXTERN void hot_listener_release(hot_listener *listener);
/* Closes the listener (releasing any reload it holds). NULL-safe. No
 * thread may be waiting on it. To shut down: hot_close() wakes threads
 * blocked in hot_listener_wait() with HOT_ECLOSED and detaches the
 * listeners; join those threads, then close the listeners. */
HOT_EXTERN void hot_listener_close(hot_listener *listener);

/*
 * A descriptor to add to the program's own wait (poll, epoll, select): it
 * is readable while there is a reason to call hot_update(): a verified
 * build is waiting for it (HOT_APPLY_AT_UPDATE), or the watcher reloaded
 * (HOT_APPLY_AT_ONCE). A program that sleeps until input comes thus gets new
 * code at once, not at its next wake-up. Level-triggered: it stays readable
 * until the next hot_update() call, which clears it (with epoll, use the
 * default level-triggered mode, or call hot_update() at each wake-up).
 * Made on the first call; later calls return the same descriptor. Owned by
 * the handle and closed by hot_close(): do not read, write or close it.
 * Returns the descriptor (>= 0) or a negative HOT_E* code. Thread-safe.
 * In a HOT_STATIC build: HOT_EINVAL (nothing to wait for; leave it out).
 */
HOT_EXTERN int hot_fd(hot_lib *lib);

/*
 * Objects kept across restarts of the host, by field name. The host
 * registers an object of a type its interface lists (with TYPE and every
 * FIELD): hot_keep_object(lib, "struct game", &game), after giving it its
 * initial values. When the program runs under `hotreload run`
 * (HOTRELOAD_STATE_FILE set), hot_close() saves each kept object with its
 * layout, and the next run's hot_keep_object() fills the object from it by
 * field name: a field with the same name, size and type class is copied; a
 * new field keeps its initial value; a removed one is dropped; a field whose
 * size or type changed keeps its initial value, with a warning naming it.
 * Nested fields listed by path (FIELD(struct game, pos.x)) are carried one
 * by one. One object per type name. Without HOTRELOAD_STATE_FILE it only
 * registers. Returns 0 or HOT_EINVAL (NULL argument, a type the interface
 * does not list, a type already kept) with hot_errmsg(lib) set.
 * In a HOT_STATIC build: 0, nothing is kept.
 */
HOT_EXTERN int hot_keep_object(hot_lib *lib, const char *type, void *object);

/* Library name to file name on this platform ("game" -> "libgame.so"). */
HOT_EXTERN const char *hot_lib_filename_format(void);

/* ---- Inspecting a library (hotreload check) ----------------------------- */

typedef struct hot_library_info hot_library_info;

/* Loads a library file through a shadow copy (its constructors run) to read
 * its manifest. Returns 0 or a HOT_E* code with hot_last_error() set. */
HOT_EXTERN int hot_inspect(hot_library_info **out, const char *path);
/* The manifest; owned by info. */
HOT_EXTERN const hot_manifest *hot_info_manifest(const hot_library_info *info);
/* The GNU build-id in hex, or "" if the library has none. Owned by info. */
HOT_EXTERN const char *hot_info_build_id(const hot_library_info *info);
/* Unloads the library. NULL-safe. */
HOT_EXTERN void hot_info_free(hot_library_info *info);

/* Would a host compiled against `expected` accept a library with `found`?
 * Writes every reason it would not, one per line, to reasons (may be NULL).
 * Returns 0 if accepted, else the first reason's HOT_E* code. */
HOT_EXTERN int hot_manifest_compare(const hot_manifest *expected,
                                    const hot_manifest *found,
                                    int ignore_compiler, char *reasons,
                                    size_t len);

/* The listed types that have bytes no listed field covers (beyond what
 * alignment can make padding): one line each in reasons ("struct game:
 * bytes 8..15 (8) are in no listed field: a FIELD is missing"). Returns
 * how many, or HOT_EINVAL. A field small enough to hide in padding is not
 * seen (`hotreload iface` lists every field). */
HOT_EXTERN int hot_manifest_uncovered(const hot_manifest *manifest, char *reasons, size_t len);

/* The same check with nothing guessed, when the library has its debug
 * information (DWARF 2 to 5 in the file, as -g writes it): the listed
 * struct's real members are compared with its listed fields by name, and
 * each one left out is named, however small ("struct game: field 'lives'
 * (offset 13, 1 byte) is not listed: a FIELD is missing"). A member listed
 * only by its own fields ("pos.x") has those checked too. Without debug
 * information (stripped, -gsplit-dwarf, -gz) or with some this reader
 * cannot read, falls back to hot_manifest_uncovered. how (one line, may
 * not be NULL) says which check ran and why. Returns how many fields or
 * gaps, or HOT_EINVAL. */
HOT_EXTERN int hot_info_uncovered(const hot_library_info *info, char *reasons, size_t len,
                                  char *how, size_t howlen);

/* A signature as the runtime compares it, without parameter names:
 * "long (struct state *s, float dt)" -> "long (struct state *, float)". */
HOT_EXTERN void hot_signature_normalize(const char *signature, char *out,
                                        size_t len);

/* ---- Supervising processes that someone else started ------------------- */

/*
 * A process that loads a library and was not started by `hotreload run`
 * (no HOTRELOAD_EVENT_FD) sends each of its reload events as one datagram
 * to the library's supervisor socket in its shadow folder, when one is
 * bound there: a socket named from the library's resolved path. The sender
 * never waits and sends nothing when no one listens. A datagram is one
 * line (no newline, fields separated by tabs):
 *   pid  name  hotreload-event  kind  version  ms  error  message
 * (kind: opened, reloaded, reason, refused, rolledback, stopped, slow, kept
 * or warning; error: the HOT_E* name or "-"). `hotreload run` with
 * host = none is such a supervisor.
 */
typedef struct hot_supervisor hot_supervisor;

/* Binds the supervisor socket of `library` (a path; the file need not
 * exist yet) in `shadow_dir` (NULL: the default shadow folder, as
 * hot_options.shadow_dir). A stale socket of a supervisor that is gone is
 * replaced. Returns 0, HOT_EBUSY (another supervisor listens), HOT_EACCES
 * (the folder is not private, or something that is not this user's socket
 * has the name), or another HOT_E* code; hot_last_error() names the cause. */
HOT_EXTERN int hot_supervisor_open(hot_supervisor **out, const char *library,
                                   const char *shadow_dir);
/* Readable (poll) while a line waits. Owned by sv: do not read or close. */
HOT_EXTERN int hot_supervisor_fd(const hot_supervisor *sv);
/* Copies one waiting line into buf (NUL-terminated): returns its length,
 * 0 when none waits (never blocks), or a negative HOT_E* code. */
HOT_EXTERN int hot_supervisor_read(hot_supervisor *sv, char *buf, size_t size);
/* The socket's path, for messages. Owned by sv. */
HOT_EXTERN const char *hot_supervisor_path(const hot_supervisor *sv);
/* Unbinds and frees. NULL-safe. */
HOT_EXTERN void hot_supervisor_close(hot_supervisor *sv);

#else /* HOT_STATIC: the same calls, compiled away */

/*
 * Nothing ever reloads in a static build, but the waits wait as documented,
 * so that a thread written for the hot build does not spin: hot_wait_reload
 * and hot_listener_wait return HOT_ETIMEDOUT once their timeout has passed,
 * and a wait for ever (timeout 0) returns HOT_ECLOSED when hot_close is
 * called on the handle (from another thread). A handle is a slot of a small
 * table in the translation unit that opened it (no allocation, no symbol:
 * these functions are always inlined); a listener is its handle.
 */
#if defined(__GNUC__)
#  define HOT__STATIC_FN static HOT__INLINE __attribute__((always_inline, unused))
#else
#  define HOT__STATIC_FN static HOT__INLINE
#endif

struct hot_lib {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int used, closed, waiters;
};

#define HOT__STATIC_SLOTS 8
#define HOT__STATIC_SLOT {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0}

HOT__STATIC_FN hot_lib *hot__static_slots(void)
{
    static hot_lib slots[HOT__STATIC_SLOTS] = {HOT__STATIC_SLOT, HOT__STATIC_SLOT,
        HOT__STATIC_SLOT, HOT__STATIC_SLOT, HOT__STATIC_SLOT, HOT__STATIC_SLOT,
        HOT__STATIC_SLOT, HOT__STATIC_SLOT};
    return slots;
}

/* Takes slot s if it is free, or closed with no thread waiting on it. */
HOT__STATIC_FN int hot__static_take(hot_lib *s)
{
    int taken;

    pthread_mutex_lock(&s->mu);
    taken = !s->used || (s->closed && s->waiters == 0);
    if (taken) {
        s->used = 1;
        s->closed = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return taken;
}

HOT__STATIC_FN int hot__static_wait(hot_lib *lib, unsigned timeout_ms)
{
    struct timeval now;
    struct timespec until;
    int err = 0, closed;

    if (!lib)
        return HOT_EINVAL;
    gettimeofday(&now, 0);
    until.tv_sec = now.tv_sec + (time_t)(timeout_ms / 1000u);
    until.tv_nsec = (long)now.tv_usec * 1000L + (long)(timeout_ms % 1000u) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lib->mu);
    lib->waiters++;
    while (!lib->closed && err == 0)
        err = timeout_ms ? pthread_cond_timedwait(&lib->cond, &lib->mu, &until)
                         : pthread_cond_wait(&lib->cond, &lib->mu);
    closed = lib->closed;
    lib->waiters--;
    pthread_mutex_unlock(&lib->mu);
    return closed ? HOT_ECLOSED : HOT_ETIMEDOUT;
}

HOT__STATIC_FN int hot_open(hot_lib **out, const char *name,
    const hot_interface *iface, const hot_options *opts)
{
    hot_lib *slots = hot__static_slots();
    int i;

    (void)name; (void)iface; (void)opts;
    if (!out)
        return HOT_EINVAL;
    for (i = 0; i < HOT__STATIC_SLOTS; i++) {
        if (hot__static_take(&slots[i])) {
            *out = &slots[i];
            return 0;
        }
    }
    *out = 0;
    return HOT_EBUSY; /* more than HOT__STATIC_SLOTS open in this file */
}
HOT__STATIC_FN void hot_close(hot_lib *lib)
{
    if (!lib)
        return;
    pthread_mutex_lock(&lib->mu);
    lib->closed = 1;
    pthread_cond_broadcast(&lib->cond);
    pthread_mutex_unlock(&lib->mu);
}
static HOT__INLINE HOT__UNUSED int hot_update(hot_lib *lib) { (void)lib; return 0; }
static HOT__INLINE HOT__UNUSED int hot_fd(hot_lib *lib) { (void)lib; return -1; }
static HOT__INLINE HOT__UNUSED int hot_report(hot_lib *lib, const char *kind, unsigned long version,
                                              double ms, int error, const char *message)
{
    (void)lib; (void)kind; (void)version; (void)ms; (void)error; (void)message;
    return 0;
}
static HOT__INLINE HOT__UNUSED int hot_keep_object(hot_lib *lib, const char *type, void *object)
{ (void)lib; (void)type; (void)object; return 0; }
static HOT__INLINE HOT__UNUSED int hot_reload_now(hot_lib *lib) { (void)lib; return 0; }
static HOT__INLINE HOT__UNUSED unsigned long hot_version(const hot_lib *lib) { (void)lib; return 1; }
static HOT__INLINE HOT__UNUSED int hot_was_updated(hot_lib *lib) { (void)lib; return 0; }
HOT__STATIC_FN int hot_wait_reload(hot_lib *lib, unsigned long since, unsigned timeout_ms)
{ (void)since; return hot__static_wait(lib, timeout_ms); }
static HOT__INLINE HOT__UNUSED const char *hot_errmsg(const hot_lib *lib) { (void)lib; return ""; }
static HOT__INLINE HOT__UNUSED const char *hot_last_error(void) { return ""; }
static HOT__INLINE HOT__UNUSED const char *hot_path(const hot_lib *lib) { (void)lib; return "(static)"; }
static HOT__INLINE HOT__UNUSED const char *hot_loaded_path(const hot_lib *lib) { (void)lib; return "(static)"; }
static HOT__INLINE HOT__UNUSED unsigned hot_versions_held(const hot_lib *lib) { (void)lib; return 1; }
static HOT__INLINE HOT__UNUSED int hot_call_guarded(hot_lib *lib, void (*fn)(void *arg), void *arg,
    int *crash_signal) { (void)lib; if (crash_signal) *crash_signal = 0; fn(arg); return 0; }
static HOT__INLINE HOT__UNUSED int hot_guard_prepare_thread(void) { return 0; }
static HOT__INLINE HOT__UNUSED int hot_guard_reserve_stacks(unsigned n) { (void)n; return 0; }
static HOT__INLINE HOT__UNUSED int hot_guard_adopt_thread(void) { return 0; }
static HOT__INLINE HOT__UNUSED const char *hot_signal_name(int sig) { (void)sig; return "signal"; }
static HOT__INLINE HOT__UNUSED int hot_quiescent(hot_lib *lib) { (void)lib; return 0; }
static HOT__INLINE HOT__UNUSED void hot_thread_leave(hot_lib *lib) { (void)lib; }
static HOT__INLINE HOT__UNUSED int hot_on_event(hot_lib *lib, unsigned mask, hot_event_fn fn,
    void *userdata) { (void)lib; (void)mask; (void)fn; (void)userdata; return 0; }
static HOT__INLINE HOT__UNUSED int hot_listener_open(hot_listener **out, hot_lib *lib,
    unsigned mask, int hold)
{ (void)mask; (void)hold; if (!out) return HOT_EINVAL; *out = (hot_listener *)lib; return lib ? 0 : HOT_EINVAL; }
HOT__STATIC_FN int hot_listener_wait(hot_listener *l, unsigned timeout_ms, hot_event *out)
{ (void)out; return hot__static_wait((hot_lib *)l, timeout_ms); }
static HOT__INLINE HOT__UNUSED void hot_listener_release(hot_listener *l) { (void)l; }
static HOT__INLINE HOT__UNUSED void hot_listener_close(hot_listener *l) { (void)l; }

#endif /* HOT_STATIC */

#ifdef __cplusplus
}
#endif

#endif /* HOTRELOAD_H */
