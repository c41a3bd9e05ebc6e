/* runs.c - read run journals; see runs.h. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/core/runs.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
runs_ids(const char *state_dir, char ***ids, size_t *n, struct err *e)
{
	char *dir = xasprintf("%s/runs", state_dir);
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t alloc = 0;

	*ids = NULL;
	*n = 0;
	if (d == NULL) {
		free(dir);
		if (errno == ENOENT)
			return 0;
		return err_set(e, "cannot read '%s/runs': %s", state_dir,
		    strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		ALLOC_GROW(*ids, *n + 1, alloc);
		(*ids)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	free(dir);
	if (*n > 1)
		qsort(*ids, *n, sizeof(char *), cmp_str);
	return 0;
}

void
runs_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static char *
dupstr(const struct val *rec, const char *key)
{
	const char *s = val_map_str(rec, key, NULL);

	return s ? xstrdup(s) : NULL;
}

static struct file_change *
find_change(struct run_info *r, const char *host, const char *path)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].host, host) == 0 &&
		    strcmp(r->files[i].path, path) == 0)
			return &r->files[i];
	return NULL;
}

static void
add_intent(struct run_info *r, const struct val *rec)
{
	const char *host = val_map_str(rec, "host", "?");
	const char *path = val_map_str(rec, "realpath", NULL);
	struct file_change *fc;

	if (path == NULL)
		path = val_map_str(rec, "path", "?");
	fc = find_change(r, host, path);
	if (fc == NULL) {
		ALLOC_GROW(r->files, r->nfiles + 1, r->files_alloc);
		fc = &r->files[r->nfiles++];
		memset(fc, 0, sizeof(*fc));
		fc->host = xstrdup(host);
		fc->path = xstrdup(path);
		fc->task = dupstr(rec, "task");
		fc->existed = val_truthy(val_map_get(rec, "existed"));
		fc->sha_before = dupstr(rec, "sha_before");
		fc->owner = dupstr(rec, "owner");
		fc->group = dupstr(rec, "group");
		/* mode "0000" without owner and group: metadata unknown
		 * (journals written before modctx.c recorded nothing) */
		if (fc->owner != NULL || fc->group != NULL)
			fc->mode = dupstr(rec, "mode");
		fc->kind = dupstr(rec, "kind");
		fc->was = dupstr(rec, "was");
	}
	free(fc->sha_new);
	fc->sha_new = dupstr(rec, "sha_new");
	free(fc->now);
	fc->now = dupstr(rec, "now");
	fc->no_log |= val_truthy(val_map_get(rec, "no_log"));
	fc->done = fc->failed = 0;
	fc->nwrites++;
	{
		const struct val *seq = val_map_get(rec, "seq");

		fc->seq = seq && seq->type == V_INT ? (long)seq->u.i : -1;
	}
}

static void
add_outcome(struct run_info *r, const struct val *rec, int ok)
{
	const struct val *ref = val_map_get(rec, "ref");
	size_t i;

	if (ref == NULL || ref->type != V_INT)
		return;
	for (i = 0; i < r->nfiles; i++) {
		if (r->files[i].seq == (long)ref->u.i) {
			r->files[i].done = ok;
			r->files[i].failed = !ok;
		}
	}
}

static void
add_service(struct run_info *r, const struct val *rec)
{
	struct svc_action *s;

	ALLOC_GROW(r->svcs, r->nsvcs + 1, r->svcs_alloc);
	s = &r->svcs[r->nsvcs++];
	s->host = dupstr(rec, "host");
	s->name = dupstr(rec, "name");
	s->action = dupstr(rec, "action");
	s->via = dupstr(rec, "via");
	s->prove = dupstr(rec, "prove");
	if (s->host == NULL)
		s->host = xstrdup("?");
	if (s->name == NULL)
		s->name = xstrdup("?");
	if (s->action == NULL)
		s->action = xstrdup("?");
}

