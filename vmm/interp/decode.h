/*
 * decode.h - the one RV64GC decoder, shared by the interpreter and the
 * translator.
 *
 * decode() turns a 32-bit or 16-bit instruction into a struct insn: an
 * operation and its operands, with compressed instructions expanded to the
 * operation of their 32-bit equivalent. Every reserved or illegal encoding
 * (ISA 20191213, chapters 2-16, and the RVC tables of chapter 16) decodes to
 * OP_ILLEGAL, so both engines raise illegal-instruction from one truth.
 * Checks that depend on run-time state (privilege, mstatus.FS, frm) are left
 * to execution.
 */
#ifndef RVVM_DECODE_H
#define RVVM_DECODE_H

#include <stdint.h>

#define DECODE_OPS(X)                                                          \
    X(ILLEGAL) X(LUI) X(AUIPC) X(JAL) X(JALR)                                  \
    X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)                                \
    X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU)                               \
    X(SB) X(SH) X(SW) X(SD)                                                    \
    X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI)     \
    X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)       \
    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW) \
    X(FENCE) X(FENCE_I) X(ECALL) X(EBREAK) X(MRET) X(SRET) X(WFI)              \
    X(SFENCE_VMA)                                                              \
    X(CSRRW) X(CSRRS) X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI)                   \
    X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)             \
    X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW)                                  \
    X(LR_W) X(SC_W) X(AMOSWAP_W) X(AMOADD_W) X(AMOXOR_W) X(AMOAND_W)           \
    X(AMOOR_W) X(AMOMIN_W) X(AMOMAX_W) X(AMOMINU_W) X(AMOMAXU_W)               \
    X(LR_D) X(SC_D) X(AMOSWAP_D) X(AMOADD_D) X(AMOXOR_D) X(AMOAND_D)           \
    X(AMOOR_D) X(AMOMIN_D) X(AMOMAX_D) X(AMOMINU_D) X(AMOMAXU_D)               \
    X(FLW) X(FSW) X(FLD) X(FSD)                                                \
    X(FMADD_S) X(FMSUB_S) X(FNMSUB_S) X(FNMADD_S)                              \
    X(FADD_S) X(FSUB_S) X(FMUL_S) X(FDIV_S) X(FSQRT_S)                         \
    X(FSGNJ_S) X(FSGNJN_S) X(FSGNJX_S) X(FMIN_S) X(FMAX_S)                     \
    X(FCVT_W_S) X(FCVT_WU_S) X(FCVT_L_S) X(FCVT_LU_S)                          \
    X(FCVT_S_W) X(FCVT_S_WU) X(FCVT_S_L) X(FCVT_S_LU)                          \
    X(FMV_X_W) X(FMV_W_X) X(FEQ_S) X(FLT_S) X(FLE_S) X(FCLASS_S)               \
    X(FMADD_D) X(FMSUB_D) X(FNMSUB_D) X(FNMADD_D)                              \
    X(FADD_D) X(FSUB_D) X(FMUL_D) X(FDIV_D) X(FSQRT_D)                         \
    X(FSGNJ_D) X(FSGNJN_D) X(FSGNJX_D) X(FMIN_D) X(FMAX_D)                     \
    X(FCVT_W_D) X(FCVT_WU_D) X(FCVT_L_D) X(FCVT_LU_D)                          \
    X(FCVT_D_W) X(FCVT_D_WU) X(FCVT_D_L) X(FCVT_D_LU)                          \
    X(FCVT_S_D) X(FCVT_D_S)                                                    \
    X(FMV_X_D) X(FMV_D_X) X(FEQ_D) X(FLT_D) X(FLE_D) X(FCLASS_D)

enum op {
#define DECODE_ENUM(name) OP_##name,
    DECODE_OPS(DECODE_ENUM)
#undef DECODE_ENUM
        OP_COUNT
};

/* Static rounding-mode field value meaning "use fcsr.frm". */
#define RM_DYN 7u

struct insn {
    uint16_t op;  /* enum op */
    uint8_t rd;
    uint8_t rs1;  /* for CSR*I: the 5-bit immediate */
    uint8_t rs2;
    uint8_t rs3;
    uint8_t len;  /* 2 or 4 */
    uint8_t rm;   /* FP rounding mode field; aq/rl bits (aq=2, rl=1) for AMOs */
    int32_t imm;  /* sign-extended immediate; CSR number for CSR ops */
    uint32_t raw; /* the instruction bits (16-bit ones zero-extended) */
};

/* Length in bytes of the instruction whose low 16 bits are `lo`. */
static inline unsigned insn_length(uint16_t lo)
{
    return (lo & 3) == 3 ? 4 : 2;
}

/* Decode raw (a 32-bit instruction, or a 16-bit one in the low half). */
void decode(uint32_t raw, struct insn *out);

/* Name of an operation, for dumps and tests. */
const char *decode_op_name(unsigned op);

/* Whether the operation ends a basic block (control flow, traps, CSR and
 * system instructions that can change translation or interrupt state). */
int decode_ends_block(unsigned op);

#endif
