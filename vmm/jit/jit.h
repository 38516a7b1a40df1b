/*
 * jit.h - the RV64 -> x86-64 translator engine: code cache, tiering
 * dispatcher, block chaining, and the `-accel jit,verify` lockstep mode.
 *
 * Blocks start in the interpreter; a block start that has run
 * jit_opts.hot_threshold times is translated (vmm/jit/translate.c) straight
 * from the shared decoder to x86-64 through the emitter (x64_insn.h), with
 * no IR in between. Blocks are keyed on (guest virtual pc, physical code
 * address, iset, dset): the TLB sets and the virtual pc are constants in the
 * translated code, the physical address names the bytes. Direct exits within
 * a guest page are chained (patched rel32); jalr and exits to other pages go
 * through an inline jump-cache lookup. A change of address space (satp,
 * sfence.vma: HART_EV_VMAP) only invalidates the jump caches; stores to
 * translated code retire that page's blocks; after fence.i (HART_EV_FLUSH)
 * pages are checked for changes behind the store hook (device DMA) when
 * next entered. The whole cache is flushed only when full.
 */
#ifndef RVVM_JIT_H
#define RVVM_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "rvvm/hart.h"

/* Process-wide knobs (set by main and tests before jit_init). */
struct jit_opts {
    unsigned hot_threshold; /* block executions before translation (0: at once) */
    bool no_chain;          /* never patch direct exits nor use the jump cache */
    bool verify;            /* lockstep: check each block against the interpreter */
    unsigned max_insns;     /* longest block (guest instructions); 0: default */
    bool no_bmi2;           /* translate as if the host had no BMI2 (tests the fallbacks) */
    bool leave_at_heads;    /* inner loop heads always leave, as with an event pending (tests) */
};
extern struct jit_opts jit_opts;

/* Whether the host can run translated code (x86-64 with SSE2). */
bool jit_supported(void);

/* Attach a translator to the hart (h->engine); false if the host refused
 * the code cache (the caller may fall back to the interpreter). */
bool jit_init(struct hart *h);
/* Run the hart until h->events is nonzero. */
void jit_run(struct hart *h);
/* One dispatch (a block, or a chain of translated blocks), for lockstep
 * testing: the caller handles events between steps as hart_run does. */
void jit_step(struct hart *h);
/* Drop every translation. */
void jit_flush(struct hart *h);
/* Handle HART_EV_VMAP and HART_EV_FLUSH (from the dispatcher loop). */
void jit_events(struct hart *h, uint32_t ev);
void jit_destroy(struct hart *h);

/* Counters, for tests and `-d jit`. */
struct jit_stats {
    uint64_t translated, flushes, chained, cold_blocks, hot_runs;
    uint64_t xlinked; /* exits to another page linked to their target */
    uint64_t retired, smc; /* blocks retired one by one; stores that hit translated code */
    uint64_t vmaps, fence_i, stale_pages; /* HART_EV_VMAP, fence.i, pages changed by DMA */
    uint64_t vmaps_kept; /* sfence.vma of one page the jump caches know no code in */
    uint64_t verified, unverified; /* verify mode: blocks compared / skipped (MMIO) */
};
void jit_get_stats(const struct hart *h, struct jit_stats *out);
/* Tests: NULL when every link to another page is as it should be (to a
 * live block, whose page a change of mapping undoes links to), else what
 * is wrong. */
const char *jit_check_links(const struct hart *h);

#endif
