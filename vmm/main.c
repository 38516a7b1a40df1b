/*
 * main.c - the command line: options -> machine config -> run -> exit
 * status. Only this file exits the process.
 *
 * Options follow QEMU's spelling where QEMU has one, so habits carry over
 * (single-dash long options, "-m 512M", "-bios none", ...).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rvvm/log.h"
#include "rvvm/machine.h"
#include "rvvm_config.h"
#include "vmm/devopts.h"
#if RVVM_HAVE_JIT
#include "vmm/jit/jit.h"
#endif

#define DEFAULT_RAM (256ull << 20)
#define MIN_RAM (4ull << 20)
#define MAX_RAM (64ull << 30)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rvvm [options] -kernel FILE\n"
            "\n"
            "Runs a RISC-V RV64GC machine close to QEMU's virt board.\n"
            "\n"
            "  -kernel FILE      kernel or bare-metal program: an ELF, or a raw binary\n"
            "                    loaded at 0x80000000\n"
            "  -bios FILE        firmware: default (the embedded OpenSBI fw_dynamic, loaded\n"
            "                    at 0x80000000, kernel at 0x80200000), none (boot the\n"
            "                    kernel directly in M-mode), or a firmware file\n"
            "  -initrd FILE      initial ramdisk for Linux\n"
            "  -append STRING    kernel command line\n"
            "  -dtb FILE         use this device tree instead of the generated one\n"
            "  -dumpdtb FILE     write the generated device tree to FILE and exit\n"
            "  -drive FILE|file=FILE[,readonly=on][,snapshot=on][,serial=S]\n"
            "                    a virtio-blk disk (raw image); the first is /dev/vda\n"
            "  -snapshot         write to throwaway overlays; disk images stay untouched\n"
            "  -netdev user,id=ID[,hostfwd=tcp::HOSTPORT-:GUESTPORT]\n"
            "  -netdev tap,id=ID,ifname=NAME\n"
            "                    network backends: user-mode NAT (DHCP, DNS) or a tap device\n"
            "  -device virtio-net,netdev=ID[,mac=MAC] | virtio-rng | virtio-blk,drive=ID\n"
            "  -nic user|tap[,...]  a virtio-net card on a new backend (-netdev's keys)\n"
            "  -m SIZE           guest RAM, in MiB or with a suffix: 512M, 2G (default 256M)\n"
            "  -accel ENGINE     interp, jit or auto (default auto: the tiered translator on\n"
            "                    x86-64 hosts, else interp); jit options, comma-separated:\n"
            "                    hot=N (translate a block after N runs in the\n"
            "                    interpreter, 0..255, default 16), nochain (no block\n"
            "                    chaining nor jump cache), verify (check every translated\n"
            "                    block against the interpreter; exit 70 on a divergence)\n"
            "  -serial DEV       stdio (default), file:PATH or null\n"
            "  -nographic        no display (the default)\n"
            "  -no-reboot        exit instead of rebooting when the guest reboots\n"
            "  -d LIST           debug output: guest (guest misbehaviour), int, jit (translated\n"
            "                    blocks to rvvm-jit.bin/.idx for objdump; $RVVM_JIT_DUMP\n"
            "                    sets the prefix), perf (/tmp/perf-PID.map: perf report\n"
            "                    names translated blocks rv:<guest pc>)\n"
            "  -h, --help        this help\n"
            "  --version         version\n"
            "\n"
            "Exit status: the guest's (0 after poweroff; N after the test finisher\n"
            "reported failure N), or 64 bad usage, 65 unusable image, 66 missing file,\n"
            "71 host resource error.\n");
}

/* "-m" values: a number of MiB, or a number with K, M, G (and optional B). */
static bool parse_size(const char *s, uint64_t *out)
{
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || s[0] == '-')
        return false;
    uint64_t mul = 1ull << 20;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': mul = 1ull << 10; end++; break;
    case 'm': case 'M': mul = 1ull << 20; end++; break;
    case 'g': case 'G': mul = 1ull << 30; end++; break;
    default: return false;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

