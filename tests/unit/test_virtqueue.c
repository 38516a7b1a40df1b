/*
 * test_virtqueue.c - split virtqueues and the virtio-mmio transport fed
 * good and broken rings through a fake machine (64 KiB of RAM at
 * 0x80000000): out-of-range addresses, looped chains, lengths past the end
 * of RAM, bad indirect tables, too-small request buffers. Each broken case
 * must end in an error (vq_pop -1, DEVICE_NEEDS_RESET, or a failed request)
 * and nothing else: no crash, nothing written outside the rings we expect.
 * Run under -Dsanitizers=true to catch any stray access.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_rng.h"
#include "devices/virtqueue.h"
#include "rvvm/blkback.h"
#include "rvvm/virtio.h"
#include "tests/unit/fake_machine.h"

#define RAM 0x80000000ull
#define NUM 8
#define DESC (RAM + 0x000)
#define AVAIL (RAM + 0x100)
#define USED (RAM + 0x200)
#define BUF (RAM + 0x1000)
#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

struct fx {
    struct machine *m;
    struct vq q;
    struct vq_req r;
};

static uint8_t *ram(struct fx *f, uint64_t gpa)
{
    return f->m->ram + (gpa - RAM);
}

static void put_desc_at(struct fx *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                        uint16_t flags, uint16_t next)
{
    uint8_t *d = ram(f, table) + 16 * i;
    memcpy(d, &addr, 8);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
}

static void put_desc(struct fx *f, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    put_desc_at(f, DESC, i, addr, len, flags, next);
}

static uint16_t rd16(struct fx *f, uint64_t gpa)
{
    uint16_t v;
    memcpy(&v, ram(f, gpa), 2);
    return v;
}

static void wr16(struct fx *f, uint64_t gpa, uint16_t v)
{
    memcpy(ram(f, gpa), &v, 2);
}

/* Make head available as the next entry. */
static void offer(struct fx *f, uint16_t head)
{
    uint16_t idx = rd16(f, AVAIL + 2);
    wr16(f, AVAIL + 4 + 2 * (idx % NUM), head);
    wr16(f, AVAIL + 2, idx + 1);
}

static void setup_q(struct fx *f, bool event_idx, bool indirect)
{
    vq_reset(&f->q, f->m);
    f->q.num = NUM;
    f->q.desc_gpa = DESC;
    f->q.avail_gpa = AVAIL;
    f->q.used_gpa = USED;
    f->q.event_idx = event_idx;
    f->q.indirect = indirect;
    assert_true(vq_enable(&f->q));
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->m = fake_machine_new(1);
    setup_q(f, false, true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    fake_machine_free(f->m);
    free(f);
    return 0;
}

/* Everything outside the rings and the buffers stays zero. */
static void assert_ram_untouched_above(struct fx *f, uint64_t from)
{
    for (uint64_t a = from; a < RAM + f->m->ram_size; a++)
        if (*ram(f, a)) {
            fail_msg("RAM at 0x%llx changed", (unsigned long long)a);
        }
}

static void expect_broken(struct fx *f, const char *what)
{
    const char *why = NULL;
    assert_int_equal(vq_pop(&f->q, &f->r, &why), -1);
    assert_non_null(why);
    assert_non_null(strstr(why, what));
    assert_true(f->q.broken);
    /* Stays broken; pushing does nothing. */
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), -1);
    uint16_t used = rd16(f, USED + 2);
    vq_push(&f->q, 0, 1);
    assert_int_equal(rd16(f, USED + 2), used);
}

