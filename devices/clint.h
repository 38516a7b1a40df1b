/*
 * clint.h - SiFive CLINT: software interrupts (MSIP) and the machine timer.
 */
#ifndef RVVM_CLINT_H
#define RVVM_CLINT_H

#include <stdint.h>

struct machine;
struct dev;

#define CLINT_SIZE 0x10000

/* A CLINT at base for all machine_hart_count(m) harts (at most 4095).
 * Returns the attached device (owned by the machine) or NULL. */
struct dev *clint_create(struct machine *m, uint64_t base);

#endif
