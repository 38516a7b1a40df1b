/* fpu.c: RISC-V F and D arithmetic (unprivileged ISA 20191213, chapters 11 and 12;
 * IEEE 754-2008 with RISC-V's choices: canonical NaN results, tininess after
 * rounding, saturating conversions, minimumNumber/maximumNumber).
 *
 * Two implementations behind one API:
 *  - soft_*: exact integer arithmetic. Every op reduces to a sign, a binary exponent
 *    and a 64-bit significand whose lowest bit is "sticky" (set when nonzero bits were
 *    dropped), then one routine (round_pack) rounds it into the destination format.
 *    64 bits leave at least two bits below the 53-bit rounding point, which is what
 *    makes the sticky-bit compression exact for all five rounding modes. This is the
 *    reference and the default: it handles RMM (which no host FPU has), runs on any
 *    host, and measured faster than the host path on the AMD EPYC we develop on
 *    (add_d ~11 ns vs ~24 ns), because ldmxcsr is slow there.
 *  - host_*: x86-64 SSE with MXCSR set to the requested mode for one instruction,
 *    for add/sub/mul/div/sqrt/fma/fcvt.s.d in the four IEEE modes. Off by default;
 *    fpu_set_host_accel() turns it on (tests use it as an independent oracle for the
 *    soft path; CPUs with a cheap ldmxcsr may find it faster). SSE detects tininess
 *    after rounding and raises UE (masked) only when the result is also inexact,
 *    like RISC-V, so its flags map one to one; its NaN results are replaced by the
 *    canonical NaN. Each op runs inside a single asm statement that saves MXCSR, sets
 *    the mode, computes, reads the flags and restores MXCSR, so the compiler cannot
 *    fold or move the computation across the mode switch (no -frounding-math
 *    needed) and the host's own rounding mode and sticky flags are never disturbed.
 *
 * Both formats share the generic code, parameterised by mantissa bits M and exponent
 * bits E (always-inline, so each format gets its own constant-folded copy).
 */
#include "fpu.h"

#include <assert.h>

#if defined(__x86_64__) && !defined(FPU_SOFT_ONLY)
#define FPU_HAVE_HOST 1
#else
#define FPU_HAVE_HOST 0
#endif

#define INLINE static inline __attribute__((always_inline))

#define U128 unsigned __int128

#define MS 23 /* single: mantissa bits */
#define ES 8
#define MD 52 /* double */
#define ED 11

/* ---------------------------------------------------------------- bit helpers */

INLINE uint64_t f_signbit(int M, int E) { return 1ull << (M + E); }
INLINE uint64_t f_emask(int E) { return (1ull << E) - 1; }
INLINE uint64_t f_fracmask(int M) { return (1ull << M) - 1; }
INLINE unsigned f_sign(uint64_t x, int M, int E) { return (unsigned)(x >> (M + E)) & 1; }
INLINE uint64_t f_expf(uint64_t x, int M, int E) { return (x >> M) & f_emask(E); }
INLINE uint64_t f_frac(uint64_t x, int M) { return x & f_fracmask(M); }
INLINE bool f_isnan(uint64_t x, int M, int E)
{
    return f_expf(x, M, E) == f_emask(E) && f_frac(x, M) != 0;
}
INLINE bool f_issnan(uint64_t x, int M, int E)
{
    return f_isnan(x, M, E) && !((x >> (M - 1)) & 1);
}
INLINE bool f_isinf(uint64_t x, int M, int E)
{
    return f_expf(x, M, E) == f_emask(E) && f_frac(x, M) == 0;
}
INLINE bool f_iszero(uint64_t x, int M, int E) { return (x & (f_signbit(M, E) - 1)) == 0; }
INLINE uint64_t f_canon(int M, int E) { return (f_emask(E) << M) | (1ull << (M - 1)); }
INLINE uint64_t f_inf(unsigned s, int M, int E)
{
    return ((uint64_t)s << (M + E)) | (f_emask(E) << M);
}
INLINE uint64_t f_zero(unsigned s, int M, int E) { return (uint64_t)s << (M + E); }
INLINE int f_bias(int E) { return (1 << (E - 1)) - 1; }

/* A finite nonzero value as sig * 2^exp (sig has the implicit bit, not normalised). */
INLINE void f_unpack(uint64_t x, int M, int E, uint64_t *sig, int *exp)
{
    uint64_t ef = f_expf(x, M, E);
    if (ef == 0) {
        *sig = f_frac(x, M);
        *exp = 1 - f_bias(E) - M;
    } else {
        *sig = f_frac(x, M) | (1ull << M);
        *exp = (int)ef - f_bias(E) - M;
    }
}

/* Same, with sig shifted up so bit 63 is set. */
INLINE void f_unpack_norm(uint64_t x, int M, int E, uint64_t *sig, int *exp)
{
    f_unpack(x, M, E, sig, exp);
    int lz = __builtin_clzll(*sig);
    *sig <<= lz;
    *exp -= lz;
}

INLINE uint64_t shr_jam64(uint64_t x, unsigned n)
{
    if (n == 0)
        return x;
    if (n >= 64)
        return x != 0;
    return (x >> n) | ((x & ((1ull << n) - 1)) != 0);
}

