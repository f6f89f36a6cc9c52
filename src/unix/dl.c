/* Dynamic loading with dlopen. */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "hotreload.h"
#include "../platform.h"
#include "syscalls.h"

int hot__dl_open(const char *path, void **handle, char *msg, size_t msglen)
{
    /* RTLD_NOW: a missing symbol fails here, not at the first call.
     * RTLD_LOCAL: two versions never resolve against each other. The
     * error left from an earlier call is cleared: it is not this one's. */
    dlerror();
    *handle = hot__sys.dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!*handle) {
        const char *why = dlerror();
        snprintf(msg, msglen, "dlopen: %s", why ? why : "failed");
        return HOT_ELOAD;
    }
    return 0;
}

void *hot__dl_sym(void *handle, const char *name)
{
    return hot__sys.dlsym(handle, name);
}

/* dladdr finds the object whose mapping holds addr; the handle's link map
 * names the object we loaded. */
int hot__dl_owns(void *handle, const void *addr, char *where, size_t wherelen)
{
    struct link_map *ours = NULL, *theirs = NULL;
    Dl_info info;

    if (dlinfo(handle, RTLD_DI_LINKMAP, &ours) != 0 || !ours)
        ours = NULL;
    memset(&info, 0, sizeof info);
    if (!dladdr1(addr, &info, (void **)&theirs, RTLD_DL_LINKMAP))
        theirs = NULL;
    if (ours && theirs == ours)
        return 1;
    snprintf(where, wherelen, "%s",
             !theirs                             ? "no loaded object"
             : info.dli_fname && *info.dli_fname ? info.dli_fname
                                                 : "the program");
    return 0;
}

void hot__dl_close(void *handle)
{
    if (handle)
        dlclose(handle);
}

const char *hot__dl_name_format(void)
{
    return "lib%s.so";
}

int hot__host_machine(void)
{
#if defined(__x86_64__)
    return 62; /* EM_X86_64 */
#elif defined(__aarch64__)
    return 183; /* EM_AARCH64 */
#elif defined(__i386__)
    return 3; /* EM_386 */
#elif defined(__arm__)
    return 40; /* EM_ARM */
#elif defined(__riscv)
    return 243; /* EM_RISCV */
#else
    return 0; /* unknown: the loader decides */
#endif
}
