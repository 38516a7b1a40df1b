/*
 * test_decode.c - the shared RV64GC decoder (vmm/interp/decode.c) against the
 * RISC-V Unprivileged ISA 20191213: chapter 24 (RV32/64G opcode map and
 * instruction listings), chapter 16 (RVC expansions and reserved code points).
 *
 * Every word below was produced (or checked by disassembly) with
 * `riscv64-linux-gnu-as -march=rv64gc` and `riscv64-linux-gnu-objdump -M
 * no-aliases`; the comment next to it is the assembly. Branch and jump words
 * were hand-encoded and disassembled at a known address to check the target.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/interp/decode.h"

#define X (-1)          /* field not defined by this format: not checked */
#define IMM_X INT32_MIN /* immediate not defined by this format */

struct dcase {
    uint32_t raw;
    enum op op;
    int rd, rs1, rs2, rs3, rm;
    int32_t imm;
    const char *as;
};

/* Decode into a structure full of garbage, so no expectation can pass by
 * accident on fields the decoder forgot to set. */
static void decode_dirty(uint32_t raw, struct insn *i)
{
    memset(i, 0xa5, sizeof(*i));
    decode(raw, i);
}

static void check_case(const struct dcase *c, unsigned len)
{
    struct insn i;
    decode_dirty(c->raw, &i);
    char what[160];
    snprintf(what, sizeof(what), "%08x %s: got %s", c->raw, c->as, decode_op_name(i.op));
    if (i.op != c->op)
        fail_msg("%s, want %s", what, decode_op_name(c->op));
    if (i.len != len)
        fail_msg("%s: len %u", what, i.len);
    if (i.raw != (len == 2 ? (c->raw & 0xffff) : c->raw))
        fail_msg("%s: raw %08x", what, i.raw);
    if (c->rd != X && i.rd != c->rd)
        fail_msg("%s: rd %u want %d", what, i.rd, c->rd);
    if (c->rs1 != X && i.rs1 != c->rs1)
        fail_msg("%s: rs1 %u want %d", what, i.rs1, c->rs1);
    if (c->rs2 != X && i.rs2 != c->rs2)
        fail_msg("%s: rs2 %u want %d", what, i.rs2, c->rs2);
    if (c->rs3 != X && i.rs3 != c->rs3)
        fail_msg("%s: rs3 %u want %d", what, i.rs3, c->rs3);
    if (c->rm != X && i.rm != c->rm)
        fail_msg("%s: rm %u want %d", what, i.rm, c->rm);
    if (c->imm != IMM_X && i.imm != c->imm)
        fail_msg("%s: imm %d (0x%x) want %d (0x%x)", what, i.imm, (unsigned)i.imm, c->imm,
                 (unsigned)c->imm);
}

/* Shorthands by format: R (rd, rs1, rs2), I (rd, rs1, imm), S/B (rs1, rs2, imm),
 * U/J (rd, imm). */
#define R(w, o, d, s1, s2, a) {w, OP_##o, d, s1, s2, X, X, 0, a}
#define I(w, o, d, s1, im, a) {w, OP_##o, d, s1, X, X, X, im, a}
#define S(w, o, s1, s2, im, a) {w, OP_##o, X, s1, s2, X, X, im, a}
#define U(w, o, d, im, a) {w, OP_##o, d, X, X, X, X, im, a}
#define SYS(w, o, a) {w, OP_##o, X, X, X, X, X, IMM_X, a}
#define AMO(w, o, d, s1, s2, aqrl, a) {w, OP_##o, d, s1, s2, X, aqrl, 0, a}
#define FR(w, o, d, s1, s2, rmv, a) {w, OP_##o, d, s1, s2, X, rmv, 0, a}
#define F4(w, o, d, s1, s2, s3, rmv, a) {w, OP_##o, d, s1, s2, s3, rmv, 0, a}
#define F2(w, o, d, s1, rmv, a) {w, OP_##o, d, s1, X, X, rmv, 0, a}

