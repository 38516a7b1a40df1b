/*
 * virtio_rng.c - virtio entropy device (virtio 1.2 section 5.4): one
 * request queue whose device-writable buffers are filled from the host's
 * getrandom(). No features, no config space.
 *
 * Requests are served on the hart's thread at the kick: getrandom() does
 * not block once the host's pool is initialized, and a driver asks for
 * little at a time.
 */
#include "devices/virtio_rng.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "devices/virtqueue.h"
#include "rvvm/device.h"
#include "rvvm/virtio.h"

struct virtio_rng {
    struct virtio_dev *vd;
    struct vq_req req; /* only used on the notifying thread */
};

static void rng_notify(void *opaque, unsigned q)
{
    struct virtio_rng *s = opaque;
    struct vq_req *r = &s->req;
    while (virtio_pop(s->vd, q, r) > 0) {
        uint32_t done = 0;
        for (unsigned i = r->nread; i < r->nread + r->nwrite; i++) {
            uint8_t *p = r->iov[i].iov_base;
            size_t left = r->iov[i].iov_len;
            while (left) {
                ssize_t n = getrandom(p, left, 0);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    goto out;
                p += n;
                left -= (size_t)n;
                done += (uint32_t)n;
            }
        }
    out:
        virtio_push(s->vd, q, r, done);
    }
}

static void rng_reset(void *opaque)
{
    (void)opaque; /* nothing in flight outside a notify */
}

static void rng_destroy(void *opaque)
{
    free(opaque);
}

static const struct virtio_device_ops rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .nqueues = 1,
    .notify = rng_notify,
    .reset = rng_reset,
    .destroy = rng_destroy,
};

struct dev *virtio_rng_create(struct machine *m, uint64_t base, unsigned irq)
{
    struct virtio_rng *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    struct virtio_device vdev = {.ops = &rng_ops, .opaque = s};
    return virtio_mmio_create(m, base, irq, &vdev, &s->vd);
}
