/*
 * uart16550.h - 16550A UART (ns16550a) on the console char backend.
 */
#ifndef RVVM_UART16550_H
#define RVVM_UART16550_H

#include <stdint.h>

struct machine;
struct dev;
struct chardev;

#define UART_SIZE 0x100

/*
 * A UART at base driving PLIC source irq, talking to cd (which must outlive
 * the UART: the creator destroys it after the machine). Returns the attached
 * device (owned by the machine) or NULL if it could not be created/attached.
 */
struct dev *uart_create(struct machine *m, uint64_t base, unsigned irq, struct chardev *cd);

#endif
