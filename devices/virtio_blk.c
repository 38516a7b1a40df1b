/*
 * virtio_blk.c - virtio block device (virtio 1.2 section 5.2) over a
 * blkback (rvvm/blkback.h): read, write, flush, get-id, discard and
 * write-zeroes, one request queue.
 *
 * Requests are served on the device's own I/O thread: a kick only wakes it,
 * so the hart never waits for the disk. A request whose header or status
 * byte does not fit its buffers cannot be answered at all and puts the device
 * in DEVICE_NEEDS_RESET; a request that is well formed but wrong (past the
 * end, unaligned, a write to a read-only disk) completes with
 * VIRTIO_BLK_S_IOERR, an unknown type with VIRTIO_BLK_S_UNSUPP.
 */
#include "devices/virtio_blk.h"

#include <endian.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtqueue.h"
#include "rvvm/blkback.h"
#include "rvvm/device.h"
#include "rvvm/virtio.h"

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Config space offsets (5.2.4, struct virtio_blk_config). */
#define CFG_CAPACITY 0
#define CFG_SEG_MAX 12
#define CFG_BLK_SIZE 20
#define CFG_MAX_DISCARD_SECTORS 36
#define CFG_MAX_DISCARD_SEG 40
#define CFG_DISCARD_ALIGN 44
#define CFG_MAX_WZ_SECTORS 48
#define CFG_MAX_WZ_SEG 52
#define CFG_WZ_MAY_UNMAP 56
#define CFG_SIZE 60

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_WZ_UNMAP 1u
#define SECTOR 512u
#define HDR_SIZE 16
#define SEG_SIZE 16 /* discard / write-zeroes segment */
#define MAX_DWZ_SEGS 64
#define MAX_DWZ_SECTORS (1u << 22) /* 2 GiB per segment */

struct virtio_blk {
    struct virtio_dev *vd;
    struct blkback *bb;
    uint64_t sectors;
    char serial[VIRTIO_BLK_ID_BYTES];
    uint8_t config[CFG_SIZE];

    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake, idle;
    bool kicked, busy, stop, thread_running;

    struct iovec data[VQ_MAX_SEGS]; /* I/O thread only */
    struct vq_req req;              /* I/O thread only */
};

