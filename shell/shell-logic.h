/*
 * The logic library, once per process: every shell instance of a plugin
 * shares it (the core runtime keeps one function table per interface). The
 * core's watcher loads each rebuild; this file checks its description and
 * makes it the accepted logic, which instances then swap to at their own
 * block boundaries. shell-logic.c (hot) and shell-logic-static.c (the logic
 * compiled in) implement it.
 */
#ifndef HOT_SHELL_LOGIC_H
#define HOT_SHELL_LOGIC_H

#include <hotreload/plugin.h>

typedef struct shell_member {
    void (*log)(void *userdata, hot_log_level level, const char *line);
    void (*wake)(void *userdata);      /* a new logic was accepted */
    void *userdata;
    struct shell_member *next;
} shell_member;

/* Registers an instance; opens the library at path on the first one.
 * Returns 0 or a HOT_E* code (logged through m). */
int shell_logic_acquire(shell_member *m, const hot_plugin_desc *desc, const char *path);
void shell_logic_release(shell_member *m);

/* The accepted logic and its version. Lock-free: safe on the audio thread. */
const hot_plugin_logic *shell_logic_current(unsigned long *version);
unsigned long shell_logic_version(void);
/* The core's handle of the logic (NULL when it is compiled in), for
 * hot_call_guarded's options. */
hot_lib *shell_logic_lib(void);

/* Builds that crashed (by version, unique per build): no instance is made
 * from them again, in any shell instance, until a new build is accepted.
 * Both lock-free: safe on the audio thread. */
void shell_logic_mark_crashed(unsigned long version);
int shell_logic_crashed(unsigned long version);

/* Logs a line to every instance (or stderr when there is none). */
void shell_logic_log(hot_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* 0 if the logic was compiled from the shell's description; else
 * HOT_EMISMATCH with the first difference in why. */
int shell_desc_compare(const hot_plugin_desc *shell, const hot_plugin_logic *logic, char *why,
                       size_t len);

#endif /* HOT_SHELL_LOGIC_H */
