/* RV64C: every compressed instruction (RV64 set, incl. FP loads/stores),
 * each checked against a literal result and, where it matters, against its
 * 32-bit expansion; c.jalr link = pc + 2; c.ebreak trap skips 2 bytes. */
#include "rt.h"

static u64 mem[8] __attribute__((aligned(16)));

/* Run `insn` with a0 = x, a1 = y; result in a0. */
#define C2(insn, x, y) ({ u64 __r; asm volatile("mv a0, %1\n mv a1, %2\n" insn "\n mv %0, a0" \
    : "=r"(__r) : "r"((u64)(x)), "r"((u64)(y)) : "a0", "a1"); __r; })
/* Same with the 32-bit expansion forced (.option norvc). */
#define E2(insn, x, y) ({ u64 __r; asm volatile(".option push\n.option norvc\nmv a0, %1\n mv a1, %2\n" insn "\n mv %0, a0\n.option pop" \
    : "=r"(__r) : "r"((u64)(x)), "r"((u64)(y)) : "a0", "a1"); __r; })
#define BOTH(cinsn, einsn, x, y, exp) do { CHECK_EQ(C2(cinsn, x, y), exp); CHECK_EQ(E2(einsn, x, y), exp); } while (0)

static u16 halfword_at(void *p) { return *(volatile u16 *)p; }

