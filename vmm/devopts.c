/*
 * devopts.c - device options (see devopts.h), spelled as in QEMU:
 *
 *   -drive FILE | file=FILE[,format=raw][,if=virtio|none][,id=ID]
 *          [,readonly=on][,snapshot=on][,serial=S][,media=disk][,cache=...]
 *   -snapshot                      every drive gets snapshot=on
 *   -netdev user,id=ID[,hostfwd=tcp|udp:[HADDR]:HPORT-[GADDR]:GPORT]...
 *   -netdev tap,id=ID,ifname=NAME[,script=no][,downscript=no]
 *   -device virtio-net[-device],netdev=ID[,mac=52:54:00:..]
 *   -device virtio-blk[-device],drive=ID     (a -drive if=none,id=ID)
 *   -device virtio-rng[-device]
 *   -nic user|tap[,...netdev keys][,mac=..][,model=virtio]   netdev + card
 *   -nic none
 *
 * A value may contain a comma written twice (",,"), as in QEMU.
 */
#include "vmm/devopts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rvvm/machine.h"
#include "rvvm/netback.h"

#define MAX_NETDEVS 16
#define MAX_DRIVES 16

struct netdev {
    char *id;
    struct machine_nic nic;
    bool used;
};

struct drive {
    char *id; /* if=none drives are attached by -device virtio-blk,drive=ID */
    bool deferred;
    bool attached;
    struct machine_drive d;
};

static struct {
    struct drive drives[MAX_DRIVES];
    unsigned ndrives;
    bool snapshot;
    struct netdev netdevs[MAX_NETDEVS];
    unsigned nnetdevs;
    /* -device virtio-net cards in order: index into netdevs and the MAC */
    struct {
        unsigned netdev;
        bool has_mac;
        uint8_t mac[6];
    } cards[MACHINE_VIRTIO_SLOTS * 2];
    unsigned ncards;
    int blk_order[MAX_DRIVES]; /* -device virtio-blk order of deferred drives */
    unsigned nblk;
    bool rng;
} o;

/* Split the next "key=value" (or bare "value") off *p; key NULL for a bare
 * value. Undoubles ",,". Modifies the string. */
