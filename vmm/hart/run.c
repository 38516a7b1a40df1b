/*
 * run.c - the dispatcher: between blocks, it handles events (interrupts,
 * flushes, stop requests) and hands the hart to its engine.
 */
#include <stdatomic.h>

#include "rvvm/hart.h"
#include "rvvm/log.h"
#include "rvvm_config.h"
#include "vmm/hart/trap.h"
#include "vmm/interp/interp.h"
#if RVVM_HAVE_JIT
#include "vmm/jit/jit.h"
#endif

void hart_run(struct hart *h)
{
#if RVVM_HAVE_JIT
    if (h->engine_kind == ENGINE_JIT && !h->engine && !jit_init(h)) {
        log_error("cannot set up the translator's code cache; using the interpreter");
        h->engine_kind = ENGINE_INTERP;
    }
#endif
    for (;;) {
        uint32_t ev = atomic_exchange_explicit(&h->events, 0, memory_order_acq_rel);
        if (ev & HART_EV_STOP) {
            /* Leave the request visible to anyone who asks later. */
            atomic_fetch_or(&h->events, HART_EV_STOP);
#if RVVM_HAVE_JIT
            /* One engine per run: a reboot reloads memory behind its back. */
            jit_destroy(h);
#endif
            return;
        }
#if RVVM_HAVE_JIT
        if ((ev & (HART_EV_FLUSH | HART_EV_VMAP)) && h->engine)
            jit_events(h, ev);
#endif
        hart_take_irq(h);
#if RVVM_HAVE_JIT
        if (h->engine_kind == ENGINE_JIT) {
            jit_run(h);
            continue;
        }
#endif
        interp_run(h);
    }
}
