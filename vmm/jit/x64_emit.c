/*
 * x64_emit.c - x86-64 emitter, layer 1: code buffer, prefixes, REX/VEX,
 * ModRM/SIB/displacement selection, labels and rel32 patching.
 * Intel SDM vol. 2, chapter 2 (instruction format).
 */
#include "vmm/jit/x64_emit.h"

#include <assert.h>
#include <string.h>

void x64_emit_init(struct x64_emitter *e, uint8_t *buf, size_t cap)
{
	e->buf = buf;
	e->cap = cap;
	e->len = 0;
	e->overflow = false;
}

/* Reserves n bytes; on overflow every later write is dropped so the (already
 * useless) block cannot end with a half-written instruction past the end. */
static uint8_t *reserve(struct x64_emitter *e, size_t n)
{
	if (e->overflow || e->cap - e->len < n) {
		e->overflow = true;
		return NULL;
	}
	uint8_t *p = e->buf + e->len;
	e->len += n;
	return p;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void x64_emit_u8(struct x64_emitter *e, uint8_t v)
{
	uint8_t *p = reserve(e, 1);
	if (p)
		*p = v;
}

void x64_emit_imm(struct x64_emitter *e, unsigned bytes, int64_t v)
{
	assert(bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8);
	uint8_t *p = reserve(e, bytes);
	if (p)
		put_le(p, (uint64_t)v, bytes);
}

void x64_emit_u16(struct x64_emitter *e, uint16_t v) { x64_emit_imm(e, 2, v); }
void x64_emit_u32(struct x64_emitter *e, uint32_t v) { x64_emit_imm(e, 4, v); }
void x64_emit_u64(struct x64_emitter *e, uint64_t v) { x64_emit_imm(e, 8, (int64_t)v); }

void x64_emit_bytes(struct x64_emitter *e, const void *src, size_t n)
{
	uint8_t *p = reserve(e, n);
	if (p)
		memcpy(p, src, n);
}

/* ---- REX, ModRM, SIB ---- */

/* Bit 3 of a register number, or 0 for "no register". */
static unsigned hi(int r) { return r >= 0 ? ((unsigned)r >> 3) & 1 : 0; }

void x64_emit_rex(struct x64_emitter *e, bool w, int reg, int index, int base, bool force)
{
	unsigned rex = (w ? 8u : 0u) | hi(reg) << 2 | hi(index) << 1 | hi(base);
	if (rex || force)
		x64_emit_u8(e, (uint8_t)(0x40 | rex));
}

void x64_emit_modrm(struct x64_emitter *e, unsigned mod, unsigned reg, unsigned rm)
{
	x64_emit_u8(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | (rm & 7)));
}

void x64_emit_sib(struct x64_emitter *e, unsigned scale, unsigned index, unsigned base)
{
	unsigned ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
	assert(scale == 1 || scale == 2 || scale == 4 || scale == 8);
	x64_emit_u8(e, (uint8_t)(ss << 6 | (index & 7) << 3 | (base & 7)));
}

enum { RM_SIB = 4, RM_DISP32 = 5, SIB_NO_INDEX = 4, SIB_NO_BASE = 5 };

void x64_emit_modrm_mem(struct x64_emitter *e, int reg, struct x64_mem m, unsigned imm_bytes)
{
	assert(m.index != X64_RSP); /* index field 100 means "no index" */

	if (m.rip) {
		/* mod 00 rm 101 is [rip + disp32] in 64-bit mode */
		x64_emit_modrm(e, 0, (unsigned)reg, RM_DISP32);
		int32_t disp = m.disp;
		if (m.target) {
			const uint8_t *end = x64_here(e) + 4 + imm_bytes;
			assert(x64_rel32_reachable(end, m.target) || e->overflow);
			disp = (int32_t)((intptr_t)m.target - (intptr_t)end);
		}
		x64_emit_imm(e, 4, disp);
		return;
	}

	if (m.base < 0) {
		/* Absolute [index*scale + disp32]: SIB with base 101 and mod 00,
		 * because plain rm 101 became RIP-relative in 64-bit mode. */
		x64_emit_modrm(e, 0, (unsigned)reg, RM_SIB);
		x64_emit_sib(e, m.index < 0 ? 1 : m.scale,
			     m.index < 0 ? SIB_NO_INDEX : (unsigned)m.index, SIB_NO_BASE);
		x64_emit_imm(e, 4, m.disp);
		return;
	}

	/* base&7 == 101 (RBP/R13) with mod 00 would mean "no base": give it a
	 * disp8 of 0 instead. */
	unsigned mod;
	if (m.disp == 0 && (m.base & 7) != RM_DISP32)
		mod = 0;
	else if (x64_fits_i8(m.disp))
		mod = 1;
	else
		mod = 2;

	/* base&7 == 100 (RSP/R12) in rm means "SIB follows", so those bases
	 * always take a SIB byte with "no index". */
	if (m.index >= 0 || (m.base & 7) == RM_SIB) {
		x64_emit_modrm(e, mod, (unsigned)reg, RM_SIB);
		x64_emit_sib(e, m.index >= 0 ? m.scale : 1,
			     m.index >= 0 ? (unsigned)m.index : SIB_NO_INDEX, (unsigned)m.base);
	} else {
		x64_emit_modrm(e, mod, (unsigned)reg, (unsigned)m.base);
	}
	if (mod == 1)
		x64_emit_imm(e, 1, m.disp);
	else if (mod == 2)
		x64_emit_imm(e, 4, m.disp);
}

