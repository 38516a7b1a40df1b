/*
 * blkback.h - host side of a block device: a small ops struct, so the
 * virtio-blk device does not know whether it talks to a raw image file, a
 * snapshot overlay over one, or a unit test's fake.
 *
 * Offsets and lengths are in bytes and have been checked against `size` by
 * the caller. Every call transfers everything or fails with -errno. Calls
 * come from one thread at a time (the device's I/O thread).
 */
#ifndef RVVM_BLKBACK_H
#define RVVM_BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct blkback;

struct blkback_ops {
    int (*readv)(struct blkback *b, const struct iovec *iov, unsigned n, uint64_t off);
    int (*writev)(struct blkback *b, const struct iovec *iov, unsigned n, uint64_t off);
    /* Everything written so far survives a host crash (fdatasync). */
    int (*flush)(struct blkback *b);
    /* A hint: the range's contents may become zero or stay as they were. */
    int (*discard)(struct blkback *b, uint64_t off, uint64_t len);
    /* The range reads back as zeros; `unmap` allows freeing its space. */
    int (*write_zeroes)(struct blkback *b, uint64_t off, uint64_t len, bool unmap);
    void (*close)(struct blkback *b);
};

struct blkback {
    const struct blkback_ops *ops;
    uint64_t size; /* bytes */
    bool readonly;
};

/*
 * Open a raw image file. `readonly`: the guest sees a read-only disk.
 * `snapshot`: the image is opened read-only and the guest's writes go to a
 * throwaway overlay in $TMPDIR (or /var/tmp), discarded at exit. The image
 * is locked (flock): exclusively when we write it, shared otherwise, so two
 * rvvm processes never write the same image. On failure returns NULL with
 * one line in err and main's exit status in *status.
 */
struct blkback *blkback_open_file(const char *path, bool readonly, bool snapshot, char *err,
                                  size_t errlen, int *status);

static inline void blkback_close(struct blkback *b)
{
    if (b)
        b->ops->close(b);
}

#endif
