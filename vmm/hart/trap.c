/*
 * trap.c - trap entry, xRET and interrupt selection (see trap.h).
 */
#include "vmm/hart/trap.h"

static unsigned mpp(const struct hart *h)
{
    return (unsigned)((h->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
}

void hart_update_sets(struct hart *h)
{
    static const uint8_t iset_of[4] = {TLBSET_U, TLBSET_S, TLBSET_S, TLBSET_M};
    h->iset = iset_of[h->priv];
    unsigned dpriv = h->priv;
    if (dpriv == PRV_M && (h->mstatus & MSTATUS_MPRV))
        dpriv = mpp(h);
    if (dpriv == PRV_S && (h->mstatus & MSTATUS_SUM))
        h->dset = TLBSET_SSUM;
    else
        h->dset = iset_of[dpriv];
}

/* Privilege or enables changed: have the dispatcher look again if anything
 * is pending at all (cheap: usually nothing is). */
static void recheck_irq(struct hart *h)
{
    if (hart_mip(h) & h->mie)
        hart_request(h, HART_EV_IRQ);
}

void hart_trap(struct hart *h, uint64_t cause, uint64_t tval)
{
    bool irq = (cause & CAUSE_IRQ) != 0;
    uint64_t code = cause & ~CAUSE_IRQ;
    uint64_t deleg = irq ? h->mideleg : h->medeleg;
    /* Interrupted or faulting code never keeps a reservation across a trap
     * handler that might touch the same address. */
    h->lr_addr = LR_NONE;

    if (h->priv <= PRV_S && code < 64 && ((deleg >> code) & 1)) {
        h->sepc = h->pc;
        h->scause = cause;
        h->stval = tval;
        uint64_t s = h->mstatus & ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE);
        if (h->priv == PRV_S)
            s |= MSTATUS_SPP;
        if (h->mstatus & MSTATUS_SIE)
            s |= MSTATUS_SPIE;
        h->mstatus = s;
        h->priv = PRV_S;
        uint64_t base = h->stvec & ~3ull;
        h->pc = (irq && (h->stvec & 3) == 1) ? base + 4 * code : base;
    } else {
        h->mepc = h->pc;
        h->mcause = cause;
        h->mtval = tval;
        uint64_t s = h->mstatus & ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE);
        s |= (uint64_t)h->priv << MSTATUS_MPP_SHIFT;
        if (h->mstatus & MSTATUS_MIE)
            s |= MSTATUS_MPIE;
        h->mstatus = s;
        h->priv = PRV_M;
        uint64_t base = h->mtvec & ~3ull;
        h->pc = (irq && (h->mtvec & 3) == 1) ? base + 4 * code : base;
    }
    hart_update_sets(h);
    recheck_irq(h);
}

/* Priority within a level: MEI, MSI, MTI, SEI, SSI, STI (spec 3.1.9). */
static uint64_t pick(uint64_t pend)
{
    static const unsigned order[] = {IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI};
    for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (pend & (1ull << order[i]))
            return CAUSE_IRQ | order[i];
    return 0;
}

uint64_t hart_pending_irq(const struct hart *h)
{
    uint64_t pend = hart_mip(h) & h->mie;
    if (!pend)
        return 0;
    /* M-level interrupts (not delegated) first: enabled below M always, in M
     * when mstatus.MIE. */
    uint64_t m = pend & ~h->mideleg;
    if (m && (h->priv < PRV_M || (h->mstatus & MSTATUS_MIE)))
        return pick(m);
    /* Delegated ones: enabled below S always, in S when SIE, never in M. */
    uint64_t s = pend & h->mideleg;
    if (s && (h->priv < PRV_S || (h->priv == PRV_S && (h->mstatus & MSTATUS_SIE))))
        return pick(s);
    return 0;
}

bool hart_take_irq(struct hart *h)
{
    uint64_t cause = hart_pending_irq(h);
    if (!cause)
        return false;
    hart_trap(h, cause, 0);
    return true;
}

bool hart_mret(struct hart *h, uint32_t insn_bits)
{
    if (h->priv < PRV_M) {
        hart_illegal(h, insn_bits);
        return false;
    }
    unsigned to = mpp(h);
    uint64_t s = h->mstatus & ~(MSTATUS_MIE | MSTATUS_MPP);
    if (h->mstatus & MSTATUS_MPIE)
        s |= MSTATUS_MIE;
    s |= MSTATUS_MPIE; /* MPP = U (0) */
    if (to != PRV_M)
        s &= ~MSTATUS_MPRV;
    h->mstatus = s;
    h->priv = (uint8_t)to;
    h->pc = h->mepc;
    h->lr_addr = LR_NONE;
    hart_update_sets(h);
    recheck_irq(h);
    return true;
}

bool hart_sret(struct hart *h, uint32_t insn_bits)
{
    if (h->priv < PRV_S || (h->priv == PRV_S && (h->mstatus & MSTATUS_TSR))) {
        hart_illegal(h, insn_bits);
        return false;
    }
    unsigned to = (h->mstatus & MSTATUS_SPP) ? PRV_S : PRV_U;
    uint64_t s = h->mstatus & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV);
    if (h->mstatus & MSTATUS_SPIE)
        s |= MSTATUS_SIE;
    s |= MSTATUS_SPIE;
    h->mstatus = s;
    h->priv = (uint8_t)to;
    h->pc = h->sepc;
    h->lr_addr = LR_NONE;
    hart_update_sets(h);
    recheck_irq(h);
    return true;
}
