/*
 * test_mmu.c - the Sv39 walk, the software TLB and the slow access paths
 * (vmm/hart/mmu.c, with trap.c/csr.c for the state they depend on), against
 * the RISC-V privileged spec v1.12: 4.3.2 (the translation algorithm: PTE
 * validity, reserved encodings, permissions, superpage alignment, A/D
 * update, access faults on the walk), 4.4 (Sv39: canonical addresses,
 * 512 GiB space, 2 MiB and 1 GiB pages), 3.1.6.3 (MPRV, MXR, SUM), 3.1.16
 * (mtval for misaligned and variable-length accesses).
 *
 * Page tables are built by hand in a fake RAM region on a real struct bus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rvvm/bus.h"
#include "rvvm/hart.h"
#include "tests/unit/fake_machine.h"
#include "vmm/hart/csr.h"
#include "vmm/hart/mmu.h"
#include "vmm/hart/trap.h"

/* hart.c tears down the translator's per-hart state when the jit is built
 * in; these tests never run an engine. */
void jit_destroy(struct hart *h);
void jit_destroy(struct hart *h)
{
    (void)h;
}

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (4ull << 20)
#define ROM_BASE 0x1000ull
#define ROM_SIZE 0x1000ull
#define TABLES 0x80100000ull /* page tables are allocated from here up */
#define MTVEC 0x80000100ull  /* where traps land (nothing executes there) */

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define RWXAD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define CSR_MSTATUS 0x300
#define CSR_SATP 0x180

struct fix {
    struct machine *m;
    struct bus bus;
    struct hart *h;
    uint8_t *ram, *rom;
    uint64_t root, next_table;
};

static struct fix *F;

static uint64_t *pte_at(uint64_t pa)
{
    assert_true(pa >= RAM_BASE && pa + 8 <= RAM_BASE + RAM_SIZE);
    return (uint64_t *)(void *)(F->ram + (pa - RAM_BASE));
}

static uint8_t *ram(uint64_t pa)
{
    assert_true(pa >= RAM_BASE && pa < RAM_BASE + RAM_SIZE);
    return F->ram + (pa - RAM_BASE);
}

static uint64_t mkpte(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << 10) | flags;
}

static uint64_t new_table(void)
{
    uint64_t t = F->next_table;
    F->next_table += PAGE_SIZE;
    memset(ram(t), 0, PAGE_SIZE);
    return t;
}

static unsigned vpn(uint64_t va, int level)
{
    return (va >> (12 + 9 * level)) & 0x1ff;
}

/* Address of the PTE for va at `level`, creating pointer PTEs above it. */
static uint64_t pte_addr(uint64_t va, int level)
{
    uint64_t table = F->root;
    for (int l = 2; l > level; l--) {
        uint64_t *p = pte_at(table + 8 * vpn(va, l));
        if (!(*p & PTE_V))
            *p = mkpte(new_table(), PTE_V);
        table = ((*p >> 10) & ((1ull << 44) - 1)) << 12;
    }
    return table + 8 * vpn(va, level);
}

static uint64_t *map(uint64_t va, uint64_t pa, uint64_t flags, int level)
{
    uint64_t *p = pte_at(pte_addr(va, level));
    *p = mkpte(pa, flags);
    return p;
}

static uint64_t satp_sv39(uint64_t root)
{
    return (8ull << 60) | (root >> 12);
}

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    F = f;
    f->m = fake_machine_new(1);
    bus_init(&f->bus);
    f->ram = aligned_alloc(PAGE_SIZE, RAM_SIZE);
    f->rom = aligned_alloc(PAGE_SIZE, ROM_SIZE);
    memset(f->ram, 0, RAM_SIZE);
    memset(f->rom, 0, ROM_SIZE);
    assert_true(bus_add_mem(&f->bus, RAM_BASE, RAM_SIZE, f->ram, false));
    assert_true(bus_add_mem(&f->bus, ROM_BASE, ROM_SIZE, f->rom, true));
    f->h = calloc(1, sizeof(*f->h));
    hart_init(f->h, 0, &f->bus, f->m);
    f->h->mtvec = MTVEC;
    f->next_table = TABLES;
    f->root = new_table();
    f->h->satp = satp_sv39(f->root);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    hart_destroy(f->h);
    free(f->h);
    bus_destroy(&f->bus);
    free(f->ram);
    free(f->rom);
    fake_machine_free(f->m);
    free(f);
    F = NULL;
    return 0;
}

static void set_priv(struct hart *h, unsigned p)
{
    h->priv = (uint8_t)p;
    hart_update_sets(h);
}

static void expect_trap(struct hart *h, uint64_t cause, uint64_t tval, uint64_t epc)
{
    assert_int_equal(h->priv, PRV_M);
    assert_int_equal(h->mcause, cause);
    assert_int_equal(h->mtval, tval);
    assert_int_equal(h->mepc, epc);
    assert_int_equal(h->pc, MTVEC);
}

static bool tlb_valid(struct hart *h, unsigned set, unsigned kind, uint64_t va)
{
    return tlb_entry_for(h, set, kind, va)->tag == (va & PAGE_MASK);
}

static unsigned tlb_valid_count(struct hart *h)
{
    unsigned n = 0;
    for (unsigned s = 0; s < TLB_SETS; s++)
        for (unsigned k = 0; k < TLB_KINDS; k++)
            for (unsigned i = 0; i < TLB_SIZE; i++)
                n += h->tlb[s][k][i].tag != TLB_TAG_INVALID;
    return n;
}

static int xlate(struct hart *h, uint64_t va, enum mmu_access acc, unsigned set, uint64_t *pa)
{
    *pa = 0xdead;
    return mmu_translate(h, va, acc, set, pa);
}

/* ---- the walk ---- */

