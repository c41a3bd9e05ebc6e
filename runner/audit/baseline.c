/* baseline.c - compare findings run to run; see audit.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/audit/audit.h"
#include "runner/util/value.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

static int
in_list(const struct val *list, const char *fp)
{
	const struct val *it, *v;
	size_t i;

	for (i = 0; (it = val_list_get(list, i)) != NULL; i++) {
		v = it->type == V_MAP ? val_map_get(it, "fingerprint") : NULL;
		if (v && v->type == V_STR && strcmp(v->u.str.s, fp) == 0)
			return 1;
	}
	return 0;
}

int
audit_baseline_load(struct audit_run *r, const char *path, struct strbuf *err)
{
	struct err e = ERR_INIT;
	struct val *doc = NULL, *list;
	size_t i;

	if (yaml_load_file(path, &doc, &e) < 0) {
		strbuf_addstr(err, err_text(&e, "cannot read the baseline"));
		err_release(&e);
		return -1;
	}
	list = doc && doc->type == V_MAP ? val_map_get(doc, "findings") : NULL;
	if (list == NULL || list->type != V_LIST) {
		strbuf_addf(err, "%s: not a mend baseline (no \"findings\" list)",
		    path);
		val_free(doc);
		return -1;
	}
	for (i = 0; i < r->nf; i++)
		r->f[i].baseline = in_list(list, r->f[i].fp);
	r->have_baseline = 1;
	val_free(doc);
	return 0;
}

static void
baseline_json(const struct audit_run *r, struct strbuf *sb)
{
	const struct audit_finding *f;
	size_t i;
	int first = 1;

	strbuf_addf(sb, "{\n  \"mend_baseline\": 1,\n  \"command\": \"%s\",\n"
	    "  \"findings\": [", r->command);
	for (i = 0; i < r->nf; i++) {
		f = &r->f[i];
		if (f->suppressed)
			continue;
		strbuf_addstr(sb, first ? "\n    " : ",\n    ");
		first = 0;
		strbuf_addf(sb, "{\"fingerprint\": \"%s\", \"rule\": \"%s\", "
		    "\"path\": ", f->fp, f->rule->id);
		strbuf_addjson(sb, f->path, strlen(f->path));
		strbuf_addf(sb, ", \"line\": %d}", f->line);
	}
	strbuf_addstr(sb, first ? "]\n}\n" : "\n  ]\n}\n");
}

int
audit_baseline_write(const struct audit_run *r, const char *path,
    struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	char *tmp = xasprintf("%s.tmpXXXXXX", path);
	int fd = mkstemp(tmp), ok;

	if (fd < 0) {
		strbuf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	baseline_json(r, &sb);
	/* findings are not secret: readable like any report (mkstemp: 0600) */
	ok = fchmod(fd, 0644) == 0 &&
	    write(fd, sb.buf, sb.len) == (ssize_t)sb.len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		strbuf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		ok = 0;
	}
	free(tmp);
	strbuf_release(&sb);
	return ok ? 0 : -1;
}