static const struct dcase base_cases[] = {
    /* U-type: imm[31:12], low 12 bits zero, sign from bit 31 */
    U(0xfffff2b7, LUI, 5, -4096, "lui t0,0xfffff"),
    U(0x80000fb7, LUI, 31, INT32_MIN, "lui t6,0x80000"),
    U(0x7ffff0b7, LUI, 1, 0x7ffff000, "lui ra,0x7ffff"),
    U(0x12345517, AUIPC, 10, 0x12345000, "auipc a0,0x12345"),
    /* J-type: extremes of the +-1 MiB range, and single-bit probes */
    U(0x800000ef, JAL, 1, -1048576, "jal ra,.-0x100000"),
    U(0x7ffff06f, JAL, 0, 1048574, "jal zero,.+0xffffe"),
    U(0x000002ef, JAL, 5, 0, "jal t0,."),
    U(0x001001ef, JAL, 3, 0x800, "jal gp,.+0x800 (imm[11] is insn bit 20)"),
    U(0x0020026f, JAL, 4, 2, "jal tp,.+2"),
    I(0x800100e7, JALR, 1, 2, -2048, "jalr ra,-2048(sp)"),
    I(0x7fff8067, JALR, 0, 31, 2047, "jalr zero,2047(t6)"),
    /* B-type: +-4 KiB extremes, imm[11] in bit 7 */
    S(0x80208063, BEQ, 1, 2, -4096, "beq ra,sp,.-4096"),
    S(0x7e419fe3, BNE, 3, 4, 4094, "bne gp,tp,.+4094"),
    S(0x0062c863, BLT, 5, 6, 16, "blt t0,t1,.+16"),
    S(0xfe83dfe3, BGE, 7, 8, -2, "bge t2,s0,.-2"),
    S(0x00a4e0e3, BLTU, 9, 10, 2048, "bltu s1,a0,.+2048"),
    S(0x80c5f0e3, BGEU, 11, 12, -2048, "bgeu a1,a2,.-2048"),
    /* loads (I-type) */
    I(0x80010083, LB, 1, 2, -2048, "lb ra,-2048(sp)"),
    I(0x7ff21183, LH, 3, 4, 2047, "lh gp,2047(tp)"),
    I(0xfff32283, LW, 5, 6, -1, "lw t0,-1(t1)"),
    I(0x00843383, LD, 7, 8, 8, "ld t2,8(s0)"),
    I(0x00054483, LBU, 9, 10, 0, "lbu s1,0(a0)"),
    I(0x06465583, LHU, 11, 12, 100, "lhu a1,100(a2)"),
    I(0xf9c76683, LWU, 13, 14, -100, "lwu a3,-100(a4)"),
    /* stores (S-type) */
    S(0x80110023, SB, 2, 1, -2048, "sb ra,-2048(sp)"),
    S(0x7e321fa3, SH, 4, 3, 2047, "sh gp,2047(tp)"),
    S(0xfe532fa3, SW, 6, 5, -1, "sw t0,-1(t1)"),
    S(0x02743023, SD, 8, 7, 32, "sd t2,32(s0)"),
    /* OP-IMM */
    I(0x80010093, ADDI, 1, 2, -2048, "addi ra,sp,-2048"),
    I(0x7ff22193, SLTI, 3, 4, 2047, "slti gp,tp,2047"),
    I(0xfff33293, SLTIU, 5, 6, -1, "sltiu t0,t1,-1"),
    I(0x55544393, XORI, 7, 8, 0x555, "xori t2,s0,1365"),
    I(0xaaa56493, ORI, 9, 10, -0x556, "ori s1,a0,-1366"),
    I(0x0ff67593, ANDI, 11, 12, 255, "andi a1,a2,255"),
    I(0x03f71693, SLLI, 13, 14, 63, "slli a3,a4,0x3f"),
    I(0x02085793, SRLI, 15, 16, 32, "srli a5,a6,0x20"),
    I(0x43f95893, SRAI, 17, 18, 63, "srai a7,s2,0x3f"),
    I(0x40195893, SRAI, 17, 18, 1, "srai a7,s2,0x1 (funct6 not in the shamt)"),
    /* OP */
    R(0x003100b3, ADD, 1, 2, 3, "add ra,sp,gp"),
    R(0x40628233, SUB, 4, 5, 6, "sub tp,t0,t1"),
    R(0x009413b3, SLL, 7, 8, 9, "sll t2,s0,s1"),
    R(0x00c5a533, SLT, 10, 11, 12, "slt a0,a1,a2"),
    R(0x00f736b3, SLTU, 13, 14, 15, "sltu a3,a4,a5"),
    R(0x0128c833, XOR, 16, 17, 18, "xor a6,a7,s2"),
    R(0x015a59b3, SRL, 19, 20, 21, "srl s3,s4,s5"),
    R(0x418bdb33, SRA, 22, 23, 24, "sra s6,s7,s8"),
    R(0x01bd6cb3, OR, 25, 26, 27, "or s9,s10,s11"),
    R(0x01eefe33, AND, 28, 29, 30, "and t3,t4,t5"),
    /* OP-IMM-32 and OP-32 */
    I(0x8001009b, ADDIW, 1, 2, -2048, "addiw ra,sp,-2048"),
    I(0x01f2119b, SLLIW, 3, 4, 31, "slliw gp,tp,0x1f"),
    I(0x01f3529b, SRLIW, 5, 6, 31, "srliw t0,t1,0x1f"),
    I(0x41f4539b, SRAIW, 7, 8, 31, "sraiw t2,s0,0x1f"),
    R(0x00b504bb, ADDW, 9, 10, 11, "addw s1,a0,a1"),
    R(0x40e6863b, SUBW, 12, 13, 14, "subw a2,a3,a4"),
    R(0x011817bb, SLLW, 15, 16, 17, "sllw a5,a6,a7"),
    R(0x0149d93b, SRLW, 18, 19, 20, "srlw s2,s3,s4"),
    R(0x417b5abb, SRAW, 21, 22, 23, "sraw s5,s6,s7"),
    /* MISC-MEM and SYSTEM */
    SYS(0x0310000f, FENCE, "fence rw,w"),
    SYS(0x0000100f, FENCE_I, "fence.i"),
    SYS(0x00000073, ECALL, "ecall"),
    SYS(0x00100073, EBREAK, "ebreak"),
    SYS(0x30200073, MRET, "mret"),
    SYS(0x10200073, SRET, "sret"),
    SYS(0x10500073, WFI, "wfi"),
    {0x12208073, OP_SFENCE_VMA, X, 1, 2, X, X, IMM_X, "sfence.vma ra,sp"},
    {0x12000073, OP_SFENCE_VMA, X, 0, 0, X, X, IMM_X, "sfence.vma zero,zero"},
    /* Zicsr: imm is the CSR number (unsigned 12 bits); rs1 is the uimm for *I */
    I(0x300110f3, CSRRW, 1, 2, 0x300, "csrrw ra,mstatus,sp"),
    I(0xfff221f3, CSRRS, 3, 4, 0xfff, "csrrs gp,0xfff,tp"),
    I(0x100332f3, CSRRC, 5, 6, 0x100, "csrrc t0,sstatus,t1"),
    I(0x180fd3f3, CSRRWI, 7, 31, 0x180, "csrrwi t2,satp,31"),
    I(0x3040e473, CSRRSI, 8, 1, 0x304, "csrrsi s0,mie,1"),
    I(0xc00074f3, CSRRCI, 9, 0, 0xc00, "csrrci s1,cycle,0"),
    /* M */
    R(0x023100b3, MUL, 1, 2, 3, "mul ra,sp,gp"),
    R(0x02629233, MULH, 4, 5, 6, "mulh tp,t0,t1"),
    R(0x029423b3, MULHSU, 7, 8, 9, "mulhsu t2,s0,s1"),
    R(0x02c5b533, MULHU, 10, 11, 12, "mulhu a0,a1,a2"),
    R(0x02f746b3, DIV, 13, 14, 15, "div a3,a4,a5"),
    R(0x0328d833, DIVU, 16, 17, 18, "divu a6,a7,s2"),
    R(0x035a69b3, REM, 19, 20, 21, "rem s3,s4,s5"),
    R(0x038bfb33, REMU, 22, 23, 24, "remu s6,s7,s8"),
    R(0x03bd0cbb, MULW, 25, 26, 27, "mulw s9,s10,s11"),
    R(0x03eece3b, DIVW, 28, 29, 30, "divw t3,t4,t5"),
    R(0x0220dfbb, DIVUW, 31, 1, 2, "divuw t6,ra,sp"),
    R(0x025261bb, REMW, 3, 4, 5, "remw gp,tp,t0"),
    R(0x0283f33b, REMUW, 6, 7, 8, "remuw t1,t2,s0"),
    /* A: rm carries aq (2) and rl (1) */
    AMO(0x100120af, LR_W, 1, 2, 0, 0, "lr.w ra,(sp)"),
    AMO(0x1842a1af, SC_W, 3, 5, 4, 0, "sc.w gp,tp,(t0)"),
    AMO(0x0c74232f, AMOSWAP_W, 6, 8, 7, 2, "amoswap.w.aq t1,t2,(s0)"),
    AMO(0x02a5a4af, AMOADD_W, 9, 11, 10, 1, "amoadd.w.rl s1,a0,(a1)"),
    AMO(0x26d7262f, AMOXOR_W, 12, 14, 13, 3, "amoxor.w.aqrl a2,a3,(a4)"),
    AMO(0x6108a7af, AMOAND_W, 15, 17, 16, 0, "amoand.w a5,a6,(a7)"),
    AMO(0x413a292f, AMOOR_W, 18, 20, 19, 0, "amoor.w s2,s3,(s4)"),
    AMO(0x816baaaf, AMOMIN_W, 21, 23, 22, 0, "amomin.w s5,s6,(s7)"),
    AMO(0xa19d2c2f, AMOMAX_W, 24, 26, 25, 0, "amomax.w s8,s9,(s10)"),
    AMO(0xc1ceadaf, AMOMINU_W, 27, 29, 28, 0, "amominu.w s11,t3,(t4)"),
    AMO(0xe1f0af2f, AMOMAXU_W, 30, 1, 31, 0, "amomaxu.w t5,t6,(ra)"),
    AMO(0x160130af, LR_D, 1, 2, 0, 3, "lr.d.aqrl ra,(sp)"),
    AMO(0x1842b1af, SC_D, 3, 5, 4, 0, "sc.d gp,tp,(t0)"),
    AMO(0x0874332f, AMOSWAP_D, 6, 8, 7, 0, "amoswap.d t1,t2,(s0)"),
    AMO(0x00a5b4af, AMOADD_D, 9, 11, 10, 0, "amoadd.d s1,a0,(a1)"),
    AMO(0x20d7362f, AMOXOR_D, 12, 14, 13, 0, "amoxor.d a2,a3,(a4)"),
    AMO(0x6108b7af, AMOAND_D, 15, 17, 16, 0, "amoand.d a5,a6,(a7)"),
    AMO(0x413a392f, AMOOR_D, 18, 20, 19, 0, "amoor.d s2,s3,(s4)"),
    AMO(0x816bbaaf, AMOMIN_D, 21, 23, 22, 0, "amomin.d s5,s6,(s7)"),
    AMO(0xa19d3c2f, AMOMAX_D, 24, 26, 25, 0, "amomax.d s8,s9,(s10)"),
    AMO(0xc1cebdaf, AMOMINU_D, 27, 29, 28, 0, "amominu.d s11,t3,(t4)"),
    AMO(0xe1f0bf2f, AMOMAXU_D, 30, 1, 31, 0, "amomaxu.d t5,t6,(ra)"),
    /* F/D loads and stores */
    I(0x80012087, FLW, 1, 2, -2048, "flw ft1,-2048(sp)"),
    S(0x7e322fa7, FSW, 4, 3, 2047, "fsw ft3,2047(tp)"),
    I(0x00833287, FLD, 5, 6, 8, "fld ft5,8(t1)"),
    S(0xfe743c27, FSD, 8, 7, -8, "fsd ft7,-8(s0)"),
    /* fused multiply-add: rs3 in bits 31:27, every static rounding mode */
    F4(0x203100c3, FMADD_S, 1, 2, 3, 4, 0, "fmadd.s ft1,ft2,ft3,ft4,rne"),
    F4(0x407312c7, FMSUB_S, 5, 6, 7, 8, 1, "fmsub.s ft5,ft6,ft7,fs0,rtz"),
    F4(0x60b524cb, FNMSUB_S, 9, 10, 11, 12, 2, "fnmsub.s fs1,fa0,fa1,fa2,rdn"),
    F4(0x80f736cf, FNMADD_S, 13, 14, 15, 16, 3, "fnmadd.s fa3,fa4,fa5,fa6,rup"),
    F4(0xa33948c3, FMADD_D, 17, 18, 19, 20, 4, "fmadd.d fa7,fs2,fs3,fs4,rmm"),
    F4(0xc37b7ac7, FMSUB_D, 21, 22, 23, 24, 7, "fmsub.d fs5,fs6,fs7,fs8,dyn"),
    F4(0xe3bd7ccb, FNMSUB_D, 25, 26, 27, 28, 7, "fnmsub.d fs9,fs10,fs11,ft8"),
    F4(0x03ff7ecf, FNMADD_D, 29, 30, 31, 0, 7, "fnmadd.d ft9,ft10,ft11,ft0"),
    /* OP-FP, single */
    FR(0x003170d3, FADD_S, 1, 2, 3, 7, "fadd.s ft1,ft2,ft3"),
    FR(0x08629253, FSUB_S, 4, 5, 6, 1, "fsub.s ft4,ft5,ft6,rtz"),
    FR(0x109473d3, FMUL_S, 7, 8, 9, 7, "fmul.s ft7,fs0,fs1"),
    FR(0x18c5f553, FDIV_S, 10, 11, 12, 7, "fdiv.s fa0,fa1,fa2"),
    F2(0x580776d3, FSQRT_S, 13, 14, 7, "fsqrt.s fa3,fa4"),
    FR(0x211807d3, FSGNJ_S, 15, 16, 17, 0, "fsgnj.s fa5,fa6,fa7"),
    FR(0x21499953, FSGNJN_S, 18, 19, 20, 1, "fsgnjn.s fs2,fs3,fs4"),
    FR(0x217b2ad3, FSGNJX_S, 21, 22, 23, 2, "fsgnjx.s fs5,fs6,fs7"),
    FR(0x29ac8c53, FMIN_S, 24, 25, 26, 0, "fmin.s fs8,fs9,fs10"),
    FR(0x29de1dd3, FMAX_S, 27, 28, 29, 1, "fmax.s fs11,ft8,ft9"),
    F2(0xc00110d3, FCVT_W_S, 1, 2, 1, "fcvt.w.s ra,ft2,rtz"),
    F2(0xc01271d3, FCVT_WU_S, 3, 4, 7, "fcvt.wu.s gp,ft4"),
    F2(0xc02372d3, FCVT_L_S, 5, 6, 7, "fcvt.l.s t0,ft6"),
    F2(0xc03473d3, FCVT_LU_S, 7, 8, 7, "fcvt.lu.s t2,fs0"),
    F2(0xd00574d3, FCVT_S_W, 9, 10, 7, "fcvt.s.w fs1,a0"),
    F2(0xd01675d3, FCVT_S_WU, 11, 12, 7, "fcvt.s.wu fa1,a2"),
    F2(0xd02776d3, FCVT_S_L, 13, 14, 7, "fcvt.s.l fa3,a4"),
    F2(0xd03877d3, FCVT_S_LU, 15, 16, 7, "fcvt.s.lu fa5,a6"),
    F2(0xe00908d3, FMV_X_W, 17, 18, 0, "fmv.x.w a7,fs2"),
    F2(0xf00a09d3, FMV_W_X, 19, 20, 0, "fmv.w.x fs3,s4"),
    FR(0xa17b2ad3, FEQ_S, 21, 22, 23, 2, "feq.s s5,fs6,fs7"),
    FR(0xa1ac9c53, FLT_S, 24, 25, 26, 1, "flt.s s8,fs9,fs10"),
    FR(0xa1de0dd3, FLE_S, 27, 28, 29, 0, "fle.s s11,ft8,ft9"),
    F2(0xe00f9f53, FCLASS_S, 30, 31, 1, "fclass.s t5,ft11"),
    /* OP-FP, double */
    FR(0x023170d3, FADD_D, 1, 2, 3, 7, "fadd.d ft1,ft2,ft3"),
    FR(0x0a62f253, FSUB_D, 4, 5, 6, 7, "fsub.d ft4,ft5,ft6"),
    FR(0x129473d3, FMUL_D, 7, 8, 9, 7, "fmul.d ft7,fs0,fs1"),
    FR(0x1ac5f553, FDIV_D, 10, 11, 12, 7, "fdiv.d fa0,fa1,fa2"),
    F2(0x5a0776d3, FSQRT_D, 13, 14, 7, "fsqrt.d fa3,fa4"),
    FR(0x231807d3, FSGNJ_D, 15, 16, 17, 0, "fsgnj.d fa5,fa6,fa7"),
    FR(0x23499953, FSGNJN_D, 18, 19, 20, 1, "fsgnjn.d fs2,fs3,fs4"),
    FR(0x237b2ad3, FSGNJX_D, 21, 22, 23, 2, "fsgnjx.d fs5,fs6,fs7"),
    FR(0x2bac8c53, FMIN_D, 24, 25, 26, 0, "fmin.d fs8,fs9,fs10"),
    FR(0x2bde1dd3, FMAX_D, 27, 28, 29, 1, "fmax.d fs11,ft8,ft9"),
    F2(0xc20170d3, FCVT_W_D, 1, 2, 7, "fcvt.w.d ra,ft2"),
    F2(0xc21271d3, FCVT_WU_D, 3, 4, 7, "fcvt.wu.d gp,ft4"),
    F2(0xc22372d3, FCVT_L_D, 5, 6, 7, "fcvt.l.d t0,ft6"),
    F2(0xc23473d3, FCVT_LU_D, 7, 8, 7, "fcvt.lu.d t2,fs0"),
    F2(0xd20504d3, FCVT_D_W, 9, 10, 0, "fcvt.d.w fs1,a0"),
    F2(0xd21605d3, FCVT_D_WU, 11, 12, 0, "fcvt.d.wu fa1,a2"),
    F2(0xd22776d3, FCVT_D_L, 13, 14, 7, "fcvt.d.l fa3,a4"),
    F2(0xd23877d3, FCVT_D_LU, 15, 16, 7, "fcvt.d.lu fa5,a6"),
    F2(0x401978d3, FCVT_S_D, 17, 18, 7, "fcvt.s.d fa7,fs2"),
    F2(0x420a09d3, FCVT_D_S, 19, 20, 0, "fcvt.d.s fs3,fs4"),
    F2(0xe20b0ad3, FMV_X_D, 21, 22, 0, "fmv.x.d s5,fs6"),
    F2(0xf20c0bd3, FMV_D_X, 23, 24, 0, "fmv.d.x fs7,s8"),
    FR(0xa3bd2cd3, FEQ_D, 25, 26, 27, 2, "feq.d s9,fs10,fs11"),
    FR(0xa3ee9e53, FLT_D, 28, 29, 30, 1, "flt.d t3,ft9,ft10"),
    FR(0xa2208fd3, FLE_D, 31, 1, 2, 0, "fle.d t6,ft1,ft2"),
    F2(0xe20211d3, FCLASS_D, 3, 4, 1, "fclass.d gp,ft4"),
};

