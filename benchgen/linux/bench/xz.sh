#!/bin/sh
# xz (Debian's xz-utils source, CLI only) at preset bench.xz.level (default 1),
# one thread, on bench.xz.mib MiB (default 4) of generated text.
. "${BENCH_DIR:-/bench}/lib.sh"
codec xz "$(arg xz.mib 4)" "$B/xz" -q -T1 -"$(arg xz.level 1)"
