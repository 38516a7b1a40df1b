/*
 * jit.c - the translator engine around translate.c: code cache, block
 * lookup, tiering with the interpreter, chaining, the jump cache, the
 * self-modifying-code hook, `-d jit` dumps and `-accel jit,verify`.
 *
 * The code cache is one RWX mapping per hart (32 MiB, transparent huge
 * pages where the host offers them: a boot fills ~12 MiB, which in 4 KiB
 * pages took ~3,000 host page faults), filled linearly and flushed whole
 * when full. Its first bytes are the entry trampoline (saves the
 * callee-saved registers, puts the hart in RBX, loads the pinned guest
 * registers, jumps to a block) and the epilogue blocks leave through, with
 * four entries: exit0, exit_rax, exit_xpage (these store the pinned
 * registers first) and exit_synced (translate.h has the conventions).
 *
 * Blocks are keyed on (virtual pc, host address of the code, iset, dset):
 * the host address names the physical bytes, the virtual pc is baked into
 * the code (auipc, link addresses, exits). So a change of address space
 * (satp, sfence.vma: HART_EV_VMAP) keeps every translation; only what maps
 * a virtual pc to a block without looking at the mapping goes stale: the
 * jump caches (a generation bump), the links to other pages (undone) and
 * the pending chain site. Chains within a guest page, whose mapping is the
 * block's own, stay.
 * Code changes: stores through the slow path call code_written, which
 * retires the blocks of the page at once; code written behind it (device
 * DMA) must be followed by fence.i (HART_EV_FLUSH), after which every code
 * page is checked against hashes of its translated 64-byte chunks the next
 * time the dispatcher enters it, and retired if it changed.
 */
#include "vmm/jit/jit.h"

#include <assert.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rvvm/bus.h"
#include "rvvm/device.h"
#include "rvvm/log.h"
#include "rvvm/machine.h"
#include "vmm/hart/mmu.h"
#include "vmm/hart/trap.h"
#include "vmm/interp/decode.h"
#include "vmm/interp/interp.h"
#include "vmm/jit/translate.h"
#include "vmm/jit/x64_dump.h"
#include "vmm/jit/x64_insn.h"

#define CACHE_SIZE (32u << 20)
#define CACHE_RESERVE (256u << 10) /* flush before a block could overflow */
#define HASH_BITS 16u
#define MAX_BLOCKS (1u << 18)
#define COUNT_BITS 14u
#define DEFAULT_THRESHOLD 16u
#define DEFAULT_MAX_INSNS 256u
#define MAX_MARKED 4096u /* code pages remembered individually for a flush */
#define MAX_BLOCK_GUARD 512u /* verify: interpreter steps per block, at most twice this */
#define JC_PAGE_BITS 1024u /* jit.jc_pages */
#define MAX_XLINKS 8192u /* exits to another page linked at once */

struct jit_opts jit_opts = {.hot_threshold = DEFAULT_THRESHOLD};

struct jit_block {
    uint64_t pc;
    const uint8_t *host;    /* host address of its first instruction */
    uint8_t iset, dset;
    uint16_t ninsn;
    bool dead;              /* retired: its entry jumps to entry_exit */
    bool no_verify;         /* verify mode: reads time or mip, or waits (wfi) */
    bool in_map;            /* its guest page is in the code map */
    bool linked;            /* a link from another page was made to it */
    uint64_t page;          /* code map index of its guest page */
    const uint8_t *code;
    const uint8_t *entry_exit;
    struct jit_block *next;  /* hash chain */
    struct jit_block *pnext; /* by physical page */
};

#define PAGE_BUCKETS 4096u

/* What translated code left with: a rel32 field to patch (or NULL), and
 * whether it is the exit to another guest page (exit_xpage). */
struct jit_exit {
    uint8_t *site;
    uintptr_t xpage;
};
typedef struct jit_exit (*jit_enter_fn)(struct hart *h, const uint8_t *code);

struct jit {
    uint8_t *cache;
    struct x64_emitter e; /* e.len is the fill pointer */
    size_t blocks_start;
    jit_enter_fn enter;
    const uint8_t *exit0, *exit_rax, *exit_synced, *exit_xpage;

    struct jit_block *blocks;
    unsigned nblocks;
    struct jit_block *hash[1u << HASH_BITS];
    uint8_t counts[1u << COUNT_BITS];
    struct jit_jc jc[TLB_SETS][TLB_SETS];
    /* Virtual pages (hashed) the jump caches may hold pcs of, since their
     * last invalidation: an sfence.vma of any other page leaves them be. */
    uint64_t jc_pages[JC_PAGE_BITS / 64];

    /* Blocks by guest-physical page (self-modifying code). */
    struct jit_block *pbucket[PAGE_BUCKETS];

    /* Guest-physical pages holding translated code (the hart's code_map),
     * which 64-byte chunks of each do, a hash of each such chunk as it was
     * translated, and the fence.i epoch the page was last checked in. */
    uint8_t *code_map;
    uint64_t *code_chunks;
    uint64_t *code_hash; /* [page * 64 + chunk] */
    uint32_t *code_epoch;
    uint32_t epoch;
    uint64_t map_base, map_pages;
    uint32_t marked[MAX_MARKED];
    unsigned nmarked; /* > MAX_MARKED: clear the whole map on flush */

    FILE *perf_map; /* -d perf */

    /* The last direct exit to the dispatcher (a rel32 field to patch). */
    uint8_t *site;
    uint64_t site_pc;
    unsigned site_sets;
    bool site_xpage;

