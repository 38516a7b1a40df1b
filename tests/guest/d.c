/* D extension: a table of IEEE vectors (every op incl. fcvt.s.d/fcvt.d.s,
 * all five rounding modes static and dynamic, exact fflags), then moves,
 * loads/stores, reserved rounding modes. */
#define FP_D
#include "fpdrv.h"

static u64 dmem[4];

int main(void)
{
    CHECK_EQ(run_vectors(), 0);

    u64 r;
    /* fld/fsd/fmv move raw bits, including signalling NaNs */
    *(volatile u64 *)&dmem[0] = 0x7ff0000000000001UL;
    asm volatile("fld ft0, 0(%1)\n fsd ft0, 8(%1)\n fmv.x.d %0, ft0" : "=r"(r) : "r"(dmem) : "ft0", "memory");
    CHECK_EQ(r, 0x7ff0000000000001UL);
    CHECK_EQ(*(volatile u64 *)&dmem[1], 0x7ff0000000000001UL);
    CHECK_EQ(csr_read(fflags), 0);
    asm volatile("fmv.d.x ft0, %1\n fsgnjn.d ft1, ft0, ft0\n fmv.x.d %0, ft1" : "=r"(r) : "r"(0x7ff0000000000001UL) : "ft0", "ft1");
    CHECK_EQ(r, 0xfff0000000000001UL);
    CHECK_EQ(csr_read(fflags), 0);
    /* a single written by fsw/flw into a register viewed as double is boxed */
    *(volatile u32 *)&dmem[2] = 0x3f800000;
    asm volatile("flw ft0, 16(%1)\n fsd ft0, 24(%1)" : "=r"(r) : "r"(dmem) : "ft0", "memory");
    CHECK_EQ(*(volatile u64 *)&dmem[3], 0xffffffff3f800000UL);
    /* reserved static rm on a double op */
    extern char drm5[];
    expect_trap();
    asm volatile("drm5: .insn r 0x53, 5, 0x01, ft3, ft0, ft1" ::: "ft3"); /* fadd.d rm=5 */
    CHECK_TRAP(CAUSE_ILLEGAL, *(u32 *)drm5);
    expect_trap();
    asm volatile(".insn r4 0x43, 6, 1, ft3, ft0, ft1, ft2" ::: "ft3"); /* fmadd.d rm=6 */
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    csr_write(frm, 5);
    expect_trap();
    asm volatile("fcvt.s.d ft3, ft0, dyn" ::: "ft3");
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    expect_trap();
    asm volatile("fsqrt.d ft3, ft0, dyn" ::: "ft3");
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    csr_write(frm, 0);
    return 0;
}
