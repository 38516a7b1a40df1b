#!/bin/sh
# The README's test command: install what is missing, build, run every test suite.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
BUILD=${BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" -Dwerror=true
fi
meson compile -C "$BUILD"
meson test -C "$BUILD" --print-errorlogs --num-processes 2 "$@"
