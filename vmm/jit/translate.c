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
 * Register caching: the guest registers a block uses most are given host
 * registers (five callee-saved, five caller-saved), loaded at first use and
 * written back at every exit; the cache state (loaded, dirty) is known at
 * translation time at every point of the straight-line block, and the
 * out-of-line slow paths carry a copy of it. See translate.h for the rules
 * blocks follow at entry and exit.
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
#define MAX_EXITS 4

/* Host registers for guest registers: callee-saved first (they survive
 * helper calls), then caller-saved. RAX, RCX, RDX and R11 are scratch. */
static const int8_t host_pool[] = {RBP, R12, R13, R14, R15, RSI, RDI, R8, R9, R10};
#define POOL_SIZE (int)(sizeof(host_pool) / sizeof(host_pool[0]))

static bool caller_saved(int r)
{
    return r == RSI || r == RDI || r == R8 || r == R9 || r == R10;
}

_Static_assert(sizeof(struct insn) == 16, "struct insn travels in two registers");

/* The cached state of one guest register. */
struct reg {
    int8_t host; /* -1: not cached, always in h->x[] */
    bool loaded; /* host register holds the current value */
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
    int val; /* store: the host register holding the value */
    bool fp_run; /* a run of native FP operations was open (translate_fp.inc) */
};

/* A direct exit to a guest pc known at translation time. */
struct exit_stub {
    struct x64_label entry;
    size_t site; /* offset of the rel32 field that jumps to entry */
    uint64_t target;
    bool chainable; /* target in the block's own guest page */
};

struct tx {
    struct x64_emitter *e;
    const struct jit_env *env;
    struct reg r[32];
    uint64_t pc;          /* of the instruction being translated */
    const struct insn *in;
    unsigned pending;     /* instructions retired in this block not yet added to instret */
    struct fp_tx fp;      /* F and D (translate_fp.inc) */
    struct slow slow[MAX_SLOW];
    unsigned nslow;
    struct exit_stub exits[MAX_EXITS];
    unsigned nexits;
    struct x64_label entry_exit; /* interrupt check at entry failed */
    uint64_t block_pc;
    bool loop;                   /* the block branches back to its start... */
    struct x64_label loop_head;  /* ... here, with every cached register loaded */
    struct x64_label loop_exit;  /* events at the loop head: write back and leave */
    struct x64_label exit0;      /* shared "leave with everything synced" */
};

/* translate_fp.inc: the XMM cache where a load or store's slow path starts */
static void fp_slow_note(struct tx *t, unsigned k);

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

/* Host register holding guest g's current value; loads it on first use.
 * x0 and uncached registers come in `scratch`. Never touches flags. */
static int get(struct tx *t, unsigned g, int scratch)
{
    struct x64_emitter *e = t->e;
    if (g == 0) {
        x64_mov_ri(e, W32, scratch, 0);
        return scratch;
    }
    struct reg *r = &t->r[g];
    if (r->host < 0) {
        x64_mov_rm(e, W64, scratch, xreg(g));
        return scratch;
    }
    if (!r->loaded) {
        x64_mov_rm(e, W64, r->host, xreg(g));
        r->loaded = true;
    }
    return r->host;
}

/* Where to compute rd's new value: its host register, or `scratch`. */
static int dst(struct tx *t, unsigned rd, int scratch)
{
    if (rd && t->r[rd].host >= 0)
        return t->r[rd].host;
    return scratch;
}

/* rd = value in host register src (no-op for x0). */
static void put(struct tx *t, unsigned rd, int src)
{
    if (rd == 0)
        return;
    struct reg *r = &t->r[rd];
    if (r->host < 0) {
        x64_mov_mr(t->e, W64, xreg(rd), src);
        return;
    }
    if (src != r->host)
        x64_mov_rr(t->e, W64, r->host, src);
    r->loaded = r->dirty = true;
}

