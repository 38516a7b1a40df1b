/*
 * syscon.c - the SiFive test finisher as on QEMU virt ("sifive,test1",
 * "sifive,test0", "syscon", "simple-mfd"), plus the "syscon-poweroff" and
 * "syscon-reboot" FDT nodes that point Linux at it.
 *
 * There is no public spec; this mirrors QEMU's hw/misc/sifive_test.c, which
 * firmware and test suites are written against. A write to offset 0 is split
 * into status = bits 15:0 and code = bits 31:16:
 *   0x3333 FAIL   machine_power(POWEROFF, code): QEMU does exit(code), so a
 *                 FAIL with code 0 exits 0 too; the status is the code
 *                 (main passes it to exit(), which keeps its low 8 bits)
 *   0x5555 PASS   machine_power(POWEROFF, 0), whatever the code bits say
 *   0x7777 RESET  machine_power(REBOOT, 0)
 * Anything else, and any write to another offset, is ignored and logged
 * under -d guest. Reads return 0. 16- and 32-bit accesses, as on QEMU
 * (OpenSBI's driver writes 16 bits, bare-metal tests usually 32).
 */
#include "devices/syscon.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <libfdt.h>

#include "rvvm/device.h"

#define SYSCON_FINISHER 0x0
#define SYSCON_FAIL 0x3333
#define SYSCON_PASS 0x5555
#define SYSCON_RESET 0x7777

/* No state: each write acts at once and the machine serialises power
 * requests, so this device needs no lock. */

static bool syscon_read(struct dev *d, uint64_t off, unsigned size, uint64_t *val)
{
    (void)d;
    (void)off;
    (void)size;
    *val = 0;
    return true;
}

static bool syscon_write(struct dev *d, uint64_t off, unsigned size, uint64_t val)
{
    (void)size;
    if (off == SYSCON_FINISHER) {
        unsigned status = val & 0xffff;
        int code = (int)((val >> 16) & 0xffff);
        switch (status) {
        case SYSCON_FAIL:
            machine_power(d->machine, MACHINE_POWEROFF, code);
            return true;
        case SYSCON_PASS:
            machine_power(d->machine, MACHINE_POWEROFF, 0);
            return true;
        case SYSCON_RESET:
            machine_power(d->machine, MACHINE_REBOOT, 0);
            return true;
        default:
            break;
        }
    }
    machine_guest_error(d->machine, "syscon: ignored write 0x%" PRIx64 " at 0x%" PRIx64, val,
                        off);
    return true;
}

static void syscon_reset(struct dev *d)
{
    (void)d;
}

/* A phandle nobody uses yet, also none the machine has promised to the
 * interrupt controllers (their nodes may not be written yet). */
static uint32_t syscon_new_phandle(struct dev *d, const void *fdt)
{
    struct machine *m = d->machine;
    uint32_t max = fdt_get_max_phandle(fdt);
    uint32_t p = machine_fdt_plic_phandle(m);
    if (p > max)
        max = p;
    for (unsigned h = 0; h < machine_hart_count(m); h++) {
        p = machine_fdt_hart_intc_phandle(m, h);
        if (p > max)
            max = p;
    }
    return max + 1;
}

/* /poweroff and /reboot at the root, as QEMU virt writes them. */
static int syscon_fdt_action(void *fdt, const char *name, const char *compat, uint32_t regmap,
                             uint32_t value)
{
    int node = fdt_add_subnode(fdt, 0, name);
    if (node < 0)
        return -1;
    if (fdt_setprop_string(fdt, node, "compatible", compat) ||
        fdt_setprop_u32(fdt, node, "regmap", regmap) ||
        fdt_setprop_u32(fdt, node, "offset", SYSCON_FINISHER) ||
        fdt_setprop_u32(fdt, node, "value", value))
        return -1;
    return 0;
}

static int syscon_fdt(struct dev *d, void *fdt)
{
    static const char compat[] = "sifive,test1\0sifive,test0\0syscon\0simple-mfd";
    char name[32];
    uint32_t phandle = syscon_new_phandle(d, fdt);
    int parent = fdt_path_offset(fdt, "/soc");
    if (parent < 0)
        parent = 0;
    snprintf(name, sizeof(name), "test@%" PRIx64, d->base);
    int node = fdt_add_subnode(fdt, parent, name);
    if (node < 0)
        return -1;
    if (fdt_setprop(fdt, node, "compatible", compat, sizeof(compat)) ||
        fdt_appendprop_addrrange(fdt, parent, node, "reg", d->base, d->size) ||
        fdt_setprop_u32(fdt, node, "phandle", phandle))
        return -1;
    if (syscon_fdt_action(fdt, "poweroff", "syscon-poweroff", phandle, SYSCON_PASS) ||
        syscon_fdt_action(fdt, "reboot", "syscon-reboot", phandle, SYSCON_RESET))
        return -1;
    return 0;
}

static void syscon_destroy(struct dev *d)
{
    (void)d;
}

static const struct dev_ops syscon_ops = {
    .name = "syscon",
    .read = syscon_read,
    .write = syscon_write,
    .reset = syscon_reset,
    .fdt = syscon_fdt,
    .destroy = syscon_destroy,
};

struct dev *syscon_create(struct machine *m, uint64_t base)
{
    struct dev *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->ops = &syscon_ops;
    d->base = base;
    d->size = SYSCON_SIZE;
    d->widths = DEV_W16 | DEV_W32;
    d->irq = 0;
    d->machine = m;
    d->state = NULL;
    if (!machine_attach(m, d)) {
        free(d);
        return NULL;
    }
    return d;
}
