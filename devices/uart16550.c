/*
 * uart16550.c - 16550A UART as on QEMU virt: 8-bit registers at reg-shift 0.
 *
 * Models the register file of the TI/NatSemi PC16550D datasheet (sections
 * "Registers" and "FIFO Interrupt Mode Operation") as far as a virtual wire
 * needs: RBR/THR, IER, IIR/FCR, LCR (DLAB), MCR, LSR, MSR, SCR, the divisor
 * latch, a 16-byte RX FIFO (1 byte with FIFOs off), and the RX-data and
 * THR-empty interrupts with the datasheet's IIR priorities.
 *
 * Simplifications, each invisible to Linux's 8250 and OpenSBI's uart8250:
 *  - Transmission is instant: a THR write goes straight to the backend, so
 *    LSR.THRE and LSR.TEMT always read 1 and every THR write is at once a new
 *    "THR empty" event.
 *  - Input is pulled from the backend only while the FIFO has room, so an
 *    overrun cannot happen (LSR.OE/PE/FE/BI stay 0 and the line-status
 *    interrupt never fires); bytes wait in the backend instead of being lost.
 *  - The character-timeout interrupt (IIR 0xc) is reported as soon as the
 *    FIFO holds fewer bytes than the trigger level, instead of after four
 *    character times; drivers treat it like RX data available.
 *  - No loopback (MCR bit 4 is stored but not acted on); MSR reads the modem
 *    lines of a connected, ready peer (DCD|DSR|CTS) and never changes.
 *  - MCR.OUT2 does not gate the IRQ line, as on QEMU.
 * Any access width is accepted; the register is chosen by the offset and only
 * the low byte counts, as QEMU's serial_mm does. Offsets 8..0xff do not exist.
 */
#include "devices/uart16550.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <libfdt.h>

#include "rvvm/chardev.h"
#include "rvvm/device.h"

#define UART_RBR 0 /* read, DLAB=0 */
#define UART_THR 0 /* write, DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1 /* DLAB=0 */
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7
#define UART_NREGS 8

#define UART_IER_RDI 0x01  /* RX data available (and char timeout) */
#define UART_IER_THRI 0x02 /* THR empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI 0x08  /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_CTI 0x0c
#define UART_IIR_FIFO 0xc0 /* both bits set while FIFOs are enabled */

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_STORED 0xc9 /* enable, DMA mode, trigger level */

#define UART_LCR_DLAB 0x80

#define UART_LSR_DR 0x01
#define UART_LSR_OE 0x02
#define UART_LSR_PE 0x04
#define UART_LSR_FE 0x08
#define UART_LSR_BI 0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_DCD 0x80
#define UART_MSR_DELTAS 0x0f

#define UART_FIFO 16
#define UART_CLOCK_HZ 3686400

struct uart {
    pthread_mutex_t lock; /* hart threads and the backend's reader thread */
    struct dev *dev;
    struct chardev *cd;
    uint8_t ier, fcr, lcr, mcr, scr, dll, dlm, msr;
    uint8_t lsr_err; /* LSR error bits, cleared by reading LSR (never set) */
    uint8_t rx[UART_FIFO];
    unsigned rx_head, rx_count;
    bool thr_ipending; /* THR-empty event not yet acknowledged by IIR read */
    bool line;         /* last level driven on the PLIC source */
};

static unsigned uart_rx_capacity(const struct uart *s)
{
    return (s->fcr & UART_FCR_ENABLE) ? UART_FIFO : 1;
}

static unsigned uart_rx_trigger(const struct uart *s)
{
    static const unsigned levels[4] = {1, 4, 8, 14};
    return (s->fcr & UART_FCR_ENABLE) ? levels[s->fcr >> 6] : 1;
}

/* Highest-priority pending interrupt (datasheet table "Interrupt Control
 * Functions"): line status > RX data / timeout > THR empty > modem status. */
