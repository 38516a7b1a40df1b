/* fpu.h: RISC-V F and D arithmetic on raw bit patterns (RISC-V unprivileged ISA
 * 20191213, chapters 11 "F" and 12 "D").
 *
 * Pure functions shared by the interpreter and by helpers called from translated
 * code. They know nothing about the hart: the caller reads and writes registers,
 * resolves the dynamic rounding mode from frm, traps on reserved rounding modes,
 * checks mstatus.FS and marks it dirty, and ORs the flags into fflags.
 *
 * Conventions for every function below:
 *  - rm is an already-resolved rounding mode FPU_RNE..FPU_RMM (0..4). Anything else
 *    is a caller bug (asserted).
 *  - *fflags gets exception bits ORed in, never cleared, exactly as RISC-V defines
 *    them (tininess is detected after rounding; UF only when also inexact).
 *  - Singles travel as uint32_t, doubles as uint64_t. Registers hold singles NaN-boxed:
 *    use fpu_unbox_s() on reads and fpu_box_s() on writes.
 *  - Every arithmetic NaN result is the canonical NaN; signalling NaN inputs raise NV.
 *  - Results bound for an integer register (compares, fclass, fcvt to integer) are
 *    returned as uint64_t already in the form RV64 writes to rd: 32-bit results
 *    (fcvt.w, and fcvt.wu too) are sign-extended from bit 31.
 *  - Integer sources are passed as the full 64-bit rs1 value; the _w/_wu conversions
 *    use its low 32 bits as signed/unsigned.
 */
#ifndef RVVM_HART_FPU_H
#define RVVM_HART_FPU_H

#include <stdbool.h>
#include <stdint.h>

/* Rounding modes, as encoded in the rm field and frm. */
#define FPU_RNE 0u /* to nearest, ties to even */
#define FPU_RTZ 1u /* toward zero */
#define FPU_RDN 2u /* down, toward -inf */
#define FPU_RUP 3u /* up, toward +inf */
#define FPU_RMM 4u /* to nearest, ties to max magnitude */

/* fflags bits. */
#define FPU_NX 1u  /* inexact */
#define FPU_UF 2u  /* underflow */
#define FPU_OF 4u  /* overflow */
#define FPU_DZ 8u  /* divide by zero */
#define FPU_NV 16u /* invalid operation */

#define FPU_CANON_NAN_S 0x7fc00000u
#define FPU_CANON_NAN_D 0x7ff8000000000000ull

/* fclass result bits. */
#define FPU_CLASS_NEG_INF 0x001u
#define FPU_CLASS_NEG_NORMAL 0x002u
#define FPU_CLASS_NEG_SUBNORMAL 0x004u
#define FPU_CLASS_NEG_ZERO 0x008u
#define FPU_CLASS_POS_ZERO 0x010u
#define FPU_CLASS_POS_SUBNORMAL 0x020u
#define FPU_CLASS_POS_NORMAL 0x040u
#define FPU_CLASS_POS_INF 0x080u
#define FPU_CLASS_SNAN 0x100u
#define FPU_CLASS_QNAN 0x200u

/* NaN-boxing (F 12.2): a single in a 64-bit register has all upper 32 bits set;
 * anything else reads as the canonical NaN. */
uint64_t fpu_box_s(uint32_t v);
uint32_t fpu_unbox_s(uint64_t reg);

/* ---- single precision ---- */
uint32_t fpu_add_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fflags);
uint32_t fpu_sub_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fflags);
uint32_t fpu_mul_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fflags);
uint32_t fpu_div_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fflags);
uint32_t fpu_sqrt_s(uint32_t a, unsigned rm, uint32_t *fflags);
/* minimumNumber/maximumNumber (F 2.2): a NaN operand yields the other one; two
 * NaNs yield the canonical NaN; -0 < +0; NV only for signalling NaNs. */
uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *fflags);
uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *fflags);
/* Fused, one rounding: madd = a*b+c, msub = a*b-c, nmsub = -(a*b)+c, nmadd = -(a*b)-c.
 * inf*0 raises NV even when c is a quiet NaN. */
uint32_t fpu_madd_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fflags);
uint32_t fpu_msub_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fflags);
uint32_t fpu_nmsub_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fflags);
uint32_t fpu_nmadd_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fflags);
/* feq is quiet (NV only for sNaN); flt/fle signal (NV for any NaN). 0 or 1. */
uint64_t fpu_eq_s(uint32_t a, uint32_t b, uint32_t *fflags);
uint64_t fpu_lt_s(uint32_t a, uint32_t b, uint32_t *fflags);
uint64_t fpu_le_s(uint32_t a, uint32_t b, uint32_t *fflags);
uint64_t fpu_class_s(uint32_t a);
/* To integer, saturating: NaN and too-large values give the largest value, too-small
 * ones the smallest; those raise NV only. In-range inexact results raise NX. */
uint64_t fpu_cvt_w_s(uint32_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_wu_s(uint32_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_l_s(uint32_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_lu_s(uint32_t a, unsigned rm, uint32_t *fflags);
uint32_t fpu_cvt_s_w(uint64_t x, unsigned rm, uint32_t *fflags);
uint32_t fpu_cvt_s_wu(uint64_t x, unsigned rm, uint32_t *fflags);
uint32_t fpu_cvt_s_l(uint64_t x, unsigned rm, uint32_t *fflags);
uint32_t fpu_cvt_s_lu(uint64_t x, unsigned rm, uint32_t *fflags);
/* fcvt.s.d rounds; fcvt.d.s is exact (its rm field is checked but otherwise unused). */
uint32_t fpu_cvt_s_d(uint64_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_d_s(uint32_t a, uint32_t *fflags);
/* Sign injection: pure bit operations, no flags, NaNs pass through unchanged. */
uint32_t fpu_sgnj_s(uint32_t a, uint32_t b);
uint32_t fpu_sgnjn_s(uint32_t a, uint32_t b);
uint32_t fpu_sgnjx_s(uint32_t a, uint32_t b);

/* ---- double precision: same semantics ---- */
uint64_t fpu_add_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fflags);
uint64_t fpu_sub_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fflags);
uint64_t fpu_mul_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fflags);
uint64_t fpu_div_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fflags);
uint64_t fpu_sqrt_d(uint64_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t fpu_madd_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fflags);
uint64_t fpu_msub_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fflags);
uint64_t fpu_nmsub_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fflags);
uint64_t fpu_nmadd_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fflags);
uint64_t fpu_eq_d(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t fpu_lt_d(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t fpu_le_d(uint64_t a, uint64_t b, uint32_t *fflags);
uint64_t fpu_class_d(uint64_t a);
uint64_t fpu_cvt_w_d(uint64_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_wu_d(uint64_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_l_d(uint64_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_lu_d(uint64_t a, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_d_w(uint64_t x, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_d_wu(uint64_t x, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_d_l(uint64_t x, unsigned rm, uint32_t *fflags);
uint64_t fpu_cvt_d_lu(uint64_t x, unsigned rm, uint32_t *fflags);
uint64_t fpu_sgnj_d(uint64_t a, uint64_t b);
uint64_t fpu_sgnjn_d(uint64_t a, uint64_t b);
uint64_t fpu_sgnjx_d(uint64_t a, uint64_t b);

/* Every operation has an exact integer (software) implementation, the default. On
 * x86-64 the four IEEE rounding modes of add/sub/mul/div/sqrt/fma/fcvt.s.d can run
 * on the host SSE unit instead. Both give bit-identical results and flags; this
 * process-wide switch (default off: the soft path measured faster) exists so tests
 * can check one against the other and for benchmarking on other CPUs. Returns
 * whether the host path is in use afterwards (always false without one). */
bool fpu_set_host_accel(bool enable);

#endif
