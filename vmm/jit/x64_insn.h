/*
 * x64_insn.h - x86-64 emitter, layer 2: one function per mnemonic and
 * operand form, so translator code reads like assembly:
 *
 *     x64_add_rr(e, X64_W64, X64_RAX, X64_RBX);                 add rax, rbx
 *     x64_mov_rm(e, X64_W32, X64_RCX, x64_mem_bd(X64_RBP, 8));  mov ecx, [rbp+8]
 *
 * Naming: operands in Intel order (destination first); the suffix says what
 * each operand is: r = GPR, x = XMM register, m = memory (struct x64_mem),
 * i = immediate, l = label, cl = the CL register. w is the operand width;
 * W8/W16 are accepted where the comment says so, otherwise W32/W64.
 * A W32 result written to a GPR zero-extends into the upper 32 bits.
 *
 * Opcodes from the Intel SDM vol. 2 instruction reference; golden bytes in
 * tests/unit/test_x64.c were produced and checked with GNU as (see
 * tests/unit/gen_x64_golden.sh). Where two encodings exist, these functions
 * pick the one GNU as picks, plus the shortest immediate form.
 *
 * CPUID: everything here is baseline x86-64 (SSE2) unless marked: popcnt
 * (POPCNT), lzcnt (ABM/LZCNT), tzcnt (BMI1), roundss/sd (SSE4.1), shlx/shrx/
 * sarx/rorx/andn (BMI1/BMI2), vfmadd etc. (FMA). The translator must check
 * the host before using them. Note lzcnt/tzcnt silently decode as bsr/bsf on
 * CPUs without them, with different results.
 */
#ifndef RVVM_X64_INSN_H
#define RVVM_X64_INSN_H

#include "vmm/jit/x64_emit.h"

/* ---- moves ---- */

/* mov dst, src (W8..W64) */
void x64_mov_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
/*
 * mov dst, imm with the shortest encoding that yields the value and does not
 * touch flags: W32: mov r32, imm32. W64: mov r32, imm32 when the value fits
 * in 32 bits unsigned (zero-extends), mov r64, simm32 (REX.W C7) when it fits
 * sign-extended, else movabs.
 */
void x64_mov_ri(struct x64_emitter *e, enum x64_width w, int dst, int64_t imm);
/* movabs dst, imm64: always 10 bytes, e.g. for a value patched later */
void x64_movabs_ri(struct x64_emitter *e, int dst, uint64_t imm);
/* mov dst, [m] (W8..W64; W8/W16 leave the rest of dst unchanged) */
void x64_mov_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
/* mov [m], src (W8..W64) */
void x64_mov_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src);
/* mov [m], imm (W8..W64; W64 sign-extends imm32) */
void x64_mov_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

/* Zero/sign extension; w is the destination width (W32 or W64; for
 * movzx W32 already clears the upper half, and is shorter). */
void x64_movzx8_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_movzx16_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_movsx8_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_movsx16_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_movsxd_rr(struct x64_emitter *e, int dst, int src); /* movsxd r64, r32 */
void x64_movzx8_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_movzx16_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_movsx8_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_movsx16_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_movsxd_rm(struct x64_emitter *e, int dst, struct x64_mem m);

/* lea dst, [m] (W32, W64) */
void x64_lea(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);

void x64_push_r(struct x64_emitter *e, int r);
void x64_pop_r(struct x64_emitter *e, int r);
/* push simm32 (sign-extended to 64) */
void x64_push_i(struct x64_emitter *e, int32_t imm);
/* bswap r (W32, W64) */
void x64_bswap_r(struct x64_emitter *e, enum x64_width w, int r);

/* ---- atomics (for AMOs and LR/SC) ---- */

/* xchg: the memory form is implicitly locked. (W8..W64) */
void x64_xchg_rr(struct x64_emitter *e, enum x64_width w, int a, int b);
void x64_xchg_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int r);
/* lock cmpxchg [m], r: compares RAX/EAX with [m] (W32, W64) */
void x64_lock_cmpxchg_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int r);
/* lock xadd [m], r: r receives the old value (W32, W64) */
void x64_lock_xadd_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int r);
/* A bare LOCK prefix, for lock add/and/or/xor [m], r made from the _mr forms. */
void x64_lock(struct x64_emitter *e);

