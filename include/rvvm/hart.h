/*
 * hart.h - one RISC-V hart: its architectural state and the hot runtime
 * state both engines (interpreter and translator) work on.
 *
 * Layout matters: translated code addresses the hot fields (x[], pc, events,
 * the TLB) from a single base register holding the struct hart pointer, so
 * they come first and their offsets are asserted below. Everything the
 * architecture defines is changed only through vmm/hart (CSRs, traps, the
 * page walk); engines execute, they do not re-implement privileged rules.
 *
 * Models: RISC-V Privileged Architecture v1.12 (machine and supervisor
 * levels, Sv39), RISC-V Unprivileged ISA 20191213 (RV64IMAFDC, Zicsr,
 * Zifencei, Zicntr).
 */
#ifndef RVVM_HART_H
#define RVVM_HART_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bus;
struct machine;

/* Privilege levels, as encoded in mstatus.MPP. */
#define PRV_U 0u
#define PRV_S 1u
#define PRV_M 3u

/* ---- the software TLB ----
 * Per access kind (read, write, fetch), direct-mapped on the virtual page
 * number. A hit is one compare and one add: host = guest_va + addend.
 * tag holds the page-aligned virtual address. Because a misaligned access
 * of size n keeps low bits in (va & (PAGE_MASK | (n-1))), the same compare
 * also sends misaligned accesses to the slow path. TLB_TAG_INVALID must
 * never equal such a probe value, whose low 12 bits are at most 7: all ones
 * (a low bit alone would match a misaligned probe in page 0, e.g. va 0x9d).
 *
 * Sets: one per privilege view, so traps and returns never flush. Data
 * accesses from S-mode with SUM=1 get their own set (Linux toggles SUM
 * around every user copy). MPRV picks the data set of MPP.
 */
#define TLB_BITS 12u
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_TAG_INVALID (~0ull)
#define TLB_LOG_MAX 2048u
#define PAGE_SHIFT 12u
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))

enum tlb_kind { TLB_READ, TLB_WRITE, TLB_FETCH, TLB_KINDS };
enum tlb_set { TLBSET_M, TLBSET_S, TLBSET_SSUM, TLBSET_U, TLB_SETS };

struct tlb_entry {
    uint64_t tag;     /* page-aligned guest virtual address */
    uintptr_t addend; /* host address - guest virtual address */
};

/* Bits of hart->events. Anything nonzero makes the engine return to the
 * dispatcher at the next block boundary. Set atomically from any thread. */
#define HART_EV_IRQ 0x1u   /* mip/mie/enables may have changed: re-check */
#define HART_EV_STOP 0x2u  /* leave hart_run() (poweroff, reboot, error) */
#define HART_EV_FLUSH 0x4u /* fence.i: code may have changed behind the store hook */
#define HART_EV_VMAP 0x8u  /* satp or sfence.vma: virtual -> physical mappings changed */
#define VMAP_ALL UINT64_MAX /* hart.vmap_va: more than one page changed */
#define TLB_SUPER_MAX 16u

/* Interrupt bits in mip/mie. */
#define IRQ_SSI 1u
#define IRQ_MSI 3u
#define IRQ_STI 5u
#define IRQ_MTI 7u
#define IRQ_SEI 9u
#define IRQ_MEI 11u
#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_MSIP (1ull << IRQ_MSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_MTIP (1ull << IRQ_MTI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define MIP_MEIP (1ull << IRQ_MEI)

/* Exception causes (mcause with interrupt bit clear). */
enum {
    EXC_INSN_MISALIGNED = 0,
    EXC_INSN_ACCESS = 1,
    EXC_ILLEGAL = 2,
    EXC_BREAKPOINT = 3,
    EXC_LOAD_MISALIGNED = 4,
    EXC_LOAD_ACCESS = 5,
    EXC_STORE_MISALIGNED = 6,
    EXC_STORE_ACCESS = 7,
    EXC_ECALL_U = 8,
    EXC_ECALL_S = 9,
    EXC_ECALL_M = 11,
    EXC_INSN_PAGE = 12,
    EXC_LOAD_PAGE = 13,
    EXC_STORE_PAGE = 15,
};
#define CAUSE_IRQ (1ull << 63)

/* mstatus fields */
#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_UBE (1ull << 6)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP (1ull << 8)
#define MSTATUS_VS (3ull << 9)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_XS (3ull << 15)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)
#define MSTATUS_UXL (3ull << 32)
#define MSTATUS_SXL (3ull << 34)
#define MSTATUS_SBE (1ull << 36)
#define MSTATUS_MBE (1ull << 37)
#define MSTATUS_SD (1ull << 63)
#define FS_OFF 0u
#define FS_INITIAL 1u
#define FS_CLEAN 2u
#define FS_DIRTY 3u

#define PMP_COUNT 16

