/*
 * fake_chardev.h - an in-memory char backend for device unit tests: captures
 * output, and queues input that the test pushes (notifying synchronously on
 * the caller's thread, as the stdio backend does on its reader thread).
 */
#ifndef RVVM_FAKE_CHARDEV_H
#define RVVM_FAKE_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

struct chardev;

struct chardev *fake_chardev_new(void);
/* Queue input and call the frontend's notify callback. */
void fake_chardev_push(struct chardev *cd, const void *buf, size_t len);
/* Bytes still queued (not yet pulled by the frontend). */
size_t fake_chardev_pending(struct chardev *cd);
/* Everything written so far, and its length. */
const uint8_t *fake_chardev_output(struct chardev *cd, size_t *len);

#endif
