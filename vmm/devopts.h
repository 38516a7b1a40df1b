/*
 * devopts.h - the command-line options that add devices (-drive, -snapshot,
 * -netdev, -device, -nic), in QEMU's "key=value,..." dialect, turned into
 * the virtio parts of a machine_config. main.c hands each such option here,
 * then calls devopts_finish() once to resolve cross references (-device
 * netdev=ID) and fill cfg.
 */
#ifndef RVVM_DEVOPTS_H
#define RVVM_DEVOPTS_H

#include <stdbool.h>
#include <stddef.h>

struct machine_config;

enum devopt { DEVOPT_DRIVE, DEVOPT_SNAPSHOT, DEVOPT_NETDEV, DEVOPT_DEVICE, DEVOPT_NIC };

/* false with one line in err on a bad value (main then exits EXIT_USAGE). */
bool devopts_add(enum devopt which, const char *arg, char *err, size_t errlen);
bool devopts_finish(struct machine_config *cfg, char *err, size_t errlen);

#endif
