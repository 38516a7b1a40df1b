/*
 * diff.c - differential tester: random RV64GC instruction streams run on the
 * interpreter (the reference) and on the translator in lockstep, with the
 * whole architectural state and the written memory compared after every
 * dispatch of the translator (one block, or a chain of blocks).
 *
 *   diff [-n STREAMS] [-f FIRST] [-l ITEMS] [-s SEED] [-b|-B] [-v] [-t]
 *
 * -f starts at stream FIRST (each stream depends only on the seed and its
 * index), -b mixes in long loop bodies (-B: fewer, in another mix), -v
 * prints a line per stream, -t every dispatch.
 *
 * Each stream is generated into guest RAM with a small M-mode trap handler
 * that skips the trapping instruction (and clears the software interrupt),
 * and runs in one of these setups, picked at random per stream:
 *   - M-mode, bare addressing, interrupts on (the stream raises mip.SSIP)
 *   - U-mode under Sv39: a read-only and an unmapped data page give precise
 *     page faults, A/D bits are set by the walker
 *   - S-mode under Sv39, with two address spaces (root tables) that differ
 *     in an alias window of three virtual pages, each mapped to one of four
 *     physical pool pages of code snippets (auipc in them records the
 *     virtual pc): the stream calls into the window, rewrites alias PTEs
 *     of either root (then sfence.vma, global or of the page), switches
 *     satp; a snippet at the end of a window page runs on into the next
 *     one, whose mapping changes under it, mostly through a 4-byte
 *     instruction across the page end (its upper half is the next page's
 *     first instruction). The same physical code under several virtual
 *     pcs, and one virtual pc over several physical pages.
 *   - any of these, with the data pointer s1 aimed at the code itself (in
 *     S-mode: at a pool page, through its second, writable mapping): stores
 *     that rewrite instructions about to run (self-modifying code)
 * with a random tiering threshold (0: translate at once) and chaining on or
 * off (off: every block returns to the dispatcher and is compared).
 * Instruction classes: integer ALU and M, loads and stores (aligned,
 * misaligned, faulting), forward branches, jal, jalr, counted loops,
 * with -b long loop bodies in one block over most registers (the
 * translator's register allocation in loop blocks), compressed (random 16-bit encodings and compressed branches), A (lr/sc and
 * every amo), F and D with every rounding mode (and the reserved ones), CSR
 * access (fcsr, scratch, counters, mip, illegal numbers), ecall, ebreak,
 * fence, fence.i, sfence.vma, wfi, random words (mostly illegal). Every
 * fourth stream is FP-heavy: runs of F/D arithmetic (the translator's native
 * paths), NaN-boxing violations, and mstatus.FS switched Off and back.
 * Interrupts are also injected (mip.SSIP on both harts) between dispatches.
 *
 * Exit status 0 when every stream matched; on the first divergence it prints
 * the seed, the stream's setup, both states and the first memory difference.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rvvm/bus.h"
#include "rvvm/hart.h"
#include "vmm/hart/mmu.h"
#include "vmm/hart/trap.h"
#include "vmm/interp/decode.h"
#include "vmm/interp/interp.h"
#include "vmm/jit/jit.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)
#define HANDLER RAM_BASE
#define CODE (RAM_BASE + 0x1000)
#define CODE_MAX 0xe000u
#define DATA (RAM_BASE + 0x10000)
#define PT (RAM_BASE + 0x20000)   /* root A: l2, l1, l0 */
#define PT_B (RAM_BASE + 0x23000) /* root B (S-mode streams) */
#define POOL (RAM_BASE + 0x40000) /* 4 pages of snippets, mapped in the alias window */
#define POOL_PAGES 4
#define ALIAS (RAM_BASE + 0x80000) /* virtual: 3 pages, no identity mapping */
#define ALIAS_PAGES 3
#define S0_VALUE (DATA + 2048)
#define INSTRET_CAP 200000u

/* Registers the stream keeps for itself. */
enum { SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9, T5 = 30, T6 = 31 };

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }
static bool chance(unsigned percent) { return rn(100) < percent; }

/* ---- encoders ---- */

