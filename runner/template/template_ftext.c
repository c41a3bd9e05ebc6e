/*
 * template_ftext.c - filters on strings (Jinja2's and Ansible's, with
 * ansible-core 2.14's results):
 *   regex_search(regex, '\\1' | '\\g<name>'..., ignorecase, multiline)
 *   regex_replace(regex, replacement, ignorecase, multiline)
 *   format(args...): printf-style, as Jinja2's
 *   regex_findall(regex, multiline, ignorecase)  regex_escape
 *     Python `re` syntax through PCRE2 (the common subset is the same:
 *     classes, groups, (?P<name>), lookaround, non-greedy); replacement
 *     strings use Python's \1 \g<1> \g<name> and \n \t \\ escapes.
 *   replace(old, new, count)  split(sep, maxsplit)  indent(width, first,
 *   blank)  center(width)  capitalize  title  wordcount
 *   b64encode b64decode  hash(algo='sha1')  checksum  md5 sha1
 *   password_hash(scheme, salt, rounds): sha512_crypt / sha256_crypt /
 *     md5_crypt through crypt(3); a salt must be given (Ansible's random
 *     salt would make every run a change)
 *   basename dirname expanduser realpath splitext path_join
 *   abs  comment(style='plain')  urlencode
 *   truncate(length=255, killwords=False, end='...', leeway=5): Jinja2
 *     3.1 (Debian's python3-jinja2 3.1.2, which ansible-core 2.14 uses)
 */
#include <crypt.h>
#include <ctype.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

static const char *
sarg(const struct fargs *fa, int i, const char *dflt)
{
	return fa->set[i] && fa->a[i].v->type == V_STR ? fa->a[i].v->u.str.s :
	    dflt;
}

static int
barg(const struct fargs *fa, int i)
{
	return fa->set[i] && val_truthy(fa->a[i].v);
}

static void
str_of(const struct val *v, struct strbuf *sb)
{
	val_to_str_py(v, sb);
}

static void
set_sb(struct res *out, struct strbuf *sb)
{
	res_set(out, val_strn(sb->buf, sb->len));
	strbuf_release(sb);
}

/* ---- regular expressions ---- */

static pcre2_code *
re_compile(struct ectx *cx, const struct node *n, const char *re,
    int icase, int multi)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE at;
	pcre2_code *c;
	int ec;
	uint32_t opt = PCRE2_UTF | (icase ? PCRE2_CASELESS : 0) |
	    (multi ? PCRE2_MULTILINE : 0);

	c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, opt, &ec,
	    &at, NULL);
	if (c != NULL)
		return c;
	pcre2_get_error_message(ec, msg, sizeof(msg));
	terr_set(cx->err, n->off, "'%s': bad regular expression at offset "
	    "%zu: %s", n->name, (size_t)at, (const char *)msg);
	return NULL;
}

/* Expand a Python replacement template for one match. */
static int
re_expand(struct ectx *cx, const struct node *n, const char *rep,
    const char *subj, pcre2_code *c, pcre2_match_data *md,
    struct strbuf *sb)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t ng = pcre2_get_ovector_count(md);
	const char *p = rep, *e;
	long g;
	char name[64];

	for (; *p != '\0'; p++) {
		if (*p != '\\' || p[1] == '\0') {
			strbuf_addch(sb, *p);
			continue;
		}
		p++;
		g = -1;
		if (isdigit((unsigned char)*p)) {
			g = *p - '0';
			if (isdigit((unsigned char)p[1]))
				g = g * 10 + (*++p - '0');
		} else if (*p == 'g' && p[1] == '<' &&
		    (e = strchr(p, '>')) != NULL && e - p - 2 < 63) {
			snprintf(name, sizeof(name), "%.*s", (int)(e - p - 2),
			    p + 2);
			g = isdigit((unsigned char)name[0]) ? strtol(name, NULL,
			    10) : pcre2_substring_number_from_name(c,
			    (PCRE2_SPTR)name);
			p = e;
			if (g < 0)
				return terr_set(cx->err, n->off, "'%s': unknown "
				    "group name '%s'", n->name, name);
		} else {
			strbuf_addch(sb, *p == 'n' ? '\n' : *p == 't' ? '\t' :
			    *p == 'r' ? '\r' : *p == '\\' ? '\\' : '\\');
			if (strchr("ntr\\", *p) == NULL)
				strbuf_addch(sb, *p);
			continue;
		}
		if (g >= (long)ng)
			return terr_set(cx->err, n->off, "'%s': invalid group "
			    "reference %ld", n->name, g);
		if (ov[2 * g] != PCRE2_UNSET)
			strbuf_add(sb, subj + ov[2 * g], ov[2 * g + 1] -
			    ov[2 * g]);
	}
	return 0;
}

