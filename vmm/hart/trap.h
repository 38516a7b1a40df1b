/*
 * trap.h - the one place traps are taken, and the interrupt check.
 *
 * Privileged spec v1.12, sections 3.1.6-3.1.9 (mstatus, mtvec, medeleg and
 * mideleg, mip and mie), 3.3.2 (mret/sret) and 4.1 (S-mode views).
 */
#ifndef RVVM_TRAP_H
#define RVVM_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "rvvm/hart.h"

/* Take exception `cause` at h->pc (the faulting instruction) with tval. */
void hart_trap(struct hart *h, uint64_t cause, uint64_t tval);

/* Illegal instruction: tval carries the instruction bits. */
static inline void hart_illegal(struct hart *h, uint32_t insn_bits)
{
    hart_trap(h, EXC_ILLEGAL, insn_bits);
}

/* The enabled pending interrupt to take now (CAUSE_IRQ | code), or 0. */
uint64_t hart_pending_irq(const struct hart *h);

/* Take the highest-priority enabled pending interrupt, if any, at h->pc.
 * Returns true if one was taken. */
bool hart_take_irq(struct hart *h);

/* mret/sret: false (trap taken) when not allowed. */
bool hart_mret(struct hart *h, uint32_t insn_bits);
bool hart_sret(struct hart *h, uint32_t insn_bits);

/* WFI: sleep until an interrupt is pending in mie (enabled or not) or the
 * hart is asked to stop. */
void hart_wfi(struct hart *h);

/* Recompute the TLB sets after priv, MPRV, MPP or SUM changed. */
void hart_update_sets(struct hart *h);

/* Ask the engine to return to the dispatcher at the next block boundary,
 * from the hart's own thread (no wakeup needed: it is not sleeping). */
static inline void hart_request(struct hart *h, uint32_t ev)
{
    atomic_fetch_or_explicit(&h->events, ev, memory_order_relaxed);
}

/* Mappings changed (satp, sfence.vma): tell the engine, which caches by
 * virtual pc. `va` is the one page that changed, or VMAP_ALL. Only the
 * hart's own thread raises HART_EV_VMAP, so vmap_va is not racy. */
static inline void hart_vmap(struct hart *h, uint64_t va)
{
    uint64_t page = va == VMAP_ALL ? VMAP_ALL : va & PAGE_MASK;
    if ((atomic_load_explicit(&h->events, memory_order_relaxed) & HART_EV_VMAP) &&
        h->vmap_va != page)
        page = VMAP_ALL;
    h->vmap_va = page;
    hart_request(h, HART_EV_VMAP);
}

/* Effective mip: software bits plus device lines. */
static inline uint64_t hart_mip(const struct hart *h)
{
    return h->mip_sw | atomic_load_explicit(&h->mip_lines, memory_order_acquire);
}

#endif