static bool kv_next(char **p, char **key, char **val)
{
    if (!*p || !**p)
        return false;
    char *s = *p, *w = s, *r = s;
    *key = NULL;
    *val = s;
    for (;;) {
        if (*r == ',' && r[1] == ',') {
            *w++ = ',';
            r += 2;
            continue;
        }
        if (*r == ',' || !*r) {
            bool end = !*r;
            *w = 0;
            *p = end ? NULL : r + 1;
            break;
        }
        if (*r == '=' && !*key) {
            *w++ = 0;
            *key = s;
            *val = w;
            r++;
            continue;
        }
        *w++ = *r++;
    }
    return true;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1")) {
        *out = true;
        return true;
    }
    if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0")) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_mac(const char *v, uint8_t mac[6])
{
    unsigned b[6];
    char tail;
    if (sscanf(v, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
        return false;
    for (int i = 0; i < 6; i++) {
        if (b[i] > 255)
            return false;
        mac[i] = (uint8_t)b[i];
    }
    return !(mac[0] & 1); /* not multicast */
}

#define FAIL(...)                                                                             \
    do {                                                                                      \
        snprintf(err, errlen, __VA_ARGS__);                                                   \
        return false;                                                                         \
    } while (0)

static bool drive_opt(char *s, char *err, size_t errlen)
{
    if (o.ndrives == MAX_DRIVES)
        FAIL("-drive: at most %d drives", MAX_DRIVES);
    struct drive *dr = &o.drives[o.ndrives];
    memset(dr, 0, sizeof(*dr));
    char *key, *val;
    bool first = true;
    while (kv_next(&s, &key, &val)) {
        if (!key && first) {
            dr->d.path = val;
        } else if (!key) {
            FAIL("-drive: '%s' is not a key=value pair", val);
        } else if (!strcmp(key, "file")) {
            dr->d.path = val;
        } else if (!strcmp(key, "format")) {
            if (strcmp(val, "raw"))
                FAIL("-drive format=%s: only raw images are supported (convert with "
                     "qemu-img convert -O raw)", val);
        } else if (!strcmp(key, "if")) {
            if (!strcmp(val, "none"))
                dr->deferred = true;
            else if (strcmp(val, "virtio"))
                FAIL("-drive if=%s: rvvm's disks are virtio (if=virtio or if=none)", val);
        } else if (!strcmp(key, "readonly") || !strcmp(key, "snapshot")) {
            bool b;
            if (!parse_bool(val, &b))
                FAIL("-drive %s=%s: expected on or off", key, val);
            if (key[0] == 'r')
                dr->d.readonly = b;
            else
                dr->d.snapshot = b;
        } else if (!strcmp(key, "serial")) {
            if (strlen(val) > 20)
                FAIL("-drive serial=%s: at most 20 characters", val);
            dr->d.serial = val;
        } else if (!strcmp(key, "id")) {
            dr->id = val;
        } else if (!strcmp(key, "media")) {
            if (strcmp(val, "disk"))
                FAIL("-drive media=%s: only disks (media=disk)", val);
        } else if (!strcmp(key, "cache") || !strcmp(key, "aio") || !strcmp(key, "discard")) {
            /* Accepted for QEMU habits: rvvm always writes through the host
             * page cache, flushes on the guest's flush and passes discards. */
        } else {
            FAIL("-drive: unknown key '%s'", key);
        }
        first = false;
    }
    if (!dr->d.path || !*dr->d.path)
        FAIL("-drive: no file given (-drive file=disk.img)");
    if (dr->deferred && !dr->id)
        FAIL("-drive if=none needs an id= for -device virtio-blk,drive=ID");
    o.ndrives++;
    return true;
}

static bool netdev_opt(char *s, bool nic, char *err, size_t errlen)
{
    const char *opt = nic ? "-nic" : "-netdev";
    char *key, *val;
    if (!kv_next(&s, &key, &val) || key)
        FAIL("%s: expected user or tap first (%s user,...)", opt, opt);
    if (nic && !strcmp(val, "none"))
        return true;
    if (o.nnetdevs == MAX_NETDEVS)
        FAIL("%s: at most %d network backends", opt, MAX_NETDEVS);
    struct netdev *nd = &o.netdevs[o.nnetdevs];
    memset(nd, 0, sizeof(*nd));
    if (!strcmp(val, "user"))
        nd->nic.kind = NET_USER;
    else if (!strcmp(val, "tap"))
        nd->nic.kind = NET_TAP;
    else
        FAIL("%s %s: rvvm has user and tap networking", opt, val);
    bool has_mac = false;
    uint8_t mac[6];
    while (kv_next(&s, &key, &val)) {
        if (!key)
            FAIL("%s: '%s' is not a key=value pair", opt, val);
        if (!strcmp(key, "id")) {
            nd->id = val;
        } else if (!strcmp(key, "hostfwd") && nd->nic.kind == NET_USER) {
            if (nd->nic.nhostfwd == MACHINE_MAX_HOSTFWD)
                FAIL("%s: at most %d hostfwd rules", opt, MACHINE_MAX_HOSTFWD);
            struct netback_hostfwd h;
            if (!netback_hostfwd_parse(val, &h, err, errlen))
                return false;
            nd->nic.hostfwd[nd->nic.nhostfwd++] = val;
        } else if (!strcmp(key, "ifname") && nd->nic.kind == NET_TAP) {
            nd->nic.ifname = val;
        } else if ((!strcmp(key, "script") || !strcmp(key, "downscript")) &&
                   nd->nic.kind == NET_TAP) {
            if (strcmp(val, "no"))
                FAIL("%s %s=%s: rvvm runs no scripts; set the tap device up yourself and use "
                     "%s=no", opt, key, val, key);
        } else if (nic && !strcmp(key, "mac")) {
            if (!parse_mac(val, mac))
                FAIL("-nic mac=%s: expected a unicast MAC like 52:54:00:12:34:57", val);
            has_mac = true;
        } else if (nic && !strcmp(key, "model")) {
            if (strcmp(val, "virtio") && strcmp(val, "virtio-net") &&
                strcmp(val, "virtio-net-device"))
                FAIL("-nic model=%s: rvvm's network card is virtio", val);
        } else {
            FAIL("%s: unknown key '%s' for %s networking", opt, key,
                 nd->nic.kind == NET_USER ? "user" : "tap");
        }
    }
    if (nd->nic.kind == NET_TAP && !nd->nic.ifname)
        FAIL("%s tap: needs ifname=NAME (an existing tap device, see docs/usage.md)", opt);
    if (!nic && !nd->id)
        FAIL("-netdev: needs id=NAME for -device virtio-net,netdev=NAME");
    for (unsigned i = 0; nd->id && i < o.nnetdevs; i++)
        if (o.netdevs[i].id && !strcmp(o.netdevs[i].id, nd->id))
            FAIL("%s: duplicate id '%s'", opt, nd->id);
    unsigned idx = o.nnetdevs++;
    if (nic) {
        if (o.ncards == sizeof(o.cards) / sizeof(o.cards[0]))
            FAIL("-nic: too many network cards");
        nd->used = true;
        o.cards[o.ncards].netdev = idx;
        o.cards[o.ncards].has_mac = has_mac;
        memcpy(o.cards[o.ncards].mac, mac, 6);
        o.ncards++;
    }
    return true;
}

static bool is(const char *v, const char *base)
{
    size_t n = strlen(base);
    return !strncmp(v, base, n) && (!v[n] || !strcmp(v + n, "-device"));
}

static bool device_opt(char *s, char *err, size_t errlen)
{
    char *key, *val;
    if (!kv_next(&s, &key, &val) || key)
        FAIL("-device: expected a device name first (virtio-net, virtio-blk, virtio-rng)");
    if (is(val, "virtio-rng")) {
        while (kv_next(&s, &key, &val))
            if (!key || (strcmp(key, "id") && strcmp(key, "rng")))
                FAIL("-device virtio-rng: unknown key '%s'", key ? key : val);
        o.rng = true;
        return true;
    }
    if (is(val, "virtio-net")) {
        if (o.ncards == sizeof(o.cards) / sizeof(o.cards[0]))
            FAIL("-device virtio-net: too many network cards");
        const char *netdev = NULL;
        bool has_mac = false;
        uint8_t mac[6];
        while (kv_next(&s, &key, &val)) {
            if (key && !strcmp(key, "netdev"))
                netdev = val;
            else if (key && !strcmp(key, "mac")) {
                if (!parse_mac(val, mac))
                    FAIL("-device virtio-net mac=%s: expected a unicast MAC like "
                         "52:54:00:12:34:57", val);
                has_mac = true;
            } else if (!key || strcmp(key, "id"))
                FAIL("-device virtio-net: unknown key '%s'", key ? key : val);
        }
        if (!netdev)
            FAIL("-device virtio-net: needs netdev=ID (of a -netdev user,id=ID or tap)");
        unsigned i;
        for (i = 0; i < o.nnetdevs; i++)
            if (o.netdevs[i].id && !strcmp(o.netdevs[i].id, netdev))
                break;
        if (i == o.nnetdevs)
            FAIL("-device virtio-net: no -netdev with id=%s before it", netdev);
        if (o.netdevs[i].used)
            FAIL("-device virtio-net: netdev %s is already used by another card", netdev);
        o.netdevs[i].used = true;
        o.cards[o.ncards].netdev = i;
        o.cards[o.ncards].has_mac = has_mac;
        memcpy(o.cards[o.ncards].mac, mac, 6);
        o.ncards++;
        return true;
    }
    if (is(val, "virtio-blk")) {
        const char *drive = NULL;
        while (kv_next(&s, &key, &val)) {
            if (key && !strcmp(key, "drive"))
                drive = val;
            else if (!key || strcmp(key, "id"))
                FAIL("-device virtio-blk: unknown key '%s'", key ? key : val);
        }
        if (!drive)
            FAIL("-device virtio-blk: needs drive=ID (of a -drive if=none,id=ID)");
        for (unsigned i = 0; i < o.ndrives; i++) {
            struct drive *dr = &o.drives[i];
            if (dr->deferred && dr->id && !strcmp(dr->id, drive)) {
                if (dr->attached)
                    FAIL("-device virtio-blk: drive %s is already attached", drive);
                dr->attached = true;
                o.blk_order[o.nblk++] = (int)i;
                return true;
            }
        }
        FAIL("-device virtio-blk: no -drive if=none,id=%s before it", drive);
    }
    if (strstr(val, "-pci"))
        FAIL("-device %s: rvvm's board has no PCI; use the virtio-mmio variant "
             "(virtio-net, virtio-blk, virtio-rng)", val);
    FAIL("-device %s: rvvm knows virtio-net, virtio-blk and virtio-rng", val);
}

bool devopts_add(enum devopt which, const char *arg, char *err, size_t errlen)
{
    if (which == DEVOPT_SNAPSHOT) {
        o.snapshot = true;
        return true;
    }
    /* Kept for the run (the config points into it), and reachable from here
     * so leak checkers see that. */
    static char *kept[256];
    static unsigned nkept;
    char *s = strdup(arg);
    if (!s || nkept == sizeof(kept) / sizeof(kept[0]))
        FAIL("out of memory (or too many device options)");
    kept[nkept++] = s;
    switch (which) {
    case DEVOPT_DRIVE: return drive_opt(s, err, errlen);
    case DEVOPT_NETDEV: return netdev_opt(s, false, err, errlen);
    case DEVOPT_NIC: return netdev_opt(s, true, err, errlen);
    case DEVOPT_DEVICE: return device_opt(s, err, errlen);
    case DEVOPT_SNAPSHOT: break;
    }
    return true;
}

bool devopts_finish(struct machine_config *cfg, char *err, size_t errlen)
{
    unsigned ndrives = 0;
    struct machine_drive drives[MAX_DRIVES * 2];
    /* Drives in command-line order: if=virtio at once, if=none where their
     * -device virtio-blk put them (after the direct ones). */
    for (unsigned i = 0; i < o.ndrives; i++)
        if (!o.drives[i].deferred)
            drives[ndrives++] = o.drives[i].d;
    for (unsigned i = 0; i < o.nblk; i++)
        drives[ndrives++] = o.drives[o.blk_order[i]].d;
    for (unsigned i = 0; i < o.nnetdevs; i++)
        if (!o.netdevs[i].used)
            fprintf(stderr, "rvvm: warning: -netdev %s is not used by any -device "
                            "virtio-net\n", o.netdevs[i].id ? o.netdevs[i].id : "");
    for (unsigned i = 0; i < o.ndrives; i++)
        if (o.drives[i].deferred && !o.drives[i].attached)
            fprintf(stderr, "rvvm: warning: -drive id=%s is not used by any -device "
                            "virtio-blk\n", o.drives[i].id);
    unsigned total = ndrives + o.ncards + (o.rng ? 1 : 0);
    if (total > MACHINE_VIRTIO_SLOTS)
        FAIL("too many virtio devices (%u disks, %u network cards%s): the board has %d slots",
             ndrives, o.ncards, o.rng ? ", an RNG" : "", MACHINE_VIRTIO_SLOTS);
    for (unsigned i = 0; i < ndrives; i++) {
        cfg->drives[i] = drives[i];
        if (o.snapshot)
            cfg->drives[i].snapshot = true;
    }
    cfg->ndrives = ndrives;
    for (unsigned i = 0; i < o.ncards; i++) {
        struct machine_nic *n = &cfg->nics[i];
        *n = o.netdevs[o.cards[i].netdev].nic;
        if (o.cards[i].has_mac) {
            memcpy(n->mac, o.cards[i].mac, 6);
        } else {
            /* QEMU's default: 52:54:00:12:34:56, then :57, ... */
            const uint8_t def[6] = {0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + i)};
            memcpy(n->mac, def, 6);
        }
    }
    cfg->nnics = o.ncards;
    cfg->rng = o.rng;
    return true;
}
