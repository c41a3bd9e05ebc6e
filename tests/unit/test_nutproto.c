/* test_nutproto.c - NUT reply lines and host tool output (ldd, certutil,
 * upsd -V, nut.conf), on the exact text the real tools print. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/nut/nutproto.h"

static char *
fixture(const char *name)
{
	char rel[512];
	size_t len;

	snprintf(rel, sizeof(rel), "%s/%s", "nutproto", name);
	return tu_read_fixture(rel, &len);
}

/* ------------------------------------------------------------ lines */

static void
test_take_line(void **state)
{
	struct strbuf in = STRBUF_INIT, line = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&in, "OK STARTTLS\r\nBEGIN LIST UPS\nUPS a");
	assert_int_equal(nutproto_take_line(&in, &line), 1);
	assert_string_equal(line.buf, "OK STARTTLS");
	assert_int_equal(nutproto_take_line(&in, &line), 1);
	assert_string_equal(line.buf, "BEGIN LIST UPS");
	assert_int_equal(nutproto_take_line(&in, &line), 0);
	assert_string_equal(in.buf, "UPS a");
	strbuf_addstr(&in, "\n\n");
	assert_int_equal(nutproto_take_line(&in, &line), 1);
	assert_string_equal(line.buf, "UPS a");
	assert_int_equal(nutproto_take_line(&in, &line), 1);
	assert_string_equal(line.buf, "");
	assert_int_equal(in.len, 0);
	assert_int_equal(nutproto_take_line(&in, &line), 0);
	/* a lone CR is kept; only CR before LF is dropped */
	strbuf_addstr(&in, "a\rb\r\r\n");
	assert_int_equal(nutproto_take_line(&in, &line), 1);
	assert_string_equal(line.buf, "a\rb\r");
	strbuf_release(&in);
	strbuf_release(&line);
}

static void
test_take_line_too_long(void **state)
{
	struct strbuf in = STRBUF_INIT, line = STRBUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < NUTPROTO_MAX_LINE; i++)
		strbuf_addch(&in, 'x');
	assert_int_equal(nutproto_take_line(&in, &line), 0);  /* exactly max */
	strbuf_addch(&in, '\n');
	assert_int_equal(nutproto_take_line(&in, &line), 1);
	assert_int_equal(line.len, NUTPROTO_MAX_LINE);
	for (i = 0; i <= NUTPROTO_MAX_LINE; i++)
		strbuf_addch(&in, 'y');
	assert_int_equal(nutproto_take_line(&in, &line), -1);
	assert_int_equal(in.len, NUTPROTO_MAX_LINE + 1);      /* untouched */
	strbuf_addch(&in, '\n');
	assert_int_equal(nutproto_take_line(&in, &line), -1);
	strbuf_release(&in);
	strbuf_release(&line);
}

static void
test_classify(void **state)
{
	char code[32];

	(void)state;
	assert_int_equal(nutproto_classify("OK STARTTLS", code, sizeof(code)),
	    NUTPROTO_OK);
	assert_int_equal(nutproto_classify("OK", code, sizeof(code)),
	    NUTPROTO_OK);
	assert_int_equal(nutproto_classify("OKAY", code, sizeof(code)),
	    NUTPROTO_DATA);
	assert_int_equal(nutproto_classify("ERR FEATURE-NOT-CONFIGURED",
	    code, sizeof(code)), NUTPROTO_ERR);
	assert_string_equal(code, "FEATURE-NOT-CONFIGURED");
	assert_int_equal(nutproto_classify("ERR  UNKNOWN-UPS extra", code,
	    sizeof(code)), NUTPROTO_ERR);
	assert_string_equal(code, "UNKNOWN-UPS");
	assert_int_equal(nutproto_classify("ERR", code, sizeof(code)),
	    NUTPROTO_ERR);
	assert_string_equal(code, "");
	assert_int_equal(nutproto_classify("ERRATIC", code, sizeof(code)),
	    NUTPROTO_DATA);
	assert_int_equal(nutproto_classify("Network UPS Tools upsd 2.8.0",
	    code, sizeof(code)), NUTPROTO_DATA);
	assert_int_equal(nutproto_classify("", code, sizeof(code)),
	    NUTPROTO_DATA);
	/* truncation of a long code */
	assert_int_equal(nutproto_classify("ERR FEATURE-NOT-CONFIGURED", code,
	    8), NUTPROTO_ERR);
	assert_string_equal(code, "FEATURE");
	assert_int_equal(nutproto_classify("ERR X", NULL, 0), NUTPROTO_ERR);
}

