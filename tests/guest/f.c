/* F extension: a table of IEEE vectors (every op, all five rounding modes
 * static and dynamic, exact fflags, canonical NaN, saturating fcvt,
 * minimumNumber fmin/fmax, fclass, fsqrt, single-rounding FMA), then
 * NaN-boxing, fcsr/frm/fflags behaviour, reserved rounding modes, loads,
 * stores and moves. */
#define FP_S
#include "fpdrv.h"

static u32 fmem[4];

/* Put raw 64-bit pattern in ft0, run `insn` (result in ft3 or a0). */
#define RAW_F(insn) ({ u64 __r; asm volatile("fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n fsflags x0\n" insn "\n fmv.x.d %0, ft3" \
    : "=r"(__r) : "r"(in), "r"(in2) : "ft0", "ft1", "ft3", "memory"); __r; })
#define RAW_X(insn) ({ u64 __r; asm volatile("fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n fsflags x0\n" insn "\n mv %0, a0" \
    : "=r"(__r) : "r"(in), "r"(in2) : "ft0", "ft1", "a0", "memory"); __r; })

int main(void)
{
    CHECK_EQ(run_vectors(), 0);

    /* NaN-boxing: a single whose upper 32 bits are not all ones reads as the
     * canonical NaN in arithmetic, compares, fclass, conversions, sign ops. */
    u64 in = 0x000000003f800000UL, in2 = 0xffffffff3f800000UL; /* unboxed 1.0, boxed 1.0 */
    CHECK_EQ(RAW_F("fadd.s ft3, ft0, ft1"), 0xffffffff7fc00000UL);
    CHECK_EQ(csr_read(fflags), 0);                                /* quiet NaN: no NV */
    CHECK_EQ(RAW_F("fsgnj.s ft3, ft0, ft1"), 0xffffffff7fc00000UL);
    CHECK_EQ(RAW_F("fsgnjn.s ft3, ft0, ft1"), 0xffffffffffc00000UL);
    CHECK_EQ(RAW_F("fmin.s ft3, ft0, ft1"), 0xffffffff3f800000UL); /* NaN vs 1.0 -> 1.0 */
    CHECK_EQ(RAW_X("fclass.s a0, ft0"), 1 << 9);
    CHECK_EQ(RAW_X("feq.s a0, ft1, ft1"), 1);
    CHECK_EQ(RAW_X("feq.s a0, ft0, ft0"), 0);
    CHECK_EQ(RAW_F("fcvt.d.s ft3, ft0"), 0x7ff8000000000000UL);
    CHECK_EQ(RAW_X("fcvt.w.s a0, ft0, rtz"), 0x7fffffff);
    CHECK_EQ(csr_read(fflags), 0x10);
    in = 0xfffffffe3f800000UL; /* one bit short of boxed */
    CHECK_EQ(RAW_F("fmul.s ft3, ft0, ft1"), 0xffffffff7fc00000UL);
    /* Transfers do not check boxing: fmv.x.w and fsw take the low 32 bits. */
    in = 0x12345678bf800000UL;
    CHECK_EQ(RAW_X("fmv.x.w a0, ft0"), 0xffffffffbf800000UL);
    asm volatile("fmv.d.x ft0, %0\n fsw ft0, 0(%1)" :: "r"(in), "r"(fmem) : "ft0", "memory");
    CHECK_EQ(*(volatile u32 *)fmem, 0xbf800000);
    /* flw and fmv.w.x box the value */
    *(volatile u32 *)&fmem[1] = 0x00000001;
    u64 r;
    asm volatile("flw ft0, 4(%1)\n fmv.x.d %0, ft0" : "=r"(r) : "r"(fmem) : "ft0", "memory");
    CHECK_EQ(r, 0xffffffff00000001UL);
    asm volatile("fmv.w.x ft0, %1\n fmv.x.d %0, ft0" : "=r"(r) : "r"(0x5555555580000000UL) : "ft0");
    CHECK_EQ(r, 0xffffffff80000000UL);
    asm volatile("fmv.w.x ft0, %1\n fmv.x.w %0, ft0" : "=r"(r) : "r"(0x7f800001UL) : "ft0");
    CHECK_EQ(r, 0x7f800001); /* moves keep signalling NaN payloads */
    asm volatile("fmv.w.x ft0, %1\n fsflags x0\n fsgnjx.s ft0, ft0, ft0\n frflags %0" : "=r"(r) : "r"(0x7f800001UL) : "ft0");
    CHECK_EQ(r, 0); /* sign injection never signals */

    /* fcsr = frm[7:5] | fflags[4:0]; the three CSRs alias */
    csr_write(fcsr, 0xff);
    CHECK_EQ(csr_read(fcsr), 0xff);
    CHECK_EQ(csr_read(frm), 7);
    CHECK_EQ(csr_read(fflags), 0x1f);
    csr_write(frm, 2);
    csr_write(fflags, 0x5);
    CHECK_EQ(csr_read(fcsr), 0x45);
    r = csr_swap(fflags, 0xff); /* only 5 bits */
    CHECK_EQ(r, 5);
    CHECK_EQ(csr_read(fcsr), 0x5f);
    asm volatile("fsrmi %0, 1" : "=r"(r));
    CHECK_EQ(r, 2);
    CHECK_EQ(csr_read(frm), 1);
    asm volatile("fsflagsi %0, 0" : "=r"(r));
    CHECK_EQ(r, 0x1f);
    csr_write(fcsr, 0);

    /* fflags accrue (OR) across instructions and are never cleared by them */
    asm volatile("li t0, 1\n fcvt.s.w ft0, t0\n fcvt.s.w ft1, x0\n fdiv.s ft2, ft0, ft1\n"
                 "li t0, 3\n fcvt.s.w ft1, t0\n fdiv.s ft2, ft0, ft1\n fadd.s ft2, ft0, ft0\n frflags %0"
                 : "=r"(r) :: "t0", "ft0", "ft1", "ft2");
    CHECK_EQ(r, 0x08 | 0x01);
    csr_write(fflags, 0);

    /* Reserved rounding modes: static rm 5/6 illegal (tval = the bits);
     * dynamic with frm >= 5 illegal; ops without rm unaffected. */
    extern char rm5[], rm6[], dyn_bad[];
    expect_trap();
    asm volatile("rm5: .insn r 0x53, 5, 0x00, ft3, ft0, ft1" ::: "ft3"); /* fadd.s rm=5 */
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)rm5);
    CHECK_EQ(*(u32 *)rm5, 0x001051d3);
    expect_trap();
    asm volatile("rm6: .insn r 0x53, 6, 0x58, ft3, ft0, f0" ::: "ft3"); /* fsqrt.s rm=6 */
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)rm6);
    for (int frmv = 5; frmv <= 7; frmv++) {
        csr_write(frm, frmv);
        CHECK_EQ(csr_read(frm), (u64)frmv); /* frm holds any value; use traps */
        expect_trap();
        asm volatile("dyn_bad: fmul.s ft3, ft0, ft1, dyn" ::: "ft3");
        CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)dyn_bad);
        expect_trap();
        asm volatile("fmadd.s ft3, ft0, ft1, ft2, dyn" ::: "ft3");
        CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
        expect_trap();
        asm volatile("fcvt.w.s a0, ft0, dyn" ::: "a0");
        CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
        /* static rm and rm-less ops still work */
        in = 0xffffffff40000000UL;
        in2 = 0xffffffff3f800000UL;
        CHECK_EQ(RAW_F("fadd.s ft3, ft0, ft1, rne"), 0xffffffff40400000UL);
        CHECK_EQ(RAW_F("fmax.s ft3, ft0, ft1"), 0xffffffff40000000UL);
        CHECK_EQ(RAW_F("fsgnjn.s ft3, ft0, ft1"), 0xffffffffc0000000UL);
    }
    csr_write(frm, 0);
    return 0;
}
