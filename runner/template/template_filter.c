/*
 * template_filter.c - the filters and tests of the Jinja2 subset.
 *
 * Filters (Jinja2/Ansible semantics, see template.h for the list):
 *   default(default_value='', boolean=false)  d is an alias
 *   bool        Ansible's classic to_bool: true for True, 1 and the strings
 *               yes/on/1/true (any case); everything else (including
 *               none, 2, 'y', lists) is false
 *   int(default=0, base=10)  Jinja's do_int: ints stay, booleans give 0/1,
 *               strings are parsed after trimming whitespace (decimal with
 *               _ separators, or in `base`; "0x1f" only with base=16),
 *               a decimal float string is truncated ("42.7" -> 42),
 *               anything else gives `default`.  Out of int64 range: error
 *   string      str(): True, None, ['a', 1]
 *   lower upper ASCII case mapping of str(value)
 *   quote       Python's shlex.quote as Ansible uses it: none -> '', a word
 *               of [A-Za-z0-9_@%+=:,./-] stays as is, else single-quoted
 *               with ' written as '"'"'
 *   length count  characters (UTF-8 code points) of a string, items of a
 *               list or mapping
 *   join(d='')  str() of each item joined by d (mapping: its keys)
 *   trim first last  (extensions, as Jinja2)
 * Tests: defined undefined, changed/change failed/failure skipped/skip
 *   succeeded/success/successful (need a mapping: a registered result),
 *   none true false string number integer boolean mapping sequence
 *   iterable, truthy falsy.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/util/suggest.h"
#include "runner/template/template_int.h"
#include "runner/util/banned.h"

static void
res_move(struct res *dst, struct res *src)
{
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

static void
set_str(struct res *out, struct strbuf *sb)
{
	res_set(out, val_strn(sb->buf, sb->len));
	strbuf_release(sb);
}

/* str(v) as Python prints it (strings as they are). */
static void
py_str(const struct val *v, struct strbuf *sb)
{
	val_to_str_py(v, sb);
}

static int
f_default(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	int use = in->v == NULL;

	if (fa->set[1] && fa->a[1].v == NULL)
		return tmpl_undef_error(cx, &fa->a[1], n->kids[2]);
	if (!use && fa->set[1] && val_truthy(fa->a[1].v) &&
	    !val_truthy(in->v))
		use = 1;
	if (!use)
		res_move(out, in);
	else if (fa->set[0])
		res_move(out, &fa->a[0]);
	else
		res_set(out, val_str(""));
	return 0;
}

/* ansible.plugins.filter.core.to_bool: its own yes-words, not
 * str_to_bool()'s (convert_bool.boolean also takes y and t, and refuses
 * what is neither true nor false) nor YAML 1.1's (no "1"): a string is
 * true only when it is one of these, in any case. */
static int
f_bool(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	static const char *yes[] = { "yes", "on", "1", "true" };
	const struct val *v = in->v;
	size_t i;
	int b = 0;

	(void)cx; (void)n; (void)fa;
	if (v->type == V_BOOL)
		b = v->u.b;
	else if (v->type == V_INT)
		b = v->u.i == 1;
	else if (v->type == V_STR)
		for (i = 0; i < ARRAY_SIZE(yes) && !b; i++)
			b = strcasecmp(v->u.str.s, yes[i]) == 0 &&
			    strlen(v->u.str.s) == v->u.str.len;
	res_set(out, val_bool(b));
	return 0;
}

