/*
 * machine.c - the board (see include/rvvm/machine.h and shared/DESIGN.md,
 * "The board"): guest RAM, the boot ROM, the devices at their addresses, the
 * harts, the timer, and the device API services of include/rvvm/device.h.
 *
 * Only this file chooses addresses.
 */
#include "rvvm/machine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <libfdt.h>

#include "devices/clint.h"
#include "devices/goldfish_rtc.h"
#include "devices/plic.h"
#include "devices/syscon.h"
#include "devices/uart16550.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "firmware/firmware.h"
#include "vmm/devtree.h"
#include "rvvm/blkback.h"
#include "rvvm/bus.h"
#include "rvvm/chardev.h"
#include "rvvm/device.h"
#include "rvvm/log.h"
#include "rvvm/netback.h"
#include "vmm/loader.h"

/* Phandles of the FDT nodes other nodes point at. */
#define PHANDLE_PLIC 1u
#define PHANDLE_CPU_INTC_BASE 16u

struct machine {
    struct machine_config cfg;
    struct bus bus;
    uint8_t *ram;
    uint8_t rom[MACHINE_ROM_SIZE];
    struct hart *harts;
    unsigned nharts;
    struct chardev *console;
    struct dev *plic;
    struct timespec start;
    /* The device tree as placed in guest RAM at boot. */
    uint8_t *fdt;
    size_t fdt_size;

    /* The timer thread raises MTIP when a hart's mtimecmp passes. */
    pthread_t timer_thread;
    bool timer_running;
    pthread_mutex_t timer_lock;
    pthread_cond_t timer_cond;
    bool timer_stop;

    /* Power requests: the first one wins until the next run. */
    pthread_mutex_t power_lock;
    bool power_requested;
    enum machine_power power_req;
    int power_code;
};

/* ---- device API services ---- */

bool machine_attach(struct machine *m, struct dev *d)
{
    d->machine = m;
    return bus_add_dev(&m->bus, d);
}

void machine_irq_set(struct machine *m, unsigned irq, bool level)
{
    if (m->plic)
        plic_set_irq(m->plic, irq, level);
}

void machine_hart_irq(struct machine *m, unsigned hartid, unsigned bit, bool level)
{
    if (hartid < m->nharts && bit < 64)
        hart_set_line(&m->harts[hartid], bit, level);
}

unsigned machine_hart_count(struct machine *m)
{
    return m->nharts;
}

uint64_t machine_time(struct machine *m)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns = (int64_t)(now.tv_sec - m->start.tv_sec) * 1000000000 +
                 (now.tv_nsec - m->start.tv_nsec);
    return (uint64_t)ns / (1000000000ull / MACHINE_TIMEBASE_HZ);
}

static uint64_t hart_timecmp(const struct hart *h)
{
    return __atomic_load_n(&h->timecmp, __ATOMIC_ACQUIRE);
}

void machine_set_timecmp(struct machine *m, unsigned hartid, uint64_t cmp)
{
    if (hartid >= m->nharts)
        return;
    struct hart *h = &m->harts[hartid];
    __atomic_store_n(&h->timecmp, cmp, __ATOMIC_RELEASE);
    if (machine_time(m) >= cmp) {
        hart_set_line(h, IRQ_MTI, true);
    } else {
        hart_set_line(h, IRQ_MTI, false);
        pthread_mutex_lock(&m->timer_lock);
        pthread_cond_signal(&m->timer_cond);
        pthread_mutex_unlock(&m->timer_lock);
    }
}

void *machine_dma(struct machine *m, uint64_t gpa, uint64_t len)
{
    const struct bus_region *r = bus_mem_find(&m->bus, gpa, len ? len : 1);
    if (!r || r->readonly)
        return NULL;
    return r->host + (gpa - r->base);
}

static void stop_harts(struct machine *m)
{
    for (unsigned i = 0; i < m->nharts; i++)
        hart_kick(&m->harts[i], HART_EV_STOP);
}

void machine_power(struct machine *m, enum machine_power req, int code)
{
    pthread_mutex_lock(&m->power_lock);
    if (!m->power_requested) {
        m->power_requested = true;
        m->power_req = req;
        m->power_code = code;
    }
    pthread_mutex_unlock(&m->power_lock);
    stop_harts(m);
}

