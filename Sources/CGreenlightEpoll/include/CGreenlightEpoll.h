// epoll and eventfd for the canary router's event loop. `struct epoll_event` is packed on x86-64, so the
// loop talks to epoll through these helpers: a 64-bit token and the event bits, never the struct itself.
#ifndef CGREENLIGHT_EPOLL_H
#define CGREENLIGHT_EPOLL_H
#ifdef __linux__
#include <stdint.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

static const uint32_t GL_EPOLLIN = EPOLLIN;
static const uint32_t GL_EPOLLOUT = EPOLLOUT;
static const uint32_t GL_EPOLLERR = EPOLLERR;
static const uint32_t GL_EPOLLHUP = EPOLLHUP;
static const uint32_t GL_EPOLLEXCLUSIVE = EPOLLEXCLUSIVE;
static const uint32_t GL_EPOLLET = EPOLLET;
static const uint32_t GL_EPOLLRDHUP = EPOLLRDHUP;
static const int GL_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
static const int GL_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
static const int GL_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

static inline int gl_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static inline int gl_epoll_ctl(int ep, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = token;
    return epoll_ctl(ep, op, fd, &event);
}

/// Waits for at most `max` (≤ 128) events; their tokens and bits go to the two arrays.
static inline int gl_epoll_wait(int ep, uint64_t *tokens, uint32_t *bits, int max, int timeout_ms) {
    struct epoll_event events[128];
    if (max > 128) max = 128;
    int n = epoll_wait(ep, events, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        tokens[i] = events[i].data.u64;
        bits[i] = events[i].events;
    }
    return n;
}

/// accept4 (a GNU extension, hidden from Swift's Glibc): a non-blocking, close-on-exec connection.
/// Defined in shim.c, which alone sees _GNU_SOURCE (a header that defined it would give this module
/// other declarations than the modules it is imported with).
int gl_accept(int fd, struct sockaddr_storage *address, socklen_t *length);

static inline int gl_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }
#endif
#endif
