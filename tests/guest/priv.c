/* Privileged architecture (v1.12): misa, mstatus fields (MPP/SPP/MPIE/SPIE
 * transitions on trap, mret, sret; FS Off traps, Dirty + SD after FP writes;
 * SXL/UXL), sstatus as a view, medeleg, mtvec/xepc WARL, mcounteren/
 * scounteren, menvcfg/senvcfg, PMP CSRs, satp WARL, and the TVM/TW/TSR
 * traps plus privileged instructions from lower modes. */
#include "rt.h"

static u64 read_cycle(u64 a) { (void)a; return csr_read(cycle); }
static u64 read_time(u64 a) { (void)a; return csr_read(time); }
static u64 read_instret(u64 a) { (void)a; return csr_read(instret); }

/* M-mode timer interrupts seen by timer_hook; while timer_rearm is set the
 * hook re-arms the timer, so a wfi reached just after an interrupt (the
 * check-then-wfi race every idle loop has when it cannot mask M interrupts)
 * is still woken by the next tick. */
static volatile u64 timer_hits;
static volatile int timer_rearm;

/* In a lower mode: run one instruction selected by arg, report the trap
 * cause seen (or ~0 if none). */
static u64 try_in_mode(u64 which)
{
    expect_trap();
    switch (which) {
    case 0: asm volatile("csrr t0, satp" ::: "t0"); break;
    case 1: asm volatile("sfence.vma" ::: "memory"); break;
    case 2: asm volatile("wfi"); break;
    case 3: asm volatile("sret"); break; /* only used where it must trap */
    case 4: asm volatile("mret"); break;
    case 5: asm volatile("csrr t0, mstatus" ::: "t0"); break;
    case 6: asm volatile("csrr t0, sstatus" ::: "t0"); break;
    case 7: asm volatile("csrr t0, cycle" ::: "t0"); break;
    case 8: asm volatile("csrr t0, time" ::: "t0"); break;
    case 9: asm volatile("csrr t0, instret" ::: "t0"); break;
    case 10: asm volatile("csrw satp, x0"); break;
    case 11: asm volatile("csrr t0, mscratch" ::: "t0"); break;
    case 12: asm volatile("csrr t0, sscratch" ::: "t0"); break;
    /* The idle pattern: the timer may fire before the first wfi (the host
     * can be slow), so wait until the handler has seen it. */
    case 13: while (!timer_hits) asm volatile("wfi"); break;
    }
    u64 c = last_trap.count ? last_trap.cause : ~0UL;
    trap_disarm();
    return c;
}
#define TRY(mode, which) enter_mode(mode, try_in_mode, which)

/* Hook: an ecall with a7 = TO_M returns to M mode (MPP <- M) right after
 * the ecall; records mstatus at trap time. */
#define TO_M 0x4d4dUL
static volatile u64 to_m_status;
static int to_m_hook(struct trap_frame *f, u64 cause, u64 tval, u64 *epc, int mode)
{
    (void)tval;
    if (mode != PRV_M || f->x[17] != TO_M || (cause != CAUSE_ECALL_S && cause != CAUSE_ECALL_U))
        return 0;
    to_m_status = csr_read(mstatus);
    csr_set(mstatus, MSTATUS_MPP);
    f->x[10] = cause;
    *epc += 4;
    return 1;
}
static u64 to_m(void)
{
    register u64 a0 asm("a0");
    register u64 a7 asm("a7") = TO_M;
    trap_hook = to_m_hook;
    asm volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
    trap_hook = 0;
    return a0;
}
static int timer_hook(struct trap_frame *f, u64 cause, u64 tval, u64 *epc, int mode)
{
    (void)f, (void)tval, (void)epc, (void)mode;
    if (cause != (CAUSE_INTR | IRQ_MTI))
        return 0;
    set_mtimecmp(timer_rearm ? mtime() + 1000 : ~0UL);
    timer_hits++;
    return 1;
}

static u64 fp_write(u64 a)
{
    asm volatile("fmv.d.x ft5, %0" :: "r"(a) : "ft5");
    return 0;
}

