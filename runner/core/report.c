/* report.c - task lines, recap and JSON; see report.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runner/core/report.h"
#include "runner/util/fileio.h"
#include "runner/util/banned.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int progress_shown;

static const char *
colour(const struct run_opts *o, enum task_status st)
{
	static const char *c[] = { "\033[32m", "\033[33m", "\033[31m",
	    "\033[36m", "\033[1;31m", "\033[36m" };

	return o->color ? c[st] : "";
}

static const char *
status_word(enum task_status st)
{
	static const char *w[] = { "ok", "changed", "FAILED", "skipped",
	    "UNREACHABLE", "failed (ignored)" };

	return w[st];
}

static void
add_indented(struct strbuf *out, const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		strbuf_addstr(out, "    ");
		strbuf_add(out, p, len);
		strbuf_addch(out, '\n');
		p += len + (nl != NULL);
	}
}

void
report_task(struct hostctx *hc, const char *task, enum task_status st,
    const char *msg, const char *diff, const struct val *data, int no_log,
    int show_msg)
{
	const struct run_opts *o = hc->opts;
	struct strbuf *out = &hc->out;

	strbuf_addf(out, "%s%s | %s | %s", colour(o, st), hc->name, task,
	    status_word(st));
	if (no_log && (st == TS_FAILED || st == TS_IGNORED || o->verbose ||
	    show_msg))
		msg = NO_LOG_TEXT;
	if (msg != NULL && *msg != '\0' && (st == TS_FAILED ||
	    st == TS_UNREACHABLE || st == TS_IGNORED || o->verbose ||
	    show_msg))
		strbuf_addf(out, ": %s", msg);
	strbuf_addstr(out, o->color ? "\033[0m\n" : "\n");
	if (diff != NULL && *diff != '\0' && o->diff && !no_log)
		strbuf_addstr(out, diff);     /* as is: usable with patch(1) */
	if (data != NULL && o->verbose >= 1 && !no_log) {
		struct strbuf js = STRBUF_INIT;

		val_to_json(data, &js, 2);
		add_indented(out, js.buf);
		strbuf_release(&js);
	}
}

static void
clear_progress_locked(const struct run_opts *o)
{
	(void)o;
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

void
report_flush_host(struct hostctx *hc)
{
	pthread_mutex_lock(&out_lock);
	clear_progress_locked(hc->opts);
	fwrite(hc->out.buf, 1, hc->out.len, hc->opts->out);
	fflush(hc->opts->out);
	strbuf_reset(&hc->out);
	pthread_mutex_unlock(&out_lock);
}

void
report_play(const struct run_opts *o, const char *name, size_t nhosts)
{
	pthread_mutex_lock(&out_lock);
	clear_progress_locked(o);
	fprintf(o->out, "%sPLAY [%s] (%zu host%s)%s\n", o->color ? "\033[1m"
	    : "", name, nhosts, nhosts == 1 ? "" : "s", o->color ? "\033[0m"
	    : "");
	fflush(o->out);
	pthread_mutex_unlock(&out_lock);
}

void
report_progress(const struct run_opts *o, size_t done, size_t total,
    size_t failed, size_t unreachable)
{
	if (!o->progress)
		return;
	pthread_mutex_lock(&out_lock);
	if (done >= total) {
		clear_progress_locked(o);
	} else {
		fprintf(stderr, "\r\033[K[mend] %zu/%zu hosts done, %zu failed,"
		    " %zu unreachable", done, total, failed, unreachable);
		progress_shown = 1;
	}
	fflush(stderr);
	pthread_mutex_unlock(&out_lock);
}

static void
stat_field(struct strbuf *sb, const struct run_opts *o, const char *name,
    int n, const char *col)
{
	if (o->color && n > 0)
		strbuf_addf(sb, "%s%s=%d\033[0m ", col, name, n);
	else
		strbuf_addf(sb, "%s=%d ", name, n);
}

void
report_recap(const struct run_opts *o, struct hostctx **hosts, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, width = 0;

	for (i = 0; i < n; i++)
		if (strlen(hosts[i]->name) > width)
			width = strlen(hosts[i]->name);
	strbuf_addstr(&sb, "\nPLAY RECAP\n");
	for (i = 0; i < n; i++) {
		const struct host_stats *s = &hosts[i]->st;

		strbuf_addf(&sb, "%-*s : ", (int)width, hosts[i]->name);
		stat_field(&sb, o, "ok", s->ok, "\033[32m");
		stat_field(&sb, o, "changed", s->changed, "\033[33m");
		stat_field(&sb, o, "unreachable", s->unreachable, "\033[1;31m");
		stat_field(&sb, o, "failed", s->failed, "\033[31m");
		stat_field(&sb, o, "skipped", s->skipped, "\033[36m");
		stat_field(&sb, o, "rescued", s->rescued, "");
		stat_field(&sb, o, "ignored", s->ignored, "\033[36m");
		strbuf_rtrim(&sb);
		strbuf_addch(&sb, '\n');
	}
	pthread_mutex_lock(&out_lock);
	clear_progress_locked(o);
	fwrite(sb.buf, 1, sb.len, o->out);
	fflush(o->out);
	pthread_mutex_unlock(&out_lock);
	strbuf_release(&sb);
}

static struct val *
recap_val(const struct host_stats *s)
{
	struct val *m = val_map();

	val_map_set(m, "ok", val_int(s->ok));
	val_map_set(m, "changed", val_int(s->changed));
	val_map_set(m, "unreachable", val_int(s->unreachable));
	val_map_set(m, "failed", val_int(s->failed));
	val_map_set(m, "skipped", val_int(s->skipped));
	val_map_set(m, "rescued", val_int(s->rescued));
	val_map_set(m, "ignored", val_int(s->ignored));
	return m;
}

int
report_json(const struct run_opts *o, struct hostctx **hosts, size_t n,
    const char *started, double seconds, int exit_code)
{
	struct val *doc = val_map(), *results = val_list(), *recap = val_map();
	struct strbuf sb = STRBUF_INIT, tmp = STRBUF_INIT;
	size_t i, j;
	int fd, ret = -1;

	val_map_set(doc, "mend_version", val_str(MEND_VERSION));
	val_map_set(doc, "started", val_str(started));
	val_map_set(doc, "duration", val_int((int64_t)(seconds * 1000)));
	val_map_set(doc, "check_mode", val_bool(o->check));
	val_map_set(doc, "exit_code", val_int(exit_code));
	for (i = 0; i < n; i++) {
		for (j = 0; hosts[i]->results &&
		    j < hosts[i]->results->u.list.n; j++)
			val_list_push(results,
			    val_copy(hosts[i]->results->u.list.items[j]));
		val_map_set(recap, hosts[i]->name, recap_val(&hosts[i]->st));
	}
	val_map_set(doc, "results", results);
	val_map_set(doc, "recap", recap);
	val_to_json(doc, &sb, 2);
	strbuf_addch(&sb, '\n');
	strbuf_addf(&tmp, "%s.tmp%ld", o->json_path, (long)getpid());
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, sb.buf, sb.len) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0 || rename(tmp.buf, o->json_path) < 0) {
		fprintf(stderr, "mend: error: cannot write '%s': %s\n",
		    o->json_path, strerror(errno));
		unlink(tmp.buf);
		goto out;
	}
	ret = 0;
out:
	val_free(doc);
	strbuf_release(&sb);
	strbuf_release(&tmp);
	return ret;
}
