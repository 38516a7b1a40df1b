#!/usr/bin/env python3
"""Generate IEEE-754 test vectors for tests/guest/f.c and d.c.

Expected results come from exact rational arithmetic (fractions) rounded by
round_rat() below with RISC-V rules: tininess after rounding, canonical NaN,
saturating conversions, minimumNumber/maximumNumber fmin/fmax. The output
(fpvec_s.h, fpvec_d.h) is committed; run again after changing the inputs:
    python3 tests/guest/gen/fpgen.py tests/guest
Every vector is checked on qemu-system-riscv64 by the guest tests themselves.
"""
import sys
from fractions import Fraction as F
from math import isqrt

NV, DZ, OF, UF, NX = 0x10, 0x08, 0x04, 0x02, 0x01
RNE, RTZ, RDN, RUP, RMM = 0, 1, 2, 3, 4
RMS = [RNE, RTZ, RDN, RUP, RMM]


class Fmt:
    def __init__(self, name, p, ebits):
        self.name, self.p, self.ebits = name, p, ebits
        self.bias = (1 << (ebits - 1)) - 1
        self.emin, self.emax = 1 - self.bias, self.bias
        self.width = p + ebits
        self.cnan = ((1 << ebits) - 1) << (p - 1) | (1 << (p - 2))
        self.inf = ((1 << ebits) - 1) << (p - 1)
        self.sign = 1 << (self.width - 1)
        self.maxf = self.inf - 1


S = Fmt('s', 24, 8)
D = Fmt('d', 53, 11)


def decode(f, x):
    sign = (x >> (f.width - 1)) & 1
    e = (x >> (f.p - 1)) & ((1 << f.ebits) - 1)
    m = x & ((1 << (f.p - 1)) - 1)
    if e == (1 << f.ebits) - 1:
        if m == 0:
            return ('inf', sign)
        return ('qnan' if m >> (f.p - 2) else 'snan', sign)
    if e == 0:
        v = F(m) * F(2) ** (f.emin - (f.p - 1))
    else:
        v = F(m | (1 << (f.p - 1))) * F(2) ** (e - f.bias - (f.p - 1))
    if v == 0:
        return ('zero', sign)
    return ('num', -v if sign else v)


def isnan(d):
    return d[0] in ('qnan', 'snan')


def val(d):
    """Finite value (zeros as 0) of a decoded non-NaN, non-inf operand."""
    return d[1] if d[0] == 'num' else F(0)


def zero(f, neg):
    return f.sign if neg else 0


def infb(f, neg):
    return (f.sign if neg else 0) | f.inf


def round_with(m, rm, neg):
    """Round the non-negative rational m to an integer."""
    n = m.numerator // m.denominator
    rem = m - n
    if rem:
        if rm == RNE:
            if rem > F(1, 2) or (rem == F(1, 2) and n & 1):
                n += 1
        elif rm == RMM:
            if rem >= F(1, 2):
                n += 1
        elif rm == RDN:
            n += 1 if neg else 0
        elif rm == RUP:
            n += 0 if neg else 1
    return n, rem != 0


def ilog2(a):
    e = a.numerator.bit_length() - a.denominator.bit_length()
    while F(2) ** e > a:
        e -= 1
    while F(2) ** (e + 1) <= a:
        e += 1
    return e


def round_rat(f, q, rm):
    """Round nonzero rational q to format f: (bits, flags)."""
    assert q != 0
    neg = q < 0
    a = -q if neg else q
    e = ilog2(a)
    # tininess after rounding: round with unbounded exponent range
    qe_unb = e - (f.p - 1)
    n_unb, _ = round_with(a / F(2) ** qe_unb, rm, neg)
    tiny = n_unb * F(2) ** qe_unb < F(2) ** f.emin
    qe = max(e, f.emin) - (f.p - 1)
    n, inexact = round_with(a / F(2) ** qe, rm, neg)
    if n == 1 << f.p:
        n >>= 1
        qe += 1
    flags = NX if inexact else 0
    if n >= 1 << (f.p - 1) and qe + f.p - 1 > f.emax:
        flags = OF | NX
        to_inf = rm in (RNE, RMM) or (rm == RUP and not neg) or (rm == RDN and neg)
        return (infb(f, neg) if to_inf else (f.sign if neg else 0) | f.maxf), flags
    if tiny and inexact:
        flags |= UF
    if n < 1 << (f.p - 1):
        bits = n
    else:
        bits = ((qe + f.p - 1 + f.bias) << (f.p - 1)) | (n - (1 << (f.p - 1)))
    return (f.sign if neg else 0) | bits, flags