/* Compressed: each checked against the operation and operands of the 32-bit
 * instruction it expands to (ISA chapter 16, tables 16.5-16.7). */
#define C(w, o, d, s1, s2, im, a) {w, OP_##o, d, s1, s2, X, X, im, a}
static const struct dcase rvc_cases[] = {
    /* Quadrant 0: rd'/rs1'/rs2' name x8..x15 */
    C(0x0040, ADDI, 8, 2, X, 4, "c.addi4spn s0,sp,4"),
    C(0x1ffc, ADDI, 15, 2, X, 1020, "c.addi4spn a5,sp,1020 (nzuimm[5:4|9:6|2|3])"),
    C(0x3fe0, FLD, 8, 15, X, 248, "c.fld fs0,248(a5)"),
    C(0x5d64, LW, 9, 10, X, 124, "c.lw s1,124(a0) (uimm[5:3|2|6])"),
    C(0x403c, LW, 15, 8, X, 64, "c.lw a5,64(s0)"),
    C(0x7e6c, LD, 11, 12, X, 248, "c.ld a1,248(a2)"),
    C(0xa714, FSD, X, 14, 13, 8, "c.fsd fa3,8(a4)"),
    C(0xc3c4, SW, X, 15, 9, 4, "c.sw s1,4(a5)"),
    C(0xe0c0, SD, X, 9, 8, 128, "c.sd s0,128(s1)"),
    /* Quadrant 1 */
    C(0x0001, ADDI, 0, 0, X, 0, "c.nop"),
    C(0x1281, ADDI, 5, 5, X, -32, "c.addi t0,-32"),
    C(0x0ffd, ADDI, 31, 31, X, 31, "c.addi t6,31"),
    C(0x337d, ADDIW, 6, 6, X, -1, "c.addiw t1,-1"),
    C(0x2381, ADDIW, 7, 7, X, 0, "c.addiw t2,0 (sext.w)"),
    C(0x5501, ADDI, 10, 0, X, -32, "c.li a0,-32"),
    C(0x4015, ADDI, 0, 0, X, 5, "c.li zero,5 (HINT)"),
    C(0x7101, ADDI, 2, 2, X, -512, "c.addi16sp sp,-512"),
    C(0x617d, ADDI, 2, 2, X, 496, "c.addi16sp sp,496 (nzimm[9|4|6|8:7|5])"),
    C(0x6141, ADDI, 2, 2, X, 16, "c.addi16sp sp,16"),
    C(0x7181, LUI, 3, X, X, -0x20000, "c.lui gp,0xfffe0 (nzimm[17] sign)"),
    C(0x627d, LUI, 4, X, X, 0x1f000, "c.lui tp,0x1f"),
    C(0x6285, LUI, 5, X, X, 0x1000, "c.lui t0,0x1"),
    C(0x907d, SRLI, 8, 8, X, 63, "c.srli s0,0x3f (shamt[5] legal on RV64)"),
    C(0x8085, SRLI, 9, 9, X, 1, "c.srli s1,0x1"),
    C(0x9501, SRAI, 10, 10, X, 32, "c.srai a0,0x20"),
    C(0x9981, ANDI, 11, 11, X, -32, "c.andi a1,-32"),
    C(0x8a7d, ANDI, 12, 12, X, 31, "c.andi a2,31"),
    C(0x8c05, SUB, 8, 8, 9, 0, "c.sub s0,s1"),
    C(0x8d2d, XOR, 10, 10, 11, 0, "c.xor a0,a1"),
    C(0x8e55, OR, 12, 12, 13, 0, "c.or a2,a3"),
    C(0x8f7d, AND, 14, 14, 15, 0, "c.and a4,a5"),
    C(0x9c1d, SUBW, 8, 8, 15, 0, "c.subw s0,a5"),
    C(0x9fa1, ADDW, 15, 15, 8, 0, "c.addw a5,s0"),
    C(0xb001, JAL, 0, X, X, -2048, "c.j .-2048"),
    C(0xaffd, JAL, 0, X, X, 2046, "c.j .+2046"),
    C(0xa02d, JAL, 0, X, X, 0x2a, "c.j .+0x2a (offset[5], [3:1])"),
    C(0xab81, JAL, 0, X, X, 0x550, "c.j .+0x550 (offset[10], [8], [6], [4])"),
    C(0xd001, BEQ, X, 8, 0, -256, "c.beqz s0,.-256"),
    C(0xeffd, BNE, X, 15, 0, 254, "c.bnez a5,.+254"),
    C(0xc08d, BEQ, X, 9, 0, 0x22, "c.beqz s1,.+0x22"),
    C(0xe545, BNE, X, 10, 0, 0xa8, "c.bnez a0,.+0xa8"),
    /* Quadrant 2 */
    C(0x10fe, SLLI, 1, 1, X, 63, "c.slli ra,0x3f"),
    C(0x0f86, SLLI, 31, 31, X, 1, "c.slli t6,0x1"),
    C(0x30fe, FLD, 1, 2, X, 504, "c.fldsp ft1,504(sp)"),
    C(0x517e, LW, 2, 2, X, 252, "c.lwsp sp,252(sp)"),
    C(0x71fe, LD, 3, 2, X, 504, "c.ldsp gp,504(sp)"),
    C(0x8082, JALR, 0, 1, X, 0, "c.jr ra"),
    C(0x829a, ADD, 5, 0, 6, 0, "c.mv t0,t1"),
    C(0x9002, EBREAK, X, X, X, IMM_X, "c.ebreak"),
    C(0x9382, JALR, 1, 7, X, 0, "c.jalr t2"),
    C(0x9426, ADD, 8, 8, 9, 0, "c.add s0,s1"),
    C(0xbfaa, FSD, X, 2, 10, 504, "c.fsdsp fa0,504(sp)"),
    C(0xdfae, SW, X, 2, 11, 252, "c.swsp a1,252(sp)"),
    C(0xffb2, SD, X, 2, 12, 504, "c.sdsp a2,504(sp)"),
};

