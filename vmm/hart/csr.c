/*
 * csr.c - CSR reads and writes with their WARL rules (see csr.h).
 */
#include "vmm/hart/csr.h"

#include "rvvm/device.h"
#include "vmm/hart/mmu.h"
#include "vmm/hart/trap.h"

enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER3 = 0xc03, CSR_HPMCOUNTER31 = 0xc1f,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_SATP = 0x180,
    CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13, CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320, CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG15 = 0x3af, CSR_PMPADDR0 = 0x3b0, CSR_PMPADDR63 = 0x3ef,
    CSR_TSELECT = 0x7a0, CSR_TDATA1 = 0x7a1, CSR_TDATA2 = 0x7a2, CSR_TDATA3 = 0x7a3,
    CSR_TINFO = 0x7a4,
    CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02, CSR_MHPMCOUNTER3 = 0xb03,
    CSR_MHPMCOUNTER31 = 0xb1f,
};

#define SSTATUS_MASK                                                                          \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS | MSTATUS_FS |       \
     MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MSTATUS_WRITABLE                                                                      \
    (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |     \
     MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |        \
     MSTATUS_TSR)
#define SSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)

/* Exceptions that can be delegated: all defined ones but ecall from M. */
#define MEDELEG_MASK 0xb3ffull
#define MIDELEG_MASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define MIE_MASK (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)
#define MIP_SW_MASK (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define SATP_MODE_SV39 8ull
#define PMPADDR_MASK ((1ull << 54) - 1)
#define PMP_L 0x80u

static uint64_t mstatus_with_sd(uint64_t s)
{
    s &= ~MSTATUS_SD;
    if ((s & MSTATUS_FS) == MSTATUS_FS || (s & MSTATUS_XS) == MSTATUS_XS ||
        (s & MSTATUS_VS) == MSTATUS_VS)
        s |= MSTATUS_SD;
    return s;
}

/* Enables changed: stop at the block boundary to take an interrupt, if
 * one is pending and enabled at all. (A line that rises later kicks the
 * hart itself; so do writes of the software-pending bits.) Leaving the
 * block only when needed keeps Linux's irq save/restore in line. */
static void irq_recheck(struct hart *h)
{
    if (hart_mip(h) & h->mie)
        hart_request(h, HART_EV_IRQ);
}

