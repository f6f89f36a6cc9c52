/*
 * The hot request handler. Build it with -DHTTP_BODY_VERSION=N to change
 * what it serves: the body is "vN." repeated 200 + N % 50 times, so a client
 * can check that every body is one whole version (check-bodies.lua).
 */
#include <stdio.h>
#include <string.h>

#include "http-api.h"

#ifndef HTTP_BODY_VERSION
#define HTTP_BODY_VERSION 1
#endif

int http_respond(const char *path, char *body, int cap)
{
    int len = 0, n, k;

    (void)path; /* every path gets the same page */
    for (k = 0; k < 200 + HTTP_BODY_VERSION % 50; k++) {
        n = snprintf(body + len, (size_t)(cap - len), "v%d.", HTTP_BODY_VERSION);
        if (n < 0 || n >= cap - len)
            return -1;
        len += n;
    }
    return len;
}

const char *http_content_type(void)
{
    return "text/plain";
}