static void test_good_chain(void **state)
{
    struct fx *f = *state;
    put_desc(f, 0, BUF, 16, F_NEXT, 3);
    put_desc(f, 3, BUF + 0x100, 100, F_NEXT | F_WRITE, 5);
    put_desc(f, 5, BUF + 0x200, 1, F_WRITE, 0);
    memcpy(ram(f, BUF), "0123456789abcdef", 16);
    offer(f, 0);
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), 1);
    assert_int_equal(f->r.head, 0);
    assert_int_equal(f->r.nread, 1);
    assert_int_equal(f->r.nwrite, 2);
    assert_int_equal(f->r.read_len, 16);
    assert_int_equal(f->r.write_len, 101);
    char buf[17] = {0};
    assert_int_equal(vq_req_read(&f->r, 4, buf, 100), 12);
    assert_string_equal(buf, "456789abcdef");
    assert_int_equal(vq_req_write(&f->r, 99, "XY", 2), 2);
    assert_int_equal(*ram(f, BUF + 0x100 + 99), 'X');
    assert_int_equal(*ram(f, BUF + 0x200), 'Y');
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), 0);
    vq_push(&f->q, 0, 101);
    assert_int_equal(rd16(f, USED + 2), 1);
    uint32_t id, len;
    memcpy(&id, ram(f, USED + 4), 4);
    memcpy(&len, ram(f, USED + 8), 4);
    assert_int_equal(id, 0);
    assert_int_equal(len, 101);
    assert_true(vq_should_notify(&f->q));
    /* VRING_AVAIL_F_NO_INTERRUPT suppresses it. */
    wr16(f, AVAIL, 1);
    assert_false(vq_should_notify(&f->q));
}

static void test_desc_outside_ram(void **state)
{
    struct fx *f = *state;
    put_desc(f, 0, 0x1000, 16, 0, 0); /* below RAM: the boot ROM, not DMA-able */
    offer(f, 0);
    expect_broken(f, "outside guest RAM");
}

static void test_desc_past_end_of_ram(void **state)
{
    struct fx *f = *state;
    uint64_t end = RAM + f->m->ram_size;
    put_desc(f, 0, end - 8, 16, F_WRITE, 0); /* starts inside, ends 8 bytes past */
    offer(f, 0);
    expect_broken(f, "outside guest RAM");
}

static void test_desc_huge_addr_wraps(void **state)
{
    struct fx *f = *state;
    put_desc(f, 0, UINT64_MAX - 4, 16, F_WRITE, 0); /* addr + len wraps around */
    offer(f, 0);
    expect_broken(f, "outside guest RAM");
}

static void test_loop(void **state)
{
    struct fx *f = *state;
    put_desc(f, 0, BUF, 16, F_NEXT, 1);
    put_desc(f, 1, BUF, 16, F_NEXT, 2);
    put_desc(f, 2, BUF, 16, F_NEXT, 0);
    offer(f, 0);
    expect_broken(f, "loop");
}

static void test_self_loop(void **state)
{
    struct fx *f = *state;
    put_desc(f, 4, BUF, 16, F_NEXT | F_WRITE, 4);
    offer(f, 4);
    expect_broken(f, "loop");
}

static void test_next_out_of_range(void **state)
{
    struct fx *f = *state;
    put_desc(f, 0, BUF, 16, F_NEXT, NUM);
    offer(f, 0);
    expect_broken(f, "next out of range");
}

static void test_head_out_of_range(void **state)
{
    struct fx *f = *state;
    offer(f, 0xffff);
    expect_broken(f, "head out of range");
}

static void test_avail_idx_jump(void **state)
{
    struct fx *f = *state;
    wr16(f, AVAIL + 2, NUM + 1);
    expect_broken(f, "more than the queue size");
}

static void test_read_after_write(void **state)
{
    struct fx *f = *state;
    put_desc(f, 0, BUF, 16, F_NEXT | F_WRITE, 1);
    put_desc(f, 1, BUF + 16, 16, 0, 0);
    offer(f, 0);
    expect_broken(f, "readable descriptor after a writable");
}

