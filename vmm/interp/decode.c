/*
 * decode.c - RV64GC instruction decoder (see decode.h).
 *
 * Base opcodes follow the RV32/64G opcode map (ISA 20191213, chapter 24);
 * compressed instructions the RVC quadrant tables (chapter 16.8), expanded to
 * the equivalent base operation. HINT encodings decode to their base
 * operation with rd = x0, which executes as a no-op.
 */
#include "vmm/interp/decode.h"

#include <string.h>

static const char *const op_names[OP_COUNT] = {
#define DECODE_NAME(name) #name,
    DECODE_OPS(DECODE_NAME)
#undef DECODE_NAME
};

const char *decode_op_name(unsigned op)
{
    return op < OP_COUNT ? op_names[op] : "?";
}

int decode_ends_block(unsigned op)
{
    switch (op) {
    case OP_ILLEGAL:
    case OP_JAL:
    case OP_JALR:
    case OP_BEQ:
    case OP_BNE:
    case OP_BLT:
    case OP_BGE:
    case OP_BLTU:
    case OP_BGEU:
    case OP_FENCE_I:
    case OP_ECALL:
    case OP_EBREAK:
    case OP_MRET:
    case OP_SRET:
    case OP_WFI:
    case OP_SFENCE_VMA:
    case OP_CSRRW:
    case OP_CSRRS:
    case OP_CSRRC:
    case OP_CSRRWI:
    case OP_CSRRSI:
    case OP_CSRRCI:
        return 1;
    default:
        return 0;
    }
}

static inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int32_t sext(uint32_t v, unsigned width)
{
    return (int32_t)(v << (32 - width)) >> (32 - width);
}

static int32_t imm_i(uint32_t r) { return (int32_t)r >> 20; }
static int32_t imm_s(uint32_t r) { return sext((bits(r, 31, 25) << 5) | bits(r, 11, 7), 12); }
static int32_t imm_b(uint32_t r)
{
    uint32_t v = (bits(r, 31, 31) << 12) | (bits(r, 7, 7) << 11) | (bits(r, 30, 25) << 5) |
                 (bits(r, 11, 8) << 1);
    return sext(v, 13);
}
static int32_t imm_u(uint32_t r) { return (int32_t)(r & 0xfffff000u); }
static int32_t imm_j(uint32_t r)
{
    uint32_t v = (bits(r, 31, 31) << 20) | (bits(r, 19, 12) << 12) | (bits(r, 20, 20) << 11) |
                 (bits(r, 30, 21) << 1);
    return sext(v, 21);
}

static void set(struct insn *i, enum op op, unsigned rd, unsigned rs1, unsigned rs2, int32_t imm)
{
    i->op = (uint16_t)op;
    i->rd = (uint8_t)rd;
    i->rs1 = (uint8_t)rs1;
    i->rs2 = (uint8_t)rs2;
    i->imm = imm;
}

/* ---- 32-bit instructions ---- */

static enum op dec_load(unsigned f3)
{
    static const enum op t[8] = {OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU, OP_ILLEGAL};
    return t[f3];
}

static enum op dec_store(unsigned f3)
{
    static const enum op t[8] = {OP_SB, OP_SH, OP_SW, OP_SD, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL,
                                 OP_ILLEGAL};
    return t[f3];
}

static enum op dec_branch(unsigned f3)
{
    static const enum op t[8] = {OP_BEQ, OP_BNE, OP_ILLEGAL, OP_ILLEGAL,
                                 OP_BLT, OP_BGE, OP_BLTU,    OP_BGEU};
    return t[f3];
}

static enum op dec_opimm(uint32_t r, int32_t *imm)
{
    unsigned f3 = bits(r, 14, 12);
    unsigned f6 = bits(r, 31, 26);
    switch (f3) {
    case 0: return OP_ADDI;
    case 2: return OP_SLTI;
    case 3: return OP_SLTIU;
    case 4: return OP_XORI;
    case 6: return OP_ORI;
    case 7: return OP_ANDI;
    case 1:
        *imm = (int32_t)bits(r, 25, 20);
        return f6 == 0 ? OP_SLLI : OP_ILLEGAL;
    case 5:
        *imm = (int32_t)bits(r, 25, 20);
        if (f6 == 0)
            return OP_SRLI;
        if (f6 == 0x10)
            return OP_SRAI;
        return OP_ILLEGAL;
    }
    return OP_ILLEGAL;
}

