/* test_window.c - change window parsing and arithmetic: weekly and absolute
 * windows, wrap-around weeks, daylight-saving edges (a synthetic zone and
 * the real tz database: Europe/Berlin, America/New_York, Pacific/Apia's
 * skipped day), zone names, points in time and the injected clock. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner/core/window.h"

/* ------------------------------------------------------------- helpers */

static time_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return timegm(&tm);
}

static long
zone_utc(time_t t, void *arg)
{
	(void)t;
	(void)arg;
	return 0;
}

/* A synthetic Central European zone for 2026: +1 h, +2 h from
 * 2026-03-29 01:00Z until 2026-10-25 01:00Z. */
static long
zone_cet(time_t t, void *arg)
{
	(void)arg;
	if (t >= utc(2026, 3, 29, 1, 0, 0) && t < utc(2026, 10, 25, 1, 0, 0))
		return 7200;
	return 3600;
}

static void
parse_ok(const char *spec, struct window *w)
{
	struct err e = ERR_INIT;

	if (window_parse(spec, w, &e) != 0)
		fail_msg("'%s' should parse: %s", spec, e.msg.buf);
	err_release(&e);
}

static void
parse_bad(const char *spec, const char *needle)
{
	struct err e = ERR_INIT;
	struct window w;

	if (window_parse(spec, &w, &e) == 0)
		fail_msg("'%s' should be refused", spec);
	if (strstr(e.msg.buf, needle) == NULL)
		fail_msg("error for '%s' lacks '%s': %s", spec, needle,
		    e.msg.buf);
	err_release(&e);
}

static void
status_fn(const char *spec, time_t now, zone_offset_fn fn,
    struct window_status *st)
{
	struct window w;

	parse_ok(spec, &w);
	window_status_fn(&w, now, fn, NULL, st);
}

static void
status_tz(const char *spec, time_t now, const char *tz,
    struct window_status *st)
{
	struct window w;

	parse_ok(spec, &w);
	window_status(&w, now, tz, st);
}

/* ------------------------------------------------------------- parsing */

static void
test_parse_weekly(void **state)
{
	struct window w;

	(void)state;
	parse_ok("Sat 22:00-Sun 04:00", &w);
	assert_int_equal(w.kind, WIN_WEEKLY);
	assert_int_equal(w.start_wday, 6);
	assert_int_equal(w.start_min, 22 * 60);
	assert_int_equal(w.end_wday, 0);
	assert_int_equal(w.end_min, 4 * 60);
	assert_int_equal(w.span_days, 1);
	parse_ok("  saturday 22:00 - 23:30 ", &w);
	assert_int_equal(w.span_days, 0);
	assert_int_equal(w.end_min, 23 * 60 + 30);
	parse_ok("Sat 22:00-04:00", &w);        /* no end day: next day */
	assert_int_equal(w.span_days, 1);
	assert_int_equal(w.end_wday, 0);
	parse_ok("Sun 22:00-Sat 02:00", &w);
	assert_int_equal(w.span_days, 6);
	parse_ok("Sat 22:00-Sat 04:00", &w);    /* wraps the whole week */
	assert_int_equal(w.span_days, 7);
	parse_ok("MON 9:05-Wednesday 17:00", &w);
	assert_int_equal(w.start_wday, 1);
	assert_int_equal(w.start_min, 9 * 60 + 5);
	assert_int_equal(w.end_wday, 3);
	assert_int_equal(w.span_days, 2);
	parse_ok("Fri 00:00-24:00", &w);
	assert_int_equal(w.end_min, 24 * 60);
	assert_int_equal(w.span_days, 0);
}