static void test_rings_outside_ram(void **state)
{
    struct fx *f = *state;
    vq_reset(&f->q, f->m);
    f->q.num = NUM;
    f->q.desc_gpa = RAM + f->m->ram_size - 64; /* 128-byte table runs off the end */
    f->q.avail_gpa = AVAIL;
    f->q.used_gpa = USED;
    assert_false(vq_enable(&f->q));
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), -1);

    vq_reset(&f->q, f->m);
    f->q.num = NUM;
    f->q.desc_gpa = DESC;
    f->q.avail_gpa = AVAIL;
    f->q.used_gpa = 0xfffffffffffff000ull;
    assert_false(vq_enable(&f->q));

    vq_reset(&f->q, f->m);
    f->q.num = NUM;
    f->q.desc_gpa = DESC + 8; /* misaligned */
    f->q.avail_gpa = AVAIL;
    f->q.used_gpa = USED;
    assert_false(vq_enable(&f->q));
    vq_push(&f->q, 0, 0);
    assert_ram_untouched_above(f, RAM);
}

static void test_indirect_good(void **state)
{
    struct fx *f = *state;
    uint64_t table = BUF + 0x800;
    put_desc_at(f, table, 0, BUF, 16, F_NEXT, 2);
    put_desc_at(f, table, 2, BUF + 0x100, 512, F_NEXT | F_WRITE, 1);
    put_desc_at(f, table, 1, BUF + 0x400, 1, F_WRITE, 0);
    put_desc(f, 6, table, 3 * 16, F_INDIRECT, 0);
    offer(f, 6);
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), 1);
    assert_int_equal(f->r.head, 6);
    assert_int_equal(f->r.read_len, 16);
    assert_int_equal(f->r.write_len, 513);
}

static void test_indirect_not_negotiated(void **state)
{
    struct fx *f = *state;
    setup_q(f, false, false);
    put_desc_at(f, BUF + 0x800, 0, BUF, 16, 0, 0);
    put_desc(f, 0, BUF + 0x800, 16, F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f, "without VIRTIO_F_INDIRECT_DESC");
}

static void test_indirect_loop(void **state)
{
    struct fx *f = *state;
    uint64_t table = BUF + 0x800;
    put_desc_at(f, table, 0, BUF, 16, F_NEXT, 1);
    put_desc_at(f, table, 1, BUF, 16, F_NEXT, 0);
    put_desc(f, 0, table, 2 * 16, F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f, "loop in an indirect");
}

static void test_indirect_nested(void **state)
{
    struct fx *f = *state;
    uint64_t table = BUF + 0x800;
    put_desc_at(f, table, 0, table, 16, F_INDIRECT, 0);
    put_desc(f, 0, table, 16, F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f, "nested indirect");
}

static void test_indirect_bad_len(void **state)
{
    struct fx *f = *state;
    put_desc(f, 0, BUF + 0x800, 24, F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f, "bad indirect table length");
}

static void test_indirect_table_outside_ram(void **state)
{
    struct fx *f = *state;
    put_desc(f, 0, RAM + f->m->ram_size - 16, 64, F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f, "indirect table outside guest RAM");
}

static void test_indirect_with_next(void **state)
{
    struct fx *f = *state;
    put_desc_at(f, BUF + 0x800, 0, BUF, 16, 0, 0);
    put_desc(f, 0, BUF + 0x800, 16, F_INDIRECT | F_NEXT, 1);
    offer(f, 0);
    expect_broken(f, "indirect descriptor with NEXT");
}

static void test_indirect_in_chain(void **state)
{
    struct fx *f = *state;
    put_desc_at(f, BUF + 0x800, 0, BUF, 16, 0, 0);
    put_desc(f, 0, BUF, 16, F_NEXT, 1);
    put_desc(f, 1, BUF + 0x800, 16, F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f, "indirect descriptor inside a chain");
}

