/* Reading a library's manifest without opening it for reloads: what
 * `hotreload check` prints. The manifest holds pointers, so the library is
 * loaded (from a shadow copy listed in an owner file, deleted at once)
 * rather than parsed: its constructors run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct hot_library_info {
    void *handle;
    const hot_manifest *manifest;
    unsigned char *bytes; /* the file, for its debug information */
    size_t size;
    char build_id[2 * HOT__ID_MAX + 1];
};

/* Past the first two fields, a manifest of another ABI has another layout:
 * reading it would show garbage (or crash). */
static int check_readable(const hot_manifest *m, char *msg, size_t msglen)
{
    if (m->magic != HOT_MANIFEST_MAGIC) {
        snprintf(msg, msglen, "manifest is corrupt (bad magic %08x)", m->magic);
        return HOT_ENOMANIFEST;
    }
    if (m->abi != HOT_ABI_VERSION) {
        snprintf(msg, msglen,
                 "built for hotreload ABI %u; this runtime reads ABI %u (rebuild the library "
                 "against this hotreload.h)",
                 m->abi, (unsigned)HOT_ABI_VERSION);
        return HOT_EABI;
    }
    return 0;
}

static int load_copy(hot_library_info *info, const char *path, const unsigned char *buf,
                     size_t size, const char *symbol)
{
    char msg[HOT__MSG_MAX] = "";
    int err = hot__shadow_load_once(buf, size, &info->handle, msg, sizeof msg);

    if (err == 0 && !(info->manifest = hot__dl_sym(info->handle, symbol))) {
        snprintf(msg, sizeof msg, "%s not found", symbol);
        err = HOT_ENOMANIFEST;
    }
    if (err == 0)
        err = check_readable(info->manifest, msg, sizeof msg);
    if (err < 0)
        hot__set_last_error("%s: %s", path, msg);
    return err;
}

int hot_inspect(hot_library_info **out, const char *path)
{
    hot_library_info *info;
    unsigned char *buf = NULL;
    size_t size = 0;
    hot__content_id id;
    char msg[HOT__MSG_MAX] = "", symbol[256];
    int err;

    if (!out || !path) {
        hot__set_last_error("hot_inspect: out and path are required");
        return HOT_EINVAL;
    }
    *out = NULL;
    if (!(info = calloc(1, sizeof *info))) {
        hot__set_last_error("%s: out of memory", path);
        return HOT_ENOMEM;
    }
    if ((err = hot__fs_read_all(path, &buf, &size, msg, sizeof msg)) < 0) {
        hot__set_last_error("%s", msg);
    } else if ((err = hot__elf_check(buf, size, hot__host_machine(), &id, msg, sizeof msg)) < 0) {
        hot__set_last_error("%s: %s", path, msg);
    } else if ((err = hot__elf_find_symbol(buf, size, "hot_manifest_", symbol, sizeof symbol)) <
               0) {
        hot__set_last_error("%s: no hot_manifest_* symbol: built without hotreload", path);
    } else {
        hot__hex(id.bytes, id.len, info->build_id);
        err = load_copy(info, path, buf, size, symbol);
    }
    info->bytes = buf;
    info->size = size;
    if (err < 0) {
        hot_info_free(info);
        return err;
    }
    *out = info;
    return 0;
}

const hot_manifest *hot_info_manifest(const hot_library_info *info)
{
    return info ? info->manifest : NULL;
}

const char *hot_info_build_id(const hot_library_info *info)
{
    return info ? info->build_id : "";
}

int hot_info_uncovered(const hot_library_info *info, char *reasons, size_t len, char *how,
                       size_t howlen)
{
    if (!info)
        return HOT_EINVAL;
    return hot__uncovered_named(info->manifest, info->bytes, info->size, reasons, len, how, howlen);
}

void hot_info_free(hot_library_info *info)
{
    if (!info)
        return;
    hot__dl_close(info->handle);
    free(info->bytes);
    free(info);
}
