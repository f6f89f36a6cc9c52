/*
 * libFuzzer target: hostile bytes into the ELF checks and the dynamic
 * symbol lookup, which read every library file before anything loads it.
 * Any out-of-bounds read is an AddressSanitizer report; the checks must also
 * agree with themselves (a file found complete has a build-id or none).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    /* A copy of exactly `size` bytes, so a read past the end is caught. */
    unsigned char *buf = malloc(size ? size : 1);
    hot__content_id id;
    char msg[256], name[256];
    int err;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    err = hot__elf_check(buf, size, 62, &id, msg, sizeof msg);
    if (err < 0 && msg[0] == '\0')
        abort(); /* every refusal names its cause */
    if (id.len > HOT__ID_MAX)
        abort();
    hot__elf_find_symbol(buf, size, "hot_manifest_", name, sizeof name);
    free(buf);
    return 0;
}
