/* cli_merge.c - the shards of one run (runner/core/shard.h) across state
 * directories: finding them for `mend show` and `mend rollback`, and the
 * merged listing of `mend runs --merge DIR...`; see cli_int.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runner/cli/cli_int.h"
#include "runner/core/runs.h"
#include "runner/util/banned.h"

static void
add_ref(struct run_refs *rs, const char *dir, const char *id)
{
	rs->refs = xrealloc(rs->refs, (rs->n + 1) * sizeof(*rs->refs));
	rs->refs[rs->n].dir = xstrdup(dir);
	rs->refs[rs->n].id = xstrdup(id);
	rs->n++;
}

void
run_refs_release(struct run_refs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->refs[i].dir);
		free(rs->refs[i].id);
	}
	free(rs->refs);
	memset(rs, 0, sizeof(*rs));
}

/* The shards of run id `which` in every dir. */
static int
find_shards(char *const *dirs, size_t ndirs, const char *which,
    struct run_refs *rs, struct err *e)
{
	size_t d, i, n;
	char **ids;

	for (d = 0; d < ndirs; d++) {
		if (runs_of_run_id(dirs[d], which, &ids, &n, e) < 0)
			return -1;
		for (i = 0; i < n; i++)
			add_ref(rs, dirs[d], ids[i]);
		runs_ids_free(ids, n);
	}
	rs->group = rs->n > 0;
	return 0;
}

/* A journal id (or unique prefix) in exactly one of several dirs. */
static int
find_journal(char *const *dirs, size_t ndirs, const char *which,
    struct run_refs *rs, struct err *e)
{
	size_t d;

	if (strcmp(which, "last") == 0)
		return err_set(e, "'last' is a run of one state directory: "
		    "with --merge name the run id");
	for (d = 0; d < ndirs; d++) {
		struct err le = ERR_INIT;
		struct run_info *r;

		if (run_load(dirs[d], which, &r, &le) == 0)
			add_ref(rs, dirs[d], r->id);
		run_info_free(r);
		err_release(&le);
	}
	if (rs->n == 1)
		return 0;
	if (rs->n == 0)
		return err_set(e, "no run '%s' in the %zu state directories "
		    "given (see 'mend runs --merge')", which, ndirs);
	return err_set(e, "run '%s' is in %zu of the state directories "
	    "given: name one with --state-dir", which, rs->n);
}

int
cli_find_runs(char *const *dirs, size_t ndirs, const char *which,
    struct run_refs *rs, struct err *e)
{
	memset(rs, 0, sizeof(*rs));
	if (find_shards(dirs, ndirs, which, rs, e) < 0)
		return -1;
	if (rs->n > 0)
		return 0;
	if (ndirs == 1) {             /* the engine resolves it (last...) */
		add_ref(rs, dirs[0], which);
		return 0;
	}
	return find_journal(dirs, ndirs, which, rs, e);
}

/* ---- a run's row in `mend runs` ---- */

static void
fmt_time(long long t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

void
cli_run_row(const char *id, const char *status, long long started,
    long long finished, size_t nhosts, size_t nfiles, const char *text)
{
	char s[32], e[32];

	if (id == NULL) {
		printf("%-24s %-12s %-19s %-19s %5s %7s  %s\n", "RUN",
		    "STATUS", "START", "END", "HOSTS", "CHANGED", "PLAYBOOKS");
		return;
	}
	fmt_time(started, s, sizeof(s));
	fmt_time(finished, e, sizeof(e));
	printf("%-24s %-12s %-19s %-19s %5zu %7zu  %s\n", id, status, s, e,
	    nhosts, nfiles, text);
}

static void
playbooks_text(const struct run_info *r, struct strbuf *sb)
{
	const struct val *pbs = val_map_get(r->meta, "playbooks");
	size_t i;

	for (i = 0; pbs && pbs->type == V_LIST && i < pbs->u.list.n; i++) {
		if (i)
			strbuf_addch(sb, ',');
		val_to_str(pbs->u.list.items[i], sb);
	}
}

void
cli_run_text(const struct run_info *r, struct strbuf *sb)
{
	const char *of = val_map_str(r->meta, "rollback_of_run_id", NULL);

	playbooks_text(r, sb);
	if (val_map_get(r->meta, "rollback_of") != NULL)
		strbuf_addf(sb, "rollback of %s%s",
		    val_map_str(r->meta, "rollback_of", "?"),
		    val_map_get(r->meta, "reason") ? " (rollback_on_failure)"
		    : "");
	if (val_map_get(r->meta, "shard") != NULL)
		strbuf_addf(sb, " [shard %s of %s]", val_map_str(r->meta,
		    "shard", "?"), of ? of : val_map_str(r->meta, "run_id",
		    "?"));
	else if (val_map_get(r->meta, "run_id") != NULL)
		strbuf_addf(sb, " [run %s]", val_map_str(r->meta, "run_id",
		    "?"));
	if (r->rolled_back_by != NULL)
		strbuf_addf(sb, " (rolled back by %s)", r->rolled_back_by);
}

/* ---- mend runs --merge ---- */

/* One row of the merged listing: a run, or the shards of one run id. */
struct row {
	const struct run_info *first;
	const char *run_id;           /* NULL: a run alone */
	const char *status;
	long long started, finished;
	size_t hosts, files;
	int shard_n;                  /* N of the shards (0: not sharded) */
	unsigned char *seen;          /* [k]: shard k seen (k = 1..N) */
};

struct merged {
	struct run_info **runs;
	size_t nruns;
	struct row *rows;
	size_t nrows;
};

/* The worst of two statuses. */
static const char *
worse(const char *a, const char *b)
{
	static const char *const order[] = { "ok", "window-cut", "failed",
	    "unreachable", "interrupted", "error", "running" };
	size_t i, ra = 0, rb = 0;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (strcmp(a, order[i]) == 0)
			ra = i;
		if (strcmp(b, order[i]) == 0)
			rb = i;
	}
	return rb > ra ? b : a;
}

