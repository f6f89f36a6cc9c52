/* The interface between the HTTP server and its hot request handler. The
 * server owns the sockets and the HTTP framing; the handler only writes the
 * body for a path, so a rebuilt handler changes what is served without a
 * dropped connection. */
#ifndef HTTP_API_H
#define HTTP_API_H

#include <hotreload.h>

/* http_respond writes the body for `path` into body (at most cap bytes) and
 * returns its length; http_content_type names its type. */
#define HTTP_FUNCTIONS(X, XV)                                                 \
    X(int, http_respond, (const char *path, char *body, int cap), (path, body, cap)) \
    X(const char *, http_content_type, (void), ())

#define HTTP_TYPES(TYPE, FIELD)

HOT_INTERFACE(httpapp, HTTP_FUNCTIONS, HTTP_TYPES)

#endif
