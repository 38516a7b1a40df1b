/*
 * plic.c - the RISC-V Platform-Level Interrupt Controller as on QEMU virt
 * ("sifive,plic-1.0.0", "riscv,plic0"), 63 sources, two contexts per hart.
 *
 * Models the RISC-V PLIC Specification 1.0.0: chapter "Memory Map" for the
 * register layout, "Interrupt Gateways" and "Interrupt Claim/Completion
 * Process" for the behaviour:
 *   0x000000 + 4*src        priority[src]   (3 bits, 0 = never interrupts)
 *   0x001000 + 4*word       pending bits    (read-only)
 *   0x002000 + 0x80*ctx     enable bits of context ctx
 *   0x200000 + 0x1000*ctx   threshold of ctx; +4 claim (read) / complete (write)
 * Context 2h is hart h's M mode (mip.MEIP, bit 11), 2h+1 its S mode (mip.SEIP,
 * bit 9). Registers are 32 bits wide; the bus splits wider accesses.
 *
 * Gateways are level-triggered. While a source is not in service its pending
 * bit follows its input line, so a device that withdraws its request before
 * the guest claims it causes no spurious claim (QEMU's sifive_plic behaves
 * the same). A claim clears the pending bit and puts the source in service;
 * while in service the line cannot make it pending again. Completion ends
 * service and, if the line is still high, makes the source pending again.
 * As the spec says, a completion for a source the context does not have
 * enabled is ignored (Linux's driver enables a masked source around its
 * completion for exactly this reason).
 *
 * The context lines are recomputed from state after every change and
 * reported to the machine only when they change.
 */
#include "devices/plic.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <libfdt.h>

#include "rvvm/device.h"

#define PLIC_PRIORITY 0x000000
#define PLIC_PENDING 0x001000
#define PLIC_ENABLE 0x002000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_CTX_THRESHOLD 0x0
#define PLIC_CTX_CLAIM 0x4

#define PLIC_NSRC (PLIC_NDEV + 1) /* with source 0: exactly one uint64_t */
#define PLIC_WORDS (PLIC_NSRC / 32)
#define PLIC_PRIO_MASK 0x7 /* QEMU virt: 7 priority levels */
#define PLIC_MAX_CTX ((PLIC_CONTEXT - PLIC_ENABLE) / PLIC_ENABLE_STRIDE)

#define PLIC_MIP_SEIP 9
#define PLIC_MIP_MEIP 11

struct plic_ctx {
    uint64_t enable;
    uint32_t threshold;
    bool line; /* last level driven on the hart */
};

struct plic {
    pthread_mutex_t lock; /* hart threads, device threads */
    struct dev *dev;
    unsigned nctx;
    uint32_t priority[PLIC_NSRC];
    uint64_t level;   /* input lines */
    uint64_t pending; /* bit 0 always clear */
    uint64_t claimed; /* in service */
    struct plic_ctx *ctx;
};

/* The source a claim by context c would return: the highest priority among
 * pending, enabled sources above the threshold, the lowest id on a tie. */
static unsigned plic_best(const struct plic *s, unsigned c)
{
    uint64_t cand = s->pending & ~s->claimed & s->ctx[c].enable;
    uint32_t best_prio = s->ctx[c].threshold;
    unsigned best = 0;
    while (cand) {
        unsigned src = (unsigned)__builtin_ctzll(cand);
        cand &= cand - 1;
        if (s->priority[src] > best_prio) {
            best_prio = s->priority[src];
            best = src;
        }
    }
    return best;
}

static void plic_update_irq(struct plic *s)
{
    for (unsigned c = 0; c < s->nctx; c++) {
        bool level = plic_best(s, c) != 0;
        if (level != s->ctx[c].line) {
            s->ctx[c].line = level;
            machine_hart_irq(s->dev->machine, c / 2, (c & 1) ? PLIC_MIP_SEIP : PLIC_MIP_MEIP,
                             level);
        }
    }
}

