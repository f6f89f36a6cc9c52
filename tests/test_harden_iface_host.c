/* The -rdynamic host's own function named like a hot function of the ip
 * interface (see test_harden_iface_names.c): exported by the executable,
 * so the dynamic linker's global scope finds it first. It cannot include
 * ip_api.h, whose wrapper takes the name in the files that do. */
long ip_update(void);

long ip_update(void)
{
    return -1; /* IP_HOST_UPDATE */
}
