/* safety.c - the executor's rollout-safety hooks; see safety.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/core/confirm.h"
#include "runner/core/executor.h"
#include "runner/core/hostlock.h"
#include "runner/core/journal.h"
#include "runner/core/playbook.h"
#include "runner/core/report.h"
#include "runner/core/runs.h"
#include "runner/core/safety.h"
#include "runner/template/template.h"
#include "runner/core/window.h"
#include "runner/util/banned.h"

struct safety_host {
	int lock_done;                /* tried (taken or refused) */
	struct hostlock lock;
	const struct play *lock_play; /* whose connection took it */
	struct exec_opts lock_eo;     /* become used to take it */
	char *lock_user;
	struct confirm confirm;
	struct exec_opts confirm_eo;  /* become of the arming task */
	char *confirm_user;
	int window_skipped;
};

static pthread_mutex_t outcome_lock = PTHREAD_MUTEX_INITIALIZER;

void
run_outcome_release(struct run_outcome *o)
{
	size_t i;

	for (i = 0; i < o->nhosts; i++)
		free(o->hosts[i]);
	free(o->hosts);
	free(o->reason);
	for (i = 0; i < o->nresults; i++)
		free(o->results[i].name);
	free(o->results);
	memset(o, 0, sizeof(*o));
}

void
run_outcome_results(struct run_outcome *o, struct hostctx **hosts, size_t n)
{
	size_t i;

	if (o == NULL)
		return;
	o->results = xcalloc(n ? n : 1, sizeof(*o->results));
	for (i = 0; i < n; i++) {
		o->results[i].name = xstrdup(hosts[i]->name);
		o->results[i].st = hosts[i]->st;
	}
	o->nresults = n;
}

static struct safety_host *
host_safety(struct hostctx *hc)
{
	if (hc->safety == NULL)
		hc->safety = xcalloc(1, sizeof(*hc->safety));
	return hc->safety;
}

void
safety_host_free(struct hostctx *hc)
{
	struct safety_host *sh = hc->safety;

	if (sh == NULL)
		return;
	hostlock_clear(&sh->lock);
	confirm_release(&sh->confirm);
	free(sh->lock_user);
	free(sh->confirm_user);
	free(sh);
	hc->safety = NULL;
}

/* ---- reporting ---- */

static const char *
play_name(const struct play *p)
{
	return p->name ? p->name : p->hosts;
}

/* A task-like line in the host's output, and a result in --json. */
static void
note(struct hostctx *hc, const struct play *p, const char *what,
    enum task_status st, const char *msg)
{
	struct val *r;

	report_task(hc, what, st, msg, NULL, NULL, 0, 1);
	if (hc->opts->json_path == NULL)
		return;
	r = val_map();
	val_map_set(r, "host", val_str(hc->name));
	val_map_set(r, "play", val_str(play_name(p)));
	val_map_set(r, "task", val_str(what));
	val_map_set(r, "module", val_str("mend"));
	val_map_set(r, "changed", val_bool(st == TS_CHANGED));
	val_map_set(r, "failed", val_bool(st == TS_FAILED));
	val_map_set(r, "ignored", val_bool(0));
	val_map_set(r, "skipped", val_bool(st == TS_SKIPPED));
	val_map_set(r, "unreachable", val_bool(st == TS_UNREACHABLE));
	val_map_set(r, "rc", val_null());
	val_map_set(r, "duration", val_int(0));
	val_map_set(r, "message", val_str(msg));
	val_map_set(r, "diff", val_str(""));
	if (hc->results == NULL)
		hc->results = val_list();
	val_list_push(hc->results, r);
}

static void
journal_note(struct hostctx *hc, const char *type, const char *action,
    struct val *extra)
{
	struct val *rec = extra ? extra : val_map();

	if (hc->opts->journal != NULL) {
		val_map_set(rec, "host", val_str(hc->name));
		val_map_set(rec, "action", val_str(action));
		journal_append(hc->opts->journal, type, rec);
	}
	val_free(rec);
}

static void
fail_host(struct hostctx *hc, int ret)
{
	if (ret < 0) {
		hc->unreachable = 1;
		hc->st.unreachable++;
	} else {
		hc->failed = 1;
		hc->st.failed++;
	}
}