static enum op dec_opimm32(uint32_t r, int32_t *imm)
{
    unsigned f3 = bits(r, 14, 12);
    unsigned f7 = bits(r, 31, 25);
    switch (f3) {
    case 0: return OP_ADDIW;
    case 1:
        *imm = (int32_t)bits(r, 24, 20);
        return f7 == 0 ? OP_SLLIW : OP_ILLEGAL;
    case 5:
        *imm = (int32_t)bits(r, 24, 20);
        if (f7 == 0)
            return OP_SRLIW;
        if (f7 == 0x20)
            return OP_SRAIW;
        return OP_ILLEGAL;
    }
    return OP_ILLEGAL;
}

static enum op dec_op(uint32_t r)
{
    unsigned f3 = bits(r, 14, 12);
    unsigned f7 = bits(r, 31, 25);
    if (f7 == 0) {
        static const enum op t[8] = {OP_ADD, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_OR, OP_AND};
        return t[f3];
    }
    if (f7 == 1) {
        static const enum op t[8] = {OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU,
                                     OP_DIV, OP_DIVU, OP_REM,    OP_REMU};
        return t[f3];
    }
    if (f7 == 0x20) {
        if (f3 == 0)
            return OP_SUB;
        if (f3 == 5)
            return OP_SRA;
    }
    return OP_ILLEGAL;
}

static enum op dec_op32(uint32_t r)
{
    unsigned f3 = bits(r, 14, 12);
    unsigned f7 = bits(r, 31, 25);
    if (f7 == 0) {
        switch (f3) {
        case 0: return OP_ADDW;
        case 1: return OP_SLLW;
        case 5: return OP_SRLW;
        }
    } else if (f7 == 1) {
        switch (f3) {
        case 0: return OP_MULW;
        case 4: return OP_DIVW;
        case 5: return OP_DIVUW;
        case 6: return OP_REMW;
        case 7: return OP_REMUW;
        }
    } else if (f7 == 0x20) {
        if (f3 == 0)
            return OP_SUBW;
        if (f3 == 5)
            return OP_SRAW;
    }
    return OP_ILLEGAL;
}

static enum op dec_amo(uint32_t r)
{
    unsigned f3 = bits(r, 14, 12);
    unsigned f5 = bits(r, 31, 27);
    int d;
    if (f3 == 2)
        d = 0;
    else if (f3 == 3)
        d = 1;
    else
        return OP_ILLEGAL;
    switch (f5) {
    case 0x02:
        if (bits(r, 24, 20) != 0)
            return OP_ILLEGAL; /* LR has rs2 = 0 */
        return d ? OP_LR_D : OP_LR_W;
    case 0x03: return d ? OP_SC_D : OP_SC_W;
    case 0x01: return d ? OP_AMOSWAP_D : OP_AMOSWAP_W;
    case 0x00: return d ? OP_AMOADD_D : OP_AMOADD_W;
    case 0x04: return d ? OP_AMOXOR_D : OP_AMOXOR_W;
    case 0x0c: return d ? OP_AMOAND_D : OP_AMOAND_W;
    case 0x08: return d ? OP_AMOOR_D : OP_AMOOR_W;
    case 0x10: return d ? OP_AMOMIN_D : OP_AMOMIN_W;
    case 0x14: return d ? OP_AMOMAX_D : OP_AMOMAX_W;
    case 0x18: return d ? OP_AMOMINU_D : OP_AMOMINU_W;
    case 0x1c: return d ? OP_AMOMAXU_D : OP_AMOMAXU_W;
    }
    return OP_ILLEGAL;
}

/* Rounding-mode fields 5 and 6 are reserved: illegal when static. */
static int rm_ok(unsigned rm)
{
    return rm <= 4 || rm == RM_DYN;
}

