/*
 * bus.c - the physical address space (see include/rvvm/bus.h).
 *
 * Width policy lives here and only here: a device declares the access sizes
 * it accepts (dev->widths); an access of another size, or one that is not
 * naturally aligned, is split into the largest accepted aligned pieces
 * (little-endian), so a 64-bit read of two 32-bit registers works as on real
 * interconnects. An access that touches nothing, or that no accepted width can
 * cover, fails and the hart raises an access fault.
 */
#include "rvvm/bus.h"

#include <stdlib.h>
#include <string.h>

#include "rvvm/device.h"

void bus_init(struct bus *b)
{
    memset(b, 0, sizeof(*b));
}

void bus_destroy(struct bus *b)
{
    for (unsigned i = 0; i < b->ndevs; i++) {
        struct dev *d = b->devs[i];
        if (d->ops->destroy)
            d->ops->destroy(d);
        free(d);
    }
    free(b->devs);
    free(b->mem);
    memset(b, 0, sizeof(*b));
}

static bool ranges_overlap(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
    return a < b + bsz && b < a + asz;
}

static bool bus_range_free(const struct bus *b, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < b->nmem; i++)
        if (ranges_overlap(base, size, b->mem[i].base, b->mem[i].size))
            return false;
    for (unsigned i = 0; i < b->ndevs; i++)
        if (ranges_overlap(base, size, b->devs[i]->base, b->devs[i]->size))
            return false;
    return true;
}

bool bus_add_mem(struct bus *b, uint64_t base, uint64_t size, uint8_t *host, bool readonly)
{
    if (size == 0 || base + size < base || !bus_range_free(b, base, size))
        return false;
    struct bus_region *n = realloc(b->mem, (b->nmem + 1) * sizeof(*n));
    if (!n)
        return false;
    b->mem = n;
    unsigned i = b->nmem;
    while (i > 0 && b->mem[i - 1].base > base) {
        b->mem[i] = b->mem[i - 1];
        i--;
    }
    b->mem[i] = (struct bus_region){base, size, host, readonly};
    b->nmem++;
    return true;
}

bool bus_add_dev(struct bus *b, struct dev *d)
{
    if (d->size == 0 || d->base + d->size < d->base || !bus_range_free(b, d->base, d->size))
        return false;
    struct dev **n = realloc(b->devs, (b->ndevs + 1) * sizeof(*n));
    if (!n)
        return false;
    b->devs = n;
    unsigned i = b->ndevs;
    while (i > 0 && b->devs[i - 1]->base > d->base) {
        b->devs[i] = b->devs[i - 1];
        i--;
    }
    b->devs[i] = d;
    b->ndevs++;
    return true;
}

const struct bus_region *bus_mem_find(const struct bus *b, uint64_t pa, uint64_t len)
{
    unsigned lo = 0, hi = b->nmem;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        const struct bus_region *r = &b->mem[mid];
        if (pa < r->base) {
            hi = mid;
        } else if (pa - r->base >= r->size) {
            lo = mid + 1;
        } else {
            /* pa is inside r: the whole range must be too */
            if (len > r->size - (pa - r->base))
                return NULL;
            return r;
        }
    }
    return NULL;
}

uint8_t *bus_mem_ptr(const struct bus *b, uint64_t pa, uint64_t len, bool write)
{
    const struct bus_region *r = bus_mem_find(b, pa, len);
    if (!r || (write && r->readonly))
        return NULL;
    return r->host + (pa - r->base);
}

bool bus_mem_pa(const struct bus *b, const void *host, uint64_t *pa)
{
    uintptr_t p = (uintptr_t)host;
    for (unsigned i = 0; i < b->nmem; i++) {
        const struct bus_region *r = &b->mem[i];
        if (p >= (uintptr_t)r->host && p - (uintptr_t)r->host < r->size) {
            *pa = r->base + (p - (uintptr_t)r->host);
            return true;
        }
    }
    return false;
}

static struct dev *bus_dev_find(const struct bus *b, uint64_t pa)
{
    unsigned lo = 0, hi = b->ndevs;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        struct dev *d = b->devs[mid];
        if (pa < d->base)
            hi = mid;
        else if (pa - d->base >= d->size)
            lo = mid + 1;
        else
            return d;
    }
    return NULL;
}

/* Largest width the device accepts that is <= size and aligned at off. */
static unsigned dev_piece(const struct dev *d, uint64_t off, unsigned size)
{
    for (unsigned w = 8; w >= 1; w >>= 1) {
        if (w <= size && (d->widths & w) && (off & (w - 1)) == 0)
            return w;
    }
    return 0;
}

static bool dev_access(struct dev *d, uint64_t off, unsigned size, uint64_t *val, bool write)
{
    if (off + size > d->size)
        return false;
    unsigned w = dev_piece(d, off, size);
    if (w == size)
        return write ? d->ops->write(d, off, size, *val) : d->ops->read(d, off, size, val);
    if (w == 0)
        return false;
    /* Split into aligned pieces the device accepts, little-endian. */
    uint64_t out = 0;
    for (unsigned done = 0; done < size;) {
        w = dev_piece(d, off + done, size - done);
        if (w == 0)
            return false;
        uint64_t mask = w == 8 ? ~0ull : ((1ull << (w * 8)) - 1);
        uint64_t piece = write ? (*val >> (done * 8)) & mask : 0;
        bool ok = write ? d->ops->write(d, off + done, w, piece)
                        : d->ops->read(d, off + done, w, &piece);
        if (!ok)
            return false;
        out |= (piece & mask) << (done * 8);
        done += w;
    }
    if (!write)
        *val = out;
    return true;
}

static bool bus_access(struct bus *b, uint64_t pa, unsigned size, uint64_t *val, bool write)
{
    const struct bus_region *r = bus_mem_find(b, pa, size);
    if (r) {
        uint8_t *p = r->host + (pa - r->base);
        /* little-endian host; fixed-size copies compile to one move each
         * (the interpreter's and the translator's slow paths come here) */
        if (write) {
            if (r->readonly)
                return false;
            switch (size) {
            case 1: memcpy(p, val, 1); break;
            case 2: memcpy(p, val, 2); break;
            case 4: memcpy(p, val, 4); break;
            case 8: memcpy(p, val, 8); break;
            default: memcpy(p, val, size); break;
            }
        } else {
            uint64_t v = 0;
            switch (size) {
            case 1: memcpy(&v, p, 1); break;
            case 2: memcpy(&v, p, 2); break;
            case 4: memcpy(&v, p, 4); break;
            case 8: memcpy(&v, p, 8); break;
            default: memcpy(&v, p, size); break;
            }
            *val = v;
        }
        return true;
    }
    struct dev *d = bus_dev_find(b, pa);
    if (!d)
        return false;
    return dev_access(d, pa - d->base, size, val, write);
}

bool bus_read(struct bus *b, uint64_t pa, unsigned size, uint64_t *val)
{
    *val = 0;
    return bus_access(b, pa, size, val, false);
}

bool bus_write(struct bus *b, uint64_t pa, unsigned size, uint64_t val)
{
    return bus_access(b, pa, size, &val, true);
}

void bus_reset(struct bus *b)
{
    for (unsigned i = 0; i < b->ndevs; i++)
        if (b->devs[i]->ops->reset)
            b->devs[i]->ops->reset(b->devs[i]);
}