static void
test_parse_weekly_errors(void **state)
{
	(void)state;
	parse_bad("", "empty");
	parse_bad("   ", "empty");
	parse_bad("Sat", "start time");
	parse_bad("Sat 22:00", "'-'");
	parse_bad("Xyz 22:00-Sun 04:00", "day name");
	parse_bad("Sa 22:00-Sun 04:00", "day name");
	parse_bad("Saturdays 22:00-Sun 04:00", "day name");
	parse_bad("Sat 25:00-Sun 04:00", "start time");
	parse_bad("Sat 24:00-Sun 04:00", "start time");
	parse_bad("Sat 22:60-Sun 04:00", "start time");
	parse_bad("Sat 2200-Sun 0400", "start time");
	parse_bad("Sat 22:00-Sun 04:00 extra", "end time");
	parse_bad("Sat 22:00-Sun 24:01", "end time");
	parse_bad("Sat 22:00-Sun", "end time");
	parse_bad("Sat 22:00-Xyz 04:00", "day name");
	parse_bad("Sat 22:00-Sat 22:00", "same time");
	parse_bad("Sat 22:00-22:00", "same time");
}

static void
test_parse_absolute(void **state)
{
	struct window w;

	(void)state;
	parse_ok("2026-11-28T22:00/2026-11-29T04:00", &w);
	assert_int_equal(w.kind, WIN_ABSOLUTE);
	assert_int_equal(w.start.has_offset, 0);
	assert_int_equal(w.start.wall, (long long)utc(2026, 11, 28, 22, 0, 0));
	assert_int_equal(w.end.wall, (long long)utc(2026, 11, 29, 4, 0, 0));
	parse_ok("2026-11-28 22:00:30Z/2026-11-29t04:00+05:30", &w);
	assert_int_equal(w.start.has_offset, 1);
	assert_int_equal(w.start.offset, 0);
	assert_int_equal(w.start.wall, (long long)utc(2026, 11, 28, 22, 0, 30));
	assert_int_equal(w.end.offset, 5 * 3600 + 1800);
	parse_ok("2028-02-29T00:00/2028-03-01T00:00-03:00", &w);   /* leap */
	assert_int_equal(w.end.offset, -3 * 3600);
}

static void
test_parse_absolute_errors(void **state)
{
	(void)state;
	parse_bad("2026-02-29T22:00/2026-03-01T04:00", "START/END");
	parse_bad("1900-02-28T22:00/2026-03-01T04:00", "START/END");
	parse_bad("2026-13-01T00:00/2026-12-02T00:00", "START/END");
	parse_bad("2026-04-31T00:00/2026-05-02T00:00", "START/END");
	parse_bad("2026-11-28/2026-11-29", "START/END");
	parse_bad("2026-11-28T22/2026-11-29T04:00", "START/END");
	parse_bad("2026-11-28T22:00:61/2026-11-29T04:00", "START/END");
	parse_bad("2026-11-28T22:00/", "end");
	parse_bad("2026-11-28T22:00/2026-11-29T04:00x", "end");
	parse_bad("2026-11-28T22:00/2026-11-29T04:00+15:00", "end");
	parse_bad("2026-11-28T22:00/2026-11-29T04:00+1:00", "end");
	parse_bad("2026-11-28T22:00/2026-11-28T21:00", "not after");
	parse_bad("2026-11-28T22:00/2026-11-28T22:00", "not after");
	parse_bad("2026-11-28T22:00Z/2026-11-28T23:30+02:00", "not after");
}

/* ------------------------------------------------------------- weekly */

static void
test_weekly_utc(void **state)
{
	struct window_status st;
	const char *w = "Sat 22:00-Sun 04:00";

	(void)state;
	/* 2026-11-28 is a Saturday */
	status_fn(w, utc(2026, 11, 28, 23, 0, 0), zone_utc, &st);
	assert_true(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 22, 0, 0));
	assert_int_equal(st.end, utc(2026, 11, 29, 4, 0, 0));
	status_fn(w, utc(2026, 11, 28, 22, 0, 0), zone_utc, &st);
	assert_true(st.open);                    /* start included */
	status_fn(w, utc(2026, 11, 29, 3, 59, 59), zone_utc, &st);
	assert_true(st.open);
	status_fn(w, utc(2026, 11, 29, 4, 0, 0), zone_utc, &st);
	assert_false(st.open);                   /* end excluded */
	assert_int_equal(st.start, utc(2026, 12, 5, 22, 0, 0));
	assert_int_equal(st.end, utc(2026, 12, 6, 4, 0, 0));
	status_fn(w, utc(2026, 11, 28, 21, 59, 59), zone_utc, &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 22, 0, 0));
	status_fn(w, utc(2026, 11, 25, 12, 0, 0), zone_utc, &st);  /* Wed */
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 22, 0, 0));
}

