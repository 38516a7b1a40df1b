/*
 * devtree.h - the flattened device tree handed to firmware and kernel,
 * generated with libfdt from the devices actually present.
 *
 * Follows the Devicetree Specification v0.4 and Linux's RISC-V bindings
 * (cpus.yaml: riscv,isa, riscv,isa-base, riscv,isa-extensions, mmu-type,
 * riscv,cpu-intc).
 */
#ifndef RVVM_DEVTREE_H
#define RVVM_DEVTREE_H

#include <stddef.h>
#include <stdint.h>

struct bus;

struct devtree_info {
    uint64_t ram_base, ram_size;
    unsigned nharts;
    uint32_t timebase_hz;
    const char *bootargs;     /* NULL: none */
    uint64_t initrd_start;    /* 0: no initrd */
    uint64_t initrd_end;
    const char *stdout_path;  /* e.g. "/soc/serial@10000000" */
    uint32_t (*intc_phandle)(void *ctx, unsigned hartid);
    void *ctx;
};

/* Build into buf (size bytes); returns the packed size, or -1 with a
 * message in err. Device nodes come from each device's ops->fdt. */
int devtree_build(void *buf, size_t size, const struct devtree_info *info, struct bus *bus,
                  char *err, size_t errlen);

#endif