INLINE U128 shr_jam128(U128 x, unsigned n)
{
    if (n == 0)
        return x;
    if (n >= 128)
        return x != 0;
    return (x >> n) | ((x & (((U128)1 << n) - 1)) != 0);
}

INLINE int clz128(U128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)x);
}

/* Compresses a nonzero 128-bit significand to 64 bits with a sticky lsb. */
INLINE uint64_t jam128to64(U128 x, int *exp)
{
    int lz = clz128(x);
    if (lz >= 64)
        return (uint64_t)x;
    *exp += 64 - lz;
    return (uint64_t)shr_jam128(x, (unsigned)(64 - lz));
}

/* -------------------------------------------------------------- rounding core */

/* sig >> s rounded per rm (sign is the value's sign, for the directed modes).
 * sig != 0, s >= 1 (any size). Sets *inexact. The result never overflows. */
static uint64_t rshift_round(uint64_t sig, unsigned s, unsigned sign, unsigned rm,
                             bool *inexact)
{
    uint64_t q, rem;
    int cmp; /* rem vs half an ulp: -1 below, 0 tie, 1 above */
    if (s < 64) {
        q = sig >> s;
        rem = sig & ((1ull << s) - 1);
        uint64_t half = 1ull << (s - 1);
        cmp = rem < half ? -1 : rem > half;
    } else {
        q = 0;
        rem = sig;
        cmp = s > 64 ? -1 : (rem < (1ull << 63) ? -1 : rem > (1ull << 63));
    }
    *inexact = rem != 0;
    if (!rem)
        return q;
    bool inc;
    switch (rm) {
    case FPU_RNE: inc = cmp > 0 || (cmp == 0 && (q & 1)); break;
    case FPU_RTZ: inc = false; break;
    case FPU_RDN: inc = sign; break;
    case FPU_RUP: inc = !sign; break;
    default: inc = cmp >= 0; break; /* RMM */
    }
    return q + inc;
}

/* Rounds (-1)^sign * sig * 2^exp (sig != 0, lsb may be sticky) into the format:
 * subnormals, overflow per rounding mode, NX/UF/OF with after-rounding tininess. */
INLINE uint64_t round_pack(unsigned sign, int exp, uint64_t sig, unsigned rm,
                           uint32_t *fl, int M, int E)
{
    const int bias = f_bias(E), emin = 1 - bias, p = M + 1;
    int lz = __builtin_clzll(sig);
    sig <<= lz;
    int x = exp - lz + 63; /* value in [2^x, 2^(x+1)) */
    unsigned shift = (unsigned)(64 - p);
    bool tiny = false, inexact;
    if (x < emin) {
        /* Tiny unless rounding to p bits with unbounded exponent reaches 2^emin. */
        tiny = true;
        if (x == emin - 1 && rshift_round(sig, shift, sign, rm, &inexact) >> p)
            tiny = false;
        shift += (unsigned)(emin - x);
    }
    uint64_t q = rshift_round(sig, shift, sign, rm, &inexact);
    uint64_t bits;
    if (x < emin) {
        bits = q; /* a carry into bit M lands in the exponent field: min normal */
    } else {
        /* q in [2^M, 2^(M+1)]: adding it to (biased-1)<<M folds the implicit bit
         * and any rounding carry into the exponent field. */
        int64_t be = (int64_t)x + bias + (int64_t)(q >> p);
        if (be >= (int64_t)f_emask(E)) {
            *fl |= FPU_OF | FPU_NX;
            bool to_inf = rm == FPU_RNE || rm == FPU_RMM || (rm == FPU_RDN && sign) ||
                          (rm == FPU_RUP && !sign);
            return to_inf ? f_inf(sign, M, E)
                          : ((uint64_t)sign << (M + E)) | (((f_emask(E) - 1) << M) | f_fracmask(M));
        }
        bits = ((uint64_t)(x + bias - 1) << M) + q;
    }
    if (inexact) {
        *fl |= FPU_NX;
        if (tiny)
            *fl |= FPU_UF;
    }
    return ((uint64_t)sign << (M + E)) | bits;
}

/* ----------------------------------------------------------- soft arithmetic */

INLINE uint64_t nan_result(bool snan, uint32_t *fl, int M, int E)
{
    if (snan)
        *fl |= FPU_NV;
    return f_canon(M, E);
}

INLINE uint64_t invalid(uint32_t *fl, int M, int E)
{
    *fl |= FPU_NV;
    return f_canon(M, E);
}

