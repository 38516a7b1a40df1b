/*
 * translate_fp.h - the F/D translator's per-block state, a member of
 * translate.c's struct tx (the code is translate_fp.inc, included there).
 * Private to vmm/jit.
 */
#ifndef RVVM_JIT_TRANSLATE_FP_H
#define RVVM_JIT_TRANSLATE_FP_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/jit/x64_emit.h"

struct insn;

#define FP_MAX_STUBS 160

/* Out-of-line code for the rare cases of one natively translated FP
 * instruction: a NaN result to canonicalise, or the whole instruction on
 * the exact software FPU (dynamic rm other than RNE, a single that is not
 * NaN-boxed, an FMA whose result is NaN). */
struct fp_stub {
    struct x64_label entry, join;
    const struct insn *in;
    uint8_t kind;  /* enum fp_stub_kind (translate_fp.inc) */
    uint16_t live; /* host registers (bit per number) to preserve across a call */
};

/* What the block's code has established so far, at translation time, on
 * the straight-line path through the block. */
struct fp_tx {
    bool fs_checked; /* mstatus.FS was found not Off earlier in the block */
    bool frm_checked; /* frm was found valid (0..4) earlier in the block */
    bool fs_dirty;   /* mstatus.FS was set to Dirty earlier in the block */
    bool run;        /* a run of native SSE operations is open: MXCSR's
                      * flags are theirs and not yet in fflags */
    unsigned nstub;
    struct fp_stub stub[FP_MAX_STUBS];
};

#endif
