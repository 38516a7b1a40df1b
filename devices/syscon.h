/*
 * syscon.h - the SiFive test finisher ("sifive,test0"): guest-requested
 * poweroff with an exit code, and reboot.
 */
#ifndef RVVM_SYSCON_H
#define RVVM_SYSCON_H

#include <stdint.h>

struct machine;
struct dev;

#define SYSCON_SIZE 0x1000

/* Returns the attached device (owned by the machine) or NULL. */
struct dev *syscon_create(struct machine *m, uint64_t base);

#endif
