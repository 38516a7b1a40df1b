#!/bin/sh
# Builds benchgen's Linux workloads (docs/benchmarks.md, "Linux workloads"):
#   OUT/initramfs-bench.cpio.gz  the images' initramfs with a second cpio appended:
#                                /bench/*.sh (benchgen/linux/bench/), /bench/bench.lua,
#                                /bench/bin/{zstd,xz,lua,benchutil}, static riscv64
#   OUT/native/bench/            the same tree built natively for the host (x86-64):
#                                the runner's reference for time and for the answers
#
# usage: benchgen/linux/build.sh [OUT [IMAGES]]
#   OUT     defaults to <repo>/build/bench-linux
#   IMAGES  the images/build.sh output (default <repo>/build/images); brought up to
#           date first (a no-op when it is)
#
# zstd, xz and lua come from Debian's source packages (libzstd, xz-utils, lua5.4),
# fetched once with apt-get source and kept under OUT/src; only each CLI program is
# built, statically, with the same flags for both targets. benchutil is our own
# (benchgen/linux/benchutil.c). Every step is stamped with a hash of its inputs, so
# a second run is a no-op; long steps log to OUT/logs/ and print a heartbeat.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-$REPO/build/bench-linux}
IMAGES=${2:-$REPO/build/images}
mkdir -p "$OUT" "$IMAGES"
OUT=$(cd "$OUT" && pwd)
IMAGES=$(cd "$IMAGES" && pwd)
SRC=$OUT/src
LOGS=$OUT/logs
STAMPS=$OUT/stamps
mkdir -p "$SRC" "$LOGS" "$STAMPS"

JOBS=$(nproc 2>/dev/null || echo 2)
export SOURCE_DATE_EPOCH=1700000000
export LC_ALL=C TZ=UTC
umask 022
PKGS="libzstd xz-utils lua5.4"

