/*
 * cli_audit.c - `mend audit PATH...` and `mend scan TARGET...`: argv to the
 * audit engine (runner/audit) with the products of modules/audit_registry.c,
 * and the report in the format asked for.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/cli/cli.h"
#include "runner/cli/cli_audit.h"
#include "runner/audit/audit.h"
#include "runner/audit/auditout.h"
#include "modules/audit_products.h"
#include "runner/util/banned.h"

static const char audit_usage[] =
"usage: mend audit [options] PATH...\n"
"\n"
"Find NUT, RabbitMQ and ActiveMQ configuration in files and directories (by\n"
"name and content) and check it with the analysis mend's fixes use.\n"
"\n"
"  --type TYPE            type of the files named (see --rules for the types)\n"
"  --format FMT           text (default), json, sarif or junit\n"
"  -o, --output FILE      write the report to FILE instead of stdout\n"
"  --fail-on SEV          exit 1 on new findings at or above SEV: info, low,\n"
"                         medium, high (default), critical, or none\n"
"  -D, --diff             text: the patch mend's fix would write\n"
"  --baseline FILE        findings in FILE are not new (do not fail)\n"
"  --write-baseline FILE  record the current findings in FILE\n"
"  --set KEY=VALUE        product options (see README: nut_backend, ...)\n"
"  --color WHEN           auto (default: on a terminal), always, never\n"
"  --rules                the rule catalogue (with --format json: as JSON)\n"
"\n"
"Suppress one finding with a comment on its line or the line above:\n"
"  # mend: ignore RULE reason\n"
"\n"
"exit codes: 0 no finding at or above --fail-on, 1 such findings,\n"
"2 usage error, 3 an input could not be read or parsed\n";


static const struct option audit_longopts[] = {
	{ "type", required_argument, NULL, O_TYPE },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "fail-on", required_argument, NULL, O_FAILON },
	{ "diff", no_argument, NULL, 'D' },
	{ "baseline", required_argument, NULL, O_BASELINE },
	{ "write-baseline", required_argument, NULL, O_WBASELINE },
	{ "set", required_argument, NULL, O_SET },
	{ "color", required_argument, NULL, O_COLOR },
	{ "colour", required_argument, NULL, O_COLOR },
	{ "rules", no_argument, NULL, O_RULES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void
report_opts_init(struct report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = "text";
	o->fail_on = SEV_HIGH;
	o->color = "auto";
}

/* One of the options every report takes; 1 when ch was one, 0 when not,
 * -1 on a bad value (message printed). */
int
report_opt(struct report_opts *o, struct audit_run *r, int ch,
    const char *arg)
{
	int s;

	switch (ch) {
	case O_FORMAT:
		if (strcmp(arg, "text") && strcmp(arg, "json") &&
		    strcmp(arg, "sarif") && strcmp(arg, "junit"))
			return fprintf(stderr, "mend: unknown format '%s' (text, "
			    "json, sarif, junit)\n", arg), -1;
		o->format = arg;
		return 1;
	case 'o': o->output = arg; return 1;
	case 'D': o->diff = 1; return 1;
	case O_BASELINE: o->baseline = arg; return 1;
	case O_WBASELINE: o->write_baseline = arg; return 1;
	case O_FAILON:
		s = strcmp(arg, "none") == 0 ? SEV_CRITICAL + 1 :
		    audit_sev_parse(arg);
		if (s < 0)
			return fprintf(stderr, "mend: unknown severity '%s' (info, "
			    "low, medium, high, critical, none)\n", arg), -1;
		o->fail_on = (enum audit_sev)s;
		return 1;
	case O_SET:
		if (audit_set_opt(r, arg) < 0)
			return fprintf(stderr, "mend: --set wants KEY=VALUE, not "
			    "'%s'\n", arg), -1;
		return 1;
	case O_COLOR:
		if (strcmp(arg, "auto") && strcmp(arg, "always") &&
		    strcmp(arg, "never"))
			return fprintf(stderr, "mend: --color wants auto, always "
			    "or never\n"), -1;
		o->color = arg;
		return 1;
	}
	return 0;
}

