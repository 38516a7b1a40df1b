#!/usr/bin/env python3
"""Interactive boot test: boot the images to the console shell through a
pseudo-terminal, type a command, read its answer, then quit with Ctrl-A x.

usage: linux_shell.py RVVM IMAGES_BUILD_SH IMAGES_DIR ENGINE
"""
import os
import pty
import select
import subprocess
import sys
import time


def main():
    rvvm, build_sh, images, engine = sys.argv[1:5]
    subprocess.run([build_sh, images], check=True, stdout=sys.stderr)
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(rvvm, [rvvm, '-accel', engine, '-m', '256M',
                        '-kernel', os.path.join(images, 'Image'),
                        '-initrd', os.path.join(images, 'initramfs.cpio.gz'),
                        '-append', 'console=ttyS0'])
    out = b''

    def read_until(marker, timeout):
        nonlocal out
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return False
                if not data:
                    return False
                out += data
                if marker in out:
                    return True
        return False

    def fail(msg):
        sys.stdout.write(out.decode(errors='replace'))
        print('\nFAIL: ' + msg)
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        sys.exit(1)

    if not read_until(b'shell on the console', 600):
        fail('no shell prompt')
    time.sleep(1)
    os.write(fd, b'echo $((6 * 7))-answer\r')
    if not read_until(b'42-answer', 60):
        fail('the shell did not answer the typed command')
    # Ctrl-A x quits rvvm and must restore the terminal; rvvm exits 0.
    os.write(fd, b'\x01x')
    end = time.time() + 30
    status = None
    while time.time() < end:
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            status = st
            break
        read_until(b'\x00never', 0.2)
    if status is None:
        fail('Ctrl-A x did not quit rvvm')
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        fail('rvvm exit status %r after Ctrl-A x' % status)
    sys.stdout.write(out.decode(errors='replace'))
    print('\nPASS: typed a command at the shell and read its answer')


if __name__ == '__main__':
    main()
