#!/bin/sh
# Build (and optionally run on qemu) guest tests without meson:
#   tests/guest/build.sh OUTDIR [name...]    build OUTDIR/<name>.elf
#   RUN=1 tests/guest/build.sh OUTDIR         ... and run each on qemu-system-riscv64
# Meson does the same through tests/guest/meson.build; keep flags in sync.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1; shift
mkdir -p "$out"
CC=${CC:-riscv64-linux-gnu-gcc}
CFLAGS="-nostdlib -ffreestanding -fno-builtin -fno-strict-aliasing -fno-tree-loop-distribute-patterns -fno-pie -no-pie -static \
 -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -g -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wall -Wextra -Werror -I$here/rt -T $here/rt/link.ld"
names=${*:-$(cd "$here" && ls *.c *.S 2>/dev/null | sed "s/\.[cS]$//")}
rc=0
for n in $names; do
    src=$(ls "$here/$n.c" "$here/$n.S" 2>/dev/null | head -1)
    $CC $CFLAGS -o "$out/$n.elf" "$here/rt/crt.S" "$here/rt/rt.c" "$src"
    if [ "${RUN:-0}" = 1 ]; then
        disk=
        if [ "$n" = dma ]; then # drives a virtio-blk disk (meson.build: guest_disk_programs)
            head -c 4096 /dev/zero > "$out/disk.img"
            disk="-drive file=$out/disk.img,if=none,format=raw,snapshot=on,id=d0 -global virtio-mmio.force-legacy=false -device virtio-blk-device,drive=d0"
        fi
        # shellcheck disable=SC2086
        if timeout 60 qemu-system-riscv64 -M virt -bios none -nographic -monitor none -serial stdio \
            -kernel "$out/$n.elf" $disk > "$out/$n.log" 2>&1; then
            echo "ok   $n"
        else
            echo "FAIL $n (rc $?)"; tail -5 "$out/$n.log"; rc=1
        fi
    fi
done
exit $rc
