/*
 * firmware.h - the default firmware (OpenSBI fw_dynamic from Debian's
 * opensbi package), embedded in the rvvm binary at build time.
 */
#ifndef RVVM_FIRMWARE_H
#define RVVM_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

/* The embedded fw_dynamic.bin, or NULL when rvvm was built without one. */
const uint8_t *firmware_default(size_t *len);

#endif