def nan_flags(*ds):
    return NV if any(d[0] == 'snan' for d in ds) else 0


def exact_zero_sum(f, rm, sa, sb):
    """Sign of an exactly-zero sum: x + y with signs sa, sb of the addends."""
    if sa == sb:
        return zero(f, sa)
    return zero(f, rm == RDN)


def add(f, x, y, rm, sub=False):
    a, b = decode(f, x), decode(f, y ^ (f.sign if sub else 0))
    if isnan(a) or isnan(b):
        return f.cnan, nan_flags(a, b)
    if a[0] == 'inf' and b[0] == 'inf':
        return (infb(f, a[1]), 0) if a[1] == b[1] else (f.cnan, NV)
    if a[0] == 'inf':
        return infb(f, a[1]), 0
    if b[0] == 'inf':
        return infb(f, b[1]), 0
    s = val(a) + val(b)
    if s == 0:
        if a[0] == 'zero' and b[0] == 'zero':
            return exact_zero_sum(f, rm, a[1], b[1]), 0
        return zero(f, rm == RDN), 0
    return round_rat(f, s, rm)


def sgn(d):
    if d[0] in ('zero', 'inf', 'qnan', 'snan'):
        return d[1]
    return 1 if d[1] < 0 else 0


def mul(f, x, y, rm):
    a, b = decode(f, x), decode(f, y)
    if isnan(a) or isnan(b):
        return f.cnan, nan_flags(a, b)
    s = sgn(a) ^ sgn(b)
    if (a[0] == 'inf' and b[0] == 'zero') or (a[0] == 'zero' and b[0] == 'inf'):
        return f.cnan, NV
    if a[0] == 'inf' or b[0] == 'inf':
        return infb(f, s), 0
    if a[0] == 'zero' or b[0] == 'zero':
        return zero(f, s), 0
    return round_rat(f, val(a) * val(b), rm)


def div(f, x, y, rm):
    a, b = decode(f, x), decode(f, y)
    if isnan(a) or isnan(b):
        return f.cnan, nan_flags(a, b)
    s = sgn(a) ^ sgn(b)
    if (a[0] == 'inf' and b[0] == 'inf') or (a[0] == 'zero' and b[0] == 'zero'):
        return f.cnan, NV
    if a[0] == 'inf':
        return infb(f, s), 0
    if b[0] == 'inf':
        return zero(f, s), 0
    if b[0] == 'zero':
        return infb(f, s), DZ
    if a[0] == 'zero':
        return zero(f, s), 0
    return round_rat(f, val(a) / val(b), rm)


def sqrt(f, x, rm):
    a = decode(f, x)
    if isnan(a):
        return f.cnan, nan_flags(a)
    if a[0] == 'zero':
        return x, 0
    if sgn(a):
        return f.cnan, NV
    if a[0] == 'inf':
        return x, 0
    v = val(a)
    S2 = 1200
    t = v * F(2) ** (2 * S2)
    assert t.denominator == 1
    r = isqrt(t.numerator)
    q = F(r, 2 ** S2) if r * r == t.numerator else F(2 * r + 1, 2 ** (S2 + 1))
    return round_rat(f, q, rm)