int main(void)
{
    u64 r, s;
    /* make sure the assembler really emitted 16-bit encodings */
    extern char c_probe[];
    asm volatile(".option push\n.option rvc\n c_probe: c.addi a0, 1\n.option pop" ::: "a0");
    CHECK((halfword_at(c_probe) & 3) != 3);

    /* CI / CR / CA / CB arithmetic */
    BOTH("c.addi a0, -32", "addi a0, a0, -32", 100, 0, 68);
    BOTH("c.addi a0, 31", "addi a0, a0, 31", 1, 0, 32);
    BOTH("c.addiw a0, 1", "addiw a0, a0, 1", 0x7fffffff, 0, 0xffffffff80000000UL);
    BOTH("c.addiw a0, 0", "addiw a0, a0, 0", 0x1ffffffffUL, 0, ~0UL); /* sext.w */
    BOTH("c.li a0, -1", "addi a0, x0, -1", 5, 0, ~0UL);
    BOTH("c.li a0, 31", "addi a0, x0, 31", 5, 0, 31);
    BOTH("c.lui a0, 0xfffe0", "lui a0, 0xfffe0", 0, 0, 0xfffffffffffe0000UL);
    BOTH("c.lui a0, 1", "lui a0, 1", 0, 0, 0x1000);
    BOTH("c.lui a0, 31", "lui a0, 31", 0, 0, 0x1f000);
    BOTH("c.srli a0, 63", "srli a0, a0, 63", 1UL << 63, 0, 1);
    BOTH("c.srli a0, 1", "srli a0, a0, 1", ~0UL, 0, ~0UL >> 1);
    BOTH("c.srai a0, 60", "srai a0, a0, 60", 1UL << 63, 0, ~7UL);
    BOTH("c.srai a0, 32", "srai a0, a0, 32", 0x8000000100000000UL, 0, 0xffffffff80000001UL);
    BOTH("c.andi a0, -16", "andi a0, a0, -16", 0x1234567fUL, 0, 0x12345670UL);
    BOTH("c.andi a0, 5", "andi a0, a0, 5", 0xff, 0, 5);
    BOTH("c.slli a0, 63", "slli a0, a0, 63", 3, 0, 1UL << 63);
    BOTH("c.slli a0, 4", "slli a0, a0, 4", 0x123, 0, 0x1230);
    BOTH("c.sub a0, a1", "sub a0, a0, a1", 5, 7, (u64)-2);
    BOTH("c.xor a0, a1", "xor a0, a0, a1", 0xff00, 0x0ff0, 0xf0f0);
    BOTH("c.or a0, a1", "or a0, a0, a1", 0xff00, 0x0ff0, 0xfff0);
    BOTH("c.and a0, a1", "and a0, a0, a1", 0xff00, 0x0ff0, 0x0f00);
    BOTH("c.subw a0, a1", "subw a0, a0, a1", 0x80000000UL, 1, 0x7fffffff);
    BOTH("c.addw a0, a1", "addw a0, a0, a1", 0x7fffffff, 1, 0xffffffff80000000UL);
    BOTH("c.mv a0, a1", "add a0, x0, a1", 1, 0xabcdef, 0xabcdef);
    BOTH("c.add a0, a1", "add a0, a0, a1", ~0UL, 2, 1);
    /* full register range for CR/CI forms (not limited to x8..x15) */
    asm volatile("li t5, 9\n c.mv t6, t5\n c.addi t6, 3\n c.slli t6, 2\n c.add t6, t5\n mv %0, t6" : "=r"(r) :: "t5", "t6");
    CHECK_EQ(r, 57);
    asm volatile("c.li t3, -7\n c.lui t4, 2\n c.add t3, t4\n c.addiw t3, 0\n mv %0, t3" : "=r"(r) :: "t3", "t4");
    CHECK_EQ(r, 0x2000 - 7);
    /* c.nop */
    asm volatile("mv %0, %1\n c.nop\n c.nop" : "=r"(r) : "r"(42UL));
    CHECK_EQ(r, 42);

    /* stack-pointer forms */
    asm volatile("c.addi4spn a0, sp, 1020\n sub %0, a0, sp" : "=r"(r) :: "a0");
    CHECK_EQ(r, 1020);
    asm volatile("c.addi4spn a0, sp, 4\n sub %0, a0, sp" : "=r"(r) :: "a0");
    CHECK_EQ(r, 4);
    asm volatile("mv t0, sp\n c.addi16sp sp, -512\n sub %0, t0, sp\n c.addi16sp sp, 496\n c.addi16sp sp, 16" : "=r"(r) :: "t0");
    CHECK_EQ(r, 512);
    asm volatile("mv t0, sp\n c.addi16sp sp, 16\n sub %0, sp, t0\n c.addi16sp sp, -16" : "=r"(r) :: "t0");
    CHECK_EQ(r, 16);
    /* sp-relative loads/stores: use a 512-byte scratch area below sp */
    asm volatile("c.addi16sp sp, -512\n"
                 "li t0, -3\n c.sdsp t0, 504(sp)\n c.swsp t0, 252(sp)\n li t1, 0x11\n c.swsp t1, 0(sp)\n"
                 "c.ldsp t2, 504(sp)\n c.lwsp t3, 252(sp)\n c.lwsp t4, 0(sp)\n"
                 "add %0, t2, t3\n slli t4, t4, 8\n add %0, %0, t4\n"
                 "c.addi16sp sp, 496\n c.addi16sp sp, 16" : "=r"(r) :: "t0", "t1", "t2", "t3", "t4", "memory");
    CHECK_EQ(r, (u64)-6 + 0x1100);
    asm volatile("c.addi16sp sp, -16\n li t0, 0x80000000\n c.swsp t0, 8(sp)\n c.lwsp %0, 8(sp)\n"
                 "c.sdsp t0, 0(sp)\n c.ldsp %1, 0(sp)\n c.addi16sp sp, 16" : "=r"(r), "=r"(s) :: "t0", "memory");
    CHECK_EQ(r, 0xffffffff80000000UL); /* c.lwsp sign-extends */
    CHECK_EQ(s, 0x80000000UL);

    /* register-based loads/stores (x8..x15) */
    mem[0] = 0x8877665544332211UL;
    mem[1] = 0xfedcba9876543210UL;
    asm volatile("mv a0, %1\n c.ld a1, 8(a0)\n c.lw a2, 4(a0)\n add %0, a1, a2" : "=r"(r) : "r"(mem) : "a0", "a1", "a2", "memory");
    CHECK_EQ(r, 0xfedcba9876543210UL + 0xffffffff88776655UL);
    asm volatile("mv a0, %0\n li a1, -1\n c.sw a1, 16(a0)\n mv a0, %1\n c.sd a1, 248(a0)"
                 :: "r"(mem), "r"((u64)&mem[3] - 248) : "a0", "a1", "memory");
    CHECK_EQ(mem[2], 0x00000000ffffffffUL | (mem[2] & 0xffffffff00000000UL));
    CHECK_EQ(mem[3], ~0UL);
    mem[4] = 0x7fffffff12345678UL;
    asm volatile("mv a5, %1\n c.lw a4, 36(a5)\n mv %0, a4" : "=r"(r) : "r"(mem) : "a4", "a5", "memory");
    CHECK_EQ(r, 0x7fffffff);

    /* FP compressed loads/stores */
    mem[5] = 0x400921fb54442d18UL; /* pi */
    asm volatile("mv a0, %1\n c.fld fa0, 40(a0)\n c.fsd fa0, 48(a0)\n fmv.x.d %0, fa0" : "=r"(r) : "r"(mem) : "a0", "fa0", "memory");
    CHECK_EQ(r, 0x400921fb54442d18UL);
    CHECK_EQ(mem[6], 0x400921fb54442d18UL);
    asm volatile("c.addi16sp sp, -16\n sd %1, 8(sp)\n c.fldsp ft0, 8(sp)\n c.fsdsp ft0, 0(sp)\n ld %0, 0(sp)\n c.addi16sp sp, 16"
                 : "=r"(r) : "r"(0xc000000000000000UL) : "ft0", "memory");
    CHECK_EQ(r, 0xc000000000000000UL);

    /* control transfer */
    asm volatile("li %0, 0\n c.j 1f\n li %0, 1\n1:" : "=&r"(r));
    CHECK_EQ(r, 0);
    asm volatile("li %0, 0\n li a0, 0\n c.beqz a0, 1f\n li %0, 1\n1: li a0, 5\n c.beqz a0, 2f\n addi %0, %0, 2\n2:" : "=&r"(r) :: "a0");
    CHECK_EQ(r, 2);
    asm volatile("li %0, 0\n li a0, 3\n c.bnez a0, 1f\n li %0, 1\n1: li a0, 0\n c.bnez a0, 2f\n addi %0, %0, 2\n2:" : "=&r"(r) :: "a0");
    CHECK_EQ(r, 2);
    /* c.beqz with negative register value (branch on full 64 bits) */
    asm volatile("li %0, 0\n li a0, 1\n slli a0, a0, 40\n c.beqz a0, 1f\n li %0, 7\n1:" : "=&r"(r) :: "a0");
    CHECK_EQ(r, 7);
    asm volatile("li %0, 0\n la t0, 1f\n c.jr t0\n li %0, 1\n1:" : "=&r"(r) :: "t0");
    CHECK_EQ(r, 0);
    u64 link, want;
    asm volatile("la t0, 1f\n c.jalr t0\n2: j 3f\n1: mv %0, ra\n la %1, 2b\n jr ra\n3:" : "=&r"(link), "=&r"(want) :: "t0", "ra");
    CHECK_EQ(link, want);
    /* c.jalr with rs1 == ra: target read before link written */
    asm volatile("la ra, 1f\n c.jalr ra\n2: j 3f\n1: mv %0, ra\n la %1, 2b\n jr ra\n3:" : "=&r"(link), "=&r"(want) :: "ra");
    CHECK_EQ(link, want);

    /* c.ebreak: breakpoint, epc at the 16-bit instruction, skipped by 2 */
    extern char c_ebreak[];
    expect_trap();
    asm volatile("c_ebreak: c.ebreak\n c.nop");
    CHECK_TRAP_CAUSE(CAUSE_BREAKPOINT);
    CHECK_EQ(last_trap.epc, (u64)c_ebreak);
    /* mtval for ebreak: 0 or the pc (QEMU 7.2: 0) */
    CHECK(last_trap.tval == 0 || last_trap.tval == (u64)c_ebreak);
    return 0;
}
