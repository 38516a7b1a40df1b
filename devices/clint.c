/*
 * clint.c - SiFive CLINT as on QEMU virt ("sifive,clint0"): per-hart msip
 * words, per-hart 64-bit mtimecmp, and the shared 64-bit mtime.
 *
 * Models the SiFive CLINT memory map (SiFive FU540-C000 manual, chapter
 * "Core Local Interruptor", also the ACLINT spec's MSWI/MTIMER devices with
 * the legacy layout), and privileged ISA section "Machine Timer Registers":
 *   0x0000 + 4*h   msip[h]      bit 0 drives mip.MSIP (bit 3) of hart h
 *   0x4000 + 8*h   mtimecmp[h]  MTIP (mip bit 7) pending while mtime >= it
 *   0xbff8         mtime        ticks at MACHINE_TIMEBASE_HZ
 * Accesses are 32 or 64 bits; the 64-bit registers also take 32-bit halves.
 * A 64-bit access to the msip words covers two harts.
 *
 * Time: the machine owns the clock (machine_time()) and raises and lowers
 * MTIP itself from machine_set_timecmp(). A guest may write mtime; rather
 * than moving the machine's clock, the CLINT keeps an offset:
 *   guest mtime = machine_time() + offset        (mod 2^64)
 * and hands the machine each compare translated into machine time,
 *   machine cmp = guest mtimecmp - offset        (clamped to [0, UINT64_MAX]),
 * so "machine_time() >= machine cmp" is exactly "guest mtime >= mtimecmp".
 * A compare of UINT64_MAX stays UINT64_MAX ("never"). The offset is visible
 * only through this device: the time CSR is the machine's business and reads
 * machine_time(), so a guest that writes mtime sees rdtime and mtime differ
 * by the offset (Linux and OpenSBI never write mtime).
 */
#include "devices/clint.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <libfdt.h>

#include "rvvm/device.h"

#define CLINT_MSIP 0x0000
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME 0xbff8
#define CLINT_MAX_HARTS 4095 /* mtimecmp[4095] would overlap mtime */

#define CLINT_MIP_MSIP 3
#define CLINT_MIP_MTIP 7

struct clint {
    pthread_mutex_t lock; /* msip/mtimecmp/offset, written by every hart */
    struct dev *dev;
    unsigned harts;
    uint64_t offset; /* guest mtime - machine_time(), mod 2^64 */
    uint32_t *msip;
    uint64_t *mtimecmp;
};

/* Guest compare -> machine compare, see the file comment. */
static uint64_t clint_machine_cmp(const struct clint *s, uint64_t cmp)
{
    if (cmp == UINT64_MAX)
        return UINT64_MAX;
    __int128 t = (__int128)cmp - (int64_t)s->offset;
    if (t < 0)
        return 0;
    if (t > (__int128)UINT64_MAX)
        return UINT64_MAX;
    return (uint64_t)t;
}

/* Recompute hart h's lines from state: MSIP directly, MTIP through the
 * machine's compare. */
static void clint_update_irq(struct clint *s, unsigned h)
{
    struct machine *m = s->dev->machine;
    machine_hart_irq(m, h, CLINT_MIP_MSIP, s->msip[h] & 1);
    machine_set_timecmp(m, h, clint_machine_cmp(s, s->mtimecmp[h]));
}

static uint64_t clint_mtime(const struct clint *s)
{
    return machine_time(s->dev->machine) + s->offset;
}

/* One register access of 4 or 8 bytes, lock held. Returns false for an
 * offset that names no existing register. */
static bool clint_access(struct clint *s, uint64_t off, unsigned size, uint64_t *val, bool write)
{
    if (off >= CLINT_MTIME + 8)
        return false;
    if (off >= CLINT_MTIME) {
        unsigned shift = (unsigned)(off - CLINT_MTIME) * 8; /* 0 or 32 */
        uint64_t mask = size == 8 ? UINT64_MAX : 0xffffffffull << shift;
        uint64_t now = clint_mtime(s);
        if (!write) {
            *val = size == 8 ? now : (uint32_t)(now >> shift);
            return true;
        }
        uint64_t t = (now & ~mask) | ((*val << shift) & mask);
        s->offset = t - machine_time(s->dev->machine);
        for (unsigned h = 0; h < s->harts; h++)
            clint_update_irq(s, h);
        return true;
    }
    if (off >= CLINT_MTIMECMP) {
        unsigned h = (unsigned)((off - CLINT_MTIMECMP) / 8);
        unsigned shift = (unsigned)(off & 4) * 8;
        uint64_t mask = size == 8 ? UINT64_MAX : 0xffffffffull << shift;
        if (h >= s->harts)
            return false;
        if (!write) {
            *val = size == 8 ? s->mtimecmp[h] : (uint32_t)(s->mtimecmp[h] >> shift);
            return true;
        }
        s->mtimecmp[h] = (s->mtimecmp[h] & ~mask) | ((*val << shift) & mask);
        clint_update_irq(s, h);
        return true;
    }
    if (size == 8) {
        /* Two msip words; both must exist. */
        uint64_t lo = *val & 0xffffffffu, hi = *val >> 32;
        if (!clint_access(s, off + 4, 4, &hi, write) || !clint_access(s, off, 4, &lo, write))
            return false;
        if (!write)
            *val = lo | hi << 32;
        return true;
    }
    unsigned h = (unsigned)(off / 4);
    if (h >= s->harts)
        return false;
    if (!write) {
        *val = s->msip[h];
        return true;
    }
    s->msip[h] = *val & 1; /* the other bits are hardwired to zero */
    clint_update_irq(s, h);
    return true;
}