void machine_guest_error(struct machine *m, const char *fmt, ...)
{
    (void)m;
    if (!log_on(LOG_GUEST))
        return;
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_channel(LOG_GUEST, "guest: %s", buf);
}

uint32_t machine_fdt_plic_phandle(struct machine *m)
{
    (void)m;
    return PHANDLE_PLIC;
}

uint32_t machine_fdt_hart_intc_phandle(struct machine *m, unsigned hartid)
{
    (void)m;
    return PHANDLE_CPU_INTC_BASE + hartid;
}

/* ---- the timer ---- */

static void *timer_main(void *arg)
{
    struct machine *m = arg;
    pthread_mutex_lock(&m->timer_lock);
    while (!m->timer_stop) {
        uint64_t now = machine_time(m);
        uint64_t next = UINT64_MAX;
        for (unsigned i = 0; i < m->nharts; i++) {
            uint64_t cmp = hart_timecmp(&m->harts[i]);
            if (now >= cmp)
                hart_set_line(&m->harts[i], IRQ_MTI, true);
            else if (cmp < next)
                next = cmp;
        }
        if (next == UINT64_MAX) {
            pthread_cond_wait(&m->timer_cond, &m->timer_lock);
            continue;
        }
        /* Sleep until the earliest deadline (the condvar uses
         * CLOCK_MONOTONIC, the same clock as machine_time). */
        uint64_t ns = (next - now) * (1000000000ull / MACHINE_TIMEBASE_HZ);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)(ns / 1000000000ull);
        until.tv_nsec += (long)(ns % 1000000000ull);
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&m->timer_cond, &m->timer_lock, &until);
    }
    pthread_mutex_unlock(&m->timer_lock);
    return NULL;
}

/* ---- boot ---- */

/*
 * The boot ROM, as on QEMU's virt board: a0 = hart id, a1 = FDT address,
 * a2 = &fw_dynamic_info, then jump to the firmware (or, with -bios none, to
 * the kernel). The data words follow the code.
 */
#define ROM_ENTRY_OFF 24
#define ROM_FDT_OFF 32
#define ROM_FWINFO_OFF 40

/* OpenSBI's fw_dynamic_info (include/sbi/fw_dynamic.h), version 2. */
#define FW_DYNAMIC_INFO_MAGIC 0x4942534full /* "OSBI" */
#define FW_DYNAMIC_INFO_VERSION 2ull
#define FW_DYNAMIC_NEXT_MODE_S 1ull

static void rom_build(struct machine *m, uint64_t entry, uint64_t fdt, uint64_t next_addr)
{
    static const uint32_t code[6] = {
        0x00000297, /* auipc t0, 0           */
        0x02828613, /* addi  a2, t0, 40      (&fw_dynamic_info) */
        0xf1402573, /* csrr  a0, mhartid     */
        0x0202b583, /* ld    a1, 32(t0)      (FDT) */
        0x0182b283, /* ld    t0, 24(t0)      (entry) */
        0x00028067, /* jr    t0              */
    };
    const uint64_t info[6] = {
        FW_DYNAMIC_INFO_MAGIC, FW_DYNAMIC_INFO_VERSION, next_addr, FW_DYNAMIC_NEXT_MODE_S,
        0 /* options */, UINT64_MAX /* boot hart: any (lottery) */,
    };
    memset(m->rom, 0, sizeof(m->rom));
    memcpy(m->rom, code, sizeof(code));
    memcpy(m->rom + ROM_ENTRY_OFF, &entry, 8);
    memcpy(m->rom + ROM_FDT_OFF, &fdt, 8);
    memcpy(m->rom + ROM_FWINFO_OFF, info, sizeof(info));
}

static int loader_status(enum loader_err e)
{
    return e == LOADER_ENOENT ? EXIT_NOINPUT : EXIT_BADIMG;
}

/* A Linux RISC-V Image declares how much memory it occupies (with bss)
 * in its header (Documentation/riscv/boot-image-header.rst). */
static uint64_t image_footprint(struct machine *m, const struct loader_image *img)
{
    uint64_t end = img->end;
    const uint8_t *h = bus_mem_ptr(&m->bus, img->start, 64, false);
    if (!img->is_elf && h && memcmp(h + 48, "RISCV\0\0\0", 8) == 0) {
        uint64_t image_size;
        memcpy(&image_size, h + 16, 8);
        if (img->start + image_size > end)
            end = img->start + image_size;
    }
    return end;
}