/* ---- integer ALU: add or adc sbb and sub xor cmp (W8..W64) ---- */
/* _ri/_mi use the imm8 (sign-extended) form when imm fits, and the short
 * accumulator form for RAX/EAX/AL otherwise, as GNU as does. */

void x64_add_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_add_ri(struct x64_emitter *e, enum x64_width w, int dst, int32_t imm);
void x64_add_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_add_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src);
void x64_add_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

void x64_or_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_or_ri(struct x64_emitter *e, enum x64_width w, int dst, int32_t imm);
void x64_or_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_or_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src);
void x64_or_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

void x64_adc_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_adc_ri(struct x64_emitter *e, enum x64_width w, int dst, int32_t imm);
void x64_adc_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_adc_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src);
void x64_adc_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

void x64_sbb_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_sbb_ri(struct x64_emitter *e, enum x64_width w, int dst, int32_t imm);
void x64_sbb_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_sbb_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src);
void x64_sbb_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

void x64_and_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_and_ri(struct x64_emitter *e, enum x64_width w, int dst, int32_t imm);
void x64_and_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_and_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src);
void x64_and_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

void x64_sub_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_sub_ri(struct x64_emitter *e, enum x64_width w, int dst, int32_t imm);
void x64_sub_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_sub_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src);
void x64_sub_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

void x64_xor_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_xor_ri(struct x64_emitter *e, enum x64_width w, int dst, int32_t imm);
void x64_xor_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_xor_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src);
void x64_xor_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

void x64_cmp_rr(struct x64_emitter *e, enum x64_width w, int a, int b);
void x64_cmp_ri(struct x64_emitter *e, enum x64_width w, int a, int32_t imm);
void x64_cmp_rm(struct x64_emitter *e, enum x64_width w, int a, struct x64_mem m);
void x64_cmp_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int b);
void x64_cmp_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

/* test (W8..W64); test has no imm8 form: use W8 for small masks */
void x64_test_rr(struct x64_emitter *e, enum x64_width w, int a, int b);
void x64_test_ri(struct x64_emitter *e, enum x64_width w, int a, int32_t imm);
void x64_test_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int b);
void x64_test_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm);

/* ---- unary, multiply, divide (W32, W64) ---- */

void x64_neg_r(struct x64_emitter *e, enum x64_width w, int r);
void x64_not_r(struct x64_emitter *e, enum x64_width w, int r);
/* rdx:rax = rax * r, unsigned / signed (for mulhu, mulh; mulhsu fixes up) */
void x64_mul_r(struct x64_emitter *e, enum x64_width w, int r);
void x64_imul1_r(struct x64_emitter *e, enum x64_width w, int r);
/* dst = dst * src; dst = src * imm (imm8 form when it fits) */
void x64_imul_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_imul_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m);
void x64_imul_rri(struct x64_emitter *e, enum x64_width w, int dst, int src, int32_t imm);
/* rax = rdx:rax / r, rdx = remainder. Fault on 0 and (idiv) on MIN/-1: the
 * translator handles RISC-V's defined results for those before dividing. */
void x64_div_r(struct x64_emitter *e, enum x64_width w, int r);
void x64_idiv_r(struct x64_emitter *e, enum x64_width w, int r);
void x64_cdq(struct x64_emitter *e);  /* edx = sign of eax */
void x64_cqo(struct x64_emitter *e);  /* rdx = sign of rax */
void x64_cdqe(struct x64_emitter *e); /* rax = sext(eax) */

/* ---- shifts and rotates (W32, W64); the CPU masks counts to 5/6 bits,
 * exactly as RV64 sll/sllw do. _ri with 1 uses the D1 form, as GNU as. ---- */

