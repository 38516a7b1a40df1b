#!/usr/bin/env python3
"""Regenerates tests/unit/fpu_golden.inc: F/D results computed by a real RISC-V
implementation (qemu-system-riscv64's softfloat), used by test_fpu.c as an oracle.

Random operands, biased toward the places where FPUs go wrong (rounding ties,
subnormals, overflow boundaries, NaNs, conversion limits), are compiled into a
bare-metal RV64 program; it runs every case with frm set to the case's rounding mode
(RMM included), prints result and fflags on the UART, and powers off through the
syscon finisher. Needs riscv64-linux-gnu-gcc and qemu-system-riscv64.

usage: fpu_golden_gen.py [--count N] [--seed S] [--out PATH]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

# name, operand format ('s', 'd', 'w' = int32, 'l' = int64), number of operands,
# takes rm, result kind ('s', 'd', 'x' = integer register).
OPS = [
    ("fadd.s", "s", 2, True, "s"), ("fsub.s", "s", 2, True, "s"),
    ("fmul.s", "s", 2, True, "s"), ("fdiv.s", "s", 2, True, "s"),
    ("fsqrt.s", "s", 1, True, "s"),
    ("fmadd.s", "s", 3, True, "s"), ("fmsub.s", "s", 3, True, "s"),
    ("fnmsub.s", "s", 3, True, "s"), ("fnmadd.s", "s", 3, True, "s"),
    ("fmin.s", "s", 2, False, "s"), ("fmax.s", "s", 2, False, "s"),
    ("feq.s", "s", 2, False, "x"), ("flt.s", "s", 2, False, "x"),
    ("fle.s", "s", 2, False, "x"), ("fclass.s", "s", 1, False, "x"),
    ("fcvt.w.s", "s", 1, True, "x"), ("fcvt.wu.s", "s", 1, True, "x"),
    ("fcvt.l.s", "s", 1, True, "x"), ("fcvt.lu.s", "s", 1, True, "x"),
    ("fcvt.s.w", "w", 1, True, "s"), ("fcvt.s.wu", "w", 1, True, "s"),
    ("fcvt.s.l", "l", 1, True, "s"), ("fcvt.s.lu", "l", 1, True, "s"),
    ("fcvt.s.d", "d", 1, True, "s"), ("fcvt.d.s", "s", 1, False, "d"),
    ("fadd.d", "d", 2, True, "d"), ("fsub.d", "d", 2, True, "d"),
    ("fmul.d", "d", 2, True, "d"), ("fdiv.d", "d", 2, True, "d"),
    ("fsqrt.d", "d", 1, True, "d"),
    ("fmadd.d", "d", 3, True, "d"), ("fmsub.d", "d", 3, True, "d"),
    ("fnmsub.d", "d", 3, True, "d"), ("fnmadd.d", "d", 3, True, "d"),
    ("fmin.d", "d", 2, False, "d"), ("fmax.d", "d", 2, False, "d"),
    ("feq.d", "d", 2, False, "x"), ("flt.d", "d", 2, False, "x"),
    ("fle.d", "d", 2, False, "x"), ("fclass.d", "d", 1, False, "x"),
    ("fcvt.w.d", "d", 1, True, "x"), ("fcvt.wu.d", "d", 1, True, "x"),
    ("fcvt.l.d", "d", 1, True, "x"), ("fcvt.lu.d", "d", 1, True, "x"),
    ("fcvt.d.w", "w", 1, True, "d"), ("fcvt.d.wu", "w", 1, True, "d"),
    ("fcvt.d.l", "l", 1, True, "d"), ("fcvt.d.lu", "l", 1, True, "d"),
]

# Rough weight per op: arithmetic with rounding gets the most cases.
WEIGHT = {"fadd": 4, "fsub": 3, "fmul": 4, "fdiv": 3, "fsqrt": 2, "fmadd": 4,
          "fmsub": 2, "fnmsub": 2, "fnmadd": 2, "fcvt": 2}

FMT = {"s": (23, 8), "d": (52, 11)}


def enum_name(op):
    return "G_" + op.upper().replace(".", "_")


class Gen:
    def __init__(self, rng):
        self.r = rng

    def fp(self, f):
        """A random float bit pattern of format f, biased toward edge cases."""
        r = self.r
        m, e = FMT[f]
        emax = (1 << e) - 1
        bias = emax >> 1
        s = r.getrandbits(1) << (m + e)
        frac = r.getrandbits(m)
        k = r.randrange(12)
        if k == 0:
            return r.getrandbits(m + e + 1)
        if k == 1:  # subnormal / smallest normals
            return s | (r.randrange(3) << m) | (frac >> r.randrange(m))
        if k == 2:  # near overflow
            return s | ((emax - 1 - r.randrange(3)) << m) | frac
        if k == 3:  # specials
            return r.choice([0, 1 << (m + e), emax << m, (emax << m) | s,
                             (emax << m) | (1 << (m - 1)), (emax << m) | 1,
                             (emax << m) | (1 << (m - 1)) | s | 5, (emax << m) | s | 3,
                             ((emax - 1) << m) | ((1 << m) - 1), 1, 1 << m,
                             bias << m, s | (bias << m)])
        if k == 4:  # short mantissas: exact results and ties
            return s | ((bias - 8 + r.randrange(24)) << m) | (frac & ~((1 << (m - r.randrange(1, 6))) - 1))
        if k == 5:  # integers near conversion limits
            return self.near_int_limit(f)
        if k == 6:  # n + 0.5 and similar: ties for conversions to integer
            ex = r.randrange(0, min(40, m))
            fr = (r.getrandbits(ex) << (m - ex)) | (1 << (m - ex - 1))
            return s | ((bias + ex) << m) | fr
        return s | ((bias - 30 + r.randrange(60)) << m) | frac

    def near_int_limit(self, f):
        r = self.r
        m, e = FMT[f]
        bias = ((1 << e) - 1) >> 1
        p = r.choice([31, 32, 63, 64, 0, 1])
        s = r.getrandbits(1) << (m + e)
        ex = bias + p - r.randrange(2)
        frac = r.choice([0, (1 << m) - 1, r.getrandbits(m), 1])
        return s | (ex << m) | frac

    def integer(self, kind):
        r = self.r
        bits = 32 if kind == "w" else 64
        k = r.randrange(5)
        if k == 0:
            v = r.getrandbits(bits)
        elif k == 1:  # odd values with p+1..p+3 significant bits: ties
            n = r.choice([25, 26, 54, 55, 24, 53])
            n = min(n, bits)
            v = (1 << (n - 1)) | r.getrandbits(n - 1) | 1
            if n <= bits - 1 and r.getrandbits(1):
                v = (-v) & ((1 << bits) - 1)
        elif k == 2:
            v = r.choice([0, 1, (1 << bits) - 1, 1 << (bits - 1), (1 << (bits - 1)) - 1])
        elif k == 3:  # exact tie: p+1 bits, low bit set
            n = r.choice([25, 54]) if bits == 64 else 25
            v = ((1 << (n - 1)) | (r.getrandbits(n - 2) << 1) | 1) << r.randrange(bits - n + 1)
            v &= (1 << bits) - 1
        else:
            v = r.getrandbits(r.randrange(1, bits + 1))
        return v

    def tie_mul(self, f):
        """Operands whose exact product is a midpoint: odd, p+1 significant bits."""
        r = self.r
        m, e = FMT[f]
        p = m + 1
        bias = ((1 << e) - 1) >> 1
        while True:
            n1 = r.randrange(2, p)
            m1 = (1 << (n1 - 1)) | r.getrandbits(n1 - 1) | 1
            n2 = p + 2 - n1
            m2 = (1 << (n2 - 1)) | r.getrandbits(n2 - 1) | 1
            if (m1 * m2).bit_length() == p + 1:
                break
        e1 = r.randrange(-40, 40)
        if r.randrange(4) == 0:  # push the product toward the subnormal range
            e1 = -bias - r.randrange(0, 30) + p
        e2 = r.randrange(-30, 30)
        return (self.pack(f, m1, e1, r.getrandbits(1)), self.pack(f, m2, e2, r.getrandbits(1)))

    def tie_add(self, f):
        r = self.r
        m, e = FMT[f]
        a = self.fp(f) if r.randrange(3) == 0 else self.pack(
            f, (1 << m) | r.getrandbits(m), r.randrange(-20, 20) - m, r.getrandbits(1))
        ea = (a >> m) & ((1 << e) - 1)
        if ea in (0, (1 << e) - 1):
            return a, self.fp(f)
        # b = odd multiple of half an ulp of a, small enough not to disturb much.
        ulp_exp = ea - (((1 << e) - 1) >> 1) - m
        b = self.pack(f, r.choice([1, 1, 3, 5, 7, (1 << r.randrange(1, 8)) + 1]),
                      ulp_exp - 1 - r.randrange(0, 2), r.getrandbits(1))
        return a, b

    def tie_fma(self, f):
        r = self.r
        m, e = FMT[f]
        p = m + 1
        half = p // 2
        for _ in range(100):
            m1 = r.getrandbits(half) | 1
            m2 = r.getrandbits(half) | 1
            t = (1 << p) | r.getrandbits(p) | 1
            c = t - m1 * m2
            if c == 0:
                continue
            mag = abs(c)
            tz = (mag & -mag).bit_length() - 1
            if (mag >> tz).bit_length() <= p:
                sc = r.randrange(-20, 20)
                sign = r.getrandbits(1)
                return (self.pack(f, m1, sc, sign), self.pack(f, m2, 0, 0),
                        self.pack(f, mag, sc, sign ^ (c < 0)))
        return self.fp(f), self.fp(f), self.fp(f)

    def pack(self, f, mant, exp, sign):
        """Bit pattern of (-1)^sign * mant * 2^exp; mant must fit exactly."""
        m, e = FMT[f]
        bias = ((1 << e) - 1) >> 1
        n = mant.bit_length()
        # normalise so that mant has exactly m+1 bits
        if n <= m + 1:
            mant <<= (m + 1 - n)
            exp -= (m + 1 - n)
        else:
            assert mant & ((1 << (n - m - 1)) - 1) == 0
            exp += n - m - 1
            mant >>= n - m - 1
        be = exp + m + bias
        if be <= 0:  # subnormal: shift right (may drop bits; fine for fuzzing)
            mant >>= (1 - be)
            be = 0
        if be >= (1 << e) - 1:
            return (sign << (m + e)) | (((1 << e) - 1) << m)
        return (sign << (m + e)) | (be << m) | (mant & ((1 << m) - 1))

    def case(self, op):
        name, fmt, nargs, has_rm, res = op
        r = self.r
        rm = r.randrange(5) if has_rm else 0
        base = name.split(".")[0]
        args = []
        if fmt in "wl":
            args = [self.integer(fmt)]
        elif base in ("fmul",) and r.randrange(3) == 0:
            args = list(self.tie_mul(fmt))
        elif base in ("fadd", "fsub") and r.randrange(3) == 0:
            args = list(self.tie_add(fmt))
            if base == "fsub":
                args[1] ^= 1 << (sum(FMT[fmt]))
        elif base.startswith("fm") and nargs == 3 and r.randrange(3) == 0:
            args = list(self.tie_fma(fmt))
            if base == "fmsub":
                args[2] ^= 1 << (sum(FMT[fmt]))
        elif base.startswith("fn") and nargs == 3 and r.randrange(3) == 0:
            args = list(self.tie_fma(fmt))
            args[0] ^= 1 << (sum(FMT[fmt]))
            if base == "fnmadd":
                args[2] ^= 1 << (sum(FMT[fmt]))
        elif name == "fcvt.s.d" and r.randrange(2) == 0:
            # double exactly halfway between two singles (or just off it)
            v = self.fp("s")
            d = self.cvt_ds(v)
            d |= (1 << 28) if r.randrange(4) else r.getrandbits(29)
            args = [d]
        else:
            args = [self.fp(fmt) for _ in range(nargs)]
            if nargs >= 2 and r.randrange(8) == 0:
                args[1] = args[0] ^ (r.getrandbits(1) << sum(FMT[fmt]))
            if nargs == 3 and r.randrange(6) == 0:  # cancellation: c close to -a*b
                args[2] = args[0] ^ (1 << sum(FMT[fmt]))
                args[1] = self.pack(fmt, 1, 0, 0)
        width = {"s": 32, "w": 32, "d": 64, "l": 64}[fmt]
        args = [x & ((1 << width) - 1) for x in args]
        while len(args) < 3:
            args.append(0)
        return name, rm, args

    @staticmethod
    def cvt_ds(v):
        s = v >> 31
        ex = (v >> 23) & 0xff
        fr = v & 0x7fffff
        if ex == 0 or ex == 0xff:
            return (s << 63) | (0x3ff << 52) | (fr << 29)
        return (s << 63) | ((ex - 127 + 1023) << 52) | (fr << 29)


def asm_for(op, idx):
    """C code executing one case with the operand values in a0..a2 (uint64)."""
    name, fmt, nargs, has_rm, res = op
    lines = []
    mv_in = {"s": "fmv.w.x", "d": "fmv.d.x"}
    mv_out = {"s": "fmv.x.w", "d": "fmv.x.d"}
    if fmt in "sd":
        ins = "".join(f"{mv_in[fmt]} f{i + 1}, %[a{i}]\\n\\t" for i in range(nargs))
        srcs = ", ".join(f"f{i + 1}" for i in range(nargs))
    else:
        ins = ""
        srcs = "%[a0]"
    if res == "x":
        body = f"{name} %[r], {srcs}"
        out = ""
    else:
        body = f"{name} f10, {srcs}"
        out = f"\\n\\t{mv_out[res]} %[r], f10"
    lines.append(f"    case {idx}: __asm__ volatile(\"{ins}{body}{out}\" : [r] \"=r\"(r) "
                 f": [a0] \"r\"(a0), [a1] \"r\"(a1), [a2] \"r\"(a2) "
                 f": \"f1\", \"f2\", \"f3\", \"f10\"); break;")
    return "\n".join(lines)


PROG = r"""
#include <stdint.h>
struct tcase { uint32_t op, rm; uint64_t a0, a1, a2; };
static const struct tcase cases[] = {
%CASES%
};
static volatile uint8_t *const uart = (uint8_t *)0x10000000;
static void putc_(char c) { *uart = (uint8_t)c; }
static void puthex(uint64_t v) {
    for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}
