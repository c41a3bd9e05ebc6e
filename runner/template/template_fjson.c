/*
 * template_fjson.c - to_json, to_nice_json, from_json, to_yaml,
 * to_nice_yaml, from_yaml, byte for byte as ansible-core 2.14 (Python's
 * json.dumps and PyYAML's dumper):
 *   to_json       separators ', ' ': ', keys in their order, ASCII only
 *                 (\uXXXX escapes, as ensure_ascii)
 *   to_nice_json  indent=4, keys sorted, separators ',' ': '
 *   to_yaml       PyYAML default_flow_style=None: collections of scalars
 *                 in flow style ({a: 1}, [x, y]); keys sorted
 *   to_nice_yaml  indent=4, block style, keys sorted, lists under a key
 *                 not indented (PyYAML's)
 *   both take indent and sort_keys (False: keys in their order), to_yaml
 *   default_flow_style (None, False: block style; True is refused)
 * Strings in YAML are plain when PyYAML would write them plain, else
 * single-quoted; strings PyYAML would fold or double-quote (line breaks,
 * control characters, longer than 80 columns) are refused with an error
 * rather than written differently.  from_json/from_yaml parse with the
 * playbook loader (numbers, booleans and null as YAML 1.1 plain scalars).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runner/template/template_int.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

/* ---- JSON ---- */

static uint32_t
utf8_dec(const unsigned char *s, size_t n, size_t *used)
{
	uint32_t c = s[0];
	size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1, i;

	if (k > n)
		k = 1;
	c = k == 1 ? c : k == 2 ? c & 0x1F : k == 3 ? c & 0x0F : c & 0x07;
	for (i = 1; i < k; i++)
		c = (c << 6) | (s[i] & 0x3F);
	*used = k;
	return c;
}

static void
json_str(const char *s, size_t n, struct strbuf *sb)
{
	size_t i, k;
	uint32_t c;

	strbuf_addch(sb, '"');
	for (i = 0; i < n; i += k) {
		c = utf8_dec((const unsigned char *)s + i, n - i, &k);
		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", (char)c);
		else if (c == '\n')
			strbuf_addstr(sb, "\\n");
		else if (c == '\r')
			strbuf_addstr(sb, "\\r");
		else if (c == '\t')
			strbuf_addstr(sb, "\\t");
		else if (c == '\b')
			strbuf_addstr(sb, "\\b");
		else if (c == '\f')
			strbuf_addstr(sb, "\\f");
		else if (c < 0x20 || (c >= 0x7F && c < 0x10000))
			strbuf_addf(sb, c == 0x7F ? "\x7f" : "\\u%04x", c);
		else if (c >= 0x10000)
			strbuf_addf(sb, "\\u%04x\\u%04x", 0xD800 +
			    ((c - 0x10000) >> 10), 0xDC00 + ((c - 0x10000) &
			    0x3FF));
		else
			strbuf_addch(sb, (char)c);
	}
	strbuf_addch(sb, '"');
}

static void
nl_indent(struct strbuf *sb, int indent, int level)
{
	int i;

	strbuf_addch(sb, '\n');
	for (i = 0; i < indent * level; i++)
		strbuf_addch(sb, ' ');
}

static int
keycmp(const void *a, const void *b)
{
	const struct val_pair *x = *(const struct val_pair *const *)a;
	const struct val_pair *y = *(const struct val_pair *const *)b;

	return strcmp(x->key, y->key);
}

/* Map entries, sorted by key when asked. */
static const struct val_pair **
entries(const struct val *m, int sort)
{
	const struct val_pair **e = xcalloc(m->u.map.n + 1, sizeof(*e));
	size_t i;

	for (i = 0; i < m->u.map.n; i++)
		e[i] = &m->u.map.items[i];
	if (sort)
		qsort(e, m->u.map.n, sizeof(*e), keycmp);
	return e;
}

static void
json_rec(const struct val *v, int indent, int sort, int level,
    struct strbuf *sb)
{
	const struct val_pair **e;
	size_t i, n;