struct hart {
    /* ---- hot: addressed by translated code, keep first ---- */
    uint64_t x[32];
    uint64_t pc;
    _Atomic uint32_t events; /* HART_EV_*; nonzero -> stop at next block boundary */
    uint8_t priv;            /* PRV_U, PRV_S or PRV_M */
    uint8_t dset;            /* TLB set for loads and stores (MPRV, SUM applied) */
    uint8_t iset;            /* TLB set for instruction fetch */
    uint64_t f[32];          /* FP registers as raw bits; singles are NaN-boxed */
    uint32_t frm;            /* fcsr.frm */
    uint32_t fflags;         /* fcsr.fflags, accrued */
    uint64_t lr_addr;        /* LR/SC reservation (physical), or LR_NONE */
    uint64_t lr_value;       /* value loaded by LR, so SC can compare-and-swap */
    uint64_t instret;        /* retired instructions (also drives mcycle) */
    struct tlb_entry tlb[TLB_SETS][TLB_KINDS][TLB_SIZE];

    /* ---- CSRs ---- */
    uint64_t mstatus; /* sstatus is a view of it */
    uint64_t misa;
    uint64_t medeleg, mideleg;
    uint64_t mie;
    uint64_t mip_sw;                /* SSIP, STIP, SEIP as written by software */
    _Atomic uint64_t mip_lines;     /* MSIP, MTIP, SEIP, MEIP driven by devices */
    uint64_t mtvec, stvec;
    uint64_t mepc, sepc;
    uint64_t mcause, scause;
    uint64_t mtval, stval;
    uint64_t mscratch, sscratch;
    uint32_t mcounteren, scounteren;
    uint32_t mcountinhibit;
    uint64_t menvcfg, senvcfg;
    uint64_t satp;
    uint64_t pmpcfg[PMP_COUNT / 8]; /* pmpcfg0, pmpcfg2 on RV64 */
    uint64_t pmpaddr[PMP_COUNT];
    int64_t cycle_offset;   /* mcycle = instret + cycle_offset */
    int64_t instret_offset; /* minstret = instret + instret_offset */
    /* Superpage walks since the last full flush. TLB entries are per 4 KiB
     * page, so an sfence.vma on an address inside one of these ranges drops
     * every entry of the range; elsewhere it drops one page. Too many ranges
     * (tlb_super_overflow): it drops everything, as after a full flush. */
    uint64_t tlb_super_base[TLB_SUPER_MAX];
    uint64_t tlb_super_mask[TLB_SUPER_MAX]; /* range size - 1 */
    uint8_t tlb_nsuper;
    bool tlb_super_overflow;
    /* The TLB entries filled since the last full flush (indices into
     * tlb[][][]), so that a flush or a scan visits those and not all of
     * them. !tlb_log_ok (zeroed memory, or more fills than fit): every
     * entry is suspect, and the next full flush visits them all. */
    uint32_t tlb_log[TLB_LOG_MAX];
    uint32_t tlb_nlog;
    bool tlb_log_ok;
    /* With HART_EV_VMAP: the one virtual page whose mapping changed
     * (sfence.vma rs1 outside any superpage), else VMAP_ALL. */
    uint64_t vmap_va;

    /* ---- run state ---- */
    unsigned hartid;
    struct bus *bus;
    struct machine *machine;
    uint64_t timecmp; /* the CLINT's mtimecmp for this hart */
    pthread_mutex_t wfi_lock;
    pthread_cond_t wfi_cond;
    unsigned engine_kind; /* enum hart_engine */
    void *engine;         /* engine-private state (jit code cache, ...) */
    void *dcache;         /* the interpreter's decode cache (vmm/interp/interp.c) */

    /* Self-modifying code hook, set by an engine that caches translations
     * (code_map NULL when unused). A nonzero code_map[i] marks the
     * guest-physical page code_map_base + i * PAGE_SIZE as holding
     * translated code: vmm/hart/mmu.c keeps such pages out of the write TLB
     * and calls code_write(h, pa, size) before every store to one (slow-path
     * stores, SC and AMOs), so the engine can drop stale translations. */
    uint8_t *code_map;
    uint64_t code_map_base, code_map_pages;
    void (*code_write)(struct hart *h, uint64_t pa, unsigned size);

    /* `-accel jit,verify`: while mmio_abort is set, a load or store that
     * would reach a device does not, and fails without a trap, setting
     * mmio_aborted (the engine then runs that code again, for real). */
    bool mmio_abort, mmio_aborted;
};

enum hart_engine { ENGINE_INTERP, ENGINE_JIT };

#define LR_NONE (~0ull)

/* The translator reaches these with disp8/disp32 from one base register. */
_Static_assert(offsetof(struct hart, x) == 0, "x[] must be at offset 0");
_Static_assert(offsetof(struct hart, pc) == 256, "pc right after x[]");
_Static_assert(offsetof(struct hart, tlb) < 0x1000, "TLB base within a small disp32");
_Static_assert(sizeof(struct tlb_entry) == 16, "TLB entry is tag + addend");

/* ---- lifecycle (vmm/hart/hart.c) ---- */
void hart_init(struct hart *h, unsigned hartid, struct bus *bus, struct machine *m);
void hart_destroy(struct hart *h);
void hart_reset(struct hart *h, uint64_t pc);

/* Drive a device interrupt line into mip (any thread). */
void hart_set_line(struct hart *h, unsigned bit, bool level);
/* Ask the hart to leave its engine at the next block boundary (any thread). */
void hart_kick(struct hart *h, uint32_t events);

/* Run the hart on its engine until it is asked to stop (HART_EV_STOP). */
void hart_run(struct hart *h);

/* Dump the architectural state, for asserts and `-accel jit,verify`. */
void hart_dump(const struct hart *h, FILE *f);

#endif
