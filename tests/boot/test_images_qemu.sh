#!/bin/sh
# Boots the images/ guest images on qemu-system-riscv64 -M virt (the reference
# machine, with its default OpenSBI) and checks, through the serial console and
# the disk image, that each one does its job:
#   1. initramfs runs rvvm.run=/tests/hello.sh, prints its marker, powers off;
#   2. initramfs without rvvm.run= gives a console shell; `exit` powers off;
#   3. rootfs.ext4 as root=/dev/vda rw: the guest writes files and syncs, the
#      host reads them back out of the image (debugfs) and checks them (e2fsck);
#   4. virtio-net with QEMU user networking: DHCP, then wget from the host.
# usage: test_images_qemu.sh BUILD_SH IMAGES_DIR
# Runs BUILD_SH IMAGES_DIR first (a no-op when the images are up to date).
# Exit: 0 pass, 1 fail, 77 skip (only when qemu-system-riscv64 is missing).
set -u
BUILD_SH=${1:?usage: $0 BUILD_SH IMAGES_DIR}
DIR=${2:?usage: $0 BUILD_SH IMAGES_DIR}
QEMU=qemu-system-riscv64
TIMEOUT=${RVVM_QEMU_TIMEOUT:-180}

if ! command -v "$QEMU" >/dev/null 2>&1; then
    echo "SKIP: $QEMU is not installed (Debian: apt-get install qemu-system-misc)"
    exit 77
fi

"$BUILD_SH" "$DIR" || { echo "FAIL: $BUILD_SH $DIR"; exit 1; }

TMP=$(mktemp -d)
HTTPD_PID=
cleanup() {
    [ -z "$HTTPD_PID" ] || kill "$HTTPD_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# qemu_boot NAME APPEND QEMU-ARGS...: boots with stdin from $TMP/NAME.in (if it
# exists, else /dev/null), console output in $TMP/NAME.log; sets $rc and $secs.
qemu_boot() {
    name=$1 append=$2; shift 2
    in=/dev/null
    [ -e "$TMP/$name.in" ] && in=$TMP/$name.in
    echo "== $name: $QEMU -append \"$append\" $*"
    t0=$(date +%s)
    timeout -k 5 "$TIMEOUT" "$QEMU" -M virt -smp 2 -m 256M -nographic -no-reboot \
        -kernel "$DIR/Image" -append "$append" "$@" <"$in" >"$TMP/$name.log" 2>&1
    rc=$?
    secs=$(($(date +%s) - t0))
    echo "   qemu exit $rc after ${secs}s"
}

# expect NAME TEXT...: each TEXT must appear in NAME's console log.
expect() {
    name=$1; shift
    ok=1
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        fail "$name: guest did not power off within ${TIMEOUT}s"
        ok=0
    elif [ "$rc" -ne 0 ]; then
        fail "$name: qemu exited with status $rc"
        ok=0
    fi
    for text in "$@"; do
        grep -qF -- "$text" "$TMP/$name.log" || { fail "$name: no '$text' on the console"; ok=0; }
    done
    if [ "$ok" -eq 1 ]; then
        echo "   ok"
    else
        echo "---- $name console (last 60 lines) ----"
        tail -n 60 "$TMP/$name.log" | tr -d '\r'
        echo "----"
    fi
}

# 1. initramfs, scripted
qemu_boot initramfs "console=ttyS0 earlycon rvvm.run=/tests/hello.sh" \
    -initrd "$DIR/initramfs.cpio.gz" -device virtio-rng-device
expect initramfs "RVVM-HELLO-OK" "rvvm-init: /tests/hello.sh exited with status 0"

# 2. initramfs, interactive shell: the commands wait in a fifo until the prompt
# shows up (characters typed before the UART driver is up would be lost).
mkfifo "$TMP/shell.in"
(
    exec 3>"$TMP/shell.in"
    while [ ! -e "$TMP/shell.done" ] && ! grep -qs 'shell on the console' "$TMP/shell.log"; do
        sleep 1
    done
    sleep 2
    printf 'echo RVVM-SHELL-$((6 * 7))\n' >&3
    sleep 1
    printf 'exit\n' >&3
    # Keep the fifo open until qemu is gone (EOF could end the session early).
    while [ ! -e "$TMP/shell.done" ]; do sleep 1; done
) &
feeder=$!
qemu_boot shell "console=ttyS0" -initrd "$DIR/initramfs.cpio.gz"
touch "$TMP/shell.done"
wait "$feeder"
expect shell "RVVM-SHELL-42"

# 3. ext4 root disk on virtio-blk: write, sync, power off, read back on the host.
cp "$DIR/rootfs.ext4" "$TMP/disk.ext4"
qemu_boot disk "root=/dev/vda rw console=ttyS0 rvvm.run=/tests/disk-write.sh" \
    -drive "file=$TMP/disk.ext4,format=raw,if=none,id=hd0" -device virtio-blk-device,drive=hd0
expect disk "RVVM-DISK-OK" "rvvm-init: /tests/disk-write.sh exited with status 0"
if e2fsck -fn "$TMP/disk.ext4" >"$TMP/fsck.log" 2>&1; then
    echo "   e2fsck: clean"
else
    cat "$TMP/fsck.log"; fail "disk: e2fsck reports errors after the guest powered off"
fi
got=$(debugfs -R "cat /rvvm-disk-test.txt" "$TMP/disk.ext4" 2>/dev/null)
case $got in
"written by riscv64 guest: "*) echo "   read back: $got" ;;
*) fail "disk: /rvvm-disk-test.txt not found in the image (got '$got')" ;;
esac
debugfs -R "dump /rvvm-disk-data.bin $TMP/data.bin" "$TMP/disk.ext4" >/dev/null 2>&1
want=$(debugfs -R "cat /rvvm-disk-data.sha256" "$TMP/disk.ext4" 2>/dev/null | cut -d' ' -f1)
have=$(sha256sum "$TMP/data.bin" 2>/dev/null | cut -d' ' -f1)
if [ -n "$want" ] && [ "$want" = "$have" ]; then
    echo "   1 MiB data file matches the guest's sha256"
else
    fail "disk: data file sha256 on host '$have' != guest '$want'"
fi

# 4. network: QEMU's user network (guest 10.0.2.15, host as 10.0.2.2) and a
# host HTTP server on a free port.
if command -v python3 >/dev/null 2>&1; then
    mkdir "$TMP/www"
    head -c 300000 /dev/urandom >"$TMP/www/blob"
    python3 -u -m http.server --bind 127.0.0.1 --directory "$TMP/www" 0 >"$TMP/httpd.log" 2>&1 &
    HTTPD_PID=$!
    port=
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$TMP/httpd.log" | head -n 1)
        [ -n "$port" ] && break
        sleep 0.5
    done
    if [ -z "$port" ]; then
        fail "net: host HTTP server did not start"; cat "$TMP/httpd.log"
    else
        qemu_boot net "console=ttyS0 rvvm.run=/tests/net.sh rvvm.url=http://10.0.2.2:$port/blob" \
            -initrd "$DIR/initramfs.cpio.gz" \
            -netdev user,id=n0 -device virtio-net-device,netdev=n0
        expect net "RVVM-NET-OK" "fetched sha256: $(sha256sum "$TMP/www/blob" | cut -d' ' -f1)"
    fi
else
    echo "== net: skipped (python3 missing for the host HTTP server)"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all image checks passed"
