/*
 * translate.c - the block translator, layer 3 of the x86-64 emitter: guest
 * RV64 instructions, decoded by the shared decoder, straight to x86-64
 * through the layer-2 functions of x64_insn.h (no IR, no encodings here).
 *
 * Semantics are those of vmm/interp/interp.c (unprivileged ISA 20191213:
 * RV64I chapter 5, M chapter 7); F and D are in translate_fp.inc (included
 * below); whatever is not translated natively (A, CSRs, system
 * instructions) runs through a helper that executes that one instruction
 * with the interpreter, so it is exact by construction.
 *
 * Register allocation: the block is decoded before it is emitted, and
 * next_reads() tabulates, for every instruction and guest register, where
 * the register is next read (or overwritten unread) and where the next
 * instruction that may leave or trap is. A guest register gets a host
 * register (host_pool: four callee-saved, six caller-saved; RAX, RCX, RDX
 * are scratch, R15 counts instructions) at its first use; with none free,
 * the one read farthest ahead is evicted (Belady), stored only when dirty
 * and still observable, or the register itself stays in memory when it is
 * read later than all of them. A value overwritten before any possible
 * exit is never stored, an instruction whose result is such a value is not
 * emitted at all, and a result may take over a source's register when the
 * source is dead after it (dst_from). The cache state (host register,
 * dirty) is known at translation time at every point of the straight-line
 * block; the out-of-line slow paths carry a copy of it taken after any
 * eviction, so they start from the state they rejoin. Loop blocks fix a
 * mapping at the loop head (choose_head) and restore it at the back edge
 * (reconcile). The pinned registers (translate.h) are the state a block
 * starts from and every exit returns to (t->edge, to_edge): they are cached
 * and dirty at entry, evicted like any other when the block needs their
 * host registers, and loaded back before the exits.
 *
 * A block is a superblock: it goes on past conditional branches (a branch
 * out of the block is a side exit, out of line, that writes back the state
 * of its branch) and keeps forward branches and jal within the block
 * inside it: their targets are joins, whose cache state is that of the
 * first branch to reach them; later branches and the straight-line path
 * reconcile to it. A conditional branch back to an instruction of the
 * block (not its start) closes an inner loop there when its body is plain
 * integer code: the head is a join that the straight path fixes, with an
 * event check, and the back edge reconciles to it. The look-ahead stays
 * linear, but for the back edges' reads at their heads: a forward jump
 * only skips reads, and a branch (or an inner loop's head) counts as a
 * possible exit, so a value is treated as dead only when it is overwritten
 * before any of those.
 * See translate.h for the rules blocks follow at entry and exit.
 */
#include "vmm/jit/translate.h"

#include <assert.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "rvvm/hart.h"
#include "vmm/hart/mmu.h"
#include "vmm/interp/decode.h"
#include "vmm/interp/interp.h"
#include "vmm/jit/translate_fp.h"
#include "vmm/jit/x64_insn.h"

/* Short names: this file reads like assembly. */
#define RAX X64_RAX
#define RCX X64_RCX
#define RDX X64_RDX
#define RBX X64_RBX
#define RSP X64_RSP
#define RBP X64_RBP
#define RSI X64_RSI
#define RDI X64_RDI
#define R8 X64_R8
#define R9 X64_R9
#define R10 X64_R10
#define R11 X64_R11
#define R12 X64_R12
#define R13 X64_R13
#define R14 X64_R14
#define R15 X64_R15
#define W8 X64_W8
#define W16 X64_W16
#define W32 X64_W32
#define W64 X64_W64
#define HART RBX /* the struct hart pointer, for the whole run */

#define MAX_BLOCK_INSNS 256
#define MAX_SLOW MAX_BLOCK_INSNS
#define MAX_EXITS (MAX_BLOCK_INSNS + 4)
#define NO_JOIN -1

/* Host registers for guest registers: callee-saved first (they survive
 * helper calls), then caller-saved. RAX, RCX and RDX are scratch. */
static const int8_t host_pool[] = {RBP, R12, R13, R14, RSI, RDI, R8, R9, R10, R11};
#define POOL_SIZE (int)(sizeof(host_pool) / sizeof(host_pool[0]))

static bool caller_saved(int r)
{
    return r == RSI || r == RDI || r == R8 || r == R9 || r == R10 || r == R11;
}

_Static_assert(sizeof(struct insn) == 16, "struct insn travels in two registers");

/* The cached state of one guest register. */
struct reg {
    int8_t host; /* -1: only in h->x[]; else this host register holds the value */
    bool dirty;  /* ... which h->x[] does not have yet */
};

/* An out-of-line slow path for one load or store. */
struct slow {
    struct x64_label entry, join;
    struct reg regs[32]; /* cache state when the fast path branched here */
    uint64_t pc;
    unsigned pending; /* retired instructions before this one, not yet in instret */
    uint64_t next_pc;
    unsigned size;
    bool store, sign;
    int val;  /* store: the host register holding the value; VAL_ZERO, VAL_MEM */
    struct x64_mem valm; /* VAL_MEM: where the value is (h->x[], h->f[]) */
    int dst;  /* load: the host register the value goes to */
    bool fp_run; /* a run of native FP operations was open (translate_fp.inc) */
    /* In a page group (see page_group): the fast path accesses [rax + disp];
     * it jumps to `reprobe` for a full probe, which comes back to `access`
     * with rax = host address - disp, or goes on to `entry`. */
    bool grouped, leader;
    int slot;
    unsigned idx; /* the instruction */
    int32_t disp;
    struct x64_label reprobe, access;
    int lslot; /* its loop slot (see "Loop slots"), or -1 */
    int lbase; /* with a loop slot: the host register of the base, or -1 */
    /* A byte gather (see "Byte gathers"): its instructions, the registers
     * they write and the cache state where the fast path comes out. */
    unsigned span;
    uint32_t span_wr;
    struct reg post[32];
};

#define VAL_ZERO -1
#define VAL_MEM -2

/* A direct exit to a guest pc known at translation time. */
struct exit_stub {
    struct x64_label entry;
    size_t site; /* offset of the rel32 field that jumps to entry */
    uint64_t target;
    bool chainable; /* target in the block's own guest page */
};

/* A branch target inside the block: the cache state (and what the FP code
 * has established) every path arrives with. The first branch to get here
 * fixes it; later ones, and the straight-line path, reconcile to it. The
 * head of an inner loop (a branch back to it) is fixed by the paths that
 * arrive before it is translated (see "control flow inside a block"). */
struct join {
    bool target; /* some branch of the block may jump here */
    bool has;    /* ... and one was translated: r[], pending and the FP facts are set */
    bool back;   /* the head of an inner loop: a later branch jumps back here... */
    unsigned back_from; /* ... this one (the body's last instruction) */
    struct x64_label events; /* (a loop head's exit when an event is pending) */
    struct reg r[32];
    unsigned pending; /* instructions of the block not yet counted */
    bool fs_checked, frm_checked, fs_dirty;
    struct x64_label label;
};

/* A conditional branch that leaves the block: taken out of line, where the
 * dirty registers of the state at the branch are written back. */
struct side_exit {
    struct x64_label entry;
    struct reg regs[32];
    unsigned pending; /* retired instructions, the branch included */
    uint64_t target;
};

/* A byte gather (see "Byte gathers"): a register that ends up holding
 * what one little-endian load of n bytes at base + off would give, and
 * every register the stretch writes as a run of those bytes. */
#define MAX_GATHERS 32
#define GATHER_MAX_INSNS 40
struct gather_out {
    uint8_t g;   /* the register, */
    bool ok;     /* when its value is the load's first len bytes */
    uint8_t len;
};
struct gather {
    uint8_t base, rd, n, len; /* n bytes into rd; len instructions */
    int32_t off;
    uint8_t nout;
    struct gather_out out[GATHER_MAX_INSNS];
};

struct tx {
    struct x64_emitter *e;
    const struct jit_env *env;
    struct reg r[32];
    uint8_t owner[16];    /* guest register in each host register (0: free) */
    uint16_t pinned;      /* host registers the current instruction holds */
    uint16_t pool;        /* host registers given to guest registers here */
    const struct insn *ins; /* the block, decoded */
    unsigned n, idx;      /* its length; the instruction being translated */
    const uint16_t (*next)[32]; /* next[i][g]: see next_reads */
    const uint16_t *next_exit;
    uint64_t pc;          /* of the instruction being translated */
    const struct insn *in;
    unsigned pending;     /* instructions retired in this block not yet added to instret */
    struct fp_tx fp;      /* F and D (translate_fp.inc) */
    struct slow slow[MAX_SLOW];
    unsigned nslow;
    struct exit_stub exits[MAX_EXITS];
    unsigned nexits;
    struct join join[MAX_BLOCK_INSNS];  /* by instruction index */
    int16_t join_of[MAX_BLOCK_INSNS];   /* a branch's or jal's join, or NO_JOIN */
    int16_t join_src[MAX_BLOCK_INSNS];  /* a join's first branch or jal */
    struct side_exit side[MAX_BLOCK_INSNS];
    unsigned nside;
    const uint64_t *pcs;         /* guest pc of each instruction */
    const bool *follow;          /* a jal that decoding followed to its target */
    uint16_t base_vn[MAX_BLOCK_INSNS];  /* a load or store's base: its value number... */
    uint64_t base_off[MAX_BLOCK_INSNS]; /* ... plus this (see value_numbers) */
    int16_t gather_at[MAX_BLOCK_INSNS]; /* a byte gather starts here: its index; else -1 */
    bool gathered[MAX_BLOCK_INSNS];     /* ... in one (no page group takes its loads) */
    struct gather gathers[MAX_GATHERS];
    unsigned ngather;
    int skip_until;                     /* instructions a translated gather did */
    int8_t grp_slot[MAX_BLOCK_INSNS];   /* page group member: slot + 1; 0: none */
    int32_t grp_disp[MAX_BLOCK_INSNS];  /* ... its offset from the group's low end */
    int slot_until[JIT_PAGE_SLOTS];     /* a slot is in use up to this instruction */
    int64_t rax_free_since; /* the current load/store emitted from here on without touching rax */
    int64_t joined_at;      /* where the last join was bound (-1: none) */
    unsigned nlslot;        /* loop slots given out */
    unsigned nhoist;        /* hoisted groups (see hoist_groups) */
    uint8_t hoist_base[JIT_HOIST_SLOTS], hoist_kind[JIT_HOIST_SLOTS];
    int32_t hoist_lo[JIT_HOIST_SLOTS], hoist_span[JIT_HOIST_SLOTS];
    bool reachable;              /* the instruction being translated can be reached */
    struct x64_label entry_exit; /* interrupt check at entry failed */
    uint64_t block_pc;
    bool loop;                   /* the block branches back to its start... */
    struct x64_label loop_head;  /* ... here, with the cache state head[] */
    struct reg head[32];
    struct reg edge[32];         /* the state at entry and at every exit (translate.h) */
    struct x64_label loop_exit;  /* events at the loop head: write back and leave */
    /* The last instruction runs on into the next page (see "Instructions
     * across the page end"): its index (-1: none), and where its check
     * fails, with the state there. */
    int straddle_idx;
    bool straddle_used; /* (the check was emitted) */
    struct x64_label straddle_miss;
    struct reg straddle_regs[32];
    unsigned straddle_pending;
};

/* translate_fp.inc: the XMM cache where a load or store's slow path starts */
static void fp_slow_note(struct tx *t, unsigned k);
static void to_edge(struct tx *t);
static void pinned_out(struct tx *t, bool load);

/* ---- guest state addressing ---- */

static struct x64_mem xreg(unsigned g)
{
    return x64_mem_bd(HART, (int32_t)(offsetof(struct hart, x) + 8 * g));
}

static struct x64_mem hart_field(size_t off)
{
    return x64_mem_bd(HART, (int32_t)off);
}

#define HF(field) hart_field(offsetof(struct hart, field))

static int32_t tlb_off(unsigned set, unsigned kind)
{
    return (int32_t)(offsetof(struct hart, tlb) +
                     ((size_t)set * TLB_KINDS + kind) * TLB_SIZE * sizeof(struct tlb_entry));
}

/* ---- the register cache ---- */

/* Integer registers an instruction reads and writes (bit per register;
 * x0 included, callers ignore it). For the allocator's look-ahead only:
 * exactness of the generated code never depends on it. */
static void insn_regs(const struct insn *in, uint32_t *rd_mask, uint32_t *wr_mask)
{
    uint32_t r1 = 1u << in->rs1, r2 = 1u << in->rs2, w = 1u << in->rd;
    uint32_t rd = 0, wr = 0;
    switch ((enum op)in->op) {
    case OP_LUI: case OP_AUIPC: case OP_JAL: wr = w; break;
    case OP_JALR: rd = r1; wr = w; break;
    case OP_BEQ ... OP_BGEU: rd = r1 | r2; break;
    case OP_LB ... OP_LWU: rd = r1; wr = w; break;
    case OP_SB ... OP_SD: rd = r1 | r2; break;
    case OP_ADDI ... OP_SRAI: case OP_ADDIW ... OP_SRAIW: rd = r1; wr = w; break;
    case OP_ADD ... OP_AND: case OP_ADDW ... OP_SRAW: case OP_MUL ... OP_REMUW:
        rd = r1 | r2; wr = w; break;
    case OP_CSRRW ... OP_CSRRC: rd = r1; wr = w; break;
    case OP_CSRRWI ... OP_CSRRCI: wr = w; break;
    case OP_LR_W ... OP_AMOMAXU_D: rd = r1 | r2; wr = w; break;
    case OP_FLW ... OP_FSD: rd = r1; break;
    case OP_FCVT_W_S ... OP_FCVT_LU_S: case OP_FMV_X_W ... OP_FCLASS_S:
    case OP_FCVT_W_D ... OP_FCVT_LU_D: case OP_FMV_X_D ... OP_FCLASS_D:
        wr = w; break;
    case OP_FCVT_S_W ... OP_FCVT_S_LU: case OP_FCVT_D_W ... OP_FCVT_D_LU: rd = r1; break;
    default: break;
    }
    if (in->op == OP_FMV_W_X || in->op == OP_FMV_D_X) {
        rd = r1;
        wr = 0;
    }
    *rd_mask = rd;
    *wr_mask = wr;
}

/* insn_regs() as the allocator counts them: a member of a hoisted group
 * (slot number JIT_PAGE_SLOTS and up, see hoist_groups) reads its base only
 * out of line, and from h->x[] when no host register has it (a base the
 * block never writes is always there). */
static void alloc_regs(const struct insn *in, int8_t grp_slot, uint32_t *rd_mask,
                       uint32_t *wr_mask)
{
    insn_regs(in, rd_mask, wr_mask);
    if (grp_slot > JIT_PAGE_SLOTS && !(in->op >= OP_SB && in->op <= OP_SD && in->rs2 == in->rs1))
        *rd_mask &= ~(1u << in->rs1);
}

/* Instructions that cannot leave the block or trap: integer ALU and M. */
static bool insn_pure(const struct insn *in)
{
    switch ((enum op)in->op) {
    case OP_LUI: case OP_AUIPC: case OP_FENCE:
    case OP_ADDI ... OP_SRAI: case OP_ADD ... OP_AND: case OP_ADDIW ... OP_SRAW:
    case OP_MUL ... OP_REMUW:
        return true;
    default:
        return false;
    }
}

#define NEVER 0xffff /* not referenced again in the block: the value lives on */
#define DEAD 0x8000  /* | j: overwritten at instruction j before any read */

/*
 * The look-ahead of the allocator. next[i][g], from instruction i on: the
 * index of the first instruction that reads g, or DEAD | j when
 * instruction j overwrites g first, or NEVER. In a loop block the block
 * continues at its start: past the end, a register read before being
 * written in the block is next read at n + that index. Likewise an inner
 * loop's back edge b (to k) goes on at k as well: a register read there
 * (before being written) is next read at b + 1 + its distance from k, if
 * the straight path past b does not read it sooner. (Such an index may
 * name an instruction after b, or none: it only orders the reads, and
 * DEAD needs no exit before the write, while b may leave.) next_exit[i]:
 * the first instruction from i on that may leave the block or trap, or an
 * inner loop's head, or the instruction across the page end (`straddle`,
 * or -1), which may leave before they run (n: none before the end).
 */