static void put32(uint8_t *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

static bool range_ok(const struct virtio_blk *s, uint64_t sector, uint64_t bytes)
{
    return sector <= s->sectors && bytes / SECTOR <= s->sectors - sector;
}

/* The data part of a request: [skip, skip+len) of the readable (or
 * writable) buffers, as an iovec array in s->data. */
static unsigned data_iov(struct virtio_blk *s, const struct vq_req *r, bool writable,
                         size_t skip, size_t len)
{
    unsigned first = writable ? r->nread : 0, n = writable ? r->nwrite : r->nread, k = 0;
    for (unsigned i = first; i < first + n && len; i++) {
        size_t l = r->iov[i].iov_len;
        if (skip >= l) {
            skip -= l;
            continue;
        }
        size_t take = l - skip < len ? l - skip : len;
        s->data[k].iov_base = (uint8_t *)r->iov[i].iov_base + skip;
        s->data[k].iov_len = take;
        k++;
        len -= take;
        skip = 0;
    }
    return k;
}

static uint8_t do_discard_wz(struct virtio_blk *s, const struct vq_req *r, uint32_t type)
{
    size_t bytes = r->read_len - HDR_SIZE;
    if (bytes == 0 || bytes % SEG_SIZE || bytes / SEG_SIZE > MAX_DWZ_SEGS)
        return VIRTIO_BLK_S_IOERR;
    for (size_t off = HDR_SIZE; off < r->read_len; off += SEG_SIZE) {
        uint8_t seg[SEG_SIZE];
        vq_req_read(r, off, seg, SEG_SIZE);
        uint64_t sector;
        uint32_t num, flags;
        memcpy(&sector, seg, 8);
        memcpy(&num, seg + 8, 4);
        memcpy(&flags, seg + 12, 4);
        sector = le64toh(sector);
        num = le32toh(num);
        flags = le32toh(flags);
        if (num > MAX_DWZ_SECTORS || !range_ok(s, sector, (uint64_t)num * SECTOR))
            return VIRTIO_BLK_S_IOERR;
        /* 5.2.6.1: discard must not set unmap; other flag bits are reserved. */
        if ((type == VIRTIO_BLK_T_DISCARD && flags) || (flags & ~VIRTIO_BLK_WZ_UNMAP))
            return VIRTIO_BLK_S_UNSUPP;
        int rc = type == VIRTIO_BLK_T_DISCARD
                     ? s->bb->ops->discard(s->bb, sector * SECTOR, (uint64_t)num * SECTOR)
                     : s->bb->ops->write_zeroes(s->bb, sector * SECTOR, (uint64_t)num * SECTOR,
                                                flags & VIRTIO_BLK_WZ_UNMAP);
        if (rc)
            return VIRTIO_BLK_S_IOERR;
    }
    return VIRTIO_BLK_S_OK;
}

/* Serve one request; returns false if it could not even be answered. */
static bool blk_handle(struct virtio_blk *s, struct vq_req *r, uint32_t *written)
{
    uint8_t hdr[HDR_SIZE];
    if (r->read_len < HDR_SIZE || r->write_len < 1) {
        virtio_fail(s->vd, "request without room for its header (%zu bytes) or status byte "
                    "(%zu bytes)", r->read_len, r->write_len);
        return false;
    }
    vq_req_read(r, 0, hdr, HDR_SIZE);
    uint32_t type;
    uint64_t sector;
    memcpy(&type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);
    type = le32toh(type);
    sector = le64toh(sector);
    size_t in_len = r->write_len - 1; /* writable bytes before the status byte */
    uint8_t status = VIRTIO_BLK_S_OK;
    *written = 0;

    switch (type) {
    case VIRTIO_BLK_T_IN:
        if (in_len % SECTOR || !range_ok(s, sector, in_len)) {
            status = VIRTIO_BLK_S_IOERR;
            break;
        }
        if (s->bb->ops->readv(s->bb, s->data, data_iov(s, r, true, 0, in_len),
                              sector * SECTOR)) {
            status = VIRTIO_BLK_S_IOERR;
            break;
        }
        *written = (uint32_t)in_len;
        break;
    case VIRTIO_BLK_T_OUT: {
        size_t len = r->read_len - HDR_SIZE;
        if (s->bb->readonly || len % SECTOR || !range_ok(s, sector, len) ||
            s->bb->ops->writev(s->bb, s->data, data_iov(s, r, false, HDR_SIZE, len),
                               sector * SECTOR))
            status = VIRTIO_BLK_S_IOERR;
        break;
    }
    case VIRTIO_BLK_T_FLUSH:
        if (s->bb->ops->flush(s->bb))
            status = VIRTIO_BLK_S_IOERR;
        break;
    case VIRTIO_BLK_T_GET_ID: {
        /* The id is NUL-padded; the driver's buffer holds 20 bytes. */
        size_t n = in_len < VIRTIO_BLK_ID_BYTES ? in_len : VIRTIO_BLK_ID_BYTES;
        *written = (uint32_t)vq_req_write(r, 0, s->serial, n);
        break;
    }
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        status = s->bb->readonly ? VIRTIO_BLK_S_IOERR : do_discard_wz(s, r, type);
        break;
    default:
        status = VIRTIO_BLK_S_UNSUPP;
        break;
    }
    vq_req_write(r, in_len, &status, 1);
    *written += 1;
    return true;
}

static void *blk_thread(void *arg)
{
    struct virtio_blk *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        if (!s->kicked) {
            pthread_cond_wait(&s->wake, &s->lock);
            continue;
        }
        s->kicked = false;
        s->busy = true;
        pthread_mutex_unlock(&s->lock);
        while (virtio_pop(s->vd, 0, &s->req) > 0) {
            uint32_t written;
            if (!blk_handle(s, &s->req, &written))
                break;
            virtio_push(s->vd, 0, &s->req, written);
        }
        pthread_mutex_lock(&s->lock);
        s->busy = false;
        pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void blk_notify(void *opaque, unsigned q)
{
    struct virtio_blk *s = opaque;
    (void)q;
    pthread_mutex_lock(&s->lock);
    s->kicked = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

static void blk_reset(void *opaque)
{
    struct virtio_blk *s = opaque;
    pthread_mutex_lock(&s->lock);
    while (s->busy)
        pthread_cond_wait(&s->idle, &s->lock);
    s->kicked = false;
    pthread_mutex_unlock(&s->lock);
}

static void blk_destroy(void *opaque)
{
    struct virtio_blk *s = opaque;
    if (s->thread_running) {
        pthread_mutex_lock(&s->lock);
        s->stop = true;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
    }
    blkback_close(s->bb);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static const struct virtio_device_ops blk_ops = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .nqueues = 1,
    .notify = blk_notify,
    .reset = blk_reset,
    .destroy = blk_destroy,
};

struct dev *virtio_blk_create(struct machine *m, uint64_t base, unsigned irq,
                              struct blkback *bb, const char *serial)
{
    struct virtio_blk *s = calloc(1, sizeof(*s));
    if (!s) {
        blkback_close(bb);
        return NULL;
    }
    s->bb = bb;
    s->sectors = bb->size / SECTOR;
    if (serial)
        memcpy(s->serial, serial, strnlen(serial, sizeof(s->serial)));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_cond_init(&s->idle, NULL);

    uint64_t cap = htole64(s->sectors);
    memcpy(s->config + CFG_CAPACITY, &cap, 8);
    put32(s->config + CFG_SEG_MAX, VQ_MAX_SEGS - 2);
    put32(s->config + CFG_BLK_SIZE, SECTOR);
    uint64_t features = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
                        (1ull << VIRTIO_BLK_F_FLUSH);
    if (bb->readonly) {
        features |= 1ull << VIRTIO_BLK_F_RO;
    } else {
        features |= (1ull << VIRTIO_BLK_F_DISCARD) | (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
        put32(s->config + CFG_MAX_DISCARD_SECTORS, MAX_DWZ_SECTORS);
        put32(s->config + CFG_MAX_DISCARD_SEG, MAX_DWZ_SEGS);
        put32(s->config + CFG_DISCARD_ALIGN, 8); /* 4 KiB: host file system blocks */
        put32(s->config + CFG_MAX_WZ_SECTORS, MAX_DWZ_SECTORS);
        put32(s->config + CFG_MAX_WZ_SEG, MAX_DWZ_SEGS);
        s->config[CFG_WZ_MAY_UNMAP] = 1;
    }

    struct virtio_device vdev = {
        .ops = &blk_ops, .opaque = s, .features = features,
        .config = s->config, .config_size = CFG_SIZE,
    };
    struct virtio_dev *vd;
    struct dev *d = virtio_mmio_create(m, base, irq, &vdev, &vd);
    if (!d)
        return NULL; /* blk_destroy has run */
    s->vd = vd;
    if (pthread_create(&s->thread, NULL, blk_thread, s) != 0)
        return NULL; /* the machine destroys d with the bus */
    s->thread_running = true;
    return d;
}
