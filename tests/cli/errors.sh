#!/bin/sh
# User errors: each gives exactly one line on stderr naming the problem and the
# documented exit status (docs/usage.md), and never a crash.
#   usage: errors.sh RVVM GUEST_ELF
set -u
rvvm=$1 elf=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0

# expect STATUS PATTERN -- ARGS...
expect() {
    want=$1 pat=$2; shift 3
    n=$((n + 1))
    "$rvvm" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    got=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$got" != "$want" ] || [ "$lines" != 1 ] || ! grep -q -- "$pat" "$tmp/err"; then
        echo "FAIL: rvvm $*: status $got (want $want), $lines stderr lines (want 1):"
        sed 's/^/    /' "$tmp/err"
        fails=$((fails + 1))
    else
        echo "ok: rvvm $* -> $got: $(cat "$tmp/err")"
    fi
}

printf 'not an elf' >"$tmp/small.bin"
head -c 8M /dev/zero >"$tmp/big.bin"
cp /bin/true "$tmp/x86.elf"

expect 66 "cannot open '$tmp/missing.elf'" -- -bios none -kernel "$tmp/missing.elf"
expect 65 "ELF for another machine" -- -bios none -kernel "$tmp/x86.elf"
expect 65 "does not fit in guest RAM" -- -bios none -m 4M -kernel "$tmp/big.bin"
expect 64 "\-m 12X" -- -m 12X -bios none -kernel "$elf"
expect 64 "\-m 0" -- -m 0 -bios none -kernel "$elf"
expect 64 "unknown option '-frobnicate'" -- -frobnicate -kernel "$elf"
expect 64 "no -kernel" -- -bios none
expect 64 "needs a value" -- -bios none -kernel
expect 64 "\-accel warp" -- -accel warp -bios none -kernel "$elf"
expect 64 "\-serial tty" -- -serial tty -bios none -kernel "$elf"
expect 66 "cannot open '$tmp/missing-initrd'" -- -kernel "$tmp/small.bin" -initrd "$tmp/missing-initrd"
expect 66 "cannot read '$tmp': not a regular file" -- -kernel "$tmp/small.bin" -initrd "$tmp"
expect 66 "cannot read '$tmp': not a regular file" -- -bios none -kernel "$tmp"
expect 65 "not a flattened device tree" -- -kernel "$tmp/small.bin" -dtb "$tmp/small.bin"
expect 66 "cannot open '$tmp/nofw.bin'" -- -bios "$tmp/nofw.bin" -kernel "$tmp/small.bin"

# The happy path still works with the same binary.
"$rvvm" -bios none -kernel "$elf" </dev/null >"$tmp/out" 2>&1
st=$?
n=$((n + 1))
if [ $st -ne 0 ]; then echo "FAIL: the passing guest exited $st"; fails=$((fails + 1)); fi

echo "$((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