static void next_reads(uint16_t (*next)[32], uint16_t *next_exit, const struct insn *ins,
                       const int8_t *grp_slot, const int16_t *join_of, unsigned n, bool loop,
                       int straddle)
{
    /* The inner loops' heads: an inner loop's head k may leave too (its
     * event check), before k runs, so what k overwrites is not dead there. */
    static __thread bool head[MAX_BLOCK_INSNS];
    bool inner = false;
    memset(head, 0, n * sizeof(head[0]));
    for (unsigned i = 0; i < n; i++)
        if (join_of[i] != NO_JOIN && join_of[i] <= (int)i)
            inner = head[join_of[i]] = true;
    for (unsigned g = 0; g < 32; g++)
        next[n][g] = NEVER;
    for (unsigned pass = 0; pass < (loop || inner ? 2u : 1u); pass++) {
        if (pass && loop)
            for (unsigned g = 0; g < 32; g++)
                next[n][g] = next[0][g] & DEAD ? NEVER : (uint16_t)(n + next[0][g]);
        for (unsigned i = n; i-- > 0;) {
            uint32_t rd, wr;
            alloc_regs(&ins[i], grp_slot[i], &rd, &wr);
            /* the next row, then the few registers i reads or writes */
            memcpy(next[i], next[i + 1], sizeof(next[i]));
            int k = join_of[i];
            if (pass && k != NO_JOIN && k <= (int)i) {
                for (unsigned g = 1; g < 32; g++) {
                    unsigned v = next[k][g], f = next[i][g];
                    if (v & DEAD)
                        continue; /* (NEVER too) */
                    v = i + 1 + v - (unsigned)k;
                    if ((f & DEAD) || v < f)
                        next[i][g] = (uint16_t)v;
                }
            }
            for (uint32_t m = wr & ~rd; m; m &= m - 1)
                next[i][__builtin_ctz(m)] = (uint16_t)(DEAD | i);
            for (uint32_t m = rd; m; m &= m - 1)
                next[i][__builtin_ctz(m)] = (uint16_t)i;
        }
    }
    next_exit[n] = (uint16_t)n;
    for (unsigned i = n; i-- > 0;)
        next_exit[i] = insn_pure(&ins[i]) && !head[i] && (int)i != straddle ? next_exit[i + 1]
                                                                           : (uint16_t)i;
}

/* g's value, from instruction i on, is overwritten before anything could
 * see it: not even h->x[] needs it. */
static bool dead_at(const struct tx *t, unsigned i, unsigned g)
{
    unsigned v = t->next[i][g];
    return v != NEVER && (v & DEAD) && t->next_exit[i] > (v & ~DEAD);
}

/* How far away g's next read is (NEVER: not in this block). */
static unsigned distance(const struct tx *t, unsigned i, unsigned g)
{
    unsigned v = t->next[i][g];
    return v & DEAD ? NEVER : v;
}

static void map(struct tx *t, unsigned g, int h, bool dirty)
{
    t->r[g] = (struct reg){.host = (int8_t)h, .dirty = dirty};
    t->owner[h] = (uint8_t)g;
}

static void unmap(struct tx *t, unsigned g)
{
    if (t->r[g].host >= 0)
        t->owner[t->r[g].host] = 0;
    t->r[g] = (struct reg){.host = -1};
}

/* Evict whatever host register h holds (mov [x], h when dirty and
 * anything may still see the value). */
static void evict(struct tx *t, int h)
{
    unsigned g = t->owner[h];
    if (!g)
        return;
    if (t->r[g].dirty && !dead_at(t, t->idx, g))
        x64_mov_mr(t->e, W64, xreg(g), h);
    unmap(t, g);
}

/*
 * A host register for guest g, which the current instruction reads or
 * writes: a free one, else the one whose value is next read farthest away
 * (Belady; the whole block is known), written back when dirty. -1 when g
 * itself is next read later than every candidate: better left in memory.
 * The register comes back free and pinned for this instruction; never
 * touches flags or the scratch registers.
 */
static int alloc(struct tx *t, unsigned g)
{
    int best = -1;
    unsigned best_next = 0;
    bool best_store = true;
    for (int k = 0; k < POOL_SIZE; k++) {
        int h = host_pool[k];
        if (!((t->pool >> h) & 1) || ((t->pinned >> h) & 1))
            continue;
        unsigned o = t->owner[h];
        if (!o) {
            best = h;
            break;
        }
        /* from the current instruction on: its operands are nearest */
        unsigned d = distance(t, t->idx, o);
        bool store = t->r[o].dirty && !dead_at(t, t->idx, o);
        if (best < 0 || d > best_next || (d == best_next && best_store && !store)) {
            best = h;
            best_next = d;
            best_store = store;
        }
    }
    if (best < 0)
        return -1;
    if (t->owner[best]) {
        unsigned mine = distance(t, t->idx + 1, g);
        if (mine > best_next || (mine == best_next && best_store))
            return -1;
        evict(t, best);
    }
    t->pinned |= (uint16_t)(1u << best);
    return best;
}

/* Host register holding guest g's current value; loads it on first use.
 * x0, and registers left in memory, come in `scratch`. Never touches flags. */
static int get(struct tx *t, unsigned g, int scratch)
{
    struct x64_emitter *e = t->e;
    if (g == 0) {
        x64_mov_ri(e, W32, scratch, 0);
        return scratch;
    }
    struct reg *r = &t->r[g];
    if (r->host >= 0) {
        t->pinned |= (uint16_t)(1u << r->host);
        return r->host;
    }
    int h = alloc(t, g);
    if (h < 0) {
        x64_mov_rm(e, W64, scratch, xreg(g));
        return scratch;
    }
    x64_mov_rm(e, W64, h, xreg(g));
    map(t, g, h, false);
    return h;
}

/* Where to compute rd's new value (after reading the sources): its host
 * register, a free one put() will give it, or `scratch`. */
static int dst(struct tx *t, unsigned rd, int scratch)
{
    if (!rd)
        return scratch;
    if (t->r[rd].host >= 0) {
        t->pinned |= (uint16_t)(1u << t->r[rd].host);
        return t->r[rd].host;
    }
    int h = alloc(t, rd);
    return h < 0 ? scratch : h;
}

static bool in_pool(const struct tx *t, int h)
{
    return (t->pool >> h) & 1;
}

/* dst(), but rd may take over the host register of source g when g's value
 * is not needed there after this instruction (overwritten before anything
 * sees it, or clean and not read again): computing in place saves the
 * copy. For instructions whose first step is d = g. */
static bool can_take(const struct tx *t, unsigned rd, unsigned g)
{
    return rd && g && g != rd && t->r[rd].host < 0 && t->r[g].host >= 0 &&
           distance(t, t->idx + 1, g) == NEVER &&
           (!t->r[g].dirty || (insn_pure(t->in) && dead_at(t, t->idx + 1, g)));
}

static int dst_from(struct tx *t, unsigned rd, int scratch, unsigned g)
{
    if (can_take(t, rd, g)) {
        int h = t->r[g].host;
        unmap(t, g); /* still pinned: put() gives it to rd */
        return h;
    }
    return dst(t, rd, scratch);
}

/* rd = value in host register src (no-op for x0). */
static void put(struct tx *t, unsigned rd, int src)
{
    if (rd == 0)
        return;
    struct reg *r = &t->r[rd];
    if (r->host >= 0) {
        if (src != r->host)
            x64_mov_rr(t->e, W64, r->host, src);
        r->dirty = true;
        return;
    }
    if (in_pool(t, src) && !t->owner[src]) {
        map(t, rd, src, true); /* the register dst() found */
        return;
    }
    t->pinned |= (uint16_t)(1u << src);
    int h = alloc(t, rd);
    if (h < 0) {
        x64_mov_mr(t->e, W64, xreg(rd), src);
        return;
    }
    x64_mov_rr(t->e, W64, h, src);
    map(t, rd, h, true);
}

/* rd = imm (no-op for x0) */
static void put_imm(struct tx *t, unsigned rd, int64_t imm)
{
    if (!rd)
        return;
    int d = dst(t, rd, RAX);
    x64_mov_ri(t->e, W64, d, imm);
    put(t, rd, d);
}

/* Store dirty registers of state `st` (skipping caller-saved ones when
 * their host registers may have been clobbered). Emits only. */
static void emit_writeback(struct tx *t, const struct reg *st, bool skip_caller_saved)
{
    for (unsigned g = 1; g < 32; g++)
        if (st[g].host >= 0 && st[g].dirty && !(skip_caller_saved && caller_saved(st[g].host)))
            x64_mov_mr(t->e, W64, xreg(g), st[g].host);
}

/* Write back everything: afterwards h->x[] is current (registers stay cached). */
static void sync_regs(struct tx *t)
{
    emit_writeback(t, t->r, false);
    for (unsigned g = 1; g < 32; g++)
        t->r[g].dirty = false;
}

/* Before a call: caller-saved host registers will not survive it. */
static void forget_caller_saved(struct tx *t)
{
    for (unsigned g = 1; g < 32; g++)
        if (t->r[g].host >= 0 && caller_saved(t->r[g].host)) {
            assert(!t->r[g].dirty);
            unmap(t, g);
        }
}

/* Translated code counts retired instructions in this callee-saved
 * register, never given to guest registers, not in h->instret: a lea (no
 * memory, flags untouched) per count, and it lives on through chained
 * blocks and jump-cache jumps. h->instret + ICOUNT is the count; the
 * trampoline zeroes ICOUNT on entry, the epilogues and call_helper fold it
 * into h->instret (translate.h), so C code always sees the exact count. */
#define ICOUNT JIT_ICOUNT

/* Count n more retired instructions: afterwards h->instret + ICOUNT is exact
 * up to the current instruction. Leaves the flags alone. */
static void add_instret(struct tx *t, int32_t n)
{
    if (n)
        x64_lea(t->e, W64, ICOUNT, x64_mem_bd(ICOUNT, n));
}

/* Make `pend` the number of instructions pending, adding the difference to
 * the count (which may subtract: see joins). Leaves the flags alone. */
static void pending_to(struct tx *t, unsigned pend)
{
    add_instret(t, (int32_t)(t->pending - pend));
    t->pending = pend;
}

/* mov qword [hart.pc], v (via rcx when v does not sign-extend from 32 bits) */
static void store_pc(struct tx *t, uint64_t v)
{
    if (x64_fits_i32((int64_t)v)) {
        x64_mov_mi(t->e, W64, HF(pc), (int32_t)v);
    } else {
        x64_mov_ri(t->e, W64, RCX, (int64_t)v);
        x64_mov_mr(t->e, W64, HF(pc), RCX);
    }
}

/* call fn(hart, ...): rdi = hart; other arguments already placed. The
 * count goes to h->instret first (helpers read it: CSRs, the interpreter). */
static void call_helper(struct tx *t, const void *fn)
{
    x64_add_mr(t->e, W64, HF(instret), ICOUNT);
    x64_xor_rr(t->e, W32, ICOUNT, ICOUNT);
    x64_mov_rr(t->e, W64, RDI, HART);
    x64_call_far(t->e, fn, RAX);
}

/* ---- exits ---- */

/* Jump to the block for guest pc RAX (everything synced) through the
 * inline jump cache, or leave to the dispatcher on a miss, which stores
 * h->pc first (a block needs no h->pc at entry):
 *   rcx = jit_jc_index(pc) * 32
 *       = ((((pc >> JC_BITS) ^ pc) << 4) & ((JC_SIZE - 1) << 5))  (32 bits suffice)
 *   rdx = the jump cache; hit: e[rcx].pc == pc && e[rcx].gen == jc.gen */
static void emit_jc_jump(struct tx *t)
{
    struct x64_emitter *e = t->e;
    struct x64_label miss;
    x64_label_init(&miss);
    _Static_assert(2 * JIT_JC_BITS + 1 < 32, "the index comes from the low 32 bits of pc");
    x64_mov_rr(e, W32, RCX, RAX);
    x64_shr_ri(e, W32, RCX, JIT_JC_BITS);
    x64_xor_rr(e, W32, RCX, RAX);
    x64_shl_ri(e, W32, RCX, 4);
    x64_and_ri(e, W32, RCX, (int32_t)((JIT_JC_SIZE - 1) << 5));
    x64_mov_ri(e, W64, RDX, (int64_t)(uintptr_t)t->env->jc);
    x64_cmp_rm(e, W64, RAX, x64_mem_bisd(RDX, RCX, 1, JIT_JC_ENTRIES));
    x64_jcc_l(e, X64_CC_NE, &miss);
    x64_mov_rm(e, W64, R11, x64_mem_b(RDX));
    x64_cmp_rm(e, W64, R11, x64_mem_bisd(RDX, RCX, 1, JIT_JC_ENTRIES + 16));
    x64_jcc_l(e, X64_CC_NE, &miss);
    x64_jmp_m(e, x64_mem_bisd(RDX, RCX, 1, JIT_JC_ENTRIES + 8));
    x64_bind(e, &miss);
    x64_mov_mr(e, W64, HF(pc), RAX);
    x64_jmp_to(e, t->env->exit0);
}

/* Leave the block towards guest `target` (cache synced, instret added by the
 * caller): a jmp/jcc rel32 to a stub. Within the block's guest page the
 * dispatcher may later patch it to jump straight to the target's block;
 * to another page, the stub goes through the jump cache (the target's
 * mapping may differ the next time). cc < 0: unconditional. */
static void exit_direct(struct tx *t, int cc, uint64_t target)
{
    assert(t->nexits < MAX_EXITS);
    struct exit_stub *x = &t->exits[t->nexits++];
    x64_label_init(&x->entry);
    if (cc < 0)
        x64_jmp_l32(t->e, &x->entry);
    else
        x64_jcc_l32(t->e, (enum x64_cc)cc, &x->entry);
    x->site = t->e->len - 4;
    x->target = target;
    x->chainable = !((target ^ t->block_pc) & PAGE_MASK);
}

static void emit_exit_stubs(struct tx *t)
{
    struct x64_emitter *e = t->e;
    for (unsigned i = 0; i < t->nexits; i++) {
        struct exit_stub *x = &t->exits[i];
        x64_bind(e, &x->entry);
        store_pc(t, x->target);
        if (!t->env->chain) {
            x64_jmp_to(e, t->env->exit0);
        } else {
            /* lea rax, [rip -> the rel32 field]; the dispatcher patches it
             * (to another page: until the mapping changes, see jit.c) */
            x64_lea(e, W64, RAX, x64_mem_rip_to(e->buf + x->site));
            x64_jmp_to(e, x->chainable ? t->env->exit_rax : t->env->exit_xpage);
        }
    }
}

/* ---- helpers called from translated code ---- */

static struct insn unpack(uint64_t lo, uint64_t hi)
{
    struct insn in;
    memcpy(&in, &lo, 8);
    memcpy((char *)&in + 8, &hi, 8);
    return in;
}

/* One instruction on the interpreter: h->pc must be its address and h->x[]
 * current. Returns interp_exec's result (false: block ends or trap). */
static bool helper_exec(struct hart *h, uint64_t lo, uint64_t hi)
{
    struct insn in = unpack(lo, hi);
    return interp_exec(h, &in);
}

/* Pass the decoded instruction in rsi:rdx. */
static void load_insn_args(struct tx *t)
{
    uint64_t w[2];
    memcpy(w, t->in, 16);
    x64_mov_ri(t->e, W64, RSI, (int64_t)w[0]);
    x64_mov_ri(t->e, W64, RDX, (int64_t)w[1]);
}

/* ---- instruction forms ---- */

/* ecall, ebreak, mret, sret, wfi, fence.i, sfence.vma, csrr*, illegal:
 * any instruction that ends the block and is not a jump. */
static void tr_system(struct tx *t)
{
    sync_regs(t);
    pending_to(t, 0);
    store_pc(t, t->pc);
    load_insn_args(t);
    call_helper(t, (const void *)helper_exec);
    /* h->pc is wherever the instruction went (next, handler, xepc). */
    x64_jmp_to(t->e, t->env->exit_synced);
}

/* lr, sc, amo*.{w,d}; every F and D instruction: one instruction on the
 * interpreter, then on with the block. */
static void tr_helper(struct tx *t)
{
    sync_regs(t);
    forget_caller_saved(t);
    pending_to(t, 0);
    store_pc(t, t->pc);
    load_insn_args(t);
    call_helper(t, (const void *)helper_exec);
    /* test al, al; jz exit_synced (trap taken: h->pc is the handler, all synced) */
    x64_test_rr(t->e, W8, RAX, RAX);
    x64_jcc_to(t->e, X64_CC_E, t->env->exit_synced);
    if (t->in->op == OP_FSW || t->in->op == OP_FSD ||
        (t->in->op >= OP_LR_W && t->in->op <= OP_AMOMAXU_D)) {
        /* A store that wrote translated code: leave (all synced, h->pc next). */
        x64_cmp_mi(t->e, W32, HF(events), 0);
        x64_jcc_to(t->e, X64_CC_NE, t->env->exit_synced);
    }
    /* The helper may have written x[rd]. */
    unmap(t, t->in->rd);
}

/*
 * Instructions across the page end: a 4-byte instruction at offset 0xffe
 * has its upper half in the next virtual page, which may map anywhere (or
 * nowhere) by the time the block runs. When the fetch TLB maps that page
 * at translation time, the block translates the instruction, whose upper
 * half it took from there, and checks at run time, just before it, that
 * the fetch TLB still maps the page and that the half there is still the
 * same (straddle_check): what the instruction does depends on nothing
 * else, so the mapping may change and the code be rewritten, the check
 * catches both. When the check fails, or the TLB did not map the page at
 * translation time, the instruction runs on the interpreter (the helper
 * below), which fetches through the MMU and takes the fault if there is
 * one.
 *
 * helper_straddle: the instruction at h->pc, fetched (both halves, through
 * the MMU) and run by the interpreter. Returns whether translated code
 * may go on through the jump cache: it retired, and the TLB sets (which
 * select the jump cache) are still those of the block. */
static bool helper_straddle(struct hart *h)
{
    unsigned iset = h->iset, dset = h->dset;
    return interp_step(h) && h->iset == iset && h->dset == dset;
}

/* End of a block whose next instruction (at spc) straddles the page end:
 * everything synced, it runs on the interpreter, then the block for
 * wherever it went. Without this the dispatcher would meet spc on every
 * pass and find no block it can translate there. */
