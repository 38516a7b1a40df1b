/*
 * chardev.h - host character backends behind serial-like devices.
 *
 * A frontend (the UART) writes guest output bytes and pulls pending input
 * bytes; the backend tells the frontend that input arrived through a notify
 * callback. Input is pulled, never pushed, so a frontend takes only what fits
 * in its FIFO and the rest waits in the backend: pasting into the console
 * loses nothing, as on QEMU where the chardev asks the UART how much it can
 * receive.
 *
 * Threading contract:
 *  - chardev_write() and chardev_read() may be called from any thread, also
 *    with the frontend's own lock held; they never call the notify callback.
 *  - The notify callback runs on a backend thread (stdio: its reader thread)
 *    or, for the test fake, on the caller's thread. It runs with no backend
 *    lock held except the notify lock, so it may take the frontend's lock and
 *    call chardev_read(). chardev_set_notify() waits for a running callback,
 *    so after chardev_set_notify(cd, NULL, NULL) the old opaque is unused.
 *  - The creator owns a chardev and destroys it after the frontend is gone
 *    (after the machine is destroyed).
 *
 * Terminal handling (stdio backend, stdin a terminal): raw input (no echo, no
 * line editing, no signals from Ctrl-C: Ctrl-C goes to the guest) with output
 * post-processing (OPOST) left as it was, as QEMU does, so a guest that
 * writes a bare "\n" still starts a new line. The saved terminal state is
 * restored by chardev_destroy(), by an atexit() handler (any exit() path,
 * including main returning after a guest poweroff or Ctrl-A x), and by
 * handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT and the crash signals SIGABRT
 * (failed assert), SIGSEGV, SIGBUS, SIGFPE, SIGILL. Those handlers restore
 * the terminal and then pass the signal on to whatever handler was installed
 * before (default action if none), so install your own handlers first.
 * Console escapes, only when stdin is a terminal:
 *   Ctrl-A x       machine_power(m, MACHINE_QUIT, 0)
 *   Ctrl-A Ctrl-A  send one Ctrl-A to the guest
 *   Ctrl-A h       print this help on stderr
 * When stdin is not a terminal (pipes, CI) its bytes go to the guest as they
 * are, and end of file means "no more input": the reader stops, nothing spins.
 */
#ifndef RVVM_CHARDEV_H
#define RVVM_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

struct machine;
struct chardev;

struct chardev_ops {
    /* Send guest output; the backend consumes all of it (or drops it). */
    void (*write)(struct chardev *cd, const uint8_t *buf, size_t len);
    /* Move up to len pending input bytes into buf; 0 if none. Never blocks. */
    size_t (*read)(struct chardev *cd, uint8_t *buf, size_t len);
    /* Stop threads, restore host state, free the state (not cd). */
    void (*destroy)(struct chardev *cd);
};

struct chardev {
    const struct chardev_ops *ops;
    void *state;
    /* Frontend's callback for "input arrived"; guarded by notify_lock. */
    pthread_mutex_t notify_lock;
    void (*notify)(void *opaque);
    void *notify_opaque;
};

/* Backends. NULL on failure with errno set (the caller reports it). */
struct chardev *chardev_stdio_create(struct machine *m);
struct chardev *chardev_file_create(const char *path);
struct chardev *chardev_null_create(void);

/* Frontend side. */
void chardev_write(struct chardev *cd, const uint8_t *buf, size_t len);
size_t chardev_read(struct chardev *cd, uint8_t *buf, size_t len);
void chardev_set_notify(struct chardev *cd, void (*fn)(void *opaque), void *opaque);
void chardev_destroy(struct chardev *cd);

/* Backend side: a new chardev with the given ops and state, and the call a
 * backend makes (without holding its own locks) when input arrived. */
struct chardev *chardev_new(const struct chardev_ops *ops, void *state);
void chardev_notify(struct chardev *cd);

#endif