    /* Direct exits to another guest page, linked to their target block.
     * Such a link names a block for a virtual pc as a jump cache entry
     * does, so it is undone with the jump caches (a change of mappings,
     * fence.i) and when its target retires. stub: where the exit jumped
     * before (the way to the dispatcher). */
    struct xlink {
        uint8_t *site;
        const uint8_t *stub;
        const struct jit_block *to;
    } *xlinks;
    unsigned nxlinks;

    /* -accel jit,verify: the hart before the block, after it on the
     * translator, and the bytes stores changed (old values, and what the
     * translator left there). All RAM pages count as code pages for the
     * store hook (verify_map), so every store is logged. */
    struct hart *snap, *jstate;
    uint8_t *verify_map;
    struct vlog {
        uint64_t pa;
        uint8_t old, jit;
    } *vlog;
    unsigned nvlog;
    bool logging;

    bool bmi2;
    struct jit_stats stats;
    struct x64_dump dump;
    bool dumping;
};

/* ---- host ---- */

bool jit_supported(void)
{
#if defined(__x86_64__)
    return true;
#else
    return false;
#endif
}

static bool host_bmi2(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("bmi2");
#else
    return false;
#endif
}

/* ---- the code cache ---- */

/* h->x[] of pinned register k (translate.h) */
static struct x64_mem pin_slot(unsigned k)
{
    return x64_mem_bd(X64_RBX, (int32_t)(offsetof(struct hart, x) + 8 * jit_pin_guest[k]));
}

/* Entry trampoline and epilogues, at the start of the cache. */
static void emit_trampolines(struct jit *j)
{
    struct x64_emitter *e = &j->e;
    static const int saved[] = {X64_RBX, X64_RBP, X64_R12, X64_R13, X64_R14, X64_R15};
    j->enter = (jit_enter_fn)(void *)x64_here(e);
    for (unsigned i = 0; i < 6; i++)
        x64_push_r(e, saved[i]);
    /* 6 pushes + the return address leave rsp 8 mod 16: JIT_FRAME more
     * bytes align it and give blocks their slots (translate.h). */
    x64_sub_ri(e, X64_W64, X64_RSP, JIT_FRAME);
    x64_mov_rr(e, X64_W64, X64_RBX, X64_RDI);
    x64_xor_rr(e, X64_W32, JIT_ICOUNT, JIT_ICOUNT);
    for (unsigned k = 0; k < JIT_NPIN; k++)
        x64_mov_rm(e, X64_W64, jit_pin_host[k], pin_slot(k));
    x64_jmp_r(e, X64_RSI);

    /* They return struct jit_exit in rax:rdx (rdx only read with a site). */
    x64_nop(e, (16 - (e->len & 15)) & 15);
    struct x64_label out, store;
    x64_label_init(&out);
    x64_label_init(&store);
    j->exit_xpage = x64_here(e);
    x64_mov_ri(e, X64_W32, X64_RDX, 1);
    x64_jmp_l(e, &store);
    j->exit_synced = x64_here(e);
    x64_xor_rr(e, X64_W32, X64_RAX, X64_RAX);
    x64_jmp_l(e, &out);
    j->exit0 = x64_here(e);
    x64_xor_rr(e, X64_W32, X64_RAX, X64_RAX);
    j->exit_rax = x64_here(e);
    x64_xor_rr(e, X64_W32, X64_RDX, X64_RDX);
    x64_bind(e, &store);
    for (unsigned k = 0; k < JIT_NPIN; k++)
        x64_mov_mr(e, X64_W64, pin_slot(k), jit_pin_host[k]);
    x64_bind(e, &out);
    x64_add_mr(e, X64_W64, x64_mem_bd(X64_RBX, (int32_t)offsetof(struct hart, instret)),
               JIT_ICOUNT);
    x64_add_ri(e, X64_W64, X64_RSP, JIT_FRAME);
    for (unsigned i = 6; i-- > 0;)
        x64_pop_r(e, saved[i]);
    x64_ret(e);
    x64_nop(e, (16 - (e->len & 15)) & 15);
    j->blocks_start = e->len;
}

/* Verify mode: blocks whose result the interpreter cannot reproduce. */
static bool verify_unsafe(const uint8_t *code, size_t len)
{
    for (size_t off = 0; off + 2 <= len;) {
        uint16_t lo;
        memcpy(&lo, code + off, 2);
        unsigned n = insn_length(lo);
        uint32_t raw = lo;
        if (n == 4 && off + 4 <= len) {
            uint16_t hi;
            memcpy(&hi, code + off + 2, 2);
            raw |= (uint32_t)hi << 16;
        }
        struct insn in;
        decode(raw, &in);
        if (in.op == OP_WFI)
            return true;
        if (in.op >= OP_CSRRW && in.op <= OP_CSRRCI) {
            unsigned csr = (unsigned)in.imm & 0xfff;
            if (csr == 0xc01 || csr == 0x344 || csr == 0x144) /* time, mip, sip */
                return true;
        }
        off += n;
    }
    return false;
}

static unsigned hash_of(uint64_t pc, const uint8_t *host, unsigned iset, unsigned dset)
{
    uint64_t k = (pc >> 1) ^ (pc >> (HASH_BITS + 1)) ^ ((uint64_t)(iset * TLB_SETS + dset) << 7) ^
                 ((uintptr_t)host >> PAGE_SHIFT);
    return (unsigned)(k * 0x9e3779b1u >> 7) & ((1u << HASH_BITS) - 1);
}

static struct jit_block *lookup(struct jit *j, uint64_t pc, const uint8_t *host, unsigned iset,
                                unsigned dset)
{
    for (struct jit_block *b = j->hash[hash_of(pc, host, iset, dset)]; b; b = b->next)
        if (b->pc == pc && b->host == host && b->iset == iset && b->dset == dset)
            return b;
    return NULL;
}

