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
grep -q 'RVVM-STEP sha256: 83ee47245398adee79bd9c0a8bc57b821e92aba10f5f9ade8a5d1fae4d8c4302' "$log" ||
    fail "sha256 of 32 MiB of zeros is wrong"
grep -q 'RVVM-STEP loop: 667472' "$log" || fail "shell arithmetic loop result is wrong"
rtc=$(sed -n 's/.*RVVM-STEP rtc: \([0-9]*\).*/\1/p' "$log")
now=$(date +%s)
[ -n "$rtc" ] || fail "no RTC reading"
d=$((now - rtc)); [ $d -lt 0 ] && d=$((-d))
[ $d -le 900 ] || fail "guest RTC ($rtc) is $d s away from the host clock ($now)"
grep -q 'RVVM-BOOT-OK' "$log" || fail "boot-check.sh did not finish"
grep -q 'exited with status 0' "$log" || fail "boot-check.sh failed"
echo "PASS: Linux booted on $engine, ran the script and powered off"