static void run_straddling(struct tx *t, uint64_t spc)
{
    struct x64_emitter *e = t->e;
    store_pc(t, spc);
    pinned_out(t, false);
    call_helper(t, (const void *)helper_straddle);
    x64_test_rr(e, W8, RAX, RAX);
    x64_jcc_to(e, X64_CC_E, t->env->exit_synced);
    if (!t->env->chain) {
        x64_jmp_to(e, t->env->exit_synced);
        return;
    }
    pinned_out(t, true);
    x64_mov_rm(e, W64, RAX, HF(pc));
    emit_jc_jump(t);
}

/* CSR instructions that need not end the block: all but the FP CSRs,
 * whose state translate_fp.inc checks once per block. The helper still
 * ends it when the access changed the TLB sets or mstatus.FS (also checked
 * once per block), raised an event (interrupt enables, satp, ...) or
 * trapped. So Linux's irq save/restore (csrrci/csrs sstatus) stays inside
 * its block. */
static bool csr_continues(const struct insn *in)
{
    if (in->op < OP_CSRRW || in->op > OP_CSRRCI)
        return false;
    switch ((unsigned)in->imm & 0xfff) {
    case 0x001: case 0x002: case 0x003: /* fflags, frm, fcsr */
        return false;
    default:
        return true;
    }
}

/* csrr* on the interpreter; true when the block may go on. */
static bool helper_csr(struct hart *h, uint64_t lo, uint64_t hi)
{
    struct insn in = unpack(lo, hi);
    unsigned iset = h->iset, dset = h->dset;
    uint64_t n = h->instret, fs = h->mstatus & MSTATUS_FS;
    interp_exec(h, &in);
    return h->instret != n && h->iset == iset && h->dset == dset &&
           (h->mstatus & MSTATUS_FS) == fs &&
           !atomic_load_explicit(&h->events, memory_order_relaxed);
}

/* csrrw/csrrs/csrrc[i] rd, csr, rs1 (csr_continues): the interpreter's
 * helper, then on with the block unless it says otherwise (then h->pc is
 * the next instruction or the trap handler, everything synced). */
static void tr_csr(struct tx *t)
{
    sync_regs(t);
    forget_caller_saved(t);
    pending_to(t, 0);
    store_pc(t, t->pc);
    load_insn_args(t);
    call_helper(t, (const void *)helper_csr);
    x64_test_rr(t->e, W8, RAX, RAX);
    x64_jcc_to(t->e, X64_CC_E, t->env->exit_synced);
    unmap(t, t->in->rd);
}

/* lui rd, imm */
static void tr_lui(struct tx *t)
{
    put_imm(t, t->in->rd, t->in->imm);
}

/* auipc rd, imm */
static void tr_auipc(struct tx *t)
{
    put_imm(t, t->in->rd, (int64_t)(t->pc + (uint64_t)(int64_t)t->in->imm));
}

/* Whether `in`, which reads g, sees only the low 32 bits of g's value: W
 * operations (x86 computes them with 32-bit operations), shift amounts. */
static bool reads_low32(const struct insn *in, unsigned g)
{
    switch ((enum op)in->op) {
    case OP_ADDW: case OP_SUBW: case OP_SLLW: case OP_SRLW: case OP_SRAW: case OP_MULW:
    case OP_ADDIW: case OP_SLLIW: case OP_SRLIW: case OP_SRAIW:
        return true;
    case OP_SLL: case OP_SRL: case OP_SRA:
        return in->rs1 != g;
    default:
        return false;
    }
}

/* Whether the W operation being translated must sign-extend its 32-bit
 * result (movsxd). Not when the next instruction to read rd sees only the
 * low half (reads_low32), nothing in between could observe the register
 * (no exit, trap or helper: a branch counts as an exit) and the value dies
 * there: then the high half is never looked at. (A join on the way does
 * not matter: a path that jumps there left its own W results extended, as
 * its branch was an exit, and the reader sees only low halves.) Chains of
 * W operations, and a W result used as a shift amount, so skip a movsxd
 * each. */
static bool sext_needed(const struct tx *t)
{
    unsigned i = t->idx, g = t->in->rd;
    unsigned j = t->next[i + 1][g];
    if (j == NEVER || (j & DEAD) || j >= t->n || t->next_exit[i + 1] <= j)
        return true;
    if (!reads_low32(&t->ins[j], g))
        return true;
    return !(t->ins[j].rd == g || dead_at(t, j + 1, g));
}

/* add rd, rs1, rs2 (and sub, and, or, xor; addw, subw with w32) */
static void tr_alu_rr(struct tx *t, void (*op)(struct x64_emitter *, enum x64_width, int, int),
                      bool commutative, bool w32)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    if (!in->rs1 || !in->rs2) {
        /* x0 as an operand: and -> 0; add, or, xor -> the other operand;
         * sub rd, x0, rs2 -> neg */
        bool is_and = op == x64_and_rr, neg = op == x64_sub_rr && !in->rs1;
        unsigned src = in->rs1 ? in->rs1 : in->rs2;
        if (is_and || !src) {
            put_imm(t, in->rd, 0);
            return;
        }
        int a = get(t, src, RCX);
        int d = dst_from(t, in->rd, RAX, src);
        if (neg) {
            if (d != a)
                x64_mov_rr(t->e, W64, d, a);
            x64_neg_r(t->e, w32 ? W32 : W64, d);
            if (w32 && sext_needed(t))
                x64_movsxd_rr(t->e, d, d);
        } else if (w32 && sext_needed(t)) {
            x64_movsxd_rr(t->e, d, a);
        } else if (d != a) {
            x64_mov_rr(t->e, W64, d, a);
        }
        put(t, in->rd, d);
        return;
    }
    int a = get(t, in->rs1, RCX), b = get(t, in->rs2, RDX);
    bool swap = commutative && !can_take(t, in->rd, in->rs1) && can_take(t, in->rd, in->rs2);
    int d = dst_from(t, in->rd, RAX, swap ? in->rs2 : in->rs1);
    if (op == x64_add_rr && d != a && d != b) {
        /* three operands: lea d, [a + b] */
        x64_lea(t->e, w32 ? W32 : W64, d, x64_mem_bisd(a, b, 1, 0));
        if (w32 && sext_needed(t))
            x64_movsxd_rr(t->e, d, d);
        put(t, in->rd, d);
        return;
    }
    if (d == b && d != a) {
        if (commutative) {
            op(t->e, w32 ? W32 : W64, d, a);
            if (w32 && sext_needed(t))
                x64_movsxd_rr(t->e, d, d);
            put(t, in->rd, d);
            return;
        }
        d = RAX;
    }
    if (d != a)
        x64_mov_rr(t->e, W64, d, a);
    op(t->e, w32 ? W32 : W64, d, b);
    if (w32 && sext_needed(t))
        x64_movsxd_rr(t->e, d, d);
    put(t, in->rd, d);
}

/* addi rd, rs1, imm (addiw with w32) */
static void tr_addi(struct tx *t, bool w32)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    if (!in->rs1) {
        put_imm(t, in->rd, in->imm); /* li */
        return;
    }
    int a = get(t, in->rs1, RCX);
    int d = dst_from(t, in->rd, RAX, in->rs1);
    if (in->imm == 0) {
        if (w32 && sext_needed(t))
            x64_movsxd_rr(t->e, d, a);
        else if (d != a)
            x64_mov_rr(t->e, W64, d, a);
    } else {
        x64_lea(t->e, w32 ? W32 : W64, d, x64_mem_bd(a, in->imm));
        if (w32 && sext_needed(t))
            x64_movsxd_rr(t->e, d, d);
    }
    put(t, in->rd, d);
}

/* andi/ori/xori rd, rs1, imm (imm sign-extends exactly as x86's imm32) */
static void tr_logic_ri(struct tx *t, void (*op)(struct x64_emitter *, enum x64_width, int, int32_t))
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    if (!in->rs1) {
        put_imm(t, in->rd, op == x64_and_ri ? 0 : in->imm);
        return;
    }
    int a = get(t, in->rs1, RCX);
    int d = dst_from(t, in->rd, RAX, in->rs1);
    if (d != a)
        x64_mov_rr(t->e, W64, d, a);
    op(t->e, W64, d, in->imm);
    put(t, in->rd, d);
}

/* slli/srli/srai rd, rs1, shamt (slliw/srliw/sraiw with w32) */
static void tr_shift_ri(struct tx *t, void (*op)(struct x64_emitter *, enum x64_width, int, uint8_t),
                        bool w32)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    int a = get(t, in->rs1, RCX);
    int d = dst_from(t, in->rd, RAX, in->rs1);
    unsigned sh = (unsigned)in->imm & (w32 ? 31 : 63);
    if (d != a)
        x64_mov_rr(t->e, W64, d, a);
    if (sh)
        op(t->e, w32 ? W32 : W64, d, (uint8_t)sh);
    if (w32 && sext_needed(t))
        x64_movsxd_rr(t->e, d, d);
    put(t, in->rd, d);
}

/* sll/srl/sra rd, rs1, rs2 (sllw/srlw/sraw with w32): x86 masks the count
 * to 6 (5) bits exactly as RV64 does. */
static void tr_shift_rr(struct tx *t, int kind, bool w32)
{
    static void (*const bmi[3])(struct x64_emitter *, enum x64_width, int, int, int) = {
        x64_shlx_rrr, x64_shrx_rrr, x64_sarx_rrr};
    static void (*const cl[3])(struct x64_emitter *, enum x64_width, int) = {
        x64_shl_rcl, x64_shr_rcl, x64_sar_rcl};
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    enum x64_width w = w32 ? W32 : W64;
    if (t->env->bmi2) {
        int a = get(t, in->rs1, RAX), b = get(t, in->rs2, RDX);
        int d = dst_from(t, in->rd, RAX, in->rs1);
        bmi[kind](t->e, w, d, a, b);
        if (w32 && sext_needed(t))
            x64_movsxd_rr(t->e, d, d);
        put(t, in->rd, d);
        return;
    }
    int a = get(t, in->rs1, RAX), b = get(t, in->rs2, RCX);
    if (a != RAX)
        x64_mov_rr(t->e, W64, RAX, a);
    if (b != RCX)
        x64_mov_rr(t->e, W64, RCX, b);
    cl[kind](t->e, w, RAX);
    if (w32 && sext_needed(t))
        x64_movsxd_rr(t->e, RAX, RAX);
    put(t, in->rd, RAX);
}

/* slt/sltu rd, rs1, rs2; slti/sltiu rd, rs1, imm */
static void tr_set_less(struct tx *t, bool imm, enum x64_cc cc)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    int a = get(t, in->rs1, RCX);
    int b = imm ? -1 : get(t, in->rs2, RDX);
    int d = dst_from(t, in->rd, RAX, in->rs1);
    /* Zero the destination before the compare (xor is a zeroing idiom, off
     * the dependency chain; setcc writes only its low byte): cmp + setcc is
     * the whole chain. When the destination is an operand, in rax. */
    int z = d == a || d == b ? RAX : d;
    x64_xor_rr(t->e, W32, z, z);
    if (imm)
        x64_cmp_ri(t->e, W64, a, in->imm);
    else
        x64_cmp_rr(t->e, W64, a, b);
    x64_setcc_r(t->e, cc, z);
    if (z != d)
        x64_mov_rr(t->e, W64, d, z);
    put(t, in->rd, d);
}

/* mul rd, rs1, rs2 (mulw with w32) */
static void tr_mul(struct tx *t, bool w32)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    if (!in->rs1 || !in->rs2) {
        put_imm(t, in->rd, 0);
        return;
    }
    int a = get(t, in->rs1, RCX), b = get(t, in->rs2, RDX);
    int d = dst_from(t, in->rd, RAX, in->rs1);
    if (d == b) {
        b = a;
    } else if (d != a) {
        x64_mov_rr(t->e, W64, d, a);
    }
    x64_imul_rr(t->e, w32 ? W32 : W64, d, b);
    if (w32 && sext_needed(t))
        x64_movsxd_rr(t->e, d, d);
    put(t, in->rd, d);
}

/* mulh/mulhu/mulhsu rd, rs1, rs2: the high half of the 128-bit product */
static void tr_mulh(struct tx *t, unsigned op)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    if (!in->rs1 || !in->rs2) {
        put_imm(t, in->rd, 0);
        return;
    }
    /* rax = a; b cached or in rcx (registers left in memory are current
     * there, for mulhsu's second look) */
    int a = get(t, in->rs1, RAX);
    if (a != RAX)
        x64_mov_rr(t->e, W64, RAX, a);
    int b = get(t, in->rs2, RCX);
    if (op == OP_MULH) {
        x64_imul1_r(t->e, W64, b);
    } else {
        x64_mul_r(t->e, W64, b);
        if (op == OP_MULHSU) {
            /* signed a * unsigned b = unsigned product - (a < 0 ? b << 64 : 0) */
            if (a != RAX)
                x64_mov_rr(t->e, W64, RCX, a);
            else
                x64_mov_rm(t->e, W64, RCX, xreg(in->rs1));
            x64_sar_ri(t->e, W64, RCX, 63);
            if (b != RCX)
                x64_and_rr(t->e, W64, RCX, b);
            else
                x64_and_rm(t->e, W64, RCX, xreg(in->rs2));
            x64_sub_rr(t->e, W64, RDX, RCX);
        }
    }
    put(t, in->rd, RDX);
}

/* div/divu/rem/remu rd, rs1, rs2 (and the w forms): RISC-V defines x/0 and
 * MIN/-1, which fault on x86, so those are handled before dividing. */
static void tr_div(struct tx *t, bool sign, bool rem, bool w32)
{
    const struct insn *in = t->in;
    struct x64_emitter *e = t->e;
    if (!in->rd)
        return;
    enum x64_width w = w32 ? W32 : W64;
    int a = get(t, in->rs1, RAX);
    if (a != RAX)
        x64_mov_rr(e, W64, RAX, a);
    int b = get(t, in->rs2, RCX); /* neither RAX nor RDX */
    struct x64_label zero, done, minus1;
    x64_label_init(&zero);
    x64_label_init(&done);
    x64_label_init(&minus1);
    x64_test_rr(e, w, b, b);
    x64_jcc_l(e, X64_CC_E, &zero);
    if (sign) {
        x64_cmp_ri(e, w, b, -1);
        x64_jcc_l(e, X64_CC_E, &minus1);
        if (w32)
            x64_cdq(e);
        else
            x64_cqo(e);
        x64_idiv_r(e, w, b);
    } else {
        x64_mov_ri(e, W32, RDX, 0);
        x64_div_r(e, w, b);
    }
    if (rem)
        x64_mov_rr(e, W64, RAX, RDX);
    x64_jmp_l(e, &done);
    if (sign) {
        /* x / -1 = -x (MIN / -1 = MIN, as RISC-V says); x % -1 = 0 */
        x64_bind(e, &minus1);
        if (rem)
            x64_mov_ri(e, W32, RAX, 0);
        else
            x64_neg_r(e, w, RAX);
        x64_jmp_l(e, &done);
    }
    /* x / 0 = all ones; x % 0 = x */
    x64_bind(e, &zero);
    if (!rem)
        x64_mov_ri(e, W64, RAX, -1);
    x64_bind(e, &done);
    if (w32)
        x64_movsxd_rr(e, RAX, RAX);
    put(t, in->rd, RAX);
}

/* ---- loads and stores ----
 *
 * Every access probes the TLB inline (tlb_probe_cmp): a hit gives the host
 * address, a miss (or a misaligned access, whose low bits survive into the
 * compared tag) goes out of line to mmu_load_slow/mmu_store_slow.
 *
 * Page groups: accesses of one kind (or stores and loads: a page a store
 * may write can be read, so a group with a store in it probes the write
 * entry, even when a load leads it) through the same base value (see
 * "Value numbers": whichever registers hold it, at constant offsets from
 * each other), close
 * together in a stretch of the block that every path enters through the
 * first of them (joins only from branches after it), usually hit one page
 * (a struct, a stack frame, bytes of a word read one by one). The first of
 * them (the leader) probes the group's whole range [base + lo, base + hi):
 * one TLB hit for the page, and the range inside it (misaligned accesses
 * within a page need nothing else: mmu_load_slow would just do them).
 * Then it keeps the host address of base + lo in a frame slot, and each
 * later member loads the slot and accesses [slot + its offset - lo]. A
 * failed check leaves 0 in the slot: the members then probe one by one,
 * out of line. Within a block the mappings cannot change (satp, sfence.vma
 * and CSR writes that change the TLB sets end it), so a host address stays
 * right for the stretch.
 *
 * Hoisted groups: in a loop block, accesses through a base register that
 * no instruction of the block writes (sp, a struct pointer, a table) hit
 * the same page every time round. They form groups as well (hoist_groups:
 * by base and kind, each within GROUP_SPAN, wherever they are in the loop),
 * whose slots (slot numbers JIT_PAGE_SLOTS and up) are filled before the
 * loop, by a probe that does not fault: a miss leaves 0. In the loop every
 * one of them is a member. A member that finds 0 tries the group's probe
 * again out of line (the access it is about may be what fills the TLB) and
 * fills the slot on a hit; when that fails too, it goes on as a member of
 * a failed group. The mappings cannot change while the loop runs (see
 * "Loop slots").
 */

#define GROUP_SPAN 512 /* largest range a group probes */
#define GROUP_SCAN 64  /* how far ahead the leader looks for members */