static uint32_t intc_phandle(void *ctx, unsigned hartid)
{
    return machine_fdt_hart_intc_phandle(ctx, hartid);
}

#define FDT_MAX_SIZE (64u << 10)

/* The generated tree, or -dtb's with /chosen updated. */
static int make_fdt(struct machine *m, uint64_t initrd_start, uint64_t initrd_end, char *err,
                    size_t errlen)
{
    free(m->fdt);
    m->fdt = calloc(1, FDT_MAX_SIZE);
    if (!m->fdt) {
        snprintf(err, errlen, "out of memory");
        return EXIT_OSERR;
    }
    if (!m->cfg.dtb) {
        char stdout_path[64];
        snprintf(stdout_path, sizeof(stdout_path), "/soc/serial@%llx",
                 (unsigned long long)MACHINE_UART_BASE);
        struct devtree_info in = {
            .ram_base = MACHINE_RAM_BASE,
            .ram_size = m->cfg.ram_size,
            .nharts = m->nharts,
            .timebase_hz = MACHINE_TIMEBASE_HZ,
            .bootargs = m->cfg.append,
            .initrd_start = initrd_start,
            .initrd_end = initrd_end,
            .stdout_path = stdout_path,
            .intc_phandle = intc_phandle,
            .ctx = m,
        };
        int n = devtree_build(m->fdt, FDT_MAX_SIZE, &in, &m->bus, err, errlen);
        if (n < 0)
            return EXIT_OSERR;
        m->fdt_size = (size_t)n;
        return 0;
    }
    uint64_t size;
    enum loader_err e = loader_file_size(m->cfg.dtb, &size, err, errlen);
    if (e)
        return loader_status(e);
    FILE *f = fopen(m->cfg.dtb, "rb");
    if (!f || size > FDT_MAX_SIZE / 2 || fread(m->fdt, 1, size, f) != size) {
        snprintf(err, errlen, "cannot read '%s' (device trees up to %u KiB)", m->cfg.dtb,
                 FDT_MAX_SIZE / 2048);
        if (f)
            fclose(f);
        return EXIT_BADIMG;
    }
    fclose(f);
    if (fdt_check_header(m->fdt) != 0 || fdt_open_into(m->fdt, m->fdt, FDT_MAX_SIZE) != 0) {
        snprintf(err, errlen, "'%s' is not a flattened device tree (dtb)", m->cfg.dtb);
        return EXIT_BADIMG;
    }
    int chosen = fdt_path_offset(m->fdt, "/chosen");
    if (chosen < 0)
        chosen = fdt_add_subnode(m->fdt, 0, "chosen");
    int rc = chosen < 0 ? chosen : 0;
    if (!rc && m->cfg.append)
        rc = fdt_setprop_string(m->fdt, chosen, "bootargs", m->cfg.append);
    if (!rc && initrd_start) {
        rc = fdt_setprop_u64(m->fdt, chosen, "linux,initrd-start", initrd_start);
        if (!rc)
            rc = fdt_setprop_u64(m->fdt, chosen, "linux,initrd-end", initrd_end);
    }
    if (!rc)
        rc = fdt_pack(m->fdt);
    if (rc) {
        snprintf(err, errlen, "'%s': cannot update /chosen: %s", m->cfg.dtb, fdt_strerror(rc));
        return EXIT_BADIMG;
    }
    m->fdt_size = fdt_totalsize(m->fdt);
    return 0;
}

/*
 * Memory layout at boot: firmware at the base of RAM, the kernel 2 MiB up
 * (or at its own address without firmware), the device tree in the last
 * 2 MiB-aligned slot of RAM, the initrd right below it.
 */
