/*
 * mmu.c - Sv39 page walk, TLB fills and flushes, and the slow access paths
 * (see mmu.h).
 */
#include "vmm/hart/mmu.h"

#include <stdatomic.h>

#include "rvvm/bus.h"
#include "vmm/hart/trap.h"

#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE 0
#define SATP_MODE_SV39 8
#define SATP_PPN_MASK ((1ull << 44) - 1)

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ull << 44) - 1)
/* Bits 63:54: N and PBMT are not implemented, so they must be zero. */
#define PTE_RESERVED (0x3ffull << 54)

static const uint8_t page_fault_cause[3] = {EXC_LOAD_PAGE, EXC_STORE_PAGE, EXC_INSN_PAGE};
static const uint8_t access_fault_cause[3] = {EXC_LOAD_ACCESS, EXC_STORE_ACCESS, EXC_INSN_ACCESS};

/* Privilege a TLB set walks with, and whether SUM applies. */
static unsigned set_priv(unsigned set)
{
    static const uint8_t p[TLB_SETS] = {PRV_M, PRV_S, PRV_S, PRV_U};
    return p[set];
}

void tlb_flush_all(struct hart *h)
{
    struct tlb_entry *e = &h->tlb[0][0][0];
    if (h->tlb_log_ok) {
        for (uint32_t i = 0; i < h->tlb_nlog; i++)
            e[h->tlb_log[i]].tag = TLB_TAG_INVALID;
    } else {
        for (size_t i = 0; i < (size_t)TLB_SETS * TLB_KINDS * TLB_SIZE; i++)
            e[i].tag = TLB_TAG_INVALID;
    }
    h->tlb_nlog = 0;
    h->tlb_log_ok = true;
    h->tlb_nsuper = 0;
    h->tlb_super_overflow = false;
}

/* Drop every entry of the kinds in `kinds` (a bit per enum tlb_kind) for
 * which drop() holds: the logged ones, or all of those kinds when the log
 * overflowed. Inlined, so each caller's drop() is too (the full scan after
 * an overflow visits 16K entries per page of new code). */
static inline __attribute__((always_inline)) void
tlb_drop_if(struct hart *h, unsigned kinds, bool (*drop)(const struct tlb_entry *, uint64_t, uint64_t),
            uint64_t a, uint64_t b)
{
    struct tlb_entry *e = &h->tlb[0][0][0];
    if (h->tlb_log_ok) {
        for (uint32_t i = 0; i < h->tlb_nlog; i++) {
            size_t x = h->tlb_log[i];
            if (((kinds >> ((x / TLB_SIZE) % TLB_KINDS)) & 1) && drop(&e[x], a, b))
                e[x].tag = TLB_TAG_INVALID;
        }
        return;
    }
    for (unsigned set = 0; set < TLB_SETS; set++)
        for (unsigned kind = 0; kind < TLB_KINDS; kind++) {
            if (!((kinds >> kind) & 1))
                continue;
            struct tlb_entry *k = h->tlb[set][kind];
            for (size_t i = 0; i < TLB_SIZE; i++)
                if (drop(&k[i], a, b))
                    k[i].tag = TLB_TAG_INVALID;
        }
}

#define TLB_ALL_KINDS ((1u << TLB_KINDS) - 1)

static bool in_range(const struct tlb_entry *e, uint64_t base, uint64_t mask)
{
    return (e->tag & ~mask) == base;
}

/* Drop every entry whose page lies in [base, base + mask]. */
static void tlb_flush_range(struct hart *h, uint64_t base, uint64_t mask)
{
    tlb_drop_if(h, TLB_ALL_KINDS, in_range, base, mask);
}

static bool maps_host_page(const struct tlb_entry *e, uint64_t host_page, uint64_t unused)
{
    (void)unused;
    return e->tag != TLB_TAG_INVALID && e->tag + e->addend == host_page;
}

void tlb_drop_writes_to(struct hart *h, const uint8_t *host_page)
{
    tlb_drop_if(h, 1u << TLB_WRITE, maps_host_page, (uint64_t)(uintptr_t)host_page, 0);
}