static struct row *
row_for(struct merged *m, const char *run_id)
{
	size_t i;

	for (i = 0; run_id != NULL && i < m->nrows; i++)
		if (m->rows[i].run_id && strcmp(m->rows[i].run_id, run_id) == 0)
			return &m->rows[i];
	m->rows = xrealloc(m->rows, (m->nrows + 1) * sizeof(*m->rows));
	memset(&m->rows[m->nrows], 0, sizeof(*m->rows));
	m->rows[m->nrows].run_id = run_id;
	return &m->rows[m->nrows++];
}

/* "K/N" of a shard's meta.json into the row's flags. */
static void
row_shard(struct row *w, const struct run_info *r)
{
	struct shard s;
	struct err e = ERR_INIT;

	if (shard_parse(val_map_str(r->meta, "shard", ""), &s, &e) < 0) {
		err_release(&e);
		return;
	}
	if (w->shard_n == 0) {
		w->shard_n = s.n;
		w->seen = xcalloc((size_t)s.n + 1, 1);
	}
	if (s.n == w->shard_n)
		w->seen[s.k] = 1;
}

static void
row_add(struct merged *m, const struct run_info *r)
{
	const char *rid = val_map_get(r->meta, "rollback_of") ? NULL :
	    val_map_str(r->meta, "run_id", NULL);
	struct row *w = row_for(m, rid);
	size_t nh;

	free(run_hosts(r, &nh));
	if (w->first == NULL) {
		w->first = r;
		w->status = r->status;
		w->started = r->started;
		w->finished = r->finished;
	}
	w->status = worse(w->status, r->status);
	if (r->started < w->started)
		w->started = r->started;
	if (w->finished > 0 && (r->finished <= 0 || r->finished > w->finished))
		w->finished = r->finished;
	w->hosts += nh;
	w->files += r->nfiles;
	if (rid != NULL)
		row_shard(w, r);
}

/* A row of shards: "PLAYBOOKS [shards 1,3 of 3; missing 2]" */
static void
row_text(const struct row *w, struct strbuf *sb)
{
	struct strbuf have = STRBUF_INIT, lack = STRBUF_INIT;
	int k;

	if (w->run_id == NULL || w->shard_n == 0) {
		cli_run_text(w->first, sb);
		return;
	}
	playbooks_text(w->first, sb);
	for (k = 1; k <= w->shard_n; k++)
		strbuf_addf(w->seen[k] ? &have : &lack, "%s%d",
		    (w->seen[k] ? have.len : lack.len) ? "," : "", k);
	strbuf_addf(sb, " [shards %s of %d%s%s]", have.buf, w->shard_n,
	    lack.len ? "; missing " : "", lack.buf);
	strbuf_release(&have);
	strbuf_release(&lack);
}

static int
cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return (x->started > y->started) - (x->started < y->started);
}

static void
load_dir(struct merged *m, const char *dir, struct err *e)
{
	char **ids;
	size_t n, i;

	if (runs_ids(dir, &ids, &n, e) < 0)
		return;
	for (i = 0; i < n; i++) {
		struct run_info *r;

		if (run_load(dir, ids[i], &r, e) < 0)
			continue;
		m->runs = xrealloc(m->runs, (m->nruns + 1) * sizeof(*m->runs));
		m->runs[m->nruns++] = r;
	}
	runs_ids_free(ids, n);
}

static void
merged_release(struct merged *m)
{
	size_t i;

	for (i = 0; i < m->nrows; i++)
		free(m->rows[i].seen);
	free(m->rows);
	for (i = 0; i < m->nruns; i++)
		run_info_free(m->runs[i]);
	free(m->runs);
}

int
cli_runs_merged(char *const *dirs, size_t ndirs)
{
	struct merged m;
	struct err e = ERR_INIT;
	struct strbuf text = STRBUF_INIT;
	size_t i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < ndirs; i++)
		load_dir(&m, dirs[i], &e);
	for (i = 0; i < m.nruns; i++)
		row_add(&m, m.runs[i]);
	if (m.nrows > 1)
		qsort(m.rows, m.nrows, sizeof(*m.rows), cmp_row);
	cli_run_row(NULL, NULL, 0, 0, 0, 0, NULL);
	for (i = 0; i < m.nrows; i++) {
		const struct row *w = &m.rows[i];

		strbuf_reset(&text);
		row_text(w, &text);
		cli_run_row(w->run_id && w->shard_n ? w->run_id : w->first->id,
		    w->status, w->started, w->finished, w->hosts, w->files,
		    text.buf);
	}
	strbuf_release(&text);
	merged_release(&m);
	err_print(&e, stderr);
	i = (size_t)e.count;
	err_release(&e);
	return i ? EXIT_USAGE : EXIT_OK;
}
