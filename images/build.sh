#!/bin/sh
# Builds rvvm's guest images from Debian packages only:
#   OUT/Image               RISC-V Linux kernel (linux-source-6.1 + images/kernel.config)
#   OUT/initramfs.cpio.gz   static busybox + images/init + images/tests/ + images/rootfs/
#   OUT/rootfs.ext4         the same userland as an ext4 root disk (root=/dev/vda)
#
# usage: images/build.sh [OUT]    (OUT defaults to <repo>/build/images)
#
# Each step runs only when its output is missing or a stamp (a hash of everything
# that goes into it) changed, so a second run is a no-op taking well under a second.
# Long steps log to OUT/logs/ and print a heartbeat. Nothing needs root, nothing
# is downloaded except Debian's busybox source package (once, through apt).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../build/images}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC=$OUT/src
LOGS=$OUT/logs
STAMPS=$OUT/stamps
mkdir -p "$SRC" "$LOGS" "$STAMPS"

CROSS=riscv64-linux-gnu-
JOBS=$(nproc 2>/dev/null || echo 2)
KSRC_TAR=/usr/src/linux-source-6.1.tar.xz
# Fixed build identity, so two builds of the same inputs give the same bytes.
export SOURCE_DATE_EPOCH=1700000000
export KBUILD_BUILD_TIMESTAMP="@$SOURCE_DATE_EPOCH"
export KBUILD_BUILD_USER=rvvm KBUILD_BUILD_HOST=rvvm KBUILD_BUILD_VERSION=1
export LC_ALL=C TZ=UTC
umask 022

T0=$(date +%s)
say() { printf '[images %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { printf 'images/build.sh: error: %s\n' "$*" >&2; exit 1; }

# Only one build per OUT at a time (ninja images and meson test may race).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$OUT/.lock"
    flock 9
fi

need() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            die "'$t' not found; run scripts/install-deps.sh (Debian 12) first"
    done
}
need ${CROSS}gcc ${CROSS}readelf make gcc bc flex bison xz gzip cpio mkfs.ext4 \
    sha256sum dpkg-source dpkg-query perl debugfs awk
[ -r "$KSRC_TAR" ] || die "$KSRC_TAR missing; install linux-source-6.1 (scripts/install-deps.sh)"

hash_of() { cat "$@" | sha256sum | cut -c1-64; }
# stamp_ok NAME HASH FILE...: true when every FILE exists and NAME's stamp holds HASH
stamp_ok() {
    n=$1 h=$2; shift 2
    for f in "$@"; do [ -e "$f" ] || return 1; done
    [ -f "$STAMPS/$n" ] && [ "$(cat "$STAMPS/$n")" = "$h" ]
}
stamp_set() { echo "$2" >"$STAMPS/$1"; }

# run_logged NAME CMD...: run CMD with output in logs/NAME.log, print a heartbeat
# every 20 s, show the log's tail and fail if CMD fails.
run_logged() {
    name=$1; shift
    log=$LOGS/$name.log
    "$@" >"$log" 2>&1 &
    pid=$!
    (
        while sleep 20; do
            kill -0 "$pid" 2>/dev/null || exit 0
            last=$(grep -E '^ +[A-Z0-9]+ +' "$log" 2>/dev/null | tail -n 1 | sed 's/^ *//')
            say "  ... $name still running ($(wc -l <"$log") log lines${last:+, at: $last})"
        done
    ) &
    hb=$!
    rc=0
    wait "$pid" || rc=$?
    kill "$hb" 2>/dev/null || true
    wait "$hb" 2>/dev/null || true
    if [ "$rc" -ne 0 ]; then
        tail -n 40 "$log" >&2
        die "$name failed (exit $rc); full log: $log"
    fi
}

# check_fragment FRAGMENT CONFIG: every "CONFIG_X=v" and "# CONFIG_X is not set"
# line of FRAGMENT must appear verbatim in CONFIG (catches options that Kconfig
# dropped because a dependency was missing).
check_fragment() {
    bad=0
    grep -E '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' "$1" >"$OUT/.frag.tmp"
    while IFS= read -r line; do
        if ! grep -qxF -- "$line" "$2"; then
            sym=$(echo "$line" | sed -E 's/^# //; s/[= ].*//')
            got=$(grep -E "^(# )?$sym[= ]" "$2" || echo "(absent: a dependency is missing)")
            echo "  wanted: $line    got: $got" >&2
            bad=1
        fi
    done <"$OUT/.frag.tmp"
    rm -f "$OUT/.frag.tmp"
    [ "$bad" -eq 0 ] || die "$(basename "$1") options were not honoured in $2 (see above)"
}

