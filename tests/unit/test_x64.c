/*
 * test_x64.c - golden-bytes tests for the x86-64 emitter (vmm/jit/x64_*),
 * plus smoke tests that run emitted code.
 *
 * Each GOLDEN(e, hex, asm) line checks the bytes emitted since the previous
 * check against hex, which GNU as produced from asm (see gen_x64_golden.sh,
 * which re-derives and verifies every line). The bytes are hard-coded on
 * purpose: a golden test must not share a bug with the code it tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/jit/x64_dump.h"
#include "vmm/jit/x64_emit.h"
#include "vmm/jit/x64_insn.h"

static uint8_t buf[4096];
static struct x64_emitter em;
static unsigned checks;

static struct x64_emitter *fresh(void)
{
	x64_emit_init(&em, buf, sizeof(buf));
	return &em;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c - 'a' + 10;
}

/* Compares everything emitted since the last check with hex, then rewinds. */
static void golden(struct x64_emitter *e, const char *hex, const char *asm_text, int line)
{
	uint8_t want[256];
	size_t n = 0;
	for (const char *p = hex; *p;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		assert_true(n < sizeof(want));
		want[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
		p += 2;
	}
	checks++;
	if (e->overflow || e->len != n || memcmp(e->buf, want, n) != 0) {
		char got[3 * 256 + 1] = "";
		for (size_t i = 0; i < e->len && i < 256; i++)
			sprintf(got + 3 * i, "%02x ", e->buf[i]);
		fail_msg("line %d: %s\n  want: %s\n  got:  %s%s", line, asm_text, hex, got,
			 e->overflow ? " (overflow)" : "");
	}
	e->len = 0;
}

#define GOLDEN(e, hex, asm_text) golden(e, hex, asm_text, __LINE__)

/* ---- addressing: ModRM/SIB/displacement selection, via mov and lea ---- */

static void test_addressing(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_mov_rm(e, X64_W64, X64_RCX, x64_mem_b(X64_RAX)); GOLDEN(e, "48 8b 08", "mov rcx, [rax]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_b(X64_RSP)); GOLDEN(e, "48 8b 04 24", "mov rax, [rsp]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_b(X64_R12)); GOLDEN(e, "49 8b 04 24", "mov rax, [r12]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_b(X64_RBP)); GOLDEN(e, "48 8b 45 00", "mov rax, [rbp]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_b(X64_R13)); GOLDEN(e, "49 8b 45 00", "mov rax, [r13]");
	x64_mov_rm(e, X64_W64, X64_R9, x64_mem_b(X64_R8)); GOLDEN(e, "4d 8b 08", "mov r9, [r8]");
	x64_mov_rm(e, X64_W64, X64_R15, x64_mem_b(X64_R15)); GOLDEN(e, "4d 8b 3f", "mov r15, [r15]");

	/* disp8/disp32 boundaries */
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bd(X64_RBX, 127)); GOLDEN(e, "48 8b 43 7f", "mov rax, [rbx+127]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bd(X64_RBX, 128)); GOLDEN(e, "48 8b 83 80 00 00 00", "mov rax, [rbx+128]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bd(X64_RBX, -128)); GOLDEN(e, "48 8b 43 80", "mov rax, [rbx-128]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bd(X64_RBX, -129)); GOLDEN(e, "48 8b 83 7f ff ff ff", "mov rax, [rbx-129]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bd(X64_RBX, 0x7fffffff)); GOLDEN(e, "48 8b 83 ff ff ff 7f", "mov rax, [rbx+0x7fffffff]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bd(X64_RBX, INT32_MIN)); GOLDEN(e, "48 8b 83 00 00 00 80", "mov rax, [rbx-0x80000000]");
	x64_mov_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RSP, 8)); GOLDEN(e, "48 8b 54 24 08", "mov rdx, [rsp+8]");
	x64_mov_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_R12, 0x200)); GOLDEN(e, "49 8b 94 24 00 02 00 00", "mov rdx, [r12+0x200]");
	x64_mov_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, -8)); GOLDEN(e, "48 8b 55 f8", "mov rdx, [rbp-8]");
	x64_mov_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_R13, 0x1000)); GOLDEN(e, "49 8b 95 00 10 00 00", "mov rdx, [r13+0x1000]");

	/* index and scale */
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RBX, X64_RCX, 4, 8)); GOLDEN(e, "48 8b 44 8b 08", "mov rax, [rbx+rcx*4+8]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RBX, X64_RCX, 1, 0)); GOLDEN(e, "48 8b 04 0b", "mov rax, [rbx+rcx*1]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RBX, X64_RCX, 2, 0)); GOLDEN(e, "48 8b 04 4b", "mov rax, [rbx+rcx*2]");
	x64_mov_rm(e, X64_W64, X64_R10, x64_mem_bisd(X64_R8, X64_R9, 8, -0x1000)); GOLDEN(e, "4f 8b 94 c8 00 f0 ff ff", "mov r10, [r8+r9*8-0x1000]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RSP, X64_RAX, 2, 0)); GOLDEN(e, "48 8b 04 44", "mov rax, [rsp+rax*2]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RBP, X64_RAX, 1, 0)); GOLDEN(e, "48 8b 44 05 00", "mov rax, [rbp+rax*1]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_R13, X64_RCX, 2, 0)); GOLDEN(e, "49 8b 44 4d 00", "mov rax, [r13+rcx*2]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RAX, X64_R12, 2, 0)); GOLDEN(e, "4a 8b 04 60", "mov rax, [rax+r12*2]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_R12, X64_R13, 8, 127)); GOLDEN(e, "4b 8b 44 ec 7f", "mov rax, [r12+r13*8+127]");

	/* no base: absolute and index-only */
	x64_mov_rm(e, X64_W64, X64_RCX, x64_mem_abs(0x1000)); GOLDEN(e, "48 8b 0c 25 00 10 00 00", "mov rcx, [0x1000]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_NOREG, X64_RCX, 8, 0x100)); GOLDEN(e, "48 8b 04 cd 00 01 00 00", "mov rax, [rcx*8+0x100]");
	x64_mov_rm(e, X64_W64, X64_R8, x64_mem_bisd(X64_NOREG, X64_R11, 4, 0)); GOLDEN(e, "4e 8b 04 9d 00 00 00 00", "mov r8, [r11*4+0]");

	/* RIP-relative: raw displacement, and a target resolved after the immediate */
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_rip(0x10)); GOLDEN(e, "48 8b 05 10 00 00 00", "mov rax, [rip+0x10]");
	x64_mov_rm(e, X64_W32, X64_R9, x64_mem_rip(-8)); GOLDEN(e, "44 8b 0d f8 ff ff ff", "mov r9d, [rip-8]");
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_rip_to(buf + 0x100)); GOLDEN(e, "48 8b 05 f9 00 00 00", "mov rax, [rip+0x100-7]");
	x64_mov_mi(e, X64_W32, x64_mem_rip_to(buf + 0x100), 1); GOLDEN(e, "c7 05 f6 00 00 00 01 00 00 00", "mov dword ptr [rip+0x100-10], 1");
	x64_cmp_mi(e, X64_W64, x64_mem_rip_to(buf), 5); GOLDEN(e, "48 83 3d f8 ff ff ff 05", "cmp qword ptr [rip-8], 5");
	x64_lea(e, X64_W64, X64_RAX, x64_mem_rip(0)); GOLDEN(e, "48 8d 05 00 00 00 00", "lea rax, [rip+0]");

	/* lea */
	x64_lea(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RDI, X64_RSI, 2, 5)); GOLDEN(e, "48 8d 44 77 05", "lea rax, [rdi+rsi*2+5]");
	x64_lea(e, X64_W32, X64_RAX, x64_mem_bisd(X64_RDI, X64_RSI, 1, 0)); GOLDEN(e, "8d 04 37", "lea eax, [rdi+rsi*1]");
	x64_lea(e, X64_W64, X64_R10, x64_mem_bd(X64_R13, 0)); GOLDEN(e, "4d 8d 55 00", "lea r10, [r13+0]");
	x64_lea(e, X64_W64, X64_RSP, x64_mem_bd(X64_RSP, -16)); GOLDEN(e, "48 8d 64 24 f0", "lea rsp, [rsp-16]");
}

/* ---- moves ---- */