static bool mem_of_kind(unsigned op, unsigned kind)
{
    return kind == TLB_READ ? (op >= OP_LB && op <= OP_LWU) || op == OP_FLW || op == OP_FLD
                            : (op >= OP_SB && op <= OP_SD) || op == OP_FSW || op == OP_FSD;
}

static unsigned mem_size(unsigned op)
{
    switch (op) {
    case OP_LB: case OP_LBU: case OP_SB: return 1;
    case OP_LH: case OP_LHU: case OP_SH: return 2;
    case OP_LW: case OP_LWU: case OP_SW: case OP_FLW: case OP_FSW: return 4;
    default: return 8;
    }
}

static struct x64_mem slot_mem(int k)
{
    if (k >= JIT_PAGE_SLOTS)
        return x64_mem_bd(RSP, JIT_HOIST_SLOT0 + 8 * (k - JIT_PAGE_SLOTS));
    return x64_mem_bd(RSP, JIT_PAGE_SLOT0 + 8 * k);
}

/* Whether access m, at offset `imm` from the group's base, fits a group
 * whose range is [*lo, *hi): the range with m in it spans at most
 * GROUP_SPAN bytes (then it becomes the range). */
static bool group_takes(const struct insn *m, int64_t imm, int32_t *lo, int32_t *hi)
{
    if (imm < *hi - GROUP_SPAN || imm > *lo + GROUP_SPAN)
        return false;
    int32_t l = imm < *lo ? (int32_t)imm : *lo;
    int32_t h = (int32_t)imm + (int32_t)mem_size(m->op);
    h = h > *hi ? h : *hi;
    if (h - l > GROUP_SPAN)
        return false;
    *lo = l;
    *hi = h;
    return true;
}

/* The hoisted groups of a loop block (see "Hoisted groups"): members
 * marked in grp_slot/grp_disp with slot numbers from JIT_PAGE_SLOTS. A
 * group takes, in block order, the accesses of its kind through its base
 * that keep its range within GROUP_SPAN; loads and stores go to separate
 * groups (a page often has a read entry and no write entry yet). */
static void hoist_groups(struct tx *t)
{
    uint32_t written = 0;
    for (unsigned i = 0; i < t->n; i++) {
        uint32_t rd, wr;
        insn_regs(&t->ins[i], &rd, &wr);
        written |= wr;
    }
    t->nhoist = 0;
    for (unsigned i = 0; i < t->n && t->nhoist < JIT_HOIST_SLOTS; i++) {
        const struct insn *in = &t->ins[i];
        unsigned kind = mem_of_kind(in->op, TLB_WRITE) ? TLB_WRITE : TLB_READ;
        if (!mem_of_kind(in->op, kind) || !in->rs1 || ((written >> in->rs1) & 1) ||
            t->grp_slot[i] || t->gathered[i])
            continue;
        int k = JIT_PAGE_SLOTS + (int)t->nhoist;
        int32_t lo = in->imm, hi = in->imm + (int32_t)mem_size(in->op);
        t->grp_slot[i] = (int8_t)(k + 1);
        for (unsigned j = i + 1; j < t->n; j++) {
            const struct insn *m = &t->ins[j];
            if (!mem_of_kind(m->op, kind) || m->rs1 != in->rs1 || t->grp_slot[j] || t->gathered[j])
                continue;
            if (group_takes(m, m->imm, &lo, &hi))
                t->grp_slot[j] = (int8_t)(k + 1);
        }
        for (unsigned j = i; j < t->n; j++)
            if (t->grp_slot[j] == k + 1)
                t->grp_disp[j] = t->ins[j].imm - lo;
        t->hoist_base[t->nhoist] = (uint8_t)in->rs1;
        t->hoist_kind[t->nhoist] = (uint8_t)kind;
        t->hoist_lo[t->nhoist] = lo;
        t->hoist_span[t->nhoist] = hi - lo;
        t->nhoist++;
    }
}

/* Whether instruction i of the block ends a page group's stretch that
 * starts at `lead`: a join where some path arrives that has not passed the
 * leader, an inner loop head, or the end of the straight line. A jal
 * inside the block does not end it: what follows it in the block is its
 * target (a followed jal) or code that only branches reach (joins, checked
 * like any other). */
static bool group_stops(const struct tx *t, unsigned i, unsigned lead)
{
    const struct insn *m = &t->ins[i];
    return (t->join[i].target && t->join_src[i] < (int)lead) || t->join[i].back ||
           (decode_ends_block(m->op) && !(m->op >= OP_BEQ && m->op <= OP_BGEU) &&
            m->op != OP_JAL && !csr_continues(m));
}

/* Access i's offset from the group leader's base value (see "Value
 * numbers"; the leader's base register may change), in *rel; false when
 * its base is another value or too far off. */
static bool group_rel(const struct tx *t, unsigned i, int64_t *rel)
{
    *rel = (int64_t)(t->base_off[i] - t->base_off[t->idx]);
    return t->base_vn[i] == t->base_vn[t->idx] && !t->grp_slot[i] && *rel >= -GROUP_SPAN &&
           *rel <= GROUP_SPAN;
}

/* A page group led by the access being translated (a load or store, integer
 * or FP, of `kind`): members marked in grp_slot/grp_disp, the slot's number
 * returned (-1: no group), with the range's low offset and its length. The
 * group's kind, the TLB entry the leader probes, is *gkind: a load's group
 * probes for writing when a store through the same base follows in its
 * stretch (a field read, changed and written back), so that the store can
 * be a member too; when the page has no write entry (read-only, or not yet
 * written), the check fails and every access probes for itself. */
static int page_group(struct tx *t, unsigned kind, unsigned size, int32_t *lo_out,
                      int32_t *span_out, unsigned *gkind)
{
    const struct insn *in = t->in;
    unsigned b = in->rs1;
    *gkind = kind;
    if (!b || !mem_of_kind(in->op, kind) ||
        (in->op >= OP_LB && in->op <= OP_LWU && in->rd == b))
        return -1; /* (a load that overwrites its base leads nothing) */
    int k = 0;
    while (k < JIT_PAGE_SLOTS && t->slot_until[k] >= (int)t->idx)
        k++;
    if (k == JIT_PAGE_SLOTS)
        return -1;
    unsigned end = t->idx + GROUP_SCAN < t->n - 1 ? t->idx + GROUP_SCAN : t->n - 1;
    for (unsigned i = t->idx + 1; kind == TLB_READ && i <= end; i++) {
        int64_t rel;
        if (group_stops(t, i, t->idx))
            break;
        if (mem_of_kind(t->ins[i].op, TLB_WRITE) && !t->gathered[i] && group_rel(t, i, &rel))
            kind = TLB_WRITE;
    }
    *gkind = kind;
    unsigned cand[GROUP_SCAN], nc = 0;
    int32_t cimm[GROUP_SCAN];
    int32_t lo = in->imm, hi = in->imm + (int32_t)size;
    for (unsigned i = t->idx + 1; i <= end; i++) {
        const struct insn *m = &t->ins[i];
        if (group_stops(t, i, t->idx))
            break;
        /* (a store's page takes loads too: RISC-V has no writable page
         * that cannot be read, and the pointer is the same) */
        bool fits = mem_of_kind(m->op, kind) ||
                    (kind == TLB_WRITE && mem_of_kind(m->op, TLB_READ));
        int64_t rel;
        if (fits && !t->gathered[i] && group_rel(t, i, &rel) &&
            group_takes(m, m->imm + rel, &lo, &hi)) {
            cimm[nc] = m->imm + (int32_t)rel;
            cand[nc++] = i;
        }
    }
    if (!nc)
        return -1;
    for (unsigned c = 0; c < nc; c++) {
        t->grp_slot[cand[c]] = (int8_t)(k + 1);
        t->grp_disp[cand[c]] = cimm[c] - lo;
    }
    t->slot_until[k] = (int)cand[nc - 1];
    *lo_out = lo;
    *span_out = hi - lo;
    return k;
}

/* Field `field` (0: tag, 8: addend) of the TLB entry at index rdx / 16 in
 * the block's set for `kind`. */
static struct x64_mem tlb_entry_mem(const struct tx *t, unsigned kind, int32_t field)
{
    unsigned set = kind == TLB_FETCH ? t->env->iset : t->env->dset;
    return x64_mem_bisd(HART, RDX, 1, tlb_off(set, kind) + field);
}

/* rcx = the tag, as the TLB keeps it, of va = src + disp ((va & (PAGE_MASK
 * | align): the alignment bits make a misaligned access miss); cmp it with
 * `tag`. src is left alone. */
static void tag_cmp(struct tx *t, int src, int32_t disp, uint32_t align, struct x64_mem tag)
{
    if (disp)
        x64_lea(t->e, W64, RCX, x64_mem_bd(src, disp));
    else
        x64_mov_rr(t->e, W64, RCX, src);
    x64_and_ri(t->e, W64, RCX, (int32_t)(PAGE_MASK | align));
    x64_cmp_rm(t->e, W64, RCX, tag);
}

/* rdx = TLB index * 16; cmp va's tag with the entry's (tag_cmp; rcx
 * clobbered): jne is a miss. Then `add rax, [tlb_entry + 8]`
 * (tlb_probe_hit) makes rax the host address.
 *
 * With span > 0 (a page group, a gather: no alignment check), the compare
 * is also the range check that [rax, rax + span) lies in one page: rcx is
 * the page of the range's last byte, while the entry is the one of rax's
 * page. The TLB is direct-mapped on the page number's low TLB_BITS, so the
 * entry of rax's page never holds the next page's tag; a range that ends
 * in the next page (span <= PAGE_SIZE reaches no further) misses. */
static void tlb_probe_cmp(struct tx *t, unsigned kind, uint32_t align, int32_t span)
{
    struct x64_emitter *e = t->e;
    /* rdx = ((va >> 12) & (TLB_SIZE - 1)) * 16 (BMI2: a rotate that leaves
     * rax alone saves the copy; the bits it rotates in are masked off) */
    _Static_assert(PAGE_SHIFT + TLB_BITS <= 32, "the index comes from the low 32 bits of va");
    if (t->env->bmi2) {
        x64_rorx_rri(e, W32, RDX, RAX, PAGE_SHIFT - 4);
    } else {
        x64_mov_rr(e, W32, RDX, RAX);
        x64_shr_ri(e, W32, RDX, PAGE_SHIFT - 4);
    }
    x64_and_ri(e, W32, RDX, (int32_t)((TLB_SIZE - 1) << 4));
    if (span > 1) {
        assert(!align && span <= (int32_t)PAGE_SIZE);
        x64_lea(e, W64, RCX, x64_mem_bd(RAX, span - 1));
        x64_and_ri(e, W64, RCX, (int32_t)PAGE_MASK);
        x64_cmp_rm(e, W64, RCX, tlb_entry_mem(t, kind, 0));
    } else {
        tag_cmp(t, RAX, 0, align, tlb_entry_mem(t, kind, 0));
    }
}

static void tlb_probe_hit(struct tx *t, unsigned kind)
{
    x64_add_rm(t->e, W64, RAX, tlb_entry_mem(t, kind, 8));
}

/* A hit for a lone access: rdx = the entry's addend, and the access is
 * [rax + rdx] (access_mem), one add fewer on the way to the data. */
static void tlb_probe_hit_rdx(struct tx *t, unsigned kind)
{
    x64_mov_rm(t->e, W64, RDX, tlb_entry_mem(t, kind, 8));
}

/*
 * Loop slots: in a loop block, a lone access (no page group) compares its
 * page with the one it hit last time round, kept in its loop slot (the tag
 * as the TLB has it, and the addend), and probes the TLB out of line only
 * when they differ: a hit there refills the slot. The slots are set to a
 * tag no address has (LOOP_SLOT_EMPTY) on the way into the loop; the
 * mappings cannot change while the loop runs (what changes them ends the
 * block, and every way back in goes through that).
 */
#define LOOP_SLOT_EMPTY 0x800 /* bits 3..11 of a compared tag are always 0 */
static struct x64_mem loop_slot_mem(int k, int32_t field)
{
    return x64_mem_bd(RSP, JIT_LOOP_SLOT0 + 16 * k + field);
}

/* Out of line: the full probe for an access whose loop slot missed (rax =
 * va, or computed here when the fast path left rax alone); a hit refills
 * the slot and goes back to the access, a miss goes on to the slow path. */
static void emit_loop_reprobe(struct tx *t, struct slow *s)
{
    struct x64_emitter *e = t->e;
    unsigned kind = s->store ? TLB_WRITE : TLB_READ;
    x64_bind(e, &s->reprobe);
    if (s->lbase >= 0)
        x64_lea(e, W64, RAX, x64_mem_bd(s->lbase, s->disp)); /* va */
    tlb_probe_cmp(t, kind, s->size - 1, 0); /* rcx = the tag */
    x64_jcc_l32(e, X64_CC_NE, &s->entry);
    tlb_probe_hit_rdx(t, kind);
    x64_mov_mr(e, W64, loop_slot_mem(s->lslot, 0), RCX);
    x64_mov_mr(e, W64, loop_slot_mem(s->lslot, 8), RDX);
    x64_jmp_l32(e, &s->access);
}

/* rax = x[g] + off, with g where the cache state `regs` has it. */
static void va_to_rax(struct tx *t, const struct reg *regs, unsigned g, int32_t off)
{
    if (regs[g].host >= 0) {
        x64_lea(t->e, W64, RAX, x64_mem_bd(regs[g].host, off));
    } else {
        x64_mov_rm(t->e, W64, RAX, xreg(g));
        if (off)
            x64_lea(t->e, W64, RAX, x64_mem_bd(RAX, off));
    }
}

/* rax = the low end of hoisted group k's range (base + lo). */
static void hoist_va(struct tx *t, int k, const struct reg *regs)
{
    unsigned j = (unsigned)(k - JIT_PAGE_SLOTS);
    va_to_rax(t, regs, t->hoist_base[j], t->hoist_lo[j]);
}

/* Hoisted group k's probe, rax = base + lo (hoist_va): a TLB hit with the
 * range inside the page sets its slot, and rax, to the host address; else
 * to `fail` (nothing faults here). rcx, rdx clobbered. */
static void hoist_fill(struct tx *t, int k, struct x64_label *fail)
{
    unsigned j = (unsigned)(k - JIT_PAGE_SLOTS), kind = t->hoist_kind[j];
    tlb_probe_cmp(t, kind, 0, t->hoist_span[j]);
    x64_jcc_l32(t->e, X64_CC_NE, fail);
    tlb_probe_hit(t, kind);
    x64_mov_mr(t->e, W64, slot_mem(k), RAX);
}

/* Before the loop: every hoisted group's slot, 0 where the probe fails. */
static void hoist_enter(struct tx *t)
{
    for (unsigned j = 0; j < t->nhoist; j++) {
        int k = JIT_PAGE_SLOTS + (int)j;
        struct x64_label next;
        x64_label_init(&next);
        x64_mov_mi(t->e, W64, slot_mem(k), 0);
        hoist_va(t, k, t->r);
        hoist_fill(t, k, &next);
        x64_bind(t->e, &next);
    }
}

/* Where the fast path of s accesses guest memory. */
static struct x64_mem access_mem(const struct slow *s)
{
    if (s->grouped)
        return x64_mem_bd(RAX, s->disp);
    if (s->lbase >= 0)
        return x64_mem_bisd(s->lbase, RDX, 1, s->disp);
    return x64_mem_bisd(RAX, RDX, 1, 0);
}

/* A slow-path record with the state of this point. */
static struct slow *new_slow(struct tx *t, unsigned kind, unsigned size, int d)
{
    assert(t->nslow < MAX_SLOW);
    struct slow *s = &t->slow[t->nslow++];
    x64_label_init(&s->entry);
    x64_label_init(&s->join);
    x64_label_init(&s->reprobe);
    x64_label_init(&s->access);
    memcpy(s->regs, t->r, sizeof(t->r));
    s->pc = t->pc;
    s->pending = t->pending;
    s->size = size;
    s->store = kind == TLB_WRITE;
    s->sign = false;
    s->val = VAL_ZERO;
    s->dst = d;
    s->fp_run = t->fp.run;
    s->grouped = s->leader = false;
    s->slot = -1;
    s->lslot = -1;
    s->lbase = -1;
    s->disp = 0;
    s->span = 0;
    s->idx = t->idx;
    fp_slow_note(t, t->nslow - 1);
    return s;
}

/* Whether rax still holds the pointer in page slot k: the last access was
 * one of k's group, which leaves rax = the slot's value however it went
 * (fast path, re-probe, slow path; see emit_reprobe and emit_slow), nothing
 * since touched rax, and no other path joined in since. */
static bool rax_holds_slot(const struct tx *t, int k)
{
    if (!t->nslow)
        return false;
    const struct slow *p = &t->slow[t->nslow - 1];
    int64_t since = t->rax_free_since >= 0 ? t->rax_free_since : (int64_t)t->e->len;
    return p->grouped && p->slot == k && x64_label_bound(&p->join) && p->join.pos == since &&
           t->joined_at < p->join.pos && (p->store || p->dst != RAX);
}

/* In a loop block, a lone access against the page it hit last time round
 * (its loop slot); the TLB only when the page changed (emit_loop_reprobe).
 * With `base` a host register (else -1: rax = va), the tag comes from it
 * straight into rcx and the access is [base + rdx + imm]: only the way out
 * of line computes the address in rax. */
