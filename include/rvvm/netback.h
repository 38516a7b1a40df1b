/*
 * netback.h - host side of a network card: a small ops struct carrying
 * Ethernet frames, so virtio-net does not know whether frames go to
 * libslirp's user-mode stack, a tap device, or a unit test's fake.
 */
#ifndef RVVM_NETBACK_H
#define RVVM_NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine_nic;

/* A frame for the guest. Called on the backend's thread (or, for slirp,
 * also inside send() on the caller's thread); must not block. */
typedef void (*netback_rx_fn)(void *opaque, const void *frame, size_t len);

struct netback;

struct netback_ops {
    /* A frame from the guest. Any thread; never blocks for long. */
    void (*send)(struct netback *nb, const void *frame, size_t len);
    /* Begin delivering frames for the guest; false (err filled) if the
     * backend's thread cannot start. */
    bool (*start)(struct netback *nb, netback_rx_fn rx, void *opaque, char *err, size_t errlen);
    /* Stop the thread (no rx call after this returns) and free. */
    void (*close)(struct netback *nb);
};

struct netback {
    const struct netback_ops *ops;
};

/* A parsed -netdev user,hostfwd= rule:
 * "[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT" (addresses IPv4,
 * network byte order; host 0 = any, guest default 10.0.2.15). */
struct netback_hostfwd {
    bool udp;
    uint32_t host_addr, guest_addr;
    uint16_t host_port, guest_port;
};
bool netback_hostfwd_parse(const char *rule, struct netback_hostfwd *out, char *err,
                           size_t errlen);

/* -netdev user: libslirp (NULL with a message if rvvm was built without it). */
struct netback *netback_slirp_create(const struct machine_nic *cfg, char *err, size_t errlen);
/* -netdev tap,ifname=NAME: an existing (or creatable) tap interface. */
struct netback *netback_tap_create(const char *ifname, char *err, size_t errlen);

#endif
