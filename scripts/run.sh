#!/bin/sh
# The README's main command: install what is missing, build rvvm and the guest
# images, and boot Linux with the initramfs to a shell on this terminal.
# Extra arguments go to rvvm (e.g. -accel interp, -m 1G).
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
BUILD=${BUILD:-build}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD"
meson compile -C "$BUILD"
./images/build.sh "$BUILD/images"
exec "$BUILD/rvvm" -kernel "$BUILD/images/Image" -initrd "$BUILD/images/initramfs.cpio.gz" \
    -append "console=ttyS0" "$@"
