#!/bin/sh
# virtio-net over -netdev user (libslirp), end to end:
#   1. the guest gets an address by DHCP (udhcpc) and wgets a file from an
#      HTTP server this test starts on the host's loopback (as 10.0.2.2);
#   2. hostfwd: the host connects to a local port and reaches a service the
#      guest runs (nc -l on port 8080), through -nic user,hostfwd=... .
# The hostfwd script travels in a second cpio archive appended to the
# initramfs (the kernel unpacks concatenated archives in order).
# usage: virtio_net.sh RVVM IMAGES_BUILD_SH IMAGES_DIR ENGINE
set -u
rvvm=$1 build_sh=$2 images=$3 engine=$4
TIMEOUT=${RVVM_BOOT_TIMEOUT:-600}
"$build_sh" "$images" >&2 || { echo "FAIL: $build_sh $images"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 missing"; exit 77; }
command -v cpio >/dev/null 2>&1 || { echo "SKIP: cpio missing"; exit 77; }
"$rvvm" -kernel /dev/null -netdev user,id=x 2>&1 | grep -q "without libslirp" &&
    { echo "SKIP: rvvm built without libslirp"; exit 77; }

TMP=$(mktemp -d)
HTTPD_PID=
cleanup() {
    [ -z "$HTTPD_PID" ] || kill "$HTTPD_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

expect() {
    name=$1; shift
    ok=1
    [ "$rc" -eq 0 ] || { fail "$name: rvvm exited with status $rc"; ok=0; }
    for text in "$@"; do
        grep -qF -- "$text" "$TMP/$name.log" || { fail "$name: no '$text' on the console"; ok=0; }
    done
    if [ "$ok" -eq 1 ]; then
        echo "   ok"
    else
        echo "---- $name console (last 40 lines) ----"
        tail -n 40 "$TMP/$name.log" | tr -d '\r'
        echo "----"
    fi
}

# 1. DHCP + wget from the host.
mkdir "$TMP/www"
head -c 300000 /dev/urandom >"$TMP/www/blob"
python3 -u -m http.server --bind 127.0.0.1 --directory "$TMP/www" 0 >"$TMP/httpd.log" 2>&1 &
HTTPD_PID=$!
port=
for _ in $(seq 1 20); do
    port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$TMP/httpd.log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.5
done
if [ -z "$port" ]; then
    fail "wget: the host HTTP server did not start"
else
    echo "== wget: rvvm -netdev user,id=n0 -device virtio-net,netdev=n0 (host server :$port)"
    timeout -k 5 "$TIMEOUT" "$rvvm" -accel "$engine" -m 256M -kernel "$images/Image" \
        -initrd "$images/initramfs.cpio.gz" -netdev user,id=n0 -device virtio-net,netdev=n0 \
        -append "console=ttyS0 rvvm.run=/tests/net.sh rvvm.url=http://10.0.2.2:$port/blob" \
        </dev/null >"$TMP/wget.log" 2>&1
    rc=$?
    expect wget "RVVM-NET-OK" "fetched sha256: $(sha256sum "$TMP/www/blob" | cut -d' ' -f1)"
fi

# 2. hostfwd: host port -> guest port 8080.
token="rvvm-hostfwd-$$-$(date +%s)"
mkdir -p "$TMP/extra/tests"
cat >"$TMP/extra/tests/fwd.sh" <<EOF
#!/bin/sh
udhcpc -i eth0 -n -q -t 5 || { echo "RVVM-FWD-FAIL: no DHCP lease"; exit 1; }
echo RVVM-FWD-LISTENING
echo $token | nc -l -p 8080 || { echo "RVVM-FWD-FAIL: nc"; exit 1; }
echo RVVM-FWD-SERVED
EOF
chmod +x "$TMP/extra/tests/fwd.sh"
(cd "$TMP/extra" && echo tests/fwd.sh | cpio -o -H newc --quiet | gzip) >"$TMP/extra.cpio.gz"
cat "$images/initramfs.cpio.gz" "$TMP/extra.cpio.gz" >"$TMP/initrd.cpio.gz"
hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "== hostfwd: rvvm -nic user,hostfwd=tcp:127.0.0.1:$hport-:8080"
timeout -k 5 "$TIMEOUT" "$rvvm" -accel "$engine" -m 256M -kernel "$images/Image" \
    -initrd "$TMP/initrd.cpio.gz" -nic "user,hostfwd=tcp:127.0.0.1:$hport-:8080" \
    -append "console=ttyS0 rvvm.run=/tests/fwd.sh" </dev/null >"$TMP/fwd.log" 2>&1 &
vm=$!
got=
for _ in $(seq 1 "$TIMEOUT"); do
    kill -0 "$vm" 2>/dev/null || break
    if grep -q RVVM-FWD-LISTENING "$TMP/fwd.log"; then
        got=$(python3 - "$hport" <<'EOF'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    data = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        data += b
    print(data.decode(errors="replace").strip())
except OSError:
    pass
EOF
)
        [ -n "$got" ] && break
    fi
    sleep 1
done
wait "$vm"
rc=$?
if [ "$got" = "$token" ]; then
    echo "   host read '$got' from the guest's port 8080"
else
    fail "hostfwd: host read '$got', expected '$token'"
fi
expect fwd "RVVM-FWD-SERVED" "rvvm-init: /tests/fwd.sh exited with status 0"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "PASS: virtio-net user networking: DHCP, wget from the host, hostfwd on $engine"
