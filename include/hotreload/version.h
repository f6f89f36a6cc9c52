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
 * The runtime-to-library ABI number. A hot library records the number it was
 * compiled against in its manifest; the runtime refuses a library whose number
 * differs. Bump it whenever the layout of hot_manifest or anything it points
 * to changes.
 */
#define HOT_ABI_VERSION 1

#endif /* HOTRELOAD_VERSION_H */