static void test_event_idx(void **state)
{
    struct fx *f = *state;
    setup_q(f, true, true);
    for (int i = 0; i < 4; i++)
        put_desc(f, (unsigned)i, BUF, 16, F_WRITE, 0);
    for (int i = 0; i < 4; i++)
        offer(f, (uint16_t)i);
    /* avail_event follows what we consumed. */
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), 1);
    assert_int_equal(rd16(f, USED + 4 + 8 * NUM), 1);
    /* used_event = 0: notify after the first used entry only. */
    wr16(f, AVAIL + 4 + 2 * NUM, 0);
    vq_push(&f->q, f->r.head, 0);
    assert_true(vq_should_notify(&f->q));
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), 1);
    vq_push(&f->q, f->r.head, 0);
    assert_false(vq_should_notify(&f->q)); /* used_event 0 already passed */
    /* The driver asks for a notification when used idx passes 3. */
    wr16(f, AVAIL + 4 + 2 * NUM, 3);
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), 1);
    vq_push(&f->q, f->r.head, 0); /* used idx 3: event 3 not yet crossed */
    assert_false(vq_should_notify(&f->q));
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), 1);
    vq_push(&f->q, f->r.head, 0); /* used idx 4: crosses 3 */
    assert_true(vq_should_notify(&f->q));
    assert_int_equal(vq_pop(&f->q, &f->r, NULL), 0);
    assert_int_equal(rd16(f, USED + 4 + 8 * NUM), 4);
}

/* ---- the transport, through its registers ---- */

#define MMIO 0x10001000ull
#define IRQ 1
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEV_FEAT 0x010
#define R_DEV_FEAT_SEL 0x014
#define R_DRV_FEAT 0x020
#define R_DRV_FEAT_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_ISR 0x060
#define R_ISR_ACK 0x064
#define R_STATUS 0x070
#define R_DESC_LO 0x080
#define R_DESC_HI 0x084
#define R_DRIVER_LO 0x090
#define R_DEVICE_LO 0x0a0
#define S_FEATURES_OK 8
#define S_DRIVER_OK 4
#define S_NEEDS_RESET 0x40

static uint32_t mr(struct dev *d, uint64_t off)
{
    uint64_t v = 0;
    assert_true(d->ops->read(d, off, 4, &v));
    return (uint32_t)v;
}

static void mw(struct dev *d, uint64_t off, uint32_t v)
{
    assert_true(d->ops->write(d, off, 4, v));
}

/* Driver initialization (3.1.1) with VERSION_1 | EVENT_IDX? | INDIRECT. */
static void driver_init(struct dev *d, bool event_idx, uint32_t dev_features_lo)
{
    mw(d, R_STATUS, 0);
    mw(d, R_STATUS, 1);
    mw(d, R_STATUS, 3);
    mw(d, R_DRV_FEAT_SEL, 0);
    mw(d, R_DRV_FEAT, dev_features_lo | (1u << 28) | (event_idx ? 1u << 29 : 0));
    mw(d, R_DRV_FEAT_SEL, 1);
    mw(d, R_DRV_FEAT, 1); /* VERSION_1 */
    mw(d, R_STATUS, 3 | S_FEATURES_OK);
    assert_int_equal(mr(d, R_STATUS) & S_FEATURES_OK, S_FEATURES_OK);
    mw(d, R_QUEUE_SEL, 0);
    assert_true(mr(d, R_QUEUE_NUM_MAX) >= NUM);
    mw(d, R_QUEUE_NUM, NUM);
    mw(d, R_DESC_LO, (uint32_t)DESC);
    mw(d, R_DESC_HI, 0);
    mw(d, R_DRIVER_LO, (uint32_t)AVAIL);
    mw(d, R_DEVICE_LO, (uint32_t)USED);
    mw(d, R_QUEUE_READY, 1);
    mw(d, R_STATUS, 3 | S_FEATURES_OK | S_DRIVER_OK);
}

