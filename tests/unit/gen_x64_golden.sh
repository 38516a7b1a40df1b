#!/bin/sh
# gen_x64_golden.sh - derive and verify the golden bytes in test_x64.c with
# GNU as.
#
# Every encoder check in test_x64.c is one line of the form
#     x64_...(e, ...); GOLDEN(e, "<hex bytes>", "<Intel-syntax assembly>");
# The assembly says what the emitter call must produce; this script
# assembles it (".intel_syntax noprefix", several instructions separated by
# ';', gas pseudo-prefixes {disp8}/{disp32} where two encodings exist; jump
# targets are written relative to '.', the start of the instruction, since
# each case is emitted at offset 0) and compares the bytes:
#
#   tests/unit/gen_x64_golden.sh            check every line, report mismatches
#   tests/unit/gen_x64_golden.sh --fill     rewrite the hex of every line with
#                                           what gas produced
#   tests/unit/gen_x64_golden.sh --asm 'add rax, rbx'   print bytes of one case
#
# Cross-check by disassembling what gas produced:
#   tests/unit/gen_x64_golden.sh --objdump  objdump -M intel of every case
#
# Beyond the hand-picked cases, a sweep of every addressing form (each base,
# index, scale and displacement class, with several reg operands: ~30000
# instructions) through the real emitter, compared byte for byte with gas:
#   tests/unit/gen_x64_golden.sh --sweep    (needs gcc)
#
# Needs GNU as, objcopy and objdump (binutils) for x86-64.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src="$here/test_x64.c"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# assemble "<asm>" -> hex bytes "aa bb cc" on stdout
assemble() {
	printf '.intel_syntax noprefix\n%s\n' "$1" > "$tmp/t.s"
	as --64 -o "$tmp/t.o" "$tmp/t.s"
	objcopy -O binary --only-section=.text "$tmp/t.o" "$tmp/t.bin"
	od -An -tx1 -v "$tmp/t.bin" | tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//'
}

# --sweep: emit mov r64, [mem] for all operand combinations with the emitter
# and assemble the same list with gas; {disp8}/{disp32} pin the displacement
# size the emitter is expected to choose (none for 0 unless RBP/R13 base).
sweep() {
	cat > "$tmp/sweep.c" <<'CEOF'
#include <stdio.h>
#include "vmm/jit/x64_insn.h"
static const char *r64[] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
			     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
int main(void)
{
	static const int disps[] = { 0, 1, -1, 127, -128, 128, -129, 0x12345678 };
	uint8_t code[32];
	printf(".intel_syntax noprefix\n");
	for (int reg = 0; reg < 16; reg += 5)
	for (int base = -1; base < 16; base++)
	for (int index = -1; index < 16; index++)
	for (unsigned sc = 1; sc <= 8; sc *= 2)
	for (unsigned d = 0; d < 8; d++) {
		if (index == 4 || (index < 0 && sc > 1) || (base < 0 && d != 0 && d != 7))
			continue;
		struct x64_emitter e;
		x64_emit_init(&e, code, sizeof(code));
		x64_mov_rm(&e, X64_W64, reg, x64_mem_bisd(base, index, sc, disps[d]));
		char m[64];
		int n = 0;
		if (base >= 0)
			n += sprintf(m + n, "%s", r64[base]);
		if (index >= 0)
			n += sprintf(m + n, "%s%s*%u", n ? "+" : "", r64[index], sc);
		sprintf(m + n, "%s%d", n && disps[d] >= 0 ? "+" : "", disps[d]);
		const char *pin = base < 0 || (disps[d] == 0 && (base & 7) != 5) ? "" :
				  disps[d] >= -128 && disps[d] <= 127 ? "{disp8} " : "{disp32} ";
		printf("%smov %s, [%s] #", pin, r64[reg], m);
		for (size_t i = 0; i < e.len; i++)
			printf(" %02x", code[i]);
		printf("\n");
	}
	return 0;
}
CEOF
	root="$here/../.."
	gcc -std=gnu17 -I"$root" -o "$tmp/sweep" "$tmp/sweep.c" \
		"$root/vmm/jit/x64_emit.c" "$root/vmm/jit/x64_insn.c"
	"$tmp/sweep" > "$tmp/sweep.s"
	as --64 -o "$tmp/t.o" "$tmp/sweep.s"
	objcopy -O binary --only-section=.text "$tmp/t.o" "$tmp/t.bin"
	od -An -tx1 -v "$tmp/t.bin" | tr -s ' \n' '\n\n' | sed '/^$/d' > "$tmp/gas.hex"
	sed -n 's/.*#//p' "$tmp/sweep.s" | tr -s ' ' '\n' | sed '/^$/d' > "$tmp/emit.hex"
	n=$(grep -c '^[{m]' "$tmp/sweep.s")
	if cmp -s "$tmp/gas.hex" "$tmp/emit.hex"; then
		echo "sweep: $n addressing forms match gas"
	else
		echo "sweep: MISMATCH between emitter and gas"; exit 1
	fi
}

mode=check
case "${1:-}" in
--sweep) sweep; exit 0 ;;
--fill) mode=fill ;;
--objdump) mode=objdump ;;
--asm) assemble "$2"; echo; exit 0 ;;
"") ;;
*) echo "usage: $0 [--fill | --objdump | --sweep | --asm 'insn']" >&2; exit 2 ;;
esac

fail=0 n=0
# line number, hex, asm of every GOLDEN(e, "hex", "asm") call
grep -n 'GOLDEN(e, "[0-9a-f ]*", "[^"]*")' "$src" |
	sed 's/^\([0-9]*\):.*GOLDEN(e, "\([0-9a-f ]*\)", "\([^"]*\)").*/\1|\2|\3/' > "$tmp/cases"

while IFS="|" read -r line hex asm; do
	n=$((n + 1))
	got=$(assemble "$asm") || { echo "line $line: gas rejected: $asm"; fail=1; continue; }
	case $mode in
	check)
		if [ "$got" != "$hex" ]; then
			echo "line $line: $asm"
			echo "    test: $hex"
			echo "    gas:  $got"
			fail=1
		fi ;;
	fill)
		if [ "$got" != "$hex" ]; then
			sed -i "${line}s/GOLDEN(e, \"[0-9a-f ]*\"/GOLDEN(e, \"$got\"/" "$src"
		fi ;;
	objdump)
		echo "== line $line: $asm"
		objdump -d -M intel "$tmp/t.o" | sed -n '/^ *[0-9a-f]*:/p' ;;
	esac
done < "$tmp/cases"

echo "$n cases" >&2
exit $fail
