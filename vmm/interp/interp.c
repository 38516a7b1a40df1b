/*
 * interp.c - the reference interpreter (see interp.h).
 *
 * Semantics follow the unprivileged ISA 20191213 (RV64I chapter 5, M
 * chapter 7, A chapter 8); privileged behaviour (traps, CSRs, translation)
 * is delegated to vmm/hart so the translator shares one truth with this file.
 */
#include "vmm/interp/interp.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "vmm/hart/csr.h"
#include "vmm/hart/mmu.h"
#include "vmm/hart/trap.h"

/* Longest run of sequential instructions between event checks. */
#define INTERP_BLOCK_MAX 256

static inline uint64_t sx32(uint64_t v)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

static inline void wr(struct hart *h, unsigned rd, uint64_t v)
{
    if (rd)
        h->x[rd] = v;
}

static uint64_t div_s(int64_t a, int64_t b)
{
    if (b == 0)
        return ~0ull;
    if (a == INT64_MIN && b == -1)
        return (uint64_t)a;
    return (uint64_t)(a / b);
}

static uint64_t rem_s(int64_t a, int64_t b)
{
    if (b == 0)
        return (uint64_t)a;
    if (a == INT64_MIN && b == -1)
        return 0;
    return (uint64_t)(a % b);
}

static uint64_t divw_s(int32_t a, int32_t b)
{
    if (b == 0)
        return ~0ull;
    if (a == INT32_MIN && b == -1)
        return sx32((uint32_t)a);
    return sx32((uint32_t)(a / b));
}

static uint64_t remw_s(int32_t a, int32_t b)
{
    if (b == 0)
        return sx32((uint32_t)a);
    if (a == INT32_MIN && b == -1)
        return 0;
    return sx32((uint32_t)(a % b));
}

static bool load(struct hart *h, const struct insn *in, unsigned size, bool sign)
{
    uint64_t v;
    if (!mmu_load(h, h->x[in->rs1] + (uint64_t)(int64_t)in->imm, size, &v))
        return false;
    if (sign && size < 8) {
        unsigned sh = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << sh) >> sh);
    }
    wr(h, in->rd, v);
    return true;
}

static bool store(struct hart *h, const struct insn *in, unsigned size)
{
    return mmu_store(h, h->x[in->rs1] + (uint64_t)(int64_t)in->imm, size, h->x[in->rs2]);
}

/* LR/SC as compare-and-swap against the value LR saw, so that with several
 * hart threads an SC fails whenever another store changed the word. */
static bool exec_lrsc(struct hart *h, const struct insn *in, unsigned size, bool lr)
{
    uint64_t pa;
    void *p;
    uint64_t va = h->x[in->rs1];
    if (lr) {
        if (!mmu_amo_addr(h, va, size, true, &pa, &p))
            return false;
        uint64_t v = size == 4 ? sx32(atomic_load((_Atomic uint32_t *)p))
                               : atomic_load((_Atomic uint64_t *)p);
        h->lr_addr = pa;
        h->lr_value = v;
        wr(h, in->rd, v);
        return true;
    }
    if (!mmu_amo_addr(h, va, size, false, &pa, &p))
        return false;
    bool ok = false;
    if (h->lr_addr == pa) {
        if (size == 4) {
            uint32_t expect = (uint32_t)h->lr_value;
            ok = atomic_compare_exchange_strong((_Atomic uint32_t *)p, &expect,
                                                (uint32_t)h->x[in->rs2]);
        } else {
            uint64_t expect = h->lr_value;
            ok = atomic_compare_exchange_strong((_Atomic uint64_t *)p, &expect, h->x[in->rs2]);
        }
    }
    h->lr_addr = LR_NONE;
    wr(h, in->rd, ok ? 0 : 1);
    return true;
}