static unsigned jc_page_bit(uint64_t va)
{
    return (unsigned)(va >> PAGE_SHIFT) & (JC_PAGE_BITS - 1);
}

static void jc_page_mark(struct jit *j, uint64_t va)
{
    j->jc_pages[jc_page_bit(va) / 64] |= 1ull << (jc_page_bit(va) % 64);
}

static bool jc_page_marked(const struct jit *j, uint64_t va)
{
    return (j->jc_pages[jc_page_bit(va) / 64] >> (jc_page_bit(va) % 64)) & 1;
}

/* Empty the jump caches. An entry counts only with its table's current
 * generation, which only grows (from calloc's 0 to 1 at start), so a bump
 * empties a table without touching its 512 KiB. */
static void clear_jc(struct jit *j)
{
    for (unsigned i = 0; i < TLB_SETS; i++)
        for (unsigned d = 0; d < TLB_SETS; d++)
            j->jc[i][d].gen++;
    memset(j->jc_pages, 0, sizeof(j->jc_pages));
}

static const uint8_t *rel32_target(const uint8_t *at)
{
    int32_t rel;
    memcpy(&rel, at, 4);
    return at + 4 + rel;
}

static void unlink_xpage(struct jit *j)
{
    for (unsigned k = 0; k < j->nxlinks; k++)
        x64_patch_rel32(j->xlinks[k].site, j->xlinks[k].stub);
    j->nxlinks = 0;
}

/* Whatever maps a virtual pc to a block without a look at the mapping:
 * the jump caches, the links to other pages and the pending chain site. */
static void forget_vmap(struct jit *j)
{
    clear_jc(j);
    unlink_xpage(j);
    j->site = NULL;
}

static void unmark_pages(struct jit *j)
{
    if (j->nmarked > MAX_MARKED) {
        memset(j->code_map, 0, j->map_pages);
        memset(j->code_chunks, 0, j->map_pages * sizeof(uint64_t));
    } else {
        for (unsigned i = 0; i < j->nmarked; i++) {
            j->code_map[j->marked[i]] = 0;
            j->code_chunks[j->marked[i]] = 0;
        }
    }
    j->nmarked = 0;
}

static void flush(struct jit *j)
{
    j->e.len = j->blocks_start;
    j->e.overflow = false;
    j->nblocks = 0;
    memset(j->hash, 0, sizeof(j->hash));
    memset(j->pbucket, 0, sizeof(j->pbucket));
    j->nxlinks = 0; /* (their sites are gone with the code) */
    clear_jc(j);
    unmark_pages(j);
    /* Code that is flushed often (page tables changing under it) goes back
     * to the interpreter until it proves hot again. */
    memset(j->counts, 0, sizeof(j->counts));
    j->site = NULL;
    j->stats.flushes++;
}

void jit_flush(struct hart *h)
{
    if (h->engine)
        flush(h->engine);
}

void jit_events(struct hart *h, uint32_t ev)
{
    struct jit *j = h->engine;
    if (!j)
        return;
    if (ev & HART_EV_VMAP) {
        uint64_t va = h->vmap_va;
        if (va == VMAP_ALL || jc_page_marked(j, va)) {
            forget_vmap(j);
            j->stats.vmaps++;
        } else {
            j->site = NULL;
            j->stats.vmaps_kept++;
        }
    }
    if (ev & HART_EV_FLUSH) {
        /* fence.i: pages are checked when next entered; nothing reaches a
         * block without the dispatcher until then. */
        forget_vmap(j);
        j->epoch++;
        j->stats.fence_i++;
    }
}

/* Retire one block: whatever still jumps to it (chained exits, the jump
 * cache, a stale lookup) lands on a jmp to its entry exit, which stores its
 * pc and returns to the dispatcher. */
static void retire(struct jit *j, struct jit_block *b)
{
    if (b->dead)
        return;
    b->dead = true;
    struct x64_emitter pe;
    x64_emit_init(&pe, (uint8_t *)b->code, 5);
    x64_jmp_to(&pe, b->entry_exit);
    for (struct jit_block **pp = &j->hash[hash_of(b->pc, b->host, b->iset, b->dset)]; *pp;
         pp = &(*pp)->next)
        if (*pp == b) {
            *pp = b->next;
            break;
        }
    struct jit_jc_entry *jc = &j->jc[b->iset][b->dset].e[jit_jc_index(b->pc)];
    if (jc->code == b->code)
        memset(jc, 0, sizeof(*jc));
    j->stats.retired++;
}

/* Retire every block of code page i, and give the page back to the write TLB. */
static void retire_page(struct jit *j, uint64_t i)
{
    bool any = false;
    for (struct jit_block *b = j->pbucket[i % PAGE_BUCKETS]; b; b = b->pnext)
        if (b->in_map && b->page == i && !b->dead) {
            retire(j, b);
            any |= b->linked;
        }
    j->code_chunks[i] = 0;
    j->code_map[i] = 0;
    /* Links from other pages to what retired go back to the dispatcher,
     * which then links them to the new translation. */
    for (unsigned k = 0; any && k < j->nxlinks;) {
        struct xlink *l = &j->xlinks[k];
        if (l->to->dead) {
            x64_patch_rel32(l->site, l->stub);
            *l = j->xlinks[--j->nxlinks];
        } else {
            k++;
        }
    }
}

/* 64-byte chunks of a page that [off, off + len) touches. */
static uint64_t chunk_mask(uint64_t off, uint64_t len)
{
    unsigned first = (unsigned)(off >> 6), last = (unsigned)((off + len - 1) >> 6);
    uint64_t hi = last >= 63 ? ~0ull : (2ull << last) - 1;
    return hi & ~((1ull << first) - 1);
}

