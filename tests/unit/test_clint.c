/*
 * test_clint.c - the CLINT driven through its ops with a fake machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "devices/clint.h"
#include "tests/unit/fake_machine.h"

#define BASE 0x2000000u
#define HARTS 2
#define MSIP(h) (4u * (h))
#define MTIMECMP(h) (0x4000u + 8u * (h))
#define MTIME 0xbff8u

struct fx {
    struct machine *m;
    struct dev *d;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->m = fake_machine_new(HARTS);
    f->d = clint_create(f->m, BASE);
    assert_non_null(f->d);
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

static uint64_t rd(struct fx *f, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    assert_true(f->d->ops->read(f->d, off, size, &v));
    return v;
}

static void wr(struct fx *f, uint64_t off, unsigned size, uint64_t v)
{
    assert_true(f->d->ops->write(f->d, off, size, v));
}

static void test_create_fields(void **state)
{
    struct fx *f = *state;
    assert_int_equal(f->d->base, BASE);
    assert_int_equal(f->d->size, 0x10000);
    assert_int_equal(f->d->widths, DEV_W32 | DEV_W64);
    assert_int_equal(f->d->irq, 0);
    /* Creating touches no hart line; reset values are the machine's own. */
    assert_int_equal(f->m->timecmp_calls[0], 0);
    assert_int_equal(f->m->hart_irq_calls[0][3], 0);
    assert_int_equal(rd(f, MTIMECMP(0), 8), UINT64_MAX);
}

static void test_create_bad_harts(void **state)
{
    (void)state;
    struct machine *m = fake_machine_new(0);
    assert_null(clint_create(m, BASE));
    m->harts = 1;
    m->attach_fails = true;
    assert_null(clint_create(m, BASE));
    fake_machine_free(m);
}

static void test_msip_drives_line(void **state)
{
    struct fx *f = *state;
    wr(f, MSIP(1), 4, 1);
    assert_true(f->m->hart_irq[1][3]);
    assert_false(f->m->hart_irq[0][3]);
    assert_int_equal(rd(f, MSIP(1), 4), 1);
    wr(f, MSIP(1), 4, 0xfffffffe); /* bit 0 clear, others hardwired 0 */
    assert_false(f->m->hart_irq[1][3]);
    assert_int_equal(rd(f, MSIP(1), 4), 0);
    wr(f, MSIP(0), 4, 0xffffffff);
    assert_true(f->m->hart_irq[0][3]);
    assert_int_equal(rd(f, MSIP(0), 4), 1);
}

static void test_msip_64bit_pair(void **state)
{
    struct fx *f = *state;
    wr(f, MSIP(0), 8, 0x0000000100000000ull); /* hart 1 only */
    assert_false(f->m->hart_irq[0][3]);
    assert_true(f->m->hart_irq[1][3]);
    assert_int_equal(rd(f, MSIP(0), 8), 0x0000000100000000ull);
}

static void test_msip_out_of_range(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, MSIP(2), 4), 0);
    wr(f, MSIP(2), 4, 1);
    assert_int_equal(rd(f, 0x3ffc, 4), 0);
    assert_int_equal(f->m->guest_errors, 3);
    /* A 64-bit access spanning hart 2 and 3 (missing) does nothing. */
    wr(f, MSIP(2), 8, 0x100000001ull);
    assert_int_equal(f->m->guest_errors, 4);
}

static void test_mtimecmp_64(void **state)
{
    struct fx *f = *state;
    wr(f, MTIMECMP(1), 8, 0x123456789abcdefull);
    assert_int_equal(f->m->timecmp[1], 0x123456789abcdefull);
    assert_int_equal(f->m->timecmp[0], UINT64_MAX);
    assert_int_equal(rd(f, MTIMECMP(1), 8), 0x123456789abcdefull);
    assert_int_equal(rd(f, MTIMECMP(1), 4), 0x89abcdef);
    assert_int_equal(rd(f, MTIMECMP(1) + 4, 4), 0x01234567);
}

static void test_mtimecmp_32_halves(void **state)
{
    struct fx *f = *state;
    /* The spec's race-free sequence: high to max, low, then high. */
    wr(f, MTIMECMP(0) + 4, 4, 0xffffffff);
    assert_int_equal(f->m->timecmp[0], UINT64_MAX);
    wr(f, MTIMECMP(0), 4, 0x11223344);
    assert_int_equal(f->m->timecmp[0], 0xffffffff11223344ull);
    wr(f, MTIMECMP(0) + 4, 4, 0x00000005);
    assert_int_equal(f->m->timecmp[0], 0x0000000511223344ull);
    assert_int_equal(rd(f, MTIMECMP(0), 8), 0x0000000511223344ull);
}

