/*
 * goldfish_rtc.c - the goldfish RTC as on QEMU virt ("google,goldfish-rtc").
 *
 * Models Android's goldfish "TIMER/RTC" device (the emulator's
 * GOLDFISH-VIRTUAL-HARDWARE.TXT, section "Goldfish timer"), 32-bit registers:
 *   0x00 TIME_LOW         read: low 32 bits of now (ns), latches TIME_HIGH
 *   0x04 TIME_HIGH        read: the latched high 32 bits
 *   0x08 ALARM_LOW        write: low 32 bits of the alarm, and arm it
 *   0x0c ALARM_HIGH       write: high 32 bits of the alarm (write it first)
 *   0x10 IRQ_ENABLED      bit 0: the alarm interrupt reaches the line
 *   0x14 CLEAR_ALARM      write: disarm
 *   0x18 ALARM_STATUS     read: 1 while armed
 *   0x1c CLEAR_INTERRUPT  write: acknowledge a fired alarm
 * "Now" is the host's CLOCK_REALTIME plus an offset the guest moves by
 * writing TIME_HIGH/TIME_LOW (Linux's set_time writes high then low; each
 * write replaces those 32 bits of the current time, as QEMU does). Reads of
 * ALARM_LOW/HIGH return the alarm, as QEMU does and Linux's read_alarm
 * expects.
 *
 * Alarms fire on time even if the guest never touches the device: a timer
 * thread sleeps on a condition variable until the deadline (host realtime,
 * which is also the clock pthread_cond_timedwait uses by default), and every
 * register access checks the deadline too. Firing disarms the alarm and sets
 * the interrupt pending; the line is pending && enabled.
 */
#include "devices/goldfish_rtc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libfdt.h>

#include "rvvm/device.h"

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_ALARM_STATUS 0x18
#define RTC_CLEAR_INTERRUPT 0x1c

#define RTC_NS 1000000000ull

struct rtc {
    pthread_mutex_t lock; /* hart threads and the timer thread */
    pthread_cond_t wake;  /* alarm or offset changed, or stop */
    pthread_t thread;
    bool stop;
    struct dev *dev;
    uint64_t offset;    /* guest ns - host realtime ns, mod 2^64 */
    uint32_t time_high; /* latched by a TIME_LOW read */
    uint64_t alarm;     /* guest ns */
    bool alarm_running;
    bool irq_pending;
    bool irq_enabled;
    bool line;
};

static uint64_t rtc_host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * RTC_NS + (uint64_t)ts.tv_nsec;
}

static uint64_t rtc_now(const struct rtc *s)
{
    return rtc_host_ns() + s->offset;
}

static void rtc_update_irq(struct rtc *s)
{
    bool level = s->irq_pending && s->irq_enabled;
    if (level != s->line) {
        s->line = level;
        machine_irq_set(s->dev->machine, s->dev->irq, level);
    }
}

/* Fire the alarm if its time has come; lock held. */
static void rtc_check_alarm(struct rtc *s)
{
    if (s->alarm_running && rtc_now(s) >= s->alarm) {
        s->alarm_running = false;
        s->irq_pending = true;
    }
}

