/* test_safety.c - the executor's rollout-safety hooks that need no host:
 * validation of window and rollback_on_failure (errors at file:line:col),
 * the CLI override, the window gate, each play's deadline with an injected
 * clock, skipping hosts for the window (output, stats, JSON, outcome), the
 * exit code, and which hosts rollback_on_failure names per scope. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/core/executor.h"
#include "runner/core/playbook.h"
#include "runner/core/safety.h"
#include "runner/core/window.h"

/* Any non-NULL pointer: these hooks only test whether a journal exists. */
#define FAKE_JOURNAL ((struct journal *)(uintptr_t)1)

static char *
write_pb(const char *text)
{
	char *path = strdup("/tmp/test_safety.XXXXXX.yml");
	int fd;

	assert_non_null(path);
	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static struct playbook *
load(const char *text, char **path)
{
	struct playbook *pb = NULL;
	struct err e = ERR_INIT;

	*path = write_pb(text);
	if (playbook_load(*path, &pb, &e) != 0)
		fail_msg("playbook should load: %s", e.msg.buf);
	err_release(&e);
	return pb;
}

/* The loader refuses window and rollback_on_failure errors at load. */
static void
validate_bad(const char *text, const char *pos, const char *needle)
{
	struct playbook *pb = NULL;
	struct err e = ERR_INIT;
	char *path = write_pb(text), want[256];

	assert_int_equal(playbook_load(path, &pb, &e), -1);
	assert_null(pb);
	snprintf(want, sizeof(want), "%s:%s: error: ", path, pos);
	if (strstr(e.msg.buf, want) == NULL || strstr(e.msg.buf, needle) == NULL)
		fail_msg("expected '%s' ... '%s', got: %s", want, needle,
		    e.msg.buf);
	err_release(&e);
	unlink(path);
	free(path);
}

/* A window as the loader leaves it: the spec and its parsed form. */
static void
set_window(char **spec, struct window *w, const char *text)
{
	struct err e = ERR_INIT;

	*spec = (char *)text;
	if (text != NULL)
		assert_int_equal(window_parse(text, w, &e), 0);
	err_release(&e);
}

static void
set_opt_window(struct run_opts *o, const char *text)
{
	struct err e = ERR_INIT;

	o->window = text;
	if (text != NULL)
		assert_int_equal(window_parse(text, &o->win, &e), 0);
	err_release(&e);
}

static void
init_opts(struct run_opts *o, struct mend_clock *c, const char *now)
{
	struct err e = ERR_INIT;

	memset(o, 0, sizeof(*o));
	o->out = stdout;
	o->journal = FAKE_JOURNAL;
	assert_int_equal(mend_clock_init(c, now, "UTC", &e), 0);
	o->clock = c;
	o->tz = "UTC";
}

static void
init_play(struct play *p, const char *window, int margin)
{
	memset(p, 0, sizeof(*p));
	p->hosts = (char *)"all";
	set_window(&p->window, &p->win, window);
	p->window_margin = margin;
	p->max_fail_pct = -1;
}

static void
init_host(struct hostctx *hc, const char *name, const struct run_opts *o)
{
	memset(hc, 0, sizeof(*hc));
	hc->name = name;
	hc->opts = o;
	strbuf_init(&hc->out, 0);
}

static void
free_host(struct hostctx *hc)
{
	safety_host_free(hc);
	strbuf_release(&hc->out);
	val_free(hc->results);
}

/* ------------------------------------------------------------- tests */

static void
test_validate(void **state)
{
	struct playbook *pb;
	struct err e = ERR_INIT;
	char *path;

	(void)state;
	pb = load("- hosts: all\n  window: \"Sat 22:00-Sun 04:00\"\n"
	    "  rollback_on_failure: {scope: run}\n  tasks: []\n"
	    "- hosts: all\n  rollback_on_failure: yes\n  tasks: []\n", &path);
	assert_int_equal(e.count, 0);
	/* parsed once, at load */
	assert_string_equal(pb->plays[0].window, "Sat 22:00-Sun 04:00");
	assert_int_equal(pb->plays[0].win.kind, WIN_WEEKLY);
	assert_int_equal(pb->plays[0].win.start_wday, 6);
	assert_int_equal(pb->plays[0].win.start_min, 22 * 60);
	assert_int_equal(pb->plays[0].rollback_scope, ROLLBACK_RUN);
	assert_null(pb->plays[1].window);
	assert_int_equal(pb->plays[1].rollback_scope, ROLLBACK_HOST);
	playbook_free(pb);
	unlink(path);
	free(path);
	validate_bad("- hosts: all\n  window: \"Sat 22:00-Sun 4h\"\n"
	    "  tasks: []\n", "2:11", "window 'Sat 22:00-Sun 4h': expected an "
	    "end time");
	validate_bad("- hosts: all\n  rollback_on_failure: {scope: fleet}\n"
	    "  tasks: []\n", "2:32", "rollback_on_failure: scope must be "
	    "'host' or 'run'");
	validate_bad("- hosts: all\n  rollback_on_failure: {scop: host}\n"
	    "  tasks: []\n", "2:25", "unknown key 'scop' (only 'scope')");
	validate_bad("- hosts: all\n  rollback_on_failure: maybe\n"
	    "  tasks: []\n", "2:24", "must be a boolean or {scope: host|run}");
	validate_bad("- hosts: all\n  rollback_on_failure: {}\n"
	    "  tasks: []\n", "2:24", "scope must be");
}

static void
test_rollback_scope(void **state)
{
	struct playbook *pb;
	struct run_opts o;
	char *path;

	(void)state;
	memset(&o, 0, sizeof(o));
	pb = load("- hosts: all\n  tasks: []\n"
	    "- hosts: all\n  rollback_on_failure: true\n  tasks: []\n"
	    "- hosts: all\n  rollback_on_failure: false\n  tasks: []\n"
	    "- hosts: all\n  rollback_on_failure: {scope: run}\n  tasks: []\n",
	    &path);
	assert_int_equal(safety_rollback_scope(&pb->plays[0], &o),
	    ROLLBACK_NONE);
	assert_int_equal(safety_rollback_scope(&pb->plays[1], &o),
	    ROLLBACK_HOST);
	assert_int_equal(safety_rollback_scope(&pb->plays[2], &o),
	    ROLLBACK_NONE);
	assert_int_equal(safety_rollback_scope(&pb->plays[3], &o),
	    ROLLBACK_RUN);
	o.rollback_on_failure = ROLLBACK_RUN;       /* the CLI wins */
	assert_int_equal(safety_rollback_scope(&pb->plays[0], &o),
	    ROLLBACK_RUN);
	assert_int_equal(safety_rollback_scope(&pb->plays[1], &o),
	    ROLLBACK_RUN);
	/* any failure breaches without max_fail_percentage, with a journal */
	o.rollback_on_failure = ROLLBACK_NONE;
	o.journal = FAKE_JOURNAL;
	assert_false(safety_breached(&pb->plays[0], &o, 1));
	assert_true(safety_breached(&pb->plays[1], &o, 1));
	assert_false(safety_breached(&pb->plays[1], &o, 0));
	pb->plays[1].max_fail_pct = 30;        /* then the executor decides */
	assert_false(safety_breached(&pb->plays[1], &o, 1));
	pb->plays[1].max_fail_pct = -1;
	o.journal = NULL;                      /* check mode: never */
	assert_false(safety_breached(&pb->plays[1], &o, 1));
	playbook_free(pb);
	unlink(path);
	free(path);
}

static void
test_deadline(void **state)
{
	struct run_opts o;
	struct mend_clock c;
	struct play p;
	time_t now;

	(void)state;
	init_opts(&o, &c, "2026-11-29T03:00Z");
	now = mend_clock_now(&c);
	init_play(&p, "2026-11-28T22:00/2026-11-29T04:00", -1);
	assert_int_equal(safety_play_deadline(&p, &o), now + 50 * 60);
	p.window_margin = 0;
	assert_int_equal(safety_play_deadline(&p, &o), now + 60 * 60);
	p.window_margin = 30;
	assert_int_equal(safety_play_deadline(&p, &o), now + 30 * 60);
	/* closed: everything is past the deadline */
	set_window(&p.window, &p.win, "Wed 10:00-12:00");
	assert_true(safety_play_deadline(&p, &o) <= mend_clock_now(&c));
	assert_true(safety_play_deadline(&p, &o) > 0);
	/* --window replaces the play's; no window, or check mode: none */
	set_opt_window(&o, "Sun 02:00-05:00");
	assert_int_equal(safety_play_deadline(&p, &o), now + 90 * 60);
	o.window = NULL;
	p.window = NULL;
	assert_int_equal(safety_play_deadline(&p, &o), 0);
	set_window(&p.window, &p.win, "Sun 02:00-05:00");
	o.journal = NULL;
	assert_int_equal(safety_play_deadline(&p, &o), 0);
	/* --tz: 02:00-05:00 in Tokyo is 17:00-20:00Z the day before */
	o.journal = FAKE_JOURNAL;
	o.tz = "Asia/Tokyo";
	assert_true(safety_play_deadline(&p, &o) <= mend_clock_now(&c));
}

static void
test_gate(void **state)
{
	struct run_opts o;
	struct mend_clock c;
	struct playbook pb, *pbs = &pb;
	struct play plays[2];

	(void)state;
	memset(&pb, 0, sizeof(pb));
	pb.plays = plays;
	pb.nplays = 2;
	init_play(&plays[0], NULL, -1);
	init_play(&plays[1], "Sat 22:00-Sun 04:00", -1);
	init_opts(&o, &c, "2026-11-28T23:00Z");
	assert_int_equal(safety_window_gate(&pbs, 1, &o), 0);
	init_opts(&o, &c, "2026-11-29T03:50:01Z");        /* < 10 min left */
	assert_int_equal(safety_window_gate(&pbs, 1, &o), -1);
	plays[1].window_margin = 5;
	assert_int_equal(safety_window_gate(&pbs, 1, &o), 0);
	init_opts(&o, &c, "2026-11-25T12:00Z");
	assert_int_equal(safety_window_gate(&pbs, 1, &o), -1);
	set_opt_window(&o, "Wed 11:00-13:00");                 /* the CLI's window */
	assert_int_equal(safety_window_gate(&pbs, 1, &o), 0);
	set_window(&plays[1].window, &plays[1].win,
	    "2026-01-01T00:00/2026-01-02T00:00");
	o.window = NULL;
	assert_int_equal(safety_window_gate(&pbs, 1, &o), -1);   /* over */
}

static void
test_window_skip(void **state)
{
	struct run_opts o;
	struct mend_clock c;
	struct run_outcome oc;
	struct play p;
	struct hostctx h1, h2;
	struct hostctx *hosts[2] = { &h1, &h2 };
	time_t now;
	FILE *out = tmpfile();
	char buf[1024];
	size_t n;

	(void)state;
	assert_non_null(out);
	init_opts(&o, &c, "2026-11-29T03:00Z");
	o.out = out;
	o.json_path = "/unused";
	memset(&oc, 0, sizeof(oc));
	o.outcome = &oc;
	init_play(&p, "2026-11-28T22:00/2026-11-29T04:00", -1);
	init_host(&h1, "h1", &o);
	init_host(&h2, "h2", &o);
	now = mend_clock_now(&c);
	assert_int_equal(safety_window_skip(&h1, &p, 0), 0);
	assert_int_equal(safety_window_skip(&h1, &p, now + 60), 0);
	assert_int_equal(h1.st.skipped, 0);
	assert_int_equal(safety_window_skip(&h2, &p, now), 1);
	assert_int_equal(h2.st.skipped, 1);
	assert_int_equal(oc.window_skipped, 1);
	assert_non_null(strstr(h2.out.buf, "h2 | change window | skipped: "
	    "not started: the change window '2026-11-28T22:00/2026-11-29T04:00'"
	    " leaves less than window_margin (10 min); no host starts after "
	    "2026-11-29 03:00:00 UTC"));
	assert_non_null(h2.results);
	assert_int_equal(h2.results->u.list.n, 1);
	assert_true(val_truthy(val_map_get(h2.results->u.list.items[0],
	    "skipped")));
	assert_int_equal(safety_exit_code(&o, hosts, 2, 0), 5);
	assert_int_equal(safety_exit_code(&o, hosts, 2, 2), 2);
	assert_int_equal(safety_exit_code(&o, hosts, 2, 4), 4);
	assert_int_equal(safety_exit_code(&o, hosts, 1, 0), 0);  /* h1 only */
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "mend: 1 host(s) not started because the "
	    "change window was closing (skipped for the window): h2\n"));
	fclose(out);
	free_host(&h1);
	free_host(&h2);
}