static uint64_t amo_op(unsigned op, uint64_t old, uint64_t src, bool w)
{
    if (w) {
        old = sx32(old);
        src = sx32(src);
    }
    switch (op) {
    case OP_AMOSWAP_W: case OP_AMOSWAP_D: return src;
    case OP_AMOADD_W: case OP_AMOADD_D: return old + src;
    case OP_AMOXOR_W: case OP_AMOXOR_D: return old ^ src;
    case OP_AMOAND_W: case OP_AMOAND_D: return old & src;
    case OP_AMOOR_W: case OP_AMOOR_D: return old | src;
    case OP_AMOMIN_W: case OP_AMOMIN_D: return (int64_t)old < (int64_t)src ? old : src;
    case OP_AMOMAX_W: case OP_AMOMAX_D: return (int64_t)old > (int64_t)src ? old : src;
    case OP_AMOMINU_W: case OP_AMOMINU_D:
        if (w)
            return (uint32_t)old < (uint32_t)src ? old : src;
        return old < src ? old : src;
    case OP_AMOMAXU_W: case OP_AMOMAXU_D:
        if (w)
            return (uint32_t)old > (uint32_t)src ? old : src;
        return old > src ? old : src;
    }
    return old;
}

static bool exec_amo(struct hart *h, const struct insn *in, unsigned size)
{
    uint64_t pa;
    void *p;
    if (!mmu_amo_addr(h, h->x[in->rs1], size, false, &pa, &p))
        return false;
    bool w = size == 4;
    uint64_t src = h->x[in->rs2], old;
    if (w) {
        _Atomic uint32_t *q = p;
        uint32_t cur = atomic_load(q);
        while (!atomic_compare_exchange_weak(q, &cur, (uint32_t)amo_op(in->op, cur, src, true)))
            ;
        old = sx32(cur);
    } else {
        _Atomic uint64_t *q = p;
        uint64_t cur = atomic_load(q);
        while (!atomic_compare_exchange_weak(q, &cur, amo_op(in->op, cur, src, false)))
            ;
        old = cur;
    }
    wr(h, in->rd, old);
    return true;
}

static bool exec_csr(struct hart *h, const struct insn *in)
{
    enum csr_op op;
    uint64_t operand;
    bool write;
    switch (in->op) {
    case OP_CSRRW: op = CSR_OP_RW; operand = h->x[in->rs1]; write = true; break;
    case OP_CSRRS: op = CSR_OP_RS; operand = h->x[in->rs1]; write = in->rs1 != 0; break;
    case OP_CSRRC: op = CSR_OP_RC; operand = h->x[in->rs1]; write = in->rs1 != 0; break;
    case OP_CSRRWI: op = CSR_OP_RW; operand = in->rs1; write = true; break;
    case OP_CSRRSI: op = CSR_OP_RS; operand = in->rs1; write = in->rs1 != 0; break;
    default: op = CSR_OP_RC; operand = in->rs1; write = in->rs1 != 0; break;
    }
    uint64_t old;
    if (!csr_access(h, (unsigned)in->imm, op, operand, write, &old)) {
        hart_illegal(h, in->raw);
        return false;
    }
    wr(h, in->rd, old);
    return true;
}

/* Finish a non-branching instruction. */
#define NEXT()                                                                                \
    do {                                                                                      \
        h->pc = pc + in->len;                                                                 \
        h->instret++;                                                                         \
        return true;                                                                          \
    } while (0)

/* Finish a control transfer to `target`. */
#define JUMP(target)                                                                          \
    do {                                                                                      \
        h->pc = (target);                                                                     \
        h->instret++;                                                                         \
        return false;                                                                         \
    } while (0)

/* A system instruction that ends the block after falling through. */
#define NEXT_END()                                                                            \
    do {                                                                                      \
        h->pc = pc + in->len;                                                                 \
        h->instret++;                                                                         \
        return false;                                                                         \
    } while (0)