static struct slow *loop_slot_check(struct tx *t, unsigned kind, unsigned size, int d, int base)
{
    struct x64_emitter *e = t->e;
    int32_t imm = t->in->imm;
    int ls = (int)t->nlslot++;
    if (base < 0)
        tag_cmp(t, RAX, 0, size - 1, loop_slot_mem(ls, 0));
    else
        tag_cmp(t, base, imm, size - 1, loop_slot_mem(ls, 0));
    struct slow *s = new_slow(t, kind, size, d);
    s->lslot = ls;
    if (base >= 0) {
        s->lbase = base;
        s->disp = imm;
    }
    x64_jcc_l32(e, X64_CC_NE, &s->reprobe);
    x64_mov_rm(e, W64, RDX, loop_slot_mem(ls, 8));
    x64_bind(e, &s->access);
    return s;
}

/* The host address of the access at rs1 + imm: afterwards the caller
 * accesses access_mem(s) and binds s->join. A load into x[rd] passes
 * load_dst: the host register for the value is chosen (and whatever that
 * evicts written back) before any branch, so the slow path starts from the
 * same cache state it rejoins. */
static struct slow *tlb_probe(struct tx *t, unsigned kind, unsigned size, int *load_dst)
{
    const struct insn *in = t->in;
    struct x64_emitter *e = t->e;
    struct slow *s;
    int d = RAX;
    int member = t->grp_slot[t->idx] - 1;
    if (member >= 0) {
        bool keep = rax_holds_slot(t, member);
        if (load_dst)
            *load_dst = d = dst(t, in->rd, RAX);
        if (!keep)
            x64_mov_rm(e, W64, RAX, slot_mem(member));
        x64_test_rr(e, W64, RAX, RAX);
        s = new_slow(t, kind, size, d);
        s->grouped = true;
        s->slot = member;
        s->disp = t->grp_disp[t->idx];
        x64_jcc_l32(e, X64_CC_E, &s->reprobe);
        x64_bind(e, &s->access);
        return s;
    }
    int32_t lo = 0, span = 0;
    unsigned gkind;
    int k = page_group(t, kind, size, &lo, &span, &gkind);
    int32_t va_off = k >= 0 ? lo : in->imm;
    /* A lone access in a loop block goes through a loop slot; when its base
     * is in a host register, rax is left alone (loop_slot_check). */
    bool lslot = k < 0 && t->loop && t->nlslot < JIT_LOOP_SLOTS;
    int lbase = -1;
    if (lslot && in->rs1 && t->r[in->rs1].host >= 0) {
        lbase = get(t, in->rs1, RAX);
    } else if (in->rs1 == 0) {
        x64_mov_ri(e, W64, RAX, (int64_t)va_off);
    } else {
        int base = get(t, in->rs1, RAX);
        if (va_off)
            x64_lea(e, W64, RAX, x64_mem_bd(base, va_off));
        else if (base != RAX)
            x64_mov_rr(e, W64, RAX, base); /* (a register move costs no latency) */
    }
    if (load_dst)
        *load_dst = d = dst(t, in->rd, RAX);
    if (lslot)
        return loop_slot_check(t, kind, size, d, lbase);
    if (k < 0) {
        tlb_probe_cmp(t, kind, size - 1, 0);
        s = new_slow(t, kind, size, d);
        x64_jcc_l32(e, X64_CC_NE, &s->entry);
        tlb_probe_hit_rdx(t, kind);
        return s;
    }
    /* The leader: one page holds [rax, rax + span). (A miss probes again
     * for the leader's own kind, out of line.) */
    tlb_probe_cmp(t, gkind, 0, span);
    s = new_slow(t, kind, size, d);
    s->grouped = s->leader = true;
    s->slot = k;
    s->disp = in->imm - lo;
    x64_jcc_l32(e, X64_CC_NE, &s->reprobe);
    tlb_probe_hit(t, gkind);
    x64_mov_mr(e, W64, slot_mem(k), RAX);
    x64_bind(e, &s->access);
    return s;
}

/* Out of line, for a group's leader or member: a failed group check (the
 * leader clears its slot), or a member of a group whose check failed.
 * rax = va, a full probe; a hit runs a copy of the access (the bytes from
 * s->access to s->join: register moves and one memory operand [rax +
 * disp], nothing position-dependent) with rax = host address - disp, then
 * sets rax to the slot's value, 0, as the fast path leaves it, and goes on
 * after the access; a miss goes on to the slow path. */
static void emit_reprobe(struct tx *t, struct slow *s)
{
    struct x64_emitter *e = t->e;
    const struct insn *in = &t->ins[s->idx];
    unsigned kind = s->store ? TLB_WRITE : TLB_READ;
    x64_bind(e, &s->reprobe);
    if (s->slot >= JIT_PAGE_SLOTS) {
        /* A hoisted group's slot is empty: its probe again, which fills
         * the slot and goes back to the access, or goes on below. */
        struct x64_label no;
        x64_label_init(&no);
        hoist_va(t, s->slot, s->regs);
        hoist_fill(t, s->slot, &no);
        x64_jmp_l32(e, &s->access);
        x64_bind(e, &no);
    }
    if (s->leader) {
        x64_mov_mi(e, W64, slot_mem(s->slot), 0);
        if (s->disp)
            x64_lea(e, W64, RAX, x64_mem_bd(RAX, s->disp)); /* rax was base + lo */
    } else {
        va_to_rax(t, s->regs, in->rs1, in->imm);
    }
    tlb_probe_cmp(t, kind, s->size - 1, 0);
    x64_jcc_l32(e, X64_CC_NE, &s->entry);
    tlb_probe_hit(t, kind);
    if (s->disp)
        x64_lea(e, W64, RAX, x64_mem_bd(RAX, -s->disp));
    assert(x64_label_bound(&s->access) && x64_label_bound(&s->join));
    x64_emit_bytes(e, e->buf + s->access.pos, (size_t)(s->join.pos - s->access.pos));
    if (s->store || s->dst != RAX)
        x64_xor_rr(e, W32, RAX, RAX);
    x64_jmp_l32(e, &s->join);
}

/*
 * Byte gathers: RV64GC code reads unaligned little-endian words a byte at
 * a time (compilers assume slow misaligned access), e.g. for 8 bytes
 *   lbu a0,1(s1); lbu a5,0(s1); ...; slli a0,a0,8; or a0,a0,a5; ...;
 *   slli a6,a6,56; or a6,a6,a5
 * 22 instructions that x86-64 does in one load. find_gathers finds such a
 * stretch (lbu through one unchanged base, slli by whole bytes, or/add of
 * disjoint bytes, nothing else) that ends with a register holding the n =
 * 2, 4 or 8 bytes it loaded, in order. tr_gather translates it at its
 * first instruction as one probe for the n bytes and one load, each other
 * register the stretch writes that anything may still read taken from the
 * loaded value (it must hold the load's first bytes, as the partial ORs of
 * such a stretch do), and the rest of the stretch emits nothing. When the
 * bytes are not in one page the TLB has, the slow path runs the stretch's
 * instructions on the interpreter (helper_span), which faults exactly
 * where they would, then rejoins.
 */
#define GBYTE_ZERO (-128) /* a byte of the value that is 0 */

static bool gather_full(const int8_t *src, int lo, unsigned n)
{
    for (unsigned q = 0; q < 8; q++)
        if (src[q] != (q < n ? (int8_t)(lo + (int)q) : GBYTE_ZERO))
            return false;
    return true;
}

/* The stretch from instruction i, or false. */
static bool find_gather(const struct tx *t, const struct insn *ins, unsigned n, unsigned i,
                        struct gather *gt)
{
    const struct insn *a = &ins[i];
    if (a->op != OP_LBU || !a->rs1 || !a->rd || a->rd == a->rs1 || t->gathered[i])
        return false;
    unsigned base = a->rs1;
    int8_t v[32][8];
    uint32_t known = 0, written = 0;
    int lo = 8, hi = -8;
    for (unsigned k = i; k < n && k < i + GATHER_MAX_INSNS; k++) {
        const struct insn *m = &ins[k];
        if (k > i && (t->join[k].target || t->join[k].back))
            return false; /* (another path comes in) */
        if (!m->rd || m->rd == base)
            return false;
        int8_t r[8];
        if (m->op == OP_LBU) {
            int rel = m->imm - a->imm;
            if (m->rs1 != base || rel < -7 || rel > 7)
                return false;
            r[0] = (int8_t)rel;
            for (unsigned q = 1; q < 8; q++)
                r[q] = GBYTE_ZERO;
            lo = rel < lo ? rel : lo;
            hi = rel + 1 > hi ? rel + 1 : hi;
        } else if (m->op == OP_SLLI) {
            unsigned sh = (unsigned)m->imm / 8;
            if (!((known >> m->rs1) & 1) || (m->imm & 7) || sh > 7)
                return false;
            for (unsigned q = 0; q < 8; q++) {
                if (q >= 8 - sh && v[m->rs1][q] != GBYTE_ZERO)
                    return false; /* (a byte shifted out) */
                r[q] = q < sh ? GBYTE_ZERO : v[m->rs1][q - sh];
            }
        } else if (m->op == OP_OR || m->op == OP_ADD) {
            if (!((known >> m->rs1) & 1) || !((known >> m->rs2) & 1) || m->rs1 == m->rs2)
                return false;
            for (unsigned q = 0; q < 8; q++) {
                int8_t x = v[m->rs1][q], y = v[m->rs2][q];
                if (x != GBYTE_ZERO && y != GBYTE_ZERO)
                    return false; /* (bytes that overlap: not a gather) */
                r[q] = x != GBYTE_ZERO ? x : y;
            }
        } else {
            return false;
        }
        memcpy(v[m->rd], r, 8);
        known |= 1u << m->rd;
        written |= 1u << m->rd;
        if (m->op == OP_LBU || hi - lo < 2 || (hi - lo) & (hi - lo - 1) ||
            !gather_full(r, lo, (unsigned)(hi - lo)))
            continue;
        /* m->rd holds the whole load; which registers written hold a part? */
        gt->base = (uint8_t)base;
        gt->rd = m->rd;
        gt->n = (uint8_t)(hi - lo);
        gt->len = (uint8_t)(k - i + 1);
        gt->off = a->imm + lo;
        gt->nout = 0;
        for (uint32_t w = written; w; w &= w - 1) {
            unsigned g = (unsigned)__builtin_ctz(w);
            unsigned len = 0;
            while (len < 8 && v[g][len] == lo + (int)len)
                len++;
            gt->out[gt->nout++] = (struct gather_out){
                .g = (uint8_t)g, .ok = len && gather_full(v[g], lo, len), .len = (uint8_t)len};
        }
        return true;
    }
    return false;
}

/* Gathers among the block's first `upto` of n instructions. */
static void find_gathers(struct tx *t, const struct insn *ins, unsigned n, unsigned upto)
{
    t->ngather = 0;
    t->skip_until = -1;
    memset(t->gathered, 0, n * sizeof(t->gathered[0]));
    for (unsigned i = 0; i < n; i++) {
        t->gather_at[i] = -1;
        if (i >= upto || t->ngather == MAX_GATHERS ||
            !find_gather(t, ins, upto, i, &t->gathers[t->ngather]))
            continue;
        t->gather_at[i] = (int16_t)t->ngather;
        for (unsigned k = i; k < i + t->gathers[t->ngather].len; k++)
            t->gathered[k] = true;
        t->ngather++;
    }
}

/* d = the first len bytes of the n-byte value in v. */
static void gather_extract(struct tx *t, int d, int v, unsigned len, unsigned n)
{
    struct x64_emitter *e = t->e;
    if (len == n) {
        if (d != v)
            x64_mov_rr(e, W64, d, v);
    } else if (len == 1) {
        x64_movzx8_rr(e, W32, d, v);
    } else if (len == 2) {
        x64_movzx16_rr(e, W32, d, v);
    } else if (len == 4) {
        x64_mov_rr(e, W32, d, v);
    } else {
        x64_mov_rr(e, W64, d, v);
        x64_shl_ri(e, W64, d, (uint8_t)(64 - 8 * len));
        x64_shr_ri(e, W64, d, (uint8_t)(64 - 8 * len));
    }
}

/* The gather starting at the current instruction; false when one of the
 * registers it writes is read later and does not hold the load's first
 * bytes (then the instructions are translated one by one). */
static bool tr_gather(struct tx *t, const struct gather *gt)
{
    struct x64_emitter *e = t->e;
    unsigned after = t->idx + gt->len; /* the first instruction after it */
    const struct gather_out *outs[GATHER_MAX_INSNS];
    unsigned no = 0;
    uint32_t wr = 0, given = 0;
    for (unsigned k = 0; k < gt->nout; k++) {
        const struct gather_out *o = &gt->out[k];
        wr |= 1u << o->g;
        if (o->g != gt->rd && dead_at(t, after, o->g))
            continue;
        if (!o->ok)
            return false;
        given |= 1u << o->g;
        if (o->g == gt->rd && no) {
            outs[no] = outs[0];
            outs[0] = o;
            no++;
        } else {
            outs[no++] = o;
        }
    }
    t->rax_free_since = (int64_t)e->len; /* (dst() leaves rax alone) */
    int base = get(t, gt->base, RAX);
    x64_lea(e, W64, RAX, x64_mem_bd(base, gt->off));
    int d[GATHER_MAX_INSNS];
    for (unsigned k = 0; k < no; k++)
        d[k] = dst(t, outs[k]->g, k ? RCX : RAX);
    t->rax_free_since = -1;
    struct slow *s = new_slow(t, TLB_READ, gt->n, d[0]);
    s->span = gt->len;
    s->span_wr = wr;
    tlb_probe_cmp(t, TLB_READ, 0, gt->n);
    x64_jcc_l32(e, X64_CC_NE, &s->entry);
    tlb_probe_hit_rdx(t, TLB_READ);
    struct x64_mem m = x64_mem_bisd(RAX, RDX, 1, 0);
    if (gt->n == 8)
        x64_mov_rm(e, W64, d[0], m);
    else if (gt->n == 4)
        x64_mov_rm(e, W32, d[0], m);
    else
        x64_movzx16_rm(e, W32, d[0], m);
    for (unsigned k = 1; k < no; k++) {
        gather_extract(t, d[k], d[0], outs[k]->len, gt->n);
        if (d[k] == RCX)
            x64_mov_mr(e, W64, xreg(outs[k]->g), RCX); /* (no host register for it) */
        else
            put(t, outs[k]->g, d[k]);
    }
    if (d[0] == RAX)
        x64_mov_mr(e, W64, xreg(gt->rd), RAX);
    else
        put(t, gt->rd, d[0]);
    /* The others are overwritten before anything sees them. */
    for (uint32_t w = wr & ~given; w; w &= w - 1)
        unmap(t, (unsigned)__builtin_ctz(w));
    memcpy(s->post, t->r, sizeof(t->r));
    x64_bind(e, &s->join);
    t->skip_until = (int)(after - 1);
    return true;
}

/* lb/lh/lw/ld/lbu/lhu/lwu rd, imm(rs1) */
static void tr_load(struct tx *t, unsigned size, bool sign)
{
    struct x64_emitter *e = t->e;
    int d;
    t->rax_free_since = (int64_t)e->len; /* (dst() leaves rax alone) */
    struct slow *s = tlb_probe(t, TLB_READ, size, &d);
    t->rax_free_since = -1;
    s->sign = sign;
    struct x64_mem m = access_mem(s);
    switch (size) {
    case 1: sign ? x64_movsx8_rm(e, W64, d, m) : x64_movzx8_rm(e, W32, d, m); break;
    case 2: sign ? x64_movsx16_rm(e, W64, d, m) : x64_movzx16_rm(e, W32, d, m); break;
    case 4: sign ? x64_movsxd_rm(e, d, m) : x64_mov_rm(e, W32, d, m); break;
    default: x64_mov_rm(e, W64, d, m); break;
    }
    x64_bind(e, &s->join);
    put(t, t->in->rd, d);
}

/* sb/sh/sw/sd rs2, imm(rs1) */
static void tr_store(struct tx *t, unsigned size)
{
    /* The value first (cached, or read after the probe from h->x[]). */
    unsigned rs2 = t->in->rs2;
    int v = VAL_ZERO;
    t->rax_free_since = (int64_t)t->e->len; /* (get and alloc leave rax alone) */
    if (rs2 && t->r[rs2].host >= 0) {
        v = get(t, rs2, RCX);
    } else if (rs2) {
        v = alloc(t, rs2);
        if (v < 0) {
            v = VAL_MEM;
        } else {
            x64_mov_rm(t->e, W64, v, xreg(rs2));
            map(t, rs2, v, false);
        }
    }
    struct slow *s = tlb_probe(t, TLB_WRITE, size, NULL);
    t->rax_free_since = -1;
    s->val = v;
    s->valm = xreg(rs2);
    struct x64_mem m = access_mem(s);
    if (v == VAL_ZERO) {
        x64_mov_mi(t->e, (enum x64_width)size, m, 0);
    } else if (v == VAL_MEM) {
        x64_mov_rm(t->e, W64, RCX, s->valm);
        x64_mov_mr(t->e, (enum x64_width)size, m, RCX);
    } else {
        x64_mov_mr(t->e, (enum x64_width)size, m, v);
    }
    x64_bind(t->e, &s->join);
}

#include "vmm/jit/translate_fp.inc"