INLINE uint64_t soft_add(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl, int M, int E)
{
    if (f_isnan(a, M, E) || f_isnan(b, M, E))
        return nan_result(f_issnan(a, M, E) || f_issnan(b, M, E), fl, M, E);
    unsigned sa = f_sign(a, M, E), sb = f_sign(b, M, E);
    if (f_isinf(a, M, E)) {
        if (f_isinf(b, M, E) && sa != sb)
            return invalid(fl, M, E);
        return a;
    }
    if (f_isinf(b, M, E))
        return b;
    bool za = f_iszero(a, M, E), zb = f_iszero(b, M, E);
    if (za && zb)
        return f_zero(sa == sb ? sa : rm == FPU_RDN, M, E);
    if (za)
        return b;
    if (zb)
        return a;
    /* Significands at bit 62 (bit 63 takes the carry), aligned with a sticky bit. */
    int ea = (int)f_expf(a, M, E), eb = (int)f_expf(b, M, E);
    uint64_t ma = f_frac(a, M) | ((uint64_t)(ea != 0) << M);
    uint64_t mb = f_frac(b, M) | ((uint64_t)(eb != 0) << M);
    ea += ea == 0;
    eb += eb == 0;
    ma <<= 62 - M;
    mb <<= 62 - M;
    int e;
    if (ea >= eb) {
        mb = shr_jam64(mb, (unsigned)(ea - eb));
        e = ea;
    } else {
        ma = shr_jam64(ma, (unsigned)(eb - ea));
        e = eb;
    }
    uint64_t s;
    unsigned sign;
    if (sa == sb) {
        s = ma + mb;
        sign = sa;
    } else if (ma >= mb) {
        s = ma - mb;
        sign = sa;
    } else {
        s = mb - ma;
        sign = sb;
    }
    if (s == 0) /* exact cancellation: +0, or -0 when rounding down */
        return f_zero(rm == FPU_RDN, M, E);
    return round_pack(sign, e - f_bias(E) - 62, s, rm, fl, M, E);
}

INLINE uint64_t soft_mul(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl, int M, int E)
{
    if (f_isnan(a, M, E) || f_isnan(b, M, E))
        return nan_result(f_issnan(a, M, E) || f_issnan(b, M, E), fl, M, E);
    unsigned s = f_sign(a, M, E) ^ f_sign(b, M, E);
    bool za = f_iszero(a, M, E), zb = f_iszero(b, M, E);
    if (f_isinf(a, M, E) || f_isinf(b, M, E)) {
        if (za || zb)
            return invalid(fl, M, E);
        return f_inf(s, M, E);
    }
    if (za || zb)
        return f_zero(s, M, E);
    uint64_t ma, mb;
    int ea, eb;
    f_unpack(a, M, E, &ma, &ea);
    f_unpack(b, M, E, &mb, &eb);
    int e = ea + eb;
    uint64_t sig = jam128to64((U128)ma * mb, &e);
    return round_pack(s, e, sig, rm, fl, M, E);
}

INLINE uint64_t soft_div(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl, int M, int E)
{
    if (f_isnan(a, M, E) || f_isnan(b, M, E))
        return nan_result(f_issnan(a, M, E) || f_issnan(b, M, E), fl, M, E);
    unsigned s = f_sign(a, M, E) ^ f_sign(b, M, E);
    bool ia = f_isinf(a, M, E), ib = f_isinf(b, M, E);
    bool za = f_iszero(a, M, E), zb = f_iszero(b, M, E);
    if (ia) {
        if (ib)
            return invalid(fl, M, E);
        return f_inf(s, M, E);
    }
    if (ib)
        return f_zero(s, M, E);
    if (zb) {
        if (za)
            return invalid(fl, M, E);
        *fl |= FPU_DZ;
        return f_inf(s, M, E);
    }
    if (za)
        return f_zero(s, M, E);
    uint64_t ma, mb;
    int ea, eb;
    f_unpack_norm(a, M, E, &ma, &ea);
    f_unpack_norm(b, M, E, &mb, &eb);
    /* ma/mb is in (1/2, 2), so the quotient has 63 or 64 significant bits. */
    U128 n = (U128)ma << 63;
    uint64_t q = (uint64_t)(n / mb);
    bool rem = (uint64_t)(n % mb) != 0;
    return round_pack(s, ea - eb - 63, q | rem, rm, fl, M, E);
}

/* floor(sqrt(x)) for x in [2^126, 2^128); *exact if no remainder. A double
 * estimate (any host rounding mode will do) is within about 2^11 of the root; one
 * integer Newton step brings it within 1, and the final loops make it exact. */
static uint64_t isqrt128(U128 x, bool *exact)
{
    double est = __builtin_sqrt((double)x);
    uint64_t r = est >= 18446744073709549568.0 ? UINT64_MAX : (uint64_t)est;
    U128 n = ((U128)r + x / r) >> 1;
    r = n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
    while ((U128)r * r > x)
        r--;
    while (r != UINT64_MAX && (U128)(r + 1) * (r + 1) <= x)
        r++;
    *exact = (U128)r * r == x;
    return r;
}

INLINE uint64_t soft_sqrt(uint64_t a, unsigned rm, uint32_t *fl, int M, int E)
{
    if (f_isnan(a, M, E))
        return nan_result(f_issnan(a, M, E), fl, M, E);
    if (f_iszero(a, M, E))
        return a; /* sqrt(-0) = -0 */
    if (f_sign(a, M, E))
        return invalid(fl, M, E);
    if (f_isinf(a, M, E))
        return a;
    uint64_t m;
    int e;
    f_unpack_norm(a, M, E, &m, &e);
    /* Make the exponent even; the radicand keeps 126 or 127 bits so the root has 64. */
    unsigned sh = (e & 1) ? 63 : 64;
    e -= (int)sh;
    bool exact;
    uint64_t r = isqrt128((U128)m << sh, &exact);
    return round_pack(0, e / 2, r | !exact, rm, fl, M, E);
}