/* A store is about to change a page holding translated code. If it hits
 * chunks that were translated, retire every block of the page (and give
 * the page back to the write TLB); translated code then leaves its block
 * right after the store (it checks events, see translate.c), so nothing
 * stale runs, not even the rest of the current block. */
#define VLOG_MAX 8192u

static void code_written(struct hart *h, uint64_t pa, unsigned size)
{
    struct jit *j = h->engine;
    uint64_t i = (pa - j->map_base) >> PAGE_SHIFT;
    if (j->logging) {
        const uint8_t *p = bus_mem_ptr(h->bus, pa, size, false);
        for (unsigned k = 0; p && k < size && j->nvlog < VLOG_MAX; k++)
            j->vlog[j->nvlog++] = (struct vlog){.pa = pa + k, .old = p[k]};
    }
    if (!j->code_map[i])
        return; /* verify mode: not really code */
    if (!(j->code_chunks[i] & chunk_mask(pa & (PAGE_SIZE - 1), size)))
        return; /* data next to code */
    retire_page(j, i);
    j->stats.smc++;
    hart_request(h, HART_EV_IRQ); /* only to leave the block */
}

/* A hash of one 64-byte chunk of guest code. Each word goes through its
 * own odd multiply (a bijection: changing any one word always changes the
 * hash) and the lanes are independent, so the eight multiplies overlap
 * instead of forming one chain (boots hash a few thousand pages). */
static uint64_t chunk_hash(const uint8_t *p)
{
    uint64_t w[8], k = 0;
    memcpy(w, p, 64);
    for (unsigned i = 0; i < 8; i++) {
        uint64_t x = (w[i] ^ (0x243f6a8885a308d3ull * (i + 1))) * 0x9e3779b97f4a7c15ull;
        k ^= x << (8 * i) | x >> ((64 - 8 * i) & 63);
    }
    return k;
}

/* Whether the translated chunks of code page i still hold what they were
 * translated from. */
static bool page_intact(struct jit *j, uint64_t i, const uint8_t *host_page)
{
    uint64_t m = j->code_chunks[i];
    while (m) {
        unsigned c = (unsigned)__builtin_ctzll(m);
        m &= m - 1;
        if (chunk_hash(host_page + 64 * c) != j->code_hash[i * 64 + c])
            return false;
    }
    return true;
}

/* After fence.i: check the page of block b once per epoch; false when it
 * changed behind the store hook (its blocks, b too, are then retired). */
static bool check_page(struct jit *j, const struct jit_block *b)
{
    if (!b->in_map || j->code_epoch[b->page] == j->epoch)
        return true;
    j->code_epoch[b->page] = j->epoch;
    const uint8_t *host_page = (const uint8_t *)((uintptr_t)b->host & ~(uintptr_t)(PAGE_SIZE - 1));
    if (page_intact(j, b->page, host_page))
        return true;
    retire_page(j, b->page);
    j->stats.stale_pages++;
    return false;
}

/* Bytes [off, off + len) of page pa now hold translated code: stores to the
 * page must leave the write TLB. */
static void mark_code(struct jit *j, struct hart *h, uint64_t pa, const uint8_t *host_page,
                      uint64_t off, uint64_t len)
{
    uint64_t i = (pa - j->map_base) >> PAGE_SHIFT;
    if (pa < j->map_base || i >= j->map_pages)
        return;
    uint64_t m = chunk_mask(off, len);
    /* Chunks already translated must still be what they were (no DMA
     * behind the hook since): then the new hash covers old blocks too. */
    if (j->code_chunks[i] && (j->code_epoch[i] != j->epoch || (j->code_chunks[i] & m)) &&
        !page_intact(j, i, host_page)) {
        retire_page(j, i);
        j->stats.stale_pages++;
    }
    for (uint64_t n = m & ~j->code_chunks[i]; n; n &= n - 1) {
        unsigned c = (unsigned)__builtin_ctzll(n);
        j->code_hash[i * 64 + c] = chunk_hash(host_page + 64 * c);
    }
    j->code_chunks[i] |= m;
    j->code_epoch[i] = j->epoch;
    if (j->code_map[i])
        return;
    j->code_map[i] = 1;
    if (j->nmarked < MAX_MARKED)
        j->marked[j->nmarked] = (uint32_t)i;
    j->nmarked++;
    tlb_drop_writes_to(h, host_page);
}

/* Translate the block at h->pc (code at host address `host`) for the
 * current sets; NULL when it cannot be (fetch would fault, code outside
 * RAM/ROM or in writable memory the store hook does not watch): the
 * interpreter runs it. */
static struct jit_block *translate(struct jit *j, struct hart *h, const uint8_t *host)
{
    uint64_t pc = h->pc, pa;
    if (pc & 1)
        return NULL;
    /* The physical page from the fetch TLB's host pointer, not a page-table
     * walk: a walk would set A bits the interpreter leaves alone (on a PTE
     * the guest changed without sfence.vma, the TLB still maps the old). */
    if (!bus_mem_pa(h->bus, host, &pa))
        return NULL;
    const uint8_t *page = bus_mem_ptr(h->bus, pa & PAGE_MASK, PAGE_SIZE, false);
    size_t off = pc & (PAGE_SIZE - 1);
    if (!page || page + off != host)
        return NULL;
    uint64_t mi = ((pa & PAGE_MASK) - j->map_base) >> PAGE_SHIFT;
    bool in_map = pa >= j->map_base && mi < j->map_pages;
    if (!in_map && bus_mem_ptr(h->bus, pa & PAGE_MASK, PAGE_SIZE, true))
        return NULL;

