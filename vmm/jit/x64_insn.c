/*
 * x64_insn.c - x86-64 emitter, layer 2: one function per mnemonic and
 * operand form, built only from the layer-1 helpers in x64_emit.h.
 * Opcodes: Intel SDM vol. 2A-2D instruction reference ("/r" = ModRM with a
 * register in reg, "/n" = ModRM with the opcode extension n in reg).
 */
#include "vmm/jit/x64_insn.h"

#include <assert.h>

/* Prefix/REX flags for an integer operand width. Byte operands with
 * registers 4..7 need a REX so they mean SPL..DIL rather than AH..BH. */
static unsigned wf(enum x64_width w)
{
	switch (w) {
	case X64_W8: return X64_F_BYTE_REG | X64_F_BYTE_RM;
	case X64_W16: return X64_F_66;
	case X64_W32: return 0;
	case X64_W64: return X64_F_W;
	}
	assert(!"bad width");
	return 0;
}

/* Same, for forms whose ModRM.reg holds an opcode extension (/n) rather than
 * a register: only the rm operand can be a byte register. */
static unsigned wf_n(enum x64_width w) { return wf(w) & ~(unsigned)X64_F_BYTE_REG; }

/* Most integer opcodes come in pairs where the byte form is opcode - 1
 * (the "w" bit of the old 8086 encoding). */
static uint32_t wop(enum x64_width w, uint32_t op) { return w == X64_W8 ? op - 1 : op; }

/* Immediate size for a width: imm16 under 66, otherwise at most imm32. */
static unsigned immsz(enum x64_width w) { return w == X64_W64 ? 4 : (unsigned)w; }

static void only_32_64(enum x64_width w) { assert(w == X64_W32 || w == X64_W64); (void)w; }

/* ---- moves ---- */

void x64_mov_rr(struct x64_emitter *e, enum x64_width w, int dst, int src)
{
	x64_op_rr(e, wf(w), wop(w, 0x89), src, dst);
}

void x64_mov_ri(struct x64_emitter *e, enum x64_width w, int dst, int64_t imm)
{
	if (w == X64_W64 && !x64_fits_u32((uint64_t)imm)) {
		if (x64_fits_i32(imm)) {
			/* REX.W C7 /0 id: sign-extended imm32, 7 bytes */
			x64_op_rr(e, X64_F_W, 0xC7, 0, dst);
			x64_emit_imm(e, 4, imm);
		} else {
			x64_movabs_ri(e, dst, (uint64_t)imm);
		}
		return;
	}
	/* B0+r ib / B8+r iw/id; for W64 the 32-bit form zero-extends */
	if (w == X64_W64)
		w = X64_W32;
	x64_op_o(e, wf(w), w == X64_W8 ? 0xB0 : 0xB8, dst);
	x64_emit_imm(e, w, imm);
}

void x64_movabs_ri(struct x64_emitter *e, int dst, uint64_t imm)
{
	x64_op_o(e, X64_F_W, 0xB8, dst);
	x64_emit_u64(e, imm);
}

void x64_mov_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m)
{
	x64_op_rm(e, wf(w), wop(w, 0x8B), dst, m, 0);
}

void x64_mov_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int src)
{
	x64_op_rm(e, wf(w), wop(w, 0x89), src, m, 0);
}

void x64_mov_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm)
{
	x64_op_rm(e, wf_n(w), wop(w, 0xC7), 0, m, immsz(w));
	x64_emit_imm(e, immsz(w), imm);
}

/* movzx/movsx: the destination is a full register, the source a byte or
 * word (so only the rm side may be a byte register). */
static void ext_rr(struct x64_emitter *e, enum x64_width w, uint32_t op, int dst, int src, bool byte)
{
	only_32_64(w);
	x64_op_rr(e, wf(w) | (byte ? X64_F_BYTE_RM : 0), op, dst, src);
}

static void ext_rm(struct x64_emitter *e, enum x64_width w, uint32_t op, int dst, struct x64_mem m)
{
	only_32_64(w);
	x64_op_rm(e, wf(w), op, dst, m, 0);
}

void x64_movzx8_rr(struct x64_emitter *e, enum x64_width w, int dst, int src) { ext_rr(e, w, 0x0FB6, dst, src, true); }
void x64_movzx16_rr(struct x64_emitter *e, enum x64_width w, int dst, int src) { ext_rr(e, w, 0x0FB7, dst, src, false); }
void x64_movsx8_rr(struct x64_emitter *e, enum x64_width w, int dst, int src) { ext_rr(e, w, 0x0FBE, dst, src, true); }
void x64_movsx16_rr(struct x64_emitter *e, enum x64_width w, int dst, int src) { ext_rr(e, w, 0x0FBF, dst, src, false); }
void x64_movsxd_rr(struct x64_emitter *e, int dst, int src) { x64_op_rr(e, X64_F_W, 0x63, dst, src); }
void x64_movzx8_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m) { ext_rm(e, w, 0x0FB6, dst, m); }
void x64_movzx16_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m) { ext_rm(e, w, 0x0FB7, dst, m); }
void x64_movsx8_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m) { ext_rm(e, w, 0x0FBE, dst, m); }
void x64_movsx16_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m) { ext_rm(e, w, 0x0FBF, dst, m); }
void x64_movsxd_rm(struct x64_emitter *e, int dst, struct x64_mem m) { x64_op_rm(e, X64_F_W, 0x63, dst, m, 0); }

