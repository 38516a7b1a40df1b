/*
 * interp.h - the reference interpreter: executes guest code one instruction
 * at a time through the shared decoder and the hart's helpers.
 */
#ifndef RVVM_INTERP_H
#define RVVM_INTERP_H

#include <stdbool.h>

#include "rvvm/hart.h"
#include "vmm/interp/decode.h"

/* Run until hart->events is nonzero (checked at every block boundary). */
void interp_run(struct hart *h);

/* Execute the decoded instruction at h->pc. Returns true when execution
 * continues sequentially (h->pc advanced by in->len), false when the block
 * ends here (control transfer, trap taken, or a system instruction). */
bool interp_exec(struct hart *h, const struct insn *in);

/* Execute exactly one instruction (fetch, decode, execute), for lockstep
 * testing. Returns false if a trap was taken. */
bool interp_step(struct hart *h);

/* FP instructions (vmm/interp/fp.c). Same contract as interp_exec. */
bool interp_fp(struct hart *h, const struct insn *in);

#endif