static void
add_event(struct run_info *r, const struct val *rec, const char *type)
{
	struct run_event *ev;

	ALLOC_GROW(r->events, r->nevents + 1, r->events_alloc);
	ev = &r->events[r->nevents++];
	ev->host = dupstr(rec, "host");
	ev->type = xstrdup(type);
	ev->action = dupstr(rec, "action");
	ev->msg = dupstr(rec, "msg");
	if (ev->host == NULL)
		ev->host = xstrdup("?");
	if (ev->action == NULL)
		ev->action = xstrdup("?");
}

static void
apply_end(struct run_info *r, const struct val *rec)
{
	int64_t n;

	free(r->status);
	r->status = dupstr(rec, "status");
	if (val_to_int(val_map_get(rec, "finished"), &n) == 0)
		r->finished = n;
	if (val_to_int(val_map_get(rec, "exit_code"), &n) == 0)
		r->exit_code = (int)n;
	free(r->rolled_back_by);
	r->rolled_back_by = dupstr(val_map_get(rec, "rollback"), "run");
}

static void
apply_record(struct run_info *r, const struct val *rec)
{
	const char *t = val_map_str(rec, "t", "");

	r->nrecords++;
	if (strcmp(t, "intent") == 0)
		add_intent(r, rec);
	else if (strcmp(t, "done") == 0)
		add_outcome(r, rec, 1);
	else if (strcmp(t, "fail") == 0)
		add_outcome(r, rec, 0);
	else if (strcmp(t, "service") == 0)
		add_service(r, rec);
	else if (strcmp(t, "lock") == 0 || strcmp(t, "confirm") == 0)
		add_event(r, rec, t);
	else if (strcmp(t, "end") == 0)
		apply_end(r, rec);
}