static uint8_t uart_iir(const struct uart *s)
{
    uint8_t id = UART_IIR_NO_INT;
    if ((s->ier & UART_IER_RLSI) && (s->lsr_err & UART_LSR_ERRORS))
        id = UART_IIR_RLSI;
    else if ((s->ier & UART_IER_RDI) && s->rx_count)
        id = s->rx_count >= uart_rx_trigger(s) ? UART_IIR_RDI : UART_IIR_CTI;
    else if ((s->ier & UART_IER_THRI) && s->thr_ipending)
        id = UART_IIR_THRI;
    else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTAS))
        id = UART_IIR_MSI;
    return id | ((s->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0);
}

static void uart_update_irq(struct uart *s)
{
    bool level = !(uart_iir(s) & UART_IIR_NO_INT);
    if (level != s->line) {
        s->line = level;
        machine_irq_set(s->dev->machine, s->dev->irq, level);
    }
}

/* Move backend input into the FIFO while it has room. */
static void uart_rx_fill(struct uart *s)
{
    unsigned cap = uart_rx_capacity(s);
    while (s->rx_count < cap) {
        uint8_t buf[UART_FIFO];
        size_t n = chardev_read(s->cd, buf, cap - s->rx_count);
        if (!n)
            break;
        for (size_t i = 0; i < n; i++)
            s->rx[(s->rx_head + s->rx_count++) % UART_FIFO] = buf[i];
    }
}

static void uart_rx_clear(struct uart *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
}

/* Backend callback (its reader thread): input arrived. */
static void uart_notify(void *opaque)
{
    struct uart *s = opaque;
    pthread_mutex_lock(&s->lock);
    uart_rx_fill(s);
    uart_update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

static uint8_t uart_read_reg(struct uart *s, unsigned reg)
{
    uint8_t v = 0;
    switch (reg) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB) {
            v = s->dll;
        } else if (s->rx_count) {
            v = s->rx[s->rx_head];
            s->rx_head = (s->rx_head + 1) % UART_FIFO;
            s->rx_count--;
            uart_rx_fill(s);
        }
        break;
    case UART_IER:
        v = (s->lcr & UART_LCR_DLAB) ? s->dlm : s->ier;
        break;
    case UART_IIR:
        v = uart_iir(s);
        /* Reading IIR while it reports THR empty acknowledges that event. */
        if ((v & 0x0f) == UART_IIR_THRI)
            s->thr_ipending = false;
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        uart_rx_fill(s); /* so a polling driver sees input without an IRQ */
        v = UART_LSR_THRE | UART_LSR_TEMT | s->lsr_err | (s->rx_count ? UART_LSR_DR : 0);
        s->lsr_err = 0;
        break;
    case UART_MSR:
        v = s->msr;
        s->msr &= (uint8_t)~UART_MSR_DELTAS;
        break;
    case UART_SCR:
        v = s->scr;
        break;
    }
    return v;
}

static void uart_write_reg(struct uart *s, unsigned reg, uint8_t v)
{
    switch (reg) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->dll = v;
        } else {
            chardev_write(s->cd, &v, 1);
            s->thr_ipending = true; /* sent at once: THR is empty again */
        }
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->dlm = v;
        } else {
            uint8_t old = s->ier;
            s->ier = v & 0x0f;
            /* Enabling THRI while THR is empty raises the interrupt even if
             * an IIR read acknowledged it before; Linux's 8250 startup tests
             * exactly this (UART_BUG_THRE) and so do Windows drivers. */
            if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI))
                s->thr_ipending = true;
            else if (!(s->ier & UART_IER_THRI))
                s->thr_ipending = false;
        }
        break;
    case UART_FCR:
        /* Switching FIFO mode on or off clears both FIFOs (datasheet FCR0). */
        if ((v ^ s->fcr) & UART_FCR_ENABLE)
            uart_rx_clear(s);
        if (v & UART_FCR_CLEAR_RX)
            uart_rx_clear(s);
        /* UART_FCR_CLEAR_TX: the transmitter is always empty. */
        s->fcr = v & UART_FCR_STORED;
        uart_rx_fill(s);
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & 0x1f;
        break;
    case UART_LSR:
    case UART_MSR:
        break; /* read-only here (factory test on real parts) */
    case UART_SCR:
        s->scr = v;
        break;
    }
}

