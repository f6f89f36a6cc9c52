/*
 * hot_fd(): the descriptor a program adds to its own poll/epoll wait. It
 * becomes readable when a verified build waits for hot_update() (or, with
 * HOT_APPLY_AT_ONCE, when the watcher reloaded), and hot_update() clears it.
 * Real builds put in place under a running handle, real poll and epoll.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "support.h"

/* 1 if fd becomes readable within ms, else 0. */
static int readable_within(int fd, int ms)
{
    struct pollfd p;
    int n;

    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    while ((n = poll(&p, 1, ms)) < 0 && errno == EINTR) {
    }
    ASSERT(n >= 0);
    return n == 1 && (p.revents & POLLIN);
}

/* A handle on libfx.so (build 1) in a fresh folder, and its hot_fd(). */
static hot_lib *open_with_fd(fx_env *e, hot_apply_mode apply, int *fd)
{
    hot_options o;
    hot_lib *lib;

    env_init(e);
    o = env_options(e);
    o.apply = apply;
    lib = env_open(&o);
    *fd = hot_fd(lib);
    ASSERT(*fd >= 0);
    return lib;
}

TEST(fd, readable_while_a_build_waits)
{
    fx_env e;
    int fd;
    hot_lib *lib = open_with_fd(&e, HOT_APPLY_AT_UPDATE, &fd);

    ASSERT_EQ(hot_fd(lib), fd);
    ASSERT(!readable_within(fd, 0));
    install_fixture(&e, "fx_v2");
    ASSERT(readable_within(fd, WAIT_MS));
    ASSERT_EQ(fx_value(), FX_V1); /* waiting for the safe point */
    ASSERT(readable_within(fd, 0)); /* level-triggered: still */
    ASSERT_EQ(hot_update(lib), 1);
    ASSERT_EQ(fx_value(), FX_V2);
    ASSERT(!readable_within(fd, 0));
    ASSERT_EQ(hot_update(lib), 0);
    ASSERT(!readable_within(fd, 0));
    hot_close(lib);
    env_free(&e);
}

TEST(fd, readable_after_a_reload_at_once)
{
    fx_env e;
    int fd;
    hot_lib *lib = open_with_fd(&e, HOT_APPLY_AT_ONCE, &fd);

    install_fixture(&e, "fx_v2");
    ASSERT(readable_within(fd, WAIT_MS));
    ASSERT_EQ(hot_version(lib), 2UL);
    ASSERT_EQ(fx_value(), FX_V2);
    ASSERT_EQ(hot_update(lib), 0);
    ASSERT(!readable_within(fd, 0));
    hot_close(lib);
    env_free(&e);
}

/* A build parked before the program first asked for the descriptor. */
TEST(fd, readable_for_a_build_parked_before)
{
    fx_env e;
    hot_options o;
    hot_lib *lib;
    int fd, waited;

    env_init(&e);
    o = env_options(&e);
    lib = env_open(&o);
    install_fixture(&e, "fx_v2");
    for (waited = 0; hot_versions_held(lib) < 2 && waited < WAIT_MS; waited += 5)
        usleep(5000);
    ASSERT_EQ(hot_versions_held(lib), 2U);
    fd = hot_fd(lib);
    ASSERT(readable_within(fd, 0));
    ASSERT_EQ(hot_update(lib), 1);
    ASSERT(!readable_within(fd, 0));
    hot_close(lib);
    env_free(&e);
}

/* The epoll loop of the guide: level-triggered, one wake-up per build. */
TEST(fd, epoll_wakes_once_per_build)
{
    fx_env e;
    struct epoll_event ev, got;
    int ep, fd;
    hot_lib *lib = open_with_fd(&e, HOT_APPLY_AT_UPDATE, &fd);

    ep = epoll_create1(EPOLL_CLOEXEC);
    ASSERT(ep >= 0);
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ASSERT(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
    ASSERT_EQ(epoll_wait(ep, &got, 1, 0), 0);
    install_fixture(&e, "fx_v2");
    ASSERT_EQ(epoll_wait(ep, &got, 1, WAIT_MS), 1);
    ASSERT_EQ(got.data.fd, fd);
    ASSERT_EQ(hot_update(lib), 1);
    ASSERT_EQ(epoll_wait(ep, &got, 1, 0), 0);
    install_fixture(&e, "fx_v3");
    ASSERT_EQ(epoll_wait(ep, &got, 1, WAIT_MS), 1);
    ASSERT_EQ(hot_update(lib), 1);
    ASSERT_EQ(fx_value(), FX_V3);
    close(ep);
    hot_close(lib);
    env_free(&e);
}

TEST(fd, closed_by_hot_close)
{
    fx_env e;
    int fd;
    hot_lib *lib = open_with_fd(&e, HOT_APPLY_AT_UPDATE, &fd);

    ASSERT(fcntl(fd, F_GETFD) & FD_CLOEXEC); /* not inherited by children */
    hot_close(lib);
    ASSERT(fcntl(fd, F_GETFD) < 0 && errno == EBADF);
    ASSERT_EQ(hot_fd(NULL), HOT_EINVAL);
    env_free(&e);
}
