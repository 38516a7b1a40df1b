/*
 * fake_machine.c - the device API's machine services for unit tests: records
 * IRQ lines, hart lines, timer compares and power requests; a small fake RAM
 * for machine_dma; a settable clock.
 */
#include "tests/unit/fake_machine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

struct machine *fake_machine_new(unsigned harts)
{
    struct machine *m = calloc(1, sizeof(*m));
    if (!m)
        abort();
    pthread_mutex_init(&m->lock, NULL);
    m->harts = harts;
    for (unsigned h = 0; h < FAKE_MAX_HARTS; h++)
        m->timecmp[h] = UINT64_MAX;
    m->ram_base = 0x80000000u;
    m->ram_size = 64 * 1024;
    m->ram = calloc(1, m->ram_size);
    m->power_req = (enum machine_power)-1;
    return m;
}

void fake_machine_free(struct machine *m)
{
    for (unsigned i = 0; i < m->ndevs; i++) {
        struct dev *d = m->devs[i];
        if (d->ops->destroy)
            d->ops->destroy(d);
        free(d);
    }
    free(m->ram);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

bool fake_machine_irq(struct machine *m, unsigned irq)
{
    pthread_mutex_lock(&m->lock);
    bool v = m->irq[irq];
    pthread_mutex_unlock(&m->lock);
    return v;
}

bool machine_attach(struct machine *m, struct dev *d)
{
    if (m->attach_fails || m->ndevs == FAKE_MAX_DEVS)
        return false;
    m->devs[m->ndevs++] = d;
    return true;
}

void machine_irq_set(struct machine *m, unsigned irq, bool level)
{
    void (*hook)(struct machine *, unsigned, bool);
    pthread_mutex_lock(&m->lock);
    if (irq < FAKE_MAX_IRQ) {
        m->irq[irq] = level;
        m->irq_calls[irq]++;
    }
    hook = m->irq_hook;
    pthread_mutex_unlock(&m->lock);
    if (hook)
        hook(m, irq, level);
}

void machine_hart_irq(struct machine *m, unsigned hartid, unsigned bit, bool level)
{
    pthread_mutex_lock(&m->lock);
    if (hartid < FAKE_MAX_HARTS && bit < 16) {
        m->hart_irq[hartid][bit] = level;
        m->hart_irq_calls[hartid][bit]++;
    }
    pthread_mutex_unlock(&m->lock);
}

unsigned machine_hart_count(struct machine *m)
{
    return m->harts;
}

uint64_t machine_time(struct machine *m)
{
    pthread_mutex_lock(&m->lock);
    uint64_t t = m->time;
    pthread_mutex_unlock(&m->lock);
    return t;
}

void machine_set_timecmp(struct machine *m, unsigned hartid, uint64_t cmp)
{
    pthread_mutex_lock(&m->lock);
    if (hartid < FAKE_MAX_HARTS) {
        m->timecmp[hartid] = cmp;
        m->timecmp_calls[hartid]++;
    }
    pthread_mutex_unlock(&m->lock);
}

void *machine_dma(struct machine *m, uint64_t gpa, uint64_t len)
{
    if (gpa < m->ram_base || gpa - m->ram_base > m->ram_size ||
        len > m->ram_size - (gpa - m->ram_base))
        return NULL;
    return m->ram + (gpa - m->ram_base);
}

void machine_power(struct machine *m, enum machine_power req, int code)
{
    pthread_mutex_lock(&m->lock);
    m->power_req = req;
    m->power_code = code;
    m->power_calls++;
    pthread_mutex_unlock(&m->lock);
}

uint32_t machine_fdt_plic_phandle(struct machine *m)
{
    (void)m;
    return FAKE_PLIC_PHANDLE;
}

uint32_t machine_fdt_hart_intc_phandle(struct machine *m, unsigned hartid)
{
    (void)m;
    return FAKE_INTC_PHANDLE(hartid);
}

void machine_guest_error(struct machine *m, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&m->lock);
    va_start(ap, fmt);
    vsnprintf(m->last_error, sizeof(m->last_error), fmt, ap);
    va_end(ap);
    m->guest_errors++;
    pthread_mutex_unlock(&m->lock);
}

void *fake_fdt_new(void)
{
    size_t size = 16 * 1024;
    void *fdt = malloc(size);
    if (!fdt || fdt_create_empty_tree(fdt, (int)size) != 0)
        abort();
    /* Root properties first: adding them moves the offsets of later nodes. */
    if (fdt_setprop_u32(fdt, 0, "#address-cells", 2) ||
        fdt_setprop_u32(fdt, 0, "#size-cells", 2))
        abort();
    int soc = fdt_add_subnode(fdt, 0, "soc");
    if (soc < 0 || fdt_setprop_u32(fdt, soc, "#address-cells", 2) ||
        fdt_setprop_u32(fdt, soc, "#size-cells", 2) ||
        fdt_setprop_string(fdt, soc, "compatible", "simple-bus") ||
        fdt_setprop_empty(fdt, soc, "ranges"))
        abort();
    return fdt;
}
