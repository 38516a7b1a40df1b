/*
 * test_bus.c - the physical address space (vmm/bus.c): memory-region lookup
 * at its edges, read-only regions, overlap refusal, and the one place that
 * enforces device access widths (splitting little-endian into accepted
 * aligned pieces, refusing what no accepted width covers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rvvm/bus.h"
#include "rvvm/device.h"

/* ---- a recording device: 64 bytes of registers ---- */

#define LOG_MAX 16

struct rec {
    uint8_t regs[64];
    struct {
        uint64_t off;
        unsigned size;
        bool write;
        uint64_t val;
    } log[LOG_MAX];
    unsigned n;
    int refuse_off; /* offset whose access is refused, or -1 */
    unsigned resets;
    bool *destroyed;
};

static bool rec_access(struct dev *d, uint64_t off, unsigned size, uint64_t *val, bool write)
{
    struct rec *r = d->state;
    /* the bus promises: in range, an accepted width, naturally aligned */
    assert_true(off + size <= d->size);
    assert_true(d->widths & size);
    assert_int_equal(off & (size - 1), 0);
    if (r->n < LOG_MAX)
        r->log[r->n++] = (typeof(r->log[0])){off, size, write, write ? *val : 0};
    if ((int)off == r->refuse_off)
        return false;
    if (write) {
        memcpy(&r->regs[off], val, size);
    } else {
        uint64_t v = 0;
        memcpy(&v, &r->regs[off], size);
        *val = v;
    }
    return true;
}

static bool rec_read(struct dev *d, uint64_t off, unsigned size, uint64_t *val)
{
    return rec_access(d, off, size, val, false);
}

static bool rec_write(struct dev *d, uint64_t off, unsigned size, uint64_t val)
{
    return rec_access(d, off, size, &val, true);
}

static void rec_reset(struct dev *d)
{
    ((struct rec *)d->state)->resets++;
}

static void rec_destroy(struct dev *d)
{
    struct rec *r = d->state;
    if (r->destroyed)
        *r->destroyed = true;
    free(r);
}

static const struct dev_ops rec_ops = {
    .name = "rec",
    .read = rec_read,
    .write = rec_write,
    .reset = rec_reset,
    .destroy = rec_destroy,
};

static struct dev *rec_new(uint64_t base, uint64_t size, uint32_t widths)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct rec *r = calloc(1, sizeof(*r));
    for (unsigned i = 0; i < sizeof(r->regs); i++)
        r->regs[i] = (uint8_t)(0x10 + i);
    r->refuse_off = -1;
    d->ops = &rec_ops;
    d->base = base;
    d->size = size;
    d->widths = widths;
    d->state = r;
    return d;
}

static struct rec *R(struct dev *d)
{
    return d->state;
}

/* ---- memory regions ---- */

#define MEM 0x80000000ull
#define MEMSZ 0x10000ull

static void test_mem_find_edges(void **state)
{
    (void)state;
    struct bus b;
    static uint8_t ram[MEMSZ];
    bus_init(&b);
    assert_true(bus_add_mem(&b, MEM, MEMSZ, ram, false));
    const struct bus_region *r = bus_mem_find(&b, MEM, 1);
    assert_non_null(r);
    assert_int_equal(r->base, MEM);
    assert_ptr_equal(bus_mem_find(&b, MEM + MEMSZ - 1, 1), r); /* last byte */
    assert_ptr_equal(bus_mem_find(&b, MEM + MEMSZ - 8, 8), r); /* last dword */
    assert_ptr_equal(bus_mem_find(&b, MEM, MEMSZ), r);         /* all of it */
    assert_null(bus_mem_find(&b, MEM + MEMSZ - 1, 2));         /* straddles the end */
    assert_null(bus_mem_find(&b, MEM + MEMSZ - 4, 8));
    assert_null(bus_mem_find(&b, MEM, MEMSZ + 1));
    assert_null(bus_mem_find(&b, MEM + MEMSZ, 1)); /* one past */
    assert_null(bus_mem_find(&b, MEM - 1, 1));     /* one before */
    assert_null(bus_mem_find(&b, MEM - 1, 2));     /* straddles the start */
    assert_null(bus_mem_find(&b, 0, 1));
    assert_null(bus_mem_find(&b, ~0ull, 1));
    /* a huge length must not wrap around into "fits" */
    assert_null(bus_mem_find(&b, MEM + 8, ~0ull));

    assert_ptr_equal(bus_mem_ptr(&b, MEM + 0x123, 4, false), ram + 0x123);
    assert_ptr_equal(bus_mem_ptr(&b, MEM + 0x123, 4, true), ram + 0x123);
    assert_ptr_equal(bus_mem_ptr(&b, MEM + MEMSZ - 1, 1, true), ram + MEMSZ - 1);
    assert_null(bus_mem_ptr(&b, MEM + MEMSZ - 1, 2, false));

    /* and back: the physical address of a host byte */
    uint64_t pa = 0;
    assert_true(bus_mem_pa(&b, ram + 0x123, &pa));
    assert_int_equal(pa, MEM + 0x123);
    assert_true(bus_mem_pa(&b, ram, &pa));
    assert_int_equal(pa, MEM);
    assert_true(bus_mem_pa(&b, ram + MEMSZ - 1, &pa));
    assert_int_equal(pa, MEM + MEMSZ - 1);
    assert_false(bus_mem_pa(&b, ram + MEMSZ, &pa)); /* one past */
    bus_destroy(&b);
}