static int
write_out(const char *path, const struct strbuf *sb)
{
	FILE *fp = path ? fopen(path, "w") : stdout;
	int ok;

	if (fp == NULL) {
		fprintf(stderr, "mend: cannot write '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	ok = fwrite(sb->buf, 1, sb->len, fp) == sb->len;
	ok = (path ? fclose(fp) : fflush(fp)) == 0 && ok;
	if (!ok)
		fprintf(stderr, "mend: cannot write '%s': %s\n",
		    path ? path : "standard output", strerror(errno));
	return ok ? 0 : -1;
}

static void
print_diagnostics(const struct audit_run *r)
{
	size_t i;

	fputs(r->warnings.buf, stderr);
	for (i = 0; i < r->nierr; i++) {
		if (r->ierr[i].line > 0)
			fprintf(stderr, "%s:%d:%d: error: %s\n", r->ierr[i].path,
			    r->ierr[i].line, r->ierr[i].col, r->ierr[i].msg);
		else
			fprintf(stderr, "%s: error: %s\n", r->ierr[i].path,
			    r->ierr[i].msg);
	}
}

/* Baseline in and out, the report, the exit status. */
int
report_emit(struct audit_run *r, const struct report_opts *o)
{
	struct audit_outopts oo;
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	int rc;

	if (o->baseline && audit_baseline_load(r, o->baseline, &err) < 0) {
		fprintf(stderr, "mend: %s\n", err.buf);
		strbuf_release(&err);
		return AUDIT_EXIT_USAGE;
	}
	memset(&oo, 0, sizeof(oo));
	oo.fail_on = o->fail_on;
	oo.diff = o->diff;
	oo.color = strcmp(o->color, "always") == 0 ||
	    (strcmp(o->color, "auto") == 0 && !o->output && isatty(1) &&
	    getenv("NO_COLOR") == NULL);
	oo.exit_status = audit_exit_status(r, o->fail_on);
	if (strcmp(o->format, "json") == 0)
		audit_out_json(r, &oo, &sb);
	else if (strcmp(o->format, "sarif") == 0)
		audit_out_sarif(r, &oo, &sb);
	else if (strcmp(o->format, "junit") == 0)
		audit_out_junit(r, &oo, &sb);
	else
		audit_out_text(r, &oo, &sb);
	print_diagnostics(r);
	rc = write_out(o->output, &sb) < 0 ? AUDIT_EXIT_USAGE : oo.exit_status;
	if (o->write_baseline && audit_baseline_write(r, o->write_baseline,
	    &err) < 0) {
		fprintf(stderr, "mend: %s\n", err.buf);
		rc = AUDIT_EXIT_USAGE;
	}
	strbuf_release(&sb);
	strbuf_release(&err);
	return rc;
}

static int
print_rules(const struct audit_run *r, const struct report_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	audit_out_rules(r, strcmp(o->format, "json") == 0, &sb);
	rc = write_out(o->output, &sb) < 0 ? AUDIT_EXIT_USAGE : 0;
	strbuf_release(&sb);
	return rc;
}

/* Options into r and o; 0 to go on, or the exit status (help: -1 -> 0). */
static int
audit_args(int argc, char **argv, struct audit_run *r, struct report_opts *o,
    int *rules)
{
	int ch, k;

	while ((ch = getopt_long(argc, argv, "o:Dh", audit_longopts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(audit_usage, stdout);
			return -1;
		}
		if (ch == O_TYPE || ch == O_RULES) {
			if (ch == O_TYPE)
				r->force_type = optarg;
			else
				*rules = 1;
			continue;
		}
		k = report_opt(o, r, ch, optarg);
		if (k <= 0) {
			if (k == 0)
				fputs(audit_usage, stderr);
			return AUDIT_EXIT_USAGE;
		}
	}
	if (r->force_type && !audit_type_find(r, r->force_type, NULL)) {
		fprintf(stderr, "mend: unknown type '%s' (mend audit --rules "
		    "lists them)\n", r->force_type);
		return AUDIT_EXIT_USAGE;
	}
	if (!*rules && optind >= argc) {
		fputs(audit_usage, stderr);
		return AUDIT_EXIT_USAGE;
	}
	return 0;
}

int
cmd_audit(int argc, char **argv)
{
	struct audit_run r;
	struct report_opts o;
	int rc, rules = 0;

	audit_run_init(&r, audit_products, "audit");
	report_opts_init(&o);
	rc = audit_args(argc, argv, &r, &o, &rules);
	if (rc != 0) {
		audit_run_release(&r);
		return rc < 0 ? 0 : rc;
	}
	if (rules) {
		rc = print_rules(&r, &o);
		audit_run_release(&r);
		return rc;
	}
	for (; optind < argc; optind++)
		audit_discover(&r, argv[optind]);
	audit_check(&r);
	rc = report_emit(&r, &o);
	audit_run_release(&r);
	return rc;
}