static void
test_err_text(void **state)
{
	(void)state;
	assert_non_null(strstr(nutproto_err_text("FEATURE-NOT-CONFIGURED"),
	    "certificate"));
	assert_non_null(strstr(nutproto_err_text("FEATURE-NOT-SUPPORTED"),
	    "without SSL"));
	assert_null(nutproto_err_text("NO-SUCH-CODE"));
	assert_null(nutproto_err_text(""));
}

static void
test_split(void **state)
{
	char **w;
	int n;

	(void)state;
	n = nutproto_split("UPS myups \"mend lab dummy UPS\"", &w);
	assert_int_equal(n, 3);
	assert_string_equal(w[0], "UPS");
	assert_string_equal(w[1], "myups");
	assert_string_equal(w[2], "mend lab dummy UPS");
	nutproto_words_free(w, n);

	n = nutproto_split("VAR u x \"a \\\"q\\\" b\\\\c\"", &w);
	assert_int_equal(n, 4);
	assert_string_equal(w[3], "a \"q\" b\\c");
	nutproto_words_free(w, n);

	n = nutproto_split("  \t ", &w);
	assert_int_equal(n, 0);
	nutproto_words_free(w, n);

	n = nutproto_split("a \"\" b\\ c", &w);   /* empty word, escaped blank */
	assert_int_equal(n, 3);
	assert_string_equal(w[1], "");
	assert_string_equal(w[2], "b c");
	nutproto_words_free(w, n);

	n = nutproto_split("a\"b c", &w);          /* quote inside a word */
	assert_int_equal(n, 2);
	assert_string_equal(w[0], "a\"b");
	nutproto_words_free(w, n);

	assert_int_equal(nutproto_split("UPS a \"open", &w), -1);
	assert_int_equal(nutproto_split("\"x\\\"", &w), -1);
	/* a trailing backslash is kept literally */
	n = nutproto_split("x\\", &w);
	assert_int_equal(n, 1);
	assert_string_equal(w[0], "x\\");
	nutproto_words_free(w, n);
}

static void
test_parse_ups(void **state)
{
	char *name = NULL, *desc = NULL;

	(void)state;
	assert_int_equal(nutproto_parse_ups("UPS myups \"mend lab dummy UPS\"",
	    &name, &desc), 0);
	assert_string_equal(name, "myups");
	assert_string_equal(desc, "mend lab dummy UPS");
	free(name);
	free(desc);
	assert_int_equal(nutproto_parse_ups("UPS myups \"\"", &name, &desc), 0);
	assert_string_equal(desc, "");
	free(name);
	free(desc);
	assert_int_equal(nutproto_parse_ups("BEGIN LIST UPS", &name, &desc),
	    -1);
	assert_int_equal(nutproto_parse_ups("UPS myups", &name, &desc), -1);
	assert_int_equal(nutproto_parse_ups("UPS a \"b", &name, &desc), -1);
	assert_int_equal(nutproto_parse_ups("ups a \"b\"", &name, &desc), -1);
}

static void
test_parse_var(void **state)
{
	char *v = NULL;

	(void)state;
	assert_int_equal(nutproto_parse_var("VAR myups ups.status \"OL\"",
	    "myups", "ups.status", &v), 0);
	assert_string_equal(v, "OL");
	free(v);
	assert_int_equal(nutproto_parse_var("VAR myups ups.status \"OB LB\"",
	    "myups", "ups.status", &v), 0);
	assert_string_equal(v, "OB LB");
	free(v);
	assert_int_equal(nutproto_parse_var("VAR other ups.status \"OL\"",
	    "myups", "ups.status", &v), -1);
	assert_int_equal(nutproto_parse_var("VAR myups ups.load \"OL\"",
	    "myups", "ups.status", &v), -1);
	assert_int_equal(nutproto_parse_var("ERR UNKNOWN-UPS", "myups",
	    "ups.status", &v), -1);
	assert_int_equal(nutproto_parse_var("VAR myups ups.status", "myups",
	    "ups.status", &v), -1);
}