struct icase {
    uint32_t raw;
    const char *why;
};

/* Reserved and illegal encodings: all must decode to OP_ILLEGAL. */
static const struct icase illegal_cases[] = {
    /* RVC reserved code points (ISA 16.8) */
    {0x0000, "all-zero halfword (defined illegal)"},
    {0x0004, "c.addi4spn with nzuimm=0"},
    {0x6181, "c.lui gp,0 (nzimm=0)"},
    {0x6101, "c.addi16sp sp,0 (nzimm=0)"},
    {0x8002, "c.jr zero"},
    {0x4002, "c.lwsp zero,0(sp)"},
    {0x6002, "c.ldsp zero,0(sp)"},
    {0x2001, "c.addiw zero,0"},
    {0x2005, "c.addiw zero,1"},
    {0x9c41, "Q1 misc-alu funct 1,10 (reserved)"},
    {0x9c61, "Q1 misc-alu funct 1,11 (reserved)"},
    {0x8000, "Q0 funct3=100 (reserved)"},
    {0x8004, "Q0 funct3=100 (reserved)"},
    /* shifts: RV64 shamt is 6 bits (5 for *W); everything else must be zero */
    {0x40001093, "slli with funct6=010000"},
    {0x04001093, "slli with shamt[6] (RV128 only)"},
    {0x0200109b, "slliw with shamt[5]"},
    {0x0200509b, "srliw with shamt[5]"},
    {0x4200509b, "sraiw with shamt[5]"},
    {0x20005093, "srai with funct6=001000"},
    {0x60005093, "srai with funct6=011000"},
    {0x44005093, "srai with shamt[6]"},
    {0x40001033, "sll with funct7=0100000"},
    {0x40002033, "slt with funct7=0100000"},
    {0x0000203b, "OP-32 funct3=010"},
    {0x0200103b, "OP-32 M funct3=001 (no mulhw)"},
    {0x0000201b, "OP-IMM-32 funct3=010"},
    /* FP formats H (10) and Q (11) are not implemented */
    {0x043100d3, "fadd.h ft1,ft2,ft3"},
    {0x063100d3, "fadd.q ft1,ft2,ft3"},
    {0x243100c3, "fmadd.h"},
    {0x263100c3, "fmadd.q"},
    {0x00001007, "flh (funct3=001)"},
    {0x00004007, "flq (funct3=100)"},
    {0x00001027, "fsh"},
    {0x00004027, "fsq"},
    /* static rounding modes 101 and 110 are reserved */
    {0x003150d3, "fadd.s ft1,ft2,ft3,rm=5"},
    {0x003160d3, "fadd.s ft1,ft2,ft3,rm=6"},
    {0x203150c3, "fmadd.s ...,rm=5"},
    {0x203160c7, "fmsub.s ...,rm=6"},
    {0x401958d3, "fcvt.s.d fa7,fs2,rm=5"},
    /* rs2 selects the operation or must be zero */
    {0x5a1776d3, "fsqrt.d with rs2=1"},
    {0xc04110d3, "fcvt.w.s with rs2=4"},
    {0xd24574d3, "fcvt.d.w with rs2=4"},
    {0x400978d3, "fcvt.s.s (fmt S, rs2=0)"},
    {0x421a09d3, "fcvt.d.d (fmt D, rs2=1)"},
    {0xe01908d3, "fmv.x.w with rs2=1"},
    {0xe00920d3, "fmv.x.w with funct3=010"},
    {0xf00a19d3, "fmv.w.x with funct3=001"},
    {0x211837d3, "fsgnj.s with funct3=011"},
    {0x29aca353, "fmin.s with funct3=010"},
    {0xa17b3ad3, "feq.s with funct3=011"},
    /* SYSTEM with nonzero rd/rs1, or unknown funct12 */
    {0x000000f3, "ecall with rd=1"},
    {0x00008073, "ecall with rs1=1"},
    {0x001000f3, "ebreak with rd=1"},
    {0x30200173, "mret with rd=2"},
    {0x30208073, "mret with rs1=1"},
    {0x10500ff3, "wfi with rd=31"},
    {0x10508073, "wfi with rs1=1"},
    {0x10218073, "sret with rs1=3"},
    {0x120000f3, "sfence.vma with rd=1"},
    {0x00200073, "uret (N extension, not implemented)"},
    {0x7b200073, "dret (debug mode only)"},
    {0x00004073, "SYSTEM funct3=100"},
    /* A */
    {0x101120af, "lr.w with rs2=1"},
    {0x0000002f, "AMO funct3=000"},
    {0x0000102f, "AMO funct3=001"},
    {0x2800202f, "AMO funct5=00101"},
    /* loads, stores, branches, jalr, fence */
    {0x00007003, "LOAD funct3=111"},
    {0x00004023, "STORE funct3=100"},
    {0x00005023, "STORE funct3=101"},
    {0x00006023, "STORE funct3=110"},
    {0x00007023, "STORE funct3=111"},
    {0x00002063, "BRANCH funct3=010"},
    {0x00003063, "BRANCH funct3=011"},
    {0x000010e7, "jalr with funct3=001"},
    {0x0000200f, "MISC-MEM funct3=010"},
    /* opcodes with nothing behind them */
    {0x0000000b, "custom-0"},
    {0x0000002b, "custom-1"},
    {0x0000005b, "custom-2"},
    {0x0000007b, "custom-3"},
    {0x00000057, "OP-V (V not implemented)"},
    {0x00000077, "reserved 1110111"},
    {0x0000006b, "reserved 1101011"},
    {0x0000001f, "48-bit encoding space"},
    {0x0000003f, "64-bit encoding space"},
    {0x0000007f, ">=80-bit encoding space"},
    {0xffffffff, "all ones"},
};

