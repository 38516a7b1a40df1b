/*
 * virtio_mmio.c - the virtio-mmio transport, version 2 ("modern"; virtio 1.2
 * section 4.2.2, "MMIO Device Register Layout"), serving one virtio device
 * (see include/rvvm/virtio.h).
 *
 * Registers are 32 bits wide; other widths are refused as guest errors and
 * read as 0. The config space at 0x100 takes any width.
 * Queue registers can be changed only while the queue is not ready (4.2.3.2).
 * A malformed ring or request puts the device in DEVICE_NEEDS_RESET with a
 * configuration-change interrupt (2.1.2), and it then serves nothing until
 * the driver resets it. The interrupt line is level: high while
 * InterruptStatus is non-zero.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "devices/virtqueue.h"
#include "rvvm/device.h"
#include "rvvm/virtio.h"

#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976u /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x4d565652u      /* "RVVM" */

/* Device status bits (2.1). */
#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER 2u
#define STATUS_DRIVER_OK 4u
#define STATUS_FEATURES_OK 8u
#define STATUS_NEEDS_RESET 0x40u
#define STATUS_FAILED 0x80u

#define ISR_USED 1u
#define ISR_CONFIG 2u

#define TRANSPORT_FEATURES                                                                    \
    ((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_INDIRECT_DESC) |                       \
     (1ull << VIRTIO_F_EVENT_IDX))

struct virtio_dev {
    pthread_mutex_t lock; /* registers and queues: hart thread and device threads */
    struct dev *dev;
    struct virtio_device vdev;
    uint64_t device_features;
    uint64_t driver_features;
    uint32_t dev_feat_sel, drv_feat_sel, queue_sel, shm_sel;
    uint32_t status;
    uint32_t isr;
    uint32_t config_gen;
    bool line;
    struct vq q[VIRTIO_MAX_QUEUES];
};

/* Call with the lock held. */
static void virtio_update_irq(struct virtio_dev *vd)
{
    bool level = vd->isr != 0;
    if (level != vd->line) {
        vd->line = level;
        machine_irq_set(vd->dev->machine, vd->dev->irq, level);
    }
}

static bool virtio_live(const struct virtio_dev *vd)
{
    return (vd->status & STATUS_DRIVER_OK) && !(vd->status & STATUS_NEEDS_RESET);
}

/* Lock held. */
static void virtio_set_needs_reset(struct virtio_dev *vd)
{
    if (!(vd->status & STATUS_NEEDS_RESET)) {
        vd->status |= STATUS_NEEDS_RESET;
        vd->isr |= ISR_CONFIG;
        virtio_update_irq(vd);
    }
}

/* ---- the device side (include/rvvm/virtio.h) ---- */

int virtio_pop(struct virtio_dev *vd, unsigned qi, struct vq_req *r)
{
    if (qi >= vd->vdev.ops->nqueues)
        return 0;
    pthread_mutex_lock(&vd->lock);
    int rc = 0;
    const char *why = NULL;
    if (virtio_live(vd))
        rc = vq_pop(&vd->q[qi], r, &why);
    if (rc < 0) {
        virtio_set_needs_reset(vd);
        machine_guest_error(vd->dev->machine, "%s: queue %u: %s", vd->vdev.ops->name, qi, why);
    }
    pthread_mutex_unlock(&vd->lock);
    return rc;
}

void virtio_push(struct virtio_dev *vd, unsigned qi, const struct vq_req *r, uint32_t written)
{
    if (qi >= vd->vdev.ops->nqueues)
        return;
    pthread_mutex_lock(&vd->lock);
    if (virtio_live(vd)) {
        struct vq *q = &vd->q[qi];
        vq_push(q, r->head, written);
        if (vq_should_notify(q)) {
            vd->isr |= ISR_USED;
            virtio_update_irq(vd);
        }
    }
    pthread_mutex_unlock(&vd->lock);
}