static int load_images(struct machine *m, char *err, size_t errlen)
{
    const uint64_t ram_end = MACHINE_RAM_BASE + m->cfg.ram_size;
    const bool firmware = !m->cfg.bios || strcmp(m->cfg.bios, "none") != 0;
    struct loader_image fw = {0}, kern;
    enum loader_err e;

    if (firmware) {
        if (!m->cfg.bios || strcmp(m->cfg.bios, "default") == 0) {
            size_t len;
            const uint8_t *blob = firmware_default(&len);
            if (!blob) {
                snprintf(err, errlen, "this rvvm was built without a default firmware: "
                                      "use -bios FILE or -bios none");
                return EXIT_USAGE;
            }
            e = loader_load_buf(&m->bus, "the default firmware", blob, len, MACHINE_RAM_BASE,
                                &fw, err, errlen);
        } else {
            e = loader_load(&m->bus, m->cfg.bios, MACHINE_RAM_BASE, &fw, err, errlen);
        }
        if (e)
            return loader_status(e);
        uint64_t kbase = MACHINE_RAM_BASE + MACHINE_KERNEL_OFFSET;
        if (fw.end > kbase) {
            snprintf(err, errlen, "the firmware (%" PRIu64 " bytes) overlaps the kernel at 0x%"
                     PRIx64, fw.end - fw.start, kbase);
            return EXIT_BADIMG;
        }
        e = loader_load(&m->bus, m->cfg.kernel, kbase, &kern, err, errlen);
    } else {
        e = loader_load(&m->bus, m->cfg.kernel, MACHINE_RAM_BASE, &kern, err, errlen);
    }
    if (e)
        return loader_status(e);
    uint64_t kernel_end = image_footprint(m, &kern);

    uint64_t fdt_addr = (ram_end - FDT_MAX_SIZE) & ~((2ull << 20) - 1);
    if (fdt_addr < kernel_end)
        fdt_addr = (ram_end - FDT_MAX_SIZE) & ~0xfffull;
    uint64_t initrd_start = 0, initrd_end = 0;
    if (m->cfg.initrd) {
        uint64_t size;
        e = loader_file_size(m->cfg.initrd, &size, err, errlen);
        if (e)
            return loader_status(e);
        initrd_end = fdt_addr;
        initrd_start = (fdt_addr - size) & ~0xfffull;
        if (size > fdt_addr - MACHINE_RAM_BASE || initrd_start < kernel_end) {
            snprintf(err, errlen,
                     "the kernel (ends at 0x%" PRIx64 ") and initrd '%s' (%" PRIu64
                     " bytes) do not fit in %" PRIu64 " MiB of RAM: use a larger -m",
                     kernel_end, m->cfg.initrd, size, m->cfg.ram_size >> 20);
            return EXIT_BADIMG;
        }
        struct loader_image rd;
        e = loader_load_raw(&m->bus, m->cfg.initrd, initrd_start, &rd, err, errlen);
        if (e)
            return loader_status(e);
        initrd_end = rd.end;
    } else if (fdt_addr < kernel_end) {
        snprintf(err, errlen, "the kernel (ends at 0x%" PRIx64 ") leaves no room for the "
                 "device tree in %" PRIu64 " MiB of RAM: use a larger -m",
                 kernel_end, m->cfg.ram_size >> 20);
        return EXIT_BADIMG;
    }

    int st = make_fdt(m, initrd_start, initrd_end, err, errlen);
    if (st)
        return st;
    uint8_t *dst = bus_mem_ptr(&m->bus, fdt_addr, m->fdt_size, true);
    if (!dst) {
        snprintf(err, errlen, "no room for the device tree in RAM");
        return EXIT_BADIMG;
    }
    memcpy(dst, m->fdt, m->fdt_size);
    if (firmware)
        rom_build(m, fw.entry, fdt_addr, kern.entry);
    else
        rom_build(m, kern.entry, fdt_addr, 0);
    return 0;
}

int machine_dump_dtb(struct machine *m, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(m->fdt, 1, m->fdt_size, f) != m->fdt_size || fclose(f) != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return EXIT_NOINPUT;
    }
    return 0;
}

static void machine_reset(struct machine *m)
{
    bus_reset(&m->bus);
    for (unsigned i = 0; i < m->nharts; i++) {
        hart_reset(&m->harts[i], MACHINE_ROM_BASE);
        m->harts[i].engine_kind = m->cfg.engine;
    }
    pthread_mutex_lock(&m->power_lock);
    m->power_requested = false;
    pthread_mutex_unlock(&m->power_lock);
}

/* virtio-mmio slots in order: drives (so the first -drive is /dev/vda),
 * network cards, the RNG. Only configured slots exist, on the bus and in the
 * device tree. */
