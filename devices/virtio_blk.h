/*
 * virtio_blk.h - virtio block device (virtio 1.2 section 5.2) over a
 * blkback, served on its own I/O thread.
 */
#ifndef RVVM_VIRTIO_BLK_H
#define RVVM_VIRTIO_BLK_H

#include <stdint.h>

struct machine;
struct dev;
struct blkback;

/* Takes ownership of bb (closed with the device, or here on failure).
 * serial: the id the guest reads (up to 20 bytes), or NULL. Returns the
 * attached transport device (owned by the machine) or NULL. */
struct dev *virtio_blk_create(struct machine *m, uint64_t base, unsigned irq,
                              struct blkback *bb, const char *serial);

#endif