bool tlb_flush_page(struct hart *h, uint64_t va)
{
    if (h->tlb_super_overflow) {
        tlb_flush_all(h);
        return false;
    }
    /* Entries are per 4 KiB page: a superpage mapping may sit in many of
     * them, all of which go when the fence names an address inside it. */
    bool one_page = true;
    for (unsigned i = 0; i < h->tlb_nsuper;) {
        uint64_t mask = h->tlb_super_mask[i];
        if ((va & ~mask) != h->tlb_super_base[i]) {
            i++;
            continue;
        }
        tlb_flush_range(h, h->tlb_super_base[i], mask);
        h->tlb_nsuper--;
        h->tlb_super_base[i] = h->tlb_super_base[h->tlb_nsuper];
        h->tlb_super_mask[i] = h->tlb_super_mask[h->tlb_nsuper];
        one_page = false;
    }
    uint64_t tag = va & PAGE_MASK;
    for (unsigned s = 0; s < TLB_SETS; s++)
        for (unsigned k = 0; k < TLB_KINDS; k++) {
            struct tlb_entry *e = tlb_entry_for(h, s, k, va);
            if (e->tag == tag)
                e->tag = TLB_TAG_INVALID;
        }
    return one_page;
}

/* A walk ended at a superpage leaf covering [va & ~mask, va | mask]. */
static void note_superpage(struct hart *h, uint64_t va, uint64_t mask)
{
    uint64_t base = va & ~mask;
    for (unsigned i = 0; i < h->tlb_nsuper; i++)
        if (h->tlb_super_base[i] == base && h->tlb_super_mask[i] == mask)
            return;
    if (h->tlb_nsuper == TLB_SUPER_MAX) {
        h->tlb_super_overflow = true;
        return;
    }
    h->tlb_super_base[h->tlb_nsuper] = base;
    h->tlb_super_mask[h->tlb_nsuper] = mask;
    h->tlb_nsuper++;
}

int mmu_translate(struct hart *h, uint64_t va, enum mmu_access acc, unsigned set, uint64_t *pa)
{
    unsigned priv = set_priv(set);
    uint64_t mode = h->satp >> SATP_MODE_SHIFT;
    if (priv == PRV_M || mode == SATP_MODE_BARE) {
        *pa = va;
        return 0;
    }
    /* Sv39: bits 63:39 must all equal bit 38. */
    if ((uint64_t)((int64_t)(va << 25) >> 25) != va)
        return page_fault_cause[acc];

    uint64_t table = (h->satp & SATP_PPN_MASK) << PAGE_SHIFT;
    for (int level = 2; level >= 0; level--) {
        uint64_t vpn = (va >> (PAGE_SHIFT + 9 * level)) & 0x1ff;
        uint64_t pte_pa = table + vpn * 8;
        uint8_t *p = bus_mem_ptr(h->bus, pte_pa, 8, false);
        if (!p)
            return access_fault_cause[acc];
        _Atomic uint64_t *ptep = (_Atomic uint64_t *)(void *)p;
        uint64_t pte = atomic_load_explicit(ptep, memory_order_acquire);

        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & PTE_RESERVED))
            return page_fault_cause[acc];
        uint64_t ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
        if (!(pte & (PTE_R | PTE_X))) {
            table = ppn << PAGE_SHIFT; /* pointer to the next level */
            continue;
        }

        /* Leaf: permissions. */
        if (priv == PRV_U) {
            if (!(pte & PTE_U))
                return page_fault_cause[acc];
        } else if (pte & PTE_U) {
            /* S-mode never executes user pages; data needs SUM. */
            if (acc == MMU_FETCH || set != TLBSET_SSUM)
                return page_fault_cause[acc];
        }
        bool ok;
        if (acc == MMU_FETCH)
            ok = pte & PTE_X;
        else if (acc == MMU_WRITE)
            ok = pte & PTE_W;
        else
            ok = (pte & PTE_R) || ((h->mstatus & MSTATUS_MXR) && (pte & PTE_X));
        if (!ok)
            return page_fault_cause[acc];
        /* Superpages must be aligned to their size. */
        uint64_t low_mask = (1ull << (9 * level)) - 1;
        if (ppn & low_mask)
            return page_fault_cause[acc];

        /* Hardware A/D update, atomically against other harts' walks. */
        uint64_t want = pte | PTE_A | (acc == MMU_WRITE ? PTE_D : 0);
        if (want != pte) {
            if (!bus_mem_ptr(h->bus, pte_pa, 8, true))
                return access_fault_cause[acc];
            if (!atomic_compare_exchange_strong_explicit(ptep, &pte, want, memory_order_acq_rel,
                                                         memory_order_acquire))
                return mmu_translate(h, va, acc, set, pa); /* changed under us: walk again */
        }
        uint64_t page_off = va & ((1ull << (PAGE_SHIFT + 9 * level)) - 1);
        if (level > 0)
            note_superpage(h, va, (1ull << (PAGE_SHIFT + 9 * level)) - 1);
        *pa = (ppn << PAGE_SHIFT) + page_off;
        return 0;
    }
    return page_fault_cause[acc];
}