static void test_leaf_4k(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    map(0x40000000, 0x80010000, RWXAD, 0);
    for (int acc = MMU_READ; acc <= MMU_FETCH; acc++) {
        assert_int_equal(xlate(f->h, 0x40000abc, acc, TLBSET_S, &pa), 0);
        assert_int_equal(pa, 0x80010abc);
    }
    /* the neighbouring page is not mapped */
    assert_int_equal(xlate(f->h, 0x40001000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
    assert_int_equal(xlate(f->h, 0x40001000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_PAGE);
    assert_int_equal(xlate(f->h, 0x40001000, MMU_FETCH, TLBSET_S, &pa), EXC_INSN_PAGE);
}

static void test_leaf_2m_1g(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    /* 2 MiB: leaf at level 1, va[20:0] passes through */
    map(0x40200000, 0x80200000, RWXAD, 1);
    assert_int_equal(xlate(f->h, 0x402fedcb, MMU_READ, TLBSET_S, &pa), 0);
    assert_int_equal(pa, 0x802fedcb);
    /* 1 GiB: leaf at level 2, in the negative half (va[63:39] all ones) */
    uint64_t va = 0xffffffc000000000ull;
    map(va, 0xc0000000, RWXAD, 2);
    assert_int_equal(xlate(f->h, va + 0x3456789, MMU_WRITE, TLBSET_S, &pa), 0);
    assert_int_equal(pa, 0xc3456789);
    assert_int_equal(xlate(f->h, va + 0x3fffffff, MMU_FETCH, TLBSET_S, &pa), 0);
    assert_int_equal(pa, 0xffffffff);
}

static void test_misaligned_superpage(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    /* a 2 MiB leaf whose ppn[0] is nonzero */
    map(0x40200000, 0x80201000, RWXAD, 1);
    assert_int_equal(xlate(f->h, 0x40200000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
    assert_int_equal(xlate(f->h, 0x40200000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_PAGE);
    /* a 1 GiB leaf whose ppn[1] is nonzero (ppn[0] zero) */
    map(0x80000000, 0x80200000, RWXAD, 2);
    assert_int_equal(xlate(f->h, 0x80000000, MMU_FETCH, TLBSET_S, &pa), EXC_INSN_PAGE);
    /* ...and one with only ppn[0] nonzero */
    map(0xc0000000, 0xc0001000, RWXAD, 2);
    assert_int_equal(xlate(f->h, 0xc0000000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
}

static void test_invalid_ptes(void **state)
{
    struct fix *f = *state;
    uint64_t pa, *p;
    p = map(0x40000000, 0x80010000, RWXAD & ~PTE_V, 0);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
    /* W without R is reserved, with or without X */
    *p = mkpte(0x80010000, PTE_V | PTE_W | PTE_A | PTE_D);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_PAGE);
    *p = mkpte(0x80010000, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_FETCH, TLBSET_S, &pa), EXC_INSN_PAGE);
    /* reserved bits 60:54, PBMT 62:61, N 63 (not implemented: must be 0) */
    static const unsigned bits[] = {54, 57, 60, 61, 62, 63};
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        *p = mkpte(0x80010000, RWXAD) | (1ull << bits[i]);
        assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
    }
    /* reserved bits in a non-leaf PTE also fault */
    *p = mkpte(0x80010000, RWXAD);
    uint64_t *l1 = pte_at(pte_addr(0x40000000, 1));
    uint64_t good = *l1;
    *l1 = good | (1ull << 62);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
    *l1 = good;
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), 0);
    /* a pointer PTE at level 0 (no leaf by then) faults */
    *p = mkpte(0x80010000, PTE_V);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
}

static void test_permissions(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    map(0x40000000, 0x80010000, PTE_V | PTE_R | PTE_A, 0);           /* R */
    map(0x40001000, 0x80011000, PTE_V | PTE_X | PTE_A, 0);           /* X only */
    map(0x40002000, 0x80012000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, 0); /* RW */
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), 0);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_PAGE);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_FETCH, TLBSET_S, &pa), EXC_INSN_PAGE);
    assert_int_equal(xlate(f->h, 0x40001000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
    assert_int_equal(xlate(f->h, 0x40001000, MMU_FETCH, TLBSET_S, &pa), 0);
    assert_int_equal(xlate(f->h, 0x40002000, MMU_WRITE, TLBSET_S, &pa), 0);
    assert_int_equal(xlate(f->h, 0x40002000, MMU_FETCH, TLBSET_S, &pa), EXC_INSN_PAGE);
    /* MXR: loads from X-only pages succeed; stores and R pages unchanged */
    f->h->mstatus |= MSTATUS_MXR;
    assert_int_equal(xlate(f->h, 0x40001000, MMU_READ, TLBSET_S, &pa), 0);
    assert_int_equal(pa, 0x80011000);
    assert_int_equal(xlate(f->h, 0x40001000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_PAGE);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), 0);
}

static void test_user_bit(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    map(0x40000000, 0x80010000, RWXAD | PTE_U, 0); /* user page */
    map(0x40001000, 0x80011000, RWXAD, 0);         /* supervisor page */
    for (int acc = MMU_READ; acc <= MMU_FETCH; acc++) {
        int pf = acc == MMU_READ ? EXC_LOAD_PAGE : acc == MMU_WRITE ? EXC_STORE_PAGE
                                                                     : EXC_INSN_PAGE;
        /* U: user pages only */
        assert_int_equal(xlate(f->h, 0x40000000, acc, TLBSET_U, &pa), 0);
        assert_int_equal(xlate(f->h, 0x40001000, acc, TLBSET_U, &pa), pf);
        /* S without SUM: supervisor pages only */
        assert_int_equal(xlate(f->h, 0x40000000, acc, TLBSET_S, &pa), pf);
        assert_int_equal(xlate(f->h, 0x40001000, acc, TLBSET_S, &pa), 0);
        /* S with SUM: both for loads and stores; never fetch from a U page */
        assert_int_equal(xlate(f->h, 0x40000000, acc, TLBSET_SSUM, &pa),
                         acc == MMU_FETCH ? pf : 0);
        assert_int_equal(xlate(f->h, 0x40001000, acc, TLBSET_SSUM, &pa), 0);
    }
    /* MXR does not give U access to an X-only supervisor page */
    map(0x40002000, 0x80012000, PTE_V | PTE_X | PTE_A, 0);
    f->h->mstatus |= MSTATUS_MXR;
    assert_int_equal(xlate(f->h, 0x40002000, MMU_READ, TLBSET_U, &pa), EXC_LOAD_PAGE);
    map(0x40003000, 0x80013000, PTE_V | PTE_X | PTE_A | PTE_U, 0);
    assert_int_equal(xlate(f->h, 0x40003000, MMU_READ, TLBSET_U, &pa), 0);
}

