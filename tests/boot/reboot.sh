#!/bin/sh
# Reboot: the guest's `reboot -f` restarts the machine from scratch (firmware
# banner again); with -no-reboot it ends rvvm with status 0 instead.
#   usage: reboot.sh RVVM IMAGES_BUILD_SH IMAGES_DIR ENGINE
set -eu
rvvm=$1 build_sh=$2 images=$3 engine=$4
"$build_sh" "$images" >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The script rides in an extra cpio appended to the initramfs.
mkdir -p "$tmp/root/tests"
printf '#!/bin/sh\necho RVVM-REBOOTING\nreboot -f\n' >"$tmp/root/tests/reboot.sh"
chmod +x "$tmp/root/tests/reboot.sh"
(cd "$tmp/root" && echo tests/reboot.sh | cpio -o -H newc 2>/dev/null | gzip) >"$tmp/extra.gz"
cat "$images/initramfs.cpio.gz" "$tmp/extra.gz" >"$tmp/rd.gz"
run() {
    "$rvvm" -accel "$engine" "$@" -kernel "$images/Image" -initrd "$tmp/rd.gz" \
        -append "console=ttyS0 rvvm.run=/tests/reboot.sh" </dev/null
}
rc=0
timeout 600 "$rvvm" -accel "$engine" -no-reboot -kernel "$images/Image" -initrd "$tmp/rd.gz" \
    -append "console=ttyS0 rvvm.run=/tests/reboot.sh" </dev/null >"$tmp/a.log" 2>&1 || rc=$?
[ $rc -eq 0 ] || { cat "$tmp/a.log"; echo "FAIL: -no-reboot: status $rc"; exit 1; }
[ "$(grep -c RVVM-REBOOTING "$tmp/a.log")" -eq 1 ] || { cat "$tmp/a.log"; echo "FAIL: -no-reboot rebooted"; exit 1; }
# Without -no-reboot the machine boots again: wait for the second firmware banner.
run >"$tmp/b.log" 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ] && [ "$(grep -c 'OpenSBI v' "$tmp/b.log")" -lt 2 ]; do sleep 1; i=$((i + 1)); done
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
[ "$(grep -c 'OpenSBI v' "$tmp/b.log")" -ge 2 ] || { cat "$tmp/b.log"; echo "FAIL: no second boot after reboot"; exit 1; }
echo "PASS: reboot restarts the machine; -no-reboot exits 0"