/* Decimal with Python's rules: sign, digits, single '_' between digits. */
static int
parse_dec(const char *s, int64_t *out)
{
	int neg = 0, digits = 0;
	uint64_t v = 0, lim;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s != '\0'; s++) {
		if (*s == '_' && digits && isdigit((unsigned char)s[1]))
			continue;
		if (!isdigit((unsigned char)*s))
			return -1;
		if (v > (lim - (uint64_t)(*s - '0')) / 10)
			return -2;
		v = v * 10 + (uint64_t)(*s - '0');
		digits++;
	}
	if (!digits)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* "42.7" -> 42 (Jinja's int(float(value)) fallback). */
static int
parse_float(const char *s, int64_t *out)
{
	char *end;
	double d;

	if (*s == '\0' || strspn(s, "0123456789.eE+-") != strlen(s))
		return -1;
	d = strtod(s, &end);
	if (*end != '\0' || end == s || !isfinite(d))
		return -1;
	if (d >= 9223372036854775808.0 || d < -9223372036854775808.0)
		return -2;
	*out = (int64_t)d;
	return 0;
}

/* 0 ok, -1 not a number, -2 out of range. */
static int
str_to_int(const char *str, size_t len, int base, int64_t *out)
{
	char *s, *end;
	size_t b = 0, e = len;
	int r;

	while (b < e && isspace((unsigned char)str[b]))
		b++;
	while (e > b && isspace((unsigned char)str[e - 1]))
		e--;
	s = xstrndup(str + b, e - b);
	if (base == 10) {
		r = parse_dec(s, out);
		if (r == -1)
			r = parse_float(s, out);
	} else {
		errno = 0;
		*out = strtoll(s, &end, base);
		r = *s == '\0' || *end != '\0' || isspace((unsigned char)*s) ?
		    -1 : errno == ERANGE ? -2 : 0;
	}
	free(s);
	return r;
}

static int
f_int(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *v = in->v;
	int64_t x = 0, base = 10;
	int r = -1;

	if (fa->set[1] && (fa->a[1].v->type != V_INT ||
	    fa->a[1].v->u.i < 2 || fa->a[1].v->u.i > 36))
		return terr_set(cx->err, n->off,
		    "'int' filter: base must be an integer from 2 to 36");
	if (fa->set[1])
		base = fa->a[1].v->u.i;
	if (v->type == V_INT || v->type == V_BOOL) {
		x = v->type == V_INT ? v->u.i : v->u.b;
		r = 0;
	} else if (v->type == V_STR) {
		r = str_to_int(v->u.str.s, v->u.str.len, (int)base, &x);
	}
	if (r == -2)
		return terr_set(cx->err, n->off,
		    "'int' filter: value out of range");
	if (r == 0)
		res_set(out, val_int(x));
	else if (fa->set[0])
		res_move(out, &fa->a[0]);
	else
		res_set(out, val_int(0));
	return 0;
}

static int
f_string(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf sb = STRBUF_INIT;

	(void)cx; (void)n; (void)fa;
	if (in->v->type == V_STR) {
		res_move(out, in);
		return 0;
	}
	py_str(in->v, &sb);
	set_str(out, &sb);
	return 0;
}

static int
f_case(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf sb = STRBUF_INIT;
	int upper = strcmp(n->filter->name, "upper") == 0;
	size_t i;

	(void)cx; (void)fa;
	py_str(in->v, &sb);
	for (i = 0; i < sb.len; i++)
		sb.buf[i] = (char)(upper ? toupper((unsigned char)sb.buf[i]) :
		    tolower((unsigned char)sb.buf[i]));
	set_str(out, &sb);
	return 0;
}

static int
f_quote(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
	struct strbuf s = STRBUF_INIT, q = STRBUF_INIT;
	size_t i;

	(void)cx; (void)n; (void)fa;
	if (in->v->type != V_NULL)
		py_str(in->v, &s);
	for (i = 0; i < s.len && s.buf[i] != '\0' && strchr(safe, s.buf[i]);)
		i++;
	if (s.len > 0 && i == s.len) {
		set_str(out, &s);
		return 0;
	}
	strbuf_addch(&q, '\'');
	for (i = 0; i < s.len; i++) {
		if (s.buf[i] == '\'')
			strbuf_addstr(&q, "'\"'\"'");
		else
			strbuf_addch(&q, s.buf[i]);
	}
	strbuf_addch(&q, '\'');
	strbuf_release(&s);
	set_str(out, &q);
	return 0;
}

static size_t
cp_len(const char *s, size_t n)
{
	size_t i, cp = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			cp++;
	return cp;
}

/* Length of the UTF-8 sequence starting at s[0] (within n bytes). */
static size_t
cp_size(const char *s, size_t n)
{
	size_t k = 1;

	while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
		k++;
	return k;
}

static int
f_length(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *v = in->v;

	(void)fa;
	if (v->type == V_STR)
		res_set(out, val_int((int64_t)cp_len(v->u.str.s, v->u.str.len)));
	else if (v->type == V_LIST)
		res_set(out, val_int((int64_t)v->u.list.n));
	else if (v->type == V_MAP)
		res_set(out, val_int((int64_t)v->u.map.n));
	else
		return terr_set(cx->err, n->off, "'%s' filter: %s has no length",
		    n->name, val_type_name(v->type));
	return 0;
}

static int
f_join(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf sep = STRBUF_INIT, sb = STRBUF_INIT;
	const struct val *v = in->v;
	size_t i, k;

	if (v->type != V_LIST && v->type != V_MAP && v->type != V_STR)
		return terr_set(cx->err, n->off, "'join' filter needs a list, "
		    "not %s", val_type_name(v->type));
	if (fa->set[0])
		py_str(fa->a[0].v, &sep);
	for (i = 0; v->type == V_LIST && i < v->u.list.n; i++) {
		if (i)
			strbuf_addbuf(&sb, &sep);
		py_str(v->u.list.items[i], &sb);
	}
	for (i = 0; v->type == V_MAP && i < v->u.map.n; i++) {
		if (i)
			strbuf_addbuf(&sb, &sep);
		strbuf_addstr(&sb, v->u.map.items[i].key);
	}
	for (i = 0; v->type == V_STR && i < v->u.str.len; i += k) {
		if (i)
			strbuf_addbuf(&sb, &sep);
		k = cp_size(v->u.str.s + i, v->u.str.len - i);
		strbuf_add(&sb, v->u.str.s + i, k);
	}
	strbuf_release(&sep);
	set_str(out, &sb);
	return 0;
}

static int
f_trim(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf sb = STRBUF_INIT;
	size_t b = 0;

	(void)cx; (void)n; (void)fa;
	py_str(in->v, &sb);
	strbuf_rtrim(&sb);
	while (b < sb.len && isspace((unsigned char)sb.buf[b]))
		b++;
	res_set(out, val_strn(sb.buf + b, sb.len - b));
	strbuf_release(&sb);
	return 0;
}

static int
f_firstlast(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *v = in->v, *item = NULL;
	int last = strcmp(n->filter->name, "last") == 0;
	size_t i = 0, k = 0;

	(void)fa;
	if (v->type == V_LIST && v->u.list.n > 0)
		item = v->u.list.items[last ? v->u.list.n - 1 : 0];
	else if (v->type == V_MAP && v->u.map.n > 0) {
		res_set(out, val_str(v->u.map.items[last ? v->u.map.n - 1 :
		    0].key));
		return 0;
	} else if (v->type == V_STR && v->u.str.len > 0) {
		while (last && i + (k = cp_size(v->u.str.s + i,
		    v->u.str.len - i)) < v->u.str.len)
			i += k;
		res_set(out, val_strn(v->u.str.s + i,
		    cp_size(v->u.str.s + i, v->u.str.len - i)));
		return 0;
	} else if (v->type != V_LIST && v->type != V_MAP && v->type != V_STR)
		return terr_set(cx->err, n->off, "'%s' filter needs a sequence, "
		    "not %s", n->filter->name, val_type_name(v->type));
	if (item == NULL) {
		out->undef = n;
		return 0;
	}
	res_set(out, val_copy(item));
	return 0;
}

static const struct filter filters[] = {
	{ "default", f_default, { "default_value", "boolean", NULL }, 1 },
	{ "d", f_default, { "default_value", "boolean", NULL }, 1 },
	{ "bool", f_bool, { NULL, NULL, NULL }, 0 },
	{ "int", f_int, { "default", "base", NULL }, 0 },
	{ "string", f_string, { NULL, NULL, NULL }, 0 },
	{ "lower", f_case, { NULL, NULL, NULL }, 0 },
	{ "upper", f_case, { NULL, NULL, NULL }, 0 },
	{ "quote", f_quote, { NULL, NULL, NULL }, 0 },
	{ "length", f_length, { NULL, NULL, NULL }, 0 },
	{ "count", f_length, { NULL, NULL, NULL }, 0 },
	{ "join", f_join, { "d", NULL, NULL }, 0 },
	{ "trim", f_trim, { NULL, NULL, NULL }, 0 },
	{ "first", f_firstlast, { NULL, NULL, NULL }, 0 },
	{ "last", f_firstlast, { NULL, NULL, NULL }, 0 },
};

/* ---- tests ---- */

static int
t_defined(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	(void)fa;
	(void)cx;
	return (in->v != NULL) == (strcmp(n->test->name, "defined") == 0);
}

/* changed/failed/skipped: the key's truthiness in a result mapping. */
static int
t_result(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	(void)fa;
	const char *t = n->test->name, *key;

	if (in->v->type != V_MAP)
		return terr_set(cx->err, n->off, "test '%s' needs a mapping "
		    "(a registered result), not %s", n->name,
		    val_type_name(in->v->type));
	key = t[0] == 'c' ? "changed" : t[0] == 's' && t[1] == 'k' ?
	    "skipped" : "failed";
	return val_truthy(val_map_get(in->v, key)) ^ (t[0] == 's' &&
	    t[1] == 'u');
}

static int
t_type(struct ectx *cx, const struct node *n, const struct res *in,
    struct fargs *fa)
{
	(void)fa;
	const char *t = n->test->name;
	enum val_type ty = in->v->type;

	(void)cx;
	if (strcmp(t, "none") == 0) return ty == V_NULL;
	if (strcmp(t, "true") == 0) return ty == V_BOOL && in->v->u.b;
	if (strcmp(t, "false") == 0) return ty == V_BOOL && !in->v->u.b;
	if (strcmp(t, "string") == 0) return ty == V_STR;
	if (strcmp(t, "number") == 0) return ty == V_INT || ty == V_BOOL;
	if (strcmp(t, "integer") == 0) return ty == V_INT;
	if (strcmp(t, "boolean") == 0) return ty == V_BOOL;
	if (strcmp(t, "mapping") == 0) return ty == V_MAP;
	if (strcmp(t, "truthy") == 0) return val_truthy(in->v);
	if (strcmp(t, "falsy") == 0) return !val_truthy(in->v);
	/* sequence, iterable */
	return ty == V_STR || ty == V_LIST || ty == V_MAP;
}

static const struct test tests[] = {
	{ "defined", t_defined, 1, { NULL } }, { "undefined", t_defined, 1, { NULL } },
	{ "changed", t_result, 0, { NULL } }, { "change", t_result, 0, { NULL } },
	{ "failed", t_result, 0, { NULL } }, { "failure", t_result, 0, { NULL } },
	{ "skipped", t_result, 0, { NULL } }, { "skip", t_result, 0, { NULL } },
	{ "succeeded", t_result, 0, { NULL } }, { "success", t_result, 0, { NULL } },
	{ "successful", t_result, 0, { NULL } },
	{ "none", t_type, 0, { NULL } }, { "true", t_type, 0, { NULL } }, { "false", t_type, 0, { NULL } },
	{ "string", t_type, 0, { NULL } }, { "number", t_type, 0, { NULL } },
	{ "integer", t_type, 0, { NULL } }, { "boolean", t_type, 0, { NULL } },
	{ "mapping", t_type, 0, { NULL } }, { "sequence", t_type, 0, { NULL } },
	{ "iterable", t_type, 0, { NULL } }, { "truthy", t_type, 0, { NULL } },
	{ "falsy", t_type, 0, { NULL } },
};

/* Every filter table: this file's and the other filter files'. */
static const struct filter *
filter_table(size_t k, size_t *n)
{
	switch (k) {
	case 0: *n = ARRAY_SIZE(filters); return filters;
	case 1: return tmpl_data_filters(n);
	case 2: return tmpl_text_filters(n);
	case 3: return tmpl_json_filters(n);
	case 4: return tmpl_random_filters(n);
	default: *n = 0; return NULL;
	}
}

static const struct test *
test_table(size_t k, size_t *n)
{
	switch (k) {
	case 0: *n = ARRAY_SIZE(tests); return tests;
	case 1: return tmpl_more_tests(n);
	default: *n = 0; return NULL;
	}
}

const struct filter *
tmpl_find_filter(const char *name)
{
	const struct filter *t;
	size_t i, k, n;

	for (k = 0; (t = filter_table(k, &n)) != NULL; k++)
		for (i = 0; i < n; i++)
			if (strcmp(t[i].name, name) == 0)
				return &t[i];
	return NULL;
}

const struct test *
tmpl_find_test(const char *name)
{
	const struct test *t;
	size_t i, k, n;

	for (k = 0; (t = test_table(k, &n)) != NULL; k++)
		for (i = 0; i < n; i++)
			if (strcmp(t[i].name, name) == 0)
				return &t[i];
	return NULL;
}

/* ---- did you mean (within 2 edits, and fewer edits than letters) ---- */

const char *
tmpl_closest(const char *name, const char *const *cands, size_t n)
{
	size_t i, d, best = 3, len = strlen(name);
	const char *res = NULL;

	for (i = 0; i < n; i++) {
		d = edit_distance(name, cands[i]);
		if (d < best && d < len) {
			best = d;
			res = cands[i];
		}
	}
	return res;
}

#define MAX_NAMES 256

const char *
tmpl_suggest_filter(const char *name)
{
	const char *names[MAX_NAMES];
	const struct filter *t;
	size_t i, k, n, m = 0;

	for (k = 0; (t = filter_table(k, &n)) != NULL; k++)
		for (i = 0; i < n && m < MAX_NAMES; i++)
			names[m++] = t[i].name;
	return tmpl_closest(name, names, m);
}

const char *
tmpl_suggest_test(const char *name)
{
	const char *names[MAX_NAMES];
	const struct test *t;
	size_t i, k, n, m = 0;

	for (k = 0; (t = test_table(k, &n)) != NULL; k++)
		for (i = 0; i < n && m < MAX_NAMES; i++)
			names[m++] = t[i].name;
	return tmpl_closest(name, names, m);
}