void virtio_fail(struct virtio_dev *vd, const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&vd->lock);
    virtio_set_needs_reset(vd);
    pthread_mutex_unlock(&vd->lock);
    machine_guest_error(vd->dev->machine, "%s: %s", vd->vdev.ops->name, buf);
}

uint64_t virtio_features(struct virtio_dev *vd)
{
    pthread_mutex_lock(&vd->lock);
    uint64_t f = vd->driver_features;
    pthread_mutex_unlock(&vd->lock);
    return f;
}

void virtio_config_lock(struct virtio_dev *vd)
{
    pthread_mutex_lock(&vd->lock);
}

void virtio_config_unlock(struct virtio_dev *vd)
{
    pthread_mutex_unlock(&vd->lock);
}

void virtio_config_changed(struct virtio_dev *vd)
{
    pthread_mutex_lock(&vd->lock);
    vd->config_gen++;
    if (vd->status & STATUS_DRIVER_OK) {
        vd->isr |= ISR_CONFIG;
        virtio_update_irq(vd);
    }
    pthread_mutex_unlock(&vd->lock);
}

struct machine *virtio_machine(struct virtio_dev *vd)
{
    return vd->dev->machine;
}

/* ---- registers ---- */

static struct vq *cur_queue(struct virtio_dev *vd)
{
    return vd->queue_sel < vd->vdev.ops->nqueues ? &vd->q[vd->queue_sel] : NULL;
}

static uint32_t reg_read(struct virtio_dev *vd, uint64_t off)
{
    struct vq *q = cur_queue(vd);
    switch (off) {
    case VIRTIO_MMIO_MAGIC: return VIRTIO_MMIO_MAGIC_VALUE;
    case VIRTIO_MMIO_VERSION: return 2;
    case VIRTIO_MMIO_DEVICE_ID: return vd->vdev.ops->device_id;
    case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        return vd->dev_feat_sel < 2 ? (uint32_t)(vd->device_features >> (32 * vd->dev_feat_sel))
                                    : 0;
    case VIRTIO_MMIO_QUEUE_NUM_MAX: return q ? VQ_MAX_SIZE : 0;
    case VIRTIO_MMIO_QUEUE_NUM: return q ? q->num : 0;
    case VIRTIO_MMIO_QUEUE_READY: return q && q->ready;
    case VIRTIO_MMIO_INTERRUPT_STATUS: return vd->isr;
    case VIRTIO_MMIO_STATUS: return vd->status;
    case VIRTIO_MMIO_QUEUE_DESC_LOW: return q ? (uint32_t)q->desc_gpa : 0;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH: return q ? (uint32_t)(q->desc_gpa >> 32) : 0;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW: return q ? (uint32_t)q->avail_gpa : 0;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: return q ? (uint32_t)(q->avail_gpa >> 32) : 0;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW: return q ? (uint32_t)q->used_gpa : 0;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: return q ? (uint32_t)(q->used_gpa >> 32) : 0;
    /* No shared memory regions: a length of -1 says so (4.2.2). */
    case VIRTIO_MMIO_SHM_LEN_LOW:
    case VIRTIO_MMIO_SHM_LEN_HIGH:
    case VIRTIO_MMIO_SHM_BASE_LOW:
    case VIRTIO_MMIO_SHM_BASE_HIGH: return 0xffffffffu;
    case VIRTIO_MMIO_CONFIG_GENERATION: return vd->config_gen;
    default:
        machine_guest_error(vd->dev->machine, "%s: read of write-only or missing register 0x%"
                            PRIx64, vd->vdev.ops->name, off);
        return 0;
    }
}

static void set_addr(struct virtio_dev *vd, uint64_t *field, bool high, uint32_t v)
{
    struct vq *q = cur_queue(vd);
    if (!q || q->ready) {
        machine_guest_error(vd->dev->machine, "%s: queue address written while %s",
                            vd->vdev.ops->name, q ? "the queue is ready" : "no queue selected");
        return;
    }
    if (high)
        *field = (*field & 0xffffffffull) | ((uint64_t)v << 32);
    else
        *field = (*field & ~0xffffffffull) | v;
}