void x64_lea(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m)
{
	only_32_64(w);
	x64_op_rm(e, wf(w), 0x8D, dst, m, 0);
}

/* push/pop default to 64-bit operands in long mode: no REX.W. */
void x64_push_r(struct x64_emitter *e, int r) { x64_op_o(e, 0, 0x50, r); }
void x64_pop_r(struct x64_emitter *e, int r) { x64_op_o(e, 0, 0x58, r); }

void x64_push_i(struct x64_emitter *e, int32_t imm)
{
	if (x64_fits_i8(imm)) {
		x64_emit_u8(e, 0x6A);
		x64_emit_imm(e, 1, imm);
	} else {
		x64_emit_u8(e, 0x68);
		x64_emit_imm(e, 4, imm);
	}
}

void x64_bswap_r(struct x64_emitter *e, enum x64_width w, int r)
{
	only_32_64(w);
	x64_op_o(e, wf(w), 0x0FC8, r);
}

/* ---- atomics ---- */

void x64_xchg_rr(struct x64_emitter *e, enum x64_width w, int a, int b)
{
	/* 90+r with the accumulator, except xchg eax, eax: 90 is NOP and would
	 * not clear the upper half of rax. */
	bool same_eax = a == X64_RAX && b == X64_RAX && w == X64_W32;
	if (w != X64_W8 && !same_eax && (a == X64_RAX || b == X64_RAX)) {
		x64_op_o(e, wf(w), 0x90, a == X64_RAX ? b : a);
		return;
	}
	x64_op_rr(e, wf(w), wop(w, 0x87), b, a);
}

void x64_xchg_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int r)
{
	x64_op_rm(e, wf(w), wop(w, 0x87), r, m, 0);
}

void x64_lock_cmpxchg_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int r)
{
	only_32_64(w);
	x64_op_rm(e, X64_F_LOCK | wf(w), 0x0FB1, r, m, 0);
}

void x64_lock_xadd_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int r)
{
	only_32_64(w);
	x64_op_rm(e, X64_F_LOCK | wf(w), 0x0FC1, r, m, 0);
}

void x64_lock(struct x64_emitter *e) { x64_emit_u8(e, 0xF0); }

/* ---- integer ALU (group 1: the /n and the base opcode op*8) ---- */

enum alu { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

static void alu_rr(struct x64_emitter *e, enum x64_width w, enum alu op, int dst, int src)
{
	x64_op_rr(e, wf(w), wop(w, op * 8u + 1), src, dst); /* op r/m, r */
}

static void alu_rm(struct x64_emitter *e, enum x64_width w, enum alu op, int dst, struct x64_mem m)
{
	x64_op_rm(e, wf(w), wop(w, op * 8u + 3), dst, m, 0); /* op r, r/m */
}

static void alu_mr(struct x64_emitter *e, enum x64_width w, enum alu op, struct x64_mem m, int src)
{
	x64_op_rm(e, wf(w), wop(w, op * 8u + 1), src, m, 0);
}

static void alu_ri(struct x64_emitter *e, enum x64_width w, enum alu op, int dst, int32_t imm)
{
	if (w == X64_W8) {
		if (dst == X64_RAX)
			x64_emit_u8(e, (uint8_t)(op * 8u + 4)); /* op al, ib */
		else
			x64_op_rr(e, wf_n(w), 0x80, op, dst);
		x64_emit_imm(e, 1, imm);
	} else if (x64_fits_i8(imm)) {
		x64_op_rr(e, wf_n(w), 0x83, op, dst); /* op r/m, sign-extended ib */
		x64_emit_imm(e, 1, imm);
	} else {
		if (dst == X64_RAX)
			x64_op_o(e, wf(w), op * 8u + 5, X64_RAX); /* op eax/rax, iz */
		else
			x64_op_rr(e, wf_n(w), 0x81, op, dst);
		x64_emit_imm(e, immsz(w), imm);
	}
}

static void alu_mi(struct x64_emitter *e, enum x64_width w, enum alu op, struct x64_mem m, int32_t imm)
{
	if (w == X64_W8) {
		x64_op_rm(e, wf_n(w), 0x80, op, m, 1);
		x64_emit_imm(e, 1, imm);
	} else if (x64_fits_i8(imm)) {
		x64_op_rm(e, wf_n(w), 0x83, op, m, 1);
		x64_emit_imm(e, 1, imm);
	} else {
		x64_op_rm(e, wf_n(w), 0x81, op, m, immsz(w));
		x64_emit_imm(e, immsz(w), imm);
	}
}

void x64_add_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { alu_rr(e, w, ALU_ADD, d, s); }
void x64_add_ri(struct x64_emitter *e, enum x64_width w, int d, int32_t i) { alu_ri(e, w, ALU_ADD, d, i); }
void x64_add_rm(struct x64_emitter *e, enum x64_width w, int d, struct x64_mem m) { alu_rm(e, w, ALU_ADD, d, m); }
void x64_add_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int s) { alu_mr(e, w, ALU_ADD, m, s); }
void x64_add_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t i) { alu_mi(e, w, ALU_ADD, m, i); }

