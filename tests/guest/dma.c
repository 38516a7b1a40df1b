/*
 * dma.c - code that a device writes (virtio-blk DMA), not the hart: after
 * fence.i the new instructions run, including in a page whose old code
 * already ran often enough to be translated (the translator cannot see
 * DMA through its store hook; fence.i must make it look again).
 *
 * A minimal virtio-mmio (version 2) block driver: one queue of eight
 * descriptors, requests polled to completion. The disk (any raw file of at
 * least one sector, attached read-write or snapshot) gets one sector of
 * code written from a buffer, which is then read back over the old code.
 * Run with: -drive file=DISK,snapshot=on (rvvm) or
 * -drive file=DISK,if=none,format=raw,snapshot=on,id=d -device
 * virtio-blk-device,drive=d -global virtio-mmio.force-legacy=false (QEMU).
 */
#include "rt.h"

#define VIO_BASE 0x10001000UL
#define VIO_SLOTS 8
#define VIO_MAGIC 0x000
#define VIO_VERSION 0x004
#define VIO_DEVICE_ID 0x008
#define VIO_DEV_FEATURES 0x010
#define VIO_DEV_FEATURES_SEL 0x014
#define VIO_DRV_FEATURES 0x020
#define VIO_DRV_FEATURES_SEL 0x024
#define VIO_QUEUE_SEL 0x030
#define VIO_QUEUE_NUM_MAX 0x034
#define VIO_QUEUE_NUM 0x038
#define VIO_QUEUE_READY 0x044
#define VIO_QUEUE_NOTIFY 0x050
#define VIO_INT_STATUS 0x060
#define VIO_INT_ACK 0x064
#define VIO_STATUS 0x070
#define VIO_QUEUE_DESC 0x080
#define VIO_QUEUE_AVAIL 0x090
#define VIO_QUEUE_USED 0x0a0

#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FEATURES_OK 8

#define QN 8
#define DESC_NEXT 1
#define DESC_WRITE 2
#define BLK_IN 0
#define BLK_OUT 1

struct desc {
    u64 addr;
    u32 len;
    u16 flags, next;
};
struct avail {
    u16 flags, idx, ring[QN];
};
struct used {
    u16 flags, idx;
    struct {
        u32 id, len;
    } ring[QN];
};
struct blk_req {
    u32 type, reserved;
    u64 sector;
};

static struct desc descs[QN] __attribute__((aligned(16)));
static struct avail avail __attribute__((aligned(2)));
static volatile struct used used __attribute__((aligned(4)));
static struct blk_req req;
static volatile u8 req_status;
static u64 vio;
static u16 last_used;

/* Two code pages and a buffer; RAM is executable in M-mode. */
static u32 code[2][1024] __attribute__((aligned(4096)));
static u32 buf[128] __attribute__((aligned(512)));

static u32 rd(u64 off) { return mmio_r32(vio + off); }
static void wr(u64 off, u32 v) { mmio_w32(vio + off, v); }

static int blk_probe(void)
{
    for (unsigned i = 0; i < VIO_SLOTS; i++) {
        u64 b = VIO_BASE + 0x1000UL * i;
        if (mmio_r32(b + VIO_MAGIC) == 0x74726976 && mmio_r32(b + VIO_VERSION) == 2 &&
            mmio_r32(b + VIO_DEVICE_ID) == 2) {
            vio = b;
            return 1;
        }
    }
    return 0;
}