static void test_mem_many_regions(void **state)
{
    (void)state;
    struct bus b;
    static uint8_t m[4][0x1000];
    bus_init(&b);
    /* added out of order; lookups must still find each */
    assert_true(bus_add_mem(&b, 0x30000, 0x1000, m[3], false));
    assert_true(bus_add_mem(&b, 0x10000, 0x1000, m[1], false));
    assert_true(bus_add_mem(&b, 0x20000, 0x1000, m[2], true));
    assert_true(bus_add_mem(&b, 0x00000, 0x1000, m[0], false));
    assert_true(bus_add_mem(&b, 0x21000, 0x1000, m[0], false)); /* adjacent to m[2] */
    for (unsigned i = 0; i < 4; i++) {
        assert_ptr_equal(bus_mem_ptr(&b, i * 0x10000ull + 0xff8, 8, false), m[i] + 0xff8);
        assert_null(bus_mem_ptr(&b, i * 0x10000ull + 0x1000 + (i == 2 ? 0x1000 : 0), 1, false));
    }
    /* a range over two adjacent regions is not one region */
    assert_null(bus_mem_find(&b, 0x20ffc, 8));
    assert_ptr_equal(bus_mem_ptr(&b, 0x21000, 1, false), m[0]);
    uint64_t pa = 0;
    assert_true(bus_mem_pa(&b, m[3] + 5, &pa));
    assert_int_equal(pa, 0x30005);
    assert_true(bus_mem_pa(&b, m[2] + 0xfff, &pa));
    assert_int_equal(pa, 0x20fff);
    bus_destroy(&b);
}

static void test_mem_readonly(void **state)
{
    (void)state;
    struct bus b;
    uint8_t rom[0x100];
    for (unsigned i = 0; i < sizeof(rom); i++)
        rom[i] = (uint8_t)i;
    bus_init(&b);
    assert_true(bus_add_mem(&b, 0x1000, sizeof(rom), rom, true));
    assert_null(bus_mem_ptr(&b, 0x1000, 1, true));
    assert_ptr_equal(bus_mem_ptr(&b, 0x1000, 1, false), rom);
    const struct bus_region *r = bus_mem_find(&b, 0x1000, 1);
    assert_true(r->readonly);
    uint64_t v;
    assert_true(bus_read(&b, 0x1004, 4, &v));
    assert_int_equal(v, 0x07060504);
    assert_false(bus_write(&b, 0x1004, 4, 0));
    assert_false(bus_write(&b, 0x1000, 1, 0xff));
    assert_int_equal(rom[4], 4);
    assert_int_equal(rom[0], 0);
    bus_destroy(&b);
}