void x64_or_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { alu_rr(e, w, ALU_OR, d, s); }
void x64_or_ri(struct x64_emitter *e, enum x64_width w, int d, int32_t i) { alu_ri(e, w, ALU_OR, d, i); }
void x64_or_rm(struct x64_emitter *e, enum x64_width w, int d, struct x64_mem m) { alu_rm(e, w, ALU_OR, d, m); }
void x64_or_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int s) { alu_mr(e, w, ALU_OR, m, s); }
void x64_or_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t i) { alu_mi(e, w, ALU_OR, m, i); }

void x64_adc_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { alu_rr(e, w, ALU_ADC, d, s); }
void x64_adc_ri(struct x64_emitter *e, enum x64_width w, int d, int32_t i) { alu_ri(e, w, ALU_ADC, d, i); }
void x64_adc_rm(struct x64_emitter *e, enum x64_width w, int d, struct x64_mem m) { alu_rm(e, w, ALU_ADC, d, m); }
void x64_adc_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int s) { alu_mr(e, w, ALU_ADC, m, s); }
void x64_adc_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t i) { alu_mi(e, w, ALU_ADC, m, i); }

void x64_sbb_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { alu_rr(e, w, ALU_SBB, d, s); }
void x64_sbb_ri(struct x64_emitter *e, enum x64_width w, int d, int32_t i) { alu_ri(e, w, ALU_SBB, d, i); }
void x64_sbb_rm(struct x64_emitter *e, enum x64_width w, int d, struct x64_mem m) { alu_rm(e, w, ALU_SBB, d, m); }
void x64_sbb_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int s) { alu_mr(e, w, ALU_SBB, m, s); }
void x64_sbb_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t i) { alu_mi(e, w, ALU_SBB, m, i); }

void x64_and_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { alu_rr(e, w, ALU_AND, d, s); }
void x64_and_ri(struct x64_emitter *e, enum x64_width w, int d, int32_t i) { alu_ri(e, w, ALU_AND, d, i); }
void x64_and_rm(struct x64_emitter *e, enum x64_width w, int d, struct x64_mem m) { alu_rm(e, w, ALU_AND, d, m); }
void x64_and_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int s) { alu_mr(e, w, ALU_AND, m, s); }
void x64_and_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t i) { alu_mi(e, w, ALU_AND, m, i); }

void x64_sub_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { alu_rr(e, w, ALU_SUB, d, s); }
void x64_sub_ri(struct x64_emitter *e, enum x64_width w, int d, int32_t i) { alu_ri(e, w, ALU_SUB, d, i); }
void x64_sub_rm(struct x64_emitter *e, enum x64_width w, int d, struct x64_mem m) { alu_rm(e, w, ALU_SUB, d, m); }
void x64_sub_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int s) { alu_mr(e, w, ALU_SUB, m, s); }
void x64_sub_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t i) { alu_mi(e, w, ALU_SUB, m, i); }

void x64_xor_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { alu_rr(e, w, ALU_XOR, d, s); }
void x64_xor_ri(struct x64_emitter *e, enum x64_width w, int d, int32_t i) { alu_ri(e, w, ALU_XOR, d, i); }
void x64_xor_rm(struct x64_emitter *e, enum x64_width w, int d, struct x64_mem m) { alu_rm(e, w, ALU_XOR, d, m); }
void x64_xor_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int s) { alu_mr(e, w, ALU_XOR, m, s); }
void x64_xor_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t i) { alu_mi(e, w, ALU_XOR, m, i); }

void x64_cmp_rr(struct x64_emitter *e, enum x64_width w, int a, int b) { alu_rr(e, w, ALU_CMP, a, b); }
void x64_cmp_ri(struct x64_emitter *e, enum x64_width w, int a, int32_t i) { alu_ri(e, w, ALU_CMP, a, i); }
void x64_cmp_rm(struct x64_emitter *e, enum x64_width w, int a, struct x64_mem m) { alu_rm(e, w, ALU_CMP, a, m); }
void x64_cmp_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int b) { alu_mr(e, w, ALU_CMP, m, b); }
void x64_cmp_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t i) { alu_mi(e, w, ALU_CMP, m, i); }

