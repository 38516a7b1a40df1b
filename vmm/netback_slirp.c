/*
 * netback_slirp.c - -netdev user: the guest's frames go through libslirp's
 * user-mode TCP/IP stack (NAT to the host's sockets, DHCP, DNS), laid out
 * as QEMU's user networking so guest habits carry over:
 *   network 10.0.2.0/24, gateway/host 10.0.2.2, DNS 10.0.2.3,
 *   guest 10.0.2.15 by DHCP; IPv6 fec0::/64.
 *
 * libslirp is not thread-safe: every call into it happens under `lock`. One
 * thread polls slirp's sockets and runs its timers; the hart's thread feeds
 * guest frames with slirp_input() under the same lock. Frames for the guest
 * leave through send_packet, on whichever thread holds the lock.
 */
#include "rvvm/netback.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rvvm_config.h"

#if RVVM_HAVE_SLIRP

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include "rvvm/log.h"
#include "rvvm/machine.h"

struct slirp_timer {
    SlirpTimerCb cb;
    void *cb_opaque;
    int64_t expire_ms; /* -1: not armed */
};

struct slirp_nb {
    struct netback nb;
    pthread_mutex_t lock;
    Slirp *slirp;
    netback_rx_fn rx;
    void *rx_opaque;

    pthread_t thread;
    bool running, stop;
    int wake[2]; /* pipe: kicks the poll thread */

    struct pollfd *pfd;
    unsigned npfd, cap;
    struct slirp_timer **timers;
    unsigned ntimers;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void kick(struct slirp_nb *s)
{
    char c = 0;
    if (write(s->wake[1], &c, 1) < 0) {
        /* The pipe is full: the thread is awake already. */
    }
}

/* ---- callbacks from libslirp (lock held) ---- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct slirp_nb *s = opaque;
    if (s->rx)
        s->rx(s->rx_opaque, buf, len);
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    (void)opaque;
    if (log_on(LOG_GUEST))
        log_channel(LOG_GUEST, "guest: slirp: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    return now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    struct slirp_nb *s = opaque;
    struct slirp_timer *t = calloc(1, sizeof(*t));
    struct slirp_timer **grown = realloc(s->timers, (s->ntimers + 1) * sizeof(*grown));
    if (!t || !grown) {
        free(t);
        abort(); /* libslirp has no way to report this */
    }
    s->timers = grown;
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    t->expire_ms = -1;
    s->timers[s->ntimers++] = t;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    struct slirp_nb *s = opaque;
    for (unsigned i = 0; i < s->ntimers; i++) {
        if (s->timers[i] == timer) {
            s->timers[i] = s->timers[--s->ntimers];
            break;
        }
    }
    free(timer);
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    ((struct slirp_timer *)timer)->expire_ms = expire_ms;
    kick(opaque);
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd, (void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    (void)fd, (void)opaque;
}

static void cb_notify(void *opaque)
{
    kick(opaque);
}

static const SlirpCb slirp_cbs = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
};

/* ---- the poll thread ---- */

static int add_poll(int fd, int events, void *opaque)
{
    struct slirp_nb *s = opaque;
    if (s->npfd == s->cap) {
        unsigned cap = s->cap ? s->cap * 2 : 32;
        struct pollfd *p = realloc(s->pfd, cap * sizeof(*p));
        if (!p)
            abort();
        s->pfd = p;
        s->cap = cap;
    }
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    s->pfd[s->npfd] = (struct pollfd){.fd = fd, .events = ev};
    return (int)s->npfd++;
}

static int get_revents(int idx, void *opaque)
{
    struct slirp_nb *s = opaque;
    if (idx < 0 || (unsigned)idx >= s->npfd)
        return 0;
    short re = s->pfd[idx].revents;
    int ev = 0;
    if (re & POLLIN)
        ev |= SLIRP_POLL_IN;
    if (re & POLLOUT)
        ev |= SLIRP_POLL_OUT;
    if (re & POLLPRI)
        ev |= SLIRP_POLL_PRI;
    if (re & (POLLERR | POLLNVAL))
        ev |= SLIRP_POLL_ERR;
    if (re & POLLHUP)
        ev |= SLIRP_POLL_HUP;
    return ev;
}