static int add_virtio_devices(struct machine *m, char *err, size_t errlen)
{
    unsigned slot = 0;
    unsigned total = m->cfg.ndrives + m->cfg.nnics + (m->cfg.rng ? 1 : 0);
    if (total > MACHINE_VIRTIO_SLOTS) {
        snprintf(err, errlen, "too many virtio devices (%u): the board has %u slots", total,
                 MACHINE_VIRTIO_SLOTS);
        return EXIT_USAGE;
    }
#define SLOT_BASE(i) (MACHINE_VIRTIO_BASE + 0x1000ull * (i))
#define SLOT_IRQ(i) (MACHINE_VIRTIO_IRQ + (i))
    for (unsigned i = 0; i < m->cfg.ndrives; i++, slot++) {
        const struct machine_drive *dr = &m->cfg.drives[i];
        int status = EXIT_OSERR;
        struct blkback *bb = blkback_open_file(dr->path, dr->readonly, dr->snapshot, err,
                                               errlen, &status);
        if (!bb)
            return status;
        if (!virtio_blk_create(m, SLOT_BASE(slot), SLOT_IRQ(slot), bb, dr->serial)) {
            snprintf(err, errlen, "cannot create the virtio-blk device for '%s'", dr->path);
            return EXIT_OSERR;
        }
    }
    for (unsigned i = 0; i < m->cfg.nnics; i++, slot++) {
        const struct machine_nic *nic = &m->cfg.nics[i];
        struct netback *nb = nic->kind == NET_USER ? netback_slirp_create(nic, err, errlen)
                                                   : netback_tap_create(nic->ifname, err, errlen);
        if (!nb)
            return EXIT_OSERR;
        err[0] = 0;
        if (!virtio_net_create(m, SLOT_BASE(slot), SLOT_IRQ(slot), nb, nic->mac, err, errlen)) {
            if (!err[0])
                snprintf(err, errlen, "cannot create the virtio-net device");
            return EXIT_OSERR;
        }
    }
    if (m->cfg.rng) {
        if (!virtio_rng_create(m, SLOT_BASE(slot), SLOT_IRQ(slot))) {
            snprintf(err, errlen, "cannot create the virtio-rng device");
            return EXIT_OSERR;
        }
        slot++;
    }
#undef SLOT_BASE
#undef SLOT_IRQ
    return 0;
}

static int add_devices(struct machine *m, char *err, size_t errlen)
{
    switch (m->cfg.serial) {
    case SERIAL_STDIO: m->console = chardev_stdio_create(m); break;
    case SERIAL_FILE: m->console = chardev_file_create(m->cfg.serial_path); break;
    case SERIAL_NULL: m->console = chardev_null_create(); break;
    }
    if (!m->console) {
        snprintf(err, errlen, "cannot open the serial backend%s%s: %s",
                 m->cfg.serial == SERIAL_FILE ? " " : "",
                 m->cfg.serial == SERIAL_FILE ? m->cfg.serial_path : "", strerror(errno));
        return m->cfg.serial == SERIAL_FILE ? EXIT_NOINPUT : EXIT_OSERR;
    }
    m->plic = plic_create(m, MACHINE_PLIC_BASE);
    if (!m->plic || !syscon_create(m, MACHINE_SYSCON_BASE) ||
        !clint_create(m, MACHINE_CLINT_BASE) ||
        !rtc_create(m, MACHINE_RTC_BASE, MACHINE_RTC_IRQ) ||
        !uart_create(m, MACHINE_UART_BASE, MACHINE_UART_IRQ, m->console)) {
        snprintf(err, errlen, "cannot create the board's devices");
        return EXIT_OSERR;
    }
    return add_virtio_devices(m, err, errlen);
}

/* Guest RAM, 2 MiB-aligned and marked for transparent huge pages where the
 * host offers them (as QEMU does): fewer host page faults while the guest
 * first touches its memory, and fewer host TLB misses afterwards. NULL on
 * failure (errno set). */
