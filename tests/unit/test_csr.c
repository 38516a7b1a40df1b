/*
 * test_csr.c - CSR access rules (vmm/hart/csr.c) against the RISC-V
 * privileged spec v1.12: 2.1 (address map: csr[9:8] lowest privilege,
 * csr[11:10]==3 read-only), 3.1.6 (mstatus WARL fields, SD), 3.1.8
 * (medeleg/mideleg), 3.1.9 (mip/mie), 3.1.7 (mtvec modes), 3.1.11-3.1.12
 * (counters, mcounteren), 3.7 (PMP CSRs), 4.1 (S-mode views, satp, TVM), and
 * the Zicsr/F chapters of the unprivileged ISA 20191213 (csrrs/csrrc with
 * x0 do not write; fcsr = frm:fflags; FS=Off makes FP CSRs illegal).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

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

enum {
    FFLAGS = 0x001, FRM = 0x002, FCSR = 0x003,
    SSTATUS = 0x100, SIE = 0x104, STVEC = 0x105, SCOUNTEREN = 0x106, SEPC = 0x141,
    SIP = 0x144, SATP = 0x180,
    MSTATUS = 0x300, MISA = 0x301, MEDELEG = 0x302, MIDELEG = 0x303, MIE = 0x304,
    MTVEC = 0x305, MCOUNTEREN = 0x306, MSCRATCH = 0x340, MEPC = 0x341, MIP = 0x344,
    PMPCFG0 = 0x3a0, PMPADDR0 = 0x3b0,
    MCYCLE = 0xb00, MINSTRET = 0xb02,
    CYCLE = 0xc00, TIME = 0xc01, INSTRET = 0xc02, HPMCOUNTER3 = 0xc03,
    MVENDORID = 0xf11, MHARTID = 0xf14,
};

struct fix {
    struct machine *m;
    struct bus bus;
    struct hart *h;
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    f->m = fake_machine_new(1);
    bus_init(&f->bus);
    f->h = calloc(1, sizeof(*f->h));
    hart_init(f->h, 3, &f->bus, f->m);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    hart_destroy(f->h);
    free(f->h);
    bus_destroy(&f->bus);
    fake_machine_free(f->m);
    free(f);
    return 0;
}

static struct hart *H(void **state)
{
    return ((struct fix *)*state)->h;
}

/* csrrs rd, csr, x0: a pure read */
static bool rd(struct hart *h, unsigned csr, uint64_t *v)
{
    return csr_access(h, csr, CSR_OP_RS, 0, false, v);
}

static uint64_t rdv(struct hart *h, unsigned csr)
{
    uint64_t v = 0xdeadbeef;
    if (!rd(h, csr, &v))
        fail_msg("read of csr %03x refused at priv %u", csr, h->priv);
    return v;
}

/* csrrw x0, csr, v */
static bool wr(struct hart *h, unsigned csr, uint64_t v)
{
    uint64_t old;
    return csr_access(h, csr, CSR_OP_RW, v, true, &old);
}

static void wrv(struct hart *h, unsigned csr, uint64_t v)
{
    if (!wr(h, csr, v))
        fail_msg("write of csr %03x refused at priv %u", csr, h->priv);
}

static void set_priv(struct hart *h, unsigned p)
{
    h->priv = (uint8_t)p;
    hart_update_sets(h);
}

/* ---- access rules ---- */

