/*
 * fuzz_nutconf.c - libFuzzer harness for modules/nut/nutconf.c (NUT config
 * tokenizer, upsmon/upsd TLS analysis, patchers).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *       -o /tmp/fuzz_nutconf tests/fuzz/fuzz_nutconf.c modules/nut/nutconf.c \
 *       runner/util/strbuf.c runner/util/err.c runner/util/suggest.c -lpthread
 *   mkdir -p /tmp/fuzz_nutconf_corpus
 *   cp tests/unit/fixtures/nut/[a-z]*.conf /tmp/fuzz_nutconf_corpus/
 *   /tmp/fuzz_nutconf -max_total_time=60 -max_len=2048 \
 *       /tmp/fuzz_nutconf_corpus
 *
 * The input is a config file.  Two lines holding known secrets are put in
 * front of it (a MONITOR password, a CERTIDENT password).  Besides memory
 * errors it checks the contracts:
 *  - the logical lines tile the file, words lie inside them, in order,
 *    hold only bytes 0x20..0x7f, at most 512 of them, at most 32 words;
 *  - no reason, note, shown line or error message ever holds a secret, and
 *    none holds a control character;
 *  - a successful patch is idempotent; read back, it has CERTVERIFY 1,
 *    FORCESSL 1, the requested CERTPATH, every CERTHOST at non-zero flags
 *    and no ineffective CERTPATH/CERTVERIFY/FORCESSL/CERTHOST line (upsd:
 *    the enforced directives likewise); the comments it writes hold no
 *    secret;
 *  - every line group that holds no TLS-looking keyword is copied byte for
 *    byte, in order;
 *  - nutconf_quote() output reads back as the original string.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "modules/nut/nutconf.h"
#include "runner/util/suggest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET "ZQXSECRET"
static const char prefix[] =
    "MONITOR ups@nut1 1 mon \"" SECRET "MON\" primary\n"
    "CERTIDENT \"nick\" \"" SECRET "ID\"\n";

static int check_secrets;

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "contract broken: %s\n", what);
		abort();
	}
}

static int
has(const char *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle)) != NULL;
}

static void
check_text(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		check((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
		    "display text is printable");
	if (check_secrets)
		check(strstr(s, SECRET) == NULL, "no secret in display text");
}

static void
check_issues(const struct nutconf_issues *is)
{
	size_t i;

	for (i = 0; i < is->nr; i++)
		check_text(is->v[i].text);
}

static void
check_tokens(const struct nutconf_file *f)
{
	size_t i, j, off = 0;
	const char *p;

	for (i = 0; i < f->nr; i++) {
		const struct nutconf_line *l = &f->lines[i];

		check(l->off == off && l->end > l->off, "lines tile the file");
		check(l->nr <= NUTCONF_MAX_WORDS, "at most 32 words");
		for (j = 0; j < l->nr; j++) {
			const struct nutconf_word *w = &l->w[j];

			check(w->off >= l->off && w->end <= l->end &&
			    w->off <= w->end, "word inside its line");
			check(j == 0 || w->off >= l->w[j - 1].end, "words in order");
			check(strlen(w->val) <= NUTCONF_MAX_WORDLEN, "word length");
			for (p = w->val; *p; p++)
				check((unsigned char)*p >= 0x20 &&
				    (unsigned char)*p <= 0x7f, "word bytes");
		}
		off = l->end;
	}
	check(off == f->len, "lines cover the file");
}

/* ---- byte preservation: blocks as the patchers see them ---- */

static const char *const tls_words[] = {
	"CERTPATH", "CERTVERIFY", "FORCESSL", "CERTIDENT", "CERTHOST",
	"CERTFILE", "DISABLE_WEAK_SSL", NULL
};

static int
tls_looking(const char *w)
{
	char up[64];
	size_t i, n = strlen(w);

	if (n >= sizeof(up))
		return 0;
	for (i = 0; i <= n; i++)
		up[i] = w[i] >= 'a' && w[i] <= 'z' ? (char)(w[i] - 32) : w[i];
	for (i = 0; tls_words[i] != NULL; i++) {
		size_t m = strlen(tls_words[i]);

		/* the distance is at least the difference in length: skip
		 * the quadratic edit_distance (most of a run's time) */
		if (n + 1 < m || n > m + 1)
			continue;
		if (edit_distance_max(up, tls_words[i], 1) <= 1)
			return 1;
	}
	return 0;
}

/* Raw text of the blocks (lines joined after parse errors) that hold no
 * TLS-looking keyword and are not our comments, trailing EOL dropped,
 * joined by '\0'. */