void main(void) {
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t a0 = cases[i].a0, a1 = cases[i].a1, a2 = cases[i].a2, r = 0, fl;
        __asm__ volatile("csrw frm, %0\n\tcsrw fflags, zero" :: "r"((uint64_t)cases[i].rm));
        switch (cases[i].op) {
%SWITCH%
        }
        __asm__ volatile("csrr %0, fflags" : "=r"(fl));
        puthex(r); putc_(' '); puthex(fl); putc_('\n');
    }
    putc_('E'); putc_('N'); putc_('D'); putc_('\n');
    *(volatile uint32_t *)0x100000 = 0x5555;
    for (;;) {}
}
"""

START = r"""
    .section .text.start
    .globl _start
_start:
    la sp, stack_top
    li t0, (1 << 13)       /* mstatus.FS = initial */
    csrs mstatus, t0
    call main
1:  j 1b
    .bss
    .balign 16
    .space 65536
stack_top:
"""

LINK = r"""
ENTRY(_start)
SECTIONS {
  . = 0x80000000;
  .text : { *(.text.start) *(.text*) }
  .rodata : { *(.rodata*) *(.srodata*) }
  .data : { *(.data*) *(.sdata*) }
  .bss : { *(.bss*) *(.sbss*) *(COMMON) }
}
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=9000)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "fpu_golden.inc"))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    gen = Gen(rng)
    weights = [WEIGHT.get(o[0].split(".")[0], 1) for o in OPS]
    cases = []
    for _ in range(args.count):
        op = rng.choices(range(len(OPS)), weights)[0]
        cases.append((op,) + gen.case(OPS[op]))

    csrc = PROG.replace("%CASES%", "\n".join(
        f"    {{{op}, {rm}, {a[0]:#x}ull, {a[1]:#x}ull, {a[2]:#x}ull}}," for op, _, rm, a in cases))
    csrc = csrc.replace("%SWITCH%", "\n".join(asm_for(o, i) for i, o in enumerate(OPS)))

    with tempfile.TemporaryDirectory() as tmp:
        for fn, text in (("prog.c", csrc), ("start.S", START), ("link.ld", LINK)):
            with open(os.path.join(tmp, fn), "w") as fh:
                fh.write(text)
        elf = os.path.join(tmp, "fpu.elf")
        subprocess.run(["riscv64-linux-gnu-gcc", "-march=rv64gc", "-mabi=lp64d", "-O2",
                        "-ffreestanding", "-nostdlib", "-nostartfiles", "-mcmodel=medany",
                        "-fno-pic", "-no-pie", "-static", "-Wl,--build-id=none", "-T", os.path.join(tmp, "link.ld"),
                        os.path.join(tmp, "start.S"), os.path.join(tmp, "prog.c"), "-o", elf],
                       check=True)
        out = subprocess.run(["qemu-system-riscv64", "-M", "virt", "-bios", "none",
                              "-nographic", "-kernel", elf],
                             check=True, capture_output=True, text=True, timeout=300).stdout
    lines = [ln for ln in out.replace("\r", "").split("\n") if ln]
    if not lines or lines[-1] != "END" or len(lines) != len(cases) + 1:
        sys.exit(f"unexpected qemu output ({len(lines)} lines)")

    with open(args.out, "w") as fh:
        fh.write("/* Generated by fpu_golden_gen.py from qemu-system-riscv64 "
                 f"(seed {args.seed}); do not edit.\n"
                 " * op, rm, a, b, c, expected result (as the register holds it: singles\n"
                 " * sign-extended by fmv.x.w, so compare the low 32 bits), fflags. */\n")
        for (op, name, rm, a), ln in zip(cases, lines):
            res, fl = (int(x, 16) for x in ln.split())
            kind = OPS[op][4]
            if kind == "s":
                res &= 0xffffffff
            nargs = OPS[op][2]
            fmt = OPS[op][1]
            if fmt in "sw":
                a = [x & 0xffffffff for x in a]
            fh.write(f"{{{enum_name(name)},{rm},{a[0]:#x},{a[1] if nargs > 1 else 0:#x},"
                     f"{a[2] if nargs > 2 else 0:#x},{res:#x},{fl}}},\n")
    print(f"wrote {len(cases)} vectors to {args.out}")


if __name__ == "__main__":
    main()
