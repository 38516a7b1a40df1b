#!/bin/sh
# The README's test command: install what is missing, build, run every test
# suite; then the same code under AddressSanitizer + UndefinedBehaviorSanitizer
# (unit, guest, diff and CLI tests; the Linux boots already ran above).
# SANITIZE=0 skips the sanitizer pass.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
BUILD=${BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" -Dwerror=true
fi
meson compile -C "$BUILD"
meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@"

if [ "${SANITIZE:-1}" != 0 ]; then
    SAN=${BUILD}-san
    if [ ! -f "$SAN/build.ninja" ]; then
        meson setup "$SAN" -Dwerror=true -Dsanitizers=true -Dbuildtype=debug -Db_lto=false
    fi
    meson compile -C "$SAN"
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C "$SAN" --print-errorlogs --num-processes 2 --timeout-multiplier 6 \
        --no-suite boot --no-suite qemu-ref --no-suite benchgen
fi