static void test_mem_read_write(void **state)
{
    (void)state;
    struct bus b;
    static uint8_t ram[0x100];
    memset(ram, 0, sizeof(ram));
    bus_init(&b);
    assert_true(bus_add_mem(&b, 0x2000, sizeof(ram), ram, false));
    uint64_t v;
    /* little-endian, every size, misaligned inside a region is fine */
    assert_true(bus_write(&b, 0x2001, 8, 0x0807060504030201ull));
    assert_memory_equal(ram + 1, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    assert_true(bus_read(&b, 0x2001, 8, &v));
    assert_int_equal(v, 0x0807060504030201ull);
    assert_true(bus_read(&b, 0x2003, 4, &v));
    assert_int_equal(v, 0x06050403);
    assert_true(bus_read(&b, 0x2002, 2, &v));
    assert_int_equal(v, 0x0302);
    assert_true(bus_read(&b, 0x2008, 1, &v));
    assert_int_equal(v, 0x08);
    /* a write of size n touches exactly n bytes */
    assert_true(bus_write(&b, 0x2010, 2, 0xffffffffffffabcdull));
    assert_memory_equal(ram + 0x10, "\xcd\xab\x00", 3);
    /* straddling the end: refused, nothing written */
    assert_false(bus_write(&b, 0x20fc, 8, ~0ull));
    assert_int_equal(ram[0xfc], 0);
    v = 1234;
    assert_false(bus_read(&b, 0x20fc, 8, &v));
    assert_int_equal(v, 0); /* a failed read never leaks stale data */
    bus_destroy(&b);
}

static void test_overlap_refused(void **state)
{
    (void)state;
    struct bus b;
    static uint8_t ram[0x3000];
    bus_init(&b);
    assert_true(bus_add_mem(&b, 0x10000, 0x1000, ram, false));
    assert_false(bus_add_mem(&b, 0x10000, 0x1000, ram, false));  /* same */
    assert_false(bus_add_mem(&b, 0x10fff, 0x1000, ram, false));  /* last byte */
    assert_false(bus_add_mem(&b, 0x0f001, 0x1000, ram, false));  /* first byte */
    assert_false(bus_add_mem(&b, 0x0f000, 0x3000, ram, false));  /* covers it */
    assert_false(bus_add_mem(&b, 0x10800, 0x10, ram, false));    /* inside it */
    assert_true(bus_add_mem(&b, 0x11000, 0x1000, ram, false));   /* adjacent after */
    assert_true(bus_add_mem(&b, 0x0f000, 0x1000, ram, false));   /* adjacent before */
    assert_false(bus_add_mem(&b, 0x20000, 0, ram, false));       /* empty */
    assert_false(bus_add_mem(&b, ~0ull - 0xff, 0x200, ram, false)); /* wraps */
    assert_int_equal(b.nmem, 3);

    /* devices against memory and against each other */
    struct dev *d = rec_new(0x10800, 0x100, DEV_W_ALL);
    assert_false(bus_add_dev(&b, d));
    d->base = 0x40000;
    assert_true(bus_add_dev(&b, d));
    struct dev *e = rec_new(0x400f0, 0x100, DEV_W_ALL);
    assert_false(bus_add_dev(&b, e));
    e->base = 0x40100;
    assert_true(bus_add_dev(&b, e)); /* adjacent is fine */
    assert_false(bus_add_mem(&b, 0x40080, 0x1000, ram, false));
    struct dev *z = rec_new(0x50000, 0, DEV_W_ALL);
    assert_false(bus_add_dev(&b, z)); /* empty */
    rec_destroy(z);
    free(z);
    assert_int_equal(b.ndevs, 2);
    bus_destroy(&b);
}

/* ---- devices and access widths ---- */

struct devfix {
    struct bus b;
    struct dev *d32, *d8, *dall;
};

static int dev_setup(void **state)
{
    struct devfix *f = calloc(1, sizeof(*f));
    bus_init(&f->b);
    f->d32 = rec_new(0x10000000, 0x40, DEV_W32);
    f->d8 = rec_new(0x10001000, 0x40, DEV_W8);
    f->dall = rec_new(0x10000040, 0x40, DEV_W_ALL); /* right after d32 */
    assert_true(bus_add_dev(&f->b, f->d8));
    assert_true(bus_add_dev(&f->b, f->dall));
    assert_true(bus_add_dev(&f->b, f->d32));
    *state = f;
    return 0;
}

static int dev_teardown(void **state)
{
    struct devfix *f = *state;
    bus_destroy(&f->b);
    free(f);
    return 0;
}

static void test_dev_exact_width(void **state)
{
    struct devfix *f = *state;
    uint64_t v;
    assert_true(bus_read(&f->b, 0x10000008, 4, &v));
    assert_int_equal(v, 0x1b1a1918);
    assert_int_equal(R(f->d32)->n, 1);
    assert_int_equal(R(f->d32)->log[0].off, 8); /* an offset, not an address */
    assert_int_equal(R(f->d32)->log[0].size, 4);
    assert_true(bus_write(&f->b, 0x1000000c, 4, 0xdeadbeef));
    assert_int_equal(R(f->d32)->log[1].off, 0xc);
    assert_true(R(f->d32)->log[1].write);
    assert_int_equal(R(f->d32)->log[1].val, 0xdeadbeef);
}

static void test_dev_split_8_into_4(void **state)
{
    struct devfix *f = *state;
    struct rec *r = R(f->d32);
    uint64_t v;
    /* an 8-byte read of a 32-bit-only device: two reads, low word first */
    assert_true(bus_read(&f->b, 0x10000010, 8, &v));
    assert_int_equal(v, 0x2726252423222120ull);
    assert_int_equal(r->n, 2);
    assert_int_equal(r->log[0].off, 0x10);
    assert_int_equal(r->log[0].size, 4);
    assert_int_equal(r->log[1].off, 0x14);
    assert_int_equal(r->log[1].size, 4);
    /* an 8-byte write: low half to the low offset */
    assert_true(bus_write(&f->b, 0x10000020, 8, 0x1122334455667788ull));
    assert_int_equal(r->n, 4);
    assert_int_equal(r->log[2].off, 0x20);
    assert_int_equal(r->log[2].val, 0x55667788);
    assert_int_equal(r->log[3].off, 0x24);
    assert_int_equal(r->log[3].val, 0x11223344);
    assert_true(bus_read(&f->b, 0x10000020, 8, &v));
    assert_int_equal(v, 0x1122334455667788ull);
}

static void test_dev_refused_widths(void **state)
{
    struct devfix *f = *state;
    struct rec *r = R(f->d32);
    uint64_t v = 99;
    /* narrower than any accepted width: refused, the device never sees it */
    assert_false(bus_read(&f->b, 0x10000000, 1, &v));
    assert_int_equal(v, 0);
    assert_false(bus_read(&f->b, 0x10000000, 2, &v));
    assert_false(bus_write(&f->b, 0x10000004, 1, 0));
    /* misaligned for the only width */
    assert_false(bus_read(&f->b, 0x10000002, 4, &v));
    assert_false(bus_read(&f->b, 0x10000006, 8, &v));
    assert_int_equal(r->n, 0); /* none of these reached the device */
    /* straddling the device end (into the next device): refused */
    assert_false(bus_read(&f->b, 0x1000003c, 8, &v));
    assert_false(bus_write(&f->b, 0x1000003c, 8, 0));
    assert_int_equal(R(f->dall)->n, 0);
}

static void test_dev_split_bytes(void **state)
{
    struct devfix *f = *state;
    struct rec *r = R(f->d8);
    uint64_t v;
    /* a byte-only device takes a 4-byte access as four byte accesses */
    assert_true(bus_read(&f->b, 0x10001004, 4, &v));
    assert_int_equal(v, 0x17161514);
    assert_int_equal(r->n, 4);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(r->log[i].off, 4 + i);
        assert_int_equal(r->log[i].size, 1);
    }
    assert_true(bus_write(&f->b, 0x10001001, 2, 0xa55a));
    assert_int_equal(r->regs[1], 0x5a);
    assert_int_equal(r->regs[2], 0xa5);
    /* a refused piece fails the whole access */
    r->refuse_off = 6;
    assert_false(bus_read(&f->b, 0x10001004, 4, &v));
    assert_int_equal(v, 0);
}