static bool clint_read(struct dev *d, uint64_t off, unsigned size, uint64_t *val)
{
    struct clint *s = d->state;
    pthread_mutex_lock(&s->lock);
    bool ok = clint_access(s, off, size, val, false);
    pthread_mutex_unlock(&s->lock);
    if (!ok) {
        *val = 0;
        machine_guest_error(d->machine, "clint: read of missing register 0x%" PRIx64, off);
    }
    return true;
}

static bool clint_write(struct dev *d, uint64_t off, unsigned size, uint64_t val)
{
    struct clint *s = d->state;
    pthread_mutex_lock(&s->lock);
    bool ok = clint_access(s, off, size, &val, true);
    pthread_mutex_unlock(&s->lock);
    if (!ok)
        machine_guest_error(d->machine, "clint: write of missing register 0x%" PRIx64, off);
    return true;
}

/* msip 0 and mtimecmp "never" (the spec leaves mtimecmp unreset; UINT64_MAX
 * avoids a timer interrupt before firmware programs it), mtime offset 0. */
static void clint_reset_state(struct clint *s)
{
    s->offset = 0;
    for (unsigned h = 0; h < s->harts; h++) {
        s->msip[h] = 0;
        s->mtimecmp[h] = UINT64_MAX;
    }
}

static void clint_reset(struct dev *d)
{
    struct clint *s = d->state;
    pthread_mutex_lock(&s->lock);
    clint_reset_state(s);
    for (unsigned h = 0; h < s->harts; h++)
        clint_update_irq(s, h);
    pthread_mutex_unlock(&s->lock);
}

static int clint_fdt(struct dev *d, void *fdt)
{
    struct clint *s = d->state;
    struct machine *m = d->machine;
    static const char compat[] = "sifive,clint0\0riscv,clint0";
    char name[32];
    int parent = fdt_path_offset(fdt, "/soc");
    if (parent < 0)
        parent = 0;
    snprintf(name, sizeof(name), "clint@%" PRIx64, d->base);
    int node = fdt_add_subnode(fdt, parent, name);
    if (node < 0)
        return -1;
    if (fdt_setprop(fdt, node, "compatible", compat, sizeof(compat)) ||
        fdt_appendprop_addrrange(fdt, parent, node, "reg", d->base, d->size))
        return -1;
    for (unsigned h = 0; h < s->harts; h++) {
        uint32_t intc = machine_fdt_hart_intc_phandle(m, h);
        if (fdt_appendprop_u32(fdt, node, "interrupts-extended", intc) ||
            fdt_appendprop_u32(fdt, node, "interrupts-extended", CLINT_MIP_MSIP) ||
            fdt_appendprop_u32(fdt, node, "interrupts-extended", intc) ||
            fdt_appendprop_u32(fdt, node, "interrupts-extended", CLINT_MIP_MTIP))
            return -1;
    }
    return 0;
}

static void clint_destroy(struct dev *d)
{
    struct clint *s = d->state;
    if (!s)
        return;
    pthread_mutex_destroy(&s->lock);
    free(s->msip);
    free(s->mtimecmp);
    free(s);
    d->state = NULL;
}

static const struct dev_ops clint_ops = {
    .name = "clint",
    .read = clint_read,
    .write = clint_write,
    .reset = clint_reset,
    .fdt = clint_fdt,
    .destroy = clint_destroy,
};

struct dev *clint_create(struct machine *m, uint64_t base)
{
    unsigned harts = machine_hart_count(m);
    if (harts == 0 || harts > CLINT_MAX_HARTS)
        return NULL;
    struct dev *d = calloc(1, sizeof(*d));
    struct clint *s = calloc(1, sizeof(*s));
    if (!d || !s) {
        free(d);
        free(s);
        return NULL;
    }
    s->msip = calloc(harts, sizeof(*s->msip));
    s->mtimecmp = calloc(harts, sizeof(*s->mtimecmp));
    pthread_mutex_init(&s->lock, NULL);
    s->dev = d;
    s->harts = harts;
    d->ops = &clint_ops;
    d->base = base;
    d->size = CLINT_SIZE;
    d->widths = DEV_W32 | DEV_W64;
    d->irq = 0;
    d->machine = m;
    d->state = s;
    if (!s->msip || !s->mtimecmp)
        goto fail;
    clint_reset_state(s);
    if (!machine_attach(m, d))
        goto fail;
    return d;

fail:
    clint_destroy(d);
    free(d);
    return NULL;
}
