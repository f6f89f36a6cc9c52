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
 * registers, and the wrapper sees hot_guard.crashed. No setjmp is needed,
 * so the wrapper inlines.
 */
#include <stddef.h>
#include <ucontext.h>

#include "../internal.h"

#if defined(__x86_64__)

/* Offsets in hot_guard: target at 0, env.words[i] at 8 + 8 * i. */
_Static_assert(offsetof(hot_guard, target) == 0, "trampoline reads target at 0");
_Static_assert(offsetof(hot_guard, env) == 8, "trampoline writes env.words at 8");

void hot__guard_trampoline(void);
const hot_fn hot__guard_call = hot__guard_trampoline;

__asm__(".text\n"
        ".globl hot__guard_trampoline\n"
        ".hidden hot__guard_trampoline\n"
        ".type hot__guard_trampoline, @function\n"
        ".p2align 4\n"
        "hot__guard_trampoline:\n"
        ".cfi_startproc\n"
        "    movq hot__guard_innermost@gottpoff(%rip), %r11\n"
        "    movq %fs:(%r11), %r11\n"
        "    movq (%rsp), %r10\n"
        "    movq %r10, 8(%r11)\n" /* words[0]: return address */
        "    leaq 8(%rsp), %r10\n"
        "    movq %r10, 16(%r11)\n" /* words[1]: stack pointer after the return */
        "    movq %rbx, 24(%r11)\n"
        "    movq %rbp, 32(%r11)\n"
        "    movq %r12, 40(%r11)\n"
        "    movq %r13, 48(%r11)\n"
        "    movq %r14, 56(%r11)\n"
        "    movq %r15, 64(%r11)\n"
        "    jmpq *(%r11)\n"
        ".cfi_endproc\n"
        ".size hot__guard_trampoline, .-hot__guard_trampoline\n");

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

const hot_fn hot__guard_call = 0; /* wrappers here use __builtin_setjmp */

int hot__crash_return_to(const hot__crash *crash, void *const *words)
{
    (void)crash, (void)words;
    return 0; /* no trampoline here: wrappers use __builtin_setjmp */
}

#endif
