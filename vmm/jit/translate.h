/*
 * translate.h - the interface between the code cache (jit.c) and the block
 * translator (translate.c). Private to vmm/jit.
 *
 * Conventions of translated code (the "ABI" both files rely on):
 *  - RBX holds the struct hart pointer for the whole run; RSP is 16-byte
 *    aligned inside blocks, with an 8-byte scratch slot at [rsp] (the out
 *    parameter of mmu_load_slow).
 *  - A block is entered with every guest register in h->x[] (nothing cached
 *    in host registers); h->pc and h->instret need not be current at entry.
 *    Every exit writes back the cached registers, adds the retired count to
 *    h->instret and, when leaving to the dispatcher, stores h->pc.
 *  - Leaving to the dispatcher is a jump to env->exit0 (returns 0) or to
 *    env->exit_rax with RAX = address of a rel32 field that the dispatcher
 *    may patch to chain this exit to the block for h->pc.
 */
#ifndef RVVM_JIT_TRANSLATE_H
#define RVVM_JIT_TRANSLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/jit/x64_emit.h"

/* jalr's inline jump cache: direct-mapped on pc, one table per (iset, dset)
 * so that an entry always names a block translated for the running sets. */
#define JIT_JC_BITS 12u
#define JIT_JC_SIZE (1u << JIT_JC_BITS)
struct jit_jc_entry {
    uint64_t pc;
    const uint8_t *code;
};
_Static_assert(sizeof(struct jit_jc_entry) == 16, "jump cache entry is 16 bytes");

/* What a block needs to know about its surroundings. */
struct jit_env {
    const uint8_t *exit0;       /* epilogue, returns 0 */
    const uint8_t *exit_rax;    /* epilogue, returns RAX (a chain site) */
    struct jit_jc_entry *jc;    /* the jump cache for this block's sets */
    unsigned iset, dset;        /* TLB sets baked into the block */
    unsigned max_insns;
    bool chain;                 /* emit chainable exits and the jalr lookup */
    bool bmi2;                  /* host has shlx/shrx/sarx */
};

/*
 * Translate the block at guest pc, whose instruction bytes are at `code`
 * (a host pointer; `avail` bytes until the end of the guest page). Emits the
 * block at the emitter's position. Returns the number of guest instructions
 * translated: 0 when the first instruction does not fit in the page (the
 * caller interprets it). The caller checks e->overflow.
 */
struct jit_tx_out {
    size_t guest_bytes;        /* bytes of guest code the block covers */
    const uint8_t *entry_exit; /* stub that stores the block's pc and leaves:
                                * a jmp to it at the block start retires the block */
};
unsigned jit_translate(struct x64_emitter *e, const struct jit_env *env, uint64_t pc,
                       const uint8_t *code, size_t avail, struct jit_tx_out *out);

/* jit.c: retire the blocks of one virtual page (sfence.vma rs1 != x0);
 * false when that is not enough and the whole cache must go. */
struct hart;
struct insn;
bool jit_retire_vpage(struct hart *h, uint64_t va);
/* Execute sfence.vma rs1 (rs1 != x0) on the interpreter, retiring only the
 * blocks of that page when that is enough. Same result as interp_exec. */
bool jit_exec_sfence_page(struct hart *h, const struct insn *in);

#endif
