/*
 * translate.h - the interface between the code cache (jit.c) and the block
 * translator (translate.c). Private to vmm/jit.
 *
 * Conventions of translated code (the "ABI" both files rely on):
 *  - RBX holds the struct hart pointer for the whole run; RSP is 16-byte
 *    aligned inside blocks, with an 8-byte scratch slot at [rsp] (the out
 *    parameter of mmu_load_slow), another at [rsp + 8] (MXCSR across a
 *    slow path, translate_fp.inc) and JIT_PAGE_SLOTS at [rsp +
 *    JIT_PAGE_SLOT0] (host pointers of pages probed earlier in the block,
 *    translate.c), JIT_LOOP_SLOTS at [rsp + JIT_LOOP_SLOT0] (the last
 *    page of a loop block's access, translate.c) and JIT_HOIST_SLOTS at
 *    [rsp + JIT_HOIST_SLOT0] (pages a loop block probes before its loop,
 *    translate.c): the trampoline's JIT_FRAME bytes.
 *  - JIT_ICOUNT (R15) counts the instructions translated code retires, on
 *    top of h->instret: the trampoline zeroes it, blocks add to it (chained
 *    blocks keep adding), the epilogues add it to h->instret, and so does
 *    translated code before it calls a helper (then zeroes it).
 *  - The guest registers of jit_pin_guest[] live in the host registers of
 *    jit_pin_host[] (callee-saved) between blocks: at every block entry and
 *    every exit, chained or not, guest jit_pin_guest[k] is in host
 *    jit_pin_host[k] and h->x[] may not have it. Every other guest register
 *    is in h->x[]. h->pc need not be current at entry. Every exit brings
 *    the registers to that state, counts what retired and, when leaving to
 *    the dispatcher, stores h->pc. So values like sp and a0 go from block
 *    to block without a store and a load.
 *  - Leaving to the dispatcher is a jump to env->exit0 (returns 0) or to
 *    env->exit_rax with RAX = address of a rel32 field that the dispatcher
 *    may patch to chain this exit to the block for h->pc; both store the
 *    pinned registers to h->x[] first. env->exit_synced leaves like exit0
 *    without that store: for exits after a helper, when h->x[] is current
 *    (the helper may have changed it). Exits to the block's own guest page
 *    are chained for good: a translation is valid for one virtual ->
 *    physical mapping, and within one page the mapping of the target is
 *    the mapping of the block. Exits to other pages leave through
 *    env->exit_xpage instead, and the dispatcher links them until the
 *    mapping changes (jit.c); jalr goes through the jump cache, which a
 *    change of mappings invalidates.
 */
#ifndef RVVM_JIT_TRANSLATE_H
#define RVVM_JIT_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/jit/x64_emit.h"

#define JIT_ICOUNT X64_R15 /* retired instructions not yet in h->instret */

/* Guest registers kept in host registers across blocks (see above): sp
 * and a0, which calls, returns and the short blocks around them pass on. */
#define JIT_NPIN 2
static const uint8_t jit_pin_guest[JIT_NPIN] = {2, 10};
static const uint8_t jit_pin_host[JIT_NPIN] = {X64_R14, X64_R13};
#define JIT_PAGE_SLOTS 8
#define JIT_PAGE_SLOT0 24
/* Loop blocks: a tag and an addend (16 bytes) per lone access, its last page */
#define JIT_LOOP_SLOTS 8
#define JIT_LOOP_SLOT0 (JIT_PAGE_SLOT0 + 8 * JIT_PAGE_SLOTS)
/* Loop blocks: a host page pointer per group through a loop-invariant base */
#define JIT_HOIST_SLOTS 8
#define JIT_HOIST_SLOT0 (JIT_LOOP_SLOT0 + 16 * JIT_LOOP_SLOTS)
#define JIT_FRAME (JIT_HOIST_SLOT0 + 8 * JIT_HOIST_SLOTS)
/* 6 pushes and the return address leave rsp 8 mod 16 */
_Static_assert((JIT_FRAME + 56) % 16 == 0, "blocks run with rsp 16-byte aligned");

/* The inline jump cache (jalr, and the way on after an instruction across
 * the page end that ran on the interpreter):
 * direct-mapped on the virtual pc, one table per (iset, dset) so that an
 * entry always names a block translated for the running sets. Blocks are
 * keyed on the physical address of their code; a virtual pc names one only
 * under the mapping it was looked up in, so an entry holds the table's
 * generation at fill time, and a change of mappings (satp, sfence.vma)
 * just bumps the generation instead of clearing the table. */
#define JIT_JC_BITS 14u
#define JIT_JC_SIZE (1u << JIT_JC_BITS)
struct jit_jc_entry {
    uint64_t pc;
    const uint8_t *code;
    uint64_t gen;
    const void *block; /* the dispatcher's struct jit_block (translated code ignores it) */
};
_Static_assert(sizeof(struct jit_jc_entry) == 32, "jump cache entry is 32 bytes");
struct jit_jc {
    uint64_t gen; /* entries with another gen are stale */
    uint64_t pad[3];
    struct jit_jc_entry e[JIT_JC_SIZE];
};
#define JIT_JC_ENTRIES 32 /* offsetof(struct jit_jc, e) */

/* The slot of pc: the bits above the index folded in, so that a call and
 * its return site at the same offset modulo the table (a libc routine and
 * its caller, say) do not evict each other. translate.c emits the same. */
static inline unsigned jit_jc_index(uint64_t pc)
{
    return (unsigned)(((pc >> 1) ^ (pc >> (JIT_JC_BITS + 1))) & (JIT_JC_SIZE - 1));
}
_Static_assert(JIT_JC_ENTRIES == __builtin_offsetof(struct jit_jc, e), "jump cache layout");

/* What a block needs to know about its surroundings. */
struct jit_env {
    const uint8_t *exit0;       /* epilogue, returns 0 */
    const uint8_t *exit_rax;    /* epilogue, returns RAX (a chain site) */
    const uint8_t *exit_synced; /* epilogue, returns 0, h->x[] already current */
    const uint8_t *exit_xpage;  /* epilogue like exit_rax, for an exit to another page */
    struct jit_jc *jc;          /* the jump cache for this block's sets */
    unsigned iset, dset;        /* TLB sets baked into the block */
    unsigned max_insns;
    bool chain;                 /* emit chainable exits and the jalr lookup */
    bool bmi2;                  /* host has shlx/shrx/sarx */
    bool leave_at_heads;        /* inner loop heads leave as if an event were pending */
    int32_t next_half;          /* the first 16 bits of the next page, if the fetch TLB maps
                                 * it (else -1): the upper half of an instruction across the
                                 * page end (see straddle_check) */
};

/*
 * Translate the block at guest pc, whose guest page is at host address
 * `page` (the whole page readable; a block reads only its own page). Emits
 * the block at the emitter's position. Returns the number of guest
 * instructions translated (a last one across the page end, run by a helper,
 * counts); 0 when there is nothing it could translate (the caller
 * interprets). The caller checks e->overflow.
 */
struct jit_tx_out {
    size_t guest_off, guest_len; /* the page's bytes the block's code came from */
    const uint8_t *entry_exit; /* stub that stores the block's pc and leaves:
                                * a jmp to it at the block start retires the block */
};
unsigned jit_translate(struct x64_emitter *e, const struct jit_env *env, uint64_t pc,
                       const uint8_t *page, struct jit_tx_out *out);

#endif