static void
test_weekly_wraparound(void **state)
{
	struct window_status st;

	(void)state;
	/* Saturday into Monday crosses the end of the week (6 -> 0 -> 1) */
	status_fn("Sat 22:00-Mon 02:00", utc(2026, 11, 30, 1, 0, 0), zone_utc,
	    &st);
	assert_true(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 22, 0, 0));
	assert_int_equal(st.end, utc(2026, 11, 30, 2, 0, 0));
	status_fn("Sat 22:00-Mon 02:00", utc(2026, 11, 30, 2, 0, 0), zone_utc,
	    &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 12, 5, 22, 0, 0));
	status_fn("Sun 22:00-Mon 02:00", utc(2026, 11, 29, 23, 0, 0),
	    zone_utc, &st);
	assert_true(st.open);
	/* six days: open from Sunday night to Saturday morning */
	status_fn("Sun 22:00-Sat 02:00", utc(2026, 12, 2, 12, 0, 0), zone_utc,
	    &st);
	assert_true(st.open);
	assert_int_equal(st.start, utc(2026, 11, 29, 22, 0, 0));
	assert_int_equal(st.end, utc(2026, 12, 5, 2, 0, 0));
	status_fn("Sun 22:00-Sat 02:00", utc(2026, 12, 5, 12, 0, 0), zone_utc,
	    &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 12, 6, 22, 0, 0));
	/* the whole week but the Saturday 04:00-22:00 gap */
	status_fn("Sat 22:00-Sat 04:00", utc(2026, 12, 2, 12, 0, 0), zone_utc,
	    &st);
	assert_true(st.open);
	status_fn("Sat 22:00-Sat 04:00", utc(2026, 12, 5, 12, 0, 0), zone_utc,
	    &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 12, 5, 22, 0, 0));
	/* same-day window ending at 24:00 */
	status_fn("Fri 00:00-24:00", utc(2026, 11, 27, 23, 59, 59), zone_utc,
	    &st);
	assert_true(st.open);
	assert_int_equal(st.end, utc(2026, 11, 28, 0, 0, 0));
}

static void
test_weekly_dst_synthetic(void **state)
{
	struct window_status st;

	(void)state;
	/* spring: 02:30 does not exist on 2026-03-29; it opens at the jump
	 * (03:00 CEST = 01:00Z) and closes at 04:00 CEST = 02:00Z */
	status_fn("Sun 02:30-Sun 04:00", utc(2026, 3, 29, 0, 59, 59), zone_cet,
	    &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 3, 29, 1, 0, 0));
	assert_int_equal(st.end, utc(2026, 3, 29, 2, 0, 0));
	status_fn("Sun 02:30-Sun 04:00", utc(2026, 3, 29, 1, 0, 0), zone_cet,
	    &st);
	assert_true(st.open);
	/* autumn: 02:30 occurs twice on 2026-10-25: the first one counts
	 * (02:30 CEST = 00:30Z); 05:00 CET = 04:00Z */
	status_fn("Sun 02:30-Sun 05:00", utc(2026, 10, 24, 12, 0, 0), zone_cet,
	    &st);
	assert_int_equal(st.start, utc(2026, 10, 25, 0, 30, 0));
	assert_int_equal(st.end, utc(2026, 10, 25, 4, 0, 0));
	/* Saturday night: 5 hours in spring, 7 in autumn */
	status_fn("Sat 22:00-Sun 04:00", utc(2026, 3, 28, 23, 0, 0), zone_cet,
	    &st);
	assert_true(st.open);
	assert_int_equal(st.end - st.start, 5 * 3600);
	status_fn("Sat 22:00-Sun 04:00", utc(2026, 10, 24, 23, 0, 0), zone_cet,
	    &st);
	assert_true(st.open);
	assert_int_equal(st.end - st.start, 7 * 3600);
	assert_int_equal(st.start, utc(2026, 10, 24, 20, 0, 0));
	/* a window entirely inside the spring gap never opens that day */
	status_fn("Sun 02:10-Sun 02:50", utc(2026, 3, 28, 12, 0, 0), zone_cet,
	    &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 4, 5, 0, 10, 0));
}