static bool uart_read(struct dev *d, uint64_t off, unsigned size, uint64_t *val)
{
    struct uart *s = d->state;
    (void)size;
    if (off >= UART_NREGS) {
        machine_guest_error(d->machine, "uart: read of missing register 0x%" PRIx64, off);
        *val = 0;
        return true;
    }
    pthread_mutex_lock(&s->lock);
    *val = uart_read_reg(s, (unsigned)off);
    uart_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    return true;
}

static bool uart_write(struct dev *d, uint64_t off, unsigned size, uint64_t val)
{
    struct uart *s = d->state;
    (void)size;
    if (off >= UART_NREGS) {
        machine_guest_error(d->machine, "uart: write of missing register 0x%" PRIx64, off);
        return true;
    }
    pthread_mutex_lock(&s->lock);
    uart_write_reg(s, (unsigned)off, (uint8_t)val);
    uart_update_irq(s);
    pthread_mutex_unlock(&s->lock);
    return true;
}

/* Power-on values of the datasheet's "UART Reset Configuration" table. */
static void uart_reset_state(struct uart *s)
{
    s->ier = 0;
    s->fcr = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->scr = 0;
    s->dll = 0;
    s->dlm = 0;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->lsr_err = 0;
    s->thr_ipending = false;
    uart_rx_clear(s);
}

static void uart_reset(struct dev *d)
{
    struct uart *s = d->state;
    pthread_mutex_lock(&s->lock);
    uart_reset_state(s);
    uart_rx_fill(s);
    s->line = true; /* force the line low whatever it was */
    uart_update_irq(s);
    pthread_mutex_unlock(&s->lock);
}

static int uart_fdt(struct dev *d, void *fdt)
{
    char name[32];
    int parent = fdt_path_offset(fdt, "/soc");
    if (parent < 0)
        parent = 0;
    snprintf(name, sizeof(name), "serial@%" PRIx64, d->base);
    int node = fdt_add_subnode(fdt, parent, name);
    if (node < 0)
        return -1;
    if (fdt_setprop_string(fdt, node, "compatible", "ns16550a") ||
        fdt_appendprop_addrrange(fdt, parent, node, "reg", d->base, d->size) ||
        fdt_setprop_u32(fdt, node, "clock-frequency", UART_CLOCK_HZ) ||
        fdt_setprop_u32(fdt, node, "interrupts", d->irq) ||
        fdt_setprop_u32(fdt, node, "interrupt-parent", machine_fdt_plic_phandle(d->machine)))
        return -1;
    return 0;
}

static void uart_destroy(struct dev *d)
{
    struct uart *s = d->state;
    if (!s)
        return;
    /* Waits for a notify callback still running on the backend's thread. */
    chardev_set_notify(s->cd, NULL, NULL);
    pthread_mutex_destroy(&s->lock);
    free(s);
    d->state = NULL;
}

static const struct dev_ops uart_ops = {
    .name = "uart16550",
    .read = uart_read,
    .write = uart_write,
    .reset = uart_reset,
    .fdt = uart_fdt,
    .destroy = uart_destroy,
};

struct dev *uart_create(struct machine *m, uint64_t base, unsigned irq, struct chardev *cd)
{
    struct dev *d = calloc(1, sizeof(*d));
    struct uart *s = calloc(1, sizeof(*s));
    if (!d || !s) {
        free(d);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->dev = d;
    s->cd = cd;
    uart_reset_state(s);
    d->ops = &uart_ops;
    d->base = base;
    d->size = UART_SIZE;
    d->widths = DEV_W_ALL;
    d->irq = irq;
    d->machine = m;
    d->state = s;
    if (!machine_attach(m, d)) {
        uart_destroy(d);
        free(d);
        return NULL;
    }
    chardev_set_notify(cd, uart_notify, s);
    /* Input that arrived before there was anyone to notify. */
    uart_notify(s);
    return d;
}