static void
plain_blocks(const struct nutconf_file *f, struct strbuf *sb)
{
	size_t i = 0, j, end;

	while (i < f->nr) {
		size_t off = f->lines[i].off;
		int tls = 0;

		for (j = i; j < f->nr; j++) {
			const struct nutconf_line *l = &f->lines[j];

			tls |= l->nr > 0 && tls_looking(l->w[0].val);
			if (!l->parse_error)
				break;
		}
		if (j == f->nr)
			j--;
		end = f->lines[j].end;
		while (end > off && (f->buf[end - 1] == '\n' ||
		    f->buf[end - 1] == '\r'))
			end--;
		if (!tls && !(end - off >= 8 && !memcmp(f->buf + off,
		    "# mend: ", 8))) {
			strbuf_add(sb, f->buf + off, end - off);
			strbuf_addch(sb, '\0');
		}
		i = j + 1;
	}
}

static void
check_preserved(const char *in, size_t inlen, const char *out, size_t outlen)
{
	struct nutconf_file a = NUTCONF_FILE_INIT, b = NUTCONF_FILE_INIT;
	struct strbuf pa = STRBUF_INIT, pb = STRBUF_INIT;

	nutconf_parse(&a, in, inlen);
	nutconf_parse(&b, out, outlen);
	plain_blocks(&a, &pa);
	plain_blocks(&b, &pb);
	check(pa.len == pb.len && !memcmp(pa.buf, pb.buf, pa.len),
	    "non-TLS lines are kept byte for byte");
	strbuf_release(&pa);
	strbuf_release(&pb);
	nutconf_file_release(&a);
	nutconf_file_release(&b);
}

static void
check_comments(const char *out, size_t n)
{
	const char *p = out, *end = out + n;

	if (!check_secrets)
		return;
	while ((p = memmem(p, (size_t)(end - p), "# mend: ", 8)) != NULL) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t len = eol ? (size_t)(eol - p) : (size_t)(end - p);

		check(!has(p, len, SECRET), "no secret in our comments");
		p += len;
	}
}

/* ---- upsmon ---- */

static void
check_mon_result(const char *out, size_t n)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsmon a;
	size_t i;

	nutconf_parse(&f, out, n);
	nutconf_upsmon_analyze(&a, &f, NUTCONF_BACKEND_NSS);
	check(a.certverify.num == 1 && a.forcessl.num == 1,
	    "patched: CERTVERIFY 1, FORCESSL 1");
	check(a.certpath.set && !strcmp(a.certpath.raw, "/etc/nut/c a#b"),
	    "patched: CERTPATH as requested");
	for (i = 0; i < a.nr_certhosts; i++)
		check(a.certhosts[i].certverify && a.certhosts[i].forcessl,
		    "patched: CERTHOST flags on");
	for (i = 0; i < a.nr_bad; i++)
		check(!strcmp(a.bad[i].directive, "CERTIDENT"),
		    "patched: no ineffective TLS line left");
	nutconf_upsmon_release(&a);
	nutconf_file_release(&f);
}

static void
fuzz_upsmon(const char *buf, size_t len)
{
	static const struct nutconf_certhost_req req[] = { { "nut1", "n1" } };
	const struct nutconf_client_fix fx = { "/etc/nut/c a#b", req, 1 };
	struct strbuf o1 = STRBUF_INIT, o2 = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (nutconf_patch_upsmon(buf, len, &fx, &o1, &e) < 0) {
		check(e.count > 0 && o1.len == 0, "refusal has a message");
		check(!check_secrets || !strstr(e.msg.buf, SECRET),
		    "no secret in errors");
		goto out;
	}
	check(nutconf_patch_upsmon(o1.buf, o1.len, &fx, &o2, &e) == 0,
	    "patched file patches again");
	check(o1.len == o2.len && !memcmp(o1.buf, o2.buf, o1.len),
	    "patch is idempotent");
	check_mon_result(o1.buf, o1.len);
	check_preserved(buf, len, o1.buf, o1.len);
	check_comments(o1.buf, o1.len);
out:
	strbuf_release(&o1);
	strbuf_release(&o2);
	err_release(&e);
}

/* ---- upsd ---- */

static void
check_upsd_result(const char *out, size_t n, enum nutconf_backend be)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct nutconf_upsd a;

	nutconf_parse(&f, out, n);
	nutconf_upsd_analyze(&a, &f, be);
	check(a.tls_ready, "patched: TLS ready");
	check(a.disable_weak_ssl.num == 1, "patched: DISABLE_WEAK_SSL on");
	if (be == NUTCONF_BACKEND_NSS)
		check(!strcmp(a.certident.password, "p\"w\\#d") &&
		    !strcmp(a.certpath.raw, "/etc/nut/cert"),
		    "patched: NSS values");
	/* every TLS kind left is enforced or of the other backend (notes) */
	check(a.nr_bad == 0, "patched: no ineffective TLS line left");
	nutconf_upsd_release(&a);
	nutconf_file_release(&f);
}