int main(void)
{
    u64 r;
    /* misa: RV64 (MXL = 2) with I M A F D C S U */
    u64 misa = csr_read(misa);
    CHECK_EQ(misa >> 62, 2);
    const char *ext = "IMAFDCSU";
    for (const char *e = ext; *e; e++)
        check_true_(__FILE__, __LINE__, "misa extension bit", !!(misa & (1UL << (*e - 'A'))));
    CHECK_EQ(csr_read(mhartid), 0);
    (void)csr_read(mvendorid);
    (void)csr_read(marchid);
    (void)csr_read(mimpid);

    /* mstatus: SXL = UXL = 2 (read-only), MPP WARL never holds 2 */
    u64 ms = csr_read(mstatus);
    CHECK_EQ((ms & MSTATUS_SXL) >> 34, 2);
    CHECK_EQ((ms & MSTATUS_UXL) >> 32, 2);
    csr_clear(mstatus, MSTATUS_MPP);
    csr_set(mstatus, 2UL << 11);
    /* QEMU 7.2 stores MPP = 2 as written (no WARL legalisation); tolerated there */
    CHECK(((csr_read(mstatus) & MSTATUS_MPP) >> 11) != 2 || on_qemu7());
    csr_set(mstatus, MSTATUS_MPP);
    CHECK_EQ(csr_read(mstatus) & MSTATUS_MPP, MSTATUS_MPP);
    /* sstatus is a restricted view of mstatus */
    csr_write(sstatus, ~0UL);
    ms = csr_read(mstatus);
    CHECK(!(ms & MSTATUS_MIE) && !(ms & MSTATUS_MPIE));
    CHECK(ms & MSTATUS_SIE);
    CHECK(ms & MSTATUS_SUM);
    CHECK(ms & MSTATUS_MXR);
    r = csr_read(sstatus);
    CHECK_EQ(r & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR), 0);
    csr_write(sstatus, 0);
    CHECK_EQ(csr_read(mstatus) & (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR), 0);
    csr_set(mstatus, FS_INITIAL);

    /* FS: Off -> every FP instruction and FP CSR access is illegal */
    csr_clear(mstatus, MSTATUS_FS);
    CHECK_EQ(csr_read(mstatus) & MSTATUS_SD, 0);
    extern char fs1[];
    expect_trap();
    asm volatile("fs1: fadd.d ft0, ft1, ft2" ::: "ft0");
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)fs1);
    expect_trap();
    asm volatile("fmv.x.d t0, ft0" ::: "t0");
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    expect_trap();
    asm volatile("fld ft0, 0(sp)" ::: "ft0");
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    expect_trap();
    asm volatile("csrr t0, fcsr" ::: "t0");
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    expect_trap();
    asm volatile("csrw fflags, x0");
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    expect_trap();
    asm volatile("c.fldsp ft0, 0(sp)" ::: "ft0");
    CHECK_TRAP(CAUSE_ILLEGAL, 0x2002);
    /* Initial/Clean -> Dirty after an FP register write, SD = 1 */
    csr_set(mstatus, FS_CLEAN);
    CHECK_EQ(csr_read(mstatus) & (MSTATUS_FS | MSTATUS_SD), FS_CLEAN);
    fp_write(1);
    CHECK_EQ(csr_read(mstatus) & (MSTATUS_FS | MSTATUS_SD), FS_DIRTY | MSTATUS_SD);
    CHECK(csr_read(sstatus) & MSTATUS_SD);
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, FS_INITIAL);
    asm volatile("csrw fflags, x0");
    CHECK_EQ(csr_read(mstatus) & MSTATUS_FS, FS_DIRTY); /* fcsr writes dirty it too */
    csr_clear(mstatus, MSTATUS_FS);
    csr_set(mstatus, FS_INITIAL);

    /* trap entry: MPIE <- MIE, MIE <- 0, MPP <- mode; mret: MIE <- MPIE,
     * MPIE <- 1, MPP <- U */
    csr_write(mie, 0);
    csr_set(mstatus, MSTATUS_MIE);
    expect_trap();
    asm volatile("ecall");
    CHECK_TRAP_CAUSE(CAUSE_ECALL_M);
    CHECK_EQ(last_trap.status & (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP), MSTATUS_MPIE | MSTATUS_MPP);
    ms = csr_read(mstatus);
    CHECK(ms & MSTATUS_MIE);
    CHECK(ms & MSTATUS_MPIE);
    CHECK_EQ(ms & MSTATUS_MPP, 0); /* mret sets MPP to U */
    csr_clear(mstatus, MSTATUS_MIE);
    /* sret from M: SIE <- SPIE, SPIE <- 1, SPP <- U, mode <- SPP (S) */
    csr_set(mstatus, MSTATUS_SPIE | MSTATUS_SPP);
    csr_clear(mstatus, MSTATUS_SIE);
    extern char after_sret[];
    csr_write(sepc, (u64)after_sret);
    asm volatile("sret\n after_sret:");
    /* now in S mode: prove it with an ecall the hook turns into "return to M" */
    r = to_m();
    CHECK_EQ(r & 0xffff, CAUSE_ECALL_S);
    ms = to_m_status;
    CHECK(ms & MSTATUS_SIE);
    CHECK(ms & MSTATUS_SPIE);
    CHECK_EQ(ms & MSTATUS_SPP, 0);
    csr_clear(mstatus, MSTATUS_SIE);

    /* xepc: bit 0 always reads 0 (IALIGN = 16). QEMU 7.2 keeps bit 0;
     * tolerated there. */
    csr_write(mepc, 0x80001233UL);
    CHECK_EQ(csr_read(mepc), on_qemu7() ? csr_read(mepc) : 0x80001232UL);
    csr_write(sepc, ~0UL);
    CHECK_EQ(csr_read(sepc), on_qemu7() ? csr_read(sepc) : ~1UL);
    CHECK_EQ(csr_read(mepc) & ~1UL, 0x80001232UL);
    /* mtvec/stvec: direct (0) and vectored (1) modes hold; 2/3 reserved */
    u64 mt = csr_read(mtvec);
    csr_write(mtvec, 0x80000101UL);
    CHECK_EQ(csr_read(mtvec), 0x80000101UL);
    csr_write(mtvec, 0x80000102UL);
    CHECK((csr_read(mtvec) & 3) != 2);
    csr_write(mtvec, mt);
    csr_write(stvec, 0x80000201UL);
    CHECK_EQ(csr_read(stvec), 0x80000201UL);
    csr_write(stvec, (u64)s_trap_entry);
    CHECK_EQ(csr_read(stvec), (u64)s_trap_entry);

    /* medeleg: synchronous exceptions delegable, ecall-from-M is not */
    csr_write(medeleg, ~0UL);
    r = csr_read(medeleg);
    CHECK_EQ(r & ((1UL << CAUSE_ECALL_U) | (1UL << CAUSE_BREAKPOINT) | (1UL << CAUSE_ILLEGAL) |
                  (1UL << CAUSE_FETCH_PAGE) | (1UL << CAUSE_LOAD_PAGE) | (1UL << CAUSE_STORE_PAGE)),
             (1UL << CAUSE_ECALL_U) | (1UL << CAUSE_BREAKPOINT) | (1UL << CAUSE_ILLEGAL) |
             (1UL << CAUSE_FETCH_PAGE) | (1UL << CAUSE_LOAD_PAGE) | (1UL << CAUSE_STORE_PAGE));
    /* medeleg[11] "should be" read-only zero (v1.12; "is" in v1.13);
     * QEMU 7.2 lets it be written, tolerated there */
    CHECK_EQ(r & (1UL << CAUSE_ECALL_M), on_qemu7() ? (r & (1UL << CAUSE_ECALL_M)) : 0);
    csr_write(medeleg, 0);
    /* delegated exception from U goes to S with scause/sepc/stval, SPP = U */
    csr_write(medeleg, 1UL << CAUSE_ILLEGAL);
    CHECK_EQ(enter_mode(PRV_U, try_in_mode, 5), CAUSE_ILLEGAL);
    CHECK_EQ(last_trap.mode, PRV_S);
    CHECK_EQ(last_trap.status & MSTATUS_SPP, 0);
    CHECK_EQ(enter_mode(PRV_S, try_in_mode, 5), CAUSE_ILLEGAL);
    CHECK_EQ(last_trap.mode, PRV_S);
    CHECK_EQ(last_trap.status & MSTATUS_SPP, MSTATUS_SPP);
    /* exceptions in M are never delegated */
    expect_trap();
    asm volatile(".word 0x0000000b");
    CHECK_TRAP(CAUSE_ILLEGAL, 0xb);
    CHECK_EQ(last_trap.mode, PRV_M);
    csr_write(medeleg, 0);

    /* privileged instructions and CSRs from lower modes */
    CHECK_EQ(TRY(PRV_U, 4), CAUSE_ILLEGAL);  /* mret in U */
    CHECK_EQ(TRY(PRV_S, 4), CAUSE_ILLEGAL);  /* mret in S */
    CHECK_EQ(TRY(PRV_U, 5), CAUSE_ILLEGAL);  /* mstatus from U */
    CHECK_EQ(TRY(PRV_S, 5), CAUSE_ILLEGAL);  /* mstatus from S */
    CHECK_EQ(TRY(PRV_U, 6), CAUSE_ILLEGAL);  /* sstatus from U */
    CHECK_EQ(TRY(PRV_S, 6), ~0UL);
    CHECK_EQ(TRY(PRV_U, 0), CAUSE_ILLEGAL);  /* satp from U */
    CHECK_EQ(TRY(PRV_U, 1), CAUSE_ILLEGAL);  /* sfence.vma from U */
    CHECK_EQ(TRY(PRV_S, 11), CAUSE_ILLEGAL); /* mscratch from S */
    CHECK_EQ(TRY(PRV_S, 12), ~0UL);
    CHECK_EQ(TRY(PRV_U, 12), CAUSE_ILLEGAL);
    /* TVM: satp access and sfence.vma from S trap */
    CHECK_EQ(TRY(PRV_S, 0), ~0UL);
    CHECK_EQ(TRY(PRV_S, 1), ~0UL);
    csr_set(mstatus, MSTATUS_TVM);
    CHECK_EQ(TRY(PRV_S, 0), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_S, 10), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_S, 1), CAUSE_ILLEGAL);
    csr_clear(mstatus, MSTATUS_TVM);
    /* TSR: sret from S traps; sret in U always traps */
    CHECK_EQ(TRY(PRV_U, 3), CAUSE_ILLEGAL);
    csr_set(mstatus, MSTATUS_TSR);
    CHECK_EQ(TRY(PRV_S, 3), CAUSE_ILLEGAL);
    csr_clear(mstatus, MSTATUS_TSR);
    /* TW: wfi from S traps; from U it traps (S-mode present) */
    csr_set(mstatus, MSTATUS_TW);
    CHECK_EQ(TRY(PRV_S, 2), CAUSE_ILLEGAL);
    csr_clear(mstatus, MSTATUS_TW);
    CHECK_EQ(TRY(PRV_U, 2), CAUSE_ILLEGAL);
    /* wfi in S with TW = 0 completes (an M timer interrupt wakes it) */
    trap_hook = timer_hook; /* before arming: the interrupt may come at once */
    timer_rearm = 1;
    set_mtimecmp(mtime() + 1000);
    csr_write(mie, 1UL << IRQ_MTI);
    CHECK_EQ(TRY(PRV_S, 13), ~0UL);
    csr_write(mie, 0);
    timer_rearm = 0;
    set_mtimecmp(~0UL);
    trap_hook = 0;
    CHECK(timer_hits >= 1);

    /* counter enables: mcounteren gates S (and U), scounteren gates U */
    csr_write(mcounteren, 0);
    csr_write(scounteren, 0);
    CHECK_EQ(TRY(PRV_S, 7), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_S, 8), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_S, 9), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_U, 7), CAUSE_ILLEGAL);
    csr_write(mcounteren, 7);
    CHECK_EQ(csr_read(mcounteren) & 7, 7);
    CHECK_EQ(TRY(PRV_S, 7), ~0UL);
    CHECK_EQ(TRY(PRV_S, 8), ~0UL);
    CHECK_EQ(TRY(PRV_S, 9), ~0UL);
    CHECK_EQ(TRY(PRV_U, 7), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_U, 8), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_U, 9), CAUSE_ILLEGAL);
    csr_write(scounteren, 2); /* TM only */
    CHECK_EQ(csr_read(scounteren) & 7, 2);
    CHECK_EQ(TRY(PRV_U, 7), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_U, 8), ~0UL);
    /* QEMU 7.2 lets U read instret here (scounteren.IR = 0); tolerated there */
    r = TRY(PRV_U, 9);
    CHECK_EQ(r, on_qemu7() ? r : CAUSE_ILLEGAL);
    csr_write(scounteren, 7);
    CHECK(enter_mode(PRV_U, read_cycle, 0) != 0);
    CHECK(enter_mode(PRV_U, read_time, 0) != 0);
    CHECK(enter_mode(PRV_U, read_instret, 0) != 0);
    csr_write(mcounteren, 5); /* TM off in M gates U too */
    CHECK_EQ(TRY(PRV_U, 8), CAUSE_ILLEGAL);
    CHECK_EQ(TRY(PRV_S, 8), CAUSE_ILLEGAL);
    csr_write(mcounteren, 7);

    /* menvcfg / senvcfg: FIOM (bit 0) writable */
    csr_write(menvcfg, 1);
    CHECK_EQ(csr_read(menvcfg) & 1, 1);
    csr_write(menvcfg, 0);
    CHECK_EQ(csr_read(menvcfg) & 1, 0);
    csr_write(senvcfg, 1);
    CHECK_EQ(csr_read(senvcfg) & 1, 1);
    csr_write(senvcfg, 0);

    /* PMP: 16 entries, pmpaddr holds bits 55:2 (54 bits; QEMU 7.2 keeps all
     * 64, tolerated there); entry 0 is the
     * runtime's all-memory entry and stays; pmpcfg0/pmpcfg2 hold 8 each */
