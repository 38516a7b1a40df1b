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
#define FP_MAX_SLOW 256 /* translate.c's MAX_SLOW */
#define FP_NXMM 13      /* xmm3..xmm15 cache FP registers */

/* Which guest FP registers xmm3..xmm15 hold, at one point of the block.
 * f[] in memory is always current (the cache is write-through): an entry
 * only saves the load, and its store-to-load forwarding latency, of a
 * value the block computed or read before. */
struct fp_map {
    uint8_t f1[FP_NXMM];   /* guest register + 1; 0: free */
    uint8_t kind[FP_NXMM]; /* FP_XS: the low 32 bits are f[r]'s; FP_XD: the low 64 */
};

/* Out-of-line code for the rare cases of one natively translated FP
 * instruction: a NaN result to canonicalise, an x86 "integer indefinite"
 * to saturate the RISC-V way, or the whole instruction on the exact
 * software FPU (dynamic rm other than RNE, a single that is not NaN-boxed,
 * an FMA whose result is NaN, fmin/fmax of a NaN). */
struct fp_stub {
    struct x64_label entry, join;
    const struct insn *in;
    uint8_t kind;   /* enum fp_stub_kind (translate_fp.inc) */
    uint16_t live;  /* host registers (bit per number) to preserve across a call */
    int8_t reg;     /* a result for x[]: the host register it goes in at the join */
    int8_t xsrc;    /* x[rs1] is in this host register (-1: in h->x[]) */
    bool fl_direct; /* the software FPU's flags go straight into fflags */
    bool w64;       /* FP_STUB_SAT: a 64-bit result (else 32) */
    bool dbl;       /* FP_STUB_SAT: the source in xmm0 is a double */
    struct fp_map map; /* at the join: what a call clobbered, reloaded */
};

/* What the block's code has established so far, at translation time, on
 * the straight-line path through the block. */
struct fp_tx {
    bool fs_checked; /* mstatus.FS was found not Off earlier in the block */
    bool frm_checked; /* frm was found valid (0..4) earlier in the block */
    bool fs_dirty;   /* mstatus.FS was set to Dirty earlier in the block */
    bool run;        /* a run of native SSE operations is open: MXCSR's
                      * flags are theirs and not yet in fflags */
    bool loop_run;   /* a loop block whose run stays open around the loop */
    struct fp_map map;        /* the XMM cache, here */
    uint16_t stamp[FP_NXMM];  /* last use, for eviction */
    uint16_t clock;
    unsigned nstub;
    struct fp_stub stub[FP_MAX_STUBS];
    struct fp_map slow_map[FP_MAX_SLOW]; /* at each load/store slow path */
};

#endif