def fma(f, x, y, z, rm, negprod, negc):
    a, b, c = decode(f, x), decode(f, y), decode(f, z ^ (f.sign if negc else 0))
    if (a[0] == 'inf' and b[0] == 'zero') or (a[0] == 'zero' and b[0] == 'inf'):
        return f.cnan, NV
    if isnan(a) or isnan(b) or isnan(c):
        return f.cnan, nan_flags(a, b, c)
    ps = sgn(a) ^ sgn(b) ^ (1 if negprod else 0)
    pinf = a[0] == 'inf' or b[0] == 'inf'
    if pinf and c[0] == 'inf':
        return (infb(f, ps), 0) if ps == c[1] else (f.cnan, NV)
    if pinf:
        return infb(f, ps), 0
    if c[0] == 'inf':
        return infb(f, c[1]), 0
    p = val(a) * val(b) * (-1 if negprod else 1)
    s = p + val(c)
    if s == 0:
        if p == 0 and c[0] == 'zero':
            return exact_zero_sum(f, rm, ps, c[1]), 0
        return zero(f, rm == RDN), 0
    return round_rat(f, s, rm)


def minmax(f, x, y, is_max):
    a, b = decode(f, x), decode(f, y)
    fl = nan_flags(a, b)
    if isnan(a) and isnan(b):
        return f.cnan, fl
    if isnan(a):
        return y, fl
    if isnan(b):
        return x, fl
    ka = (val(a), -sgn(a) if a[0] == 'zero' else 0) if a[0] != 'inf' else (F(10) ** 400 * (-1 if a[1] else 1), 0)
    kb = (val(b), -sgn(b) if b[0] == 'zero' else 0) if b[0] != 'inf' else (F(10) ** 400 * (-1 if b[1] else 1), 0)
    if is_max:
        return (x if ka >= kb else y), fl
    return (x if ka <= kb else y), fl


def key(d):
    if d[0] == 'inf':
        return F(10) ** 400 * (-1 if d[1] else 1)
    return val(d)


def cmp(f, x, y, kind):
    a, b = decode(f, x), decode(f, y)
    if isnan(a) or isnan(b):
        if kind == 'eq':
            return 0, nan_flags(a, b)
        return 0, NV
    ka, kb = key(a), key(b)
    return int({'eq': ka == kb, 'lt': ka < kb, 'le': ka <= kb}[kind]), 0


def fclass(f, x):
    d = decode(f, x)
    e = (x >> (f.p - 1)) & ((1 << f.ebits) - 1)
    if d[0] == 'inf':
        return 1 << (0 if d[1] else 7)
    if d[0] == 'snan':
        return 1 << 8
    if d[0] == 'qnan':
        return 1 << 9
    if d[0] == 'zero':
        return 1 << (3 if d[1] else 4)
    sub = e == 0
    if d[1] < 0:
        return 1 << (2 if sub else 1)
    return 1 << (5 if sub else 6)


def sext(v, bits):
    v &= (1 << bits) - 1
    if v >> (bits - 1):
        v -= 1 << bits
    return v & ((1 << 64) - 1)


def to_int(f, x, rm, bits, signed):
    d = decode(f, x)
    lo = -(1 << (bits - 1)) if signed else 0
    hi = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
    if isnan(d):
        r, fl = hi, NV
    elif d[0] == 'inf':
        r, fl = (lo if d[1] else hi), NV
    else:
        v = val(d)
        n, inexact = round_with(abs(v), rm, v < 0)
        n = -n if v < 0 else n
        if n < lo or n > hi:
            r, fl = (lo if v < 0 else hi), NV
        else:
            r, fl = n, NX if inexact else 0
    return sext(r, bits) if bits == 32 else r & ((1 << 64) - 1), fl


def from_int(f, v, rm, bits, signed):
    v &= (1 << bits) - 1
    if signed and v >> (bits - 1):
        v -= 1 << bits
    if v == 0:
        return 0, 0
    return round_rat(f, F(v), rm)


def convert(src, dst, x, rm):
    d = decode(src, x)
    if isnan(d):
        return dst.cnan, nan_flags(d)
    if d[0] == 'inf':
        return infb(dst, d[1]), 0
    if d[0] == 'zero':
        return zero(dst, d[1]), 0
    return round_rat(dst, val(d), rm)


