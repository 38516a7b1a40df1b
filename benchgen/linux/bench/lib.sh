# Sourced by every /bench/*.sh workload script (in the guest, and on the host for
# the native x86-64 reference run). Settings come from the kernel command line
# (bench.NAME=VALUE; the guest's /init passes them through /proc/cmdline) or, on
# the host, from $BENCH_ARGS in the same form.
#   BENCH_DIR  this folder (default /bench); binaries are in $BENCH_DIR/bin
#   BENCH_TMP  scratch space (default /tmp: a tmpfs in the guest)
# Output, one line per figure, read by `benchgen.py linux`:
#   BENCH-RESULT <name> secs=<guest seconds> [bytes=N] [check=<value or sha256>] ...
#   BENCH-FAIL <why>   (then exit 1: the runner voids the cell)
D=${BENCH_DIR:-/bench}
B=$D/bin
T=${BENCH_TMP:-/tmp}
ARGS=${BENCH_ARGS-$(cat /proc/cmdline)}

# arg NAME DEFAULT: value of bench.NAME=... among the settings
arg() {
    v=$2
    for a in $ARGS; do
        case $a in bench.$1=*) v=${a#bench.$1=} ;; esac
    done
    echo "$v"
}
now() { "$B/benchutil" now; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
result() { echo "BENCH-RESULT $*"; }
fail() {
    echo "BENCH-FAIL $*"
    exit 1
}

# codec NAME MIB COMPRESS... : time COMPRESS (reads $T/in, writes stdout) and
# "COMPRESS -d" on MIB MiB of generated text. The decompressed data must equal
# the input (cmp); the compressed stream's sha256 is the check, which the runner
# compares with the native build's (so the generated input is checked too).
codec() {
    name=$1 mib=$2
    shift 2
    bytes=$((mib * 1048576))
    "$B/benchutil" gen 1 "$bytes" >"$T/in" || fail "$name: generating input"
    t0=$(now)
    "$@" -c "$T/in" >"$T/in.c" || fail "$name: compress exited $?"
    t1=$(now)
    "$@" -d -c "$T/in.c" >"$T/out" || fail "$name: decompress exited $?"
    t2=$(now)
    cmp -s "$T/in" "$T/out" || fail "$name: decompressed output differs from the input"
    csize=$(wc -c <"$T/in.c")
    result "$name-compress" bytes=$bytes secs=$(secs "$t0" "$t1") out=$csize check=$(sha "$T/in.c")
    result "$name-decompress" bytes=$bytes secs=$(secs "$t1" "$t2") check=equals-input
    rm -f "$T/in" "$T/in.c" "$T/out"
}