void x64_test_rr(struct x64_emitter *e, enum x64_width w, int a, int b)
{
	x64_op_rr(e, wf(w), wop(w, 0x85), b, a);
}

void x64_test_ri(struct x64_emitter *e, enum x64_width w, int a, int32_t imm)
{
	if (a == X64_RAX)
		x64_op_o(e, wf(w), wop(w, 0xA9), X64_RAX); /* test al/ax/eax/rax, imm */
	else
		x64_op_rr(e, wf_n(w), wop(w, 0xF7), 0, a);
	x64_emit_imm(e, immsz(w), imm);
}

void x64_test_mr(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int b)
{
	x64_op_rm(e, wf(w), wop(w, 0x85), b, m, 0);
}

void x64_test_mi(struct x64_emitter *e, enum x64_width w, struct x64_mem m, int32_t imm)
{
	x64_op_rm(e, wf_n(w), wop(w, 0xF7), 0, m, immsz(w));
	x64_emit_imm(e, immsz(w), imm);
}

/* ---- unary, multiply, divide (group 3: F7 /n) ---- */

static void grp3(struct x64_emitter *e, enum x64_width w, unsigned n, int r)
{
	only_32_64(w);
	x64_op_rr(e, wf_n(w), 0xF7, (int)n, r);
}

void x64_not_r(struct x64_emitter *e, enum x64_width w, int r) { grp3(e, w, 2, r); }
void x64_neg_r(struct x64_emitter *e, enum x64_width w, int r) { grp3(e, w, 3, r); }
void x64_mul_r(struct x64_emitter *e, enum x64_width w, int r) { grp3(e, w, 4, r); }
void x64_imul1_r(struct x64_emitter *e, enum x64_width w, int r) { grp3(e, w, 5, r); }
void x64_div_r(struct x64_emitter *e, enum x64_width w, int r) { grp3(e, w, 6, r); }
void x64_idiv_r(struct x64_emitter *e, enum x64_width w, int r) { grp3(e, w, 7, r); }

void x64_imul_rr(struct x64_emitter *e, enum x64_width w, int dst, int src)
{
	only_32_64(w);
	x64_op_rr(e, wf(w), 0x0FAF, dst, src);
}

void x64_imul_rm(struct x64_emitter *e, enum x64_width w, int dst, struct x64_mem m)
{
	only_32_64(w);
	x64_op_rm(e, wf(w), 0x0FAF, dst, m, 0);
}

void x64_imul_rri(struct x64_emitter *e, enum x64_width w, int dst, int src, int32_t imm)
{
	only_32_64(w);
	bool short_imm = x64_fits_i8(imm);
	x64_op_rr(e, wf(w), short_imm ? 0x6B : 0x69, dst, src);
	x64_emit_imm(e, short_imm ? 1 : 4, imm);
}

void x64_cdq(struct x64_emitter *e) { x64_emit_u8(e, 0x99); }
void x64_cqo(struct x64_emitter *e) { x64_op_o(e, X64_F_W, 0x99, X64_RAX); }
void x64_cdqe(struct x64_emitter *e) { x64_op_o(e, X64_F_W, 0x98, X64_RAX); }

/* ---- shifts and rotates (group 2: C1/D1/D3 /n) ---- */

enum shift { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

static void shift_ri(struct x64_emitter *e, enum x64_width w, enum shift n, int r, uint8_t imm)
{
	only_32_64(w);
	if (imm == 1) {
		x64_op_rr(e, wf_n(w), 0xD1, n, r);
	} else {
		x64_op_rr(e, wf_n(w), 0xC1, n, r);
		x64_emit_u8(e, imm);
	}
}

static void shift_rcl(struct x64_emitter *e, enum x64_width w, enum shift n, int r)
{
	only_32_64(w);
	x64_op_rr(e, wf_n(w), 0xD3, n, r);
}

void x64_shl_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t i) { shift_ri(e, w, SH_SHL, r, i); }
void x64_shr_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t i) { shift_ri(e, w, SH_SHR, r, i); }
void x64_sar_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t i) { shift_ri(e, w, SH_SAR, r, i); }
void x64_rol_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t i) { shift_ri(e, w, SH_ROL, r, i); }
void x64_ror_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t i) { shift_ri(e, w, SH_ROR, r, i); }
void x64_shl_rcl(struct x64_emitter *e, enum x64_width w, int r) { shift_rcl(e, w, SH_SHL, r); }
void x64_shr_rcl(struct x64_emitter *e, enum x64_width w, int r) { shift_rcl(e, w, SH_SHR, r); }
void x64_sar_rcl(struct x64_emitter *e, enum x64_width w, int r) { shift_rcl(e, w, SH_SAR, r); }
void x64_rol_rcl(struct x64_emitter *e, enum x64_width w, int r) { shift_rcl(e, w, SH_ROL, r); }
void x64_ror_rcl(struct x64_emitter *e, enum x64_width w, int r) { shift_rcl(e, w, SH_ROR, r); }