static void test_mmio_rng(void **state)
{
    struct fx *f = *state;
    struct dev *d = virtio_rng_create(f->m, MMIO, IRQ);
    assert_non_null(d);
    assert_int_equal(mr(d, R_MAGIC), 0x74726976);
    assert_int_equal(mr(d, R_VERSION), 2);
    assert_int_equal(mr(d, R_DEVICE_ID), 4);
    mw(d, R_DEV_FEAT_SEL, 1);
    assert_int_equal(mr(d, R_DEV_FEAT) & 1, 1); /* VERSION_1 offered */

    /* A driver without VERSION_1 does not get FEATURES_OK. */
    mw(d, R_STATUS, 3);
    mw(d, R_DRV_FEAT_SEL, 1);
    mw(d, R_DRV_FEAT, 0);
    mw(d, R_STATUS, 3 | S_FEATURES_OK);
    assert_int_equal(mr(d, R_STATUS) & S_FEATURES_OK, 0);

    memset(f->m->ram, 0, 0x1000);
    driver_init(d, false, 0);
    put_desc(f, 0, BUF, 64, F_WRITE, 0);
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_int_equal(rd16(f, USED + 2), 1);
    uint32_t len;
    memcpy(&len, ram(f, USED + 8), 4);
    assert_int_equal(len, 64);
    assert_true(fake_machine_irq(f->m, IRQ));
    assert_int_equal(mr(d, R_ISR), 1);
    mw(d, R_ISR_ACK, 1);
    assert_false(fake_machine_irq(f->m, IRQ));

    /* A looped chain: NEEDS_RESET, a config interrupt, nothing used. */
    put_desc(f, 1, BUF, 64, F_WRITE | F_NEXT, 2);
    put_desc(f, 2, BUF, 64, F_WRITE | F_NEXT, 1);
    offer(f, 1);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_int_equal(rd16(f, USED + 2), 1);
    assert_int_equal(mr(d, R_STATUS) & S_NEEDS_RESET, S_NEEDS_RESET);
    assert_int_equal(mr(d, R_ISR) & 2, 2);
    assert_true(fake_machine_irq(f->m, IRQ));
    assert_true(f->m->guest_errors > 0);
    /* Nothing more is served until the reset... */
    put_desc(f, 3, BUF, 64, F_WRITE, 0);
    offer(f, 3);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_int_equal(rd16(f, USED + 2), 1);
    /* ... which clears everything, including the line. */
    mw(d, R_STATUS, 0);
    assert_int_equal(mr(d, R_STATUS), 0);
    assert_false(fake_machine_irq(f->m, IRQ));
    assert_int_equal(mr(d, R_QUEUE_READY), 0);

    /* Rings outside RAM at QueueReady: NEEDS_RESET, no crash. */
    mw(d, R_STATUS, 1);
    mw(d, R_STATUS, 3);
    mw(d, R_DRV_FEAT_SEL, 1);
    mw(d, R_DRV_FEAT, 1);
    mw(d, R_STATUS, 3 | S_FEATURES_OK);
    mw(d, R_QUEUE_NUM, NUM);
    mw(d, R_DESC_LO, 0x40000000);
    mw(d, R_DRIVER_LO, (uint32_t)AVAIL);
    mw(d, R_DEVICE_LO, (uint32_t)USED);
    mw(d, R_QUEUE_READY, 1);
    assert_int_equal(mr(d, R_STATUS) & S_NEEDS_RESET, S_NEEDS_RESET);
    mw(d, R_STATUS, 0);

    /* Odd widths and unknown registers are guest errors, not crashes. */
    uint64_t v;
    assert_true(d->ops->read(d, R_MAGIC, 1, &v));
    assert_true(d->ops->write(d, 0x0f0, 4, 1));
    assert_true(d->ops->read(d, 0x100, 4, &v)); /* rng has no config space */
}

/* ---- virtio-blk over a fake backend ---- */

struct fake_bb {
    struct blkback b;
    uint8_t data[64 * 512];
    unsigned writes, flushes;
};

