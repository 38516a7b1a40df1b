/* Start code, M/S trap entries and the privilege-switch trampoline for the
 * guest tests. Trap entries stash sp in xscratch and switch to a private
 * stack, so a test may clobber xscratch freely between traps. */
.option norelax /* no gp-relative relaxation against linker-script symbols */
#define REGBYTES 8
#define FRAME (32 * REGBYTES)

    .section .text.start, "ax"
    .globl _start
_start:
    la gp, __global_pointer$
    la sp, __stack_top
    la t0, m_trap_entry
    csrw mtvec, t0
    /* FS = Initial so the compiler may use FP registers. */
    li t0, (1 << 13)
    csrs mstatus, t0
    csrw fcsr, zero
    /* PMP entry 0: NAPOT over the whole address space, RWX, so S/U can run.
     * (QEMU refuses mret to S/U with illegal-instruction when no PMP entry
     * is active.) Entries 1..15 stay off. */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  call rt_init
    call main
    call rt_exit
3:  j 3b

.macro TRAP_ENTRY name, scratch, stack, handler, ret
    .text
    .balign 4
    .globl \name
\name:
    csrw \scratch, sp
    la sp, \stack
    addi sp, sp, -FRAME
    sd x1, 1*8(sp)
    sd x3, 3*8(sp)
    sd x4, 4*8(sp)
    sd x5, 5*8(sp)
    sd x6, 6*8(sp)
    sd x7, 7*8(sp)
    sd x8, 8*8(sp)
    sd x9, 9*8(sp)
    sd x10, 10*8(sp)
    sd x11, 11*8(sp)
    sd x12, 12*8(sp)
    sd x13, 13*8(sp)
    sd x14, 14*8(sp)
    sd x15, 15*8(sp)
    sd x16, 16*8(sp)
    sd x17, 17*8(sp)
    sd x18, 18*8(sp)
    sd x19, 19*8(sp)
    sd x20, 20*8(sp)
    sd x21, 21*8(sp)
    sd x22, 22*8(sp)
    sd x23, 23*8(sp)
    sd x24, 24*8(sp)
    sd x25, 25*8(sp)
    sd x26, 26*8(sp)
    sd x27, 27*8(sp)
    sd x28, 28*8(sp)
    sd x29, 29*8(sp)
    sd x30, 30*8(sp)
    sd x31, 31*8(sp)
    csrr t0, \scratch
    sd t0, 2*8(sp)
    mv a0, sp
    call \handler
    ld x1, 1*8(sp)
    ld x3, 3*8(sp)
    ld x4, 4*8(sp)
    ld x5, 5*8(sp)
    ld x6, 6*8(sp)
    ld x7, 7*8(sp)
    ld x8, 8*8(sp)
    ld x9, 9*8(sp)
    ld x10, 10*8(sp)
    ld x11, 11*8(sp)
    ld x12, 12*8(sp)
    ld x13, 13*8(sp)
    ld x14, 14*8(sp)
    ld x15, 15*8(sp)
    ld x16, 16*8(sp)
    ld x17, 17*8(sp)
    ld x18, 18*8(sp)
    ld x19, 19*8(sp)
    ld x20, 20*8(sp)
    ld x21, 21*8(sp)
    ld x22, 22*8(sp)
    ld x23, 23*8(sp)
    ld x24, 24*8(sp)
    ld x25, 25*8(sp)
    ld x26, 26*8(sp)
    ld x27, 27*8(sp)
    ld x28, 28*8(sp)
    ld x29, 29*8(sp)
    ld x30, 30*8(sp)
    ld x31, 31*8(sp)
    ld sp, 2*8(sp)
    \ret
.endm

    TRAP_ENTRY m_trap_entry, mscratch, __mtrap_stack_top, rt_m_trap, mret
    TRAP_ENTRY s_trap_entry, sscratch, __strap_stack_top, rt_s_trap, sret

/* u64 enter_mode(u64 mode, u64 (*fn)(u64), u64 arg) -- M mode only. */
    .text
    .globl enter_mode
enter_mode:
    addi sp, sp, -112
    sd ra, 0(sp)
    sd s0, 8(sp)
    sd s1, 16(sp)
    sd s2, 24(sp)
    sd s3, 32(sp)
    sd s4, 40(sp)
    sd s5, 48(sp)
    sd s6, 56(sp)
    sd s7, 64(sp)
    sd s8, 72(sp)
    sd s9, 80(sp)
    sd s10, 88(sp)
    sd s11, 96(sp)
    la t0, rt_m_ctx_sp
    sd sp, 0(t0)
    li t1, (3 << 11)
    csrc mstatus, t1
    andi a0, a0, 3
    slli t2, a0, 11
    csrs mstatus, t2
    la t0, rt_mode_tramp
    csrw mepc, t0
    mv a0, a2
    mret
rt_mode_tramp:
    jalr a1
    li a7, 0x5254524554
    ecall
1:  j 1b
    .globl rt_enter_mode_ret
rt_enter_mode_ret:
    /* The M handler resumes here in M mode with a0 = fn's result. */
    la t0, rt_m_ctx_sp
    ld sp, 0(t0)
    ld ra, 0(sp)
    ld s0, 8(sp)
    ld s1, 16(sp)
    ld s2, 24(sp)
    ld s3, 32(sp)
    ld s4, 40(sp)
    ld s5, 48(sp)
    ld s6, 56(sp)
    ld s7, 64(sp)
    ld s8, 72(sp)
    ld s9, 80(sp)
    ld s10, 88(sp)
    ld s11, 96(sp)
    addi sp, sp, 112
    ret

    .bss
    .balign 8
    .globl rt_m_ctx_sp
rt_m_ctx_sp: .dword 0