bool interp_exec(struct hart *h, const struct insn *in)
{
    uint64_t *x = h->x;
    const uint64_t pc = h->pc;
    const uint64_t a = x[in->rs1], b = x[in->rs2];
    const uint64_t imm = (uint64_t)(int64_t)in->imm;
    const unsigned rd = in->rd;

    switch ((enum op)in->op) {
    case OP_LUI: wr(h, rd, imm); NEXT();
    case OP_AUIPC: wr(h, rd, pc + imm); NEXT();
    case OP_JAL: wr(h, rd, pc + in->len); JUMP(pc + imm);
    case OP_JALR: {
        uint64_t t = (a + imm) & ~1ull; /* read rs1 before writing rd */
        wr(h, rd, pc + in->len);
        JUMP(t);
    }
    case OP_BEQ: if (a == b) JUMP(pc + imm); NEXT();
    case OP_BNE: if (a != b) JUMP(pc + imm); NEXT();
    case OP_BLT: if ((int64_t)a < (int64_t)b) JUMP(pc + imm); NEXT();
    case OP_BGE: if ((int64_t)a >= (int64_t)b) JUMP(pc + imm); NEXT();
    case OP_BLTU: if (a < b) JUMP(pc + imm); NEXT();
    case OP_BGEU: if (a >= b) JUMP(pc + imm); NEXT();

    case OP_LB: if (!load(h, in, 1, true)) return false; NEXT();
    case OP_LH: if (!load(h, in, 2, true)) return false; NEXT();
    case OP_LW: if (!load(h, in, 4, true)) return false; NEXT();
    case OP_LD: if (!load(h, in, 8, false)) return false; NEXT();
    case OP_LBU: if (!load(h, in, 1, false)) return false; NEXT();
    case OP_LHU: if (!load(h, in, 2, false)) return false; NEXT();
    case OP_LWU: if (!load(h, in, 4, false)) return false; NEXT();
    case OP_SB: if (!store(h, in, 1)) return false; NEXT();
    case OP_SH: if (!store(h, in, 2)) return false; NEXT();
    case OP_SW: if (!store(h, in, 4)) return false; NEXT();
    case OP_SD: if (!store(h, in, 8)) return false; NEXT();

    case OP_ADDI: wr(h, rd, a + imm); NEXT();
    case OP_SLTI: wr(h, rd, (int64_t)a < (int64_t)imm); NEXT();
    case OP_SLTIU: wr(h, rd, a < imm); NEXT();
    case OP_XORI: wr(h, rd, a ^ imm); NEXT();
    case OP_ORI: wr(h, rd, a | imm); NEXT();
    case OP_ANDI: wr(h, rd, a & imm); NEXT();
    case OP_SLLI: wr(h, rd, a << (imm & 63)); NEXT();
    case OP_SRLI: wr(h, rd, a >> (imm & 63)); NEXT();
    case OP_SRAI: wr(h, rd, (uint64_t)((int64_t)a >> (imm & 63))); NEXT();
    case OP_ADD: wr(h, rd, a + b); NEXT();
    case OP_SUB: wr(h, rd, a - b); NEXT();
    case OP_SLL: wr(h, rd, a << (b & 63)); NEXT();
    case OP_SLT: wr(h, rd, (int64_t)a < (int64_t)b); NEXT();
    case OP_SLTU: wr(h, rd, a < b); NEXT();
    case OP_XOR: wr(h, rd, a ^ b); NEXT();
    case OP_SRL: wr(h, rd, a >> (b & 63)); NEXT();
    case OP_SRA: wr(h, rd, (uint64_t)((int64_t)a >> (b & 63))); NEXT();
    case OP_OR: wr(h, rd, a | b); NEXT();
    case OP_AND: wr(h, rd, a & b); NEXT();
    case OP_ADDIW: wr(h, rd, sx32(a + imm)); NEXT();
    case OP_SLLIW: wr(h, rd, sx32((uint32_t)a << (imm & 31))); NEXT();
    case OP_SRLIW: wr(h, rd, sx32((uint32_t)a >> (imm & 31))); NEXT();
    case OP_SRAIW: wr(h, rd, sx32((uint32_t)((int32_t)a >> (imm & 31)))); NEXT();
    case OP_ADDW: wr(h, rd, sx32(a + b)); NEXT();
    case OP_SUBW: wr(h, rd, sx32(a - b)); NEXT();
    case OP_SLLW: wr(h, rd, sx32((uint32_t)a << (b & 31))); NEXT();
    case OP_SRLW: wr(h, rd, sx32((uint32_t)a >> (b & 31))); NEXT();
    case OP_SRAW: wr(h, rd, sx32((uint32_t)((int32_t)a >> (b & 31)))); NEXT();

    case OP_MUL: wr(h, rd, a * b); NEXT();
    case OP_MULH:
        wr(h, rd, (uint64_t)(((__int128)(int64_t)a * (__int128)(int64_t)b) >> 64));
        NEXT();
    case OP_MULHSU:
        wr(h, rd, (uint64_t)(((__int128)(int64_t)a * (__int128)(unsigned __int128)b) >> 64));
        NEXT();
    case OP_MULHU:
        wr(h, rd, (uint64_t)(((unsigned __int128)a * (unsigned __int128)b) >> 64));
        NEXT();
    case OP_DIV: wr(h, rd, div_s((int64_t)a, (int64_t)b)); NEXT();
    case OP_DIVU: wr(h, rd, b ? a / b : ~0ull); NEXT();
    case OP_REM: wr(h, rd, rem_s((int64_t)a, (int64_t)b)); NEXT();
    case OP_REMU: wr(h, rd, b ? a % b : a); NEXT();
    case OP_MULW: wr(h, rd, sx32(a * b)); NEXT();
    case OP_DIVW: wr(h, rd, divw_s((int32_t)a, (int32_t)b)); NEXT();
    case OP_DIVUW:
        wr(h, rd, (uint32_t)b ? sx32((uint32_t)a / (uint32_t)b) : ~0ull);
        NEXT();
    case OP_REMW: wr(h, rd, remw_s((int32_t)a, (int32_t)b)); NEXT();
    case OP_REMUW:
        wr(h, rd, (uint32_t)b ? sx32((uint32_t)a % (uint32_t)b) : sx32(a));
        NEXT();

    case OP_LR_W: if (!exec_lrsc(h, in, 4, true)) return false; NEXT();
    case OP_LR_D: if (!exec_lrsc(h, in, 8, true)) return false; NEXT();
    case OP_SC_W: if (!exec_lrsc(h, in, 4, false)) return false; NEXT();
    case OP_SC_D: if (!exec_lrsc(h, in, 8, false)) return false; NEXT();
    case OP_AMOSWAP_W: case OP_AMOADD_W: case OP_AMOXOR_W: case OP_AMOAND_W: case OP_AMOOR_W:
    case OP_AMOMIN_W: case OP_AMOMAX_W: case OP_AMOMINU_W: case OP_AMOMAXU_W:
        if (!exec_amo(h, in, 4))
            return false;
        NEXT();
    case OP_AMOSWAP_D: case OP_AMOADD_D: case OP_AMOXOR_D: case OP_AMOAND_D: case OP_AMOOR_D:
    case OP_AMOMIN_D: case OP_AMOMAX_D: case OP_AMOMINU_D: case OP_AMOMAXU_D:
        if (!exec_amo(h, in, 8))
            return false;
        NEXT();

    case OP_FENCE: NEXT();
    case OP_FENCE_I:
        /* The interpreter's decode cache checks instruction bits; translated
         * code written behind the store hook (device DMA) must go. */
        hart_request(h, HART_EV_FLUSH);
        NEXT_END();
    case OP_ECALL:
        hart_trap(h, h->priv == PRV_M ? EXC_ECALL_M : h->priv == PRV_S ? EXC_ECALL_S : EXC_ECALL_U,
                  0);
        return false;
    case OP_EBREAK:
        hart_trap(h, EXC_BREAKPOINT, pc);
        return false;
    case OP_MRET:
        if (hart_mret(h, in->raw))
            h->instret++;
        return false;
    case OP_SRET:
        if (hart_sret(h, in->raw))
            h->instret++;
        return false;
    case OP_WFI:
        /* U-mode never waits; S-mode traps when TW is set (we never time
         * out, so trapping at once is the bounded-time choice). */
        if (h->priv == PRV_U || (h->priv == PRV_S && (h->mstatus & MSTATUS_TW))) {
            hart_illegal(h, in->raw);
            return false;
        }
        h->pc = pc + in->len;
        h->instret++;
        hart_wfi(h);
        return false;
    case OP_SFENCE_VMA:
        if (h->priv == PRV_U || (h->priv == PRV_S && (h->mstatus & MSTATUS_TVM))) {
            hart_illegal(h, in->raw);
            return false;
        }
        /* Engines cache by virtual pc: their lookups go, not their code. */
        if (in->rs1) {
            hart_vmap(h, tlb_flush_page(h, a) ? a : VMAP_ALL);
        } else {
            tlb_flush_all(h);
            hart_vmap(h, VMAP_ALL);
        }
        NEXT_END();
    case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
    case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
        if (!exec_csr(h, in))
            return false;
        NEXT_END();

    case OP_ILLEGAL:
        hart_illegal(h, in->raw);
        return false;
    default:
        return interp_fp(h, in);
    }
}