static void test_accessed_dirty(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    uint64_t *p = map(0x40000000, 0x80010000, PTE_V | PTE_R | PTE_W | PTE_X, 0);
    uint64_t base = *p;
    /* a read sets A only */
    assert_int_equal(xlate(f->h, 0x40000010, MMU_READ, TLBSET_S, &pa), 0);
    assert_int_equal(*p, base | PTE_A);
    /* a write sets D (and A) */
    assert_int_equal(xlate(f->h, 0x40000010, MMU_WRITE, TLBSET_S, &pa), 0);
    assert_int_equal(*p, base | PTE_A | PTE_D);
    /* a fetch sets A only; a store straight away sets both */
    *p = base;
    assert_int_equal(xlate(f->h, 0x40000000, MMU_FETCH, TLBSET_S, &pa), 0);
    assert_int_equal(*p, base | PTE_A);
    *p = base;
    assert_int_equal(xlate(f->h, 0x40000000, MMU_WRITE, TLBSET_S, &pa), 0);
    assert_int_equal(*p, base | PTE_A | PTE_D);
    /* a faulting access changes nothing */
    *p = mkpte(0x80010000, PTE_V | PTE_R);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_PAGE);
    assert_int_equal(*p, mkpte(0x80010000, PTE_V | PTE_R));
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_U, &pa), EXC_LOAD_PAGE);
    assert_int_equal(*p, mkpte(0x80010000, PTE_V | PTE_R));
    /* pointer PTEs are never marked */
    uint64_t l1 = *pte_at(pte_addr(0x40000000, 1));
    assert_false(l1 & (PTE_A | PTE_D));
    /* superpage leaves are marked too */
    uint64_t *sp = map(0x40200000, 0x80200000, PTE_V | PTE_R | PTE_W, 1);
    assert_int_equal(xlate(f->h, 0x40212345, MMU_WRITE, TLBSET_S, &pa), 0);
    assert_true((*sp & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
}

static void test_noncanonical(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    /* map the pages the truncated addresses would hit, so only the
     * canonical check can reject them */
    map(0x0000000000000000ull, 0x80000000, RWXAD, 2);
    map(0xffffffc000000000ull, 0x80000000, RWXAD, 2);
    map(0x0000004000000000ull - 0x1000, 0x80010000, RWXAD, 0);
    static const uint64_t bad[] = {
        0x0000008000000000ull, /* bit 39 set, above clear */
        0x8000000000000000ull, /* bit 63 only */
        0xffffff8000000000ull, /* 63:39 set, bit 38 clear */
        0x0000004000000000ull | (1ull << 50),
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(xlate(f->h, bad[i], MMU_READ, TLBSET_S, &pa), EXC_LOAD_PAGE);
        assert_int_equal(xlate(f->h, bad[i], MMU_WRITE, TLBSET_S, &pa), EXC_STORE_PAGE);
        assert_int_equal(xlate(f->h, bad[i], MMU_FETCH, TLBSET_U, &pa), EXC_INSN_PAGE);
    }
    /* the extremes of the two canonical halves are fine */
    assert_int_equal(xlate(f->h, 0x0000003fffffffffull, MMU_READ, TLBSET_S, &pa), 0);
    assert_int_equal(xlate(f->h, 0xffffffc000000000ull, MMU_READ, TLBSET_S, &pa), 0);
}

static void test_walk_access_fault(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    /* root table outside any memory */
    f->h->satp = satp_sv39(0x10000000);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_ACCESS);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_ACCESS);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_FETCH, TLBSET_S, &pa), EXC_INSN_ACCESS);
    /* a pointer PTE to a next-level table outside memory */
    f->h->satp = satp_sv39(f->root);
    *pte_at(f->root + 8 * vpn(0x40000000, 2)) = mkpte(0x20000000, PTE_V);
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_ACCESS);
    /* tables in ROM can be walked, but A/D cannot be written back: the
     * update is a store to the PTE, so it faults as an access fault of the
     * original type */
    uint64_t *rom = (uint64_t *)(void *)f->rom;
    rom[vpn(0x40000000, 2)] = mkpte(0x40000000, RWXAD);                /* 1 GiB, A+D */
    rom[vpn(0x80000000, 2)] = mkpte(0x80000000, PTE_V | PTE_R | PTE_W); /* 1 GiB, no A */
    f->h->satp = satp_sv39(ROM_BASE);
    assert_int_equal(xlate(f->h, 0x40000123, MMU_WRITE, TLBSET_S, &pa), 0);
    assert_int_equal(pa, 0x40000123);
    assert_int_equal(xlate(f->h, 0x80000000, MMU_READ, TLBSET_S, &pa), EXC_LOAD_ACCESS);
    assert_int_equal(xlate(f->h, 0x80000000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_ACCESS);
    rom[vpn(0x80000000, 2)] |= PTE_A;
    assert_int_equal(xlate(f->h, 0x80000000, MMU_READ, TLBSET_S, &pa), 0);
    assert_int_equal(xlate(f->h, 0x80000000, MMU_WRITE, TLBSET_S, &pa), EXC_STORE_ACCESS);
}