/* "2026-11-29 02:50:00 UTC" (thread-safe: no zone switching) */
static void
utc_text(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* ---- validation and the window gate (before the run) ---- */

int
safety_rollback_scope(const struct play *p, const struct run_opts *o)
{
	if (o->rollback_on_failure != ROLLBACK_NONE)
		return o->rollback_on_failure;
	return p->rollback_scope;
}

static const char *
play_window(const struct play *p, const struct run_opts *o)
{
	return o->window ? o->window : p->window;
}

/* The parsed window of play_window(), or NULL. */
static const struct window *
play_win(const struct play *p, const struct run_opts *o)
{
	return o->window ? &o->win : p->window ? &p->win : NULL;
}

static int
play_margin(const struct play *p)
{
	return p->window_margin >= 0 ? p->window_margin : WINDOW_MARGIN_DEFAULT;
}

/* Print why play p may not start now. Returns 0 (it may) or -1. */
static int
gate_play(const struct play *p, const struct run_opts *o)
{
	const char *spec = play_window(p, o);
	const struct window *w = play_win(p, o);
	struct window_status st, next;
	time_t now = mend_clock_now(o->clock), margin;
	char a[64], b[64];
	int was_open;

	if (w == NULL)
		return 0;
	margin = (time_t)play_margin(p) * 60;
	window_status(w, now, o->tz, &st);
	if (st.open && now < st.end - margin)
		return 0;
	was_open = st.open;
	time_format(now, o->tz, a, sizeof(a));
	fprintf(stderr, "mend: play '%s': now (%s) is ", play_name(p), a);
	if (st.open) {
		time_format(st.end, o->tz, b, sizeof(b));
		fprintf(stderr, "in the change window '%s', but it closes at "
		    "%s, less than window_margin (%d min) from now", spec, b,
		    play_margin(p));
		window_status(w, st.end, o->tz, &next);
		st = next;
	} else {
		fprintf(stderr, "outside the change window '%s'", spec);
	}
	if (st.start != 0) {
		time_format(st.start, o->tz, b, sizeof(b));
		fprintf(stderr, "; %s opens %s\n", was_open ? "the next one" :
		    "it", b);
	} else {
		fprintf(stderr, "; it will not open again\n");
	}
	return -1;
}

int
safety_window_gate(struct playbook **pbs, size_t npbs,
    const struct run_opts *o)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < npbs; i++)
		for (j = 0; j < pbs[i]->nplays; j++)
			if (gate_play(&pbs[i]->plays[j], o) < 0)
				ret = -1;
	if (ret < 0)
		fprintf(stderr, "mend: nothing was run: no host was contacted "
		    "(exit %d)\n", 5);
	return ret;
}

/* ---- the window during the run ---- */

time_t
safety_play_deadline(const struct play *p, const struct run_opts *o)
{
	const struct window *w = play_win(p, o);
	struct window_status st;
	time_t now = mend_clock_now(o->clock), d;

	if (o->journal == NULL || w == NULL)
		return 0;
	window_status(w, now, o->tz, &st);
	if (!st.open)
		return now > 1 ? now : 1;       /* closed: nothing starts */
	d = st.end - (time_t)play_margin(p) * 60;
	return d > 1 ? d : 1;
}

int
safety_window_skip(struct hostctx *hc, const struct play *p, time_t deadline)
{
	char when[64];
	char *msg;

	if (deadline == 0 || mend_clock_now(hc->opts->clock) < deadline)
		return 0;
	utc_text(deadline, when, sizeof(when));
	msg = xasprintf("not started: the change window '%s' leaves less "
	    "than window_margin (%d min); no host starts after %s",
	    play_window(p, hc->opts), play_margin(p), when);
	host_safety(hc)->window_skipped = 1;
	hc->st.skipped++;
	note(hc, p, "change window", TS_SKIPPED, msg);
	free(msg);
	if (hc->opts->outcome != NULL) {
		pthread_mutex_lock(&outcome_lock);
		hc->opts->outcome->window_skipped++;
		pthread_mutex_unlock(&outcome_lock);
	}
	return 1;
}