static void run_timers(struct slirp_nb *s)
{
    int64_t now = now_ns() / 1000000;
    /* A callback may arm or free timers: rescan after each one fires. */
    for (bool fired = true; fired;) {
        fired = false;
        for (unsigned i = 0; i < s->ntimers; i++) {
            struct slirp_timer *t = s->timers[i];
            if (t->expire_ms >= 0 && t->expire_ms <= now) {
                t->expire_ms = -1;
                t->cb(t->cb_opaque);
                fired = true;
                break;
            }
        }
    }
}

static void *slirp_thread(void *arg)
{
    struct slirp_nb *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        s->npfd = 0;
        add_poll(s->wake[0], SLIRP_POLL_IN, s);
        uint32_t timeout = 1000;
        slirp_pollfds_fill(s->slirp, &timeout, add_poll, s);
        int64_t now = now_ns() / 1000000;
        for (unsigned i = 0; i < s->ntimers; i++) {
            int64_t e = s->timers[i]->expire_ms;
            if (e >= 0)
                timeout = e <= now ? 0 : (e - now < timeout ? (uint32_t)(e - now) : timeout);
        }
        pthread_mutex_unlock(&s->lock);
        int rc = poll(s->pfd, s->npfd, (int)timeout);
        pthread_mutex_lock(&s->lock);
        if (rc > 0 && (s->pfd[0].revents & POLLIN)) {
            char buf[64];
            while (read(s->wake[0], buf, sizeof(buf)) > 0) {
            }
        }
        slirp_pollfds_poll(s->slirp, rc < 0, get_revents, s);
        run_timers(s);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- netback ops ---- */

static void nb_send(struct netback *nb, const void *frame, size_t len)
{
    struct slirp_nb *s = (struct slirp_nb *)nb;
    pthread_mutex_lock(&s->lock);
    slirp_input(s->slirp, frame, (int)len);
    pthread_mutex_unlock(&s->lock);
    kick(s); /* new sockets may need polling */
}

static bool nb_start(struct netback *nb, netback_rx_fn rx, void *opaque, char *err,
                     size_t errlen)
{
    struct slirp_nb *s = (struct slirp_nb *)nb;
    pthread_mutex_lock(&s->lock);
    s->rx = rx;
    s->rx_opaque = opaque;
    pthread_mutex_unlock(&s->lock);
    if (pthread_create(&s->thread, NULL, slirp_thread, s) != 0) {
        snprintf(err, errlen, "-netdev user: cannot start the network thread");
        return false;
    }
    s->running = true;
    return true;
}

static void nb_close(struct netback *nb)
{
    struct slirp_nb *s = (struct slirp_nb *)nb;
    if (s->running) {
        pthread_mutex_lock(&s->lock);
        s->stop = true;
        pthread_mutex_unlock(&s->lock);
        kick(s);
        pthread_join(s->thread, NULL);
    }
    if (s->slirp)
        slirp_cleanup(s->slirp);
    for (unsigned i = 0; i < s->ntimers; i++)
        free(s->timers[i]);
    free(s->timers);
    free(s->pfd);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static const struct netback_ops slirp_ops = {
    .send = nb_send,
    .start = nb_start,
    .close = nb_close,
};

static bool add_hostfwd(struct slirp_nb *s, const char *rule, char *err, size_t errlen)
{
    struct netback_hostfwd h;
    if (!netback_hostfwd_parse(rule, &h, err, errlen))
        return false;
    struct in_addr haddr = {.s_addr = h.host_addr}, gaddr = {.s_addr = h.guest_addr};
    if (slirp_add_hostfwd(s->slirp, h.udp, haddr, h.host_port, gaddr, h.guest_port) < 0) {
        snprintf(err, errlen, "-netdev user,hostfwd=%s: cannot listen on host port %u: %s",
                 rule, h.host_port, strerror(errno));
        return false;
    }
    return true;
}

struct netback *netback_slirp_create(const struct machine_nic *cfg, char *err, size_t errlen)
{
    struct slirp_nb *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->nb.ops = &slirp_ops;
    pthread_mutex_init(&s->lock, NULL);
    if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        snprintf(err, errlen, "-netdev user: %s", strerror(errno));
        free(s);
        return NULL;
    }
    SlirpConfig sc = {0};
    sc.version = 3;
    sc.restricted = 0;
    sc.in_enabled = true;
    inet_pton(AF_INET, "10.0.2.0", &sc.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &sc.vnetmask);
    inet_pton(AF_INET, "10.0.2.2", &sc.vhost);
    inet_pton(AF_INET, "10.0.2.15", &sc.vdhcp_start);
    inet_pton(AF_INET, "10.0.2.3", &sc.vnameserver);
    sc.in6_enabled = true;
    inet_pton(AF_INET6, "fec0::", &sc.vprefix_addr6);
    sc.vprefix_len = 64;
    inet_pton(AF_INET6, "fec0::2", &sc.vhost6);
    inet_pton(AF_INET6, "fec0::3", &sc.vnameserver6);
    sc.vhostname = "rvvm";
    s->slirp = slirp_new(&sc, &slirp_cbs, s);
    if (!s->slirp) {
        snprintf(err, errlen, "-netdev user: libslirp failed to start");
        nb_close(&s->nb);
        return NULL;
    }
    for (unsigned i = 0; i < cfg->nhostfwd; i++) {
        if (!add_hostfwd(s, cfg->hostfwd[i], err, errlen)) {
            nb_close(&s->nb);
            return NULL;
        }
    }
    return &s->nb;
}

#else /* !RVVM_HAVE_SLIRP */

struct netback *netback_slirp_create(const struct machine_nic *cfg, char *err, size_t errlen)
{
    (void)cfg;
    snprintf(err, errlen, "-netdev user: this rvvm was built without libslirp (install "
             "libslirp-dev and reconfigure with -Dslirp=enabled)");
    return NULL;
}

#endif

/* "tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", proto optional as in QEMU. */
bool netback_hostfwd_parse(const char *rule, struct netback_hostfwd *out, char *err,
                           size_t errlen)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", rule);
    char *p = buf;
    out->udp = false;
    char *colon = strchr(p, ':');
    char *dash = strchr(p, '-');
    if (colon && (!dash || colon < dash) && strchr(colon + 1, ':') &&
        strchr(colon + 1, ':') < (dash ? dash : colon + strlen(colon))) {
        /* three colons in all: the proto field is everything before the first */
        *colon = 0;
        if (!strcmp(p, "udp"))
            out->udp = true;
        else if (strcmp(p, "tcp") && *p)
            goto bad;
        p = colon + 1;
    }
    dash = strchr(p, '-');
    if (!dash)
        goto bad;
    *dash = 0;
    char *host = p, *guest = dash + 1;
    char *hc = strrchr(host, ':'), *gc = strrchr(guest, ':');
    if (!hc || !gc)
        goto bad;
    *hc = 0;
    *gc = 0;
    struct in_addr haddr = {.s_addr = htonl(INADDR_ANY)}, gaddr;
    inet_pton(AF_INET, "10.0.2.15", &gaddr);
    if ((*host && inet_pton(AF_INET, host, &haddr) != 1) ||
        (*guest && inet_pton(AF_INET, guest, &gaddr) != 1))
        goto bad;
    char *end;
    long hport = strtol(hc + 1, &end, 10);
    if (*end || hport < 0 || hport > 65535 || hc[1] == 0)
        goto bad;
    long gport = strtol(gc + 1, &end, 10);
    if (*end || gport < 1 || gport > 65535)
        goto bad;
    out->host_addr = haddr.s_addr;
    out->guest_addr = gaddr.s_addr;
    out->host_port = (uint16_t)hport;
    out->guest_port = (uint16_t)gport;
    return true;
bad:
    snprintf(err, errlen, "-netdev user,hostfwd=%s: expected [tcp|udp]:[HOSTADDR]:HOSTPORT-"
             "[GUESTADDR]:GUESTPORT, like tcp::8080-:80", rule);
    return false;
}
