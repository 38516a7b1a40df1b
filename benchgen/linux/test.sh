#!/bin/sh
# meson test benchgen-linux-<engine> (suite benchgen): the benchmark initramfs's
# programs give the right answer on rvvm. Builds the workloads first
# (benchgen/linux/build.sh: about 90 s from nothing on two cores, a no-op when
# up to date), runs /bench/all.sh (zstd, xz, lua, the syscall loops) at tiny
# sizes in one boot on rvvm, and compares every check with the native x86-64
# build's. Never times anything: speed is benchgen.py linux's job.
#   usage: test.sh RVVM BENCH_OUT IMAGES_DIR ENGINE
# Exit 77 (skipped) only when the host cannot build the workloads (no cross
# compiler, or not x86-64: no native reference); a build failure is a failure.
set -eu
rvvm=$1 out=$2 images=$3 engine=$4
here=$(cd "$(dirname "$0")" && pwd)
skip() {
    echo "SKIP: $*"
    exit 77
}
command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 ||
    skip "riscv64-linux-gnu-gcc not installed (scripts/install-deps.sh): cannot build the workloads"
[ "$(uname -m)" = x86_64 ] || skip "host is $(uname -m): no native x86-64 reference answers"
"$here/build.sh" "$out" "$images" >&2 || { echo "FAIL: benchgen/linux/build.sh failed"; exit 1; }

settings="bench.zstd.mib=1 bench.xz.mib=1 bench.lua.rounds=1 bench.sys.getpid=2000
bench.sys.read=2000 bench.sys.fault=100 bench.sys.pipe=500"
settings=$(echo $settings)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/scratch"
BENCH_DIR=$out/native/bench BENCH_TMP=$tmp/scratch BENCH_ARGS=$settings \
    sh "$out/native/bench/all.sh" >"$tmp/native.log" 2>&1 ||
    { cat "$tmp/native.log"; echo "FAIL: the native run failed"; exit 1; }
rc=0
timeout 600 "$rvvm" -accel "$engine" -m 512M -kernel "$images/Image" \
    -initrd "$out/initramfs-bench.cpio.gz" \
    -append "console=ttyS0 rvvm.run=/bench/all.sh $settings" </dev/null >"$tmp/guest.log" 2>&1 || rc=$?
grep -E 'BENCH|rvvm-init' "$tmp/guest.log" || true
fail() {
    echo "--- guest console (last 30 lines)"
    tail -n 30 "$tmp/guest.log"
    echo "FAIL: $*"
    exit 1
}
[ "$rc" -eq 0 ] || fail "rvvm exited with status $rc"
grep -q 'BENCH-FAIL' "$tmp/guest.log" && fail "$(grep -m1 'BENCH-FAIL' "$tmp/guest.log")"
grep -q '/bench/all.sh exited with status 0' "$tmp/guest.log" || fail "/bench/all.sh did not finish"
# "figure check" pairs, in order: they must be identical (all nine figures)
checks() { sed -n 's/^.*BENCH-RESULT \([^ ]*\) .*check=\([^ ]*\).*$/\1 \2/p' "$1" | tr -d '\r'; }
checks "$tmp/native.log" >"$tmp/native.chk"
checks "$tmp/guest.log" >"$tmp/guest.chk"
n=$(wc -l <"$tmp/native.chk")
[ "$n" -eq 9 ] || { cat "$tmp/native.log"; echo "FAIL: the native run printed $n figures, not 9"; exit 1; }
if ! diff "$tmp/native.chk" "$tmp/guest.chk"; then
    fail "the guest's answers (>) differ from the native build's (<)"
fi
echo "PASS: zstd, xz, lua and the syscall loops give the native answers on rvvm $engine"
