#!/bin/sh
# Lua 5.4 (Debian's lua5.4 source) running bench.lua for bench.lua.rounds rounds
# (default 2): sieve, sorting with a comparison closure, string building and
# matching, closures. Integer-only, so the check is the same on every host.
. "${BENCH_DIR:-/bench}/lib.sh"
rounds=$(arg lua.rounds 2)
t0=$(now)
out=$("$B/lua" "$D/bench.lua" "$rounds") || fail "lua exited $?"
t1=$(now)
case $out in check=*) ;; *) fail "lua printed '$out'" ;; esac
result lua rounds=$rounds secs=$(secs "$t0" "$t1") "$out"