T0=$(date +%s)
say() { printf '[bench-linux %4ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
die() {
    printf 'benchgen/linux/build.sh: error: %s\n' "$*" >&2
    exit 1
}

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
need riscv64-linux-gnu-gcc riscv64-linux-gnu-readelf riscv64-linux-gnu-strip gcc readelf \
    strip make gzip sha256sum dpkg-source

hash_of() { sha256sum | cut -c1-64; }
stamp_ok() {
    n=$1 h=$2
    shift 2
    for f in "$@"; do [ -e "$f" ] || return 1; done
    [ -f "$STAMPS/$n" ] && [ "$(cat "$STAMPS/$n")" = "$h" ]
}
stamp_set() { echo "$2" >"$STAMPS/$1"; }

# run_logged NAME CMD...: output to logs/NAME.log, a heartbeat every 20 s, the
# log's tail and a failure if CMD fails.
run_logged() {
    name=$1
    shift
    log=$LOGS/$name.log
    "$@" >"$log" 2>&1 &
    pid=$!
    (
        while sleep 20; do
            kill -0 "$pid" 2>/dev/null || exit 0
            say "  ... $name still running ($(wc -l <"$log") log lines)"
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

# ---------------------------------------------------------------- images
say "bringing the images up to date (images/build.sh $IMAGES)"
"$REPO/images/build.sh" "$IMAGES"
[ -x "$IMAGES/gen_init_cpio" ] && [ -f "$IMAGES/initramfs.cpio.gz" ] ||
    die "$IMAGES has no initramfs.cpio.gz or gen_init_cpio after images/build.sh"

# ---------------------------------------------------------------- sources
# fetch_unpack PKG: OUT/src/PKG-dl (apt-get source --download-only, once) and
# OUT/src/PKG (dpkg-source -x, Debian's patches applied); sets VER.
fetch_unpack() {
    pkg=$1
    dl=$SRC/$pkg-dl
    dsc=$(ls "$dl"/"${pkg}"_*.dsc 2>/dev/null | tail -n 1 || true)
    if [ -z "$dsc" ]; then
        need apt-get
        say "fetching Debian's $pkg source package (apt-get source --download-only)"
        rm -rf "$dl.tmp" && mkdir -p "$dl.tmp"
        sandbox=
        [ "$(id -u)" -ne 0 ] || sandbox="-o APT::Sandbox::User=root"
        if ! (cd "$dl.tmp" && apt-get source -q --download-only $sandbox "$pkg") \
            >"$LOGS/$pkg-fetch.log" 2>&1; then
            cat "$LOGS/$pkg-fetch.log" >&2
            die "could not fetch $pkg sources: apt needs a deb-src entry and 'apt-get update' (scripts/install-deps.sh does both)"
        fi
        rm -rf "$dl" && mv "$dl.tmp" "$dl"
        dsc=$(ls "$dl"/"${pkg}"_*.dsc | tail -n 1)
    fi
    VER=$(sed -n 's/^Version: //p' "$dsc")
    if ! stamp_ok "$pkg-src" "$VER" "$SRC/$pkg"; then
        say "unpacking $pkg $VER (dpkg-source -x)"
        rm -rf "$SRC/$pkg"
        dpkg-source -q -x "$dsc" "$SRC/$pkg" >"$LOGS/$pkg-unpack.log" 2>&1 ||
            { cat "$LOGS/$pkg-unpack.log" >&2; die "dpkg-source -x $pkg failed"; }
        stamp_set "$pkg-src" "$VER"
    fi
}
for p in $PKGS; do
    fetch_unpack "$p"
    eval "VER_$(echo "$p" | tr -c 'a-z0-9\n' _)=\$VER"
done

# ---------------------------------------------------------------- programs
# check_bin FILE ARCH: an ELF64 of that machine, statically linked
check_bin() {
    hdr=$(readelf -h "$1") || die "$1 is not an ELF file"
    echo "$hdr" | grep -q 'Class: *ELF64' || die "$1 is not ELF64"
    echo "$hdr" | grep -q "Machine: *$2" || die "$1 is not a $2 binary"
    if readelf -l "$1" | grep -qE 'INTERP|DYNAMIC'; then
        die "$1 is dynamically linked"
    fi
}

# build_target NAME CC HOST MACHINE STRIP: zstd, xz, lua and benchutil into
# OUT/NAME/bench/bin, same flags on every target.
build_target() {
    t=$1 cc=$2 host=$3 machine=$4 strip=$5
    bin=$OUT/$t/bench/bin
    wk=$OUT/build-$t
    mkdir -p "$bin" "$wk"
    ccver=$($cc --version | head -n 1)

    h=$( (echo "zstd recipe 1 $ccver $VER_libzstd") | hash_of)
    if ! stamp_ok "zstd-$t" "$h" "$bin/zstd"; then
        say "building zstd $VER_libzstd for $t (make -C programs zstd; log: $LOGS/zstd-$t.log)"
        rm -rf "$wk/zstd" && cp -a "$SRC/libzstd" "$wk/zstd"
        # No zlib/lzma/lz4 formats, no dependency on the host's libraries.
        run_logged "zstd-$t" make -C "$wk/zstd/programs" -j"$JOBS" zstd CC="$cc" \
            HAVE_ZLIB=0 HAVE_LZMA=0 HAVE_LZ4=0 HAVE_THREAD=1 LDFLAGS=-static
        check_bin "$wk/zstd/programs/zstd" "$machine"
        $strip -o "$bin/zstd" "$wk/zstd/programs/zstd"
        stamp_set "zstd-$t" "$h"
    fi

    h=$( (echo "xz recipe 1 $ccver $VER_xz_utils") | hash_of)
    if ! stamp_ok "xz-$t" "$h" "$bin/xz"; then
        say "building xz $VER_xz_utils for $t (configure + liblzma + xz; log: $LOGS/xz-$t.log)"
        rm -rf "$wk/xz" && mkdir -p "$wk/xz"
        # Out of tree: configure and automake files keep their times.
        run_logged "xz-$t" sh -c "cd '$wk/xz' && '$SRC/xz-utils/configure' --host=$host \
            --disable-shared --enable-static --disable-nls --disable-xzdec --disable-lzmadec \
            --disable-lzmainfo --disable-lzma-links --disable-scripts --disable-doc \
            CC=$cc CFLAGS=-O2 && make -j$JOBS -C src/liblzma && make -C src/xz LDFLAGS=-all-static"
        check_bin "$wk/xz/src/xz/xz" "$machine"
        $strip -o "$bin/xz" "$wk/xz/src/xz/xz"
        stamp_set "xz-$t" "$h"
    fi

    h=$( (echo "lua recipe 1 $ccver $VER_lua5_4") | hash_of)
    if ! stamp_ok "lua-$t" "$h" "$bin/lua"; then
        say "building lua $VER_lua5_4 for $t (log: $LOGS/lua-$t.log)"
        rm -rf "$wk/lua" && mkdir -p "$wk/lua"
        # Debian's luaconf.h includes a header its build generates.
        echo "#define DEB_HOST_MULTIARCH \"$host\"" >"$wk/lua/lua5.4-deb-multiarch.h"
        # Debian's Makefile builds shared libraries through libtool: compile the
        # interpreter (every file but the luac compiler) directly instead.
        run_logged "lua-$t" sh -c "cd '$SRC/lua5.4/src' && $cc -O2 -std=gnu99 -I'$wk/lua' \
            -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -static -o '$wk/lua/lua' \
            \$(ls *.c | grep -v '^luac\\.c\$') -lm"
        check_bin "$wk/lua/lua" "$machine"
        $strip -o "$bin/lua" "$wk/lua/lua"
        stamp_set "lua-$t" "$h"
    fi

    h=$( (echo "benchutil recipe 1 $ccver"; cat "$HERE/benchutil.c") | hash_of)
    if ! stamp_ok "benchutil-$t" "$h" "$bin/benchutil"; then
        say "building benchutil for $t"
        $cc -O2 -Wall -Wextra -static -o "$wk/benchutil" "$HERE/benchutil.c" ||
            die "benchutil does not build for $t"
        check_bin "$wk/benchutil" "$machine"
        $strip -o "$bin/benchutil" "$wk/benchutil"
        stamp_set "benchutil-$t" "$h"
    fi

    # the scripts and the Lua program
    for f in "$HERE"/bench/*; do
        install -m "$( [ -x "$f" ] && echo 755 || echo 644)" "$f" "$OUT/$t/bench/"
    done
}

build_target rv64 riscv64-linux-gnu-gcc riscv64-linux-gnu RISC-V riscv64-linux-gnu-strip
case $(uname -m) in
x86_64) build_target native gcc x86_64-linux-gnu 'Advanced Micro Devices X86-64' strip ;;
*) say "host is $(uname -m), not x86-64: no native reference build" ;;
esac

# ---------------------------------------------------------------- initramfs
# The images' initramfs followed by a second gzip'd cpio with /bench: the kernel
# unpacks concatenated archives in order.
st=$OUT/rv64
h=$( (echo "initramfs recipe 2"; cat "$IMAGES/initramfs.cpio.gz"
    cd "$st" && find bench -type f | sort | while IFS= read -r f; do
        echo "$f $(stat -c %a "$f")"; cat "$f"; done) | hash_of)
if ! stamp_ok initramfs "$h" "$OUT/initramfs-bench.cpio.gz"; then
    say "building initramfs-bench.cpio.gz"
    # gen_init_cpio keeps each file's time: one fixed time, for the same bytes
    find "$st/bench" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    (cd "$st" && find bench -printf '%y %m %p\n' | sort -k3) | while read -r y m p; do
        case $y in
        d) echo "dir /$p $m 0 0" ;;
        f) echo "file /$p $st/$p $m 0 0" ;;
        *) die "unexpected file type $y: $st/$p" ;;
        esac
    done >"$OUT/bench.list"
    "$IMAGES/gen_init_cpio" -t "$SOURCE_DATE_EPOCH" "$OUT/bench.list" | gzip -n -9 >"$OUT/bench.cpio.gz"
    cat "$IMAGES/initramfs.cpio.gz" "$OUT/bench.cpio.gz" >"$OUT/initramfs-bench.cpio.gz.tmp"
    mv "$OUT/initramfs-bench.cpio.gz.tmp" "$OUT/initramfs-bench.cpio.gz"
    stamp_set initramfs "$h"
    say "initramfs done: $OUT/initramfs-bench.cpio.gz ($(stat -c %s "$OUT/initramfs-bench.cpio.gz") bytes)"
fi
say "bench-linux ready in $OUT: initramfs-bench.cpio.gz, native/bench/"
