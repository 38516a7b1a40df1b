/*
 * virtqueue.h - split virtqueues (virtio 1.2, section 2.7 "Split
 * Virtqueues"): the device side of the descriptor table, available ring and
 * used ring, with indirect descriptors (2.7.5.3) and used-buffer notification
 * suppression by event index (2.7.7, 2.7.10).
 *
 * Everything the guest wrote is treated as hostile: each ring and buffer is
 * resolved through machine_dma() (so it lies wholly in guest RAM), chains are
 * bounded by the queue size (a loop cannot run forever), and any malformed
 * ring or chain makes vq_pop() fail, after which the queue stays broken until
 * the driver resets the device. The caller (the virtio transport) holds its
 * lock around every call; the structures here are not thread-safe.
 */
#ifndef RVVM_VIRTQUEUE_H
#define RVVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct machine;

/* Longest chain accepted, counting the descriptors of an indirect table. */
#define VQ_MAX_SEGS 1024
/* Largest queue the transport offers (QueueNumMax). */
#define VQ_MAX_SIZE 1024

struct vq {
    struct machine *m;
    /* Set by the driver through the transport while the queue is not ready. */
    uint32_t num;
    uint64_t desc_gpa, avail_gpa, used_gpa;
    bool ready;
    /* Negotiated VIRTIO_F_EVENT_IDX / VIRTIO_F_INDIRECT_DESC. */
    bool event_idx, indirect;

    /* Host views of the rings, resolved when the queue is enabled. */
    uint8_t *desc, *avail, *used;
    uint16_t last_avail;     /* next available-ring entry to consume */
    uint16_t used_idx;       /* our copy of used->idx */
    uint16_t signalled_used; /* used->idx when we last decided about an IRQ */
    bool signalled_valid;
    bool broken; /* a malformed ring or chain: nothing more until reset */
};

/* One popped descriptor chain: device-readable buffers first, then
 * device-writable ones (2.7.4.2: the driver must order them that way). */
struct vq_req {
    uint16_t head;
    unsigned nread, nwrite;
    size_t read_len, write_len;
    struct iovec iov[VQ_MAX_SEGS]; /* [0, nread) readable, then nwrite writable */
};

/* Forget everything (device reset). */
void vq_reset(struct vq *q, struct machine *m);
/* The driver set QueueReady = 1: resolve the rings. False (and the queue
 * broken) if they do not lie in guest RAM or are misaligned. */
bool vq_enable(struct vq *q);

/*
 * Take the next available chain into *r.
 * Returns 1 with a chain, 0 if the ring is empty (or the queue not ready),
 * -1 if the ring or the chain is malformed: the queue is then broken and the
 * caller should put the device into DEVICE_NEEDS_RESET. On -1, *err names
 * the problem (for the guest-error log).
 */
int vq_pop(struct vq *q, struct vq_req *r, const char **err);

/* Return a chain to the driver with `written` bytes written to its
 * device-writable buffers. */
void vq_push(struct vq *q, uint16_t head, uint32_t written);

/* After one or more vq_push: whether the driver wants a used-buffer
 * notification now (event index or VRING_AVAIL_F_NO_INTERRUPT). */
bool vq_should_notify(struct vq *q);

/* Gather from the readable part of r starting at byte off; returns bytes copied. */
size_t vq_req_read(const struct vq_req *r, size_t off, void *dst, size_t len);
/* Scatter into the writable part of r starting at byte off; returns bytes copied. */
size_t vq_req_write(const struct vq_req *r, size_t off, const void *src, size_t len);

#endif
