#!/usr/bin/env python3
"""benchgen: synthetic bare-metal RISC-V benchmark generator and side-by-side runner.

Writes RV64 programs for QEMU's `virt` board (RAM at 0x80000000, syscon finisher at
0x100000, 16550 UART at 0x10000000) from parameters: instruction mix, program shape,
memory footprint, privilege mode and compressed share.  While it generates a program it
also executes it (in Python, on 64 "lanes", one per residue of the loop counter), so it
knows the result the program must compute; the program compares its own result with
that value and reports through the syscon finisher.  A run that does not print PASS and
exit 0 is never turned into a figure.

Subcommands:
  gen    one program from explicit parameters
  suite  a named suite (default: `default`) into a directory
  run    build a suite, run it on rvvm (each engine) and qemu, print/write the results
  list   list the programs of a suite

Only the Python 3 standard library is used.
"""

import argparse
import csv
import datetime
import hashlib
import json
import math
import os
import platform
import random
import shutil
import statistics
import struct
import subprocess
import sys
import time
import zlib
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1

RN = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2',
      'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9',
      's10', 's11', 't3', 't4', 't5', 't6']

# Register roles in the workload:
#   sp = 512-byte scratch area, gp = data tables (function table below it),
#   tp = page offset of this iteration's footprint page, t6 = footprint base,
#   t0 = temporary of compound ops (call target, address), a7 = ecall number,
#   s8/s9/s10 = loop counters (inner, middle, outer), s11 = accumulator.
POOL = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 28, 29, 30]
CREG = set(range(8, 16))
T0, TP, A0, A7, S8, S9, S10, S11 = 5, 4, 10, 17, 24, 25, 26, 27

SCRATCH = 512
TABLE_INT = 1024      # bytes of random integers at gp+0
TABLE_D = 64          # doubles at gp+1024
TABLE_S = 64          # singles at gp+1536
FTAB_OFF = -512       # function pointers at gp-512 (64 entries)
MAX_FUNCS = 64
LANES = 64
DEMAND_VA = 0x40000000
DEMAND_PAGES = 64
ECALL_UNMAP = 100
ECALL_EXIT = 101
CATEGORIES = ['alu', 'muldiv', 'mem', 'far', 'branch', 'call', 'fp_s', 'fp_d', 'csr',
              'ecall', 'pf']


class Invalid(Exception):
    """The candidate instruction would leave the well-behaved domain in some lane."""


def sx32(v):
    v &= M32
    return (v | ~M32) & M64 if v & 0x80000000 else v


def s64(v):
    v &= M64
    return v - (1 << 64) if v >> 63 else v


def s32(v):
    v &= M32
    return v - (1 << 32) if v >> 31 else v


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


# ---------------------------------------------------------------------------------
# Integer semantics (RV64IM), values as unsigned 64-bit Python ints

def op_r(name, a, b):
    if name == 'add': return (a + b) & M64
    if name == 'sub': return (a - b) & M64
    if name == 'sll': return (a << (b & 63)) & M64
    if name == 'srl': return a >> (b & 63)
    if name == 'sra': return (s64(a) >> (b & 63)) & M64
    if name == 'slt': return int(s64(a) < s64(b))
    if name == 'sltu': return int(a < b)
    if name == 'xor': return a ^ b
    if name == 'or': return a | b
    if name == 'and': return a & b
    if name == 'addw': return sx32(a + b)
    if name == 'subw': return sx32(a - b)
    if name == 'sllw': return sx32(a << (b & 31))
    if name == 'srlw': return sx32((a & M32) >> (b & 31))
    if name == 'sraw': return sx32(s32(a) >> (b & 31))
    if name == 'mul': return (a * b) & M64
    if name == 'mulh': return ((s64(a) * s64(b)) >> 64) & M64
    if name == 'mulhsu': return ((s64(a) * b) >> 64) & M64
    if name == 'mulhu': return (a * b) >> 64
    if name == 'mulw': return sx32(a * b)
    if name in ('div', 'rem'):
        x, y = s64(a), s64(b)
        if y == 0:
            return M64 if name == 'div' else a
        if x == -(1 << 63) and y == -1:
            return a if name == 'div' else 0
        q = trunc_div(x, y)
        return (q if name == 'div' else x - q * y) & M64
    if name == 'divu': return M64 if b == 0 else a // b
    if name == 'remu': return a if b == 0 else a % b
    if name in ('divw', 'remw'):
        x, y = s32(a), s32(b)
        if y == 0:
            return M64 if name == 'divw' else sx32(a)
        if x == -(1 << 31) and y == -1:
            return sx32(a) if name == 'divw' else 0
        q = trunc_div(x, y)
        return sx32(q if name == 'divw' else x - q * y)
    if name == 'divuw':
        x, y = a & M32, b & M32
        return M64 if y == 0 else sx32(x // y)
    if name == 'remuw':
        x, y = a & M32, b & M32
        return sx32(x) if y == 0 else sx32(x % y)
    raise KeyError(name)


def op_i(name, a, imm):
    if name == 'addi': return (a + imm) & M64
    if name == 'slti': return int(s64(a) < imm)
    if name == 'sltiu': return int(a < (imm & M64))
    if name == 'xori': return a ^ (imm & M64)
    if name == 'ori': return a | (imm & M64)
    if name == 'andi': return a & (imm & M64)
    if name == 'slli': return (a << imm) & M64
    if name == 'srli': return a >> imm
    if name == 'srai': return (s64(a) >> imm) & M64
    if name == 'addiw': return sx32(a + imm)
    if name == 'slliw': return sx32(a << imm)
    if name == 'srliw': return sx32((a & M32) >> imm)
    if name == 'sraiw': return sx32(s32(a) >> imm)
    raise KeyError(name)


# Weighted towards operations that keep information (add, sub, xor, short shifts):
# chains of slt/and/long shifts collapse to values a translator can prove constant,
# which real programs rarely do.
R_ALU = ['add'] * 4 + ['sub'] * 3 + ['xor'] * 4 + ['sll', 'srl', 'sra', 'slt', 'sltu',
         'or', 'and'] + ['addw'] * 2 + ['subw', 'sllw', 'srlw', 'sraw']
I_ALU = ['addi'] * 4 + ['xori'] * 4 + ['slli', 'srli'] * 2 + ['addiw'] * 2 + [
         'slti', 'sltiu', 'ori', 'andi', 'srai', 'slliw', 'srliw', 'sraiw']
MULDIV = ['mul', 'mulh', 'mulhsu', 'mulhu', 'mulw', 'div', 'divu', 'rem', 'remu',
          'divw', 'divuw', 'remw', 'remuw']
BRANCH = {'beq': lambda a, b: a == b, 'bne': lambda a, b: a != b,
          'blt': lambda a, b: s64(a) < s64(b), 'bge': lambda a, b: s64(a) >= s64(b),
          'bltu': lambda a, b: a < b, 'bgeu': lambda a, b: a >= b}

# ---------------------------------------------------------------------------------
# Floating-point semantics: IEEE binary64/binary32, round to nearest even.  Python
# floats are binary64 with correctly rounded + - * / sqrt.  Single precision results
# are computed in double and rounded once more, which is exact for + - * / sqrt
# (53 >= 2*24+2); fused multiply-add and int->single go through exact fractions.
# Values are kept normal and finite (no NaN, inf or subnormal), else Invalid.

FMT = {'d': (53, 2.0 ** -900, 2.0 ** 900), 's': (24, 2.0 ** -100, 2.0 ** 100)}


def round_frac(q, mbits):
    if q == 0:
        return 0.0
    neg = q < 0
    q = -q if neg else q
    n, d = q.numerator, q.denominator
    e = n.bit_length() - d.bit_length()
    if (n << max(0, -e)) < (d << max(0, e)):
        e -= 1
    shift = mbits - 1 - e
    num, den = (n << shift, d) if shift >= 0 else (n, d << -shift)
    m, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and m & 1):
        m += 1
    try:
        v = math.ldexp(m, e - mbits + 1)
    except OverflowError:
        raise Invalid()
    return -v if neg else v


def f32(x):
    try:
        return struct.unpack('<f', struct.pack('<f', x))[0]
    except OverflowError:
        raise Invalid()


def fnice(v, t):
    if v == 0.0:
        return v
    if not math.isfinite(v):
        raise Invalid()
    _, lo, hi = FMT[t]
    if not lo < abs(v) < hi:
        raise Invalid()
    return v


def fround(v, t):
    return fnice(f32(v) if t == 's' else v, t)


def fbits(v, t):
    if t == 'd':
        return struct.unpack('<Q', struct.pack('<d', v))[0]
    return 0xffffffff00000000 | struct.unpack('<I', struct.pack('<f', v))[0]


def sign(v):
    return math.copysign(1.0, v) < 0


# ---------------------------------------------------------------------------------

def K(ev):
    """Mark an evaluator whose result is a constant of the program (li, table loads)."""
    ev.const = True
    return ev


class Lane:
    """The machine state of one iteration (loop-counter residue)."""
    __slots__ = ('x', 'f', 'mem', 'far', 'pf', 'csr', 'acc', 'cnt', 'dyn', 'idx')

    def __init__(self, idx):
        self.idx = idx
        self.x = [None] * 32
        self.x[0] = 0
        self.f = [None] * 32          # (type, float)
        self.mem = bytearray(SCRATCH)
        self.far = {}
        self.pf = set()
        self.csr = None
        self.acc = 0
        self.cnt = [0, 0, 0]          # ecalls, ebreaks, page faults
        self.dyn = 0


class Func:
    def __init__(self, idx):
        self.idx = idx
        self.items = []               # ('op', evs) | ('br', cond, [items])
        self.req = set()
        self.mem_req = set()
        self.writes = set()
        self.mem_writes = set()


