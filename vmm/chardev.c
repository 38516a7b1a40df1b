/*
 * chardev.c - host character backends: stdio (terminal or pipe), file, null.
 *
 * The contract (threads, ownership, terminal restore, console escapes) is in
 * include/rvvm/chardev.h. The stdio backend reads stdin on its own thread
 * into a ring buffer; the UART pulls from that buffer when its FIFO has room.
 * The reader stops reading while the ring is full, so the host pipe or tty
 * holds the rest instead of input getting dropped.
 */
#include "rvvm/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "rvvm/device.h"

#define CHARDEV_RING 4096
#define CHARDEV_CTRL_A 0x01

/* ---- shared frontend/backend plumbing ---- */

struct chardev *chardev_new(const struct chardev_ops *ops, void *state)
{
    struct chardev *cd = calloc(1, sizeof(*cd));
    if (!cd)
        return NULL;
    cd->ops = ops;
    cd->state = state;
    pthread_mutex_init(&cd->notify_lock, NULL);
    return cd;
}

void chardev_notify(struct chardev *cd)
{
    /* Held across the call so chardev_set_notify() can wait out a callback
     * that is still using the old opaque. */
    pthread_mutex_lock(&cd->notify_lock);
    if (cd->notify)
        cd->notify(cd->notify_opaque);
    pthread_mutex_unlock(&cd->notify_lock);
}

void chardev_set_notify(struct chardev *cd, void (*fn)(void *opaque), void *opaque)
{
    pthread_mutex_lock(&cd->notify_lock);
    cd->notify = fn;
    cd->notify_opaque = opaque;
    pthread_mutex_unlock(&cd->notify_lock);
}

void chardev_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    if (len)
        cd->ops->write(cd, buf, len);
}

size_t chardev_read(struct chardev *cd, uint8_t *buf, size_t len)
{
    return len ? cd->ops->read(cd, buf, len) : 0;
}

void chardev_destroy(struct chardev *cd)
{
    if (!cd)
        return;
    cd->ops->destroy(cd);
    pthread_mutex_destroy(&cd->notify_lock);
    free(cd);
}

/* Write all of buf to fd: output must not be lost to a short write, EINTR or
 * a non-blocking stdout that is momentarily full. Other errors drop it: the
 * guest cannot do anything about a closed stdout. */
static void chardev_write_fd(int fd, const uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            poll(&p, 1, -1);
        } else {
            return;
        }
    }
}

/* ---- terminal state: process-wide, because the terminal is ---- */

static const int chardev_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT,
                                      SIGSEGV, SIGBUS, SIGFPE, SIGILL};
static struct termios chardev_tty_saved;
static volatile sig_atomic_t chardev_tty_raw;
static struct sigaction chardev_old_sa[NSIG];
static bool chardev_hooks_installed;

/* Async-signal-safe: tcsetattr is on the POSIX list. */
static void chardev_tty_restore(void)
{
    if (chardev_tty_raw) {
        chardev_tty_raw = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &chardev_tty_saved);
    }
}

static void chardev_signal(int sig)
{
    int saved_errno = errno;
    chardev_tty_restore();
    /* Hand the signal on: reinstall the previous action and re-raise. The
     * signal is blocked while we run, so it is delivered on return (for a
     * fault, the instruction faults again into the previous action). */
    sigaction(sig, &chardev_old_sa[sig], NULL);
    raise(sig);
    errno = saved_errno;
}

static void chardev_install_hooks(void)
{
    if (chardev_hooks_installed)
        return;
    chardev_hooks_installed = true;
    atexit(chardev_tty_restore);
    for (size_t i = 0; i < sizeof(chardev_signals) / sizeof(chardev_signals[0]); i++) {
        int sig = chardev_signals[i];
        struct sigaction sa;
        if (sigaction(sig, NULL, &chardev_old_sa[sig]) != 0)
            continue;
        if (chardev_old_sa[sig].sa_handler == SIG_IGN)
            continue; /* e.g. SIGHUP under nohup: leave it ignored */
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = chardev_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sig, &sa, NULL);
    }
}

/* Raw input, but OPOST (and with it ONLCR) kept: Linux sends "\r\n" and
 * looks the same either way, bare-metal programs that send "\n" still get
 * a new line. ISIG off so Ctrl-C and Ctrl-Z reach the guest. */
static bool chardev_tty_make_raw(void)
{
    struct termios raw;
    if (tcgetattr(STDIN_FILENO, &chardev_tty_saved) != 0)
        return false;
    raw = chardev_tty_saved;
    raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    chardev_install_hooks();
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
        return false;
    chardev_tty_raw = 1;
    return true;
}

/* ---- stdio backend ---- */

struct chardev_stdio {
    struct machine *m;
    pthread_mutex_t lock; /* ring, stop */
    pthread_cond_t space; /* signalled when the ring drains or on stop */
    uint8_t ring[CHARDEV_RING];
    size_t head, count;
    bool stop;
    int wake[2]; /* written on stop, to get the reader out of poll() */
    pthread_t thread;
    bool tty;
    bool esc; /* the previous byte was Ctrl-A (reader thread only) */
};

static bool chardev_stdio_live;

static const char chardev_help[] =
    "\r\n"
    "C-a h    print this help\r\n"
    "C-a x    quit rvvm\r\n"
    "C-a C-a  send C-a to the guest\r\n";

/* Console escapes; only on a terminal, where a human types them. Returns the
 * number of bytes for the guest, written to out (never more than n). */