static void write_mstatus(struct hart *h, uint64_t v, uint64_t mask)
{
    uint64_t old = h->mstatus;
    /* MPP is WARL: H-mode (2) does not exist; keep the old value. */
    if ((mask & MSTATUS_MPP) && ((v & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2)
        mask &= ~MSTATUS_MPP;
    uint64_t s = (old & ~mask) | (v & mask);
    h->mstatus = mstatus_with_sd(s);
    /* MXR changes what cached read translations allow. */
    if ((old ^ h->mstatus) & MSTATUS_MXR)
        tlb_flush_all(h);
    hart_update_sets(h);
    /* Only enabling can make an interrupt deliverable. */
    if (h->mstatus & ~old & (MSTATUS_MIE | MSTATUS_SIE))
        irq_recheck(h);
}

/* Zicntr/Zihpm access from below M: mcounteren (and scounteren for U). */
static bool counter_allowed(const struct hart *h, unsigned csr)
{
    unsigned bit = csr & 0x1f;
    if (h->priv < PRV_M && !((h->mcounteren >> bit) & 1))
        return false;
    if (h->priv < PRV_S && !((h->scounteren >> bit) & 1))
        return false;
    return true;
}

static bool csr_read(struct hart *h, unsigned csr, uint64_t *v)
{
    switch (csr) {
    case CSR_FFLAGS:
        if (!csr_fs_enabled(h)) return false;
        *v = h->fflags; return true;
    case CSR_FRM:
        if (!csr_fs_enabled(h)) return false;
        *v = h->frm; return true;
    case CSR_FCSR:
        if (!csr_fs_enabled(h)) return false;
        *v = (h->frm << 5) | h->fflags; return true;
    case CSR_CYCLE:
        if (!counter_allowed(h, csr)) return false;
        *v = h->instret + (uint64_t)h->cycle_offset; return true;
    case CSR_TIME:
        if (!counter_allowed(h, csr)) return false;
        *v = machine_time(h->machine); return true;
    case CSR_INSTRET:
        if (!counter_allowed(h, csr)) return false;
        *v = h->instret + (uint64_t)h->instret_offset; return true;
    case CSR_SSTATUS: *v = h->mstatus & SSTATUS_MASK; return true;
    case CSR_SIE: *v = h->mie & h->mideleg; return true;
    case CSR_STVEC: *v = h->stvec; return true;
    case CSR_SCOUNTEREN: *v = h->scounteren; return true;
    case CSR_SENVCFG: *v = h->senvcfg; return true;
    case CSR_SSCRATCH: *v = h->sscratch; return true;
    case CSR_SEPC: *v = h->sepc; return true;
    case CSR_SCAUSE: *v = h->scause; return true;
    case CSR_STVAL: *v = h->stval; return true;
    case CSR_SIP: *v = hart_mip(h) & h->mideleg; return true;
    case CSR_SATP:
        if (h->priv == PRV_S && (h->mstatus & MSTATUS_TVM)) return false;
        *v = h->satp; return true;
    case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: case CSR_MCONFIGPTR:
        *v = 0; return true;
    case CSR_MHARTID: *v = h->hartid; return true;
    case CSR_MSTATUS: *v = h->mstatus; return true;
    case CSR_MISA: *v = h->misa; return true;
    case CSR_MEDELEG: *v = h->medeleg; return true;
    case CSR_MIDELEG: *v = h->mideleg; return true;
    case CSR_MIE: *v = h->mie; return true;
    case CSR_MTVEC: *v = h->mtvec; return true;
    case CSR_MCOUNTEREN: *v = h->mcounteren; return true;
    case CSR_MENVCFG: *v = h->menvcfg; return true;
    case CSR_MCOUNTINHIBIT: *v = h->mcountinhibit; return true;
    case CSR_MSCRATCH: *v = h->mscratch; return true;
    case CSR_MEPC: *v = h->mepc; return true;
    case CSR_MCAUSE: *v = h->mcause; return true;
    case CSR_MTVAL: *v = h->mtval; return true;
    case CSR_MIP: *v = hart_mip(h); return true;
    /* Sdtrig with zero triggers, the way the debug spec lets a hart say so:
     * tselect is hardwired to 0 (a debugger reads back what it wrote and
     * sees the index does not exist), tdata1 reads type 0 ("no trigger at
     * this tselect"), tdata2/3 read 0, tinfo reads 1 (only type 0). Writes
     * are ignored (see csr_write). Without these CSRs, software that probes
     * for triggers (OpenSBI, the riscv-tests breakpoint test) would take an
     * illegal-instruction trap it does not expect. */
    case CSR_TSELECT: case CSR_TDATA1: case CSR_TDATA2: case CSR_TDATA3:
        *v = 0; return true;
    case CSR_TINFO: *v = 1; return true;
    case CSR_MCYCLE: *v = h->instret + (uint64_t)h->cycle_offset; return true;
    case CSR_MINSTRET: *v = h->instret + (uint64_t)h->instret_offset; return true;
    }
    if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31) {
        if (!counter_allowed(h, csr)) return false;
        *v = 0; return true;
    }
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        *v = 0; return true;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned n = csr - CSR_PMPCFG0;
        if (n & 1) return false; /* odd pmpcfg registers do not exist on RV64 */
        *v = n / 2 < PMP_COUNT / 8 ? h->pmpcfg[n / 2] : 0;
        return true;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        unsigned n = csr - CSR_PMPADDR0;
        *v = n < PMP_COUNT ? h->pmpaddr[n] : 0;
        return true;
    }
    return false;
}

static bool pmp_locked(const struct hart *h, unsigned i)
{
    return (h->pmpcfg[i / 8] >> (8 * (i % 8))) & PMP_L;
}