/* Out of line, the other arguments placed: fn(h, ...) with `arg` = imm
 * set last (saving the FP run's state clobbers rax and rdx), the FP run's
 * MXCSR back after it, then to `ok` when fn returned true. */
static void slow_call(struct tx *t, const struct slow *s, int arg, uint32_t imm, const void *fn,
                      struct x64_label *ok)
{
    if (s->fp_run)
        fp_emit_slow_enter(t); /* rax, rdx */
    x64_mov_ri(t->e, W32, arg, imm);
    call_helper(t, fn);
    if (s->fp_run)
        fp_emit_slow_leave(t);
    x64_test_rr(t->e, W8, RAX, RAX);
    x64_jcc_l(t->e, X64_CC_NE, ok);
}

/* The slow path of a gather: the stretch on the interpreter, from the
 * state where the fast path branched (all of it written back), then the
 * fast path's state after it, from h->x[]. The interpreter counts what
 * retires; on the way back that comes off again, as the block counts the
 * stretch itself. */
static bool helper_span(struct hart *h, uint64_t len)
{
    for (uint64_t k = 0; k < len; k++)
        if (!interp_step(h))
            return false;
    h->instret -= len;
    return true;
}

static void emit_span_slow(struct tx *t, struct slow *s)
{
    struct x64_emitter *e = t->e;
    x64_bind(e, &s->entry);
    emit_writeback(t, s->regs, false);
    store_pc(t, s->pc);
    struct x64_label ok;
    x64_label_init(&ok);
    slow_call(t, s, RSI, s->span, (const void *)helper_span, &ok);
    /* A fault in the stretch: h->x[] has everything, h->pc the handler. */
    add_instret(t, s->pending);
    x64_jmp_to(e, t->env->exit_synced);
    x64_bind(e, &ok);
    for (unsigned g = 1; g < 32; g++)
        if (s->post[g].host >= 0 && (caller_saved(s->post[g].host) || ((s->span_wr >> g) & 1)))
            x64_mov_rm(e, W64, s->post[g].host, xreg(g));
    fp_slow_rejoin(t, (unsigned)(s - t->slow));
    x64_jmp_l32(e, &s->join);
}

/* The slow path of a load or store: mmu_load_slow / mmu_store_slow with
 * h->pc at the instruction, so a fault is precise. */
static void emit_slow(struct tx *t, struct slow *s)
{
    struct x64_emitter *e = t->e;
    if (s->span) {
        emit_span_slow(t, s);
        return;
    }
    if (s->grouped)
        emit_reprobe(t, s);
    else if (s->lslot >= 0)
        emit_loop_reprobe(t, s);
    x64_bind(e, &s->entry);
    /* Caller-saved cached registers do not survive the call. */
    for (unsigned g = 1; g < 32; g++)
        if (s->regs[g].host >= 0 && s->regs[g].dirty && caller_saved(s->regs[g].host))
            x64_mov_mr(e, W64, xreg(g), s->regs[g].host);
    store_pc(t, s->pc); /* may use rcx; rax (va) and the value survive */
    if (!s->store)
        x64_mov_rr(e, W64, RCX, RSP); /* &out */
    else if (s->val == VAL_ZERO)
        x64_mov_ri(e, W32, RCX, 0);
    else if (s->val == VAL_MEM)
        x64_mov_rm(e, W64, RCX, s->valm);
    else
        x64_mov_rr(e, W64, RCX, s->val);
    x64_mov_rr(e, W64, RSI, RAX);
    struct x64_label ok;
    x64_label_init(&ok);
    slow_call(t, s, RDX, s->size,
              s->store ? (const void *)mmu_store_slow : (const void *)mmu_load_slow, &ok);
    /* Trap taken: h->pc is the handler; this instruction did not retire. */
    emit_writeback(t, s->regs, true);
    add_instret(t, s->pending);
    x64_jmp_to(e, t->env->exit_synced);
    x64_bind(e, &ok);
    if (s->store) {
        /* A store to a page holding translated code (or to a device that
         * raised an event) ends the block right after the store. */
        struct x64_label go_on;
        x64_label_init(&go_on);
        x64_cmp_mi(e, W32, HF(events), 0);
        x64_jcc_l(e, X64_CC_E, &go_on);
        emit_writeback(t, s->regs, true);
        add_instret(t, s->pending + 1);
        store_pc(t, s->next_pc);
        x64_jmp_to(e, t->env->exit_synced);
        x64_bind(e, &go_on);
    } else {
        x64_mov_rm(e, W64, RAX, x64_mem_b(RSP));
        if (s->sign) {
            if (s->size == 1)
                x64_movsx8_rr(e, W64, RAX, RAX);
            else if (s->size == 2)
                x64_movsx16_rr(e, W64, RAX, RAX);
            else if (s->size == 4)
                x64_movsxd_rr(e, RAX, RAX);
        }
    }
    for (unsigned g = 1; g < 32; g++)
        if (s->regs[g].host >= 0 && caller_saved(s->regs[g].host))
            x64_mov_rm(e, W64, s->regs[g].host, xreg(g));
    if (!s->store && s->dst != RAX)
        x64_mov_rr(e, W64, s->dst, RAX);
    fp_slow_rejoin(t, (unsigned)(s - t->slow));
    if (s->grouped && (s->store || s->dst != RAX))
        x64_xor_rr(e, W32, RAX, RAX); /* the slot's value: 0 when a group access gets here */
    x64_jmp_l32(e, &s->join);
}

/* fence: nothing to do for one hart (x86 keeps stores in order) */
static void tr_fence(struct tx *t)
{
    (void)t;
}

/* Common end of a block: write back, count, then the exits. A jump or
 * branch retires whichever way it goes, so it counts itself. */
static void end_block(struct tx *t)
{
    to_edge(t);
    pending_to(t, 0);
}

static void end_block_after_jump(struct tx *t)
{
    t->pending++;
    end_block(t);
}

/* The cache state becomes st (and owner[] with it). */
static void set_state(struct tx *t, const struct reg *st)
{
    memset(t->owner, 0, sizeof(t->owner));
    for (unsigned g = 0; g < 32; g++) {
        t->r[g] = st[g];
        if (g && st[g].host >= 0)
            t->owner[st[g].host] = (uint8_t)g;
    }
}

/*
 * Bring the cache state to `to` (a loop head's or a join's) with moves that
 * leave the flags alone: write back what leaves the host registers (or is
 * dirty where `to` says clean), move what changes host register (a parallel
 * move: cycles go through xchg), load what `to` has cached and we do not.
 * `at`: the instruction `to` belongs to, when values dead there need no
 * write-back (-1 at a loop head, whose event check may leave the block).
 */
static void reconcile(struct tx *t, const struct reg *to, int at)
{
    struct x64_emitter *e = t->e;
    for (unsigned g = 1; g < 32; g++) {
        if (t->r[g].host < 0)
            continue;
        if (to[g].host < 0 && at >= 0 && dead_at(t, (unsigned)at, g)) {
            unmap(t, g); /* overwritten after `at` before anything sees it */
            continue;
        }
        if (t->r[g].dirty && (to[g].host < 0 || !to[g].dirty)) {
            x64_mov_mr(e, W64, xreg(g), t->r[g].host);
            t->r[g].dirty = false;
        }
        if (to[g].host < 0)
            unmap(t, g);
    }
    for (;;) {
        bool pending = false, progress = false;
        for (unsigned g = 1; g < 32; g++) {
            int c = t->r[g].host, h = to[g].host;
            if (c < 0 || c == h)
                continue;
            pending = true;
            if (t->owner[h])
                continue; /* h still holds another register that must move */
            x64_mov_rr(e, W64, h, c);
            t->owner[c] = 0;
            map(t, g, h, t->r[g].dirty);
            progress = true;
        }
        if (!pending)
            break;
        if (progress)
            continue;
        /* Only cycles left: swap one register into place. */
        for (unsigned g = 1; g < 32; g++) {
            int c = t->r[g].host, h = to[g].host;
            if (c < 0 || c == h)
                continue;
            unsigned o = t->owner[h];
            x64_xchg_rr(e, W64, h, c);
            map(t, o, c, t->r[o].dirty);
            map(t, g, h, t->r[g].dirty);
            break;
        }
    }
    for (unsigned g = 1; g < 32; g++)
        if (to[g].host >= 0 && t->r[g].host < 0)
            x64_mov_rm(e, W64, to[g].host, xreg(g));
    set_state(t, to);
}

/* Before any exit but those after a helper: the state blocks are entered
 * with (the pinned registers in theirs, nothing else cached). Leaves the
 * flags alone. */
static void to_edge(struct tx *t)
{
    reconcile(t, t->edge, -1);
}

/* Store the pinned registers to h->x[] (state edge: a helper that reads
 * h->x[] follows) or load them back (it may have written h->x[]). */
static void pinned_out(struct tx *t, bool load)
{
    for (unsigned k = 0; k < JIT_NPIN; k++) {
        if (load)
            x64_mov_rm(t->e, W64, jit_pin_host[k], xreg(jit_pin_guest[k]));
        else
            x64_mov_mr(t->e, W64, xreg(jit_pin_guest[k]), jit_pin_host[k]);
    }
}

/* The back edge of a loop block: the cache state becomes the head's again,
 * without touching the flags (a compare may be waiting for its jcc). */
static void loop_back_edge(struct tx *t)
{
    reconcile(t, t->head, -1);
    t->pending++; /* the branch or jal */
    pending_to(t, 0);
}

/* rd = imm at the end of the block, where caching rd is no use. */
static void put_imm_last(struct tx *t, unsigned rd, int64_t imm, int scratch)
{
    if (!rd)
        return;
    if (t->r[rd].host >= 0) {
        x64_mov_ri(t->e, W64, t->r[rd].host, imm);
        t->r[rd].dirty = true;
    } else if (x64_fits_i32(imm)) {
        x64_mov_mi(t->e, W64, xreg(rd), (int32_t)imm);
    } else {
        x64_mov_ri(t->e, W64, scratch, imm);
        x64_mov_mr(t->e, W64, xreg(rd), scratch);
    }
}

/* ---- control flow inside a block ----
 *
 * A block goes on past its conditional branches. A branch back to the
 * block's start is a loop block's back edge (above); one forward to an
 * instruction of the block jumps there (a join: every path arrives with
 * the join's cache state and the join's number of instructions pending,
 * those of the first path to get there; a later path adds the difference,
 * which may be negative, to the count); one back to an inner loop's head
 * (inner_head) is a join too, whose state the path before the loop fixed
 * (inner_head_state) and where every iteration checks for events; any
 * other leaves the block
 * through an out-of-line side exit, and the not-taken path keeps its
 * registers. A jal forward into the block is a jump to a join; after it
 * (and after anything else that leaves for good) the code is reached only
 * at a join, if at all.
 */

/* The join the branch or jal being translated jumps to, or NO_JOIN
 * (mark_joins found it). */
static int join_at(const struct tx *t)
{
    return t->join_of[t->idx];
}

/* A branch to join j is about to be emitted (the FP run closed): bring
 * the state and the pending count to the join's, with code that leaves the flags
 * alone, or make this state the join's when it is the first. only_there:
 * this path goes nowhere else (a jump, or the straight path reaching the
 * join), so what is dead at the join need not be written back; a
 * conditional branch's state is also the not-taken path's. */
static void join_arrive(struct tx *t, unsigned j, bool only_there)
{
    struct join *jn = &t->join[j];
    if (!jn->has) {
        /* This path's state, less what no code is needed to drop and the
         * code after the join has no use for: clean values it does not
         * read, values it overwrites before anything sees them. The other
         * paths then need not load or keep them. */
        jn->has = true;
        jn->pending = t->pending;
        memcpy(jn->r, t->r, sizeof(t->r));
        for (unsigned g = 1; g < 32; g++)
            if (jn->r[g].host >= 0 && (dead_at(t, j, g) ||
                                       (!jn->r[g].dirty && distance(t, j, g) == NEVER)))
                jn->r[g] = (struct reg){.host = -1};
        jn->fs_checked = t->fp.fs_checked;
        jn->frm_checked = t->fp.frm_checked;
        jn->fs_dirty = t->fp.fs_dirty;
        return;
    }
    reconcile(t, jn->r, only_there ? (int)j : -1);
    pending_to(t, jn->pending);
    jn->fs_checked &= t->fp.fs_checked;
    jn->frm_checked &= t->fp.frm_checked;
    jn->fs_dirty &= t->fp.fs_dirty;
}

/* The head k of an inner loop, whose state the straight path fixes: the
 * registers its body writes are dirty there (or the back edge would write
 * them back every iteration), and free host registers take what the body
 * reads first, nearest first, then what it writes. */
static void inner_head_state(struct tx *t, unsigned k)
{
    struct join *jn = &t->join[k];
    unsigned b = jn->back_from;
    uint32_t written = 0;
    for (unsigned i = k; i <= b; i++) {
        uint32_t rd, wr;
        insn_regs(&t->ins[i], &rd, &wr);
        written |= wr & ~1u;
    }
    uint16_t used = 0;
    for (unsigned g = 1; g < 32; g++) {
        if (jn->r[g].host < 0)
            continue;
        used |= (uint16_t)(1u << jn->r[g].host);
        jn->r[g].dirty |= (written >> g) & 1;
    }
    for (int p = 0; p < POOL_SIZE; p++) {
        int h = host_pool[p];
        if (!in_pool(t, h) || ((used >> h) & 1))
            continue;
        unsigned best = 0, best_at = NEVER;
        for (unsigned g = 1; g < 32; g++) {
            unsigned at = distance(t, k, g);
            at = at <= b ? at : (written >> g) & 1 ? NEVER - 1 : NEVER;
            if (jn->r[g].host < 0 && at < best_at) {
                best = g;
                best_at = at;
            }
        }
        if (!best)
            break;
        jn->r[best] = (struct reg){.host = (int8_t)h, .dirty = (written >> best) & 1};
    }
}

/* Instruction i, a join some branch jumps to, is next: the straight-line
 * path (if any) arrives like a branch would, then the label. */
static void join_bind(struct tx *t, unsigned i)
{
    struct join *jn = &t->join[i];
    assert(t->reachable || !t->fp.run); /* a jump away closed the run */
    fp_join(t);
    if (t->reachable && jn->back && !jn->has) {
        join_arrive(t, i, true);
        inner_head_state(t, i);
        reconcile(t, jn->r, (int)i); /* loads what it added */
    } else if (t->reachable) {
        join_arrive(t, i, true);
    }
    set_state(t, jn->r);
    t->fp.fs_checked = jn->fs_checked;
    t->fp.frm_checked = jn->frm_checked;
    t->fp.fs_dirty = jn->fs_dirty;
    t->pending = jn->pending;
    t->reachable = true;
    x64_bind(t->e, &jn->label);
    t->joined_at = (int64_t)t->e->len;
    if (jn->back && t->env->leave_at_heads) {
        x64_jmp_l32(t->e, &jn->events); /* (tests: the state an event exit leaves) */
    } else if (jn->back) {
        /* every iteration: interrupts and requests (emit_loop_exits) */
        x64_cmp_mi(t->e, W32, HF(events), 0);
        x64_jcc_l32(t->e, X64_CC_NE, &jn->events);
    }
}

/* Out of line, from cache state st with `pending` instructions not yet
 * counted: write back and count (leave_state), then leave for target. */
static void leave_state(struct tx *t, const struct reg *st, unsigned pending)
{
    set_state(t, st);
    to_edge(t);
    add_instret(t, (int32_t)pending);
}

static void leave_from(struct tx *t, const struct reg *st, unsigned pending, uint64_t target)
{
    leave_state(t, st, pending);
    exit_direct(t, -1, target);
}

/* Out of line, for each inner loop head: leave with the head's state when
 * an event is pending (for the block at the head, whose entry check takes
 * the event). */
static void emit_loop_exits(struct tx *t)
{
    for (unsigned i = 0; i < t->n; i++) {
        struct join *jn = &t->join[i];
        if (!jn->back || !jn->has)
            continue;
        x64_bind(t->e, &jn->events);
        leave_from(t, jn->r, jn->pending, t->pcs[i]);
    }
}

/* beq/bne/blt/bge/bltu/bgeu rs1, rs2, imm; false when the block ends */
static bool tr_branch(struct tx *t, enum x64_cc cc)
{
    const struct insn *in = t->in;
    int a = get(t, in->rs1, RCX);
    int b = in->rs2 ? get(t, in->rs2, RDX) : -1;
    uint64_t target = t->pc + (uint64_t)(int64_t)in->imm;
    if (t->loop && target == t->block_pc) {
        fp_back_edge(t); /* ldmxcsr: before the compare, no flags touched */
        if (b < 0)
            x64_test_rr(t->e, W64, a, a);
        else
            x64_cmp_rr(t->e, W64, a, b);
        loop_back_edge(t); /* movs and a lea: the flags wait */
        x64_jcc_l(t->e, cc, &t->loop_head);
        fp_loop_leave(t);
        to_edge(t);
        exit_direct(t, -1, t->pc + in->len);
        return false;
    }
    int j = join_at(t);
    if (j != NO_JOIN && j <= (int)t->idx && !t->join[j].has)
        j = NO_JOIN; /* an inner loop whose head nothing reached (a jump into its body): leave */
    t->pending++; /* the branch retires either way */
    if (b < 0)
        x64_test_rr(t->e, W64, a, a);
    else
        x64_cmp_rr(t->e, W64, a, b);
    if (j != NO_JOIN) {
        join_arrive(t, (unsigned)j, false); /* movs: the flags wait */
        x64_jcc_l32(t->e, cc, &t->join[j].label);
        return true;
    }
    assert(t->nside < MAX_BLOCK_INSNS);
    struct side_exit *x = &t->side[t->nside++];
    x64_label_init(&x->entry);
    memcpy(x->regs, t->r, sizeof(t->r));
    x->pending = t->pending;
    x->target = target;
    x64_jcc_l32(t->e, cc, &x->entry);
    return true;
}

