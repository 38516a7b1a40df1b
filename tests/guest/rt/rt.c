/* Runtime for the guest tests: output, verdict, checks, trap handling,
 * page-table builder. See rt.h and README.md. */
#include "rt.h"

void putc_(char c)
{
    *(volatile u8 *)UART_BASE = (u8)c;
}

void puts_(const char *s)
{
    while (*s)
        putc_(*s++);
}

void puthex(u64 v)
{
    puts_("0x");
    for (int i = 60; i >= 0; i -= 4)
        putc_("0123456789abcdef"[(v >> i) & 15]);
}

void putdec(u64 v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc_(buf[--n]);
}

void pass(void)
{
    puts_("PASS\n");
    for (;;)
        mmio_w32(SYSCON_BASE, 0x5555);
}

void fail(u32 code)
{
    code &= 0xffff;
    if ((code & 0xff) == 0) /* keep the process exit status non-zero */
        code |= 1;
    puts_("FAIL code ");
    putdec(code);
    putc_('\n');
    for (;;)
        mmio_w32(SYSCON_BASE, (code << 16) | 0x3333);
}

int rt_qemu7;

void rt_init(void)
{
    u64 a = csr_read(marchid);
    rt_qemu7 = csr_read(mvendorid) == 0 && a == csr_read(mimpid) && (a >> 16) == 7;
}

void rt_exit(int rc)
{
    if (rc == 0)
        pass();
    fail((u32)rc);
}

void check_eq_(const char *file, int line, const char *what, u64 got, u64 exp)
{
    if (got == exp)
        return;
    puts_("FAIL ");
    puts_(file);
    putc_(':');
    putdec((u64)line);
    puts_(" ");
    puts_(what);
    puts_(": got ");
    puthex(got);
    puts_(" expected ");
    puthex(exp);
    putc_('\n');
    fail((u32)line);
}

void check_true_(const char *file, int line, const char *what, int ok)
{
    if (ok)
        return;
    puts_("FAIL ");
    puts_(file);
    putc_(':');
    putdec((u64)line);
    puts_(" ");
    puts_(what);
    putc_('\n');
    fail((u32)line);
}

/* ---- traps ---- */
volatile struct trap_rec last_trap;
volatile trap_hook_fn trap_hook;
static volatile int armed;
static void *volatile resume_at;
extern char rt_enter_mode_ret[];

void expect_trap(void)
{
    last_trap.count = 0;
    last_trap.cause = ~0UL;
    resume_at = 0;
    armed = 1;
    asm volatile("" ::: "memory");
}

void expect_trap_resume(void *resume)
{
    expect_trap();
    resume_at = resume;
}

void trap_disarm(void)
{
    armed = 0;
    asm volatile("" ::: "memory");
}

void check_trap_(const char *file, int line, u64 cause, u64 tval, int check_tval)
{
    armed = 0;
    if (last_trap.count != 1) {
        puts_("FAIL ");
        puts_(file);
        putc_(':');
        putdec((u64)line);
        puts_(" expected one trap with cause ");
        puthex(cause);
        puts_(", got ");
        putdec(last_trap.count);
        puts_(" traps\n");
        fail((u32)line);
    }
    check_eq_(file, line, "trap cause", last_trap.cause, cause);
    if (check_tval)
        check_eq_(file, line, "trap tval", last_trap.tval, tval);
}

static void unexpected(const char *who, u64 cause, u64 tval, u64 epc)
{
    puts_("FAIL unexpected trap in ");
    puts_(who);
    puts_(" handler: cause ");
    puthex(cause);
    puts_(" tval ");
    puthex(tval);
    puts_(" epc ");
    puthex(epc);
    putc_('\n');
    fail(0xee);
}

/* Length of the instruction at epc (code is identity-mapped or physical). */
static u64 insn_len(u64 epc)
{
    u16 lo = *(volatile u16 *)epc;
    return (lo & 3) == 3 ? 4 : 2;
}

