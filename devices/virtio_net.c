/*
 * virtio_net.c - virtio network card (virtio 1.2 section 5.1) over a
 * netback (rvvm/netback.h): receive queue 0, transmit queue 1, a MAC address
 * and link status, no offloads (so every frame carries complete checksums
 * and no segmentation is needed either way).
 *
 * Every buffer starts with the 12-byte struct virtio_net_hdr_v1 (5.1.6);
 * without offloads the device ignores the guest's and writes a zero one
 * with num_buffers = 1.
 * Transmit runs at the kick, on the hart's thread (a backend send never
 * blocks). Frames for the guest arrive on the backend's thread; when the
 * guest has no receive buffer posted they wait in a small queue, and are
 * dropped when that is full (TCP retransmits, as on a real wire).
 */
#include "devices/virtio_net.h"

#include <endian.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "rvvm/device.h"
#include "rvvm/netback.h"
#include "rvvm/virtio.h"

#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1

#define CFG_MAC 0
#define CFG_STATUS 6
#define CFG_SIZE 8

#define NET_HDR 12
#define RXQ 0
#define TXQ 1
#define MAX_FRAME 65536
#define PENDING 256

struct frame {
    size_t len;
    uint8_t *data;
};

struct virtio_net {
    struct virtio_dev *vd;
    struct netback *nb;
    uint8_t config[CFG_SIZE];

    pthread_mutex_t rx_lock; /* the receive side: backend thread and hart thread */
    struct vq_req rx_req;
    struct frame pending[PENDING];
    unsigned p_head, p_count;
    unsigned long dropped;

    struct vq_req tx_req; /* hart thread only */
    uint8_t tx_buf[MAX_FRAME];
};

/* Put one frame into the next receive buffer; false if none is posted. */
static bool rx_deliver(struct virtio_net *s, const void *frame, size_t len)
{
    struct vq_req *r = &s->rx_req;
    if (virtio_pop(s->vd, RXQ, r) <= 0)
        return false;
    if (r->write_len < NET_HDR + len) {
        /* Without VIRTIO_NET_F_MRG_RXBUF each buffer must hold a whole
         * frame; a smaller one fails this frame only. */
        s->dropped++;
        virtio_push(s->vd, RXQ, r, 0);
        return true;
    }
    uint8_t hdr[NET_HDR] = {0};
    uint16_t one = htole16(1);
    memcpy(hdr + 10, &one, 2); /* num_buffers */
    vq_req_write(r, 0, hdr, NET_HDR);
    vq_req_write(r, NET_HDR, frame, len);
    virtio_push(s->vd, RXQ, r, (uint32_t)(NET_HDR + len));
    return true;
}

/* Waiting frames first, in order. rx_lock held. */
static void rx_flush(struct virtio_net *s)
{
    while (s->p_count) {
        struct frame *f = &s->pending[s->p_head];
        if (!rx_deliver(s, f->data, f->len))
            return;
        free(f->data);
        f->data = NULL;
        s->p_head = (s->p_head + 1) % PENDING;
        s->p_count--;
    }
}

static void rx_drop_pending(struct virtio_net *s)
{
    while (s->p_count) {
        free(s->pending[s->p_head].data);
        s->pending[s->p_head].data = NULL;
        s->p_head = (s->p_head + 1) % PENDING;
        s->p_count--;
    }
}

/* Backend: a frame for the guest. */
static void net_rx(void *opaque, const void *frame, size_t len)
{
    struct virtio_net *s = opaque;
    if (len > MAX_FRAME)
        return;
    pthread_mutex_lock(&s->rx_lock);
    rx_flush(s);
    if (s->p_count || !rx_deliver(s, frame, len)) {
        uint8_t *copy = s->p_count < PENDING ? malloc(len) : NULL;
        if (copy) {
            memcpy(copy, frame, len);
            s->pending[(s->p_head + s->p_count) % PENDING] = (struct frame){len, copy};
            s->p_count++;
        } else {
            s->dropped++;
        }
    }
    pthread_mutex_unlock(&s->rx_lock);
}

static void net_tx(struct virtio_net *s)
{
    struct vq_req *r = &s->tx_req;
    while (virtio_pop(s->vd, TXQ, r) > 0) {
        if (r->read_len < NET_HDR) {
            virtio_fail(s->vd, "transmit buffer of %zu bytes holds no header", r->read_len);
            return;
        }
        size_t len = r->read_len - NET_HDR;
        if (len <= MAX_FRAME && len > 0) {
            vq_req_read(r, NET_HDR, s->tx_buf, len);
            s->nb->ops->send(s->nb, s->tx_buf, len);
        }
        virtio_push(s->vd, TXQ, r, 0);
    }
}

static void net_notify(void *opaque, unsigned q)
{
    struct virtio_net *s = opaque;
    if (q == TXQ) {
        net_tx(s);
    } else {
        pthread_mutex_lock(&s->rx_lock);
        rx_flush(s);
        pthread_mutex_unlock(&s->rx_lock);
    }
}

static void net_reset(void *opaque)
{
    struct virtio_net *s = opaque;
    /* Waits for a delivery in progress on the backend's thread. */
    pthread_mutex_lock(&s->rx_lock);
    rx_drop_pending(s);
    pthread_mutex_unlock(&s->rx_lock);
}

static void net_destroy(void *opaque)
{
    struct virtio_net *s = opaque;
    if (s->nb)
        s->nb->ops->close(s->nb);
    rx_drop_pending(s);
    pthread_mutex_destroy(&s->rx_lock);
    free(s);
}

static const struct virtio_device_ops net_ops = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .nqueues = 2,
    .notify = net_notify,
    .reset = net_reset,
    .destroy = net_destroy,
};

struct dev *virtio_net_create(struct machine *m, uint64_t base, unsigned irq,
                              struct netback *nb, const uint8_t mac[6], char *err,
                              size_t errlen)
{
    struct virtio_net *s = calloc(1, sizeof(*s));
    if (!s) {
        nb->ops->close(nb);
        return NULL;
    }
    s->nb = nb;
    pthread_mutex_init(&s->rx_lock, NULL);
    memcpy(s->config + CFG_MAC, mac, 6);
    uint16_t st = htole16(VIRTIO_NET_S_LINK_UP);
    memcpy(s->config + CFG_STATUS, &st, 2);
    struct virtio_device vdev = {
        .ops = &net_ops, .opaque = s,
        .features = (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS),
        .config = s->config, .config_size = CFG_SIZE,
    };
    struct virtio_dev *vd;
    struct dev *d = virtio_mmio_create(m, base, irq, &vdev, &vd);
    if (!d)
        return NULL; /* net_destroy has closed nb */
    s->vd = vd;
    if (!nb->ops->start(nb, net_rx, s, err, errlen))
        return NULL; /* the machine destroys d with the bus */
    return d;
}