static void test_privilege_field(void **state)
{
    struct hart *h = H(state);
    uint64_t v;
    /* M: everything M, S or U level */
    assert_true(rd(h, MSTATUS, &v));
    assert_true(rd(h, SSTATUS, &v));
    /* S: S and U CSRs, no M ones */
    set_priv(h, PRV_S);
    assert_true(rd(h, SSTATUS, &v));
    assert_true(rd(h, SEPC, &v));
    assert_false(rd(h, MSTATUS, &v));
    assert_false(wr(h, MSCRATCH, 1));
    assert_false(rd(h, MHARTID, &v));
    /* U: no S CSRs */
    set_priv(h, PRV_U);
    assert_false(rd(h, SSTATUS, &v));
    assert_false(wr(h, SEPC, 0));
    assert_false(rd(h, MEPC, &v));
    assert_true(rd(h, FFLAGS, &v) || (h->mstatus & MSTATUS_FS) == 0);
    /* Hypervisor-level CSRs (csr[9:8]=2) do not exist without H, even in M */
    set_priv(h, PRV_M);
    assert_false(rd(h, 0x200, &v)); /* vsstatus */
    assert_false(rd(h, 0x600, &v)); /* hstatus */
    /* Debug-mode CSRs are not accessible outside debug mode; unknown customs */
    assert_false(rd(h, 0x7b0, &v)); /* dcsr */
    assert_false(rd(h, 0x7c0, &v));
    assert_false(rd(h, 0x5c0, &v));
}

static void test_read_only(void **state)
{
    struct hart *h = H(state);
    uint64_t v = 1;
    /* mvendorid, mhartid: csr[11:10]==3 */
    assert_int_equal(rdv(h, MHARTID), 3);
    assert_int_equal(rdv(h, MVENDORID), 0);
    assert_false(wr(h, MHARTID, 0));
    assert_false(wr(h, MVENDORID, 0));
    /* csrrs/csrrc with rs1=x0 (write=false) read without trapping */
    assert_true(csr_access(h, MHARTID, CSR_OP_RS, 0, false, &v));
    assert_int_equal(v, 3);
    assert_true(csr_access(h, MHARTID, CSR_OP_RC, 0, false, &v));
    assert_true(csr_access(h, CYCLE, CSR_OP_RC, 0, false, &v));
    /* ...but with a register source (even holding 0) they attempt the write */
    assert_false(csr_access(h, MHARTID, CSR_OP_RS, 0, true, &v));
    assert_false(csr_access(h, CYCLE, CSR_OP_RC, 0, true, &v));
    /* the user counters are read-only, even in M */
    assert_false(wr(h, CYCLE, 5));
    assert_false(wr(h, TIME, 5));
    assert_false(wr(h, INSTRET, 5));
    assert_int_equal(rdv(h, MHARTID), 3);
}

static void test_rw_set_clear(void **state)
{
    struct hart *h = H(state);
    uint64_t old;
    wrv(h, MSCRATCH, 0xf0f0f0f0f0f0f0f0ull);
    assert_true(csr_access(h, MSCRATCH, CSR_OP_RS, 0x0f, true, &old));
    assert_int_equal(old, 0xf0f0f0f0f0f0f0f0ull);
    assert_int_equal(rdv(h, MSCRATCH), 0xf0f0f0f0f0f0f0ffull);
    assert_true(csr_access(h, MSCRATCH, CSR_OP_RC, 0xf00000000000000full, true, &old));
    assert_int_equal(old, 0xf0f0f0f0f0f0f0ffull);
    assert_int_equal(rdv(h, MSCRATCH), 0x00f0f0f0f0f0f0f0ull);
    assert_true(csr_access(h, MSCRATCH, CSR_OP_RW, 7, true, &old));
    assert_int_equal(old, 0x00f0f0f0f0f0f0f0ull);
    assert_int_equal(rdv(h, MSCRATCH), 7);
}

static void test_misa(void **state)
{
    struct hart *h = H(state);
    uint64_t misa = rdv(h, MISA);
    assert_int_equal(misa >> 62, 2); /* MXL = 64 */
    const char *ext = "IMAFDCSU";
    for (const char *e = ext; *e; e++)
        assert_true(misa & (1ull << (*e - 'A')));
    assert_false(misa & (1ull << ('H' - 'A')));
    assert_false(misa & (1ull << ('V' - 'A')));
    wrv(h, MISA, 0); /* WARL: the extension set is fixed */
    assert_int_equal(rdv(h, MISA), misa);
}

/* ---- mstatus / sstatus ---- */