static void test_mov(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_mov_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 89 d8", "mov rax, rbx");
	x64_mov_rr(e, X64_W32, X64_R8, X64_RCX); GOLDEN(e, "41 89 c8", "mov r8d, ecx");
	x64_mov_rr(e, X64_W64, X64_R15, X64_R9); GOLDEN(e, "4d 89 cf", "mov r15, r9");
	x64_mov_rr(e, X64_W64, X64_RSP, X64_RBP); GOLDEN(e, "48 89 ec", "mov rsp, rbp");
	x64_mov_rr(e, X64_W16, X64_RAX, X64_R10); GOLDEN(e, "66 44 89 d0", "mov ax, r10w");
	x64_mov_rr(e, X64_W8, X64_RAX, X64_RCX); GOLDEN(e, "88 c8", "mov al, cl");
	x64_mov_rr(e, X64_W8, X64_RSI, X64_RDI); GOLDEN(e, "40 88 fe", "mov sil, dil");
	x64_mov_rr(e, X64_W8, X64_R8, X64_RAX); GOLDEN(e, "41 88 c0", "mov r8b, al");
	x64_mov_rr(e, X64_W8, X64_RSP, X64_RBP); GOLDEN(e, "40 88 ec", "mov spl, bpl");

	/* immediates: shortest form */
	x64_mov_ri(e, X64_W32, X64_RAX, 5); GOLDEN(e, "b8 05 00 00 00", "mov eax, 5");
	x64_mov_ri(e, X64_W64, X64_RAX, 5); GOLDEN(e, "b8 05 00 00 00", "mov eax, 5");
	x64_mov_ri(e, X64_W64, X64_R9, 0xffffffff); GOLDEN(e, "41 b9 ff ff ff ff", "mov r9d, 0xffffffff");
	x64_mov_ri(e, X64_W64, X64_RAX, -1); GOLDEN(e, "48 c7 c0 ff ff ff ff", "mov rax, -1");
	x64_mov_ri(e, X64_W64, X64_R11, INT32_MIN); GOLDEN(e, "49 c7 c3 00 00 00 80", "mov r11, -0x80000000");
	x64_mov_ri(e, X64_W64, X64_R12, 0x123456789); GOLDEN(e, "49 bc 89 67 45 23 01 00 00 00", "movabs r12, 0x123456789");
	x64_mov_ri(e, X64_W64, X64_RAX, INT64_MIN); GOLDEN(e, "48 b8 00 00 00 00 00 00 00 80", "movabs rax, 0x8000000000000000");
	x64_mov_ri(e, X64_W64, X64_RCX, (int64_t)0x80000000); GOLDEN(e, "b9 00 00 00 80", "mov ecx, 0x80000000");
	x64_mov_ri(e, X64_W32, X64_RDX, -1); GOLDEN(e, "ba ff ff ff ff", "mov edx, 0xffffffff");
	x64_mov_ri(e, X64_W32, X64_R15, 0); GOLDEN(e, "41 bf 00 00 00 00", "mov r15d, 0");
	x64_mov_ri(e, X64_W16, X64_RCX, 0x1234); GOLDEN(e, "66 b9 34 12", "mov cx, 0x1234");
	x64_mov_ri(e, X64_W8, X64_RSI, 0x12); GOLDEN(e, "40 b6 12", "mov sil, 0x12");
	x64_mov_ri(e, X64_W8, X64_RBX, 0x12); GOLDEN(e, "b3 12", "mov bl, 0x12");
	x64_mov_ri(e, X64_W8, X64_R14, -1); GOLDEN(e, "41 b6 ff", "mov r14b, 0xff");
	x64_movabs_ri(e, X64_RAX, 5); GOLDEN(e, "48 b8 05 00 00 00 00 00 00 00", "movabs rax, 5");
	x64_movabs_ri(e, X64_R8, 0x1122334455667788); GOLDEN(e, "49 b8 88 77 66 55 44 33 22 11", "movabs r8, 0x1122334455667788");

	/* loads */
	x64_mov_rm(e, X64_W32, X64_RAX, x64_mem_b(X64_RDI)); GOLDEN(e, "8b 07", "mov eax, [rdi]");
	x64_mov_rm(e, X64_W16, X64_RAX, x64_mem_b(X64_RDI)); GOLDEN(e, "66 8b 07", "mov ax, [rdi]");
	x64_mov_rm(e, X64_W8, X64_RAX, x64_mem_b(X64_RDI)); GOLDEN(e, "8a 07", "mov al, [rdi]");
	x64_mov_rm(e, X64_W8, X64_RSI, x64_mem_b(X64_RDI)); GOLDEN(e, "40 8a 37", "mov sil, [rdi]");
	x64_mov_rm(e, X64_W8, X64_R9, x64_mem_b(X64_R10)); GOLDEN(e, "45 8a 0a", "mov r9b, [r10]");

	/* stores */
	x64_mov_mr(e, X64_W64, x64_mem_bd(X64_RDI, 8), X64_RAX); GOLDEN(e, "48 89 47 08", "mov [rdi+8], rax");
	x64_mov_mr(e, X64_W32, x64_mem_b(X64_R12), X64_R13); GOLDEN(e, "45 89 2c 24", "mov [r12], r13d");
	x64_mov_mr(e, X64_W16, x64_mem_bd(X64_RSP, 4), X64_RBX); GOLDEN(e, "66 89 5c 24 04", "mov [rsp+4], bx");
	x64_mov_mr(e, X64_W8, x64_mem_b(X64_RAX), X64_RSI); GOLDEN(e, "40 88 30", "mov [rax], sil");
	x64_mov_mr(e, X64_W8, x64_mem_b(X64_RAX), X64_RDX); GOLDEN(e, "88 10", "mov [rax], dl");
	x64_mov_mr(e, X64_W8, x64_mem_bisd(X64_RBP, X64_R9, 1, 3), X64_R11); GOLDEN(e, "46 88 5c 0d 03", "mov [rbp+r9*1+3], r11b");

	x64_mov_mi(e, X64_W64, x64_mem_b(X64_RDI), -1); GOLDEN(e, "48 c7 07 ff ff ff ff", "mov qword ptr [rdi], -1");
	x64_mov_mi(e, X64_W32, x64_mem_bd(X64_RBP, -4), 0x12345678); GOLDEN(e, "c7 45 fc 78 56 34 12", "mov dword ptr [rbp-4], 0x12345678");
	x64_mov_mi(e, X64_W16, x64_mem_b(X64_RAX), 0x1234); GOLDEN(e, "66 c7 00 34 12", "mov word ptr [rax], 0x1234");
	x64_mov_mi(e, X64_W8, x64_mem_b(X64_R11), 0x7f); GOLDEN(e, "41 c6 03 7f", "mov byte ptr [r11], 0x7f");

	/* zero/sign extension */
	x64_movzx8_rr(e, X64_W32, X64_RAX, X64_RCX); GOLDEN(e, "0f b6 c1", "movzx eax, cl");
	x64_movzx8_rr(e, X64_W32, X64_RAX, X64_RSI); GOLDEN(e, "40 0f b6 c6", "movzx eax, sil");
	x64_movzx8_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 0f b6 c1", "movzx r8d, r9b");
	x64_movzx8_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 0f b6 c3", "movzx rax, bl");
	x64_movzx16_rr(e, X64_W32, X64_RAX, X64_RCX); GOLDEN(e, "0f b7 c1", "movzx eax, cx");
	x64_movzx16_rr(e, X64_W32, X64_R12, X64_RSI); GOLDEN(e, "44 0f b7 e6", "movzx r12d, si");
	x64_movsx8_rr(e, X64_W64, X64_RAX, X64_RSI); GOLDEN(e, "48 0f be c6", "movsx rax, sil");
	x64_movsx8_rr(e, X64_W32, X64_RAX, X64_RDI); GOLDEN(e, "40 0f be c7", "movsx eax, dil");
	x64_movsx16_rr(e, X64_W64, X64_RAX, X64_RCX); GOLDEN(e, "48 0f bf c1", "movsx rax, cx");
	x64_movsx16_rr(e, X64_W32, X64_R10, X64_R11); GOLDEN(e, "45 0f bf d3", "movsx r10d, r11w");
	x64_movsxd_rr(e, X64_RAX, X64_RCX); GOLDEN(e, "48 63 c1", "movsxd rax, ecx");
	x64_movsxd_rr(e, X64_R8, X64_R15); GOLDEN(e, "4d 63 c7", "movsxd r8, r15d");
	x64_movzx8_rm(e, X64_W32, X64_RAX, x64_mem_bd(X64_RDI, 3)); GOLDEN(e, "0f b6 47 03", "movzx eax, byte ptr [rdi+3]");
	x64_movzx16_rm(e, X64_W32, X64_RCX, x64_mem_b(X64_RSI)); GOLDEN(e, "0f b7 0e", "movzx ecx, word ptr [rsi]");
	x64_movsx8_rm(e, X64_W64, X64_RAX, x64_mem_b(X64_R8)); GOLDEN(e, "49 0f be 00", "movsx rax, byte ptr [r8]");
	x64_movsx16_rm(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RAX, X64_RBX, 2, 0)); GOLDEN(e, "48 0f bf 04 58", "movsx rax, word ptr [rax+rbx*2]");
	x64_movsxd_rm(e, X64_RDX, x64_mem_bd(X64_RSP, 8)); GOLDEN(e, "48 63 54 24 08", "movsxd rdx, dword ptr [rsp+8]");
	x64_movsx8_rm(e, X64_W32, X64_R9, x64_mem_b(X64_R13)); GOLDEN(e, "45 0f be 4d 00", "movsx r9d, byte ptr [r13]");

	/* stack, byte swap */
	x64_push_r(e, X64_RBX); GOLDEN(e, "53", "push rbx");
	x64_push_r(e, X64_R12); GOLDEN(e, "41 54", "push r12");
	x64_pop_r(e, X64_RBP); GOLDEN(e, "5d", "pop rbp");
	x64_pop_r(e, X64_R15); GOLDEN(e, "41 5f", "pop r15");
	x64_push_i(e, 5); GOLDEN(e, "6a 05", "push 5");
	x64_push_i(e, 0x1000); GOLDEN(e, "68 00 10 00 00", "push 0x1000");
	x64_push_i(e, -128); GOLDEN(e, "6a 80", "push -128");
	x64_bswap_r(e, X64_W32, X64_RAX); GOLDEN(e, "0f c8", "bswap eax");
	x64_bswap_r(e, X64_W64, X64_RDX); GOLDEN(e, "48 0f ca", "bswap rdx");
	x64_bswap_r(e, X64_W64, X64_R9); GOLDEN(e, "49 0f c9", "bswap r9");
	x64_bswap_r(e, X64_W32, X64_R10); GOLDEN(e, "41 0f ca", "bswap r10d");
}

static void test_atomics(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_xchg_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 93", "xchg rax, rbx");
	x64_xchg_rr(e, X64_W64, X64_RBX, X64_RAX); GOLDEN(e, "48 93", "xchg rbx, rax");
	x64_xchg_rr(e, X64_W64, X64_R8, X64_RAX); GOLDEN(e, "49 90", "xchg r8, rax");
	x64_xchg_rr(e, X64_W32, X64_RAX, X64_RAX); GOLDEN(e, "87 c0", "xchg eax, eax");
	x64_xchg_rr(e, X64_W64, X64_RCX, X64_RDX); GOLDEN(e, "48 87 d1", "xchg rcx, rdx");
	x64_xchg_rr(e, X64_W32, X64_R9, X64_R10); GOLDEN(e, "45 87 d1", "xchg r9d, r10d");
	x64_xchg_rr(e, X64_W8, X64_RCX, X64_RDX); GOLDEN(e, "86 d1", "xchg cl, dl");
	x64_xchg_mr(e, X64_W64, x64_mem_b(X64_RDI), X64_RAX); GOLDEN(e, "48 87 07", "xchg [rdi], rax");
	x64_xchg_mr(e, X64_W32, x64_mem_bd(X64_R12, 8), X64_R8); GOLDEN(e, "45 87 44 24 08", "xchg [r12+8], r8d");
	x64_lock_cmpxchg_mr(e, X64_W64, x64_mem_b(X64_RDI), X64_RCX); GOLDEN(e, "f0 48 0f b1 0f", "lock cmpxchg [rdi], rcx");
	x64_lock_cmpxchg_mr(e, X64_W32, x64_mem_bd(X64_R8, 4), X64_R9); GOLDEN(e, "f0 45 0f b1 48 04", "lock cmpxchg [r8+4], r9d");
	x64_lock_xadd_mr(e, X64_W64, x64_mem_b(X64_RSI), X64_RAX); GOLDEN(e, "f0 48 0f c1 06", "lock xadd [rsi], rax");
	x64_lock_xadd_mr(e, X64_W32, x64_mem_b(X64_R13), X64_R14); GOLDEN(e, "f0 45 0f c1 75 00", "lock xadd [r13], r14d");
	x64_lock(e); x64_or_mr(e, X64_W64, x64_mem_b(X64_RDI), X64_RAX); GOLDEN(e, "f0 48 09 07", "lock or [rdi], rax");
	x64_lock(e); x64_and_mr(e, X64_W32, x64_mem_b(X64_R9), X64_RDX); GOLDEN(e, "f0 41 21 11", "lock and [r9], edx");
}

/* ---- integer ALU ---- */