static int fbb_readv(struct blkback *b, const struct iovec *iov, unsigned n, uint64_t off)
{
    struct fake_bb *f = (struct fake_bb *)b;
    for (unsigned i = 0; i < n; i++) {
        assert_true(off + iov[i].iov_len <= sizeof(f->data));
        memcpy(iov[i].iov_base, f->data + off, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    return 0;
}

static int fbb_writev(struct blkback *b, const struct iovec *iov, unsigned n, uint64_t off)
{
    struct fake_bb *f = (struct fake_bb *)b;
    for (unsigned i = 0; i < n; i++) {
        assert_true(off + iov[i].iov_len <= sizeof(f->data));
        memcpy(f->data + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    f->writes++;
    return 0;
}

static int fbb_flush(struct blkback *b)
{
    ((struct fake_bb *)b)->flushes++;
    return 0;
}

static int fbb_discard(struct blkback *b, uint64_t off, uint64_t len)
{
    (void)b, (void)off, (void)len;
    return 0;
}

static int fbb_wz(struct blkback *b, uint64_t off, uint64_t len, bool unmap)
{
    (void)unmap;
    memset(((struct fake_bb *)b)->data + off, 0, len);
    return 0;
}

static void fbb_close(struct blkback *b)
{
    free(b);
}

static const struct blkback_ops fbb_ops = {fbb_readv, fbb_writev, fbb_flush, fbb_discard,
                                           fbb_wz, fbb_close};

static struct fake_bb *fbb_new(bool ro)
{
    struct fake_bb *b = calloc(1, sizeof(*b));
    b->b.ops = &fbb_ops;
    b->b.size = sizeof(b->data);
    b->b.readonly = ro;
    for (size_t i = 0; i < sizeof(b->data); i++)
        b->data[i] = (uint8_t)(i / 512);
    return b;
}

/* Wait for the I/O thread to complete `n` requests in total. */
static bool wait_used(struct fx *f, uint16_t n)
{
    for (int i = 0; i < 2000; i++) {
        if (__atomic_load_n((uint16_t *)ram(f, USED + 2), __ATOMIC_ACQUIRE) == n)
            return true;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return false;
}

static void wait_status(struct dev *d, uint32_t bit)
{
    for (int i = 0; i < 2000 && !(mr(d, R_STATUS) & bit); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(mr(d, R_STATUS) & bit, bit);
}

static void blk_hdr(struct fx *f, uint64_t gpa, uint32_t type, uint64_t sector)
{
    uint32_t zero = 0;
    memcpy(ram(f, gpa), &type, 4);
    memcpy(ram(f, gpa + 4), &zero, 4);
    memcpy(ram(f, gpa + 8), &sector, 8);
}

static void test_blk(void **state)
{
    struct fx *f = *state;
    struct fake_bb *bb = fbb_new(false);
    struct dev *d = virtio_blk_create(f->m, MMIO, IRQ, &bb->b, "rvvm-serial-1");
    assert_non_null(d);
    assert_int_equal(mr(d, R_DEVICE_ID), 2);
    uint64_t cap = 0;
    assert_true(d->ops->read(d, 0x100, 8, &cap));
    assert_int_equal(cap, 64);
    memset(f->m->ram, 0, 0x4000);
    driver_init(d, true, (1u << 9) | (1u << 13) | (1u << 14));

    /* Read sectors 2..3 (split over two buffers). */
    blk_hdr(f, BUF, 0, 2);
    put_desc(f, 0, BUF, 16, F_NEXT, 1);
    put_desc(f, 1, BUF + 0x100, 700, F_WRITE | F_NEXT, 2);
    put_desc(f, 2, BUF + 0x400, 324, F_WRITE | F_NEXT, 3);
    put_desc(f, 3, BUF + 0x800, 1, F_WRITE, 0);
    *ram(f, BUF + 0x800) = 0xff;
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_true(wait_used(f, 1));
    assert_int_equal(*ram(f, BUF + 0x800), 0); /* VIRTIO_BLK_S_OK */
    assert_int_equal(*ram(f, BUF + 0x100), 2);
    assert_int_equal(*ram(f, BUF + 0x100 + 511), 2);
    assert_int_equal(*ram(f, BUF + 0x100 + 512), 3);
    assert_int_equal(*ram(f, BUF + 0x400 + 323), 3);

    /* Write past the end: IOERR, backend untouched. */
    blk_hdr(f, BUF, 1, 63);
    put_desc(f, 0, BUF, 16, F_NEXT, 1);
    put_desc(f, 1, BUF + 0x100, 1024, F_NEXT, 3);
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_true(wait_used(f, 2));
    assert_int_equal(*ram(f, BUF + 0x800), 1); /* VIRTIO_BLK_S_IOERR */
    assert_int_equal(bb->writes, 0);

    /* Unknown type: UNSUPP. GET_ID: the serial. */
    blk_hdr(f, BUF, 99, 0);
    put_desc(f, 0, BUF, 16, F_NEXT, 3);
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_true(wait_used(f, 3));
    assert_int_equal(*ram(f, BUF + 0x800), 2);
    blk_hdr(f, BUF, 8, 0);
    put_desc(f, 0, BUF, 16, F_NEXT, 1);
    put_desc(f, 1, BUF + 0x100, 20, F_WRITE | F_NEXT, 3);
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_true(wait_used(f, 4));
    assert_int_equal(*ram(f, BUF + 0x800), 0);
    assert_memory_equal(ram(f, BUF + 0x100), "rvvm-serial-1\0", 14);

    /* Too small: a header of 8 bytes. The device cannot answer: NEEDS_RESET. */
    put_desc(f, 0, BUF, 8, F_NEXT, 3);
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    wait_status(d, S_NEEDS_RESET);
    assert_int_equal(rd16(f, USED + 2), 4);
    mw(d, R_STATUS, 0);
}

static void test_blk_no_status_byte_and_readonly(void **state)
{
    struct fx *f = *state;
    struct fake_bb *bb = fbb_new(true);
    struct dev *d = virtio_blk_create(f->m, MMIO, IRQ, &bb->b, NULL);
    assert_non_null(d);
    mw(d, R_DEV_FEAT_SEL, 0);
    assert_int_equal(mr(d, R_DEV_FEAT) & (1u << 5), 1u << 5); /* VIRTIO_BLK_F_RO */
    memset(f->m->ram, 0, 0x4000);
    driver_init(d, false, 0);

    /* A write to a read-only disk: IOERR. */
    blk_hdr(f, BUF, 1, 0);
    put_desc(f, 0, BUF, 16, F_NEXT, 1);
    put_desc(f, 1, BUF + 0x100, 512, F_NEXT, 2);
    put_desc(f, 2, BUF + 0x800, 1, F_WRITE, 0);
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_true(wait_used(f, 1));
    assert_int_equal(*ram(f, BUF + 0x800), 1);
    assert_int_equal(bb->writes, 0);

    /* A read whose data length is not whole sectors: IOERR. */
    blk_hdr(f, BUF, 0, 0);
    put_desc(f, 1, BUF + 0x100, 100, F_WRITE | F_NEXT, 2);
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    assert_true(wait_used(f, 2));
    assert_int_equal(*ram(f, BUF + 0x800), 1);

    /* No writable byte at all for the status: NEEDS_RESET. */
    put_desc(f, 0, BUF, 16, 0, 0);
    offer(f, 0);
    mw(d, R_QUEUE_NOTIFY, 0);
    wait_status(d, S_NEEDS_RESET);
    assert_int_equal(rd16(f, USED + 2), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_desc_outside_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_desc_past_end_of_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_desc_huge_addr_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_next_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_avail_idx_jump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_after_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rings_outside_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_good, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_not_negotiated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_nested, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_bad_len, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_table_outside_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_with_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indirect_in_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_idx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmio_rng, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blk_no_status_byte_and_readonly, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
