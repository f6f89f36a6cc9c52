/*
 * The interface the state tests load: one fixture library (fixtures/fx.c)
 * built in many variants. Hosts include it as is (guarded calls) or with
 * FX_UNGUARDED defined (plain calls, for the test that a crash is not
 * swallowed there).
 */
#ifndef FX_IFACE_H
#define FX_IFACE_H

#include <hotreload.h>

/* What fx_get / fx_set address. */
enum fx_slot {
    FX_A = 0,         /* hooks state */
    FX_B = 1,         /* hooks state */
    FX_LOADS = 2,     /* load hook calls that accepted bytes, this version */
    FX_MIGRATES = 3,  /* migrate hook calls that accepted bytes */
    FX_LAST_TAG = 4,  /* tag of the last accepted bytes */
    FX_EXTRA = 5,     /* layout 2 only: field the migration fills in */
    FX_COUNT = 6,     /* HOT_KEEP scalar */
    FX_WORLD_X = 7,   /* HOT_KEEP_STRUCT fields */
    FX_WORLD_Y = 8,
    FX_GATE = 9       /* set by fx_crash(FX_SEGV_LATER) once it is inside */
};

/* What fx_crash does in the crashing variant (other variants return). */
enum fx_crash_how {
    FX_SEGV = 1,      /* store through a volatile null pointer */
    FX_BUS_RAISE = 2, /* raise(SIGBUS) */
    FX_ILL = 3,       /* __builtin_trap() */
    FX_FPE = 4,       /* integer division by a volatile zero */
    FX_ABRT = 5,      /* abort() */
    FX_OVERFLOW = 6,  /* unbounded recursion */
    FX_BUS_MMAP = 7,  /* read a mapped page past the end of a truncated file */
    FX_SEGV_LATER = 8, /* set FX_GATE, sleep 300 ms, then store through null */
    FX_DOUBLE_FREE = 9, /* free a large block twice: glibc aborts, lock held */
    FX_WAIT = 10      /* set FX_GATE, then wait up to 10 s (signals end the
                         wait): a call another process can signal into */
};

/* The value fx_crash returns in a version that does not crash. */
#define FX_SURVIVED(version) (1000 + (version))

#define FX_FUNCTIONS(X, XV)                               \
    X(int, fx_version, (void), ())                        \
    X(long, fx_get, (int slot), (slot))                   \
    XV(void, fx_set, (int slot, long value), (slot, value)) \
    X(int, fx_crash, (int how), (how))

#define FX_TYPES(TYPE, FIELD)

#ifdef FX_UNGUARDED
HOT_INTERFACE(fx, FX_FUNCTIONS, FX_TYPES)
#else
HOT_GUARDED_INTERFACE(fx, FX_FUNCTIONS, FX_TYPES)
#endif

#endif /* FX_IFACE_H */
