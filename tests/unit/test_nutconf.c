/* test_nutconf.c - NUT config tokenizer, TLS analysis and patchers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/nut/nutconf.h"

/* ------------------------------------------------------------- helpers */

static char *
fixture(const char *name, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/%s", "nut", name);
	return tu_read_fixture(rel, len);
}

static void
parse_str(struct nutconf_file *f, const char *s)
{
	nutconf_parse(f, s, strlen(s));
}

/* Words of logical line i joined by '|'. */
static char *
words(const struct nutconf_file *f, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	size_t j;

	assert_true(i < f->nr);
	for (j = 0; j < f->lines[i].nr; j++) {
		if (j)
			strbuf_addch(&sb, '|');
		strbuf_addstr(&sb, f->lines[i].w[j].val);
	}
	return strbuf_detach(&sb, NULL);
}

static void
assert_words(const struct nutconf_file *f, size_t i, const char *want)
{
	char *got = words(f, i);

	if (strcmp(got, want))
		fail_msg("line %zu: words '%s', want '%s'", i, got, want);
	free(got);
}

/* The lines tile the file, words lie inside their line, in order. */
static void
assert_tiling(const struct nutconf_file *f)
{
	size_t i, j, off = 0;

	for (i = 0; i < f->nr; i++) {
		const struct nutconf_line *l = &f->lines[i];

		assert_int_equal(l->off, off);
		assert_true(l->end > l->off);
		assert_int_equal(l->nut_line, (int)i + 1);
		assert_true(l->line <= l->last_line);
		for (j = 0; j < l->nr; j++) {
			assert_true(l->w[j].off >= l->off);
			assert_true(l->w[j].end <= l->end);
			assert_true(l->w[j].off <= l->w[j].end);
			if (j)
				assert_true(l->w[j].off >= l->w[j - 1].end);
		}
		off = l->end;
	}
	assert_int_equal(off, f->len);
}

static int
has_text(const struct nutconf_issues *is, const char *want)
{
	size_t i;

	for (i = 0; i < is->nr; i++)
		if (!strcmp(is->v[i].text, want))
			return 1;
	return 0;
}

static int
any_contains(const struct nutconf_issues *is, const char *needle)
{
	size_t i;

	for (i = 0; i < is->nr; i++)
		if (strstr(is->v[i].text, needle))
			return 1;
	return 0;
}

static void
assert_reason(const struct nutconf_issues *is, const char *want)
{
	size_t i;

	if (has_text(is, want))
		return;
	for (i = 0; i < is->nr; i++)
		fprintf(stderr, "  have: %s\n", is->v[i].text);
	fail_msg("missing: %s", want);
}

static void
analyze_mon(struct nutconf_upsmon *a, const char *text,
    enum nutconf_backend be)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	parse_str(&f, text);
	nutconf_upsmon_analyze(a, &f, be);
	nutconf_file_release(&f);
}

static void
analyze_upsd(struct nutconf_upsd *a, const char *text,
    enum nutconf_backend be)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	parse_str(&f, text);
	nutconf_upsd_analyze(a, &f, be);
	nutconf_file_release(&f);
}

static const struct nutconf_client_fix fix_cert = { "/etc/nut/cert", NULL, 0 };

/* Patch text (expecting success) and check a second run is identical. */
static char *
patch_mon(const char *text, size_t len, const struct nutconf_client_fix *fx,
    size_t *outlen)
{
	struct strbuf o1 = STRBUF_INIT, o2 = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (nutconf_patch_upsmon(text, len, fx, &o1, &e) < 0)
		fail_msg("patch failed: %s", e.msg.buf);
	if (nutconf_patch_upsmon(o1.buf, o1.len, fx, &o2, &e) < 0)
		fail_msg("second patch failed: %s", e.msg.buf);
	if (o1.len != o2.len || memcmp(o1.buf, o2.buf, o1.len))
		fail_msg("not idempotent:\n%s\n----\n%s", o1.buf, o2.buf);
	strbuf_release(&o2);
	err_release(&e);
	*outlen = o1.len;
	return strbuf_detach(&o1, NULL);
}

static char *
patch_upsd(const char *text, size_t len, const struct nutconf_server_fix *fx,
    size_t *outlen)
{
	struct strbuf o1 = STRBUF_INIT, o2 = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (nutconf_patch_upsd(text, len, fx, &o1, &e) < 0)
		fail_msg("patch failed: %s", e.msg.buf);
	if (nutconf_patch_upsd(o1.buf, o1.len, fx, &o2, &e) < 0)
		fail_msg("second patch failed: %s", e.msg.buf);
	if (o1.len != o2.len || memcmp(o1.buf, o2.buf, o1.len))
		fail_msg("not idempotent:\n%s\n----\n%s", o1.buf, o2.buf);
	strbuf_release(&o2);
	err_release(&e);
	*outlen = o1.len;
	return strbuf_detach(&o1, NULL);
}

static void
assert_patch_mon(const char *in, const struct nutconf_client_fix *fx,
    const char *want)
{
	size_t n;
	char *got = patch_mon(in, strlen(in), fx, &n);

	if (n != strlen(want) || memcmp(got, want, n))
		fail_msg("patched:\n%s\n---- want:\n%s", got, want);
	free(got);
}

/* Refusal: returns -1, leaves out untouched, message contains want. */
static void
assert_mon_refused(const char *in, const struct nutconf_client_fix *fx,
    const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct err e = ERR_INIT;

	strbuf_addstr(&out, "keep");
	assert_int_equal(nutconf_patch_upsmon(in, strlen(in), fx, &out, &e), -1);
	assert_string_equal(out.buf, "keep");
	if (strstr(e.msg.buf, want) == NULL)
		fail_msg("error '%s' lacks '%s'", e.msg.buf, want);
	strbuf_release(&out);
	err_release(&e);
}

static void
assert_upsd_refused(const char *in, const struct nutconf_server_fix *fx,
    const char *want)
{
	struct strbuf out = STRBUF_INIT;
	struct err e = ERR_INIT;

	assert_int_equal(nutconf_patch_upsd(in, strlen(in), fx, &out, &e), -1);
	assert_int_equal(out.len, 0);
	if (strstr(e.msg.buf, want) == NULL)
		fail_msg("error '%s' lacks '%s'", e.msg.buf, want);
	strbuf_release(&out);
	err_release(&e);
}

/* ----------------------------------------------------------- tokenizer */

static void
t_tok_basic(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	(void)state;
	parse_str(&f, "# c\n\n  CERTPATH  /etc/nut/cert\t# x\nFORCESSL 1\n");
	assert_int_equal(f.nr, 4);
	assert_int_equal(f.nr_phys, 4);
	assert_words(&f, 0, "");
	assert_words(&f, 2, "CERTPATH|/etc/nut/cert");
	assert_int_equal(f.lines[2].line, 3);
	assert_int_equal(f.lines[2].w[0].col, 3);
	assert_int_equal(f.lines[2].w[1].col, 13);
	assert_int_equal(f.lines[2].w[1].off, 5 + 12);
	assert_int_equal(f.lines[2].w[1].end, 5 + 25);
	assert_string_equal(f.eol, "\n");
	assert_true(f.final_newline);
	assert_tiling(&f);
	nutconf_file_release(&f);
}

static void
t_tok_equals(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	(void)state;
	parse_str(&f, "certverify = yes\ncertverify=yes\na==b\n\"x=y\" \\=z\n");
	assert_words(&f, 0, "certverify|=|yes");
	assert_words(&f, 1, "certverify|=|yes");
	assert_words(&f, 2, "a|=|=|b");
	assert_words(&f, 3, "x=y|=z");
	assert_int_equal(f.lines[1].w[1].off, 17 + 10);
	assert_int_equal(f.lines[1].w[1].end, 17 + 11);
	assert_tiling(&f);
	nutconf_file_release(&f);
}

static void
t_tok_quotes(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	const char *s = "A \"b c\" d\\ e \"x\\\"y\" \"p\\\\q\" \"h\\#i\" \"\" ab\"cd\"\n"
	    "\"q1\"q2 \"unterminated\n";

	(void)state;
	parse_str(&f, s);
	assert_words(&f, 0, "A|b c|d e|x\"y|p\\q|h#i||ab\"cd\"");
	assert_true(f.lines[0].w[1].quoted);
	assert_false(f.lines[0].w[2].quoted);
	assert_int_equal(f.lines[0].w[1].off, 2);
	assert_int_equal(f.lines[0].w[1].end, 7);
	/* a closing quote ends the word; the unterminated one runs to EOF */
	assert_words(&f, 1, "q1|q2|unterminated");
	assert_tiling(&f);
	nutconf_file_release(&f);
}

static void
t_tok_comment_midword(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	(void)state;
	parse_str(&f, "a#b c\nx\\#y z\n#only\n");
	assert_words(&f, 0, "a");
	assert_words(&f, 1, "x#y|z");
	assert_words(&f, 2, "");
	nutconf_file_release(&f);
}

static void
t_tok_parse_error(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	(void)state;
	/* What NUT 2.8.0's upsmon reports for this file: "Parse error:
	 * t:1", "line 2: invalid directive y" z w", "line 3: ... C 1". */
	parse_str(&f, "B \"x#y\" z w\nC 1\n");
	assert_int_equal(f.nr, 3);
	assert_true(f.lines[0].parse_error);
	assert_words(&f, 0, "B|x");
	assert_int_equal(f.lines[0].end, 5);
	assert_false(f.lines[1].parse_error);
	assert_words(&f, 1, "y\"|z|w");
	assert_int_equal(f.lines[1].line, 1);
	assert_int_equal(f.lines[1].nut_line, 2);
	assert_int_equal(f.lines[1].w[0].col, 6);
	assert_words(&f, 2, "C|1");
	assert_int_equal(f.lines[2].line, 2);
	assert_int_equal(f.lines[2].nut_line, 3);
	assert_tiling(&f);
	nutconf_file_release(&f);
}

static void
t_tok_continuation(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	(void)state;
	parse_str(&f, "D \\\n E\nF a\\\nb \"c\\\nd\"\nG \"multi\nline\" H\nI\n");
	assert_words(&f, 0, "D||E");     /* NUT makes an empty word */
	assert_int_equal(f.lines[0].line, 1);
	assert_int_equal(f.lines[0].last_line, 2);
	assert_words(&f, 1, "F|ab|cd");
	assert_words(&f, 2, "G|multiline|H");
	assert_int_equal(f.lines[2].line, 6);
	assert_int_equal(f.lines[2].last_line, 7);
	assert_words(&f, 3, "I");
	assert_int_equal(f.lines[3].line, 8);
	assert_int_equal(f.lines[3].nut_line, 4);
	assert_tiling(&f);
	nutconf_file_release(&f);
}

static void
t_tok_crlf(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	(void)state;
	parse_str(&f, "A b\r\nC \"d\r\ne\"\r\nH a\\\r\nI\r\n");
	assert_string_equal(f.eol, "\r\n");
	assert_words(&f, 0, "A|b");
	assert_words(&f, 1, "C|de");     /* CR and LF dropped inside quotes */
	/* backslash + CR LF does not join: the CR is eaten, LF ends */
	assert_words(&f, 2, "H|a");
	assert_words(&f, 3, "I");
	assert_tiling(&f);
	nutconf_file_release(&f);
}

static void
t_tok_bytes_and_limits(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct strbuf sb = STRBUF_INIT;
	int i;

	(void)state;
	nutconf_parse(&f, "A b\001c \303\251d e\177f\0g\n",
	    sizeof("A b\001c \303\251d e\177f\0g\n") - 1);
	assert_words(&f, 0, "A|bc|d|e\177fg");
	nutconf_file_release(&f);

	strbuf_addstr(&sb, "W");
	for (i = 0; i < 40; i++)
		strbuf_addf(&sb, " w%d", i);
	strbuf_addstr(&sb, "\nL ");
	for (i = 0; i < 600; i++)
		strbuf_addch(&sb, 'x');
	strbuf_addstr(&sb, " y\n");
	nutconf_parse(&f, sb.buf, sb.len);
	assert_int_equal(f.lines[0].nr, NUTCONF_MAX_WORDS);
	assert_int_equal(f.lines[0].dropped, 41 - NUTCONF_MAX_WORDS);
	assert_int_equal(strlen(f.lines[1].w[1].val), NUTCONF_MAX_WORDLEN);
	assert_string_equal(f.lines[1].w[2].val, "y");
	assert_tiling(&f);
	nutconf_file_release(&f);
	strbuf_release(&sb);
}

static void
t_tok_eof(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;

	(void)state;
	parse_str(&f, "A 1\nFORCESSL");
	assert_false(f.final_newline);
	assert_true(f.lines[1].eof_lost);    /* NUT drops a lone last word */
	assert_words(&f, 1, "FORCESSL");
	nutconf_file_release(&f);

	parse_str(&f, "A 1\nFORCESSL 1");
	assert_false(f.lines[1].eof_lost);
	assert_words(&f, 1, "FORCESSL|1");
	nutconf_file_release(&f);

	parse_str(&f, "X \"");
	assert_words(&f, 0, "X");
	assert_false(f.lines[0].eof_lost);
	assert_true(f.eof_open);
	nutconf_file_release(&f);

	parse_str(&f, "X \"a\"");
	assert_false(f.eof_open);
	nutconf_file_release(&f);

	parse_str(&f, "X a\\");
	assert_true(f.eof_open);
	assert_words(&f, 0, "X|a");
	nutconf_file_release(&f);

	parse_str(&f, "X a\\\n");     /* the newline is joined, not ended */
	assert_true(f.eof_open);
	assert_true(f.final_newline);
	nutconf_file_release(&f);

	parse_str(&f, "X a\\\r\n");   /* CR LF does end it */
	assert_false(f.eof_open);
	nutconf_file_release(&f);

	parse_str(&f, "X a");
	assert_false(f.eof_open);
	nutconf_file_release(&f);

	parse_str(&f, "");
	assert_int_equal(f.nr, 0);
	assert_int_equal(f.nr_phys, 0);
	assert_true(f.final_newline);
	nutconf_file_release(&f);
}

static void
t_quote_roundtrip(void **state)
{
	static const char *const vals[] = {
		"/etc/nut/cert", "", "a b", "q\"uote", "back\\slash", "ha#sh",
		"e=q", "=", "all \" \\ # = of it", "~!$%^&*()'", NULL
	};
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct strbuf sb = STRBUF_INIT;
	char big[NUTCONF_MAX_WORDLEN + 2];
	size_t i;

	(void)state;
	for (i = 0; vals[i] != NULL; i++) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "K ");
		assert_int_equal(nutconf_quote(&sb, vals[i], i % 2), 0);
		strbuf_addch(&sb, '\n');
		nutconf_parse(&f, sb.buf, sb.len);
		assert_int_equal(f.nr, 1);
		assert_false(f.lines[0].parse_error);
		assert_int_equal(f.lines[0].nr, 2);
		assert_string_equal(f.lines[0].w[1].val, vals[i]);
		nutconf_file_release(&f);
	}
	strbuf_reset(&sb);
	assert_int_equal(nutconf_quote(&sb, "/etc/nut/cert", 0), 0);
	assert_string_equal(sb.buf, "/etc/nut/cert");
	strbuf_reset(&sb);
	assert_int_equal(nutconf_quote(&sb, "p\"w\\#", 0), 0);
	assert_string_equal(sb.buf, "\"p\\\"w\\\\\\#\"");
	strbuf_reset(&sb);
	assert_int_equal(nutconf_quote(&sb, "new\nline", 0), -1);
	assert_int_equal(nutconf_quote(&sb, "caf\303\251", 1), -1);
	assert_int_equal(nutconf_quote(&sb, "del\177", 1), -1);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(nutconf_quote(&sb, big, 0), -1);
	big[NUTCONF_MAX_WORDLEN] = '\0';
	assert_int_equal(nutconf_quote(&sb, big, 0), 0);
	strbuf_release(&sb);
}

static void
t_numbers(void **state)
{
	(void)state;
	assert_int_equal(nutconf_atoi("1"), 1);
	assert_int_equal(nutconf_atoi("yes"), 0);
	assert_int_equal(nutconf_atoi(" 2x"), 2);
	assert_int_equal(nutconf_atoi("-1"), -1);
	assert_int_equal(nutconf_atoi("="), 0);
	assert_int_equal(nutconf_atoi(""), 0);
	assert_int_equal(nutconf_boolean("TRUE"), 1);
	assert_int_equal(nutconf_boolean("on"), 1);
	assert_int_equal(nutconf_boolean("Yes"), 1);
	assert_int_equal(nutconf_boolean("1"), 1);
	assert_int_equal(nutconf_boolean("off"), 0);
	assert_int_equal(nutconf_boolean("No"), 0);
	assert_int_equal(nutconf_boolean("0"), 0);
	assert_int_equal(nutconf_boolean("enable"), -1);
	assert_int_equal(nutconf_boolean("2"), -1);
	assert_int_equal(nutconf_boolean(""), -1);
}

/* ------------------------------------------------------- upsmon analysis */

static void
t_mon_debian(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a;
	size_t n;
	char *buf = fixture("debian-upsmon.conf", &n);

	(void)state;
	nutconf_parse(&f, buf, n);
	assert_tiling(&f);
	nutconf_upsmon_analyze(&a, &f, NUTCONF_BACKEND_NSS);
	assert_true(a.vulnerable);
	assert_false(a.tls_enforced);
	assert_false(a.certverify.set);
	assert_false(a.forcessl.set);
	assert_false(a.certpath.set);
	assert_int_equal(a.nr_monitors, 0);
	assert_int_equal(a.nr_bad, 0);     /* "# CERTVERIFY 1" is a comment */
	assert_int_equal(a.reasons.nr, 3);
	assert_reason(&a.reasons, "CERTVERIFY is not set (default 0): server "
	    "certificates are not verified");
	assert_reason(&a.reasons, "FORCESSL is not set (default 0): upsmon "
	    "falls back to plaintext");
	assert_reason(&a.reasons, "CERTPATH is not set: there is no CA to "
	    "verify server certificates against");
	assert_int_equal(a.notes.nr, 0);
	nutconf_upsmon_release(&a);
	nutconf_file_release(&f);
	free(buf);
}

static void
t_mon_seed(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a;
	size_t n;
	char *buf = fixture("seed-upsmon.conf", &n);

	(void)state;
	nutconf_parse(&f, buf, n);
	nutconf_upsmon_analyze(&a, &f, NUTCONF_BACKEND_UNKNOWN);
	assert_true(a.vulnerable);
	assert_false(a.certverify.set);     /* the seed's lines set nothing */
	assert_false(a.forcessl.set);
	assert_int_equal(a.nr_bad, 2);
	assert_int_equal(a.bad[0].line, 4);
	assert_string_equal(a.bad[0].directive, "CERTVERIFY");
	assert_false(a.bad[0].accepted);
	assert_string_equal(a.bad[1].directive, "FORCESSL");
	assert_reason(&a.reasons, "CERTVERIFY is not set (default 0): server "
	    "certificates are not verified");
	assert_reason(&a.reasons, "line 4: 'certverify = yes' is ignored by "
	    "upsmon (keywords are uppercase and take no '=')");
	assert_reason(&a.reasons, "line 5: 'forcssl = yes' is ignored by "
	    "upsmon (misspelled, the keyword is 'FORCESSL'; keywords take no "
	    "'=')");
	assert_int_equal(a.reasons.nr, 5);
	assert_reason(&a.notes, "line 2: upsmon has no directive 'server' (the "
	    "line is ignored)");
	assert_reason(&a.notes, "line 3: upsmon has no directive 'port' (the "
	    "line is ignored)");
	nutconf_upsmon_release(&a);
	nutconf_file_release(&f);
	free(buf);
}