/* -accel interp | jit[,verify][,hot=N][,nochain] | auto: auto is the
 * tiered translator where it is built (x86-64 hosts), else the interpreter. */
#if RVVM_HAVE_JIT
#define DEFAULT_ENGINE ENGINE_JIT
#else
#define DEFAULT_ENGINE ENGINE_INTERP
#endif

static bool parse_accel(const char *arg, enum hart_engine *engine)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", arg);
    char *save = NULL, *name = strtok_r(buf, ",", &save);
    if (name && strcmp(name, "interp") == 0) {
        *engine = ENGINE_INTERP;
        if (strtok_r(NULL, ",", &save)) {
            log_error("-accel %s: interp takes no options", arg);
            return false;
        }
        return true;
    }
    if (!name || (strcmp(name, "jit") != 0 && strcmp(name, "auto") != 0)) {
        log_error("-accel %s: expected interp, jit or auto (jit options: verify, hot=N, nochain)",
                  arg);
        return false;
    }
#if RVVM_HAVE_JIT
    *engine = ENGINE_JIT;
    for (char *o; (o = strtok_r(NULL, ",", &save));) {
        char *end;
        if (strcmp(o, "verify") == 0) {
            jit_opts.verify = true;
        } else if (strcmp(o, "nochain") == 0) {
            jit_opts.no_chain = true;
        } else if (strncmp(o, "hot=", 4) == 0 && o[4] &&
                   (jit_opts.hot_threshold = (unsigned)strtoul(o + 4, &end, 10), !*end) &&
                   jit_opts.hot_threshold <= 255) {
        } else {
            log_error("-accel %s: unknown jit option '%s' (verify, hot=0..255, nochain)", arg, o);
            return false;
        }
    }
    return true;
#else
    if (strcmp(name, "auto") == 0 && !strtok_r(NULL, ",", &save)) {
        *engine = ENGINE_INTERP;
        return true;
    }
    log_error("-accel %s: this rvvm was built without the translator (x86-64 hosts only)", arg);
    return false;
#endif
}

enum {
    OPT_KERNEL = 256, OPT_BIOS, OPT_MEM, OPT_ACCEL, OPT_SERIAL, OPT_NOGRAPHIC, OPT_NOREBOOT,
    OPT_DEBUG, OPT_VERSION, OPT_HELP, OPT_INITRD, OPT_APPEND, OPT_DTB, OPT_DUMPDTB,
    OPT_DRIVE, OPT_SNAPSHOT, OPT_NETDEV, OPT_DEVICE, OPT_NIC,
};