static int
load_journal(struct run_info *r, struct err *e)
{
	char *path = xasprintf("%s/journal.jsonl", r->dir);
	struct strbuf sb = STRBUF_INIT;
	const char *p, *nl;
	int ret = 0;

	if (strbuf_read_file(&sb, path) < 0) {
		ret = err_set(e, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	for (p = sb.buf; (nl = memchr(p, '\n', sb.len - (size_t)(p - sb.buf)));
	    p = nl + 1) {
		struct err le = ERR_INIT;
		struct val *rec = NULL;

		if (yaml_load_string(path, p, (size_t)(nl - p), &rec, &le) == 0
		    && rec->type == V_MAP)
			apply_record(r, rec);
		val_free(rec);
		err_release(&le);
	}
	r->torn = p < sb.buf + sb.len;
out:
	free(path);
	strbuf_release(&sb);
	return ret;
}

static int
pid_alive(const struct val *meta)
{
	int64_t pid;

	if (val_to_int(val_map_get(meta, "pid"), &pid) < 0 || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static char *
resolve_id(const char *state_dir, const char *id, struct err *e)
{
	char **ids, *res = NULL;
	size_t n, i, matches = 0;

	if (runs_ids(state_dir, &ids, &n, e) < 0)
		return NULL;
	if (strcmp(id, "last") == 0) {
		if (n > 0)
			res = xstrdup(ids[n - 1]);
	} else {
		for (i = 0; i < n; i++)
			if (strncmp(ids[i], id, strlen(id)) == 0) {
				matches++;
				free(res);
				res = xstrdup(ids[i]);
			}
		if (matches > 1) {
			free(res);
			res = NULL;
			err_set(e, "run id '%s' is ambiguous (%zu runs match)",
			    id, matches);
		}
	}
	if (res == NULL && e->count == 0)
		err_set(e, "no run '%s' in '%s/runs' (see 'mend runs')", id,
		    state_dir);
	runs_ids_free(ids, n);
	return res;
}

int
run_load_dir(const char *dir, struct run_info **out, struct err *e)
{
	struct run_info *r;
	struct err me = ERR_INIT;
	const char *slash = strrchr(dir, '/');
	char *mpath;
	int64_t n;

	*out = NULL;
	r = xcalloc(1, sizeof(*r));
	r->id = xstrdup(slash ? slash + 1 : dir);
	r->dir = xstrdup(dir);
	r->exit_code = -1;
	mpath = xasprintf("%s/meta.json", r->dir);
	if (yaml_load_file(mpath, &r->meta, &me) < 0 || r->meta == NULL ||
	    r->meta->type != V_MAP) {
		val_free(r->meta);
		r->meta = val_map();
	}
	err_release(&me);
	free(mpath);
	if (val_to_int(val_map_get(r->meta, "started"), &n) == 0)
		r->started = n;
	if (load_journal(r, e) < 0) {
		run_info_free(r);
		return -1;
	}
	if (r->status == NULL)
		r->status = xstrdup(pid_alive(r->meta) ? "running"
		    : "interrupted");
	*out = r;
	return 0;
}

int
run_load(const char *state_dir, const char *id, struct run_info **out,
    struct err *e)
{
	char *rid = resolve_id(state_dir, id, e), *dir;
	int ret;

	*out = NULL;
	if (rid == NULL)
		return -1;
	dir = xasprintf("%s/runs/%s", state_dir, rid);
	ret = run_load_dir(dir, out, e);
	free(dir);
	free(rid);
	return ret;
}

struct val *
run_meta_load(const char *state_dir, const char *id)
{
	char *path = xasprintf("%s/runs/%s/meta.json", state_dir, id);
	struct err e = ERR_INIT;
	struct val *m = NULL;

	if (yaml_load_file(path, &m, &e) < 0 || m == NULL ||
	    m->type != V_MAP) {
		val_free(m);
		m = val_map();
	}
	err_release(&e);
	free(path);
	return m;
}

int
runs_of_run_id(const char *state_dir, const char *run_id, char ***ids,
    size_t *n, struct err *e)
{
	char **all;
	size_t nall, i;

	*ids = NULL;
	*n = 0;
	if (runs_ids(state_dir, &all, &nall, e) < 0)
		return -1;
	for (i = 0; i < nall; i++) {
		struct val *m = run_meta_load(state_dir, all[i]);

		if (strcmp(val_map_str(m, "run_id", ""), run_id) == 0 &&
		    val_map_get(m, "rollback_of") == NULL) {
			*ids = xrealloc(*ids, (*n + 1) * sizeof(**ids));
			(*ids)[(*n)++] = all[i];
			all[i] = NULL;        /* transferred */
		}
		val_free(m);
	}
	runs_ids_free(all, nall);
	return 0;
}

void
run_info_free(struct run_info *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nfiles; i++) {
		struct file_change *f = &r->files[i];

		free(f->host); free(f->path); free(f->task);
		free(f->sha_before); free(f->mode); free(f->owner);
		free(f->group); free(f->sha_new);
		free(f->kind); free(f->was); free(f->now);
	}
	free(r->files);
	for (i = 0; i < r->nsvcs; i++) {
		free(r->svcs[i].host);
		free(r->svcs[i].name);
		free(r->svcs[i].action);
		free(r->svcs[i].via);
		free(r->svcs[i].prove);
	}
	free(r->svcs);
	for (i = 0; i < r->nevents; i++) {
		free(r->events[i].host);
		free(r->events[i].type);
		free(r->events[i].action);
		free(r->events[i].msg);
	}
	free(r->events);
	free(r->rolled_back_by);
	val_free(r->meta);
	free(r->status);
	free(r->id);
	free(r->dir);
	free(r);
}

static void
add_host(char ***l, size_t *n, size_t *alloc, const char *h)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*l)[i], h) == 0)
			return;
	ALLOC_GROW(*l, *n + 1, *alloc);
	(*l)[(*n)++] = (char *)h;
}

char **
run_hosts(const struct run_info *r, size_t *n)
{
	char **l = NULL;
	size_t alloc = 0, i;

	*n = 0;
	for (i = 0; i < r->nfiles; i++)
		add_host(&l, n, &alloc, r->files[i].host);
	for (i = 0; i < r->nsvcs; i++)
		add_host(&l, n, &alloc, r->svcs[i].host);
	return l;
}

char *
run_object_path(const struct run_info *r, const char *sha)
{
	return xasprintf("%s/objects/%s", r->dir, sha);
}
