/*
 * virtqueue.c - split virtqueues, device side (see virtqueue.h; virtio 1.2
 * section 2.7).
 *
 * Ring layout (all little-endian):
 *   descriptor table  num x { le64 addr; le32 len; le16 flags; le16 next; }
 *   available ring    le16 flags; le16 idx; le16 ring[num]; le16 used_event;
 *   used ring         le16 flags; le16 idx; { le32 id; le32 len; } ring[num];
 *                     le16 avail_event;
 * The guest keeps writing these while we read them, from another host
 * thread: each descriptor is copied once and only the copy is checked and
 * used, and the index words are read and written with atomics and fences in
 * the order of section 2.7.13 ("Supplying Buffers to The Device") and 2.7.8
 * ("The Virtqueue Used Ring").
 */
#include "devices/virtqueue.h"

#include <endian.h>
#include <string.h>

#include "rvvm/device.h"

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1

#define DESC_SIZE 16

struct desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

static uint16_t ld16(const uint8_t *p)
{
    return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static void st16(uint8_t *p, uint16_t v)
{
    __atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELAXED);
}

static void read_desc(const uint8_t *table, unsigned i, struct desc *d)
{
    uint8_t raw[DESC_SIZE];
    memcpy(raw, table + (size_t)i * DESC_SIZE, DESC_SIZE);
    memcpy(&d->addr, raw, 8);
    memcpy(&d->len, raw + 8, 4);
    memcpy(&d->flags, raw + 12, 2);
    memcpy(&d->next, raw + 14, 2);
    d->addr = le64toh(d->addr);
    d->len = le32toh(d->len);
    d->flags = le16toh(d->flags);
    d->next = le16toh(d->next);
}

void vq_reset(struct vq *q, struct machine *m)
{
    memset(q, 0, sizeof(*q));
    q->m = m;
}

static size_t avail_bytes(const struct vq *q)
{
    return 4 + 2 * (size_t)q->num + (q->event_idx ? 2 : 0);
}

static size_t used_bytes(const struct vq *q)
{
    return 4 + 8 * (size_t)q->num + (q->event_idx ? 2 : 0);
}

bool vq_enable(struct vq *q)
{
    q->ready = true;
    q->last_avail = 0;
    q->used_idx = 0;
    q->signalled_valid = false;
    /* 2.7: descriptor table 16-aligned, available ring 2, used ring 4. */
    if (q->num == 0 || q->num > VQ_MAX_SIZE || (q->desc_gpa & 15) || (q->avail_gpa & 1) ||
        (q->used_gpa & 3)) {
        q->broken = true;
        return false;
    }
    q->desc = machine_dma(q->m, q->desc_gpa, (uint64_t)q->num * DESC_SIZE);
    q->avail = machine_dma(q->m, q->avail_gpa, avail_bytes(q));
    q->used = machine_dma(q->m, q->used_gpa, used_bytes(q));
    if (!q->desc || !q->avail || !q->used) {
        q->broken = true;
        return false;
    }
    return true;
}

static int fail(struct vq *q, const char **err, const char *why)
{
    q->broken = true;
    if (err)
        *err = why;
    return -1;
}

/* Append one buffer to the request, checking it against guest RAM and the
 * readable-before-writable rule. */
static int add_seg(struct vq *q, struct vq_req *r, const struct desc *d, const char **err)
{
    bool write = d->flags & VRING_DESC_F_WRITE;
    if (!write && r->nwrite)
        return fail(q, err, "readable descriptor after a writable one");
    if (r->nread + r->nwrite >= VQ_MAX_SEGS)
        return fail(q, err, "descriptor chain too long");
    if (d->len == 0)
        return 0; /* nothing to transfer; harmless */
    void *host = machine_dma(q->m, d->addr, d->len);
    if (!host)
        return fail(q, err, "descriptor buffer outside guest RAM");
    struct iovec *v = &r->iov[r->nread + r->nwrite];
    v->iov_base = host;
    v->iov_len = d->len;
    if (write) {
        r->nwrite++;
        r->write_len += d->len;
    } else {
        r->nread++;
        r->read_len += d->len;
    }
    return 0;
}

/* Walk an indirect table (2.7.5.3.1): no nesting, chained by `next` within
 * the table, at most `n` hops (a loop ends there). */
