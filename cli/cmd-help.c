/*
 * hotreload help [COMMAND], and the usage text of every subcommand.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char overview[] =
    "usage: hotreload <command> [options]\n"
    "\n"
    "The developer loop around the hotreload runtime.\n"
    "\n"
    "commands:\n"
    "  new NAME          create a project: a host, a hot library, its interface\n"
    "  run [-- ARGS]     build, start the host, rebuild on every source change\n"
    "  check LIB         print a library's manifest; --against: would it reload\n"
    "  iface HEADER      write the interface header for an existing header\n"
    "  help [COMMAND]    show the help of a command\n"
    "\n"
    "options:\n"
    "  -h, --help        show this help\n"
    "  -V, --version     print the version\n"
    "\n"
    "Run 'hotreload help COMMAND' for a command's options.\n";

static const char usage_new[] =
    "usage: hotreload new NAME [--template tick|sdl|lv2]\n"
    "                          [--hotreload-dir DIR | --build-tree | --installed]\n"
    "\n"
    "Creates the folder NAME with a working project: host.c (the program),\n"
    "logic.c (the hot library), logic.h (the interface both compile),\n"
    "a Makefile, a CMakeLists.txt, hotreload.conf (for 'hotreload run') and\n"
    "a README. Refuses a NAME that already exists. Templates:\n"
    "  tick  (the default) the host calls the library every 100 ms; the\n"
    "        library prints 'tick <N>: hello from logic.c'\n"
    "  sdl   an SDL2 window whose update and draw functions are hot; with\n"
    "        --headless --out DIR it saves frames instead (needs SDL2)\n"
    "  lv2   an LV2 audio plugin (a gain and a low-pass filter) whose DSP\n"
    "        reloads while a host plays it: plugin.h (its URI, ports and\n"
    "        parameters), logic.c (the DSP), CMake builds the bundle in\n"
    "        build/lv2 (LV2_PATH); no host to start (needs the LV2 headers)\n"
    "\n"
    "Where the project finds hotreload:\n"
    "  --installed          pkg-config hotreload / find_package(hotreload)\n"
    "  --hotreload-dir DIR  an install prefix: DIR/include, DIR/lib\n"
    "  --build-tree         the build tree this hotreload was built in\n"
    "The default is --build-tree when this hotreload runs from its build\n"
    "tree, else the prefix it is installed in (PREFIX/bin/hotreload, with\n"
    "PREFIX/include and PREFIX/lib: as --hotreload-dir PREFIX, found with no\n"
    "pkg-config set-up), else --installed.\n";

static const char usage_run[] =
    "usage: hotreload run [options] [-- HOST ARGS...]\n"
    "\n"
    "Builds the project, starts the host and keeps it running. On every\n"
    "change to a watched source (or a header it includes) it rebuilds the\n"
    "library; the runtime inside the host reloads it. Prints one status line\n"
    "per event. A build refused for an interface change restarts the host\n"
    "(carrying the state it kept with hot_keep_object(), by field name;\n"
    "or its own, see HOTRELOAD_STATE_FILE).\n"
    "\n"
    "Started on a terminal, the host gets it (the foreground, as a shell\n"
    "gives it to a job): it reads keys as if started directly, Ctrl-Z\n"
    "suspends both, and the terminal's modes are restored whenever the host\n"
    "stops. The user quitting the host (exit status 0, or Ctrl-C) ends\n"
    "hotreload run; a host that crashes or exits with an error is restarted\n"
    "at the next change. Ctrl-C while no host runs stops hotreload run.\n"
    "\n"
    "options (each overrides the key of the same name in hotreload.conf):\n"
    "  -C, --dir DIR        the project folder (default: .)\n"
    "  --config FILE        the config file (default: DIR/hotreload.conf)\n"
    "  --host PROGRAM       the host to start (key: host); none: start no host,\n"
    "                       show what the processes that load the library do\n"
    "  --lib FILE           the hot library the build writes (key: library)\n"
    "  --watch DIR          a source folder to watch; repeatable (key: watch)\n"
    "  --build CMD          rebuilds the library (key: build)\n"
    "  --build-all CMD      rebuilds everything before a restart (key: build_all)\n"
    "  --debounce MS        wait for more changes this long (default: 5)\n"
    "  --restart WHEN       on-failure (default), or always: any exit of the\n"
    "                       host restarts it, quitting too (key: restart)\n"
    "  --status-to WHERE    status lines and build output: stdout (default),\n"
    "                       stderr, none, or a file or terminal (/dev/pts/N),\n"
    "                       appended to (key: status_to)\n"
    "  --timings            show the time of each phase in the status lines\n"
    "  --stats FILE         append one JSON line per rebuild with its timings\n"
    "                       (kind: reloaded, refused, unchanged, build_failed,\n"
    "                       rolledback, played)\n"
    "\n"
    "The host gets HOTRELOAD_EVENT_FD (the runtime's event channel) and\n"
    "HOTRELOAD_STATE_FILE (where to save its state when stopped).\n"
    "\n"
    "host = none (jalv, a DAW, a service you start yourself): no host is\n"
    "started; each save rebuilds the library (key library is required), and\n"
    "every process that loads it, started before or after, reports on a\n"
    "socket in the shadow folder: 'pid 1234 (jalv): reloaded v3 in 0.4 ms',\n"
    "refusals with every reason, rollbacks with the signal.\n";

static const char usage_check[] =
    "usage: hotreload check LIB [--against OTHER] [--ignore-compiler]\n"
    "\n"
    "Prints the manifest of the hot library LIB: interface, functions and\n"
    "their signatures, shared types and their layout, runtime ABI, compiler\n"
    "and build-id. With --against, tells whether a host running LIB would\n"
    "accept OTHER as a reload, and if not, every reason, one per line.\n"
    "A field a listed type leaves out is a warning: named, with its offset\n"
    "and size, from LIB's debug info (built with -g); without it, the bytes\n"
    "no listed field covers (the fields: line says which check ran).\n"
    "\n"
    "check loads LIB (and OTHER) to read the manifest: their constructors\n"
    "run in this process, as they would in a host. Check only libraries you\n"
    "would run. The copy it loads is listed in an owner file in the shadow\n"
    "folder, so a constructor that crashes leaves nothing the next run keeps.\n"
    "\n"
    "exit status: 0 ok or accepted, 1 refused, 2 usage error or unreadable\n"
    "library.\n";

static const char usage_iface[] =
    "usage: hotreload iface HEADER [--name NAME] [--guarded] [-o FILE]\n"
    "\n"
    "Reads a header of ordinary prototypes and struct definitions and writes\n"
    "its interface header (to FILE, or standard output): the header's own\n"
    "text with its prototypes taken out, NAME_FUNCTIONS listing them,\n"
    "NAME_TYPES listing every struct with every field, and HOT_INTERFACE\n"
    "(HOT_GUARDED_INTERFACE with --guarded). NAME defaults to the header's\n"
    "file name (game.h: game). Include the result instead of HEADER in the\n"
    "host and the library. Static and inline functions stay as they are; a\n"
    "function taking '...' is refused; bit-fields are said and left out.\n"
    "\n"
    "exit status: 0 written, 1 refused, 2 usage error or unreadable header.\n";

static const char usage_help[] =
    "usage: hotreload help [COMMAND]\n"
    "\n"
    "Shows the help of COMMAND (new, run, check, iface, help), or the overview.\n";

struct usage {
    const char *command;
    const char *text;
};

static const struct usage usages[] = {
    { "new", usage_new },     { "run", usage_run },   { "check", usage_check },
    { "iface", usage_iface }, { "help", usage_help }, { NULL, NULL },
};

int cli_print_usage(FILE *out, const char *command)
{
    const struct usage *u;

    if (!command) {
        fputs(overview, out);
        return 0;
    }
    for (u = usages; u->command; u++) {
        if (strcmp(u->command, command) == 0) {
            fputs(u->text, out);
            return 0;
        }
    }
    return -1;
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "hotreload %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'hotreload help %s' for usage.\n", command);
    return CLI_USAGE;
}

int cli_cmd_help(int argc, char **argv)
{
    if (argc < 2)
        return cli_print_usage(stdout, NULL), CLI_OK;
    if (argc > 2)
        return cli_usage_error("help", "too many arguments");
    if (cli_print_usage(stdout, argv[1]) < 0) {
        fprintf(stderr, "hotreload help: unknown command '%s'\n", argv[1]);
        return CLI_USAGE;
    }
    return CLI_OK;
}