static void
test_breach_hosts(void **state)
{
	struct run_opts o;
	struct mend_clock c;
	struct run_outcome oc;
	struct play p;
	struct hostctx hs[4], *hosts[5];
	FILE *out = tmpfile();
	int i;

	(void)state;
	init_opts(&o, &c, NULL);
	o.out = out;
	memset(&oc, 0, sizeof(oc));
	o.outcome = &oc;
	init_play(&p, NULL, -1);
	p.max_fail_pct = 20;
	for (i = 0; i < 4; i++) {
		static const char *names[] = { "a", "b", "c", "d" };

		init_host(&hs[i], names[i], &o);
		hosts[i] = &hs[i];
	}
	hosts[4] = NULL;                         /* never selected */
	hs[0].started = hs[1].started = hs[2].started = 1;   /* d: not yet */
	hs[1].failed = 1;
	hs[2].unreachable = 1;
	/* no rollback_on_failure: nothing */
	assert_int_equal(safety_breach(&p, &o, hosts, 5, 1, 3), 0);
	assert_int_equal(oc.rollback, ROLLBACK_NONE);
	o.rollback_on_failure = ROLLBACK_HOST;
	assert_int_equal(safety_breach(&p, &o, hosts, 5, 2, 3), 1);
	assert_int_equal(oc.rollback, ROLLBACK_HOST);
	assert_int_equal(oc.nhosts, 2);
	assert_string_equal(oc.hosts[0], "b");
	assert_string_equal(oc.hosts[1], "c");
	assert_string_equal(oc.reason, "play 'all': batch 2 of 3 breached "
	    "max_fail_percentage 20");
	run_outcome_release(&oc);
	o.rollback_on_failure = ROLLBACK_RUN;
	assert_int_equal(safety_breach(&p, &o, hosts, 5, 1, 1), 1);
	assert_int_equal(oc.nhosts, 3);          /* every started host */
	assert_string_equal(oc.hosts[0], "a");
	run_outcome_release(&oc);
	/* check mode (no journal): never */
	o.journal = NULL;
	assert_int_equal(safety_breach(&p, &o, hosts, 5, 1, 1), 0);
	for (i = 0; i < 4; i++)
		free_host(&hs[i]);
	fclose(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_rollback_scope),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_gate),
		cmocka_unit_test(test_window_skip),
		cmocka_unit_test(test_breach_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