static void test_dev_all_widths(void **state)
{
    struct devfix *f = *state;
    struct rec *r = R(f->dall);
    uint64_t v;
    static const unsigned sizes[] = {1, 2, 4, 8};
    for (unsigned i = 0; i < 4; i++) {
        assert_true(bus_read(&f->b, 0x10000040 + 8, sizes[i], &v));
        assert_int_equal(r->log[i].size, sizes[i]);
    }
    assert_int_equal(r->n, 4);
    /* misaligned 4-byte at offset 2: split into aligned 2-byte pieces */
    assert_true(bus_read(&f->b, 0x10000042, 4, &v));
    assert_int_equal(v, 0x15141312);
    assert_int_equal(r->n, 6);
    assert_int_equal(r->log[4].off, 2);
    assert_int_equal(r->log[4].size, 2);
    assert_int_equal(r->log[5].off, 4);
    assert_int_equal(r->log[5].size, 2);
    /* the device refusing: false */
    r->refuse_off = 0x10;
    assert_false(bus_write(&f->b, 0x10000050, 4, 0));
}

static void test_unmapped(void **state)
{
    struct devfix *f = *state;
    uint64_t v = 5;
    assert_false(bus_read(&f->b, 0x0, 4, &v));
    assert_int_equal(v, 0);
    assert_false(bus_write(&f->b, 0x10000080, 4, 0)); /* just past dall */
    assert_false(bus_read(&f->b, 0x10000fff, 1, &v));
    assert_false(bus_read(&f->b, 0xffffffffffffffffull, 1, &v));
}

static void test_reset_destroy(void **state)
{
    (void)state;
    struct bus b;
    bool destroyed = false;
    bus_init(&b);
    struct dev *d = rec_new(0x1000, 0x10, DEV_W_ALL);
    R(d)->destroyed = &destroyed;
    assert_true(bus_add_dev(&b, d));
    bus_reset(&b);
    bus_reset(&b);
    assert_int_equal(R(d)->resets, 2);
    bus_destroy(&b); /* destroys (and frees) the device */
    assert_true(destroyed);
    assert_int_equal(b.ndevs, 0);
}

int main(void)
{
#define D(fn) cmocka_unit_test_setup_teardown(fn, dev_setup, dev_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mem_find_edges),
        cmocka_unit_test(test_mem_many_regions),
        cmocka_unit_test(test_mem_readonly),
        cmocka_unit_test(test_mem_read_write),
        cmocka_unit_test(test_overlap_refused),
        D(test_dev_exact_width),
        D(test_dev_split_8_into_4),
        D(test_dev_refused_widths),
        D(test_dev_split_bytes),
        D(test_dev_all_widths),
        D(test_unmapped),
        cmocka_unit_test(test_reset_destroy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
