/*
 * plic.h - the RISC-V PLIC: 63 level-triggered sources, an M-mode and an
 * S-mode context per hart.
 */
#ifndef RVVM_PLIC_H
#define RVVM_PLIC_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct dev;

#define PLIC_SIZE 0x4000000
#define PLIC_NDEV 63 /* sources 1..63; 0 means "no interrupt" */

/* A PLIC at base with contexts 2h (M, drives mip.MEIP) and 2h+1 (S, drives
 * mip.SEIP) for each of machine_hart_count(m) harts. Returns the attached
 * device (owned by the machine) or NULL. */
struct dev *plic_create(struct machine *m, uint64_t base);

/* Drive source irq's input line; what machine_irq_set() calls. Any thread.
 * Source ids outside 1..PLIC_NDEV are ignored. */
void plic_set_irq(struct dev *plic, unsigned irq, bool level);

#endif