/* VEX pp field values */
enum { PP_NONE, PP_66, PP_F3, PP_F2 };

/* BMI shlx/shrx/sarx: VEX.LZ.pp.0F38.W F7 /r, count in VEX.vvvv */
static void bmi2_shift(struct x64_emitter *e, enum x64_width w, unsigned pp, int dst, int src, int cnt)
{
	only_32_64(w);
	struct x64_vex v = { .map = 2, .pp = pp, .w = w == X64_W64, .vvvv = cnt };
	x64_op_vex_rr(e, v, 0xF7, dst, src);
}

void x64_shlx_rrr(struct x64_emitter *e, enum x64_width w, int d, int s, int c) { bmi2_shift(e, w, PP_66, d, s, c); }
void x64_shrx_rrr(struct x64_emitter *e, enum x64_width w, int d, int s, int c) { bmi2_shift(e, w, PP_F2, d, s, c); }
void x64_sarx_rrr(struct x64_emitter *e, enum x64_width w, int d, int s, int c) { bmi2_shift(e, w, PP_F3, d, s, c); }

void x64_rorx_rri(struct x64_emitter *e, enum x64_width w, int dst, int src, uint8_t imm)
{
	only_32_64(w);
	struct x64_vex v = { .map = 3, .pp = PP_F2, .w = w == X64_W64 };
	x64_op_vex_rr(e, v, 0xF0, dst, src);
	x64_emit_u8(e, imm);
}

void x64_andn_rrr(struct x64_emitter *e, enum x64_width w, int dst, int a, int b)
{
	only_32_64(w);
	struct x64_vex v = { .map = 2, .pp = PP_NONE, .w = w == X64_W64, .vvvv = a };
	x64_op_vex_rr(e, v, 0xF2, dst, b);
}

/* ---- bits ---- */

void x64_bt_ri(struct x64_emitter *e, enum x64_width w, int r, uint8_t bit)
{
	only_32_64(w);
	x64_op_rr(e, wf_n(w), 0x0FBA, 4, r);
	x64_emit_u8(e, bit);
}

void x64_bt_rr(struct x64_emitter *e, enum x64_width w, int r, int bit)
{
	only_32_64(w);
	x64_op_rr(e, wf(w), 0x0FA3, bit, r);
}

static void bitscan(struct x64_emitter *e, enum x64_width w, unsigned pfx, uint32_t op, int dst, int src)
{
	only_32_64(w);
	x64_op_rr(e, wf(w) | pfx, op, dst, src);
}

void x64_popcnt_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { bitscan(e, w, X64_F_F3, 0x0FB8, d, s); }
void x64_lzcnt_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { bitscan(e, w, X64_F_F3, 0x0FBD, d, s); }
void x64_tzcnt_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { bitscan(e, w, X64_F_F3, 0x0FBC, d, s); }
void x64_bsf_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { bitscan(e, w, 0, 0x0FBC, d, s); }
void x64_bsr_rr(struct x64_emitter *e, enum x64_width w, int d, int s) { bitscan(e, w, 0, 0x0FBD, d, s); }

/* ---- conditions ---- */

void x64_setcc_r(struct x64_emitter *e, enum x64_cc cc, int r)
{
	x64_op_rr(e, X64_F_BYTE_RM, 0x0F90 + (uint32_t)cc, 0, r);
}

void x64_cmovcc_rr(struct x64_emitter *e, enum x64_width w, enum x64_cc cc, int dst, int src)
{
	only_32_64(w);
	x64_op_rr(e, wf(w), 0x0F40 + (uint32_t)cc, dst, src);
}

void x64_cmovcc_rm(struct x64_emitter *e, enum x64_width w, enum x64_cc cc, int dst, struct x64_mem m)
{
	only_32_64(w);
	x64_op_rm(e, wf(w), 0x0F40 + (uint32_t)cc, dst, m, 0);
}

/* ---- control flow ---- */

enum { OP_JMP8 = 0xEB, OP_JMP32 = 0xE9, OP_CALL32 = 0xE8, OP_JCC8 = 0x70 };

static void emit_jcc32_opcode(struct x64_emitter *e, enum x64_cc cc)
{
	x64_emit_u8(e, 0x0F);
	x64_emit_u8(e, (uint8_t)(0x80 + cc));
}

void x64_jmp_rel8(struct x64_emitter *e, int8_t rel) { x64_emit_u8(e, OP_JMP8); x64_emit_imm(e, 1, rel); }
void x64_jmp_rel32(struct x64_emitter *e, int32_t rel) { x64_emit_u8(e, OP_JMP32); x64_emit_imm(e, 4, rel); }
void x64_call_rel32(struct x64_emitter *e, int32_t rel) { x64_emit_u8(e, OP_CALL32); x64_emit_imm(e, 4, rel); }