static void
test_upsname_ok(void **state)
{
	char longname[80];

	(void)state;
	assert_true(nutproto_upsname_ok("myups"));
	assert_true(nutproto_upsname_ok("ups-1_a.b"));
	assert_false(nutproto_upsname_ok(""));
	assert_false(nutproto_upsname_ok("my ups"));
	assert_false(nutproto_upsname_ok("a\nLOGOUT"));
	assert_false(nutproto_upsname_ok("a\"b"));
	assert_false(nutproto_upsname_ok("a\\b"));
	assert_false(nutproto_upsname_ok("ups@host"));
	assert_false(nutproto_upsname_ok("\x7f"));
	memset(longname, 'a', 64);
	longname[64] = '\0';
	assert_true(nutproto_upsname_ok(longname));
	longname[64] = 'a';
	longname[65] = '\0';
	assert_false(nutproto_upsname_ok(longname));
}

static void
test_parse_version(void **state)
{
	char v[16];

	(void)state;
	assert_int_equal(nutproto_parse_version("Network UPS Tools upsd 2.8.0 "
	    "- http://www.networkupstools.org/\n", v, sizeof(v)), 0);
	assert_string_equal(v, "2.8.0");
	assert_int_equal(nutproto_parse_version(
	    "Network UPS Tools upsmon 2.7.4\n", v, sizeof(v)), 0);
	assert_string_equal(v, "2.7.4");
	assert_int_equal(nutproto_parse_version("Network UPS Tools upsd "
	    "2.8.0.1-2-gabc (development)", v, sizeof(v)), 0);
	assert_string_equal(v, "2.8.0.1-2-gabc");
	assert_int_equal(nutproto_parse_version("1.3", v, sizeof(v)), 0);
	assert_string_equal(v, "1.3");
	assert_int_equal(nutproto_parse_version("upsd 2", v, sizeof(v)), -1);
	assert_string_equal(v, "");
	assert_int_equal(nutproto_parse_version("", v, sizeof(v)), -1);
	assert_int_equal(nutproto_parse_version("x 2.8.0", v, 4), 0);
	assert_string_equal(v, "2.8");
}

/* ----------------------------------------------------- tool output */

static void
test_ldd_backend(void **state)
{
	static const struct { const char *file; enum nutconf_backend be; } t[] = {
		{ "ldd-debian-upsd.txt", NUTCONF_BACKEND_NSS },
		{ "ldd-debian-upsmon.txt", NUTCONF_BACKEND_NSS },
		{ "ldd-fedora-upsmon.txt", NUTCONF_BACKEND_OPENSSL },
		{ "ldd-nossl.txt", NUTCONF_BACKEND_UNKNOWN },
		{ "ldd-wrapper.txt", NUTCONF_BACKEND_UNKNOWN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *s = fixture(t[i].file);

		if (nutproto_ldd_backend(s) != t[i].be)
			fail_msg("%s: backend %d, expected %d", t[i].file,
			    (int)nutproto_ldd_backend(s), (int)t[i].be);
		free(s);
	}
}

static void
test_ldd_backend_edges(void **state)
{
	(void)state;
	/* NSS's libssl3.so alone is not OpenSSL, and not enough for NSS */
	assert_int_equal(nutproto_ldd_backend(
	    "\tlibssl3.so => /lib/libssl3.so (0x1)\n"), NUTCONF_BACKEND_UNKNOWN);
	/* OpenSSL 1.1 */
	assert_int_equal(nutproto_ldd_backend(
	    "\tlibssl.so.1.1 => /usr/lib/libssl.so.1.1 (0x1)\n"),
	    NUTCONF_BACKEND_OPENSSL);
	/* both: NSS wins */
	assert_int_equal(nutproto_ldd_backend("libssl.so.3 => /x\n"
	    "libnss3.so => /y\n"), NUTCONF_BACKEND_NSS);
	/* names that only contain the library name do not count */
	assert_int_equal(nutproto_ldd_backend("libnss3.sox => /x\n"
	    "mylibssl.so.3 => /y\n"), NUTCONF_BACKEND_UNKNOWN);
	assert_int_equal(nutproto_ldd_backend(""), NUTCONF_BACKEND_UNKNOWN);
	assert_string_equal(nutproto_backend_name(NUTCONF_BACKEND_NSS), "nss");
	assert_string_equal(nutproto_backend_name(NUTCONF_BACKEND_OPENSSL),
	    "openssl");
	assert_string_equal(nutproto_backend_name(NUTCONF_BACKEND_UNKNOWN),
	    "none");
}

static void
test_certutil_ca(void **state)
{
	struct nutproto_cert *c;
	char *s = fixture("certutil-ca.txt");
	int n;

	(void)state;
	n = nutproto_certutil_list(s, &c);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].nick, "mend-lab-ca");
	assert_string_equal(c[0].trust, "CT,,");
	assert_true(nutproto_trust_ssl_ca(c[0].trust));
	assert_false(nutproto_trust_has_key(c[0].trust));
	assert_string_equal(nutproto_find_trusted(c, n, nutproto_trust_ssl_ca),
	    "mend-lab-ca");
	assert_null(nutproto_find_trusted(c, n, nutproto_trust_has_key));
	nutproto_certs_free(c, n);
	free(s);
}