static enum op dec_fp(uint32_t r)
{
    unsigned f7 = bits(r, 31, 25);
    unsigned f3 = bits(r, 14, 12);
    unsigned rs2 = bits(r, 24, 20);
    unsigned fmt = f7 & 3; /* 0 = S, 1 = D; H and Q are not implemented */
    if (fmt > 1)
        return OP_ILLEGAL;
    int d = fmt == 1;
    switch (f7 >> 2) {
    case 0x00: return rm_ok(f3) ? (d ? OP_FADD_D : OP_FADD_S) : OP_ILLEGAL;
    case 0x01: return rm_ok(f3) ? (d ? OP_FSUB_D : OP_FSUB_S) : OP_ILLEGAL;
    case 0x02: return rm_ok(f3) ? (d ? OP_FMUL_D : OP_FMUL_S) : OP_ILLEGAL;
    case 0x03: return rm_ok(f3) ? (d ? OP_FDIV_D : OP_FDIV_S) : OP_ILLEGAL;
    case 0x0b:
        if (rs2 != 0 || !rm_ok(f3))
            return OP_ILLEGAL;
        return d ? OP_FSQRT_D : OP_FSQRT_S;
    case 0x04:
        switch (f3) {
        case 0: return d ? OP_FSGNJ_D : OP_FSGNJ_S;
        case 1: return d ? OP_FSGNJN_D : OP_FSGNJN_S;
        case 2: return d ? OP_FSGNJX_D : OP_FSGNJX_S;
        }
        return OP_ILLEGAL;
    case 0x05:
        switch (f3) {
        case 0: return d ? OP_FMIN_D : OP_FMIN_S;
        case 1: return d ? OP_FMAX_D : OP_FMAX_S;
        }
        return OP_ILLEGAL;
    case 0x08: /* fcvt.s.d (fmt S, rs2 = 1) and fcvt.d.s (fmt D, rs2 = 0) */
        if (!rm_ok(f3))
            return OP_ILLEGAL;
        if (!d && rs2 == 1)
            return OP_FCVT_S_D;
        if (d && rs2 == 0)
            return OP_FCVT_D_S;
        return OP_ILLEGAL;
    case 0x14:
        switch (f3) {
        case 0: return d ? OP_FLE_D : OP_FLE_S;
        case 1: return d ? OP_FLT_D : OP_FLT_S;
        case 2: return d ? OP_FEQ_D : OP_FEQ_S;
        }
        return OP_ILLEGAL;
    case 0x18: /* fcvt.{w,wu,l,lu}.fmt */
        if (!rm_ok(f3))
            return OP_ILLEGAL;
        switch (rs2) {
        case 0: return d ? OP_FCVT_W_D : OP_FCVT_W_S;
        case 1: return d ? OP_FCVT_WU_D : OP_FCVT_WU_S;
        case 2: return d ? OP_FCVT_L_D : OP_FCVT_L_S;
        case 3: return d ? OP_FCVT_LU_D : OP_FCVT_LU_S;
        }
        return OP_ILLEGAL;
    case 0x1a: /* fcvt.fmt.{w,wu,l,lu} */
        if (!rm_ok(f3))
            return OP_ILLEGAL;
        switch (rs2) {
        case 0: return d ? OP_FCVT_D_W : OP_FCVT_S_W;
        case 1: return d ? OP_FCVT_D_WU : OP_FCVT_S_WU;
        case 2: return d ? OP_FCVT_D_L : OP_FCVT_S_L;
        case 3: return d ? OP_FCVT_D_LU : OP_FCVT_S_LU;
        }
        return OP_ILLEGAL;
    case 0x1c:
        if (rs2 != 0)
            return OP_ILLEGAL;
        if (f3 == 0)
            return d ? OP_FMV_X_D : OP_FMV_X_W;
        if (f3 == 1)
            return d ? OP_FCLASS_D : OP_FCLASS_S;
        return OP_ILLEGAL;
    case 0x1e:
        if (rs2 != 0 || f3 != 0)
            return OP_ILLEGAL;
        return d ? OP_FMV_D_X : OP_FMV_W_X;
    }
    return OP_ILLEGAL;
}