static void test_bare_and_m(void **state)
{
    struct fix *f = *state;
    uint64_t pa;
    /* M-mode never translates, whatever satp says */
    assert_int_equal(xlate(f->h, 0x40000000, MMU_READ, TLBSET_M, &pa), 0);
    assert_int_equal(pa, 0x40000000);
    assert_int_equal(xlate(f->h, 0xffffffffffff0000ull, MMU_FETCH, TLBSET_M, &pa), 0);
    assert_int_equal(pa, 0xffffffffffff0000ull);
    /* Bare: identity for S and U too, no canonical check */
    f->h->satp = 0;
    for (unsigned set = 0; set < TLB_SETS; set++) {
        assert_int_equal(xlate(f->h, 0x0000008000001234ull, MMU_WRITE, set, &pa), 0);
        assert_int_equal(pa, 0x0000008000001234ull);
    }
}

/* ---- the TLB through the access paths ---- */

static void test_tlb_read_fill(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, RWXAD, 0);
    memcpy(ram(0x80010008), "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
    set_priv(h, PRV_S);
    assert_int_equal(tlb_valid_count(h), 0);
    uint64_t v;
    h->pc = 0x1234;
    assert_true(mmu_load(h, 0x40000008, 8, &v));
    assert_int_equal(v, 0x8877665544332211ull);
    /* the read entry of the S set is filled: tag = page, host = va + addend */
    struct tlb_entry *e = tlb_entry_for(h, TLBSET_S, TLB_READ, 0x40000008);
    assert_int_equal(e->tag, 0x40000000);
    assert_ptr_equal((uint8_t *)(uintptr_t)(0x40000008 + e->addend), ram(0x80010008));
    assert_ptr_equal((uint8_t *)(uintptr_t)(0x40000fff + e->addend), ram(0x80010fff));
    /* nothing else: no write entry from a read, no other set */
    assert_false(tlb_valid(h, TLBSET_S, TLB_WRITE, 0x40000000));
    assert_int_equal(tlb_valid_count(h), 1);
    assert_int_equal(h->pc, 0x1234); /* no trap */
    /* a hit now reads through the entry: change RAM, not the PTE */
    ram(0x80010008)[0] = 0x99;
    *pte_at(pte_addr(0x40000000, 0)) = 0; /* stale until a fence */
    assert_true(mmu_load(h, 0x40000008, 1, &v));
    assert_int_equal(v, 0x99);
}

static void test_tlb_write_fill(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    uint64_t *p = map(0x40000000, 0x80010000, PTE_V | PTE_R | PTE_W | PTE_A, 0);
    set_priv(h, PRV_S);
    assert_true(mmu_store(h, 0x40000010, 4, 0xcafef00d));
    assert_int_equal(*(uint32_t *)(void *)ram(0x80010010), 0xcafef00d);
    assert_true(*p & PTE_D);
    assert_true(tlb_valid(h, TLBSET_S, TLB_WRITE, 0x40000000));
    assert_false(tlb_valid(h, TLBSET_S, TLB_READ, 0x40000000));
    /* a read-only page: store page fault, nothing filled, nothing written */
    map(0x40001000, 0x80011000, PTE_V | PTE_R | PTE_A, 0);
    h->pc = 0x5000;
    assert_false(mmu_store(h, 0x40001000, 8, ~0ull));
    expect_trap(h, EXC_STORE_PAGE, 0x40001000, 0x5000);
    assert_false(tlb_valid(h, TLBSET_S, TLB_WRITE, 0x40001000));
    assert_int_equal(*(uint64_t *)(void *)ram(0x80011000), 0);
}

static void test_store_rom(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    f->rom[0x10] = 0x5a;
    /* M-mode, physical: ROM reads, refuses writes with a store access fault */
    uint64_t v;
    h->pc = 0x80000000;
    assert_true(mmu_load(h, ROM_BASE + 0x10, 1, &v));
    assert_int_equal(v, 0x5a);
    assert_false(mmu_store(h, ROM_BASE + 0x10, 1, 0));
    expect_trap(h, EXC_STORE_ACCESS, ROM_BASE + 0x10, 0x80000000);
    assert_int_equal(f->rom[0x10], 0x5a);
    assert_false(tlb_valid(h, TLBSET_M, TLB_WRITE, ROM_BASE));
    /* through a writable mapping of the ROM: still an access fault */
    map(0x40000000, ROM_BASE, RWXAD, 0);
    set_priv(h, PRV_S);
    h->pc = 0x1000;
    assert_false(mmu_store(h, 0x40000010, 2, 0));
    expect_trap(h, EXC_STORE_ACCESS, 0x40000010, 0x1000);
    assert_int_equal(f->rom[0x10], 0x5a);
    /* unmapped physical space: load access fault */
    h->pc = 0x2000;
    assert_false(mmu_load(h, 0x30000000, 4, &v));
    expect_trap(h, EXC_LOAD_ACCESS, 0x30000000, 0x2000);
}

static void fill_all_kinds(struct hart *h, uint64_t va)
{
    uint64_t v;
    uint32_t insn;
    set_priv(h, PRV_S);
    assert_true(mmu_load(h, va, 4, &v));
    assert_true(mmu_store(h, va, 4, 0x13));
    assert_true(mmu_fetch(h, va, &insn));
    h->mstatus |= MSTATUS_SUM;
    hart_update_sets(h);
    assert_true(mmu_load(h, va, 4, &v));
    h->mstatus &= ~MSTATUS_SUM;
    hart_update_sets(h);
}