static void test_base(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(base_cases) / sizeof(base_cases[0]); k++)
        check_case(&base_cases[k], 4);
}

static void test_rvc(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(rvc_cases) / sizeof(rvc_cases[0]); k++)
        check_case(&rvc_cases[k], 2);
}

static void test_illegal(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(illegal_cases) / sizeof(illegal_cases[0]); k++) {
        const struct icase *c = &illegal_cases[k];
        struct insn i;
        decode_dirty(c->raw, &i);
        if (i.op != OP_ILLEGAL)
            fail_msg("%08x (%s) decoded to %s", c->raw, c->why, decode_op_name(i.op));
        unsigned len = (c->raw & 3) == 3 ? 4 : 2;
        if (i.len != len)
            fail_msg("%08x (%s): len %u", c->raw, c->why, i.len);
        /* tval of the illegal-instruction trap comes from raw */
        if (i.raw != (len == 2 ? (c->raw & 0xffff) : c->raw))
            fail_msg("%08x (%s): raw %08x", c->raw, c->why, i.raw);
    }
}

/* Sign extension at the extremes of each immediate format, with every
 * other bit of the word varied, so a stray field cannot leak in. */
static void test_imm_extremes(void **state)
{
    (void)state;
    struct insn i;
    /* I: 0x800 -> -2048, 0x7ff -> 2047 (addi x0,x0,imm with all regs set) */
    decode_dirty(0x80000013 | (31u << 7) | (31u << 15), &i); /* addi t6,t6,-2048 */
    assert_int_equal(i.op, OP_ADDI);
    assert_int_equal(i.imm, -2048);
    decode_dirty(0x7ff00013, &i); /* addi zero,zero,2047 */
    assert_int_equal(i.imm, 2047);
    decode_dirty(0xfff00013, &i); /* addi zero,zero,-1 */
    assert_int_equal(i.imm, -1);
    /* S: imm[11:5] bits 31:25, imm[4:0] bits 11:7 */
    decode_dirty(0xfe000fa3, &i); /* sb zero,-1(zero) */
    assert_int_equal(i.op, OP_SB);
    assert_int_equal(i.imm, -1);
    decode_dirty(0x80000023, &i); /* sb zero,-2048(zero) */
    assert_int_equal(i.imm, -2048);
    decode_dirty(0x7e000fa3, &i); /* sb zero,2047(zero) */
    assert_int_equal(i.imm, 2047);
    /* B: the all-ones offset field is -2 */
    decode_dirty(0xfe000fe3, &i); /* beq zero,zero,.-2 */
    assert_int_equal(i.op, OP_BEQ);
    assert_int_equal(i.imm, -2);
    decode_dirty(0x00000063, &i); /* beq zero,zero,. */
    assert_int_equal(i.imm, 0);
    /* U: bit 31 set -> negative 32-bit value (sign-extends to 64 bits later) */
    decode_dirty(0xfffff037, &i); /* lui zero,0xfffff */
    assert_int_equal(i.imm, (int32_t)0xfffff000);
    decode_dirty(0x00001037, &i); /* lui zero,0x1 */
    assert_int_equal(i.imm, 0x1000);
    /* J: the all-ones offset field is -2 */
    decode_dirty(0xffffffef, &i); /* jal t6,.-2 */
    assert_int_equal(i.op, OP_JAL);
    assert_int_equal(i.rd, 31);
    assert_int_equal(i.imm, -2);
    decode_dirty(0x7ffff06f, &i); /* jal zero,.+0xffffe */
    assert_int_equal(i.imm, 0xffffe);
    /* RVC: c.li with imm[5]=1 is negative; c.andi likewise; c.addi16sp's
     * sign is bit 12 = nzimm[9] */
    decode_dirty(0x1001, &i); /* c.addi zero,-32 (HINT) */
    assert_int_equal(i.op, OP_ADDI);
    assert_int_equal(i.imm, -32);
    decode_dirty(0x7105, &i); /* c.addi16sp sp,-480 */
    assert_int_equal(i.op, OP_ADDI);
    assert_int_equal(i.imm, -480);
    decode_dirty(0x7005, &i); /* c.lui zero,0xfffe1 (HINT) */
    assert_int_equal(i.op, OP_LUI);
    assert_int_equal(i.imm, (int32_t)0xfffe1000);
    decode_dirty(0x9c0d, &i); /* c.subw s0,a1: bit 12 is funct, not an imm */
    assert_int_equal(i.op, OP_SUBW);
}