void x64_jcc_rel8(struct x64_emitter *e, enum x64_cc cc, int8_t rel)
{
	x64_emit_u8(e, (uint8_t)(OP_JCC8 + cc));
	x64_emit_imm(e, 1, rel);
}

void x64_jcc_rel32(struct x64_emitter *e, enum x64_cc cc, int32_t rel)
{
	emit_jcc32_opcode(e, cc);
	x64_emit_imm(e, 4, rel);
}

/* A bound label reachable by a 2-byte short jump from here. */
static bool short_reach(const struct x64_emitter *e, const struct x64_label *l)
{
	return x64_label_bound(l) && x64_fits_i8(l->pos - (int64_t)(e->len + 2));
}

void x64_jmp_l8(struct x64_emitter *e, struct x64_label *l) { x64_emit_u8(e, OP_JMP8); x64_emit_label_rel8(e, l); }
void x64_jmp_l32(struct x64_emitter *e, struct x64_label *l) { x64_emit_u8(e, OP_JMP32); x64_emit_label_rel32(e, l); }

void x64_jmp_l(struct x64_emitter *e, struct x64_label *l)
{
	if (short_reach(e, l))
		x64_jmp_l8(e, l);
	else
		x64_jmp_l32(e, l);
}

void x64_jcc_l8(struct x64_emitter *e, enum x64_cc cc, struct x64_label *l)
{
	x64_emit_u8(e, (uint8_t)(OP_JCC8 + cc));
	x64_emit_label_rel8(e, l);
}

void x64_jcc_l32(struct x64_emitter *e, enum x64_cc cc, struct x64_label *l)
{
	emit_jcc32_opcode(e, cc);
	x64_emit_label_rel32(e, l);
}

void x64_jcc_l(struct x64_emitter *e, enum x64_cc cc, struct x64_label *l)
{
	if (short_reach(e, l))
		x64_jcc_l8(e, cc, l);
	else
		x64_jcc_l32(e, cc, l);
}

void x64_call_l(struct x64_emitter *e, struct x64_label *l)
{
	x64_emit_u8(e, OP_CALL32);
	x64_emit_label_rel32(e, l);
}

size_t x64_jmp_to(struct x64_emitter *e, const void *target)
{
	x64_emit_u8(e, OP_JMP32);
	size_t at = e->len;
	x64_emit_rel32_to(e, target);
	return at;
}

size_t x64_jcc_to(struct x64_emitter *e, enum x64_cc cc, const void *target)
{
	emit_jcc32_opcode(e, cc);
	size_t at = e->len;
	x64_emit_rel32_to(e, target);
	return at;
}

size_t x64_call_to(struct x64_emitter *e, const void *target)
{
	x64_emit_u8(e, OP_CALL32);
	size_t at = e->len;
	x64_emit_rel32_to(e, target);
	return at;
}

void x64_call_far(struct x64_emitter *e, const void *target, int scratch)
{
	if (x64_rel32_reachable(x64_here(e) + 5, target)) {
		x64_call_to(e, target);
	} else {
		x64_movabs_ri(e, scratch, (uint64_t)(uintptr_t)target);
		x64_call_r(e, scratch);
	}
}

/* Indirect jmp/call: FF /4 and FF /2, 64-bit by default (no REX.W). */
void x64_jmp_r(struct x64_emitter *e, int r) { x64_op_rr(e, 0, 0xFF, 4, r); }
void x64_jmp_m(struct x64_emitter *e, struct x64_mem m) { x64_op_rm(e, 0, 0xFF, 4, m, 0); }
void x64_call_r(struct x64_emitter *e, int r) { x64_op_rr(e, 0, 0xFF, 2, r); }
void x64_call_m(struct x64_emitter *e, struct x64_mem m) { x64_op_rm(e, 0, 0xFF, 2, m, 0); }
void x64_ret(struct x64_emitter *e) { x64_emit_u8(e, 0xC3); }

/* ---- misc ---- */

static void emit3(struct x64_emitter *e, uint8_t a, uint8_t b, uint8_t c)
{
	const uint8_t bytes[3] = { a, b, c };
	x64_emit_bytes(e, bytes, 3);
}

void x64_mfence(struct x64_emitter *e) { emit3(e, 0x0F, 0xAE, 0xF0); }
void x64_lfence(struct x64_emitter *e) { emit3(e, 0x0F, 0xAE, 0xE8); }
void x64_sfence(struct x64_emitter *e) { emit3(e, 0x0F, 0xAE, 0xF8); }
void x64_pause(struct x64_emitter *e) { x64_emit_u8(e, 0xF3); x64_emit_u8(e, 0x90); }
void x64_int3(struct x64_emitter *e) { x64_emit_u8(e, 0xCC); }
void x64_ud2(struct x64_emitter *e) { x64_emit_u8(e, 0x0F); x64_emit_u8(e, 0x0B); }