bool interp_step(struct hart *h)
{
    uint32_t raw;
    if (!mmu_fetch(h, h->pc, &raw))
        return false;
    struct insn in;
    decode(raw, &in);
    uint64_t before = h->instret;
    interp_exec(h, &in);
    return h->instret != before;
}

/*
 * Decode cache: decoding is half the cost of interpreting, and most code runs
 * many times. Entries are keyed by virtual pc *and* the instruction bits just
 * fetched, so a hit is exact whatever the mapping or self-modifying code did:
 * no invalidation is ever needed.
 */
#define DCACHE_BITS 13
#define DCACHE_SIZE (1u << DCACHE_BITS)

struct dcache_entry {
    uint64_t pc;
    uint32_t raw;
    struct insn in;
};

static const struct insn *decode_cached(struct dcache_entry *dc, uint64_t pc, uint32_t raw)
{
    struct dcache_entry *e = &dc[(pc >> 1) & (DCACHE_SIZE - 1)];
    if (__builtin_expect(e->pc != pc || e->raw != raw, 0)) {
        decode(raw, &e->in);
        e->pc = pc;
        e->raw = raw;
    }
    return &e->in;
}

void interp_run(struct hart *h)
{
    struct dcache_entry *dc = h->dcache;
    if (!dc) {
        dc = calloc(DCACHE_SIZE, sizeof(*dc));
        if (!dc) {
            /* Out of memory: run without the cache. */
            while (!atomic_load_explicit(&h->events, memory_order_relaxed))
                for (unsigned n = 0; n < INTERP_BLOCK_MAX && interp_step(h); n++)
                    ;
            return;
        }
        /* pc 1 is never fetched (pcs are even): every entry starts as a miss. */
        for (unsigned i = 0; i < DCACHE_SIZE; i++)
            dc[i].pc = 1;
        h->dcache = dc;
    }
    while (!atomic_load_explicit(&h->events, memory_order_relaxed)) {
        for (unsigned n = 0; n < INTERP_BLOCK_MAX; n++) {
            uint32_t raw;
            if (!mmu_fetch(h, h->pc, &raw))
                break;
            if (!interp_exec(h, decode_cached(dc, h->pc, raw)))
                break;
        }
    }
}