int
safety_exit_code(const struct run_opts *o, struct hostctx **hosts, size_t n,
    int rc)
{
	struct strbuf names = STRBUF_INIT;
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		if (hosts[i] == NULL || hosts[i]->safety == NULL ||
		    !hosts[i]->safety->window_skipped)
			continue;
		strbuf_addf(&names, "%s%s", count ? ", " : "", hosts[i]->name);
		count++;
	}
	if (count > 0)
		fprintf(o->out, "mend: %zu host(s) not started because the "
		    "change window was closing (skipped for the window): %s\n",
		    count, names.buf);
	strbuf_release(&names);
	return rc == 0 && count > 0 ? 5 : rc;
}

/* ---- the host's lock ---- */

static void
keep_eo(struct exec_opts *dst, char **user, const struct exec_opts *src)
{
	free(*user);
	*user = src->become_user ? xstrdup(src->become_user) : NULL;
	*dst = *src;
	dst->become_user = *user;
}

static int
take_lock(struct hostctx *hc, const struct play *p, struct safety_host *sh)
{
	struct exec_opts o;
	struct strbuf msg = STRBUF_INIT;
	const struct val *dir;
	struct val *rec;
	int ret;

	sh->lock_done = 1;
	sh->lock_play = p;
	if (hc->conn == NULL && host_connect(hc, p) != 0)
		return -1;
	host_exec_opts(hc, p, NULL, &o);
	keep_eo(&sh->lock_eo, &sh->lock_user, &o);
	/* host variable mend_lock_dir: another lock directory (hosts that
	 * share a /run/lock, as the loopback test lab's) */
	dir = val_map_get(hc->vars, "mend_lock_dir");
	ret = hostlock_take(hc->conn, &sh->lock_eo,
	    journal_run_id(hc->opts->journal), dir != NULL &&
	    dir->type == V_STR && dir->u.str.s[0] != '\0' ? dir->u.str.s : NULL,
	    &sh->lock, &msg);
	rec = val_map();
	val_map_set(rec, "path", sh->lock.path ? val_str(sh->lock.path) :
	    val_null());
	val_map_set(rec, "msg", val_str(msg.buf));
	if (ret == 0 && msg.len > 0) {
		note(hc, p, "lock", TS_OK, msg.buf);
		journal_note(hc, "lock", "broke-stale", rec);
	} else if (ret == 0) {
		journal_note(hc, "lock", "taken", rec);
	} else {
		note(hc, p, "lock", ret < 0 ? TS_UNREACHABLE : TS_FAILED,
		    msg.buf);
		fail_host(hc, ret);
		journal_note(hc, "lock", "refused", rec);
	}
	strbuf_release(&msg);
	return ret;
}

/* The lock outlives the host's connection (it is a directory on the
 * host naming this run): released over a new connection when the one
 * that took it has been closed.  That connection is not reported as a
 * task (the host's part is over); a host that cannot be reached keeps
 * the lock, which the next run of this controller breaks as stale. */
static void
release_lock(struct hostctx *hc, struct safety_host *sh)
{
	struct conn_params cp;
	struct err e = ERR_INIT;
	int opened = 0;

	if (hc->conn == NULL) {
		host_conn_params(hc, sh->lock_play, &cp);
		cp.local = hc->conn_local;
		if (conn_open(&hc->conn, &cp, &e) != 0) {
			strbuf_rtrim(&e.msg);
			fprintf(hc->opts->out, "mend: %s: lock %s not released "
			    "(%s)\n", hc->name, sh->lock.path,
			    err_text(&e, "cannot connect"));
			err_release(&e);
			return;
		}
		opened = 1;
	}
	if (hostlock_release(hc->conn, &sh->lock_eo, &sh->lock) == 0)
		journal_note(hc, "lock", "released", NULL);
	if (opened) {
		conn_close(hc->conn);
		hc->conn = NULL;
	}
	err_release(&e);
}

int
safety_lock_held(const struct hostctx *hc)
{
	return hc->safety != NULL && hc->safety->lock.path != NULL;
}

void
safety_run_end(struct hostctx **hosts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct hostctx *hc = hosts[i];
		struct safety_host *sh = hc ? hc->safety : NULL;

		if (sh == NULL || sh->lock.path == NULL || hc->unreachable)
			continue;
		release_lock(hc, sh);
	}
}

/* ---- confirm-or-revert ---- */

/* The service whose state a task changes (state restarted, started,
 * reloaded, stopped), or NULL. Malloc'ed. */