static uint32_t enc_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
static uint32_t enc_i(int imm, unsigned rs1, unsigned f3, unsigned rd, unsigned op)
{
    return (uint32_t)(imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
static uint32_t enc_s(int imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned op)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | op;
}
static uint32_t enc_b(int off, unsigned rs2, unsigned rs1, unsigned f3)
{
    uint32_t u = (uint32_t)off;
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}
static uint32_t enc_j(int off, unsigned rd)
{
    uint32_t u = (uint32_t)off;
    return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
           ((u >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}
static uint32_t enc_u(uint32_t imm20, unsigned rd, unsigned op)
{
    return imm20 << 12 | rd << 7 | op;
}
/* c.j off */
static uint32_t enc_cj(int off)
{
    uint32_t u = (uint32_t)off;
    uint32_t b = ((u >> 11) & 1) << 12 | ((u >> 4) & 1) << 11 | ((u >> 8) & 3) << 9 |
                 ((u >> 10) & 1) << 8 | ((u >> 6) & 1) << 7 | ((u >> 7) & 1) << 6 |
                 ((u >> 1) & 7) << 3 | ((u >> 5) & 1) << 2;
    return 0xa001 | b;
}
/* c.beqz / c.bnez rs1', off */
static uint32_t enc_cb(bool nez, unsigned rs1, int off)
{
    uint32_t u = (uint32_t)off;
    uint32_t b = ((u >> 8) & 1) << 12 | ((u >> 3) & 3) << 10 | (rs1 - 8) << 7 |
                 ((u >> 6) & 3) << 5 | ((u >> 1) & 3) << 3 | ((u >> 5) & 1) << 2;
    return (nez ? 0xe001u : 0xc001u) | b;
}

/* ---- the stream ---- */

enum item_kind { IT_WORD, IT_BRANCH, IT_JAL, IT_JALR, IT_CJ, IT_CB };

struct item {
    uint32_t word;   /* IT_WORD: the encoding; others: the fields, patched */
    uint8_t len;
    uint8_t kind;
    uint8_t rd, rs1, rs2, f3;
    int target;      /* item index */
    bool local;      /* the target is where it must be (not moved out of a loop) */
    uint64_t addr;
};

#define MAX_ITEMS 8192
static struct item items[MAX_ITEMS];
/* For items inside a counted loop (after its `li t0`): the index just past
 * the loop. Forward jumps must not enter a loop, or t0 is not the count. */
static int loop_end[MAX_ITEMS];
static unsigned nitems;
static bool umode, smode; /* the setup of the current stream */
/* -b: half the counted loops have long bodies (gen_big_loop); -B: the
 * last 4% of items do, the other loops stay (an earlier mix, which also
 * found the handler overwritten by a stray store: see catch_up). */
static int big_loops;

static struct item *add(uint32_t word, unsigned len)
{
    loop_end[nitems] = -1;
    struct item *it = &items[nitems++];
    memset(it, 0, sizeof(*it));
    it->word = word;
    it->len = (uint8_t)len;
    it->kind = IT_WORD;
    return it;
}
static void w32(uint32_t w) { add(w, 4); }

static bool reserved(unsigned r)
{
    return r == SP || r == T0 || r == T2 || r == S0 || r == S1 || r == T5 || r == T6;
}
static unsigned rd_any(void)
{
    for (;;) {
        unsigned r = rn(32);
        if (!reserved(r))
            return r;
    }
}
static unsigned rs_any(void) { return rn(32); }

/* A target a few items ahead (the final self-loop at the latest). */
static int fwd(unsigned max_skip, int limit)
{
    int t = (int)nitems + 1 + (int)rn(max_skip);
    return t > limit ? limit : t;
}

static void gen_alu(void)
{
    static const unsigned rr[][2] = {
        {0x00, 0}, {0x20, 0}, {0x00, 1}, {0x00, 2}, {0x00, 3}, {0x00, 4}, {0x00, 5},
        {0x20, 5}, {0x00, 6}, {0x00, 7}, {0x01, 0}, {0x01, 1}, {0x01, 2}, {0x01, 3},
        {0x01, 4}, {0x01, 5}, {0x01, 6}, {0x01, 7}};
    static const unsigned rrw[][2] = {{0x00, 0}, {0x20, 0}, {0x00, 1}, {0x00, 5}, {0x20, 5},
                                      {0x01, 0}, {0x01, 4}, {0x01, 5}, {0x01, 6}, {0x01, 7}};
    unsigned rd = rd_any(), a = rs_any(), b = rs_any();
    switch (rn(7)) {
    case 0: {
        unsigned k = rn(sizeof(rr) / sizeof(rr[0]));
        w32(enc_r(rr[k][0], b, a, rr[k][1], rd, 0x33));
        break;
    }
    case 1: {
        unsigned k = rn(sizeof(rrw) / sizeof(rrw[0]));
        w32(enc_r(rrw[k][0], b, a, rrw[k][1], rd, 0x3b));
        break;
    }
    case 2: { /* addi slti sltiu xori ori andi */
        static const unsigned f3[] = {0, 2, 3, 4, 6, 7};
        int imm = chance(30) ? (int)rn(5) - 2 : (int)rn(4096) - 2048;
        w32(enc_i(imm, a, f3[rn(6)], rd, 0x13));
        break;
    }
    case 3: { /* slli srli srai (and a few invalid shamts), addiw, w shifts */
        unsigned sh = rn(64);
        switch (rn(5)) {
        case 0: w32(enc_i((int)sh, a, 1, rd, 0x13)); break;
        case 1: w32(enc_i((int)sh, a, 5, rd, 0x13)); break;
        case 2: w32(enc_i((int)(0x400 | sh), a, 5, rd, 0x13)); break;
        case 3: w32(enc_i((int)rn(4096) - 2048, a, 0, rd, 0x1b)); break;
        default: {
            unsigned f3 = rn(2) ? 1 : 5;
            unsigned hi = f3 == 5 && rn(2) ? 0x400 : 0;
            if (!chance(5))
                sh &= 31;
            w32(enc_i((int)(hi | sh), a, f3, rd, 0x1b));
        }
        }
        break;
    }
    case 4: /* lui, auipc */
        w32(enc_u((uint32_t)rnd() & 0xfffff, rd, rn(2) ? 0x37 : 0x17));
        break;
    case 5: { /* a W result with one reader, then overwritten (or not):
               * the translator may leave its high half unextended when the
               * reader sees only the low half (W ops, shift amounts) */
        static const uint32_t wop[] = {0x0000003b, 0x4000003b, 0x0200003b, 0x0000103b};
        static const uint32_t reader[] = {0x0000003b, 0x4000503b, 0x0000103b, 0x00001033,
                                          0x00005033, 0x40005033, 0x00000033, 0x00002033};
        while (!rd)
            rd = rd_any();
        unsigned y = rd_any(), c = rs_any();
        if (rn(3))
            w32(wop[rn(4)] | b << 20 | a << 15 | rd << 7); /* addw subw mulw sllw */
        else
            w32(enc_i((int)rn(4096) - 2048, a, 0, rd, 0x1b)); /* addiw */
        bool amount = rn(2); /* the W result as rs2 (a shift amount) or rs1 */
        w32(reader[rn(8)] | (amount ? rd : c) << 20 | (amount ? c : rd) << 15 | y << 7);
        if (rn(4))
            w32(enc_i((int)rn(64), 0, 0, rd, 0x13)); /* li rd, n */
        break;
    }
    default: /* interesting operands: divide by zero, MIN / -1 */
        w32(enc_i(rn(2) ? -1 : 0, 0, 0, rd, 0x13));
        w32(enc_r(0x01, rd, a, 4 + rn(4), rd_any(), rn(2) ? 0x33 : 0x3b));
        break;
    }
}

static void gen_mem(void)
{
    unsigned size = rn(4); /* log2 */
    unsigned base, rd = rd_any();
    int off;
    unsigned r = rn(100);
    if (r < 55) {
        base = S0;
        off = (int)rn(4096) - 2048;
        if (chance(70))
            off &= ~((1 << size) - 1); /* mostly aligned */
    } else if (r < 85) {
        base = S1;
        off = (int)rn(4096) - 2048;
        if (chance(70))
            off &= ~((1 << size) - 1);
    } else if (r < 95) {
        base = SP;
        off = (int)rn(512);
    } else {
        base = rs_any(); /* usually an access fault */
        off = (int)rn(4096) - 2048;
    }
    if (rn(2)) {
        unsigned f3 = size | (size < 3 && rn(2) ? 4 : 0);
        w32(enc_i(off, base, f3, rd, 0x03));
    } else {
        w32(enc_s(off, rs_any(), base, size, 0x23));
    }
}

/* One load (or store) of 2^size bytes at off(base). */
static void emit_access(bool store, unsigned size, unsigned base, int off)
{
    if (size >= 2 && chance(25)) {
        /* flw/fld, fsw/fsd */
        if (store)
            w32(enc_s(off, rn(32), base, size, 0x27));
        else
            w32(enc_i(off, base, size, rn(32), 0x07));
        return;
    }
    if (store) {
        w32(enc_s(off, rs_any(), base, size, 0x23));
    } else {
        unsigned f3 = size | (size < 3 && rn(2) ? 4 : 0);
        w32(enc_i(off, base, f3, rd_any(), 0x03));
    }
}

/* A plain jump over more code than the translator joins across
 * (JAL_JOIN_REACH, 512 bytes): it follows the jump instead, so the code
 * after it in the block is the target's (a page group may go on there).
 * The code jumped over is ALU work, in case a branch lands in it. */
static void gen_hop(void)
{
    if (nitems + 256 > MAX_ITEMS)
        return;
    struct item *j = add(0, 4);
    j->kind = IT_JAL;
    j->rd = 0;
    j->local = true;
    for (unsigned k = 0, n = 130 + rn(16); k < n; k++)
        w32(enc_i((int)rn(4096) - 2048, rs_any(), 0, rd_any(), 0x13));
    j->target = (int)nitems;
}

/* Several loads or several stores through one base register, close
 * together: what the translator turns into a page group (one probe for
 * the range, the rest through the host address it keeps). Sometimes across
 * the end of a page (s1's pages), misaligned, with the base moved and moved
 * back midway, with a load that overwrites its own base first, with loads
 * among the stores or stores among the loads, or with branches over
 * members (after another base's access), or with a jump the translator
 * follows between members (gen_hop). */
static void gen_burst(void)
{
    bool store = rn(2);
    unsigned n = 2 + rn(6);
    if (chance(15)) {
        /* t1 = a window address; lbu t1, o(t1); the next access goes
         * through the byte just loaded (an access fault) */
        w32(enc_i((int)rn(2048) - 1024, S0, 0, T1, 0x13));
        w32(enc_i((int)rn(64), T1, 4, T1, 0x03));
        emit_access(store, rn(4), T1, (int)rn(64));
        return;
    }
    unsigned base = rn(3) == 0 ? SP : rn(2) ? S0 : S1;
    int centre = base == SP ? 32 + (int)rn(400) : (int)rn(3968) - 1984;
    if (base == S1 && chance(50))
        centre = (int)rn(64) - 32; /* around a page end */
    int moved = 0;
    for (unsigned k = 0; k < n; k++) {
        unsigned size = rn(4);
        int off = centre + (int)rn(64) - 32;
        if (chance(85))
            off &= ~((1 << size) - 1);
        if (k > 1 && chance(12)) {
            /* an access through another base, then a branch over this
             * member: the next one joins the paths again */
            emit_access(rn(2), rn(4), base == S0 ? S1 : S0, (int)rn(256) - 128);
            w32(enc_b(8, rs_any(), rs_any(), rn(2)));
        }
        /* (loads among stores: a store's group takes them; stores after
         * a load that leads: its group then probes for writing, which
         * fails on the read-only page) */
        emit_access(k == 0 ? store : store != chance(25), size, base, off - moved);
        if (k + 1 < n && chance(2))
            gen_hop();
        if (!moved && chance(8)) {
            moved = 8 * (int)rn(4) + 1; /* addi base, base, moved */
            w32(enc_i(moved, base, 0, base, 0x13));
        } else if (chance(10)) {
            gen_alu();
        }
    }
    if (moved)
        w32(enc_i(-moved, base, 0, base, 0x13));
}

/* What the translator's value numbers see through (translate.c): an
 * address recomputed from registers that did not change (it skips the
 * second computation), one written differently on two paths that join (it
 * must not), and accesses through a copy or an offset of a base mixed with
 * accesses through the base (one page group). t1 is the scratch. */
static void gen_vn(void)
{
    unsigned base = rn(3) == 0 ? SP : rn(2) ? S0 : S1;
    int centre = base == SP ? 32 + (int)rn(400) : (int)rn(3968) - 1984;
    switch (rn(4)) {
    case 0: { /* t1 = base + d, accesses through both, t1 moved midway */
        int d = (int)rn(129) - 64;
        w32(enc_i(d, base, 0, T1, 0x13));
        for (unsigned k = 0, n = 2 + rn(5); k < n; k++) {
            unsigned size = rn(4);
            int off = (centre + (int)rn(64) - 32) & ~((1 << size) - 1);
            bool via_t1 = rn(2);
            emit_access(rn(2), size, via_t1 ? T1 : base, via_t1 ? off - d : off);
            if (chance(15)) {
                int e = (int)rn(33) - 16;
                w32(enc_i(e, T1, 0, T1, 0x13));
                d += e;
            }
        }
        break;
    }
    case 1: { /* t1 = base + (x & 0x3f8), twice (the second commuted, or
               * after x or t1 changed), an access through t1 after each */
        unsigned x = rd_any(), y = rs_any();
        w32(enc_i(0x3f8, y, 7, x, 0x13)); /* andi x, y, 0x3f8 */
        w32(enc_r(0, x, base, 0, T1, 0x33));
        emit_access(rn(2), rn(4), T1, (int)rn(64) - 32);
        if (chance(30))
            gen_alu();
        if (chance(20))
            w32(enc_i((int)rn(16) * 8, x, 0, x, 0x13));
        if (chance(20))
            w32(enc_i(8, T1, 0, T1, 0x13));
        w32(rn(2) ? enc_r(0, base, x, 0, T1, 0x33) : enc_r(0, x, base, 0, T1, 0x33));
        emit_access(rn(2), rn(4), T1, (int)rn(64) - 32);
        break;
    }
    case 2: { /* t1 = base + b on some paths to a join only, then t1 =
               * base + b again there: the value is not the same on all */
        int a = (int)rn(4) * 8, b = (int)rn(4) * 8;
        unsigned bcc = rn(2); /* beq or bne */
        switch (rn(3)) {
        case 0: /* a branch over the first t1 = base + b */
            w32(enc_i(a, base, 0, T1, 0x13));
            w32(enc_b(8, rs_any(), rs_any(), bcc));
            w32(enc_i(b, base, 0, T1, 0x13));
            break;
        case 1: /* two branches to the join, the second with t1 = base + a */
            w32(enc_i(b, base, 0, T1, 0x13));
            w32(enc_b(16, rs_any(), rs_any(), bcc));
            w32(enc_i(a, base, 0, T1, 0x13));
            w32(enc_b(8, rs_any(), rs_any(), bcc));
            w32(enc_i(b, base, 0, T1, 0x13));
            break;
        default: { /* the second t1 = base + b only reached by a branch,
                    * the straight line jumps over it (a jal with a link
                    * register: the translator follows a plain j instead) */
            unsigned link = 0;
            while (!link)
                link = rd_any();
            w32(enc_i(a, base, 0, T1, 0x13));
            w32(enc_b(12, rs_any(), rs_any(), bcc));
            w32(enc_i(b, base, 0, T1, 0x13));
            w32(enc_j(8, link));
            break;
        }
        }
        w32(enc_i(b, base, 0, T1, 0x13));
        emit_access(rn(2), rn(4), T1, centre);
        break;
    }
    default: { /* sub: x - x is 0, base - x twice; li t1, 0 after t1 = x - x */
        unsigned x = rs_any();
        w32(enc_r(0x20, x, x, 0, T1, 0x33));
        if (chance(50))
            w32(enc_i(rn(2) ? 0 : 1, 0, 0, T1, 0x13)); /* li t1, 0 (or 1) */
        w32(enc_r(0x20, x, base, 0, T1, 0x33));
        if (chance(30))
            gen_alu();
        w32(enc_r(0x20, x, base, 0, T1, 0x33));
        w32(enc_r(0, T1, x, 0, T1, 0x33)); /* t1 = x + (base - x) = base */
        emit_access(rn(2), rn(4), T1, centre);
        break;
    }
    }
}

/* A little-endian word read a byte at a time, as RV64GC compilers emit
 * unaligned reads (the translator does such a stretch as one load: "Byte
 * gathers" in translate.c): lbu of 2, 4 or 8 bytes into distinct
 * registers, each shifted to its place and ORed (or added) onto the bytes
 * before it, loads and combining steps interleaved at random. Through
 * s0, s1 (sometimes across a page end: into the read-only or unmapped
 * page) or sp. Sometimes not quite one: a byte loaded twice or through
 * another base, an ALU instruction in the middle; the shifts sometimes go
 * through a scratch register; and sometimes a partial result is read
 * afterwards (the translator must give it). */
static void gen_gather(void)
{
    unsigned n = 2u << rn(3);
    unsigned base = rn(3) == 0 ? SP : rn(2) ? S0 : S1;
    int off = base == SP ? (int)rn(400) : (int)rn(3968) - 1984;
    if (base == S1 && chance(50))
        off = (int)rn(16) - 12; /* around a page end */
    unsigned r[8];
    for (unsigned k = 0; k < n; k++) {
        bool again;
        do {
            r[k] = rd_any();
            again = r[k] == base;
            for (unsigned m = 0; m < k; m++)
                again |= r[m] == r[k];
        } while (again);
    }
    unsigned order[8];
    for (unsigned k = 0; k < n; k++)
        order[k] = k;
    for (unsigned k = n; k > 1; k--) {
        unsigned m = rn(k), x = order[k - 1];
        order[k - 1] = order[m];
        order[m] = x;
    }
    int twice = chance(8) ? (int)rn(n) : -1; /* byte loaded with the wrong offset */
    int other = chance(8) ? (int)rn(n) : -1; /* byte loaded through another base */
    bool alu = chance(8), add = chance(30);
    /* shifts into a scratch register (left holding the last byte shifted:
     * not a prefix of the word, so only right while dead) */
    unsigned tmp = 0;
    if (chance(30)) {
        bool again;
        do {
            tmp = rd_any();
            again = tmp == base;
            for (unsigned m = 0; m < n; m++)
                again |= r[m] == tmp;
        } while (again);
    }
    /* items: load k (order[]), combine k = 1..n-1 after load k and combine k-1 */
    bool loaded[8] = {false}, combined[8] = {false};
    unsigned nl = 0, nc = 1;
    combined[0] = true;
    while (nc < n) {
        bool can_combine = loaded[nc] && combined[nc - 1] && loaded[nc - 1];
        if (nl < n && (!can_combine || rn(2))) {
            unsigned k = order[nl++];
            int o = off + (int)k;
            if ((int)k == twice)
                o = off + (int)((k + 1) % n);
            w32(enc_i(o, (int)k == other ? (base == S0 ? S1 : S0) : base, 4, r[k], 0x03)); /* lbu */
            loaded[k] = true;
        } else if (can_combine) {
            unsigned k = nc++;
            unsigned sh = tmp ? tmp : r[k];
            w32(enc_i((int)(8 * k), r[k], 1, sh, 0x13)); /* slli sh, r[k], 8k */
            w32(enc_r(0, r[k - 1], sh, add ? 0 : 6, r[k], 0x33)); /* or/add r[k], sh, r[k-1] */
            combined[k] = true;
        }
        if (alu && rn(n) == 0) {
            gen_alu();
            alu = false;
        }
    }
    if (chance(40))
        w32(enc_r(0, r[rn(n)], r[n - 1], 0, T1, 0x33)); /* add t1, result, a partial */
}

static void gen_amo(void)
{
    static const unsigned f5[] = {0x02, 0x03, 0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c};
    unsigned base = S0;
    if (chance(50)) {
        /* t1 = a nearby, maybe misaligned, address */
        int off = ((int)rn(256) - 128) & (chance(85) ? ~7 : ~0);
        w32(enc_i(off, rn(4) ? S0 : S1, 0, T1, 0x13));
        base = T1;
    }
    unsigned op = f5[rn(sizeof(f5) / sizeof(f5[0]))];
    unsigned rs2 = op == 0x02 ? 0 : rs_any();
    w32(enc_r(op << 2 | rn(4), rs2, base, rn(2) ? 2 : 3, rd_any(), 0x2f));
}

/* FP-heavy streams (every fourth): more F and D, runs of arithmetic, and
 * sstatus.FS switched off and on. */
static bool fp_heavy;
/* The stream has a long loop: the ticker fires often, to interrupt it. */
static atomic_bool fast_tick;

/* 2..8 instructions of one format on f0..f7, mostly in RNE (static or
 * dynamic) or RTZ: the runs the translator keeps on the host FPU, with
 * their exception flags accrued together: arithmetic, and the conversions,
 * compares and fmin/fmax it also does there (out-of-range and NaN
 * conversions included: the seeds are chosen for that). */
static void gen_fp_run(void)
{
    static const unsigned rms[] = {0, 0, 0, 7, 7, 7, 1, 1, 2, 3, 4};
    unsigned d = rn(2), n = 2 + rn(7);
    if (chance(30))
        w32(enc_i(0x001, 0, 1, 0, 0x73)); /* csrw fflags, zero: new flags show */
    for (unsigned i = 0; i < n; i++) {
        unsigned rm = rms[rn(sizeof(rms) / sizeof(rms[0]))];
        unsigned fd = rn(8), f1 = rn(8), f2 = rn(8), f3r = rn(8);
        switch (rn(14)) {
        case 0: case 1: /* fmadd fmsub fnmsub fnmadd */
            w32(f3r << 27 | d << 25 | f2 << 20 | f1 << 15 | rm << 12 | fd << 7 | (0x43 + 4 * rn(4)));
            break;
        case 2: /* fsqrt */
            w32(enc_r(0x2c | d, 0, f1, rm, fd, 0x53));
            break;
        case 3: /* fcvt.{w,wu,l,lu}.{s,d} */
            w32(enc_r(0x60 | d, rn(4), f1, rm, rd_any(), 0x53));
            break;
        case 4: /* fcvt.{s,d}.{w,wu,l,lu} */
            w32(enc_r(0x68 | d, rn(4), rs_any(), rm, fd, 0x53));
            break;
        case 5: /* feq flt fle; fclass */
            if (rn(4))
                w32(enc_r(0x50 | d, f2, f1, rn(3), rd_any(), 0x53));
            else
                w32(enc_r(0x70 | d, 0, f1, 1, rd_any(), 0x53));
            break;
        case 6: /* fmin fmax; fsgnj* (now and then fmv, fneg, fabs: rs1 = rs2) */
            if (rn(2))
                w32(enc_r(0x14 | d, f2, f1, rn(2), fd, 0x53));
            else
                w32(enc_r(0x10 | d, chance(25) ? f1 : f2, f1, rn(3), fd, 0x53));
            break;
        case 7: /* fcvt.s.d / fcvt.d.s */
            w32(enc_r(d ? 0x21 : 0x20, d ? 0 : 1, f1, rm, fd, 0x53));
            break;
        case 8: /* fd = +0 (fmv from x0), or -0 (then fsgnjn fd, fd, fd) */
            w32(enc_r(0x78 | d, 0, 0, 0, fd, 0x53));
            if (rn(2))
                w32(enc_r(0x10 | d, fd, fd, 1, fd, 0x53));
            break;
        case 9: { /* flw/fld/fsw/fsd on f0..f7 (first ones: TLB misses) */
            int off = ((int)rn(4096) - 2048) & ~7;
            if (rn(2))
                w32(enc_i(off, S0, 2 + d, fd, 0x07));
            else
                w32(enc_s(off, f2, S0, 2 + d, 0x27));
            break;
        }
        case 10: /* something that calls out of the block and goes on */
            if (rn(2))
                gen_amo();
            else
                w32(enc_r(0x78 | d, 0, rs_any(), 0, fd, 0x53)); /* fmv.{w,d}.x */
            break;
        default: /* fadd fsub fmul fdiv */
            w32(enc_r(rn(4) << 2 | d, f2, f1, rm, fd, 0x53));
            break;
        }
    }
}

/* The end of a counted loop from `start`: addi t0, t0, -1; bne t0, x0, start. */
static void close_loop(int start)
{
    w32(enc_i(-1, T0, 0, T0, 0x13)); /* addi t0, t0, -1 */
    struct item *it = add(0, 4);
    it->kind = IT_BRANCH;
    it->f3 = 1; /* bne t0, x0, start */
    it->rs1 = T0;
    it->rs2 = 0;
    it->target = start;
    for (unsigned i = (unsigned)start; i < nitems; i++)
        loop_end[i] = (int)nitems;
}

/* sstatus.FS = Off (FP instructions trap from here), or Initial, Clean, Dirty. */
static void gen_fs_switch(void)
{
    unsigned rd = rd_any(), v = rn(4);
    w32(enc_u(6, rd, 0x37));           /* lui rd, 6: the FS field */
    w32(enc_i(0x100, rd, 3, 0, 0x73)); /* csrc sstatus, rd */
    if (v) {
        w32(enc_u(2 * v, rd, 0x37));
        w32(enc_i(0x100, rd, 2, 0, 0x73)); /* csrs sstatus, rd */
    }
}

static void gen_fp(void)
{
    if (fp_heavy) {
        unsigned k = rn(10);
        if (k < 4) {
            gen_fp_run();
            return;
        }
        if (k == 4) {
            gen_fs_switch();
            return;
        }
    }
    static const unsigned rms[] = {0, 1, 2, 3, 4, 7, 7, 7, 0, 5, 6};
    unsigned rm = rms[rn(sizeof(rms) / sizeof(rms[0]))];
    unsigned d = rn(2); /* fmt: 0 single, 1 double */
    unsigned fd = rn(32), f1 = rn(32), f2 = rn(32), f3r = rn(32);
    switch (rn(12)) {
    case 0: case 1: case 2: /* fadd fsub fmul fdiv */
        w32(enc_r(rn(4) << 2 | d, f2, f1, rm, fd, 0x53));
        break;
    case 3: /* fsqrt */
        w32(enc_r(0x2c | d, 0, f1, rm, fd, 0x53));
        break;
    case 4: /* fsgnj* fmin fmax */
        if (rn(2))
            w32(enc_r(0x10 | d, f2, f1, rn(3), fd, 0x53));
        else
            w32(enc_r(0x14 | d, f2, f1, rn(2), fd, 0x53));
        break;
    case 5: /* fcvt.{w,wu,l,lu}.{s,d} */
        w32(enc_r(0x60 | d, rn(4), f1, rm, rd_any(), 0x53));
        break;
    case 6: /* fcvt.{s,d}.{w,wu,l,lu} */
        w32(enc_r(0x68 | d, rn(4), rs_any(), rm, fd, 0x53));
        break;
    case 7: /* feq flt fle; fclass; fmv.x */
        if (rn(2))
            w32(enc_r(0x50 | d, f2, f1, rn(3), rd_any(), 0x53));
        else
            w32(enc_r(0x70 | d, 0, f1, rn(2), rd_any(), 0x53));
        break;
    case 8: /* fmv.{w,d}.x; fcvt.s.d / fcvt.d.s */
        if (rn(2))
            w32(enc_r(0x78 | d, 0, rs_any(), 0, fd, 0x53));
        else
            w32(enc_r(d ? 0x21 : 0x20, d ? 0 : 1, f1, rm, fd, 0x53));
        break;
    case 9: /* fmadd fmsub fnmsub fnmadd */
        w32(f3r << 27 | d << 25 | f2 << 20 | f1 << 15 | rm << 12 | fd << 7 | (0x43 + 4 * rn(4)));
        break;
    case 10: { /* flw fld fsw fsd */
        int off = ((int)rn(4096) - 2048) & (chance(80) ? ~7 : ~0);
        unsigned base = rn(4) ? S0 : S1;
        if (rn(2))
            w32(enc_i(off, base, 2 + d, fd, 0x07));
        else
            w32(enc_s(off, f2, base, 2 + d, 0x27));
        break;
    }
    default: /* frm / fflags / fcsr */
        gen_alu();
        w32(enc_i(rn(4) ? 0x002 : (int)(1 + rn(3)), rs_any(), 1 + rn(3), rd_any(), 0x73));
        break;
    }
}

static void gen_csr(void)
{
    static const unsigned csrs[] = {0x001, 0x002, 0x003, 0x340, 0x140, 0xb00, 0xb02, 0xc00, 0xc02,
                                    0x344, 0x344, 0xf14, 0x301, 0x341, 0x342, 0x343, 0x3a0, 0x7c0};
    unsigned csr = csrs[rn(sizeof(csrs) / sizeof(csrs[0]))];
    unsigned f3 = 1 + rn(3) + (rn(2) ? 4 : 0);
    unsigned src = rs_any();
    if (csr == 0x344) {
        /* mip: raise or clear the software interrupt only (setting STIP or
         * SEIP is fine too, they are not enabled) */
        f3 = rn(2) ? 6 : 7;
        src = 2;
    }
    w32(enc_i((int)csr, src, f3, rd_any(), 0x73));
}

static void gen_system(void)
{
    switch (rn(8)) {
    case 0: w32(0x00000073); break;                  /* ecall */
    case 1: w32(0x00100073); break;                  /* ebreak */
    case 2: w32(0x0ff0000f); break;                  /* fence */
    case 3: w32(0x0000100f); break;                  /* fence.i */
    case 4: w32(enc_r(0x09, 0, rn(2) ? rs_any() : 0, 0, 0, 0x73)); break; /* sfence.vma */
    case 5:
        if (umode)
            w32(0x10500073); /* wfi: illegal in U-mode; would sleep in M-mode */
        else
            w32(0x0000100f);
        break;
    case 6: w32(umode ? 0x30200073 : 0x00000073); break; /* mret: illegal in U */
    default: w32((uint32_t)rnd() | 3); break;           /* a random 32-bit word */
    }
}

static void gen_compressed(void)
{
    for (int tries = 0; tries < 20; tries++) {
        uint32_t raw = (uint32_t)rnd() & 0xffff;
        if ((raw & 3) == 3)
            continue;
        struct insn in;
        decode(raw, &in);
        switch (in.op) {
        case OP_JAL: case OP_JALR: case OP_BEQ: case OP_BNE: case OP_BLT: case OP_BGE:
        case OP_BLTU: case OP_BGEU:
            continue;
        case OP_ILLEGAL:
            if (!chance(5))
                continue;
            break;
        default:
            break;
        }
        if (reserved(in.rd) && in.op != OP_SD && in.op != OP_SW && in.op != OP_FSD &&
            in.op != OP_FSW && in.op != OP_ILLEGAL && in.op != OP_EBREAK)
            continue;
        add(raw, 2);
        return;
    }
}

static void gen_branch(int limit)
{
    struct item *it;
    switch (rn(6)) {
    case 0: case 1: case 2: {
        static const unsigned f3[] = {0, 1, 4, 5, 6, 7};
        it = add(0, 4);
        it->kind = IT_BRANCH;
        it->f3 = (uint8_t)f3[rn(6)];
        it->rs1 = (uint8_t)rs_any();
        it->rs2 = (uint8_t)(rn(4) ? rs_any() : 0);
        it->target = fwd(8, limit);
        break;
    }
    case 3:
        it = add(0, 4);
        it->kind = IT_JAL;
        it->rd = (uint8_t)rd_any();
        it->target = fwd(8, limit);
        break;
    case 4:
        /* auipc t2, 0; jalr rd, off(t2) */
        w32(enc_u(0, T2, 0x17));
        it = add(0, 4);
        it->kind = IT_JALR;
        it->rd = (uint8_t)(rn(4) ? rd_any() : T2);
        it->target = fwd(8, limit);
        loop_end[nitems - 1] = (int)nitems; /* never jump between auipc and jalr */
        break;
    default:
        it = add(0, 2);
        if (rn(2)) {
            it->kind = IT_CJ;
        } else {
            it->kind = IT_CB;
            it->rs1 = (uint8_t)(8 + rn(8));
            it->f3 = (uint8_t)rn(2);
        }
        it->target = fwd(6, limit);
        break;
    }
}

static void gen_one(int limit, bool in_loop);

static void gen_loop(int limit)
{
    (void)limit;
    /* FP-heavy streams: now and then a loop long enough for the ticker to
     * interrupt it at its head (the translator leaves it there with the
     * loop's FP flags still in MXCSR). */
    bool long_loop = fp_heavy && chance(6);
    if (fp_heavy)
        w32(enc_i(0x001, 0, 1, 0, 0x73)); /* csrw fflags, zero: new flags show */
    if (long_loop) {
        atomic_store(&fast_tick, true);
        w32(enc_u(2, T0, 0x37)); /* lui t0, 2: 8192 */
    } else {
        w32(enc_i(1 + (int)rn(6), 0, 0, T0, 0x13)); /* li t0, n */
    }
    int start = (int)nitems;
    unsigned body = 1 + rn(8);
    for (unsigned i = 0; i < body; i++)
        gen_one(-1, true);
    close_loop(start);
}

/* A counted loop whose body is one long block: integer ALU, loads and
 * stores over most registers (and a few instructions that run on helpers),
 * for the translator's register allocation in loop blocks (evictions,
 * values dead before an exit, the reconcile at the back edge). */
static void gen_big_loop(void)
{
    w32(enc_i(1 + (int)rn(4), 0, 0, T0, 0x13)); /* li t0, n */
    int start = (int)nitems;
    unsigned body = 20 + rn(60);
    for (unsigned i = 0; i < body; i++) {
        unsigned r = rn(100);
        if (r < 65) gen_alu();
        else if (r < 90) gen_mem();
        else if (r < 95) gen_amo();
        else gen_fp();
    }
    close_loop(start);
}

/* rd = S0_VALUE + d (lui, addi, add) */
static void li_s0(unsigned rd, int64_t d)
{
    int32_t lo = (int32_t)(((d & 0xfff) ^ 0x800) - 0x800);
    w32(enc_u((uint32_t)((d - lo) >> 12) & 0xfffff, rd, 0x37));
    w32(enc_i(lo, rd, 0, rd, 0x13));
    w32(enc_r(0, S0, rd, 0, rd, 0x33));
}

/* rd = v, for 0 <= v < 2^31 (lui, addi) */
static void li31(unsigned rd, uint32_t v)
{
    int32_t lo = (int32_t)(((v & 0xfff) ^ 0x800) - 0x800);
    w32(enc_u(((v - (uint32_t)lo) >> 12) & 0xfffff, rd, 0x37));
    w32(enc_i(lo, rd, 0, rd, 0x13));
}

enum { RA = 1, A0 = 10, A1 = 11, A3 = 13, A4 = 14 };
#define PTE_CODE 0xcfu /* V R W X A D */

static uint64_t l0_of(unsigned root) { return (root ? PT_B : PT) + 0x2000; }
static unsigned l0_index(uint64_t va) { return (unsigned)((va >> 12) & 0x1ff); }

/* jalr ra, 0(a1) with a1 = window page a + off */
static void emit_call(unsigned a, unsigned off)
{
    li_s0(A1, (int64_t)(ALIAS + 0x1000 * a + off - S0_VALUE));
    w32(enc_i(0, A1, 0, RA, 0x67));
}

/* Where to call into window page a: a snippet, or the run at the page end
 * (not in the last window page, whose next page is unmapped), now and then
 * at its last instruction (0xffe: a block of the straddling instruction
 * alone). */
static unsigned pick_off(unsigned a)
{
    if (rn(3) == 0)
        return 0x000;
    if (rn(2) && a + 1 < ALIAS_PAGES)
        return rn(5) ? 0xf00 : 0xffe;
    return 0x800;
}

/* Rewrite the PTE of window page a in root `root` to pool page r, then
 * sfence.vma (all, or that page). */
static void emit_remap(unsigned a, unsigned r, unsigned root)
{
    uint64_t pte_pa = l0_of(root) + 8 * l0_index(ALIAS + 0x1000 * a);
    li_s0(T1, (int64_t)(pte_pa - S0_VALUE));
    li31(A0, (uint32_t)((((POOL + 0x1000 * r) >> 12) << 10) | PTE_CODE));
    w32(enc_s(0, A0, T1, 3, 0x23)); /* sd a0, 0(t1) */
    /* t1 back at the data: a later amo or store through a stale t1 (a
     * forward jump past the instruction that sets it) would rewrite the
     * PTE without sfence.vma, after which whether a walk happens (and sets
     * the A bit) depends on what each engine's TLB still holds. */
    w32(enc_i(0, S0, 0, T1, 0x13)); /* mv t1, s0 */
    if (rn(2)) {
        w32(enc_r(0x09, 0, 0, 0, 0, 0x73)); /* sfence.vma */
    } else {
        li_s0(A1, (int64_t)(ALIAS + 0x1000 * a + rn(4096) - S0_VALUE));
        w32(enc_r(0x09, 0, A1, 0, 0, 0x73)); /* sfence.vma a1 */
    }
}

/* csrw satp, (8 << 60) | root >> 12 (and maybe sfence.vma) */
static void emit_satp(unsigned root)
{
    w32(enc_i(8, 0, 0, A3, 0x13));
    w32(enc_i(60, A3, 1, A3, 0x13));
    li31(A4, (uint32_t)((root ? PT_B : PT) >> 12));
    w32(enc_r(0, A4, A3, 6, A3, 0x33));
    w32(enc_i(0x180, A3, 1, 0, 0x73));
    if (rn(2))
        w32(enc_r(0x09, 0, 0, 0, 0, 0x73));
}

/* S-mode: call into the alias window, remap a window page, switch roots;
 * or call the same snippet twice around a change of the mapping (of its
 * page, or of the page its tail runs on into). */
static void gen_alias(void)
{
    unsigned first = nitems;
    unsigned a = rn(ALIAS_PAGES), off = pick_off(a);
    switch (rn(5)) {
    case 0: emit_call(a, off); break;
    case 1: emit_remap(a, rn(POOL_PAGES), rn(2)); break;
    case 2: emit_satp(rn(2)); break;
    default:
        emit_call(a, off);
        if (rn(3))
            emit_remap(off >= 0xf00 && rn(4) ? a + 1 : a, rn(POOL_PAGES), rn(2));
        else
            emit_satp(rn(2));
        emit_call(a, off);
        break;
    }
    /* Forward jumps land before or after the sequence, never inside. */
    for (unsigned i = first + 1; i < nitems; i++)
        loop_end[i] = (int)nitems;
}

/* limit < 0: inside a loop body (no control flow out of it, no nesting). */
static void gen_one(int limit, bool in_loop)
{
    if (fp_heavy && chance(40)) {
        gen_fp();
        return;
    }
    unsigned r = rn(100);
    if (r < 22) gen_alu();
    else if (r < 35) gen_mem();
    else if (r < 38) gen_burst();
    else if (r < 40) rn(2) ? gen_vn() : gen_gather();
    else if (r < 52) gen_fp();
    else if (r < 60) gen_compressed();
    else if (r < 66) gen_amo();
    else if (r < 72) gen_csr();
    else if (r < 76) gen_system();
    else if (in_loop) gen_alu();
    else if (smode && r < 90) gen_alias();
    else if (r < 92) gen_branch(limit);
    else if (big_loops == 1 && rn(2)) gen_big_loop();
    else if (big_loops == 2 && r >= 96) gen_big_loop();
    else gen_loop(limit);
}

static uint8_t image[RAM_SIZE];
static uint64_t end_pc;

static void put32(uint64_t pa, uint32_t v) { memcpy(&image[pa - RAM_BASE], &v, 4); }
static void put16(uint64_t pa, uint32_t v) { uint16_t h = (uint16_t)v; memcpy(&image[pa - RAM_BASE], &h, 2); }
static void put64(uint64_t pa, uint64_t v) { memcpy(&image[pa - RAM_BASE], &v, 8); }

static void layout(uint64_t base)
{
    uint64_t a = base;
    for (unsigned i = 0; i < nitems; i++) {
        items[i].addr = a;
        a += items[i].len;
    }
    for (unsigned i = 0; i < nitems; i++) {
        struct item *it = &items[i];
        int off = it->kind == IT_WORD ? 0 : (int)(items[it->target].addr - it->addr);
        uint32_t w = it->word;
        switch (it->kind) {
        case IT_BRANCH: w = enc_b(off, it->rs2, it->rs1, it->f3); break;
        case IT_JAL: w = enc_j(off, it->rd); break;
        case IT_JALR: w = enc_i(off + 4, T2, 0, it->rd, 0x67); break; /* auipc was 4 back */
        case IT_CJ: w = enc_cj(off); break;
        case IT_CB: w = enc_cb(it->f3, it->rs1, off); break;
        default: break;
        }
        if (it->len == 4)
            put32(it->addr, w);
        else
            put16(it->addr, w);
    }
}

static void build_handler(void)
{
    /* csrr t6, mcause; blt t6, x0, irq; csrr t6, mepc; lhu t5, 0(t6);
     * andi t5, t5, 3; addi t5, t5, -3; beq t5, x0, four; addi t6, t6, -2;
     * four: addi t6, t6, 4; csrw mepc, t6; mret;
     * irq: csrrci x0, mip, 2; mret */
    uint32_t h[] = {
        enc_i(0x342, 0, 2, T6, 0x73),
        enc_b(40, 0, T6, 4),
        enc_i(0x341, 0, 2, T6, 0x73),
        enc_i(0, T6, 5, T5, 0x03),
        enc_i(3, T5, 7, T5, 0x13),
        enc_i(-3, T5, 0, T5, 0x13),
        enc_b(8, 0, T5, 0),
        enc_i(-2, T6, 0, T6, 0x13),
        enc_i(4, T6, 0, T6, 0x13),
        enc_i(0x341, T6, 1, 0, 0x73),
        0x30200073,
        enc_i(0x344, 2, 7, 0, 0x73),
        0x30200073,
    };
    for (unsigned i = 0; i < sizeof(h) / sizeof(h[0]); i++)
        put32(HANDLER + 4 * i, h[i]);
}

/* Sv39 tables: code RWX, data page RW, next page R, the rest unmapped; all
 * +U for U-mode streams. S-mode streams get two roots, the page tables and
 * the pool mapped RW, and the alias window mapped to random pool pages
 * (differently in each root). */
static void build_pt(bool two_roots)
{
    for (unsigned root = 0; root < (two_roots ? 2u : 1u); root++) {
        uint64_t base = root ? PT_B : PT;
        uint64_t l2 = base, l1 = base + 0x1000, l0 = base + 0x2000;
        memset(&image[base - RAM_BASE], 0, 0x3000);
        put64(l2 + 8 * ((RAM_BASE >> 30) & 0x1ff), ((l1 >> 12) << 10) | 1);
        put64(l1 + 8 * ((RAM_BASE >> 21) & 0x1ff), ((l0 >> 12) << 10) | 1);
        for (uint64_t pa = RAM_BASE; pa < DATA + 0x2000; pa += 0x1000) {
            uint64_t fl = 0x1 | (umode ? 0x10 : 0); /* V U */
            if (pa < CODE)
                continue; /* the handler runs in M-mode, unmapped here */
            if (pa < DATA)
                fl |= 0x2 | 0x4 | 0x8;
            else if (pa == DATA)
                fl |= 0x2 | 0x4;
            else
                fl |= 0x2;
            if (chance(50))
                fl |= 0x40 | 0x80; /* A D preset, else the walker sets them */
            put64(l0 + 8 * l0_index(pa), ((pa >> 12) << 10) | fl);
        }
        if (!two_roots)
            continue;
        for (uint64_t pa = PT; pa < PT_B + 0x3000; pa += 0x1000)
            put64(l0 + 8 * l0_index(pa), ((pa >> 12) << 10) | 0xc7); /* V R W A D */
        for (uint64_t pa = POOL; pa < POOL + 0x1000 * POOL_PAGES; pa += 0x1000)
            put64(l0 + 8 * l0_index(pa), ((pa >> 12) << 10) | 0xc7);
        for (unsigned a = 0; a < ALIAS_PAGES; a++)
            put64(l0 + 8 * l0_index(ALIAS + 0x1000 * a),
                  (((POOL + 0x1000 * rn(POOL_PAGES)) >> 12) << 10) | PTE_CODE);
    }
}

/* A compressed instruction that writes only rd (a snippet register), or
 * nothing: c.addi, c.addiw, c.li, c.lui, c.slli, c.mv, c.add, c.nop. Any
 * 16 bits are also a harmless upper half for straddle_lo()'s low half. */
static uint32_t snippet_c(const uint8_t *regs)
{
    unsigned rd = regs[rn(16)], rs2 = 1 + rn(31), imm = 1 + rn(63); /* 6 bits, nonzero */
    unsigned i6 = (imm >> 5 & 1) << 12 | (imm & 31) << 2;
    switch (rn(8)) {
    case 0: return 0x0001 | i6 | rd << 7;  /* c.addi rd, imm */
    case 1: return 0x2001 | i6 | rd << 7;  /* c.addiw rd, imm */
    case 2: return 0x4001 | i6 | rd << 7;  /* c.li rd, imm */
    case 3: return 0x6001 | i6 | rd << 7;  /* c.lui rd, imm (rd is never x2) */
    case 4: return 0x0002 | i6 | rd << 7;  /* c.slli rd, imm */
    case 5: return 0x8002 | rd << 7 | rs2 << 2; /* c.mv rd, rs2 (rs2 != 0) */
    case 6: return 0x9002 | rd << 7 | rs2 << 2; /* c.add rd, rs2 (rs2 != 0) */
    default: return 0x0001;                /* c.nop */
    }
}

/* The low half of an instruction at a page end whose upper half is the
 * next page's first (compressed) instruction: an OP-IMM without shift
 * (addi slti sltiu xori ori andi) or addiw, rd a snippet register. The
 * upper half gives rs1[4:1] and the immediate: any value is valid, and
 * reading any register is harmless. */
static uint32_t straddle_lo(const uint8_t *regs)
{
    static const unsigned f3[] = {0, 2, 3, 4, 6, 7};
    unsigned rd = regs[rn(16)];
    if (rn(4) == 0)
        return enc_i(0, rn(2), 0, rd, 0x1b) & 0xffff; /* addiw */
    return enc_i(0, rn(2), f3[rn(6)], rd, 0x13) & 0xffff;
}

/* Pool pages: every page starts with a compressed instruction (snippet_c);
 * at 0x000 (entered there: that instruction, then the rest) and 0x800 a
 * snippet (ALU, auipc a2/a3 recording the virtual pc, ret); at 0xf00 ALU to
 * the page end, one of them compressed, so that 0xffe is an instruction
 * boundary, holding either a compressed instruction (then the run goes on
 * into offset 0 of whatever page the window maps next) or the low half of
 * a 4-byte instruction (straddle_lo) whose upper half is the first
 * instruction of that page: the translator cannot know it, and the run
 * goes on at offset 2. Remapping the next window page changes the
 * straddling instruction under the same virtual pc. Snippets never touch
 * ra or the stream's own registers; they write a0, which the translator
 * keeps in a host register across blocks (translate.h), so that the
 * helper that runs a straddling instruction must hand a0 on. */
static void build_pool(void)
{
    static const uint8_t regs[] = {10, 12, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29};
    for (unsigned p = 0; p < POOL_PAGES; p++) {
        uint64_t page = POOL + 0x1000 * p;
        memset(&image[page - RAM_BASE], 0, 0x1000);
        static const unsigned starts[] = {0x000, 0x800, 0xf00};
        for (unsigned k = 0; k < 3; k++) {
            uint64_t a = page + starts[k];
            uint64_t end = k == 2 ? page + 0xffe : a + 4 * (4 + rn(24));
            /* 0x000: the compressed first instruction; 0xf00: one of the
             * 4-byte slots (any of the 64, so the one at the page end is
             * 4 bytes short) becomes compressed */
            uint64_t c_at = k == 0 ? a : k == 2 ? a + 4 * rn(64) : ~0ull;
            for (; a < end; a += 4) {
                if (a == c_at) {
                    put16(a, snippet_c(regs));
                    a -= 2;
                    continue;
                }
                unsigned rd = regs[rn(16)], rs = regs[rn(16)], rs2 = regs[rn(16)];
                switch (rn(3)) {
                case 0: put32(a, enc_i((int)rn(4096) - 2048, rs, 0, rd, 0x13)); break;
                case 1: put32(a, enc_r(0, rs2, rs, 4, rd, 0x33)); break;
                default: put32(a, enc_r(0, rs2, rs, 0, rd, 0x33)); break;
                }
            }
            if (k == 2) {
                /* 0xffe: mostly the straddling instruction */
                put16(a, rn(4) ? straddle_lo(regs) : snippet_c(regs));
                continue;
            }
            put32(a, enc_u(0, k ? 12 : 13, 0x17));    /* auipc a2/a3, 0 */
            put32(a + 4, enc_i(0, RA, 0, 0, 0x67));   /* jalr x0, 0(ra) */
        }
    }
    /* Every page start, and every page end with every next page: a valid
     * instruction that goes on to the next and writes a snippet register
     * (or nothing). */
    for (unsigned p = 0; p < POOL_PAGES; p++)
        for (unsigned q = 0; q < POOL_PAGES; q++) {
            uint16_t lo, hi;
            memcpy(&lo, &image[POOL + 0x1000 * p + 0xffe - RAM_BASE], 2);
            memcpy(&hi, &image[POOL + 0x1000 * q - RAM_BASE], 2);
            for (unsigned w = 0; w < 2; w++) {
                struct insn in;
                decode(w ? hi : insn_length(lo) == 4 ? (uint32_t)hi << 16 | lo : lo, &in);
                bool rd_ok = !in.rd;
                for (unsigned i = 0; i < sizeof(regs); i++)
                    rd_ok |= in.rd == regs[i];
                if (!rd_ok || decode_ends_block(in.op) || in.len != (w ? 2 : insn_length(lo))) {
                    fprintf(stderr, "diff: bad pool page end %04x or start %04x\n", lo, hi);
                    exit(2);
                }
            }
        }
}

struct setup {
    bool umode, smode, smc, chain;
    uint64_t s1; /* the second data pointer */
    unsigned hot;
};

static const uint64_t fp_seeds[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0x7ff0000000000000ull,
    0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff4000000000000ull, 0x0000000000000001ull,
    0x000fffffffffffffull, 0x7fefffffffffffffull, 0xffffffff3f800000ull, 0xffffffff7f800000ull,
    0xffffffff7fc00000ull, 0xffffffff7fa00000ull, 0xffffffff00000001ull, 0xffffffff80000000ull,
    0x43e0000000000000ull, 0xc3e0000000000000ull, 0x41dfffffffc00000ull, 0xffffffff4f000000ull,
    0x3fe0000000000000ull, 0x4000000000000001ull, 0x000000003f800000ull,
    /* conversion edges: 2^31 +- halves, -2^31 - 1/2, 2^63 - 1024, -2^63 - 2048,
     * -1.5, -0.5, 2.5; singles 2^63, -2^63, -2^31, 2^31 - 128, -1.5, 0.5, a
     * tiny subnormal, -0, the largest double that rounds to a finite single,
     * and a double that underflows in a single */
    0x41dfffffffe00000ull, 0x41e0000000100000ull, 0xc1e0000000100000ull, 0xc1e0000000200000ull,
    0x43dfffffffffffffull, 0xc3e0000000000001ull, 0xbff8000000000000ull, 0xbfe0000000000000ull,
    0x4004000000000000ull, 0xffffffff5f000000ull, 0xffffffffdf000000ull, 0xffffffffcf000000ull,
    0xffffffff4effffffull, 0xffffffffbfc00000ull, 0xffffffff3f000000ull, 0xffffffff80000001ull,
    0x47efffffefffffffull, 0x36a0000000000000ull, 0x3690000000000001ull, 0xffffffff7fffffffull,
    /* the edges of fclass.d's classes (smallest and largest normals, a
     * negative subnormal), NaNs with payloads and either sign */
    0x0010000000000000ull, 0x8010000000000000ull, 0xffefffffffffffffull, 0x800fffffffffffffull,
    0xfff4000000000001ull, 0x7ff8000000000123ull, 0xfff8000000000000ull, 0x7ff0000000000001ull,
};

/* Integers that convert to floating point inexactly, or at the edges. */
static const uint64_t int_seeds[] = {
    0x8000000000000000ull, ~0ull, 0x7fffffffffffffffull, 0x0000000001000001ull,
    0x0020000000000001ull, 0x00000000ffffffffull, 0x000000007fffffffull, 0xffffffff80000000ull,
    0x0000000080000001ull, 0xfffffffffeffffffull, 0x8000000000000401ull, 0x0000000003000003ull,
};

static void setup_hart(struct hart *h, const struct setup *s, const uint64_t *xs, const uint64_t *fs)
{
    hart_reset(h, CODE);
    for (unsigned i = 1; i < 32; i++)
        h->x[i] = xs[i];
    for (unsigned i = 0; i < 32; i++)
        h->f[i] = fs[i];
    h->x[SP] = DATA + 1024;
    h->x[S0] = S0_VALUE;
    h->x[S1] = s->s1;
    h->mtvec = HANDLER;
    h->mstatus |= (uint64_t)FS_INITIAL << MSTATUS_FS_SHIFT;
    h->mie = MIP_SSIP;
    if (s->umode) {
        h->satp = (8ull << 60) | (PT >> 12);
        h->priv = PRV_U;
        h->mstatus &= ~MSTATUS_MPP; /* handler returns to U */
    } else if (s->smode) {
        h->satp = (8ull << 60) | (PT >> 12);
        h->priv = PRV_S;
        h->mstatus = (h->mstatus & ~MSTATUS_MPP) | ((uint64_t)PRV_S << MSTATUS_MPP_SHIFT);
    } else {
        h->priv = PRV_M;
        h->mstatus |= MSTATUS_MPP | MSTATUS_MIE;
    }
    hart_update_sets(h);
    tlb_flush_all(h);
}

static const char *diff_state(const struct hart *a, const struct hart *b)
{
    static char msg[128];
#define CMP(f)                                                                                \
    if (a->f != b->f) {                                                                       \
        snprintf(msg, sizeof(msg), "%s: interp %#" PRIx64 " jit %#" PRIx64, #f,                \
                 (uint64_t)a->f, (uint64_t)b->f);                                             \
        return msg;                                                                           \
    }
    for (unsigned i = 0; i < 32; i++)
        if (a->x[i] != b->x[i]) {
            snprintf(msg, sizeof(msg), "x%u: interp %#" PRIx64 " jit %#" PRIx64, i, a->x[i], b->x[i]);
            return msg;
        }
    for (unsigned i = 0; i < 32; i++)
        if (a->f[i] != b->f[i]) {
            snprintf(msg, sizeof(msg), "f%u: interp %#" PRIx64 " jit %#" PRIx64, i, a->f[i], b->f[i]);
            return msg;
        }
    CMP(pc) CMP(instret) CMP(priv) CMP(iset) CMP(dset) CMP(frm) CMP(fflags) CMP(lr_addr)
    CMP(lr_value) CMP(mstatus) CMP(mepc) CMP(mcause) CMP(mtval) CMP(sepc) CMP(scause)
    CMP(stval) CMP(mip_sw) CMP(mie) CMP(mscratch) CMP(sscratch) CMP(cycle_offset)
    CMP(instret_offset) CMP(satp) CMP(pmpcfg[0]) CMP(pmpaddr[0])
#undef CMP
    return NULL;
}

static const char *diff_mem(const uint8_t *a, const uint8_t *b, uint64_t from, uint64_t len)
{
    static char msg[128];
    const uint8_t *pa = a + (from - RAM_BASE), *pb = b + (from - RAM_BASE);
    if (!memcmp(pa, pb, len))
        return NULL;
    for (uint64_t i = 0; i < len; i++)
        if (pa[i] != pb[i]) {
            snprintf(msg, sizeof(msg), "memory at %#" PRIx64 ": interp %02x jit %02x", from + i,
                     pa[i], pb[i]);
            return msg;
        }
    return NULL;
}

struct side {
    struct hart h;
    struct bus bus;
    uint8_t *ram;
};

static struct side ref, jit;
static bool verbose, trace;

static void fail(uint64_t seed, unsigned stream, const struct setup *s, const char *what,
                 uint64_t block_pc)
{
    printf("DIVERGENCE seed %" PRIu64 " stream %u (%s%s, %s, hot=%u) after the dispatch at pc %#" PRIx64
           ": %s\n",
           seed, stream, s->umode ? "U-mode Sv39" : s->smode ? "S-mode Sv39 alias" : "M-mode bare",
           s->smc ? " smc" : "",
           s->chain ? "chained" : "unchained", s->hot, block_pc, what);
    /* The guest code of the dispatch, as the translator saw it. */
    FILE *f = fopen("diff-fail.bin", "wb");
    if (f) {
        fwrite(image, 1, CODE + CODE_MAX - RAM_BASE, f);
        fclose(f);
        printf("code image: diff-fail.bin (objdump -D -b binary -m riscv:rv64 "
               "--adjust-vma=%#llx diff-fail.bin)\n", (unsigned long long)RAM_BASE);
    }
    for (uint64_t pc = block_pc, n = 0; n < 24 && pc >= RAM_BASE && pc < RAM_BASE + RAM_SIZE - 4; n++) {
        uint32_t raw;
        memcpy(&raw, &image[pc - RAM_BASE], 4);
        if ((raw & 3) != 3)
            raw &= 0xffff;
        struct insn in;
        decode(raw, &in);
        printf("  %#" PRIx64 ": %08x %-10s rd=%u rs1=%u rs2=%u imm=%d rm=%u\n", pc, raw,
               decode_op_name(in.op), in.rd, in.rs1, in.rs2, in.imm, in.rm);
        pc += in.len;
    }
    printf("--- interpreter\n");
    hart_dump(&ref.h, stdout);
    printf("--- translator\n");
    hart_dump(&jit.h, stdout);
    exit(1);
}

/* Catch the reference up with the translator: the same retired count, then
 * a trap that retires nothing if the pcs still differ. */
static void catch_up(void)
{
    uint64_t guard = 0, max = 2 * (jit.h.instret - ref.h.instret) + 1000;
    while (ref.h.instret < jit.h.instret && guard++ < max)
        interp_step(&ref.h);
    if (ref.h.pc != jit.h.pc && ref.h.instret == jit.h.instret)
        interp_step(&ref.h);
    /* (instret, pc) cannot see a trap taken at the first instruction of the
     * handler itself (a stray store of the stream can overwrite it: then
     * every entry faults at mtvec and enters at mtvec again), which retires
     * nothing and leaves the pc where it was. When the states differ there,
     * the interpreter may be that one trap behind: one more step, which must
     * retire nothing either, or the comparison reports instret. */
    if (ref.h.pc == jit.h.pc && ref.h.instret == jit.h.instret &&
        (ref.h.pc == (ref.h.mtvec & ~3ull) || ref.h.pc == (ref.h.stvec & ~3ull)) &&
        diff_state(&ref.h, &jit.h))
        interp_step(&ref.h);
}

static void run_stream(uint64_t seed, unsigned stream, unsigned len)
{
    unsigned mode = rn(100);
    struct setup s = {
        .umode = mode < 40,
        .smode = mode >= 40 && mode < 70,
        .smc = chance(12),
        .chain = chance(70),
        .hot = chance(60) ? 0 : 1 + rn(3),
    };
    umode = s.umode;
    smode = s.smode;
    fp_heavy = stream % 4 == 3;
    jit_opts.no_bmi2 = stream % 3 == 2; /* the non-BMI2 shift and TLB-index code */
    atomic_store(&fast_tick, false);
    s.s1 = s.smc ? (s.smode && rn(2) ? POOL + 0x1000 * rn(POOL_PAGES) : CODE) + 2048 : DATA + 0x2000;
    jit_opts.hot_threshold = s.hot;
    jit_opts.no_chain = !s.chain;
    /* (every fifth stream: inner loop heads leave on every arrival, as when
     * an event is pending there, which the ticker makes rare) */
    jit_opts.leave_at_heads = stream % 5 == 4;

    memset(image, 0, sizeof(image));
    build_handler();
    nitems = 0;
    int limit = (int)len; /* the index of the final self-loop */
    while ((int)nitems < limit && nitems < MAX_ITEMS - 64)
        gen_one(limit, false);
    limit = (int)nitems;
    for (unsigned i = 0; i < nitems; i++) {
        struct item *it = &items[i];
        if (it->kind == IT_WORD || it->target <= (int)i || it->local)
            continue; /* a loop's own back edge, a hop */
        while (it->target < limit && loop_end[it->target] >= 0)
            it->target = loop_end[it->target];
        if (it->target > limit)
            it->target = limit;
    }
    struct item *end = add(enc_j(0, 0), 4); /* j . */
    (void)end;
    layout(CODE);
    end_pc = items[limit].addr;
    if (end_pc + 4 > CODE + CODE_MAX) {
        fprintf(stderr, "stream too long\n");
        exit(2);
    }
    for (unsigned i = 0; i < 256; i++)
        image[DATA - RAM_BASE + i * 16] = (uint8_t)rnd();
    for (uint64_t p = DATA; p < DATA + 0x3000; p += 8)
        put64(p, chance(30) ? fp_seeds[rn(sizeof(fp_seeds) / 8)] : rnd());
    if (s.umode || s.smode)
        build_pt(s.smode);
    if (s.smode)
        build_pool();

    uint64_t xs[32], fs[32];
    for (unsigned i = 0; i < 32; i++) {
        unsigned k = rn(4);
        xs[i] = k == 0 ? rnd() : k == 1 ? (uint64_t)(int64_t)(int)rn(64) - 32
                : k == 2 ? fp_seeds[rn(sizeof(fp_seeds) / 8)] : int_seeds[rn(sizeof(int_seeds) / 8)];
        fs[i] = fp_seeds[rn(sizeof(fp_seeds) / 8)];
        if (chance(30))
            fs[i] = rnd();
    }
    if (trace) {
        FILE *f = fopen("diff-stream.bin", "wb");
        if (f) {
            fwrite(image, 1, CODE + CODE_MAX - RAM_BASE, f);
            fclose(f);
        }
    }
    memcpy(ref.ram, image, RAM_SIZE);
    memcpy(jit.ram, image, RAM_SIZE);
    setup_hart(&ref.h, &s, xs, fs);
    setup_hart(&jit.h, &s, xs, fs);
    jit_flush(&jit.h);

    const char *d;
    for (unsigned step = 0;; step++) {
        /* As hart_run does between dispatches. */
        uint32_t ev = atomic_exchange(&jit.h.events, 0);
        atomic_store(&ref.h.events, 0);
        jit_events(&jit.h, ev);
        if (chance(2)) {
            ref.h.mip_sw |= MIP_SSIP;
            jit.h.mip_sw |= MIP_SSIP;
        }
        bool ta = hart_take_irq(&ref.h), tb = hart_take_irq(&jit.h);
        if (ta != tb)
            fail(seed, stream, &s, "interrupt taken on one side only", jit.h.pc);
        if (jit.h.pc == end_pc || jit.h.instret > INSTRET_CAP || step > 200000)
            break;
        uint64_t pc = jit.h.pc, n0 = jit.h.instret;
        jit_step(&jit.h);
        if (trace)
            printf("  dispatch %#" PRIx64 " +%" PRIu64 " -> %#" PRIx64 "\n", pc,
                   jit.h.instret - n0, jit.h.pc);
        catch_up();
        if ((d = diff_state(&ref.h, &jit.h)))
            fail(seed, stream, &s, d, pc);
        if ((d = jit_check_links(&jit.h)))
            fail(seed, stream, &s, d, pc);
        if ((d = diff_mem(ref.ram, jit.ram, DATA, 0x3000)))
            fail(seed, stream, &s, d, pc);
        if (s.smc && (d = diff_mem(ref.ram, jit.ram, CODE, end_pc + 4 - CODE)))
            fail(seed, stream, &s, d, pc);
        if (s.smode && (d = diff_mem(ref.ram, jit.ram, PT, POOL + 0x1000 * POOL_PAGES - PT)))
            fail(seed, stream, &s, d, pc);
    }
    if ((d = diff_mem(ref.ram, jit.ram, RAM_BASE, RAM_SIZE)))
        fail(seed, stream, &s, d, jit.h.pc);
    if (verbose)
        printf("stream %u: %s%s %s hot=%u: %" PRIu64 " instructions, ok\n", stream,
               s.umode ? "U" : s.smode ? "S" : "M", s.smc ? " smc" : "", s.chain ? "chained" : "unchained", s.hot,
               jit.h.instret);
}

/* A timer: translated code that loops forever without exits (the stream
 * can build such loops) returns at the next block entry after this; every
 * 20 us in streams with long loops, which it then leaves at their heads. */
static void *ticker(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = {0, atomic_load(&fast_tick) ? 20 * 1000 : 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
        atomic_fetch_or(&jit.h.events, HART_EV_IRQ);
    }
    return NULL;
}

static void side_init(struct side *sd)
{
    sd->ram = aligned_alloc(4096, RAM_SIZE);
    bus_init(&sd->bus);
    bus_add_mem(&sd->bus, RAM_BASE, RAM_SIZE, sd->ram, false);
    hart_init(&sd->h, 0, &sd->bus, NULL);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    unsigned streams = 500, len = 300, first = 0;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            streams = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-l") && i + 1 < argc)
            len = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-f") && i + 1 < argc)
            first = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-b"))
            big_loops = 1;
        else if (!strcmp(argv[i], "-B"))
            big_loops = 2;
        else if (!strcmp(argv[i], "-v"))
            verbose = true;
        else if (!strcmp(argv[i], "-t"))
            trace = verbose = true;
        else {
            fprintf(stderr, "usage: diff [-n STREAMS] [-f FIRST] [-l ITEMS] [-s SEED] [-b|-B] [-v] [-t]\n");
            return 2;
        }
    }
    if (len > 2000)
        len = 2000;
    side_init(&ref);
    side_init(&jit);
    jit.h.engine_kind = ENGINE_JIT;
    if (!jit_init(&jit.h)) {
        fprintf(stderr, "diff: cannot set up the translator\n");
        return 77; /* skipped */
    }
    pthread_t tick;
    pthread_create(&tick, NULL, ticker, NULL);
    uint64_t total = 0;
    for (unsigned i = first; i < first + streams; i++) {
        /* splitmix64 of (seed, stream): every stream its own sequence */
        uint64_t z = seed * 0x9e3779b97f4a7c15ull + (i + 1) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        rng_state = (z ^ (z >> 31)) | 1;
        run_stream(seed, i, len);
        total += jit.h.instret;
    }
    struct jit_stats st;
    jit_get_stats(&jit.h, &st);
    printf("diff: %u streams, %" PRIu64 " instructions, %" PRIu64 " blocks translated, %" PRIu64
           " chained, %" PRIu64 " retired, %" PRIu64 " code writes, %" PRIu64
           " flushes: interpreter and translator agree\n",
           streams, total, st.translated, st.chained, st.retired, st.smc, st.flushes);
    jit_destroy(&jit.h);
    return 0;
}
