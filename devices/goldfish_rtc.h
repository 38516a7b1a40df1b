/*
 * goldfish_rtc.h - the goldfish real-time clock: host wall-clock time in
 * nanoseconds and one alarm.
 */
#ifndef RVVM_GOLDFISH_RTC_H
#define RVVM_GOLDFISH_RTC_H

#include <stdint.h>

struct machine;
struct dev;

#define RTC_SIZE 0x1000

/* An RTC at base on PLIC source irq. It starts a timer thread for the alarm
 * (joined by ops->destroy). Returns the attached device or NULL. */
struct dev *rtc_create(struct machine *m, uint64_t base, unsigned irq);

#endif
