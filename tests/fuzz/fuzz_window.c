/*
 * fuzz_window.c - libFuzzer harness for the change-window and time parsers
 * (runner/core/window.c: window_parse, window_status_fn, time_parse).
 *
 *   make fuzz   (builds every harness with the whole engine)
 *   seeds: printf 'Sat 22:00-Sun 04:00' > corpus/weekly;
 *          printf '2026-11-28T22:00/2026-11-29T04:00+01:00' > corpus/abs
 *
 * The input is a window spec.  Besides memory errors it checks the
 * contracts, for a few instants and zones (UTC, +05:45, and a zone that
 * jumps an hour twice a "year" to exercise the DST rule):
 *  - a failed parse comes with a message, one line, without a position;
 *  - an open window contains now (start <= now < end); a closed one opens
 *    later (now < start < end) or never (start = end = 0);
 *  - a weekly occurrence lasts at most 7 days plus the zone's jumps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "contract broken: %s\n", what);
		abort();
	}
}

static long
off_fixed(time_t t, void *arg)
{
	(void)t;
	return *(const long *)arg;
}

/* +1h from day 80 to day 300 of every 365-day "year" since 1970. */
static long
off_dst(time_t t, void *arg)
{
	long long day = (long long)t / 86400 % 365;

	(void)arg;
	if (day < 0)
		day += 365;
	return day >= 80 && day < 300 ? 7200 : 3600;
}

static void
status(const struct window *w, time_t now, zone_offset_fn fn, void *arg)
{
	struct window_status st;

	window_status_fn(w, now, fn, arg, &st);
	if (st.open) {
		check(st.start <= now && now < st.end, "open contains now");
	} else if (st.start != 0 || st.end != 0) {
		check(now < st.start && st.start < st.end, "next is later");
	} else {
		check(w->kind == WIN_ABSOLUTE, "only an absolute window ends");
	}
	if (w->kind == WIN_WEEKLY && (st.start != 0 || st.end != 0))
		check(st.end - st.start <= 7 * 86400 + 7200, "weekly <= 7 days");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const time_t nows[] = { 0, 1764367200, 1774746000, 4102444800 };
	long utc = 0, nepal = 20700;
	struct err e = ERR_INIT;
	struct window w;
	time_t t;
	char *s;
	size_t i;

	if (size > 256)
		return 0;
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (window_parse(s, &w, &e) < 0) {
		check(e.count > 0 && strncmp(e.msg.buf, "error: ", 7) == 0,
		    "failure has a message");
	} else {
		for (i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
			status(&w, nows[i], off_fixed, &utc);
			status(&w, nows[i], off_fixed, &nepal);
			status(&w, nows[i], off_dst, NULL);
		}
	}
	err_release(&e);
	if (time_parse(s, "UTC", &t, &e) < 0)
		check(e.count > 0, "time failure has a message");
	err_release(&e);
	free(s);
	return 0;
}
