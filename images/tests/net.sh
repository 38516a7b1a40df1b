#!/bin/sh
# Network test: DHCP on eth0, then fetch rvvm.url=URL from the kernel command
# line (for example a file served by the host) and print its sha256.
url=
for arg in $(cat /proc/cmdline); do
    case $arg in rvvm.url=*) url=${arg#rvvm.url=} ;; esac
done
udhcpc -i eth0 -n -q -t 5 || { echo "RVVM-NET-FAIL: no DHCP lease"; exit 1; }
if [ -n "$url" ]; then
    wget -q -O /tmp/fetched "$url" || { echo "RVVM-NET-FAIL: wget $url"; exit 1; }
    echo "fetched sha256: $(sha256sum /tmp/fetched | cut -d' ' -f1)"
fi
echo RVVM-NET-OK