static size_t chardev_stdio_filter(struct chardev_stdio *s, const uint8_t *in, size_t n,
                                   uint8_t *out)
{
    size_t k = 0;
    if (!s->tty) {
        memcpy(out, in, n);
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = in[i];
        if (!s->esc) {
            if (c == CHARDEV_CTRL_A)
                s->esc = true;
            else
                out[k++] = c;
            continue;
        }
        s->esc = false;
        switch (c) {
        case CHARDEV_CTRL_A:
            out[k++] = c;
            break;
        case 'x':
        case 'X':
            if (s->m)
                machine_power(s->m, MACHINE_QUIT, 0);
            break;
        case 'h':
        case 'H':
        case '?':
            chardev_write_fd(STDERR_FILENO, (const uint8_t *)chardev_help,
                             sizeof(chardev_help) - 1);
            break;
        default:
            break; /* unknown escape: dropped, as it was meant for us */
        }
    }
    return k;
}

static void *chardev_stdio_reader(void *arg)
{
    struct chardev *cd = arg;
    struct chardev_stdio *s = cd->state;
    uint8_t in[256], out[256];

    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (!s->stop && s->count == CHARDEV_RING)
            pthread_cond_wait(&s->space, &s->lock);
        bool stop = s->stop;
        size_t room = CHARDEV_RING - s->count;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            break;

        struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                              {.fd = s->wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        if (!p[0].revents)
            continue;
        if (p[0].revents & POLLNVAL)
            break; /* stdin closed: no input, ever */
        ssize_t n = read(STDIN_FILENO, in, room < sizeof(in) ? room : sizeof(in));
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            break; /* EOF or hangup: no more input; the thread idles out */

        size_t k = chardev_stdio_filter(s, in, (size_t)n, out);
        if (!k)
            continue;
        pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < k; i++)
            s->ring[(s->head + s->count + i) % CHARDEV_RING] = out[i];
        s->count += k;
        pthread_mutex_unlock(&s->lock);
        chardev_notify(cd);
    }
    return NULL;
}

static void chardev_stdio_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    (void)cd;
    chardev_write_fd(STDOUT_FILENO, buf, len);
}

static size_t chardev_stdio_read(struct chardev *cd, uint8_t *buf, size_t len)
{
    struct chardev_stdio *s = cd->state;
    size_t n = 0;
    pthread_mutex_lock(&s->lock);
    while (n < len && s->count) {
        buf[n++] = s->ring[s->head];
        s->head = (s->head + 1) % CHARDEV_RING;
        s->count--;
    }
    if (n)
        pthread_cond_signal(&s->space);
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void chardev_stdio_destroy(struct chardev *cd)
{
    struct chardev_stdio *s = cd->state;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_broadcast(&s->space);
    pthread_mutex_unlock(&s->lock);
    ssize_t r;
    do {
        r = write(s->wake[1], "", 1);
    } while (r < 0 && errno == EINTR);
    pthread_join(s->thread, NULL);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_cond_destroy(&s->space);
    pthread_mutex_destroy(&s->lock);
    if (s->tty)
        chardev_tty_restore();
    free(s);
    chardev_stdio_live = false;
}

static const struct chardev_ops chardev_stdio_ops = {
    .write = chardev_stdio_write,
    .read = chardev_stdio_read,
    .destroy = chardev_stdio_destroy,
};

struct chardev *chardev_stdio_create(struct machine *m)
{
    if (chardev_stdio_live) {
        errno = EBUSY; /* one stdin, one reader */
        return NULL;
    }
    int err;
    struct chardev_stdio *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->m = m;
    if (pipe2(s->wake, O_CLOEXEC) != 0) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->space, NULL);
    struct chardev *cd = chardev_new(&chardev_stdio_ops, s);
    if (!cd)
        goto fail;
    s->tty = isatty(STDIN_FILENO) && chardev_tty_make_raw();
    err = pthread_create(&s->thread, NULL, chardev_stdio_reader, cd);
    if (err) {
        errno = err;
        goto fail;
    }
    chardev_stdio_live = true;
    return cd;

fail:
    err = errno;
    if (s->tty)
        chardev_tty_restore();
    free(cd);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_cond_destroy(&s->space);
    pthread_mutex_destroy(&s->lock);
    free(s);
    errno = err;
    return NULL;
}

/* ---- file backend: output only (-serial file:PATH) ---- */

struct chardev_file {
    int fd;
};

static void chardev_file_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    struct chardev_file *f = cd->state;
    chardev_write_fd(f->fd, buf, len);
}

static size_t chardev_none_read(struct chardev *cd, uint8_t *buf, size_t len)
{
    (void)cd;
    (void)buf;
    (void)len;
    return 0;
}

static void chardev_file_destroy(struct chardev *cd)
{
    struct chardev_file *f = cd->state;
    close(f->fd);
    free(f);
}

static const struct chardev_ops chardev_file_ops = {
    .write = chardev_file_write,
    .read = chardev_none_read,
    .destroy = chardev_file_destroy,
};

struct chardev *chardev_file_create(const char *path)
{
    struct chardev_file *f = malloc(sizeof(*f));
    if (!f)
        return NULL;
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0) {
        free(f);
        return NULL;
    }
    struct chardev *cd = chardev_new(&chardev_file_ops, f);
    if (!cd) {
        close(f->fd);
        free(f);
    }
    return cd;
}

/* ---- null backend ---- */

static void chardev_null_write(struct chardev *cd, const uint8_t *buf, size_t len)
{
    (void)cd;
    (void)buf;
    (void)len;
}

static void chardev_null_destroy(struct chardev *cd)
{
    (void)cd;
}

static const struct chardev_ops chardev_null_ops = {
    .write = chardev_null_write,
    .read = chardev_none_read,
    .destroy = chardev_null_destroy,
};

struct chardev *chardev_null_create(void)
{
    return chardev_new(&chardev_null_ops, NULL);
}
