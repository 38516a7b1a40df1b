/*
 * bus.h - the physical address space: RAM/ROM regions and MMIO devices.
 *
 * Regions and devices are kept sorted; lookups are a binary search. The bus
 * is the one place that checks access widths against what a device accepts,
 * splits accesses a device does not take whole into ones it does, and turns
 * unmapped or refused accesses into a failure the hart reports as an access
 * fault. RAM is handed out as host pointers so the TLB can map it directly.
 */
#ifndef RVVM_BUS_H
#define RVVM_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct dev;

struct bus_region {
    uint64_t base;
    uint64_t size;
    uint8_t *host;
    bool readonly;
};

struct bus {
    struct bus_region *mem; /* sorted by base */
    unsigned nmem;
    struct dev **devs; /* sorted by base */
    unsigned ndevs;
};

void bus_init(struct bus *b);
void bus_destroy(struct bus *b); /* destroys the devices too */

/* Add a RAM or ROM region backed by host memory the caller owns. */
bool bus_add_mem(struct bus *b, uint64_t base, uint64_t size, uint8_t *host, bool readonly);
/* Add a device; false if it overlaps anything already present. */
bool bus_add_dev(struct bus *b, struct dev *d);

/* The region holding [pa, pa+len), or NULL if that range is not all memory. */
const struct bus_region *bus_mem_find(const struct bus *b, uint64_t pa, uint64_t len);
/* Host pointer for [pa, pa+len) if it lies in one memory region (and that
 * region is writable when `write`), else NULL. */
uint8_t *bus_mem_ptr(const struct bus *b, uint64_t pa, uint64_t len, bool write);
/* The physical address of host byte `host` of a memory region; false when
 * no region holds it. */
bool bus_mem_pa(const struct bus *b, const void *host, uint64_t *pa);

/* MMIO access of size 1/2/4/8 (pa naturally aligned or not: the bus splits).
 * false: nothing there, or the device refused -> access fault. */
bool bus_read(struct bus *b, uint64_t pa, unsigned size, uint64_t *val);
bool bus_write(struct bus *b, uint64_t pa, unsigned size, uint64_t val);

/* Reset every device. */
void bus_reset(struct bus *b);

#endif