static void
test_certutil_server(void **state)
{
	struct nutproto_cert *c;
	char *s = fixture("certutil-server.txt");
	int n;

	(void)state;
	n = nutproto_certutil_list(s, &c);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].nick, "srv");
	assert_string_equal(c[0].trust, "u,u,u");
	assert_string_equal(c[1].nick, "mend lab test CA - mend test lab");
	assert_string_equal(c[1].trust, ",,");
	assert_string_equal(nutproto_find_trusted(c, n,
	    nutproto_trust_has_key), "srv");
	/* the CA came with the PKCS#12 but is not trusted */
	assert_null(nutproto_find_trusted(c, n, nutproto_trust_ssl_ca));
	nutproto_certs_free(c, n);
	free(s);
}

static void
test_certutil_empty_and_errors(void **state)
{
	struct nutproto_cert *c = (void *)1;
	char *s;

	(void)state;
	s = fixture("certutil-empty.txt");
	assert_int_equal(nutproto_certutil_list(s, &c), 0);
	assert_null(c);
	free(s);
	s = fixture("certutil-missing.txt");
	assert_int_equal(nutproto_certutil_list(s, &c), -1);
	assert_null(c);
	free(s);
	assert_int_equal(nutproto_certutil_list("", &c), -1);
	assert_int_equal(nutproto_certutil_list("Certificate Nickname\n", &c),
	    -1);
	/* lines without a trust word after the header are skipped */
	assert_int_equal(nutproto_certutil_list("Certificate Nickname  Trust\n"
	    "   SSL,S/MIME,JAR/XPI\n\nonlyname\nCT,,\n  a b   C,c,\n", &c), 1);
	assert_string_equal(c[0].nick, "  a b");
	assert_string_equal(c[0].trust, "C,c,");
	nutproto_certs_free(c, 1);
}

static void
test_trust_flags(void **state)
{
	(void)state;
	assert_true(nutproto_trust_ssl_ca("CT,,"));
	assert_true(nutproto_trust_ssl_ca("C,,"));
	assert_true(nutproto_trust_ssl_ca("TC,C,C"));
	assert_false(nutproto_trust_ssl_ca("T,C,C"));    /* C only for S/MIME */
	assert_false(nutproto_trust_ssl_ca("c,,"));      /* valid CA, not trusted */
	assert_false(nutproto_trust_ssl_ca(",,"));
	assert_false(nutproto_trust_ssl_ca(""));
	assert_true(nutproto_trust_has_key("u,u,u"));
	assert_true(nutproto_trust_has_key("Pu,,"));
	assert_false(nutproto_trust_has_key(",u,u"));
	assert_false(nutproto_trust_has_key("CT,,"));
}

