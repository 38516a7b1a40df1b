/* Zicsr: the six CSR instructions, rd=x0 / rs1=x0 side-effect rules,
 * read-only and non-existent CSRs; Zicntr: cycle/time/instret (and the
 * M-mode mcycle/minstret); Zifencei: self-modifying code made visible by
 * fence.i, including code that already ran (cached translations). */
#include "rt.h"

static u32 code_buf[64] __attribute__((aligned(64)));

static u64 call_buf(void)
{
    return ((u64(*)(void))(void *)code_buf)();
}

int main(void)
{
    u64 r, old;
    /* csrrw / csrrs / csrrc return the old value and update */
    csr_write(mscratch, 0x1234);
    asm volatile("csrrw %0, mscratch, %1" : "=r"(old) : "r"(0xff00UL));
    CHECK_EQ(old, 0x1234);
    asm volatile("csrrs %0, mscratch, %1" : "=r"(old) : "r"(0x00ffUL));
    CHECK_EQ(old, 0xff00);
    asm volatile("csrrc %0, mscratch, %1" : "=r"(old) : "r"(0x0f0fUL));
    CHECK_EQ(old, 0xffff);
    CHECK_EQ(csr_read(mscratch), 0xf0f0);
    asm volatile("csrrwi %0, mscratch, 31" : "=r"(old));
    CHECK_EQ(old, 0xf0f0);
    asm volatile("csrrsi %0, mscratch, 0x10" : "=r"(old));
    CHECK_EQ(old, 31);
    asm volatile("csrrci %0, mscratch, 3" : "=r"(old));
    CHECK_EQ(old, 31);
    CHECK_EQ(csr_read(mscratch), 28);
    /* rd = rs1: old value read before the write */
    asm volatile("li t0, 77\n csrrw t0, mscratch, t0\n mv %0, t0" : "=r"(r) :: "t0");
    CHECK_EQ(r, 28);
    CHECK_EQ(csr_read(mscratch), 77);
    /* full 64-bit width */
    csr_write(mscratch, ~0UL);
    CHECK_EQ(csr_read(mscratch), ~0UL);
    csr_write(sscratch, 0x8000000000000001UL);
    CHECK_EQ(csr_read(sscratch), 0x8000000000000001UL);

    /* Read-only CSRs: reading is fine (also csrrs/csrrc with rs1=x0 and
     * csrrsi/csrrci with uimm=0); any write attempt is illegal, even of
     * the same value, with tval = the instruction bits. */
    CHECK_EQ(csr_read(mhartid), 0);
    asm volatile("csrrs %0, mhartid, x0\n csrrc %0, mhartid, x0\n csrrsi %0, mhartid, 0\n csrrci %0, mhartid, 0" : "=r"(r));
    CHECK_EQ(r, 0);
    extern char ro1[], ro2[], ro3[], ro4[], ro5[];
    expect_trap();
    asm volatile("ro1: csrw mhartid, x0");
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)ro1);
    expect_trap();
    asm volatile("ro2: csrrs %0, mvendorid, %1" : "=r"(r) : "r"(1UL));
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)ro2);
    expect_trap();
    asm volatile("ro3: csrrwi %0, cycle, 0" : "=r"(r));
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)ro3);
    expect_trap();
    asm volatile("ro4: csrrci %0, instret, 1" : "=r"(r));
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)ro4);
    /* csrrw with rd = x0 still writes (and must trap on a read-only CSR) */
    expect_trap();
    asm volatile("ro5: csrrw x0, time, x0");
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)ro5);
    /* non-existent CSRs */
    expect_trap();
    asm volatile("csrr %0, 0x800" : "=r"(r));
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    expect_trap();
    asm volatile("csrw 0x7ff, x0");
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    expect_trap();
    asm volatile("csrr %0, 0x3ff" : "=r"(r));
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);

    /* Zicntr */
    u64 c1 = csr_read(cycle), i1 = csr_read(instret);
    for (volatile int i = 0; i < 1000; i++)
        ;
    u64 c2 = csr_read(cycle), i2 = csr_read(instret);
    CHECK(c2 > c1);
    CHECK(i2 > i1);
    /* time mirrors the CLINT mtime */
    u64 t1 = mtime(), tc = csr_read(time), t2 = mtime();
    CHECK(t1 <= tc && tc <= t2);
    /* time advances at 10 MHz: wait ~1 ms of mtime and compare */
    u64 ts = csr_read(time);
    while (mtime() < ts + 10000)
        ;
    CHECK(csr_read(time) >= ts + 10000);
    /* mcycle/minstret alias cycle/instret and are writable in M mode */
    CHECK(csr_read(mcycle) >= c2);
    csr_write(minstret, 1000000);
    r = csr_read(instret);
    CHECK(r >= 1000000 && r < 1000000 + 100000000);
    csr_write(mcycle, 5UL << 40);
    r = csr_read(cycle);
    CHECK(r >= (5UL << 40) && r < (5UL << 40) + (1UL << 36));

    /* Zifencei: generate "addi a0, x0, N; ret", run, patch, fence.i, run */
    for (int n = 1; n <= 3; n++) {
        code_buf[0] = 0x00000513 | ((u32)n << 20); /* addi a0, x0, n */
        code_buf[1] = 0x00008067;                  /* jalr x0, 0(ra) */
        asm volatile("fence.i" ::: "memory");
        for (int k = 0; k < 50; k++) /* run it hot */
            CHECK_EQ(call_buf(), (u64)n);
    }
    /* patch the middle of a longer block with a compressed instruction */
    code_buf[0] = 0x00000513 | (10u << 20); /* addi a0, x0, 10 */
    code_buf[1] = 0x00150513;               /* addi a0, a0, 1 */
    code_buf[2] = 0x00008067;               /* ret */
    asm volatile("fence.i" ::: "memory");
    for (int k = 0; k < 50; k++)
        CHECK_EQ(call_buf(), 11);
    ((volatile u16 *)code_buf)[2] = 0x0509; /* c.addi a0, 2 */
    ((volatile u16 *)code_buf)[3] = 0x0001; /* c.nop */
    asm volatile("fence.i" ::: "memory");
    CHECK_EQ(call_buf(), 12);
    /* code that modifies the very next instruction, then fence.i */
    extern char smc_target[];
    asm volatile("la t0, smc_target\n li t1, 0x02a00513\n sw t1, 0(t0)\n fence.i\n"
                 ".option push\n .option norvc\n smc_target: addi a0, x0, 0\n .option pop\n mv %0, a0" : "=r"(r) :: "t0", "t1", "a0", "memory");
    CHECK_EQ(r, 42);
    (void)smc_target;
    return 0;
}