/* RVC register fields: 3-bit rd'/rs1'/rs2' are x8 + field, for all eight. */
static void test_rvc_registers(void **state)
{
    (void)state;
    for (unsigned r = 0; r < 8; r++) {
        struct insn i;
        /* c.lw x(8+r), 0(x(8+(7-r))) */
        uint32_t w = 0x4000 | ((7 - r) << 7) | (r << 2);
        decode_dirty(w, &i);
        assert_int_equal(i.op, OP_LW);
        assert_int_equal(i.rd, 8 + r);
        assert_int_equal(i.rs1, 8 + (7 - r));
        assert_int_equal(i.imm, 0);
        /* c.and x(8+r), x(8+(7-r)) */
        w = 0x8c61 | (r << 7) | ((7 - r) << 2);
        decode_dirty(w, &i);
        assert_int_equal(i.op, OP_AND);
        assert_int_equal(i.rd, 8 + r);
        assert_int_equal(i.rs1, 8 + r);
        assert_int_equal(i.rs2, 8 + (7 - r));
        /* c.sd x(8+r), 0(x(8+(7-r))) */
        w = 0xe000 | ((7 - r) << 7) | (r << 2);
        decode_dirty(w, &i);
        assert_int_equal(i.op, OP_SD);
        assert_int_equal(i.rs1, 8 + (7 - r));
        assert_int_equal(i.rs2, 8 + r);
    }
}

