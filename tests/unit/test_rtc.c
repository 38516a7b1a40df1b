/*
 * test_rtc.c - the goldfish RTC driven through its ops with a fake machine.
 * It reads the host's real clock, so the checks on time are bounds, never
 * durations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libfdt.h>

#include "devices/goldfish_rtc.h"
#include "tests/unit/fake_machine.h"

#define BASE 0x101000u
#define IRQ 11
#define TIME_LOW 0x00
#define TIME_HIGH 0x04
#define ALARM_LOW 0x08
#define ALARM_HIGH 0x0c
#define IRQ_ENABLED 0x10
#define CLEAR_ALARM 0x14
#define ALARM_STATUS 0x18
#define CLEAR_INTERRUPT 0x1c
#define NS 1000000000ull

struct fx {
    struct machine *m;
    struct dev *d;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->m = fake_machine_new(1);
    f->d = rtc_create(f->m, BASE, IRQ);
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
    uint64_t v = 0xdeadbeefdeadull;
    assert_true(f->d->ops->read(f->d, off, 4, &v));
    assert_true(v <= 0xffffffffu);
    return (uint32_t)v;
}

static void wr(struct fx *f, uint64_t off, uint32_t v)
{
    assert_true(f->d->ops->write(f->d, off, 4, v));
}

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static uint64_t rtc_time(struct fx *f)
{
    uint64_t lo = rd(f, TIME_LOW);
    return lo | (uint64_t)rd(f, TIME_HIGH) << 32;
}

static void set_alarm(struct fx *f, uint64_t t)
{
    wr(f, ALARM_HIGH, (uint32_t)(t >> 32));
    wr(f, ALARM_LOW, (uint32_t)t);
}

static void test_create_fields(void **state)
{
    struct fx *f = *state;
    assert_int_equal(f->d->base, BASE);
    assert_int_equal(f->d->size, 0x1000);
    assert_int_equal(f->d->irq, IRQ);
    assert_int_equal(f->d->widths, DEV_W32);
    struct machine *m = fake_machine_new(1);
    m->attach_fails = true;
    assert_null(rtc_create(m, BASE, IRQ)); /* and its thread is joined */
    fake_machine_free(m);
}

static void test_time_is_host_wall_clock(void **state)
{
    struct fx *f = *state;
    uint64_t before = host_ns();
    uint64_t t = rtc_time(f);
    uint64_t after = host_ns();
    assert_true(t >= before);
    assert_true(t <= after);
    uint64_t t2 = rtc_time(f);
    assert_true(t2 >= t);
}

static void test_time_high_is_latched(void **state)
{
    struct fx *f = *state;
    wr(f, TIME_HIGH, 5); /* guest time: high word 5 */
    (void)rd(f, TIME_LOW);
    uint32_t latched = rd(f, TIME_HIGH);
    assert_true(latched == 5 || latched == 6); /* 6 only if low wrapped */
    (void)rd(f, TIME_LOW);
    latched = rd(f, TIME_HIGH);
    wr(f, TIME_HIGH, 9); /* the clock moves, the latch does not */
    assert_int_equal(rd(f, TIME_HIGH), latched);
    assert_int_equal(rd(f, TIME_HIGH), latched);
    (void)rd(f, TIME_LOW);
    uint32_t h = rd(f, TIME_HIGH);
    assert_true(h == 9 || h == 10);
}

static void test_set_time(void **state)
{
    struct fx *f = *state;
    uint64_t want = 1000000000ull * NS; /* 2001-09-09 */
    wr(f, TIME_HIGH, (uint32_t)(want >> 32));
    wr(f, TIME_LOW, (uint32_t)want);
    uint64_t t = rtc_time(f);
    assert_true(t >= want);
    assert_true(t < want + 60 * NS); /* a bound, not a duration */
    uint64_t t2 = rtc_time(f);
    assert_true(t2 >= t);
    /* Reset keeps the clock (battery-backed). */
    f->d->ops->reset(f->d);
    assert_true(rtc_time(f) < want + 60 * NS);
}

