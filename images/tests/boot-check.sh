#!/bin/sh
# Linux-boot test (tests/boot/linux_boot.sh): each step prints a marker the host
# checks. Runs from the initramfs as rvvm.run=/tests/boot-check.sh.
echo "RVVM-STEP uname: $(uname -a)"
grep -q '^isa' /proc/cpuinfo || { echo "RVVM-BOOT-FAIL: no isa line in /proc/cpuinfo"; exit 1; }
echo "RVVM-STEP cpuinfo:"
cat /proc/cpuinfo
# A few seconds of real work whose answer the host knows: the hash of 8 MiB of
# zeros, then an arithmetic loop in the shell.
start=$(cat /proc/uptime | cut -d' ' -f1)
echo "RVVM-STEP sha256: $(dd if=/dev/zero bs=1M count=8 2>/dev/null | sha256sum | cut -d' ' -f1)"
i=0 s=0
while [ $i -lt 3000 ]; do s=$(( (s * 31 + i) % 1000003 )); i=$((i + 1)); done
echo "RVVM-STEP loop: $s"
end=$(cat /proc/uptime | cut -d' ' -f1)
echo "RVVM-STEP compute took: $start -> $end s (guest uptime)"
# The goldfish RTC gives the host's wall clock.
if [ -r /sys/class/rtc/rtc0/since_epoch ]; then
    echo "RVVM-STEP rtc: $(cat /sys/class/rtc/rtc0/since_epoch)"
else
    echo "RVVM-BOOT-FAIL: no /sys/class/rtc/rtc0"
    exit 1
fi
echo "RVVM-STEP date: $(date -u '+%Y-%m-%d %H:%M:%S')"
echo RVVM-BOOT-OK
