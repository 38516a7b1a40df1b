/*
 * test_plic.c - the PLIC driven through its ops and plic_set_irq() with a
 * fake machine (2 harts: contexts 0,1 = hart 0 M,S; 2,3 = hart 1 M,S).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "devices/plic.h"
#include "tests/unit/fake_machine.h"

#define BASE 0xc000000u
#define HARTS 2
#define PRIO(src) (4u * (src))
#define PENDING(w) (0x1000u + 4u * (w))
#define ENABLE(ctx, w) (0x2000u + 0x80u * (ctx) + 4u * (w))
#define THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define CLAIM(ctx) (0x200004u + 0x1000u * (ctx))
#define MEIP 11
#define SEIP 9

struct fx {
    struct machine *m;
    struct dev *d;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->m = fake_machine_new(HARTS);
    f->d = plic_create(f->m, BASE);
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

static uint32_t rd(struct fx *f, uint64_t off)
{
    uint64_t v = 0xdeadbeef;
    assert_true(f->d->ops->read(f->d, off, 4, &v));
    assert_true(v <= 0xffffffffu);
    return (uint32_t)v;
}

static void wr(struct fx *f, uint64_t off, uint32_t v)
{
    assert_true(f->d->ops->write(f->d, off, 4, v));
}

/* Context line as the fake machine saw it. */
static bool line(struct fx *f, unsigned ctx)
{
    return f->m->hart_irq[ctx / 2][(ctx & 1) ? SEIP : MEIP];
}

static void test_create_fields(void **state)
{
    struct fx *f = *state;
    assert_int_equal(f->d->base, BASE);
    assert_int_equal(f->d->size, 0x4000000);
    assert_int_equal(f->d->widths, DEV_W32);
    struct machine *m = fake_machine_new(0);
    assert_null(plic_create(m, BASE));
    m->harts = 1;
    m->attach_fails = true;
    assert_null(plic_create(m, BASE));
    fake_machine_free(m);
}

static void test_priority_regs(void **state)
{
    struct fx *f = *state;
    wr(f, PRIO(1), 5);
    wr(f, PRIO(63), 0xffffffff);
    assert_int_equal(rd(f, PRIO(1)), 5);
    assert_int_equal(rd(f, PRIO(63)), 7); /* 3 bits, WARL */
    assert_int_equal(f->m->guest_errors, 0);
    /* Source 0 and sources past 63 do not exist. */
    wr(f, PRIO(0), 3);
    assert_int_equal(rd(f, PRIO(0)), 0);
    wr(f, PRIO(64), 3);
    assert_int_equal(rd(f, PRIO(64)), 0);
    assert_int_equal(rd(f, 0xffc), 0);
    assert_int_equal(f->m->guest_errors, 5);
}

static void test_pending_follows_level(void **state)
{
    struct fx *f = *state;
    plic_set_irq(f->d, 10, true);
    plic_set_irq(f->d, 33, true);
    assert_int_equal(rd(f, PENDING(0)), 1u << 10);
    assert_int_equal(rd(f, PENDING(1)), 1u << 1);
    wr(f, PENDING(0), 0); /* read-only */
    assert_int_equal(rd(f, PENDING(0)), 1u << 10);
    plic_set_irq(f->d, 10, false); /* withdrawn before a claim */
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, PENDING(2)), 0); /* no third word */
}

static void test_set_irq_out_of_range(void **state)
{
    struct fx *f = *state;
    plic_set_irq(f->d, 0, true);
    plic_set_irq(f->d, 64, true);
    plic_set_irq(f->d, 1000, true);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, PENDING(1)), 0);
}

static void test_enables_per_context(void **state)
{
    struct fx *f = *state;
    wr(f, ENABLE(0, 0), 0xffffffff);
    assert_int_equal(rd(f, ENABLE(0, 0)), 0xfffffffe); /* source 0 hardwired */
    wr(f, ENABLE(3, 1), 0x80000001);
    assert_int_equal(rd(f, ENABLE(3, 1)), 0x80000001);
    assert_int_equal(rd(f, ENABLE(1, 0)), 0);
    assert_int_equal(rd(f, ENABLE(2, 1)), 0);
    assert_int_equal(f->m->guest_errors, 0);
    /* Word 2 of a context and context 4 do not exist. */
    wr(f, ENABLE(0, 2), 1);
    assert_int_equal(rd(f, ENABLE(0, 2)), 0);
    wr(f, ENABLE(4, 0), 1);
    assert_int_equal(rd(f, ENABLE(4, 0)), 0);
    assert_int_equal(f->m->guest_errors, 4);
}

