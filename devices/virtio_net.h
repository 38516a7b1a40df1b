/*
 * virtio_net.h - virtio network card (virtio 1.2 section 5.1) over a
 * netback.
 */
#ifndef RVVM_VIRTIO_NET_H
#define RVVM_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

struct machine;
struct dev;
struct netback;

/* Takes ownership of nb (closed with the device, or here on failure) and
 * starts it. Returns the attached transport device (owned by the machine)
 * or NULL, with a line in err when the backend could not start. */
struct dev *virtio_net_create(struct machine *m, uint64_t base, unsigned irq,
                              struct netback *nb, const uint8_t mac[6], char *err,
                              size_t errlen);

#endif
