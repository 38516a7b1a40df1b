/* Instruction access faults (cause 1, mepc = mtval = the address fetched) on
 * every way code reaches physical memory that is not there: jalr and jal to
 * just below RAM (0x7ff21f9c, where a random stream of tests/diff went;
 * skipped where something answers there, as QEMU's PCIe window does), a
 * branch and a jal past the end of RAM, running off the end of RAM, a 4-byte
 * instruction whose second half lies past it (mtval: either half, as the
 * spec allows), and in S mode under Sv39 a valid executable PTE whose
 * physical page does not exist, entered by a jump and by running off the
 * page before it. Each case runs REPS times, so a tiered engine has it
 * translated (and chained) before the last runs. Also, where both pages
 * exist: a 4-byte instruction across a page boundary runs hot, then runs
 * again after its second half changed (a translator cannot know that half
 * when it translates the first page). */
#include "rt.h"

#define BELOW_RAM 0x7ff21f9cUL
#define REPS 40
#define VBASE 0x40000000UL /* the Sv39 case's pages, second gigabyte */
#define NOP 0x00000013u    /* addi x0, x0, 0 */

static u32 near_code[4] __attribute__((aligned(16))); /* within jal reach of BELOW_RAM */
static u64 ram_end;

/* Enter at `entry`; expect one fetch access fault at epc, mtval tval_a or
 * tval_b, and resume after the call. */
static __attribute__((noinline)) void fault_at(int line, u64 entry, u64 epc, u64 tval_a, u64 tval_b)
{
    for (int i = 0; i < REPS; i++) {
        extern char fetch_back[];
        expect_trap_resume(fetch_back);
        asm volatile("jalr ra, 0(%0)\n fetch_back:" :: "r"(entry) : "ra", "memory");
        check_trap_(__FILE__, line, CAUSE_FETCH_ACCESS, 0, 0);
        check_eq_(__FILE__, line, "epc", last_trap.epc, epc);
        if (last_trap.tval != tval_b)
            check_eq_(__FILE__, line, "tval", last_trap.tval, tval_a);
    }
}
#define FAULT(entry, epc) fault_at(__LINE__, (entry), (epc), (epc), (epc))

static u32 enc_jal0(i64 off)
{
    u32 u = (u32)off;
    return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
           ((u >> 12) & 0xff) << 12 | 0x6f;
}

static u32 enc_beq00(i64 off)
{
    u32 u = (u32)off;
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | ((u >> 1) & 0xf) << 8 |
           ((u >> 11) & 1) << 7 | 0x63;
}

static void put32(u64 a, u32 v)
{
    *(volatile u16 *)a = (u16)v; /* 2-byte aligned only, at RAM's last bytes */
    *(volatile u16 *)(a + 2) = (u16)(v >> 16);
}

static void sync_code(void) { asm volatile("fence.i" ::: "memory"); }

/* Does a load at pa fault (nothing there)? */
static int absent(u64 pa)
{
    u64 v = 0;
    expect_trap();
    asm volatile("lbu %0, 0(%1)" : "+r"(v) : "r"(pa) : "memory");
    if (!last_trap.count) {
        trap_disarm();
        return 0;
    }
    CHECK_TRAP(CAUSE_LOAD_ACCESS, pa);
    return 1;
}

/* The first address past RAM: probe with loads, 1 MiB at a time. */
static u64 find_ram_end(void)
{
    u64 a = 0x80000000UL;
    for (;;) {
        if (absent(a + (1UL << 20) - 1))
            return a;
        a += 1UL << 20;
    }
}

static u64 *code_page;

/* Two pages of code: [PAGE_4K - 8] addi a0, a0, 1; [-4] c.addi a0, 2;
 * [-2] addi a0, a0, imm across the boundary; [+2] c.jr ra. */
static u16 across[PAGE_4K] __attribute__((aligned(PAGE_4K)));

static u64 run_across(u64 a0)
{
    register u64 r asm("a0") = a0;
    asm volatile("jalr ra, 0(%1)" : "+r"(r) : "r"((u64)across + PAGE_4K - 8) : "ra", "memory");
    return r;
}