static char *
restarted_service(struct hostctx *hc, const struct task *t)
{
	struct val *args = NULL;
	struct err e = ERR_INIT;
	const char *state, *name;
	char *res = NULL;

	if (strcmp(t->mod->name, "service") != 0 ||
	    tmpl_render_val(t->args, hc->vars, &args, &e) < 0)
		goto out;
	state = val_map_str(args, "state", "");
	name = val_map_str(args, "name", NULL);
	if (name != NULL && (strcmp(state, "restarted") == 0 ||
	    strcmp(state, "started") == 0 || strcmp(state, "reloaded") == 0 ||
	    strcmp(state, "stopped") == 0))
		res = xstrdup(name);
out:
	val_free(args);
	err_release(&e);
	return res;
}

struct arm_plan {
	struct confirm_file *files;
	struct strbuf *data;
	size_t nfiles;
	char **svcs;
	size_t nsvcs, svcs_alloc;
};

static void
plan_add_svc(struct arm_plan *pl, const char *name)
{
	size_t i;

	for (i = 0; i < pl->nsvcs; i++)
		if (strcmp(pl->svcs[i], name) == 0)
			return;
	ALLOC_GROW(pl->svcs, pl->nsvcs + 1, pl->svcs_alloc);
	pl->svcs[pl->nsvcs++] = xstrdup(name);
}

static int
read_object(const struct run_info *r, const char *sha, struct strbuf *sb)
{
	char *path = run_object_path(r, sha);
	int ret = strbuf_read_file(sb, path);

	free(path);
	return ret;
}

/* This host's changes so far, from the journal. */
static int
plan_from_run(const struct run_info *r, const char *host,
    struct arm_plan *pl, struct strbuf *msg)
{
	size_t i;

	pl->files = xcalloc(r->nfiles ? r->nfiles : 1, sizeof(*pl->files));
	pl->data = xcalloc(r->nfiles ? r->nfiles : 1, sizeof(*pl->data));
	for (i = 0; i < r->nfiles; i++) {
		const struct file_change *fc = &r->files[i];
		struct confirm_file *f = &pl->files[pl->nfiles];

		if (strcmp(fc->host, host) != 0 || fc->failed)
			continue;
		if (fc->kind != NULL) {
			strbuf_addf(msg, "the revert job puts back file bytes "
			    "only, and the run changed the %s '%s' (use 'mend "
			    "rollback')", !strcmp(fc->kind, "dir") ||
			    !strcmp(fc->kind, "tree") ? "directory" : fc->kind,
			    fc->path);
			return -1;
		}
		strbuf_init(&pl->data[pl->nfiles], 0);
		f->path = fc->path;
		f->existed = fc->existed && fc->sha_before != NULL;
		f->sha = fc->sha_before;
		f->mode = fc->mode;
		f->owner = fc->owner;
		f->group = fc->group;
		if (f->existed && read_object(r, fc->sha_before,
		    &pl->data[pl->nfiles]) < 0) {
			strbuf_addf(msg, "the original of %s is missing from "
			    "the journal", fc->path);
			pl->nfiles++;
			return -1;
		}
		f->data = pl->data[pl->nfiles].buf;
		f->len = pl->data[pl->nfiles].len;
		pl->nfiles++;
	}
	for (i = 0; i < r->nsvcs; i++)
		if (strcmp(r->svcs[i].host, host) == 0 &&
		    (strcmp(r->svcs[i].action, "restart") == 0 ||
		    strcmp(r->svcs[i].action, "start") == 0 ||
		    strcmp(r->svcs[i].action, "reload") == 0))
			plan_add_svc(pl, r->svcs[i].name);
	return 0;
}

static void
plan_release(struct arm_plan *pl)
{
	size_t i;

	for (i = 0; i < pl->nfiles; i++)
		strbuf_release(&pl->data[i]);
	for (i = 0; i < pl->nsvcs; i++)
		free(pl->svcs[i]);
	free(pl->files);
	free(pl->data);
	free(pl->svcs);
}

/* This host's changes so far, from the run's own journal. */
static int
load_plan(struct hostctx *hc, struct run_info **r, struct arm_plan *pl,
    struct strbuf *msg)
{
	struct err e = ERR_INIT;
	int ret = 0;

	if (run_load_dir(journal_dir(hc->opts->journal), r, &e) < 0) {
		strbuf_rtrim(&e.msg);
		strbuf_addf(msg, "cannot read the run journal: %s", e.msg.buf);
		ret = -1;
	} else {
		ret = plan_from_run(*r, hc->name, pl, msg);
	}
	err_release(&e);
	return ret;
}

static void
journal_armed(struct hostctx *hc, const struct safety_host *sh,
    const struct arm_plan *pl, int timeout)
{
	struct val *rec = val_map(), *l = val_list();
	size_t i;

	val_map_set(rec, "gen", val_int(sh->confirm.gen));
	val_map_set(rec, "timeout", val_int(timeout));
	val_map_set(rec, "dir", val_str(sh->confirm.dir));
	val_map_set(rec, "job_pid", val_int(sh->confirm.job_pid));
	if (sh->confirm.job_unit[0] != '\0')
		val_map_set(rec, "job_unit", val_str(sh->confirm.job_unit));
	val_map_set(rec, "deadline", val_int(sh->confirm.deadline));
	for (i = 0; i < pl->nfiles; i++)
		val_list_push(l, val_str(pl->files[i].path));
	val_map_set(rec, "files", l);
	l = val_list();
	for (i = 0; i < pl->nsvcs; i++)
		val_list_push(l, val_str(pl->svcs[i]));
	val_map_set(rec, "services", l);
	journal_note(hc, "confirm", "armed", rec);
}

static int
arm(struct hostctx *hc, const struct play *p, const struct task *t,
    const char *svc, int timeout)
{
	struct safety_host *sh = host_safety(hc);
	struct arm_plan pl;
	struct run_info *r = NULL;
	struct strbuf msg = STRBUF_INIT;
	struct exec_opts o;
	int ret = 1;

	memset(&pl, 0, sizeof(pl));
	if (load_plan(hc, &r, &pl, &msg) < 0)
		goto out;
	if (pl.nfiles == 0) {         /* nothing changed: nothing to revert */
		ret = 0;
		goto out;
	}
	plan_add_svc(&pl, svc);
	if (hc->conn == NULL && host_connect(hc, p) != 0) {
		ret = -1;
		goto out;
	}
	host_exec_opts(hc, p, t, &o);
	keep_eo(&sh->confirm_eo, &sh->confirm_user, &o);
	ret = confirm_arm(&sh->confirm, hc->conn, &sh->confirm_eo,
	    journal_run_id(hc->opts->journal), timeout, pl.files, pl.nfiles,
	    pl.svcs, pl.nsvcs, &msg);
	if (ret == 0) {
		strbuf_addf(&msg, "armed on the host (job pid %ld%s%s): unless "
		    "mend confirms within %d s, it restores %zu file(s) and "
		    "restarts %s", sh->confirm.job_pid,
		    sh->confirm.job_unit[0] ? ", unit " : "",
		    sh->confirm.job_unit, timeout, pl.nfiles, svc);
		note(hc, p, "confirm-or-revert", TS_OK, msg.buf);
		journal_armed(hc, sh, &pl, timeout);
	}
out:
	if (ret != 0) {
		strbuf_addstr(&msg, "; the service is not restarted");
		note(hc, p, "confirm-or-revert", ret < 0 ? TS_UNREACHABLE :
		    TS_FAILED, msg.buf);
		fail_host(hc, ret);
	}
	plan_release(&pl);
	run_info_free(r);
	strbuf_release(&msg);
	return ret;
}

int
safety_before_task(struct hostctx *hc, const struct play *p,
    const struct task *t)
{
	struct safety_host *sh;
	int timeout;
	char *svc;
	int ret = 0;

	if (hc->opts->journal == NULL)
		return 0;
	sh = host_safety(hc);
	if (!(t->mod->flags & MOD_NO_HOST) && !sh->lock_done &&
	    take_lock(hc, p, sh) != 0)
		return -1;
	timeout = hc->opts->confirm_timeout ? hc->opts->confirm_timeout
	    : p->confirm_timeout;
	if (timeout <= 0 || (svc = restarted_service(hc, t)) == NULL)
		return 0;
	if (arm(hc, p, t, svc, timeout) != 0)
		ret = -1;
	free(svc);
	return ret;
}