/* a*b + c with one rounding; negp negates the product, negc the addend. */
INLINE uint64_t soft_fma(uint64_t a, uint64_t b, uint64_t c, bool negp, bool negc, unsigned rm,
                         uint32_t *fl, int M, int E)
{
    bool ia = f_isinf(a, M, E), ib = f_isinf(b, M, E);
    bool za = f_iszero(a, M, E), zb = f_iszero(b, M, E);
    if (f_isnan(a, M, E) || f_isnan(b, M, E) || f_isnan(c, M, E)) {
        /* RISC-V: inf*0 is invalid even when the addend is a quiet NaN. */
        bool nv = f_issnan(a, M, E) || f_issnan(b, M, E) || f_issnan(c, M, E) ||
                  ((ia || ib) && (za || zb));
        return nan_result(nv, fl, M, E);
    }
    unsigned sp = f_sign(a, M, E) ^ f_sign(b, M, E) ^ negp;
    unsigned sc = f_sign(c, M, E) ^ negc;
    c = (c & ~f_signbit(M, E)) | ((uint64_t)sc << (M + E));
    if (ia || ib) {
        if (za || zb)
            return invalid(fl, M, E);
        if (f_isinf(c, M, E) && sc != sp)
            return invalid(fl, M, E);
        return f_inf(sp, M, E);
    }
    if (f_isinf(c, M, E))
        return c;
    bool zc = f_iszero(c, M, E);
    if (za || zb) {
        if (zc)
            return f_zero(sp == sc ? sp : rm == FPU_RDN, M, E);
        return c;
    }
    uint64_t ma, mb, mc;
    int ea, eb, ec;
    f_unpack(a, M, E, &ma, &ea);
    f_unpack(b, M, E, &mb, &eb);
    U128 p = (U128)ma * mb;
    int ep = ea + eb;
    if (zc) {
        uint64_t sig = jam128to64(p, &ep);
        return round_pack(sp, ep, sig, rm, fl, M, E);
    }
    f_unpack(c, M, E, &mc, &ec);
    /* Both operands with their top bit at bit 125 (bit 126 takes the carry); the
     * product has at most 106 bits, so small alignments stay exact and large ones
     * only jam bits far below the rounding point. */
    int lp = clz128(p) - 2;
    p <<= lp;
    ep -= lp;
    U128 cc = mc;
    int lc = clz128(cc) - 2;
    cc <<= lc;
    ec -= lc;
    int e;
    if (ep >= ec) {
        cc = shr_jam128(cc, (unsigned)(ep - ec));
        e = ep;
    } else {
        p = shr_jam128(p, (unsigned)(ec - ep));
        e = ec;
    }
    U128 s;
    unsigned sign;
    if (sp == sc) {
        s = p + cc;
        sign = sp;
    } else if (p >= cc) {
        s = p - cc;
        sign = sp;
    } else {
        s = cc - p;
        sign = sc;
    }
    if (s == 0)
        return f_zero(rm == FPU_RDN, M, E);
    uint64_t sig = jam128to64(s, &e);
    return round_pack(sign, e, sig, rm, fl, M, E);
}

/* Float -> float of another format (exact when widening). */
INLINE uint64_t soft_cvt_ff(uint64_t a, unsigned rm, uint32_t *fl, int M, int E, int M2, int E2)
{
    if (f_isnan(a, M, E))
        return nan_result(f_issnan(a, M, E), fl, M2, E2);
    unsigned s = f_sign(a, M, E);
    if (f_isinf(a, M, E))
        return f_inf(s, M2, E2);
    if (f_iszero(a, M, E))
        return f_zero(s, M2, E2);
    uint64_t m;
    int e;
    f_unpack(a, M, E, &m, &e);
    return round_pack(s, e, m, rm, fl, M2, E2);
}

/* Float -> integer of width w (32/64), RISC-V saturation. Returns the value as a
 * 64-bit pattern; the 32-bit results are sign-extended from bit 31 by the caller. */
INLINE uint64_t soft_cvt_fi(uint64_t a, unsigned rm, uint32_t *fl, bool sgn, int w, int M, int E)
{
    const uint64_t umax = w == 64 ? ~0ull : (1ull << w) - 1;
    const uint64_t smax = umax >> 1;
    const uint64_t hi = sgn ? smax : umax;      /* largest value, as a bit pattern */
    const uint64_t lo = sgn ? ~smax & umax : 0; /* smallest */
    if (f_isnan(a, M, E)) {
        *fl |= FPU_NV;
        return hi;
    }
    unsigned s = f_sign(a, M, E);
    if (f_isinf(a, M, E)) {
        *fl |= FPU_NV;
        return s ? lo : hi;
    }
    if (f_iszero(a, M, E))
        return 0;
    uint64_t m, mag;
    int e;
    bool inexact = false;
    f_unpack(a, M, E, &m, &e);
    if (e >= 0) {
        if (e >= 64 || (e > 0 && (m >> (64 - e)) != 0))
            goto range;
        mag = m << e;
    } else {
        mag = rshift_round(m, (unsigned)-e, s, rm, &inexact);
    }
    /* Range is checked on the rounded value: -0.9 -> 0 is fine for unsigned in RTZ. */
    if (!s) {
        if (mag > hi)
            goto range;
    } else if (sgn) {
        if (mag > smax + 1)
            goto range;
    } else if (mag != 0) {
        goto range;
    }
    if (inexact)
        *fl |= FPU_NX;
    return (s ? -mag : mag) & umax;
range:
    *fl |= FPU_NV;
    return s ? lo : hi;
}