static void blk_init(void)
{
    wr(VIO_STATUS, 0);
    wr(VIO_STATUS, ST_ACK);
    wr(VIO_STATUS, ST_ACK | ST_DRIVER);
    wr(VIO_DEV_FEATURES_SEL, 1);
    CHECK(rd(VIO_DEV_FEATURES) & 1); /* VIRTIO_F_VERSION_1 */
    wr(VIO_DRV_FEATURES_SEL, 0);
    wr(VIO_DRV_FEATURES, 0);
    wr(VIO_DRV_FEATURES_SEL, 1);
    wr(VIO_DRV_FEATURES, 1);
    wr(VIO_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
    CHECK(rd(VIO_STATUS) & ST_FEATURES_OK);
    wr(VIO_QUEUE_SEL, 0);
    CHECK(rd(VIO_QUEUE_NUM_MAX) >= QN);
    wr(VIO_QUEUE_NUM, QN);
    u64 d = (u64)descs, a = (u64)&avail, u = (u64)&used;
    wr(VIO_QUEUE_DESC, (u32)d);
    wr(VIO_QUEUE_DESC + 4, (u32)(d >> 32));
    wr(VIO_QUEUE_AVAIL, (u32)a);
    wr(VIO_QUEUE_AVAIL + 4, (u32)(a >> 32));
    wr(VIO_QUEUE_USED, (u32)u);
    wr(VIO_QUEUE_USED + 4, (u32)(u >> 32));
    wr(VIO_QUEUE_READY, 1);
    wr(VIO_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
}

/* One 512-byte request on sector 0: out of `data` (write) or into it (read). */
static void blk_rw(u32 type, void *data)
{
    req = (struct blk_req){.type = type, .sector = 0};
    req_status = 0xff;
    descs[0] = (struct desc){(u64)&req, sizeof(req), DESC_NEXT, 1};
    descs[1] = (struct desc){(u64)data, 512, (u16)(DESC_NEXT | (type == BLK_IN ? DESC_WRITE : 0)), 2};
    descs[2] = (struct desc){(u64)&req_status, 1, DESC_WRITE, 0};
    avail.ring[avail.idx % QN] = 0;
    asm volatile("fence rw, rw" ::: "memory");
    avail.idx++;
    asm volatile("fence rw, rw" ::: "memory");
    wr(VIO_QUEUE_NOTIFY, 0);
    /* Wait for the used-buffer notification (set after the used ring is
     * written), not for the ring itself: the device may run beside the
     * hart, and what the guest reads must not depend on when it looked
     * (-accel jit,verify runs blocks twice; ones that read MMIO it runs
     * once, on the interpreter). */
    for (u64 spin = 0; !(rd(VIO_INT_STATUS) & 1); spin++)
        if (spin > 100000000UL)
            FAIL_HERE("virtio-blk request never completed");
    wr(VIO_INT_ACK, 1);
    asm volatile("fence rw, rw" ::: "memory");
    CHECK_EQ(used.idx, (u16)(last_used + 1));
    last_used = used.idx;
    CHECK_EQ(used.ring[(u16)(last_used - 1) % QN].id, 0);
    CHECK_EQ(req_status, 0);
}

/* addi a0, x0, n; ret */
static void gen(u32 *p, unsigned n)
{
    p[0] = 0x00000513u | (n << 20);
    p[1] = 0x00008067u;
}

static u64 call(const u32 *p)
{
    return ((u64(*)(void))(u64)p)();
}

/* Run p often enough for any engine to translate it; each run must say n. */
static void run_hot(const u32 *p, u64 n)
{
    for (unsigned i = 0; i < 200; i++)
        CHECK_EQ(call(p), n);
}

int main(void)
{
    if (!blk_probe())
        FAIL_HERE("no virtio-blk device (run with a -drive)");
    blk_init();

    /* The first instructions of a page, and some in the middle of one. */
    u32 *where[2] = {&code[0][0], &code[1][520]};
    for (unsigned k = 0; k < 2; k++) {
        u32 *p = where[k];
        gen(p, 11 + k);
        asm volatile("fence.i" ::: "memory");
        run_hot(p, 11 + k);

        /* new code to the disk, then from the disk over the old code */
        for (unsigned i = 0; i < 128; i++)
            buf[i] = 0;
        gen(buf, 21 + k);
        blk_rw(BLK_OUT, buf);
        blk_rw(BLK_IN, p);
        CHECK_EQ(p[0], buf[0]);
        CHECK_EQ(p[1], buf[1]);
        asm volatile("fence.i" ::: "memory");
        run_hot(p, 21 + k);
    }
    return 0;
}
