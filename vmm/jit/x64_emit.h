/*
 * x64_emit.h - x86-64 emitter, layer 1: the code buffer, byte-level primitives
 * (legacy prefixes, REX, VEX, ModRM, SIB, displacements, immediates), memory
 * operands as values, and labels with forward/backward fixups.
 *
 * Models the Intel SDM vol. 2, chapter 2 ("Instruction Format"): 2.1 (prefixes,
 * ModRM, SIB, displacement), 2.2.1 (REX), 2.3 (VEX). Layer 2 (x64_insn.h)
 * builds one function per mnemonic on top of this; the translator uses only
 * layer 2 plus the buffer, label and patch functions declared here.
 *
 * Overflow: running out of buffer sets e->overflow and drops all further bytes
 * instead of failing. The translator checks the flag once per block, flushes
 * the code cache and translates again, so no call site handles a full buffer.
 */
#ifndef RVVM_X64_EMIT_H
#define RVVM_X64_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* General-purpose registers, numbered as in the encodings. As byte operands,
 * 4..7 mean SPL/BPL/SIL/DIL: the emitter always adds a REX prefix for them,
 * so the legacy AH/CH/DH/BH are never produced. */
enum x64_reg {
	X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
	X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
};

/* "No register" for a memory operand's base or index. */
#define X64_NOREG (-1)

enum x64_xmm {
	X64_XMM0, X64_XMM1, X64_XMM2, X64_XMM3, X64_XMM4, X64_XMM5, X64_XMM6, X64_XMM7,
	X64_XMM8, X64_XMM9, X64_XMM10, X64_XMM11, X64_XMM12, X64_XMM13, X64_XMM14, X64_XMM15,
};

/* Operand width in bytes. */
enum x64_width { X64_W8 = 1, X64_W16 = 2, X64_W32 = 4, X64_W64 = 8 };

/* Condition codes: the low nibble of Jcc/SETcc/CMOVcc. cc ^ 1 is the negation. */
enum x64_cc {
	X64_CC_O, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE, X64_CC_BE, X64_CC_A,
	X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP, X64_CC_L, X64_CC_GE, X64_CC_LE, X64_CC_G,
};

static inline enum x64_cc x64_cc_not(enum x64_cc cc) { return (enum x64_cc)(cc ^ 1); }

struct x64_emitter {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

/*
 * A memory operand, passed by value: [base + index*scale + disp], or
 * [rip + disp]. base/index are enum x64_reg or X64_NOREG; RSP cannot be an
 * index. With rip set, disp is relative to the end of the instruction, as in
 * assembly, unless target is non-NULL: then the emitter computes the
 * displacement to that absolute address when it knows the instruction length.
 */
struct x64_mem {
	int8_t base, index;
	uint8_t scale; /* 1, 2, 4 or 8 */
	int32_t disp;
	bool rip;
	const void *target;
};

/* [base + disp] */
static inline struct x64_mem x64_mem_bd(int base, int32_t disp)
{
	return (struct x64_mem){ .base = (int8_t)base, .index = X64_NOREG, .scale = 1, .disp = disp };
}

/* [base] */
static inline struct x64_mem x64_mem_b(int base) { return x64_mem_bd(base, 0); }

/* [base + index*scale + disp]; base may be X64_NOREG (then disp is absolute). */
static inline struct x64_mem x64_mem_bisd(int base, int index, unsigned scale, int32_t disp)
{
	return (struct x64_mem){ .base = (int8_t)base, .index = (int8_t)index,
				 .scale = (uint8_t)scale, .disp = disp };
}

/* [disp32], an absolute address in the low 2 GiB (sign-extended). */
static inline struct x64_mem x64_mem_abs(int32_t disp) { return x64_mem_bisd(X64_NOREG, X64_NOREG, 1, disp); }

/* [rip + disp], disp counted from the end of the instruction. */
static inline struct x64_mem x64_mem_rip(int32_t disp)
{
	return (struct x64_mem){ .base = X64_NOREG, .index = X64_NOREG, .scale = 1, .disp = disp, .rip = true };
}

/* RIP-relative reference to an absolute host address (must be within +-2 GiB). */
static inline struct x64_mem x64_mem_rip_to(const void *target)
{
	return (struct x64_mem){ .base = X64_NOREG, .index = X64_NOREG, .scale = 1, .rip = true, .target = target };
}

/* ---- buffer ---- */

void x64_emit_init(struct x64_emitter *e, uint8_t *buf, size_t cap);

/* Address of the next byte to be emitted. */
static inline uint8_t *x64_here(const struct x64_emitter *e) { return e->buf + e->len; }

static inline size_t x64_space(const struct x64_emitter *e) { return e->overflow ? 0 : e->cap - e->len; }

void x64_emit_u8(struct x64_emitter *e, uint8_t v);
void x64_emit_u16(struct x64_emitter *e, uint16_t v);
void x64_emit_u32(struct x64_emitter *e, uint32_t v);
void x64_emit_u64(struct x64_emitter *e, uint64_t v);
void x64_emit_bytes(struct x64_emitter *e, const void *p, size_t n);
/* An immediate of 1, 2, 4 or 8 bytes, little-endian, truncated to that size. */
void x64_emit_imm(struct x64_emitter *e, unsigned bytes, int64_t v);

static inline bool x64_fits_i8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool x64_fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }
static inline bool x64_fits_u32(uint64_t v) { return v <= UINT32_MAX; }