static void test_alu(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_add_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 01 d8", "add rax, rbx");
	x64_add_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 01 c8", "add r8d, r9d");
	x64_add_rr(e, X64_W8, X64_RSI, X64_RAX); GOLDEN(e, "40 00 c6", "add sil, al");
	x64_add_ri(e, X64_W64, X64_RCX, 5); GOLDEN(e, "48 83 c1 05", "add rcx, 5");
	x64_add_ri(e, X64_W64, X64_RCX, 0x1000); GOLDEN(e, "48 81 c1 00 10 00 00", "add rcx, 0x1000");
	x64_add_ri(e, X64_W64, X64_RAX, 0x1000); GOLDEN(e, "48 05 00 10 00 00", "add rax, 0x1000");
	x64_add_ri(e, X64_W32, X64_R12, -2); GOLDEN(e, "41 83 c4 fe", "add r12d, -2");
	x64_add_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, 16)); GOLDEN(e, "48 03 55 10", "add rdx, [rbp+16]");
	x64_add_mr(e, X64_W32, x64_mem_b(X64_R14), X64_RDI); GOLDEN(e, "41 01 3e", "add [r14], edi");
	x64_add_mi(e, X64_W64, x64_mem_bd(X64_RDI, 8), 1); GOLDEN(e, "48 83 47 08 01", "add qword ptr [rdi+8], 1");
	x64_add_mi(e, X64_W32, x64_mem_b(X64_RSP), 0x12345); GOLDEN(e, "81 04 24 45 23 01 00", "add dword ptr [rsp], 0x12345");
	x64_or_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 09 d8", "or rax, rbx");
	x64_or_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 09 c8", "or r8d, r9d");
	x64_or_rr(e, X64_W8, X64_RSI, X64_RAX); GOLDEN(e, "40 08 c6", "or sil, al");
	x64_or_ri(e, X64_W64, X64_RCX, 5); GOLDEN(e, "48 83 c9 05", "or rcx, 5");
	x64_or_ri(e, X64_W64, X64_RCX, 0x1000); GOLDEN(e, "48 81 c9 00 10 00 00", "or rcx, 0x1000");
	x64_or_ri(e, X64_W64, X64_RAX, 0x1000); GOLDEN(e, "48 0d 00 10 00 00", "or rax, 0x1000");
	x64_or_ri(e, X64_W32, X64_R12, -2); GOLDEN(e, "41 83 cc fe", "or r12d, -2");
	x64_or_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, 16)); GOLDEN(e, "48 0b 55 10", "or rdx, [rbp+16]");
	x64_or_mr(e, X64_W32, x64_mem_b(X64_R14), X64_RDI); GOLDEN(e, "41 09 3e", "or [r14], edi");
	x64_or_mi(e, X64_W64, x64_mem_bd(X64_RDI, 8), 1); GOLDEN(e, "48 83 4f 08 01", "or qword ptr [rdi+8], 1");
	x64_or_mi(e, X64_W32, x64_mem_b(X64_RSP), 0x12345); GOLDEN(e, "81 0c 24 45 23 01 00", "or dword ptr [rsp], 0x12345");
	x64_adc_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 11 d8", "adc rax, rbx");
	x64_adc_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 11 c8", "adc r8d, r9d");
	x64_adc_rr(e, X64_W8, X64_RSI, X64_RAX); GOLDEN(e, "40 10 c6", "adc sil, al");
	x64_adc_ri(e, X64_W64, X64_RCX, 5); GOLDEN(e, "48 83 d1 05", "adc rcx, 5");
	x64_adc_ri(e, X64_W64, X64_RCX, 0x1000); GOLDEN(e, "48 81 d1 00 10 00 00", "adc rcx, 0x1000");
	x64_adc_ri(e, X64_W64, X64_RAX, 0x1000); GOLDEN(e, "48 15 00 10 00 00", "adc rax, 0x1000");
	x64_adc_ri(e, X64_W32, X64_R12, -2); GOLDEN(e, "41 83 d4 fe", "adc r12d, -2");
	x64_adc_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, 16)); GOLDEN(e, "48 13 55 10", "adc rdx, [rbp+16]");
	x64_adc_mr(e, X64_W32, x64_mem_b(X64_R14), X64_RDI); GOLDEN(e, "41 11 3e", "adc [r14], edi");
	x64_adc_mi(e, X64_W64, x64_mem_bd(X64_RDI, 8), 1); GOLDEN(e, "48 83 57 08 01", "adc qword ptr [rdi+8], 1");
	x64_adc_mi(e, X64_W32, x64_mem_b(X64_RSP), 0x12345); GOLDEN(e, "81 14 24 45 23 01 00", "adc dword ptr [rsp], 0x12345");
	x64_sbb_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 19 d8", "sbb rax, rbx");
	x64_sbb_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 19 c8", "sbb r8d, r9d");
	x64_sbb_rr(e, X64_W8, X64_RSI, X64_RAX); GOLDEN(e, "40 18 c6", "sbb sil, al");
	x64_sbb_ri(e, X64_W64, X64_RCX, 5); GOLDEN(e, "48 83 d9 05", "sbb rcx, 5");
	x64_sbb_ri(e, X64_W64, X64_RCX, 0x1000); GOLDEN(e, "48 81 d9 00 10 00 00", "sbb rcx, 0x1000");
	x64_sbb_ri(e, X64_W64, X64_RAX, 0x1000); GOLDEN(e, "48 1d 00 10 00 00", "sbb rax, 0x1000");
	x64_sbb_ri(e, X64_W32, X64_R12, -2); GOLDEN(e, "41 83 dc fe", "sbb r12d, -2");
	x64_sbb_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, 16)); GOLDEN(e, "48 1b 55 10", "sbb rdx, [rbp+16]");
	x64_sbb_mr(e, X64_W32, x64_mem_b(X64_R14), X64_RDI); GOLDEN(e, "41 19 3e", "sbb [r14], edi");
	x64_sbb_mi(e, X64_W64, x64_mem_bd(X64_RDI, 8), 1); GOLDEN(e, "48 83 5f 08 01", "sbb qword ptr [rdi+8], 1");
	x64_sbb_mi(e, X64_W32, x64_mem_b(X64_RSP), 0x12345); GOLDEN(e, "81 1c 24 45 23 01 00", "sbb dword ptr [rsp], 0x12345");
	x64_and_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 21 d8", "and rax, rbx");
	x64_and_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 21 c8", "and r8d, r9d");
	x64_and_rr(e, X64_W8, X64_RSI, X64_RAX); GOLDEN(e, "40 20 c6", "and sil, al");
	x64_and_ri(e, X64_W64, X64_RCX, 5); GOLDEN(e, "48 83 e1 05", "and rcx, 5");
	x64_and_ri(e, X64_W64, X64_RCX, 0x1000); GOLDEN(e, "48 81 e1 00 10 00 00", "and rcx, 0x1000");
	x64_and_ri(e, X64_W64, X64_RAX, 0x1000); GOLDEN(e, "48 25 00 10 00 00", "and rax, 0x1000");
	x64_and_ri(e, X64_W32, X64_R12, -2); GOLDEN(e, "41 83 e4 fe", "and r12d, -2");
	x64_and_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, 16)); GOLDEN(e, "48 23 55 10", "and rdx, [rbp+16]");
	x64_and_mr(e, X64_W32, x64_mem_b(X64_R14), X64_RDI); GOLDEN(e, "41 21 3e", "and [r14], edi");
	x64_and_mi(e, X64_W64, x64_mem_bd(X64_RDI, 8), 1); GOLDEN(e, "48 83 67 08 01", "and qword ptr [rdi+8], 1");
	x64_and_mi(e, X64_W32, x64_mem_b(X64_RSP), 0x12345); GOLDEN(e, "81 24 24 45 23 01 00", "and dword ptr [rsp], 0x12345");
	x64_sub_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 29 d8", "sub rax, rbx");
	x64_sub_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 29 c8", "sub r8d, r9d");
	x64_sub_rr(e, X64_W8, X64_RSI, X64_RAX); GOLDEN(e, "40 28 c6", "sub sil, al");
	x64_sub_ri(e, X64_W64, X64_RCX, 5); GOLDEN(e, "48 83 e9 05", "sub rcx, 5");
	x64_sub_ri(e, X64_W64, X64_RCX, 0x1000); GOLDEN(e, "48 81 e9 00 10 00 00", "sub rcx, 0x1000");
	x64_sub_ri(e, X64_W64, X64_RAX, 0x1000); GOLDEN(e, "48 2d 00 10 00 00", "sub rax, 0x1000");
	x64_sub_ri(e, X64_W32, X64_R12, -2); GOLDEN(e, "41 83 ec fe", "sub r12d, -2");
	x64_sub_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, 16)); GOLDEN(e, "48 2b 55 10", "sub rdx, [rbp+16]");
	x64_sub_mr(e, X64_W32, x64_mem_b(X64_R14), X64_RDI); GOLDEN(e, "41 29 3e", "sub [r14], edi");
	x64_sub_mi(e, X64_W64, x64_mem_bd(X64_RDI, 8), 1); GOLDEN(e, "48 83 6f 08 01", "sub qword ptr [rdi+8], 1");
	x64_sub_mi(e, X64_W32, x64_mem_b(X64_RSP), 0x12345); GOLDEN(e, "81 2c 24 45 23 01 00", "sub dword ptr [rsp], 0x12345");
	x64_xor_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 31 d8", "xor rax, rbx");
	x64_xor_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 31 c8", "xor r8d, r9d");
	x64_xor_rr(e, X64_W8, X64_RSI, X64_RAX); GOLDEN(e, "40 30 c6", "xor sil, al");
	x64_xor_ri(e, X64_W64, X64_RCX, 5); GOLDEN(e, "48 83 f1 05", "xor rcx, 5");
	x64_xor_ri(e, X64_W64, X64_RCX, 0x1000); GOLDEN(e, "48 81 f1 00 10 00 00", "xor rcx, 0x1000");
	x64_xor_ri(e, X64_W64, X64_RAX, 0x1000); GOLDEN(e, "48 35 00 10 00 00", "xor rax, 0x1000");
	x64_xor_ri(e, X64_W32, X64_R12, -2); GOLDEN(e, "41 83 f4 fe", "xor r12d, -2");
	x64_xor_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, 16)); GOLDEN(e, "48 33 55 10", "xor rdx, [rbp+16]");
	x64_xor_mr(e, X64_W32, x64_mem_b(X64_R14), X64_RDI); GOLDEN(e, "41 31 3e", "xor [r14], edi");
	x64_xor_mi(e, X64_W64, x64_mem_bd(X64_RDI, 8), 1); GOLDEN(e, "48 83 77 08 01", "xor qword ptr [rdi+8], 1");
	x64_xor_mi(e, X64_W32, x64_mem_b(X64_RSP), 0x12345); GOLDEN(e, "81 34 24 45 23 01 00", "xor dword ptr [rsp], 0x12345");
	x64_cmp_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 39 d8", "cmp rax, rbx");
	x64_cmp_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 39 c8", "cmp r8d, r9d");
	x64_cmp_rr(e, X64_W8, X64_RSI, X64_RAX); GOLDEN(e, "40 38 c6", "cmp sil, al");
	x64_cmp_ri(e, X64_W64, X64_RCX, 5); GOLDEN(e, "48 83 f9 05", "cmp rcx, 5");
	x64_cmp_ri(e, X64_W64, X64_RCX, 0x1000); GOLDEN(e, "48 81 f9 00 10 00 00", "cmp rcx, 0x1000");
	x64_cmp_ri(e, X64_W64, X64_RAX, 0x1000); GOLDEN(e, "48 3d 00 10 00 00", "cmp rax, 0x1000");
	x64_cmp_ri(e, X64_W32, X64_R12, -2); GOLDEN(e, "41 83 fc fe", "cmp r12d, -2");
	x64_cmp_rm(e, X64_W64, X64_RDX, x64_mem_bd(X64_RBP, 16)); GOLDEN(e, "48 3b 55 10", "cmp rdx, [rbp+16]");
	x64_cmp_mr(e, X64_W32, x64_mem_b(X64_R14), X64_RDI); GOLDEN(e, "41 39 3e", "cmp [r14], edi");
	x64_cmp_mi(e, X64_W64, x64_mem_bd(X64_RDI, 8), 1); GOLDEN(e, "48 83 7f 08 01", "cmp qword ptr [rdi+8], 1");
	x64_cmp_mi(e, X64_W32, x64_mem_b(X64_RSP), 0x12345); GOLDEN(e, "81 3c 24 45 23 01 00", "cmp dword ptr [rsp], 0x12345");
	/* imm8 / imm32 boundary, accumulator forms, W8/W16 */
	x64_add_ri(e, X64_W64, X64_RDX, 127); GOLDEN(e, "48 83 c2 7f", "add rdx, 127");
	x64_add_ri(e, X64_W64, X64_RDX, 128); GOLDEN(e, "48 81 c2 80 00 00 00", "add rdx, 128");
	x64_add_ri(e, X64_W64, X64_RDX, -128); GOLDEN(e, "48 83 c2 80", "add rdx, -128");
	x64_add_ri(e, X64_W64, X64_RDX, -129); GOLDEN(e, "48 81 c2 7f ff ff ff", "add rdx, -129");
	x64_add_ri(e, X64_W64, X64_RAX, 127); GOLDEN(e, "48 83 c0 7f", "add rax, 127");
	x64_sub_ri(e, X64_W32, X64_RAX, 128); GOLDEN(e, "2d 80 00 00 00", "sub eax, 128");
	x64_cmp_ri(e, X64_W64, X64_R15, INT32_MIN); GOLDEN(e, "49 81 ff 00 00 00 80", "cmp r15, -0x80000000");
	x64_add_ri(e, X64_W16, X64_RCX, 0x1234); GOLDEN(e, "66 81 c1 34 12", "add cx, 0x1234");
	x64_add_ri(e, X64_W16, X64_RAX, 0x1234); GOLDEN(e, "66 05 34 12", "add ax, 0x1234");
	x64_add_ri(e, X64_W16, X64_RCX, 5); GOLDEN(e, "66 83 c1 05", "add cx, 5");
	x64_add_ri(e, X64_W8, X64_RAX, 5); GOLDEN(e, "04 05", "add al, 5");
	x64_add_ri(e, X64_W8, X64_RSI, 5); GOLDEN(e, "40 80 c6 05", "add sil, 5");
	x64_cmp_ri(e, X64_W8, X64_R8, -1); GOLDEN(e, "41 80 f8 ff", "cmp r8b, -1");
	x64_and_mi(e, X64_W8, x64_mem_b(X64_RAX), 0x0f); GOLDEN(e, "80 20 0f", "and byte ptr [rax], 0x0f");
	x64_or_mi(e, X64_W16, x64_mem_b(X64_RAX), 0x100); GOLDEN(e, "66 81 08 00 01", "or word ptr [rax], 0x100");
	x64_add_mr(e, X64_W8, x64_mem_b(X64_RAX), X64_RDI); GOLDEN(e, "40 00 38", "add [rax], dil");
	x64_sub_rm(e, X64_W8, X64_RCX, x64_mem_b(X64_RAX)); GOLDEN(e, "2a 08", "sub cl, [rax]");
	x64_and_ri(e, X64_W8, X64_RCX, 0x0f); GOLDEN(e, "80 e1 0f", "and cl, 0x0f");
	x64_xor_ri(e, X64_W8, X64_RDX, 1); GOLDEN(e, "80 f2 01", "xor dl, 1");
	x64_cmp_ri(e, X64_W8, X64_RDI, 1); GOLDEN(e, "40 80 ff 01", "cmp dil, 1");
	x64_cmp_mi(e, X64_W8, x64_mem_b(X64_RDI), 5); GOLDEN(e, "80 3f 05", "cmp byte ptr [rdi], 5");
	x64_sub_mi(e, X64_W16, x64_mem_bd(X64_RSI, 2), 7); GOLDEN(e, "66 83 6e 02 07", "sub word ptr [rsi+2], 7");
	x64_sar_ri(e, X64_W64, X64_RDI, 1); GOLDEN(e, "48 d1 ff", "sar rdi, 1");
	x64_xor_rr(e, X64_W32, X64_RAX, X64_RAX); GOLDEN(e, "31 c0", "xor eax, eax");

	/* test */
	x64_test_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 85 d8", "test rax, rbx");
	x64_test_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 85 c8", "test r8d, r9d");
	x64_test_rr(e, X64_W8, X64_RSI, X64_RDI); GOLDEN(e, "40 84 fe", "test sil, dil");
	x64_test_ri(e, X64_W32, X64_RAX, 0x100); GOLDEN(e, "a9 00 01 00 00", "test eax, 0x100");
	x64_test_ri(e, X64_W64, X64_RCX, 0x100); GOLDEN(e, "48 f7 c1 00 01 00 00", "test rcx, 0x100");
	x64_test_ri(e, X64_W64, X64_R9, 1); GOLDEN(e, "49 f7 c1 01 00 00 00", "test r9, 1");
	x64_test_ri(e, X64_W8, X64_RAX, 1); GOLDEN(e, "a8 01", "test al, 1");
	x64_test_ri(e, X64_W8, X64_RCX, 1); GOLDEN(e, "f6 c1 01", "test cl, 1");
	x64_test_ri(e, X64_W8, X64_RDI, 1); GOLDEN(e, "40 f6 c7 01", "test dil, 1");
	x64_test_mr(e, X64_W64, x64_mem_b(X64_RDI), X64_RAX); GOLDEN(e, "48 85 07", "test [rdi], rax");
	x64_test_mi(e, X64_W32, x64_mem_bd(X64_RDI, 4), 1); GOLDEN(e, "f7 47 04 01 00 00 00", "test dword ptr [rdi+4], 1");
	x64_test_mi(e, X64_W8, x64_mem_b(X64_R8), 0x80); GOLDEN(e, "41 f6 00 80", "test byte ptr [r8], 0x80");
}

