/*
 * blkback.c - raw image files as block backends (see rvvm/blkback.h).
 *
 * Data goes straight between guest RAM and the file with preadv/pwritev, so
 * a write the guest has seen completed is in the host's page cache: killing
 * rvvm loses nothing. A flush is fdatasync, so a flushed write also
 * survives a host crash.
 *
 * -snapshot: the image is opened read-only; writes go to an unlinked sparse
 * temporary file of the same size, and a bitmap with one bit per 512-byte
 * sector says which sectors live there. Reads are split into runs of sectors
 * from the overlay or the image.
 */
#include "rvvm/blkback.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rvvm/machine.h"

#define SECTOR 512u
#define MAX_IOV 1024

struct rawfile {
    struct blkback b;
    int fd;
    /* -snapshot */
    int ovl_fd;
    uint8_t *map; /* bit per sector: 1 = in the overlay */
};

/* The part [off, off+len) of an iovec array, into out (at most MAX_IOV). */
static unsigned iov_slice(const struct iovec *iov, unsigned n, size_t off, size_t len,
                          struct iovec *out)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n && len && k < MAX_IOV; i++) {
        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        size_t l = iov[i].iov_len - off;
        if (l > len)
            l = len;
        out[k].iov_base = (uint8_t *)iov[i].iov_base + off;
        out[k].iov_len = l;
        k++;
        len -= l;
        off = 0;
    }
    return k;
}

static size_t iov_total(const struct iovec *iov, unsigned n)
{
    size_t t = 0;
    for (unsigned i = 0; i < n; i++)
        t += iov[i].iov_len;
    return t;
}

/* preadv/pwritev until all is done; a read past the end of the file gives zeros. */
static int full_io(int fd, const struct iovec *iov, unsigned n, uint64_t off, bool write)
{
    struct iovec local[MAX_IOV];
    if (n > MAX_IOV)
        return -EINVAL;
    memcpy(local, iov, n * sizeof(*iov));
    struct iovec *v = local;
    while (n) {
        ssize_t r = write ? pwritev(fd, v, (int)(n > IOV_MAX ? IOV_MAX : n), (off_t)off)
                          : preadv(fd, v, (int)(n > IOV_MAX ? IOV_MAX : n), (off_t)off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0) {
            if (write)
                return -EIO;
            for (unsigned i = 0; i < n; i++)
                memset(v[i].iov_base, 0, v[i].iov_len);
            return 0;
        }
        off += (uint64_t)r;
        size_t done = (size_t)r;
        while (n && done >= v->iov_len) {
            done -= v->iov_len;
            v++;
            n--;
        }
        if (n) {
            v->iov_base = (uint8_t *)v->iov_base + done;
            v->iov_len -= done;
        }
    }
    return 0;
}

static int zero_fill(int fd, uint64_t off, uint64_t len)
{
    static const uint8_t zeros[64 << 10];
    while (len) {
        size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
        struct iovec v = {(void *)zeros, n};
        int rc = full_io(fd, &v, 1, off, true);
        if (rc)
            return rc;
        off += n;
        len -= n;
    }
    return 0;
}

/* Make [off, off+len) of fd read as zeros, freeing space when allowed and
 * the file system can; plain zero writes otherwise. */
static int make_zero(int fd, uint64_t off, uint64_t len, bool unmap)
{
    if (unmap && fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
                           (off_t)len) == 0)
        return 0;
    if (fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) == 0)
        return 0;
    return zero_fill(fd, off, len);
}

/* ---- plain image ---- */

static int raw_readv(struct blkback *b, const struct iovec *iov, unsigned n, uint64_t off)
{
    return full_io(((struct rawfile *)b)->fd, iov, n, off, false);
}

static int raw_writev(struct blkback *b, const struct iovec *iov, unsigned n, uint64_t off)
{
    return full_io(((struct rawfile *)b)->fd, iov, n, off, true);
}

static int raw_flush(struct blkback *b)
{
    return fdatasync(((struct rawfile *)b)->fd) ? -errno : 0;
}

static int raw_discard(struct blkback *b, uint64_t off, uint64_t len)
{
    struct rawfile *f = (struct rawfile *)b;
    if (fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len))
        return errno == EOPNOTSUPP || errno == ENOSYS ? 0 : -errno;
    return 0;
}

static int raw_write_zeroes(struct blkback *b, uint64_t off, uint64_t len, bool unmap)
{
    return make_zero(((struct rawfile *)b)->fd, off, len, unmap);
}

static void raw_close(struct blkback *b)
{
    struct rawfile *f = (struct rawfile *)b;
    close(f->fd);
    if (f->ovl_fd >= 0)
        close(f->ovl_fd);
    free(f->map);
    free(f);
}

static const struct blkback_ops raw_ops = {
    .readv = raw_readv,
    .writev = raw_writev,
    .flush = raw_flush,
    .discard = raw_discard,
    .write_zeroes = raw_write_zeroes,
    .close = raw_close,
};

/* ---- snapshot overlay ---- */

static bool in_ovl(const struct rawfile *f, uint64_t s)
{
    return f->map[s / 8] & (1u << (s % 8));
}

static void mark_ovl(struct rawfile *f, uint64_t off, uint64_t len)
{
    for (uint64_t s = off / SECTOR; s < (off + len + SECTOR - 1) / SECTOR; s++)
        f->map[s / 8] |= (uint8_t)(1u << (s % 8));
}