INLINE uint64_t soft_cvt_if(uint64_t mag, unsigned s, unsigned rm, uint32_t *fl, int M, int E)
{
    if (mag == 0)
        return 0;
    return round_pack(s, 0, mag, rm, fl, M, E);
}

/* Maps a non-NaN value onto integers so that signed compare gives IEEE order with
 * -0 < +0 (total order key). */
INLINE int64_t order_key(uint64_t x, int M, int E)
{
    uint64_t sb = f_signbit(M, E);
    uint64_t mag = x & (sb - 1);
    return (x & sb) ? -(int64_t)mag - 1 : (int64_t)mag;
}

INLINE uint64_t soft_minmax(uint64_t a, uint64_t b, bool max, uint32_t *fl, int M, int E)
{
    bool na = f_isnan(a, M, E), nb = f_isnan(b, M, E);
    if (f_issnan(a, M, E) || f_issnan(b, M, E))
        *fl |= FPU_NV;
    if (na && nb)
        return f_canon(M, E);
    if (na)
        return b;
    if (nb)
        return a;
    bool a_less = order_key(a, M, E) < order_key(b, M, E);
    return a_less != max ? a : b;
}

/* 0: less, 1: equal, 2: greater, 3: unordered. Equal treats +0 == -0. */
INLINE int soft_cmp(uint64_t a, uint64_t b, int M, int E)
{
    if (f_isnan(a, M, E) || f_isnan(b, M, E))
        return 3;
    if (f_iszero(a, M, E) && f_iszero(b, M, E))
        return 1;
    int64_t ka = order_key(a, M, E), kb = order_key(b, M, E);
    return ka < kb ? 0 : ka == kb ? 1 : 2;
}

INLINE uint64_t soft_eq(uint64_t a, uint64_t b, uint32_t *fl, int M, int E)
{
    int c = soft_cmp(a, b, M, E);
    if (c == 3 && (f_issnan(a, M, E) || f_issnan(b, M, E)))
        *fl |= FPU_NV;
    return c == 1;
}

INLINE uint64_t soft_lt(uint64_t a, uint64_t b, bool le, uint32_t *fl, int M, int E)
{
    int c = soft_cmp(a, b, M, E);
    if (c == 3)
        *fl |= FPU_NV;
    return c == 0 || (le && c == 1);
}

INLINE uint64_t soft_class(uint64_t a, int M, int E)
{
    unsigned s = f_sign(a, M, E);
    uint64_t ef = f_expf(a, M, E);
    if (f_isnan(a, M, E))
        return f_issnan(a, M, E) ? FPU_CLASS_SNAN : FPU_CLASS_QNAN;
    if (ef == f_emask(E))
        return s ? FPU_CLASS_NEG_INF : FPU_CLASS_POS_INF;
    if (ef != 0)
        return s ? FPU_CLASS_NEG_NORMAL : FPU_CLASS_POS_NORMAL;
    if (f_frac(a, M))
        return s ? FPU_CLASS_NEG_SUBNORMAL : FPU_CLASS_POS_SUBNORMAL;
    return s ? FPU_CLASS_NEG_ZERO : FPU_CLASS_POS_ZERO;
}

/* ------------------------------------------------------------- host (x86-64) */

/* Read on every op from any hart thread, written rarely (tests, debugging):
 * relaxed atomics make that well-defined at the cost of a plain load. */
static bool host_accel = false;

bool fpu_set_host_accel(bool enable)
{
    __atomic_store_n(&host_accel, FPU_HAVE_HOST && enable, __ATOMIC_RELAXED);
    return FPU_HAVE_HOST && enable;
}

#if FPU_HAVE_HOST
/* MXCSR for each rounding mode: all exceptions masked, no DAZ/FTZ, flags clear. */
static const uint32_t host_mxcsr[4] = {0x1f80, 0x7f80, 0x3f80, 0x5f80};

/* MXCSR flag bits (IE, DE, ZE, OE, UE, PE) -> fflags. DE (denormal operand) has no
 * RISC-V counterpart. */
INLINE uint32_t host_flags(uint32_t csr)
{
    return ((csr & 0x01) ? FPU_NV : 0) | ((csr & 0x04) ? FPU_DZ : 0) |
           ((csr & 0x08) ? FPU_OF : 0) | ((csr & 0x10) ? FPU_UF : 0) |
           ((csr & 0x20) ? FPU_NX : 0);
}