static void across_page(void)
{
    u64 b = (u64)across + PAGE_4K;
    put32(b - 8, 0x00150513u); /* addi a0, a0, 1 */
    *(volatile u16 *)(b - 4) = 0x0509; /* c.addi a0, 2 */
    put32(b - 2, 0x00450513u); /* addi a0, a0, 4 */
    *(volatile u16 *)(b + 2) = 0x8082; /* c.jr ra */
    sync_code();
    for (u64 i = 0; i < 4 * REPS; i++)
        CHECK_EQ(run_across(i), i + 7);
    *(volatile u16 *)b = 0x0085; /* now addi a0, a0, 8: only the second page changed */
    sync_code();
    for (u64 i = 0; i < 4 * REPS; i++)
        CHECK_EQ(run_across(i), i + 11);
}

static u64 s_tests(u64 arg)
{
    (void)arg;
    u64 v = VBASE + PAGE_4K; /* mapped to a physical page that does not exist */
    FAULT(v + (BELOW_RAM & 0xfff), v + (BELOW_RAM & 0xfff));
    FAULT(v, v);
    /* run off the code page into it */
    u32 *c = (u32 *)code_page;
    c[1022] = NOP;
    c[1023] = NOP;
    sync_code();
    FAULT(VBASE + 4088, v);
    /* a 4-byte instruction across the boundary (QEMU 7.2 aborts: below) */
    if (!on_qemu7()) {
        put32((u64)code_page + 4090, NOP);
        *(volatile u16 *)((u64)code_page + 4094) = (u16)NOP;
        sync_code();
        fault_at(__LINE__, VBASE + 4090, VBASE + 4094, VBASE + 4094, v);
    } else {
        puts_("QEMU 7.2: the instruction across into a missing page not tested (QEMU aborts on it)\n");
    }
    /* a branch into it */
    c[1023] = enc_beq00(0x40);
    sync_code();
    FAULT(VBASE + 4092, v + 0x3c);
    return 0;
}

int main(void)
{
    across_page();

    /* Below RAM: nothing on rvvm; QEMU's virt has its PCIe window there,
     * which reads as all-ones (an illegal instruction). */
    if (absent(BELOW_RAM)) {
        FAULT(BELOW_RAM, BELOW_RAM); /* jalr */
        i64 off = (i64)BELOW_RAM - (i64)(u64)near_code;
        CHECK(off >= -(1L << 20));
        near_code[0] = enc_jal0(off);
        sync_code();
        FAULT((u64)near_code, BELOW_RAM); /* jal */
    } else {
        puts_("memory below RAM answers: jumps there not testable\n");
    }

    /* past the end of RAM: code in its last bytes */
    ram_end = find_ram_end();
    CHECK(ram_end > 0x80000000UL);
    u64 e = ram_end;
    put32(e - 8, NOP);
    put32(e - 4, NOP);
    sync_code();
    FAULT(e - 8, e); /* run off the end */
    put32(e - 4, enc_beq00(0x104));
    sync_code();
    FAULT(e - 8, e + 0x100); /* branch */
    put32(e - 4, enc_jal0(0x2004));
    sync_code();
    FAULT(e - 8, e + 0x2000); /* jal */
    /* The second half outside. (QEMU 7.2 aborts on it: an assertion in
     * translator_access, for an instruction that crosses into a page with
     * no memory.) */
    if (!on_qemu7()) {
        put32(e - 6, NOP);
        *(volatile u16 *)(e - 2) = (u16)NOP;
        sync_code();
        fault_at(__LINE__, e - 6, e - 2, e - 2, e);
    } else {
        puts_("QEMU 7.2: the instruction across the end of RAM not tested (QEMU aborts on it)\n");
    }

    /* S mode, Sv39: identity RAM gigabyte and low (MMIO) gigabyte; VBASE a
     * code page, VBASE + 4K an executable page at a physical address where
     * nothing is. */
    code_page = alloc_page();
    u64 *root = pt_new_root();
    pt_map(root, 0, 0, 2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
    pt_map(root, 0x80000000UL, 0x80000000UL, 2,
           PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    pt_map(root, VBASE, (u64)code_page, 0, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
    CHECK(absent(e + 0x10000));
    pt_map(root, VBASE + PAGE_4K, e + 0x10000, 0, PTE_V | PTE_R | PTE_X | PTE_A);
    csr_write(satp, satp_sv39(root, 0));
    sfence_vma_all();
    CHECK_EQ(enter_mode(PRV_S, s_tests, 0), 0);
    csr_write(satp, 0);
    sfence_vma_all();
    return 0;
}