	switch (v->type) {
	case V_NULL: strbuf_addstr(sb, "null"); return;
	case V_BOOL: strbuf_addstr(sb, v->u.b ? "true" : "false"); return;
	case V_INT: strbuf_addf(sb, "%" PRId64, v->u.i); return;
	case V_FLOAT: val_float_repr(v->u.f, sb); return;
	case V_STR: json_str(v->u.str.s, v->u.str.len, sb); return;
	default: break;
	}
	n = v->type == V_LIST ? v->u.list.n : v->u.map.n;
	strbuf_addch(sb, v->type == V_LIST ? '[' : '{');
	e = v->type == V_MAP ? entries(v, sort) : NULL;
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_addstr(sb, indent > 0 ? "," : ", ");
		if (indent > 0)
			nl_indent(sb, indent, level + 1);
		if (e != NULL) {
			json_str(e[i]->key, strlen(e[i]->key), sb);
			strbuf_addstr(sb, ": ");
		}
		json_rec(e != NULL ? e[i]->v : v->u.list.items[i], indent,
		    sort, level + 1, sb);
	}
	free(e);
	if (indent > 0 && n > 0)
		nl_indent(sb, indent, level);
	strbuf_addch(sb, v->type == V_LIST ? ']' : '}');
}

static int
f_to_json(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf sb = STRBUF_INIT;
	int nice = strncmp(n->filter->name, "to_nice", 7) == 0;
	int indent = nice ? 4 : 0;

	(void)cx;
	if (fa->set[0] && fa->a[0].v->type == V_INT)
		indent = (int)fa->a[0].v->u.i;
	json_rec(in->v, indent, nice || (fa->set[1] &&
	    val_truthy(fa->a[1].v)), 0, &sb);
	res_set(out, val_strn(sb.buf, sb.len));
	strbuf_release(&sb);
	return 0;
}

static int
f_from(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct err e = ERR_INIT;
	struct val *v = NULL;

	(void)fa;
	if (in->v->type != V_STR)
		return terr_set(cx->err, n->off, "'%s' needs a string", n->name);
	if (yaml_load_string(n->name, in->v->u.str.s, in->v->u.str.len, &v,
	    &e) < 0) {
		terr_set(cx->err, n->off, "'%s': cannot parse: %s", n->name,
		    e.msg.buf);
		err_release(&e);
		return -1;
	}
	err_release(&e);
	res_set(out, v != NULL ? v : val_null());
	return 0;
}

/* ---- YAML (PyYAML's emitter, the common cases) ---- */

struct ye {
	struct ectx *cx;
	const struct node *n;
	int indent, flow_leaf;        /* to_yaml: leaf collections in flow */
	struct strbuf *sb;
	int sort;                     /* sort_keys (PyYAML's default: yes) */
};

/* Would PyYAML's resolver read s as something other than a string? */
static int
resolves(const char *s)
{
	static const char *const words[] = { "yes", "Yes", "YES", "no", "No",
	    "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on",
	    "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
	    "=", "<<" };
	size_t i;
	const char *p = s;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.' || isdigit((unsigned char)*p))
		return strspn(p, "0123456789_.:eE+-xXabcdefABCDEFoinfINFaN") ==
		    strlen(p);
	return strcmp(p, ".inf") == 0 || strcmp(p, ".nan") == 0 ||
	    strcmp(p, ".Inf") == 0 || strcmp(p, ".NaN") == 0;
}

/* PyYAML's analyze_scalar, reduced: 0 plain, 1 single-quoted, -1 no. */
static int
yaml_style(const char *s, size_t n, int flow)
{
	static const char ind[] = "#,[]{}&*!|>'\"%@`";
	size_t i;
	int plain = 1;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r' || c < 0x20 || c == 0x7F)
			return -1;
		if (c == '#' && i > 0 && s[i - 1] == ' ')
			plain = 0;
		if (c == ':' && (i + 1 == n || s[i + 1] == ' ' ||
		    (flow && strchr(",[]{}", s[i + 1]) != NULL)))
			plain = 0;
		if (flow && strchr(",?[]{}", c) != NULL)
			plain = 0;
	}
	if (n > 80)
		return -1;
	if (strchr(ind, s[0]) != NULL || s[0] == ' ' || s[n - 1] == ' ' ||
	    ((s[0] == '-' || s[0] == '?' || s[0] == ':') && (n == 1 ||
	    s[1] == ' ')) || resolves(s) || strcmp(s, "---") == 0 ||
	    strcmp(s, "...") == 0)
		plain = 0;
	return plain ? 0 : 1;
}