/* Engine hook (hart.h): does the page at pa hold translated code? */
static inline bool code_page(const struct hart *h, uint64_t pa)
{
    uint64_t i = (pa - h->code_map_base) >> PAGE_SHIFT;
    return h->code_map && i < h->code_map_pages && h->code_map[i];
}

/* Called before every store that bypasses the write TLB. */
static inline void code_store(struct hart *h, uint64_t pa, unsigned size)
{
    if (code_page(h, pa))
        h->code_write(h, pa, size);
}

/* Try to cache the translation va -> pa for `kind` in the current set. */
static void tlb_fill(struct hart *h, unsigned set, unsigned kind, uint64_t va, uint64_t pa)
{
    bool write = kind == TLB_WRITE;
    if (write && code_page(h, pa))
        return; /* stores to translated code take the slow path (code_store) */
    uint8_t *host = bus_mem_ptr(h->bus, pa & PAGE_MASK, PAGE_SIZE, write);
    if (!host)
        return; /* MMIO or a partial page: always the slow path */
    struct tlb_entry *e = tlb_entry_for(h, set, kind, va);
    if (h->tlb_nlog < TLB_LOG_MAX)
        h->tlb_log[h->tlb_nlog++] = (uint32_t)(e - &h->tlb[0][0][0]);
    else
        h->tlb_log_ok = false;
    e->tag = va & PAGE_MASK;
    e->addend = (uintptr_t)host - (uintptr_t)(va & PAGE_MASK);
}

/* Translate one access that stays within a page; fills the TLB. */
static bool translate_fill(struct hart *h, uint64_t va, enum mmu_access acc, uint64_t *pa)
{
    unsigned set = acc == MMU_FETCH ? h->iset : h->dset;
    int cause = mmu_translate(h, va, acc, set, pa);
    if (cause) {
        hart_trap(h, (uint64_t)cause, va);
        return false;
    }
    /* A write walk has set D, so the write entry is exact; a read walk set A
     * only, which is all a read needs. */
    static const uint8_t kind_of[3] = {TLB_READ, TLB_WRITE, TLB_FETCH};
    tlb_fill(h, set, kind_of[acc], va, *pa);
    return true;
}

/* Verify mode (hart.h): refuse a device access, without side effects. */
static inline bool mmio_refused(struct hart *h, uint64_t pa, unsigned size)
{
    if (__builtin_expect(!h->mmio_abort, 1) || bus_mem_ptr(h->bus, pa, size, false))
        return false;
    h->mmio_aborted = true;
    return true;
}

static bool phys_read(struct hart *h, uint64_t va, uint64_t pa, unsigned size, uint64_t *val,
                      enum mmu_access acc)
{
    if (mmio_refused(h, pa, size))
        return false;
    if (!bus_read(h->bus, pa, size, val)) {
        hart_trap(h, access_fault_cause[acc], va);
        return false;
    }
    return true;
}