/* FMA3 is not baseline x86-64. __builtin_cpu_supports reads libgcc's CPU model,
 * filled in before main, so this is a load and a test, safe from any thread. */
INLINE bool host_has_fma(void) { return __builtin_cpu_supports("fma"); }

/* One SSE instruction "insn src, dst" under mode rm; dst is read and written. */
#define HOST_OP2(insn, dst, src, rm, fl)                                                  \
    do {                                                                                  \
        uint32_t save_, out_;                                                             \
        __asm__ volatile("stmxcsr %[save]\n\t"                                            \
                         "ldmxcsr %[mode]\n\t" insn " %[s], %[d]\n\t"                     \
                         "stmxcsr %[out]\n\t"                                             \
                         "ldmxcsr %[save]"                                                \
                         : [d] "+x"(dst), [save] "=m"(save_), [out] "=m"(out_)            \
                         : [s] "x"(src), [mode] "m"(host_mxcsr[rm]));                     \
        *(fl) |= host_flags(out_);                                                        \
    } while (0)

/* vfmadd231: acc = x*y + acc. */
#define HOST_FMA(insn, acc, x, y, rm, fl)                                                 \
    do {                                                                                  \
        uint32_t save_, out_;                                                             \
        __asm__ volatile("stmxcsr %[save]\n\t"                                            \
                         "ldmxcsr %[mode]\n\t" insn " %[y], %[x], %[a]\n\t"               \
                         "stmxcsr %[out]\n\t"                                             \
                         "ldmxcsr %[save]"                                                \
                         : [a] "+x"(acc), [save] "=m"(save_), [out] "=m"(out_)            \
                         : [x] "x"(x), [y] "x"(y), [mode] "m"(host_mxcsr[rm]));           \
        *(fl) |= host_flags(out_);                                                        \
    } while (0)

INLINE float f32_of(uint32_t v) { float f; __builtin_memcpy(&f, &v, 4); return f; }
INLINE uint32_t bits_of_f32(float f) { uint32_t v; __builtin_memcpy(&v, &f, 4); return v; }
INLINE double f64_of(uint64_t v) { double d; __builtin_memcpy(&d, &v, 8); return d; }
INLINE uint64_t bits_of_f64(double d) { uint64_t v; __builtin_memcpy(&v, &d, 8); return v; }

INLINE uint32_t canon_s(uint32_t r) { return f_isnan(r, MS, ES) ? FPU_CANON_NAN_S : r; }
INLINE uint64_t canon_d(uint64_t r) { return f_isnan(r, MD, ED) ? FPU_CANON_NAN_D : r; }

#define USE_HOST(rm) ((rm) != FPU_RMM && __atomic_load_n(&host_accel, __ATOMIC_RELAXED))
#else
#define USE_HOST(rm) false
#endif

/* ------------------------------------------------------------------ public API */

uint64_t fpu_box_s(uint32_t v) { return 0xffffffff00000000ull | v; }

uint32_t fpu_unbox_s(uint64_t reg)
{
    return (reg >> 32) == 0xffffffffu ? (uint32_t)reg : FPU_CANON_NAN_S;
}

#if FPU_HAVE_HOST
#define DEF_BINOP(name, insn_s, insn_d, softcall)                                          \
    uint32_t fpu_##name##_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl)             \
    {                                                                                      \
        assert(rm <= FPU_RMM);                                                             \
        if (USE_HOST(rm)) {                                                                \
            float x = f32_of(a), y = f32_of(b);                                            \
            HOST_OP2(insn_s, x, y, rm, fl);                                                \
            return canon_s(bits_of_f32(x));                                                \
        }                                                                                  \
        return (uint32_t)softcall(MS, ES);                                                 \
    }                                                                                      \
    uint64_t fpu_##name##_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl)             \
    {                                                                                      \
        assert(rm <= FPU_RMM);                                                             \
        if (USE_HOST(rm)) {                                                                \
            double x = f64_of(a), y = f64_of(b);                                           \
            HOST_OP2(insn_d, x, y, rm, fl);                                                \
            return canon_d(bits_of_f64(x));                                                \
        }                                                                                  \
        return softcall(MD, ED);                                                           \
    }
#else
#define DEF_BINOP(name, insn_s, insn_d, softcall)                                          \
    uint32_t fpu_##name##_s(uint32_t a, uint32_t b, unsigned rm, uint32_t *fl)             \
    {                                                                                      \
        assert(rm <= FPU_RMM);                                                             \
        return (uint32_t)softcall(MS, ES);                                                 \
    }                                                                                      \
    uint64_t fpu_##name##_d(uint64_t a, uint64_t b, unsigned rm, uint32_t *fl)             \
    {                                                                                      \
        assert(rm <= FPU_RMM);                                                             \
        return softcall(MD, ED);                                                           \
    }
#endif

#define SOFT_ADD(M, E) soft_add(a, b, rm, fl, M, E)
#define SOFT_SUB(M, E) soft_add(a, b ^ f_signbit(M, E), rm, fl, M, E)
#define SOFT_MUL(M, E) soft_mul(a, b, rm, fl, M, E)
#define SOFT_DIV(M, E) soft_div(a, b, rm, fl, M, E)
DEF_BINOP(add, "addss", "addsd", SOFT_ADD)
DEF_BINOP(sub, "subss", "subsd", SOFT_SUB)
DEF_BINOP(mul, "mulss", "mulsd", SOFT_MUL)
DEF_BINOP(div, "divss", "divsd", SOFT_DIV)