# ---------------------------------------------------------------- inputs
def fbits(f, sign, e, m):
    return (sign << (f.width - 1)) | (e << (f.p - 1)) | m


def specials(f):
    one = fbits(f, 0, f.bias, 0)
    return {
        'pz': 0, 'nz': f.sign, 'one': one, 'mone': one | f.sign,
        'two': fbits(f, 0, f.bias + 1, 0), 'three': fbits(f, 0, f.bias + 1, 1 << (f.p - 2)),
        'onep': one + 1, 'onem': one - 1, 'ten': fbits(f, 0, f.bias + 3, 1 << (f.p - 3)),
        'big': fbits(f, 0, f.bias + f.emax - 2, 0x5a5a5 & ((1 << (f.p - 1)) - 1)),
        'maxf': f.maxf, 'nmaxf': f.maxf | f.sign,
        'minn': fbits(f, 0, 1, 0), 'nminn': fbits(f, 1, 1, 0),
        'sub1': 1, 'subm': (1 << (f.p - 1)) - 1, 'nsub': f.sign | 3,
        'inf': f.inf, 'ninf': f.inf | f.sign,
        'qnan': f.cnan, 'nqnan': f.cnan | f.sign | 5, 'snan': f.inf | 1, 'nsnan': f.inf | f.sign | (1 << (f.p - 3)),
        'third': 0, 'mixed': fbits(f, 1, f.bias - 3, 0x1234567 & ((1 << (f.p - 1)) - 1)),
        'half': fbits(f, 0, f.bias - 1, 0), 'onehalf': fbits(f, 0, f.bias, 1 << (f.p - 2)),
        'twohalf': fbits(f, 0, f.bias + 1, 1 << (f.p - 3)), 'ntwohalf': fbits(f, 1, f.bias + 1, 1 << (f.p - 3)),
        'mhalf': fbits(f, 1, f.bias - 1, 0),
    }


