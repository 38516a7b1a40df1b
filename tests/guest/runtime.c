/* Self-test of the runtime: checks, trap expectation, enter_mode to S and U. */
#include "rt.h"

static u64 in_lower(u64 arg)
{
    return arg * 3;
}

static u64 ecall_in_lower(u64 arg)
{
    (void)arg;
    expect_trap();
    asm volatile("ecall" ::: "memory");
    return last_trap.cause;
}

int main(void)
{
    puts_("runtime self-test\n");
    expect_trap();
    asm volatile("ebreak");
    CHECK_TRAP_CAUSE(CAUSE_BREAKPOINT);
    CHECK(last_trap.tval == 0 || last_trap.tval == last_trap.epc); /* both allowed */
    CHECK_EQ(last_trap.mode, PRV_M);

    CHECK_EQ(enter_mode(PRV_U, in_lower, 5), 15);
    CHECK_EQ(enter_mode(PRV_S, in_lower, 7), 21);
    CHECK_EQ(enter_mode(PRV_U, ecall_in_lower, 0), CAUSE_ECALL_U);
    CHECK_EQ(enter_mode(PRV_S, ecall_in_lower, 0), CAUSE_ECALL_S);
    /* S handler path: delegate breakpoints to S, return via forwarded ecall. */
    csr_write(stvec, (u64)s_trap_entry);
    csr_write(medeleg, 1UL << CAUSE_ECALL_U);
    CHECK_EQ(enter_mode(PRV_U, in_lower, 2), 6);
    csr_write(medeleg, 0);
    return 0;
}