static void test_mtimecmp_out_of_range(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, MTIMECMP(2), 8), 0);
    wr(f, MTIMECMP(2), 8, 5);
    wr(f, 0xbff0, 8, 5); /* hart 4094 */
    assert_int_equal(f->m->guest_errors, 3);
    assert_int_equal(rd(f, 0xc000, 4), 0); /* past mtime */
    assert_int_equal(f->m->guest_errors, 4);
}

static void test_mtime_reads(void **state)
{
    struct fx *f = *state;
    f->m->time = 0x0000000a12345678ull;
    assert_int_equal(rd(f, MTIME, 8), 0x0000000a12345678ull);
    assert_int_equal(rd(f, MTIME, 4), 0x12345678);
    assert_int_equal(rd(f, MTIME + 4, 4), 0x0000000a);
    f->m->time += 10;
    assert_int_equal(rd(f, MTIME, 8), 0x0000000a12345682ull);
}

static void test_mtime_write_offsets_compares(void **state)
{
    struct fx *f = *state;
    f->m->time = 100;
    wr(f, MTIMECMP(0), 8, 2000);
    assert_int_equal(f->m->timecmp[0], 2000);
    wr(f, MTIME, 8, 1000); /* guest mtime now 900 ahead of machine time */
    assert_int_equal(rd(f, MTIME, 8), 1000);
    /* Existing compares were re-translated: fires at machine time 1100. */
    assert_int_equal(f->m->timecmp[0], 1100);
    assert_int_equal(f->m->timecmp[1], UINT64_MAX); /* never stays never */
    f->m->time = 150;
    assert_int_equal(rd(f, MTIME, 8), 1050);
    /* A compare already passed in guest time -> pending now. */
    wr(f, MTIMECMP(1), 8, 500);
    assert_int_equal(f->m->timecmp[1], 0);
    assert_int_equal(rd(f, MTIMECMP(1), 8), 500); /* guest sees its value */
    /* mtime set behind machine time: compares move later. */
    wr(f, MTIME, 8, 50); /* offset -100 */
    assert_int_equal(f->m->timecmp[0], 2100);
    assert_int_equal(f->m->timecmp[1], 600);
    /* 32-bit halves of mtime. */
    wr(f, MTIME + 4, 4, 1);
    assert_int_equal(rd(f, MTIME, 8), 0x100000032ull);
    wr(f, MTIME, 4, 7);
    assert_int_equal(rd(f, MTIME, 8), 0x100000007ull);
}

static void test_reset(void **state)
{
    struct fx *f = *state;
    f->m->time = 10;
    wr(f, MSIP(0), 4, 1);
    wr(f, MTIMECMP(1), 8, 77);
    wr(f, MTIME, 8, 5000);
    f->d->ops->reset(f->d);
    assert_false(f->m->hart_irq[0][3]);
    assert_int_equal(f->m->timecmp[0], UINT64_MAX);
    assert_int_equal(f->m->timecmp[1], UINT64_MAX);
    assert_int_equal(rd(f, MTIME, 8), 10);
    assert_int_equal(rd(f, MSIP(0), 4), 0);
}

static void test_fdt(void **state)
{
    struct fx *f = *state;
    void *fdt = fake_fdt_new();
    int len;
    assert_int_equal(f->d->ops->fdt(f->d, fdt), 0);
    int node = fdt_path_offset(fdt, "/soc/clint@2000000");
    assert_true(node >= 0);
    assert_int_equal(fdt_node_check_compatible(fdt, node, "sifive,clint0"), 0);
    assert_int_equal(fdt_node_check_compatible(fdt, node, "riscv,clint0"), 0);
    const char *c = fdt_getprop(fdt, node, "compatible", &len);
    assert_string_equal(c, "sifive,clint0"); /* most specific first */
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt32_to_cpu(reg[1]), BASE);
    assert_int_equal(fdt32_to_cpu(reg[3]), 0x10000);
    const fdt32_t *ie = fdt_getprop(fdt, node, "interrupts-extended", &len);
    assert_int_equal(len, 4 * 4 * HARTS);
    for (unsigned h = 0; h < HARTS; h++) {
        assert_int_equal(fdt32_to_cpu(ie[4 * h + 0]), FAKE_INTC_PHANDLE(h));
        assert_int_equal(fdt32_to_cpu(ie[4 * h + 1]), 3);
        assert_int_equal(fdt32_to_cpu(ie[4 * h + 2]), FAKE_INTC_PHANDLE(h));
        assert_int_equal(fdt32_to_cpu(ie[4 * h + 3]), 7);
    }
    free(fdt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_fields, setup, teardown),
        cmocka_unit_test(test_create_bad_harts),
        cmocka_unit_test_setup_teardown(test_msip_drives_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msip_64bit_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msip_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtimecmp_64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtimecmp_32_halves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtimecmp_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtime_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtime_write_offsets_compares, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fdt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