bool mmu_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *val)
{
    uint64_t pa;
    if (((va & (PAGE_SIZE - 1)) + size) <= PAGE_SIZE) {
        if (!translate_fill(h, va, MMU_READ, &pa))
            return false;
        return phys_read(h, va, pa, size, val, MMU_READ);
    }
    /* Misaligned across a page boundary: both pages must translate before
     * anything is read; then byte by byte. */
    uint64_t va2 = (va | (PAGE_SIZE - 1)) + 1, pa2;
    if (!translate_fill(h, va, MMU_READ, &pa) || !translate_fill(h, va2, MMU_READ, &pa2))
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t b, a = va + i < va2 ? pa + i : pa2 + (va + i - va2);
        if (!phys_read(h, va + i, a, 1, &b, MMU_READ))
            return false;
        v |= b << (8 * i);
    }
    *val = v;
    return true;
}

bool mmu_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
    uint64_t pa;
    if (((va & (PAGE_SIZE - 1)) + size) <= PAGE_SIZE) {
        if (!translate_fill(h, va, MMU_WRITE, &pa))
            return false;
        if (mmio_refused(h, pa, size))
            return false;
        code_store(h, pa, size);
        if (!bus_write(h->bus, pa, size, val)) {
            hart_trap(h, EXC_STORE_ACCESS, va);
            return false;
        }
        return true;
    }
    uint64_t va2 = (va | (PAGE_SIZE - 1)) + 1, pa2;
    if (!translate_fill(h, va, MMU_WRITE, &pa) || !translate_fill(h, va2, MMU_WRITE, &pa2))
        return false;
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = va + i < va2 ? pa + i : pa2 + (va + i - va2);
        if (mmio_refused(h, a, 1))
            return false;
        code_store(h, a, 1);
        if (!bus_write(h->bus, a, 1, (val >> (8 * i)) & 0xff)) {
            hart_trap(h, EXC_STORE_ACCESS, va + i);
            return false;
        }
    }
    return true;
}

static bool fetch16(struct hart *h, uint64_t va, uint16_t *out)
{
    uint64_t pa, v;
    struct tlb_entry *e = tlb_entry_for(h, h->iset, TLB_FETCH, va);
    if (e->tag == (va & PAGE_MASK)) {
        uint16_t x;
        memcpy(&x, (const void *)(uintptr_t)(va + e->addend), 2);
        *out = x;
        return true;
    }
    if (!translate_fill(h, va, MMU_FETCH, &pa))
        return false;
    /* Instructions come from memory only, never from a device. */
    const uint8_t *p = bus_mem_ptr(h->bus, pa, 2, false);
    if (!p) {
        hart_trap(h, EXC_INSN_ACCESS, va);
        return false;
    }
    memcpy(&v, p, 2);
    *out = (uint16_t)v;
    return true;
}

bool mmu_fetch_slow(struct hart *h, uint64_t va, uint32_t *insn)
{
    uint16_t lo, hi;
    if (!fetch16(h, va, &lo))
        return false;
    if ((lo & 3) != 3) {
        *insn = lo;
        return true;
    }
    /* A fault on the second half belongs to the instruction at va (h->pc);
     * tval names the part that faulted, as the spec allows. */
    if (!fetch16(h, va + 2, &hi))
        return false;
    *insn = lo | ((uint32_t)hi << 16);
    return true;
}

bool mmu_amo_addr(struct hart *h, uint64_t va, unsigned size, bool lr, uint64_t *pa, void **host)
{
    if (va & (size - 1)) {
        hart_trap(h, lr ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED, va);
        return false;
    }
    if (!translate_fill(h, va, lr ? MMU_READ : MMU_WRITE, pa))
        return false;
    uint8_t *p = bus_mem_ptr(h->bus, *pa, size, !lr);
    if (!p) {
        /* Atomics work on RAM only, not on devices or ROM. */
        hart_trap(h, lr ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS, va);
        return false;
    }
    if (!lr)
        code_store(h, *pa, size);
    *host = p;
    return true;
}