def gen(f):
    sp = specials(f)
    # 1/3 rounded to nearest: an inexact value with a long mantissa
    sp['third'] = round_rat(f, F(1, 3), RNE)[0]
    sp['nthird'] = sp['third'] | f.sign
    sp['seven'] = round_rat(f, F(7), RNE)[0]
    sp['tiny'] = fbits(f, 0, 2, 3)  # just above the smallest normal
    vec = []
    names = list(sp)
    arith_vals = ['pz', 'nz', 'one', 'mone', 'three', 'onep', 'onem', 'third', 'nthird', 'maxf', 'nmaxf',
                  'minn', 'sub1', 'subm', 'nsub', 'inf', 'ninf', 'qnan', 'snan', 'big', 'mixed', 'tiny', 'seven']
    pairs = []
    for i, a in enumerate(arith_vals):
        for b in arith_vals[i % 5::5]:
            pairs.append((a, b))
    pairs += [('one', 'onep'), ('onep', 'onem'), ('third', 'three'), ('minn', 'half'), ('minn', 'mhalf'),
              ('sub1', 'half'), ('subm', 'sub1'), ('minn', 'nsub'), ('maxf', 'two'), ('big', 'big'),
              ('one', 'seven'), ('mone', 'seven'), ('tiny', 'half'), ('minn', 'onem'), ('onep', 'onep'),
              ('inf', 'inf'), ('inf', 'ninf'), ('pz', 'pz'), ('nz', 'nz'), ('pz', 'nz'), ('snan', 'qnan'),
              ('nqnan', 'one'), ('one', 'nsnan'), ('maxf', 'maxf'), ('maxf', 'half'), ('onem', 'onem'),
              ('one', 'mone'), ('mone', 'one')]
    for a, b in pairs:
        x, y = sp[a], sp[b]
        for rm in RMS:
            vec.append(('fadd', rm, x, y, 0) + add(f, x, y, rm))
            vec.append(('fsub', rm, x, y, 0) + add(f, x, y, rm, sub=True))
            vec.append(('fmul', rm, x, y, 0) + mul(f, x, y, rm))
            vec.append(('fdiv', rm, x, y, 0) + div(f, x, y, rm))
    for a in ['pz', 'nz', 'one', 'two', 'three', 'ten', 'third', 'maxf', 'sub1', 'subm', 'minn', 'mone', 'inf',
              'ninf', 'qnan', 'snan', 'nsnan', 'onep', 'big', 'seven']:
        for rm in RMS:
            vec.append(('fsqrt', rm, sp[a], 0, 0) + sqrt(f, sp[a], rm))
    triples = [('one', 'one', 'one'), ('third', 'three', 'mone'), ('onep', 'onep', 'mone'), ('onep', 'onem', 'mone'),
               ('maxf', 'two', 'nmaxf'), ('inf', 'pz', 'qnan'), ('pz', 'inf', 'one'), ('inf', 'one', 'ninf'),
               ('one', 'pz', 'nz'), ('mone', 'pz', 'pz'), ('nz', 'nz', 'nz'), ('sub1', 'half', 'pz'), ('minn', 'onem', 'nz'),
               ('snan', 'one', 'one'), ('one', 'one', 'snan'), ('qnan', 'one', 'one'), ('seven', 'third', 'nthird'),
               ('big', 'big', 'ninf'), ('tiny', 'half', 'nsub'), ('three', 'seven', 'mixed'), ('one', 'mone', 'one'),
               ('mixed', 'mixed', 'third')]
    for a, b, c in triples:
        x, y, z = sp[a], sp[b], sp[c]
        for rm in RMS:
            vec.append(('fmadd', rm, x, y, z) + fma(f, x, y, z, rm, False, False))
            vec.append(('fmsub', rm, x, y, z) + fma(f, x, y, z, rm, False, True))
            vec.append(('fnmsub', rm, x, y, z) + fma(f, x, y, z, rm, True, False))
            vec.append(('fnmadd', rm, x, y, z) + fma(f, x, y, z, rm, True, True))
    mm = ['pz', 'nz', 'one', 'mone', 'inf', 'ninf', 'qnan', 'nqnan', 'snan', 'sub1', 'nsub', 'maxf']
    for a in mm:
        for b in mm:
            x, y = sp[a], sp[b]
            vec.append(('fmin', 0, x, y, 0) + minmax(f, x, y, False))
            vec.append(('fmax', 0, x, y, 0) + minmax(f, x, y, True))
            vec.append(('feq', 0, x, y, 0) + cmp(f, x, y, 'eq'))
            vec.append(('flt', 0, x, y, 0) + cmp(f, x, y, 'lt'))
            vec.append(('fle', 0, x, y, 0) + cmp(f, x, y, 'le'))
            m = (1 << (f.width - 1)) - 1
            vec.append(('fsgnj', 0, x, y, 0, (x & m) | (y & f.sign), 0))
            vec.append(('fsgnjn', 0, x, y, 0, (x & m) | (~y & f.sign), 0))
            vec.append(('fsgnjx', 0, x, y, 0, x ^ (y & f.sign), 0))
    for a in names:
        vec.append(('fclass', 0, sp[a], 0, 0, fclass(f, sp[a]), 0))
    cv = ['pz', 'nz', 'one', 'mone', 'half', 'mhalf', 'onehalf', 'twohalf', 'ntwohalf', 'third', 'nthird', 'big', 'maxf', 'nmaxf',
          'inf', 'ninf', 'qnan', 'nqnan', 'snan', 'sub1', 'nsub', 'mixed', 'seven', 'ten']
    # values at the edges of the integer ranges
    edges = [F(2) ** 31, F(2) ** 31 - 1, -F(2) ** 31, -F(2) ** 31 - 1, F(2) ** 32, F(2) ** 32 - 1, F(2) ** 63, -F(2) ** 63,
             F(2) ** 64, F(2) ** 63 - F(2) ** 40, F(-1, 4) * 3, F(2) ** 31 - F(1, 2), F(2) ** 32 - F(1, 4), -F(2) ** 31 - F(1, 2)]
    extra = [round_rat(f, e, RTZ)[0] if e != 0 else 0 for e in edges]
    for x in [sp[a] for a in cv] + extra:
        for rm in RMS:
            vec.append(('fcvt.w', rm, x, 0, 0) + to_int(f, x, rm, 32, True))
            vec.append(('fcvt.wu', rm, x, 0, 0) + to_int(f, x, rm, 32, False))
            vec.append(('fcvt.l', rm, x, 0, 0) + to_int(f, x, rm, 64, True))
            vec.append(('fcvt.lu', rm, x, 0, 0) + to_int(f, x, rm, 64, False))
    ints = [0, 1, (1 << 64) - 1, 7, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000001, 0xffffff01, 0x1000001, 0x1000003,
            (1 << 63) - 1, 1 << 63, (1 << 63) + 1, 0x20000000000001, 0x20000000000003, 0xfffffffffffffc01,
            0x123456789abcdef, 0xffffffff00000001]
    for v in ints:
        for rm in RMS:
            vec.append(('fcvt.from.w', rm, v, 0, 0) + from_int(f, v, rm, 32, True))
            vec.append(('fcvt.from.wu', rm, v, 0, 0) + from_int(f, v, rm, 32, False))
            vec.append(('fcvt.from.l', rm, v, 0, 0) + from_int(f, v, rm, 64, True))
            vec.append(('fcvt.from.lu', rm, v, 0, 0) + from_int(f, v, rm, 64, False))
    if f is D:
        for a in cv + ['minn', 'subm', 'onep', 'onem']:
            x = sp[a]
            for rm in RMS:
                vec.append(('fcvt.s.d', rm, x, 0, 0) + convert(D, S, x, rm))
        # doubles that hit single-precision edges
        for q in [F(2) ** -126, F(2) ** -149, F(2) ** -150, F(3) * F(2) ** -151, F(2) ** 128, (2 - F(2) ** -23) * F(2) ** 127,
                  (2 - F(2) ** -24) * F(2) ** 127, F(1) + F(2) ** -24, F(1) + F(2) ** -24 + F(2) ** -40, -(F(2) ** -149) * F(3, 2)]:
            x = round_rat(D, q, RNE)[0]
            for rm in RMS:
                vec.append(('fcvt.s.d', rm, x, 0, 0) + convert(D, S, x, rm))
        ss = specials(S)
        ss['third'] = round_rat(S, F(1, 3), RNE)[0]
        ss['nthird'] = ss['third'] | S.sign
        ss['seven'] = round_rat(S, F(7), RNE)[0]
        for a in cv + ['minn', 'subm']:
            x = ss[a]
            vec.append(('fcvt.d.s', RNE, x, 0, 0) + convert(S, D, x, RNE))
    return vec


OPS = ['fadd', 'fsub', 'fmul', 'fdiv', 'fsqrt', 'fmadd', 'fmsub', 'fnmsub', 'fnmadd', 'fmin', 'fmax', 'feq', 'flt', 'fle',
       'fsgnj', 'fsgnjn', 'fsgnjx', 'fclass', 'fcvt.w', 'fcvt.wu', 'fcvt.l', 'fcvt.lu', 'fcvt.from.w', 'fcvt.from.wu',
       'fcvt.from.l', 'fcvt.from.lu', 'fcvt.s.d', 'fcvt.d.s']


def emit(f, path):
    vec = gen(f)
    with open(path, 'w') as out:
        out.write('/* Generated by gen/fpgen.py -- do not edit. %d vectors: op, rm, a, b, c, result, fflags. */\n'
                  % len(vec))
        for op, rm, a, b, c, r, fl in vec:
            out.write('{%d,%d,0x%x,0x%x,0x%x,0x%x,0x%x},\n' % (OPS.index(op), rm, a, b, c, r, fl))


if __name__ == '__main__':
    d = sys.argv[1] if len(sys.argv) > 1 else '.'
    emit(S, d + '/fpvec_s.h')
    emit(D, d + '/fpvec_d.h')