static void
t_mon_fixed(void **state)
{
	struct nutconf_upsmon a;

	(void)state;
	analyze_mon(&a, "MONITOR ups@nut1 1 mon pw primary\nCERTPATH "
	    "/etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\nCERTHOST nut1 \"nut1\" 1 "
	    "1\n", NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	assert_true(a.tls_enforced);
	assert_int_equal(a.reasons.nr, 0);
	assert_int_equal(a.notes.nr, 0);
	assert_string_equal(a.certpath.raw, "/etc/nut/cert");
	assert_int_equal(a.certpath.line, 2);
	assert_int_equal(a.certverify.num, 1);
	assert_int_equal(a.nr_certhosts, 1);
	assert_true(a.certhosts[0].effective);
	assert_true(a.certhosts[0].monitored);
	nutconf_upsmon_release(&a);
}

static void
t_mon_last_wins(void **state)
{
	struct nutconf_upsmon a;

	(void)state;
	analyze_mon(&a, "CERTPATH /a\nCERTVERIFY 1\nFORCESSL 1\nCERTVERIFY 0\n"
	    "CERTPATH /b\n", NUTCONF_BACKEND_NSS);
	assert_int_equal(a.certverify.num, 0);
	assert_int_equal(a.certverify.line, 4);
	assert_string_equal(a.certpath.raw, "/b");
	assert_reason(&a.reasons, "line 4: CERTVERIFY is 0: server "
	    "certificates are not verified");
	assert_int_equal(a.reasons.nr, 1);
	nutconf_upsmon_release(&a);
}

static void
t_mon_values(void **state)
{
	struct nutconf_upsmon a;

	(void)state;
	analyze_mon(&a, "CERTPATH /a\nCERTVERIFY yes\nFORCESSL 2\n",
	    NUTCONF_BACKEND_NSS);
	assert_reason(&a.reasons, "line 2: CERTVERIFY is 'yes', which upsmon "
	    "reads as 0: server certificates are not verified");
	assert_reason(&a.reasons, "line 3: FORCESSL is 2: upsmon falls back "
	    "to plaintext (only 1 turns it on)");
	assert_int_equal(a.reasons.nr, 2);  /* no second reason for line 2 */
	assert_int_equal(a.nr_bad, 1);
	assert_true(a.bad[0].accepted);
	nutconf_upsmon_release(&a);

	analyze_mon(&a, "CERTPATH = /etc/nut/cert\nCERTVERIFY = 1\nFORCESSL "
	    "1\n", NUTCONF_BACKEND_NSS);
	assert_string_equal(a.certpath.raw, "=");
	assert_string_equal(a.certverify.raw, "=");
	assert_false(a.tls_enforced);
	assert_reason(&a.reasons, "line 1: 'CERTPATH = /etc/nut/cert' is "
	    "misread by upsmon (keywords take no '=': upsmon reads '=' as a "
	    "value)");
	assert_reason(&a.reasons, "line 2: CERTVERIFY is '=', which upsmon "
	    "reads as 0: server certificates are not verified");
	nutconf_upsmon_release(&a);

	/* atoi("1abc") is 1: NUT turns it on, nothing to report */
	analyze_mon(&a, "CERTPATH /a\nCERTVERIFY 1abc\nFORCESSL \"1\"\n",
	    NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	nutconf_upsmon_release(&a);
}

static void
t_mon_bad_lines(void **state)
{
	struct nutconf_upsmon a;

	(void)state;
	analyze_mon(&a, "CERTPATH /a\nCERTVERIFY 1\nFORCESSL 1\nForceSSL 1\n"
	    "CERTVERFY 1\nCERTVERIFY\nCERTHOST h n 1\ncerthost h \"n\" 1 1\n"
	    "CERTPATH \"/etc/nut#x\"\nFORCESSL", NUTCONF_BACKEND_NSS);
	assert_int_equal(a.nr_bad, 7);
	assert_reason(&a.reasons, "line 4: 'ForceSSL 1' is ignored by upsmon "
	    "(keywords are uppercase)");
	assert_reason(&a.reasons, "line 5: 'CERTVERFY 1' is ignored by upsmon "
	    "(misspelled, the keyword is 'CERTVERIFY')");
	assert_reason(&a.reasons, "line 6: 'CERTVERIFY' is ignored by upsmon "
	    "(missing value)");
	assert_reason(&a.reasons, "line 7: 'CERTHOST h n 1' is ignored by "
	    "upsmon (CERTHOST needs a host, a certificate name and two flags)");
	assert_reason(&a.reasons, "line 8: 'certhost h \"n\" 1 1' is ignored "
	    "by upsmon (keywords are uppercase)");
	assert_reason(&a.reasons, "line 9: 'CERTPATH \"/etc/nut\" ...' is "
	    "ignored by upsmon (parse error: unescaped '#' inside quotes)");
	assert_reason(&a.reasons, "line 10: 'FORCESSL' is ignored by upsmon "
	    "(missing value)");
	assert_string_equal(a.certpath.raw, "/a");  /* line 9 did not count */
	assert_true(a.vulnerable);
	assert_true(a.tls_enforced);   /* the effective settings are right */
	nutconf_upsmon_release(&a);
}

static void
t_mon_certhost(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a;
	size_t n;
	char *buf = fixture("mixed-upsmon.conf", &n);

	(void)state;
	nutconf_parse(&f, buf, n);
	assert_string_equal(f.eol, "\r\n");
	assert_false(f.final_newline);
	nutconf_upsmon_analyze(&a, &f, NUTCONF_BACKEND_NSS);
	assert_int_equal(a.nr_monitors, 2);
	assert_string_equal(a.monitors[0].upsname, "ups1");
	assert_string_equal(a.monitors[0].host, "nut1.example");
	assert_int_equal(a.monitors[0].port, 3493);
	assert_string_equal(a.monitors[0].password, "Sup3r#Secret \"pw\"");
	assert_string_equal(a.monitors[0].role, "primary");
	assert_string_equal(a.monitors[1].host, "fd00::5");
	assert_string_equal(a.certpath.raw, "/etc/nut/old cert");
	assert_int_equal(a.forcessl.num, 0);
	assert_int_equal(a.forcessl.line, 8);
	assert_int_equal(a.nr_certhosts, 4);
	assert_false(a.certhosts[0].effective);   /* line 11 overrides it */
	assert_true(a.certhosts[2].effective);
	assert_false(a.certhosts[3].monitored);
	assert_reason(&a.reasons, "line 11: CERTHOST for 'nut1.example' lets "
	    "upsmon fall back to plaintext (forcessl 0)");
	assert_reason(&a.reasons, "line 10: CERTHOST for 'fd00::5' lets upsmon "
	    "fall back to plaintext (forcessl 0)");
	assert_false(any_contains(&a.reasons, "other.example"));
	assert_reason(&a.notes, "line 12: CERTHOST switches TLS checks off for "
	    "a host no MONITOR line uses");
	assert_reason(&a.reasons, "line 14: 'FORCSSL yes' is ignored by upsmon "
	    "(misspelled, the keyword is 'FORCESSL')");
	assert_int_equal(a.reasons.nr, 6);
	nutconf_upsmon_release(&a);

	/* OpenSSL builds ignore CERTHOST altogether */
	nutconf_upsmon_analyze(&a, &f, NUTCONF_BACKEND_OPENSSL);
	assert_false(any_contains(&a.reasons, "CERTHOST for"));
	assert_int_equal(a.reasons.nr, 4);
	assert_reason(&a.notes, "line 9: CERTHOST is ignored by OpenSSL builds");
	nutconf_upsmon_release(&a);
	nutconf_file_release(&f);
	free(buf);
}

static void
t_mon_certhost_zero(void **state)
{
	struct nutconf_upsmon a;

	(void)state;
	analyze_mon(&a, "MONITOR u@host 1 m p secondary\nCERTPATH /a\n"
	    "CERTVERIFY 1\nFORCESSL 1\nCERTHOST host \"h\" 0 0\n",
	    NUTCONF_BACKEND_NSS);
	assert_reason(&a.reasons, "line 5: CERTHOST for 'host' disables "
	    "verification (0 0)");
	assert_int_equal(a.reasons.nr, 1);
	assert_false(a.tls_enforced);
	nutconf_upsmon_release(&a);

	analyze_mon(&a, "MONITOR u@host 1 m p secondary\nCERTPATH /a\n"
	    "CERTVERIFY 1\nFORCESSL 1\nCERTHOST host \"h\" off 1\n",
	    NUTCONF_BACKEND_NSS);
	assert_reason(&a.reasons, "line 5: CERTHOST for 'host' disables "
	    "verification (certverify 0)");
	assert_int_equal(a.nr_bad, 1);     /* 'off' is read as 0 */
	nutconf_upsmon_release(&a);
}

static void
t_mon_certverify_no_certpath(void **state)
{
	struct nutconf_upsmon a;

	(void)state;
	analyze_mon(&a, "CERTVERIFY 1\nFORCESSL 1\n", NUTCONF_BACKEND_NSS);
	assert_reason(&a.reasons, "CERTVERIFY is 1 but CERTPATH is not set: "
	    "upsmon drops every connection ('CERTVERIFY is set, but CERTPATH "
	    "isn't')");
	assert_int_equal(a.reasons.nr, 1);
	assert_false(a.tls_enforced);
	nutconf_upsmon_release(&a);

	analyze_mon(&a, "CERTPATH \"\"\nCERTVERIFY 1\nFORCESSL 1\n",
	    NUTCONF_BACKEND_NSS);
	assert_reason(&a.reasons, "line 1: CERTPATH is empty");
	nutconf_upsmon_release(&a);
}

static void
t_mon_certpath_state(void **state)
{
	struct nutconf_upsmon a;

	(void)state;
	analyze_mon(&a, "CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n",
	    NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	assert_true(a.tls_enforced);
	nutconf_upsmon_set_certpath_state(&a, NUTCONF_PATH_MISSING);
	assert_true(a.vulnerable);
	assert_false(a.tls_enforced);
	assert_reason(&a.reasons, "line 1: CERTPATH '/etc/nut/cert' does not "
	    "exist on the host");
	nutconf_upsmon_set_certpath_state(&a, NUTCONF_PATH_UNREADABLE);
	assert_int_equal(a.reasons.nr, 1);
	assert_reason(&a.reasons, "line 1: CERTPATH '/etc/nut/cert' is not "
	    "readable by the nut user on the host");
	nutconf_upsmon_set_certpath_state(&a, NUTCONF_PATH_OK);
	assert_int_equal(a.reasons.nr, 0);
	assert_false(a.vulnerable);
	assert_true(a.tls_enforced);
	nutconf_upsmon_release(&a);
}

static const char *const secrets[] = {
	"Sup3r", "h1dden", "TopSecret", "Hush", "Psst", "quiet", NULL
};

static void
assert_no_secret(const struct nutconf_issues *is)
{
	size_t i, j;

	for (i = 0; i < is->nr; i++)
		for (j = 0; secrets[j] != NULL; j++)
			if (strstr(is->v[i].text, secrets[j]))
				fail_msg("secret '%s' in '%s'", secrets[j],
				    is->v[i].text);
}

static void
t_mon_secrets(void **state)
{
	struct nutconf_upsmon a;
	size_t i;
	const char *text =
	    "MONITOR ups@h 1 mon Sup3rSecret primary\n"
	    "MONITOR ups2@h 1 mon \"h1dden#x\" primary\n"
	    "MONITOR ups3@h 1 mon \"x#certverify TopSecret\" primary\n"
	    "certident \"me\" \"Hush\"\n"
	    "CERTIDENT me\n"
	    "CERTIDENT = me Psst\n"
	    "CERTIDNET me quiet\n"
	    "CERTIDENT \"me\" \"quiet\"\n";

	(void)state;
	analyze_mon(&a, text, NUTCONF_BACKEND_NSS);
	assert_true(a.notes.nr > 0);
	assert_no_secret(&a.reasons);
	assert_no_secret(&a.notes);
	for (i = 0; i < a.nr_bad; i++) {
		assert_null(strstr(a.bad[i].shown, "Hush"));
		assert_null(strstr(a.bad[i].shown, "Psst"));
		assert_null(strstr(a.bad[i].shown, "quiet"));
		assert_null(strstr(a.bad[i].shown, "TopSecret"));
	}
	/* the structs do hold them, for the module */
	assert_string_equal(a.certident.password, "quiet");
	assert_string_equal(a.monitors[0].password, "Sup3rSecret");
	nutconf_upsmon_release(&a);
}

/* ------------------------------------------------------- upsd analysis */

static void
t_upsd_debian(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsd a;
	size_t n;
	char *buf = fixture("debian-upsd.conf", &n);

	(void)state;
	nutconf_parse(&f, buf, n);
	assert_tiling(&f);
	nutconf_upsd_analyze(&a, &f, NUTCONF_BACKEND_NSS);
	assert_true(a.vulnerable);
	assert_false(a.tls_ready);
	assert_int_equal(a.nr_listens, 0);
	assert_int_equal(a.nr_bad, 0);
	assert_reason(&a.reasons, "CERTPATH is not set: upsd has no "
	    "certificate database and cannot offer STARTTLS");
	assert_reason(&a.reasons, "CERTIDENT is not set: upsd does not know "
	    "which certificate to serve");
	assert_reason(&a.reasons, "DISABLE_WEAK_SSL is not set (default off): "
	    "TLS 1.0 and 1.1 are accepted");
	assert_int_equal(a.reasons.nr, 3);
	assert_reason(&a.notes, "no LISTEN line: upsd listens on 127.0.0.1 and "
	    "::1 port 3493 only");
	nutconf_upsd_release(&a);

	nutconf_upsd_analyze(&a, &f, NUTCONF_BACKEND_OPENSSL);
	assert_reason(&a.reasons, "CERTFILE is not set: upsd cannot offer "
	    "STARTTLS");
	assert_int_equal(a.reasons.nr, 2);
	nutconf_upsd_release(&a);

	nutconf_upsd_analyze(&a, &f, NUTCONF_BACKEND_UNKNOWN);
	assert_true(any_contains(&a.reasons, "no server certificate is "
	    "configured"));
	nutconf_upsd_release(&a);
	nutconf_file_release(&f);
	free(buf);
}

static void
t_upsd_partial(void **state)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsd a;
	size_t n;
	char *buf = fixture("partial-upsd.conf", &n);

	(void)state;
	nutconf_parse(&f, buf, n);
	nutconf_upsd_analyze(&a, &f, NUTCONF_BACKEND_NSS);
	assert_int_equal(a.nr_listens, 2);
	assert_string_equal(a.listens[1].addr, "::");
	assert_string_equal(a.listens[1].port, "3493");
	assert_false(a.certpath.set);      /* lowercase: ignored */
	assert_false(a.certfile.set);      /* not on NSS */
	assert_true(a.certident.set);
	assert_string_equal(a.certident.name, "old nick");
	assert_string_equal(a.certident.password, "0ld#Passw0rd");
	assert_int_equal(a.disable_weak_ssl.num, 0);
	assert_false(a.nss_ready);
	assert_reason(&a.notes, "line 4: CERTFILE is not valid on NSS builds "
	    "(upsd ignores it)");
	assert_reason(&a.reasons, "line 7: DISABLE_WEAK_SSL is 'no': TLS 1.0 "
	    "and 1.1 are accepted");
	assert_reason(&a.reasons, "line 5: 'certpath /etc/nut/cert' is ignored "
	    "by upsd (keywords are uppercase)");
	assert_reason(&a.reasons, "line 8: 'DISABLE_WEAK_SSL = true' is "
	    "ignored by upsd (keywords take no '=': upsd reads '=' as a value)");
	assert_false(any_contains(&a.reasons, "Passw0rd"));
	assert_false(any_contains(&a.notes, "Passw0rd"));
	nutconf_upsd_release(&a);

	nutconf_upsd_analyze(&a, &f, NUTCONF_BACKEND_OPENSSL);
	assert_true(a.openssl_ready);
	assert_true(a.tls_ready);
	assert_string_equal(a.certfile.raw, "/etc/nut/upsd.pem");
	assert_reason(&a.notes, "line 6: CERTIDENT is not valid on OpenSSL "
	    "builds (upsd ignores it)");
	assert_reason(&a.notes, "line 5: CERTPATH is not valid on OpenSSL "
	    "builds (upsd ignores it)");
	assert_int_equal(a.reasons.nr, 2);
	nutconf_upsd_set_cert_state(&a, NUTCONF_PATH_MISSING);
	assert_reason(&a.reasons, "line 4: CERTFILE '/etc/nut/upsd.pem' does "
	    "not exist on the host");
	nutconf_upsd_release(&a);
	nutconf_file_release(&f);
	free(buf);
}

static void
t_upsd_ready(void **state)
{
	struct nutconf_upsd a;

	(void)state;
	analyze_upsd(&a, "CERTPATH /etc/nut/cert\nCERTIDENT \"n\" \"p\"\n"
	    "DISABLE_WEAK_SSL Yes\nLISTEN 127.0.0.1\n", NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	assert_true(a.tls_ready);
	assert_int_equal(a.disable_weak_ssl.num, 1);
	assert_int_equal(a.notes.nr, 1);   /* upsd cannot refuse plaintext */
	nutconf_upsd_set_cert_state(&a, NUTCONF_PATH_UNREADABLE);
	assert_true(a.vulnerable);
	nutconf_upsd_set_cert_state(&a, NUTCONF_PATH_OK);
	assert_false(a.vulnerable);
	nutconf_upsd_release(&a);

	analyze_upsd(&a, "DISABLE_WEAK_SSL enable\n", NUTCONF_BACKEND_NSS);
	assert_false(a.disable_weak_ssl.set);
	assert_reason(&a.reasons, "line 1: 'DISABLE_WEAK_SSL enable' is "
	    "ignored by upsd ('enable' is not a boolean: use true)");
	nutconf_upsd_release(&a);
}

/* ------------------------------------------------------- upsmon patch */

static void
t_patch_seed(void **state)
{
	size_t n, wn, on;
	char *in = fixture("seed-upsmon.conf", &n);
	char *want = fixture("seed-upsmon.fixed.conf", &wn);
	char *out = patch_mon(in, n, &fix_cert, &on);
	struct nutconf_upsmon a;

	(void)state;
	assert_int_equal(on, wn);
	assert_memory_equal(out, want, wn);
	analyze_mon(&a, out, NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	assert_true(a.tls_enforced);
	nutconf_upsmon_release(&a);
	free(in);
	free(want);
	free(out);
}

static void
t_patch_mixed(void **state)
{
	static const struct nutconf_certhost_req req[] = {
		{ "fd00::5", "nut2.example" },
	};
	struct nutconf_client_fix fx = { "/etc/nut/cert", req, 1 };
	size_t n, wn, on;
	char *in = fixture("mixed-upsmon.conf", &n);
	char *want = fixture("mixed-upsmon.fixed.conf", &wn);
	char *out = patch_mon(in, n, &fx, &on);
	struct nutconf_upsmon a;

	(void)state;
	assert_int_equal(on, wn);
	assert_memory_equal(out, want, wn);
	assert_int_equal(out[on - 1], ')');   /* still no final newline */
	analyze_mon(&a, out, NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	assert_true(a.tls_enforced);
	assert_int_equal(a.nr_certhosts, 3);
	assert_string_equal(a.certhosts[1].name, "nut2.example");
	assert_string_equal(a.monitors[0].password, "Sup3r#Secret \"pw\"");
	nutconf_upsmon_release(&a);
	free(in);
	free(want);
	free(out);
}

static void
t_patch_debian(void **state)
{
	const char *tail = "# mend: enforce verified TLS\nCERTPATH "
	    "/etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n";
	size_t n, on;
	char *in = fixture("debian-upsmon.conf", &n);
	char *out = patch_mon(in, n, &fix_cert, &on);
	struct nutconf_upsmon a;

	(void)state;
	assert_int_equal(on, n + strlen(tail));
	assert_memory_equal(out, in, n);
	assert_memory_equal(out + n, tail, strlen(tail));
	analyze_mon(&a, out, NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	nutconf_upsmon_release(&a);
	free(in);
	free(out);
}

static void
t_patch_in_place(void **state)
{
	(void)state;
	/* first kept, wrong value rewritten in place, duplicates removed */
	assert_patch_mon("A 1\n\tCERTVERIFY 0 # was off\nCERTPATH /x\n"
	    "CERTVERIFY 1\nFORCESSL 1\nFORCESSL 1\n# end\n", &fix_cert,
	    "A 1\n\tCERTVERIFY 1 # was off\nCERTPATH /etc/nut/cert\n"
	    "# mend: removed duplicate 'CERTVERIFY 1'\nFORCESSL 1\n"
	    "# mend: removed duplicate 'FORCESSL 1'\n# end\n");
	/* an effective line wins over an earlier ineffective one */
	assert_patch_mon("certverify 1\nCERTVERIFY 0\n", &fix_cert,
	    "# mend: removed 'certverify 1' (ignored by upsmon)\nCERTVERIFY 1\n"
	    "# mend: enforce verified TLS\nCERTPATH /etc/nut/cert\n"
	    "FORCESSL 1\n");
	/* a misread line is rewritten with a comment */
	assert_patch_mon("CERTPATH /etc/nut/cert\nCERTVERIFY yes\nFORCESSL = 1"
	    "\n", &fix_cert,
	    "CERTPATH /etc/nut/cert\n# mend: replaced 'CERTVERIFY yes' "
	    "(misread by upsmon)\nCERTVERIFY 1\n# mend: replaced 'FORCESSL = 1' "
	    "(misread by upsmon)\nFORCESSL 1\n");
	/* upsmon turns them on for exactly 1, not any non-zero value */
	assert_patch_mon("CERTPATH /etc/nut/cert\nCERTVERIFY 2\nFORCESSL -1\n",
	    &fix_cert, "CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n");
	/* a trailing garbage word is not a comment: not kept */
	assert_patch_mon("CERTPATH /etc/nut/cert\nCERTVERIFY 0 x\nFORCESSL 1\n",
	    &fix_cert, "CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n");
	/* multi-line directive replaced whole */
	assert_patch_mon("CERTPATH /etc/nut/cert\nCERTVERIFY \\\n0\nFORCESSL 1"
	    "\n", &fix_cert, "CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1"
	    "\n");
}

static void
t_patch_newlines(void **state)
{
	(void)state;
	assert_patch_mon("", &fix_cert, "# mend: enforce verified TLS\n"
	    "CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n");
	assert_patch_mon("A 1", &fix_cert, "A 1\n# mend: enforce verified TLS\n"
	    "CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1");
	assert_patch_mon("A 1\r\n", &fix_cert, "A 1\r\n# mend: enforce verified "
	    "TLS\r\nCERTPATH /etc/nut/cert\r\nCERTVERIFY 1\r\nFORCESSL 1\r\n");
	/* the lone last word NUT drops is replaced, no final newline kept */
	assert_patch_mon("CERTPATH /etc/nut/cert\nFORCESSL 1\nCERTVERIFY",
	    &fix_cert, "CERTPATH /etc/nut/cert\nFORCESSL 1\n# mend: replaced "
	    "'CERTVERIFY' (ignored by upsmon)\nCERTVERIFY 1");
	/* mixed endings: each line keeps its own */
	assert_patch_mon("A 1\r\nCERTVERIFY 0\nB 2\r\n", &fix_cert,
	    "A 1\r\nCERTVERIFY 1\nB 2\r\n# mend: enforce verified TLS\r\n"
	    "CERTPATH /etc/nut/cert\r\nFORCESSL 1\r\n");
}

static void
t_patch_open_quote(void **state)
{
	(void)state;
	/* NUT would read the appended lines as part of the open quote */
	assert_mon_refused("MONITOR u@h 1 m p primary\nNOTIFYMSG ONLINE \"open",
	    &fix_cert, "line 2: the file ends inside a quoted word");
	assert_mon_refused("CERTPATH /etc/nut/cert\nX \"a\\", &fix_cert,
	    "ends inside a quoted word");
	/* a dangling backslash would join the appended lines to the last */
	assert_mon_refused("CERTPATH /etc/nut/cert\nLISTEN 0.\\", &fix_cert,
	    "line 2: the file ends inside a quoted word or with a line-joining "
	    "backslash");
	assert_mon_refused("CERTPATH /etc/nut/cert\nLISTEN 0 \\\n", &fix_cert,
	    "line 2: the file ends inside a quoted word or with a line-joining "
	    "backslash");
	/* fine when nothing is appended, or the open line is replaced */
	assert_patch_mon("CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n"
	    "X \"open", &fix_cert, "CERTPATH /etc/nut/cert\nCERTVERIFY 1\n"
	    "FORCESSL 1\nX \"open");
	assert_patch_mon("CERTPATH \"/old", &fix_cert, "CERTPATH /etc/nut/cert"
	    "\n# mend: enforce verified TLS\nCERTVERIFY 1\nFORCESSL 1");
}

static void
t_patch_certpath(void **state)
{
	struct nutconf_client_fix keep = { NULL, NULL, 0 };
	struct nutconf_client_fix quoted = { "/etc/nut/my \"cert\"", NULL, 0 };

	(void)state;
	assert_patch_mon("CERTPATH /etc/ups/cert\n", &keep,
	    "CERTPATH /etc/ups/cert\n# mend: enforce verified TLS\n"
	    "CERTVERIFY 1\nFORCESSL 1\n");
	assert_mon_refused("CERTVERIFY 0\n", &keep, "without a CERTPATH");
	assert_mon_refused("certpath /etc/nut/cert\n", &keep,
	    "without a CERTPATH");
	assert_mon_refused("CERTPATH = /etc/nut/cert\n", &keep,
	    "without a CERTPATH");
	assert_mon_refused("CERTPATH \"\"\n", &keep, "without a CERTPATH");
	assert_patch_mon("CERTPATH /old\n", &quoted,
	    "CERTPATH \"/etc/nut/my \\\"cert\\\"\"\n# mend: enforce verified "
	    "TLS\nCERTVERIFY 1\nFORCESSL 1\n");
	quoted.certpath = "/etc/nut/\ncert";
	assert_mon_refused("", &quoted, "printable ASCII");
	assert_mon_refused("", NULL, "no client fix");
}

static void
t_patch_certhost_requests(void **state)
{
	struct nutconf_certhost_req req[2] = {
		{ "nut1", "nut1.example.org" }, { "nut1", "again" },
	};
	struct nutconf_client_fix fx = { "/etc/nut/cert", req, 1 };
	const char *in = "MONITOR ups@nut1:3493 1 mon pw primary\n";

	(void)state;
	assert_patch_mon(in, &fx, "MONITOR ups@nut1:3493 1 mon pw primary\n"
	    "# mend: enforce verified TLS\nCERTPATH /etc/nut/cert\nCERTVERIFY 1\n"
	    "FORCESSL 1\nCERTHOST nut1 \"nut1.example.org\" 1 1\n");
	fx.nr_certhosts = 2;
	assert_mon_refused(in, &fx, "certhost 'nut1' is given twice");
	req[0].host = "other";
	fx.nr_certhosts = 1;
	assert_mon_refused(in, &fx, "certhost 'other' is not a host of any "
	    "MONITOR line");
	req[0].host = "nut1";
	req[0].name = "";
	assert_mon_refused(in, &fx, "host and name are required");
	req[0].name = "bad\tname";
	assert_mon_refused(in, &fx, "cannot be written");
}

static void
t_patch_certhost_repair(void **state)
{
	(void)state;
	/* 0 flags repaired, the name NUT uses (the last) kept, bad lines
	 * removed, an unmonitored host repaired too */
	assert_patch_mon("MONITOR u@h 1 m p primary\nCERTPATH /etc/nut/cert\n"
	    "CERTVERIFY 1\nFORCESSL 1\nCERTHOST h \"a\" 0 0\ncerthost h \"z\" 0 0"
	    "\nCERTHOST h b 1 0\nCERTHOST = h n 1 1\nCERTHOST x \"y\" 0 1\n",
	    &fix_cert,
	    "MONITOR u@h 1 m p primary\nCERTPATH /etc/nut/cert\n"
	    "CERTVERIFY 1\nFORCESSL 1\nCERTHOST h \"b\" 1 1\n"
	    "# mend: removed 'certhost h \"z\" 0 0' (ignored by upsmon)\n"
	    "# mend: removed duplicate 'CERTHOST h b 1 0'\n"
	    "# mend: removed 'CERTHOST = h n 1 1' (misread by upsmon)\n"
	    "CERTHOST x \"y\" 1 1\n");
	/* flags NUT reads as 0 ("yes") are repaired in place, with a note */
	assert_patch_mon("MONITOR u@h 1 m p primary\nCERTPATH /etc/nut/cert\n"
	    "CERTVERIFY 1\nFORCESSL 1\nCERTHOST h \"a\" yes yes\n", &fix_cert,
	    "MONITOR u@h 1 m p primary\nCERTPATH /etc/nut/cert\n"
	    "CERTVERIFY 1\nFORCESSL 1\n# mend: replaced 'CERTHOST h \"a\" yes "
	    "yes' (misread by upsmon)\nCERTHOST h \"a\" 1 1\n");
}

static void
t_patch_parse_errors(void **state)
{
	(void)state;
	/* a TLS line with a parse error is replaced whole */
	assert_patch_mon("CERTPATH \"/etc/nut#old\" x\nCERTVERIFY 1\nFORCESSL 1"
	    "\n", &fix_cert,
	    "# mend: replaced 'CERTPATH \"/etc/nut\" ...' (ignored by "
	    "upsmon)\n"
	    "CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n");
	/* a directive NUT finds after another line's parse error cannot be
	 * rewritten safely: refused */
	assert_mon_refused("A \"#CERTVERIFY 0\nCERTPATH /x\n", &fix_cert,
	    "line 1: NUT splits this line");
	/* the same when the directive follows a TLS line's parse error
	 * (found by the fuzzer: it must not be skipped silently) */
	assert_mon_refused("CERTPATH /etc/nut/cert\nCERTIDENT \"x#CERTVERFY 1\n",
	    &fix_cert, "line 2: NUT splits this line");
	/* ... but left alone when already right */
	assert_patch_mon("A \"#CERTVERIFY 1\nCERTPATH /etc/nut/cert\nFORCESSL 1"
	    "\n", &fix_cert, "A \"#CERTVERIFY 1\nCERTPATH /etc/nut/cert\n"
	    "FORCESSL 1\n");
}

static void
t_patch_commented_defaults(void **state)
{
	const char *in = "# CERTVERIFY 1\n#FORCESSL 1\n   # CERTPATH /x\n";
	size_t on;
	char *out = patch_mon(in, strlen(in), &fix_cert, &on);

	(void)state;
	assert_memory_equal(out, in, strlen(in));
	assert_string_equal(out + strlen(in), "# mend: enforce verified TLS\n"
	    "CERTPATH /etc/nut/cert\nCERTVERIFY 1\nFORCESSL 1\n");
	free(out);
}

static void
t_patch_secrets_not_in_comments(void **state)
{
	struct nutconf_server_fix fx = {
		NUTCONF_BACKEND_NSS, "/etc/nut/cert", "nick", "NewPw", NULL, 1
	};
	const char *in = "certident \"nick\" \"TopSecret\"\nCERTIDENT n Hush\n"
	    "CERTIDENT n2 Psst\n";
	size_t on;
	char *out = patch_upsd(in, strlen(in), &fx, &on);

	(void)state;
	assert_null(strstr(out, "TopSecret"));
	assert_null(strstr(out, "Hush"));
	assert_null(strstr(out, "Psst"));
	assert_non_null(strstr(out, "# mend: removed 'certident \"nick\" ***' "
	    "(ignored by upsd)"));
	assert_non_null(strstr(out, "CERTIDENT \"nick\" \"NewPw\"\n"));
	free(out);
}

/* --------------------------------------------------------- upsd patch */

static void
t_upsd_patch_debian(void **state)
{
	struct nutconf_server_fix fx = {
		NUTCONF_BACKEND_NSS, "/etc/nut/cert", "nut server", "s3cret",
		NULL, 1
	};
	const char *tail = "# mend: enable TLS\nCERTPATH /etc/nut/cert\n"
	    "CERTIDENT \"nut server\" \"s3cret\"\nDISABLE_WEAK_SSL true\n";
	size_t n, on;
	char *in = fixture("debian-upsd.conf", &n);
	char *out = patch_upsd(in, n, &fx, &on);
	struct nutconf_upsd a;

	(void)state;
	assert_int_equal(on, n + strlen(tail));
	assert_memory_equal(out, in, n);
	assert_memory_equal(out + n, tail, strlen(tail));
	analyze_upsd(&a, out, NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	assert_true(a.tls_ready);
	nutconf_upsd_release(&a);
	free(in);
	free(out);
}

static void
t_upsd_patch_partial(void **state)
{
	struct nutconf_server_fix nss = {
		NUTCONF_BACKEND_NSS, "/etc/nut/cert", "nut server",
		"n3w\"pw\\x#", NULL, 1
	};
	struct nutconf_server_fix ossl = {
		NUTCONF_BACKEND_OPENSSL, NULL, NULL, NULL, "/etc/nut/upsd.pem", 1
	};
	size_t n, wn, on;
	char *in = fixture("partial-upsd.conf", &n);
	char *want = fixture("partial-upsd.nss.conf", &wn);
	char *out = patch_upsd(in, n, &nss, &on);
	struct nutconf_upsd a;

	(void)state;
	assert_int_equal(on, wn);
	assert_memory_equal(out, want, wn);
	analyze_upsd(&a, out, NUTCONF_BACKEND_NSS);
	assert_false(a.vulnerable);
	assert_string_equal(a.certident.password, "n3w\"pw\\x#");
	nutconf_upsd_release(&a);
	free(want);
	free(out);

	want = fixture("partial-upsd.openssl.conf", &wn);
	out = patch_upsd(in, n, &ossl, &on);
	assert_int_equal(on, wn);
	assert_memory_equal(out, want, wn);
	ossl.certfile = NULL;        /* keep the file's */
	free(out);
	out = patch_upsd(in, n, &ossl, &on);
	assert_memory_equal(out, want, wn);
	free(want);
	free(out);
	free(in);
}

static void
t_upsd_patch_refusals(void **state)
{
	struct nutconf_server_fix fx = {
		NUTCONF_BACKEND_UNKNOWN, "/c", "n", "p", "/f", 1
	};

	(void)state;
	assert_upsd_refused("", &fx, "backend must be known");
	fx.backend = NUTCONF_BACKEND_NSS;
	fx.certpath = NULL;
	assert_upsd_refused("", &fx, "no CERTPATH given");
	fx.certpath = "/c";
	fx.certident_password = NULL;
	assert_upsd_refused("", &fx, "needs both a name and a password");
	fx.certident_name = NULL;
	assert_upsd_refused("", &fx, "no CERTIDENT given");
	fx.certident_name = "";
	fx.certident_password = "p";
	assert_upsd_refused("", &fx, "nickname is empty");
	fx.certident_name = "n";
	fx.certident_password = "caf\303\251";
	assert_upsd_refused("", &fx, "cannot be written");
	fx.backend = NUTCONF_BACKEND_OPENSSL;
	fx.certfile = NULL;
	assert_upsd_refused("CERTFILE = x\n", &fx, "no CERTFILE given");
	assert_upsd_refused("", NULL, "no server fix");
}

static void
t_upsd_patch_keep(void **state)
{
	struct nutconf_server_fix fx = {
		NUTCONF_BACKEND_NSS, NULL, NULL, NULL, NULL, 1
	};
	const char *in = "CERTPATH /c # db\nCERTIDENT \"n\" \"p\"\n"
	    "DISABLE_WEAK_SSL on\nCERTIDENT n2 \"p2\"\n";
	size_t on;
	char *out = patch_upsd(in, strlen(in), &fx, &on);

	(void)state;
	/* the last CERTIDENT is the one NUT uses: it moves to the first */
	assert_string_equal(out, "CERTPATH /c # db\nCERTIDENT \"n2\" \"p2\"\n"
	    "DISABLE_WEAK_SSL on\n# mend: removed duplicate 'CERTIDENT n2 ***'"
	    "\n");
	free(out);
	fx.disable_weak_ssl = 0;
	in = "DISABLE_WEAK_SSL off\nCERTPATH /c\nCERTIDENT a b\n";
	out = patch_upsd(in, strlen(in), &fx, &on);
	assert_string_equal(out, in);      /* nothing to do */
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_tok_basic),
		cmocka_unit_test(t_tok_equals),
		cmocka_unit_test(t_tok_quotes),
		cmocka_unit_test(t_tok_comment_midword),
		cmocka_unit_test(t_tok_parse_error),
		cmocka_unit_test(t_tok_continuation),
		cmocka_unit_test(t_tok_crlf),
		cmocka_unit_test(t_tok_bytes_and_limits),
		cmocka_unit_test(t_tok_eof),
		cmocka_unit_test(t_quote_roundtrip),
		cmocka_unit_test(t_numbers),
		cmocka_unit_test(t_mon_debian),
		cmocka_unit_test(t_mon_seed),
		cmocka_unit_test(t_mon_fixed),
		cmocka_unit_test(t_mon_last_wins),
		cmocka_unit_test(t_mon_values),
		cmocka_unit_test(t_mon_bad_lines),
		cmocka_unit_test(t_mon_certhost),
		cmocka_unit_test(t_mon_certhost_zero),
		cmocka_unit_test(t_mon_certverify_no_certpath),
		cmocka_unit_test(t_mon_certpath_state),
		cmocka_unit_test(t_mon_secrets),
		cmocka_unit_test(t_upsd_debian),
		cmocka_unit_test(t_upsd_partial),
		cmocka_unit_test(t_upsd_ready),
		cmocka_unit_test(t_patch_seed),
		cmocka_unit_test(t_patch_mixed),
		cmocka_unit_test(t_patch_debian),
		cmocka_unit_test(t_patch_in_place),
		cmocka_unit_test(t_patch_newlines),
		cmocka_unit_test(t_patch_open_quote),
		cmocka_unit_test(t_patch_certpath),
		cmocka_unit_test(t_patch_certhost_requests),
		cmocka_unit_test(t_patch_certhost_repair),
		cmocka_unit_test(t_patch_parse_errors),
		cmocka_unit_test(t_patch_commented_defaults),
		cmocka_unit_test(t_patch_secrets_not_in_comments),
		cmocka_unit_test(t_upsd_patch_debian),
		cmocka_unit_test(t_upsd_patch_partial),
		cmocka_unit_test(t_upsd_patch_refusals),
		cmocka_unit_test(t_upsd_patch_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