/* The SDM's recommended multi-byte NOP sequences (NOP r/m = 0F 1F /0),
 * indexed by length: one decoded instruction per chunk. */
static const uint8_t nops[10][9] = {
	[1] = { 0x90 },
	[2] = { 0x66, 0x90 },
	[3] = { 0x0F, 0x1F, 0x00 },
	[4] = { 0x0F, 0x1F, 0x40, 0x00 },
	[5] = { 0x0F, 0x1F, 0x44, 0x00, 0x00 },
	[6] = { 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00 },
	[7] = { 0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00 },
	[8] = { 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	[9] = { 0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

void x64_nop(struct x64_emitter *e, size_t n)
{
	while (n > 0) {
		size_t k = n > 9 ? 9 : n;
		x64_emit_bytes(e, nops[k], k);
		n -= k;
	}
}

void x64_align_rel32(struct x64_emitter *e, unsigned opcode_len)
{
	uintptr_t field = (uintptr_t)x64_here(e) + opcode_len;
	x64_nop(e, (4 - (field & 3)) & 3);
}

/* ---- SSE2 scalar floating point ---- */

/* Legacy-SSE instruction with a mandatory prefix: pfx 0F op /r */
static void sse_rr(struct x64_emitter *e, unsigned pfx, uint32_t op, int reg, int rm)
{
	x64_op_rr(e, pfx, op, reg, rm);
}

static void sse_rm(struct x64_emitter *e, unsigned pfx, uint32_t op, int reg, struct x64_mem m)
{
	x64_op_rm(e, pfx, op, reg, m, 0);
}

enum { SS = X64_F_F3, SD = X64_F_F2, PS = 0, PD = X64_F_66 };

void x64_movd_xr(struct x64_emitter *e, int x, int r) { sse_rr(e, PD, 0x0F6E, x, r); }
void x64_movq_xr(struct x64_emitter *e, int x, int r) { sse_rr(e, PD | X64_F_W, 0x0F6E, x, r); }
void x64_movd_rx(struct x64_emitter *e, int r, int x) { sse_rr(e, PD, 0x0F7E, x, r); }
void x64_movq_rx(struct x64_emitter *e, int r, int x) { sse_rr(e, PD | X64_F_W, 0x0F7E, x, r); }
void x64_movaps_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PS, 0x0F28, d, s); }
void x64_movss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F10, d, s); }
void x64_movsd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F10, d, s); }
void x64_movss_xm(struct x64_emitter *e, int x, struct x64_mem m) { sse_rm(e, SS, 0x0F10, x, m); }
void x64_movsd_xm(struct x64_emitter *e, int x, struct x64_mem m) { sse_rm(e, SD, 0x0F10, x, m); }
void x64_movss_mx(struct x64_emitter *e, struct x64_mem m, int x) { sse_rm(e, SS, 0x0F11, x, m); }
void x64_movsd_mx(struct x64_emitter *e, struct x64_mem m, int x) { sse_rm(e, SD, 0x0F11, x, m); }

void x64_addss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F58, d, s); }
void x64_addsd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F58, d, s); }
void x64_mulss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F59, d, s); }
void x64_mulsd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F59, d, s); }
void x64_subss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F5C, d, s); }
void x64_subsd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F5C, d, s); }
void x64_minss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F5D, d, s); }
void x64_minsd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F5D, d, s); }
void x64_divss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F5E, d, s); }
void x64_divsd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F5E, d, s); }
void x64_maxss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F5F, d, s); }
void x64_maxsd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F5F, d, s); }
void x64_sqrtss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F51, d, s); }
void x64_sqrtsd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F51, d, s); }
void x64_addss_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, SS, 0x0F58, d, m); }
void x64_addsd_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, SD, 0x0F58, d, m); }
void x64_mulss_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, SS, 0x0F59, d, m); }
void x64_mulsd_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, SD, 0x0F59, d, m); }
void x64_subss_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, SS, 0x0F5C, d, m); }
void x64_subsd_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, SD, 0x0F5C, d, m); }
void x64_divss_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, SS, 0x0F5E, d, m); }
void x64_divsd_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, SD, 0x0F5E, d, m); }

void x64_ucomiss_xx(struct x64_emitter *e, int a, int b) { sse_rr(e, PS, 0x0F2E, a, b); }
void x64_ucomisd_xx(struct x64_emitter *e, int a, int b) { sse_rr(e, PD, 0x0F2E, a, b); }
void x64_comiss_xx(struct x64_emitter *e, int a, int b) { sse_rr(e, PS, 0x0F2F, a, b); }
void x64_comisd_xx(struct x64_emitter *e, int a, int b) { sse_rr(e, PD, 0x0F2F, a, b); }
void x64_ucomiss_xm(struct x64_emitter *e, int a, struct x64_mem m) { sse_rm(e, PS, 0x0F2E, a, m); }
void x64_ucomisd_xm(struct x64_emitter *e, int a, struct x64_mem m) { sse_rm(e, PD, 0x0F2E, a, m); }

