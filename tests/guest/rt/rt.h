/* Runtime for the bare-metal guest tests: UART output, the syscon finisher,
 * checks that report expected vs got, a trap-expectation mechanism, helpers to
 * run code in S or U mode, and a small Sv39 page-table builder.
 * Machine: QEMU virt / rvvm board (RAM 0x80000000, UART 0x10000000,
 * syscon 0x100000, CLINT 0x2000000). See README.md. */
#ifndef RT_H
#define RT_H

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;

#define UART_BASE 0x10000000UL
#define SYSCON_BASE 0x100000UL
#define CLINT_BASE 0x2000000UL
#define CLINT_MSIP (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME (CLINT_BASE + 0xbff8)

/* Exception causes */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_ECALL_U 8
#define CAUSE_ECALL_S 9
#define CAUSE_ECALL_M 11
#define CAUSE_FETCH_PAGE 12
#define CAUSE_LOAD_PAGE 13
#define CAUSE_STORE_PAGE 15
#define CAUSE_INTR (1UL << 63)
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11

/* mstatus bits */
#define MSTATUS_SIE (1UL << 1)
#define MSTATUS_MIE (1UL << 3)
#define MSTATUS_SPIE (1UL << 5)
#define MSTATUS_UBE (1UL << 6)
#define MSTATUS_MPIE (1UL << 7)
#define MSTATUS_SPP (1UL << 8)
#define MSTATUS_VS (3UL << 9)
#define MSTATUS_MPP (3UL << 11)
#define MSTATUS_FS (3UL << 13)
#define MSTATUS_XS (3UL << 15)
#define MSTATUS_MPRV (1UL << 17)
#define MSTATUS_SUM (1UL << 18)
#define MSTATUS_MXR (1UL << 19)
#define MSTATUS_TVM (1UL << 20)
#define MSTATUS_TW (1UL << 21)
#define MSTATUS_TSR (1UL << 22)
#define MSTATUS_UXL (3UL << 32)
#define MSTATUS_SXL (3UL << 34)
#define MSTATUS_SD (1UL << 63)
#define FS_OFF 0UL
#define FS_INITIAL (1UL << 13)
#define FS_CLEAN (2UL << 13)
#define FS_DIRTY (3UL << 13)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr) ({ u64 __v; asm volatile("csrr %0, " STR(csr) : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ asm volatile("csrw " STR(csr) ", %0" :: "rK"((u64)(val)) : "memory"); })
#define csr_set(csr, val) ({ asm volatile("csrs " STR(csr) ", %0" :: "rK"((u64)(val)) : "memory"); })
#define csr_clear(csr, val) ({ asm volatile("csrc " STR(csr) ", %0" :: "rK"((u64)(val)) : "memory"); })
#define csr_swap(csr, val) ({ u64 __v; asm volatile("csrrw %0, " STR(csr) ", %1" : "=r"(__v) : "rK"((u64)(val)) : "memory"); __v; })

static inline void mmio_w32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline u32 mmio_r32(u64 a) { return *(volatile u32 *)a; }
static inline void mmio_w64(u64 a, u64 v) { *(volatile u64 *)a = v; }
static inline u64 mmio_r64(u64 a) { return *(volatile u64 *)a; }

/* ---- output and verdict ---- */
void putc_(char c);
void puts_(const char *s);            /* no newline added */
void puthex(u64 v);                   /* 0x + 16 digits */
void putdec(u64 v);
void pass(void) __attribute__((noreturn));
/* Finisher gets (code<<16)|0x3333; exit status is code & 0xff (forced non-zero). */
void fail(u32 code) __attribute__((noreturn));

/* Checks: on mismatch print "FAIL file:line what: got X expected Y" and fail(line). */
void check_eq_(const char *file, int line, const char *what, u64 got, u64 exp);
void check_true_(const char *file, int line, const char *what, int ok);
#define CHECK_EQ(got, exp) check_eq_(__FILE__, __LINE__, #got, (u64)(got), (u64)(exp))
#define CHECK(cond) check_true_(__FILE__, __LINE__, #cond, !!(cond))
#define FAIL_HERE(what) check_true_(__FILE__, __LINE__, what, 0)

