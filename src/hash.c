/* Content identity for files without a GNU build-id: 64-bit FNV-1a, eight
 * bytes at a time would be faster, but a library is read once per change. */
#include <string.h>

#include "internal.h"

void hot__hash_content(const unsigned char *buf, size_t size, hot__content_id *id)
{
    uint64_t h = 1469598103934665603u;
    size_t i;

    for (i = 0; i < size; i++) {
        h ^= buf[i];
        h *= 1099511628211u;
    }
    /* Fold the size in so that appending zeros changes the identity. */
    h ^= (uint64_t)size;
    h *= 1099511628211u;
    id->len = 9;
    id->bytes[0] = 'h'; /* never equal to a build-id of the same length */
    for (i = 0; i < 8; i++)
        id->bytes[1 + i] = (unsigned char)(h >> (8 * i));
}

void hot__hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

int hot__content_id_equal(const hot__content_id *a, const hot__content_id *b)
{
    return a->len != 0 && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}
