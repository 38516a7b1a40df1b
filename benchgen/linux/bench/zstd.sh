#!/bin/sh
# zstd (Debian's libzstd source, CLI only) at level bench.zstd.level (default 3),
# one thread, on bench.zstd.mib MiB (default 16) of generated text.
. "${BENCH_DIR:-/bench}/lib.sh"
codec zstd "$(arg zstd.mib 16)" "$B/zstd" -q -T1 -"$(arg zstd.level 3)"
