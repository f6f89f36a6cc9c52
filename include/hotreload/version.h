/*
 * hotreload version numbers. The build reads HOT_VERSION_MAJOR/MINOR/PATCH
 * from this file, so the version is written down exactly once.
 */
#ifndef HOTRELOAD_VERSION_H
#define HOTRELOAD_VERSION_H

#define HOT_VERSION_MAJOR 0
#define HOT_VERSION_MINOR 1
#define HOT_VERSION_PATCH 0

#define HOT_VERSION_STRING "0.1.0"

/* Encoded as 0xMMmmpp, comparable with < and >. */
#define HOT_VERSION_HEX \
    ((HOT_VERSION_MAJOR << 16) | (HOT_VERSION_MINOR << 8) | HOT_VERSION_PATCH)

#define HOT_VERSION_AT_LEAST(major, minor, patch) \
    (HOT_VERSION_HEX >= (((major) << 16) | ((minor) << 8) | (patch)))

/*
 * The ABI number of everything the runtime shares with compiled code: the
 * manifest a hot library records (hot_manifest and what it points to) and
 * the structs and inline calls a host compiles in (hot_interface,
 * hot_guard). A library and a host each record the number they were
 * compiled against; the runtime refuses a host (at hot_open) or a library
 * (at each load) whose number differs from its own. Bump it whenever one
 * of those layouts changes. (Options and events are not covered: they
 * carry their size, so older callers keep working.)
 * 2: parameter layouts in hot_fn_desc, kept variables in hot_manifest.
 */
#define HOT_ABI_VERSION 2

#endif /* HOTRELOAD_VERSION_H */
