/* RV64M: multiply high halves (signed/unsigned/mixed), W forms, division and
 * remainder including divide-by-zero and signed overflow (no traps). */
#include "rt.h"

#define RR(op, a, b) ({ u64 __r; asm volatile(op " %0, %1, %2" : "=r"(__r) : "r"((u64)(a)), "r"((u64)(b))); __r; })

int main(void)
{
    const u64 m1 = ~0UL, min = 1UL << 63, max = min - 1;
    CHECK_EQ(RR("mul", 7, 6), 42);
    CHECK_EQ(RR("mul", m1, 5), (u64)-5);
    CHECK_EQ(RR("mul", 0x123456789UL, 0x987654321UL), 0xd77d742cce1833a9UL);
    CHECK_EQ(RR("mulhu", 0x123456789UL << 28, 0x987654321UL << 28), 0xad77d742cce1833UL);
    CHECK_EQ(RR("mulh", m1, m1), 0);
    CHECK_EQ(RR("mulh", min, min), 0x4000000000000000UL);
    CHECK_EQ(RR("mulh", min, 2), m1);
    CHECK_EQ(RR("mulh", max, max), 0x3fffffffffffffffUL);
    CHECK_EQ(RR("mulh", m1, 5), m1);
    CHECK_EQ(RR("mulhu", m1, m1), 0xfffffffffffffffeUL);
    CHECK_EQ(RR("mulhu", min, 2), 1);
    CHECK_EQ(RR("mulhu", 0x100000000UL, 0x100000000UL), 1);
    CHECK_EQ(RR("mulhsu", m1, m1), m1);      /* -1 * (2^64-1) = -(2^64-1): high = -1 */
    CHECK_EQ(RR("mulhsu", 1, m1), 0);
    CHECK_EQ(RR("mulhsu", min, m1), 0x8000000000000000UL); /* -2^63*(2^64-1) */
    CHECK_EQ(RR("mulhsu", 2, min), 1);
    CHECK_EQ(RR("mulw", 0x10000, 0x10000), 0);
    CHECK_EQ(RR("mulw", 0x7fffffff, 2), 0xfffffffffffffffeUL);
    CHECK_EQ(RR("mulw", 0xffffffff00000003UL, 0x100000005UL), 15);
    CHECK_EQ(RR("mulw", 0x8000, 0x10000), 0xffffffff80000000UL);

    CHECK_EQ(RR("div", 20, 6), 3);
    CHECK_EQ(RR("div", -20L, 6), (u64)-3);   /* rounds toward zero */
    CHECK_EQ(RR("div", 20, -6L), (u64)-3);
    CHECK_EQ(RR("div", -20L, -6L), 3);
    CHECK_EQ(RR("rem", -20L, 6), (u64)-2);   /* sign of dividend */
    CHECK_EQ(RR("rem", 20, -6L), 2);
    CHECK_EQ(RR("divu", m1, 2), max);
    CHECK_EQ(RR("remu", m1, 10), 5);
    /* divide by zero: quotient all ones, remainder = dividend */
    CHECK_EQ(RR("div", 42, 0), m1);
    CHECK_EQ(RR("div", -42L, 0), m1);
    CHECK_EQ(RR("divu", 42, 0), m1);
    CHECK_EQ(RR("rem", -42L, 0), (u64)-42);
    CHECK_EQ(RR("remu", 42, 0), 42);
    /* overflow: -2^63 / -1 = -2^63, remainder 0 */
    CHECK_EQ(RR("div", min, m1), min);
    CHECK_EQ(RR("rem", min, m1), 0);
    /* W forms */
    CHECK_EQ(RR("divw", 0xffffffff00000014UL, 0x6), 3);       /* upper bits ignored */
    CHECK_EQ(RR("divw", 0xffffffecUL, 6), (u64)-3);
    CHECK_EQ(RR("divuw", 0xffffffecUL, 6), 0x2aaaaaa7UL);
    CHECK_EQ(RR("divuw", 0xfffffffeUL, 1), 0xfffffffffffffffeUL); /* sign-extended result */
    CHECK_EQ(RR("remw", 0xffffffecUL, 6), (u64)-2);
    CHECK_EQ(RR("remuw", 0xffffffecUL, 6), 2);
    CHECK_EQ(RR("remuw", 0x80000001UL, 0x100000000UL), 0xffffffff80000001UL); /* by zero (low 32) */
    CHECK_EQ(RR("divw", 5, 0), m1);
    CHECK_EQ(RR("divuw", 5, 0), m1);
    CHECK_EQ(RR("remw", 0x80000005UL, 0), 0xffffffff80000005UL);
    CHECK_EQ(RR("divw", 0x80000000UL, m1), 0xffffffff80000000UL);
    CHECK_EQ(RR("remw", 0x80000000UL, m1), 0);
    return 0;
}