class Gen:
    def __init__(self, p, rng):
        self.p = p
        self.rng = rng
        self.mode = p['mode']
        self.mix = [(c, w) for c, w in p['mix'].items() if w > 0]
        self.cshare = p['compressed']
        self.lanes = []
        self.active = []
        self.defined = set()
        self.fdef = {}
        self.mem_w = set()            # written scratch bytes
        self.far_w = set()            # (d, off) written this iteration
        self.csr_def = False
        self.recent = []
        self.frecent = []
        self.unread = set()
        self.funread = set()
        self.funcs = []
        self.fn = None                # Func being generated
        self.rec = None               # item list being recorded
        self.out = []                 # main workload lines
        self.fn_out = []              # function bodies
        self.buf = self.out
        self.rvc = {}                 # per-buffer .option state
        self.nlabel = 0
        self.static = 0
        self.static_c = 0
        self.far_d = max(1, min(8, p['footprint_pages'] // 64)) if p['footprint_pages'] else 0
        tb = bytearray(rng.getrandbits(8) for _ in range(TABLE_INT))
        for _ in range(TABLE_D):
            tb += struct.pack('<d', self.nice_const('d'))
        for _ in range(TABLE_S):
            tb += struct.pack('<f', self.nice_const('s'))
        self.table = bytes(tb)

    def nice_const(self, t):
        r = self.rng
        m = r.randint(1, (1 << 20) - 1)
        v = math.ldexp(m, r.randint(-24, -8))
        v = v if r.random() < 0.7 else -v
        return f32(v) if t == 's' else v

    # -- emission --------------------------------------------------------------
    def ins(self, text, c=False):
        key = id(self.buf)
        if self.rvc.get(key) != c:
            self.buf.append('.option rvc' if c else '.option norvc')
            self.rvc[key] = c
        self.buf.append('\t' + text)
        self.static += 1
        if c:
            self.static_c += 1

    def label(self):
        self.nlabel += 1
        return '.Lb%d' % self.nlabel

    def want_c(self):
        return self.cshare > 0 and self.rng.random() < self.cshare

    # -- state helpers ---------------------------------------------------------
    # Liveness: sources prefer values not read yet and destinations prefer registers
    # whose value has been consumed, so that almost every result feeds the checked
    # accumulator.  Dead results would let an optimising translator (TCG) skip work
    # that a real program would not ask it to do.
    def read(self, r):
        if self.fn is not None and r not in self.fn.writes:
            self.fn.req.add(r)
        self.unread.discard(r)
        return r

    def srcs(self):
        return [r for r in POOL if r in self.defined]

    def pick_src(self, among=None):
        cand = [r for r in (among if among is not None else POOL) if r in self.defined]
        if not cand:
            return None
        un = [r for r in cand if r in self.unread]
        if un and self.rng.random() < 0.8:
            return self.rng.choice(un)
        rec = [r for r in self.recent[-4:] if r in cand]
        if rec and self.rng.random() < 0.6:
            return self.rng.choice(rec)
        return self.rng.choice(cand)

    def pick_dst(self, among=None):
        cand = among if among is not None else POOL
        free = [r for r in cand if r not in self.unread]
        return self.rng.choice(free or cand)

    def wrote(self, r):
        self.defined.add(r)
        self.unread.add(r)
        if self.fn is not None:
            self.fn.writes.add(r)
        if r in self.recent:
            self.recent.remove(r)
        self.recent.append(r)
        del self.recent[:-8]

    def fwrote(self, r, t):
        self.fdef[r] = t
        self.funread.add(r)
        if r in self.frecent:
            self.frecent.remove(r)
        self.frecent.append(r)
        del self.frecent[:-6]

    def apply(self, evs, n, vary=False):
        """Evaluate evs (lane -> list of effects) on every active lane, then commit.

        vary: reject a computed result that is the same in every lane: it most likely
        collapsed to a constant that a translator's optimiser could fold away."""
        res = []
        for lane in self.active:
            res.append(evs(lane))
        if vary and len(res) >= 8 and not getattr(evs, 'const', False):
            first = res[0][-1]
            if first[0] in ('x', 'f') and all(r[-1] == first for r in res):
                raise Invalid()
        for lane, effs in zip(self.active, res):
            lane.dyn += n
            for e in effs:
                k = e[0]
                if k == 'x':
                    lane.x[e[1]] = e[2]
                elif k == 'f':
                    lane.f[e[1]] = e[2]
                elif k == 'm':
                    lane.mem[e[1]:e[1] + len(e[2])] = e[2]
                elif k == 'far':
                    lane.far[e[1]] = e[2]
                elif k == 'acc':
                    lane.acc = (lane.acc + e[1]) & M64
                elif k == 'cnt':
                    lane.cnt[e[1]] += 1
                elif k == 'csr':
                    lane.csr = e[1]
                elif k == 'pf':
                    if e[1] not in lane.pf:
                        lane.pf.add(e[1])
                        lane.cnt[2] += 1
        if self.rec is not None:
            self.rec.append(('op', evs, n))

    def scope_save(self):
        return (set(self.defined), dict(self.fdef), set(self.mem_w), set(self.far_w),
                self.csr_def, list(self.recent), list(self.frecent),
                set(self.fn.writes) if self.fn else None,
                set(self.fn.mem_writes) if self.fn else None)

    def scope_restore(self, s):
        (self.defined, self.fdef, self.mem_w, self.far_w, self.csr_def, self.recent,
         self.frecent, fw, fmw) = s
        if self.fn is not None:
            self.fn.writes, self.fn.mem_writes = fw, fmw

    # -- the driver ------------------------------------------------------------
    def one(self, cats=None, allow_special=True):
        """Generate one operation of a category drawn from the mix."""
        mix = self.mix if cats is None else [(c, w) for c, w in self.mix if c in cats]
        if not mix:
            mix = [('alu', 1)]
        tot = sum(w for _, w in mix)
        x = self.rng.random() * tot
        cat = mix[-1][0]
        for c, w in mix:
            x -= w
            if x < 0:
                cat = c
                break
        if cat == 'branch':
            if allow_special and self.gen_branch():
                return
            cat = 'alu'
        if cat == 'call':
            if allow_special and self.gen_call():
                return
            cat = 'alu'
        gen = getattr(self, 'g_' + cat)
        for _ in range(12):
            wc = self.want_c()
            r = gen(wc)
            if r is None:
                continue
            lines, evs, post = r
            try:
                self.apply(evs, len(lines), vary=cat in ('alu', 'muldiv', 'fp_s', 'fp_d'))
            except Invalid:
                continue
            for text, c in lines:
                self.ins(text, c)
            post()
            return
        self.gen_li()

    def gen_li(self):
        rd = self.pick_dst()
        imm = self.rng.randint(-2048, 2047)
        c = self.want_c() and -32 <= imm < 32
        self.apply(lambda l: [('x', rd, imm & M64)], 1)
        self.ins('li %s, %d' % (RN[rd], imm), c)
        self.wrote(rd)

    # -- categories ------------------------------------------------------------
    def g_alu(self, c):
        r = self.rng
        if not self.srcs() or r.random() < 0.06:
            rd = self.pick_dst()
            if c:
                imm = r.randint(-32, 31)
                return ([('li %s, %d' % (RN[rd], imm), True)],
                        K(lambda l: [('x', rd, imm & M64)]), lambda: self.wrote(rd))
            if r.random() < 0.5:
                imm = r.randint(0, (1 << 20) - 1)
                v = sx32(imm << 12)
                return ([('lui %s, %d' % (RN[rd], imm), False)],
                        K(lambda l: [('x', rd, v)]), lambda: self.wrote(rd))
            imm = r.randint(-2048, 2047)
            return ([('addi %s, zero, %d' % (RN[rd], imm), False)],
                    K(lambda l: [('x', rd, imm & M64)]), lambda: self.wrote(rd))
        if c:
            return self.g_alu_c()
        if r.random() < 0.5:
            op = r.choice(R_ALU)
            a = self.read(self.pick_src())
            b = self.pick_src([x for x in POOL if x != a]) or a
            self.read(b)
            rd = self.pick_dst()
            return ([('%s %s, %s, %s' % (op, RN[rd], RN[a], RN[b]), False)],
                    lambda l: [('x', rd, op_r(op, l.x[a], l.x[b]))], lambda: self.wrote(rd))
        op = r.choice(I_ALU)
        a = self.read(self.pick_src())
        rd = self.pick_dst()
        if op in ('slli', 'srli', 'srai'):
            imm = r.randint(1, 17)
        elif op.endswith('iw') and op != 'addiw':
            imm = r.randint(1, 15)
        else:
            imm = r.randint(-2048, 2047)
        return ([('%s %s, %s, %d' % (op, RN[rd], RN[a], imm), False)],
                lambda l: [('x', rd, op_i(op, l.x[a], imm))], lambda: self.wrote(rd))

    def g_alu_c(self):
        """An ALU operation in a form that has a 16-bit encoding."""
        r = self.rng
        forms = ['li', 'mv'] + ['add', 'addi'] * 3 + ['addiw', 'slli']
        if any(x in self.defined for x in CREG):
            forms += ['srli', 'srai', 'andi', 'and', 'or'] + ['xor', 'sub', 'addw'] * 2 + ['subw']
        f = r.choice(forms)
        if f == 'li':
            rd, imm = self.pick_dst(), r.randint(-32, 31)
            return ([('li %s, %d' % (RN[rd], imm), True)],
                    K(lambda l: [('x', rd, imm & M64)]), lambda: self.wrote(rd))
        if f == 'mv':
            a, rd = self.read(self.pick_src()), self.pick_dst()
            return ([('mv %s, %s' % (RN[rd], RN[a]), True)],
                    lambda l: [('x', rd, l.x[a])], lambda: self.wrote(rd))
        if f == 'add':
            rd, b = self.read(self.pick_src()), self.read(self.pick_src())
            return ([('add %s, %s, %s' % (RN[rd], RN[rd], RN[b]), True)],
                    lambda l: [('x', rd, (l.x[rd] + l.x[b]) & M64)], lambda: self.wrote(rd))
        if f in ('addi', 'addiw', 'slli'):
            rd = self.read(self.pick_src())
            if f == 'slli':
                imm = r.randint(1, 17)
            else:
                imm = r.choice([i for i in range(-32, 32) if i or f == 'addiw'])
            return ([('%s %s, %s, %d' % (f, RN[rd], RN[rd], imm), True)],
                    lambda l: [('x', rd, op_i(f, l.x[rd], imm))], lambda: self.wrote(rd))
        rd = self.read(self.pick_src(CREG))
        if f in ('srli', 'srai', 'andi'):
            imm = r.randint(1, 17) if f != 'andi' else r.randint(-32, 31)
            return ([('%s %s, %s, %d' % (f, RN[rd], RN[rd], imm), True)],
                    lambda l: [('x', rd, op_i(f, l.x[rd], imm))], lambda: self.wrote(rd))
        b = self.read(self.pick_src([x for x in CREG if x != rd]) or rd)
        return ([('%s %s, %s, %s' % (f, RN[rd], RN[rd], RN[b]), True)],
                lambda l: [('x', rd, op_r(f, l.x[rd], l.x[b]))], lambda: self.wrote(rd))

    def g_muldiv(self, c):
        if not self.srcs():
            return None
        op = self.rng.choice(MULDIV)
        a, b = self.read(self.pick_src()), self.read(self.pick_src())
        rd = self.pick_dst()
        return ([('%s %s, %s, %s' % (op, RN[rd], RN[a], RN[b]), False)],
                lambda l: [('x', rd, op_r(op, l.x[a], l.x[b]))], lambda: self.wrote(rd))

    def table_val(self, off, w, signed):
        v = int.from_bytes(self.table[off:off + w], 'little')
        if signed and v >> (8 * w - 1):
            v |= M64 ^ ((1 << (8 * w)) - 1)
        return v

    LOADS = {'lb': (1, True), 'lbu': (1, False), 'lh': (2, True), 'lhu': (2, False),
             'lw': (4, True), 'lwu': (4, False), 'ld': (8, True)}
    STORES = {'sb': 1, 'sh': 2, 'sw': 4, 'sd': 8}

    def g_mem(self, c):
        r = self.rng
        kind = r.random()
        if c:
            kind = 0.8 if (self.mem_w and r.random() < 0.5) or not self.srcs() else 0.6
        if kind < 0.3 or not self.srcs():
            op = r.choice(list(self.LOADS))
            w, sg = self.LOADS[op]
            off = r.randrange(0, len(self.table), w)
            v = self.table_val(off, w, sg)
            rd = self.pick_dst()
            return ([('%s %s, %d(gp)' % (op, RN[rd], off), False)],
                    lambda l: [('x', rd, v)], lambda: self.wrote(rd))
        if kind < 0.45:
            a = self.read(self.pick_src())
            rd = self.pick_dst()
            tb = self.table
            return ([('andi t0, %s, 0x3f8' % RN[a], False), ('add t0, t0, gp', False),
                     ('ld %s, 0(t0)' % RN[rd], False)],
                    lambda l: [('x', rd, int.from_bytes(tb[l.x[a] & 0x3f8:(l.x[a] & 0x3f8) + 8], 'little'))],
                    lambda: self.wrote(rd))
        if kind < 0.75:
            if c:
                op = r.choice(['sw', 'sd'])
                w = self.STORES[op]
                off = r.randrange(0, 256 if w == 4 else 512, w)
            else:
                op = r.choice(list(self.STORES))
                w = self.STORES[op]
                off = r.randrange(0, SCRATCH, w)
            a = self.read(self.pick_src())

            def post():
                for i in range(off, off + w):
                    self.mem_w.add(i)
                    if self.fn is not None:
                        self.fn.mem_writes.add(i)
            return ([('%s %s, %d(sp)' % (op, RN[a], off), c)],
                    lambda l: [('m', off, (l.x[a] & ((1 << (8 * w)) - 1)).to_bytes(w, 'little'))], post)
        if not self.mem_w:
            return None
        for _ in range(8):
            if c:
                op = r.choice(['lw', 'ld'])
            else:
                op = r.choice(list(self.LOADS))
            w, sg = self.LOADS[op]
            off = r.choice(sorted(self.mem_w)) // w * w
            if c and off >= (256 if w == 4 else 512):
                continue
            if all(i in self.mem_w for i in range(off, off + w)):
                break
        else:
            return None
        if self.fn is not None:
            for i in range(off, off + w):
                if i not in self.fn.mem_writes:
                    self.fn.mem_req.add(i)
        rd = self.pick_dst()

        def ev(l):
            v = int.from_bytes(l.mem[off:off + w], 'little')
            if sg and v >> (8 * w - 1):
                v |= M64 ^ ((1 << (8 * w)) - 1)
            return [('x', rd, v)]
        return ([('%s %s, %d(sp)' % (op, RN[rd], off), c)], ev, lambda: self.wrote(rd))

    def g_far(self, c):
        """Loads and stores to this iteration's pages of the memory footprint."""
        if not self.far_d:
            return None
        r = self.rng
        d = r.randrange(self.far_d)
        addr = [('add t0, tp, t6', False)]
        if d:
            addr = [('lui t0, %d' % (d << 6), False), ('xor t0, t0, tp', False),
                    ('add t0, t0, t6', False)]
        mine = [o for (dd, o) in self.far_w if dd == d]
        k = r.random()
        if k < 0.4 or not self.srcs():
            rd = self.pick_dst()
            return (addr + [('ld %s, 0(t0)' % RN[rd], False)],
                    lambda l: [('x', rd, self.far_val(l.idx))], lambda: self.wrote(rd))
        if k < 0.75 or not mine:
            off = r.randrange(8, 2048, 8)
            a = self.read(self.pick_src())
            return (addr + [('sd %s, %d(t0)' % (RN[a], off), False)],
                    lambda l: [('far', (d, off), l.x[a])], lambda: self.far_w.add((d, off)))
        off = r.choice(mine)
        rd = self.pick_dst()
        return (addr + [('ld %s, %d(t0)' % (RN[rd], off), False)],
                lambda l: [('x', rd, l.far[(d, off)])], lambda: self.wrote(rd))

    def far_init_val(self, k):
        return (((k & 63) * self.p['_c1']) ^ self.p['_c2']) & M64

    def far_val(self, lane):
        # page k = (s8 * M) mod NP and s8 = lane (mod 64), so k mod 64 = lane * M mod 64
        return self.far_init_val((lane * self.p['_stride']) & 63)

    def g_pf(self, c):
        if self.mode != 'su' or not self.srcs():
            return None
        r = self.rng
        page = r.randrange(DEMAND_PAGES)
        off = r.randrange(0, 2048, 8)
        a = self.read(self.pick_src())
        rd = self.pick_dst()
        self.p['_uses_pf'] = True
        return ([('lui t0, %d' % ((DEMAND_VA >> 12) + page), False),
                 ('sd %s, %d(t0)' % (RN[a], off), False),
                 ('ld %s, %d(t0)' % (RN[rd], off), False)],
                lambda l: [('pf', page), ('x', rd, l.x[a])], lambda: self.wrote(rd))

    def g_csr(self, c):
        r = self.rng
        csr = 'sscratch' if self.mode == 'm' else 'fflags'
        mask = M64 if csr == 'sscratch' else 31
        if not self.csr_def:
            if r.random() < 0.5 or not self.srcs():
                imm = r.randint(0, 31)
                return ([('csrrwi zero, %s, %d' % (csr, imm), False)],
                        lambda l: [('csr', imm & mask)], self.csr_defined)
            a = self.read(self.pick_src())
            return ([('csrrw zero, %s, %s' % (csr, RN[a]), False)],
                    lambda l: [('csr', l.x[a] & mask)], self.csr_defined)
        op = r.choice(['csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci'])
        rd = self.pick_dst()
        if op.endswith('i'):
            imm = r.randint(0, 31)
            src = str(imm)
            get = lambda l: imm
        else:
            if not self.srcs():
                return None
            a = self.read(self.pick_src())
            src = RN[a]
            get = lambda l: l.x[a]
        base = op.rstrip('i') if op.endswith('i') else op

        def ev(l):
            old, v = l.csr, get(l)
            new = {'csrrw': v, 'csrrs': old | v, 'csrrc': old & ~v}[base] & mask
            return [('x', rd, old), ('csr', new)]
        return ([('%s %s, %s, %s' % (op, RN[rd], csr, src), False)], ev, lambda: self.wrote(rd))

    def csr_defined(self):
        self.csr_def = True

    def g_ecall(self, c):
        r = self.rng
        lines = []
        pre = []
        if A0 not in self.defined:
            imm = r.randint(-2048, 2047)
            lines.append(('li a0, %d' % imm, False))
            pre = [('x', A0, imm & M64)]
        else:
            self.read(A0)
        if r.random() < 0.8:
            nr = r.randint(1, 63)
            lines += [('li a7, %d' % nr, False), ('ecall', False)]

            def ev(l):
                a = pre[0][2] if pre else l.x[A0]
                return pre + [('x', A0, (a * 5 + nr) & M64), ('cnt', 0)]
        else:
            lines += [('ebreak', False)]

            def ev(l):
                a = pre[0][2] if pre else l.x[A0]
                return pre + [('x', A0, ((a ^ 0x5a) + 1) & M64), ('cnt', 1)]
        return lines, ev, lambda: self.wrote(A0)

    # -- floating point --------------------------------------------------------
    def g_fp_d(self, c):
        return self.g_fp('d', c)

    def g_fp_s(self, c):
        return self.g_fp('s', c)

    def fsrc(self, t):
        cand = [f for f, tt in self.fdef.items() if tt == t]
        if not cand:
            return None
        un = [f for f in cand if f in self.funread]
        if un and self.rng.random() < 0.8:
            f = self.rng.choice(un)
        else:
            rec = [f for f in self.frecent[-3:] if f in cand]
            f = self.rng.choice(rec if rec and self.rng.random() < 0.6 else cand)
        self.funread.discard(f)
        return f

    def g_fp(self, t, c):
        r = self.rng
        sfx = '.' + t
        fd = r.choice([f for f in range(32) if f not in self.funread] or list(range(32)))
        have = [f for f, tt in self.fdef.items() if tt == t]
        post = lambda: (self.fwrote(fd, t), self.fp_dirty())
        if c and t == 'd':
            # c.fldsp / c.fsdsp
            if have and r.random() < 0.5:
                fs = self.fsrc(t)
                off = r.randrange(0, 512, 8)

                def post_st():
                    for i in range(off, off + 8):
                        self.mem_w.add(i)
                return ([('fsd f%d, %d(sp)' % (fs, off), True)],
                        lambda l: [('m', off, struct.pack('<d', l.f[fs][1]))], post_st)
            offs = [o for o in range(0, 512, 8) if all(i in self.mem_w for i in range(o, o + 8))]
            if offs:
                off = r.choice(offs)

                def ev(l):
                    v = struct.unpack('<d', bytes(l.mem[off:off + 8]))[0]
                    return [('f', fd, ('d', fnice(v, 'd')))]
                return ([('fld f%d, %d(sp)' % (fd, off), True)], ev, lambda: self.fwrote(fd, 'd'))
        if len(have) < 2 or r.random() < 0.12:
            k = r.random()
            if k < 0.5 or not self.srcs():
                if t == 'd':
                    off = 1024 + 8 * r.randrange(TABLE_D)
                    v = struct.unpack('<d', self.table[off:off + 8])[0]
                    return ([('fld f%d, %d(gp)' % (fd, off), False)],
                            K(lambda l: [('f', fd, ('d', v))]), lambda: self.fwrote(fd, 'd'))
                off = 1536 + 4 * r.randrange(TABLE_S)
                v = struct.unpack('<f', self.table[off:off + 4])[0]
                return ([('flw f%d, %d(gp)' % (fd, off), False)],
                        K(lambda l: [('f', fd, ('s', v))]), lambda: self.fwrote(fd, 's'))
            a = self.read(self.pick_src())
            w = r.choice(['l', 'w'])

            def ev(l):
                iv = s64(l.x[a]) if w == 'l' else s32(l.x[a])
                if t == 'd':
                    v = float(iv)
                else:
                    v = round_frac(Fraction(iv), 24) if abs(iv) >= (1 << 53) else f32(float(iv))
                return [('f', fd, (t, fnice(v, t)))]
            rm = '' if (t, w) == ('d', 'w') else ', rne'     # int32 -> double is exact
            return ([('fcvt%s.%s f%d, %s%s' % (sfx, w, fd, RN[a], rm), False)], ev, post)
        k = r.random()
        a = self.fsrc(t)
        b = self.fsrc(t)
        if k < 0.45:
            op = r.choice(['fadd', 'fsub', 'fmul', 'fdiv'])
            fn = {'fadd': lambda x, y: x + y, 'fsub': lambda x, y: x - y,
                  'fmul': lambda x, y: x * y,
                  'fdiv': lambda x, y: x / y if y != 0 else math.inf}[op]
            return ([('%s%s f%d, f%d, f%d, rne' % (op, sfx, fd, a, b), False)],
                    lambda l: [('f', fd, (t, fround(fn(l.f[a][1], l.f[b][1]), t)))], post)
        if k < 0.55:
            op = r.choice(['fmadd', 'fmsub', 'fnmadd', 'fnmsub'])
            cc = self.fsrc(t)
            mb = FMT[t][0]

            def ev(l):
                x, y, z = l.f[a][1], l.f[b][1], l.f[cc][1]
                if x == 0 or y == 0 or z == 0:
                    raise Invalid()
                q = Fraction(x) * Fraction(y)
                q = {'fmadd': q + Fraction(z), 'fmsub': q - Fraction(z),
                     'fnmadd': -q - Fraction(z), 'fnmsub': -q + Fraction(z)}[op]
                if q == 0:
                    raise Invalid()
                return [('f', fd, (t, fnice(round_frac(q, mb), t)))]
            return ([('%s%s f%d, f%d, f%d, f%d, rne' % (op, sfx, fd, a, b, cc), False)], ev, post)
        if k < 0.6:
            def ev(l):
                x = l.f[a][1]
                if x < 0:
                    raise Invalid()
                return [('f', fd, (t, fround(math.sqrt(x), t)))]
            return ([('fsqrt%s f%d, f%d, rne' % (sfx, fd, a), False)], ev, post)
        if k < 0.7:
            op = r.choice(['fmin', 'fmax', 'fsgnj', 'fsgnjn', 'fsgnjx'])

            def ev(l):
                x, y = l.f[a][1], l.f[b][1]
                if op in ('fmin', 'fmax'):
                    if x == 0 and y == 0:
                        neg = (sign(x) or sign(y)) if op == 'fmin' else (sign(x) and sign(y))
                        v = -0.0 if neg else 0.0
                    else:
                        v = min(x, y) if op == 'fmin' else max(x, y)
                else:
                    s = {'fsgnj': sign(y), 'fsgnjn': not sign(y), 'fsgnjx': sign(x) != sign(y)}[op]
                    v = math.copysign(abs(x), -1.0 if s else 1.0)
                return [('f', fd, (t, v))]
            # min/max/sign injection raise no exception flags except on NaN
            return ([('%s%s f%d, f%d, f%d' % (op, sfx, fd, a, b), False)], ev,
                    lambda: self.fwrote(fd, t))
        if k < 0.75:
            o = 'd' if t == 's' else 's'

            def ev(l):
                x = l.f[a][1]
                return [('f', fd, (o, fround(x, o)))]
            return ([('fcvt.%s.%s f%d, f%d%s' % (o, t, fd, a, ', rne' if o == 's' else ''), False)],
                    ev, lambda: (self.fwrote(fd, o), self.fp_dirty()))
        rd = self.pick_dst()
        k = r.random()
        if k < 0.3:
            op = r.choice(['feq', 'flt', 'fle'])
            fn = {'feq': lambda x, y: x == y, 'flt': lambda x, y: x < y, 'fle': lambda x, y: x <= y}[op]
            return ([('%s%s %s, f%d, f%d' % (op, sfx, RN[rd], a, b), False)],
                    lambda l: [('x', rd, int(fn(l.f[a][1], l.f[b][1])))],
                    lambda: (self.wrote(rd), self.fp_dirty()))
        if k < 0.55:
            w = r.choice(['l', 'w'])
            lim = 1 << (63 if w == 'l' else 31)

            def ev(l):
                iv = int(l.f[a][1])
                if not -lim <= iv < lim:
                    raise Invalid()
                return [('x', rd, iv & M64)]
            return ([('fcvt.%s%s %s, f%d, rtz' % (w, sfx, RN[rd], a), False)], ev,
                    lambda: (self.wrote(rd), self.fp_dirty()))
        if k < 0.65:
            def ev(l):
                x = l.f[a][1]
                cl = (1 << 3 if sign(x) else 1 << 4) if x == 0 else (1 << 1 if x < 0 else 1 << 6)
                return [('x', rd, cl)]
            return ([('fclass%s %s, f%d' % (sfx, RN[rd], a), False)], ev, lambda: self.wrote(rd))
        if t == 'd':
            return ([('fmv.x.d %s, f%d' % (RN[rd], a), False)],
                    lambda l: [('x', rd, fbits(l.f[a][1], 'd'))], lambda: self.wrote(rd))
        return ([('fmv.x.w %s, f%d' % (RN[rd], a), False)],
                lambda l: [('x', rd, sx32(fbits(l.f[a][1], 's')))], lambda: self.wrote(rd))

    def fp_dirty(self):
        # FP arithmetic accrues exception flags we do not model: fflags is unknown after it.
        if self.mode != 'm':
            self.csr_def = False

    # -- control flow ------------------------------------------------------------
    def gen_branch(self):
        r = self.rng
        if not self.srcs():
            return False
        wc = self.want_c()
        if wc and any(x in self.defined for x in CREG):
            op = r.choice(['beq', 'bne'])
            a, b = self.read(self.pick_src(CREG)), 0
        else:
            wc = False
            op = r.choice(list(BRANCH))
            a = self.read(self.pick_src())
            b = self.read(self.pick_src()) if r.random() < 0.8 else 0
        fn = BRANCH[op]
        lbl = self.label()
        self.ins('%s %s, %s, %s' % (op, RN[a], RN[b], lbl), wc)
        taken = lambda l: fn(l.x[a], l.x[b])
        for l in self.active:
            l.dyn += 1
        saved_active, saved_rec = self.active, self.rec
        sub = []
        if saved_rec is not None:
            saved_rec.append(('br', taken, sub))
            self.rec = sub
        self.active = [l for l in self.active if not taken(l)]
        state = self.scope_save()
        for _ in range(r.randint(1, 4)):
            self.one(cats=('alu', 'muldiv', 'mem'), allow_special=False)
        self.scope_restore(state)
        self.active, self.rec = saved_active, saved_rec
        self.buf.append(lbl + ':')
        return True

    def replay(self, items, lanes):
        for it in items:
            if it[0] == 'op':
                _, evs, n = it
                for l in lanes:
                    l.dyn += n
                    for e in evs(l):
                        if e[0] == 'x':
                            l.x[e[1]] = e[2]
                        elif e[0] == 'm':
                            l.mem[e[1]:e[1] + len(e[2])] = e[2]
                        else:
                            raise AssertionError(e)
            else:
                _, taken, sub = it
                for l in lanes:
                    l.dyn += 1
                self.replay(sub, [l for l in lanes if not taken(l)])

    def gen_call(self):
        r = self.rng
        if self.fn is not None:
            return False
        ok = [f for f in self.funcs if f.req <= self.defined and f.mem_req <= self.mem_w]
        if len(self.funcs) < self.p['funcs'] and (not ok or r.random() < 0.5):
            f = self.new_func()
        elif ok:
            f = r.choice(ok)
            self.replay(f.items, self.active)
        else:
            return False
        for l in self.active:
            l.dyn += 3     # ld, jalr, ret
        self.ins('ld t0, %d(gp)' % (FTAB_OFF + 8 * f.idx))
        self.ins('jalr t0', self.want_c())
        self.defined |= f.writes
        self.mem_w |= f.mem_writes
        for w in f.writes:
            if w not in self.recent:
                self.recent.append(w)
        del self.recent[:-8]
        return True

    def new_func(self):
        f = Func(len(self.funcs))
        self.funcs.append(f)
        self.fn, self.rec, self.buf = f, f.items, self.fn_out
        self.buf.append('.balign 4')
        self.buf.append('bg_func%d:' % f.idx)
        saved_recent = list(self.recent)
        for _ in range(self.rng.randint(3, 12)):
            self.one(cats=('alu', 'muldiv', 'mem', 'branch'))
        self.ins('ret', self.want_c())
        self.recent = saved_recent
        self.fn, self.rec, self.buf = None, None, self.out
        return f

    # -- program shapes ------------------------------------------------------------
    def fold(self):
        """acc += a few live values (so that the work done is checked)."""
        regs = [x for x in POOL if x in self.unread and x in self.defined]
        regs += [x for x in reversed(self.recent) if x in self.defined and x not in regs][:max(0, 2 - len(regs))]
        if not regs:
            regs = self.srcs()[:2]
        for x in regs:
            self.apply(lambda l, x=x: [('acc', l.x[x])], 1)
            self.ins('add s11, s11, %s' % RN[x], self.want_c())
        fr = [f for f in range(32) if f in self.funread and f in self.fdef]
        for f in fr:
            t = self.fdef[f]
            if t == 'd':
                self.apply(lambda l, f=f: [('acc', fbits(l.f[f][1], 'd'))], 2)
                self.ins('fmv.x.d t0, f%d' % f)
            else:
                self.apply(lambda l, f=f: [('acc', sx32(fbits(l.f[f][1], 's')))], 2)
                self.ins('fmv.x.w t0, f%d' % f)
            self.ins('add s11, s11, t0', self.want_c())

    def body(self, n):
        """Straight-line random code until n more static instructions are emitted."""
        end = self.static + n
        while self.static < end:
            self.one()

    def loop_body(self):
        """One iteration: lane-derived inputs, random body, fold, per-iteration cleanup."""
        p = self.p
        self.lanes = [Lane(i) for i in range(LANES)]
        self.active = self.lanes
        r1, r2, r3 = self.rng.sample(POOL, 3)
        self.apply(lambda l: [('x', r1, l.idx)], 1)
        self.ins('andi %s, s8, %d' % (RN[r1], LANES - 1))
        self.ins('slli t0, %s, 3' % RN[r1])
        self.ins('add t0, t0, gp')
        tb = self.table
        self.apply(lambda l: [('x', r2, int.from_bytes(tb[8 * l.idx:8 * l.idx + 8], 'little')),
                              ('x', r3, int.from_bytes(tb[8 * l.idx + 512:8 * l.idx + 520], 'little'))], 4)
        self.ins('ld %s, 0(t0)' % RN[r2])
        self.ins('ld %s, 512(t0)' % RN[r3])
        for x in (r1, r2, r3):
            self.wrote(x)
        if self.far_d:
            bits = p['footprint_pages'].bit_length() - 1
            self.apply(lambda l: [], 4)
            self.ins('li t0, %d' % p['_stride'])
            self.ins('mul t0, s8, t0')
            self.ins('slli t0, t0, %d' % (64 - bits))
            self.ins('srli tp, t0, %d' % (64 - bits - 12))
        self.body(p['body'])
        self.fold()
        if p.get('_uses_pf'):
            self.apply(lambda l: [], 2)
            self.ins('li a7, %d' % ECALL_UNMAP)
            self.ins('ecall')

    def generate(self):
        p = self.p
        out = self.out
        shape = p['shape']
        self.ins('la sp, bg_scratch')
        self.ins('la gp, bg_table')
        self.ins('la t6, _foot_base')
        acc0 = self.rng.getrandbits(64)
        self.ins('li s11, 0x%x' % acc0)
        res = {}
        if shape == 'straight':
            lane = Lane(0)
            self.lanes = self.active = [lane]
            for x in POOL:
                v = self.rng.getrandbits(64)
                lane.x[x] = v
                self.ins('li %s, 0x%x' % (RN[x], v))
                self.wrote(x)
            self.csr_def = True
            lane.csr = 0        # sscratch/fflags are zeroed by the runtime
            start = self.static
            lane.dyn = 0
            self.body(p['insns'])
            res['body_static'] = self.static - start
            self.fold()
            acc = (acc0 + lane.acc) & M64
            cnt = lane.cnt
            dyn = lane.dyn
        else:
            levels = p['levels'] if shape == 'nested' else [p['iters']]
            ctr = [S10, S9, S8][-len(levels):]
            # loop heads, outermost first
            for i, (n, c) in enumerate(zip(levels, ctr)):
                self.ins('li %s, %d' % (RN[c], n))
                out.append('.Lloop%d:' % i)
            start = self.static
            self.loop_body()
            res['body_static'] = self.static - start
            mults = []
            for i in reversed(range(len(levels))):
                c = ctr[i]
                if i < len(levels) - 1:
                    k = self.rng.getrandbits(11) | 1
                    mults.append(k)
                    self.ins('li t0, %d' % k)
                    self.ins('mul s11, s11, t0')
                    self.ins('add s11, s11, %s' % RN[c])
                self.ins('addi %s, %s, -1' % (RN[c], RN[c]))
                self.ins('bnez %s, .Lloop%d' % (RN[c], i))
            # The innermost loop: iterations s8 = N..1, lane = s8 mod 64.
            n_in = levels[-1]
            cnt_l = [n_in // LANES + (1 if 1 <= l <= n_in % LANES else 0) for l in range(LANES)]
            s_acc = sum(c * l.acc for c, l in zip(cnt_l, self.lanes)) & M64
            s_cnt = [sum(c * l.cnt[k] for c, l in zip(cnt_l, self.lanes)) for k in range(3)]
            s_dyn = sum(c * (l.dyn + 2) for c, l in zip(cnt_l, self.lanes))
            acc, cnt, dyn = acc0, [0, 0, 0], 0
            outer = levels[:-1]
            if not outer:
                acc, cnt, dyn = (acc + s_acc) & M64, s_cnt, s_dyn
            else:
                mults = list(reversed(mults))  # outermost first

                def run(level, acc):
                    if level == len(outer):
                        return (acc + s_acc) & M64
                    for c in range(outer[level], 0, -1):
                        acc = run(level + 1, acc)
                        acc = (acc * mults[level] + c) & M64
                    return acc
                acc = run(0, acc)
                tot = 1
                for n in outer:
                    tot *= n
                cnt = [x * tot for x in s_cnt]
                dyn = s_dyn * tot + 6 * tot
        res.update(acc=acc, ecalls=cnt[0], ebreaks=cnt[1], faults=cnt[2], dyn_insns=dyn)
        self.ins('mv a0, s11')
        if self.mode == 'm':
            self.ins('tail bg_finish')
        else:
            self.ins('li a7, %d' % ECALL_EXIT)
            self.ins('ecall')
        return res


# ---------------------------------------------------------------------------------
# The runtime: boot in M, optional Sv39 page tables and drop to S/U, trap handlers,
# result check and report.  Emitted per program so that each .S stands alone.

LINKER_SCRIPT = """\
/* benchgen: kernel part (M/S code and data) in the first 2 MiB of RAM, the workload
 * from +2 MiB, the memory footprint at the next 2 MiB boundary after it. */
OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS
{
  . = 0x80000000;
  .text.kernel : { *(.text.init) *(.text.kernel) }
  .data.kernel : ALIGN(16) { *(.data.kernel) }
  .bss.kernel (NOLOAD) : ALIGN(4096) { *(.bss.kernel) }
  _kernel_end = .;
  ASSERT(_kernel_end <= 0x80200000, "benchgen: kernel part exceeds 2 MiB")
  . = 0x80200000;
  .text.user : { *(.text.user) }
  .data.user : ALIGN(4096) { *(.data.user) }
  .bss.user (NOLOAD) : ALIGN(4096) { *(.bss.user) }
  _user_end = .;
  _foot_base = ALIGN(0x200000);
  /DISCARD/ : { *(.note*) *(.comment) }
}
"""


def trap_handler(x, mode):
    """x = 'm' or 's'; counters live in bg_save (24 ecalls, 32 ebreaks, 40 faults)."""
    ecause = 11 if x == 'm' else 8
    L = []
    a = L.append
    a('.balign 4')
    a('bg_%s_trap:' % x)
    a('\tcsrrw sp, %sscratch, sp' % x)
    a('\tsd t0, 0(sp)\n\tsd t1, 8(sp)\n\tsd t2, 16(sp)')
    a('\tcsrr t0, %scause' % x)
    if not (x == 'm' and mode == 'su'):
        a('\tli t1, %d\n\tbeq t0, t1, 1f' % ecause)
        a('\tli t1, 3\n\tbeq t0, t1, 2f')
    if x == 's':
        a('\tli t1, 13\n\tbeq t0, t1, 3f\n\tli t1, 15\n\tbeq t0, t1, 3f')
    a('\tcsrr s4, %sepc\n\tcsrr s5, %stval\n\tmv s3, t0\n\tj bg_unexpected' % (x, x))
    if not (x == 'm' and mode == 'su'):
        a('1:\tcsrr t1, %sepc\n\taddi t1, t1, 4\n\tcsrw %sepc, t1' % (x, x))
        if x == 's':
            a('\tli t1, %d\n\tbne a7, t1, 7f\n\ttail bg_finish\n7:' % ECALL_EXIT)
            a('\tli t1, %d\n\tbeq a7, t1, 5f' % ECALL_UNMAP)
        a('\tld t1, 24(sp)\n\taddi t1, t1, 1\n\tsd t1, 24(sp)')
        a('\tslli t1, a0, 2\n\tadd a0, a0, t1\n\tadd a0, a0, a7')
        a('\tj 9f')
        a('2:\tcsrr t1, %sepc\n\taddi t1, t1, 4\n\tcsrw %sepc, t1' % (x, x))
        a('\tld t1, 32(sp)\n\taddi t1, t1, 1\n\tsd t1, 32(sp)')
        a('\txori a0, a0, 0x5a\n\taddi a0, a0, 1')
        a('\tj 9f')
    if x == 's':
        # demand paging: map the faulting page of the demand region
        a('3:\tcsrr t0, stval\n\tli t1, 0x%x\n\tsub t0, t0, t1\n\tsrli t0, t0, 12' % DEMAND_VA)
        a('\tli t1, %d\n\tbgeu t0, t1, 4f' % DEMAND_PAGES)
        a('\tla t1, bg_demand_frames\n\tslli t2, t0, 12\n\tadd t1, t1, t2')
        a('\tsrli t1, t1, 12\n\tslli t1, t1, 10\n\tori t1, t1, 0xd7')
        a('\tla t2, bg_pt_l0_dem\n\tslli t0, t0, 3\n\tadd t2, t2, t0\n\tsd t1, 0(t2)')
        a('\tcsrr t0, stval\n\tsfence.vma t0')       # this page only, as an OS would
        a('\tld t1, 40(sp)\n\taddi t1, t1, 1\n\tsd t1, 40(sp)')
        a('\tj 9f')
        a('4:\tcsrr s4, sepc\n\tcsrr s5, stval\n\tcsrr s3, scause\n\tj bg_unexpected')
        a('5:\tla t0, bg_pt_l0_dem\n\tli t1, %d' % DEMAND_PAGES)
        a('6:\tsd zero, 0(t0)\n\taddi t0, t0, 8\n\taddi t1, t1, -1\n\tbnez t1, 6b')
        a('\tsfence.vma')
    a('9:\tld t0, 0(sp)\n\tld t1, 8(sp)\n\tld t2, 16(sp)')
    a('\tcsrrw sp, %sscratch, sp' % x)
    a('\t%sret' % x)
    return '\n'.join(L)


def runtime_asm(name, p, expected, nmax_l0):
    mode = p['mode']
    np_ = p['footprint_pages']
    L = []
    a = L.append
    a('/* benchgen runtime for %s (generated) */' % name)
    a('.option norvc')
    a('.option norelax')
    a('.option nopic')              # la = auipc+addi, never through a GOT
    a('.section .text.init, "ax"')
    a('.globl _start')
    a('_start:')
    a('\tcsrw mie, zero')
    a('\tla sp, bg_kstack_top')
    a('\tla t0, bg_m_trap\n\tcsrw mtvec, t0')
    a('\tla t0, bg_save\n\tcsrw mscratch, t0')
    a('\tsd zero, 24(t0)\n\tsd zero, 32(t0)\n\tsd zero, 40(t0)')
    a('\tli t0, 3 << 13\n\tcsrs mstatus, t0')      # FS = dirty: FP on
    a('\tfscsr zero')
    a('\tcsrw sscratch, zero')
    if np_:
        # footprint: one dword per page, value ((k & 63) * C1) ^ C2
        a('\tla t0, _foot_base\n\tli t1, %d\n\tli t2, 0x%x\n\tli t3, 0x%x\n\tli t4, 0' %
          (np_, p['_c1'], p['_c2']))
        a('1:\tandi t5, t4, 63\n\tmul t5, t5, t2\n\txor t5, t5, t3\n\tsd t5, 0(t0)')
        a('\tli t5, 4096\n\tadd t0, t0, t5\n\taddi t4, t4, 1\n\tblt t4, t1, 1b')
    if mode == 'm':
        a('\tla t0, user_main\n\tjr t0')
    else:
        # PMP: let S and U reach all of physical memory
        a('\tli t0, -1\n\tcsrw pmpaddr0, t0\n\tli t0, 0x1f\n\tcsrw pmpcfg0, t0')
        # zero root, l1_ram, l1_dem, l0_dem (contiguous)
        a('\tla t0, bg_pt_root\n\tli t1, 4 * 512')
        a('1:\tsd zero, 0(t0)\n\taddi t0, t0, 8\n\taddi t1, t1, -1\n\tbnez t1, 1b')
        a('\tla t0, bg_pt_root')
        a('\tli t1, 0xc7\n\tsd t1, 0(t0)')                       # 0..1G: MMIO, RW, not U
        a('\tla t1, bg_pt_l1_dem\n\tsrli t1, t1, 12\n\tslli t1, t1, 10\n\tori t1, t1, 1\n\tsd t1, 8(t0)')
        a('\tla t2, bg_pt_l1_dem\n\tla t1, bg_pt_l0_dem\n\tsrli t1, t1, 12\n\tslli t1, t1, 10\n\tori t1, t1, 1\n\tsd t1, 0(t2)')
        a('\tla t1, bg_pt_l1_ram\n\tsrli t1, t1, 12\n\tslli t1, t1, 10\n\tori t1, t1, 1\n\tsd t1, 16(t0)')
        # map RAM from 0x80000000 up to the footprint's end, rounded up to 2 MiB
        a('\tla a1, _foot_base\n\tli t0, %d\n\tadd a1, a1, t0' % (np_ * 4096))
        a('\tli t0, 0x1fffff\n\tadd a1, a1, t0\n\tnot t0, t0\n\tand a1, a1, t0')
        a('\tli a0, 0x80000000\n\tli a2, 0x80200000')
        a('\tla a3, bg_pt_l1_ram')
        if p['page'] == '2m':
            a('2:\tsrli t1, a0, 12\n\tslli t1, t1, 10')
            a('\tori t1, t1, 0xcf\n\tbltu a0, a2, 3f\n\tori t1, t1, 0x10')
            a('3:\tsd t1, 0(a3)\n\taddi a3, a3, 8\n\tli t0, 0x200000\n\tadd a0, a0, t0')
            a('\tbltu a0, a1, 2b')
        else:
            a('\tla a4, bg_pt_l0_ram\n\tli a5, %d' % nmax_l0)
            a('2:\tbeqz a5, bg_pt_overflow\n\taddi a5, a5, -1')
            a('\tsrli t1, a4, 12\n\tslli t1, t1, 10\n\tori t1, t1, 1\n\tsd t1, 0(a3)\n\taddi a3, a3, 8')
            a('\tli t2, 512')
            a('3:\tsrli t1, a0, 12\n\tslli t1, t1, 10')
            a('\tori t1, t1, 0xcf\n\tbltu a0, a2, 4f\n\tori t1, t1, 0x10')
            a('4:\tsd t1, 0(a4)\n\taddi a4, a4, 8\n\tli t0, 4096\n\tadd a0, a0, t0')
            a('\taddi t2, t2, -1\n\tbnez t2, 3b')
            a('\tbltu a0, a1, 2b')
        a('\tla t0, bg_s_trap\n\tcsrw stvec, t0')
        a('\tla t0, bg_save\n\tcsrw sscratch, t0')
        a('\tli t0, (1 << 8) | (1 << 3) | (1 << 12) | (1 << 13) | (1 << 15)\n\tcsrw medeleg, t0')
        a('\tcsrw mideleg, zero')
        a('\tla t0, bg_pt_root\n\tsrli t0, t0, 12\n\tli t1, 8 << 60\n\tor t0, t0, t1\n\tcsrw satp, t0')
        a('\tsfence.vma')
        a('\tli t0, 3 << 11\n\tcsrc mstatus, t0\n\tli t0, 1 << 11\n\tcsrs mstatus, t0')
        a('\tla t0, bg_s_entry\n\tcsrw mepc, t0\n\tmret')
        a('bg_s_entry:')
        a('\tli t0, 1 << 8\n\tcsrc sstatus, t0')                  # SPP = U
        a('\tla t0, user_main\n\tcsrw sepc, t0\n\tsret')
        a('bg_pt_overflow:\n\tli s3, 0x3f\n\tli s4, 0\n\tli s5, 0\n\tj bg_unexpected')
    a('.section .text.kernel, "ax"')
    a(trap_handler('m', mode))
    if mode == 'su':
        a(trap_handler('s', mode))
    a('''
bg_finish:                      # a0 = the workload's result
\tla sp, bg_kstack_top
\tla s0, bg_save
\tla s2, bg_expected
\tmv s4, a0
\tld t0, 0(s2)
\tli s3, 1
\tbne s4, t0, bg_fail
\tld s4, 24(s0)
\tld t0, 8(s2)
\tli s3, 2
\tbne s4, t0, bg_fail
\tld s4, 32(s0)
\tld t0, 16(s2)
\tli s3, 3
\tbne s4, t0, bg_fail
\tld s4, 40(s0)
\tld t0, 24(s2)
\tli s3, 4
\tbne s4, t0, bg_fail
\tla a0, bg_msg_pass
\tcall bg_puts
\tli t0, 0x100000
\tli t1, 0x5555
\tsw t1, 0(t0)
1:\tj 1b

bg_fail:                        # s3 = check number, s4 = value found
\tla a0, bg_msg_fail
\tcall bg_puts
\taddi a0, s3, '0'
\tcall bg_putc
\tla a0, bg_msg_got
\tcall bg_puts
\tmv a0, s4
\tcall bg_puthex
\tla a0, bg_msg_want
\tcall bg_puts
\taddi t0, s3, -1
\tslli t0, t0, 3
\tadd t0, s2, t0
\tld a0, 0(t0)
\tcall bg_puthex
\tli a0, 10
\tcall bg_putc
\tslli t0, s3, 16
\tli t1, 0x3333
\tor t0, t0, t1
\tli t1, 0x100000
\tsw t0, 0(t1)
1:\tj 1b

bg_unexpected:                  # s3 = cause, s4 = epc, s5 = tval
\tla sp, bg_kstack_top
\tla a0, bg_msg_trap
\tcall bg_puts
\tmv a0, s3
\tcall bg_puthex
\tla a0, bg_msg_epc
\tcall bg_puts
\tmv a0, s4
\tcall bg_puthex
\tla a0, bg_msg_tval
\tcall bg_puts
\tmv a0, s5
\tcall bg_puthex
\tli a0, 10
\tcall bg_putc
\tandi t0, s3, 0x3f
\taddi t0, t0, 0x40
\tslli t0, t0, 16
\tli t1, 0x3333
\tor t0, t0, t1
\tli t1, 0x100000
\tsw t0, 0(t1)
1:\tj 1b

bg_putc:
\tli t0, 0x10000000
1:\tlbu t1, 5(t0)
\tandi t1, t1, 0x20
\tbeqz t1, 1b
\tsb a0, 0(t0)
\tret

bg_puts:
\taddi sp, sp, -16
\tsd ra, 0(sp)
\tsd s1, 8(sp)
\tmv s1, a0
1:\tlbu a0, 0(s1)
\tbeqz a0, 2f
\tcall bg_putc
\taddi s1, s1, 1
\tj 1b
2:\tld ra, 0(sp)
\tld s1, 8(sp)
\taddi sp, sp, 16
\tret

bg_puthex:
\taddi sp, sp, -32
\tsd ra, 0(sp)
\tsd s1, 8(sp)
\tsd s6, 16(sp)
\tmv s1, a0
\tli s6, 60
1:\tsrl a0, s1, s6
\tandi a0, a0, 15
\tli t0, 10
\tblt a0, t0, 2f
\taddi a0, a0, 'a' - '0' - 10
2:\taddi a0, a0, '0'
\tcall bg_putc
\taddi s6, s6, -4
\tbgez s6, 1b
\tld ra, 0(sp)
\tld s1, 8(sp)
\tld s6, 16(sp)
\taddi sp, sp, 32
\tret
''')
    a('.section .data.kernel, "aw"')
    a('.balign 8')
    a('bg_expected:\n\t.dword 0x%x, %d, %d, %d' % (expected['acc'], expected['ecalls'],
                                                   expected['ebreaks'], expected['faults']))
    a('bg_save:\n\t.zero 64')
    a('bg_msg_pass:\t.asciz "benchgen %s: PASS\\n"' % name)
    a('bg_msg_fail:\t.asciz "benchgen %s: FAIL check "' % name)
    a('bg_msg_got:\t.asciz " got 0x"')
    a('bg_msg_want:\t.asciz " expected 0x"')
    a('bg_msg_trap:\t.asciz "benchgen %s: FAIL unexpected trap cause=0x"' % name)
    a('bg_msg_epc:\t.asciz " epc=0x"')
    a('bg_msg_tval:\t.asciz " tval=0x"')
    a('.section .bss.kernel, "aw", @nobits')
    a('.balign 4096')
    a('bg_kstack:\t.zero 4096\nbg_kstack_top:')
    if mode == 'su':
        a('bg_pt_root:\t.zero 4096\nbg_pt_l1_ram:\t.zero 4096')
        a('bg_pt_l1_dem:\t.zero 4096\nbg_pt_l0_dem:\t.zero 4096')
        a('bg_demand_frames:\t.zero %d' % (DEMAND_PAGES * 4096))
        if p['page'] == '4k':
            a('bg_pt_l0_ram:\t.zero %d' % (nmax_l0 * 4096))
    return '\n'.join(L) + '\n'


# ---------------------------------------------------------------------------------
# Program parameters and the suites

DEFAULTS = dict(mode='m', shape='loop', mix={'alu': 1}, compressed=0.0, body=100,
                iters=1000, levels=[10, 10, 10], insns=1000, footprint_pages=0,
                page='4k', funcs=0, seed=None)


def parse_mix(s):
    mix = {}
    for part in s.split(','):
        k, _, v = part.partition('=')
        k = k.strip()
        if k not in CATEGORIES:
            raise SystemExit('benchgen: unknown mix category %r (known: %s)' % (k, ', '.join(CATEGORIES)))
        mix[k] = float(v) if v else 1.0
    return mix


# The default suite.  Iteration counts are for --scale 1 (the benchmark); the meson
# test build uses a small scale.  Sized for about half a second each on qemu (TCG).
SUITES = {
    'default': [
        ('empty', dict(shape='straight', insns=0, mix={'alu': 1})),
        ('int-alu-loop', dict(mix={'alu': 1}, body=200, iters=2_000_000)),
        ('muldiv-loop', dict(mix={'muldiv': 6, 'alu': 4}, body=150, iters=800_000,
                             compressed=0.2)),
        ('mem-loop-tlb-hit', dict(mode='su', mix={'mem': 5, 'far': 3, 'alu': 2}, body=120,
                                  iters=1_000_000, footprint_pages=64, compressed=0.3)),
        ('mem-thrash', dict(mode='su', mix={'mem': 2, 'far': 6, 'alu': 2}, body=120,
                            iters=40_000, footprint_pages=16384, compressed=0.3)),
        ('branchy-loop', dict(mix={'branch': 4, 'alu': 6}, body=150, iters=3_000_000,
                              compressed=0.3)),
        ('call-ret', dict(mix={'call': 3, 'alu': 6, 'mem': 1}, body=80, iters=300_000,
                          funcs=64, compressed=0.3)),
        ('fp-single-loop', dict(mix={'fp_s': 7, 'alu': 1, 'mem': 2}, body=120,
                                iters=300_000, compressed=0.2)),
        ('fp-double-loop', dict(mix={'fp_d': 7, 'alu': 1, 'mem': 2}, body=120,
                                iters=300_000, compressed=0.2)),
        ('straight-line-2M', dict(shape='straight', insns=2_000_000,
                                  mix={'alu': 8, 'mem': 1, 'muldiv': 0.5, 'branch': 0.5},
                                  compressed=0.3)),
        ('nested-loops', dict(shape='nested', levels=[200, 50, 300],
                              mix={'alu': 6, 'mem': 2, 'branch': 2}, body=60, compressed=0.3)),
        ('csr-ecall-roundtrip', dict(mode='su', mix={'ecall': 1, 'csr': 3, 'alu': 6}, body=60,
                                     iters=15_000, compressed=0.2)),
        ('page-fault-loop', dict(mode='su', mix={'pf': 2, 'alu': 8}, body=60, iters=5_000,
                                 compressed=0.2)),
        ('compressed-heavy-loop', dict(mode='su', page='2m', mix={'alu': 7, 'mem': 2, 'branch': 1},
                                       body=150, iters=4_000_000, compressed=0.95)),
    ],
}


def suite_params(suite, scale):
    if suite not in SUITES:
        raise SystemExit('benchgen: unknown suite %r (known: %s)' % (suite, ', '.join(SUITES)))
    res = []
    for name, over in SUITES[suite]:
        p = dict(DEFAULTS)
        p.update(over)
        p = scaled(p, scale)
        res.append((name, p))
    return res


def scaled(p, scale):
    p = dict(p)
    if scale != 1:
        p['iters'] = max(1, int(p['iters'] * scale))
        if p['shape'] == 'straight' and p['insns']:
            p['insns'] = max(100, int(p['insns'] * scale))
        if p['shape'] == 'nested':
            lv = list(p['levels'])
            lv[0] = max(1, int(round(lv[0] * scale)))
            p['levels'] = lv
    return p


def build_program(name, p, outdir, cc='riscv64-linux-gnu-gcc', keep_asm=True):
    """Generate NAME.S (and NAME.json) in outdir and assemble/link NAME.elf."""
    p = dict(p)
    with open(os.path.abspath(__file__), 'rb') as f:
        key = hashlib.sha256(f.read() + json.dumps([name, p, cc], sort_keys=True).encode()).hexdigest()
    elf = os.path.join(outdir, name + '.elf')
    metaf = os.path.join(outdir, name + '.json')
    try:
        with open(metaf) as f:
            meta = json.load(f)
        if meta.get('key') == key and os.path.exists(elf) and (keep_asm is False or
                                                             os.path.exists(os.path.join(outdir, name + '.S'))):
            return elf, meta       # same generator, same parameters: same program
    except (OSError, ValueError):
        pass
    seed = p['seed'] if p['seed'] is not None else zlib.crc32(name.encode())
    rng = random.Random(seed)
    np_ = p['footprint_pages']
    if np_ and (np_ < 64 or np_ & (np_ - 1)):
        raise SystemExit('benchgen: footprint pages must be a power of two >= 64')
    if (np_ or 'far' in p['mix']) and p['shape'] == 'straight':
        raise SystemExit('benchgen: footprint (far) accesses need a loop shape')
    if 'far' in p['mix'] and not np_:
        raise SystemExit('benchgen: mix category far needs --footprint-pages')
    if 'pf' in p['mix'] and (p['mode'] != 'su' or p['shape'] == 'straight'):
        raise SystemExit('benchgen: mix category pf needs --mode su and a loop shape')
    if p['shape'] == 'nested' and not 2 <= len(p['levels']) <= 3:
        raise SystemExit('benchgen: --levels takes two or three trip counts')
    if 'call' in p['mix'] and not p['funcs']:
        p['funcs'] = 16
    p['funcs'] = min(p['funcs'], MAX_FUNCS)
    p['_c1'] = rng.getrandbits(64) | 1
    p['_c2'] = rng.getrandbits(64)
    p['_stride'] = (rng.getrandbits(20) * 2 + 1) % max(np_, 1) if np_ else 1
    g = Gen(p, rng)
    res = g.generate()
    expected = {k: res[k] for k in ('acc', 'ecalls', 'ebreaks', 'faults')}
    user_bytes = g.static * 4 + 65536
    nmax_l0 = (0x200000 + user_bytes + 0x200000 + np_ * 4096) // 0x200000 + 2
    L = [runtime_asm(name, p, expected, nmax_l0)]
    L.append('.section .text.user, "ax"')
    L.append('.option norvc')
    L.append('.globl user_main\n.balign 4\nuser_main:')
    L.extend(g.out)
    L.append('.option norvc')
    L.extend(g.fn_out)
    L.append('.section .data.user, "aw"')
    L.append('.balign 8\nbg_ftab:')
    for i in range(MAX_FUNCS):
        L.append('\t.dword %s' % ('bg_func%d' % i if i < len(g.funcs) else '0'))
    L.append('bg_table:')
    tb = g.table
    for i in range(0, len(tb), 8):
        L.append('\t.dword 0x%x' % int.from_bytes(tb[i:i + 8], 'little'))
    L.append('.section .bss.user, "aw", @nobits\n.balign 4096\nbg_scratch:\t.zero %d' % SCRATCH)
    os.makedirs(outdir, exist_ok=True)
    asm = os.path.join(outdir, name + '.S')
    with open(asm, 'w') as f:
        f.write('\n'.join(L) + '\n')
    lds = os.path.join(outdir, name + '.ld')     # one per program: parallel builds
    with open(lds, 'w') as f:
        f.write(LINKER_SCRIPT)
    elf = os.path.join(outdir, name + '.elf')
    march = 'rv64gc' if p['compressed'] > 0 else 'rv64g'
    cmd = [cc, '-nostdlib', '-nostartfiles', '-static', '-fno-pie', '-no-pie', '-march=' + march, '-mabi=lp64d',
           '-mno-relax', '-Wl,--no-relax', '-Wl,-T,' + lds, '-Wl,--build-id=none',
           '-o', elf, asm]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        sys.stderr.write(r.stderr[-4000:])
        raise SystemExit('benchgen: assembling %s failed' % name)
    meta = {
        'name': name, 'seed': seed, 'key': key,
        'params': {k: v for k, v in p.items() if not k.startswith('_')},
        'expected': {k: (hex(v) if k == 'acc' else v) for k, v in expected.items()},
        'dyn_insns': res['dyn_insns'],
        'static_insns': g.static, 'static_compressed': g.static_c,
        'body_static_insns': res['body_static'],
        'functions': len(g.funcs), 'march': march,
    }
    with open(metaf, 'w') as f:
        json.dump(meta, f, indent=1)
    if not keep_asm:
        os.unlink(asm)
    return elf, meta


# ---------------------------------------------------------------------------------
# Runner

def host_info():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    info = {'cpu': cpu, 'cpus': os.cpu_count(), 'kernel': platform.release(),
            'load': '%.1f' % os.getloadavg()[0] if hasattr(os, 'getloadavg') else '?',
            'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}
    try:
        info['rev'] = subprocess.run(['git', '-C', REPO, 'describe', '--always', '--dirty'],
                                     capture_output=True, text=True).stdout.strip()
    except OSError:
        info['rev'] = '?'
    return info


def one_run(cmd, timeout):
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, 'timeout (>%gs)' % timeout
    except OSError as e:
        return None, 'cannot run: %s' % e
    dt = time.perf_counter() - t0
    out = (r.stdout + r.stderr).decode('utf-8', 'replace')
    if r.returncode == 0 and ': PASS' in out:
        return dt, None
    lines = [x.strip() for x in out.splitlines() if x.strip()]
    fail = [x for x in lines if 'FAIL' in x]
    why = fail[0] if fail else (lines[-1] if lines else 'no output')
    if r.returncode == 0:
        why = 'exit 0 without PASS line: ' + why
    else:
        why = 'exit %d: %s' % (r.returncode, why)
    return None, why[:160]


def cmd_run(args):
    info = host_info()
    outdir = os.path.abspath(args.results)
    elfdir = os.path.join(outdir, 'elf')
    progs = suite_params(args.suite, args.scale)
    if args.only:
        want = args.only.split(',')
        progs = [x for x in progs if x[0] in want]
    print('benchgen: building %d programs into %s' % (len(progs), elfdir), file=sys.stderr)
    built = []
    for name, p in progs:
        elf, meta = build_program(name, p, elfdir, cc=args.cc, keep_asm=False)
        built.append((name, elf, meta))
    qemu = shutil.which(args.qemu) if args.qemu else None
    qver = ''
    if qemu:
        qver = subprocess.run([qemu, '--version'], capture_output=True, text=True).stdout.splitlines()[0]
    rvvm = os.path.abspath(args.rvvm) if args.rvvm else None
    emus = [('qemu', 'qemu')]
    for eng in args.engines.split(','):
        emus.append(('rvvm-' + eng, 'rvvm %s' % eng))
    mem = '256M'

    def command(emu, elf):
        if emu == 'qemu':
            return [qemu, '-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none',
                    '-serial', 'stdio', '-m', mem, '-kernel', elf]
        return [rvvm, '-bios', 'none', '-m', mem, '-accel', emu.split('-', 1)[1], '-kernel', elf]

    def unavailable(emu):
        if emu == 'qemu':
            return None if qemu else 'n/a: %s not found' % args.qemu
        if not rvvm or not os.path.exists(rvvm):
            return 'n/a: rvvm not built (%s)' % (args.rvvm or 'no path')
        return None

    # Pass 1 runs every cell once; later passes repeat the cells that passed, unless
    # the first run was slower than --slow seconds or the suite deadline has come.
    deadline = time.monotonic() + args.deadline
    results = {}
    for rep in range(args.repeat):
        for name, elf, meta in built:
            for emu, _ in emus:
                if rep == 0:
                    na = unavailable(emu)
                    if na:
                        results[(name, emu)] = ([], na)
                        continue
                    if time.monotonic() > deadline:
                        results[(name, emu)] = ([], 'skipped: suite deadline (%gs) reached' % args.deadline)
                        continue
                    results[(name, emu)] = ([], None)
                times, why = results[(name, emu)]
                if why or (times and times[0] > args.slow) or time.monotonic() > deadline:
                    continue
                dt, why = one_run(command(emu, elf), args.timeout)
                if dt is None:
                    # a failed run voids the cell: no figure from a wrong answer
                    results[(name, emu)] = ([], why if rep == 0 else 'run %d: %s' % (rep + 1, why))
                else:
                    times.append(dt)
                if rep == 0:
                    print('  %-24s %-12s %s' % (name, emu, '%.3fs' % dt if dt is not None else why),
                          file=sys.stderr)
    report(args, info, qver, built, emus, results, outdir)
    return 0


# Linux workloads (issue part 4): benchgen/linux/build.sh builds static zstd, xz and
# lua from Debian sources plus our benchutil, for riscv64 (appended to the images'
# initramfs under /bench) and natively for the host.  Each /bench/<script>.sh runs in
# its own boot (rvvm.run=), prints "BENCH-RESULT <figure> secs=... check=..." lines
# timed inside the guest, and the emulator's wall time is measured around the boot.

# script -> [(figure, kind)]: kind 'mbs' (bytes / guest secs), 'secs' (guest secs),
# 'us' (guest microseconds per op), 'wall' (the emulator process's wall time).
LINUX_SCRIPTS = [
    ('boot', [('boot-to-poweroff', 'wall')]),
    ('zstd', [('zstd-compress', 'mbs'), ('zstd-decompress', 'mbs')]),
    ('xz', [('xz-compress', 'mbs'), ('xz-decompress', 'mbs')]),
    ('lua', [('lua', 'secs')]),
    ('sys', [('sys-getpid', 'us'), ('sys-read', 'us'), ('sys-fault', 'us'), ('sys-pipe', 'us')]),
]
# The translator issue's acceptance figures: speedup over QEMU (qemu time / rvvm time).
LINUX_TARGETS = {
    'boot-to-poweroff': (2.0, 'at most half of QEMU\'s wall time'),
    'zstd-compress': (3.0, 'compression: at least 3x QEMU\'s throughput'),
    'xz-compress': (3.0, 'compression: at least 3x QEMU\'s throughput'),
    'sys-getpid': (1.0, 'syscall- and trap-heavy: not slower than QEMU'),
    'sys-read': (1.0, 'syscall- and trap-heavy: not slower than QEMU'),
    'sys-fault': (1.0, 'syscall- and trap-heavy: not slower than QEMU'),
    'sys-pipe': (1.0, 'syscall- and trap-heavy: not slower than QEMU'),
}
LINUX_UNITS = {'mbs': 'MB/s', 'secs': 's', 'us': 'us/op', 'wall': 's (wall)'}


def linux_workloads():
    """The Linux workload scripts and the figures each one prints (see cmd_linux)."""
    return LINUX_SCRIPTS


def parse_bench_output(out):
    """BENCH-RESULT lines -> {figure: {key: value}}; the first BENCH-FAIL line or None."""
    res, fail = {}, None
    for line in out.splitlines():
        line = line.strip()
        if line.startswith('BENCH-FAIL') and fail is None:
            fail = line
        elif line.startswith('BENCH-RESULT '):
            parts = line.split()
            if len(parts) >= 2:
                res[parts[1]] = dict(p.split('=', 1) for p in parts[2:] if '=' in p)
    return res, fail


def linux_one(cmd, env, timeout, script, figures, ref):
    """Run one boot (or one native script run).  Returns ({figure: seconds}, None)
    or (None, why).  Every figure the script owes must be there with a check equal
    to the native run's (ref), or the whole run is void."""
    t0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        tail = (e.stdout or b'').decode('utf-8', 'replace').strip().splitlines()[-1:]
        return None, 'timeout (>%gs)%s' % (timeout, ', last line: ' + tail[0][:80] if tail else '')
    except OSError as e:
        return None, 'cannot run: %s' % e
    wall = time.perf_counter() - t0
    out = (r.stdout + r.stderr).decode('utf-8', 'replace')
    res, fail = parse_bench_output(out)
    lines = [x.strip() for x in out.splitlines() if x.strip()]
    if fail:
        return None, fail
    if r.returncode != 0:
        return None, 'exit %d: %s' % (r.returncode, lines[-1][:120] if lines else 'no output')
    if env is None and 'exited with status 0' not in out:
        return None, 'the guest did not report /bench/%s.sh exiting with status 0' % script
    got = {}
    for fig, kind in figures:
        if kind == 'wall':
            got[fig] = wall
            continue
        if fig not in res or 'secs' not in res[fig]:
            return None, 'no BENCH-RESULT %s line' % fig
        if ref is not None and res[fig].get('check') != ref.get(fig, {}).get('check'):
            return None, 'WRONG ANSWER %s: check=%s, native check=%s' % (
                fig, res[fig].get('check'), ref.get(fig, {}).get('check'))
        got[fig] = float(res[fig]['secs'])
        got[fig + ':raw'] = res[fig]
    got['wall'] = wall
    got['raw'] = res
    return got, None


def cmd_linux(args):
    info = host_info()
    outdir = os.path.abspath(args.results)
    bench = os.path.abspath(args.bench_dir)
    images = os.path.abspath(args.images)
    if not args.no_build:
        b = subprocess.run(['sh', os.path.join(HERE, 'linux', 'build.sh'), bench, images],
                           stdout=sys.stderr)
        if b.returncode != 0:
            raise SystemExit('benchgen: benchgen/linux/build.sh failed')
    kernel = os.path.join(images, 'Image')
    initrd = os.path.join(bench, 'initramfs-bench.cpio.gz')
    for f in (kernel, initrd):
        if not os.path.exists(f):
            raise SystemExit('benchgen: %s missing (run benchgen/linux/build.sh)' % f)
    scripts = [s for s in LINUX_SCRIPTS if not args.only or s[0] in args.only.split(',')]
    settings = ' '.join('bench.' + s for s in args.set)
    qemu = shutil.which(args.qemu) if args.qemu else None
    qver = subprocess.run([qemu, '--version'], capture_output=True,
                          text=True).stdout.splitlines()[0] if qemu else ''
    rvvm = os.path.abspath(args.rvvm) if args.rvvm else None
    emus = [('native', 'native x86-64')] if args.native else []
    emus += [('qemu', 'qemu')]
    emus += [('rvvm-' + e, 'rvvm ' + e) for e in args.engines.split(',') if e]
    native_dir = os.path.join(bench, 'native', 'bench')

    def command(emu, script):
        append = 'console=ttyS0 rvvm.run=/bench/%s.sh %s' % (script, settings)
        if emu == 'native':
            return ['sh', os.path.join(native_dir, script + '.sh')]
        if emu == 'qemu':
            return [qemu, '-M', 'virt', '-m', args.mem, '-nographic', '-kernel', kernel,
                    '-initrd', initrd, '-append', append.strip()]
        return [rvvm, '-accel', emu.split('-', 1)[1], '-m', args.mem, '-kernel', kernel,
                '-initrd', initrd, '-append', append.strip()]

    def unavailable(emu):
        if emu == 'native':
            return None if os.path.isdir(native_dir) else 'n/a: no native build (host not x86-64?)'
        if emu == 'qemu':
            return None if qemu else 'n/a: %s not found' % args.qemu
        if not rvvm or not os.path.exists(rvvm):
            return 'n/a: rvvm not built (%s)' % (args.rvvm or 'no path')
        return None

    # Native first: its checks are the reference answers.  results[(script, emu)]
    # = ([run dicts], why).
    results, refs = {}, {}
    deadline = time.monotonic() + args.deadline
    tmp = os.path.join(outdir, 'native-tmp')
    for rep in range(args.repeat):
        for script, figures in scripts:
            for emu, _ in emus:
                key = (script, emu)
                if rep == 0:
                    na = unavailable(emu)
                    if not na and time.monotonic() > deadline:
                        na = 'skipped: deadline (%gs) reached' % args.deadline
                    results[key] = ([], na)
                runs, why = results[key]
                if why or (runs and runs[0]['wall'] > args.slow) or time.monotonic() > deadline:
                    continue
                env = None
                if emu == 'native':
                    os.makedirs(tmp, exist_ok=True)
                    env = dict(os.environ, BENCH_DIR=native_dir, BENCH_TMP=tmp, BENCH_ARGS=settings)
                ref = refs.get(script) if emu != 'native' else None
                if emu != 'native' and args.native and ref is None:
                    results[key] = ([], 'no native reference answer (%s)' % (
                        results[(script, 'native')][1] or 'failed'))
                    continue
                got, why = linux_one(command(emu, script), env, args.timeout, script, figures, ref)
                if got is None:
                    results[key] = ([], why if rep == 0 else 'run %d: %s' % (rep + 1, why))
                else:
                    runs.append(got)
                    if emu == 'native' and script not in refs:
                        refs[script] = got['raw']
                if rep == 0:
                    print('  %-6s %-12s %s' % (script, emu, '%.2fs wall' % got['wall'] if got else why),
                          file=sys.stderr)
    if os.path.isdir(tmp):
        shutil.rmtree(tmp, ignore_errors=True)
    linux_report(args, info, qver, scripts, emus, results, outdir, settings)
    return 0


def linux_report(args, info, qver, scripts, emus, results, outdir, settings):
    os.makedirs(outdir, exist_ok=True)
    rvvm_emus = [e for e in emus if e[0].startswith('rvvm')]

    def med(script, emu, fig):
        runs = results[(script, emu)][0]
        return statistics.median(r[fig] for r in runs) if runs else None

    def value(kind, secs, raw):
        if kind == 'mbs':
            return int(raw['bytes']) / secs / 1e6
        if kind == 'us':
            return secs / int(raw['ops']) * 1e6
        return secs

    head = ['figure', 'unit']
    for emu, label in emus:
        head.append(label)
        if emu.startswith('rvvm'):
            head.append('%s vs qemu' % label)
    head.append('target (vs qemu)')
    rows, csvrows, notes, ratios, svg_results, names = [], [], [], {}, {}, []
    for script, figures in scripts:
        for fig, kind in figures:
            names.append(fig)
            row = [fig, LINUX_UNITS[kind]]
            qs = med(script, 'qemu', fig)
            tgt = LINUX_TARGETS.get(fig)
            verdict = []
            for emu, label in emus:
                runs, why = results[(script, emu)]
                s = med(script, emu, fig)
                ratio = None
                if emu == 'native' and kind == 'wall':
                    row.append('n/a')     # no boot on the host: see the wall-time table
                elif s is not None:
                    raw = runs[0].get(fig + ':raw', {})
                    mark = '' if len(runs) == args.repeat else ' (%d)' % len(runs)
                    row.append('%.*f%s' % (3 if kind != 'mbs' else 1, value(kind, s, raw), mark))
                else:
                    key = why.split(':')[0] if why.startswith(('n/a', 'skipped')) else 'FAIL'
                    row.append(key)
                    notes.append((label, why, script))
                if emu.startswith('rvvm'):
                    if s is not None and qs:
                        ratio = qs / s
                    row.append('%.2f' % ratio if ratio else 'n/a')
                    ratios[(fig, emu)] = ratio
                    svg_results[(fig, emu)] = ([s] if s else [], why)
                    if tgt:
                        verdict.append('%s %s' % (emu.split('-', 1)[1],
                                                  'met' if ratio and ratio >= tgt[0] else 'not met'))
                csvrows.append([fig, script, emu, len(runs), LINUX_UNITS[kind],
                                '%.6f' % s if s is not None else '',
                                '%.4f' % value(kind, s, runs[0].get(fig + ':raw', {})) if s is not None else '',
                                'ok' if s is not None else why,
                                '%.4f' % ratio if ratio else '',
                                ' '.join('%.4f' % r[fig] for r in runs),
                                ' '.join('%.4f' % r['wall'] for r in runs)])
            row.append('>= %g: %s' % (tgt[0], ', '.join(verdict)) if tgt else '')
            rows.append(row)
    # wall time of each boot (native: the script alone)
    whead = ['script'] + [label for _, label in emus] + ['%s vs qemu' % l for _, l in rvvm_emus]
    wrows = []
    for script, _ in scripts:
        row = [script]
        for emu, _ in emus:
            runs, why = results[(script, emu)]
            row.append('%.2f' % statistics.median(r['wall'] for r in runs) if runs else
                       (why.split(':')[0] if why.startswith(('n/a', 'skipped')) else 'FAIL'))
        q = results[(script, 'qemu')][0]
        for emu, _ in rvvm_emus:
            r = results[(script, emu)][0]
            row.append('%.2f' % (statistics.median(x['wall'] for x in q) /
                                 statistics.median(x['wall'] for x in r)) if q and r else 'n/a')
        wrows.append(row)

    md = []
    md.append('Linux workloads: the images\' kernel with `build/bench-linux/initramfs-bench.cpio.gz`, '
              'one boot per script (`rvvm.run=/bench/<script>.sh`), `-m %s`; native: the same '
              'sources built for the host, run directly. Median of %d runs; figures timed inside '
              'the guest (CLOCK_MONOTONIC) except boot-to-poweroff, the emulator\'s wall time.'
              % (args.mem, args.repeat))
    md.append('')
    md.append('Command: `%s`' % ' '.join(['benchgen.py'] + sys.argv[1:]))
    md.append('')
    md.append('Host: %s, %s CPUs, Linux %s, load average %s at start, %s; rvvm %s; %s.' % (
        info['cpu'], info['cpus'], info['kernel'], info['load'], qver or 'qemu not found',
        info['rev'], info['date']))
    if settings:
        md.append('')
        md.append('Settings: `%s`' % settings)
    md.append('')
    md.append('**vs qemu = QEMU time / rvvm time (for MB/s: rvvm / QEMU): above 1 means rvvm '
              'is faster.** A figure counts only if the script finished, the emulator exited 0 '
              'and every check equals the native build\'s.')
    md.append('')
    md.append('| ' + ' | '.join(head) + ' |')
    md.append('|' + '|'.join(['---', '---'] + ['---:'] * (len(head) - 3) + ['---']) + '|')
    for row in rows:
        md.append('| ' + ' | '.join(row) + ' |')
    md.append('')
    md.append('Wall time of each boot, seconds (startup, kernel boot, input generation, '
              'checks and poweroff included):')
    md.append('')
    md.append('| ' + ' | '.join(whead) + ' |')
    md.append('|' + '|'.join(['---'] + ['---:'] * (len(whead) - 1)) + '|')
    for row in wrows:
        md.append('| ' + ' | '.join(row) + ' |')
    md.append('')
    if any(len(results[k][0]) not in (0, args.repeat) for k in results):
        md.append('(n): only n runs: the first took over %gs (--slow) or the deadline (%gs) came.'
                  % (args.slow, args.deadline))
        md.append('')
    if notes:
        md.append('Cells without a figure:')
        md.append('')
        seen = set()
        for label, why, script in notes:
            if (label, script) in seen:
                continue
            seen.add((label, script))
            md.append(('- %s, %s.sh: %s' % (label, script, why)).replace('|', '/'))
        md.append('')
    text = '\n'.join(md)
    print(text)
    with open(os.path.join(outdir, 'linux.md'), 'w') as f:
        f.write(text)
    with open(os.path.join(outdir, 'linux.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['figure', 'script', 'emulator', 'runs', 'unit', 'median_guest_s', 'median_value',
                    'status', 'ratio_vs_qemu', 'guest_s', 'wall_s'])
        w.writerows(csvrows)
    svg = make_svg(names, rvvm_emus, ratios, svg_results, info,
                   title='benchgen Linux workloads: rvvm speed / QEMU speed (log scale, &gt;1 = rvvm faster)')
    with open(os.path.join(outdir, 'linux.svg'), 'w') as f:
        f.write(svg)
    print('benchgen: wrote %s/linux.{md,csv,svg}' % outdir, file=sys.stderr)
    if args.update_docs:
        update_docs(args.update_docs, text, svg, args, section='bench-linux',
                    svg_name='benchmarks-linux.svg')


def report(args, info, qver, built, emus, results, outdir):
    os.makedirs(outdir, exist_ok=True)
    rvvm_emus = [e for e in emus if e[0] != 'qemu']
    med = {k: statistics.median(v[0]) for k, v in results.items() if v[0]}
    head = ['program', 'guest insns']
    for emu, label in emus:
        head += ['%s min' % label, '%s median' % label]
        if emu != 'qemu':
            head += ['%s ratio' % label, '%s net ratio' % label]
    rows, csvrows, notes, ratios = [], [], [], {}
    few = False
    for name, elf, meta in built:
        row = [name, '%.3g' % meta['dyn_insns'] if meta['dyn_insns'] else '0']
        qmed = med.get((name, 'qemu'))
        for emu, label in emus:
            times, why = results[(name, emu)]
            ratio = net = None
            if times:
                mark = '' if len(times) == args.repeat else ' (%d)' % len(times)
                few = few or bool(mark)
                row += ['%.3f%s' % (min(times), mark), '%.3f' % med[(name, emu)]]
            else:
                key = why.split(':')[0] if why.startswith(('n/a', 'skipped')) else 'FAIL'
                row += [key, key]
                notes.append((label, why, name))
            if emu != 'qemu':
                if times and qmed:
                    ratio = qmed / med[(name, emu)]
                    qe, re_ = med.get(('empty', 'qemu')), med.get(('empty', emu))
                    if qe is not None and re_ is not None and name != 'empty':
                        qn, rn = qmed - qe, med[(name, emu)] - re_
                        if qn > 0.01 and rn > 0.01:
                            net = qn / rn
                row += ['%.2f' % ratio if ratio else 'n/a', '%.2f' % net if net else 'n/a']
                ratios[(name, emu)] = ratio
            csvrows.append([name, emu, len(times), '%.4f' % min(times) if times else '',
                            '%.4f' % med[(name, emu)] if times else '', 'ok' if times else why,
                            '%.4f' % ratio if ratio else '', '%.4f' % net if net else '',
                            meta['dyn_insns'], ' '.join('%.4f' % x for x in times)])
        rows.append(row)
    md = []
    md.append('benchgen suite `%s` at scale %g: wall time in seconds of each emulator process, '
              'startup included; min and median of %d runs.' % (args.suite, args.scale, args.repeat))
    md.append('')
    md.append('Command: `%s`' % ' '.join(['benchgen.py'] + sys.argv[1:]))
    md.append('')
    md.append('Host: %s, %s CPUs, Linux %s, load average %s at start, %s; rvvm %s; %s.' % (
        info['cpu'], info['cpus'], info['kernel'], info['load'], qver or 'qemu not found',
        info['rev'], info['date']))
    md.append('')
    md.append('**ratio = qemu median / rvvm median: above 1 means rvvm is faster than QEMU.** '
              'net ratio: the same after subtracting each emulator\'s `empty` (startup) median.')
    md.append('')
    md.append('| ' + ' | '.join(head) + ' |')
    md.append('|' + '|'.join(['---'] + ['---:'] * (len(head) - 1)) + '|')
    for row in rows:
        md.append('| ' + ' | '.join(row) + ' |')
    md.append('')
    if few:
        md.append('(n) after a time: only n runs, because the first run took over %gs '
                  '(--slow) or the suite deadline (%gs) came.' % (args.slow, args.deadline))
        md.append('')
    md.append('Linux workloads (zstd, xz, lua, syscall loops, boot to poweroff): '
              '`benchgen.py linux`, in their own section.')
    if notes:
        md.append('')
        md.append('Cells without a figure:')
        md.append('')
        grouped = {}
        for label, why, name in notes:
            grouped.setdefault((label, why), []).append(name)
        for (label, why), names in grouped.items():
            which = 'all programs' if len(names) == len(built) else ', '.join(names)
            md.append(('- %s, %s: %s' % (label, which, why)).replace('|', '/'))
    text = '\n'.join(md) + '\n'
    print(text)
    with open(os.path.join(outdir, 'bench.md'), 'w') as f:
        f.write(text)
    with open(os.path.join(outdir, 'bench.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['program', 'emulator', 'runs', 'min_s', 'median_s', 'status',
                    'ratio_qemu_over_emulator', 'net_ratio', 'guest_insns', 'times_s'])
        w.writerows(csvrows)
    svg = make_svg([b[0] for b in built], rvvm_emus, ratios, results, info)
    with open(os.path.join(outdir, 'bench.svg'), 'w') as f:
        f.write(svg)
    print('benchgen: wrote %s/bench.{md,csv,svg}' % outdir, file=sys.stderr)
    if args.update_docs:
        update_docs(args.update_docs, text, svg, args)


def update_docs(path, table, svg, args, section='bench', svg_name='benchmarks.svg'):
    with open(path) as f:
        doc = f.read()
    b, e = '<!-- %s:begin -->' % section, '<!-- %s:end -->' % section
    if b not in doc or e not in doc:
        raise SystemExit('benchgen: %s has no %s ... %s section' % (path, b, e))
    pre, rest = doc.split(b, 1)
    _, post = rest.split(e, 1)
    with open(path, 'w') as f:
        f.write(pre + b + '\n' + table + '\n![ratios](%s)\n' % svg_name + e + post)
    with open(os.path.join(os.path.dirname(path), svg_name), 'w') as f:
        f.write(svg)
    print('benchgen: updated %s' % path, file=sys.stderr)


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def make_svg(names, rvvm_emus, ratios, results, info,
             title='benchgen: QEMU time / rvvm time (log scale, &gt;1 = rvvm faster)'):
    """Horizontal bars of qemu/rvvm on a log2 axis; 1 (parity with QEMU) marked."""
    colors = ['#3b7dd8', '#e07b28', '#3a9a5b', '#9b59b6']
    lo, hi = -4, 6        # log2 range: 1/16 .. 64
    for v in ratios.values():
        if v:
            lo = min(lo, math.floor(math.log2(v)))
            hi = max(hi, math.ceil(math.log2(v)))
    left, width, rowh = 190, 520, 14 * max(1, len(rvvm_emus)) + 8
    top = 60
    h = top + rowh * len(names) + 60
    W = left + width + 230
    x = lambda v: left + (math.log2(v) - lo) / (hi - lo) * width
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">' % (W, h)]
    o.append('<rect width="100%" height="100%" fill="white"/>')
    o.append('<text x="10" y="18" font-size="14" font-weight="bold">%s</text>' % title)
    o.append('<text x="10" y="36">%s, %s CPUs, %s</text>' % (esc(info['cpu']), info['cpus'], esc(info['date'])))
    for k in range(lo, hi + 1):
        xx = left + (k - lo) / (hi - lo) * width
        o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>' % (
            xx, top - 5, xx, top + rowh * len(names), '#000' if k == 0 else '#ddd'))
        lab = ('%g' % (2.0 ** k)) if k >= 0 else '1/%d' % (2 ** -k)
        o.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (xx, top + rowh * len(names) + 14, lab))
    for i, n in enumerate(names):
        y = top + i * rowh
        o.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (left - 6, y + rowh / 2 + 4, esc(n)))
        for j, (emu, label) in enumerate(rvvm_emus):
            yy = y + 4 + j * 14
            v = ratios.get((n, emu))
            c = colors[j % len(colors)]
            if v:
                x0, x1 = x(1.0), x(v)
                o.append('<rect x="%.1f" y="%d" width="%.1f" height="11" fill="%s"/>' % (
                    min(x0, x1), yy, max(1.0, abs(x1 - x0)), c))
                o.append('<text x="%.1f" y="%d">%.2f</text>' % (max(x0, x1) + 3, yy + 9, v))
            else:
                why = results[(n, emu)][1] or 'n/a'
                o.append('<text x="%.1f" y="%d" fill="%s">%s: %s</text>' % (
                    x(1.0) + 3, yy + 9, c, esc(label), esc(why[:60])))
    ly = top + rowh * len(names) + 34
    for j, (emu, label) in enumerate(rvvm_emus):
        o.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (left + j * 140, ly, colors[j % len(colors)]))
        o.append('<text x="%d" y="%d">%s</text>' % (left + j * 140 + 14, ly + 9, esc(label)))
    o.append('</svg>')
    return '\n'.join(o) + '\n'