/* ---- unary, multiply, divide, shifts, bits ---- */

static void test_muldiv(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_not_r(e, X64_W64, X64_RAX); GOLDEN(e, "48 f7 d0", "not rax");
	x64_not_r(e, X64_W32, X64_R8); GOLDEN(e, "41 f7 d0", "not r8d");
	x64_neg_r(e, X64_W64, X64_R15); GOLDEN(e, "49 f7 df", "neg r15");
	x64_neg_r(e, X64_W32, X64_RCX); GOLDEN(e, "f7 d9", "neg ecx");
	x64_mul_r(e, X64_W64, X64_RBX); GOLDEN(e, "48 f7 e3", "mul rbx");
	x64_mul_r(e, X64_W32, X64_R9); GOLDEN(e, "41 f7 e1", "mul r9d");
	x64_imul1_r(e, X64_W64, X64_RCX); GOLDEN(e, "48 f7 e9", "imul rcx");
	x64_imul1_r(e, X64_W64, X64_R10); GOLDEN(e, "49 f7 ea", "imul r10");
	x64_div_r(e, X64_W64, X64_RCX); GOLDEN(e, "48 f7 f1", "div rcx");
	x64_div_r(e, X64_W32, X64_R11); GOLDEN(e, "41 f7 f3", "div r11d");
	x64_idiv_r(e, X64_W64, X64_R8); GOLDEN(e, "49 f7 f8", "idiv r8");
	x64_idiv_r(e, X64_W32, X64_RSI); GOLDEN(e, "f7 fe", "idiv esi");
	x64_imul_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 0f af c3", "imul rax, rbx");
	x64_imul_rr(e, X64_W32, X64_R8, X64_RCX); GOLDEN(e, "44 0f af c1", "imul r8d, ecx");
	x64_imul_rr(e, X64_W64, X64_RDX, X64_R13); GOLDEN(e, "49 0f af d5", "imul rdx, r13");
	x64_imul_rm(e, X64_W64, X64_RAX, x64_mem_bd(X64_RBP, 8)); GOLDEN(e, "48 0f af 45 08", "imul rax, [rbp+8]");
	x64_imul_rri(e, X64_W64, X64_RAX, X64_RBX, 10); GOLDEN(e, "48 6b c3 0a", "imul rax, rbx, 10");
	x64_imul_rri(e, X64_W64, X64_R9, X64_R10, 1000); GOLDEN(e, "4d 69 ca e8 03 00 00", "imul r9, r10, 1000");
	x64_imul_rri(e, X64_W32, X64_RCX, X64_RCX, -128); GOLDEN(e, "6b c9 80", "imul ecx, ecx, -128");
	x64_cdq(e); GOLDEN(e, "99", "cdq");
	x64_cqo(e); GOLDEN(e, "48 99", "cqo");
	x64_cdqe(e); GOLDEN(e, "48 98", "cdqe");
}

static void test_shift(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_shl_ri(e, X64_W64, X64_RAX, 1); GOLDEN(e, "48 d1 e0", "shl rax, 1");
	x64_shl_ri(e, X64_W64, X64_RDX, 5); GOLDEN(e, "48 c1 e2 05", "shl rdx, 5");
	x64_shl_ri(e, X64_W32, X64_R9, 31); GOLDEN(e, "41 c1 e1 1f", "shl r9d, 31");
	x64_shl_rcl(e, X64_W64, X64_RBX); GOLDEN(e, "48 d3 e3", "shl rbx, cl");
	x64_shl_rcl(e, X64_W32, X64_R12); GOLDEN(e, "41 d3 e4", "shl r12d, cl");
	x64_shr_ri(e, X64_W64, X64_RAX, 1); GOLDEN(e, "48 d1 e8", "shr rax, 1");
	x64_shr_ri(e, X64_W64, X64_RDX, 5); GOLDEN(e, "48 c1 ea 05", "shr rdx, 5");
	x64_shr_ri(e, X64_W32, X64_R9, 31); GOLDEN(e, "41 c1 e9 1f", "shr r9d, 31");
	x64_shr_rcl(e, X64_W64, X64_RBX); GOLDEN(e, "48 d3 eb", "shr rbx, cl");
	x64_shr_rcl(e, X64_W32, X64_R12); GOLDEN(e, "41 d3 ec", "shr r12d, cl");
	x64_sar_ri(e, X64_W64, X64_RAX, 1); GOLDEN(e, "48 d1 f8", "sar rax, 1");
	x64_sar_ri(e, X64_W64, X64_RDX, 5); GOLDEN(e, "48 c1 fa 05", "sar rdx, 5");
	x64_sar_ri(e, X64_W32, X64_R9, 31); GOLDEN(e, "41 c1 f9 1f", "sar r9d, 31");
	x64_sar_rcl(e, X64_W64, X64_RBX); GOLDEN(e, "48 d3 fb", "sar rbx, cl");
	x64_sar_rcl(e, X64_W32, X64_R12); GOLDEN(e, "41 d3 fc", "sar r12d, cl");
	x64_rol_ri(e, X64_W64, X64_RAX, 1); GOLDEN(e, "48 d1 c0", "rol rax, 1");
	x64_rol_ri(e, X64_W64, X64_RDX, 5); GOLDEN(e, "48 c1 c2 05", "rol rdx, 5");
	x64_rol_ri(e, X64_W32, X64_R9, 31); GOLDEN(e, "41 c1 c1 1f", "rol r9d, 31");
	x64_rol_rcl(e, X64_W64, X64_RBX); GOLDEN(e, "48 d3 c3", "rol rbx, cl");
	x64_rol_rcl(e, X64_W32, X64_R12); GOLDEN(e, "41 d3 c4", "rol r12d, cl");
	x64_ror_ri(e, X64_W64, X64_RAX, 1); GOLDEN(e, "48 d1 c8", "ror rax, 1");
	x64_ror_ri(e, X64_W64, X64_RDX, 5); GOLDEN(e, "48 c1 ca 05", "ror rdx, 5");
	x64_ror_ri(e, X64_W32, X64_R9, 31); GOLDEN(e, "41 c1 c9 1f", "ror r9d, 31");
	x64_ror_rcl(e, X64_W64, X64_RBX); GOLDEN(e, "48 d3 cb", "ror rbx, cl");
	x64_ror_rcl(e, X64_W32, X64_R12); GOLDEN(e, "41 d3 cc", "ror r12d, cl");
	x64_shl_ri(e, X64_W64, X64_R15, 63); GOLDEN(e, "49 c1 e7 3f", "shl r15, 63");
	x64_shlx_rrr(e, X64_W64, X64_RAX, X64_RBX, X64_RCX); GOLDEN(e, "c4 e2 f1 f7 c3", "shlx rax, rbx, rcx");
	x64_shlx_rrr(e, X64_W32, X64_R8, X64_R9, X64_R10); GOLDEN(e, "c4 42 29 f7 c1", "shlx r8d, r9d, r10d");
	x64_shrx_rrr(e, X64_W64, X64_RAX, X64_RBX, X64_R12); GOLDEN(e, "c4 e2 9b f7 c3", "shrx rax, rbx, r12");
	x64_shrx_rrr(e, X64_W32, X64_RDX, X64_RSI, X64_RDI); GOLDEN(e, "c4 e2 43 f7 d6", "shrx edx, esi, edi");
	x64_sarx_rrr(e, X64_W64, X64_RAX, X64_R13, X64_RCX); GOLDEN(e, "c4 c2 f2 f7 c5", "sarx rax, r13, rcx");
	x64_sarx_rrr(e, X64_W32, X64_RAX, X64_RBX, X64_RCX); GOLDEN(e, "c4 e2 72 f7 c3", "sarx eax, ebx, ecx");
	x64_rorx_rri(e, X64_W64, X64_RAX, X64_RBX, 3); GOLDEN(e, "c4 e3 fb f0 c3 03", "rorx rax, rbx, 3");
	x64_rorx_rri(e, X64_W32, X64_R8, X64_RAX, 31); GOLDEN(e, "c4 63 7b f0 c0 1f", "rorx r8d, eax, 31");
	x64_andn_rrr(e, X64_W64, X64_RAX, X64_RBX, X64_RCX); GOLDEN(e, "c4 e2 e0 f2 c1", "andn rax, rbx, rcx");
	x64_andn_rrr(e, X64_W64, X64_R8, X64_R9, X64_R10); GOLDEN(e, "c4 42 b0 f2 c2", "andn r8, r9, r10");
	x64_andn_rrr(e, X64_W32, X64_RAX, X64_RBX, X64_RCX); GOLDEN(e, "c4 e2 60 f2 c1", "andn eax, ebx, ecx");
}

static void test_bits(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_bt_ri(e, X64_W64, X64_RAX, 63); GOLDEN(e, "48 0f ba e0 3f", "bt rax, 63");
	x64_bt_ri(e, X64_W32, X64_R9, 3); GOLDEN(e, "41 0f ba e1 03", "bt r9d, 3");
	x64_bt_rr(e, X64_W64, X64_RAX, X64_RCX); GOLDEN(e, "48 0f a3 c8", "bt rax, rcx");
	x64_bt_rr(e, X64_W32, X64_R10, X64_R11); GOLDEN(e, "45 0f a3 da", "bt r10d, r11d");
	x64_popcnt_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "f3 48 0f b8 c3", "popcnt rax, rbx");
	x64_popcnt_rr(e, X64_W32, X64_R8, X64_RCX); GOLDEN(e, "f3 44 0f b8 c1", "popcnt r8d, ecx");
	x64_lzcnt_rr(e, X64_W64, X64_RAX, X64_R9); GOLDEN(e, "f3 49 0f bd c1", "lzcnt rax, r9");
	x64_lzcnt_rr(e, X64_W32, X64_RDX, X64_RSI); GOLDEN(e, "f3 0f bd d6", "lzcnt edx, esi");
	x64_tzcnt_rr(e, X64_W64, X64_R12, X64_RBX); GOLDEN(e, "f3 4c 0f bc e3", "tzcnt r12, rbx");
	x64_tzcnt_rr(e, X64_W32, X64_RAX, X64_RCX); GOLDEN(e, "f3 0f bc c1", "tzcnt eax, ecx");
	x64_bsf_rr(e, X64_W64, X64_RAX, X64_RBX); GOLDEN(e, "48 0f bc c3", "bsf rax, rbx");
	x64_bsr_rr(e, X64_W32, X64_R8, X64_R9); GOLDEN(e, "45 0f bd c1", "bsr r8d, r9d");
}

