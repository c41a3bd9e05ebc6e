/*
 * fuzz_audit.c - libFuzzer harness for mend audit's engine on arbitrary
 * files: the input is audited as each file type (NUT upsmon.conf and
 * upsd.conf, rabbitmq.conf, rabbitmq.config, enabled_plugins,
 * activemq.xml), with a
 * MONITOR password put in front of the NUT ones, and every output format
 * is produced.  Built by `make fuzz` (with all of the engine).  Checks,
 * besides memory errors:
 *  - every finding's position is inside the file (line 0 or a line that
 *    exists; col >= 1) and its text is that line;
 *  - the secret never reaches a finding, a fix shown, or any output;
 *  - the content sniffers and suppressions accept any bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner/audit/audit.h"
#include "runner/audit/auditout.h"
#include "modules/audit_products.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "ZQXSECRET"

static const char *const types[] = {
	"nut-upsmon", "nut-upsd", "rabbitmq-conf", "rabbitmq-config",
	"rabbitmq-plugins", "activemq-xml",
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static size_t
lines_of(const char *b, size_t n)
{
	size_t i, l = 1;

	for (i = 0; i < n; i++)
		l += b[i] == '\n';
	return l;
}

/* Inputs from..to-1 in one run, as `mend audit` of a directory would hold
 * them: the checks and every output format run once for them all, not once
 * per type (the SARIF rules text alone is most of an output).  The NUT
 * inputs (which hold the password) go in a run of their own, so that the
 * others' decoding (XML character references) cannot spell it. */
static void
audit_some(const char *const bufs[], const size_t lens[], size_t from,
    size_t to, int secret_ok)
{
	struct audit_run r;
	const struct audit_product *p;
	const struct audit_type *t;
	struct audit_outopts o = { SEV_HIGH, 1, 1, 1 };
	struct strbuf out = STRBUF_INIT;
	char path[32];
	size_t i, k, lines[NTYPES];

	audit_run_init(&r, audit_products, "audit");
	for (k = from; k < to; k++) {
		t = audit_type_find(&r, types[k], &p);
		snprintf(path, sizeof(path), "x/rabbitmq/f%zu", k);
		audit_add_input(&r, path, t, p, bufs[k], lens[k]);
		lines[k] = lines_of(bufs[k], lens[k]);
	}
	(void)audit_classify(&r, "x/y", bufs[from], lens[from], &p);
	audit_check(&r);
	for (i = 0; i < r.nf; i++) {
		const char *f = r.f[i].path;

		k = f && strlen(f) == 13 ? (size_t)(f[12] - '0') : NTYPES;
		if (k < from || k >= to || r.f[i].line < 0 ||
		    (size_t)r.f[i].line > lines[k] ||
		    (r.f[i].line > 0 && r.f[i].col < 1))
			abort();
	}
	audit_out_text(&r, &o, &out);
	audit_out_json(&r, &o, &out);
	audit_out_sarif(&r, &o, &out);
	audit_out_junit(&r, &o, &out);
	if (!secret_ok && memmem(out.buf, out.len, SECRET, strlen(SECRET)))
		abort();
	strbuf_release(&out);
	audit_run_release(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "MONITOR ups@h 1 u " SECRET " primary\n";
	char *buf = malloc(sizeof(pre) + size);
	const char *bufs[NTYPES];
	size_t lens[NTYPES], i;
	/* the data may spell the secret itself, not as a password */
	int ok = memmem(data, size, SECRET, strlen(SECRET)) != NULL;

	memcpy(buf, pre, sizeof(pre) - 1);
	memcpy(buf + sizeof(pre) - 1, data, size);
	for (i = 0; i < NTYPES; i++) {
		bufs[i] = i < 2 ? buf : (const char *)data;
		lens[i] = i < 2 ? sizeof(pre) - 1 + size : size;
	}
	audit_some(bufs, lens, 0, 2, ok);
	audit_some(bufs, lens, 2, NTYPES, 1);
	free(buf);
	return 0;
}
