/*
 * The guarded-call trampoline of x86-64 (System V ABI, ELF) and the way a
 * crash handler returns through it.
 *
 * A guarded wrapper calls hot__guard_call with the hot function's own
 * arguments, having put the function in its guard (hot_guard.target) and
 * the guard in hot__guard_innermost. The trampoline writes the return
 * address, the stack pointer the caller will have after the return, and the
 * callee-saved registers into the guard, then jumps to the target: the
 * target returns straight to the wrapper, the argument registers and stack
 * arguments are untouched, the return-address predictor stays balanced and
 * debuggers unwind as through a tail call. On a crash the handler edits the
 * interrupted context so that the call "returns" to the wrapper with those
 * registers, having popped the guard: the wrapper sees that
 * hot__guard_innermost is no longer its guard. No setjmp is needed, so the
 * wrapper inlines. While some handle times guarded calls (guard_timeout_ms)
 * hot__guard_call points at a second trampoline that also counts the
 * thread's outermost calls for the watcher's samples (src/guard.c): the
 * wrapper itself tests no flag.
 */
#include <stddef.h>
#include <ucontext.h>

#include "../internal.h"

#if defined(__x86_64__)

/* Offsets the assembly uses. */
_Static_assert(offsetof(hot_guard, entry) == 0, "trampoline reads entry at 0");
_Static_assert(offsetof(hot_guard, env) == 8, "trampoline writes env.words at 8");
_Static_assert(offsetof(hot_guard, site) == 208, "counting trampoline reads site at 208");
_Static_assert(offsetof(hot_guard, outer) == 216, "counting trampoline reads outer at 216");
_Static_assert(offsetof(hot__guard_sample, site) == 0 && offsetof(hot__guard_sample, entries) == 8,
               "counting trampoline writes the sample");

void hot__guard_trampoline(void);
void hot__guard_trampoline_counting(void);
hot_fn hot__guard_call = hot__guard_trampoline;

hot_fn hot__guard_trampoline_entry(int counting)
{
    return counting ? hot__guard_trampoline_counting : hot__guard_trampoline;
}

/* Both trampolines start alike: r11 = the guard, the words saved, r10 =
 * the table entry to jump through. */
#define SAVE_WORDS                                                                                 \
    "    movq hot__guard_innermost@gottpoff(%rip), %r11\n"                                         \
    "    movq %fs:(%r11), %r11\n"                                                                  \
    "    movq (%rsp), %r10\n"                                                                      \
    "    movq %r10, 8(%r11)\n" /* words[0]: return address */                                      \
    "    leaq 8(%rsp), %r10\n"                                                                     \
    "    movq %r10, 16(%r11)\n" /* words[1]: stack pointer after the return */                     \
    "    movq %rbx, 24(%r11)\n"                                                                    \
    "    movq %rbp, 32(%r11)\n"                                                                    \
    "    movq %r12, 40(%r11)\n"                                                                    \
    "    movq %r13, 48(%r11)\n"                                                                    \
    "    movq %r14, 56(%r11)\n"                                                                    \
    "    movq %r15, 64(%r11)\n"                                                                    \
    "    movq (%r11), %r10\n" /* r10 = the entry */

#define FUNCTION(name)                                                                             \
    ".globl " name "\n"                                                                            \
    ".hidden " name "\n"                                                                           \
    ".type " name ", @function\n"                                                                  \
    ".p2align 4\n" name ":\n"                                                                      \
    ".cfi_startproc\n"
#define END(name)                                                                                  \
    ".cfi_endproc\n"                                                                               \
    ".size " name ", .-" name "\n"

__asm__(".text\n" FUNCTION("hot__guard_trampoline") SAVE_WORDS
        "    jmpq *(%r10)\n" END("hot__guard_trampoline"));

/* The counting one (guard_timeout_ms) also notes each outermost call in
 * hot__guard_samples, the site first, for the watchers to sample. rbx and
 * r12 are free once saved. */
__asm__(".text\n" FUNCTION("hot__guard_trampoline_counting") SAVE_WORDS
        "    movq hot__guard_bottom@GOTPCREL(%rip), %r12\n"
        "    cmpq %r12, 216(%r11)\n" /* outer: only outermost calls count */
        "    jne 1f\n"
        "    movq 208(%r11), %r12\n" /* site */
        "    movq hot__guard_samples@gottpoff(%rip), %rbx\n"
        "    movq %r12, %fs:(%rbx)\n"
        "    addq $1, %fs:8(%rbx)\n"
        "    movq 24(%r11), %rbx\n"
        "    movq 40(%r11), %r12\n"
        "1:  jmpq *(%r10)\n" END("hot__guard_trampoline_counting"));

int hot__crash_return_to(const hot__crash *crash, void *const *words)
{
    greg_t *r = ((ucontext_t *)crash->context)->uc_mcontext.gregs;

    r[REG_RIP] = (greg_t)words[0];
    r[REG_RSP] = (greg_t)words[1];
    r[REG_RBX] = (greg_t)words[2];
    r[REG_RBP] = (greg_t)words[3];
    r[REG_R12] = (greg_t)words[4];
    r[REG_R13] = (greg_t)words[5];
    r[REG_R14] = (greg_t)words[6];
    r[REG_R15] = (greg_t)words[7];
    r[REG_RAX] = 0;
    r[REG_RDX] = 0;
    return 1;
}

const void *hot__crash_pc(void *context)
{
    return (const void *)((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP];
}

#else

const void *hot__crash_pc(void *context)
{
    (void)context;
    return NULL;
}

hot_fn hot__guard_call = 0; /* wrappers here use __builtin_setjmp */

hot_fn hot__guard_trampoline_entry(int counting)
{
    (void)counting;
    return NULL;
}

int hot__crash_return_to(const hot__crash *crash, void *const *words)
{
    (void)crash, (void)words;
    return 0; /* no trampoline here: wrappers use __builtin_setjmp */
}

#endif
