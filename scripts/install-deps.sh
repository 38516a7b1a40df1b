#!/bin/sh
# Installs every Debian 12 package rvvm needs to build, test and build its guest images.
# Safe to run again: apt-get skips what is already there.
set -eu
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
PKGS="meson ninja-build gcc pkg-config libfdt-dev libcmocka-dev libsdl2-dev libslirp-dev
opensbi gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu device-tree-compiler
linux-source-6.1 bc flex bison libssl-dev libelf-dev cpio xz-utils dpkg-dev
e2fsprogs qemu-system-misc python3"
# busybox is built from Debian's source package, so apt needs a deb-src entry.
# Add one mirroring the system's own deb entry (deb822 or one-line format).
add_deb_src() {
    if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return 1
    fi
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        $SUDO sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
    else
        grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
            $SUDO tee /etc/apt/sources.list.d/rvvm-deb-src.list >/dev/null
    fi
    return 0
}
need_update=
add_deb_src && need_update=1
missing=
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ] || [ -n "$need_update" ]; then
    $SUDO apt-get update -q
fi
if [ -n "$missing" ]; then
    echo "install-deps: installing:$missing"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi
