/*
 * clock.h - the monotonic clock, for durations and deadlines.
 *
 * CLOCK_MONOTONIC never jumps with the wall clock (NTP, the operator's
 * `date`), so a deadline computed as mono_ms() + timeout holds however the
 * real time moves.  Never compare these values with time(): they count
 * from an unspecified start (usually the boot).
 */
#ifndef MEND_CLOCK_H
#define MEND_CLOCK_H

/* Seconds, with the fraction (task durations in reports). */
double mono_now(void);
/* Milliseconds (deadlines). */
long long mono_ms(void);

#endif
