#!/bin/sh
# Syscall- and trap-heavy loops (benchutil sys, timed inside the program):
# getpid, 1-byte reads of /dev/zero, page faults (mmap, touch 16 pages, munmap)
# and a pipe ping-pong between two processes.
. "${BENCH_DIR:-/bench}/lib.sh"
for m in getpid:100000 read:100000 fault:2000 pipe:10000; do
    mode=${m%%:*}
    n=$(arg sys.$mode "${m#*:}")
    out=$("$B/benchutil" sys "$mode" "$n") || fail "sys $mode exited $?"
    result "sys-$mode" $out
done