/* c.slli/c.srli/c.srai: shamt[5] is instruction bit 12; every 6-bit value
 * (except the shamt=0 HINT forms, which still decode) is a plain shift. */
static void test_rvc_shamt(void **state)
{
    (void)state;
    for (unsigned sh = 0; sh < 64; sh++) {
        uint32_t lo = ((sh >> 5) << 12) | ((sh & 31) << 2);
        struct insn i;
        decode_dirty(0x0002 | lo | (5u << 7), &i); /* c.slli t0,sh */
        assert_int_equal(i.op, OP_SLLI);
        assert_int_equal(i.imm, sh);
        decode_dirty(0x8001 | lo | (2u << 7), &i); /* c.srli a0,sh */
        assert_int_equal(i.op, OP_SRLI);
        assert_int_equal(i.rd, 10);
        assert_int_equal(i.imm, sh);
        decode_dirty(0x8401 | lo | (3u << 7), &i); /* c.srai a1,sh */
        assert_int_equal(i.op, OP_SRAI);
        assert_int_equal(i.rd, 11);
        assert_int_equal(i.imm, sh);
    }
}

/* A 16-bit instruction is decoded from the low half only; the upper half
 * (the next instruction's bits, as fetched) must not leak in. */
static void test_rvc_upper_half_ignored(void **state)
{
    (void)state;
    struct insn a, b;
    decode_dirty(0x9426, &a);     /* c.add s0,s1 */
    decode_dirty(0xdead9426, &b); /* same, with garbage above */
    assert_int_equal(b.op, OP_ADD);
    assert_int_equal(b.len, 2);
    assert_int_equal(b.raw, 0x9426);
    assert_int_equal(a.rd, b.rd);
    assert_int_equal(a.rs1, b.rs1);
    assert_int_equal(a.rs2, b.rs2);
    assert_int_equal(insn_length(0x9426), 2);
    assert_int_equal(insn_length(0x0013), 4);
}

