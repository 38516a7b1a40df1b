/*
 * machine.h - the board: RAM, boot ROM, devices, harts; built from a
 * machine_config, run until the guest powers off.
 */
#ifndef RVVM_MACHINE_H
#define RVVM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rvvm/hart.h"

/* The board's memory map (virt-compatible). */
#define MACHINE_ROM_BASE 0x1000ull
#define MACHINE_ROM_SIZE 0x1000ull
#define MACHINE_SYSCON_BASE 0x100000ull
#define MACHINE_RTC_BASE 0x101000ull
#define MACHINE_CLINT_BASE 0x2000000ull
#define MACHINE_PLIC_BASE 0xc000000ull
#define MACHINE_UART_BASE 0x10000000ull
#define MACHINE_UART_IRQ 10
#define MACHINE_RTC_IRQ 11
#define MACHINE_VIRTIO_BASE 0x10001000ull /* slot i at + 0x1000 * i, PLIC source 1 + i */
#define MACHINE_VIRTIO_IRQ 1
#define MACHINE_VIRTIO_SLOTS 8
#define MACHINE_RAM_BASE 0x80000000ull
#define MACHINE_KERNEL_OFFSET 0x200000ull /* kernel at RAM + 2 MiB when firmware runs */

enum machine_serial { SERIAL_STDIO, SERIAL_FILE, SERIAL_NULL };

/* A virtio-blk disk (-drive). */
struct machine_drive {
    const char *path;
    bool readonly; /* the guest sees a read-only disk */
    bool snapshot; /* writes go to a throwaway overlay; the image is untouched */
    const char *serial;
};

/* A virtio-net card and its host side (-netdev/-device, -nic). */
enum machine_net_kind { NET_USER, NET_TAP };
#define MACHINE_MAX_HOSTFWD 16
struct machine_nic {
    enum machine_net_kind kind;
    const char *hostfwd[MACHINE_MAX_HOSTFWD]; /* user: "tcp:[HOSTADDR]:PORT-[GUESTADDR]:PORT" */
    unsigned nhostfwd;
    const char *ifname; /* tap: the interface to attach to */
    uint8_t mac[6];
};

struct machine_config {
    uint64_t ram_size;
    unsigned nharts;
    enum hart_engine engine;
    const char *kernel;  /* -kernel (required) */
    const char *bios;    /* NULL or "default": embedded OpenSBI; "none": boot the kernel
                            directly in M-mode; else a firmware file */
    const char *initrd;  /* -initrd */
    const char *append;  /* -append: kernel command line */
    const char *dtb;     /* -dtb: use this device tree instead of the generated one */
    enum machine_serial serial;
    const char *serial_path;
    bool no_reboot;
    /* virtio devices, given slots in this order: drives, nics, rng. */
    struct machine_drive drives[MACHINE_VIRTIO_SLOTS];
    unsigned ndrives;
    struct machine_nic nics[MACHINE_VIRTIO_SLOTS];
    unsigned nnics;
    bool rng;
};

/* Exit statuses of main, documented in docs/usage.md. Guest codes written
 * to the finisher are passed through (0..255). */
#define EXIT_USAGE 64   /* bad option or option value */
#define EXIT_BADIMG 65  /* image is not loadable (format, machine, size) */
#define EXIT_NOINPUT 66 /* missing or unreadable file */
#define EXIT_VERIFY 70  /* -accel jit,verify: translator and interpreter disagreed */
#define EXIT_OSERR 71   /* the host refused a resource (memory, threads) */

struct machine;

/* Build the machine; on failure returns NULL with one line in err and the
 * exit status to use in *status. */
struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen,
                               int *status);
/* Write the device tree the guest would get to path (-dumpdtb). */
int machine_dump_dtb(struct machine *m, const char *path, char *err, size_t errlen);
/* Run until the guest powers off (or the user quits); returns main's exit
 * status. */
int machine_run(struct machine *m);
void machine_destroy(struct machine *m);

#endif
