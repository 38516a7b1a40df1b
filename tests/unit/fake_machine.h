/*
 * fake_machine.h - a machine for device unit tests: implements every service
 * of include/rvvm/device.h and records what devices asked of it.
 */
#ifndef RVVM_FAKE_MACHINE_H
#define RVVM_FAKE_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rvvm/device.h"

#define FAKE_MAX_HARTS 8
#define FAKE_MAX_IRQ 64
#define FAKE_MAX_DEVS 16
#define FAKE_PLIC_PHANDLE 0x10u
#define FAKE_INTC_PHANDLE(h) (0x20u + (h))

struct machine {
    pthread_mutex_t lock; /* devices may call in from their own threads */
    unsigned harts;
    struct dev *devs[FAKE_MAX_DEVS];
    unsigned ndevs;
    bool attach_fails; /* make machine_attach refuse */

    bool irq[FAKE_MAX_IRQ];
    unsigned irq_calls[FAKE_MAX_IRQ];
    /* Optional: route machine_irq_set somewhere (e.g. a real PLIC). */
    void (*irq_hook)(struct machine *m, unsigned irq, bool level);
    void *hook_opaque;

    bool hart_irq[FAKE_MAX_HARTS][16];
    unsigned hart_irq_calls[FAKE_MAX_HARTS][16];
    uint64_t timecmp[FAKE_MAX_HARTS];
    unsigned timecmp_calls[FAKE_MAX_HARTS];

    uint64_t time;

    uint64_t ram_base;
    uint8_t *ram;
    size_t ram_size;

    enum machine_power power_req;
    int power_code;
    unsigned power_calls;

    unsigned guest_errors;
    char last_error[256];
};

struct machine *fake_machine_new(unsigned harts);
/* Destroys the attached devices (ops->destroy, then free) and the machine. */
void fake_machine_free(struct machine *m);

/* Thread-safe views for tests that race a device thread. */
bool fake_machine_irq(struct machine *m, unsigned irq);

/* An empty FDT with /soc (2 address cells, 2 size cells) for fdt op tests;
 * free() it. */
void *fake_fdt_new(void);

#endif