static uint8_t *map_ram(uint64_t size)
{
    const uint64_t huge = 2u << 20;
    uint8_t *p = mmap(NULL, size + huge, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uint8_t *ram = (uint8_t *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
    if (ram > p)
        munmap(p, (size_t)(ram - p));
    if (p + size + huge > ram + size)
        munmap(ram + size, (size_t)(p + size + huge - (ram + size)));
#ifdef MADV_HUGEPAGE
    madvise(ram, size, MADV_HUGEPAGE); /* a hint: failure is fine */
#endif
    return ram;
}

struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen,
                               int *status)
{
    struct machine *m = calloc(1, sizeof(*m));
    if (!m) {
        snprintf(err, errlen, "out of memory");
        *status = EXIT_OSERR;
        return NULL;
    }
    m->cfg = *cfg;
    clock_gettime(CLOCK_MONOTONIC, &m->start);
    bus_init(&m->bus);
    pthread_mutex_init(&m->power_lock, NULL);
    pthread_mutex_init(&m->timer_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->timer_cond, &ca);
    pthread_condattr_destroy(&ca);

    /* Guest RAM: anonymous memory, committed lazily by the host kernel. */
    m->ram = map_ram(cfg->ram_size);
    if (!m->ram) {
        snprintf(err, errlen, "cannot allocate %" PRIu64 " MiB of guest RAM: %s",
                 cfg->ram_size >> 20, strerror(errno));
        *status = EXIT_OSERR;
        machine_destroy(m);
        return NULL;
    }
    bus_add_mem(&m->bus, MACHINE_RAM_BASE, cfg->ram_size, m->ram, false);
    bus_add_mem(&m->bus, MACHINE_ROM_BASE, MACHINE_ROM_SIZE, m->rom, true);

    m->nharts = cfg->nharts ? cfg->nharts : 1;
    m->harts = calloc(m->nharts, sizeof(*m->harts));
    if (!m->harts) {
        snprintf(err, errlen, "out of memory");
        *status = EXIT_OSERR;
        machine_destroy(m);
        return NULL;
    }
    for (unsigned i = 0; i < m->nharts; i++)
        hart_init(&m->harts[i], i, &m->bus, m);

    int st = add_devices(m, err, errlen);
    if (!st)
        st = load_images(m, err, errlen);
    if (st) {
        *status = st;
        machine_destroy(m);
        return NULL;
    }
    if (pthread_create(&m->timer_thread, NULL, timer_main, m) != 0) {
        snprintf(err, errlen, "cannot start the timer thread");
        *status = EXIT_OSERR;
        machine_destroy(m);
        return NULL;
    }
    m->timer_running = true;
    return m;
}

int machine_run(struct machine *m)
{
    for (;;) {
        machine_reset(m);
        /* One hart for now; SMP runs one host thread per hart. */
        hart_run(&m->harts[0]);

        pthread_mutex_lock(&m->power_lock);
        bool req = m->power_requested;
        enum machine_power what = m->power_req;
        int code = m->power_code;
        pthread_mutex_unlock(&m->power_lock);
        if (!req)
            continue;
        if (what == MACHINE_REBOOT && !m->cfg.no_reboot) {
            /* Reboot: fresh RAM and freshly loaded images, as at power-on. */
            madvise(m->ram, m->cfg.ram_size, MADV_DONTNEED);
            char err[256];
            if (load_images(m, err, sizeof(err))) {
                log_error("reboot: %s", err);
                return EXIT_NOINPUT;
            }
            continue;
        }
        if (what == MACHINE_QUIT || what == MACHINE_REBOOT)
            return 0;
        return code;
    }
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    if (m->timer_running) {
        pthread_mutex_lock(&m->timer_lock);
        m->timer_stop = true;
        pthread_cond_signal(&m->timer_cond);
        pthread_mutex_unlock(&m->timer_lock);
        pthread_join(m->timer_thread, NULL);
    }
    bus_destroy(&m->bus); /* devices first: they may still reference the console */
    if (m->console)
        chardev_destroy(m->console);
    if (m->harts) {
        for (unsigned i = 0; i < m->nharts; i++)
            hart_destroy(&m->harts[i]);
        free(m->harts);
    }
    if (m->ram)
        munmap(m->ram, m->cfg.ram_size);
    free(m->fdt);
    pthread_cond_destroy(&m->timer_cond);
    pthread_mutex_destroy(&m->timer_lock);
    pthread_mutex_destroy(&m->power_lock);
    free(m);
}
