/* Opens the hot library next to the program and prints one answer. */
#include <stdio.h>

#include "greet_api.h"

int main(int argc, char **argv)
{
    hot_options opts = HOT_OPTIONS_INIT;
    hot_lib *lib;

    opts.dir = argc > 1 ? argv[1] : ".";
    opts.watch = HOT_WATCH_NONE;
    if (hot_open(&lib, "greet", HOT_IFACE(greet), &opts) != 0) {
        fprintf(stderr, "consumer: %s\n", hot_last_error());
        return 1;
    }
    printf("answer %d from v%lu\n", greet_answer(40), hot_version(lib));
    hot_close(lib);
    return 0;
}