/* What a register write asks of the device, done after the lock is dropped. */
enum after { AFTER_NOTHING, AFTER_NOTIFY, AFTER_RESET, AFTER_DRIVER_OK };

static enum after status_write(struct virtio_dev *vd, uint32_t v)
{
    if (v == 0)
        return AFTER_RESET;
    uint32_t old = vd->status;
    v &= 0xff;
    /* FEATURES_OK sticks only for a feature set we offered, with VERSION_1
     * (legacy drivers are not served by a version 2 device). */
    if ((v & STATUS_FEATURES_OK) && !(old & STATUS_FEATURES_OK)) {
        uint64_t f = vd->driver_features;
        if ((f & ~vd->device_features) || !(f & (1ull << VIRTIO_F_VERSION_1))) {
            machine_guest_error(vd->dev->machine, "%s: driver features 0x%" PRIx64
                                " not acceptable", vd->vdev.ops->name, f);
            v &= ~STATUS_FEATURES_OK;
        } else {
            for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
                vd->q[i].event_idx = f & (1ull << VIRTIO_F_EVENT_IDX);
                vd->q[i].indirect = f & (1ull << VIRTIO_F_INDIRECT_DESC);
            }
        }
    }
    if ((v & STATUS_DRIVER_OK) && !(old & STATUS_FEATURES_OK) && !(v & STATUS_FEATURES_OK)) {
        machine_guest_error(vd->dev->machine, "%s: DRIVER_OK without FEATURES_OK",
                            vd->vdev.ops->name);
        v &= ~STATUS_DRIVER_OK;
    }
    /* The driver cannot clear bits other than by a reset; NEEDS_RESET is ours. */
    vd->status = (v | (old & STATUS_NEEDS_RESET));
    if ((v & STATUS_DRIVER_OK) && !(old & STATUS_DRIVER_OK))
        return AFTER_DRIVER_OK;
    return AFTER_NOTHING;
}

static enum after reg_write(struct virtio_dev *vd, uint64_t off, uint32_t v, unsigned *qn)
{
    struct vq *q = cur_queue(vd);
    switch (off) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL: vd->dev_feat_sel = v; break;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        if (vd->status & STATUS_FEATURES_OK)
            machine_guest_error(vd->dev->machine, "%s: features written after FEATURES_OK",
                                vd->vdev.ops->name);
        else if (vd->drv_feat_sel < 2)
            vd->driver_features = (vd->driver_features &
                                   ~(0xffffffffull << (32 * vd->drv_feat_sel))) |
                                  ((uint64_t)v << (32 * vd->drv_feat_sel));
        break;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL: vd->drv_feat_sel = v; break;
    case VIRTIO_MMIO_QUEUE_SEL: vd->queue_sel = v; break;
    case VIRTIO_MMIO_QUEUE_NUM:
        if (q && !q->ready && v >= 1 && v <= VQ_MAX_SIZE)
            q->num = v;
        else
            machine_guest_error(vd->dev->machine, "%s: bad QueueNum %u", vd->vdev.ops->name, v);
        break;
    case VIRTIO_MMIO_QUEUE_READY:
        if (!q)
            break;
        if (v & 1) {
            if (!q->ready && !vq_enable(q)) {
                machine_guest_error(vd->dev->machine, "%s: queue %u: rings outside guest "
                                    "RAM or misaligned", vd->vdev.ops->name, vd->queue_sel);
                virtio_set_needs_reset(vd);
            }
        } else {
            q->ready = false;
        }
        break;
    case VIRTIO_MMIO_QUEUE_NOTIFY:
        if (v < vd->vdev.ops->nqueues && virtio_live(vd)) {
            *qn = v;
            return AFTER_NOTIFY;
        }
        break;
    case VIRTIO_MMIO_INTERRUPT_ACK:
        vd->isr &= ~v;
        virtio_update_irq(vd);
        break;
    case VIRTIO_MMIO_STATUS: return status_write(vd, v);
    case VIRTIO_MMIO_QUEUE_DESC_LOW: set_addr(vd, q ? &q->desc_gpa : NULL, false, v); break;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_addr(vd, q ? &q->desc_gpa : NULL, true, v); break;
    case VIRTIO_MMIO_QUEUE_DRIVER_LOW: set_addr(vd, q ? &q->avail_gpa : NULL, false, v); break;
    case VIRTIO_MMIO_QUEUE_DRIVER_HIGH: set_addr(vd, q ? &q->avail_gpa : NULL, true, v); break;
    case VIRTIO_MMIO_QUEUE_DEVICE_LOW: set_addr(vd, q ? &q->used_gpa : NULL, false, v); break;
    case VIRTIO_MMIO_QUEUE_DEVICE_HIGH: set_addr(vd, q ? &q->used_gpa : NULL, true, v); break;
    case VIRTIO_MMIO_SHM_SEL: vd->shm_sel = v; break;
    default:
        machine_guest_error(vd->dev->machine, "%s: write of read-only or missing register 0x%"
                            PRIx64, vd->vdev.ops->name, off);
        break;
    }
    return AFTER_NOTHING;
}