/* ---- whole-instruction helpers ---- */

/* Legacy prefixes in the order the SDM and assemblers use (lock, 66, F2/F3),
 * always before REX, which must immediately precede the opcode. */
static void emit_prefixes(struct x64_emitter *e, unsigned flags)
{
	if (flags & X64_F_LOCK)
		x64_emit_u8(e, 0xF0);
	if (flags & X64_F_66)
		x64_emit_u8(e, 0x66);
	if (flags & X64_F_F2)
		x64_emit_u8(e, 0xF2);
	if (flags & X64_F_F3)
		x64_emit_u8(e, 0xF3);
}

static void emit_opcode(struct x64_emitter *e, uint32_t opcode)
{
	if (opcode > 0xFFFF)
		x64_emit_u8(e, (uint8_t)(opcode >> 16));
	if (opcode > 0xFF)
		x64_emit_u8(e, (uint8_t)(opcode >> 8));
	x64_emit_u8(e, (uint8_t)opcode);
}

/* SPL/BPL/SIL/DIL exist only with a REX prefix (without one, 4..7 are AH..BH). */
static bool needs_byte_rex(unsigned flags, unsigned which, int r)
{
	return (flags & which) && r >= 4 && r <= 7;
}

void x64_op_rr(struct x64_emitter *e, unsigned flags, uint32_t opcode, int reg, int rm)
{
	emit_prefixes(e, flags);
	x64_emit_rex(e, flags & X64_F_W, reg, X64_NOREG, rm,
		     needs_byte_rex(flags, X64_F_BYTE_REG, reg) ||
		     needs_byte_rex(flags, X64_F_BYTE_RM, rm));
	emit_opcode(e, opcode);
	x64_emit_modrm(e, 3, (unsigned)reg, (unsigned)rm);
}

void x64_op_rm(struct x64_emitter *e, unsigned flags, uint32_t opcode, int reg,
	       struct x64_mem m, unsigned imm_bytes)
{
	emit_prefixes(e, flags);
	x64_emit_rex(e, flags & X64_F_W, reg, m.index, m.base,
		     needs_byte_rex(flags, X64_F_BYTE_REG, reg));
	emit_opcode(e, opcode);
	x64_emit_modrm_mem(e, reg, m, imm_bytes);
}

void x64_op_o(struct x64_emitter *e, unsigned flags, uint32_t opcode, int reg)
{
	emit_prefixes(e, flags);
	x64_emit_rex(e, flags & X64_F_W, X64_NOREG, X64_NOREG, reg,
		     needs_byte_rex(flags, X64_F_BYTE_RM, reg));
	emit_opcode(e, opcode + ((unsigned)reg & 7));
}

/* ---- VEX ---- */

/* R, X, B and vvvv are stored inverted in VEX. The 2-byte form (C5) only
 * carries R, so it is usable for map 0F with W=0 and no X/B extension. */
static void emit_vex(struct x64_emitter *e, struct x64_vex v, int reg, int index, int base)
{
	unsigned r = !hi(reg), x = !hi(index), b = !hi(base);
	unsigned tail = (~(unsigned)v.vvvv & 15) << 3 | (v.l ? 4u : 0u) | (v.pp & 3);
	if (v.map == 1 && !v.w && x && b) {
		x64_emit_u8(e, 0xC5);
		x64_emit_u8(e, (uint8_t)(r << 7 | tail));
	} else {
		x64_emit_u8(e, 0xC4);
		x64_emit_u8(e, (uint8_t)(r << 7 | x << 6 | b << 5 | (v.map & 31)));
		x64_emit_u8(e, (uint8_t)((v.w ? 0x80u : 0u) | tail));
	}
}

