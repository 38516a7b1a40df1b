/*
 * log.c - stderr messages (see include/rvvm/log.h).
 */
#include "rvvm/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

unsigned log_channels;

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rvvm: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A misbehaving guest can hit a logging path millions of times a second:
 * allow a burst per second and count what was dropped. */
#define LOG_BURST 20

void log_channel(enum log_channel c, const char *fmt, ...)
{
    static _Atomic long window;
    static _Atomic unsigned in_window, dropped;
    if (!log_on(c))
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long now = (long)ts.tv_sec;
    if (atomic_exchange(&window, now) != now) {
        unsigned d = atomic_exchange(&dropped, 0);
        atomic_store(&in_window, 0);
        if (d)
            fprintf(stderr, "rvvm: (%u similar messages dropped)\n", d);
    }
    if (atomic_fetch_add(&in_window, 1) >= LOG_BURST) {
        atomic_fetch_add(&dropped, 1);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("rvvm: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool log_parse(const char *list, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"guest", LOG_GUEST}, {"jit", LOG_JIT}, {"int", LOG_INT}, {"perf", LOG_PERF}};
    unsigned v = 0;
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0) {
                v |= names[i].bit;
                found = true;
            }
        }
        if (!found)
            return false;
        p += n;
        if (*p == ',')
            p++;
    }
    *out = v;
    return true;
}
