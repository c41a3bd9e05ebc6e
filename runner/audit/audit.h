/*
 * audit.h - the audit engine: findings about configuration files (mend
 * audit) and network services (mend scan), their rules, suppressions,
 * baselines and exit status.  Output formats are in auditout.h, file
 * discovery in discover.c, the network side in scan.h.
 *
 * The engine knows no product.  A product (NUT, RabbitMQ, ActiveMQ) lives in
 * its module folder and describes itself with one
 *     const struct audit_product audit_<name> = { .name, .types, .rules,
 *         .check, .probes };
 * listed in modules/audit_registry.c; the front end hands that table to
 * audit_run_init().  A product's .check reads the files the engine found
 * with the product's own analysers (the ones its facts modules use) and
 * reports through audit_report(), audit_input_error() and audit_fix().
 *
 * Rules: an id that never changes ("NUT001"), a name, a severity, what it
 * finds, why it matters and the fix.  Findings carry file:line:col (1-based;
 * line 0 = about the whole file, col = byte column), the line as written,
 * a message and a fingerprint that does not depend on the line number (so
 * a baseline survives lines added above a finding): rule id, path, the
 * line's text with its blanks squeezed, and the occurrence of that triple.
 *
 * Suppressions, applied by audit_finish():
 *   inline   a comment "mend: ignore RULE REASON" (after '#' or '%') on the
 *            finding's line or on the line just above it; for a finding
 *            about the whole file, anywhere in the file.  RULE is an id or
 *            a name, or a comma-separated list of them; REASON is required
 *            (a suppression without one is reported and ignored).
 *   baseline a file written by --write-baseline: the fingerprints of the
 *            findings of an earlier run; a finding whose fingerprint is in
 *            it is "unchanged", every other one "new".
 * Only new, unsuppressed findings at or above --fail-on make the exit
 * status 1; an input that cannot be read or parsed makes it 3.
 */
#ifndef MEND_AUDIT_H
#define MEND_AUDIT_H

#include <stddef.h>

#include "runner/util/strbuf.h"