static int snap_readv(struct blkback *b, const struct iovec *iov, unsigned n, uint64_t off)
{
    struct rawfile *f = (struct rawfile *)b;
    size_t len = iov_total(iov, n);
    struct iovec part[MAX_IOV];
    /* Runs of sectors that all come from the same file. Requests are in
     * whole sectors (the device checks), so off is sector-aligned. */
    size_t done = 0;
    while (done < len) {
        uint64_t s = (off + done) / SECTOR;
        bool ovl = in_ovl(f, s);
        size_t run = 0;
        while (done + run < len && in_ovl(f, (off + done + run) / SECTOR) == ovl)
            run += SECTOR;
        if (done + run > len)
            run = len - done;
        unsigned k = iov_slice(iov, n, done, run, part);
        int rc = full_io(ovl ? f->ovl_fd : f->fd, part, k, off + done, false);
        if (rc)
            return rc;
        done += run;
    }
    return 0;
}

static int snap_writev(struct blkback *b, const struct iovec *iov, unsigned n, uint64_t off)
{
    struct rawfile *f = (struct rawfile *)b;
    int rc = full_io(f->ovl_fd, iov, n, off, true);
    if (!rc)
        mark_ovl(f, off, iov_total(iov, n));
    return rc;
}

static int snap_flush(struct blkback *b)
{
    (void)b; /* the overlay is thrown away: nothing to make durable */
    return 0;
}

static int snap_discard(struct blkback *b, uint64_t off, uint64_t len)
{
    (void)b, (void)off, (void)len; /* a hint; the image stays untouched */
    return 0;
}

static int snap_write_zeroes(struct blkback *b, uint64_t off, uint64_t len, bool unmap)
{
    struct rawfile *f = (struct rawfile *)b;
    (void)unmap;
    int rc = make_zero(f->ovl_fd, off, len, true);
    if (!rc)
        mark_ovl(f, off, len);
    return rc;
}

static const struct blkback_ops snap_ops = {
    .readv = snap_readv,
    .writev = snap_writev,
    .flush = snap_flush,
    .discard = snap_discard,
    .write_zeroes = snap_write_zeroes,
    .close = raw_close,
};

static int make_overlay(uint64_t size, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/var/tmp";
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/rvvm-snapshot-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "-snapshot: cannot create an overlay in %s: %s", dir,
                 strerror(errno));
        return -1;
    }
    unlink(path);
    if (ftruncate(fd, (off_t)size) != 0) {
        snprintf(err, errlen, "-snapshot: cannot size the overlay in %s: %s", dir,
                 strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

struct blkback *blkback_open_file(const char *path, bool readonly, bool snapshot, char *err,
                                  size_t errlen, int *status)
{
    bool write = !readonly && !snapshot;
    int fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        if (write && (errno == EACCES || errno == EROFS))
            snprintf(err, errlen, "cannot open disk image '%s' for writing: %s (use "
                     "readonly=on or -snapshot)", path, strerror(errno));
        else
            snprintf(err, errlen, "cannot open disk image '%s': %s", path, strerror(errno));
        *status = EXIT_NOINPUT;
        return NULL;
    }
    /* Writers lock exclusively, readers shared: an image one rvvm writes is
     * refused to every other, and an image others read is not written. */
    if (flock(fd, (write ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            snprintf(err, errlen, "disk image '%s' is locked by another user of it (another "
                     "rvvm, or another -drive of this one)%s", path,
                     write ? "; -snapshot or readonly=on can share an image only with "
                             "other readers" : "");
        else
            snprintf(err, errlen, "cannot lock disk image '%s': %s", path, strerror(errno));
        close(fd);
        *status = EXIT_NOINPUT;
        return NULL;
    }
    struct stat st;
    off_t end = lseek(fd, 0, SEEK_END);
    if (fstat(fd, &st) != 0 || end < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
        snprintf(err, errlen, "disk image '%s' is not a regular file or block device", path);
        close(fd);
        *status = EXIT_BADIMG;
        return NULL;
    }
    if ((uint64_t)end < SECTOR) {
        snprintf(err, errlen, "disk image '%s' is smaller than one 512-byte sector", path);
        close(fd);
        *status = EXIT_BADIMG;
        return NULL;
    }
    struct rawfile *f = calloc(1, sizeof(*f));
    if (!f) {
        snprintf(err, errlen, "out of memory");
        close(fd);
        *status = EXIT_OSERR;
        return NULL;
    }
    f->fd = fd;
    f->ovl_fd = -1;
    f->b.ops = &raw_ops;
    f->b.size = (uint64_t)end & ~(uint64_t)(SECTOR - 1);
    f->b.readonly = readonly;
    if (snapshot && !readonly) {
        f->ovl_fd = make_overlay(f->b.size, err, errlen);
        f->map = calloc(1, (size_t)(f->b.size / SECTOR / 8 + 1));
        if (f->ovl_fd < 0 || !f->map) {
            if (f->ovl_fd >= 0)
                snprintf(err, errlen, "out of memory");
            raw_close(&f->b);
            *status = EXIT_OSERR;
            return NULL;
        }
        f->b.ops = &snap_ops;
    }
    return &f->b;
}