static enum op dec_fma(uint32_t r, unsigned opcode)
{
    unsigned fmt = bits(r, 26, 25);
    if (fmt > 1 || !rm_ok(bits(r, 14, 12)))
        return OP_ILLEGAL;
    int d = fmt == 1;
    switch (opcode) {
    case 0x43: return d ? OP_FMADD_D : OP_FMADD_S;
    case 0x47: return d ? OP_FMSUB_D : OP_FMSUB_S;
    case 0x4b: return d ? OP_FNMSUB_D : OP_FNMSUB_S;
    case 0x4f: return d ? OP_FNMADD_D : OP_FNMADD_S;
    }
    return OP_ILLEGAL;
}

static enum op dec_system(uint32_t r, struct insn *i)
{
    unsigned f3 = bits(r, 14, 12);
    unsigned rd = bits(r, 11, 7);
    unsigned rs1 = bits(r, 19, 15);
    i->imm = 0; /* the caller copies it back: never leave it stale */
    if (f3 != 0) {
        i->imm = (int32_t)bits(r, 31, 20); /* CSR number */
        switch (f3) {
        case 1: return OP_CSRRW;
        case 2: return OP_CSRRS;
        case 3: return OP_CSRRC;
        case 5: return OP_CSRRWI;
        case 6: return OP_CSRRSI;
        case 7: return OP_CSRRCI;
        }
        return OP_ILLEGAL;
    }
    unsigned f7 = bits(r, 31, 25);
    if (f7 == 0x09 && rd == 0)
        return OP_SFENCE_VMA;
    if (rd != 0 || rs1 != 0)
        return OP_ILLEGAL;
    switch (bits(r, 31, 20)) {
    case 0x000: return OP_ECALL;
    case 0x001: return OP_EBREAK;
    case 0x102: return OP_SRET;
    case 0x302: return OP_MRET;
    case 0x105: return OP_WFI;
    }
    return OP_ILLEGAL;
}

static void decode32(uint32_t r, struct insn *i)
{
    unsigned opcode = r & 0x7f;
    unsigned rd = bits(r, 11, 7), rs1 = bits(r, 19, 15), rs2 = bits(r, 24, 20);
    unsigned f3 = bits(r, 14, 12);
    int32_t imm = 0;
    enum op op = OP_ILLEGAL;
    i->len = 4;
    i->rm = (uint8_t)f3;
    i->rs3 = (uint8_t)bits(r, 31, 27);

    switch (opcode) {
    case 0x37: op = OP_LUI; imm = imm_u(r); break;
    case 0x17: op = OP_AUIPC; imm = imm_u(r); break;
    case 0x6f: op = OP_JAL; imm = imm_j(r); break;
    case 0x67: op = f3 == 0 ? OP_JALR : OP_ILLEGAL; imm = imm_i(r); break;
    case 0x63: op = dec_branch(f3); imm = imm_b(r); break;
    case 0x03: op = dec_load(f3); imm = imm_i(r); break;
    case 0x23: op = dec_store(f3); imm = imm_s(r); break;
    case 0x13: imm = imm_i(r); op = dec_opimm(r, &imm); break;
    case 0x1b: imm = imm_i(r); op = dec_opimm32(r, &imm); break;
    case 0x33: op = dec_op(r); break;
    case 0x3b: op = dec_op32(r); break;
    case 0x0f:
        /* FENCE ignores its reserved fields (they must be treated as a plain
         * fence); FENCE.I likewise. */
        if (f3 == 0)
            op = OP_FENCE;
        else if (f3 == 1)
            op = OP_FENCE_I;
        break;
    case 0x73: op = dec_system(r, i); imm = i->imm; break;
    case 0x2f:
        op = dec_amo(r);
        i->rm = (uint8_t)bits(r, 26, 25);
        break;
    case 0x07:
        imm = imm_i(r);
        op = f3 == 2 ? OP_FLW : f3 == 3 ? OP_FLD : OP_ILLEGAL;
        break;
    case 0x27:
        imm = imm_s(r);
        op = f3 == 2 ? OP_FSW : f3 == 3 ? OP_FSD : OP_ILLEGAL;
        break;
    case 0x43:
    case 0x47:
    case 0x4b:
    case 0x4f: op = dec_fma(r, opcode); break;
    case 0x53: op = dec_fp(r); break;
    }
    set(i, op, rd, rs1, rs2, imm);
}

