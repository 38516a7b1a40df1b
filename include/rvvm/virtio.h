/*
 * virtio.h - between the virtio-mmio transport (devices/virtio_mmio.c) and
 * each virtio device (blk, net, rng, ...).
 *
 * The transport owns the registers, feature negotiation, the status byte, the
 * interrupt line and the virtqueues; a device brings its ID, its feature bits,
 * its config space and what to do when the driver kicks a queue. A device
 * reaches its queues only through virtio_pop()/virtio_push(), which take the
 * transport's lock, so a device may serve requests from any thread.
 *
 * Spec: Virtual I/O Device (VIRTIO) Version 1.2, sections 2 (basic
 * facilities), 4.2 (virtio over MMIO) and 5 (device types).
 */
#ifndef RVVM_VIRTIO_H
#define RVVM_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct dev;
struct virtio_dev;
struct vq_req;

/* Device IDs (5 "Device Types"). */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG 4

/* Transport-wide feature bits (6 "Reserved Feature Bits"). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_MMIO_SIZE 0x1000
#define VIRTIO_MAX_QUEUES 8

struct virtio_device_ops {
    const char *name; /* for logs: "virtio-blk" */
    uint32_t device_id;
    unsigned nqueues;
    /*
     * The guest kicked queue q (QueueNotify). Called on the hart's thread
     * without the transport lock; the device pops with virtio_pop() here or
     * hands the work to its own thread.
     */
    void (*notify)(void *opaque, unsigned q);
    /*
     * The driver reset the device. The queues no longer pop or push; return
     * only when no request of the device is still being served (so nothing
     * can touch the old rings afterwards).
     */
    void (*reset)(void *opaque);
    /* Config space writes (after the transport stored the bytes); may be NULL. */
    void (*config_write)(void *opaque, uint32_t off, unsigned size);
    /* Stop threads and free everything (the machine is going away). */
    void (*destroy)(void *opaque);
};

struct virtio_device {
    const struct virtio_device_ops *ops;
    void *opaque;
    uint64_t features;   /* device-specific feature bits offered (bits 0..23) */
    uint8_t *config;     /* device config space, read by the guest at 0x100 */
    uint32_t config_size;
};

/*
 * A virtio-mmio transport at base with PLIC source irq, serving `vdev`.
 * Returns the attached device (owned by the machine: destroying it destroys
 * the virtio device too) or NULL; on NULL vdev->ops->destroy has been called.
 * *out receives the handle the device uses below.
 */
struct dev *virtio_mmio_create(struct machine *m, uint64_t base, unsigned irq,
                               const struct virtio_device *vdev, struct virtio_dev **out);

/* Pop the next chain of queue q: 1 got one, 0 nothing (or the device is
 * not live), -1 the ring is malformed (the transport has already put the
 * device in DEVICE_NEEDS_RESET and logged it). Any thread. */
int virtio_pop(struct virtio_dev *vd, unsigned q, struct vq_req *r);
/* Return a chain with `written` bytes written to it and raise the used-buffer
 * interrupt if the driver wants one. Any thread. */
void virtio_push(struct virtio_dev *vd, unsigned q, const struct vq_req *r, uint32_t written);
/* The device hit something it cannot go on from (a request too short to
 * hold its header, ...): DEVICE_NEEDS_RESET, config interrupt, log line. */
void virtio_fail(struct virtio_dev *vd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Features the driver accepted (valid once FEATURES_OK). */
uint64_t virtio_features(struct virtio_dev *vd);
/* Lock held while the transport reads the config space, for a device that
 * changes it; then signal it with virtio_config_changed() (unlocked). */
void virtio_config_lock(struct virtio_dev *vd);
void virtio_config_unlock(struct virtio_dev *vd);
void virtio_config_changed(struct virtio_dev *vd);
struct machine *virtio_machine(struct virtio_dev *vd);

#endif
