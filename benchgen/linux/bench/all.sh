#!/bin/sh
# Every workload in one boot, at the sizes given (the meson test uses it at tiny
# sizes; the benchmark runs each script in its own boot).
. "${BENCH_DIR:-/bench}/lib.sh"
for w in zstd xz lua sys; do
    sh "$D/$w.sh" || exit 1
done
