/*
 * test_uart.c - the 16550A UART driven through its ops with a fake machine
 * and a fake char backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "devices/uart16550.h"
#include "rvvm/chardev.h"
#include "tests/unit/fake_chardev.h"
#include "tests/unit/fake_machine.h"

#define BASE 0x10000000u
#define IRQ 10

#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

struct fx {
    struct machine *m;
    struct chardev *cd;
    struct dev *d;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->m = fake_machine_new(1);
    f->cd = fake_chardev_new();
    f->d = uart_create(f->m, BASE, IRQ, f->cd);
    assert_non_null(f->d);
    f->d->ops->reset(f->d);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    fake_machine_free(f->m);
    chardev_destroy(f->cd);
    free(f);
    return 0;
}

static uint8_t rd(struct fx *f, unsigned reg)
{
    uint64_t v = 0xdead;
    assert_true(f->d->ops->read(f->d, reg, 1, &v));
    assert_true(v <= 0xff);
    return (uint8_t)v;
}

static void wr(struct fx *f, unsigned reg, uint8_t v)
{
    assert_true(f->d->ops->write(f->d, reg, 1, v));
}

static void test_create_fields(void **state)
{
    struct fx *f = *state;
    assert_int_equal(f->d->base, BASE);
    assert_int_equal(f->d->size, UART_SIZE);
    assert_int_equal(f->d->irq, IRQ);
    assert_int_equal(f->d->widths, DEV_W_ALL);
    assert_ptr_equal(f->d->machine, f->m);
    assert_int_equal(f->m->ndevs, 1);
}

static void test_attach_failure(void **state)
{
    (void)state;
    struct machine *m = fake_machine_new(1);
    struct chardev *cd = fake_chardev_new();
    m->attach_fails = true;
    assert_null(uart_create(m, BASE, IRQ, cd));
    fake_chardev_push(cd, "x", 1); /* no frontend left behind */
    fake_machine_free(m);
    chardev_destroy(cd);
}

static void test_thr_reaches_backend(void **state)
{
    struct fx *f = *state;
    size_t len;
    wr(f, THR, 'h');
    wr(f, THR, 'i');
    assert_true(f->d->ops->write(f->d, THR, 4, 0x12345600u | '!')); /* low byte only */
    const uint8_t *out = fake_chardev_output(f->cd, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(out, "hi!", 3);
}

static void test_lsr_bits(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, LSR), 0x60); /* THRE | TEMT, no data */
    wr(f, THR, 'a');
    assert_int_equal(rd(f, LSR), 0x60); /* transmit is instant */
    fake_chardev_push(f->cd, "z", 1);
    assert_int_equal(rd(f, LSR), 0x61); /* DR */
    assert_int_equal(rd(f, RBR), 'z');
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(rd(f, RBR), 0); /* empty FIFO reads 0 */
}

static void test_lsr_poll_sees_input_without_notify(void **state)
{
    struct fx *f = *state;
    /* Input queued while nobody listened (e.g. before the UART existed). */
    chardev_set_notify(f->cd, NULL, NULL);
    fake_chardev_push(f->cd, "q", 1);
    assert_int_equal(rd(f, LSR) & 1, 1);
    assert_int_equal(rd(f, RBR), 'q');
}

static void test_input_before_create(void **state)
{
    (void)state;
    struct machine *m = fake_machine_new(1);
    struct chardev *cd = fake_chardev_new();
    fake_chardev_push(cd, "early", 5); /* nobody to notify yet */
    struct dev *d = uart_create(m, BASE, IRQ, cd);
    uint64_t v;
    assert_non_null(d);
    /* Already in the RX holding register: enabling RDI raises the line. */
    assert_true(d->ops->write(d, IER, 1, 0x01));
    assert_true(m->irq[IRQ]);
    assert_true(d->ops->read(d, RBR, 1, &v));
    assert_int_equal(v, 'e');
    fake_machine_free(m);
    chardev_destroy(cd);
}

static void test_rx_fifo_order_and_overflow(void **state)
{
    struct fx *f = *state;
    char in[40];
    for (int i = 0; i < 40; i++)
        in[i] = (char)('A' + i);
    wr(f, FCR, 0x01); /* FIFO on */
    fake_chardev_push(f->cd, in, sizeof(in));
    /* The FIFO takes 16; the rest waits in the backend, nothing is lost. */
    assert_int_equal(fake_chardev_pending(f->cd), 40 - 16);
    assert_int_equal(rd(f, LSR) & 0x02, 0); /* no overrun */
    for (int i = 0; i < 40; i++) {
        assert_int_equal(rd(f, LSR) & 0x03, 0x01);
        assert_int_equal(rd(f, RBR), (uint8_t)in[i]);
    }
    assert_int_equal(rd(f, LSR), 0x60);
    assert_int_equal(fake_chardev_pending(f->cd), 0);
}