static void test_mstatus_warl(void **state)
{
    struct hart *h = H(state);
    /* UXL and SXL are read-only 2 (64-bit) */
    uint64_t s = rdv(h, MSTATUS);
    assert_int_equal((s >> 32) & 3, 2);
    assert_int_equal((s >> 34) & 3, 2);
    wrv(h, MSTATUS, 0);
    s = rdv(h, MSTATUS);
    assert_int_equal(s & (MSTATUS_UXL | MSTATUS_SXL), (2ull << 32) | (2ull << 34));

    /* MPP: 0, 1, 3 stick; 2 (no H-mode) keeps the old value */
    wrv(h, MSTATUS, 1ull << MSTATUS_MPP_SHIFT);
    assert_int_equal((rdv(h, MSTATUS) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, 1);
    wrv(h, MSTATUS, 2ull << MSTATUS_MPP_SHIFT);
    assert_int_equal((rdv(h, MSTATUS) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, 1);
    wrv(h, MSTATUS, 3ull << MSTATUS_MPP_SHIFT);
    assert_int_equal((rdv(h, MSTATUS) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, 3);
    wrv(h, MSTATUS, 0);
    assert_int_equal(rdv(h, MSTATUS) & MSTATUS_MPP, 0);

    /* SD is read-only and summarizes FS (VS and XS are always Off here) */
    wrv(h, MSTATUS, MSTATUS_SD);
    assert_false(rdv(h, MSTATUS) & MSTATUS_SD);
    for (uint64_t fs = 0; fs < 4; fs++) {
        wrv(h, MSTATUS, fs << MSTATUS_FS_SHIFT);
        s = rdv(h, MSTATUS);
        assert_int_equal((s & MSTATUS_FS) >> MSTATUS_FS_SHIFT, fs);
        assert_int_equal(!!(s & MSTATUS_SD), fs == FS_DIRTY);
    }

    /* all ones: exactly the implemented fields, XS/VS/endianness stay 0 */
    wrv(h, MSTATUS, ~0ull);
    s = rdv(h, MSTATUS);
    uint64_t want = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP |
                    MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR |
                    MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | (2ull << 32) | (2ull << 34) |
                    MSTATUS_SD;
    assert_int_equal(s, want);
    assert_int_equal(s & (MSTATUS_XS | MSTATUS_VS | MSTATUS_UBE | MSTATUS_SBE | MSTATUS_MBE),
                     0);
}

static void test_sstatus_view(void **state)
{
    struct hart *h = H(state);
    wrv(h, MSTATUS, MSTATUS_MIE | MSTATUS_MPIE | (3ull << MSTATUS_MPP_SHIFT) | MSTATUS_TVM |
                        MSTATUS_TSR | MSTATUS_TW | MSTATUS_MPRV | MSTATUS_SIE |
                        (3ull << MSTATUS_FS_SHIFT));
    uint64_t ss = rdv(h, SSTATUS);
    /* the M-only fields are invisible; SD, FS, UXL are visible */
    assert_int_equal(ss & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TVM | MSTATUS_TSR |
                           MSTATUS_TW | MSTATUS_MPRV | MSTATUS_SXL),
                     0);
    assert_true(ss & MSTATUS_SIE);
    assert_true(ss & MSTATUS_SD);
    assert_int_equal((ss & MSTATUS_FS) >> MSTATUS_FS_SHIFT, FS_DIRTY);
    assert_int_equal((ss >> 32) & 3, 2);

    /* writes through sstatus touch only the S fields */
    set_priv(h, PRV_S);
    wrv(h, SSTATUS, 0);
    set_priv(h, PRV_M);
    uint64_t ms = rdv(h, MSTATUS);
    assert_true(ms & MSTATUS_MIE);
    assert_true(ms & MSTATUS_MPIE);
    assert_int_equal((ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, 3);
    assert_true(ms & MSTATUS_TVM);
    assert_true(ms & MSTATUS_MPRV);
    assert_false(ms & MSTATUS_SIE);
    assert_false(ms & MSTATUS_FS);
    assert_false(ms & MSTATUS_SD);

    wrv(h, SSTATUS, ~0ull);
    ms = rdv(h, MSTATUS);
    uint64_t sfields = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM |
                       MSTATUS_MXR;
    assert_int_equal(ms & sfields, sfields);
    assert_true(ms & MSTATUS_SD);
    assert_int_equal(rdv(h, SSTATUS) & MSTATUS_UBE, 0);
    /* sstatus writes never reach the M fields */
    wrv(h, MSTATUS, 0);
    wrv(h, SSTATUS, ~0ull);
    ms = rdv(h, MSTATUS);
    assert_int_equal(ms & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV |
                           MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR),
                     0);
}

/* ---- interrupts and delegation ---- */

static void test_deleg_masks(void **state)
{
    struct hart *h = H(state);
    wrv(h, MEDELEG, ~0ull);
    uint64_t e = rdv(h, MEDELEG);
    /* ecall from M (11) can never be delegated; reserved 10, 14, >= 16 stay 0 */
    assert_false(e & (1ull << 11));
    assert_false(e & (1ull << 10));
    assert_false(e & (1ull << 14));
    assert_int_equal(e >> 16, 0);
    /* the defined, delegable causes all are */
    static const unsigned deleg[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 15};
    for (size_t i = 0; i < sizeof(deleg) / sizeof(deleg[0]); i++)
        assert_true(e & (1ull << deleg[i]));

    wrv(h, MIDELEG, ~0ull);
    /* only the S-level interrupts can be delegated (M ones are never) */
    assert_int_equal(rdv(h, MIDELEG), MIP_SSIP | MIP_STIP | MIP_SEIP);
}

static void test_mie_sie(void **state)
{
    struct hart *h = H(state);
    wrv(h, MIE, ~0ull);
    uint64_t all = MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP;
    assert_int_equal(rdv(h, MIE), all);
    /* nothing delegated: sie reads 0 and ignores writes */
    assert_int_equal(rdv(h, SIE), 0);
    wrv(h, SIE, 0);
    assert_int_equal(rdv(h, MIE), all);
    /* delegate STIP only: sie shows/changes just that bit */
    wrv(h, MIDELEG, MIP_STIP);
    assert_int_equal(rdv(h, SIE), MIP_STIP);
    wrv(h, SIE, 0);
    assert_int_equal(rdv(h, MIE), all & ~MIP_STIP);
    wrv(h, SIE, ~0ull);
    assert_int_equal(rdv(h, MIE), all);
    assert_int_equal(rdv(h, SIE), MIP_STIP);
    /* enabling a pending interrupt asks the engine to re-check interrupts;
     * with nothing pending, or when only disabling, the block goes on */
    wrv(h, MIE, 0);
    wrv(h, MIP, 0);
    atomic_store(&h->events, 0);
    wrv(h, MIE, MIP_SSIP);
    assert_false(atomic_load(&h->events) & HART_EV_IRQ);
    wrv(h, MIP, MIP_SSIP);
    assert_true(atomic_load(&h->events) & HART_EV_IRQ);
    atomic_store(&h->events, 0);
    wrv(h, MIE, 0);
    assert_false(atomic_load(&h->events) & HART_EV_IRQ);
    wrv(h, MIE, MIP_SSIP);
    assert_true(atomic_load(&h->events) & HART_EV_IRQ);
    /* mstatus: setting SIE or MIE with SSIP pending and enabled re-checks,
     * clearing them does not */
    atomic_store(&h->events, 0);
    wrv(h, MSTATUS, rdv(h, MSTATUS) | MSTATUS_SIE);
    assert_true(atomic_load(&h->events) & HART_EV_IRQ);
    atomic_store(&h->events, 0);
    wrv(h, MSTATUS, rdv(h, MSTATUS) & ~MSTATUS_SIE);
    assert_false(atomic_load(&h->events) & HART_EV_IRQ);
    wrv(h, MIP, 0);
    wrv(h, MIE, 0);
}

static void test_mip_sip(void **state)
{
    struct hart *h = H(state);
    /* mip: SSIP, STIP, SEIP writable by M; MSIP, MTIP, MEIP are not */
    wrv(h, MIP, ~0ull);
    assert_int_equal(rdv(h, MIP), MIP_SSIP | MIP_STIP | MIP_SEIP);
    wrv(h, MIP, 0);
    assert_int_equal(rdv(h, MIP), 0);
    /* device lines show up in mip and survive software writes */
    hart_set_line(h, IRQ_MTI, true);
    hart_set_line(h, IRQ_MEI, true);
    assert_int_equal(rdv(h, MIP), MIP_MTIP | MIP_MEIP);
    wrv(h, MIP, 0);
    assert_int_equal(rdv(h, MIP), MIP_MTIP | MIP_MEIP);
    hart_set_line(h, IRQ_MTI, false);
    hart_set_line(h, IRQ_MEI, false);
    /* SEIP: software bit OR the external line */
    hart_set_line(h, IRQ_SEI, true);
    assert_int_equal(rdv(h, MIP), MIP_SEIP);
    wrv(h, MIP, MIP_SEIP);
    hart_set_line(h, IRQ_SEI, false);
    assert_int_equal(rdv(h, MIP), MIP_SEIP);
    wrv(h, MIP, 0);

    /* sip: the delegated view */
    wrv(h, MIP, MIP_SSIP | MIP_STIP);
    assert_int_equal(rdv(h, SIP), 0);
    wrv(h, MIDELEG, MIP_SSIP | MIP_STIP | MIP_SEIP);
    assert_int_equal(rdv(h, SIP), MIP_SSIP | MIP_STIP);
    /* only SSIP is writable through sip; STIP/SEIP are read-only there */
    set_priv(h, PRV_S);
    wrv(h, SIP, 0);
    assert_int_equal(rdv(h, SIP), MIP_STIP);
    wrv(h, SIP, MIP_SSIP | MIP_SEIP);
    assert_int_equal(rdv(h, SIP), MIP_SSIP | MIP_STIP);
    /* undelegated SSIP: not visible, not writable through sip */
    set_priv(h, PRV_M);
    wrv(h, MIDELEG, MIP_STIP);
    set_priv(h, PRV_S);
    wrv(h, SIP, 0);
    set_priv(h, PRV_M);
    assert_int_equal(rdv(h, MIP), MIP_SSIP | MIP_STIP);
}

/* ---- trap vectors and epcs ---- */

static void test_tvec_epc(void **state)
{
    struct hart *h = H(state);
    static const unsigned tvec[] = {MTVEC, STVEC};
    for (unsigned k = 0; k < 2; k++) {
        wrv(h, tvec[k], 0x80001000);
        assert_int_equal(rdv(h, tvec[k]), 0x80001000);
        wrv(h, tvec[k], 0x80002001); /* vectored */
        assert_int_equal(rdv(h, tvec[k]), 0x80002001);
        /* modes 2 and 3 are reserved: WARL must not read back a reserved mode */
        wrv(h, tvec[k], 0x80003002);
        assert_true((rdv(h, tvec[k]) & 3) < 2);
        wrv(h, tvec[k], 0x80003003);
        assert_true((rdv(h, tvec[k]) & 3) < 2);
    }
    /* xepc[0] is always 0; with C, bit 1 is writable */
    wrv(h, MEPC, 0x80000003);
    assert_int_equal(rdv(h, MEPC), 0x80000002);
    wrv(h, SEPC, ~0ull);
    assert_int_equal(rdv(h, SEPC), ~1ull);
}

/* ---- satp ---- */

static void test_satp(void **state)
{
    struct hart *h = H(state);
    uint64_t sv39 = (8ull << 60) | (0x1234ull << 44) | 0x80123;
    wrv(h, SATP, sv39);
    assert_int_equal(rdv(h, SATP), sv39);
    /* unsupported modes (Sv48=9, Sv57=10, Sv32 encoding 1, reserved) leave
     * satp unchanged: the whole write has no effect */
    static const uint64_t bad[] = {9, 10, 1, 15};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wrv(h, SATP, (bad[i] << 60) | 0x5555);
        assert_int_equal(rdv(h, SATP), sv39);
    }
    wrv(h, SATP, 0); /* Bare */
    assert_int_equal(rdv(h, SATP), 0);
    wrv(h, SATP, sv39);

    /* TVM: satp is illegal from S (read and write), still fine from M */
    set_priv(h, PRV_S);
    uint64_t v;
    assert_true(rd(h, SATP, &v));
    h->mstatus |= MSTATUS_TVM;
    assert_false(rd(h, SATP, &v));
    assert_false(wr(h, SATP, 0));
    set_priv(h, PRV_M);
    assert_int_equal(rdv(h, SATP), sv39);
    wrv(h, SATP, 0);
    h->mstatus &= ~MSTATUS_TVM;
    set_priv(h, PRV_S);
    wrv(h, SATP, sv39);
    assert_int_equal(rdv(h, SATP), sv39);
}

/* ---- counters ---- */

static void test_counter_enables(void **state)
{
    struct fix *f = *state;
    struct hart *h = f->h;
    uint64_t v;
    f->m->time = 123456;
    h->instret = 1000;
    /* M reads them all regardless of the enables */
    assert_int_equal(rdv(h, TIME), 123456);
    assert_int_equal(rdv(h, INSTRET), 1000);
    assert_int_equal(rdv(h, CYCLE), 1000);

    static const unsigned ctr[] = {CYCLE, TIME, INSTRET, HPMCOUNTER3};
    for (unsigned k = 0; k < 4; k++) {
        unsigned bit = ctr[k] & 0x1f;
        h->mcounteren = h->scounteren = 0;
        set_priv(h, PRV_S);
        assert_false(rd(h, ctr[k], &v));
        set_priv(h, PRV_U);
        assert_false(rd(h, ctr[k], &v));
        /* mcounteren alone: S may, U may not */
        set_priv(h, PRV_M);
        wrv(h, MCOUNTEREN, 1u << bit);
        set_priv(h, PRV_S);
        assert_true(rd(h, ctr[k], &v));
        set_priv(h, PRV_U);
        assert_false(rd(h, ctr[k], &v));
        /* both: U may */
        set_priv(h, PRV_S);
        wrv(h, SCOUNTEREN, 1u << bit);
        set_priv(h, PRV_U);
        assert_true(rd(h, ctr[k], &v));
        /* scounteren alone is not enough for U */
        set_priv(h, PRV_M);
        wrv(h, MCOUNTEREN, ~(1u << bit));
        set_priv(h, PRV_U);
        assert_false(rd(h, ctr[k], &v));
        set_priv(h, PRV_S);
        assert_false(rd(h, ctr[k], &v));
        set_priv(h, PRV_M);
    }
    /* other bits don't enable a counter */
    h->mcounteren = h->scounteren = ~(1u << 1);
    set_priv(h, PRV_U);
    assert_false(rd(h, TIME, &v));
    assert_true(rd(h, CYCLE, &v));
}

static void test_counter_writes(void **state)
{
    struct hart *h = H(state);
    h->instret = 500;
    /* a value written to minstret is the value the next instruction reads:
     * the writing instruction's own retirement does not count */
    wrv(h, MINSTRET, 10000);
    h->instret++; /* the csrw retires */
    assert_int_equal(rdv(h, MINSTRET), 10000);
    assert_int_equal(rdv(h, INSTRET), 10000);
    h->instret += 5;
    assert_int_equal(rdv(h, MINSTRET), 10005);

    wrv(h, MCYCLE, 0);
    h->instret++;
    assert_int_equal(rdv(h, MCYCLE), 0);
    assert_int_equal(rdv(h, CYCLE), 0);
    /* minstret unaffected by the mcycle write */
    assert_int_equal(rdv(h, MINSTRET), 10006);
    /* mhpmcounters are read-only zero here, but writable (no trap) */
    wrv(h, 0xb03, 99);
    assert_int_equal(rdv(h, 0xb03), 0);
}

/* Privileged spec 3.1.13: while mcountinhibit.CY (IR) reads as 1, mcycle
 * (minstret) must not increment. The register is WARL, so a bit may also be
 * hardwired to 0 - but a bit that reads 1 must really inhibit. */
static void test_countinhibit(void **state)
{
    struct hart *h = H(state);
    wrv(h, 0x320, 0x5); /* CY | IR */
    uint64_t inh = rdv(h, 0x320);
    assert_false(inh & 2); /* TM does not exist */
    uint64_t c0 = rdv(h, MCYCLE), i0 = rdv(h, MINSTRET);
    h->instret += 100;
    if (inh & 1)
        assert_int_equal(rdv(h, MCYCLE), c0);
    if (inh & 4)
        assert_int_equal(rdv(h, MINSTRET), i0);
    wrv(h, 0x320, 0);
    assert_int_equal(rdv(h, 0x320), 0);
    uint64_t c1 = rdv(h, MCYCLE);
    h->instret += 7;
    assert_int_equal(rdv(h, MCYCLE), c1 + 7);
}

/* ---- floating-point CSRs ---- */

static void test_fcsr(void **state)
{
    struct hart *h = H(state);
    h->mstatus = (h->mstatus & ~MSTATUS_FS) | (1ull << MSTATUS_FS_SHIFT); /* Initial */
    wrv(h, FCSR, 0x1ff); /* bits above 7 are reserved zero */
    assert_int_equal(rdv(h, FCSR), 0xff);
    assert_int_equal(rdv(h, FRM), 7);
    assert_int_equal(rdv(h, FFLAGS), 0x1f);
    /* a write makes FS Dirty (and so SD) */
    assert_int_equal((h->mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT, FS_DIRTY);
    assert_true(rdv(h, MSTATUS) & MSTATUS_SD);

    wrv(h, FRM, 0xfa); /* 3 bits */
    assert_int_equal(rdv(h, FRM), 2);
    assert_int_equal(rdv(h, FCSR), (2 << 5) | 0x1f);
    wrv(h, FFLAGS, 0xe1); /* 5 bits */
    assert_int_equal(rdv(h, FFLAGS), 1);
    assert_int_equal(rdv(h, FCSR), (2 << 5) | 1);
    uint64_t old;
    assert_true(csr_access(h, FFLAGS, CSR_OP_RS, 0x10, true, &old));
    assert_int_equal(old, 1);
    assert_int_equal(rdv(h, FCSR), (2 << 5) | 0x11);

    /* a pure read does not dirty the state */
    h->mstatus = (h->mstatus & ~(MSTATUS_FS | MSTATUS_SD)) | (2ull << MSTATUS_FS_SHIFT);
    (void)rdv(h, FCSR);
    assert_int_equal((h->mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT, FS_CLEAN);

    /* FS=Off: every FP CSR access is illegal, and nothing changes */
    wrv(h, MSTATUS, h->mstatus & ~MSTATUS_FS);
    uint64_t v;
    assert_false(rd(h, FFLAGS, &v));
    assert_false(rd(h, FRM, &v));
    assert_false(rd(h, FCSR, &v));
    assert_false(wr(h, FCSR, 0));
    assert_int_equal(h->mstatus & MSTATUS_FS, 0);
    assert_int_equal(h->frm, 2);
    /* U-level: accessible from U when FS is on */
    wrv(h, MSTATUS, 1ull << MSTATUS_FS_SHIFT);
    set_priv(h, PRV_U);
    assert_true(rd(h, FCSR, &v));
    assert_int_equal(v, (2 << 5) | 0x11);
}

/* ---- PMP CSRs (16 entries implemented) ---- */

static void test_pmp(void **state)
{
    struct hart *h = H(state);
    uint64_t v;
    /* RV64: odd pmpcfg registers do not exist */
    for (unsigned n = 1; n < 16; n += 2) {
        assert_false(rd(h, PMPCFG0 + n, &v));
        assert_false(wr(h, PMPCFG0 + n, 0));
    }
    /* pmpcfg0 and pmpcfg2 hold entries 0..15 */
    wrv(h, PMPCFG0, 0x0f0d0b0907050301ull);
    assert_int_equal(rdv(h, PMPCFG0), 0x0f0d0b0907050301ull);
    wrv(h, PMPCFG0 + 2, 0x1f1f1f1f1f1f1f1full);
    assert_int_equal(rdv(h, PMPCFG0 + 2), 0x1f1f1f1f1f1f1f1full);
    /* reserved bits 6:5 read zero; R=0,W=1 is reserved (WARL: not stored) */
    wrv(h, PMPCFG0, 0x60);
    assert_int_equal(rdv(h, PMPCFG0) & 0xff, 0);
    wrv(h, PMPCFG0, 0x02);
    assert_int_not_equal(rdv(h, PMPCFG0) & 0x3, 0x2);
    /* entries 16..63 are not implemented: read zero, writes ignored */
    for (unsigned n = 4; n < 16; n += 2) {
        wrv(h, PMPCFG0 + n, ~0ull);
        assert_int_equal(rdv(h, PMPCFG0 + n), 0);
    }
    for (unsigned n = 16; n < 64; n++) {
        wrv(h, PMPADDR0 + n, ~0ull);
        assert_int_equal(rdv(h, PMPADDR0 + n), 0);
    }
    /* pmpaddr holds bits 55:2 of the address: 54 bits */
    wrv(h, PMPADDR0 + 5, ~0ull);
    assert_int_equal(rdv(h, PMPADDR0 + 5), (1ull << 54) - 1);
}

static void test_pmp_lock(void **state)
{
    struct hart *h = H(state);
    wrv(h, PMPADDR0 + 2, 0x1000);
    wrv(h, PMPADDR0 + 3, 0x2000);
    /* entry 2: L, NAPOT, RWX; entry 3 unlocked */
    wrv(h, PMPCFG0, (0x9full << 16) | (0x0full << 24));
    /* locked entry: cfg byte and address no longer writable (by M either) */
    wrv(h, PMPCFG0, 0);
    assert_int_equal(rdv(h, PMPCFG0), 0x9full << 16);
    wrv(h, PMPADDR0 + 2, 0x5555);
    assert_int_equal(rdv(h, PMPADDR0 + 2), 0x1000);
    /* neighbours stay writable */
    wrv(h, PMPADDR0 + 3, 0x3000);
    assert_int_equal(rdv(h, PMPADDR0 + 3), 0x3000);
    wrv(h, PMPCFG0, (0x9full << 16) | 0x0b);
    assert_int_equal(rdv(h, PMPCFG0), (0x9full << 16) | 0x0b);
    /* hart reset unlocks */
    hart_reset(h, 0x1000);
    wrv(h, PMPADDR0 + 2, 0x5555);
    assert_int_equal(rdv(h, PMPADDR0 + 2), 0x5555);
}

/* Privileged spec 3.7.1: "if PMP entry i's A field is set to TOR [and it is
 * locked], writes to pmpaddr(i-1) are ignored", since that address is the
 * bottom of the locked range. */
static void test_pmp_lock_tor(void **state)
{
    struct hart *h = H(state);
    wrv(h, PMPADDR0 + 0, 0x1000);
    wrv(h, PMPADDR0 + 1, 0x2000);
    /* entry 1: L, TOR (A=1), R */
    wrv(h, PMPCFG0, 0x89ull << 8);
    wrv(h, PMPADDR0 + 0, 0x0);
    assert_int_equal(rdv(h, PMPADDR0 + 0), 0x1000);
    wrv(h, PMPADDR0 + 1, 0x0);
    assert_int_equal(rdv(h, PMPADDR0 + 1), 0x2000);
    /* a locked entry that is not TOR does not protect its predecessor */
    hart_reset(h, 0x1000);
    wrv(h, PMPCFG0, 0x99ull << 8); /* entry 1: L, NAPOT, R */
    wrv(h, PMPADDR0 + 0, 0x7000);
    assert_int_equal(rdv(h, PMPADDR0 + 0), 0x7000);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_privilege_field), T(test_read_only),    T(test_rw_set_clear),
        T(test_misa),            T(test_mstatus_warl), T(test_sstatus_view),
        T(test_deleg_masks),     T(test_mie_sie),      T(test_mip_sip),
        T(test_tvec_epc),        T(test_satp),         T(test_counter_enables),
        T(test_counter_writes),  T(test_countinhibit), T(test_fcsr),         T(test_pmp),
        T(test_pmp_lock),        T(test_pmp_lock_tor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
