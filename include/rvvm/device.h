/*
 * device.h - the device API: everything a device may see of the machine.
 *
 * A device is two records: a const per-type ops table and a per-instance
 * struct dev. Handlers see offsets relative to the device base, never
 * absolute addresses; the bus has already checked the access width against
 * dev->widths and split or refused accesses that straddle the device.
 *
 * Devices never include anything from vmm/hart or vmm/jit. What they need of
 * the machine (interrupt lines, the clock, guest memory for DMA, power
 * requests, the console) goes through the machine_* functions declared here
 * and implemented by vmm/machine.c (unit tests link a fake instead).
 */
#ifndef RVVM_DEVICE_H
#define RVVM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine;
struct dev;

/* Access widths a device accepts, as a bit mask of sizes in bytes. */
#define DEV_W8 0x1u
#define DEV_W16 0x2u
#define DEV_W32 0x4u
#define DEV_W64 0x8u
#define DEV_W_ALL (DEV_W8 | DEV_W16 | DEV_W32 | DEV_W64)

struct dev_ops {
    const char *name;
    /*
     * off + size <= dev->size and size is one of dev->widths, naturally
     * aligned. Return false for an access the device refuses: the hart then
     * takes an access fault.
     */
    bool (*read)(struct dev *d, uint64_t off, unsigned size, uint64_t *val);
    bool (*write)(struct dev *d, uint64_t off, unsigned size, uint64_t val);
    void (*reset)(struct dev *d);
    /* Write the device's node into the FDT; 0 on success, -1 on a libfdt error. */
    int (*fdt)(struct dev *d, void *fdt);
    void (*destroy)(struct dev *d);
};

struct dev {
    const struct dev_ops *ops;
    uint64_t base;
    uint64_t size;
    uint32_t widths;         /* DEV_W* mask */
    unsigned irq;            /* PLIC source, 0 = none */
    struct machine *machine; /* for the machine_* services below */
    void *state;
};

/* ---- services the machine provides to devices ---- */

/* Register a device on the bus; the machine owns it from then on.
 * Returns false (and the caller frees) if the range overlaps another. */
bool machine_attach(struct machine *m, struct dev *d);

/* Drive an external interrupt line (PLIC source 1..63). Level-triggered. */
void machine_irq_set(struct machine *m, unsigned irq, bool level);

/* Hart-local interrupt lines, for CLINT and PLIC: bit is the mip bit number
 * (1 SSI, 3 MSI, 5 STI, 7 MTI, 9 SEI, 11 MEI). */
void machine_hart_irq(struct machine *m, unsigned hartid, unsigned bit, bool level);
unsigned machine_hart_count(struct machine *m);

/* The timebase: mtime ticks (10 MHz) since machine start. */
#define MACHINE_TIMEBASE_HZ 10000000ull
uint64_t machine_time(struct machine *m);

/* CLINT: hart `hartid`'s timer interrupt (MTIP) is pending while
 * machine_time() >= cmp. The machine raises and lowers MTIP itself. */
void machine_set_timecmp(struct machine *m, unsigned hartid, uint64_t cmp);

/* Guest RAM for DMA: a host pointer to [gpa, gpa+len) if that whole range
 * lies in guest RAM, NULL otherwise. Never touch guest memory any other way. */
void *machine_dma(struct machine *m, uint64_t gpa, uint64_t len);

/* Power requests from the syscon finisher and friends. */
enum machine_power {
    MACHINE_POWEROFF, /* code = exit status */
    MACHINE_REBOOT,
    MACHINE_QUIT, /* the user asked to quit (console Ctrl-A x); code unused */
};
void machine_power(struct machine *m, enum machine_power req, int code);

/* Phandles for FDT nodes that reference the interrupt controllers:
 * "interrupt-parent" = the PLIC; "interrupts-extended" = each hart's
 * "riscv,cpu-intc" node. Valid while the FDT is being built. */
uint32_t machine_fdt_plic_phandle(struct machine *m);
uint32_t machine_fdt_hart_intc_phandle(struct machine *m, unsigned hartid);

/* A guest misbehaved in a way the device survives: rate-limited log line
 * under `-d guest`. */
void machine_guest_error(struct machine *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