static void
test_nut_mode(void **state)
{
	static const struct { const char *in; int rc; const char *mode; } t[] = {
		{ "MODE=netserver\n", 0, "netserver" },
		{ "# mend lab\nMODE=standalone", 0, "standalone" },
		{ "MODE=\"none\"\n", 0, "none" },
		{ "MODE='netclient' # x\n", 0, "netclient" },
		{ "  MODE=netserver # comment\n", 0, "netserver" },
		{ "MODE=none\nMODE=netclient\n", 0, "netclient" },
		{ "#MODE=netserver\n", -1, "" },
		{ "XMODE=netserver\nMODEX=a\n", -1, "" },
		{ "MODE=\n", 0, "" },
		{ "", -1, "" },
		{ "MODE=netserver;\n", 0, "netserver" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = nutproto_nut_mode(t[i].in, strlen(t[i].in), out,
		    sizeof(out));

		if (rc != t[i].rc || strcmp(out, t[i].mode) != 0)
			fail_msg("case %zu: rc %d mode '%s'", i, rc, out);
	}
	assert_int_equal(nutproto_nut_mode("MODE=netserver", 14, out, 4), 0);
	assert_string_equal(out, "net");
	assert_int_equal(nutproto_nut_mode("MODE=netserver", 14, out, 0), -1);
	/* a NUL byte inside the text does not stop the scan */
	assert_int_equal(nutproto_nut_mode("a\0b\nMODE=x\n", 11, out,
	    sizeof(out)), 0);
	assert_string_equal(out, "x");
}

/* ------------------------------------------------------- stores */

static void
test_store_cmd_quotes(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	nutproto_store_cmd(&sb, NUTPROTO_STORE_NSS, "/etc/nut/ce'rt; rm -rf /",
	    "nut");
	assert_non_null(strstr(sb.buf, "p='/etc/nut/ce'\\''rt; rm -rf /'; "
	    "u='nut'; k='nss'\n"));
	assert_non_null(strstr(sb.buf, "certutil -L -d \"$d\""));
	strbuf_reset(&sb);
	nutproto_store_cmd(&sb, NUTPROTO_STORE_CADIR, "/x", "ups");
	assert_non_null(strstr(sb.buf, "k='cadir'"));
	strbuf_reset(&sb);
	nutproto_store_cmd(&sb, NUTPROTO_STORE_FILE, "/x", "ups");
	assert_non_null(strstr(sb.buf, "k='file'"));
	strbuf_release(&sb);
}

static void
test_store_parse_nss(void **state)
{
	struct nutproto_store st;
	struct strbuf sb = STRBUF_INIT;
	char *ca = fixture("certutil-ca.txt");
	char *out = NULL;

	(void)state;
	out = malloc(strlen(ca) + 200);
	assert_non_null(out);
	snprintf(out, strlen(ca) + 200, "exists=1\nis_dir=1\nmode=750\n"
	    "owner=root\ngroup=nut\nreadable=1\nhas_db=1\nlist_rc=0\n"
	    "--certutil--\n%s", ca);
	assert_int_equal(nutproto_store_parse(out, &st), 0);
	assert_int_equal(st.exists, 1);
	assert_int_equal(st.is_dir, 1);
	assert_int_equal(st.mode, 0750);
	assert_string_equal(st.owner, "root");
	assert_string_equal(st.group, "nut");
	assert_int_equal(st.readable, 1);
	assert_int_equal(st.has_db, 1);
	assert_int_equal(st.listed, 1);
	assert_int_equal(st.ncerts, 1);
	assert_string_equal(st.certs[0].nick, "mend-lab-ca");
	assert_int_equal(nutproto_store_ca_problem(&st, NUTPROTO_STORE_NSS,
	    "/etc/nut/cert", &sb), 0);
	assert_int_equal(sb.len, 0);
	/* readable by nut but certutil failed */
	st.listed = 0;
	assert_int_equal(nutproto_store_ca_problem(&st, NUTPROTO_STORE_NSS,
	    "/c", &sb), -1);
	assert_non_null(strstr(sb.buf, "cannot read the NSS database"));
	nutproto_store_release(&st);
	assert_null(st.certs);
	free(out);
	free(ca);
	strbuf_release(&sb);
}

static void
test_store_problems(void **state)
{
	static const struct {
		const char *out;
		enum nutproto_store_kind kind;
		const char *want;     /* substring, NULL = usable */
	} t[] = {
		{ "exists=0\n", NUTPROTO_STORE_NSS, "does not exist" },
		{ "exists=1\nis_dir=0\n", NUTPROTO_STORE_NSS,
		  "is not a directory" },
		{ "exists=1\nis_dir=1\nreadable=0\nhas_db=1\n",
		  NUTPROTO_STORE_NSS, "not readable by the NUT user" },
		{ "exists=1\nis_dir=1\nreadable=1\nhas_db=0\n",
		  NUTPROTO_STORE_NSS, "holds no NSS database" },
		{ "exists=1\nis_dir=1\nreadable=1\nhas_db=1\nlist_rc=127\n"
		  "--certutil--\nsh: certutil: not found\n",
		  NUTPROTO_STORE_NSS, "certutil is not installed" },
		{ "exists=1\nis_dir=1\nreadable=-1\nhas_db=1\nlist_rc=0\n"
		  "--certutil--\n\nCertificate Nickname   Trust Attributes\n"
		  "   SSL,S/MIME,JAR/XPI\n\nsrv    u,u,u\n",
		  NUTPROTO_STORE_NSS, "holds no CA trusted for servers" },
		{ "exists=1\nis_dir=1\nreadable=-1\nhas_db=1\nlist_rc=0\n"
		  "--certutil--\n\nCertificate Nickname   Trust Attributes\n"
		  "   SSL,S/MIME,JAR/XPI\n\nca    CT,,\n",
		  NUTPROTO_STORE_NSS, NULL },
		{ "exists=1\nis_dir=1\nreadable=1\nnhashed=0\n",
		  NUTPROTO_STORE_CADIR, "no hashed CA" },
		{ "exists=1\nis_dir=1\nreadable=1\nnhashed=2\n",
		  NUTPROTO_STORE_CADIR, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct nutproto_store st;
		struct strbuf sb = STRBUF_INIT;
		int r;

		assert_int_equal(nutproto_store_parse(t[i].out, &st), 0);
		r = nutproto_store_ca_problem(&st, t[i].kind, "/etc/nut/cert",
		    &sb);
		if (t[i].want == NULL && r != 0)
			fail_msg("case %zu: unexpected problem '%s'", i, sb.buf);
		if (t[i].want != NULL && (r != -1 ||
		    strstr(sb.buf, t[i].want) == NULL ||
		    strstr(sb.buf, "/etc/nut/cert") == NULL))
			fail_msg("case %zu: got '%s', want '%s'", i, sb.buf,
			    t[i].want);
		nutproto_store_release(&st);
		strbuf_release(&sb);
	}
}

static void
test_store_parse_errors(void **state)
{
	struct nutproto_store st;

	(void)state;
	assert_int_equal(nutproto_store_parse("", &st), -1);
	assert_int_equal(nutproto_store_parse("sh: syntax error\n", &st), -1);
	assert_int_equal(nutproto_store_parse("mode=644\n", &st), -1);
	/* a certutil listing without an exists= line: -1 and nothing kept
	 * (found by fuzz_nutproto: the list leaked) */
	assert_int_equal(nutproto_store_parse("--certutil--\n\nCertificate "
	    "Nickname   Trust Attributes\n   SSL,S/MIME,JAR/XPI\n\nca   CT,,\n",
	    &st), -1);
	assert_null(st.certs);
	assert_int_equal(st.ncerts, 0);
	/* unknown and overlong keys are ignored; defaults */
	assert_int_equal(nutproto_store_parse("exists=1\nverylongkeyname_xx="
	    "1\nfoo=bar\npem_cert=1\npem_key=1", &st), 0);
	assert_int_equal(st.readable, -1);
	assert_int_equal(st.list_rc, -1);
	assert_int_equal(st.pem_cert, 1);
	assert_int_equal(st.pem_key, 1);
	assert_int_equal(st.listed, 0);
	/* a certutil section without its header is not "listed" */
	assert_int_equal(nutproto_store_parse("exists=1\nlist_rc=0\n"
	    "--certutil--\ncertutil: function failed\n", &st), 0);
	assert_int_equal(st.listed, 0);
	assert_int_equal(st.ncerts, 0);
	nutproto_store_release(&st);
	/* owner names longer than the field are truncated, not overflowed */
	assert_int_equal(nutproto_store_parse("exists=1\nowner="
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaa\n", &st), 0);
	assert_int_equal(strlen(st.owner), sizeof(st.owner) - 1);
}

/* ------------------------------------------------------- masking */

static void
test_mask_secrets(void **state)
{
	static const struct { const char *in, *want; } t[] = {
		{ "MONITOR ups@h 1 user s3cret primary\n",
		  "MONITOR ups@h 1 user ******** primary\n" },
		{ "MONITOR ups@h 1 user \"se cret\" primary\n",
		  "MONITOR ups@h 1 user \"********\" primary\n" },
		{ "MONITOR ups@h 1 user se\\ cret primary\n",
		  "MONITOR ups@h 1 user ******** primary\n" },
		{ "  MONITOR\tups@h 1 user pw master # c pw\r\n",
		  "  MONITOR\tups@h 1 user ******** master # c pw\r\n" },
		{ "monitor ups@h 1 user pw primary",
		  "monitor ups@h 1 user ******** primary" },
		{ "MONITOR ups@h 1 user \\\npw primary\n",
		  "MONITOR ups@h 1 user ******** primary\n" },
		{ "CERTIDENT \"h1\" \"db-pw\"\nX\n",
		  "CERTIDENT \"h1\" \"********\"\nX\n" },
		{ "CERTIDENT h1 pw\nMONITOR a@b 1 u p2 primary\n",
		  "CERTIDENT h1 ********\nMONITOR a@b 1 u ******** primary\n" },
		{ "# MONITOR ups@h 1 user pw primary\n",
		  "# MONITOR ups@h 1 user pw primary\n" },
		{ "MONITOR ups@h 1 user\n", "MONITOR ups@h 1 user\n" },
		{ "CERTIDENT h1\n", "CERTIDENT h1\n" },
		{ "MINSUPPLIES 1\nPOLLFREQ 5\n", "MINSUPPLIES 1\nPOLLFREQ 5\n" },
		/* '=' is a word of its own for NUT (fuzz_nutproto): NUT's
		 * password is the '=', the operator's is the next word; both
		 * are masked */
		{ "MONITOR a@b 1 u = s3cret primary\n",
		  "MONITOR a@b 1 u ******** ******** primary\n" },
		{ "CERTIDENT = nick = dbpw\n",
		  "CERTIDENT = ******** = ********\n" },
		{ "MONITOR a@b 1 u=pw primary\n",
		  "MONITOR a@b 1 u**************** primary\n" },
		{ "", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		nutproto_mask_secrets(t[i].in, strlen(t[i].in), &sb);
		if (strcmp(sb.buf, t[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, sb.buf,
			    t[i].want);
		strbuf_release(&sb);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_line),
		cmocka_unit_test(test_take_line_too_long),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_err_text),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_parse_ups),
		cmocka_unit_test(test_parse_var),
		cmocka_unit_test(test_upsname_ok),
		cmocka_unit_test(test_parse_version),
		cmocka_unit_test(test_ldd_backend),
		cmocka_unit_test(test_ldd_backend_edges),
		cmocka_unit_test(test_certutil_ca),
		cmocka_unit_test(test_certutil_server),
		cmocka_unit_test(test_certutil_empty_and_errors),
		cmocka_unit_test(test_trust_flags),
		cmocka_unit_test(test_nut_mode),
		cmocka_unit_test(test_store_cmd_quotes),
		cmocka_unit_test(test_store_parse_nss),
		cmocka_unit_test(test_store_problems),
		cmocka_unit_test(test_store_parse_errors),
		cmocka_unit_test(test_mask_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