static void test_tlb_flush_page(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    uint64_t va = 0x40000000, alias = va + (uint64_t)TLB_SIZE * PAGE_SIZE;
    map(va, 0x80010000, RWXAD, 0);
    map(va + 0x1000, 0x80011000, RWXAD, 0);
    map(alias + 0x1000, 0x80012000, RWXAD, 0);
    fill_all_kinds(h, va);
    fill_all_kinds(h, va + 0x1000);
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, va));
    assert_true(tlb_valid(h, TLBSET_S, TLB_WRITE, va));
    assert_true(tlb_valid(h, TLBSET_S, TLB_FETCH, va));
    assert_true(tlb_valid(h, TLBSET_SSUM, TLB_READ, va));
    /* an M and a U entry for the same page (planted: same tag, any addend) */
    *tlb_entry_for(h, TLBSET_M, TLB_READ, va) = (struct tlb_entry){va, 0};
    *tlb_entry_for(h, TLBSET_U, TLB_WRITE, va) = (struct tlb_entry){va, 0};
    unsigned before = tlb_valid_count(h);
    assert_int_equal(before, 2 * 4 + 2);

    /* flushing a page that aliases the same slots but is not cached: no-op */
    tlb_flush_page(h, alias);
    assert_int_equal(tlb_valid_count(h), before);
    /* any address within the page flushes it, in every set and kind */
    tlb_flush_page(h, va + 0x123);
    for (unsigned s = 0; s < TLB_SETS; s++)
        for (unsigned k = 0; k < TLB_KINDS; k++)
            assert_false(tlb_valid(h, s, k, va));
    /* the next page is untouched */
    assert_int_equal(tlb_valid_count(h), 4);
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, va + 0x1000));
    /* an aliasing page in the slot survives a flush of the cached one... */
    fill_all_kinds(h, alias + 0x1000); /* evicts va+0x1000 from its slots */
    tlb_flush_page(h, va + 0x1000);
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, alias + 0x1000));
    /* flush_all empties everything */
    tlb_flush_all(h);
    assert_int_equal(tlb_valid_count(h), 0);
    /* after the flush, accesses walk again and see PTE changes */
    *pte_at(pte_addr(va, 0)) = 0;
    uint64_t v;
    h->pc = 0x4000;
    assert_false(mmu_load(h, va, 4, &v));
    expect_trap(h, EXC_LOAD_PAGE, va, 0x4000);
}

static void test_superpage_flush(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, RWXAD, 0);
    map(0x40200000, 0x80200000, RWXAD, 1);
    set_priv(h, PRV_S);
    uint64_t v;
    assert_true(mmu_load(h, 0x40000000, 8, &v));
    /* unrelated page, 4K fills only: targeted, and says so */
    assert_true(tlb_flush_page(h, 0x7000000));
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, 0x40000000));
    /* two 4K entries from one superpage */
    assert_true(mmu_load(h, 0x40345000, 8, &v));
    assert_true(mmu_load(h, 0x40201000, 8, &v));
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, 0x40345000));
    assert_int_equal(h->tlb_nsuper, 1);
    /* a flush of a 4K page outside the superpage keeps its entries */
    assert_true(tlb_flush_page(h, 0x40000000));
    assert_false(tlb_valid(h, TLBSET_S, TLB_READ, 0x40000000));
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, 0x40345000));
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, 0x40201000));
    /* any address in the superpage drops every 4K entry that came from it
     * (and only those), and the function says it was more than a page */
    assert_true(mmu_load(h, 0x40000000, 8, &v));
    assert_false(tlb_flush_page(h, 0x40200000));
    assert_false(tlb_valid(h, TLBSET_S, TLB_READ, 0x40345000));
    assert_false(tlb_valid(h, TLBSET_S, TLB_READ, 0x40201000));
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, 0x40000000));
    assert_int_equal(h->tlb_nsuper, 0);
    /* a PTE change after that flush is seen */
    *pte_at(pte_addr(0x40200000, 1)) = 0;
    h->pc = 0x4000;
    assert_false(mmu_load(h, 0x40345000, 8, &v));
    expect_trap(h, EXC_LOAD_PAGE, 0x40345000, 0x4000);
}

/* More superpage ranges than the hart remembers: page flushes become full. */
static void test_superpage_overflow(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    set_priv(h, PRV_S);
    uint64_t v;
    for (unsigned i = 0; i <= TLB_SUPER_MAX; i++) {
        uint64_t va = 0x40000000 + ((uint64_t)i << 21);
        map(va, 0x80200000, RWXAD, 1);
        assert_true(mmu_load(h, va, 8, &v));
    }
    assert_true(h->tlb_super_overflow);
    assert_true(tlb_valid_count(h) > 0);
    assert_false(tlb_flush_page(h, 0x7000000));
    assert_int_equal(tlb_valid_count(h), 0);
    assert_false(h->tlb_super_overflow);
    assert_int_equal(h->tlb_nsuper, 0);
}

/* From S-mode, 4 KiB entries from 5 superpages at va: more fills than the
 * log holds, so it overflows. */
static void overflow_log(struct hart *h, uint64_t va)
{
    uint64_t v;
    set_priv(h, PRV_S);
    for (unsigned sp = 0; sp < 5; sp++) {
        uint64_t base = va + ((uint64_t)sp << 21);
        map(base, 0x80200000, RWXAD, 1);
        for (unsigned i = 0; i < 512; i++)
            assert_true(mmu_load(h, base + ((uint64_t)i << 12), 8, &v));
    }
    assert_false(h->tlb_log_ok);
}

/* A full flush visits the entries filled since the last one (the log);
 * after more fills than the log holds, it visits them all. Either way
 * nothing stays valid. */