/* The side exits, out of line: write back, count, leave for the target. */
static void emit_side_exits(struct tx *t)
{
    for (unsigned k = 0; k < t->nside; k++) {
        struct side_exit *x = &t->side[k];
        x64_bind(t->e, &x->entry);
        leave_from(t, x->regs, x->pending, x->target);
    }
}

/* jal rd, imm; false when the block ends */
static bool tr_jal(struct tx *t)
{
    const struct insn *in = t->in;
    uint64_t target = t->pc + (uint64_t)(int64_t)in->imm;
    if (t->follow[t->idx]) {
        /* the block goes on at the target, the next instruction decoded
         * (rd is x0 now; the link would be right for any rd) */
        put_imm(t, in->rd, (int64_t)(t->pc + in->len));
        t->pending++;
        return true;
    }
    if (t->loop && target == t->block_pc) {
        put_imm(t, in->rd, (int64_t)(t->pc + in->len));
        fp_back_edge(t);
        loop_back_edge(t);
        x64_jmp_l(t->e, &t->loop_head);
        return false;
    }
    int j = join_at(t);
    if (j != NO_JOIN) {
        put_imm(t, in->rd, (int64_t)(t->pc + in->len));
        t->pending++;
        join_arrive(t, (unsigned)j, true);
        x64_jmp_l32(t->e, &t->join[j].label);
        return false;
    }
    put_imm_last(t, in->rd, (int64_t)(t->pc + in->len), RAX);
    end_block_after_jump(t);
    exit_direct(t, -1, target);
    return false;
}

/* jalr rd, imm(rs1): the target through the inline jump cache */
static void tr_jalr(struct tx *t)
{
    const struct insn *in = t->in;
    struct x64_emitter *e = t->e;
    int a = get(t, in->rs1, RAX);
    x64_lea(e, W64, RAX, x64_mem_bd(a, in->imm)); /* read rs1 before writing rd */
    x64_and_ri(e, W64, RAX, -2);
    put_imm_last(t, in->rd, (int64_t)(t->pc + in->len), RCX);
    end_block_after_jump(t);
    if (t->env->chain) {
        emit_jc_jump(t);
    } else {
        x64_mov_mr(e, W64, HF(pc), RAX);
        x64_jmp_to(e, t->env->exit0);
    }
}

/* ---- the block ---- */

/* Before the instruction across the page end: the fetch TLB entry of the
 * next page (its index known now) still holds that page, and the upper
 * half there is the one translated; else leave to straddle_miss. */
static void straddle_check(struct tx *t)
{
    struct x64_emitter *e = t->e;
    fp_xmm_clear(t);
    if (t->fp.run)
        fp_emit_harvest(t, true); /* (the check may leave) */
    uint64_t va = (t->pc & PAGE_MASK) + PAGE_SIZE;
    int32_t entry = tlb_off(t->env->iset, TLB_FETCH) +
                    (int32_t)(((va >> PAGE_SHIFT) & (TLB_SIZE - 1)) * sizeof(struct tlb_entry));
    memcpy(t->straddle_regs, t->r, sizeof(t->r));
    t->straddle_pending = t->pending;
    t->straddle_used = true;
    bool near = x64_fits_i32((int64_t)va); /* (else in rcx) */
    if (near) {
        x64_cmp_mi(e, W64, x64_mem_bd(HART, entry), (int32_t)va);
    } else {
        x64_mov_ri(e, W64, RCX, (int64_t)va);
        x64_cmp_rm(e, W64, RCX, x64_mem_bd(HART, entry));
    }
    x64_jcc_l32(e, X64_CC_NE, &t->straddle_miss);
    x64_mov_rm(e, W64, RAX, x64_mem_bd(HART, entry + 8));
    x64_movzx16_rm(e, W32, RCX,
                   near ? x64_mem_bd(RAX, (int32_t)va) : x64_mem_bisd(RAX, RCX, 1, 0));
    x64_cmp_ri(e, W32, RCX, (int32_t)(t->in->raw >> 16));
    x64_jcc_l32(e, X64_CC_NE, &t->straddle_miss);
}

/* Out of line: the check failed; write back, count what retired before
 * the instruction, and run it on the interpreter. */
static void emit_straddle_miss(struct tx *t)
{
    if (!t->straddle_used)
        return;
    x64_bind(t->e, &t->straddle_miss);
    leave_state(t, t->straddle_regs, t->straddle_pending);
    run_straddling(t, t->pcs[t->straddle_idx]);
}

/* Translate one instruction; returns false when it ended the block. */
static bool tr_insn(struct tx *t)
{
    const struct insn *in = t->in;
    if ((int)t->idx == t->straddle_idx)
        straddle_check(t);
    if ((int)t->idx <= t->skip_until) {
        t->pending++; /* (done by the gather before it) */
        return true;
    }
    fp_before_insn(t);
    if (t->gather_at[t->idx] >= 0 && tr_gather(t, &t->gathers[t->gather_at[t->idx]])) {
        t->pending++;
        return true;
    }
    if (in->rd && insn_pure(in) && dead_at(t, t->idx + 1, in->rd)) {
        /* The result is overwritten before anything could see it. */
        unmap(t, in->rd);
        t->pending++;
        return true;
    }
    switch ((enum op)in->op) {
    case OP_LUI: tr_lui(t); break;
    case OP_AUIPC: tr_auipc(t); break;
    case OP_JAL: return tr_jal(t);
    case OP_JALR: tr_jalr(t); return false;
    case OP_BEQ: return tr_branch(t, X64_CC_E);
    case OP_BNE: return tr_branch(t, X64_CC_NE);
    case OP_BLT: return tr_branch(t, X64_CC_L);
    case OP_BGE: return tr_branch(t, X64_CC_GE);
    case OP_BLTU: return tr_branch(t, X64_CC_B);
    case OP_BGEU: return tr_branch(t, X64_CC_AE);
    case OP_LB: tr_load(t, 1, true); break;
    case OP_LH: tr_load(t, 2, true); break;
    case OP_LW: tr_load(t, 4, true); break;
    case OP_LD: tr_load(t, 8, false); break;
    case OP_LBU: tr_load(t, 1, false); break;
    case OP_LHU: tr_load(t, 2, false); break;
    case OP_LWU: tr_load(t, 4, false); break;
    case OP_SB: tr_store(t, 1); break;
    case OP_SH: tr_store(t, 2); break;
    case OP_SW: tr_store(t, 4); break;
    case OP_SD: tr_store(t, 8); break;
    case OP_ADDI: tr_addi(t, false); break;
    case OP_ADDIW: tr_addi(t, true); break;
    case OP_SLTI: tr_set_less(t, true, X64_CC_L); break;
    case OP_SLTIU: tr_set_less(t, true, X64_CC_B); break;
    case OP_XORI: tr_logic_ri(t, x64_xor_ri); break;
    case OP_ORI: tr_logic_ri(t, x64_or_ri); break;
    case OP_ANDI: tr_logic_ri(t, x64_and_ri); break;
    case OP_SLLI: tr_shift_ri(t, x64_shl_ri, false); break;
    case OP_SRLI: tr_shift_ri(t, x64_shr_ri, false); break;
    case OP_SRAI: tr_shift_ri(t, x64_sar_ri, false); break;
    case OP_SLLIW: tr_shift_ri(t, x64_shl_ri, true); break;
    case OP_SRLIW: tr_shift_ri(t, x64_shr_ri, true); break;
    case OP_SRAIW: tr_shift_ri(t, x64_sar_ri, true); break;
    case OP_ADD: tr_alu_rr(t, x64_add_rr, true, false); break;
    case OP_SUB: tr_alu_rr(t, x64_sub_rr, false, false); break;
    case OP_XOR: tr_alu_rr(t, x64_xor_rr, true, false); break;
    case OP_OR: tr_alu_rr(t, x64_or_rr, true, false); break;
    case OP_AND: tr_alu_rr(t, x64_and_rr, true, false); break;
    case OP_ADDW: tr_alu_rr(t, x64_add_rr, true, true); break;
    case OP_SUBW: tr_alu_rr(t, x64_sub_rr, false, true); break;
    case OP_SLL: tr_shift_rr(t, 0, false); break;
    case OP_SRL: tr_shift_rr(t, 1, false); break;
    case OP_SRA: tr_shift_rr(t, 2, false); break;
    case OP_SLLW: tr_shift_rr(t, 0, true); break;
    case OP_SRLW: tr_shift_rr(t, 1, true); break;
    case OP_SRAW: tr_shift_rr(t, 2, true); break;
    case OP_SLT: tr_set_less(t, false, X64_CC_L); break;
    case OP_SLTU: tr_set_less(t, false, X64_CC_B); break;
    case OP_MUL: tr_mul(t, false); break;
    case OP_MULW: tr_mul(t, true); break;
    case OP_MULH: case OP_MULHU: case OP_MULHSU: tr_mulh(t, in->op); break;
    case OP_DIV: tr_div(t, true, false, false); break;
    case OP_DIVU: tr_div(t, false, false, false); break;
    case OP_REM: tr_div(t, true, true, false); break;
    case OP_REMU: tr_div(t, false, true, false); break;
    case OP_DIVW: tr_div(t, true, false, true); break;
    case OP_DIVUW: tr_div(t, false, false, true); break;
    case OP_REMW: tr_div(t, true, true, true); break;
    case OP_REMUW: tr_div(t, false, true, true); break;
    case OP_FENCE: tr_fence(t); break;
    case OP_CSRRW: case OP_CSRRS: case OP_CSRRC: case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
        if (csr_continues(in)) {
            tr_csr(t); /* the helper counts the instruction */
            return true;
        }
        tr_system(t);
        return false;
    case OP_ILLEGAL: case OP_FENCE_I: case OP_ECALL: case OP_EBREAK: case OP_MRET:
    case OP_SRET: case OP_WFI: case OP_SFENCE_VMA:
        tr_system(t);
        return false;
    case OP_FLW ... OP_FSD:
    case OP_FMADD_S ... OP_FCLASS_D:
        if (tr_fp(t))
            break;
        return true; /* on the generic helper, which counted it */
    default:
        /* A: lr, sc, amo* (the helper counts the instruction) */
        tr_helper(t);
        return true;
    }
    t->pending++;
    return true;
}

/*
 * The cache state at the head of a loop block, which every iteration
 * returns to (reconcile): host registers for the registers the body reads
 * before writing them, earliest read first (what the allocator would want
 * there anyway), then, while some are left, the others by first use. Dirty
 * wherever the body writes the register.
 */
static void choose_head(struct tx *t, const struct insn *ins, unsigned n)
{
    uint32_t written = 0, used = 0;
    uint16_t first[32];
    for (unsigned g = 0; g < 32; g++)
        first[g] = NEVER;
    for (unsigned i = n; i-- > 0;) {
        uint32_t rd, wr;
        alloc_regs(&ins[i], t->grp_slot[i], &rd, &wr);
        written |= wr;
        used |= rd | wr;
        for (unsigned g = 0; g < 32; g++)
            if (((rd | wr) >> g) & 1)
                first[g] = (uint16_t)i;
    }
    for (unsigned g = 0; g < 32; g++)
        t->head[g] = (struct reg){.host = -1};
    /* A loop with registers to spare gives the pinned registers' hosts
     * last: if it has no use for sp and a0 they then stay where they are,
     * with nothing to store at its entry or load at its exits. (A loop that
     * needs every host register keeps the pool's order.) */
    bool spare = __builtin_popcount(used & ~1u) <= POOL_SIZE - JIT_NPIN;
    int8_t order[POOL_SIZE];
    int norder = 0;
    for (unsigned pass = 0; pass < 2; pass++)
        for (int k = 0; k < POOL_SIZE; k++) {
            bool pin = false;
            for (unsigned p = 0; p < JIT_NPIN; p++)
                pin |= spare && host_pool[k] == jit_pin_host[p];
            if (pin == (pass == 1) && in_pool(t, host_pool[k]))
                order[norder++] = host_pool[k];
        }
    int k = 0;
    for (unsigned pass = 0; pass < 2 && k < norder; pass++) {
        for (;;) {
            if (k == norder)
                break;
            unsigned best = 0, best_at = NEVER;
            for (unsigned g = 1; g < 32; g++) {
                unsigned at = pass ? first[g] : distance(t, 0, g);
                if (t->head[g].host < 0 && at < best_at) {
                    best = g;
                    best_at = at;
                }
            }
            if (!best)
                break;
            t->head[best] = (struct reg){.host = order[k++], .dirty = (written >> best) & 1};
        }
    }
    /* A pinned register the loop caches keeps its host register (the
     * entry then has nothing to move): swap with whoever got that one. */
    for (unsigned p = 0; p < JIT_NPIN; p++) {
        unsigned g = jit_pin_guest[p];
        int want = jit_pin_host[p], have = t->head[g].host;
        if (have < 0 || have == want)
            continue;
        for (unsigned o = 1; o < 32; o++)
            if (t->head[o].host == want)
                t->head[o].host = (int8_t)have;
        t->head[g].host = (int8_t)want;
    }
}

/* How far ahead a jal may jump for decoding to go on past it (the target
 * then may turn out to be an instruction of the block: an if-else). */
#define JAL_JOIN_REACH 512

/* Whether decoding stops after `in` (at ipc, in the block starting at start):
 * at whatever leaves for good, and at a loop block's back edge. */
static bool decode_ends(const struct insn *in, uint64_t ipc, uint64_t start)
{
    uint64_t target = ipc + (uint64_t)(int64_t)in->imm;
    if (in->op >= OP_BEQ && in->op <= OP_BGEU)
        return target == start;
    if (in->op == OP_JAL)
        return target <= ipc || target - ipc > JAL_JOIN_REACH;
    return decode_ends_block(in->op) && !csr_continues(in);
}

/* At most this many jal per block are followed to their targets. */
#define MAX_FOLLOWS 8

/* Decoding's bitmap of the page: a bit per 2-byte slot it has visited. */
static bool seen_at(const uint64_t *seen, size_t page_off)
{
    unsigned slot = (unsigned)page_off >> 1;
    return (seen[slot / 64] >> (slot % 64)) & 1;
}

static void see(uint64_t *seen, size_t page_off)
{
    unsigned slot = (unsigned)page_off >> 1;
    seen[slot / 64] |= 1ull << (slot % 64);
}

/* Whether decoding goes on at the target of jal `in` (at ipc) instead of
 * ending the block there: a plain jump (no link: following calls copies
 * every callee into each caller's block, which costs Linux's boot more in
 * translation than it saves) within the block's page (its mapping is the
 * block's) to code not yet in the block, and not the loop back edge. The
 * jal then emits nothing. `seen` has a bit per 2-byte slot of the page
 * that decoding has visited. */
static bool follow_jal(const struct insn *in, uint64_t ipc, uint64_t start, const uint64_t *seen,
                       unsigned follows)
{
    uint64_t target = ipc + (uint64_t)(int64_t)in->imm;
    if (in->op != OP_JAL || in->rd || follows >= MAX_FOLLOWS || target == start ||
        ((target ^ start) & PAGE_MASK))
        return false;
    return !seen_at(seen, target & (PAGE_SIZE - 1));
}

/* Whether instruction m of an inner loop's body [k, b] (b: the branch
 * back to k) may stay in it: integer operations, loads and stores, forward
 * branches, followed jumps. (No helpers, which may change what the FP code
 * has established at the head, and no FP code.) */
static bool inner_body_ok(const struct tx *t, const struct insn *ins, unsigned m, unsigned b)
{
    unsigned op = ins[m].op;
    if (insn_pure(&ins[m]) || (op >= OP_LB && op <= OP_SD) || (op == OP_JAL && t->follow[m]))
        return true;
    if (op < OP_BEQ || op > OP_BGEU)
        return false;
    return m == b || ins[m].imm > 0;
}

/* An inner loop: conditional branch b jumps back to instruction k of the
 * block (not its start: that is a loop block), and everything from k to b
 * may stay in the loop (inner_body_ok). Index order is execution order
 * (a followed jal emits nothing), so [k, b] is the body. The loop exists
 * when translation reaches k on the straight path (join_bind fixes the
 * state there); a body entered only by a jump into it leaves at b. */
static int inner_head(const struct tx *t, const struct insn *ins, unsigned b, uint64_t start)
{
    unsigned op = ins[b].op;
    uint64_t target = t->pcs[b] + (uint64_t)(int64_t)ins[b].imm;
    if (!t->env->chain || op < OP_BEQ || op > OP_BGEU || ins[b].imm > 0 || target == start)
        return NO_JOIN;
    for (unsigned k = b + 1; k-- > 1;) {
        if (!inner_body_ok(t, ins, k, b))
            return NO_JOIN;
        if (t->pcs[k] == target)
            return (int)k;
    }
    return NO_JOIN;
}

/* The joins: instructions that a forward branch or jal of the block
 * targets, and the heads of inner loops. */
