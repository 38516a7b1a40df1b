#!/bin/sh
# Boot test: the images' kernel boots on rvvm with the initramfs, runs
# /tests/boot-check.sh (uname, /proc/cpuinfo, computation with a known answer,
# the RTC's date), powers off, and rvvm exits 0.
#   usage: linux_boot.sh RVVM IMAGES_BUILD_SH IMAGES_DIR ENGINE
set -eu
rvvm=$1 build_sh=$2 images=$3 engine=$4
"$build_sh" "$images" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
timeout 900 "$rvvm" -accel "$engine" -m 256M -kernel "$images/Image" \
    -initrd "$images/initramfs.cpio.gz" \
    -append "console=ttyS0 rvvm.run=/tests/boot-check.sh" </dev/null >"$log" 2>&1 || rc=$?
cat "$log"
fail() { echo "FAIL: $*"; exit 1; }
[ "$rc" -eq 0 ] || fail "rvvm exited with status $rc"
grep -q 'OpenSBI' "$log" || fail "no OpenSBI banner"
grep -q 'Linux version 6.1' "$log" || fail "no kernel banner"
grep -q 'RVVM-STEP uname: Linux .* riscv64' "$log" || fail "uname"
grep -q '^isa.*rv64imafdc' "$log" || fail "/proc/cpuinfo isa line"
grep -q 'RVVM-STEP sha256: 2daeb1f36095b44b318410b3f4e8b5d989dcc7bb023d1426c492dab0a3053e74' "$log" ||
    fail "sha256 of 8 MiB of zeros is wrong"
grep -q 'RVVM-STEP loop: 220629' "$log" || fail "shell arithmetic loop result is wrong"
rtc=$(sed -n 's/.*RVVM-STEP rtc: \([0-9]*\).*/\1/p' "$log")
now=$(date +%s)
[ -n "$rtc" ] || fail "no RTC reading"
d=$((now - rtc)); [ $d -lt 0 ] && d=$((-d))
[ $d -le 900 ] || fail "guest RTC ($rtc) is $d s away from the host clock ($now)"
grep -q 'RVVM-BOOT-OK' "$log" || fail "boot-check.sh did not finish"
grep -q 'exited with status 0' "$log" || fail "boot-check.sh failed"
echo "PASS: Linux booted on $engine, ran the script and powered off"
