/*
 * hart.c - hart lifecycle, interrupt lines, WFI and the state dump.
 */
#include "rvvm/hart.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rvvm/device.h"
#include "vmm/hart/mmu.h"
#include "vmm/hart/trap.h"

/* misa: MXL=2 (64-bit), extensions I M A F D C S U. */
#define MISA_RV64GC                                                                       \
    ((2ull << 62) | (1u << ('I' - 'A')) | (1u << ('M' - 'A')) | (1u << ('A' - 'A')) |     \
     (1u << ('F' - 'A')) | (1u << ('D' - 'A')) | (1u << ('C' - 'A')) |                    \
     (1u << ('S' - 'A')) | (1u << ('U' - 'A')))

void hart_init(struct hart *h, unsigned hartid, struct bus *bus, struct machine *m)
{
    memset(h, 0, sizeof(*h));
    h->hartid = hartid;
    h->bus = bus;
    h->machine = m;
    pthread_mutex_init(&h->wfi_lock, NULL);
    pthread_cond_init(&h->wfi_cond, NULL);
    hart_reset(h, 0x1000);
}

void hart_destroy(struct hart *h)
{
    free(h->dcache);
    h->dcache = NULL;
    pthread_cond_destroy(&h->wfi_cond);
    pthread_mutex_destroy(&h->wfi_lock);
}

void hart_reset(struct hart *h, uint64_t pc)
{
    memset(h->x, 0, sizeof(h->x));
    memset(h->f, 0, sizeof(h->f));
    h->pc = pc;
    h->priv = PRV_M;
    h->frm = 0;
    h->fflags = 0;
    h->lr_addr = LR_NONE;
    h->instret = 0;
    h->cycle_offset = 0;
    h->instret_offset = 0;
    /* UXL = SXL = 2 (64-bit); everything else starts at zero. */
    h->mstatus = (2ull << 32) | (2ull << 34);
    h->misa = MISA_RV64GC;
    h->medeleg = h->mideleg = 0;
    h->mie = 0;
    h->mip_sw = 0;
    atomic_store(&h->mip_lines, 0);
    h->mtvec = h->stvec = 0;
    h->mepc = h->sepc = h->mcause = h->scause = h->mtval = h->stval = 0;
    h->mscratch = h->sscratch = 0;
    h->mcounteren = h->scounteren = h->mcountinhibit = 0;
    h->menvcfg = h->senvcfg = 0;
    h->satp = 0;
    memset(h->pmpcfg, 0, sizeof(h->pmpcfg));
    memset(h->pmpaddr, 0, sizeof(h->pmpaddr));
    h->timecmp = UINT64_MAX;
    tlb_flush_all(h);
    hart_update_sets(h);
    atomic_store(&h->events, 0);
}

void hart_kick(struct hart *h, uint32_t events)
{
    atomic_fetch_or_explicit(&h->events, events, memory_order_release);
    /* Wake a hart sleeping in WFI. Taking the lock orders this against the
     * sleeper's check-then-wait. */
    pthread_mutex_lock(&h->wfi_lock);
    pthread_cond_broadcast(&h->wfi_cond);
    pthread_mutex_unlock(&h->wfi_lock);
}

void hart_set_line(struct hart *h, unsigned bit, bool level)
{
    uint64_t m = 1ull << bit;
    if (level) {
        uint64_t old = atomic_fetch_or_explicit(&h->mip_lines, m, memory_order_acq_rel);
        if (!(old & m))
            hart_kick(h, HART_EV_IRQ);
    } else {
        atomic_fetch_and_explicit(&h->mip_lines, ~m, memory_order_acq_rel);
    }
}

void hart_dump(const struct hart *h, FILE *f)
{
    static const char *const abi[32] = {
        "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
        "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
        "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
    fprintf(f, "hart %u: pc=%016" PRIx64 " priv=%u instret=%" PRIu64 "\n", h->hartid, h->pc,
            h->priv, h->instret);
    for (unsigned i = 0; i < 32; i++)
        fprintf(f, "  x%-2u %-4s %016" PRIx64 "%s", i, abi[i], h->x[i], (i % 4 == 3) ? "\n" : "");
    for (unsigned i = 0; i < 32; i++)
        fprintf(f, "  f%-2u %016" PRIx64 "%s", i, h->f[i], (i % 4 == 3) ? "\n" : "");
    fprintf(f,
            "  mstatus=%016" PRIx64 " mie=%03" PRIx64 " mip=%03" PRIx64 " mideleg=%03" PRIx64
            " medeleg=%04" PRIx64 " fcsr=%02x\n",
            h->mstatus, h->mie, hart_mip(h), h->mideleg, h->medeleg, (h->frm << 5) | h->fflags);
    fprintf(f,
            "  mepc=%016" PRIx64 " mcause=%016" PRIx64 " mtval=%016" PRIx64 " mtvec=%016" PRIx64
            "\n",
            h->mepc, h->mcause, h->mtval, h->mtvec);
    fprintf(f,
            "  sepc=%016" PRIx64 " scause=%016" PRIx64 " stval=%016" PRIx64 " stvec=%016" PRIx64
            "\n",
            h->sepc, h->scause, h->stval, h->stvec);
    fprintf(f, "  satp=%016" PRIx64 "\n", h->satp);
}

void hart_wfi(struct hart *h)
{
    pthread_mutex_lock(&h->wfi_lock);
    while (!(hart_mip(h) & h->mie) &&
           !(atomic_load_explicit(&h->events, memory_order_acquire) & HART_EV_STOP))
        pthread_cond_wait(&h->wfi_cond, &h->wfi_lock);
    pthread_mutex_unlock(&h->wfi_lock);
    hart_request(h, HART_EV_IRQ);
}