static void test_flush_log(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    set_priv(h, PRV_S);
    uint64_t v;
    tlb_flush_all(h);
    for (unsigned i = 0; i < 8; i++) {
        uint64_t va = 0x40000000 + ((uint64_t)i << 12);
        map(va, 0x80010000, RWXAD, 0);
        assert_true(mmu_load(h, va, 8, &v));
    }
    assert_true(h->tlb_log_ok);
    assert_int_equal(tlb_valid_count(h), 8);
    tlb_flush_all(h);
    assert_int_equal(tlb_valid_count(h), 0);
    overflow_log(h, 0x40000000);
    assert_true(tlb_valid_count(h) > TLB_LOG_MAX);
    tlb_flush_all(h);
    assert_int_equal(tlb_valid_count(h), 0);
    assert_true(h->tlb_log_ok);
}

/* Code was translated from a physical page: write entries that map it go,
 * in every set and through every virtual alias, and nothing else does;
 * with the fill log and, after it overflowed, by visiting every entry. */
static void check_drop_writes_to(struct fix *f)
{
    struct hart *h = f->h;
    uint64_t va = 0x40000000, alias = 0x40005000, other = 0x40001000;
    map(va, 0x80010000, RWXAD, 0);
    map(alias, 0x80010000, RWXAD, 0);
    map(other, 0x80011000, RWXAD, 0);
    fill_all_kinds(h, va);
    fill_all_kinds(h, other);
    set_priv(h, PRV_S);
    assert_true(mmu_store(h, alias + 8, 8, 0x13));
    /* the same page written through the M set (bare: va = pa) */
    set_priv(h, PRV_M);
    assert_true(mmu_store(h, 0x80010000, 8, 0x13));
    assert_true(tlb_valid(h, TLBSET_M, TLB_WRITE, 0x80010000));
    unsigned before = tlb_valid_count(h);

    tlb_drop_writes_to(h, f->ram + (0x80010000 - RAM_BASE));
    assert_false(tlb_valid(h, TLBSET_S, TLB_WRITE, va));
    assert_false(tlb_valid(h, TLBSET_S, TLB_WRITE, alias));
    assert_false(tlb_valid(h, TLBSET_M, TLB_WRITE, 0x80010000));
    assert_int_equal(tlb_valid_count(h), before - 3);
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, va));
    assert_true(tlb_valid(h, TLBSET_S, TLB_FETCH, va));
    assert_true(tlb_valid(h, TLBSET_SSUM, TLB_READ, va));
    assert_true(tlb_valid(h, TLBSET_S, TLB_WRITE, other));
}

static void test_drop_writes_to(void **state)
{
    struct fix *f = *state;
    tlb_flush_all(f->h);
    check_drop_writes_to(f);
    assert_true(f->h->tlb_log_ok);
}

static void test_drop_writes_to_unlogged(void **state)
{
    struct fix *f = *state;
    overflow_log(f->h, 0x50000000);
    check_drop_writes_to(f);
}

static void test_satp_write_flushes(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, RWXAD, 0);
    fill_all_kinds(h, 0x40000000);
    assert_int_not_equal(tlb_valid_count(h), 0);
    atomic_store(&h->events, 0);
    uint64_t old;
    assert_true(csr_access(h, CSR_SATP, CSR_OP_RW, h->satp, true, &old));
    assert_int_equal(tlb_valid_count(h), 0);
    assert_true(atomic_load(&h->events) & HART_EV_VMAP);
    /* a pure read of satp does not flush */
    fill_all_kinds(h, 0x40000000);
    unsigned n = tlb_valid_count(h);
    assert_true(csr_access(h, CSR_SATP, CSR_OP_RS, 0, false, &old));
    assert_int_equal(tlb_valid_count(h), n);
}

static void test_sets_mprv(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, RWXAD, 0);
    map(0x40001000, 0x80011000, RWXAD | PTE_U, 0);
    fill_all_kinds(h, 0x40000000); /* stores 0x13 there */
    memcpy(ram(0x80010000), "\xaa", 1);
    memcpy(ram(0x80011000), "\xbb", 1);
    unsigned n = tlb_valid_count(h);
    uint64_t old, v;

    /* plain sets per privilege */
    set_priv(h, PRV_U);
    assert_int_equal(h->iset, TLBSET_U);
    assert_int_equal(h->dset, TLBSET_U);
    set_priv(h, PRV_S);
    assert_int_equal(h->iset, TLBSET_S);
    assert_int_equal(h->dset, TLBSET_S);
    h->mstatus |= MSTATUS_SUM;
    hart_update_sets(h);
    assert_int_equal(h->iset, TLBSET_S);
    assert_int_equal(h->dset, TLBSET_SSUM);
    h->mstatus &= ~MSTATUS_SUM;
    set_priv(h, PRV_M);
    assert_int_equal(h->iset, TLBSET_M);
    assert_int_equal(h->dset, TLBSET_M);

    /* MPRV=1, MPP=S through the CSR: data set S, fetch set M, no flush */
    uint64_t ms = (h->mstatus & ~MSTATUS_MPP) | MSTATUS_MPRV | (1ull << MSTATUS_MPP_SHIFT);
    assert_true(csr_access(h, CSR_MSTATUS, CSR_OP_RW, ms, true, &old));
    assert_int_equal(h->dset, TLBSET_S);
    assert_int_equal(h->iset, TLBSET_M);
    assert_int_equal(tlb_valid_count(h), n);
    /* an M-mode load now translates as S (and hits the S entry) */
    assert_true(mmu_load(h, 0x40000000, 1, &v));
    assert_int_equal(v, 0xaa);
    /* ...while fetches stay physical */
    uint32_t insn;
    memcpy(ram(0x80000000), "\x13\x00\x00\x00", 4);
    assert_true(mmu_fetch(h, 0x80000000, &insn));
    assert_int_equal(insn, 0x13);
    /* MPP=U: the U set; U pages readable, S pages not */
    ms = (ms & ~MSTATUS_MPP) | (0ull << MSTATUS_MPP_SHIFT);
    assert_true(csr_access(h, CSR_MSTATUS, CSR_OP_RW, ms, true, &old));
    assert_int_equal(h->dset, TLBSET_U);
    assert_true(mmu_load(h, 0x40001000, 1, &v));
    assert_int_equal(v, 0xbb);
    h->pc = 0x9000;
    assert_false(mmu_load(h, 0x40000000, 1, &v));
    expect_trap(h, EXC_LOAD_PAGE, 0x40000000, 0x9000);
    /* MPP=S with SUM: the SSUM set */
    ms = (ms & ~MSTATUS_MPP) | MSTATUS_MPRV | MSTATUS_SUM | (1ull << MSTATUS_MPP_SHIFT);
    assert_true(csr_access(h, CSR_MSTATUS, CSR_OP_RW, ms, true, &old));
    assert_int_equal(h->dset, TLBSET_SSUM);
    /* MPRV=0: back to M */
    assert_true(csr_access(h, CSR_MSTATUS, CSR_OP_RC, MSTATUS_MPRV, true, &old));
    assert_int_equal(h->dset, TLBSET_M);
    assert_true(tlb_valid(h, TLBSET_S, TLB_READ, 0x40000000));
}