# ---------------------------------------------------------------- kernel
KVER=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || stat -c %s-%Y "$KSRC_TAR")
KSRC=$SRC/linux-source-6.1
KOBJ=$OUT/kernel-build
if ! stamp_ok kernel-src "$KVER" "$KSRC/Makefile"; then
    say "extracting $KSRC_TAR ($KVER)"
    rm -rf "$KSRC" "$KOBJ"
    tar -C "$SRC" -xf "$KSRC_TAR"
    [ -f "$KSRC/Makefile" ] || die "$KSRC_TAR did not contain linux-source-6.1/"
    stamp_set kernel-src "$KVER"
fi

KMAKE="make -C $KSRC O=$KOBJ ARCH=riscv CROSS_COMPILE=$CROSS"
KHASH=$( (echo "recipe 1 $KVER"; ${CROSS}gcc --version | head -n 1; cat "$HERE/kernel.config") |
    sha256sum | cut -c1-64)
if ! stamp_ok kernel "$KHASH" "$OUT/Image"; then
    say "configuring kernel: tinyconfig + images/kernel.config"
    mkdir -p "$KOBJ"
    $KMAKE -s tinyconfig >"$LOGS/kernel-config.log" 2>&1 ||
        { cat "$LOGS/kernel-config.log" >&2; die "make tinyconfig failed"; }
    (cd "$KSRC" && ARCH=riscv CROSS_COMPILE=$CROSS KCONFIG_CONFIG="$KOBJ/.config" \
        scripts/kconfig/merge_config.sh -m -O "$KOBJ" "$KOBJ/.config" "$HERE/kernel.config") \
        >>"$LOGS/kernel-config.log" 2>&1 || { cat "$LOGS/kernel-config.log" >&2; die "merge_config failed"; }
    $KMAKE -s olddefconfig >>"$LOGS/kernel-config.log" 2>&1 ||
        { cat "$LOGS/kernel-config.log" >&2; die "make olddefconfig failed"; }
    check_fragment "$HERE/kernel.config" "$KOBJ/.config"
    say "building kernel Image with -j$JOBS (takes a few minutes; log: $LOGS/kernel.log)"
    run_logged kernel $KMAKE -j"$JOBS" Image
    cp "$KOBJ/arch/riscv/boot/Image" "$OUT/Image.tmp" && mv "$OUT/Image.tmp" "$OUT/Image"
    cp "$KOBJ/.config" "$OUT/kernel.config.full"
    stamp_set kernel "$KHASH"
    say "kernel done: $OUT/Image ($(stat -c %s "$OUT/Image") bytes)"
fi