void x64_shl_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t imm);
void x64_shr_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t imm);
void x64_sar_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t imm);
void x64_rol_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t imm);
void x64_ror_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t imm);
void x64_shl_rcl(struct x64_emitter *e, enum x64_width w, int r);
void x64_shr_rcl(struct x64_emitter *e, enum x64_width w, int r);
void x64_sar_rcl(struct x64_emitter *e, enum x64_width w, int r);
void x64_rol_rcl(struct x64_emitter *e, enum x64_width w, int r);
void x64_ror_rcl(struct x64_emitter *e, enum x64_width w, int r);

/* BMI2 (VEX) three-operand shifts by any register: dst = src shifted by cnt;
 * no flags, no CL constraint. rorx rotates right by an immediate. */
void x64_shlx_rrr(struct x64_emitter *e, enum x64_width w, int dst, int src, int cnt);
void x64_shrx_rrr(struct x64_emitter *e, enum x64_width w, int dst, int src, int cnt);
void x64_sarx_rrr(struct x64_emitter *e, enum x64_width w, int dst, int src, int cnt);
void x64_rorx_rri(struct x64_emitter *e, enum x64_width w, int dst, int src, uint8_t imm);
/* BMI1: dst = ~a & b */
void x64_andn_rrr(struct x64_emitter *e, enum x64_width w, int dst, int a, int b);

/* ---- bits ---- */

void x64_bt_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t bit);
void x64_bt_rr(struct x64_emitter *e, enum x64_width w, int r, int bit);
void x64_popcnt_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_lzcnt_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_tzcnt_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_bsf_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);
void x64_bsr_rr(struct x64_emitter *e, enum x64_width w, int dst, int src);

/* ---- conditions ---- */

/* setcc r8 (SIL/DIL etc. get a REX); follow with x64_movzx8_rr for 0/1 */
void x64_setcc_r(struct x64_emitter *e, enum x64_cc cc, int r);
void x64_cmovcc_rr(struct x64_emitter *e, enum x64_width w, enum x64_cc cc, int dst, int src);
void x64_cmovcc_rm(struct x64_emitter *e, enum x64_width w, enum x64_cc cc, int dst, struct x64_mem m);

/* ---- control flow ---- */

/* Raw displacements, relative to the end of the instruction. */
void x64_jmp_rel8(struct x64_emitter *e, int8_t rel);
void x64_jmp_rel32(struct x64_emitter *e, int32_t rel);
void x64_jcc_rel8(struct x64_emitter *e, enum x64_cc cc, int8_t rel);
void x64_jcc_rel32(struct x64_emitter *e, enum x64_cc cc, int32_t rel);
void x64_call_rel32(struct x64_emitter *e, int32_t rel);

/* To a label: _l picks rel8 for a bound label in reach and rel32 otherwise
 * (always safe); _l8 forces rel8 (only for short fixed-size skips; asserts
 * when out of reach); _l32 forces rel32. */
void x64_jmp_l(struct x64_emitter *e, struct x64_label *l);
void x64_jmp_l8(struct x64_emitter *e, struct x64_label *l);
void x64_jmp_l32(struct x64_emitter *e, struct x64_label *l);
void x64_jcc_l(struct x64_emitter *e, enum x64_cc cc, struct x64_label *l);
void x64_jcc_l8(struct x64_emitter *e, enum x64_cc cc, struct x64_label *l);
void x64_jcc_l32(struct x64_emitter *e, enum x64_cc cc, struct x64_label *l);
void x64_call_l(struct x64_emitter *e, struct x64_label *l);

/* To an absolute host address within +-2 GiB, always rel32. Each returns
 * the buffer offset of the rel32 field, for x64_patch_rel32(e->buf + off,..)
 * (block chaining). */
size_t x64_jmp_to(struct x64_emitter *e, const void *target);
size_t x64_jcc_to(struct x64_emitter *e, enum x64_cc cc, const void *target);
size_t x64_call_to(struct x64_emitter *e, const void *target);
/* call target: rel32 when reachable from here, else movabs scratch + call
 * scratch (scratch must be a caller-saved register that is free). */
void x64_call_far(struct x64_emitter *e, const void *target, int scratch);