static void test_line_levels_both_contexts(void **state)
{
    struct fx *f = *state;
    wr(f, PRIO(5), 1);
    plic_set_irq(f->d, 5, true);
    for (unsigned c = 0; c < 4; c++)
        assert_false(line(f, c)); /* nothing enabled */
    wr(f, ENABLE(1, 0), 1u << 5); /* hart 0 S */
    assert_false(line(f, 0));
    assert_true(line(f, 1));
    assert_false(line(f, 2));
    assert_false(line(f, 3));
    wr(f, ENABLE(2, 0), 1u << 5); /* hart 1 M */
    assert_true(line(f, 2));
    plic_set_irq(f->d, 5, false);
    for (unsigned c = 0; c < 4; c++)
        assert_false(line(f, c));
    /* Priority 0 never interrupts. */
    plic_set_irq(f->d, 5, true);
    assert_true(line(f, 1));
    wr(f, PRIO(5), 0);
    assert_false(line(f, 1));
    assert_false(line(f, 2));
}

static void test_threshold(void **state)
{
    struct fx *f = *state;
    wr(f, PRIO(7), 3);
    wr(f, ENABLE(0, 0), 1u << 7);
    plic_set_irq(f->d, 7, true);
    assert_true(line(f, 0));
    wr(f, THRESHOLD(0), 3); /* must be strictly above */
    assert_int_equal(rd(f, THRESHOLD(0)), 3);
    assert_false(line(f, 0));
    assert_int_equal(rd(f, CLAIM(0)), 0);
    wr(f, THRESHOLD(0), 2);
    assert_true(line(f, 0));
    wr(f, THRESHOLD(0), 0xff);
    assert_int_equal(rd(f, THRESHOLD(0)), 7);
    assert_int_equal(rd(f, PENDING(0)), 1u << 7); /* still pending */
}

static void test_claim_order(void **state)
{
    struct fx *f = *state;
    wr(f, ENABLE(0, 0), 0xffffffff);
    wr(f, ENABLE(0, 1), 0xffffffff);
    wr(f, PRIO(3), 2);
    wr(f, PRIO(9), 6);
    wr(f, PRIO(40), 6);
    wr(f, PRIO(50), 1);
    plic_set_irq(f->d, 3, true);
    plic_set_irq(f->d, 50, true);
    plic_set_irq(f->d, 40, true);
    plic_set_irq(f->d, 9, true);
    assert_int_equal(rd(f, CLAIM(0)), 9); /* 6, lowest id of the tie */
    assert_int_equal(rd(f, CLAIM(0)), 40);
    assert_int_equal(rd(f, CLAIM(0)), 3);
    assert_true(line(f, 0));
    assert_int_equal(rd(f, CLAIM(0)), 50);
    assert_false(line(f, 0)); /* all in service */
    assert_int_equal(rd(f, CLAIM(0)), 0);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, PENDING(1)), 0);
}

static void test_claim_nothing(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, CLAIM(0)), 0);
    assert_int_equal(rd(f, CLAIM(3)), 0);
    /* Pending but not enabled for this context. */
    wr(f, PRIO(2), 1);
    plic_set_irq(f->d, 2, true);
    assert_int_equal(rd(f, CLAIM(0)), 0);
    assert_int_equal(rd(f, PENDING(0)), 1u << 2);
    assert_int_equal(f->m->guest_errors, 0);
}

static void test_complete_and_level_repend(void **state)
{
    struct fx *f = *state;
    wr(f, PRIO(10), 1);
    wr(f, ENABLE(1, 0), 1u << 10);
    plic_set_irq(f->d, 10, true);
    assert_int_equal(rd(f, CLAIM(1)), 10);
    assert_false(line(f, 1));
    /* In service: the line going low and high again does not re-pend. */
    plic_set_irq(f->d, 10, false);
    plic_set_irq(f->d, 10, true);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, CLAIM(1)), 0);
    /* Complete with the line still high: pending again. */
    wr(f, CLAIM(1), 10);
    assert_int_equal(rd(f, PENDING(0)), 1u << 10);
    assert_true(line(f, 1));
    assert_int_equal(rd(f, CLAIM(1)), 10);
    /* Complete with the line low: done. */
    plic_set_irq(f->d, 10, false);
    wr(f, CLAIM(1), 10);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_false(line(f, 1));
    assert_int_equal(rd(f, CLAIM(1)), 0);
}

