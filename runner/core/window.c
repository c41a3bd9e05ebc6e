/* window.c - change windows and the run's clock; see window.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runner/core/window.h"
#include "runner/util/clock.h"
#include "runner/util/banned.h"

#define DAY 86400LL

static const char *const day_names[7] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday"
};

/* ---- civil calendar (proleptic Gregorian, H. Hinnant's algorithms) ---- */

static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(long long y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

static long long
floor_div(long long a, long long b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* 0 = Sunday; day 0 (1970-01-01) was a Thursday. */
static int
weekday(long long day)
{
	return (int)(((day + 4) % 7 + 7) % 7);
}

/* ---- zones ---- */

struct zone_save {
	int active, had;
	char *old;
};

static void
zone_enter(const char *tz, struct zone_save *s)
{
	const char *old = getenv("TZ");

	memset(s, 0, sizeof(*s));
	if (tz == NULL)
		return;
	s->active = 1;
	s->had = old != NULL;
	s->old = old ? xstrdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
}

static void
zone_leave(struct zone_save *s)
{
	if (!s->active)
		return;
	if (s->had)
		setenv("TZ", s->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(s->old);
}

static long
local_offset(time_t t, void *arg)
{
	struct tm tm;

	(void)arg;
	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

time_t
wall_to_instant(long long wall, zone_offset_fn fn, void *arg)
{
	long off[3];
	long long lo, hi, best = 0;
	int i, found = 0;

	off[0] = fn((time_t)(wall - DAY), arg);
	off[1] = fn((time_t)wall, arg);
	off[2] = fn((time_t)(wall + DAY), arg);
	lo = hi = off[0];
	for (i = 0; i < 3; i++) {
		long long t = wall - off[i];

		lo = off[i] < lo ? off[i] : lo;
		hi = off[i] > hi ? off[i] : hi;
		if (t + fn((time_t)t, arg) == wall && (!found || t < best)) {
			best = t;
			found = 1;
		}
	}
	if (found)
		return (time_t)best;
	/* in a gap: the first instant whose wall clock shows `wall` or
	 * later; between wall - hi and wall - lo the wall clock only jumps
	 * forward */
	{
		long long a = wall - hi, b = wall - lo;

		while (a < b) {
			long long mid = a + (b - a) / 2;

			if (mid + fn((time_t)mid, arg) >= wall)
				b = mid;
			else
				a = mid + 1;
		}
		return (time_t)a;
	}
}

int
zone_check(const char *name, struct err *e)
{
	const char *dir = getenv("TZDIR"), *p;
	char magic[4];
	char *path;
	FILE *f;
	int ok;

	if (strcmp(name, "UTC") == 0)
		return 0;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			break;
	if (*name == '\0' || *p != '\0' || name[0] == '/' || name[0] == '-' ||
	    strstr(name, "..") != NULL)
		return err_set(e, "time zone '%s' is not a tz database name "
		    "(like Europe/Berlin)", name);
	path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
	    name);
	f = fopen(path, "rb");
	ok = f != NULL && fread(magic, 1, 4, f) == 4 &&
	    memcmp(magic, "TZif", 4) == 0;
	if (f != NULL)
		fclose(f);
	if (!ok)
		err_set(e, "unknown time zone '%s' (no tz database file '%s')",
		    name, path);
	free(path);
	return ok ? 0 : -1;
}

/* ---- parsing ---- */

static const char *
skip_sp(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Exactly `n` digits. */
static int
digits(const char **s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return 0;
}

/* H:MM or HH:MM, 00:00..23:59 (24:00 allowed as an end: end_ok). */
static int
parse_hhmm(const char **s, int end_ok, int *min)
{
	int h, m;

	if (isdigit((unsigned char)(*s)[0]) && isdigit((unsigned char)(*s)[1])) {
		if (digits(s, 2, &h) < 0)
			return -1;
	} else if (digits(s, 1, &h) < 0) {
		return -1;
	}
	if (**s != ':')
		return -1;
	(*s)++;
	if (digits(s, 2, &m) < 0 || m > 59 || h > 24 ||
	    (h == 24 && (m != 0 || !end_ok)))
		return -1;
	*min = h * 60 + m;
	return 0;
}

/* A day name: 3 letters or the full name, any case. */
static int
parse_day(const char **s)
{
	size_t n = 0;
	int i;

	while (isalpha((unsigned char)(*s)[n]))
		n++;
	for (i = 0; i < 7 && n >= 3; i++) {
		if ((n == 3 || n == strlen(day_names[i])) &&
		    strncasecmp(*s, day_names[i], n) == 0) {
			*s += n;
			return i;
		}
	}
	return -1;
}

/* Days from the start day to the end day; end_day -1 = not given. */
static int
weekly_span(struct window *w, int end_day, const char *spec, struct err *e)
{
	w->end_wday = end_day;
	if (end_day < 0) {
		if (w->end_min == w->start_min)
			return err_set(e, "window '%s': start and end are the "
			    "same time", spec);
		w->span_days = w->end_min > w->start_min ? 0 : 1;
		w->end_wday = (w->start_wday + w->span_days) % 7;
		return 0;
	}
	w->span_days = (end_day - w->start_wday + 7) % 7;
	if (w->span_days == 0 && w->end_min <= w->start_min) {
		if (w->end_min == w->start_min)
			return err_set(e, "window '%s': start and end are the "
			    "same time", spec);
		w->span_days = 7;
	}
	return 0;
}

static int
parse_weekly(const char *spec, struct window *w, struct err *e)
{
	const char *s = skip_sp(spec);
	int end_day = -1;

	w->kind = WIN_WEEKLY;
	if ((w->start_wday = parse_day(&s)) < 0)
		return err_set(e, "window '%s': expected a day name (Mon..Sun) "
		    "at '%s'", spec, s);
	s = skip_sp(s);
	if (parse_hhmm(&s, 0, &w->start_min) < 0)
		return err_set(e, "window '%s': expected a start time HH:MM "
		    "(00:00..23:59) at '%s'", spec, s);
	s = skip_sp(s);
	if (*s++ != '-')
		return err_set(e, "window '%s': expected '-' between start and "
		    "end (\"Sat 22:00-Sun 04:00\")", spec);
	s = skip_sp(s);
	if (isalpha((unsigned char)*s)) {
		if ((end_day = parse_day(&s)) < 0)
			return err_set(e, "window '%s': expected a day name "
			    "(Mon..Sun) at '%s'", spec, s);
		s = skip_sp(s);
	}
	if (parse_hhmm(&s, 1, &w->end_min) < 0 || *skip_sp(s) != '\0')
		return err_set(e, "window '%s': expected an end time HH:MM "
		    "(00:00..24:00) at the end", spec);
	return weekly_span(w, end_day, spec, e);
}

/* [+-]HH:MM or Z after a date-time; sets has_offset. */
static int
parse_offset(const char **s, struct wall_time *wt)
{
	int h, m, sign;

	if (**s == 'Z' || **s == 'z') {
		(*s)++;
		wt->has_offset = 1;
		wt->offset = 0;
		return 0;
	}
	if (**s != '+' && **s != '-')
		return 0;
	sign = **s == '-' ? -1 : 1;
	(*s)++;
	if (digits(s, 2, &h) < 0 || **s != ':')
		return -1;
	(*s)++;
	if (digits(s, 2, &m) < 0 || h > 14 || m > 59)
		return -1;
	wt->has_offset = 1;
	wt->offset = sign * (h * 3600L + m * 60L);
	return 0;
}

/* YYYY-MM-DD[T ]HH:MM[:SS][Z|+HH:MM]; *s advanced past it. */
static int
parse_datetime(const char **s, struct wall_time *wt)
{
	int y, mo, d, h, mi, sec = 0;

	memset(wt, 0, sizeof(*wt));
	if (digits(s, 4, &y) < 0 || *(*s)++ != '-' || digits(s, 2, &mo) < 0 ||
	    *(*s)++ != '-' || digits(s, 2, &d) < 0)
		return -1;
	if (**s != 'T' && **s != 't' && **s != ' ')
		return -1;
	(*s)++;
	if (digits(s, 2, &h) < 0 || *(*s)++ != ':' || digits(s, 2, &mi) < 0)
		return -1;
	if (**s == ':' && ((*s)++, digits(s, 2, &sec) < 0))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
		return -1;
	wt->wall = days_from_civil(y, mo, d) * DAY + h * 3600LL + mi * 60LL +
	    sec;
	return parse_offset(s, wt);
}

static int
parse_absolute(const char *spec, struct window *w, struct err *e)
{
	const char *s = skip_sp(spec);

	w->kind = WIN_ABSOLUTE;
	if (parse_datetime(&s, &w->start) < 0 || *s++ != '/')
		return err_set(e, "window '%s': expected START/END as "
		    "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM] (a valid date and time)",
		    spec);
	if (parse_datetime(&s, &w->end) < 0 || *skip_sp(s) != '\0')
		return err_set(e, "window '%s': the end is not a valid "
		    "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM]", spec);
	if (w->start.has_offset == w->end.has_offset &&
	    w->end.wall - w->end.offset <= w->start.wall - w->start.offset)
		return err_set(e, "window '%s': the end is not after the start",
		    spec);
	return 0;
}

int
window_parse(const char *spec, struct window *w, struct err *e)
{
	memset(w, 0, sizeof(*w));
	if (spec == NULL || *skip_sp(spec) == '\0')
		return err_set(e, "empty change window");
	if (strchr(spec, '/') != NULL)
		return parse_absolute(spec, w, e);
	return parse_weekly(spec, w, e);
}

/* ---- where is now? ---- */

static time_t
abs_instant(const struct wall_time *wt, zone_offset_fn fn, void *arg)
{
	if (wt->has_offset)
		return (time_t)(wt->wall - wt->offset);
	return wall_to_instant(wt->wall, fn, arg);
}

static void
weekly_status(const struct window *w, time_t now, zone_offset_fn fn,
    void *arg, struct window_status *st)
{
	long long today = floor_div((long long)now + fn(now, arg), DAY), d;

	for (d = today - 8; d <= today + 8; d++) {
		time_t s, e;

		if (weekday(d) != w->start_wday)
			continue;
		s = wall_to_instant(d * DAY + w->start_min * 60LL, fn, arg);
		e = wall_to_instant((d + w->span_days) * DAY +
		    w->end_min * 60LL, fn, arg);
		if (s >= e)
			continue;         /* skipped by the zone */
		if (s <= now && now < e) {
			st->open = 1;
			st->start = s;
			st->end = e;
			return;
		}
		if (s > now && (st->start == 0 || s < st->start)) {
			st->start = s;
			st->end = e;
		}
	}
}

void
window_status_fn(const struct window *w, time_t now, zone_offset_fn fn,
    void *arg, struct window_status *st)
{
	time_t s, e;

	memset(st, 0, sizeof(*st));
	if (w->kind == WIN_WEEKLY) {
		weekly_status(w, now, fn, arg, st);
		return;
	}
	s = abs_instant(&w->start, fn, arg);
	e = abs_instant(&w->end, fn, arg);
	if (s >= e || now >= e)
		return;                   /* over (or never) */
	st->open = s <= now;
	st->start = s;
	st->end = e;
}

void
window_status(const struct window *w, time_t now, const char *tz,
    struct window_status *st)
{
	struct zone_save zs;

	zone_enter(tz, &zs);
	window_status_fn(w, now, local_offset, NULL, st);
	zone_leave(&zs);
}

/* ---- points in time and the clock ---- */

int
time_parse(const char *s, const char *tz, time_t *out, struct err *e)
{
	struct wall_time wt;
	struct zone_save zs;
	const char *p = s;

	if (s[0] == '@') {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || *end != '\0')
			return err_set(e, "time '%s': expected @SECONDS", s);
		*out = (time_t)v;
		return 0;
	}
	if (parse_datetime(&p, &wt) < 0 || *p != '\0')
		return err_set(e, "time '%s': expected YYYY-MM-DDTHH:MM[:SS]"
		    "[Z|+HH:MM] or @SECONDS", s);
	zone_enter(tz, &zs);
	*out = abs_instant(&wt, local_offset, NULL);
	zone_leave(&zs);
	return 0;
}

void
time_format(time_t t, const char *tz, char *buf, size_t len)
{
	struct zone_save zs;
	struct tm tm;

	zone_enter(tz, &zs);
	if (localtime_r(&t, &tm) == NULL || strftime(buf, len,
	    "%a %Y-%m-%d %H:%M %Z", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
	zone_leave(&zs);
}

int
mend_clock_init(struct mend_clock *c, const char *now, const char *tz,
    struct err *e)
{
	memset(c, 0, sizeof(*c));
	if (now == NULL)
		now = getenv("MEND_NOW");
	if (now == NULL || *now == '\0')
		return 0;
	if (time_parse(now, tz, &c->base, e) < 0)
		return -1;
	c->injected = 1;
	c->mono0 = mono_now();
	return 0;
}

time_t
mend_clock_now(const struct mend_clock *c)
{
	if (c == NULL || !c->injected)
		return time(NULL);
	return c->base + (time_t)(mono_now() - c->mono0);
}
