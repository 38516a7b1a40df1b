/*
 * netback_tap.c - -netdev tap,ifname=NAME: frames go to and from a Linux
 * tap interface (/dev/net/tun, IFF_TAP | IFF_NO_PI), for bridged setups.
 *
 * rvvm runs no scripts and configures nothing: create the interface (owned
 * by the user who runs rvvm, so no root is needed at run time) and bridge
 * it yourself, see docs/usage.md. A reader thread polls the device and hands
 * frames to the card; sends are plain writes (a frame the host cannot take
 * right now is dropped, as a real wire would).
 */
#include "rvvm/netback.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TAP_MAX_FRAME 65536

struct tap_nb {
    struct netback nb;
    int fd;
    int wake[2];
    pthread_t thread;
    bool running;
    netback_rx_fn rx;
    void *rx_opaque;
    uint8_t buf[TAP_MAX_FRAME];
};

static void *tap_thread(void *arg)
{
    struct tap_nb *t = arg;
    struct pollfd p[2] = {{.fd = t->fd, .events = POLLIN}, {.fd = t->wake[0], .events = POLLIN}};
    for (;;) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        if (p[0].revents & (POLLERR | POLLHUP | POLLNVAL))
            break;
        for (;;) {
            ssize_t n = read(t->fd, t->buf, sizeof(t->buf));
            if (n <= 0)
                break;
            t->rx(t->rx_opaque, t->buf, (size_t)n);
        }
    }
    return NULL;
}

static void tap_send(struct netback *nb, const void *frame, size_t len)
{
    struct tap_nb *t = (struct tap_nb *)nb;
    while (write(t->fd, frame, len) < 0 && errno == EINTR) {
    }
}

static bool tap_start(struct netback *nb, netback_rx_fn rx, void *opaque, char *err,
                      size_t errlen)
{
    struct tap_nb *t = (struct tap_nb *)nb;
    t->rx = rx;
    t->rx_opaque = opaque;
    if (pthread_create(&t->thread, NULL, tap_thread, t) != 0) {
        snprintf(err, errlen, "-netdev tap: cannot start the network thread");
        return false;
    }
    t->running = true;
    return true;
}

static void tap_close(struct netback *nb)
{
    struct tap_nb *t = (struct tap_nb *)nb;
    if (t->running) {
        char c = 0;
        if (write(t->wake[1], &c, 1) < 0) {
            /* cannot happen with an empty pipe */
        }
        pthread_join(t->thread, NULL);
    }
    close(t->wake[0]);
    close(t->wake[1]);
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}

static const struct netback_ops tap_ops = {
    .send = tap_send,
    .start = tap_start,
    .close = tap_close,
};

struct netback *netback_tap_create(const char *ifname, char *err, size_t errlen)
{
    if (strlen(ifname) >= IFNAMSIZ) {
        snprintf(err, errlen, "-netdev tap,ifname=%s: name too long", ifname);
        return NULL;
    }
    struct tap_nb *t = calloc(1, sizeof(*t));
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->nb.ops = &tap_ops;
    t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (t->fd < 0) {
        snprintf(err, errlen, "-netdev tap: cannot open /dev/net/tun: %s", strerror(errno));
        free(t);
        return NULL;
    }
    if (pipe2(t->wake, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "-netdev tap: %s", strerror(errno));
        close(t->fd);
        free(t);
        return NULL;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, ifname, strlen(ifname));
    if (ioctl(t->fd, TUNSETIFF, &ifr) != 0) {
        snprintf(err, errlen, "-netdev tap,ifname=%s: cannot attach: %s (create it first: "
                 "ip tuntap add dev %s mode tap user $USER)", ifname, strerror(errno), ifname);
        tap_close(&t->nb);
        return NULL;
    }
    return &t->nb;
}