/* Decoding must depend on the instruction bits alone, not on what the
 * output structure held before (decode caches reuse their slots). */
static void test_deterministic(void **state)
{
    (void)state;
    static const uint32_t words[] = {0x00000073, 0x00100073, 0x30200073, 0x10500073,
                                     0x12208073, 0x0000100f, 0x0310000f, 0x003170d3,
                                     0x9002,     0x0000,     0x0000000b, 0x100120af};
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        struct insn a, b;
        memset(&a, 0x00, sizeof(a));
        memset(&b, 0xff, sizeof(b));
        decode(words[k], &a);
        decode(words[k], &b);
        if (a.op != b.op || a.rd != b.rd || a.rs1 != b.rs1 || a.rs2 != b.rs2 ||
            a.rs3 != b.rs3 || a.len != b.len || a.rm != b.rm || a.imm != b.imm ||
            a.raw != b.raw)
            fail_msg("%08x (%s): fields depend on prior contents (imm %d vs %d)", words[k],
                     decode_op_name(a.op), a.imm, b.imm);
    }
}

static void test_ends_block(void **state)
{
    (void)state;
    assert_true(decode_ends_block(OP_JAL));
    assert_true(decode_ends_block(OP_BEQ));
    assert_true(decode_ends_block(OP_ECALL));
    assert_true(decode_ends_block(OP_CSRRS));
    assert_true(decode_ends_block(OP_SFENCE_VMA));
    assert_true(decode_ends_block(OP_FENCE_I));
    assert_true(decode_ends_block(OP_ILLEGAL));
    assert_false(decode_ends_block(OP_ADD));
    assert_false(decode_ends_block(OP_LD));
    assert_false(decode_ends_block(OP_AMOADD_D));
    assert_string_equal(decode_op_name(OP_FCVT_S_D), "FCVT_S_D");
    assert_string_equal(decode_op_name(OP_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base),
        cmocka_unit_test(test_rvc),
        cmocka_unit_test(test_illegal),
        cmocka_unit_test(test_imm_extremes),
        cmocka_unit_test(test_rvc_registers),
        cmocka_unit_test(test_rvc_shamt),
        cmocka_unit_test(test_rvc_upper_half_ignored),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_ends_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