static void test_trap_keeps_tlb(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, RWXAD, 0);
    fill_all_kinds(h, 0x40000000);
    unsigned n = tlb_valid_count(h);
    h->pc = 0x40000000;
    hart_trap(h, EXC_ECALL_S, 0);
    assert_int_equal(h->priv, PRV_M);
    assert_int_equal(tlb_valid_count(h), n);
    assert_int_equal(h->dset, TLBSET_M);
    /* mret back to S: the S entries are still there and still used */
    h->mepc = 0x40000000;
    assert_true(hart_mret(h, 0x30200073));
    assert_int_equal(h->priv, PRV_S);
    assert_int_equal(tlb_valid_count(h), n);
    assert_int_equal(h->dset, TLBSET_S);
}

static void test_sum_mxr_behaviour(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, RWXAD | PTE_U, 0);   /* user page */
    map(0x40001000, 0x80011000, PTE_V | PTE_X | PTE_A, 0); /* X-only */
    set_priv(h, PRV_S);
    uint64_t v, old;
    /* SUM=1: S reads a user page (through the SSUM set) */
    assert_true(csr_access(h, 0x100, CSR_OP_RS, MSTATUS_SUM, true, &old));
    assert_true(mmu_load(h, 0x40000000, 4, &v));
    /* SUM=0: the same load faults, even though an entry for it exists */
    assert_true(csr_access(h, 0x100, CSR_OP_RC, MSTATUS_SUM, true, &old));
    h->pc = 0x7000;
    assert_false(mmu_load(h, 0x40000000, 4, &v));
    expect_trap(h, EXC_LOAD_PAGE, 0x40000000, 0x7000);
    /* S never fetches from a user page, SUM or not */
    set_priv(h, PRV_S);
    h->mstatus |= MSTATUS_SUM;
    hart_update_sets(h);
    uint32_t insn;
    h->pc = 0x40000000;
    assert_false(mmu_fetch(h, 0x40000000, &insn));
    expect_trap(h, EXC_INSN_PAGE, 0x40000000, 0x40000000);
    /* MXR=1: an X-only page is readable; clearing MXR takes that back */
    set_priv(h, PRV_S);
    assert_true(csr_access(h, 0x100, CSR_OP_RS, MSTATUS_MXR, true, &old));
    assert_true(mmu_load(h, 0x40001000, 4, &v));
    assert_true(csr_access(h, 0x100, CSR_OP_RC, MSTATUS_MXR, true, &old));
    h->pc = 0x7004;
    assert_false(mmu_load(h, 0x40001000, 4, &v));
    expect_trap(h, EXC_LOAD_PAGE, 0x40001000, 0x7004);
}

static void test_cross_page_load_store(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    /* two virtually adjacent pages on non-adjacent frames */
    map(0x40000000, 0x80010000, RWXAD, 0);
    map(0x40001000, 0x80030000, RWXAD, 0);
    memcpy(ram(0x80010ffc), "\x01\x02\x03\x04", 4);
    memcpy(ram(0x80030000), "\x05\x06\x07\x08", 4);
    set_priv(h, PRV_S);
    uint64_t v;
    assert_true(mmu_load(h, 0x40000ffc, 8, &v));
    assert_int_equal(v, 0x0807060504030201ull);
    assert_true(mmu_load(h, 0x40000ffe, 4, &v));
    assert_int_equal(v, 0x06050403);
    assert_true(mmu_store(h, 0x40000ffd, 4, 0xa1b2c3d4));
    assert_memory_equal(ram(0x80010ffc), "\x01\xd4\xc3\xb2", 4);
    assert_memory_equal(ram(0x80030000), "\xa1\x06", 2);
}

static void test_cross_page_fault(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, RWXAD, 0);
    /* 0x40001000 unmapped; 0x40003000 read-only */
    map(0x40002000, 0x80012000, RWXAD, 0);
    map(0x40003000, 0x80013000, PTE_V | PTE_R | PTE_A, 0);
    memset(ram(0x80010ff8), 0x77, 8);
    set_priv(h, PRV_S);
    uint64_t v = 0x1111;
    /* the load faults on the second page: tval is that page's address */
    h->pc = 0x6000;
    assert_false(mmu_load(h, 0x40000ffe, 4, &v));
    expect_trap(h, EXC_LOAD_PAGE, 0x40001000, 0x6000);
    assert_int_equal(v, 0x1111);
    /* a store faults the same way and writes nothing to the first page */
    set_priv(h, PRV_S);
    h->pc = 0x6004;
    assert_false(mmu_store(h, 0x40000ffc, 8, 0));
    expect_trap(h, EXC_STORE_PAGE, 0x40001000, 0x6004);
    assert_memory_equal(ram(0x80010ff8), "\x77\x77\x77\x77\x77\x77\x77\x77", 8);
    /* second page present but read-only: same, no partial store */
    memset(ram(0x80012ff8), 0x66, 8);
    set_priv(h, PRV_S);
    h->pc = 0x6008;
    assert_false(mmu_store(h, 0x40002ffa, 8, 0));
    expect_trap(h, EXC_STORE_PAGE, 0x40003000, 0x6008);
    assert_memory_equal(ram(0x80012ff8), "\x66\x66\x66\x66\x66\x66\x66\x66", 8);
    assert_int_equal(*(uint32_t *)(void *)ram(0x80013000), 0);
    /* first page faulting: tval is the original address */
    set_priv(h, PRV_S);
    h->pc = 0x600c;
    assert_false(mmu_load(h, 0x3ffffffe, 4, &v)); /* 0x3ffff000 unmapped */
    expect_trap(h, EXC_LOAD_PAGE, 0x3ffffffe, 0x600c);
}