void x64_jmp_r(struct x64_emitter *e, int r);
void x64_jmp_m(struct x64_emitter *e, struct x64_mem m);
void x64_call_r(struct x64_emitter *e, int r);
void x64_call_m(struct x64_emitter *e, struct x64_mem m);
void x64_ret(struct x64_emitter *e);

/* ---- misc ---- */

void x64_mfence(struct x64_emitter *e);
void x64_lfence(struct x64_emitter *e);
void x64_sfence(struct x64_emitter *e);
void x64_pause(struct x64_emitter *e);
void x64_int3(struct x64_emitter *e);
void x64_ud2(struct x64_emitter *e);
/* n bytes of padding using the SDM's recommended multi-byte NOPs (<= 9 each). */
void x64_nop(struct x64_emitter *e, size_t n);
/* Pads with NOPs so that after opcode_len more bytes the position is 4-byte
 * aligned: then the following rel32 field can be patched atomically. */
void x64_align_rel32(struct x64_emitter *e, unsigned opcode_len);

/* ---- SSE2 scalar floating point ---- */

/* GPR <-> XMM bit moves: movd 32 bits, movq 64 bits (zero the rest of xmm) */
void x64_movd_xr(struct x64_emitter *e, int x, int r);
void x64_movq_xr(struct x64_emitter *e, int x, int r);
void x64_movd_rx(struct x64_emitter *e, int r, int x);
void x64_movq_rx(struct x64_emitter *e, int r, int x);
/* Whole-register copy (movaps: no partial-register merge like movss x, x) */
void x64_movaps_xx(struct x64_emitter *e, int dst, int src);
void x64_movss_xx(struct x64_emitter *e, int dst, int src);
void x64_movsd_xx(struct x64_emitter *e, int dst, int src);
/* loads zero the upper part of the xmm register */
void x64_movss_xm(struct x64_emitter *e, int x, struct x64_mem m);
void x64_movsd_xm(struct x64_emitter *e, int x, struct x64_mem m);
void x64_movss_mx(struct x64_emitter *e, struct x64_mem m, int x);
void x64_movsd_mx(struct x64_emitter *e, struct x64_mem m, int x);

void x64_addss_xx(struct x64_emitter *e, int dst, int src);
void x64_addsd_xx(struct x64_emitter *e, int dst, int src);
void x64_subss_xx(struct x64_emitter *e, int dst, int src);
void x64_subsd_xx(struct x64_emitter *e, int dst, int src);
void x64_mulss_xx(struct x64_emitter *e, int dst, int src);
void x64_mulsd_xx(struct x64_emitter *e, int dst, int src);
void x64_divss_xx(struct x64_emitter *e, int dst, int src);
void x64_divsd_xx(struct x64_emitter *e, int dst, int src);
void x64_sqrtss_xx(struct x64_emitter *e, int dst, int src);
void x64_sqrtsd_xx(struct x64_emitter *e, int dst, int src);
/* min/max return the second operand when either is NaN or both are zero:
 * RISC-V fmin/fmax need a fix-up around them. */
void x64_minss_xx(struct x64_emitter *e, int dst, int src);
void x64_minsd_xx(struct x64_emitter *e, int dst, int src);
void x64_maxss_xx(struct x64_emitter *e, int dst, int src);
void x64_maxsd_xx(struct x64_emitter *e, int dst, int src);
void x64_addss_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_addsd_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_subss_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_subsd_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_mulss_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_mulsd_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_divss_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_divsd_xm(struct x64_emitter *e, int dst, struct x64_mem m);

/* Compare into ZF/PF/CF (unordered: ZF=PF=CF=1). ucomis* signal only on
 * SNaN (feq); comis* on any NaN (flt/fle). */
void x64_ucomiss_xx(struct x64_emitter *e, int a, int b);
void x64_ucomisd_xx(struct x64_emitter *e, int a, int b);
void x64_comiss_xx(struct x64_emitter *e, int a, int b);
void x64_comisd_xx(struct x64_emitter *e, int a, int b);
void x64_ucomiss_xm(struct x64_emitter *e, int a, struct x64_mem m);
void x64_ucomisd_xm(struct x64_emitter *e, int a, struct x64_mem m);

