/* Sdtrig trigger CSRs (tselect, tdata1-3, tinfo), as software probes them.
 * A hart may implement any number of triggers, zero included, but the
 * probe itself (write tselect, read it back, write tdata1, read it back)
 * must not trap in M-mode: OpenSBI and the riscv-tests breakpoint program
 * rely on it. Whatever the implementation reports must be consistent:
 * a tselect that reads back as written names a trigger whose tdata1 either
 * holds what was written (supported type: the breakpoint must then fire)
 * or reads type 0 ("no trigger here"). The CSRs are M-level: S-mode access
 *is illegal. */
#include "rt.h"

#define MCONTROL_TYPE2 (2UL << 60)
#define MCONTROL_M (1UL << 6)
#define MCONTROL_EXECUTE (1UL << 2)

static u64 s_read_tselect(u64 arg)
{
    (void)arg;
    expect_trap();
    u64 v = csr_read(tselect);
    (void)v;
    return last_trap.count;
}

int main(void)
{
    /* The probe: none of these may trap in M-mode. */
    csr_write(tselect, 0);
    u64 sel = csr_read(tselect);
    u64 info = csr_read(tinfo);
    csr_write(tdata2, 0x80000000UL);
    csr_write(tdata1, MCONTROL_TYPE2 | MCONTROL_M | MCONTROL_EXECUTE);
    u64 d1 = csr_read(tdata1);
    (void)csr_read(tdata2);
    (void)csr_read(tdata3);
    csr_write(tdata3, 0);

    if (sel == 0) {
        /* Trigger 0 exists as an index. Either it took the mcontrol we
         * wrote, or it reports type 0 (no trigger) and tinfo says type 0
         * is all it supports at this index. */
        if (d1 != (MCONTROL_TYPE2 | MCONTROL_M | MCONTROL_EXECUTE)) {
            CHECK_EQ(d1 >> 60, 0);
            CHECK_EQ(info & 0xffff, 1);
        }
        /* Disarm whatever we set. */
        csr_write(tdata1, 0);
    }

    /* An index far past any implemented trigger does not read back as
     * written, or reads as "no trigger". */
    csr_write(tselect, 0xfff);
    if (csr_read(tselect) == 0xfff)
        CHECK_EQ(csr_read(tdata1) >> 60, 0);
    csr_write(tselect, 0);

    /* M-level CSRs: illegal from S-mode. */
    CHECK_EQ(enter_mode(PRV_S, s_read_tselect, 0), 1);
    CHECK_TRAP_CAUSE(CAUSE_ILLEGAL);
    return 0;
}