void plic_set_irq(struct dev *plic, unsigned irq, bool level)
{
    struct plic *s = plic->state;
    if (irq == 0 || irq > PLIC_NDEV)
        return;
    uint64_t bit = 1ull << irq;
    pthread_mutex_lock(&s->lock);
    s->level = level ? s->level | bit : s->level & ~bit;
    if (!(s->claimed & bit))
        s->pending = level ? s->pending | bit : s->pending & ~bit;
    plic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

static uint32_t plic_claim(struct plic *s, unsigned c)
{
    unsigned src = plic_best(s, c);
    if (src) {
        s->pending &= ~(1ull << src);
        s->claimed |= 1ull << src;
    }
    return src;
}

static void plic_complete(struct plic *s, unsigned c, uint32_t src)
{
    uint64_t bit;
    if (src == 0 || src > PLIC_NDEV) {
        machine_guest_error(s->dev->machine, "plic: complete of bad source %" PRIu32, src);
        return;
    }
    bit = 1ull << src;
    if (!(s->ctx[c].enable & bit))
        return; /* spec: silently ignored */
    s->claimed &= ~bit;
    if (s->level & bit)
        s->pending |= bit;
}

/* One 32-bit register, lock held. False: no such register. */
static bool plic_access(struct plic *s, uint64_t off, uint32_t *val, bool write)
{
    if (off < PLIC_PENDING) {
        uint64_t src = off / 4;
        if (src == 0 || src > PLIC_NDEV)
            return false;
        if (write)
            s->priority[src] = *val & PLIC_PRIO_MASK;
        else
            *val = s->priority[src];
        return true;
    }
    if (off < PLIC_ENABLE) {
        uint64_t word = (off - PLIC_PENDING) / 4;
        if (word >= PLIC_WORDS || write)
            return false; /* read-only */
        *val = (uint32_t)(s->pending >> (32 * word));
        return true;
    }
    if (off < PLIC_CONTEXT) {
        uint64_t c = (off - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
        uint64_t word = (off % PLIC_ENABLE_STRIDE) / 4;
        if (c >= s->nctx || word >= PLIC_WORDS)
            return false;
        unsigned shift = 32 * (unsigned)word;
        if (write) {
            uint64_t v = (uint64_t)*val << shift;
            s->ctx[c].enable = (s->ctx[c].enable & ~(0xffffffffull << shift)) | v;
            s->ctx[c].enable &= ~1ull; /* source 0 does not exist */
        } else {
            *val = (uint32_t)(s->ctx[c].enable >> shift);
        }
        return true;
    }
    uint64_t c = (off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
    uint64_t reg = off % PLIC_CONTEXT_STRIDE;
    if (c >= s->nctx)
        return false;
    if (reg == PLIC_CTX_THRESHOLD) {
        if (write)
            s->ctx[c].threshold = *val & PLIC_PRIO_MASK;
        else
            *val = s->ctx[c].threshold;
        return true;
    }
    if (reg == PLIC_CTX_CLAIM) {
        if (write)
            plic_complete(s, (unsigned)c, *val);
        else
            *val = plic_claim(s, (unsigned)c);
        return true;
    }
    return false;
}

static bool plic_read(struct dev *d, uint64_t off, unsigned size, uint64_t *val)
{
    struct plic *s = d->state;
    uint32_t v = 0;
    (void)size; /* always 4 */
    pthread_mutex_lock(&s->lock);
    bool ok = plic_access(s, off, &v, false);
    plic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    if (!ok)
        machine_guest_error(d->machine, "plic: read of missing register 0x%" PRIx64, off);
    *val = ok ? v : 0;
    return true;
}

static bool plic_write(struct dev *d, uint64_t off, unsigned size, uint64_t val)
{
    struct plic *s = d->state;
    uint32_t v = (uint32_t)val;
    (void)size;
    pthread_mutex_lock(&s->lock);
    bool ok = plic_access(s, off, &v, true);
    plic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    if (!ok)
        machine_guest_error(d->machine, "plic: write of missing register 0x%" PRIx64, off);
    return true;
}

/* Everything to zero except the input lines, which belong to the devices
 * (they reset themselves and lower them); pending follows them again. */
static void plic_reset(struct dev *d)
{
    struct plic *s = d->state;
    pthread_mutex_lock(&s->lock);
    for (unsigned i = 0; i < PLIC_NSRC; i++)
        s->priority[i] = 0;
    s->claimed = 0;
    s->pending = s->level;
    for (unsigned c = 0; c < s->nctx; c++) {
        s->ctx[c].enable = 0;
        s->ctx[c].threshold = 0;
        s->ctx[c].line = true; /* force the machine's line low below */
    }
    plic_update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

static int plic_fdt(struct dev *d, void *fdt)
{
    struct plic *s = d->state;
    struct machine *m = d->machine;
    static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
    char name[32];
    int parent = fdt_path_offset(fdt, "/soc");
    if (parent < 0)
        parent = 0;
    snprintf(name, sizeof(name), "plic@%" PRIx64, d->base);
    int node = fdt_add_subnode(fdt, parent, name);
    if (node < 0)
        return -1;
    if (fdt_setprop(fdt, node, "compatible", compat, sizeof(compat)) ||
        fdt_appendprop_addrrange(fdt, parent, node, "reg", d->base, d->size) ||
        fdt_setprop_u32(fdt, node, "#address-cells", 0) ||
        fdt_setprop_u32(fdt, node, "#interrupt-cells", 1) ||
        fdt_setprop_empty(fdt, node, "interrupt-controller") ||
        fdt_setprop_u32(fdt, node, "riscv,ndev", PLIC_NDEV) ||
        fdt_setprop_u32(fdt, node, "phandle", machine_fdt_plic_phandle(m)))
        return -1;
    for (unsigned c = 0; c < s->nctx; c++) {
        uint32_t intc = machine_fdt_hart_intc_phandle(m, c / 2);
        if (fdt_appendprop_u32(fdt, node, "interrupts-extended", intc) ||
            fdt_appendprop_u32(fdt, node, "interrupts-extended",
                               (c & 1) ? PLIC_MIP_SEIP : PLIC_MIP_MEIP))
            return -1;
    }
    return 0;
}

static void plic_destroy(struct dev *d)
{
    struct plic *s = d->state;
    if (!s)
        return;
    pthread_mutex_destroy(&s->lock);
    free(s->ctx);
    free(s);
    d->state = NULL;
}

static const struct dev_ops plic_ops = {
    .name = "plic",
    .read = plic_read,
    .write = plic_write,
    .reset = plic_reset,
    .fdt = plic_fdt,
    .destroy = plic_destroy,
};

struct dev *plic_create(struct machine *m, uint64_t base)
{
    unsigned harts = machine_hart_count(m);
    if (harts == 0 || harts > PLIC_MAX_CTX / 2)
        return NULL;
    struct dev *d = calloc(1, sizeof(*d));
    struct plic *s = calloc(1, sizeof(*s));
    if (!d || !s) {
        free(d);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->dev = d;
    s->nctx = 2 * harts;
    s->ctx = calloc(s->nctx, sizeof(*s->ctx));
    d->ops = &plic_ops;
    d->base = base;
    d->size = PLIC_SIZE;
    d->widths = DEV_W32;
    d->irq = 0;
    d->machine = m;
    d->state = s;
    if (!s->ctx || !machine_attach(m, d)) {
        plic_destroy(d);
        free(d);
        return NULL;
    }
    return d;
}
