/*
 * devtree.c - FDT generation (see devtree.h).
 */
#include "vmm/devtree.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>

#include "rvvm/bus.h"
#include "rvvm/device.h"

/* The ISA we implement, in both the classic string and the split form
 * newer kernels prefer. */
static const char isa_string[] = "rv64imafdc_zicntr_zicsr_zifencei";
static const char *const isa_extensions[] = {"i", "m", "a", "f", "d", "c",
                                             "zicntr", "zicsr", "zifencei"};

#define CHECK(expr)                                                                           \
    do {                                                                                      \
        int rc_ = (expr);                                                                     \
        if (rc_ < 0) {                                                                        \
            snprintf(err, errlen, "device tree: %s: %s", #expr, fdt_strerror(rc_));           \
            return -1;                                                                        \
        }                                                                                     \
    } while (0)

/* libfdt invalidates node offsets on every insertion, so each step looks
 * its parent up again by path. */
static int add_cpus(void *fdt, const struct devtree_info *in, char *err, size_t errlen)
{
    int cpus = fdt_add_subnode(fdt, 0, "cpus");
    CHECK(cpus);
    CHECK(fdt_setprop_u32(fdt, cpus, "#address-cells", 1));
    CHECK(fdt_setprop_u32(fdt, cpus, "#size-cells", 0));
    CHECK(fdt_setprop_u32(fdt, cpus, "timebase-frequency", in->timebase_hz));
    char name[48];
    /* Nodes are added in reverse so they read in hart order. */
    for (int i = (int)in->nharts - 1; i >= 0; i--) {
        snprintf(name, sizeof(name), "cpu@%d", i);
        int cpu = fdt_add_subnode(fdt, fdt_path_offset(fdt, "/cpus"), name);
        CHECK(cpu);
        CHECK(fdt_setprop_string(fdt, cpu, "device_type", "cpu"));
        CHECK(fdt_setprop_u32(fdt, cpu, "reg", (uint32_t)i));
        CHECK(fdt_setprop_string(fdt, cpu, "status", "okay"));
        CHECK(fdt_setprop_string(fdt, cpu, "compatible", "riscv"));
        CHECK(fdt_setprop_string(fdt, cpu, "riscv,isa", isa_string));
        CHECK(fdt_setprop_string(fdt, cpu, "riscv,isa-base", "rv64i"));
        CHECK(fdt_setprop(fdt, cpu, "riscv,isa-extensions", NULL, 0));
        for (size_t k = 0; k < sizeof(isa_extensions) / sizeof(isa_extensions[0]); k++)
            CHECK(fdt_appendprop_string(fdt, cpu, "riscv,isa-extensions", isa_extensions[k]));
        CHECK(fdt_setprop_string(fdt, cpu, "mmu-type", "riscv,sv39"));
        /* The intc phandle is the machine's; the cpu's own is generated
         * after it, so generated ones never collide with the machine's. */
        int intc = fdt_add_subnode(fdt, cpu, "interrupt-controller");
        CHECK(intc);
        CHECK(fdt_setprop_u32(fdt, intc, "#interrupt-cells", 1));
        CHECK(fdt_setprop_u32(fdt, intc, "#address-cells", 0));
        CHECK(fdt_setprop(fdt, intc, "interrupt-controller", NULL, 0));
        CHECK(fdt_setprop_string(fdt, intc, "compatible", "riscv,cpu-intc"));
        CHECK(fdt_setprop_u32(fdt, intc, "phandle", in->intc_phandle(in->ctx, (unsigned)i)));
        uint32_t cpu_ph;
        CHECK(fdt_generate_phandle(fdt, &cpu_ph));
        snprintf(name, sizeof(name), "/cpus/cpu@%d", i);
        cpu = fdt_path_offset(fdt, name);
        CHECK(cpu);
        CHECK(fdt_setprop_u32(fdt, cpu, "phandle", cpu_ph));
    }
    CHECK(fdt_add_subnode(fdt, fdt_path_offset(fdt, "/cpus"), "cpu-map"));
    CHECK(fdt_add_subnode(fdt, fdt_path_offset(fdt, "/cpus/cpu-map"), "cluster0"));
    for (int i = (int)in->nharts - 1; i >= 0; i--) {
        snprintf(name, sizeof(name), "/cpus/cpu@%d", i);
        uint32_t ph = fdt_get_phandle(fdt, fdt_path_offset(fdt, name));
        snprintf(name, sizeof(name), "core%d", i);
        int core = fdt_add_subnode(fdt, fdt_path_offset(fdt, "/cpus/cpu-map/cluster0"), name);
        CHECK(core);
        CHECK(fdt_setprop_u32(fdt, core, "cpu", ph));
    }
    return 0;
}

int devtree_build(void *buf, size_t size, const struct devtree_info *in, struct bus *bus,
                  char *err, size_t errlen)
{
    void *fdt = buf;
    CHECK(fdt_create_empty_tree(fdt, (int)size));
    CHECK(fdt_setprop_u32(fdt, 0, "#address-cells", 2));
    CHECK(fdt_setprop_u32(fdt, 0, "#size-cells", 2));
    CHECK(fdt_setprop_string(fdt, 0, "compatible", "riscv-virtio"));
    CHECK(fdt_setprop_string(fdt, 0, "model", "rvvm,virt"));

    int chosen = fdt_add_subnode(fdt, 0, "chosen");
    CHECK(chosen);
    if (in->bootargs)
        CHECK(fdt_setprop_string(fdt, chosen, "bootargs", in->bootargs));
    if (in->stdout_path)
        CHECK(fdt_setprop_string(fdt, chosen, "stdout-path", in->stdout_path));
    if (in->initrd_start) {
        CHECK(fdt_setprop_u64(fdt, chosen, "linux,initrd-start", in->initrd_start));
        CHECK(fdt_setprop_u64(fdt, chosen, "linux,initrd-end", in->initrd_end));
    }

    char name[48];
    snprintf(name, sizeof(name), "memory@%" PRIx64, in->ram_base);
    int mem = fdt_add_subnode(fdt, 0, name);
    CHECK(mem);
    CHECK(fdt_setprop_string(fdt, mem, "device_type", "memory"));
    CHECK(fdt_appendprop_addrrange(fdt, 0, mem, "reg", in->ram_base, in->ram_size));

    if (add_cpus(fdt, in, err, errlen))
        return -1;

    int soc = fdt_add_subnode(fdt, 0, "soc");
    CHECK(soc);
    CHECK(fdt_setprop_u32(fdt, soc, "#address-cells", 2));
    CHECK(fdt_setprop_u32(fdt, soc, "#size-cells", 2));
    CHECK(fdt_setprop_string(fdt, soc, "compatible", "simple-bus"));
    CHECK(fdt_setprop(fdt, soc, "ranges", NULL, 0));

    /* Each device writes its own node; reverse order keeps addresses
     * ascending in the output, as dtc and humans expect. */
    for (int i = (int)bus->ndevs - 1; i >= 0; i--) {
        struct dev *d = bus->devs[i];
        if (d->ops->fdt && d->ops->fdt(d, fdt) != 0) {
            snprintf(err, errlen, "device tree: the %s device could not add its node",
                     d->ops->name);
            return -1;
        }
    }
    CHECK(fdt_pack(fdt));
    return (int)fdt_totalsize(fdt);
}