/* Property: wall_to_instant(W) is the first instant whose wall clock shows
 * W or later, for every minute around both transitions. */
static void
test_wall_to_instant_property(void **state)
{
	time_t edges[2] = { utc(2026, 3, 29, 1, 0, 0),
		utc(2026, 10, 25, 1, 0, 0) };
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		long long w;

		for (w = (long long)edges[i] - 3 * 3600;
		    w <= (long long)edges[i] + 5 * 3600; w += 60) {
			time_t r = wall_to_instant(w, zone_cet, NULL);
			time_t t;

			assert_true((long long)r + zone_cet(r, NULL) >= w);
			assert_true((long long)(r - 1) +
			    zone_cet(r - 1, NULL) < w);
			for (t = r - 3 * 3600; t < r; t += 60)
				assert_true((long long)t + zone_cet(t, NULL) <
				    w);
		}
	}
}

/* ------------------------------------------------------------- real zones */

static void
test_weekly_real_zones(void **state)
{
	struct window_status st, st2;

	(void)state;
	/* Europe/Berlin gives what the synthetic zone gives */
	status_tz("Sun 02:30-Sun 04:00", utc(2026, 3, 29, 0, 0, 0),
	    "Europe/Berlin", &st);
	status_fn("Sun 02:30-Sun 04:00", utc(2026, 3, 29, 0, 0, 0), zone_cet,
	    &st2);
	assert_int_equal(st.open, st2.open);
	assert_int_equal(st.start, st2.start);
	assert_int_equal(st.end, st2.end);
	status_tz("Sat 22:00-Sun 04:00", utc(2026, 10, 24, 23, 0, 0),
	    "Europe/Berlin", &st);
	assert_true(st.open);
	assert_int_equal(st.end - st.start, 7 * 3600);
	/* New York springs forward on 2026-03-08 at 07:00Z (02:00 EST) */
	status_tz("Sun 02:00-Sun 03:30", utc(2026, 3, 8, 6, 0, 0),
	    "America/New_York", &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 3, 8, 7, 0, 0));
	assert_int_equal(st.end, utc(2026, 3, 8, 7, 30, 0));
	/* Samoa skipped Friday 2011-12-30: that occurrence never opens */
	status_tz("Fri 10:00-Fri 12:00", utc(2011, 12, 29, 20, 0, 0),
	    "Pacific/Apia", &st);
	assert_false(st.open);
	assert_int_equal(st.start, (time_t)1325793600);  /* 2012-01-06 10:00 +14 */
	/* the same instant, another zone: Tokyo has no DST */
	status_tz("Sat 22:00-Sun 04:00", utc(2026, 11, 28, 13, 0, 0),
	    "Asia/Tokyo", &st);
	assert_true(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 13, 0, 0));
}

static void
test_tz_restored(void **state)
{
	struct window_status st;

	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	status_tz("Sat 22:00-Sun 04:00", utc(2026, 11, 28, 23, 0, 0),
	    "Europe/Berlin", &st);
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	unsetenv("TZ");
	tzset();
	status_tz("Sat 22:00-Sun 04:00", utc(2026, 11, 28, 23, 0, 0),
	    "Europe/Berlin", &st);
	assert_null(getenv("TZ"));
	/* NULL zone: the process's own zone, untouched */
	setenv("TZ", "UTC", 1);
	tzset();
	status_tz("Sat 22:00-Sun 04:00", utc(2026, 11, 28, 23, 0, 0), NULL,
	    &st);
	assert_true(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 22, 0, 0));
	assert_string_equal(getenv("TZ"), "UTC");
	unsetenv("TZ");
	tzset();
}