enum audit_sev { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

#define AUDIT_EXIT_CLEAN    0
#define AUDIT_EXIT_FINDINGS 1
#define AUDIT_EXIT_USAGE    2
#define AUDIT_EXIT_INPUT    3

struct audit_rule {
	const char *id;          /* "NUT001": stable, never reused */
	const char *name;        /* "nut-ignored-tls-line" */
	enum audit_sev sev;
	const char *title;       /* what it finds, one line */
	const char *why;         /* why it matters */
	const char *fix;         /* how to fix it (what mend's fix writes) */
	const char *scope;       /* file types it reads, or "scan" */
};

/* A file type: named by its file name or recognised by its content. */
struct audit_type {
	const char *id;          /* "nut-upsmon": also the --type value */
	const char *desc;
	/* 1 when the path names such a file (e.g. basename "upsmon.conf") */
	int (*by_name)(const char *path);
	/* 1 when the bytes look like such a file (only asked for files no
	 * type claims by name; may be NULL) */
	int (*by_content)(const char *buf, size_t len);
};

/* One file read for audit. */
struct audit_input {
	char *path;              /* as named or found ("./" dropped) */
	const struct audit_type *type;
	const struct audit_product *product;
	char *buf;               /* the bytes, NUL-terminated */
	size_t len;
	char *group;             /* configuration directory: files of one
				  * product with the same group are checked
				  * together (a conf.d's files go with its
				  * parent directory) */
	char *shown;             /* the bytes with secrets masked, same lines
				  * (set by the product; NULL: buf is shown) */
	size_t shown_len;
};

struct audit_run;
struct scan_probe;

struct audit_product {
	const char *name;                    /* "nut" */
	const struct audit_type *types;      /* ends with { NULL } */
	const struct audit_rule *rules;      /* ends with { NULL } */
	/* Check one group of files (one configuration directory). */
	void (*check)(struct audit_run *r, struct audit_input *const *in,
	    size_t n);
	const struct scan_probe *const *probes;  /* NULL-terminated, or NULL */
};

struct audit_finding {
	const struct audit_rule *rule;
	const struct audit_product *product;
	char *path;              /* file, or "host:port" (scan) */
	int line, col;           /* 1-based; line 0: the whole file/service */
	char *text;              /* the line as written, NULL for line 0 */
	char *msg;               /* what is wrong here */
	char fp[17];             /* fingerprint, 16 hex digits */
	int suppressed;          /* by an inline comment */
	char *supp_reason;
	int baseline;            /* 1: in the baseline (unchanged) */
	int fixfile;             /* index in audit_run.fixes, -1 = none */
};

/* What mend's fix would write to one file (from the product's patcher). */
struct audit_fixfile {
	char *path;
	char *before, *after;    /* after NULL: refused (see why) */
	size_t before_len, after_len;
	char *why;               /* refusal reason */
	int masked;              /* before/after have secrets masked: shown
				  * as a diff, never offered as a SARIF fix */
};

/* An input that could not be read or parsed: exit status 3. */
struct audit_ierr {
	char *path;
	int line, col;
	char *msg;
};

struct audit_opt {
	char *key, *value;       /* --set KEY=VALUE */
};

struct audit_run {
	const struct audit_product *const *products;
	const char *command;     /* "audit" or "scan" */
	const char *force_type;  /* --type: for files named on the command line */
	struct audit_input **in;
	size_t nin, in_alloc;
	struct audit_finding *f;
	size_t nf, f_alloc;
	struct audit_fixfile *fixes;
	size_t nfix, fix_alloc;
	struct audit_ierr *ierr;
	size_t nierr, ierr_alloc;
	struct strbuf warnings;  /* "path:line: warning: ...\n" */
	struct audit_opt *opts;
	size_t nopts, opts_alloc;
	int have_baseline;
	size_t nplaces;          /* scan: services probed */
	void *scan;              /* scan results (scan.h), NULL for audit */
	/* scan: its services, as a JSON member ("\"services\": [...]") and
	 * as text before the findings (NULL for audit) */
	void (*extra_json)(const struct audit_run *r, struct strbuf *out);
	void (*extra_text)(const struct audit_run *r, int color,
	    struct strbuf *out);
};

void audit_run_init(struct audit_run *r,
    const struct audit_product *const *products, const char *command);
void audit_run_release(struct audit_run *r);

const char *audit_sev_name(enum audit_sev s);    /* "high" */
/* Parse "info|low|medium|high|critical"; -1 when unknown. */
int audit_sev_parse(const char *s);
/* The rule with this id or name, and its product (may be NULL). */
const struct audit_rule *audit_rule_find(const struct audit_run *r,
    const char *id_or_name, const struct audit_product **product);
/* The type with this id, and its product. */
const struct audit_type *audit_type_find(const struct audit_run *r,
    const char *id, const struct audit_product **product);
/* Set an option (--set KEY=VALUE; a product documents its keys); returns
 * -1 without '='. */
int audit_set_opt(struct audit_run *r, const char *kv);
/* The value of a --set option, or def. */
const char *audit_opt(const struct audit_run *r, const char *key,
    const char *def);

/* ---- discovery (discover.c) ---- */

/*
 * Add what path names: a file (its type by --type, its name, or its
 * content; a file named on the command line that no type claims is an
 * input error) or a directory, walked recursively (symbolic links to
 * files followed, to directories not; ".git" and other VCS directories
 * skipped; files no type claims, larger than 4 MiB, or binary are left
 * out silently).  Unreadable paths are input errors.
 */
void audit_discover(struct audit_run *r, const char *path);
/* The type of a file by name, then content; NULL when none claims it. */
const struct audit_type *audit_classify(const struct audit_run *r,
    const char *path, const char *buf, size_t len,
    const struct audit_product **product);
/* Add one file's bytes directly (tests; copies them). */
struct audit_input *audit_add_input(struct audit_run *r, const char *path,
    const struct audit_type *type, const struct audit_product *product,
    const char *buf, size_t len);

/* Run every product's check on its groups of files, then audit_finish(). */
void audit_check(struct audit_run *r);

/* ---- for products ---- */

/*
 * Report a finding of rule at line:col of in (line 0: the whole file; col 0
 * is taken as the column of the line's first non-blank byte).  The line's
 * text is taken from in.  Returns the finding (valid until the next one).
 */
struct audit_finding *audit_report(struct audit_run *r,
    const struct audit_rule *rule, const struct audit_input *in,
    int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* The same for a place that is not a file (scan: "host:port"). */
struct audit_finding *audit_report_at(struct audit_run *r,
    const struct audit_rule *rule, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An input that cannot be read or parsed (exit status 3). */
void audit_input_error(struct audit_run *r, const char *path, int line,
    int col, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void audit_warn(struct audit_run *r, const char *path, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* What the fix would write to in (after: len bytes), or why it is refused
 * (after NULL, why set).  Findings on in reported before or after point at
 * it (audit_finish links them).  With in->shown set, before and after must
 * be given masked (before: in->shown) and the fix is marked masked. */
void audit_fix(struct audit_run *r, const struct audit_input *in,
    const char *after, size_t len, const char *why);
/* Set in->shown (a masked copy of in->buf with the same lines). */
void audit_set_shown(struct audit_input *in, const char *buf, size_t len);

/* ---- after the checks ---- */

/* Sort findings (path, line, col, rule), fingerprint them, apply inline
 * suppressions and link fixes.  Called by audit_check(); scan calls it
 * itself. */
void audit_finish(struct audit_run *r);
/* Load a baseline (audit_baseline_write's JSON); -1 with a message in
 * err (unreadable, not a baseline).  Marks the findings it holds. */
int audit_baseline_load(struct audit_run *r, const char *path,
    struct strbuf *err);
/* Write the fingerprints of the current unsuppressed findings to path
 * (atomically: temp file + rename); -1 with a message in err. */
int audit_baseline_write(const struct audit_run *r, const char *path,
    struct strbuf *err);
/* 1 when the finding counts toward the exit status: new, unsuppressed,
 * severity >= fail_on. */
int audit_counts(const struct audit_finding *f, enum audit_sev fail_on);
/* 0, 1 or 3 as described at the top. */
int audit_exit_status(const struct audit_run *r, enum audit_sev fail_on);

#endif
