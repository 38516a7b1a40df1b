/*
 * virtio_rng.h - virtio entropy device (virtio 1.2 section 5.4) fed by the
 * host's getrandom().
 */
#ifndef RVVM_VIRTIO_RNG_H
#define RVVM_VIRTIO_RNG_H

#include <stdint.h>

struct machine;
struct dev;

/* Returns the attached transport device (owned by the machine) or NULL. */
struct dev *virtio_rng_create(struct machine *m, uint64_t base, unsigned irq);

#endif
