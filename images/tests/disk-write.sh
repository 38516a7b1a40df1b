#!/bin/sh
# Root-disk test (root=/dev/vda rw): writes /rvvm-disk-test.txt and syncs it.
# The host then reads the file back out of the image (debugfs).
grep -q ' / ext4 rw' /proc/mounts || { echo "RVVM-DISK-FAIL: / is not ext4 rw"; cat /proc/mounts; exit 1; }
echo "written by $(uname -m) guest: $(sha256sum /bin/busybox | cut -d' ' -f1)" >/rvvm-disk-test.txt
# Some larger data too, so the block path sees multi-sector requests.
dd if=/dev/urandom of=/rvvm-disk-data.bin bs=64k count=16 2>/dev/null
sha256sum /rvvm-disk-data.bin >/rvvm-disk-data.sha256
sync
cat /rvvm-disk-test.txt
echo RVVM-DISK-OK
