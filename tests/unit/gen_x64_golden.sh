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

mode=check
case "${1:-}" in
--fill) mode=fill ;;
--objdump) mode=objdump ;;
--asm) assemble "$2"; echo; exit 0 ;;
"") ;;
*) echo "usage: $0 [--fill | --objdump | --asm 'insn']" >&2; exit 2 ;;
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
