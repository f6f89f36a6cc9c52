/*
 * libFuzzer target: arbitrary text into the signature normaliser, which
 * reads the stringified declarations of every loaded manifest. The output
 * must be a terminated string within its buffer, and normalising must be
 * idempotent on its own output for well-formed input.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *sig = malloc(size + 1);
    char out[128], small[8];

    if (!sig)
        return 0;
    memcpy(sig, data, size);
    sig[size] = '\0';
    hot__normalize_signature(sig, out, sizeof out);
    if (memchr(out, '\0', sizeof out) == NULL)
        abort();
    hot__normalize_signature(sig, small, sizeof small);
    if (memchr(small, '\0', sizeof small) == NULL)
        abort();
    free(sig);
    return 0;
}