# ---------------------------------------------------------------- busybox
# Debian's source package, fetched once and kept under OUT/src (so later builds
# work offline and stay on the same version until that directory is removed).
BBDL=$SRC/busybox-dl
dsc=$(ls "$BBDL"/busybox_*.dsc 2>/dev/null | tail -n 1 || true)
if [ -z "$dsc" ]; then
    need apt-get
    say "fetching Debian's busybox source package (apt-get source --download-only)"
    rm -rf "$BBDL.tmp" && mkdir -p "$BBDL.tmp"
    # As root, apt would try to drop to the _apt user, who cannot write here.
    sandbox=
    [ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"
    if ! (cd "$BBDL.tmp" && apt-get source -q --download-only $sandbox busybox) \
        >"$LOGS/busybox-fetch.log" 2>&1; then
        cat "$LOGS/busybox-fetch.log" >&2
        die "could not fetch busybox sources: apt needs a deb-src entry and 'apt-get update' (scripts/install-deps.sh does both)"
    fi
    rm -rf "$BBDL" && mv "$BBDL.tmp" "$BBDL"
    dsc=$(ls "$BBDL"/busybox_*.dsc | tail -n 1)
fi
BBVER=$(sed -n 's/^Version: //p' "$dsc")
BBSRC=$SRC/busybox
BBOBJ=$OUT/busybox-build
if ! stamp_ok busybox-src "$BBVER" "$BBSRC/Makefile"; then
    say "unpacking busybox $BBVER (dpkg-source -x, with Debian's patches)"
    rm -rf "$BBSRC" "$BBOBJ"
    dpkg-source -q -x "$dsc" "$BBSRC" >"$LOGS/busybox-unpack.log" 2>&1 ||
        { cat "$LOGS/busybox-unpack.log" >&2; die "dpkg-source -x failed"; }
    stamp_set busybox-src "$BBVER"
fi

BBHASH=$( (echo "recipe 1 $BBVER"; ${CROSS}gcc --version | head -n 1; cat "$HERE/busybox.config") |
    sha256sum | cut -c1-64)
if ! stamp_ok busybox "$BBHASH" "$OUT/busybox" "$OUT/busybox.links"; then
    say "configuring busybox: defconfig + images/busybox.config"
    mkdir -p "$BBOBJ"
    BBMAKE="make -C $BBSRC O=$BBOBJ CROSS_COMPILE=$CROSS"
    $BBMAKE -s defconfig >"$LOGS/busybox-config.log" 2>&1 ||
        { cat "$LOGS/busybox-config.log" >&2; die "busybox defconfig failed"; }
    # Drop every symbol the fragment sets, append the fragment, let oldconfig
    # settle the dependents (answering new questions with their defaults).
    syms=$(grep -oE '^(# )?CONFIG_[A-Za-z0-9_]+' "$HERE/busybox.config" | sed 's/^# //' | sort -u)
    for s in $syms; do echo "^(# )?$s[= ]"; done >"$OUT/.bbsyms"
    grep -vEf "$OUT/.bbsyms" "$BBOBJ/.config" >"$BBOBJ/.config.new" || true
    grep -E '^(CONFIG_|# CONFIG_)' "$HERE/busybox.config" >>"$BBOBJ/.config.new"
    mv "$BBOBJ/.config.new" "$BBOBJ/.config"
    rm -f "$OUT/.bbsyms"
    yes '' | $BBMAKE oldconfig >>"$LOGS/busybox-config.log" 2>&1 ||
        { tail -n 30 "$LOGS/busybox-config.log" >&2; die "busybox oldconfig failed"; }
    check_fragment "$HERE/busybox.config" "$BBOBJ/.config"
    say "building static busybox with -j$JOBS (log: $LOGS/busybox.log)"
    run_logged busybox $BBMAKE -j"$JOBS" busybox busybox.links
    bb=$BBOBJ/busybox
    hdr=$(${CROSS}readelf -h "$bb")
    echo "$hdr" | grep -q 'Class: *ELF64' || die "$bb is not ELF64"
    echo "$hdr" | grep -q 'Machine: *RISC-V' || die "$bb is not a RISC-V binary"
    if ${CROSS}readelf -l "$bb" | grep -qE 'INTERP|DYNAMIC'; then
        die "$bb is dynamically linked (CONFIG_STATIC lost?)"
    fi
    cp "$bb" "$OUT/busybox.tmp" && mv "$OUT/busybox.tmp" "$OUT/busybox"
    cp "$BBOBJ/busybox.links" "$OUT/busybox.links"
    cp "$BBOBJ/.config" "$OUT/busybox.config.full"
    stamp_set busybox "$BBHASH"
    say "busybox done: static riscv64, $(wc -l <"$OUT/busybox.links") applets"
fi

# ---------------------------------------------------------------- userland tree
# stage DIR: busybox with one symlink per applet, images/rootfs/ overlay,
# /init and /sbin/init (images/init), /tests/ (images/tests/).
stage() {
    d=$1
    rm -rf "$d"
    mkdir -p "$d"
    for x in bin sbin usr/bin usr/sbin dev proc sys tmp run root mnt etc var/log tests; do
        mkdir -p "$d/$x"
    done
    chmod 1777 "$d/tmp"
    chmod 700 "$d/root"
    install -m 755 "$OUT/busybox" "$d/bin/busybox"
    while IFS= read -r l; do
        l=${l#/}
        case $l in bin/busybox | sbin/init | init | linuxrc | "") continue ;; esac
        dir=$(dirname "$l")
        mkdir -p "$d/$dir"
        # relative link back to /bin/busybox
        up=$(echo "$dir" | sed -E 's#[^/]+#..#g')
        ln -sf "$up/bin/busybox" "$d/$l"
    done <"$OUT/busybox.links"
    (cd "$HERE/rootfs" && find . -type d) | while IFS= read -r x; do mkdir -p "$d/$x"; done
    (cd "$HERE/rootfs" && find . -type f) | while IFS= read -r x; do
        cp "$HERE/rootfs/$x" "$d/$x"
        chmod "$( [ -x "$HERE/rootfs/$x" ] && echo 755 || echo 644)" "$d/$x"
    done
    install -m 755 "$HERE/init" "$d/init"
    install -m 755 "$HERE/init" "$d/sbin/init"
    for t in "$HERE"/tests/*; do
        [ -f "$t" ] && install -m 755 "$t" "$d/tests/"
    done
    # Same time on every file, for byte-identical images.
    find "$d" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

USERHASH=$( (echo "recipe 1"; cat "$OUT/busybox" "$OUT/busybox.links" "$HERE/init" "$0";
    cd "$HERE" && find rootfs tests -type f | sort | while IFS= read -r f; do
        echo "$f $(stat -c %a "$f")"; cat "$f"; done) | sha256sum | cut -c1-64)

# ---------------------------------------------------------------- initramfs
if ! stamp_ok initramfs "$USERHASH" "$OUT/initramfs.cpio.gz"; then
    say "building initramfs.cpio.gz"
    st=$OUT/stage-initramfs
    stage "$st"
    # The kernel's own gen_init_cpio: lets an unprivileged user put /dev/console
    # (needed before devtmpfs is mounted) and root-owned files in the archive.
    gcc -O2 -o "$OUT/gen_init_cpio" "$KSRC/usr/gen_init_cpio.c"
    list=$OUT/initramfs.list
    {
        echo "nod /dev/console 0600 0 0 c 5 1"
        echo "nod /dev/null 0666 0 0 c 1 3"
        # type, mode, path, link target: one find, no process per file
        (cd "$st" && find . -mindepth 1 -printf '%y %m %P %l\n' | sort -k3) |
            while read -r y m p l; do
                case $y in
                l) echo "slink /$p $l 777 0 0" ;;
                d) echo "dir /$p $m 0 0" ;;
                f) echo "file /$p $st/$p $m 0 0" ;;
                *) die "unexpected file type $y: $st/$p" ;;
                esac
            done
    } >"$list"
    "$OUT/gen_init_cpio" -t "$SOURCE_DATE_EPOCH" "$list" | gzip -n -9 >"$OUT/initramfs.cpio.gz.tmp"
    mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
    stamp_set initramfs "$USERHASH"
    say "initramfs done: $OUT/initramfs.cpio.gz ($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
fi

# ---------------------------------------------------------------- ext4 root disk
ROOTFS_SIZE=64M
if ! stamp_ok rootfs "$USERHASH $ROOTFS_SIZE" "$OUT/rootfs.ext4"; then
    say "building rootfs.ext4 ($ROOTFS_SIZE, mkfs.ext4 -d, no root needed)"
    st=$OUT/stage-rootfs
    stage "$st"
    rm -f "$OUT/rootfs.ext4.tmp"
    # -E root_owner: files belong to root in the image whoever runs this.
    # Fixed UUID, hash seed and clock make the image reproducible.
    E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L rvvm-root \
        -U 5e1f2b6a-7c3d-4e8f-9a0b-1c2d3e4f5a6b \
        -E root_owner=0:0,hash_seed=2c6d6e1a-0b7f-4c1e-8d3a-5f9e7b2a4c6d \
        -d "$st" "$OUT/rootfs.ext4.tmp" "$ROOTFS_SIZE" >"$LOGS/rootfs.log" 2>&1 ||
        { cat "$LOGS/rootfs.log" >&2; die "mkfs.ext4 failed"; }
    # mkfs.ext4 -d copies the builder's uid/gid and each file's ctime (which
    # touch cannot set): make everything root's with the fixed time, always
    # (one code path whether or not we run as root).
    { (cd "$st" && find . -mindepth 1 | sort) | sed 's#^\.##'; echo /; } |
        awk -v t="$SOURCE_DATE_EPOCH" '{ q = "sif \"" $0 "\" ";
            print q "uid 0"; print q "gid 0"; print q "ctime @" t }' >"$OUT/rootfs.fixup"
    E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH debugfs -w -f "$OUT/rootfs.fixup" "$OUT/rootfs.ext4.tmp" \
        >>"$LOGS/rootfs.log" 2>&1 || { cat "$LOGS/rootfs.log" >&2; die "debugfs (owner and ctime fix-up) failed"; }
    mv "$OUT/rootfs.ext4.tmp" "$OUT/rootfs.ext4"
    stamp_set rootfs "$USERHASH $ROOTFS_SIZE"
    say "rootfs done: $OUT/rootfs.ext4"
fi

say "images ready in $OUT: Image initramfs.cpio.gz rootfs.ext4"
