/*
 * run.c - the dispatcher: between blocks, it handles events (interrupts,
 * flushes, stop requests) and hands the hart to its engine.
 */
#include <stdatomic.h>

#include "rvvm/hart.h"
#include "vmm/hart/trap.h"
#include "vmm/interp/interp.h"

void hart_run(struct hart *h)
{
    for (;;) {
        uint32_t ev = atomic_exchange_explicit(&h->events, 0, memory_order_acq_rel);
        if (ev & HART_EV_STOP) {
            /* Leave the request visible to anyone who asks later. */
            atomic_fetch_or(&h->events, HART_EV_STOP);
            return;
        }
        hart_take_irq(h);
        interp_run(h);
    }
}
