/*
 * fake_chardev.c - in-memory char backend for unit tests (see the header).
 */
#include "tests/unit/fake_chardev.h"

#include <stdlib.h>
#include <string.h>

#include "rvvm/chardev.h"

#define FAKE_CD_BUF 4096

struct fake_chardev {
    pthread_mutex_t lock;
    uint8_t in[FAKE_CD_BUF];
    size_t in_head, in_len;
    uint8_t out[FAKE_CD_BUF];
    size_t out_len;
};

static void fake_chardev_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    struct fake_chardev *f = cd->state;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < len && f->out_len < FAKE_CD_BUF; i++)
        f->out[f->out_len++] = buf[i];
    pthread_mutex_unlock(&f->lock);
}

static size_t fake_chardev_read(struct chardev *cd, uint8_t *buf, size_t len)
{
    struct fake_chardev *f = cd->state;
    pthread_mutex_lock(&f->lock);
    size_t n = len < f->in_len - f->in_head ? len : f->in_len - f->in_head;
    memcpy(buf, f->in + f->in_head, n);
    f->in_head += n;
    pthread_mutex_unlock(&f->lock);
    return n;
}

static void fake_chardev_destroy(struct chardev *cd)
{
    struct fake_chardev *f = cd->state;
    pthread_mutex_destroy(&f->lock);
    free(f);
}

static const struct chardev_ops fake_chardev_ops = {
    .write = fake_chardev_write,
    .read = fake_chardev_read,
    .destroy = fake_chardev_destroy,
};

struct chardev *fake_chardev_new(void)
{
    struct fake_chardev *f = calloc(1, sizeof(*f));
    if (!f)
        abort();
    pthread_mutex_init(&f->lock, NULL);
    struct chardev *cd = chardev_new(&fake_chardev_ops, f);
    if (!cd)
        abort();
    return cd;
}

void fake_chardev_push(struct chardev *cd, const void *buf, size_t len)
{
    struct fake_chardev *f = cd->state;
    pthread_mutex_lock(&f->lock);
    if (f->in_len + len > FAKE_CD_BUF)
        abort();
    memcpy(f->in + f->in_len, buf, len);
    f->in_len += len;
    pthread_mutex_unlock(&f->lock);
    chardev_notify(cd);
}

size_t fake_chardev_pending(struct chardev *cd)
{
    struct fake_chardev *f = cd->state;
    pthread_mutex_lock(&f->lock);
    size_t n = f->in_len - f->in_head;
    pthread_mutex_unlock(&f->lock);
    return n;
}

const uint8_t *fake_chardev_output(struct chardev *cd, size_t *len)
{
    struct fake_chardev *f = cd->state;
    *len = f->out_len;
    return f->out;
}