/* Store dirty registers of state `st` (skipping caller-saved ones when
 * their host registers may have been clobbered). Emits only. */
static void emit_writeback(struct tx *t, const struct reg *st, bool skip_caller_saved)
{
    for (unsigned g = 1; g < 32; g++)
        if (st[g].host >= 0 && st[g].dirty && !(skip_caller_saved && caller_saved(st[g].host)))
            x64_mov_mr(t->e, W64, xreg(g), st[g].host);
}

/* Write back everything: afterwards h->x[] is current (registers stay loaded). */
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
            t->r[g].loaded = false;
        }
}

/* Loop blocks count the instructions of their iterations in this
 * callee-saved register (not given to guest registers there) instead of a
 * memory add per iteration; add_instret folds it into h->instret. */
#define LOOP_COUNT R15

/* h->instret += n (and, in a loop block, += LOOP_COUNT, which restarts from
 * zero): afterwards h->instret is exact up to the current instruction. */
static void add_instret(struct tx *t, unsigned n)
{
    if (n)
        x64_add_mi(t->e, W64, HF(instret), (int32_t)n);
    if (t->loop) {
        x64_add_mr(t->e, W64, HF(instret), LOOP_COUNT);
        x64_mov_ri(t->e, W32, LOOP_COUNT, 0);
    }
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

/* call fn(hart, ...): rdi = hart; other arguments already placed. */
static void call_helper(struct tx *t, const void *fn)
{
    x64_mov_rr(t->e, W64, RDI, HART);
    x64_call_far(t->e, fn, RAX);
}

/* ---- exits ---- */

/* Jump to the block for guest pc RAX (already in h->pc, everything synced)
 * through the inline jump cache, or leave to the dispatcher on a miss:
 *   rcx = ((pc >> 1) & (JC_SIZE - 1)) * 32; rdx = the jump cache;
 *   hit: e[rcx].pc == pc && e[rcx].gen == jc.gen */
static void emit_jc_jump(struct tx *t)
{
    struct x64_emitter *e = t->e;
    x64_mov_rr(e, W32, RCX, RAX);
    x64_shl_ri(e, W32, RCX, 4);
    x64_and_ri(e, W32, RCX, (int32_t)((JIT_JC_SIZE - 1) << 5));
    x64_mov_ri(e, W64, RDX, (int64_t)(uintptr_t)t->env->jc);
    x64_cmp_rm(e, W64, RAX, x64_mem_bisd(RDX, RCX, 1, JIT_JC_ENTRIES));
    x64_jcc_to(e, X64_CC_NE, t->env->exit0);
    x64_mov_rm(e, W64, R11, x64_mem_b(RDX));
    x64_cmp_rm(e, W64, R11, x64_mem_bisd(RDX, RCX, 1, JIT_JC_ENTRIES + 16));
    x64_jcc_to(e, X64_CC_NE, t->env->exit0);
    x64_jmp_m(e, x64_mem_bisd(RDX, RCX, 1, JIT_JC_ENTRIES + 8));
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
        if (!t->env->chain) {
            store_pc(t, x->target);
            x64_jmp_to(e, t->env->exit0);
        } else if (x->chainable) {
            store_pc(t, x->target);
            /* lea rax, [rip -> the rel32 field]; the dispatcher patches it */
            x64_lea(e, W64, RAX, x64_mem_rip_to(e->buf + x->site));
            x64_jmp_to(e, t->env->exit_rax);
        } else {
            x64_mov_ri(e, W64, RAX, (int64_t)x->target);
            x64_mov_mr(e, W64, HF(pc), RAX);
            emit_jc_jump(t);
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
    add_instret(t, t->pending);
    t->pending = 0;
    store_pc(t, t->pc);
    load_insn_args(t);
    call_helper(t, (const void *)helper_exec);
    /* h->pc is wherever the instruction went (next, handler, xepc). */
    x64_jmp_to(t->e, t->env->exit0);
}

/* lr, sc, amo*.{w,d}; every F and D instruction: one instruction on the
 * interpreter, then on with the block. */
static void tr_helper(struct tx *t)
{
    sync_regs(t);
    forget_caller_saved(t);
    add_instret(t, t->pending);
    t->pending = 0;
    store_pc(t, t->pc);
    load_insn_args(t);
    call_helper(t, (const void *)helper_exec);
    /* test al, al; jz exit0 (trap taken: h->pc is the handler, all synced) */
    x64_test_rr(t->e, W8, RAX, RAX);
    x64_jcc_to(t->e, X64_CC_E, t->env->exit0);
    if (t->in->op == OP_FSW || t->in->op == OP_FSD ||
        (t->in->op >= OP_LR_W && t->in->op <= OP_AMOMAXU_D)) {
        /* A store that wrote translated code: leave (all synced, h->pc next). */
        x64_cmp_mi(t->e, W32, HF(events), 0);
        x64_jcc_to(t->e, X64_CC_NE, t->env->exit0);
    }
    /* The helper may have written x[rd]. */
    if (t->in->rd && t->r[t->in->rd].host >= 0)
        t->r[t->in->rd].loaded = false;
}

/* CSR instructions that need not end the block: all but those on mstatus
 * (FS) and the FP CSRs, which translate_fp.inc checks once per block. The
 * helper still ends it when the access changed the TLB sets, raised an
 * event (interrupt enables, satp, ...) or trapped. */
static bool csr_continues(const struct insn *in)
{
    if (in->op < OP_CSRRW || in->op > OP_CSRRCI)
        return false;
    switch ((unsigned)in->imm & 0xfff) {
    case 0x001: case 0x002: case 0x003: /* fflags, frm, fcsr */
    case 0x100: case 0x300:             /* sstatus, mstatus */
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
    uint64_t n = h->instret;
    interp_exec(h, &in);
    return h->instret != n && h->iset == iset && h->dset == dset &&
           !atomic_load_explicit(&h->events, memory_order_relaxed);
}

/* csrrw/csrrs/csrrc[i] rd, csr, rs1 (csr_continues): the interpreter's
 * helper, then on with the block unless it says otherwise (then h->pc is
 * the next instruction or the trap handler, everything synced). */
static void tr_csr(struct tx *t)
{
    sync_regs(t);
    forget_caller_saved(t);
    add_instret(t, t->pending);
    t->pending = 0;
    store_pc(t, t->pc);
    load_insn_args(t);
    call_helper(t, (const void *)helper_csr);
    x64_test_rr(t->e, W8, RAX, RAX);
    x64_jcc_to(t->e, X64_CC_E, t->env->exit0);
    if (t->in->rd && t->r[t->in->rd].host >= 0)
        t->r[t->in->rd].loaded = false;
}

/* lui rd, imm */
static void tr_lui(struct tx *t)
{
    if (!t->in->rd)
        return;
    int d = dst(t, t->in->rd, RAX);
    x64_mov_ri(t->e, W64, d, (int64_t)t->in->imm);
    put(t, t->in->rd, d);
}

/* auipc rd, imm */
static void tr_auipc(struct tx *t)
{
    if (!t->in->rd)
        return;
    int d = dst(t, t->in->rd, RAX);
    x64_mov_ri(t->e, W64, d, (int64_t)(t->pc + (uint64_t)(int64_t)t->in->imm));
    put(t, t->in->rd, d);
}

/* add rd, rs1, rs2 (and sub, and, or, xor; addw, subw with w32) */
static void tr_alu_rr(struct tx *t, void (*op)(struct x64_emitter *, enum x64_width, int, int),
                      bool commutative, bool w32)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    int a = get(t, in->rs1, RCX), b = get(t, in->rs2, RDX);
    int d = dst(t, in->rd, RAX);
    if (d == b && d != a) {
        if (commutative) {
            op(t->e, w32 ? W32 : W64, d, a);
            if (w32)
                x64_movsxd_rr(t->e, d, d);
            put(t, in->rd, d);
            return;
        }
        d = RAX;
    }
    if (d != a)
        x64_mov_rr(t->e, W64, d, a);
    op(t->e, w32 ? W32 : W64, d, b);
    if (w32)
        x64_movsxd_rr(t->e, d, d);
    put(t, in->rd, d);
}

/* addi rd, rs1, imm (addiw with w32) */
static void tr_addi(struct tx *t, bool w32)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    int a = get(t, in->rs1, RCX);
    int d = dst(t, in->rd, RAX);
    if (in->imm == 0) {
        if (w32)
            x64_movsxd_rr(t->e, d, a);
        else if (d != a)
            x64_mov_rr(t->e, W64, d, a);
    } else {
        x64_lea(t->e, w32 ? W32 : W64, d, x64_mem_bd(a, in->imm));
        if (w32)
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
    int a = get(t, in->rs1, RCX);
    int d = dst(t, in->rd, RAX);
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
    int d = dst(t, in->rd, RAX);
    unsigned sh = (unsigned)in->imm & (w32 ? 31 : 63);
    if (d != a)
        x64_mov_rr(t->e, W64, d, a);
    if (sh)
        op(t->e, w32 ? W32 : W64, d, (uint8_t)sh);
    if (w32)
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
        int d = dst(t, in->rd, RAX);
        bmi[kind](t->e, w, d, a, b);
        if (w32)
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
    if (w32)
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
    if (imm) {
        x64_cmp_ri(t->e, W64, a, in->imm);
    } else {
        int b = get(t, in->rs2, RDX);
        x64_cmp_rr(t->e, W64, a, b);
    }
    int d = dst(t, in->rd, RAX);
    x64_setcc_r(t->e, cc, d);
    x64_movzx8_rr(t->e, W32, d, d);
    put(t, in->rd, d);
}

/* mul rd, rs1, rs2 (mulw with w32) */
static void tr_mul(struct tx *t, bool w32)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    int a = get(t, in->rs1, RCX), b = get(t, in->rs2, RDX);
    x64_mov_rr(t->e, W64, RAX, a);
    x64_imul_rr(t->e, w32 ? W32 : W64, RAX, b);
    if (w32)
        x64_movsxd_rr(t->e, RAX, RAX);
    put(t, in->rd, RAX);
}

/* mulh/mulhu/mulhsu rd, rs1, rs2: the high half of the 128-bit product */
static void tr_mulh(struct tx *t, unsigned op)
{
    const struct insn *in = t->in;
    if (!in->rd)
        return;
    int a = get(t, in->rs1, RCX), b = get(t, in->rs2, R11);
    x64_mov_rr(t->e, W64, RAX, a);
    if (op == OP_MULH) {
        x64_imul1_r(t->e, W64, b);
    } else {
        x64_mul_r(t->e, W64, b);
        if (op == OP_MULHSU) {
            /* signed a * unsigned b = unsigned product - (a < 0 ? b << 64 : 0) */
            x64_mov_rr(t->e, W64, RCX, a);
            x64_sar_ri(t->e, W64, RCX, 63);
            x64_and_rr(t->e, W64, RCX, b);
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
    int a = get(t, in->rs1, RCX), b = get(t, in->rs2, R11);
    struct x64_label zero, done, minus1;
    x64_label_init(&zero);
    x64_label_init(&done);
    x64_label_init(&minus1);
    x64_mov_rr(e, W64, RAX, a);
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

/* Inline TLB probe for an access of `size` bytes at va = rs1 + imm, left in
 * RAX: on a hit RAX becomes the host address; on a miss (or a misaligned
 * access, whose low bits survive into the compared tag) jump to the slow
 * path. Returns the slow-path record for the caller to complete. */
static struct slow *tlb_probe(struct tx *t, unsigned kind, unsigned size)
{
    const struct insn *in = t->in;
    struct x64_emitter *e = t->e;
    if (in->rs1 == 0) {
        x64_mov_ri(e, W64, RAX, (int64_t)in->imm);
    } else {
        int base = get(t, in->rs1, RAX);
        if (in->imm || base != RAX)
            x64_lea(e, W64, RAX, x64_mem_bd(base, in->imm));
    }
    unsigned set = kind == TLB_FETCH ? t->env->iset : t->env->dset;
    int32_t off = tlb_off(set, kind);
    /* rdx = ((va >> 12) & (TLB_SIZE - 1)) * 16 */
    x64_mov_rr(e, W32, RDX, RAX);
    x64_shr_ri(e, W32, RDX, PAGE_SHIFT - 4);
    x64_and_ri(e, W32, RDX, (int32_t)((TLB_SIZE - 1) << 4));
    /* rcx = va & (PAGE_MASK | (size - 1)) */
    x64_mov_rr(e, W64, RCX, RAX);
    x64_and_ri(e, W64, RCX, (int32_t)(PAGE_MASK | (size - 1)));
    x64_cmp_rm(e, W64, RCX, x64_mem_bisd(HART, RDX, 1, off));
    assert(t->nslow < MAX_SLOW);
    struct slow *s = &t->slow[t->nslow++];
    x64_label_init(&s->entry);
    x64_label_init(&s->join);
    memcpy(s->regs, t->r, sizeof(t->r));
    s->pc = t->pc;
    s->pending = t->pending;
    s->size = size;
    s->store = kind == TLB_WRITE;
    s->sign = false;
    s->val = -1;
    s->fp_run = t->fp.run;
    fp_slow_note(t, t->nslow - 1);
    x64_jcc_l32(e, X64_CC_NE, &s->entry);
    x64_add_rm(e, W64, RAX, x64_mem_bisd(HART, RDX, 1, off + 8));
    return s;
}

/* lb/lh/lw/ld/lbu/lhu/lwu rd, imm(rs1) */
static void tr_load(struct tx *t, unsigned size, bool sign)
{
    struct x64_emitter *e = t->e;
    struct slow *s = tlb_probe(t, TLB_READ, size);
    s->sign = sign;
    struct x64_mem m = x64_mem_b(RAX);
    switch (size) {
    case 1: sign ? x64_movsx8_rm(e, W64, RAX, m) : x64_movzx8_rm(e, W32, RAX, m); break;
    case 2: sign ? x64_movsx16_rm(e, W64, RAX, m) : x64_movzx16_rm(e, W32, RAX, m); break;
    case 4: sign ? x64_movsxd_rm(e, RAX, m) : x64_mov_rm(e, W32, RAX, m); break;
    default: x64_mov_rm(e, W64, RAX, m); break;
    }
    x64_bind(e, &s->join);
    put(t, t->in->rd, RAX);
}

/* sb/sh/sw/sd rs2, imm(rs1) */
static void tr_store(struct tx *t, unsigned size)
{
    /* The value first: R11 is not used by the probe. */
    int v = get(t, t->in->rs2, R11);
    struct slow *s = tlb_probe(t, TLB_WRITE, size);
    s->val = v;
    x64_mov_mr(t->e, (enum x64_width)size, x64_mem_b(RAX), v);
    x64_bind(t->e, &s->join);
}

#include "vmm/jit/translate_fp.inc"

/* The slow path of a load or store: mmu_load_slow / mmu_store_slow with
 * h->pc at the instruction, so a fault is precise. */
static void emit_slow(struct tx *t, struct slow *s)
{
    struct x64_emitter *e = t->e;
    x64_bind(e, &s->entry);
    /* Caller-saved cached registers do not survive the call. */
    for (unsigned g = 1; g < 32; g++)
        if (s->regs[g].host >= 0 && s->regs[g].dirty && caller_saved(s->regs[g].host))
            x64_mov_mr(e, W64, xreg(g), s->regs[g].host);
    store_pc(t, s->pc); /* may use rcx; rax (va) and the value survive */
    if (s->store)
        x64_mov_rr(e, W64, RCX, s->val);
    else
        x64_mov_rr(e, W64, RCX, RSP); /* &out */
    x64_mov_rr(e, W64, RSI, RAX);
    if (s->fp_run)
        fp_emit_slow_enter(t); /* rax, rdx */
    x64_mov_ri(e, W32, RDX, s->size);
    call_helper(t, s->store ? (const void *)mmu_store_slow : (const void *)mmu_load_slow);
    if (s->fp_run)
        fp_emit_slow_leave(t);
    struct x64_label ok;
    x64_label_init(&ok);
    x64_test_rr(e, W8, RAX, RAX);
    x64_jcc_l(e, X64_CC_NE, &ok);
    /* Trap taken: h->pc is the handler; this instruction did not retire. */
    emit_writeback(t, s->regs, true);
    add_instret(t, s->pending);
    x64_jmp_to(e, t->env->exit0);
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
        x64_jmp_to(e, t->env->exit0);
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
        if (s->regs[g].host >= 0 && s->regs[g].loaded && caller_saved(s->regs[g].host))
            x64_mov_rm(e, W64, s->regs[g].host, xreg(g));
    fp_slow_rejoin(t, (unsigned)(s - t->slow));
    x64_jmp_l32(e, &s->join);
}

/* fence: nothing to do for one hart (x86 keeps stores in order) */
static void tr_fence(struct tx *t)
{
    (void)t;
}

/* Common end of a block: write back, count, then the exits. A jump or
 * branch retires whichever way it goes, so it counts itself. */
static void end_block_after_jump(struct tx *t)
{
    t->pending++;
    sync_regs(t);
    add_instret(t, t->pending);
    t->pending = 0;
}

static void end_block(struct tx *t)
{
    sync_regs(t);
    add_instret(t, t->pending);
    t->pending = 0;
}

/* The back edge of a loop block: the cached registers stay in host
 * registers around the loop (the head expects them all loaded). */
static void loop_back_edge(struct tx *t)
{
    for (unsigned g = 1; g < 32; g++)
        if (t->r[g].host >= 0 && !t->r[g].loaded) {
            x64_mov_rm(t->e, W64, t->r[g].host, xreg(g));
            t->r[g].loaded = true;
        }
    t->pending++;
    x64_add_ri(t->e, W64, LOOP_COUNT, (int32_t)t->pending);
    t->pending = 0;
}

/* beq/bne/blt/bge/bltu/bgeu rs1, rs2, imm */
static void tr_branch(struct tx *t, enum x64_cc cc)
{
    const struct insn *in = t->in;
    int a = get(t, in->rs1, RCX);
    int b = in->rs2 ? get(t, in->rs2, RDX) : -1;
    uint64_t target = t->pc + (uint64_t)(int64_t)in->imm;
    if (t->loop && target == t->block_pc) {
        fp_back_edge(t);
        loop_back_edge(t);
        if (b < 0)
            x64_test_rr(t->e, W64, a, a);
        else
            x64_cmp_rr(t->e, W64, a, b);
        x64_jcc_l(t->e, cc, &t->loop_head);
        fp_loop_leave(t);
        sync_regs(t); /* movs: the flags are not needed any more */
        add_instret(t, 0);
        exit_direct(t, -1, t->pc + in->len);
        return;
    }
    end_block_after_jump(t); /* stores and an add: before the compare */
    if (b < 0)
        x64_test_rr(t->e, W64, a, a);
    else
        x64_cmp_rr(t->e, W64, a, b);
    exit_direct(t, cc, t->pc + (uint64_t)(int64_t)in->imm);
    exit_direct(t, -1, t->pc + in->len);
}

/* jal rd, imm */
static void tr_jal(struct tx *t)
{
    const struct insn *in = t->in;
    if (in->rd) {
        int d = dst(t, in->rd, RAX);
        x64_mov_ri(t->e, W64, d, (int64_t)(t->pc + in->len));
        put(t, in->rd, d);
    }
    if (t->loop && t->pc + (uint64_t)(int64_t)in->imm == t->block_pc) {
        fp_back_edge(t);
        loop_back_edge(t);
        x64_jmp_l(t->e, &t->loop_head);
        return;
    }
    end_block_after_jump(t);
    exit_direct(t, -1, t->pc + (uint64_t)(int64_t)in->imm);
}

/* jalr rd, imm(rs1): the target through the inline jump cache */
static void tr_jalr(struct tx *t)
{
    const struct insn *in = t->in;
    struct x64_emitter *e = t->e;
    int a = get(t, in->rs1, RAX);
    x64_lea(e, W64, RAX, x64_mem_bd(a, in->imm)); /* read rs1 before writing rd */
    x64_and_ri(e, W64, RAX, -2);
    if (in->rd) {
        int d = dst(t, in->rd, RCX);
        x64_mov_ri(e, W64, d, (int64_t)(t->pc + in->len));
        put(t, in->rd, d);
    }
    end_block_after_jump(t);
    x64_mov_mr(e, W64, HF(pc), RAX);
    if (t->env->chain) {
        emit_jc_jump(t);
    } else {
        x64_jmp_to(e, t->env->exit0);
    }
}

/* ---- the block ---- */

/* Translate one instruction; returns false when it ended the block. */
static bool tr_insn(struct tx *t)
{
    const struct insn *in = t->in;
    fp_before_insn(t);
    switch ((enum op)in->op) {
    case OP_LUI: tr_lui(t); break;
    case OP_AUIPC: tr_auipc(t); break;
    case OP_JAL: tr_jal(t); return false;
    case OP_JALR: tr_jalr(t); return false;
    case OP_BEQ: tr_branch(t, X64_CC_E); return false;
    case OP_BNE: tr_branch(t, X64_CC_NE); return false;
    case OP_BLT: tr_branch(t, X64_CC_L); return false;
    case OP_BGE: tr_branch(t, X64_CC_GE); return false;
    case OP_BLTU: tr_branch(t, X64_CC_B); return false;
    case OP_BGEU: tr_branch(t, X64_CC_AE); return false;
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

/* Give host registers to the guest registers the block uses most. */
static void assign_regs(struct tx *t, const struct insn *ins, unsigned n)
{
    unsigned uses[32] = {0};
    for (unsigned i = 0; i < n; i++) {
        const struct insn *in = &ins[i];
        uses[in->rd]++;
        uses[in->rs1]++;
        uses[in->rs2]++;
    }
    for (unsigned g = 0; g < 32; g++)
        t->r[g] = (struct reg){.host = -1};
    uses[0] = 0;
    for (int k = 0; k < POOL_SIZE; k++) {
        if (t->loop && host_pool[k] == LOOP_COUNT)
            continue;
        unsigned best = 0;
        for (unsigned g = 1; g < 32; g++)
            if (t->r[g].host < 0 && uses[g] > uses[best])
                best = g;
        if (!best)
            break;
        t->r[best].host = host_pool[k];
    }
}

unsigned jit_translate(struct x64_emitter *e, const struct jit_env *env, uint64_t pc,
                       const uint8_t *code, size_t avail, struct jit_tx_out *out)
{
    static __thread struct tx tx_state; /* large: one translation at a time per thread */
    struct tx *t = &tx_state;
    memset(t, 0, offsetof(struct tx, slow));
    t->e = e;
    t->env = env;
    t->nslow = t->nexits = 0;

    /* Decode the block first (for register assignment). */
    static __thread struct insn ins[MAX_BLOCK_INSNS];
    unsigned max = env->max_insns && env->max_insns < MAX_BLOCK_INSNS ? env->max_insns
                                                                       : MAX_BLOCK_INSNS;
    unsigned n = 0;
    size_t off = 0;
    bool ended = false;
    while (n < max && !ended) {
        if (off + 2 > avail)
            break;
        uint16_t lo;
        memcpy(&lo, code + off, 2);
        unsigned len = insn_length(lo);
        if (off + len > avail)
            break;
        uint32_t raw = lo;
        if (len == 4) {
            uint16_t hi;
            memcpy(&hi, code + off + 2, 2);
            raw |= (uint32_t)hi << 16;
        }
        decode(raw, &ins[n]);
        ended = decode_ends_block(ins[n].op) && !csr_continues(&ins[n]);
        off += len;
        n++;
    }
    if (!n)
        return 0;

    /* A block whose last instruction jumps back to its start loops without
     * leaving: registers loaded once, the event check at the loop head,
     * instructions counted in LOOP_COUNT. */
    const struct insn *last = &ins[n - 1];
    uint64_t last_pc = pc + off - last->len;
    t->loop = env->chain &&
              ((last->op >= OP_BEQ && last->op <= OP_BGEU) || last->op == OP_JAL) &&
              last_pc + (uint64_t)(int64_t)last->imm == pc;
    assign_regs(t, ins, n);

    x64_label_init(&t->entry_exit);
    x64_label_init(&t->loop_head);
    x64_label_init(&t->loop_exit);
    t->block_pc = pc;
    /* Interrupts and requests: one compare at entry. (Also the 13 bytes that
     * retiring the block overwrites with a jmp to entry_exit.) */
    x64_cmp_mi(e, W32, HF(events), 0);
    x64_jcc_l32(e, X64_CC_NE, &t->entry_exit);

    if (t->loop) {
        for (unsigned g = 1; g < 32; g++)
            if (t->r[g].host >= 0) {
                x64_mov_rm(e, W64, t->r[g].host, xreg(g));
                t->r[g].loaded = t->r[g].dirty = true;
            }
        x64_mov_ri(e, W32, LOOP_COUNT, 0);
        fp_loop_enter(t, ins, n);
        x64_bind(e, &t->loop_head);
        x64_cmp_mi(e, W32, HF(events), 0);
        x64_jcc_l32(e, X64_CC_NE, &t->loop_exit);
    }

    uint64_t ipc = pc;
    bool open = true;
    for (unsigned i = 0; i < n && open; i++) {
        t->pc = ipc;
        t->in = &ins[i];
        unsigned before = t->nslow;
        open = tr_insn(t);
        for (unsigned k = before; k < t->nslow; k++)
            t->slow[k].next_pc = ipc + ins[i].len;
        ipc += ins[i].len;
    }
    if (open) {
        /* Block cut at the length limit or the page end. */
        fp_end_block(t);
        end_block(t);
        exit_direct(t, -1, ipc);
    }

    /* Out of line: the entry exit, slow paths, exit stubs. */
    if (t->loop) {
        /* Every cached register is loaded and counted dirty at the head. */
        x64_bind(e, &t->loop_exit);
        fp_loop_exit(t);
        for (unsigned g = 1; g < 32; g++)
            if (t->r[g].host >= 0)
                x64_mov_mr(e, W64, xreg(g), t->r[g].host);
        x64_add_mr(e, W64, HF(instret), LOOP_COUNT);
    }
    x64_bind(e, &t->entry_exit);
    out->entry_exit = x64_here(e);
    out->guest_bytes = off;
    store_pc(t, pc);
    x64_jmp_to(e, env->exit0);
    t->in = NULL;
    for (unsigned k = 0; k < t->nslow; k++)
        emit_slow(t, &t->slow[k]);
    fp_emit_stubs(t);
    emit_exit_stubs(t);
    return n;
}