/* ---- conditions: every condition code for setcc, cmovcc, jcc ---- */

static void test_cc(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	assert_int_equal(x64_cc_not(X64_CC_E), X64_CC_NE);
	assert_int_equal(x64_cc_not(X64_CC_GE), X64_CC_L);
	assert_int_equal(x64_cc_not(X64_CC_A), X64_CC_BE);

	x64_setcc_r(e, X64_CC_O, X64_RAX); GOLDEN(e, "0f 90 c0", "seto al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_O, X64_RAX, X64_R9); GOLDEN(e, "49 0f 40 c1", "cmovo rax, r9");
	x64_jcc_rel8(e, X64_CC_O, 0x10); GOLDEN(e, "70 10", "jo .+2+0x10");
	x64_jcc_rel32(e, X64_CC_O, 0x1000); GOLDEN(e, "0f 80 00 10 00 00", "jo .+6+0x1000");
	x64_setcc_r(e, X64_CC_NO, X64_RAX); GOLDEN(e, "0f 91 c0", "setno al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_NO, X64_RAX, X64_R9); GOLDEN(e, "49 0f 41 c1", "cmovno rax, r9");
	x64_jcc_rel8(e, X64_CC_NO, 0x10); GOLDEN(e, "71 10", "jno .+2+0x10");
	x64_jcc_rel32(e, X64_CC_NO, 0x1000); GOLDEN(e, "0f 81 00 10 00 00", "jno .+6+0x1000");
	x64_setcc_r(e, X64_CC_B, X64_RAX); GOLDEN(e, "0f 92 c0", "setb al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_B, X64_RAX, X64_R9); GOLDEN(e, "49 0f 42 c1", "cmovb rax, r9");
	x64_jcc_rel8(e, X64_CC_B, 0x10); GOLDEN(e, "72 10", "jb .+2+0x10");
	x64_jcc_rel32(e, X64_CC_B, 0x1000); GOLDEN(e, "0f 82 00 10 00 00", "jb .+6+0x1000");
	x64_setcc_r(e, X64_CC_AE, X64_RAX); GOLDEN(e, "0f 93 c0", "setae al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_AE, X64_RAX, X64_R9); GOLDEN(e, "49 0f 43 c1", "cmovae rax, r9");
	x64_jcc_rel8(e, X64_CC_AE, 0x10); GOLDEN(e, "73 10", "jae .+2+0x10");
	x64_jcc_rel32(e, X64_CC_AE, 0x1000); GOLDEN(e, "0f 83 00 10 00 00", "jae .+6+0x1000");
	x64_setcc_r(e, X64_CC_E, X64_RAX); GOLDEN(e, "0f 94 c0", "sete al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_E, X64_RAX, X64_R9); GOLDEN(e, "49 0f 44 c1", "cmove rax, r9");
	x64_jcc_rel8(e, X64_CC_E, 0x10); GOLDEN(e, "74 10", "je .+2+0x10");
	x64_jcc_rel32(e, X64_CC_E, 0x1000); GOLDEN(e, "0f 84 00 10 00 00", "je .+6+0x1000");
	x64_setcc_r(e, X64_CC_NE, X64_RAX); GOLDEN(e, "0f 95 c0", "setne al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_NE, X64_RAX, X64_R9); GOLDEN(e, "49 0f 45 c1", "cmovne rax, r9");
	x64_jcc_rel8(e, X64_CC_NE, 0x10); GOLDEN(e, "75 10", "jne .+2+0x10");
	x64_jcc_rel32(e, X64_CC_NE, 0x1000); GOLDEN(e, "0f 85 00 10 00 00", "jne .+6+0x1000");
	x64_setcc_r(e, X64_CC_BE, X64_RAX); GOLDEN(e, "0f 96 c0", "setbe al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_BE, X64_RAX, X64_R9); GOLDEN(e, "49 0f 46 c1", "cmovbe rax, r9");
	x64_jcc_rel8(e, X64_CC_BE, 0x10); GOLDEN(e, "76 10", "jbe .+2+0x10");
	x64_jcc_rel32(e, X64_CC_BE, 0x1000); GOLDEN(e, "0f 86 00 10 00 00", "jbe .+6+0x1000");
	x64_setcc_r(e, X64_CC_A, X64_RAX); GOLDEN(e, "0f 97 c0", "seta al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_A, X64_RAX, X64_R9); GOLDEN(e, "49 0f 47 c1", "cmova rax, r9");
	x64_jcc_rel8(e, X64_CC_A, 0x10); GOLDEN(e, "77 10", "ja .+2+0x10");
	x64_jcc_rel32(e, X64_CC_A, 0x1000); GOLDEN(e, "0f 87 00 10 00 00", "ja .+6+0x1000");
	x64_setcc_r(e, X64_CC_S, X64_RAX); GOLDEN(e, "0f 98 c0", "sets al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_S, X64_RAX, X64_R9); GOLDEN(e, "49 0f 48 c1", "cmovs rax, r9");
	x64_jcc_rel8(e, X64_CC_S, 0x10); GOLDEN(e, "78 10", "js .+2+0x10");
	x64_jcc_rel32(e, X64_CC_S, 0x1000); GOLDEN(e, "0f 88 00 10 00 00", "js .+6+0x1000");
	x64_setcc_r(e, X64_CC_NS, X64_RAX); GOLDEN(e, "0f 99 c0", "setns al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_NS, X64_RAX, X64_R9); GOLDEN(e, "49 0f 49 c1", "cmovns rax, r9");
	x64_jcc_rel8(e, X64_CC_NS, 0x10); GOLDEN(e, "79 10", "jns .+2+0x10");
	x64_jcc_rel32(e, X64_CC_NS, 0x1000); GOLDEN(e, "0f 89 00 10 00 00", "jns .+6+0x1000");
	x64_setcc_r(e, X64_CC_P, X64_RAX); GOLDEN(e, "0f 9a c0", "setp al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_P, X64_RAX, X64_R9); GOLDEN(e, "49 0f 4a c1", "cmovp rax, r9");
	x64_jcc_rel8(e, X64_CC_P, 0x10); GOLDEN(e, "7a 10", "jp .+2+0x10");
	x64_jcc_rel32(e, X64_CC_P, 0x1000); GOLDEN(e, "0f 8a 00 10 00 00", "jp .+6+0x1000");
	x64_setcc_r(e, X64_CC_NP, X64_RAX); GOLDEN(e, "0f 9b c0", "setnp al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_NP, X64_RAX, X64_R9); GOLDEN(e, "49 0f 4b c1", "cmovnp rax, r9");
	x64_jcc_rel8(e, X64_CC_NP, 0x10); GOLDEN(e, "7b 10", "jnp .+2+0x10");
	x64_jcc_rel32(e, X64_CC_NP, 0x1000); GOLDEN(e, "0f 8b 00 10 00 00", "jnp .+6+0x1000");
	x64_setcc_r(e, X64_CC_L, X64_RAX); GOLDEN(e, "0f 9c c0", "setl al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_L, X64_RAX, X64_R9); GOLDEN(e, "49 0f 4c c1", "cmovl rax, r9");
	x64_jcc_rel8(e, X64_CC_L, 0x10); GOLDEN(e, "7c 10", "jl .+2+0x10");
	x64_jcc_rel32(e, X64_CC_L, 0x1000); GOLDEN(e, "0f 8c 00 10 00 00", "jl .+6+0x1000");
	x64_setcc_r(e, X64_CC_GE, X64_RAX); GOLDEN(e, "0f 9d c0", "setge al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_GE, X64_RAX, X64_R9); GOLDEN(e, "49 0f 4d c1", "cmovge rax, r9");
	x64_jcc_rel8(e, X64_CC_GE, 0x10); GOLDEN(e, "7d 10", "jge .+2+0x10");
	x64_jcc_rel32(e, X64_CC_GE, 0x1000); GOLDEN(e, "0f 8d 00 10 00 00", "jge .+6+0x1000");
	x64_setcc_r(e, X64_CC_LE, X64_RAX); GOLDEN(e, "0f 9e c0", "setle al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_LE, X64_RAX, X64_R9); GOLDEN(e, "49 0f 4e c1", "cmovle rax, r9");
	x64_jcc_rel8(e, X64_CC_LE, 0x10); GOLDEN(e, "7e 10", "jle .+2+0x10");
	x64_jcc_rel32(e, X64_CC_LE, 0x1000); GOLDEN(e, "0f 8e 00 10 00 00", "jle .+6+0x1000");
	x64_setcc_r(e, X64_CC_G, X64_RAX); GOLDEN(e, "0f 9f c0", "setg al");
	x64_cmovcc_rr(e, X64_W64, X64_CC_G, X64_RAX, X64_R9); GOLDEN(e, "49 0f 4f c1", "cmovg rax, r9");
	x64_jcc_rel8(e, X64_CC_G, 0x10); GOLDEN(e, "7f 10", "jg .+2+0x10");
	x64_jcc_rel32(e, X64_CC_G, 0x1000); GOLDEN(e, "0f 8f 00 10 00 00", "jg .+6+0x1000");
	x64_setcc_r(e, X64_CC_NE, X64_RSI); GOLDEN(e, "40 0f 95 c6", "setne sil");
	x64_setcc_r(e, X64_CC_L, X64_RSP); GOLDEN(e, "40 0f 9c c4", "setl spl");
	x64_setcc_r(e, X64_CC_B, X64_RBX); GOLDEN(e, "0f 92 c3", "setb bl");
	x64_setcc_r(e, X64_CC_E, X64_R8); GOLDEN(e, "41 0f 94 c0", "sete r8b");
	x64_setcc_r(e, X64_CC_E, X64_RDI); x64_movzx8_rr(e, X64_W32, X64_RDI, X64_RDI); GOLDEN(e, "40 0f 94 c7 40 0f b6 ff", "sete dil; movzx edi, dil");
	x64_cmovcc_rr(e, X64_W32, X64_CC_L, X64_RCX, X64_RDX); GOLDEN(e, "0f 4c ca", "cmovl ecx, edx");
	x64_cmovcc_rr(e, X64_W64, X64_CC_GE, X64_R12, X64_R13); GOLDEN(e, "4d 0f 4d e5", "cmovge r12, r13");
	x64_cmovcc_rm(e, X64_W64, X64_CC_E, X64_RAX, x64_mem_bd(X64_RDI, 8)); GOLDEN(e, "48 0f 44 47 08", "cmove rax, [rdi+8]");
	x64_cmovcc_rm(e, X64_W32, X64_CC_B, X64_R9, x64_mem_b(X64_R12)); GOLDEN(e, "45 0f 42 0c 24", "cmovb r9d, [r12]");
	x64_jcc_rel8(e, X64_CC_NE, -2); GOLDEN(e, "75 fe", "jne .");
	x64_jcc_rel32(e, X64_CC_E, 0); GOLDEN(e, "0f 84 00 00 00 00", "{disp32} je .+6");
	x64_jcc_rel32(e, X64_CC_E, -6); GOLDEN(e, "0f 84 fa ff ff ff", "{disp32} je .");
}

/* ---- control flow ---- */

static void test_jumps(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_jmp_rel8(e, 0x10); GOLDEN(e, "eb 10", "jmp .+2+0x10");
	x64_jmp_rel8(e, -2); GOLDEN(e, "eb fe", "jmp .");
	x64_jmp_rel8(e, -128); GOLDEN(e, "eb 80", "jmp .+2-128");
	x64_jmp_rel32(e, 0x1000); GOLDEN(e, "e9 00 10 00 00", "jmp .+5+0x1000");
	x64_jmp_rel32(e, 0); GOLDEN(e, "e9 00 00 00 00", "{disp32} jmp .+5");
	x64_jmp_rel32(e, -0x100); GOLDEN(e, "e9 00 ff ff ff", "jmp .+5-0x100");
	x64_call_rel32(e, 0); GOLDEN(e, "e8 00 00 00 00", "call .+5");
	x64_call_rel32(e, -5); GOLDEN(e, "e8 fb ff ff ff", "call .");

	/* to absolute addresses: always rel32, offset of the field returned */
	assert_int_equal(x64_jmp_to(e, buf + 0x80), 1); GOLDEN(e, "e9 7b 00 00 00", "{disp32} jmp .+0x80");
	assert_int_equal(x64_jcc_to(e, X64_CC_NE, buf + 0x80), 2); GOLDEN(e, "0f 85 7a 00 00 00", "{disp32} jne .+0x80");
	assert_int_equal(x64_call_to(e, buf + 0x80), 1); GOLDEN(e, "e8 7b 00 00 00", "call .+0x80");
	x64_call_far(e, buf + 0x40, X64_R11); GOLDEN(e, "e8 3b 00 00 00", "call .+0x40");
	/* an address far from the binary's .bss (user space ends below 2^47) */
	const void *far = (const void *)(uintptr_t)0x7fff00000000;
	assert_false(x64_rel32_reachable(buf + 5, far));
	x64_call_far(e, far, X64_R11); GOLDEN(e, "49 bb 00 00 00 00 ff 7f 00 00 41 ff d3", "movabs r11, 0x7fff00000000; call r11");
	x64_nop(e, 1); x64_jmp_to(e, buf); GOLDEN(e, "90 e9 fa ff ff ff", "nop; {disp32} jmp .-1");

	/* indirect */
	x64_jmp_r(e, X64_RAX); GOLDEN(e, "ff e0", "jmp rax");
	x64_jmp_r(e, X64_R11); GOLDEN(e, "41 ff e3", "jmp r11");
	x64_jmp_m(e, x64_mem_bd(X64_RAX, 8)); GOLDEN(e, "ff 60 08", "jmp qword ptr [rax+8]");
	x64_jmp_m(e, x64_mem_bisd(X64_R12, X64_RCX, 8, 0)); GOLDEN(e, "41 ff 24 cc", "jmp qword ptr [r12+rcx*8]");
	x64_call_r(e, X64_RAX); GOLDEN(e, "ff d0", "call rax");
	x64_call_r(e, X64_R15); GOLDEN(e, "41 ff d7", "call r15");
	x64_call_m(e, x64_mem_b(X64_RBX)); GOLDEN(e, "ff 13", "call qword ptr [rbx]");
	x64_call_m(e, x64_mem_rip(0x20)); GOLDEN(e, "ff 15 20 00 00 00", "call qword ptr [rip+0x20]");
	x64_call_m(e, x64_mem_bd(X64_R13, 0x100)); GOLDEN(e, "41 ff 95 00 01 00 00", "call qword ptr [r13+0x100]");
	x64_ret(e); GOLDEN(e, "c3", "ret");
}

static void fill_nop1(struct x64_emitter *e, int n)
{
	for (int i = 0; i < n; i++)
		x64_nop(e, 1);
}

static void test_labels(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();
	struct x64_label l, m;

	/* forward, several references, rel32 by default */
	x64_label_init(&l);
	x64_jmp_l(e, &l);
	x64_jcc_l(e, X64_CC_NE, &l);
	x64_call_l(e, &l);
	x64_nop(e, 1);
	x64_bind(e, &l);
	x64_ret(e);
	GOLDEN(e, "e9 0c 00 00 00 0f 85 06 00 00 00 e8 01 00 00 00 90 c3", "{disp32} jmp 1f; {disp32} jne 1f; call 1f; nop; 1: ret");

	/* backward in reach: rel8 */
	x64_label_init(&l);
	x64_bind(e, &l);
	x64_nop(e, 1);
	x64_jmp_l(e, &l);
	x64_jcc_l(e, X64_CC_L, &l);
	x64_call_l(e, &l);
	GOLDEN(e, "90 eb fd 7c fb e8 f6 ff ff ff", "1: nop; jmp 1b; jl 1b; call 1b");

	/* backward rel8 boundary: -128 is short, -129 is not */
	x64_label_init(&l);
	x64_bind(e, &l);
	fill_nop1(e, 126);
	x64_jmp_l(e, &l);
	GOLDEN(e, "90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 eb 80", "1: .fill 126, 1, 0x90; jmp 1b");
	x64_label_init(&l);
	x64_bind(e, &l);
	fill_nop1(e, 127);
	x64_jmp_l(e, &l);
	GOLDEN(e, "90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 e9 7c ff ff ff", "1: .fill 127, 1, 0x90; jmp 1b");
	x64_label_init(&l);
	x64_bind(e, &l);
	fill_nop1(e, 126);
	x64_jcc_l(e, X64_CC_E, &l);
	x64_jcc_l(e, X64_CC_E, &l);
	GOLDEN(e, "90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 74 80 0f 84 7a ff ff ff", "1: .fill 126, 1, 0x90; je 1b; je 1b");

	/* forward rel8: a chain of three, and the +127 boundary */
	x64_label_init(&l);
	x64_jmp_l8(e, &l);
	x64_jcc_l8(e, X64_CC_E, &l);
	fill_nop1(e, 3);
	x64_jcc_l8(e, X64_CC_B, &l);
	x64_nop(e, 1);
	x64_bind(e, &l);
	GOLDEN(e, "eb 08 74 06 90 90 90 72 01 90", "jmp 1f; je 1f; nop; nop; nop; jb 1f; nop; 1:");
	x64_label_init(&l);
	x64_jmp_l8(e, &l);
	fill_nop1(e, 127);
	x64_bind(e, &l);
	GOLDEN(e, "eb 7f 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90", "jmp 1f; .fill 127, 1, 0x90; 1:");
	x64_label_init(&l);
	x64_jmp_l8(e, &l);
	fill_nop1(e, 60);
	x64_jcc_l8(e, X64_CC_NE, &l);
	fill_nop1(e, 60);
	x64_bind(e, &l);
	GOLDEN(e, "eb 7a 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 75 3c 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90 90", "jmp 1f; .fill 60, 1, 0x90; jne 1f; .fill 60, 1, 0x90; 1:");

	/* mixed rel8 and rel32 references to one label, two labels interleaved */
	x64_label_init(&l);
	x64_label_init(&m);
	x64_jcc_l8(e, X64_CC_E, &l);
	x64_jcc_l32(e, X64_CC_NE, &m);
	x64_jmp_l32(e, &l);
	x64_jmp_l8(e, &m);
	x64_bind(e, &m);
	x64_nop(e, 1);
	x64_bind(e, &l);
	x64_jmp_l32(e, &m);
	x64_jmp_l8(e, &l);
	GOLDEN(e, "74 0e 0f 85 07 00 00 00 e9 03 00 00 00 eb 00 90 e9 fa ff ff ff eb f9", "je 1f; {disp32} jne 2f; {disp32} jmp 1f; jmp 2f; 2: nop; 1: {disp32} jmp 2b; jmp 1b");
	assert_true(x64_label_bound(&l));
}

/* ---- misc ---- */

static void test_misc(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_mfence(e); GOLDEN(e, "0f ae f0", "mfence");
	x64_lfence(e); GOLDEN(e, "0f ae e8", "lfence");
	x64_sfence(e); GOLDEN(e, "0f ae f8", "sfence");
	x64_pause(e); GOLDEN(e, "f3 90", "pause");
	x64_int3(e); GOLDEN(e, "cc", "int3");
	x64_ud2(e); GOLDEN(e, "0f 0b", "ud2");
	x64_nop(e, 0); GOLDEN(e, "", "");
	x64_nop(e, 1); GOLDEN(e, "90", "nop");
	x64_nop(e, 2); GOLDEN(e, "66 90", "xchg ax, ax");
	x64_nop(e, 3); GOLDEN(e, "0f 1f 00", "nop dword ptr [rax]");
	x64_nop(e, 4); GOLDEN(e, "0f 1f 40 00", "{disp8} nop dword ptr [rax+0]");
	x64_nop(e, 5); GOLDEN(e, "0f 1f 44 00 00", "{disp8} nop dword ptr [rax+rax*1+0]");
	x64_nop(e, 6); GOLDEN(e, "66 0f 1f 44 00 00", "{disp8} nop word ptr [rax+rax*1+0]");
	x64_nop(e, 7); GOLDEN(e, "0f 1f 80 00 00 00 00", "{disp32} nop dword ptr [rax+0]");
	x64_nop(e, 8); GOLDEN(e, "0f 1f 84 00 00 00 00 00", "{disp32} nop dword ptr [rax+rax*1+0]");
	x64_nop(e, 9); GOLDEN(e, "66 0f 1f 84 00 00 00 00 00", "{disp32} nop word ptr [rax+rax*1+0]");
	x64_nop(e, 12); GOLDEN(e, "66 0f 1f 84 00 00 00 00 00 0f 1f 00", "{disp32} nop word ptr [rax+rax*1+0]; nop dword ptr [rax]");

	/* alignment so that a rel32 field can be patched atomically */
	for (unsigned start = 0; start < 4; start++) {
		e->len = start;
		x64_align_rel32(e, 1);
		size_t at = x64_jmp_to(e, buf);
		assert_int_equal(at % 4, 0);
		assert_true(at - start <= 4 + 1);
	}
	e->len = 0;
}

/* ---- SSE / AVX scalar floating point ---- */

static void test_sse(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_movd_xr(e, X64_XMM0, X64_RAX); GOLDEN(e, "66 0f 6e c0", "movd xmm0, eax");
	x64_movd_xr(e, X64_XMM9, X64_R10); GOLDEN(e, "66 45 0f 6e ca", "movd xmm9, r10d");
	x64_movq_xr(e, X64_XMM0, X64_RAX); GOLDEN(e, "66 48 0f 6e c0", "movq xmm0, rax");
	x64_movq_xr(e, X64_XMM15, X64_R8); GOLDEN(e, "66 4d 0f 6e f8", "movq xmm15, r8");
	x64_movd_rx(e, X64_RAX, X64_XMM1); GOLDEN(e, "66 0f 7e c8", "movd eax, xmm1");
	x64_movd_rx(e, X64_R11, X64_XMM12); GOLDEN(e, "66 45 0f 7e e3", "movd r11d, xmm12");
	x64_movq_rx(e, X64_RCX, X64_XMM2); GOLDEN(e, "66 48 0f 7e d1", "movq rcx, xmm2");
	x64_movq_rx(e, X64_R9, X64_XMM8); GOLDEN(e, "66 4d 0f 7e c1", "movq r9, xmm8");
	x64_movaps_xx(e, X64_XMM1, X64_XMM2); GOLDEN(e, "0f 28 ca", "movaps xmm1, xmm2");
	x64_movaps_xx(e, X64_XMM8, X64_XMM15); GOLDEN(e, "45 0f 28 c7", "movaps xmm8, xmm15");
	x64_movss_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f3 0f 10 c1", "movss xmm0, xmm1");
	x64_movsd_xx(e, X64_XMM10, X64_XMM3); GOLDEN(e, "f2 44 0f 10 d3", "movsd xmm10, xmm3");
	x64_movss_xm(e, X64_XMM0, x64_mem_bd(X64_RDI, 4)); GOLDEN(e, "f3 0f 10 47 04", "movss xmm0, dword ptr [rdi+4]");
	x64_movsd_xm(e, X64_XMM9, x64_mem_bisd(X64_RBP, X64_R10, 8, 0x200)); GOLDEN(e, "f2 46 0f 10 8c d5 00 02 00 00", "movsd xmm9, qword ptr [rbp+r10*8+0x200]");
	x64_movss_mx(e, x64_mem_b(X64_RSP), X64_XMM3); GOLDEN(e, "f3 0f 11 1c 24", "movss dword ptr [rsp], xmm3");
	x64_movsd_mx(e, x64_mem_bd(X64_R13, 8), X64_XMM14); GOLDEN(e, "f2 45 0f 11 75 08", "movsd qword ptr [r13+8], xmm14");
	x64_movsd_xm(e, X64_XMM0, x64_mem_rip(0x40)); GOLDEN(e, "f2 0f 10 05 40 00 00 00", "movsd xmm0, qword ptr [rip+0x40]");

	x64_addss_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f3 0f 58 c1", "addss xmm0, xmm1");
	x64_addsd_xx(e, X64_XMM8, X64_XMM1); GOLDEN(e, "f2 44 0f 58 c1", "addsd xmm8, xmm1");
	x64_subss_xx(e, X64_XMM2, X64_XMM11); GOLDEN(e, "f3 41 0f 5c d3", "subss xmm2, xmm11");
	x64_subsd_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f2 0f 5c c1", "subsd xmm0, xmm1");
	x64_mulss_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f3 0f 59 c1", "mulss xmm0, xmm1");
	x64_mulsd_xx(e, X64_XMM12, X64_XMM13); GOLDEN(e, "f2 45 0f 59 e5", "mulsd xmm12, xmm13");
	x64_divss_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f3 0f 5e c1", "divss xmm0, xmm1");
	x64_divsd_xx(e, X64_XMM3, X64_XMM4); GOLDEN(e, "f2 0f 5e dc", "divsd xmm3, xmm4");
	x64_sqrtss_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f3 0f 51 c1", "sqrtss xmm0, xmm1");
	x64_sqrtsd_xx(e, X64_XMM15, X64_XMM15); GOLDEN(e, "f2 45 0f 51 ff", "sqrtsd xmm15, xmm15");
	x64_minss_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f3 0f 5d c1", "minss xmm0, xmm1");
	x64_minsd_xx(e, X64_XMM0, X64_XMM9); GOLDEN(e, "f2 41 0f 5d c1", "minsd xmm0, xmm9");
	x64_maxss_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f3 0f 5f c1", "maxss xmm0, xmm1");
	x64_maxsd_xx(e, X64_XMM7, X64_XMM6); GOLDEN(e, "f2 0f 5f fe", "maxsd xmm7, xmm6");
	x64_addss_xm(e, X64_XMM0, x64_mem_b(X64_RAX)); GOLDEN(e, "f3 0f 58 00", "addss xmm0, dword ptr [rax]");
	x64_addsd_xm(e, X64_XMM1, x64_mem_bd(X64_RBX, 8)); GOLDEN(e, "f2 0f 58 4b 08", "addsd xmm1, qword ptr [rbx+8]");
	x64_subss_xm(e, X64_XMM2, x64_mem_b(X64_R8)); GOLDEN(e, "f3 41 0f 5c 10", "subss xmm2, dword ptr [r8]");
	x64_subsd_xm(e, X64_XMM10, x64_mem_b(X64_RCX)); GOLDEN(e, "f2 44 0f 5c 11", "subsd xmm10, qword ptr [rcx]");
	x64_mulss_xm(e, X64_XMM0, x64_mem_b(X64_RSP)); GOLDEN(e, "f3 0f 59 04 24", "mulss xmm0, dword ptr [rsp]");
	x64_mulsd_xm(e, X64_XMM0, x64_mem_b(X64_RBP)); GOLDEN(e, "f2 0f 59 45 00", "mulsd xmm0, qword ptr [rbp]");
	x64_divss_xm(e, X64_XMM0, x64_mem_bd(X64_RDI, 0x100)); GOLDEN(e, "f3 0f 5e 87 00 01 00 00", "divss xmm0, dword ptr [rdi+0x100]");
	x64_divsd_xm(e, X64_XMM11, x64_mem_b(X64_R12)); GOLDEN(e, "f2 45 0f 5e 1c 24", "divsd xmm11, qword ptr [r12]");

	x64_ucomiss_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "0f 2e c1", "ucomiss xmm0, xmm1");
	x64_ucomisd_xx(e, X64_XMM8, X64_XMM1); GOLDEN(e, "66 44 0f 2e c1", "ucomisd xmm8, xmm1");
	x64_comiss_xx(e, X64_XMM0, X64_XMM9); GOLDEN(e, "41 0f 2f c1", "comiss xmm0, xmm9");
	x64_comisd_xx(e, X64_XMM2, X64_XMM3); GOLDEN(e, "66 0f 2f d3", "comisd xmm2, xmm3");
	x64_ucomiss_xm(e, X64_XMM0, x64_mem_b(X64_RDI)); GOLDEN(e, "0f 2e 07", "ucomiss xmm0, dword ptr [rdi]");
	x64_ucomisd_xm(e, X64_XMM1, x64_mem_bd(X64_RDI, 8)); GOLDEN(e, "66 0f 2e 4f 08", "ucomisd xmm1, qword ptr [rdi+8]");

	x64_cvtsi2ss_xr(e, X64_W32, X64_XMM0, X64_RAX); GOLDEN(e, "f3 0f 2a c0", "cvtsi2ss xmm0, eax");
	x64_cvtsi2ss_xr(e, X64_W64, X64_XMM1, X64_R9); GOLDEN(e, "f3 49 0f 2a c9", "cvtsi2ss xmm1, r9");
	x64_cvtsi2sd_xr(e, X64_W32, X64_XMM0, X64_RAX); GOLDEN(e, "f2 0f 2a c0", "cvtsi2sd xmm0, eax");
	x64_cvtsi2sd_xr(e, X64_W64, X64_XMM10, X64_RCX); GOLDEN(e, "f2 4c 0f 2a d1", "cvtsi2sd xmm10, rcx");
	x64_cvttss2si_rx(e, X64_W32, X64_RAX, X64_XMM0); GOLDEN(e, "f3 0f 2c c0", "cvttss2si eax, xmm0");
	x64_cvttss2si_rx(e, X64_W64, X64_R8, X64_XMM1); GOLDEN(e, "f3 4c 0f 2c c1", "cvttss2si r8, xmm1");
	x64_cvttsd2si_rx(e, X64_W32, X64_RAX, X64_XMM9); GOLDEN(e, "f2 41 0f 2c c1", "cvttsd2si eax, xmm9");
	x64_cvttsd2si_rx(e, X64_W64, X64_RAX, X64_XMM0); GOLDEN(e, "f2 48 0f 2c c0", "cvttsd2si rax, xmm0");
	x64_cvtss2si_rx(e, X64_W32, X64_RDX, X64_XMM2); GOLDEN(e, "f3 0f 2d d2", "cvtss2si edx, xmm2");
	x64_cvtss2si_rx(e, X64_W64, X64_RDX, X64_XMM2); GOLDEN(e, "f3 48 0f 2d d2", "cvtss2si rdx, xmm2");
	x64_cvtsd2si_rx(e, X64_W32, X64_R15, X64_XMM15); GOLDEN(e, "f2 45 0f 2d ff", "cvtsd2si r15d, xmm15");
	x64_cvtsd2si_rx(e, X64_W64, X64_RAX, X64_XMM0); GOLDEN(e, "f2 48 0f 2d c0", "cvtsd2si rax, xmm0");
	x64_cvtss2sd_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "f3 0f 5a c1", "cvtss2sd xmm0, xmm1");
	x64_cvtsd2ss_xx(e, X64_XMM8, X64_XMM9); GOLDEN(e, "f2 45 0f 5a c1", "cvtsd2ss xmm8, xmm9");

	x64_andps_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "0f 54 c1", "andps xmm0, xmm1");
	x64_andpd_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "66 0f 54 c1", "andpd xmm0, xmm1");
	x64_andnps_xx(e, X64_XMM0, X64_XMM9); GOLDEN(e, "41 0f 55 c1", "andnps xmm0, xmm9");
	x64_andnpd_xx(e, X64_XMM8, X64_XMM1); GOLDEN(e, "66 44 0f 55 c1", "andnpd xmm8, xmm1");
	x64_orps_xx(e, X64_XMM0, X64_XMM1); GOLDEN(e, "0f 56 c1", "orps xmm0, xmm1");
	x64_orpd_xx(e, X64_XMM2, X64_XMM3); GOLDEN(e, "66 0f 56 d3", "orpd xmm2, xmm3");
	x64_xorps_xx(e, X64_XMM0, X64_XMM0); GOLDEN(e, "0f 57 c0", "xorps xmm0, xmm0");
	x64_xorpd_xx(e, X64_XMM10, X64_XMM11); GOLDEN(e, "66 45 0f 57 d3", "xorpd xmm10, xmm11");
	x64_andps_xm(e, X64_XMM0, x64_mem_rip(0x30)); GOLDEN(e, "0f 54 05 30 00 00 00", "andps xmm0, xmmword ptr [rip+0x30]");
	x64_andpd_xm(e, X64_XMM1, x64_mem_b(X64_RAX)); GOLDEN(e, "66 0f 54 08", "andpd xmm1, xmmword ptr [rax]");
	x64_xorps_xm(e, X64_XMM2, x64_mem_bd(X64_RBX, 16)); GOLDEN(e, "0f 57 53 10", "xorps xmm2, xmmword ptr [rbx+16]");
	x64_xorpd_xm(e, X64_XMM9, x64_mem_b(X64_R9)); GOLDEN(e, "66 45 0f 57 09", "xorpd xmm9, xmmword ptr [r9]");

	x64_ldmxcsr_m(e, x64_mem_bd(X64_RSP, -4)); GOLDEN(e, "0f ae 54 24 fc", "ldmxcsr dword ptr [rsp-4]");
	x64_stmxcsr_m(e, x64_mem_bd(X64_R14, 0x80)); GOLDEN(e, "41 0f ae 9e 80 00 00 00", "stmxcsr dword ptr [r14+0x80]");
	x64_roundss_xxi(e, X64_XMM0, X64_XMM1, 3); GOLDEN(e, "66 0f 3a 0a c1 03", "roundss xmm0, xmm1, 3");
	x64_roundsd_xxi(e, X64_XMM9, X64_XMM2, 0x9); GOLDEN(e, "66 44 0f 3a 0b ca 09", "roundsd xmm9, xmm2, 9");

	x64_vfmadd231ss_xxx(e, X64_XMM0, X64_XMM1, X64_XMM2); GOLDEN(e, "c4 e2 71 b9 c2", "vfmadd231ss xmm0, xmm1, xmm2");
	x64_vfmadd231sd_xxx(e, X64_XMM0, X64_XMM1, X64_XMM2); GOLDEN(e, "c4 e2 f1 b9 c2", "vfmadd231sd xmm0, xmm1, xmm2");
	x64_vfmadd231sd_xxx(e, X64_XMM8, X64_XMM9, X64_XMM10); GOLDEN(e, "c4 42 b1 b9 c2", "vfmadd231sd xmm8, xmm9, xmm10");
	x64_vfmsub231ss_xxx(e, X64_XMM3, X64_XMM12, X64_XMM5); GOLDEN(e, "c4 e2 19 bb dd", "vfmsub231ss xmm3, xmm12, xmm5");
	x64_vfmsub231sd_xxx(e, X64_XMM0, X64_XMM1, X64_XMM2); GOLDEN(e, "c4 e2 f1 bb c2", "vfmsub231sd xmm0, xmm1, xmm2");
	x64_vfnmadd231ss_xxx(e, X64_XMM0, X64_XMM1, X64_XMM2); GOLDEN(e, "c4 e2 71 bd c2", "vfnmadd231ss xmm0, xmm1, xmm2");
	x64_vfnmadd231sd_xxx(e, X64_XMM15, X64_XMM0, X64_XMM1); GOLDEN(e, "c4 62 f9 bd f9", "vfnmadd231sd xmm15, xmm0, xmm1");
	x64_vfnmsub231ss_xxx(e, X64_XMM0, X64_XMM1, X64_XMM2); GOLDEN(e, "c4 e2 71 bf c2", "vfnmsub231ss xmm0, xmm1, xmm2");
	x64_vfnmsub231sd_xxx(e, X64_XMM0, X64_XMM1, X64_XMM14); GOLDEN(e, "c4 c2 f1 bf c6", "vfnmsub231sd xmm0, xmm1, xmm14");
}

/* ---- layer 1 directly: immediates, REX, VEX 2-byte form ---- */

static void test_layer1(void **state)
{
	(void)state;
	struct x64_emitter *e = fresh();

	x64_emit_u8(e, 0x90); GOLDEN(e, "90", "nop");
	x64_emit_u16(e, 0x1234); GOLDEN(e, "34 12", ".word 0x1234");
	x64_emit_u32(e, 0x12345678); GOLDEN(e, "78 56 34 12", ".long 0x12345678");
	x64_emit_u64(e, 0x1122334455667788); GOLDEN(e, "88 77 66 55 44 33 22 11", ".quad 0x1122334455667788");
	x64_emit_imm(e, 1, -1); GOLDEN(e, "ff", ".byte 0xff");
	x64_emit_imm(e, 4, -2); GOLDEN(e, "fe ff ff ff", ".long 0xfffffffe");
	x64_emit_rex(e, false, 0, X64_NOREG, 0, false); GOLDEN(e, "", "");
	x64_emit_rex(e, false, 0, X64_NOREG, 0, true); GOLDEN(e, "40", "rex");
	x64_emit_rex(e, true, X64_R8, X64_R9, X64_R10, false); GOLDEN(e, "4f", "rex.WRXB");
	x64_emit_modrm(e, 3, 2, 1); GOLDEN(e, "d1", ".byte 0xd1");
	x64_emit_sib(e, 8, 1, 5); GOLDEN(e, "cd", ".byte 0xcd");
	/* VEX: 2-byte form possible for map 0F, W0; XMM: vaddsd xmm1, xmm2, xmm3 */
	struct x64_vex v = { .map = 1, .pp = 3, .vvvv = X64_XMM2 };
	x64_op_vex_rr(e, v, 0x58, X64_XMM1, X64_XMM3); GOLDEN(e, "c5 eb 58 cb", "vaddsd xmm1, xmm2, xmm3");
	x64_op_vex_rr(e, v, 0x58, X64_XMM1, X64_XMM11); GOLDEN(e, "c4 c1 6b 58 cb", "vaddsd xmm1, xmm2, xmm11");
	x64_op_vex_rm(e, v, 0x58, X64_XMM9, x64_mem_bd(X64_RAX, 8), 0); GOLDEN(e, "c5 6b 58 48 08", "vaddsd xmm9, xmm2, qword ptr [rax+8]");
	x64_op_rr(e, X64_F_66 | X64_F_F3, 0x0FB8, X64_RAX, X64_RBX); GOLDEN(e, "66 f3 0f b8 c3", "popcnt ax, bx");
}

/* ---- overflow: a full buffer sets the flag and never writes past cap ---- */

static void test_overflow(void **state)
{
	(void)state;
	uint8_t small[16];
	struct x64_emitter e;
	struct x64_label l;

	memset(small, 0xAA, sizeof(small));
	x64_emit_init(&e, small, 12);
	x64_label_init(&l);
	x64_jmp_l(&e, &l);                        /* 5 bytes */
	x64_movabs_ri(&e, X64_RAX, 0x1122334455667788); /* 10: does not fit */
	assert_true(e.overflow);
	assert_true(e.len <= 12);
	x64_ret(&e);                              /* would fit, but dropped */
	x64_jcc_l8(&e, X64_CC_E, &l);
	x64_bind(&e, &l);                         /* no patching after overflow */
	assert_true(e.len <= 12);
	assert_int_equal(x64_space(&e), 0);
	assert_int_equal(small[12], 0xAA);
	assert_int_equal(small[15], 0xAA);

	/* exactly full is not an overflow */
	x64_emit_init(&e, small, 10);
	x64_movabs_ri(&e, X64_RAX, 1);
	assert_false(e.overflow);
	assert_int_equal(e.len, 10);
	assert_int_equal(x64_space(&e), 0);
}

/* ---- dump: raw bytes and an index line with a working objdump command ---- */

static void test_dump(void **state)
{
	(void)state;
	char prefix[] = "/tmp/rvvm-test-x64-XXXXXX";
	int fd = mkstemp(prefix);
	assert_true(fd >= 0);
	close(fd);
	unlink(prefix);

	struct x64_dump d;
	assert_true(x64_dump_open(&d, prefix));
	static const uint8_t a[] = { 0x48, 0x01, 0xd8, 0xc3 };
	static const uint8_t b[] = { 0x90, 0xc3 };
	x64_dump_block(&d, 0x80000000, a, sizeof(a));
	x64_dump_block(&d, 0x80000010, b, sizeof(b));
	x64_dump_close(&d);

	char path[sizeof(prefix) + 8];
	snprintf(path, sizeof(path), "%s.bin", prefix);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t got[16];
	assert_int_equal(fread(got, 1, sizeof(got), f), 6);
	fclose(f);
	unlink(path);
	assert_memory_equal(got, a, 4);
	assert_memory_equal(got + 4, b, 2);

	snprintf(path, sizeof(path), "%s.idx", prefix);
	f = fopen(path, "r");
	assert_non_null(f);
	char line[512];
	int blocks = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		blocks++;
		assert_non_null(strstr(line, "objdump -D -b binary -m i386:x86-64"));
		assert_non_null(strstr(line, blocks == 1 ? "0x0000000080000000 " : "0x0000000080000010 "));
		assert_non_null(strstr(line, blocks == 1 ? " 0x0 4 " : " 0x4 2 "));
	}
	fclose(f);
	unlink(path);
	assert_int_equal(blocks, 2);
}

/* ---- smoke tests: run emitted code ---- */

struct exec_buf {
	uint8_t *mem;
	size_t size;
};

static int setup_exec(void **state)
{
	static struct exec_buf x;
	x.size = 65536;
	x.mem = mmap(NULL, x.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x.mem == MAP_FAILED)
		return -1;
	*state = &x;
	return 0;
}

static int teardown_exec(void **state)
{
	struct exec_buf *x = *state;
	munmap(x->mem, x->size);
	return 0;
}

/* W^X: write with RW, then flip to RX before running. */
static void make_exec(struct exec_buf *x, bool exec)
{
	int prot = exec ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE;
	assert_int_equal(mprotect(x->mem, x->size, prot), 0);
}

static int64_t triple_plus_one(int64_t v) { return 3 * v + 1; }

static void test_exec(void **state)
{
	struct exec_buf *x = *state;
	struct x64_emitter em2, *e = &em2;
	x64_emit_init(e, x->mem, x->size);

	/* f0(a, b) = a + b*2 + 5 */
	uint8_t *f0 = x64_here(e);
	x64_lea(e, X64_W64, X64_RAX, x64_mem_bisd(X64_RDI, X64_RSI, 2, 5));
	x64_ret(e);

	/* f1(n) = n + (n-1) + ... + 1: forward and backward labels */
	uint8_t *f1 = x64_here(e);
	struct x64_label loop, done;
	x64_label_init(&loop);
	x64_label_init(&done);
	x64_xor_rr(e, X64_W32, X64_RAX, X64_RAX);
	x64_test_rr(e, X64_W64, X64_RDI, X64_RDI);
	x64_jcc_l(e, X64_CC_E, &done);
	x64_bind(e, &loop);
	x64_add_rr(e, X64_W64, X64_RAX, X64_RDI);
	x64_sub_ri(e, X64_W64, X64_RDI, 1);
	x64_jcc_l(e, X64_CC_NE, &loop);
	x64_bind(e, &done);
	x64_ret(e);

	/* f2(v, fn) = fn(v) + 1: call through a register, stack kept aligned,
	 * callee-saved rbx preserved */
	uint8_t *f2 = x64_here(e);
	x64_push_r(e, X64_RBX);
	x64_mov_ri(e, X64_W64, X64_RBX, 1);
	x64_call_r(e, X64_RSI);
	x64_add_rr(e, X64_W64, X64_RAX, X64_RBX);
	x64_pop_r(e, X64_RBX);
	x64_ret(e);

	/* f3(v) = triple_plus_one(v) via call_far (rel32 or movabs + call) */
	uint8_t *f3 = x64_here(e);
	x64_sub_ri(e, X64_W64, X64_RSP, 8);
	x64_call_far(e, (const void *)triple_plus_one, X64_RAX);
	x64_add_ri(e, X64_W64, X64_RSP, 8);
	x64_ret(e);

	/* f4(a, b) = (a < b signed) ? a / b : a % b, via setcc/cmov/idiv */
	uint8_t *f4 = x64_here(e);
	x64_mov_rr(e, X64_W64, X64_RCX, X64_RSI);
	x64_mov_rr(e, X64_W64, X64_RAX, X64_RDI);
	x64_cqo(e);
	x64_idiv_r(e, X64_W64, X64_RCX);
	x64_cmp_rr(e, X64_W64, X64_RDI, X64_RSI);
	x64_cmovcc_rr(e, X64_W64, X64_CC_GE, X64_RAX, X64_RDX);
	x64_ret(e);

	/* f5(a, b) = a * b + a in doubles (SSE2) */
	uint8_t *f5 = x64_here(e);
	x64_movaps_xx(e, X64_XMM2, X64_XMM0);
	x64_mulsd_xx(e, X64_XMM0, X64_XMM1);
	x64_addsd_xx(e, X64_XMM0, X64_XMM2);
	x64_ret(e);

	/* f6(x) = jump through a patchable rel32 to one of two tails */
	uint8_t *tail_a = x64_here(e);
	x64_mov_ri(e, X64_W32, X64_RAX, 111);
	x64_ret(e);
	uint8_t *tail_b = x64_here(e);
	x64_mov_ri(e, X64_W32, X64_RAX, 222);
	x64_ret(e);
	uint8_t *f6 = x64_here(e);
	x64_align_rel32(e, 1);
	size_t site = x64_jmp_to(e, tail_a);

	/* f7(p) = *(uint64_t *)p with a RIP-relative constant added: data
	 * emitted before the code, referenced backward */
	uint8_t *konst = x64_here(e);
	x64_emit_u64(e, 1000);
	uint8_t *f7 = x64_here(e);
	x64_mov_rm(e, X64_W64, X64_RAX, x64_mem_b(X64_RDI));
	x64_add_rm(e, X64_W64, X64_RAX, x64_mem_rip_to(konst));
	x64_ret(e);

	assert_false(e->overflow);
	make_exec(x, true);

	int64_t (*fn0)(int64_t, int64_t) = (int64_t (*)(int64_t, int64_t))(void *)f0;
	int64_t (*fn1)(int64_t) = (int64_t (*)(int64_t))(void *)f1;
	int64_t (*fn2)(int64_t, int64_t (*)(int64_t)) =
		(int64_t (*)(int64_t, int64_t (*)(int64_t)))(void *)f2;
	int64_t (*fn3)(int64_t) = (int64_t (*)(int64_t))(void *)f3;
	int64_t (*fn4)(int64_t, int64_t) = (int64_t (*)(int64_t, int64_t))(void *)f4;
	double (*fn5)(double, double) = (double (*)(double, double))(void *)f5;
	int64_t (*fn6)(void) = (int64_t (*)(void))(void *)f6;
	int64_t (*fn7)(const uint64_t *) = (int64_t (*)(const uint64_t *))(void *)f7;

	assert_int_equal(fn0(10, 3), 21);
	assert_int_equal(fn0(-10, -3), -11);
	assert_int_equal(fn1(0), 0);
	assert_int_equal(fn1(1), 1);
	assert_int_equal(fn1(100), 5050);
	assert_int_equal(fn2(5, triple_plus_one), 17);
	assert_int_equal(fn3(-4), -11);
	assert_int_equal(fn4(-7, 2), -3);
	assert_int_equal(fn4(7, 2), 1);
	assert_true(fn5(3.0, 4.0) == 15.0);
	assert_int_equal(fn6(), 111);
	uint64_t v = 234;
	assert_int_equal(fn7(&v), 1234);

	make_exec(x, false);
	x64_patch_rel32(x->mem + site, tail_b);
	make_exec(x, true);
	assert_int_equal(fn6(), 222);
	make_exec(x, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addressing),
		cmocka_unit_test(test_mov),
		cmocka_unit_test(test_atomics),
		cmocka_unit_test(test_alu),
		cmocka_unit_test(test_muldiv),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_bits),
		cmocka_unit_test(test_cc),
		cmocka_unit_test(test_jumps),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_sse),
		cmocka_unit_test(test_layer1),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_dump),
		cmocka_unit_test_setup_teardown(test_exec, setup_exec, teardown_exec),
	};
	int failed = cmocka_run_group_tests_name("x64", tests, NULL, NULL);
	fprintf(stderr, "x64: %u golden encodings checked\n", checks);
	return failed;
}