# ---------------------------------------------------------------------------------

def cmd_suite(args):
    progs = suite_params(args.suite, args.scale)
    if args.only:
        want = args.only.split(',')
        unknown = set(want) - {n for n, _ in progs}
        if unknown:
            raise SystemExit('benchgen: not in suite %s: %s' % (args.suite, ', '.join(sorted(unknown))))
        progs = [x for x in progs if x[0] in want]
    for name, p in progs:
        elf, meta = build_program(name, p, args.out, cc=args.cc, keep_asm=not args.no_asm)
        print('%-24s %s  dyn %.3g insns, static %d (%d compressed)' % (
            name, elf, meta['dyn_insns'], meta['static_insns'], meta['static_compressed']))
    return 0


def cmd_list(args):
    for name, p in suite_params(args.suite, args.scale):
        if args.names_only:
            print(name)
            continue
        desc = {k: v for k, v in p.items() if DEFAULTS.get(k) != v or k in ('mode', 'shape')}
        print('%-24s %s' % (name, json.dumps(desc)))
    return 0


def cmd_gen(args):
    p = dict(DEFAULTS)
    p.update(mode=args.mode, shape=args.shape, mix=parse_mix(args.mix),
             compressed=args.compressed, body=args.body, iters=args.iters,
             levels=[int(x) for x in args.levels.split(',')], insns=args.insns,
             footprint_pages=args.footprint_pages, page=args.page, funcs=args.funcs,
             seed=args.seed)
    p = scaled(p, args.scale)
    elf, meta = build_program(args.name, p, args.out, cc=args.cc)
    print(json.dumps(meta, indent=1))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog='benchgen', description=__doc__.split('\n\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)

    def common(s):
        s.add_argument('--scale', type=float, default=1.0,
                       help='multiply iteration counts (and straight-line length) by this')
        s.add_argument('--cc', default='riscv64-linux-gnu-gcc')

    g = sub.add_parser('gen', help='generate one program')
    common(g)
    g.add_argument('--name', required=True)
    g.add_argument('--out', default='.')
    g.add_argument('--mode', choices=['m', 'su'], default='m',
                   help='m: M-mode, no translation; su: Sv39, workload in U, traps to S')
    g.add_argument('--shape', choices=['loop', 'nested', 'straight'], default='loop')
    g.add_argument('--mix', default='alu=1', help='weights, e.g. alu=6,muldiv=2,mem=2 (%s)' % ','.join(CATEGORIES))
    g.add_argument('--compressed', type=float, default=0.0, help='share of 16-bit instructions, 0..1')
    g.add_argument('--body', type=int, default=100, help='loop body size, instructions')
    g.add_argument('--iters', type=int, default=1000)
    g.add_argument('--levels', default='10,10,10', help='nested loop trip counts, outermost first')
    g.add_argument('--insns', type=int, default=1000, help='straight-line length')
    g.add_argument('--footprint-pages', type=int, default=0, help='4 KiB pages touched by far accesses')
    g.add_argument('--page', choices=['4k', '2m'], default='4k', help='Sv39 leaf size for RAM')
    g.add_argument('--funcs', type=int, default=0, help='number of small functions (call mix)')
    g.add_argument('--seed', type=int, default=None)
    g.set_defaults(fn=cmd_gen)

    s = sub.add_parser('suite', help='build a named suite')
    common(s)
    s.add_argument('--suite', default='default')
    s.add_argument('--out', required=True)
    s.add_argument('--only', help='comma-separated program names')
    s.add_argument('--no-asm', action='store_true', help='delete the .S files after building')
    s.set_defaults(fn=cmd_suite)

    r = sub.add_parser('run', help='build a suite and time it on rvvm and qemu')
    common(r)
    r.add_argument('--suite', default='default')
    r.add_argument('--only', help='comma-separated program names')
    r.add_argument('--repeat', type=int, default=3)
    r.add_argument('--engines', default='interp,jit')
    r.add_argument('--rvvm', default=os.path.join(REPO, 'build', 'rvvm'))
    r.add_argument('--qemu', default='qemu-system-riscv64')
    r.add_argument('--timeout', type=float, default=20.0, help='seconds per run before it counts as failed')
    r.add_argument('--slow', type=float, default=4.0,
                   help='a cell whose first run takes longer is not repeated')
    r.add_argument('--deadline', type=float, default=240.0,
                   help='seconds of running after which no new run starts')
    r.add_argument('--results', default=os.path.join(REPO, 'build', 'bench'))
    r.add_argument('--update-docs', metavar='MD', help='replace the bench section of this file')
    r.set_defaults(fn=cmd_run)

    lx = sub.add_parser('linux', help='time the Linux workloads on rvvm, qemu and natively')
    lx.add_argument('--rvvm', default=os.path.join(REPO, 'build', 'rvvm'))
    lx.add_argument('--engines', default='interp,jit')
    lx.add_argument('--qemu', default='qemu-system-riscv64')
    lx.add_argument('--no-native', dest='native', action='store_false',
                    help='no native run (then checks are not compared with a reference)')
    lx.add_argument('--images', default=os.path.join(REPO, 'build', 'images'),
                    help='images/build.sh output: Image, initramfs.cpio.gz')
    lx.add_argument('--bench-dir', default=os.path.join(REPO, 'build', 'bench-linux'),
                    help='benchgen/linux/build.sh output')
    lx.add_argument('--no-build', action='store_true',
                    help='do not run benchgen/linux/build.sh first (it is a no-op when up to date)')
    lx.add_argument('--only', help='comma-separated scripts: %s' % ','.join(s for s, _ in LINUX_SCRIPTS))
    lx.add_argument('--set', action='append', default=[], metavar='NAME=VALUE',
                    help='workload setting, e.g. zstd.mib=4 (kernel command line bench.NAME=VALUE)')
    lx.add_argument('--mem', default='512M')
    lx.add_argument('--repeat', type=int, default=3)
    lx.add_argument('--timeout', type=float, default=180.0, help='seconds per boot before it counts as failed')
    lx.add_argument('--slow', type=float, default=60.0,
                    help='a cell whose first boot takes longer (wall) is not repeated')
    lx.add_argument('--deadline', type=float, default=1500.0,
                    help='seconds of running after which no new boot starts')
    lx.add_argument('--results', default=os.path.join(REPO, 'build', 'bench'))
    lx.add_argument('--update-docs', metavar='MD', help='replace the bench-linux section of this file')
    lx.set_defaults(fn=cmd_linux)

    li = sub.add_parser('list', help='list a suite')
    common(li)
    li.add_argument('--suite', default='default')
    li.add_argument('--names-only', action='store_true')
    li.set_defaults(fn=cmd_list)

    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == '__main__':
    sys.exit(main())