static void csr_write(struct hart *h, unsigned csr, uint64_t v)
{
    switch (csr) {
    case CSR_FFLAGS: h->fflags = v & 0x1f; csr_fs_dirty(h); return;
    case CSR_FRM: h->frm = v & 7; csr_fs_dirty(h); return;
    case CSR_FCSR: h->fflags = v & 0x1f; h->frm = (v >> 5) & 7; csr_fs_dirty(h); return;
    case CSR_SSTATUS: write_mstatus(h, v, SSTATUS_WRITABLE); return;
    case CSR_SIE:
        h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg & MIE_MASK);
        hart_request(h, HART_EV_IRQ);
        return;
    case CSR_STVEC: h->stvec = (v & 3) < 2 ? v : v & ~3ull; return;
    case CSR_SCOUNTEREN: h->scounteren = (uint32_t)v; return;
    case CSR_SENVCFG: h->senvcfg = v & 1; return;
    case CSR_SSCRATCH: h->sscratch = v; return;
    case CSR_SEPC: h->sepc = v & ~1ull; return;
    case CSR_SCAUSE: h->scause = v; return;
    case CSR_STVAL: h->stval = v; return;
    case CSR_SIP: {
        /* Only SSIP is writable from S, and only when delegated. */
        uint64_t m = MIP_SSIP & h->mideleg;
        h->mip_sw = (h->mip_sw & ~m) | (v & m);
        hart_request(h, HART_EV_IRQ);
        return;
    }
    case CSR_SATP: {
        uint64_t mode = v >> 60;
        if (mode != 0 && mode != SATP_MODE_SV39)
            return; /* unsupported mode: the whole write has no effect */
        /* ASID is 16 bits, PPN 44 bits. */
        h->satp = v & ((0xfull << 60) | (0xffffull << 44) | ((1ull << 44) - 1));
        tlb_flush_all(h);
        hart_vmap(h, VMAP_ALL);
        return;
    }
    case CSR_MSTATUS: write_mstatus(h, v, MSTATUS_WRITABLE); return;
    case CSR_MISA: return; /* WARL: the extension set is fixed */
    case CSR_MEDELEG: h->medeleg = v & MEDELEG_MASK; return;
    case CSR_MIDELEG: h->mideleg = v & MIDELEG_MASK; irq_recheck(h); return;
    case CSR_MIE: h->mie = v & MIE_MASK; irq_recheck(h); return;
    case CSR_MTVEC: h->mtvec = (v & 3) < 2 ? v : v & ~3ull; return;
    case CSR_MCOUNTEREN: h->mcounteren = (uint32_t)v; return;
    case CSR_MENVCFG: h->menvcfg = v & 1; return;
    /* CY and IR are hardwired to 0 (WARL): mcycle and minstret derive from
     * instret and cannot be stopped. HPM bits may stick: those never count. */
    case CSR_MCOUNTINHIBIT: h->mcountinhibit = (uint32_t)v & ~7u; return;
    case CSR_MSCRATCH: h->mscratch = v; return;
    case CSR_MEPC: h->mepc = v & ~1ull; return;
    case CSR_MCAUSE: h->mcause = v; return;
    case CSR_MTVAL: h->mtval = v; return;
    case CSR_MIP:
        h->mip_sw = (h->mip_sw & ~MIP_SW_MASK) | (v & MIP_SW_MASK);
        hart_request(h, HART_EV_IRQ);
        return;
    /* The instruction that writes a counter does not also count itself. */
    case CSR_MCYCLE: h->cycle_offset = (int64_t)(v - h->instret - 1); return;
    case CSR_MINSTRET: h->instret_offset = (int64_t)(v - h->instret - 1); return;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned n = (csr - CSR_PMPCFG0) / 2;
        if (n >= PMP_COUNT / 8)
            return;
        uint64_t cur = h->pmpcfg[n], out = 0;
        for (unsigned i = 0; i < 8; i++) {
            uint64_t b = (v >> (8 * i)) & 0xff;
            if (pmp_locked(h, n * 8 + i))
                b = (cur >> (8 * i)) & 0xff;
            else if ((b & 3) == 2) /* R=0 W=1 is reserved: keep the old byte */
                b = (cur >> (8 * i)) & 0xff;
            out |= (b & 0x9f) << (8 * i);
        }
        h->pmpcfg[n] = out;
        return;
    }
    if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + PMP_COUNT) {
        unsigned n = csr - CSR_PMPADDR0;
        /* A locked TOR entry n+1 also locks pmpaddr n, its range's bottom. */
        bool next_tor = n + 1 < PMP_COUNT && pmp_locked(h, n + 1) &&
                        ((h->pmpcfg[(n + 1) / 8] >> (8 * ((n + 1) % 8) + 3)) & 3) == 1;
        if (!pmp_locked(h, n) && !next_tor)
            h->pmpaddr[n] = v & PMPADDR_MASK;
        return;
    }
    /* Remaining writable CSRs (hpm counters and events, upper PMP entries,
     * the trigger CSRs of a hart with no triggers) are read-only zero. */
}

bool csr_access(struct hart *h, unsigned csr, enum csr_op op, uint64_t operand, bool write,
                uint64_t *old)
{
    csr &= 0xfff;
    /* csr[9:8] is the lowest privilege that may access it. */
    if (h->priv < ((csr >> 8) & 3))
        return false;
    /* csr[11:10] == 3: read-only. */
    if (write && (csr >> 10) == 3)
        return false;
    uint64_t v;
    if (!csr_read(h, csr, &v))
        return false;
    *old = v;
    if (!write)
        return true;
    /* Priv. spec, mip.SEIP: only the software-writable SEIP bit takes part in
     * the read-modify-write of CSRRS/CSRRC, not the PLIC's line ORed into
     * the value read. Otherwise OpenSBI's csr_set(mip, STIP) latches a
     * device interrupt that happens to be pending into SEIP for good. */
    uint64_t base = v;
    if (csr == CSR_MIP)
        base = (v & ~(1ull << IRQ_SEI)) | (h->mip_sw & (1ull << IRQ_SEI));
    uint64_t nv = op == CSR_OP_RW ? operand : op == CSR_OP_RS ? base | operand : base & ~operand;
    csr_write(h, csr, nv);
    return true;
}