/* Device reset (Status = 0, or the machine's reset): queues stop first so
 * the device's threads cannot pop or push, then the device quiesces, then
 * everything returns to its initial state. */
static void virtio_reset_all(struct virtio_dev *vd)
{
    pthread_mutex_lock(&vd->lock);
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
        vd->q[i].ready = false;
    vd->status = 0;
    pthread_mutex_unlock(&vd->lock);
    if (vd->vdev.ops->reset)
        vd->vdev.ops->reset(vd->vdev.opaque);
    pthread_mutex_lock(&vd->lock);
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
        vq_reset(&vd->q[i], vd->dev->machine);
    vd->driver_features = 0;
    vd->dev_feat_sel = vd->drv_feat_sel = vd->queue_sel = vd->shm_sel = 0;
    vd->status = 0;
    vd->isr = 0;
    vd->line = true; /* force the line low */
    virtio_update_irq(vd);
    pthread_mutex_unlock(&vd->lock);
}

static bool virtio_mmio_read(struct dev *d, uint64_t off, unsigned size, uint64_t *val)
{
    struct virtio_dev *vd = d->state;
    *val = 0;
    pthread_mutex_lock(&vd->lock);
    if (off >= VIRTIO_MMIO_CONFIG) {
        uint64_t c = off - VIRTIO_MMIO_CONFIG;
        if (c + size <= vd->vdev.config_size)
            memcpy(val, vd->vdev.config + c, size); /* little-endian host and guest */
        else
            machine_guest_error(d->machine, "%s: config read at 0x%" PRIx64 " size %u",
                                vd->vdev.ops->name, c, size);
    } else if (size != 4) {
        machine_guest_error(d->machine, "%s: %u-byte register read at 0x%" PRIx64,
                            vd->vdev.ops->name, size, off);
    } else {
        *val = reg_read(vd, off);
    }
    pthread_mutex_unlock(&vd->lock);
    return true;
}

