#!/bin/sh
# virtio-blk end to end: the images' ext4 disk as the root file system.
#   0. the device tree holds a virtio-mmio node per configured device, no more.
#   1. -drive disk.ext4, root=/dev/vda rw: the guest writes files, syncs and
#      powers off; the host finds them in the image (debugfs) and e2fsck is clean.
#   2. -snapshot: the same run leaves the image byte-identical.
#   3. readonly=on: the guest gets a read-only root and the image is unchanged.
#   4. While one rvvm has the image open for writing, a second is refused
#      (file lock) with a clear message.
#   5. Data safety: the guest writes and syncs, then rvvm is SIGKILLed
#      mid-run; everything synced is in the image.
# usage: virtio_disk.sh RVVM IMAGES_BUILD_SH IMAGES_DIR ENGINE
set -u
rvvm=$1 build_sh=$2 images=$3 engine=$4
TIMEOUT=${RVVM_BOOT_TIMEOUT:-600}
"$build_sh" "$images" >&2 || { echo "FAIL: $build_sh $images"; exit 1; }
for t in debugfs e2fsck sha256sum; do
    command -v $t >/dev/null 2>&1 || { echo "SKIP: $t missing (e2fsprogs)"; exit 77; }
done

TMP=$(mktemp -d)
BG=
cleanup() {
    [ -z "$BG" ] || kill -9 "$BG" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# boot NAME APPEND RVVM-ARGS...: console in $TMP/NAME.log; sets $rc.
boot() {
    name=$1 append=$2; shift 2
    echo "== $name: rvvm $* -append \"$append\""
    t0=$(date +%s)
    timeout -k 5 "$TIMEOUT" "$rvvm" -accel "$engine" -m 256M -kernel "$images/Image" \
        -append "console=ttyS0 $append" "$@" </dev/null >"$TMP/$name.log" 2>&1
    rc=$?
    echo "   rvvm exit $rc after $(($(date +%s) - t0))s"
}

expect() {
    name=$1; shift
    ok=1
    [ "$rc" -eq 0 ] || { fail "$name: rvvm exited with status $rc"; ok=0; }
    for text in "$@"; do
        grep -qF -- "$text" "$TMP/$name.log" || { fail "$name: no '$text' on the console"; ok=0; }
    done
    if [ "$ok" -eq 1 ]; then
        echo "   ok"
    else
        echo "---- $name console (last 40 lines) ----"
        tail -n 40 "$TMP/$name.log" | tr -d '\r'
        echo "----"
    fi
}

# check_written IMAGE WHAT: the files disk-write.sh wrote are in the image.
check_written() {
    img=$1 what=$2
    got=$(debugfs -R "cat /rvvm-disk-test.txt" "$img" 2>/dev/null)
    case $got in
    "written by riscv64 guest: "*) echo "   $what: read back: $got" ;;
    *) fail "$what: /rvvm-disk-test.txt not in the image (got '$got')" ;;
    esac
    rm -f "$TMP/data.bin"
    debugfs -R "dump /rvvm-disk-data.bin $TMP/data.bin" "$img" >/dev/null 2>&1
    want=$(debugfs -R "cat /rvvm-disk-data.sha256" "$img" 2>/dev/null | cut -d' ' -f1)
    have=$(sha256sum "$TMP/data.bin" 2>/dev/null | cut -d' ' -f1)
    if [ -n "$want" ] && [ "$want" = "$have" ]; then
        echo "   $what: 1 MiB data file matches the guest's sha256"
    else
        fail "$what: data file sha256 on the host '$have' != the guest's '$want'"
    fi
}

