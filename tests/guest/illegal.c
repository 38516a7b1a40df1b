/* Illegal and reserved encodings, 32-bit and 16-bit: each raises
 * illegal-instruction with mtval = the instruction bits (zero-extended for
 * 16-bit ones) and mepc = its address. Each is placed in a RAM buffer
 * followed by a return, made visible with fence.i, and called. */
#include "rt.h"

static u32 buf[4] __attribute__((aligned(16)));

static void try_insn(int line, u32 insn, int len)
{
    if (len == 2) {
        ((volatile u16 *)buf)[0] = (u16)insn;
        ((volatile u16 *)buf)[1] = 0x8082; /* c.jr ra */
    } else {
        buf[0] = insn;
        buf[1] = 0x00008067; /* jalr x0, 0(ra) */
    }
    asm volatile("fence.i" ::: "memory");
    expect_trap();
    asm volatile("jalr ra, 0(%0)" :: "r"(buf) : "ra", "memory");
    check_trap_(__FILE__, line, CAUSE_ILLEGAL, insn, 1);
    check_eq_(__FILE__, line, "mepc", last_trap.epc, (u64)buf);
}
#define ILL32(x) try_insn(__LINE__, (x), 4)
#define ILL16(x) try_insn(__LINE__, (x), 2)

int main(void)
{
    /* 16-bit */
    ILL16(0x0000); /* all-zero: defined illegal */
    ILL16(0x0004); /* c.addi4spn x9, sp, 0: nzuimm = 0 reserved */
    ILL16(0x0010); /* c.addi4spn, another rd */
    ILL16(0x6501); /* c.lui a0, 0: nzimm = 0 reserved */
    ILL16(0x6081); /* c.lui ra, 0 */
    ILL16(0x6101); /* c.addi16sp sp, 0: reserved */
    ILL16(0x8002); /* c.jr x0: reserved */
    ILL16(0x2001); /* c.addiw x0, 0: rd = 0 reserved */
    ILL16(0x2005); /* c.addiw x0, 1 */
    ILL16(0x4002); /* c.lwsp x0: rd = 0 reserved */
    ILL16(0x6002); /* c.ldsp x0: rd = 0 reserved */
    ILL16(0x9c41); /* quadrant 1, funct6 100111, funct2 10: reserved on RV64 */
    ILL16(0x9c61); /* ... funct2 11: reserved */
    /* 32-bit */
    ILL32(0x0000000b); /* custom-0 */
    ILL32(0x0000002b); /* custom-1 */
    ILL32(0x04051513); /* slli with imm[11:6] != 0 */
    ILL32(0x20055513); /* srli/srai with funct6 = 0x08 */
    ILL32(0x0205151b); /* slliw shamt[5] = 1 */
    ILL32(0x0205551b); /* srliw shamt[5] = 1 */
    ILL32(0x04b50533); /* OP funct7 = 0x02 */
    ILL32(0x04b5053b); /* OP-32 funct7 = 0x02 */
    ILL32(0x0005251b); /* OP-IMM-32 funct3 = 2 */
    ILL32(0x00057503); /* LOAD funct3 = 7 */
    ILL32(0x00a54023); /* STORE funct3 = 4 */
    ILL32(0x00a52063); /* BRANCH funct3 = 2 */
    ILL32(0x00a53063); /* BRANCH funct3 = 3 */
    ILL32(0x00051067); /* JALR funct3 = 1 */
    ILL32(0x00054073); /* SYSTEM funct3 = 4 */
    ILL32(0x0000002f); /* AMO funct3 = 0 (no byte AMOs) */
    ILL32(0xf8b5202f); /* AMO funct5 = 11111 */
    ILL32(0x06000053); /* fadd.q: no Q extension */
    ILL32(0x00007057); /* OP-V: no V extension */
    ILL32(0x00007007); /* LOAD-FP funct3 = 7 */
    ILL32(0x00007027); /* STORE-FP funct3 = 7 */
    ILL32(0xe0053553); /* fmv.x.w with funct3 = 3 */
    /* privileged instructions from M are legal; the same ones are illegal
     * from lower modes, see priv.c */
    return 0;
}
