#!/bin/sh
# Smallest guest test: userspace runs and the kernel filesystems are mounted.
# Prints RVVM-HELLO-OK on success; rvvm-init then powers off.
uname -a
for m in /proc /sys /dev; do
    mountpoint -q "$m" || { echo "RVVM-HELLO-FAIL: $m not mounted"; exit 1; }
done
[ -c /dev/console ] || { echo "RVVM-HELLO-FAIL: no /dev/console"; exit 1; }
echo "cpus: $(grep -c '^processor' /proc/cpuinfo)"
# Informational, for whoever reads the console log: which devices showed up.
echo "rng: $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null || echo none)"
echo "rtc: $(cat /sys/class/rtc/rtc0/name 2>/dev/null || echo none)"
echo "block: $(ls /sys/block 2>/dev/null | tr '\n' ' ')"
echo "net: $(ls /sys/class/net 2>/dev/null | tr '\n' ' ')"
echo RVVM-HELLO-OK