    /* The next page, for an instruction across the page end (checked again
     * where it runs). */
    uint64_t next_va = (pc & PAGE_MASK) + PAGE_SIZE;
    const uint8_t *next = next_va ? mmu_fetch_host_tlb(h, next_va) : NULL;
    int32_t next_half = -1;
    if (next) {
        uint16_t half;
        memcpy(&half, next, 2);
        next_half = half;
    }

    for (int attempt = 0; attempt < 2; attempt++) {
        if (j->nblocks == MAX_BLOCKS || x64_space(&j->e) < CACHE_RESERVE)
            flush(j);
        struct jit_env env = {
            .exit0 = j->exit0,
            .exit_rax = j->exit_rax,
            .exit_synced = j->exit_synced,
            .exit_xpage = j->exit_xpage,
            .jc = &j->jc[h->iset][h->dset],
            .iset = h->iset,
            .dset = h->dset,
            .max_insns = jit_opts.max_insns ? jit_opts.max_insns : DEFAULT_MAX_INSNS,
            .chain = !jit_opts.no_chain && !jit_opts.verify,
            .bmi2 = j->bmi2 && !jit_opts.no_bmi2,
            .leave_at_heads = jit_opts.leave_at_heads,
            .next_half = next_half,
        };
        /* Blocks start 16-byte aligned. */
        x64_nop(&j->e, (16 - (j->e.len & 15)) & 15);
        size_t start = j->e.len;
        struct jit_tx_out out;
        unsigned n = jit_translate(&j->e, &env, pc, page, &out);
        if (j->e.overflow) {
            flush(j);
            continue;
        }
        if (!n) {
            j->e.len = start;
            return NULL;
        }
        mark_code(j, h, pa & PAGE_MASK, page, out.guest_off, out.guest_len);
        struct jit_block *b = &j->blocks[j->nblocks++];
        memset(b, 0, sizeof(*b));
        b->pc = pc;
        b->host = host;
        b->iset = h->iset;
        b->dset = h->dset;
        b->ninsn = (uint16_t)n;
        b->code = j->e.buf + start;
        b->entry_exit = out.entry_exit;
        b->page = mi;
        b->in_map = in_map;
        b->no_verify = jit_opts.verify && verify_unsafe(page + out.guest_off, out.guest_len);
        unsigned hi = hash_of(pc, host, h->iset, h->dset);
        b->next = j->hash[hi];
        j->hash[hi] = b;
        if (b->in_map) {
            b->pnext = j->pbucket[b->page % PAGE_BUCKETS];
            j->pbucket[b->page % PAGE_BUCKETS] = b;
        }
        j->stats.translated++;
        if (j->dumping)
            x64_dump_block(&j->dump, pc, b->code, j->e.len - start);
        if (j->perf_map)
            fprintf(j->perf_map, "%" PRIxPTR " %zx rv:%" PRIx64 "\n", (uintptr_t)b->code,
                    j->e.len - start, pc);
        return b;
    }
    return NULL;
}

/* ---- the cold tier ---- */

/* Interpret one block: up to the translator's block end, length limit or
 * page end, so counted block starts are the ones it would translate. */
static void interp_block(struct hart *h)
{
    unsigned max = jit_opts.max_insns ? jit_opts.max_insns : DEFAULT_MAX_INSNS;
    uint64_t page = h->pc & PAGE_MASK;
    for (unsigned n = 0; n < max; n++) {
        uint32_t raw;
        if (!mmu_fetch(h, h->pc, &raw))
            return;
        struct insn in;
        decode(raw, &in);
        if (!interp_exec(h, &in))
            return;
        if ((h->pc & PAGE_MASK) != page)
            return;
    }
}

static unsigned count_slot(uint64_t pc, unsigned iset, unsigned dset)
{
    return (unsigned)(((pc >> 1) ^ (pc >> 15) ^ (iset * 5 + dset)) & ((1u << COUNT_BITS) - 1));
}

/* ---- lifecycle ---- */

/* Zeroed memory for per-page tables of guest RAM, touched only where
 * there is code (NULL on failure). */