/* Conversions between GPR and XMM: REX.W selects the 64-bit integer. */
static unsigned gw(enum x64_width w)
{
	only_32_64(w);
	return w == X64_W64 ? X64_F_W : 0;
}

void x64_cvtsi2ss_xr(struct x64_emitter *e, enum x64_width w, int x, int r) { sse_rr(e, SS | gw(w), 0x0F2A, x, r); }
void x64_cvtsi2sd_xr(struct x64_emitter *e, enum x64_width w, int x, int r) { sse_rr(e, SD | gw(w), 0x0F2A, x, r); }
void x64_cvttss2si_rx(struct x64_emitter *e, enum x64_width w, int r, int x) { sse_rr(e, SS | gw(w), 0x0F2C, r, x); }
void x64_cvttsd2si_rx(struct x64_emitter *e, enum x64_width w, int r, int x) { sse_rr(e, SD | gw(w), 0x0F2C, r, x); }
void x64_cvtss2si_rx(struct x64_emitter *e, enum x64_width w, int r, int x) { sse_rr(e, SS | gw(w), 0x0F2D, r, x); }
void x64_cvtsd2si_rx(struct x64_emitter *e, enum x64_width w, int r, int x) { sse_rr(e, SD | gw(w), 0x0F2D, r, x); }
void x64_cvtss2sd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SS, 0x0F5A, d, s); }
void x64_cvtsd2ss_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, SD, 0x0F5A, d, s); }

void x64_andps_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PS, 0x0F54, d, s); }
void x64_andpd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PD, 0x0F54, d, s); }
void x64_andnps_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PS, 0x0F55, d, s); }
void x64_andnpd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PD, 0x0F55, d, s); }
void x64_orps_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PS, 0x0F56, d, s); }
void x64_orpd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PD, 0x0F56, d, s); }
void x64_xorps_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PS, 0x0F57, d, s); }
void x64_xorpd_xx(struct x64_emitter *e, int d, int s) { sse_rr(e, PD, 0x0F57, d, s); }
void x64_andps_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, PS, 0x0F54, d, m); }
void x64_andpd_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, PD, 0x0F54, d, m); }
void x64_xorps_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, PS, 0x0F57, d, m); }
void x64_xorpd_xm(struct x64_emitter *e, int d, struct x64_mem m) { sse_rm(e, PD, 0x0F57, d, m); }

void x64_ldmxcsr_m(struct x64_emitter *e, struct x64_mem m) { x64_op_rm(e, 0, 0x0FAE, 2, m, 0); }
void x64_stmxcsr_m(struct x64_emitter *e, struct x64_mem m) { x64_op_rm(e, 0, 0x0FAE, 3, m, 0); }

void x64_roundss_xxi(struct x64_emitter *e, int d, int s, uint8_t mode)
{
	sse_rr(e, PD, 0x0F3A0A, d, s);
	x64_emit_u8(e, mode);
}

void x64_roundsd_xxi(struct x64_emitter *e, int d, int s, uint8_t mode)
{
	sse_rr(e, PD, 0x0F3A0B, d, s);
	x64_emit_u8(e, mode);
}

/* FMA3: VEX.LIG.66.0F38.W0 (ss) / W1 (sd), first source in vvvv */
static void fma231(struct x64_emitter *e, bool dbl, uint8_t op, int d, int a, int b)
{
	struct x64_vex v = { .map = 2, .pp = PP_66, .w = dbl, .vvvv = a };
	x64_op_vex_rr(e, v, op, d, b);
}

void x64_vfmadd231ss_xxx(struct x64_emitter *e, int d, int a, int b) { fma231(e, false, 0xB9, d, a, b); }
void x64_vfmadd231sd_xxx(struct x64_emitter *e, int d, int a, int b) { fma231(e, true, 0xB9, d, a, b); }
void x64_vfmsub231ss_xxx(struct x64_emitter *e, int d, int a, int b) { fma231(e, false, 0xBB, d, a, b); }
void x64_vfmsub231sd_xxx(struct x64_emitter *e, int d, int a, int b) { fma231(e, true, 0xBB, d, a, b); }
void x64_vfnmadd231ss_xxx(struct x64_emitter *e, int d, int a, int b) { fma231(e, false, 0xBD, d, a, b); }
void x64_vfnmadd231sd_xxx(struct x64_emitter *e, int d, int a, int b) { fma231(e, true, 0xBD, d, a, b); }
void x64_vfnmsub231ss_xxx(struct x64_emitter *e, int d, int a, int b) { fma231(e, false, 0xBF, d, a, b); }
void x64_vfnmsub231sd_xxx(struct x64_emitter *e, int d, int a, int b) { fma231(e, true, 0xBF, d, a, b); }