uint32_t fpu_sqrt_s(uint32_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
#if FPU_HAVE_HOST
    if (USE_HOST(rm)) {
        float x = f32_of(a), y = x;
        HOST_OP2("sqrtss", x, y, rm, fl);
        return canon_s(bits_of_f32(x));
    }
#endif
    return (uint32_t)soft_sqrt(a, rm, fl, MS, ES);
}

uint64_t fpu_sqrt_d(uint64_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
#if FPU_HAVE_HOST
    if (USE_HOST(rm)) {
        double x = f64_of(a), y = x;
        HOST_OP2("sqrtsd", x, y, rm, fl);
        return canon_d(bits_of_f64(x));
    }
#endif
    return soft_sqrt(a, rm, fl, MD, ED);
}

/* The host FMA handles only non-NaN inputs: whether x86 raises invalid for
 * inf*0+qNaN is not something to rely on, and the soft path decides NaN cases
 * without arithmetic anyway. Negations are applied to the inputs, which is exact. */
#if FPU_HAVE_HOST
static uint32_t host_fma_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{
    float x = f32_of(a), y = f32_of(b), acc = f32_of(c);
    HOST_FMA("vfmadd231ss", acc, x, y, rm, fl);
    return canon_s(bits_of_f32(acc));
}

static uint64_t host_fma_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{
    double x = f64_of(a), y = f64_of(b), acc = f64_of(c);
    HOST_FMA("vfmadd231sd", acc, x, y, rm, fl);
    return canon_d(bits_of_f64(acc));
}
#endif

INLINE uint32_t fma_s(uint32_t a, uint32_t b, uint32_t c, bool negp, bool negc, unsigned rm,
                      uint32_t *fl)
{
    assert(rm <= FPU_RMM);
#if FPU_HAVE_HOST
    if (USE_HOST(rm) && host_has_fma() && !f_isnan(a, MS, ES) && !f_isnan(b, MS, ES) &&
        !f_isnan(c, MS, ES))
        return host_fma_s(a ^ ((uint32_t)negp << 31), b, c ^ ((uint32_t)negc << 31), rm, fl);
#endif
    return (uint32_t)soft_fma(a, b, c, negp, negc, rm, fl, MS, ES);
}

INLINE uint64_t fma_d(uint64_t a, uint64_t b, uint64_t c, bool negp, bool negc, unsigned rm,
                      uint32_t *fl)
{
    assert(rm <= FPU_RMM);
#if FPU_HAVE_HOST
    if (USE_HOST(rm) && host_has_fma() && !f_isnan(a, MD, ED) && !f_isnan(b, MD, ED) &&
        !f_isnan(c, MD, ED))
        return host_fma_d(a ^ ((uint64_t)negp << 63), b, c ^ ((uint64_t)negc << 63), rm, fl);
#endif
    return soft_fma(a, b, c, negp, negc, rm, fl, MD, ED);
}

uint32_t fpu_madd_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{
    return fma_s(a, b, c, false, false, rm, fl);
}
uint32_t fpu_msub_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{
    return fma_s(a, b, c, false, true, rm, fl);
}
uint32_t fpu_nmsub_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{
    return fma_s(a, b, c, true, false, rm, fl);
}
uint32_t fpu_nmadd_s(uint32_t a, uint32_t b, uint32_t c, unsigned rm, uint32_t *fl)
{
    return fma_s(a, b, c, true, true, rm, fl);
}
uint64_t fpu_madd_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{
    return fma_d(a, b, c, false, false, rm, fl);
}
uint64_t fpu_msub_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{
    return fma_d(a, b, c, false, true, rm, fl);
}
uint64_t fpu_nmsub_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{
    return fma_d(a, b, c, true, false, rm, fl);
}
uint64_t fpu_nmadd_d(uint64_t a, uint64_t b, uint64_t c, unsigned rm, uint32_t *fl)
{
    return fma_d(a, b, c, true, true, rm, fl);
}

uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *fl)
{
    return (uint32_t)soft_minmax(a, b, false, fl, MS, ES);
}
uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *fl)
{
    return (uint32_t)soft_minmax(a, b, true, fl, MS, ES);
}
uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *fl)
{
    return soft_minmax(a, b, false, fl, MD, ED);
}
uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *fl)
{
    return soft_minmax(a, b, true, fl, MD, ED);
}

uint64_t fpu_eq_s(uint32_t a, uint32_t b, uint32_t *fl) { return soft_eq(a, b, fl, MS, ES); }
uint64_t fpu_lt_s(uint32_t a, uint32_t b, uint32_t *fl) { return soft_lt(a, b, false, fl, MS, ES); }
uint64_t fpu_le_s(uint32_t a, uint32_t b, uint32_t *fl) { return soft_lt(a, b, true, fl, MS, ES); }
uint64_t fpu_eq_d(uint64_t a, uint64_t b, uint32_t *fl) { return soft_eq(a, b, fl, MD, ED); }
uint64_t fpu_lt_d(uint64_t a, uint64_t b, uint32_t *fl) { return soft_lt(a, b, false, fl, MD, ED); }
uint64_t fpu_le_d(uint64_t a, uint64_t b, uint32_t *fl) { return soft_lt(a, b, true, fl, MD, ED); }