/* ------------------------------------------------------------- absolute */

static void
test_absolute(void **state)
{
	struct window_status st;
	const char *w = "2026-11-28T22:00/2026-11-29T04:00";

	(void)state;
	status_fn(w, utc(2026, 11, 28, 21, 0, 0), zone_utc, &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 22, 0, 0));
	status_fn(w, utc(2026, 11, 28, 22, 0, 0), zone_utc, &st);
	assert_true(st.open);
	assert_int_equal(st.end, utc(2026, 11, 29, 4, 0, 0));
	status_fn(w, utc(2026, 11, 29, 4, 0, 0), zone_utc, &st);
	assert_false(st.open);
	assert_int_equal(st.start, 0);           /* over: no next */
	assert_int_equal(st.end, 0);
	/* local times follow the zone; explicit offsets ignore it */
	status_tz(w, utc(2026, 11, 28, 21, 30, 0), "Europe/Berlin", &st);
	assert_true(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 21, 0, 0));
	status_tz("2026-11-28T22:00+01:00/2026-11-29T04:00Z", utc(2026, 11, 28,
	    20, 0, 0), "America/New_York", &st);
	assert_false(st.open);
	assert_int_equal(st.start, utc(2026, 11, 28, 21, 0, 0));
	assert_int_equal(st.end, utc(2026, 11, 29, 4, 0, 0));
	/* mixed: a local start after an explicit end never opens */
	status_fn("2026-11-28T22:00/2026-11-28T23:00+05:00", utc(2026, 11, 28,
	    12, 0, 0), zone_utc, &st);
	assert_false(st.open);
	assert_int_equal(st.start, 0);
}

/* ------------------------------------------------------------- zones, times */

static void
test_zone_check(void **state)
{
	struct err e = ERR_INIT;

	(void)state;
	assert_int_equal(zone_check("Europe/Berlin", &e), 0);
	assert_int_equal(zone_check("UTC", &e), 0);
	assert_int_equal(zone_check("America/Argentina/Buenos_Aires", &e), 0);
	assert_int_equal(e.count, 0);
	assert_int_equal(zone_check("Europe/Nowhere", &e), -1);
	assert_non_null(strstr(e.msg.buf, "unknown time zone 'Europe/Nowhere'"));
	err_release(&e);
	assert_int_equal(zone_check("../../etc/passwd", &e), -1);
	assert_int_equal(zone_check("/etc/localtime", &e), -1);
	assert_int_equal(zone_check("", &e), -1);
	assert_int_equal(zone_check("Europe/Berlin;rm", &e), -1);
	assert_int_equal(zone_check("-x", &e), -1);
	assert_non_null(strstr(e.msg.buf, "not a tz database name"));
	err_release(&e);
	/* not a TZif file */
	assert_int_equal(zone_check("zone.tab", &e), -1);
	err_release(&e);
	setenv("TZDIR", "/nonexistent", 1);
	assert_int_equal(zone_check("Europe/Berlin", &e), -1);
	unsetenv("TZDIR");
	err_release(&e);
}