static int walk_indirect(struct vq *q, struct vq_req *r, const struct desc *ind,
                         const char **err)
{
    if (!q->indirect)
        return fail(q, err, "indirect descriptor without VIRTIO_F_INDIRECT_DESC");
    if (ind->flags & VRING_DESC_F_NEXT)
        return fail(q, err, "indirect descriptor with NEXT set");
    if (ind->len == 0 || ind->len % DESC_SIZE || ind->len / DESC_SIZE > VQ_MAX_SEGS)
        return fail(q, err, "bad indirect table length");
    unsigned n = ind->len / DESC_SIZE;
    const uint8_t *table = machine_dma(q->m, ind->addr, ind->len);
    if (!table)
        return fail(q, err, "indirect table outside guest RAM");
    unsigned i = 0;
    for (unsigned hops = 0;; hops++) {
        if (hops >= n)
            return fail(q, err, "loop in an indirect descriptor chain");
        struct desc d;
        read_desc(table, i, &d);
        if (d.flags & VRING_DESC_F_INDIRECT)
            return fail(q, err, "nested indirect descriptor");
        if (add_seg(q, r, &d, err))
            return -1;
        if (!(d.flags & VRING_DESC_F_NEXT))
            return 0;
        if (d.next >= n)
            return fail(q, err, "indirect descriptor next out of range");
        i = d.next;
    }
}

static void set_avail_event(struct vq *q)
{
    if (q->event_idx)
        st16(q->used + 4 + 8 * (size_t)q->num, q->last_avail);
}

int vq_pop(struct vq *q, struct vq_req *r, const char **err)
{
    if (!q->ready)
        return 0;
    if (q->broken)
        return fail(q, err, "queue is broken");
    uint16_t avail_idx = ld16(q->avail + 2);
    if (avail_idx == q->last_avail) {
        /* Ask for a kick when more arrives, then look again: the driver
         * may have added a buffer before it saw our avail_event. */
        set_avail_event(q);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        avail_idx = ld16(q->avail + 2);
        if (avail_idx == q->last_avail)
            return 0;
    }
    if ((uint16_t)(avail_idx - q->last_avail) > q->num)
        return fail(q, err, "available index moved by more than the queue size");
    /* Read the ring entry (and the descriptors) only after the index. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint16_t head = ld16(q->avail + 4 + 2 * (size_t)(q->last_avail % q->num));
    if (head >= q->num)
        return fail(q, err, "available ring head out of range");

    r->head = head;
    r->nread = r->nwrite = 0;
    r->read_len = r->write_len = 0;
    unsigned i = head;
    for (unsigned hops = 0;; hops++) {
        /* A chain visits each descriptor at most once: more hops than the
         * queue has descriptors means a loop. */
        if (hops >= q->num)
            return fail(q, err, "loop in a descriptor chain");
        struct desc d;
        read_desc(q->desc, i, &d);
        if (d.flags & VRING_DESC_F_INDIRECT) {
            if (hops != 0 || r->nread + r->nwrite)
                return fail(q, err, "indirect descriptor inside a chain");
            if (walk_indirect(q, r, &d, err))
                return -1;
            break;
        }
        if (add_seg(q, r, &d, err))
            return -1;
        if (!(d.flags & VRING_DESC_F_NEXT))
            break;
        if (d.next >= q->num)
            return fail(q, err, "descriptor next out of range");
        i = d.next;
    }
    q->last_avail++;
    set_avail_event(q);
    return 1;
}

void vq_push(struct vq *q, uint16_t head, uint32_t written)
{
    if (!q->ready || q->broken)
        return;
    uint8_t *e = q->used + 4 + 8 * (size_t)(q->used_idx % q->num);
    uint32_t id = htole32(head), len = htole32(written);
    memcpy(e, &id, 4);
    memcpy(e + 4, &len, 4);
    /* The entry must be visible before the index that publishes it. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    q->used_idx++;
    st16(q->used + 2, q->used_idx);
}

bool vq_should_notify(struct vq *q)
{
    if (!q->ready || q->broken)
        return false;
    /* Our used->idx store must be visible before we read the driver's
     * suppression state, or both sides can wait on each other. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!q->event_idx)
        return !(ld16(q->avail) & VRING_AVAIL_F_NO_INTERRUPT);
    uint16_t old = q->signalled_used, now = q->used_idx;
    bool valid = q->signalled_valid;
    q->signalled_used = now;
    q->signalled_valid = true;
    if (!valid)
        return true;
    uint16_t event = ld16(q->avail + 4 + 2 * (size_t)q->num);
    /* 2.7.10: notify when used_event lies in (old, now]. */
    return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

size_t vq_req_read(const struct vq_req *r, size_t off, void *dst, size_t len)
{
    size_t done = 0;
    for (unsigned i = 0; i < r->nread && done < len; i++) {
        size_t l = r->iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        size_t n = l - off < len - done ? l - off : len - done;
        memcpy((uint8_t *)dst + done, (uint8_t *)r->iov[i].iov_base + off, n);
        done += n;
        off = 0;
    }
    return done;
}

size_t vq_req_write(const struct vq_req *r, size_t off, const void *src, size_t len)
{
    size_t done = 0;
    for (unsigned i = r->nread; i < r->nread + r->nwrite && done < len; i++) {
        size_t l = r->iov[i].iov_len;
        if (off >= l) {
            off -= l;
            continue;
        }
        size_t n = l - off < len - done ? l - off : len - done;
        memcpy((uint8_t *)r->iov[i].iov_base + off, (const uint8_t *)src + done, n);
        done += n;
        off = 0;
    }
    return done;
}