uint64_t fpu_class_s(uint32_t a) { return soft_class(a, MS, ES); }
uint64_t fpu_class_d(uint64_t a) { return soft_class(a, MD, ED); }

/* RV64 writes 32-bit integer results sign-extended (fcvt.wu included). */
INLINE uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }

uint64_t fpu_cvt_w_s(uint32_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return sext32(soft_cvt_fi(a, rm, fl, true, 32, MS, ES));
}
uint64_t fpu_cvt_wu_s(uint32_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return sext32(soft_cvt_fi(a, rm, fl, false, 32, MS, ES));
}
uint64_t fpu_cvt_l_s(uint32_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return soft_cvt_fi(a, rm, fl, true, 64, MS, ES);
}
uint64_t fpu_cvt_lu_s(uint32_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return soft_cvt_fi(a, rm, fl, false, 64, MS, ES);
}
uint64_t fpu_cvt_w_d(uint64_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return sext32(soft_cvt_fi(a, rm, fl, true, 32, MD, ED));
}
uint64_t fpu_cvt_wu_d(uint64_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return sext32(soft_cvt_fi(a, rm, fl, false, 32, MD, ED));
}
uint64_t fpu_cvt_l_d(uint64_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return soft_cvt_fi(a, rm, fl, true, 64, MD, ED);
}
uint64_t fpu_cvt_lu_d(uint64_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return soft_cvt_fi(a, rm, fl, false, 64, MD, ED);
}

/* Integer -> float: magnitude and sign, rounded by the common path. */
INLINE uint64_t mag_s32(uint64_t x) { int32_t v = (int32_t)x; return v < 0 ? -(uint64_t)(int64_t)v : (uint64_t)v; }
INLINE uint64_t mag_s64(uint64_t x) { return (int64_t)x < 0 ? -x : x; }

uint32_t fpu_cvt_s_w(uint64_t x, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return (uint32_t)soft_cvt_if(mag_s32(x), (x >> 31) & 1, rm, fl, MS, ES);
}
uint32_t fpu_cvt_s_wu(uint64_t x, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return (uint32_t)soft_cvt_if((uint32_t)x, 0, rm, fl, MS, ES);
}
uint32_t fpu_cvt_s_l(uint64_t x, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return (uint32_t)soft_cvt_if(mag_s64(x), x >> 63, rm, fl, MS, ES);
}
uint32_t fpu_cvt_s_lu(uint64_t x, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return (uint32_t)soft_cvt_if(x, 0, rm, fl, MS, ES);
}
uint64_t fpu_cvt_d_w(uint64_t x, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return soft_cvt_if(mag_s32(x), (x >> 31) & 1, rm, fl, MD, ED);
}
uint64_t fpu_cvt_d_wu(uint64_t x, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return soft_cvt_if((uint32_t)x, 0, rm, fl, MD, ED);
}
uint64_t fpu_cvt_d_l(uint64_t x, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return soft_cvt_if(mag_s64(x), x >> 63, rm, fl, MD, ED);
}
uint64_t fpu_cvt_d_lu(uint64_t x, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
    return soft_cvt_if(x, 0, rm, fl, MD, ED);
}

uint32_t fpu_cvt_s_d(uint64_t a, unsigned rm, uint32_t *fl)
{
    assert(rm <= FPU_RMM);
#if FPU_HAVE_HOST
    if (USE_HOST(rm)) {
        float r = 0;
        double x = f64_of(a);
        HOST_OP2("cvtsd2ss", r, x, rm, fl);
        return canon_s(bits_of_f32(r));
    }
#endif
    return (uint32_t)soft_cvt_ff(a, rm, fl, MD, ED, MS, ES);
}

uint64_t fpu_cvt_d_s(uint32_t a, uint32_t *fl)
{
    return soft_cvt_ff(a, FPU_RNE, fl, MS, ES, MD, ED);
}

uint32_t fpu_sgnj_s(uint32_t a, uint32_t b) { return (a & 0x7fffffffu) | (b & 0x80000000u); }
uint32_t fpu_sgnjn_s(uint32_t a, uint32_t b) { return (a & 0x7fffffffu) | (~b & 0x80000000u); }
uint32_t fpu_sgnjx_s(uint32_t a, uint32_t b) { return a ^ (b & 0x80000000u); }
uint64_t fpu_sgnj_d(uint64_t a, uint64_t b)
{
    return (a & ~(1ull << 63)) | (b & (1ull << 63));
}
uint64_t fpu_sgnjn_d(uint64_t a, uint64_t b)
{
    return (a & ~(1ull << 63)) | (~b & (1ull << 63));
}
uint64_t fpu_sgnjx_d(uint64_t a, uint64_t b) { return a ^ (b & (1ull << 63)); }