/* ---- 16-bit (RVC) instructions ---- */

/* Registers x8..x15 in the 3-bit fields. */
static unsigned cr(uint32_t v) { return 8 + (v & 7); }

static void decode16(uint32_t r, struct insn *i)
{
    unsigned f3 = bits(r, 15, 13);
    unsigned rd = bits(r, 11, 7), rs2 = bits(r, 6, 2);
    unsigned rdp = cr(bits(r, 4, 2)), rs1p = cr(bits(r, 9, 7));
    i->len = 2;
    i->rm = RM_DYN;
    i->rs3 = 0;
    set(i, OP_ILLEGAL, 0, 0, 0, 0);

    switch (r & 3) {
    case 0:
        switch (f3) {
        case 0: { /* c.addi4spn; nzuimm = 0 (incl. the all-zero word) is reserved */
            uint32_t u = (bits(r, 10, 7) << 6) | (bits(r, 12, 11) << 4) | (bits(r, 5, 5) << 3) |
                         (bits(r, 6, 6) << 2);
            if (u)
                set(i, OP_ADDI, rdp, 2, 0, (int32_t)u);
            break;
        }
        case 1: /* c.fld */
            set(i, OP_FLD, rdp, rs1p, 0, (int32_t)((bits(r, 6, 5) << 6) | (bits(r, 12, 10) << 3)));
            break;
        case 2: /* c.lw */
            set(i, OP_LW, rdp, rs1p, 0,
                (int32_t)((bits(r, 5, 5) << 6) | (bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2)));
            break;
        case 3: /* c.ld */
            set(i, OP_LD, rdp, rs1p, 0, (int32_t)((bits(r, 6, 5) << 6) | (bits(r, 12, 10) << 3)));
            break;
        case 5: /* c.fsd */
            set(i, OP_FSD, 0, rs1p, rdp, (int32_t)((bits(r, 6, 5) << 6) | (bits(r, 12, 10) << 3)));
            break;
        case 6: /* c.sw */
            set(i, OP_SW, 0, rs1p, rdp,
                (int32_t)((bits(r, 5, 5) << 6) | (bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2)));
            break;
        case 7: /* c.sd */
            set(i, OP_SD, 0, rs1p, rdp, (int32_t)((bits(r, 6, 5) << 6) | (bits(r, 12, 10) << 3)));
            break;
        }
        break;

    case 1: {
        int32_t imm6 = sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6);
        switch (f3) {
        case 0: /* c.addi / c.nop (rd = 0 or imm = 0: HINTs, executed as no-ops) */
            set(i, OP_ADDI, rd, rd, 0, imm6);
            break;
        case 1: /* c.addiw; rd = 0 reserved */
            if (rd)
                set(i, OP_ADDIW, rd, rd, 0, imm6);
            break;
        case 2: /* c.li */
            set(i, OP_ADDI, rd, 0, 0, imm6);
            break;
        case 3:
            if (rd == 2) { /* c.addi16sp; nzimm = 0 reserved */
                int32_t v = sext((bits(r, 12, 12) << 9) | (bits(r, 4, 3) << 7) |
                                     (bits(r, 5, 5) << 6) | (bits(r, 2, 2) << 5) |
                                     (bits(r, 6, 6) << 4),
                                 10);
                if (v)
                    set(i, OP_ADDI, 2, 2, 0, v);
            } else if (imm6) { /* c.lui; nzimm = 0 reserved */
                set(i, OP_LUI, rd, 0, 0, imm6 * 4096);
            }
            break;
        case 4: {
            unsigned f2 = bits(r, 11, 10);
            unsigned shamt = (bits(r, 12, 12) << 5) | bits(r, 6, 2);
            if (f2 == 0) {
                set(i, OP_SRLI, rs1p, rs1p, 0, (int32_t)shamt);
            } else if (f2 == 1) {
                set(i, OP_SRAI, rs1p, rs1p, 0, (int32_t)shamt);
            } else if (f2 == 2) {
                set(i, OP_ANDI, rs1p, rs1p, 0, imm6);
            } else {
                static const enum op t[8] = {OP_SUB,  OP_XOR,  OP_OR,      OP_AND,
                                             OP_SUBW, OP_ADDW, OP_ILLEGAL, OP_ILLEGAL};
                unsigned k = (bits(r, 12, 12) << 2) | bits(r, 6, 5);
                if (t[k] != OP_ILLEGAL)
                    set(i, t[k], rs1p, rs1p, rdp, 0);
            }
            break;
        }
        case 5: { /* c.j */
            int32_t v = sext((bits(r, 12, 12) << 11) | (bits(r, 8, 8) << 10) |
                                 (bits(r, 10, 9) << 8) | (bits(r, 6, 6) << 7) |
                                 (bits(r, 7, 7) << 6) | (bits(r, 2, 2) << 5) |
                                 (bits(r, 11, 11) << 4) | (bits(r, 5, 3) << 1),
                             12);
            set(i, OP_JAL, 0, 0, 0, v);
            break;
        }
        case 6:
        case 7: { /* c.beqz, c.bnez */
            int32_t v = sext((bits(r, 12, 12) << 8) | (bits(r, 6, 5) << 6) |
                                 (bits(r, 2, 2) << 5) | (bits(r, 11, 10) << 3) |
                                 (bits(r, 4, 3) << 1),
                             9);
            set(i, f3 == 6 ? OP_BEQ : OP_BNE, 0, rs1p, 0, v);
            break;
        }
        }
        break;
    }

    case 2:
        switch (f3) {
        case 0: /* c.slli (rd = 0 or shamt = 0: HINTs) */
            set(i, OP_SLLI, rd, rd, 0, (int32_t)((bits(r, 12, 12) << 5) | bits(r, 6, 2)));
            break;
        case 1: /* c.fldsp */
            set(i, OP_FLD, rd, 2, 0,
                (int32_t)((bits(r, 4, 2) << 6) | (bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3)));
            break;
        case 2: /* c.lwsp; rd = 0 reserved */
            if (rd)
                set(i, OP_LW, rd, 2, 0,
                    (int32_t)((bits(r, 3, 2) << 6) | (bits(r, 12, 12) << 5) |
                              (bits(r, 6, 4) << 2)));
            break;
        case 3: /* c.ldsp; rd = 0 reserved */
            if (rd)
                set(i, OP_LD, rd, 2, 0,
                    (int32_t)((bits(r, 4, 2) << 6) | (bits(r, 12, 12) << 5) |
                              (bits(r, 6, 5) << 3)));
            break;
        case 4:
            if (bits(r, 12, 12) == 0) {
                if (rs2 == 0) { /* c.jr; rs1 = 0 reserved */
                    if (rd)
                        set(i, OP_JALR, 0, rd, 0, 0);
                } else { /* c.mv (rd = 0: HINT) */
                    set(i, OP_ADD, rd, 0, rs2, 0);
                }
            } else {
                if (rs2 == 0) {
                    if (rd == 0)
                        set(i, OP_EBREAK, 0, 0, 0, 0); /* c.ebreak */
                    else
                        set(i, OP_JALR, 1, rd, 0, 0); /* c.jalr */
                } else { /* c.add (rd = 0: HINT) */
                    set(i, OP_ADD, rd, rd, rs2, 0);
                }
            }
            break;
        case 5: /* c.fsdsp */
            set(i, OP_FSD, 0, 2, rs2, (int32_t)((bits(r, 9, 7) << 6) | (bits(r, 12, 10) << 3)));
            break;
        case 6: /* c.swsp */
            set(i, OP_SW, 0, 2, rs2, (int32_t)((bits(r, 8, 7) << 6) | (bits(r, 12, 9) << 2)));
            break;
        case 7: /* c.sdsp */
            set(i, OP_SD, 0, 2, rs2, (int32_t)((bits(r, 9, 7) << 6) | (bits(r, 12, 10) << 3)));
            break;
        }
        break;
    }
}

void decode(uint32_t raw, struct insn *out)
{
    if ((raw & 3) == 3) {
        decode32(raw, out);
        out->raw = raw;
    } else {
        decode16(raw & 0xffff, out);
        out->raw = raw & 0xffff;
    }
}