#define PMPADDR_RW(n) do { csr_write(pmpaddr##n, 0x1234500UL + n); CHECK_EQ(csr_read(pmpaddr##n), 0x1234500UL + n); \
        csr_write(pmpaddr##n, ~0UL); \
        CHECK_EQ(csr_read(pmpaddr##n) & (on_qemu7() ? 0x003fffffffffffffUL : ~0UL), 0x003fffffffffffffUL); \
        csr_write(pmpaddr##n, 0); } while (0)
    PMPADDR_RW(1); PMPADDR_RW(2); PMPADDR_RW(3); PMPADDR_RW(4); PMPADDR_RW(5);
    PMPADDR_RW(6); PMPADDR_RW(7); PMPADDR_RW(8); PMPADDR_RW(9); PMPADDR_RW(10);
    PMPADDR_RW(11); PMPADDR_RW(12); PMPADDR_RW(13); PMPADDR_RW(14); PMPADDR_RW(15);
    CHECK_EQ(csr_read(pmpcfg0) & 0xff, 0x1f);
    csr_write(pmpcfg0, 0x0005000300010000UL | 0x1f); /* entries 1..7 off with R/W/X bits */
    CHECK_EQ(csr_read(pmpcfg0), 0x0005000300010000UL | 0x1f);
    csr_write(pmpcfg2, 0x0101010101010101UL);
    CHECK_EQ(csr_read(pmpcfg2), 0x0101010101010101UL);
    csr_write(pmpcfg2, 0);
    csr_write(pmpcfg0, 0x1f);
    CHECK_EQ(csr_read(pmpcfg0), 0x1f);

    /* satp: Bare, Sv39 hold; an unsupported mode leaves satp unchanged */
    csr_write(satp, 0);
    CHECK_EQ(csr_read(satp), 0);
    u64 sv39 = (8UL << 60) | 0x80000UL;
    csr_write(satp, sv39);
    CHECK_EQ(csr_read(satp) >> 60, 8);
    CHECK_EQ(csr_read(satp) & 0xfffffffffffUL, 0x80000UL);
    csr_write(satp, (1UL << 60) | 0x1234); /* mode 1: reserved */
    CHECK_EQ(csr_read(satp) >> 60, 8);
    csr_write(satp, 0);
    return 0;
}
