#!/bin/sh
# run-riscv-tests.sh - run the official RISC-V ISA tests (riscv-tests, physical
# memory "p" environment) on rvvm and, when installed, on qemu-system-riscv64
# -M virt, and list every test QEMU passes that rvvm does not.
#
# Needs a local riscv-tests checkout (with its env/ submodule); not part of the
# test suite, downloads nothing.
#
#   tests/conformance/run-riscv-tests.sh RISCV_TESTS_DIR [RVVM] [OUTDIR]
#
#   RVVM     default build/rvvm next to this checkout
#   OUTDIR   default /tmp/rvvm-riscv-tests (ELFs and build logs)
#   env: SUITES (default "rv64ui rv64um rv64ua rv64uc rv64uf rv64ud rv64si rv64mi"),
#        MARCH (default rv64g; rv64uc always gets rv64gc, as upstream builds it),
#        RVVM_OPTS (e.g. "-accel jit"), QEMU (set to "none" to skip), TIMEOUT (10 s).
#
# The tests report through the env's tohost word, which neither machine has;
# a wrapper riscv_test.h (found first on the include path) keeps the env and
# redefines RVTEST_PASS/RVTEST_FAIL to write the syscon finisher at 0x100000:
# 0x5555 on pass, (TESTNUM << 16) | 0x3333 on fail. Pass = exit status 0; an
# unexpected trap ends in the env's tohost loop and so in a timeout (= fail).
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: $0 RISCV_TESTS_DIR [RVVM] [OUTDIR]}
src=$(cd "$src" && pwd)
rvvm=${2:-$here/../../build/rvvm}
out=${3:-/tmp/rvvm-riscv-tests}
suites=${SUITES:-"rv64ui rv64um rv64ua rv64uc rv64uf rv64ud rv64si rv64mi"}
march=${MARCH:-rv64g}
qemu=${QEMU:-qemu-system-riscv64}
t=${TIMEOUT:-10}
cc=${CC:-riscv64-linux-gnu-gcc}
command -v "$qemu" >/dev/null 2>&1 || qemu=none

[ -f "$src/env/p/riscv_test.h" ] || { echo "$src/env/p/riscv_test.h: not found" >&2; exit 2; }
mkdir -p "$out/wrap"
cat > "$out/wrap/riscv_test.h" <<HDR
#include "$src/env/p/riscv_test.h"
#undef RVTEST_PASS
#define RVTEST_PASS \\
        fence; li TESTNUM, 1; li t5, 0x5555; lui t6, 0x100; sw t5, 0(t6); \\
9999:   j 9999b
#undef RVTEST_FAIL
#define RVTEST_FAIL \\
        fence; \\
9998:   beqz TESTNUM, 9998b; sll TESTNUM, TESTNUM, 1; or TESTNUM, TESTNUM, 1; \\
        slli t5, TESTNUM, 16; li t6, 0x3333; or t5, t5, t6; lui t6, 0x100; sw t5, 0(t6); \\
9997:   j 9997b
HDR

res() { case $1 in 0) echo pass;; 124) echo TIMEOUT;; *) echo "fail($1)";; esac; }
bad=0; badlist=
printf '%-32s %-10s %-10s\n' test qemu rvvm
for suite in $suites; do
    for s in "$src"/isa/$suite/*.S; do
        [ -e "$s" ] || continue
        n=$suite-p-$(basename "$s" .S)
        m=${march}_zicsr_zifencei
        [ "$suite" = rv64uc ] && m=rv64gc_zicsr_zifencei
        if ! $cc -march=$m -mabi=lp64 -static -mcmodel=medany -fvisibility=hidden -fno-pic -no-pie \
                -nostdlib -nostartfiles -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
                -I"$out/wrap" -I"$src/env/p" -I"$src/isa/macros/scalar" -T"$src/env/p/link.ld" \
                "$s" -o "$out/$n" >"$out/$n.log" 2>&1; then
            printf '%-32s %-10s %-10s\n' "$n" build build; continue
        fi
        q=skip
        if [ "$qemu" != none ]; then
            timeout "$t" "$qemu" -M virt -bios none -nographic -monitor none -serial none \
                -kernel "$out/$n" >/dev/null 2>&1
            q=$(res $?)
        fi
        # shellcheck disable=SC2086
        timeout "$t" "$rvvm" ${RVVM_OPTS:-} -bios none -kernel "$out/$n" >/dev/null 2>&1
        r=$(res $?)
        printf '%-32s %-10s %-10s\n' "$n" "$q" "$r"
        if [ "$r" != pass ] && [ "$q" = pass ]; then bad=$((bad + 1)); badlist="$badlist $n"; fi
    done
done
echo "QEMU passes, rvvm fails: $bad${badlist:+ ($badlist )}"
[ $bad -eq 0 ]