# 0. The device tree lists exactly the configured virtio devices.
command -v dtc >/dev/null 2>&1 && for spec in "0:" "1:-device virtio-rng" \
        "3:-drive $images/rootfs.ext4,readonly=on -nic user -device virtio-rng"; do
    n=${spec%%:*}
    # shellcheck disable=SC2086
    "$rvvm" -kernel "$images/Image" ${spec#*:} -dumpdtb "$TMP/dt.dtb" >/dev/null 2>&1
    got=$(dtc -I dtb -O dts "$TMP/dt.dtb" 2>/dev/null | grep -c '"virtio,mmio"')
    [ "$got" = "$n" ] && echo "== device tree: $n virtio-mmio node(s) for '${spec#*:}'" ||
        fail "device tree: $got virtio-mmio nodes for '${spec#*:}', expected $n"
done

# 1. root disk, write, sync, power off, read back.
cp "$images/rootfs.ext4" "$TMP/disk.ext4"
boot disk "root=/dev/vda rw rvvm.run=/tests/disk-write.sh" -drive "$TMP/disk.ext4"
expect disk "RVVM-DISK-OK" "rvvm-init: /tests/disk-write.sh exited with status 0"
if e2fsck -fn "$TMP/disk.ext4" >"$TMP/fsck.log" 2>&1; then
    echo "   e2fsck: clean"
else
    cat "$TMP/fsck.log"; fail "disk: e2fsck reports errors after the guest powered off"
fi
check_written "$TMP/disk.ext4" disk

# 2. -snapshot: same run, image untouched.
cp "$images/rootfs.ext4" "$TMP/snap.ext4"
before=$(sha256sum "$TMP/snap.ext4" | cut -d' ' -f1)
boot snapshot "root=/dev/vda rw rvvm.run=/tests/disk-write.sh" \
    -drive "file=$TMP/snap.ext4,format=raw,if=virtio" -snapshot
expect snapshot "RVVM-DISK-OK" "rvvm-init: /tests/disk-write.sh exited with status 0"
after=$(sha256sum "$TMP/snap.ext4" | cut -d' ' -f1)
[ "$before" = "$after" ] && echo "   image byte-identical after -snapshot" ||
    fail "snapshot: the image changed ($before -> $after)"

# 3. readonly=on: the kernel mounts the root read-only, the script's check
# fails, the image is unchanged.
boot readonly "root=/dev/vda rw rvvm.run=/tests/disk-write.sh" \
    -drive "file=$TMP/snap.ext4,readonly=on"
expect readonly "RVVM-DISK-FAIL: / is not ext4 rw"
after=$(sha256sum "$TMP/snap.ext4" | cut -d' ' -f1)
[ "$before" = "$after" ] && echo "   image byte-identical after readonly=on" ||
    fail "readonly: the image changed"

# 4 + 5. A guest that writes and syncs, then waits to be killed. The script
# goes into a copy of the image.
cp "$images/rootfs.ext4" "$TMP/kill.ext4"
cat >"$TMP/sync-wait.sh" <<'EOF'
#!/bin/sh
dd if=/dev/urandom of=/rvvm-kill-data.bin bs=64k count=32 2>/dev/null
sha256sum /rvvm-kill-data.bin >/rvvm-kill-data.sha256
echo "synced before SIGKILL" >/rvvm-kill.txt
sync
echo RVVM-SYNCED
sleep 3600
EOF
printf 'cd /tests\nwrite %s sync-wait.sh\n' "$TMP/sync-wait.sh" >"$TMP/dbg.cmd"
debugfs -w -f "$TMP/dbg.cmd" "$TMP/kill.ext4" >/dev/null 2>&1
echo "== kill: rvvm -drive kill.ext4 (guest syncs, then rvvm gets SIGKILL)"
"$rvvm" -accel "$engine" -m 256M -kernel "$images/Image" -drive "$TMP/kill.ext4" \
    -append "console=ttyS0 root=/dev/vda rw rvvm.run=/tests/sync-wait.sh" \
    </dev/null >"$TMP/kill.log" 2>&1 &
BG=$!
for _ in $(seq 1 "$TIMEOUT"); do
    grep -q RVVM-SYNCED "$TMP/kill.log" && break
    kill -0 "$BG" 2>/dev/null || break
    sleep 1
done
if ! grep -q RVVM-SYNCED "$TMP/kill.log"; then
    fail "kill: the guest never reported its sync"
    tail -n 40 "$TMP/kill.log"
else
    # 4. A second rvvm on the same image: refused, whatever the mode.
    for mode in "" ",readonly=on"; do
        "$rvvm" -kernel "$images/Image" -drive "file=$TMP/kill.ext4$mode" \
            -dumpdtb "$TMP/x.dtb" >"$TMP/lock.log" 2>&1
        lrc=$?
        if [ "$lrc" -ne 0 ] && grep -q "locked" "$TMP/lock.log"; then
            echo "   second rvvm (drive$mode) refused: $(cat "$TMP/lock.log")"
        else
            fail "lock: a second rvvm opened the image in use (drive$mode, status $lrc)"
        fi
    done
    kill -9 "$BG"
    wait "$BG" 2>/dev/null
    BG=
    echo "   rvvm killed"
    # The journal holds what sync committed: e2fsck replays it.
    e2fsck -fy "$TMP/kill.ext4" >"$TMP/fsck-kill.log" 2>&1
    frc=$?
    [ "$frc" -le 1 ] || { cat "$TMP/fsck-kill.log"; fail "kill: e2fsck status $frc"; }
    got=$(debugfs -R "cat /rvvm-kill.txt" "$TMP/kill.ext4" 2>/dev/null)
    [ "$got" = "synced before SIGKILL" ] && echo "   synced file survived SIGKILL" ||
        fail "kill: synced file lost (got '$got')"
    rm -f "$TMP/data.bin"
    debugfs -R "dump /rvvm-kill-data.bin $TMP/data.bin" "$TMP/kill.ext4" >/dev/null 2>&1
    want=$(debugfs -R "cat /rvvm-kill-data.sha256" "$TMP/kill.ext4" 2>/dev/null | cut -d' ' -f1)
    have=$(sha256sum "$TMP/data.bin" 2>/dev/null | cut -d' ' -f1)
    [ -n "$want" ] && [ "$want" = "$have" ] && echo "   2 MiB synced data intact" ||
        fail "kill: synced data sha256 '$have' != the guest's '$want'"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "PASS: virtio-blk root disk, -snapshot, readonly, lock and SIGKILL safety on $engine"