/* Shared logic; returns the new epc. */
static u64 handle(struct trap_frame *f, u64 cause, u64 tval, u64 epc, u64 status, int mode)
{
    if (trap_hook && trap_hook(f, cause, tval, &epc, mode))
        return epc;
    if (!armed)
        unexpected(mode == PRV_M ? "M" : "S", cause, tval, epc);
    last_trap.cause = cause;
    last_trap.tval = tval;
    last_trap.epc = epc;
    last_trap.status = status;
    last_trap.mode = (u64)mode;
    last_trap.count++;
    armed = 0; /* one-shot: a second trap is unexpected */
    if (resume_at)
        return (u64)resume_at;
    if (cause & CAUSE_INTR)
        return epc;
    return epc + insn_len(epc);
}

static int is_magic_ecall(struct trap_frame *f, u64 cause)
{
    return (cause == CAUSE_ECALL_U || cause == CAUSE_ECALL_S || cause == CAUSE_ECALL_M) &&
           f->x[17] == RT_MAGIC_RETURN;
}

void rt_m_trap(struct trap_frame *f)
{
    u64 cause = csr_read(mcause), tval = csr_read(mtval), epc = csr_read(mepc);
    u64 status = csr_read(mstatus);
    if (is_magic_ecall(f, cause) && !armed) {
        /* Return from enter_mode(): back to M mode at rt_enter_mode_ret. */
        csr_set(mstatus, MSTATUS_MPP);
        csr_write(mepc, (u64)rt_enter_mode_ret);
        return;
    }
    csr_write(mepc, handle(f, cause, tval, epc, status, PRV_M));
}

void rt_s_trap(struct trap_frame *f)
{
    u64 cause = csr_read(scause), tval = csr_read(stval), epc = csr_read(sepc);
    u64 status = csr_read(sstatus);
    if (is_magic_ecall(f, cause) && !armed) {
        /* Forward the enter_mode() return to M mode. */
        register u64 a0 asm("a0") = f->x[10];
        register u64 a7 asm("a7") = RT_MAGIC_RETURN;
        asm volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
        for (;;)
            ;
    }
    csr_write(sepc, handle(f, cause, tval, epc, status, PRV_S));
}

/* ---- memory ---- */
void *memset(void *d, int c, unsigned long n)
{
    u8 *p = d;
    while (n--)
        *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

extern char __heap_start[];
static u64 heap_next;

void *alloc_page(void)
{
    if (!heap_next)
        heap_next = ((u64)__heap_start + 0xfff) & ~0xfffUL;
    void *p = (void *)heap_next;
    heap_next += PAGE_4K;
    memset(p, 0, PAGE_4K);
    return p;
}

/* ---- Sv39 ---- */
u64 *pt_new_root(void)
{
    return alloc_page();
}

u64 *pt_lookup(u64 *root, u64 va, int level)
{
    u64 *table = root;
    for (int l = 2; l > level; l--) {
        u64 pte = table[(va >> (12 + 9 * l)) & 511];
        if (!(pte & PTE_V) || (pte & (PTE_R | PTE_W | PTE_X)))
            return 0;
        table = (u64 *)((pte >> 10) << 12);
    }
    return &table[(va >> (12 + 9 * level)) & 511];
}

u64 *pt_map(u64 *root, u64 va, u64 pa, int level, u64 flags)
{
    u64 *table = root;
    for (int l = 2; l > level; l--) {
        u64 *pte = &table[(va >> (12 + 9 * l)) & 511];
        if (!(*pte & PTE_V)) {
            u64 *next = alloc_page();
            *pte = (((u64)next >> 12) << 10) | PTE_V;
        }
        table = (u64 *)((*pte >> 10) << 12);
    }
    u64 *pte = &table[(va >> (12 + 9 * level)) & 511];
    *pte = ((pa >> 12) << 10) | flags;
    return pte;
}