static void test_rx_non_fifo_mode_holds_one(void **state)
{
    struct fx *f = *state;
    fake_chardev_push(f->cd, "abc", 3);
    assert_int_equal(fake_chardev_pending(f->cd), 2);
    assert_int_equal(rd(f, RBR), 'a');
    assert_int_equal(fake_chardev_pending(f->cd), 1);
    assert_int_equal(rd(f, RBR), 'b');
    assert_int_equal(rd(f, RBR), 'c');
    assert_int_equal(rd(f, LSR) & 1, 0);
}

static void test_fcr_clear_rx(void **state)
{
    struct fx *f = *state;
    wr(f, FCR, 0x01);
    fake_chardev_push(f->cd, "abc", 3);
    assert_int_equal(rd(f, LSR) & 1, 1);
    wr(f, FCR, 0x03); /* keep FIFO on, clear RX */
    assert_int_equal(rd(f, LSR) & 1, 0);
    assert_int_equal(rd(f, RBR), 0);
}

static void test_iir_idle_and_fifo_bits(void **state)
{
    struct fx *f = *state;
    assert_int_equal(rd(f, IIR), 0x01);
    wr(f, FCR, 0x01);
    assert_int_equal(rd(f, IIR), 0xc1);
    wr(f, FCR, 0x00);
    assert_int_equal(rd(f, IIR), 0x01);
}

static void test_iir_priorities(void **state)
{
    struct fx *f = *state;
    wr(f, IER, 0x03); /* RDI | THRI; THRI rising edge with THR empty */
    assert_true(f->m->irq[IRQ]);
    fake_chardev_push(f->cd, "x", 1);
    /* RX data outranks THR empty; reading IIR then does not ack THRE. */
    assert_int_equal(rd(f, IIR), 0x04);
    assert_int_equal(rd(f, IIR), 0x04);
    assert_int_equal(rd(f, RBR), 'x');
    assert_true(f->m->irq[IRQ]);        /* THRE still pending */
    assert_int_equal(rd(f, IIR), 0x02); /* ... and acknowledged by this read */
    assert_int_equal(rd(f, IIR), 0x01);
    assert_false(f->m->irq[IRQ]);
    /* A THR write is a new THR-empty event. */
    wr(f, THR, 'y');
    assert_true(f->m->irq[IRQ]);
    assert_int_equal(rd(f, IIR), 0x02);
    assert_false(f->m->irq[IRQ]);
}

static void test_rx_trigger_and_timeout(void **state)
{
    struct fx *f = *state;
    wr(f, FCR, 0x81); /* FIFO on, trigger 8 */
    wr(f, IER, 0x01);
    fake_chardev_push(f->cd, "abc", 3);
    assert_int_equal(rd(f, IIR), 0xcc); /* below trigger: timeout */
    fake_chardev_push(f->cd, "defgh", 5);
    assert_int_equal(rd(f, IIR), 0xc4); /* at trigger: data available */
    for (int i = 0; i < 8; i++)
        rd(f, RBR);
    assert_int_equal(rd(f, IIR), 0xc1);
}

static void test_ier_masking_and_line(void **state)
{
    struct fx *f = *state;
    fake_chardev_push(f->cd, "x", 1);
    assert_false(f->m->irq[IRQ]); /* IER = 0 */
    assert_int_equal(rd(f, IIR), 0x01);
    wr(f, IER, 0x01);
    assert_true(f->m->irq[IRQ]);
    assert_int_equal(rd(f, IER), 0x01);
    wr(f, IER, 0x00);
    assert_false(f->m->irq[IRQ]);
    wr(f, IER, 0x01);
    assert_true(f->m->irq[IRQ]);
    assert_int_equal(rd(f, RBR), 'x');
    assert_false(f->m->irq[IRQ]);
    wr(f, IER, 0xff);
    assert_int_equal(rd(f, IER), 0x0f); /* upper bits reserved */
}

static void test_input_raises_irq_via_notify(void **state)
{
    struct fx *f = *state;
    wr(f, IER, 0x01);
    assert_false(f->m->irq[IRQ]);
    unsigned calls = f->m->irq_calls[IRQ];
    fake_chardev_push(f->cd, "k", 1);
    assert_true(f->m->irq[IRQ]);
    assert_int_equal(f->m->irq_calls[IRQ], calls + 1);
}

