/*
 * test_syscon.c - the SiFive test finisher driven through its ops with a
 * fake machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "devices/syscon.h"
#include "tests/unit/fake_machine.h"

#define BASE 0x100000u

struct fx {
    struct machine *m;
    struct dev *d;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->m = fake_machine_new(2);
    f->d = syscon_create(f->m, BASE);
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

static void wr(struct fx *f, uint64_t off, unsigned size, uint64_t v)
{
    assert_true(f->d->ops->write(f->d, off, size, v));
}

static void test_create_fields(void **state)
{
    struct fx *f = *state;
    assert_int_equal(f->d->base, BASE);
    assert_int_equal(f->d->size, 0x1000);
    assert_int_equal(f->d->widths, DEV_W16 | DEV_W32);
    struct machine *m = fake_machine_new(1);
    m->attach_fails = true;
    assert_null(syscon_create(m, BASE));
    fake_machine_free(m);
}

static void test_pass(void **state)
{
    struct fx *f = *state;
    wr(f, 0, 4, 0x5555);
    assert_int_equal(f->m->power_calls, 1);
    assert_int_equal(f->m->power_req, MACHINE_POWEROFF);
    assert_int_equal(f->m->power_code, 0);
    /* 16-bit write (OpenSBI's driver) and code bits ignored on PASS. */
    wr(f, 0, 2, 0x5555);
    wr(f, 0, 4, 0x00075555);
    assert_int_equal(f->m->power_calls, 3);
    assert_int_equal(f->m->power_req, MACHINE_POWEROFF);
    assert_int_equal(f->m->power_code, 0);
}

static void test_fail_codes(void **state)
{
    struct fx *f = *state;
    wr(f, 0, 4, (3u << 16) | 0x3333);
    assert_int_equal(f->m->power_req, MACHINE_POWEROFF);
    assert_int_equal(f->m->power_code, 3);
    wr(f, 0, 4, 0xffff3333u);
    assert_int_equal(f->m->power_code, 0xffff);
    /* As QEMU: FAIL with code 0 is exit(0). */
    wr(f, 0, 4, 0x3333);
    assert_int_equal(f->m->power_req, MACHINE_POWEROFF);
    assert_int_equal(f->m->power_code, 0);
    assert_int_equal(f->m->power_calls, 3);
}

static void test_reset_request(void **state)
{
    struct fx *f = *state;
    wr(f, 0, 4, 0x7777);
    assert_int_equal(f->m->power_calls, 1);
    assert_int_equal(f->m->power_req, MACHINE_REBOOT);
    wr(f, 0, 2, 0x7777);
    assert_int_equal(f->m->power_calls, 2);
}

static void test_other_values_ignored(void **state)
{
    struct fx *f = *state;
    uint64_t v = 1;
    wr(f, 0, 4, 0x1234);
    wr(f, 0, 4, 0x55550000u); /* the status is the low half */
    wr(f, 4, 4, 0x5555);      /* only offset 0 is the finisher */
    wr(f, 2, 2, 0x5555);
    assert_int_equal(f->m->power_calls, 0);
    assert_int_equal(f->m->guest_errors, 4);
    assert_true(f->d->ops->read(f->d, 0, 4, &v));
    assert_int_equal(v, 0);
    f->d->ops->reset(f->d);
    assert_int_equal(f->m->power_calls, 0);
}

static void test_fdt(void **state)
{
    struct fx *f = *state;
    void *fdt = fake_fdt_new();
    int len;
    assert_int_equal(f->d->ops->fdt(f->d, fdt), 0);
    int node = fdt_path_offset(fdt, "/soc/test@100000");
    assert_true(node >= 0);
    const char *c = fdt_getprop(fdt, node, "compatible", &len);
    static const char want[] = "sifive,test1\0sifive,test0\0syscon\0simple-mfd";
    assert_int_equal(len, sizeof(want));
    assert_memory_equal(c, want, sizeof(want));
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    assert_int_equal(len, 16);
    assert_int_equal(fdt32_to_cpu(reg[1]), BASE);
    assert_int_equal(fdt32_to_cpu(reg[3]), 0x1000);
    uint32_t ph = fdt_get_phandle(fdt, node);
    /* Above every phandle the machine promised (PLIC, hart 0 and 1 intc). */
    assert_int_equal(ph, FAKE_INTC_PHANDLE(1) + 1);

    static const struct {
        const char *path, *compat;
        uint32_t value;
    } act[] = {{"/poweroff", "syscon-poweroff", 0x5555}, {"/reboot", "syscon-reboot", 0x7777}};
    for (unsigned i = 0; i < 2; i++) {
        int n = fdt_path_offset(fdt, act[i].path);
        assert_true(n >= 0);
        assert_int_equal(fdt_node_check_compatible(fdt, n, act[i].compat), 0);
        const fdt32_t *p = fdt_getprop(fdt, n, "regmap", &len);
        assert_int_equal(len, 4);
        assert_int_equal(fdt32_to_cpu(p[0]), ph);
        p = fdt_getprop(fdt, n, "offset", &len);
        assert_int_equal(fdt32_to_cpu(p[0]), 0);
        p = fdt_getprop(fdt, n, "value", &len);
        assert_int_equal(fdt32_to_cpu(p[0]), act[i].value);
    }
    free(fdt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_values_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fdt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