/* ---- raw encoding pieces ---- */

/* Emits a REX prefix (0x40 | W R X B) if any bit is set or force is true. */
void x64_emit_rex(struct x64_emitter *e, bool w, int reg, int index, int base, bool force);
void x64_emit_modrm(struct x64_emitter *e, unsigned mod, unsigned reg, unsigned rm);
void x64_emit_sib(struct x64_emitter *e, unsigned scale, unsigned index, unsigned base);
/*
 * ModRM (+ SIB + displacement) for a memory operand, with reg (a register or
 * a /digit) in the reg field. Picks the shortest displacement: none, disp8 or
 * disp32; RBP/R13 bases always carry a displacement (mod 00 means RIP/no base
 * there), RSP/R12 bases always need a SIB byte. imm_bytes is how many
 * immediate bytes follow, needed to resolve a RIP-relative target.
 */
void x64_emit_modrm_mem(struct x64_emitter *e, int reg, struct x64_mem m, unsigned imm_bytes);

/*
 * Whole-instruction helpers for layer 2. flags select the legacy prefixes
 * and REX bits; opcode holds 1 to 3 opcode bytes, most significant first
 * (0x0FAF is 0F AF, 0x0F3A0A is 0F 3A 0A).
 */
enum {
	X64_F_W = 1u << 0,        /* REX.W: 64-bit operand size */
	X64_F_66 = 1u << 1,       /* operand-size / SSE mandatory prefix */
	X64_F_F2 = 1u << 2,
	X64_F_F3 = 1u << 3,
	X64_F_LOCK = 1u << 4,
	X64_F_BYTE_REG = 1u << 5, /* ModRM.reg is a byte register: 4..7 need REX */
	X64_F_BYTE_RM = 1u << 6,  /* ModRM.rm (or opcode+reg) is a byte register */
};

/* prefixes, REX, opcode, ModRM with mod=11: register-direct rm. */
void x64_op_rr(struct x64_emitter *e, unsigned flags, uint32_t opcode, int reg, int rm);
/* prefixes, REX, opcode, ModRM/SIB/disp for memory; imm_bytes as above. */
void x64_op_rm(struct x64_emitter *e, unsigned flags, uint32_t opcode, int reg,
	       struct x64_mem m, unsigned imm_bytes);
/* prefixes, REX, opcode + (reg & 7): push, pop, bswap, mov r, imm. */
void x64_op_o(struct x64_emitter *e, unsigned flags, uint32_t opcode, int reg);

/*
 * VEX-encoded instruction (SDM 2.3.5). map: 1 = 0F, 2 = 0F38, 3 = 0F3A;
 * pp: 0 none, 1 = 66, 2 = F3, 3 = F2; w: VEX.W; vvvv: the extra source
 * register (0 when unused); l: VEX.L. Uses the 2-byte form when allowed.
 */
struct x64_vex { unsigned map, pp; bool w, l; int vvvv; };
void x64_op_vex_rr(struct x64_emitter *e, struct x64_vex v, uint8_t opcode, int reg, int rm);
void x64_op_vex_rm(struct x64_emitter *e, struct x64_vex v, uint8_t opcode, int reg,
		   struct x64_mem m, unsigned imm_bytes);

/* ---- labels ---- */

/*
 * A jump target inside the buffer, owned by the caller (usually on the stack
 * for the duration of one block). Unresolved forward references are chained
 * through the displacement fields themselves, so a label needs no storage
 * and any number of jumps may refer to it. rel8 and rel32 references keep
 * separate chains (a rel8 field holds the backward distance to the previous
 * rel8 reference, which always fits when the jump itself can reach).
 */
struct x64_label {
	int64_t pos;      /* bound offset, or -1 */
	int64_t chain32;  /* offset of the last unresolved rel32 field, or -1 */
	int64_t chain8;   /* offset of the last unresolved rel8 field, or -1 */
};

void x64_label_init(struct x64_label *l);
static inline bool x64_label_bound(const struct x64_label *l) { return l->pos >= 0; }
/* Binds l at the current position and resolves all references to it. */
void x64_bind(struct x64_emitter *e, struct x64_label *l);

/*
 * Emits a 4-byte (or 1-byte) displacement field referring to l, relative to
 * the end of the field. Layer 2 jumps use these; a rel8 that cannot reach is
 * a translator bug and asserts.
 */
void x64_emit_label_rel32(struct x64_emitter *e, struct x64_label *l);
void x64_emit_label_rel8(struct x64_emitter *e, struct x64_label *l);

/* Whether a rel32 field ending at `end` can reach target. */
bool x64_rel32_reachable(const uint8_t *end, const void *target);
/* Emits a rel32 field to an absolute address; asserts it is reachable. */
void x64_emit_rel32_to(struct x64_emitter *e, const void *target);

/*
 * Repoints an emitted rel32 field (at = first byte of the field) to target:
 * block chaining. When the field is 4-byte aligned (see x64_align_rel32 in
 * x64_insn.h) the store is a single atomic write, so another thread running
 * the code sees either the old or the new target.
 */
void x64_patch_rel32(uint8_t *at, const uint8_t *target);

#endif