void x64_op_vex_rr(struct x64_emitter *e, struct x64_vex v, uint8_t opcode, int reg, int rm)
{
	emit_vex(e, v, reg, X64_NOREG, rm);
	x64_emit_u8(e, opcode);
	x64_emit_modrm(e, 3, (unsigned)reg, (unsigned)rm);
}

void x64_op_vex_rm(struct x64_emitter *e, struct x64_vex v, uint8_t opcode, int reg,
		   struct x64_mem m, unsigned imm_bytes)
{
	emit_vex(e, v, reg, m.index, m.base);
	x64_emit_u8(e, opcode);
	x64_emit_modrm_mem(e, reg, m, imm_bytes);
}

/* ---- labels ---- */

void x64_label_init(struct x64_label *l)
{
	l->pos = -1;
	l->chain32 = -1;
	l->chain8 = -1;
}

static int32_t read_i32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return (int32_t)v;
}

static void write_i32(uint8_t *p, int32_t v) { put_le(p, (uint32_t)v, 4); }

void x64_bind(struct x64_emitter *e, struct x64_label *l)
{
	assert(!x64_label_bound(l));
	l->pos = (int64_t)e->len;
	if (e->overflow)
		return; /* the block is discarded; chain fields may be missing */

	/* rel32 chain: each field holds the offset of the previous one, or -1 */
	for (int64_t at = l->chain32; at >= 0;) {
		uint8_t *p = e->buf + at;
		int64_t prev = read_i32(p);
		write_i32(p, (int32_t)(l->pos - (at + 4)));
		at = prev;
	}
	/* rel8 chain: each field holds the distance back to the previous one, 0 ends */
	for (int64_t at = l->chain8; at >= 0;) {
		uint8_t *p = e->buf + at;
		int64_t rel = l->pos - (at + 1);
		uint8_t back = *p;
		assert(x64_fits_i8(rel) && "rel8 jump out of range: use a rel32 form");
		*p = (uint8_t)(int8_t)rel;
		at = back ? at - back : -1;
	}
	l->chain32 = -1;
	l->chain8 = -1;
}

void x64_emit_label_rel32(struct x64_emitter *e, struct x64_label *l)
{
	int64_t at = (int64_t)e->len;
	if (x64_label_bound(l)) {
		x64_emit_imm(e, 4, l->pos - (at + 4));
	} else {
		x64_emit_imm(e, 4, l->chain32);
		if (!e->overflow)
			l->chain32 = at;
	}
}

void x64_emit_label_rel8(struct x64_emitter *e, struct x64_label *l)
{
	int64_t at = (int64_t)e->len;
	if (x64_label_bound(l)) {
		int64_t rel = l->pos - (at + 1);
		assert((x64_fits_i8(rel) || e->overflow) && "rel8 jump out of range: use a rel32 form");
		x64_emit_imm(e, 1, rel);
		return;
	}
	int64_t back = l->chain8 >= 0 ? at - l->chain8 : 0;
	/* Two forward rel8 references more than 127 bytes apart: the first can
	 * never reach a label after the second, so this is the range error. */
	assert((back <= 127 || e->overflow) && "rel8 jump out of range: use a rel32 form");
	x64_emit_imm(e, 1, back);
	if (!e->overflow)
		l->chain8 = at;
}

bool x64_rel32_reachable(const uint8_t *end, const void *target)
{
	int64_t rel = (int64_t)((intptr_t)target - (intptr_t)end);
	return x64_fits_i32(rel);
}

void x64_emit_rel32_to(struct x64_emitter *e, const void *target)
{
	const uint8_t *end = x64_here(e) + 4;
	assert(x64_rel32_reachable(end, target) || e->overflow);
	x64_emit_imm(e, 4, (int64_t)((intptr_t)target - (intptr_t)end));
}

void x64_patch_rel32(uint8_t *at, const uint8_t *target)
{
	assert(x64_rel32_reachable(at + 4, target));
	int32_t rel = (int32_t)((intptr_t)target - (intptr_t)(at + 4));
	if (((uintptr_t)at & 3) == 0)
		__atomic_store_n((int32_t *)(void *)at, rel, __ATOMIC_RELEASE);
	else
		write_i32(at, rel);
}
