/* RV64I: every ALU op (register and immediate, W forms), lui/auipc,
 * branches taken and not taken, jal/jalr (link value, bit 0 cleared),
 * every load and store width with sign/zero extension, x0 hard-wired. */
#include "rt.h"

#define RR(op, a, b) ({ u64 __r; asm volatile(op " %0, %1, %2" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); __r; })
#define RI(op, a, imm) ({ u64 __r; asm volatile(op " %0, %1, %2" : "=r"(__r) : "r"((u64)(a)), "i"(imm)); __r; })
#define BR(op, a, b) ({ u64 __t; asm volatile("li %0, 1\n" op " %1, %2, 1f\nli %0, 0\n1:" : "=&r"(__t) : "r"((u64)(a)), "r"((u64)(b))); __t; })

static u64 mem[4] __attribute__((aligned(16)));

int main(void)
{
    const u64 m1 = ~0UL, min = 1UL << 63, max = min - 1;

    /* add/sub and wrap-around */
    CHECK_EQ(RR("add", 5, 7), 12);
    CHECK_EQ(RR("add", max, 1), min);
    CHECK_EQ(RR("sub", 5, 7), (u64)-2);
    CHECK_EQ(RR("sub", min, 1), max);
    CHECK_EQ(RI("addi", 10, -11), m1);
    CHECK_EQ(RI("addi", 0, 2047), 2047);
    CHECK_EQ(RI("addi", 0, -2048), (u64)-2048);
    /* compare */
    CHECK_EQ(RR("slt", m1, 0), 1);
    CHECK_EQ(RR("slt", 0, m1), 0);
    CHECK_EQ(RR("sltu", m1, 0), 0);
    CHECK_EQ(RR("sltu", 0, m1), 1);
    CHECK_EQ(RR("slt", 3, 3), 0);
    CHECK_EQ(RI("slti", m1, 0), 1);
    CHECK_EQ(RI("slti", min, -2048), 1);
    CHECK_EQ(RI("sltiu", 5, -1), 1); /* imm sign-extends then compares unsigned */
    CHECK_EQ(RI("sltiu", m1, -1), 0);
    CHECK_EQ(RI("sltiu", 0, 1), 1);
    /* logic */
    CHECK_EQ(RR("xor", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL), 0xf0f0f0f0f0f0f0f0UL);
    CHECK_EQ(RR("or", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL), 0xfff0fff0fff0fff0UL);
    CHECK_EQ(RR("and", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL), 0x0f000f000f000f00UL);
    CHECK_EQ(RI("xori", 0x1234, -1), ~0x1234UL);
    CHECK_EQ(RI("ori", 0x1200, 0x034), 0x1234);
    CHECK_EQ(RI("ori", 0, -2048), 0xfffffffffffff800UL);
    CHECK_EQ(RI("andi", m1, 0x7ff), 0x7ff);
    CHECK_EQ(RI("andi", 0x123456789abcdef0UL, -16), 0x123456789abcdef0UL);
    /* shifts: 64-bit use 6 bits of rs2 */
    CHECK_EQ(RR("sll", 1, 63), min);
    CHECK_EQ(RR("sll", 1, 64 + 3), 8);
    CHECK_EQ(RR("srl", min, 63), 1);
    CHECK_EQ(RR("srl", min, 128 + 4), 0x0800000000000000UL);
    CHECK_EQ(RR("sra", min, 63), m1);
    CHECK_EQ(RR("sra", min, 4), 0xf800000000000000UL);
    CHECK_EQ(RI("slli", 0xabUL, 60), 0xb000000000000000UL);
    CHECK_EQ(RI("srli", m1, 60), 0xf);
    CHECK_EQ(RI("srai", 0x8000000000000010UL, 4), 0xf800000000000001UL);
    CHECK_EQ(RI("srai", 0x4000000000000000UL, 62), 1);
    /* W forms: 32-bit result sign-extended, shifts use 5 bits */
    CHECK_EQ(RR("addw", 0x7fffffff, 1), 0xffffffff80000000UL);
    CHECK_EQ(RR("addw", 0xffffffff00000001UL, 0x00000000ffffffffUL), 0);
    CHECK_EQ(RR("subw", 0, 1), m1);
    CHECK_EQ(RR("subw", 0x80000000UL, 1), 0x7fffffff);
    CHECK_EQ(RI("addiw", 0x7fffffffUL, 1), 0xffffffff80000000UL);
    CHECK_EQ(RI("addiw", 0x123456789UL, 0), 0x23456789);
    CHECK_EQ(RI("addiw", 0xffffffffUL, 0), m1); /* sext.w */
    CHECK_EQ(RR("sllw", 1, 31), 0xffffffff80000000UL);
    CHECK_EQ(RR("sllw", 1, 32 + 1), 2);
    CHECK_EQ(RR("srlw", 0xffffffff80000000UL, 31), 1);
    CHECK_EQ(RR("srlw", 0x80000000UL, 0), 0xffffffff80000000UL);
    CHECK_EQ(RR("sraw", 0x80000000UL, 31), m1);
    CHECK_EQ(RR("sraw", 0xff7fffffffUL, 4), 0x07ffffff);
    CHECK_EQ(RI("slliw", 3, 31), 0xffffffff80000000UL);
    CHECK_EQ(RI("srliw", 0xffffffffffffffffUL, 28), 0xf);
    CHECK_EQ(RI("srliw", 0x80000000UL, 0), 0xffffffff80000000UL);
    CHECK_EQ(RI("sraiw", 0x80000000UL, 4), 0xfffffffff8000000UL);
    CHECK_EQ(RI("sraiw", 0x1234567f0UL, 4), 0x0234567f);

    /* lui / auipc */
    u64 r;
    asm volatile("lui %0, 0x80000" : "=r"(r));
    CHECK_EQ(r, 0xffffffff80000000UL);
    asm volatile("lui %0, 0x7ffff" : "=r"(r));
    CHECK_EQ(r, 0x7ffff000UL);
    u64 pc1, pc2;
    asm volatile("1: auipc %0, 0\n la %1, 1b" : "=r"(pc1), "=r"(pc2));
    CHECK_EQ(pc1, pc2);
    asm volatile("1: auipc %0, 0xfffff\n la %1, 1b" : "=r"(pc1), "=r"(pc2));
    CHECK_EQ(pc1, pc2 - 0x1000);
    asm volatile("1: auipc %0, 0x1\n la %1, 1b" : "=r"(pc1), "=r"(pc2));
    CHECK_EQ(pc1, pc2 + 0x1000);

    /* x0 */
    asm volatile("li t0, 5\n add x0, t0, t0\n addi x0, x0, 1\n lui x0, 1\n mv %0, x0" : "=r"(r) :: "t0");
    CHECK_EQ(r, 0);

    /* branches */
    CHECK_EQ(BR("beq", 3, 3), 1);
    CHECK_EQ(BR("beq", 3, 4), 0);
    CHECK_EQ(BR("bne", 3, 4), 1);
    CHECK_EQ(BR("bne", m1, m1), 0);
    CHECK_EQ(BR("blt", m1, 0), 1);
    CHECK_EQ(BR("blt", 0, m1), 0);
    CHECK_EQ(BR("blt", 5, 5), 0);
    CHECK_EQ(BR("bge", 5, 5), 1);
    CHECK_EQ(BR("bge", 0, m1), 1);
    CHECK_EQ(BR("bge", min, max), 0);
    CHECK_EQ(BR("bltu", 0, m1), 1);
    CHECK_EQ(BR("bltu", m1, 0), 0);
    CHECK_EQ(BR("bgeu", m1, 0), 1);
    CHECK_EQ(BR("bgeu", 1, 2), 0);
    CHECK_EQ(BR("bgeu", 7, 7), 1);
    /* backward branch loop */
    asm volatile("li %0, 0\n li t0, 10\n1: addi %0, %0, 3\n addi t0, t0, -1\n bnez t0, 1b" : "=&r"(r) :: "t0");
    CHECK_EQ(r, 30);

    /* jal: link = pc + 4, target reached */
    u64 link, here;
    asm volatile("jal %0, 1f\n2: j 3f\n1: la %1, 2b\n3:" : "=&r"(link), "=&r"(here));
    CHECK_EQ(link, here);
    /* jalr: target = (rs1 + imm) & ~1, link written after reading rs1 (rd == rs1) */
    asm volatile("la t0, 1f\n addi t0, t0, -3\n jalr t0, 4(t0)\n2: li %1, 0\n j 3f\n"
                 "1: la %1, 2b\n mv %0, t0\n3:" : "=&r"(link), "=&r"(here) :: "t0");
    CHECK_EQ(link, here);
    asm volatile("la t1, 1f\n jalr x0, 0(t1)\n li %0, 1\n j 2f\n1: li %0, 2\n2:" : "=&r"(r) :: "t1");
    CHECK_EQ(r, 2);

    /* loads: sign and zero extension */
    mem[0] = 0x8182838485868788UL;
    mem[1] = 0x7f6f5f4f3f2f1f0fUL;
    volatile u8 *b = (volatile u8 *)mem;
#define LD(op, off) ({ u64 __r; asm volatile(op " %0, %2(%1)" : "=r"(__r) : "r"(b), "i"(off) : "memory"); __r; })
    CHECK_EQ(LD("lb", 0), 0xffffffffffffff88UL);
    CHECK_EQ(LD("lbu", 0), 0x88);
    CHECK_EQ(LD("lb", 8), 0x0f);
    CHECK_EQ(LD("lh", 6), 0xffffffffffff8182UL);
    CHECK_EQ(LD("lhu", 6), 0x8182);
    CHECK_EQ(LD("lh", 14), 0x7f6f);
    CHECK_EQ(LD("lw", 4), 0xffffffff81828384UL);
    CHECK_EQ(LD("lwu", 4), 0x81828384UL);
    CHECK_EQ(LD("lw", 12), 0x7f6f5f4f);
    CHECK_EQ(LD("ld", 0), 0x8182838485868788UL);
    CHECK_EQ(LD("ld", 8), 0x7f6f5f4f3f2f1f0fUL);
    /* negative offsets */
    b = (volatile u8 *)&mem[2];
    CHECK_EQ(LD("ld", -16), 0x8182838485868788UL);
    CHECK_EQ(LD("lbu", -1), 0x7f);
    b = (volatile u8 *)mem;
    /* stores: only the addressed bytes change */
    mem[2] = 0;
    mem[3] = m1;
#define ST(op, v, off) asm volatile(op " %0, %2(%1)" :: "r"((u64)(v)), "r"(b), "i"(off) : "memory")
    ST("sb", 0x1234567890abcdefUL, 16);
    CHECK_EQ(mem[2], 0xef);
    ST("sh", 0x1234567890abcdefUL, 18);
    CHECK_EQ(mem[2], 0xcdef00efUL);
    ST("sw", 0x1234567890abcdefUL, 20);
    CHECK_EQ(mem[2], 0x90abcdefcdef00efUL);
    ST("sd", 0x0102030405060708UL, 24);
    CHECK_EQ(mem[3], 0x0102030405060708UL);
    ST("sb", 0xaa, 31);
    CHECK_EQ(mem[3], 0xaa02030405060708UL);
    /* fence is a no-op for a single hart but must decode */
    asm volatile("fence\n fence rw, rw\n fence iorw, iorw\n fence.tso\n fence w, r" ::: "memory");
    return 0;
}
