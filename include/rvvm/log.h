/*
 * log.h - messages to stderr: user errors, guest misbehaviour under
 * `-d guest`, and debug channels.
 */
#ifndef RVVM_LOG_H
#define RVVM_LOG_H

#include <stdbool.h>

enum log_channel {
    LOG_GUEST = 1u << 0, /* -d guest: the guest did something wrong */
    LOG_JIT = 1u << 1,   /* -d jit: dump translated blocks */
    LOG_INT = 1u << 2,   /* -d int: every trap and interrupt */
    LOG_PERF = 1u << 3,  /* -d perf: /tmp/perf-<pid>.map names translated blocks */
};

/* Enabled channels (set once by main from -d). */
extern unsigned log_channels;

static inline bool log_on(enum log_channel c)
{
    return (log_channels & c) != 0;
}

/* "rvvm: <message>\n" on stderr. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A rate-limited line for a channel (at most a few per second). */
void log_channel(enum log_channel c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a -d list like "guest,jit"; false on an unknown name. */
bool log_parse(const char *list, unsigned *out);

#endif