static void *map_zeroed(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void unmap_code_map(struct jit *j)
{
    if (j->code_map)
        munmap(j->code_map, j->map_pages);
    if (j->code_chunks)
        munmap(j->code_chunks, j->map_pages * sizeof(uint64_t));
    if (j->code_hash)
        munmap(j->code_hash, j->map_pages * 64 * sizeof(uint64_t));
    if (j->code_epoch)
        munmap(j->code_epoch, j->map_pages * sizeof(uint32_t));
    if (j->verify_map)
        munmap(j->verify_map, j->map_pages);
    free(j->snap);
    free(j->jstate);
    free(j->vlog);
}

/* Everything jit_init allocates, as far as it got. */
static void free_jit(struct jit *j)
{
    unmap_code_map(j);
    if (j->cache)
        munmap(j->cache, CACHE_SIZE);
    free(j->xlinks);
    free(j->blocks);
    free(j);
}

bool jit_init(struct hart *h)
{
    if (!jit_supported())
        return false;
    struct jit *j = calloc(1, sizeof(*j));
    if (!j)
        return false;
    j->blocks = calloc(MAX_BLOCKS, sizeof(*j->blocks));
    j->xlinks = calloc(MAX_XLINKS, sizeof(*j->xlinks));
    /* Near the executable when the kernel allows, so calls to helpers are
     * rel32; x64_call_far falls back to an absolute call otherwise. */
    uintptr_t near = ((uintptr_t)(void *)jit_init & ~(uintptr_t)0x1fffff) - (256u << 20);
    void *p = mmap((void *)near, CACHE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
#ifdef MADV_HUGEPAGE
    if (p != MAP_FAILED)
        madvise(p, CACHE_SIZE, MADV_HUGEPAGE);
#endif
    j->cache = p == MAP_FAILED ? NULL : p;
    if (!j->cache || !j->blocks || !j->xlinks) {
        free_jit(j);
        return false;
    }
    x64_emit_init(&j->e, j->cache, CACHE_SIZE);
    j->bmi2 = host_bmi2();
    emit_trampolines(j);
    clear_jc(j);

    /* The code map covers the largest writable memory region (RAM). */
    const struct bus_region *ram = NULL;
    for (unsigned i = 0; i < h->bus->nmem; i++)
        if (!h->bus->mem[i].readonly && (!ram || h->bus->mem[i].size > ram->size))
            ram = &h->bus->mem[i];
    if (ram) {
        j->map_base = ram->base;
        j->map_pages = ram->size >> PAGE_SHIFT;
        j->code_map = map_zeroed(j->map_pages);
        j->code_chunks = map_zeroed(j->map_pages * sizeof(uint64_t));
        j->code_hash = map_zeroed(j->map_pages * 64 * sizeof(uint64_t));
        j->code_epoch = map_zeroed(j->map_pages * sizeof(uint32_t));
        if (!j->code_map || !j->code_chunks || !j->code_hash || !j->code_epoch) {
            free_jit(j);
            return false;
        }
        h->code_map = j->code_map;
        if (jit_opts.verify) {
            j->verify_map = map_zeroed(j->map_pages);
            j->snap = malloc(sizeof(struct hart));
            j->jstate = malloc(sizeof(struct hart));
            j->vlog = malloc(VLOG_MAX * sizeof(*j->vlog));
            if (!j->verify_map || !j->snap || !j->jstate || !j->vlog) {
                log_error("-accel jit,verify: out of memory");
                free_jit(j);
                return false;
            }
            memset(j->verify_map, 1, j->map_pages);
            h->code_map = j->verify_map;
        }
        h->code_map_base = j->map_base;
        h->code_map_pages = j->map_pages;
        h->code_write = code_written;
    }
    if (log_on(LOG_JIT)) {
        const char *prefix = getenv("RVVM_JIT_DUMP");
        if (!prefix)
            prefix = "rvvm-jit";
        j->dumping = x64_dump_open(&j->dump, prefix);
        if (j->dumping)
            log_error("-d jit: writing translated blocks to %s.bin, index in %s.idx", prefix,
                      prefix);
        else
            log_error("-d jit: cannot create %s.bin/.idx", prefix);
    }
    if (log_on(LOG_PERF)) {
        /* perf's JIT symbol map: perf report shows blocks as rv:<guest pc>. */
        char name[64];
        snprintf(name, sizeof(name), "/tmp/perf-%ld.map", (long)getpid());
        j->perf_map = fopen(name, "w");
        if (j->perf_map)
            setvbuf(j->perf_map, NULL, _IOLBF, 0);
        else
            log_error("-d perf: cannot create %s", name);
    }
    h->engine = j;
    return true;
}

void jit_destroy(struct hart *h)
{
    struct jit *j = h->engine;
    if (!j)
        return;
    if (j->dumping) {
        x64_dump_close(&j->dump);
        if (log_on(LOG_JIT))
            log_error("-d jit: %" PRIu64 " blocks translated (%" PRIu64 " interpreted, %" PRIu64
                      " translated runs), %" PRIu64 " chained, %" PRIu64
                      " linked to another page, %" PRIu64 " flushes, %" PRIu64
                      " mapping changes (%" PRIu64 " more of a page without code), %" PRIu64
                      " fence.i, %" PRIu64 " pages changed behind the store hook, %" PRIu64
                      " retired",
                      j->stats.translated, j->stats.cold_blocks, j->stats.hot_runs,
                      j->stats.chained, j->stats.xlinked, j->stats.flushes, j->stats.vmaps,
                      j->stats.vmaps_kept, j->stats.fence_i, j->stats.stale_pages,
                      j->stats.retired);
    }
    if (j->perf_map)
        fclose(j->perf_map);
    if (jit_opts.verify) {
        log_error("-accel jit,verify: %" PRIu64 " block runs checked against the interpreter, %" PRIu64
                  " run on the interpreter alone (device access, time or mip read, wfi)",
                  j->stats.verified, j->stats.unverified);
    }
    h->code_map = NULL;
    h->code_write = NULL;
    free_jit(j);
    h->engine = NULL;
}

const char *jit_check_links(const struct hart *h)
{
    const struct jit *j = h->engine;
    for (unsigned k = 0; j && k < j->nxlinks; k++) {
        const struct xlink *l = &j->xlinks[k];
        if (l->to->dead)
            return "a link to another page leads to a retired block";
        if (rel32_target(l->site) != l->to->code)
            return "a link to another page does not jump to its block";
        if (!jc_page_marked(j, l->to->pc))
            return "a link to another page whose mapping changes would not be undone";
    }
    return NULL;
}

void jit_get_stats(const struct hart *h, struct jit_stats *out)
{
    const struct jit *j = h->engine;
    if (j)
        *out = j->stats;
    else
        memset(out, 0, sizeof(*out));
}

/* ---- -accel jit,verify ---- */

/* A copy of the hart without its TLB arrays (~800 KB): verified blocks
 * start from an empty TLB instead (see verify_block). */
static void copy_hart(struct hart *d, const struct hart *s)
{
    size_t tlb_end = offsetof(struct hart, tlb) + sizeof(s->tlb);
    memcpy(d, s, offsetof(struct hart, tlb));
    memcpy((char *)d + tlb_end, (const char *)s + tlb_end, sizeof(*s) - tlb_end);
}

/* Put back what the hart held before the block: architectural state (the
 * TLB was emptied before the block and is emptied again before this), but
 * not events and device lines, which other threads drive. */
static void restore_hart(struct hart *h, const struct hart *s)
{
    memcpy(h->x, s->x, offsetof(struct hart, events) - offsetof(struct hart, x));
    memcpy(&h->priv, &s->priv, offsetof(struct hart, tlb) - offsetof(struct hart, priv));
    memcpy(&h->mstatus, &s->mstatus,
           offsetof(struct hart, mip_lines) - offsetof(struct hart, mstatus));
    memcpy(&h->mtvec, &s->mtvec, offsetof(struct hart, hartid) - offsetof(struct hart, mtvec));
}

/* Undo logged stores, newest first. */
static void undo_stores(struct hart *h, struct jit *j, unsigned from)
{
    for (unsigned k = j->nvlog; k-- > from;)
        *bus_mem_ptr(h->bus, j->vlog[k].pa, 1, false) = j->vlog[k].old;
}

static const char *state_diff(const struct hart *a, const struct hart *b, char *msg, size_t len)
{
#define CMP(f)                                                                                \
    if (a->f != b->f) {                                                                       \
        snprintf(msg, len, "%s: interpreter %#" PRIx64 ", translator %#" PRIx64, #f,          \
                 (uint64_t)a->f, (uint64_t)b->f);                                             \
        return msg;                                                                           \
    }
    for (unsigned i = 0; i < 32; i++)
        if (a->x[i] != b->x[i]) {
            snprintf(msg, len, "x%u: interpreter %#" PRIx64 ", translator %#" PRIx64, i, a->x[i],
                     b->x[i]);
            return msg;
        }
    for (unsigned i = 0; i < 32; i++)
        if (a->f[i] != b->f[i]) {
            snprintf(msg, len, "f%u: interpreter %#" PRIx64 ", translator %#" PRIx64, i, a->f[i],
                     b->f[i]);
            return msg;
        }
    CMP(pc) CMP(instret) CMP(priv) CMP(iset) CMP(dset) CMP(frm) CMP(fflags) CMP(lr_addr)
    CMP(lr_value) CMP(mstatus) CMP(medeleg) CMP(mideleg) CMP(mie) CMP(mip_sw) CMP(mtvec)
    CMP(stvec) CMP(mepc) CMP(sepc) CMP(mcause) CMP(scause) CMP(mtval) CMP(stval) CMP(mscratch)
    CMP(sscratch) CMP(mcounteren) CMP(scounteren) CMP(mcountinhibit) CMP(menvcfg) CMP(senvcfg)
    CMP(satp) CMP(cycle_offset) CMP(instret_offset)
    for (unsigned i = 0; i < PMP_COUNT / 8; i++)
        CMP(pmpcfg[i])
    for (unsigned i = 0; i < PMP_COUNT; i++)
        CMP(pmpaddr[i])
#undef CMP
    return NULL;
}

/* Memory the two runs left differently, or NULL. Entries [0, n1) are the
 * translator's stores (with what it left), [n1, nvlog) the interpreter's. */
static const char *mem_diff(struct hart *h, struct jit *j, unsigned n1, char *msg, size_t len)
{
    for (unsigned k = 0; k < j->nvlog; k++) {
        uint64_t pa = j->vlog[k].pa;
        bool seen = false;
        for (unsigned m = 0; m < k && !seen; m++)
            seen = j->vlog[m].pa == pa;
        if (seen)
            continue; /* checked with its first entry */
        /* What the translator left: its last store there, or the old byte. */
        uint8_t want = k < n1 ? j->vlog[k].jit : j->vlog[k].old;
        uint8_t got = *bus_mem_ptr(h->bus, pa, 1, false);
        if (got != want) {
            snprintf(msg, len, "memory at %#" PRIx64 ": interpreter %02x, translator %02x", pa,
                     got, want);
            return msg;
        }
    }
    return NULL;
}

static void diverged(struct hart *h, struct jit *j, const struct jit_block *b, const char *what)
{
    log_error("-accel jit,verify: the translated block at pc %#" PRIx64 " (%u instructions) "
              "and the interpreter disagree: %s",
              b->pc, b->ninsn, what);
    fprintf(stderr, "--- before the block\n");
    hart_dump(j->snap, stderr);
    fprintf(stderr, "--- interpreter\n");
    hart_dump(h, stderr);
    fprintf(stderr, "--- translator\n");
    hart_dump(j->jstate, stderr);
    if (h->machine)
        machine_power(h->machine, MACHINE_POWEROFF, EXIT_VERIFY);
    else
        hart_kick(h, HART_EV_STOP);
}

/* Run block b on the translator, then the same instructions from the same
 * state on the interpreter, and compare registers, CSRs and every byte
 * either stored to. Blocks that would touch a device (found out when one
 * does: the access is refused, nothing reaches the device) or read time or
 * mip run on the interpreter alone. */
static void verify_block(struct hart *h, struct jit *j, struct jit_block *b)
{
    if (b->no_verify) {
        j->stats.unverified++;
        interp_block(h);
        return;
    }
    /* Both runs start from an empty TLB (a TLB may always drop entries;
     * the fill log makes this cheap), so nothing of the TLB needs saving
     * or comparing, and both walk the same page-table entries. */
    tlb_flush_all(h);
    copy_hart(j->snap, h);
    j->nvlog = 0;
    j->logging = true;
    h->mmio_abort = true;
    h->mmio_aborted = false;
    j->enter(h, b->code);
    if (h->mmio_aborted) {
        j->logging = false;
        undo_stores(h, j, 0);
        tlb_flush_all(h);
        restore_hart(h, j->snap);
        h->mmio_abort = h->mmio_aborted = false;
        j->stats.unverified++;
        interp_block(h);
        return;
    }
    copy_hart(j->jstate, h);
    unsigned n1 = j->nvlog;
    for (unsigned k = 0; k < n1; k++)
        j->vlog[k].jit = *bus_mem_ptr(h->bus, j->vlog[k].pa, 1, false);
    undo_stores(h, j, 0);
    tlb_flush_all(h);
    restore_hart(h, j->snap);

    /* The interpreter: as many instructions, then a trap that retires
     * nothing if the translator took one. */
    uint64_t want = j->jstate->instret;
    for (unsigned guard = 0; h->instret < want && guard < 2u * MAX_BLOCK_GUARD; guard++)
        interp_step(h);
    if (h->pc != j->jstate->pc && h->instret == want)
        interp_step(h);
    j->logging = false;
    h->mmio_abort = false;
    char msg[160];
    const char *d = NULL;
    if (h->mmio_aborted) {
        h->mmio_aborted = false;
        d = "the interpreter reached a device, the translator did not";
    }
    if (!d)
        d = state_diff(h, j->jstate, msg, sizeof(msg));
    if (!d && j->nvlog > VLOG_MAX - 16)
        d = "too many stores to compare";
    if (!d)
        d = mem_diff(h, j, n1, msg, sizeof(msg));
    if (d) {
        diverged(h, j, b, d);
        return;
    }
    j->stats.verified++;
}

/* ---- the dispatcher ---- */

/* Run translated block b (and whatever it chains to); remember its last
 * direct exit for chaining. */
static void run_block(struct hart *h, struct jit *j, struct jit_block *b, unsigned sets)
{
    /* The direct exit taken last time led here: chain it. Whatever ran in
     * between (interrupts, the interpreter), the exit's target is site_pc
     * under site_sets, which is exactly block b. */
    if (j->site && j->site_pc == b->pc && j->site_sets == sets) {
        if (j->site_xpage) {
            if (j->nxlinks == MAX_XLINKS)
                unlink_xpage(j); /* (start over rather than stop linking) */
            b->linked = true;
            j->xlinks[j->nxlinks++] =
                (struct xlink){.site = j->site, .stub = rel32_target(j->site), .to = b};
            /* A change of its mapping undoes the link: dispatch() filled
             * the jump cache for b, which marked its page. */
            assert(jc_page_marked(j, b->pc));
            j->stats.xlinked++;
        } else {
            j->stats.chained++;
        }
        x64_patch_rel32(j->site, b->code);
    }
    j->stats.hot_runs++;
    if (jit_opts.verify) {
        verify_block(h, j, b);
        return;
    }
    struct jit_exit x = j->enter(h, b->code);
    j->site = x.site;
    j->site_xpage = x.xpage;
    j->site_pc = h->pc;
    j->site_sets = sets;
}

/* One dispatch: run the block at h->pc (translated, translating it when
 * hot, or in the interpreter), possibly followed by blocks chained to it. */
static void dispatch(struct hart *h, struct jit *j)
{
    unsigned iset = h->iset, dset = h->dset, sets = iset * TLB_SETS + dset;
    /* Still cold: no block can exist (a block is translated only once its
     * count slot reaches the threshold, and counts restart only with an
     * empty cache), so the lookups' cache misses can wait. */
    uint8_t *cnt = &j->counts[count_slot(h->pc, iset, dset)];
    if (*cnt < jit_opts.hot_threshold) {
        (*cnt)++;
        j->stats.cold_blocks++;
        interp_block(h);
        return;
    }
    /* What the inline lookup would have found (translated code leaves here
     * after helpers, traps and xRET): a hit names the block under the
     * current mapping, as it does for translated code. */
    struct jit_jc *t = &j->jc[iset][dset];
    struct jit_jc_entry *jc = &t->e[jit_jc_index(h->pc)];
    if (jc->pc == h->pc && jc->gen == t->gen && jc->block) { /* never filled with nochain */
        run_block(h, j, (struct jit_block *)jc->block, sets);
        return;
    }
    /* The physical identity of the code, from the fetch TLB. On a miss the
     * interpreter runs the block: its fetch walks the page table (setting A
     * bits only when the instruction is really fetched, as the spec wants
     * them exact), fills the TLB, or takes the fault. */
    const uint8_t *host = mmu_fetch_host_tlb(h, h->pc);
    if (!host) {
        j->stats.cold_blocks++;
        interp_block(h);
        return;
    }
    struct jit_block *b = lookup(j, h->pc, host, iset, dset);
    if (b && !check_page(j, b))
        b = NULL;
    if (!b) {
        b = translate(j, h, host);
        if (!b) {
            j->stats.cold_blocks++;
            interp_block(h);
            return;
        }
    }
    if (!jit_opts.no_chain) {
        jc->pc = b->pc;
        jc->code = b->code;
        jc->gen = t->gen;
        jc->block = b;
        jc_page_mark(j, b->pc);
    }
    run_block(h, j, b, sets);
}

void jit_run(struct hart *h)
{
    struct jit *j = h->engine;
    while (!atomic_load_explicit(&h->events, memory_order_relaxed))
        dispatch(h, j);
}

void jit_step(struct hart *h)
{
    dispatch(h, h->engine);
}