static void *rtc_timer(void *arg)
{
    struct rtc *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        rtc_check_alarm(s);
        rtc_update_irq(s);
        if (s->alarm_running) {
            uint64_t deadline = s->alarm - s->offset; /* host realtime */
            struct timespec ts = {.tv_sec = (time_t)(deadline / RTC_NS),
                                  .tv_nsec = (long)(deadline % RTC_NS)};
            pthread_cond_timedwait(&s->wake, &s->lock, &ts);
        } else {
            pthread_cond_wait(&s->wake, &s->lock);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static uint64_t rtc_deposit32(uint64_t v, unsigned shift, uint32_t part)
{
    return (v & ~(0xffffffffull << shift)) | ((uint64_t)part << shift);
}

static bool rtc_read(struct dev *d, uint64_t off, unsigned size, uint64_t *val)
{
    struct rtc *s = d->state;
    bool ok = true;
    uint32_t v = 0;
    (void)size; /* always 4 */
    pthread_mutex_lock(&s->lock);
    rtc_check_alarm(s);
    switch (off) {
    case RTC_TIME_LOW: {
        uint64_t now = rtc_now(s);
        s->time_high = (uint32_t)(now >> 32);
        v = (uint32_t)now;
        break;
    }
    case RTC_TIME_HIGH:
        v = s->time_high;
        break;
    case RTC_ALARM_LOW:
        v = (uint32_t)s->alarm;
        break;
    case RTC_ALARM_HIGH:
        v = (uint32_t)(s->alarm >> 32);
        break;
    case RTC_IRQ_ENABLED:
        v = s->irq_enabled;
        break;
    case RTC_ALARM_STATUS:
        v = s->alarm_running;
        break;
    default:
        ok = false;
        break;
    }
    rtc_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    if (!ok)
        machine_guest_error(d->machine, "rtc: read of missing register 0x%" PRIx64, off);
    *val = v;
    return true;
}

static bool rtc_write(struct dev *d, uint64_t off, unsigned size, uint64_t val)
{
    struct rtc *s = d->state;
    bool ok = true;
    uint32_t v = (uint32_t)val;
    (void)size;
    pthread_mutex_lock(&s->lock);
    switch (off) {
    case RTC_TIME_LOW:
    case RTC_TIME_HIGH: {
        uint64_t now = rtc_now(s);
        uint64_t t = rtc_deposit32(now, off == RTC_TIME_HIGH ? 32 : 0, v);
        s->offset += t - now;
        break;
    }
    case RTC_ALARM_LOW:
        s->alarm = rtc_deposit32(s->alarm, 0, v);
        s->alarm_running = true;
        break;
    case RTC_ALARM_HIGH:
        s->alarm = rtc_deposit32(s->alarm, 32, v);
        break;
    case RTC_IRQ_ENABLED:
        s->irq_enabled = v & 1;
        break;
    case RTC_CLEAR_ALARM:
        s->alarm_running = false;
        break;
    case RTC_CLEAR_INTERRUPT:
        s->irq_pending = false;
        break;
    default:
        ok = false;
        break;
    }
    rtc_check_alarm(s);
    rtc_update_irq(s);
    pthread_cond_signal(&s->wake); /* the deadline may have moved */
    pthread_mutex_unlock(&s->lock);
    if (!ok)
        machine_guest_error(d->machine, "rtc: write of missing register 0x%" PRIx64, off);
    return true;
}

/* The clock keeps running across a reset (it is a battery-backed RTC); the
 * alarm and interrupt state go. */
static void rtc_reset(struct dev *d)
{
    struct rtc *s = d->state;
    pthread_mutex_lock(&s->lock);
    s->alarm = 0;
    s->alarm_running = false;
    s->irq_pending = false;
    s->irq_enabled = false;
    s->time_high = 0;
    s->line = true; /* force the line low */
    rtc_update_irq(s);
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

static int rtc_fdt(struct dev *d, void *fdt)
{
    char name[32];
    int parent = fdt_path_offset(fdt, "/soc");
    if (parent < 0)
        parent = 0;
    snprintf(name, sizeof(name), "rtc@%" PRIx64, d->base);
    int node = fdt_add_subnode(fdt, parent, name);
    if (node < 0)
        return -1;
    if (fdt_setprop_string(fdt, node, "compatible", "google,goldfish-rtc") ||
        fdt_appendprop_addrrange(fdt, parent, node, "reg", d->base, d->size) ||
        fdt_setprop_u32(fdt, node, "interrupts", d->irq) ||
        fdt_setprop_u32(fdt, node, "interrupt-parent", machine_fdt_plic_phandle(d->machine)))
        return -1;
    return 0;
}

static void rtc_destroy(struct dev *d)
{
    struct rtc *s = d->state;
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
    d->state = NULL;
}

static const struct dev_ops rtc_ops = {
    .name = "goldfish-rtc",
    .read = rtc_read,
    .write = rtc_write,
    .reset = rtc_reset,
    .fdt = rtc_fdt,
    .destroy = rtc_destroy,
};

struct dev *rtc_create(struct machine *m, uint64_t base, unsigned irq)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct rtc *s = calloc(1, sizeof(*s));
    if (!d || !s) {
        free(d);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    s->dev = d;
    d->ops = &rtc_ops;
    d->base = base;
    d->size = RTC_SIZE;
    d->widths = DEV_W32;
    d->irq = irq;
    d->machine = m;
    d->state = s;
    if (pthread_create(&s->thread, NULL, rtc_timer, s) != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        free(d);
        return NULL;
    }
    if (!machine_attach(m, d)) {
        rtc_destroy(d);
        free(d);
        return NULL;
    }
    return d;
}