static void
confirm_host(struct hostctx *hc, const struct play *p, struct safety_host *sh)
{
	struct conn_params cp;
	struct strbuf msg = STRBUF_INIT;
	int ret;

	host_conn_params(hc, p, &cp);
	ret = confirm_confirm(&sh->confirm, &cp, &sh->confirm_eo, &msg);
	if (ret == 0) {
		note(hc, p, "confirm-or-revert", TS_OK, "confirmed over a new "
		    "connection: the revert job is cancelled");
		journal_note(hc, "confirm", "confirmed", NULL);
	} else {
		if (ret < 0)
			strbuf_addf(&msg, "; the host reverts itself when its "
			    "job's deadline passes");
		note(hc, p, "confirm-or-revert", ret < 0 ? TS_UNREACHABLE :
		    TS_FAILED, msg.buf);
		fail_host(hc, ret);
		journal_note(hc, "confirm", ret < 0 ? "unconfirmed" :
		    "too-late", NULL);
	}
	strbuf_release(&msg);
}

void
safety_host_done(struct hostctx *hc, const struct play *p)
{
	struct safety_host *sh = hc->safety;
	struct strbuf msg = STRBUF_INIT;
	char when[64];

	if (sh == NULL || sh->confirm.gen == 0)
		return;
	if (!hc->failed && !hc->unreachable) {
		/* one connection per host at a time: the confirm's new one
		 * replaces it (a later task connects again) */
		conn_close(hc->conn);
		hc->conn = NULL;
		confirm_host(hc, p, sh);
	} else if (!hc->unreachable && hc->conn != NULL) {
		if (confirm_revert_now(&sh->confirm, hc->conn,
		    &sh->confirm_eo, 120, &msg) == 0) {
			note(hc, p, "confirm-or-revert", TS_CHANGED, "the play "
			    "failed: the revert job put the host back now");
			journal_note(hc, "confirm", "reverted-now", NULL);
		} else {
			note(hc, p, "confirm-or-revert", TS_FAILED, msg.buf);
			journal_note(hc, "confirm", "revert-failed", NULL);
		}
	} else {
		utc_text((time_t)sh->confirm.deadline, when, sizeof(when));
		strbuf_addf(&msg, "not confirmed: the host reverts itself at "
		    "%s (host clock; revert job pid %ld)", when,
		    sh->confirm.job_pid);
		note(hc, p, "confirm-or-revert", TS_FAILED, msg.buf);
		journal_note(hc, "confirm", "unconfirmed", NULL);
	}
	strbuf_release(&msg);
}

/* ---- rollback_on_failure ---- */

int
safety_breached(const struct play *p, const struct run_opts *o, size_t failed)
{
	return o->journal != NULL && p->max_fail_pct < 0 && failed > 0 &&
	    safety_rollback_scope(p, o) != ROLLBACK_NONE;
}

int
safety_breach(const struct play *p, const struct run_opts *o,
    struct hostctx **hosts, size_t nhosts, size_t batch, size_t nbatches)
{
	int scope = safety_rollback_scope(p, o);
	struct run_outcome *out = o->outcome;
	char thr[64];
	size_t i;

	if (scope == ROLLBACK_NONE || o->journal == NULL || out == NULL)
		return 0;
	for (i = 0; i < nhosts; i++) {
		struct hostctx *hc = hosts[i];

		if (hc == NULL || !hc->started || (scope == ROLLBACK_HOST &&
		    !hc->failed && !hc->unreachable))
			continue;
		out->hosts = xrealloc(out->hosts, (out->nhosts + 1) *
		    sizeof(char *));
		out->hosts[out->nhosts++] = xstrdup(hc->name);
	}
	if (p->max_fail_pct >= 0)
		snprintf(thr, sizeof(thr), "max_fail_percentage %d",
		    p->max_fail_pct);
	else
		snprintf(thr, sizeof(thr), "%s", p->any_errors_fatal ?
		    "any_errors_fatal" : "any failure");
	out->rollback = scope;
	out->reason = xasprintf("play '%s': batch %zu of %zu breached %s",
	    play_name(p), batch, nbatches, thr);
	fprintf(o->out, "mend: %s: stopping the rollout; rollback_on_failure "
	    "(scope %s) rolls back %zu host(s)\n", out->reason,
	    scope == ROLLBACK_RUN ? "run" : "host", out->nhosts);
	return 1;
}