static void
fuzz_upsd(const char *buf, size_t len, enum nutconf_backend be)
{
	const struct nutconf_server_fix fx = {
		be, "/etc/nut/cert", "nut server", "p\"w\\#d", "/etc/nut/u.pem", 1
	};
	struct strbuf o1 = STRBUF_INIT, o2 = STRBUF_INIT;
	struct err e = ERR_INIT;

	if (nutconf_patch_upsd(buf, len, &fx, &o1, &e) < 0) {
		check(e.count > 0 && o1.len == 0, "refusal has a message");
		check(!check_secrets || !strstr(e.msg.buf, SECRET),
		    "no secret in errors");
		goto out;
	}
	check(nutconf_patch_upsd(o1.buf, o1.len, &fx, &o2, &e) == 0,
	    "patched file patches again");
	check(o1.len == o2.len && !memcmp(o1.buf, o2.buf, o1.len),
	    "patch is idempotent");
	check_upsd_result(o1.buf, o1.len, be);
	check_preserved(buf, len, o1.buf, o1.len);
	check_comments(o1.buf, o1.len);
out:
	strbuf_release(&o1);
	strbuf_release(&o2);
	err_release(&e);
}

/* ---- analysis ---- */

static void
fuzz_analysis(const struct nutconf_file *f)
{
	static const enum nutconf_backend be[] = {
		NUTCONF_BACKEND_UNKNOWN, NUTCONF_BACKEND_NSS,
		NUTCONF_BACKEND_OPENSSL
	};
	struct nutconf_upsmon m;
	struct nutconf_upsd d;
	size_t i, j;

	for (i = 0; i < 3; i++) {
		nutconf_upsmon_analyze(&m, f, be[i]);
		nutconf_upsmon_set_certpath_state(&m, NUTCONF_PATH_MISSING);
		check_issues(&m.reasons);
		check_issues(&m.notes);
		for (j = 0; j < m.nr_bad; j++) {
			check_text(m.bad[j].shown);
			check_text(m.bad[j].why);
		}
		check(m.vulnerable == (m.reasons.nr > 0), "vulnerable");
		nutconf_upsmon_release(&m);

		nutconf_upsd_analyze(&d, f, be[i]);
		nutconf_upsd_set_cert_state(&d, NUTCONF_PATH_UNREADABLE);
		check_issues(&d.reasons);
		check_issues(&d.notes);
		for (j = 0; j < d.nr_bad; j++)
			check_text(d.bad[j].shown);
		nutconf_upsd_release(&d);
	}
}

static void
fuzz_quote(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	struct nutconf_file f = NUTCONF_FILE_INIT;
	char *s = strndup((const char *)data, size);

	strbuf_addstr(&sb, "K ");
	if (s != NULL && nutconf_quote(&sb, s, size & 1) == 0) {
		strbuf_addch(&sb, '\n');
		nutconf_parse(&f, sb.buf, sb.len);
		check(f.nr == 1 && !f.lines[0].parse_error &&
		    f.lines[0].nr == 2 && !strcmp(f.lines[0].w[1].val, s),
		    "quoted word reads back");
		nutconf_file_release(&f);
	}
	free(s);
	strbuf_release(&sb);
}

/* Could the input spell the marker itself, once NUT has dropped the bytes
 * it drops and taken escapes literally? */
static int
spells_secret(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int ret;

	for (i = 0; i < size; i++)
		if (data[i] >= 0x20 && data[i] <= 0x7f && data[i] != '\\')
			strbuf_addch(&sb, data[i]);
	ret = has(sb.buf, sb.len, SECRET);
	strbuf_release(&sb);
	return ret;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nutconf_file f = NUTCONF_FILE_INIT;
	struct strbuf in = STRBUF_INIT;

	check_secrets = !spells_secret(data, size);
	strbuf_addstr(&in, prefix);
	strbuf_add(&in, data, size);

	nutconf_parse(&f, in.buf, in.len);
	check_tokens(&f);
	fuzz_analysis(&f);
	nutconf_file_release(&f);

	fuzz_upsmon(in.buf, in.len);
	fuzz_upsd(in.buf, in.len, NUTCONF_BACKEND_NSS);
	fuzz_upsd(in.buf, in.len, NUTCONF_BACKEND_OPENSSL);
	fuzz_quote(data, size);
	strbuf_release(&in);
	return 0;
}