static void test_alarm_in_past_fires_at_once(void **state)
{
    struct fx *f = *state;
    uint64_t now = rtc_time(f);
    set_alarm(f, now - NS);
    assert_int_equal(rd(f, ALARM_STATUS), 0); /* fired, so disarmed */
    assert_false(f->m->irq[IRQ]);             /* not enabled */
    wr(f, IRQ_ENABLED, 1);
    assert_int_equal(rd(f, IRQ_ENABLED), 1);
    assert_true(f->m->irq[IRQ]);
    wr(f, IRQ_ENABLED, 0);
    assert_false(f->m->irq[IRQ]);
    wr(f, IRQ_ENABLED, 1);
    assert_true(f->m->irq[IRQ]);
    wr(f, CLEAR_INTERRUPT, 1);
    assert_false(f->m->irq[IRQ]);
    wr(f, IRQ_ENABLED, 1);
    assert_false(f->m->irq[IRQ]); /* acknowledged for good */
}

static void test_alarm_readback_and_clear(void **state)
{
    struct fx *f = *state;
    uint64_t t = rtc_time(f) + 3600 * NS;
    set_alarm(f, t);
    assert_int_equal(rd(f, ALARM_LOW), (uint32_t)t);
    assert_int_equal(rd(f, ALARM_HIGH), (uint32_t)(t >> 32));
    assert_int_equal(rd(f, ALARM_STATUS), 1);
    wr(f, CLEAR_ALARM, 1);
    assert_int_equal(rd(f, ALARM_STATUS), 0);
    assert_false(f->m->irq[IRQ]);
    /* Arming is done by the ALARM_LOW write, not ALARM_HIGH. */
    wr(f, ALARM_HIGH, (uint32_t)(t >> 32));
    assert_int_equal(rd(f, ALARM_STATUS), 0);
}

static void test_alarm_fires_without_guest_access(void **state)
{
    struct fx *f = *state;
    wr(f, IRQ_ENABLED, 1);
    set_alarm(f, rtc_time(f) + 20 * 1000 * 1000); /* 20 ms ahead */
    /* Wait for the timer thread, never touching the device; give up only
     * after a long time so a loaded machine cannot fail the test. */
    struct timespec tick = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
    for (int i = 0; i < 6000 && !fake_machine_irq(f->m, IRQ); i++)
        nanosleep(&tick, NULL);
    assert_true(fake_machine_irq(f->m, IRQ));
    assert_int_equal(rd(f, ALARM_STATUS), 0);
    wr(f, CLEAR_INTERRUPT, 1);
    assert_false(fake_machine_irq(f->m, IRQ));
}

static void test_missing_registers(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, CLEAR_ALARM), 0);
    assert_int_equal(rd(f, 0x20), 0);
    wr(f, ALARM_STATUS, 1);
    wr(f, 0xffc, 1);
    assert_int_equal(f->m->guest_errors, 4);
}

static void test_reset(void **state)
{
    struct fx *f = *state;
    wr(f, IRQ_ENABLED, 1);
    set_alarm(f, 1);
    assert_true(f->m->irq[IRQ]);
    set_alarm(f, rtc_time(f) + 3600 * NS);
    f->d->ops->reset(f->d);
    assert_false(f->m->irq[IRQ]);
    assert_int_equal(rd(f, IRQ_ENABLED), 0);
    assert_int_equal(rd(f, ALARM_STATUS), 0);
}

static void test_fdt(void **state)
{
    struct fx *f = *state;
    void *fdt = fake_fdt_new();
    int len;
    assert_int_equal(f->d->ops->fdt(f->d, fdt), 0);
    int node = fdt_path_offset(fdt, "/soc/rtc@101000");
    assert_true(node >= 0);
    assert_int_equal(fdt_node_check_compatible(fdt, node, "google,goldfish-rtc"), 0);
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt32_to_cpu(reg[1]), BASE);
    assert_int_equal(fdt32_to_cpu(reg[3]), 0x1000);
    const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);
    assert_int_equal(len, 4);
    assert_int_equal(fdt32_to_cpu(p[0]), IRQ);
    p = fdt_getprop(fdt, node, "interrupt-parent", &len);
    assert_int_equal(fdt32_to_cpu(p[0]), FAKE_PLIC_PHANDLE);
    free(fdt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_is_host_wall_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_high_is_latched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_in_past_fires_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_readback_and_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alarm_fires_without_guest_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fdt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