static int
yaml_scalar(struct ye *y, const struct val *v, int flow)
{
	size_t i;
	int st;

	switch (v->type) {
	case V_NULL: strbuf_addstr(y->sb, "null"); return 0;
	case V_BOOL: strbuf_addstr(y->sb, v->u.b ? "true" : "false"); return 0;
	case V_INT: strbuf_addf(y->sb, "%" PRId64, v->u.i); return 0;
	case V_FLOAT: val_float_repr(v->u.f, y->sb); return 0;
	default: break;
	}
	st = yaml_style(v->u.str.s, v->u.str.len, flow);
	if (st < 0)
		return terr_set(y->cx->err, y->n->off, "'%s': mend does not "
		    "write multi-line, long or control-character strings the "
		    "way PyYAML does, so it refuses them", y->n->name);
	if (st == 0) {
		strbuf_add(y->sb, v->u.str.s, v->u.str.len);
		return 0;
	}
	strbuf_addch(y->sb, '\'');
	for (i = 0; i < v->u.str.len; i++) {
		if (v->u.str.s[i] == '\'')
			strbuf_addch(y->sb, '\'');
		strbuf_addch(y->sb, v->u.str.s[i]);
	}
	strbuf_addch(y->sb, '\'');
	return 0;
}

static int
is_coll(const struct val *v)
{
	return v->type == V_LIST || v->type == V_MAP;
}

static int
leaf(const struct val *v)
{
	size_t i, n = v->type == V_LIST ? v->u.list.n : v->u.map.n;

	for (i = 0; i < n; i++)
		if (is_coll(v->type == V_LIST ? v->u.list.items[i] :
		    v->u.map.items[i].v))
			return 0;
	return 1;
}

static int
yaml_flow(struct ye *y, const struct val *v)
{
	const struct val_pair **e;
	struct val k = { 0 };
	size_t i, n;
	int ret = 0;

	if (!is_coll(v))
		return yaml_scalar(y, v, 1);
	n = v->type == V_LIST ? v->u.list.n : v->u.map.n;
	strbuf_addch(y->sb, v->type == V_LIST ? '[' : '{');
	e = v->type == V_MAP ? entries(v, y->sort) : NULL;
	for (i = 0; i < n && ret == 0; i++) {
		if (i > 0)
			strbuf_addstr(y->sb, ", ");
		if (e != NULL) {
			k.type = V_STR;
			k.u.str.s = (char *)e[i]->key;
			k.u.str.len = strlen(e[i]->key);
			ret = yaml_scalar(y, &k, 1);
			strbuf_addstr(y->sb, ": ");
		}
		if (ret == 0)
			ret = yaml_flow(y, e != NULL ? e[i]->v :
			    v->u.list.items[i]);
	}
	free(e);
	strbuf_addch(y->sb, v->type == V_LIST ? ']' : '}');
	return ret;
}

static void
spaces(struct strbuf *sb, int n)
{
	while (n-- > 0)
		strbuf_addch(sb, ' ');
}

static int yaml_block(struct ye *y, const struct val *v, int col,
    int inline_first);

/* The value after "key:" or "- ": inline scalar/flow, or a new block. */
static int
yaml_value(struct ye *y, const struct val *v, int col, int in_map)
{
	int empty = is_coll(v) && (v->type == V_LIST ? v->u.list.n == 0 :
	    v->u.map.n == 0);

	if (!is_coll(v) || empty || (y->flow_leaf && leaf(v))) {
		strbuf_addch(y->sb, ' ');
		if (yaml_flow(y, v) < 0)
			return -1;
		strbuf_addch(y->sb, '\n');
		return 0;
	}
	strbuf_addch(y->sb, '\n');
	/* PyYAML: a list under a mapping key is not indented */
	return yaml_block(y, v, in_map && v->type == V_LIST ? col :
	    col + y->indent, 0);
}