static void test_fetch_cross_page(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, PTE_V | PTE_R | PTE_X | PTE_A, 0);
    map(0x40001000, 0x80030000, PTE_V | PTE_X | PTE_A, 0);
    /* addi a0,a0,1 = 0x00150513 split over the page boundary */
    memcpy(ram(0x80010ffe), "\x13\x05", 2);
    memcpy(ram(0x80030000), "\x15\x00", 2);
    set_priv(h, PRV_S);
    uint32_t insn = 0;
    h->pc = 0x40000ffe;
    assert_true(mmu_fetch(h, 0x40000ffe, &insn));
    assert_int_equal(insn, 0x00150513);
    assert_true(tlb_valid(h, TLBSET_S, TLB_FETCH, 0x40000000));
    assert_true(tlb_valid(h, TLBSET_S, TLB_FETCH, 0x40001000));
    /* again, from the TLB */
    insn = 0;
    assert_true(mmu_fetch(h, 0x40000ffe, &insn));
    assert_int_equal(insn, 0x00150513);
    /* a 16-bit instruction in the last halfword needs only its own page */
    memcpy(ram(0x80030ffe), "\x05\x05", 2); /* c.addi a0,1 */
    h->pc = 0x40001ffe;
    assert_true(mmu_fetch(h, 0x40001ffe, &insn)); /* 0x40002000 unmapped */
    assert_int_equal(insn, 0x0505);
    assert_int_equal(h->priv, PRV_S);
    /* a 32-bit one there faults on the second half: epc is the instruction,
     * tval the part that faulted */
    memcpy(ram(0x80030ffe), "\x13\x05", 2);
    assert_false(mmu_fetch(h, 0x40001ffe, &insn));
    expect_trap(h, EXC_INSN_PAGE, 0x40002000, 0x40001ffe);
    /* fetch from a device or unmapped physical space: access fault */
    set_priv(h, PRV_M);
    h->pc = 0x10000000;
    assert_false(mmu_fetch(h, 0x10000000, &insn));
    expect_trap(h, EXC_INSN_ACCESS, 0x10000000, 0x10000000);
}

/* A extension: atomics must be naturally aligned (LR raises the load
 * misaligned cause, SC/AMOs the store/AMO one), need write permission
 * (except LR), and work on RAM only. */
static void test_amo_addr(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    map(0x40000000, 0x80010000, RWXAD, 0);
    map(0x40001000, 0x80011000, PTE_V | PTE_R | PTE_A, 0); /* read-only */
    map(0x40002000, ROM_BASE, RWXAD, 0);
    set_priv(h, PRV_S);
    h->pc = 0x100;
    uint64_t pa;
    void *host;
    assert_true(mmu_amo_addr(h, 0x40000008, 8, false, &pa, &host));
    assert_int_equal(pa, 0x80010008);
    assert_ptr_equal(host, ram(0x80010008));
    h->pc = 0x100;
    assert_false(mmu_amo_addr(h, 0x40000004, 8, true, &pa, &host));
    expect_trap(h, EXC_LOAD_MISALIGNED, 0x40000004, 0x100);
    set_priv(h, PRV_S);
    h->pc = 0x100;
    assert_false(mmu_amo_addr(h, 0x40000002, 4, false, &pa, &host));
    expect_trap(h, EXC_STORE_MISALIGNED, 0x40000002, 0x100);
    /* LR on a read-only page is fine; an AMO there is a store page fault */
    set_priv(h, PRV_S);
    h->pc = 0x100;
    assert_true(mmu_amo_addr(h, 0x40001000, 4, true, &pa, &host));
    assert_false(mmu_amo_addr(h, 0x40001000, 4, false, &pa, &host));
    expect_trap(h, EXC_STORE_PAGE, 0x40001000, 0x100);
    /* writable mapping of ROM: AMO is a store access fault */
    set_priv(h, PRV_S);
    h->pc = 0x100;
    assert_false(mmu_amo_addr(h, 0x40002000, 4, false, &pa, &host));
    expect_trap(h, EXC_STORE_ACCESS, 0x40002000, 0x100);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_leaf_4k),
        T(test_leaf_2m_1g),
        T(test_misaligned_superpage),
        T(test_invalid_ptes),
        T(test_permissions),
        T(test_user_bit),
        T(test_accessed_dirty),
        T(test_noncanonical),
        T(test_walk_access_fault),
        T(test_bare_and_m),
        T(test_tlb_read_fill),
        T(test_tlb_write_fill),
        T(test_store_rom),
        T(test_tlb_flush_page),
        T(test_superpage_flush),
        T(test_superpage_overflow),
        T(test_flush_log),
        T(test_drop_writes_to),
        T(test_drop_writes_to_unlogged),
        T(test_satp_write_flushes),
        T(test_sets_mprv),
        T(test_trap_keeps_tlb),
        T(test_sum_mxr_behaviour),
        T(test_cross_page_load_store),
        T(test_cross_page_fault),
        T(test_fetch_cross_page),
        T(test_amo_addr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
