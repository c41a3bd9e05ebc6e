/*
 * window.h - change windows and the run's clock.
 *
 * A change window is written in one of two forms:
 *
 *   weekly     "Sat 22:00-Sun 04:00"   day names Mon..Sun (or Monday..Sunday,
 *              any case); the end day may be left out: "Sat 22:00-23:30"
 *              ends the same day, "Sat 22:00-04:00" the next day.  The
 *              window may wrap around the week ("Sun 22:00-Mon 02:00") and
 *              lasts at most 7 days.
 *   absolute   "2026-11-28T22:00/2026-11-29T04:00" (seconds optional, 'T'
 *              or one space between date and time), each end optionally
 *              followed by "Z" or "+HH:MM"/"-HH:MM"; without them the times
 *              are wall-clock times of the window's zone.
 *
 * Times of day are wall-clock times in the window's zone: the controller's
 * local zone (TZ), or --tz NAME, a tz database name such as Europe/Berlin
 * (checked to exist under $TZDIR or /usr/share/zoneinfo: glibc would
 * silently fall back to UTC for a misspelt name).  A window includes its
 * start and excludes its end.
 *
 * Daylight-saving edges, one rule for both: a wall time means the FIRST
 * instant at which the zone's clock shows that time or later.  So a time
 * that occurs twice (autumn) means its first occurrence, and a time that
 * does not exist (spring: 02:30 when clocks jump from 02:00 to 03:00) means
 * the moment of the jump (03:00).  The window "Sat 22:00-Sun 04:00" thus
 * lasts 5 hours on the spring weekend and 7 on the autumn one.  An
 * occurrence whose start and end fall on the same instant (a day skipped
 * by the zone, e.g. Pacific/Apia on 2011-12-30) never opens.
 *
 * Zone handling: window_status() with a zone name sets TZ and calls tzset()
 * for the duration of the call and then restores the previous TZ.  That is
 * not thread-safe: call it only while no other thread runs (the executor
 * computes each play's deadline in its main thread before the play's
 * workers start; workers only compare the clock with that instant).
 *
 * The clock: mend_clock_init() takes an injected start time for tests
 * (--now or the environment variable MEND_NOW, same syntax as an absolute
 * window end, or "@EPOCH"); the injected clock then advances with the
 * monotonic clock, so cut-offs during a run behave as in real time.
 */
#ifndef MEND_WINDOW_H
#define MEND_WINDOW_H

#include <time.h>

#include "runner/util/err.h"

/* Seconds east of UTC at instant t (the zone's offset), for the zone
 * window_status() was given.  Replaceable for tests. */
typedef long (*zone_offset_fn)(time_t t, void *arg);

enum window_kind { WIN_WEEKLY, WIN_ABSOLUTE };

struct wall_time {            /* an absolute window end */
	long long wall;           /* civil seconds since 1970-01-01 00:00 */
	int has_offset;           /* "Z" or "+HH:MM" given */
	long offset;              /* seconds east of UTC, when has_offset */
};

struct window {
	enum window_kind kind;
	int start_wday, end_wday; /* weekly: 0 = Sunday .. 6 = Saturday */
	int start_min, end_min;   /* weekly: minutes since midnight */
	int span_days;            /* weekly: days from start day to end day */
	struct wall_time start, end;  /* absolute */
};

struct window_status {
	int open;                 /* now is inside an occurrence */
	time_t start, end;        /* open: the occurrence now is in; closed:
	                           * the next occurrence (start = end = 0 when
	                           * there is none: an absolute window that is
	                           * over) */
};

/* Parse a window. Returns 0, or -1 with a message in e (no position: the
 * caller adds it with err_setpos when the window comes from a playbook). */
int window_parse(const char *spec, struct window *w, struct err *e);

/* Is `now` inside the window?  tz: zone name or NULL (local zone). */
void window_status(const struct window *w, time_t now, const char *tz,
    struct window_status *st);
/* The same with an explicit offset function (unit tests). */
void window_status_fn(const struct window *w, time_t now, zone_offset_fn fn,
    void *arg, struct window_status *st);

/* The first instant at which the zone shows wall time `wall` or later
 * (see the DST rule above). */
time_t wall_to_instant(long long wall, zone_offset_fn fn, void *arg);

/* Check a --tz name: a tz database name present on this machine, or
 * "UTC". Returns 0 or -1 with a message. */
int zone_check(const char *name, struct err *e);

/* Parse a point in time ("2026-11-28T22:00[:SS][Z|+HH:MM]" in zone tz, or
 * "@EPOCH"). Returns 0 or -1 with a message. */
int time_parse(const char *s, const char *tz, time_t *out, struct err *e);

/* "Sat 2026-11-28 22:00 CET" in zone tz (NULL = local). */
void time_format(time_t t, const char *tz, char *buf, size_t len);

/* The run's clock: real, or injected and advancing in real time. */
struct mend_clock {
	int injected;
	time_t base;
	double mono0;
};
/* now: --now value or NULL (then MEND_NOW is looked at). */
int mend_clock_init(struct mend_clock *c, const char *now, const char *tz,
    struct err *e);
time_t mend_clock_now(const struct mend_clock *c);

#endif