static void test_thre_rising_edge(void **state)
{
    struct fx *f = *state;
    /* Linux's 8250 startup: enable THRI, read IIR, disable, enable again, and
     * expect THRE to be reasserted (else it flags UART_BUG_THRE). */
    wr(f, IER, 0x02);
    assert_int_equal(rd(f, IIR), 0x02);
    wr(f, IER, 0x00);
    wr(f, IER, 0x02);
    assert_int_equal(rd(f, IIR), 0x02);
    /* Rewriting IER with THRI already set does not re-raise it. */
    wr(f, IER, 0x02);
    assert_int_equal(rd(f, IIR), 0x01);
    /* Disabling THRI drops a pending THRE event. */
    wr(f, THR, 'a');
    wr(f, IER, 0x00);
    assert_int_equal(rd(f, IIR), 0x01);
    assert_false(f->m->irq[IRQ]);
}

static void test_dlab(void **state)
{
    struct fx *f = *state;
    size_t len;
    wr(f, IER, 0x05);
    wr(f, LCR, 0x83); /* DLAB, 8N1 */
    wr(f, 0, 0x0c);   /* DLL */
    wr(f, 1, 0x01);   /* DLM */
    assert_int_equal(rd(f, 0), 0x0c);
    assert_int_equal(rd(f, 1), 0x01);
    assert_int_equal(rd(f, LCR), 0x83);
    wr(f, LCR, 0x03);
    assert_int_equal(rd(f, IER), 0x05); /* IER untouched by DLM write */
    fake_chardev_output(f->cd, &len);
    assert_int_equal(len, 0); /* DLL write is not a THR write */
    wr(f, LCR, 0x83);
    assert_int_equal(rd(f, 0), 0x0c); /* divisor kept */
}

static void test_mcr_msr_scr(void **state)
{
    struct fx *f = *state;
    wr(f, MCR, 0xff);
    assert_int_equal(rd(f, MCR), 0x1f);
    assert_int_equal(rd(f, MSR), 0xb0); /* DCD | DSR | CTS, no deltas */
    wr(f, SCR, 0x5a);
    assert_int_equal(rd(f, SCR), 0x5a);
    wr(f, LSR, 0x00); /* ignored */
    assert_int_equal(rd(f, LSR), 0x60);
}

static void test_missing_register(void **state)
{
    struct fx *f = *state;
    uint64_t v = 1;
    assert_true(f->d->ops->read(f->d, 8, 1, &v));
    assert_int_equal(v, 0);
    assert_true(f->d->ops->write(f->d, 0xff, 1, 1));
    assert_int_equal(f->m->guest_errors, 2);
}

static void test_reset(void **state)
{
    struct fx *f = *state;
    wr(f, IER, 0x03);
    wr(f, LCR, 0x03);
    wr(f, SCR, 7);
    fake_chardev_push(f->cd, "x", 1);
    assert_true(f->m->irq[IRQ]);
    f->d->ops->reset(f->d);
    assert_false(f->m->irq[IRQ]);
    assert_int_equal(rd(f, IER), 0);
    assert_int_equal(rd(f, LCR), 0);
    assert_int_equal(rd(f, SCR), 0);
    assert_int_equal(rd(f, IIR), 0x01);
}

static void test_fdt(void **state)
{
    struct fx *f = *state;
    void *fdt = fake_fdt_new();
    int len;
    assert_int_equal(f->d->ops->fdt(f->d, fdt), 0);
    int node = fdt_path_offset(fdt, "/soc/serial@10000000");
    assert_true(node >= 0);
    assert_int_equal(fdt_node_check_compatible(fdt, node, "ns16550a"), 0);
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt32_to_cpu(reg[0]), 0);
    assert_int_equal(fdt32_to_cpu(reg[1]), BASE);
    assert_int_equal(fdt32_to_cpu(reg[2]), 0);
    assert_int_equal(fdt32_to_cpu(reg[3]), UART_SIZE);
    const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);
    assert_int_equal(len, 4);
    assert_int_equal(fdt32_to_cpu(p[0]), IRQ);
    p = fdt_getprop(fdt, node, "interrupt-parent", &len);
    assert_int_equal(len, 4);
    assert_int_equal(fdt32_to_cpu(p[0]), FAKE_PLIC_PHANDLE);
    p = fdt_getprop(fdt, node, "clock-frequency", &len);
    assert_int_equal(len, 4);
    assert_int_equal(fdt32_to_cpu(p[0]), 3686400);
    free(fdt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_fields, setup, teardown),
        cmocka_unit_test(test_attach_failure),
        cmocka_unit_test_setup_teardown(test_thr_reaches_backend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lsr_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lsr_poll_sees_input_without_notify, setup, teardown),
        cmocka_unit_test(test_input_before_create),
        cmocka_unit_test_setup_teardown(test_rx_fifo_order_and_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_non_fifo_mode_holds_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fcr_clear_rx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iir_idle_and_fifo_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iir_priorities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_trigger_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ier_masking_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_raises_irq_via_notify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thre_rising_edge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dlab, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mcr_msr_scr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_register, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fdt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