/* ---- traps ----
 * Both the M handler and the S handler (when stvec = s_trap_entry) use this.
 * Arm with expect_trap(); the next trap (only that one) is recorded in last_trap and the
 * faulting instruction is skipped (epc += its length), or execution resumes at
 * `resume` when given (needed for fetch faults). An unexpected trap prints its
 * cause/tval/epc and fails with code 0xee. */
struct trap_frame {
    u64 x[32]; /* x[0] unused; x[2] = interrupted sp */
};
struct trap_rec {
    u64 cause, tval, epc, status; /* status: mstatus or sstatus at trap time */
    u64 mode;                     /* PRV_M or PRV_S: which handler took it */
    u64 count;                    /* traps recorded since expect_trap() */
};
extern volatile struct trap_rec last_trap;
void expect_trap(void);
void expect_trap_resume(void *resume);
void trap_disarm(void); /* cancel an expect_trap() that may not have fired */
/* Assert exactly one trap was taken since expect_trap, with this cause/tval. */
void check_trap_(const char *file, int line, u64 cause, u64 tval, int check_tval);
#define CHECK_TRAP(cause, tval) check_trap_(__FILE__, __LINE__, (cause), (tval), 1)
#define CHECK_TRAP_CAUSE(cause) check_trap_(__FILE__, __LINE__, (cause), 0, 0)
#define CHECK_NO_TRAP() CHECK_EQ(last_trap.count, 0)

/* Optional hook called first for every trap (both modes). Return 1 if handled
 * (the hook may change *epc); 0 to fall through to the expectation logic. */
typedef int (*trap_hook_fn)(struct trap_frame *f, u64 cause, u64 tval, u64 *epc, int mode);
extern volatile trap_hook_fn trap_hook;

void m_trap_entry(void);
void s_trap_entry(void);

/* Run fn(arg) in privilege `mode` (PRV_S or PRV_U) from M mode; returns its
 * value. The return path is an ecall with a7 = RT_MAGIC_RETURN, caught by the
 * M handler (or forwarded there by the S handler). mstatus.MPP is set; other
 * mstatus bits are left as the caller set them. */
#define RT_MAGIC_RETURN 0x5254524554ULL
u64 enter_mode(u64 mode, u64 (*fn)(u64), u64 arg);
/* Current privilege is not visible to software; tests track it themselves. */

/* True on QEMU 7.x, which reports marchid = mimpid = its version (0x07mmpp)
 * and mvendorid 0 (sampled in M mode at start-up, so usable in any mode).
 * Used only to tolerate documented QEMU 7.2 deviations from the spec; rvvm
 * must report other IDs so it gets the strict check. */
extern int rt_qemu7;
static inline int on_qemu7(void)
{
    return rt_qemu7;
}

/* ---- CLINT ---- */
static inline u64 mtime(void) { return mmio_r64(CLINT_MTIME); }
static inline void set_mtimecmp(u64 v) { mmio_w64(CLINT_MTIMECMP, v); }
static inline void set_msip(u32 v) { mmio_w32(CLINT_MSIP, v); }

/* ---- Sv39 ---- */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PAGE_4K 0x1000UL
#define PAGE_2M 0x200000UL
#define PAGE_1G 0x40000000UL
void *alloc_page(void); /* zeroed 4 KiB page from the free RAM after the image */
u64 *pt_new_root(void);
/* Map va -> pa with a leaf at `level` (0 = 4K, 1 = 2M, 2 = 1G); returns &pte. */
u64 *pt_map(u64 *root, u64 va, u64 pa, int level, u64 flags);
u64 *pt_lookup(u64 *root, u64 va, int level); /* &pte at that level, or 0 */
static inline u64 satp_sv39(u64 *root, u64 asid) {
    return (8UL << 60) | (asid << 44) | ((u64)root >> 12);
}
static inline void sfence_vma_all(void) { asm volatile("sfence.vma" ::: "memory"); }

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

int main(void); /* return 0 = pass, else fail code */

#endif