static int
yaml_block(struct ye *y, const struct val *v, int col, int inline_first)
{
	const struct val_pair **e;
	struct val k = { 0 };
	size_t i, n = v->type == V_LIST ? v->u.list.n : v->u.map.n;
	int ret = 0;

	e = v->type == V_MAP ? entries(v, y->sort) : NULL;
	for (i = 0; i < n && ret == 0; i++) {
		if (i > 0 || !inline_first)
			spaces(y->sb, col);
		if (e == NULL) {
			strbuf_addch(y->sb, '-');
			if (is_coll(v->u.list.items[i]) &&
			    !(y->flow_leaf && leaf(v->u.list.items[i])) &&
			    (v->u.list.items[i]->type == V_LIST ?
			    v->u.list.items[i]->u.list.n :
			    v->u.list.items[i]->u.map.n) > 0) {
				spaces(y->sb, y->indent - 1);
				ret = yaml_block(y, v->u.list.items[i],
				    col + y->indent, 1);
			} else {
				ret = yaml_value(y, v->u.list.items[i], col, 0);
			}
			continue;
		}
		k.type = V_STR;
		k.u.str.s = (char *)e[i]->key;
		k.u.str.len = strlen(e[i]->key);
		ret = yaml_scalar(y, &k, 0);
		strbuf_addch(y->sb, ':');
		if (ret == 0)
			ret = yaml_value(y, e[i]->v, col, 1);
	}
	free(e);
	return ret;
}

static int
f_to_yaml(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct strbuf sb = STRBUF_INIT;
	int nice = strncmp(n->filter->name, "to_nice", 7) == 0, ret;
	struct ye y = { cx, n, nice ? 4 : 2, !nice, &sb, 1 };
	const struct val *v = in->v;

	if (fa->set[0] && fa->a[0].v->type == V_INT && fa->a[0].v->u.i > 1 &&
	    fa->a[0].v->u.i < 10)
		y.indent = (int)fa->a[0].v->u.i;
	if (fa->set[1])
		y.sort = val_truthy(fa->a[1].v);
	if (fa->set[2] && fa->a[2].v->type != V_NULL &&
	    val_truthy(fa->a[2].v))
		return terr_set(cx->err, n->off, "'%s': default_flow_style="
		    "True is not supported by mend (None and False are)",
		    n->name);
	if (fa->set[2] && fa->a[2].v->type != V_NULL)
		y.flow_leaf = 0;
	if (!is_coll(v) || (v->type == V_LIST ? v->u.list.n :
	    v->u.map.n) == 0 || (y.flow_leaf && leaf(v))) {
		ret = yaml_flow(&y, v);
		strbuf_addstr(&sb, is_coll(v) ? "\n" : "\n...\n");
	} else {
		ret = yaml_block(&y, v, 0, 0);
	}
	if (ret == 0)
		res_set(out, val_strn(sb.buf, sb.len));
	strbuf_release(&sb);
	return ret;
}

#define P0 { NULL }
static const struct filter table[] = {
	{ "to_json", f_to_json, { "indent", "sort_keys" }, 0 },
	{ "to_nice_json", f_to_json, { "indent", "sort_keys" }, 0 },
	{ "from_json", f_from, P0, 0 },
	{ "from_yaml", f_from, P0, 0 },
	{ "to_yaml", f_to_yaml, { "indent", "sort_keys",
	    "default_flow_style" }, 0 },
	{ "to_nice_yaml", f_to_yaml, { "indent", "sort_keys" }, 0 },
};

const struct filter *
tmpl_json_filters(size_t *n)
{
	*n = ARRAY_SIZE(table);
	return table;
}