static void test_complete_ignored_cases(void **state)
{
    struct fx *f = *state;
    wr(f, PRIO(4), 1);
    wr(f, ENABLE(0, 0), 1u << 4);
    plic_set_irq(f->d, 4, true);
    assert_int_equal(rd(f, CLAIM(0)), 4);
    /* Out-of-range ids: ignored, logged. */
    wr(f, CLAIM(0), 0);
    wr(f, CLAIM(0), 64);
    wr(f, CLAIM(0), 0xffffffff);
    assert_int_equal(f->m->guest_errors, 3);
    /* A context without the source enabled cannot complete it. */
    wr(f, CLAIM(1), 4);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, CLAIM(0)), 0);
    /* Once disabled, not even the claiming context can; re-enable and it can. */
    wr(f, ENABLE(0, 0), 0);
    wr(f, CLAIM(0), 4);
    wr(f, ENABLE(0, 0), 1u << 4);
    assert_int_equal(rd(f, CLAIM(0)), 0);
    wr(f, CLAIM(0), 4);
    assert_int_equal(rd(f, CLAIM(0)), 4);
}

static void test_missing_context_regs(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, THRESHOLD(4)), 0);
    assert_int_equal(rd(f, CLAIM(4)), 0);
    wr(f, THRESHOLD(4), 1);
    assert_int_equal(rd(f, THRESHOLD(0) + 8), 0); /* reserved in a context */
    assert_int_equal(rd(f, 0x3fffffc), 0);          /* last word of the window */
    assert_int_equal(f->m->guest_errors, 5);
}

static void test_reset(void **state)
{
    struct fx *f = *state;
    wr(f, PRIO(6), 2);
    wr(f, ENABLE(0, 0), 1u << 6);
    wr(f, THRESHOLD(0), 1);
    plic_set_irq(f->d, 6, true);
    plic_set_irq(f->d, 8, true);
    assert_true(line(f, 0));
    assert_int_equal(rd(f, CLAIM(0)), 6);
    f->d->ops->reset(f->d);
    assert_false(line(f, 0));
    assert_int_equal(f->m->hart_irq_calls[1][MEIP], 1); /* forced low too */
    assert_int_equal(rd(f, PRIO(6)), 0);
    assert_int_equal(rd(f, ENABLE(0, 0)), 0);
    assert_int_equal(rd(f, THRESHOLD(0)), 0);
    /* Lines still high are pending again; nothing is in service. */
    assert_int_equal(rd(f, PENDING(0)), (1u << 6) | (1u << 8));
}

static void test_fdt(void **state)
{
    struct fx *f = *state;
    void *fdt = fake_fdt_new();
    int len;
    assert_int_equal(f->d->ops->fdt(f->d, fdt), 0);
    int node = fdt_path_offset(fdt, "/soc/plic@c000000");
    assert_true(node >= 0);
    const char *c = fdt_getprop(fdt, node, "compatible", &len);
    assert_string_equal(c, "sifive,plic-1.0.0");
    assert_int_equal(fdt_node_check_compatible(fdt, node, "riscv,plic0"), 0);
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt32_to_cpu(reg[1]), BASE);
    assert_int_equal(fdt32_to_cpu(reg[3]), 0x4000000);
    assert_non_null(fdt_getprop(fdt, node, "interrupt-controller", &len));
    assert_int_equal(len, 0);
    const fdt32_t *p = fdt_getprop(fdt, node, "#interrupt-cells", &len);
    assert_int_equal(fdt32_to_cpu(p[0]), 1);
    p = fdt_getprop(fdt, node, "#address-cells", &len);
    assert_int_equal(fdt32_to_cpu(p[0]), 0);
    p = fdt_getprop(fdt, node, "riscv,ndev", &len);
    assert_int_equal(fdt32_to_cpu(p[0]), 63);
    assert_int_equal(fdt_get_phandle(fdt, node), FAKE_PLIC_PHANDLE);
    const fdt32_t *ie = fdt_getprop(fdt, node, "interrupts-extended", &len);
    assert_int_equal(len, 4 * 4 * HARTS);
    for (unsigned h = 0; h < HARTS; h++) {
        assert_int_equal(fdt32_to_cpu(ie[4 * h + 0]), FAKE_INTC_PHANDLE(h));
        assert_int_equal(fdt32_to_cpu(ie[4 * h + 1]), 11);
        assert_int_equal(fdt32_to_cpu(ie[4 * h + 2]), FAKE_INTC_PHANDLE(h));
        assert_int_equal(fdt32_to_cpu(ie[4 * h + 3]), 9);
    }
    free(fdt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_regs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_follows_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_irq_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enables_per_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_levels_both_contexts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_and_level_repend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_ignored_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_context_regs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fdt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