static bool virtio_mmio_write(struct dev *d, uint64_t off, unsigned size, uint64_t val)
{
    struct virtio_dev *vd = d->state;
    enum after after = AFTER_NOTHING;
    unsigned qn = 0;
    pthread_mutex_lock(&vd->lock);
    if (off >= VIRTIO_MMIO_CONFIG) {
        uint64_t c = off - VIRTIO_MMIO_CONFIG;
        bool ok = c + size <= vd->vdev.config_size && vd->vdev.ops->config_write;
        if (ok)
            memcpy(vd->vdev.config + c, &val, size);
        pthread_mutex_unlock(&vd->lock);
        if (ok)
            vd->vdev.ops->config_write(vd->vdev.opaque, (uint32_t)c, size);
        else
            machine_guest_error(d->machine, "%s: config write at 0x%" PRIx64 " size %u",
                                vd->vdev.ops->name, c, size);
        return true;
    }
    if (size != 4)
        machine_guest_error(d->machine, "%s: %u-byte register write at 0x%" PRIx64,
                            vd->vdev.ops->name, size, off);
    else
        after = reg_write(vd, off, (uint32_t)val, &qn);
    pthread_mutex_unlock(&vd->lock);

    switch (after) {
    case AFTER_NOTHING: break;
    case AFTER_NOTIFY: vd->vdev.ops->notify(vd->vdev.opaque, qn); break;
    case AFTER_RESET: virtio_reset_all(vd); break;
    case AFTER_DRIVER_OK:
        /* Buffers the driver made available before DRIVER_OK were not
         * served then (2.1.2): look at every queue now. */
        for (unsigned i = 0; i < vd->vdev.ops->nqueues; i++)
            vd->vdev.ops->notify(vd->vdev.opaque, i);
        break;
    }
    return true;
}

static void virtio_mmio_reset(struct dev *d)
{
    virtio_reset_all(d->state);
}

static int virtio_mmio_fdt(struct dev *d, void *fdt)
{
    char name[40];
    int parent = fdt_path_offset(fdt, "/soc");
    if (parent < 0)
        parent = 0;
    snprintf(name, sizeof(name), "virtio_mmio@%" PRIx64, d->base);
    int node = fdt_add_subnode(fdt, parent, name);
    if (node < 0)
        return -1;
    if (fdt_setprop_string(fdt, node, "compatible", "virtio,mmio") ||
        fdt_appendprop_addrrange(fdt, parent, node, "reg", d->base, d->size) ||
        fdt_setprop_u32(fdt, node, "interrupts", d->irq) ||
        fdt_setprop_u32(fdt, node, "interrupt-parent", machine_fdt_plic_phandle(d->machine)))
        return -1;
    return 0;
}

static void virtio_mmio_destroy(struct dev *d)
{
    struct virtio_dev *vd = d->state;
    if (!vd)
        return;
    if (vd->vdev.ops->destroy)
        vd->vdev.ops->destroy(vd->vdev.opaque);
    pthread_mutex_destroy(&vd->lock);
    free(vd);
    d->state = NULL;
}

static const struct dev_ops virtio_mmio_ops = {
    .name = "virtio-mmio",
    .read = virtio_mmio_read,
    .write = virtio_mmio_write,
    .reset = virtio_mmio_reset,
    .fdt = virtio_mmio_fdt,
    .destroy = virtio_mmio_destroy,
};

struct dev *virtio_mmio_create(struct machine *m, uint64_t base, unsigned irq,
                               const struct virtio_device *vdev, struct virtio_dev **out)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct virtio_dev *vd = calloc(1, sizeof(*vd));
    if (!d || !vd || vdev->ops->nqueues > VIRTIO_MAX_QUEUES) {
        free(d);
        free(vd);
        if (vdev->ops->destroy)
            vdev->ops->destroy(vdev->opaque);
        return NULL;
    }
    pthread_mutex_init(&vd->lock, NULL);
    vd->dev = d;
    vd->vdev = *vdev;
    vd->device_features = (vdev->features & 0xffffffull) | TRANSPORT_FEATURES;
    for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++)
        vq_reset(&vd->q[i], m);
    d->ops = &virtio_mmio_ops;
    d->base = base;
    d->size = VIRTIO_MMIO_SIZE;
    d->widths = DEV_W_ALL;
    d->irq = irq;
    d->machine = m;
    d->state = vd;
    if (!machine_attach(m, d)) {
        virtio_mmio_destroy(d);
        free(d);
        return NULL;
    }
    if (out)
        *out = vd;
    return d;
}