static const struct option options[] = {
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"bios", required_argument, NULL, OPT_BIOS},
    {"initrd", required_argument, NULL, OPT_INITRD},
    {"append", required_argument, NULL, OPT_APPEND},
    {"dtb", required_argument, NULL, OPT_DTB},
    {"dumpdtb", required_argument, NULL, OPT_DUMPDTB},
    {"drive", required_argument, NULL, OPT_DRIVE},
    {"snapshot", no_argument, NULL, OPT_SNAPSHOT},
    {"netdev", required_argument, NULL, OPT_NETDEV},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"nic", required_argument, NULL, OPT_NIC},
    {"m", required_argument, NULL, OPT_MEM},
    {"accel", required_argument, NULL, OPT_ACCEL},
    {"serial", required_argument, NULL, OPT_SERIAL},
    {"nographic", no_argument, NULL, OPT_NOGRAPHIC},
    {"no-reboot", no_argument, NULL, OPT_NOREBOOT},
    {"d", required_argument, NULL, OPT_DEBUG},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {"h", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
    struct machine_config cfg = {
        .ram_size = DEFAULT_RAM,
        .nharts = 1,
        .engine = DEFAULT_ENGINE,
        .serial = SERIAL_STDIO,
    };
    const char *dumpdtb = NULL;
    opterr = 0;
    int c;
    while ((c = getopt_long_only(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case OPT_KERNEL: cfg.kernel = optarg; break;
        case OPT_BIOS: cfg.bios = optarg; break;
        case OPT_INITRD: cfg.initrd = optarg; break;
        case OPT_APPEND: cfg.append = optarg; break;
        case OPT_DTB: cfg.dtb = optarg; break;
        case OPT_DUMPDTB: dumpdtb = optarg; break;
        case OPT_DRIVE:
        case OPT_SNAPSHOT:
        case OPT_NETDEV:
        case OPT_DEVICE:
        case OPT_NIC: {
            static const enum devopt which[] = {
                [OPT_DRIVE - OPT_DRIVE] = DEVOPT_DRIVE, [OPT_SNAPSHOT - OPT_DRIVE] = DEVOPT_SNAPSHOT,
                [OPT_NETDEV - OPT_DRIVE] = DEVOPT_NETDEV, [OPT_DEVICE - OPT_DRIVE] = DEVOPT_DEVICE,
                [OPT_NIC - OPT_DRIVE] = DEVOPT_NIC,
            };
            char derr[256];
            if (!devopts_add(which[c - OPT_DRIVE], optarg, derr, sizeof(derr))) {
                log_error("%s", derr);
                return EXIT_USAGE;
            }
            break;
        }
        case OPT_MEM:
            if (!parse_size(optarg, &cfg.ram_size) || cfg.ram_size < MIN_RAM ||
                cfg.ram_size > MAX_RAM || (cfg.ram_size & 0xfff)) {
                log_error("-m %s: expected a RAM size between 4M and 64G, like 512M or 2G",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_ACCEL:
            if (!parse_accel(optarg, &cfg.engine))
                return EXIT_USAGE;
            break;
        case OPT_SERIAL:
            if (strcmp(optarg, "stdio") == 0) {
                cfg.serial = SERIAL_STDIO;
            } else if (strcmp(optarg, "null") == 0) {
                cfg.serial = SERIAL_NULL;
            } else if (strncmp(optarg, "file:", 5) == 0 && optarg[5]) {
                cfg.serial = SERIAL_FILE;
                cfg.serial_path = optarg + 5;
            } else {
                log_error("-serial %s: expected stdio, null or file:PATH", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_NOGRAPHIC: break;
        case OPT_NOREBOOT: cfg.no_reboot = true; break;
        case OPT_DEBUG:
            if (!log_parse(optarg, &log_channels)) {
                log_error("-d %s: expected a comma-separated list of guest, int, jit", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_VERSION: printf("rvvm %s\n", RVVM_VERSION); return 0;
        case OPT_HELP: usage(stdout); return 0;
        case ':':
            log_error("option %s needs a value (see rvvm -h)", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            log_error("unknown option '%s' (see rvvm -h)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        log_error("unexpected argument '%s' (see rvvm -h)", argv[optind]);
        return EXIT_USAGE;
    }
    if (!cfg.kernel) {
        log_error("no -kernel given (see rvvm -h)");
        return EXIT_USAGE;
    }
    {
        char derr[256];
        if (!devopts_finish(&cfg, derr, sizeof(derr))) {
            log_error("%s", derr);
            return EXIT_USAGE;
        }
    }

    char err[512];
    int status = 0;
    struct machine *m = machine_create(&cfg, err, sizeof(err), &status);
    if (!m) {
        log_error("%s", err);
        return status;
    }
    if (dumpdtb) {
        int st = machine_dump_dtb(m, dumpdtb, err, sizeof(err));
        if (st)
            log_error("%s", err);
        machine_destroy(m);
        return st;
    }
    int code = machine_run(m);
    machine_destroy(m);
    /* A failure code that is a multiple of 256 must not look like success. */
    if (code != 0 && (code & 0xff) == 0)
        return 1;
    return code & 0xff;
}