static void mark_joins(struct tx *t, const struct insn *ins, unsigned n, uint64_t start)
{
    for (unsigned i = 0; i < n; i++) {
        t->join[i].target = t->join[i].has = t->join[i].back = false;
        x64_label_init(&t->join[i].label);
        x64_label_init(&t->join[i].events);
        t->join_of[i] = NO_JOIN;
        t->join_src[i] = (int16_t)n;
    }
    for (unsigned i = 0; i < n; i++) {
        unsigned op = ins[i].op;
        if (!((op >= OP_BEQ && op <= OP_BGEU) || op == OP_JAL) || t->follow[i])
            continue;
        uint64_t target = t->pcs[i] + (uint64_t)(int64_t)ins[i].imm;
        int k = inner_head(t, ins, i, start);
        if (k != NO_JOIN) {
            t->join[k].back = true;
            t->join[k].back_from = i;
            t->join_of[i] = (int16_t)k;
            continue;
        }
        if (target <= t->pcs[i] || target == start)
            continue;
        for (unsigned k = i + 1; k < n && t->pcs[k] <= target; k++)
            if (t->pcs[k] == target) {
                t->join[k].target = true;
                t->join_of[i] = (int16_t)k;
                if (t->join_src[k] > (int)i)
                    t->join_src[k] = (int16_t)i;
            }
    }
}

/*
 * Value numbers. Before translation, one pass over the block says which
 * registers hold the same value, or the same value plus a constant, at each
 * instruction: every value is a value number plus a 64-bit offset
 * (constants are VN_CONST plus themselves; at the block's start register g
 * holds number g). addi adds to the offset, add and sub combine offsets
 * (x + 8 and x + 16 are one number), other integer ALU and M operations
 * get the same number for the same operation on the same inputs, and
 * whatever else writes rd (loads, CSR access, AMOs, FP moves and compares)
 * a new one. Where paths join, a register keeps its number only when every
 * path brings the same. Two uses:
 *  - an ALU operation whose rd already holds the value it computes (the
 *    same address recomputed from registers that did not change) becomes a
 *    nop, rewritten in the decoded block before any other analysis, so the
 *    liveness and low-half rules see an instruction that writes nothing;
 *  - base_vn/base_off give each load and store's base, so that a page group
 *    takes accesses through any register holding its base's value (plus an
 *    offset): a copy, a pointer to a field, an address recomputed.
 * The numbers describe the guest's architectural values: a register the
 * translated code has not written back, or a W result it left without
 * sign extension where nothing can see it (sext_needed), is the same value.
 */
#define VN_CONST 0
struct vval {
    uint16_t vn;
    uint64_t off;
};
struct vkey {
    uint16_t op, a, b;
    uint64_t aoff, boff;
    int32_t imm;
};
struct vnums {
    struct vkey keys[MAX_BLOCK_INSNS]; /* operations seen, with their numbers */
    uint16_t vn[MAX_BLOCK_INSNS];
    unsigned nkeys;
    unsigned next; /* the next new number */
    struct vval at_join[MAX_BLOCK_INSNS][32]; /* what the paths so far bring */
    bool join_set[MAX_BLOCK_INSNS];
};

static bool vval_eq(struct vval x, struct vval y)
{
    return x.vn == y.vn && x.off == y.off;
}

static struct vval vn_new(struct vnums *v)
{
    return (struct vval){(uint16_t)v->next++, 0};
}

/* into[] keeps a register's value where from[] has the same; else a new one. */
static void vn_meet(struct vnums *v, struct vval *into, const struct vval *from)
{
    for (unsigned g = 1; g < 32; g++)
        if (!vval_eq(into[g], from[g]))
            into[g] = vn_new(v);
}

/* At most a new number per instruction and two per register at a join. */
_Static_assert(32 + MAX_BLOCK_INSNS * (1 + 2 * 31) <= UINT16_MAX, "value numbers fit 16 bits");

/* The number of the operation k (the same k, the same number). */
static uint16_t vn_cons(struct vnums *v, struct vkey k)
{
    for (unsigned i = 0; i < v->nkeys; i++) {
        const struct vkey *o = &v->keys[i];
        if (o->op == k.op && o->a == k.a && o->b == k.b && o->aoff == k.aoff &&
            o->boff == k.boff && o->imm == k.imm)
            return v->vn[i];
    }
    v->keys[v->nkeys] = k;
    v->vn[v->nkeys] = (uint16_t)v->next++;
    return v->vn[v->nkeys++];
}

/* The value a pure instruction (insn_pure) writes, from its inputs r[]. */
static struct vval vn_eval(struct vnums *v, const struct insn *in, uint64_t pc,
                           const struct vval *r)
{
    struct vval a = r[in->rs1], b = r[in->rs2];
    struct vkey k = {0};
    switch ((enum op)in->op) {
    case OP_LUI:
        return (struct vval){VN_CONST, (uint64_t)(int64_t)in->imm};
    case OP_AUIPC:
        return (struct vval){VN_CONST, pc + (uint64_t)(int64_t)in->imm};
    case OP_ADDI:
        return (struct vval){a.vn, a.off + (uint64_t)(int64_t)in->imm};
    case OP_ADD:
        if (b.vn == VN_CONST)
            return (struct vval){a.vn, a.off + b.off};
        if (a.vn == VN_CONST)
            return (struct vval){b.vn, a.off + b.off};
        k.op = OP_ADD; /* (x + c) + (y + d) = (x + y) + (c + d) */
        k.a = a.vn < b.vn ? a.vn : b.vn;
        k.b = a.vn < b.vn ? b.vn : a.vn;
        return (struct vval){vn_cons(v, k), a.off + b.off};
    case OP_SUB:
        if (a.vn == b.vn)
            return (struct vval){VN_CONST, a.off - b.off};
        if (b.vn == VN_CONST)
            return (struct vval){a.vn, a.off - b.off};
        k.op = OP_SUB;
        k.a = a.vn;
        k.b = b.vn;
        return (struct vval){vn_cons(v, k), a.off - b.off};
    default:
        break;
    }
    bool imm_form = (in->op >= OP_ADDI && in->op <= OP_SRAI) ||
                    (in->op >= OP_ADDIW && in->op <= OP_SRAIW);
    k.op = in->op;
    k.a = a.vn;
    k.aoff = a.off;
    if (imm_form) {
        k.imm = in->imm;
    } else {
        k.b = b.vn;
        k.boff = b.off;
    }
    return (struct vval){vn_cons(v, k), 0};
}

/* See "Value numbers": fills t->base_vn/base_off, rewrites redundant ALU
 * operations in ins[] as nops. Needs mark_joins. */
static void value_numbers(struct tx *t, struct insn *ins, unsigned n)
{
    static __thread struct vnums vnums;
    struct vnums *v = &vnums;
    v->nkeys = 0;
    v->next = 32;
    memset(v->join_set, 0, n * sizeof(v->join_set[0]));
    struct vval r[32];
    for (unsigned g = 0; g < 32; g++)
        r[g] = (struct vval){(uint16_t)g, 0};
    for (unsigned i = 0; i < n; i++) {
        struct insn *in = &ins[i];
        if (t->join[i].target) {
            /* the straight line gets here too, unless a jal (not followed)
             * is before; a join's branches and jals all come before it */
            assert(v->join_set[i]);
            if (i > 0 && !(ins[i - 1].op == OP_JAL && !t->follow[i - 1]))
                vn_meet(v, r, v->at_join[i]);
            else
                memcpy(&r[1], &v->at_join[i][1], 31 * sizeof(r[0]));
        }
        if (t->join[i].back) {
            /* an inner loop's head: later iterations bring other values */
            for (unsigned g = 1; g < 32; g++)
                r[g] = vn_new(v);
        }
        t->base_vn[i] = r[in->rs1].vn;
        t->base_off[i] = r[in->rs1].off;
        if (in->rd && insn_pure(in)) {
            struct vval x = vn_eval(v, in, t->pcs[i], r);
            if (vval_eq(x, r[in->rd]))
                *in = (struct insn){.op = OP_ADDI, .len = in->len, .raw = in->raw};
            else
                r[in->rd] = x;
        } else if (in->op == OP_JAL || in->op == OP_JALR) {
            r[in->rd] = (struct vval){VN_CONST, t->pcs[i] + in->len};
        } else {
            /* (rd may name an FP register, or nothing: a new number for
             * the integer register of that number costs nothing) */
            r[in->rd] = vn_new(v);
        }
        r[0] = (struct vval){VN_CONST, 0};
        int j = t->join_of[i];
        if (j > (int)i) {
            if (v->join_set[j])
                vn_meet(v, v->at_join[j], r);
            else
                memcpy(v->at_join[j], r, sizeof(r));
            v->join_set[j] = true;
        }
    }
}

unsigned jit_translate(struct x64_emitter *e, const struct jit_env *env, uint64_t pc,
                       const uint8_t *page, struct jit_tx_out *out)
{
    static __thread struct tx tx_state; /* large: one translation at a time per thread */
    struct tx *t = &tx_state;
    /* (not the per-stub and per-slow-path arrays: filled as they are used) */
    memset(t, 0, offsetof(struct tx, fp));
    memset(&t->fp, 0, offsetof(struct fp_tx, stub));
    t->straddle_idx = -1;
    t->straddle_used = false;
    x64_label_init(&t->straddle_miss);
    t->e = e;
    t->env = env;
    t->nslow = t->nexits = t->nside = 0;
    t->rax_free_since = -1;
    t->joined_at = -1;
    t->nlslot = 0;
    t->nhoist = 0;

    /* Decode the block first (for register assignment). */
    static __thread struct insn ins[MAX_BLOCK_INSNS];
    static __thread uint64_t pcs[MAX_BLOCK_INSNS];
    static __thread bool follow[MAX_BLOCK_INSNS];
    unsigned max = env->max_insns && env->max_insns < MAX_BLOCK_INSNS ? env->max_insns
                                                                       : MAX_BLOCK_INSNS;
    /* Decoding runs straight on, and at a followed jal (follow_jal) on at
     * its target, until an instruction that ends the block, the page end,
     * or code already in the block. */
    uint64_t page_pc = pc & PAGE_MASK;
    uint64_t seen[PAGE_SIZE / 128] = {0};
    unsigned n = 0, follows = 0;
    size_t off = pc - page_pc; /* page offset of the next instruction */
    bool ended = false, straddle = false;
    while (n < max && !ended) {
        if (off + 2 > PAGE_SIZE)
            break;
        if (seen_at(seen, off))
            break; /* (a jump into the block's code: it ends there) */
        uint16_t lo;
        memcpy(&lo, page + off, 2);
        unsigned len = insn_length(lo);
        uint32_t raw = lo;
        if (off + len > PAGE_SIZE) {
            /* Its upper half is in the next page: translated when the
             * fetch TLB had that page (see straddle_check), else run by a
             * helper after the block. */
            if (env->next_half < 0) {
                straddle = true;
                break;
            }
            raw |= (uint32_t)env->next_half << 16;
            decode(raw, &ins[n]);
            pcs[n] = page_pc + off;
            follow[n] = false;
            t->straddle_idx = (int)n++;
            off += len;
            break;
        } else if (len == 4) {
            uint16_t hi;
            memcpy(&hi, page + off + 2, 2);
            raw |= (uint32_t)hi << 16;
        }
        decode(raw, &ins[n]);
        pcs[n] = page_pc + off;
        see(seen, off);
        ended = decode_ends(&ins[n], pcs[n], pc);
        follow[n] = ended && follow_jal(&ins[n], pcs[n], pc, seen, follows);
        off += len;
        if (follow[n]) {
            ended = false;
            follows++;
            off = (pcs[n] + (uint64_t)(int64_t)ins[n].imm) & (PAGE_SIZE - 1);
        }
        n++;
    }
    if (!n && !straddle)
        return 0;
    uint64_t next_pc = page_pc + off; /* where the straight line goes on after the last */
    t->pcs = pcs;
    t->follow = follow;
    mark_joins(t, ins, n, pc);
    value_numbers(t, ins, n);
    /* (no gather takes the instruction across the page end: its check
     * comes first) */
    find_gathers(t, ins, n, t->straddle_idx < 0 ? n : n - 1);
    memset(t->grp_slot, 0, n * sizeof(t->grp_slot[0]));
    for (unsigned k = 0; k < JIT_PAGE_SLOTS; k++)
        t->slot_until[k] = -1;

    /* A block whose last instruction jumps back to its start loops without
     * leaving: registers loaded once, the event check at the loop head. */
    const struct insn *last = n ? &ins[n - 1] : NULL;
    t->loop = env->chain && last && t->straddle_idx < 0 &&
              ((last->op >= OP_BEQ && last->op <= OP_BGEU) || last->op == OP_JAL) &&
              pcs[n - 1] + (uint64_t)(int64_t)last->imm == pc;
    t->ins = ins;
    t->n = n;
    if (t->loop)
        hoist_groups(t);
    static __thread uint16_t next[MAX_BLOCK_INSNS + 1][32], next_exit[MAX_BLOCK_INSNS + 1];
    next_reads(next, next_exit, ins, t->grp_slot, t->join_of, n, t->loop, t->straddle_idx);
    t->next_exit = next_exit;
    t->next = (const uint16_t(*)[32])next;
    t->pool = 0;
    for (int k = 0; k < POOL_SIZE; k++)
        t->pool |= (uint16_t)(1u << host_pool[k]);
    for (unsigned g = 0; g < 32; g++)
        t->edge[g] = (struct reg){.host = -1};
    for (unsigned k = 0; k < JIT_NPIN; k++)
        t->edge[jit_pin_guest[k]] = (struct reg){.host = (int8_t)jit_pin_host[k], .dirty = true};
    set_state(t, t->edge);
    if (t->loop)
        choose_head(t, ins, n);

    x64_label_init(&t->entry_exit);
    x64_label_init(&t->loop_head);
    x64_label_init(&t->loop_exit);
    t->block_pc = pc;
    /* Interrupts and requests: one compare at entry. (Also the 13 bytes that
     * retiring the block overwrites with a jmp to entry_exit.) */
    x64_cmp_mi(e, W32, HF(events), 0);
    x64_jcc_l32(e, X64_CC_NE, &t->entry_exit);

    if (t->loop) {
        reconcile(t, t->head, -1);
        unsigned nmem = 0; /* (the accesses that may take a loop slot) */
        for (unsigned i = 0; i < n; i++)
            nmem += (mem_of_kind(ins[i].op, TLB_READ) || mem_of_kind(ins[i].op, TLB_WRITE)) &&
                    !t->grp_slot[i];
        for (unsigned k = 0; k < nmem && k < JIT_LOOP_SLOTS; k++)
            x64_mov_mi(e, W64, loop_slot_mem((int)k, 0), LOOP_SLOT_EMPTY);
        hoist_enter(t);
        fp_loop_enter(t, ins, n);
        x64_bind(e, &t->loop_head);
        x64_cmp_mi(e, W32, HF(events), 0);
        x64_jcc_l32(e, X64_CC_NE, &t->loop_exit);
    }

    t->reachable = true;
    unsigned done = 0;
    size_t lo_off = PAGE_SIZE, hi_off = 0; /* the page range the translated code came from */
    for (unsigned i = 0; i < n; i++) {
        t->pc = pcs[i];
        t->in = &ins[i];
        t->idx = i;
        t->pinned = 0;
        if (t->join[i].has || (t->join[i].back && t->reachable))
            join_bind(t, i);
        if (!t->reachable)
            continue; /* only a join could get here, and none does */
        unsigned before = t->nslow;
        t->reachable = tr_insn(t);
        for (unsigned k = before; k < t->nslow; k++)
            t->slow[k].next_pc = pcs[i] + ins[i].len;
        done++;
        size_t o = pcs[i] - page_pc;
        lo_off = o < lo_off ? o : lo_off;
        hi_off = o + ins[i].len > hi_off ? o + ins[i].len : hi_off;
        hi_off = hi_off < PAGE_SIZE ? hi_off : PAGE_SIZE; /* (one across the page end) */
    }
    if (t->reachable) {
        /* Block cut at the length limit, the page end (or an instruction
         * across it), or code already in the block. */
        fp_end_block(t);
        end_block(t);
        if (straddle) {
            run_straddling(t, next_pc);
            lo_off = off < lo_off ? off : lo_off;
            hi_off = off + 2;
        } else {
            exit_direct(t, -1, next_pc);
        }
    }

    /* Out of line: the entry exit, slow paths, exit stubs. */
    if (t->loop) {
        /* The head's state: its dirty registers to h->x[]. */
        x64_bind(e, &t->loop_exit);
        fp_loop_exit(t);
        set_state(t, t->head);
        to_edge(t);
    }
    x64_bind(e, &t->entry_exit);
    out->entry_exit = x64_here(e);
    out->guest_off = lo_off < hi_off ? lo_off : pc - page_pc;
    out->guest_len = lo_off < hi_off ? hi_off - lo_off : 0;
    store_pc(t, pc);
    x64_jmp_to(e, env->exit0);
    t->in = NULL;
    for (unsigned k = 0; k < t->nslow; k++)
        emit_slow(t, &t->slow[k]);
    fp_emit_stubs(t);
    emit_side_exits(t);
    emit_straddle_miss(t);
    emit_loop_exits(t);
    emit_exit_stubs(t);
    return done + (straddle && t->reachable);
}