static int
f_regex_replace(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT, sb = STRBUF_INIT;
	pcre2_code *c;
	pcre2_match_data *md;
	PCRE2_SIZE at = 0, *ov;
	int64_t count = 0, done = 0;
	int ret = 0, rc;

	str_of(in->v, &s);
	c = re_compile(cx, n, sarg(fa, 0, ""), barg(fa, 2), barg(fa, 3));
	if (c == NULL) {
		strbuf_release(&s);
		return -1;
	}
	md = pcre2_match_data_create_from_pattern(c, NULL);
	while (at <= s.len && (count == 0 || done < count)) {
		rc = pcre2_match(c, (PCRE2_SPTR)s.buf, s.len, at, 0, md, NULL);
		if (rc < 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		strbuf_add(&sb, s.buf + at, ov[0] - at);
		if (re_expand(cx, n, sarg(fa, 1, ""), s.buf, c, md, &sb) < 0) {
			ret = -1;
			break;
		}
		done++;
		if (ov[1] == ov[0]) {
			if (ov[1] < s.len)
				strbuf_addch(&sb, s.buf[ov[1]]);
			at = ov[1] + 1;
		} else {
			at = ov[1];
		}
	}
	if (at < s.len)
		strbuf_add(&sb, s.buf + at, s.len - at);
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	strbuf_release(&s);
	if (ret < 0) {
		strbuf_release(&sb);
		return -1;
	}
	set_sb(out, &sb);
	return 0;
}

/* The value of group spec "\\1" or "\\g<name>" of the current match. */
static int
re_group(struct ectx *cx, const struct node *n, const char *spec,
    const char *subj, pcre2_code *c, pcre2_match_data *md, struct val **v)
{
	struct strbuf sb = STRBUF_INIT;

	if (re_expand(cx, n, spec, subj, c, md, &sb) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	*v = val_strn(sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

static int
f_regex_search(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT;
	pcre2_code *c;
	pcre2_match_data *md;
	PCRE2_SIZE *ov;
	struct val *l = NULL, *g;
	int k, rc, ret = 0;

	str_of(in->v, &s);
	c = re_compile(cx, n, sarg(fa, 0, ""), barg(fa, 4), barg(fa, 5));
	if (c == NULL) {
		strbuf_release(&s);
		return -1;
	}
	md = pcre2_match_data_create_from_pattern(c, NULL);
	rc = pcre2_match(c, (PCRE2_SPTR)s.buf, s.len, 0, 0, md, NULL);
	if (rc < 0) {
		res_set(out, val_null());
	} else if (!fa->set[1]) {
		ov = pcre2_get_ovector_pointer(md);
		res_set(out, val_strn(s.buf + ov[0], ov[1] - ov[0]));
	} else {
		l = val_list();
		for (k = 1; k < 4 && fa->set[k] && ret == 0; k++) {
			ret = re_group(cx, n, sarg(fa, k, ""), s.buf, c, md, &g);
			if (ret == 0)
				val_list_push(l, g);
		}
		if (ret == 0)
			res_set(out, l);
		else
			val_free(l);
	}
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	strbuf_release(&s);
	return ret;
}

static int
f_regex_findall(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT;
	pcre2_code *c;
	pcre2_match_data *md;
	PCRE2_SIZE at = 0, *ov;
	uint32_t ng, k;
	struct val *l, *t;

	str_of(in->v, &s);
	c = re_compile(cx, n, sarg(fa, 0, ""), barg(fa, 2), barg(fa, 1));
	if (c == NULL) {
		strbuf_release(&s);
		return -1;
	}
	pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &ng);
	md = pcre2_match_data_create_from_pattern(c, NULL);
	l = val_list();
	while (at <= s.len && pcre2_match(c, (PCRE2_SPTR)s.buf, s.len, at, 0,
	    md, NULL) >= 0) {
		ov = pcre2_get_ovector_pointer(md);
		if (ng == 0) {
			val_list_push(l, val_strn(s.buf + ov[0], ov[1] - ov[0]));
		} else {
			t = val_list();
			t->tuple = 1;
			for (k = 1; k <= ng; k++)
				val_list_push(t, ov[2 * k] == PCRE2_UNSET ?
				    val_str("") : val_strn(s.buf + ov[2 * k],
				    ov[2 * k + 1] - ov[2 * k]));
			if (ng == 1) {
				val_list_push(l, val_copy(t->u.list.items[0]));
				val_free(t);
			} else {
				val_list_push(l, t);
			}
		}
		at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
	}
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	strbuf_release(&s);
	res_set(out, l);
	return 0;
}

/* Python's re.escape (3.7+): escape everything but [A-Za-z0-9_] and
 * non-ASCII, as Ansible's regex_escape (re_type python). */
static int
f_regex_escape(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	static const char special[] = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
	struct strbuf s = STRBUF_INIT, sb = STRBUF_INIT;
	size_t i;

	(void)cx; (void)n; (void)fa;
	str_of(in->v, &s);
	for (i = 0; i < s.len; i++) {
		if (s.buf[i] != '\0' && strchr(special, s.buf[i]) != NULL)
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, s.buf[i]);
	}
	strbuf_release(&s);
	set_sb(out, &sb);
	return 0;
}

/* ---- base64, hashes, password_hash ---- */

static int
f_b64(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT;
	unsigned char *buf;
	int len, dec = n->filter->name[3] == 'd';
	size_t i, k = 0;

	(void)fa;
	str_of(in->v, &s);
	buf = xmalloc(s.len / 3 * 4 + 8 + s.len);
	if (!dec) {
		len = EVP_EncodeBlock(buf, (const unsigned char *)s.buf,
		    (int)s.len);
	} else {
		/* Python's b64decode drops what is not in the alphabet */
		for (i = 0; i < s.len; i++)
			if (isalnum((unsigned char)s.buf[i]) && (unsigned char)
			    s.buf[i] < 0x80 ? 1 : strchr("+/=", s.buf[i]) &&
			    s.buf[i] != '\0')
				s.buf[k++] = s.buf[i];
		strbuf_setlen(&s, k);
		len = EVP_DecodeBlock(buf, (const unsigned char *)s.buf,
		    (int)s.len);
		for (i = s.len; len > 0 && i > 0 && s.buf[i - 1] == '='; i--)
			len--;
		if (len < 0 || s.len % 4 != 0) {
			free(buf);
			strbuf_release(&s);
			return terr_set(cx->err, n->off, "'b64decode': not "
			    "valid base64");
		}
	}
	res_set(out, val_strn((const char *)buf, (size_t)len));
	free(buf);
	strbuf_release(&s);
	return 0;
}

static int
f_hash(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const char *nm = n->filter->name, *algo;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	struct strbuf s = STRBUF_INIT, hex = STRBUF_INIT;
	const EVP_MD *m;

	algo = strcmp(nm, "hash") == 0 ? sarg(fa, 0, "sha1") :
	    strcmp(nm, "md5") == 0 ? "md5" : "sha1";
	if ((m = EVP_get_digestbyname(algo)) == NULL)
		return terr_set(cx->err, n->off, "'%s': unknown hash type "
		    "'%s'", nm, algo);
	str_of(in->v, &s);
	if (!EVP_Digest(s.buf, s.len, md, &mdlen, m, NULL)) {
		strbuf_release(&s);
		return terr_set(cx->err, n->off, "'%s': hashing failed", nm);
	}
	for (i = 0; i < mdlen; i++)
		strbuf_addf(&hex, "%02x", md[i]);
	strbuf_release(&s);
	set_sb(out, &hex);
	return 0;
}

static int
f_password_hash(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const char *scheme = sarg(fa, 0, "sha512"), *salt = sarg(fa, 1, NULL);
	const char *id;
	struct strbuf s = STRBUF_INIT, set = STRBUF_INIT;
	struct crypt_data *cd;
	char *h;
	int ok;

	id = !strcmp(scheme, "sha512") || !strcmp(scheme, "sha512_crypt") ?
	    "6" : !strcmp(scheme, "sha256") ||
	    !strcmp(scheme, "sha256_crypt") ? "5" :
	    !strcmp(scheme, "md5") || !strcmp(scheme, "md5_crypt") ? "1" : NULL;
	if (id == NULL)
		return terr_set(cx->err, n->off, "'password_hash': unsupported "
		    "scheme '%s' (mend has sha512, sha256, md5)", scheme);
	if (salt == NULL)
		return terr_set(cx->err, n->off, "'password_hash': give a salt "
		    "(a random one would change the hash on every run)");
	strbuf_addf(&set, "$%s$", id);
	if (fa->set[2] && fa->a[2].v->type == V_INT && *id != '1')
		strbuf_addf(&set, "rounds=%lld$", (long long)fa->a[2].v->u.i);
	strbuf_addstr(&set, salt);
	str_of(in->v, &s);
	cd = xcalloc(1, sizeof(*cd));
	h = crypt_r(s.buf, set.buf, cd);
	ok = h != NULL && h[0] != '*';
	if (ok)
		res_set(out, val_str(h));
	else
		terr_set(cx->err, n->off, "'password_hash': crypt failed "
		    "(bad salt?)");
	free(cd);
	strbuf_release(&s);
	strbuf_release(&set);
	return ok ? 0 : -1;
}

/* ---- paths ---- */

static int
f_path(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const char *nm = n->filter->name;
	struct strbuf s = STRBUF_INIT, r = STRBUF_INIT;
	const char *sl, *home;
	char *rp;

	(void)fa;
	str_of(in->v, &s);
	sl = strrchr(s.buf, '/');
	if (!strcmp(nm, "basename")) {
		strbuf_addstr(&r, sl != NULL ? sl + 1 : s.buf);
	} else if (!strcmp(nm, "dirname")) {
		/* Python's os.path.dirname: head, trailing slashes stripped
		 * unless it is all slashes */
		if (sl != NULL) {
			size_t k = (size_t)(sl - s.buf) + 1;

			while (k > 1 && s.buf[k - 1] == '/' &&
			    strspn(s.buf, "/") < k)
				k--;
			strbuf_add(&r, s.buf, k);
		}
	} else if (!strcmp(nm, "expanduser")) {
		home = getenv("HOME");
		if (s.buf[0] == '~' && (s.buf[1] == '/' || s.buf[1] == '\0') &&
		    home != NULL) {
			strbuf_addstr(&r, home);
			strbuf_addstr(&r, s.buf + 1);
		} else {
			strbuf_addbuf(&r, &s);
		}
	} else {
		rp = realpath(s.buf, NULL);
		if (rp == NULL) {
			strbuf_release(&s);
			return terr_set(cx->err, n->off, "'realpath': '%s' does "
			    "not exist on the controller", s.buf);
		}
		strbuf_addstr(&r, rp);
		free(rp);
	}
	strbuf_release(&s);
	set_sb(out, &r);
	return 0;
}

static int
f_splitext(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT;
	const char *base, *dot;
	size_t k;
	struct val *l = val_list();

	(void)cx; (void)n; (void)fa;
	str_of(in->v, &s);
	base = strrchr(s.buf, '/');
	base = base != NULL ? base + 1 : s.buf;
	while (*base == '.')
		base++;
	dot = strrchr(base, '.');
	k = dot != NULL ? (size_t)(dot - s.buf) : s.len;
	val_list_push(l, val_strn(s.buf, k));
	val_list_push(l, val_strn(s.buf + k, s.len - k));
	l->tuple = 1;
	strbuf_release(&s);
	res_set(out, l);
	return 0;
}

/* ---- text ---- */

static int
f_replace(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT, sb = STRBUF_INIT;
	const char *old = sarg(fa, 0, NULL), *new = sarg(fa, 1, ""), *p, *q;
	int64_t count = fa->set[2] && fa->a[2].v->type == V_INT ?
	    fa->a[2].v->u.i : -1;
	size_t ol;

	if (old == NULL)
		return terr_set(cx->err, n->off, "'replace' needs the old "
		    "string");
	str_of(in->v, &s);
	ol = strlen(old);
	p = s.buf;
	while (ol > 0 && count != 0 && (q = memmem(p, s.len -
	    (size_t)(p - s.buf), old, ol)) != NULL) {
		strbuf_add(&sb, p, (size_t)(q - p));
		strbuf_addstr(&sb, new);
		p = q + ol;
		if (count > 0)
			count--;
	}
	strbuf_add(&sb, p, s.len - (size_t)(p - s.buf));
	strbuf_release(&s);
	set_sb(out, &sb);
	return 0;
}

static int
f_split(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT;
	const char *sep = sarg(fa, 0, NULL), *p, *q, *end;
	struct val *l = val_list();

	(void)cx; (void)n;
	str_of(in->v, &s);
	p = s.buf;
	end = s.buf + s.len;
	if (sep == NULL || *sep == '\0') {
		while (p < end) {
			while (p < end && isspace((unsigned char)*p))
				p++;
			for (q = p; q < end && !isspace((unsigned char)*q); q++)
				;
			if (q > p)
				val_list_push(l, val_strn(p, (size_t)(q - p)));
			p = q;
		}
	} else {
		while ((q = memmem(p, (size_t)(end - p), sep, strlen(sep))) !=
		    NULL) {
			val_list_push(l, val_strn(p, (size_t)(q - p)));
			p = q + strlen(sep);
		}
		val_list_push(l, val_strn(p, (size_t)(end - p)));
	}
	strbuf_release(&s);
	res_set(out, l);
	return 0;
}

/* Jinja2's indent(width=4, first=False, blank=False) */
static int
f_indent(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT, sb = STRBUF_INIT, pad = STRBUF_INIT;
	int64_t w = 4, i;
	const char *p, *q, *end;
	int first = barg(fa, 1), blank = barg(fa, 2), line = 0;

	(void)cx; (void)n;
	if (fa->set[0] && fa->a[0].v->type == V_INT)
		w = fa->a[0].v->u.i;
	if (fa->set[0] && fa->a[0].v->type == V_STR)
		strbuf_addstr(&pad, fa->a[0].v->u.str.s);
	for (i = 0; !(fa->set[0] && fa->a[0].v->type == V_STR) && i < w &&
	    i < 4096; i++)
		strbuf_addch(&pad, ' ');
	str_of(in->v, &s);
	for (p = s.buf, end = s.buf + s.len; p <= end; p = q + 1, line++) {
		q = memchr(p, '\n', (size_t)(end - p));
		if (q == NULL)
			q = end;
		if ((line > 0 || first) && (blank || q > p))
			strbuf_addbuf(&sb, &pad);
		strbuf_add(&sb, p, (size_t)(q - p));
		if (q < end)
			strbuf_addch(&sb, '\n');
	}
	strbuf_release(&s);
	strbuf_release(&pad);
	set_sb(out, &sb);
	return 0;
}

static int
f_textcase(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT;
	size_t i;
	int word = 0, cap = n->filter->name[0] == 'c';
	int64_t words = 0;

	(void)cx; (void)fa;
	str_of(in->v, &s);
	for (i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.buf[i];
		int up = cap ? i == 0 : !word;

		if (n->filter->name[0] == 'w') {
			words += isalnum(ch) && !word;
		} else {
			s.buf[i] = (char)(up ? toupper(ch) : tolower(ch));
		}
		word = isalnum(ch) || ch == '_' || (!cap && ch == '\'');
	}
	if (n->filter->name[0] == 'w') {
		strbuf_release(&s);
		res_set(out, val_int(words));
		return 0;
	}
	set_sb(out, &s);
	return 0;
}

static int
f_abs(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	(void)fa;
	if (in->v->type != V_INT || in->v->u.i == INT64_MIN)
		return terr_set(cx->err, n->off, "'abs' needs an integer");
	res_set(out, val_int(in->v->u.i < 0 ? -in->v->u.i : in->v->u.i));
	return 0;
}

static int
f_urlencode(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf s = STRBUF_INIT, sb = STRBUF_INIT;
	size_t i;

	(void)cx; (void)n; (void)fa;
	str_of(in->v, &s);
	for (i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.buf[i];

		if (isalnum(ch) || strchr("_.-~/", ch) != NULL)
			strbuf_addch(&sb, (char)ch);
		else
			strbuf_addf(&sb, "%%%02X", ch);
	}
	strbuf_release(&s);
	set_sb(out, &sb);
	return 0;
}

static int
f_format(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *args[TMPL_MAX_PARAMS];
	struct strbuf sb = STRBUF_INIT;
	size_t na = 0;

	if (in->v->type != V_STR)
		return terr_set(cx->err, n->off, "'format' needs a string");
	while (na < TMPL_MAX_PARAMS && fa->set[na]) {
		args[na] = fa->a[na].v;
		na++;
	}
	if (tmpl_percent(cx, n->off, in->v, args, na, &sb) < 0) {
		strbuf_release(&sb);
		return -1;
	}
	set_sb(out, &sb);
	return 0;
}

/* Byte offset of code point k in UTF-8 s[0..n) (n when past the end). */
static size_t
cp_off(const char *s, size_t n, int64_t k)
{
	size_t i = 0;

	for (; i < n && k > 0; k--)
		for (i++; i < n && ((unsigned char)s[i] & 0xC0) == 0x80; i++)
			;
	return i;
}

static int64_t
cp_count(const char *s, size_t n)
{
	int64_t c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* truncate(length=255, killwords=False, end='...', leeway=5): Jinja2
 * 3.1's do_truncate (leeway None is the policy's 5), lengths in code
 * points. */
static int
f_truncate(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *v = in->v;
	const char *end = "...";
	int64_t len = 255, lw = 5, elen;
	size_t cut, k;

	if (v->type != V_STR)
		return terr_set(cx->err, n->off, "'truncate' filter needs a "
		    "string, not %s", val_type_name(v->type));
	if ((fa->set[0] && fa->a[0].v->type != V_INT) || (fa->set[3] &&
	    fa->a[3].v->type != V_INT && fa->a[3].v->type != V_NULL) ||
	    (fa->set[2] && fa->a[2].v->type != V_STR))
		return terr_set(cx->err, n->off, "'truncate' takes an integer "
		    "length and leeway and a string end");
	if (fa->set[0])
		len = fa->a[0].v->u.i;
	if (fa->set[2])
		end = fa->a[2].v->u.str.s;
	if (fa->set[3] && fa->a[3].v->type == V_INT)
		lw = fa->a[3].v->u.i;
	elen = cp_count(end, strlen(end));
	if (len < elen || lw < 0)
		return terr_set(cx->err, n->off, "'truncate': expected length "
		    ">= %lld and leeway >= 0", (long long)elen);
	if (cp_count(v->u.str.s, v->u.str.len) <= len + lw) {
		res_set(out, val_copy(v));
		return 0;
	}
	cut = cp_off(v->u.str.s, v->u.str.len, len - elen);
	if (!(fa->set[1] && val_truthy(fa->a[1].v)))
		for (k = cut; k > 0; k--)
			if (v->u.str.s[k - 1] == ' ') {
				cut = k - 1;
				break;
			}
	res_set(out, val_str_take(xasprintf("%.*s%s", (int)cut, v->u.str.s,
	    end)));
	return 0;
}

#define P0 { NULL }
static const struct filter table[] = {
	{ "regex_replace", f_regex_replace, { "regex", "replacement",
	    "ignorecase", "multiline" }, 0 },
	{ "format", f_format, { "*1", "*2", "*3", "*4", "*5", "*6" }, 0 },
	{ "regex_search", f_regex_search, { "regex", "*1", "*2", "*3",
	    "ignorecase", "multiline" }, 0 },
	{ "regex_findall", f_regex_findall, { "regex", "multiline",
	    "ignorecase" }, 0 },
	{ "regex_escape", f_regex_escape, P0, 0 },
	{ "b64encode", f_b64, P0, 0 },
	{ "b64decode", f_b64, P0, 0 },
	{ "hash", f_hash, { "hashtype" }, 0 },
	{ "checksum", f_hash, P0, 0 },
	{ "sha1", f_hash, P0, 0 },
	{ "md5", f_hash, P0, 0 },
	{ "password_hash", f_password_hash, { "hashtype", "salt", "rounds" },
	    0 },
	{ "basename", f_path, P0, 0 },
	{ "dirname", f_path, P0, 0 },
	{ "expanduser", f_path, P0, 0 },
	{ "realpath", f_path, P0, 0 },
	{ "splitext", f_splitext, P0, 0 },
	{ "replace", f_replace, { "old", "new", "count" }, 0 },
	{ "split", f_split, { "seperator" }, 0 },
	{ "indent", f_indent, { "width", "first", "blank" }, 0 },
	{ "capitalize", f_textcase, P0, 0 },
	{ "title", f_textcase, P0, 0 },
	{ "wordcount", f_textcase, P0, 0 },
	{ "abs", f_abs, P0, 0 },
	{ "urlencode", f_urlencode, P0, 0 },
	{ "truncate", f_truncate, { "length", "killwords", "end", "leeway" },
	    0 },
};

const struct filter *
tmpl_text_filters(size_t *n)
{
	*n = ARRAY_SIZE(table);
	return table;
}