/* Conversions; w is the GPR width. cvtt* truncate, cvt* use MXCSR.RC.
 * Out-of-range and NaN give the "integer indefinite" 0x80..0, which
 * RISC-V does not: the translator fixes those cases up. */
void x64_cvtsi2ss_xr(struct x64_emitter *e, enum x64_width w, int x, int r);
void x64_cvtsi2sd_xr(struct x64_emitter *e, enum x64_width w, int x, int r);
void x64_cvttss2si_rx(struct x64_emitter *e, enum x64_width w, int r, int x);
void x64_cvttsd2si_rx(struct x64_emitter *e, enum x64_width w, int r, int x);
void x64_cvtss2si_rx(struct x64_emitter *e, enum x64_width w, int r, int x);
void x64_cvtsd2si_rx(struct x64_emitter *e, enum x64_width w, int r, int x);
void x64_cvtss2sd_xx(struct x64_emitter *e, int dst, int src);
void x64_cvtsd2ss_xx(struct x64_emitter *e, int dst, int src);

/* Packed bitwise ops for sign manipulation (fsgnj*, fabs, fneg). The _xm
 * forms need a 16-byte aligned operand (legacy SSE). */
void x64_andps_xx(struct x64_emitter *e, int dst, int src);
void x64_andpd_xx(struct x64_emitter *e, int dst, int src);
void x64_andnps_xx(struct x64_emitter *e, int dst, int src);
void x64_andnpd_xx(struct x64_emitter *e, int dst, int src);
void x64_orps_xx(struct x64_emitter *e, int dst, int src);
void x64_orpd_xx(struct x64_emitter *e, int dst, int src);
void x64_xorps_xx(struct x64_emitter *e, int dst, int src);
void x64_xorpd_xx(struct x64_emitter *e, int dst, int src);
void x64_andps_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_andpd_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_xorps_xm(struct x64_emitter *e, int dst, struct x64_mem m);
void x64_xorpd_xm(struct x64_emitter *e, int dst, struct x64_mem m);

/* MXCSR (rounding mode, exception flags for fflags) */
void x64_ldmxcsr_m(struct x64_emitter *e, struct x64_mem m);
void x64_stmxcsr_m(struct x64_emitter *e, struct x64_mem m);

/* SSE4.1 round to integral: mode bits 1:0 = RC (0 nearest-even, 1 down,
 * 2 up, 3 toward zero), bit 2 = use MXCSR.RC instead, bit 3 = suppress
 * the inexact exception. */
void x64_roundss_xxi(struct x64_emitter *e, int dst, int src, uint8_t mode);
void x64_roundsd_xxi(struct x64_emitter *e, int dst, int src, uint8_t mode);

/*
 * FMA3 (VEX), scalar, one rounding as RISC-V fmadd needs. Only the 231
 * order (the addend is the destination): vfmadd231 d, a, b: d = a*b + d;
 * vfmsub231: d = a*b - d; vfnmadd231: d = -(a*b) + d; vfnmsub231:
 * d = -(a*b) - d. RISC-V fmadd/fmsub/fnmsub/fnmadd map to x86 fmadd/fmsub/
 * fnmadd/fnmsub in that order (RISC-V fnmsub is -(a*b) + c). Copy rs3 into d
 * first. These zero bits 128+ of d (VEX), which scalar code ignores.
 */
void x64_vfmadd231ss_xxx(struct x64_emitter *e, int d, int a, int b);
void x64_vfmadd231sd_xxx(struct x64_emitter *e, int d, int a, int b);
void x64_vfmsub231ss_xxx(struct x64_emitter *e, int d, int a, int b);
void x64_vfmsub231sd_xxx(struct x64_emitter *e, int d, int a, int b);
void x64_vfnmadd231ss_xxx(struct x64_emitter *e, int d, int a, int b);
void x64_vfnmadd231sd_xxx(struct x64_emitter *e, int d, int a, int b);
void x64_vfnmsub231ss_xxx(struct x64_emitter *e, int d, int a, int b);
void x64_vfnmsub231sd_xxx(struct x64_emitter *e, int d, int a, int b);

#endif