static void
test_time_parse_format(void **state)
{
	struct err e = ERR_INIT;
	time_t t;
	char buf[64];

	(void)state;
	assert_int_equal(time_parse("2026-11-28T22:00", "Europe/Berlin", &t,
	    &e), 0);
	assert_int_equal(t, utc(2026, 11, 28, 21, 0, 0));
	assert_int_equal(time_parse("2026-07-01T12:00", "Europe/Berlin", &t,
	    &e), 0);
	assert_int_equal(t, utc(2026, 7, 1, 10, 0, 0));
	assert_int_equal(time_parse("2026-11-28T22:00:30Z", NULL, &t, &e), 0);
	assert_int_equal(t, utc(2026, 11, 28, 22, 0, 30));
	assert_int_equal(time_parse("2026-11-28T22:00-02:00", NULL, &t, &e), 0);
	assert_int_equal(t, utc(2026, 11, 29, 0, 0, 0));
	assert_int_equal(time_parse("@1764367200", NULL, &t, &e), 0);
	assert_int_equal(t, (time_t)1764367200);
	assert_int_equal(time_parse("@-5", NULL, &t, &e), 0);
	assert_int_equal(t, (time_t)-5);
	assert_int_equal(e.count, 0);
	assert_int_equal(time_parse("2026-11-28", NULL, &t, &e), -1);
	assert_int_equal(time_parse("@", NULL, &t, &e), -1);
	assert_int_equal(time_parse("@12x", NULL, &t, &e), -1);
	assert_int_equal(time_parse("2026-11-28T22:00 ", NULL, &t, &e), -1);
	assert_int_equal(e.count, 4);
	err_release(&e);
	time_format(utc(2026, 11, 28, 21, 0, 0), "Europe/Berlin", buf,
	    sizeof(buf));
	assert_string_equal(buf, "Sat 2026-11-28 22:00 CET");
	time_format(utc(2026, 7, 1, 10, 0, 0), "Europe/Berlin", buf,
	    sizeof(buf));
	assert_string_equal(buf, "Wed 2026-07-01 12:00 CEST");
	time_format(utc(2026, 11, 28, 21, 0, 0), "UTC", buf, sizeof(buf));
	assert_string_equal(buf, "Sat 2026-11-28 21:00 UTC");
}

static void
test_clock(void **state)
{
	struct mend_clock c;
	struct err e = ERR_INIT;
	time_t t0 = time(NULL), n;

	(void)state;
	unsetenv("MEND_NOW");
	assert_int_equal(mend_clock_init(&c, NULL, NULL, &e), 0);
	assert_false(c.injected);
	n = mend_clock_now(&c);
	assert_true(n >= t0 && n <= t0 + 2);
	assert_true(mend_clock_now(NULL) >= t0);
	assert_int_equal(mend_clock_init(&c, "@1000", NULL, &e), 0);
	assert_true(c.injected);
	n = mend_clock_now(&c);
	assert_true(n >= 1000 && n <= 1002);
	setenv("MEND_NOW", "2026-11-28T22:00", 1);
	assert_int_equal(mend_clock_init(&c, NULL, "Europe/Berlin", &e), 0);
	assert_true(mend_clock_now(&c) - utc(2026, 11, 28, 21, 0, 0) <= 2);
	/* --now wins over MEND_NOW */
	assert_int_equal(mend_clock_init(&c, "@7", NULL, &e), 0);
	assert_true(mend_clock_now(&c) <= 9);
	setenv("MEND_NOW", "", 1);
	assert_int_equal(mend_clock_init(&c, NULL, NULL, &e), 0);
	assert_false(c.injected);
	setenv("MEND_NOW", "tomorrow", 1);
	assert_int_equal(mend_clock_init(&c, NULL, NULL, &e), -1);
	assert_non_null(strstr(e.msg.buf, "time 'tomorrow'"));
	unsetenv("MEND_NOW");
	err_release(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_weekly),
		cmocka_unit_test(test_parse_weekly_errors),
		cmocka_unit_test(test_parse_absolute),
		cmocka_unit_test(test_parse_absolute_errors),
		cmocka_unit_test(test_weekly_utc),
		cmocka_unit_test(test_weekly_wraparound),
		cmocka_unit_test(test_weekly_dst_synthetic),
		cmocka_unit_test(test_wall_to_instant_property),
		cmocka_unit_test(test_weekly_real_zones),
		cmocka_unit_test(test_tz_restored),
		cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_zone_check),
		cmocka_unit_test(test_time_parse_format),
		cmocka_unit_test(test_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
