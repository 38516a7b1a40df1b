/*
 * csr.h - the control and status registers (Zicsr, Zicntr, and the machine
 * and supervisor CSRs of privileged spec v1.12, chapters 2, 3 and 4).
 */
#ifndef RVVM_CSR_H
#define RVVM_CSR_H

#include <stdbool.h>
#include <stdint.h>

#include "rvvm/hart.h"

enum csr_op { CSR_OP_RW, CSR_OP_RS, CSR_OP_RC };

/*
 * One CSR instruction's access. `write` is false for csrrs/csrrc with x0 (or
 * a zero immediate) as the source: those must not write nor trap on
 * read-only CSRs. Returns false if the access is illegal from the current
 * privilege (the caller raises illegal-instruction); *old receives the value
 * read. A successful write may change interrupt enables or translation; the
 * function kicks the hart (HART_EV_IRQ / HART_EV_VMAP) when it does.
 */
bool csr_access(struct hart *h, unsigned csr, enum csr_op op, uint64_t operand, bool write,
                uint64_t *old);

/* Mark the FP state dirty (any instruction that writes f[] or fflags). */
static inline void csr_fs_dirty(struct hart *h)
{
    h->mstatus |= MSTATUS_FS | MSTATUS_SD;
}

/* FP instructions are illegal while mstatus.FS is Off. */
static inline bool csr_fs_enabled(const struct hart *h)
{
    return (h->mstatus & MSTATUS_FS) != 0;
}

#endif
