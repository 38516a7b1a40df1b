/*
 * mmu.h - guest virtual memory for both engines: Sv39 translation, the
 * software TLB (see hart.h), and the load/store/fetch paths.
 *
 * Privileged spec v1.12, section 4.3-4.4 (Sv32/Sv39 address translation) and
 * 3.1.6.3 (MPRV, MXR, SUM).
 *
 * Every access function returns true on success; on false the trap has
 * already been taken (h->pc points at the handler), and the caller must
 * abandon the instruction. h->pc must hold the address of the instruction
 * doing the access when these are called, so traps are precise.
 */
#ifndef RVVM_MMU_H
#define RVVM_MMU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "rvvm/hart.h"

enum mmu_access { MMU_READ = 0, MMU_WRITE = 1, MMU_FETCH = 2 };

static inline struct tlb_entry *tlb_entry_for(struct hart *h, unsigned set, unsigned kind,
                                              uint64_t va)
{
    return &h->tlb[set][kind][(va >> PAGE_SHIFT) & (TLB_SIZE - 1)];
}

bool mmu_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *val);
bool mmu_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t val);
bool mmu_fetch_slow(struct hart *h, uint64_t va, uint32_t *insn);

/* Loads zero-extend; the caller sign-extends as the instruction requires. */
static inline bool mmu_load(struct hart *h, uint64_t va, unsigned size, uint64_t *val)
{
    struct tlb_entry *e = tlb_entry_for(h, h->dset, TLB_READ, va);
    if (__builtin_expect(e->tag == (va & (PAGE_MASK | (size - 1))), 1)) {
        uint64_t v = 0;
        memcpy(&v, (const void *)(uintptr_t)(va + e->addend), size);
        *val = v;
        return true;
    }
    return mmu_load_slow(h, va, size, val);
}

static inline bool mmu_store(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
    struct tlb_entry *e = tlb_entry_for(h, h->dset, TLB_WRITE, va);
    if (__builtin_expect(e->tag == (va & (PAGE_MASK | (size - 1))), 1)) {
        memcpy((void *)(uintptr_t)(va + e->addend), &val, size);
        return true;
    }
    return mmu_store_slow(h, va, size, val);
}

/* Fetch the instruction at va (16 or 32 bits, zero-extended). */
static inline bool mmu_fetch(struct hart *h, uint64_t va, uint32_t *insn)
{
    struct tlb_entry *e = tlb_entry_for(h, h->iset, TLB_FETCH, va);
    /* Fast path: the whole 4 bytes lie in one page (not the last halfword). */
    if (__builtin_expect(e->tag == (va & PAGE_MASK) && (va & (PAGE_SIZE - 1)) <= PAGE_SIZE - 4,
                         1)) {
        uint32_t v;
        memcpy(&v, (const void *)(uintptr_t)(va + e->addend), 4);
        *insn = (v & 3) == 3 ? v : (v & 0xffff);
        return true;
    }
    return mmu_fetch_slow(h, va, insn);
}

/*
 * Translate va for an access through TLB set `set` without touching the TLB.
 * Returns 0 and the physical address, or the exception cause to raise.
 * Sets A/D bits as a hardware walker would.
 */
int mmu_translate(struct hart *h, uint64_t va, enum mmu_access acc, unsigned set, uint64_t *pa);

/* Host address of the code at va as fetched through the current set
 * (h->iset) if the fetch TLB maps it, else NULL. Engines key translations
 * on it: it names the physical bytes, whatever the mapping. */
static inline const uint8_t *mmu_fetch_host_tlb(struct hart *h, uint64_t va)
{
    struct tlb_entry *e = tlb_entry_for(h, h->iset, TLB_FETCH, va);
    if (e->tag == (va & PAGE_MASK))
        return (const uint8_t *)(uintptr_t)(va + e->addend);
    return NULL;
}

/* Host pointer for an atomic at va (LR when `lr`, else SC/AMO), checked for
 * alignment and permission; it must be RAM. false: the trap was taken. */
bool mmu_amo_addr(struct hart *h, uint64_t va, unsigned size, bool lr, uint64_t *pa, void **host);

/* Flushes. */
void tlb_flush_all(struct hart *h);
/* Drops what maps va; true when that was one 4 KiB page (not a superpage
 * range, not everything). */
bool tlb_flush_page(struct hart *h, uint64_t va);
/* Drops the write entries that map to host page host_page (it became code). */
void tlb_drop_writes_to(struct hart *h, const uint8_t *host_page);

#endif
