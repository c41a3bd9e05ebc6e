/* value.c - the value tree; see value.h. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/util/value.h"
#include "runner/util/banned.h"

struct val *
val_new(enum val_type t)
{
	struct val *v = xcalloc(1, sizeof(*v));

	v->type = t;
	return v;
}

struct val *val_null(void) { return val_new(V_NULL); }
struct val *val_list(void) { return val_new(V_LIST); }
struct val *val_map(void) { return val_new(V_MAP); }

struct val *
val_bool(int b)
{
	struct val *v = val_new(V_BOOL);

	v->u.b = b != 0;
	return v;
}

struct val *
val_int(int64_t i)
{
	struct val *v = val_new(V_INT);

	v->u.i = i;
	return v;
}

struct val *
val_float(double f)
{
	struct val *v = val_new(V_FLOAT);

	v->u.f = f;
	return v;
}

/* The shortest "%.*e" of f that reads back as f: digits (no dot) and the
 * decimal exponent. */
static void
shortest_digits(double f, char *digits, size_t cap, int *exp10)
{
	char buf[40], *e;
	int prec;

	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	e = strchr(buf, 'e');
	*exp10 = atoi(e + 1);
	*e = '\0';
	snprintf(digits, cap, "%c%s", buf[0], buf[1] == '.' ? buf + 2 : "");
}

void
val_float_repr(double f, struct strbuf *sb)
{
	char d[40];
	int x, n, i;

	if (f != f || f - f != 0) {          /* nan, inf */
		strbuf_addstr(sb, f != f ? "nan" : f > 0 ? "inf" : "-inf");
		return;
	}
	if (signbit(f))
		strbuf_addch(sb, '-');
	shortest_digits(fabs(f), d, sizeof(d), &x);
	n = (int)strlen(d);
	if (x < -4 || x >= 16) {             /* Python: 1e+16, 1.5e-05 */
		strbuf_addf(sb, "%c%s%s", d[0], n > 1 ? "." : "", d + 1);
		strbuf_addf(sb, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
		return;
	}
	if (x < 0) {
		strbuf_addstr(sb, "0.");
		for (i = 0; i < -x - 1; i++)
			strbuf_addch(sb, '0');
		strbuf_addstr(sb, d);
		return;
	}
	for (i = 0; i <= x; i++)
		strbuf_addch(sb, i < n ? d[i] : '0');
	strbuf_addch(sb, '.');
	strbuf_addstr(sb, n > x + 1 ? d + x + 1 : "0");
}

struct val *
val_strn(const char *s, size_t len)
{
	struct val *v = val_new(V_STR);

	v->u.str.s = xstrndup(s, len);
	v->u.str.len = len;
	return v;
}

struct val *
val_str(const char *s)
{
	return val_strn(s, strlen(s));
}

struct val *
val_str_take(char *s)
{
	struct val *v = val_new(V_STR);

	v->u.str.s = s;
	v->u.str.len = strlen(s);
	return v;
}

void
val_free(struct val *v)
{
	size_t i;

	if (v == NULL)
		return;
	switch (v->type) {
	case V_STR:
		free(v->u.str.s);
		break;
	case V_LIST:
		for (i = 0; i < v->u.list.n; i++)
			val_free(v->u.list.items[i]);
		free(v->u.list.items);
		break;
	case V_MAP:
		for (i = 0; i < v->u.map.n; i++) {
			free(v->u.map.items[i].key);
			val_free(v->u.map.items[i].v);
		}
		free(v->u.map.items);
		break;
	default:
		break;
	}
	free(v);
}

struct val *
val_copy(const struct val *v)
{
	struct val *c;
	size_t i;

	if (v == NULL)
		return NULL;
	switch (v->type) {
	case V_STR:
		c = val_strn(v->u.str.s, v->u.str.len);
		break;
	case V_LIST:
		c = val_list();
		for (i = 0; i < v->u.list.n; i++)
			val_list_push(c, val_copy(v->u.list.items[i]));
		break;
	case V_MAP:
		c = val_map();
		for (i = 0; i < v->u.map.n; i++) {
			val_map_set(c, v->u.map.items[i].key,
			    val_copy(v->u.map.items[i].v));
			c->u.map.items[i].pos = v->u.map.items[i].pos;
		}
		break;
	default:
		c = val_new(v->type);
		c->u = v->u;
		break;
	}
	c->pos = v->pos;
	c->quoted = v->quoted;
	c->unsafe = v->unsafe;
	c->literal = v->literal;
	c->tuple = v->tuple;
	return c;
}

void
val_list_push(struct val *list, struct val *item)
{
	ALLOC_GROW(list->u.list.items, list->u.list.n + 1, list->u.list.alloc);
	list->u.list.items[list->u.list.n++] = item;
}

struct val *
val_list_get(const struct val *list, size_t i)
{
	if (list == NULL || list->type != V_LIST || i >= list->u.list.n)
		return NULL;
	return list->u.list.items[i];
}

struct val *
val_list_of_lines(const char *s)
{
	struct val *l = val_list();

	while (*s != '\0') {
		size_t n = strcspn(s, "\n");

		if (n > 0)
			val_list_push(l, val_strn(s, n));
		s += n + (s[n] == '\n');
	}
	return l;
}

static struct val_pair *
map_find(const struct val *map, const char *key)
{
	size_t i;

	if (map == NULL || map->type != V_MAP)
		return NULL;
	for (i = 0; i < map->u.map.n; i++)
		if (strcmp(map->u.map.items[i].key, key) == 0)
			return &map->u.map.items[i];
	return NULL;
}

void
val_map_set(struct val *map, const char *key, struct val *v)
{
	struct val_pair *p = map_find(map, key);

	if (p != NULL) {
		val_free(p->v);
		p->v = v;
		return;
	}
	ALLOC_GROW(map->u.map.items, map->u.map.n + 1, map->u.map.alloc);
	p = &map->u.map.items[map->u.map.n++];
	p->key = xstrdup(key);
	p->v = v;
	memset(&p->pos, 0, sizeof(p->pos));
}

struct val *
val_map_get(const struct val *map, const char *key)
{
	struct val_pair *p = map_find(map, key);

	return p ? p->v : NULL;
}

const struct pos *
val_map_keypos(const struct val *map, const char *key)
{
	struct val_pair *p = map_find(map, key);

	if (p == NULL)
		return NULL;
	return p->pos.file != NULL ? &p->pos : &p->v->pos;
}

struct val *
val_map_getpath(const struct val *map, const char *path)
{
	const struct val *cur = map;
	const char *p = path;

	while (cur != NULL && *p != '\0') {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		char *key = xstrndup(p, n);

		if (cur->type == V_MAP) {
			cur = val_map_get(cur, key);
		} else if (cur->type == V_LIST) {
			char *end;
			unsigned long idx = strtoul(key, &end, 10);

			cur = (*key && *end == '\0') ? val_list_get(cur, idx) : NULL;
		} else {
			cur = NULL;
		}
		free(key);
		p += n;
		if (*p == '.')
			p++;
	}
	return (struct val *)cur;
}

struct val *
val_map_take(struct val *map, const char *key)
{
	struct val_pair *p = map_find(map, key);
	struct val *v;
	size_t idx;

	if (p == NULL)
		return NULL;
	idx = (size_t)(p - map->u.map.items);
	free(p->key);
	v = p->v;
	memmove(p, p + 1, (map->u.map.n - idx - 1) * sizeof(*p));
	map->u.map.n--;
	return v;
}

int
val_map_del(struct val *map, const char *key)
{
	struct val *v = val_map_take(map, key);

	val_free(v);
	return v != NULL;
}

void
val_map_merge(struct val *dst, const struct val *src)
{
	size_t i;

	if (src == NULL || src->type != V_MAP)
		return;
	for (i = 0; i < src->u.map.n; i++)
		val_map_set(dst, src->u.map.items[i].key,
		    val_copy(src->u.map.items[i].v));
}

const char *
val_type_name(enum val_type t)
{
	static const char *names[] = { "null", "bool", "int", "string",
	    "list", "mapping", "float" };

	return names[t];
}

int
val_truthy(const struct val *v)
{
	if (v == NULL)
		return 0;
	switch (v->type) {
	case V_NULL: return 0;
	case V_BOOL: return v->u.b;
	case V_INT: return v->u.i != 0;
	case V_STR: return v->u.str.len != 0;
	case V_LIST: return v->u.list.n != 0;
	case V_MAP: return v->u.map.n != 0;
	case V_FLOAT: return v->u.f != 0;
	}
	return 0;
}

int
str_to_bool(const char *s)
{
	static const char *yes[] = { "yes", "on", "1", "true", "y", "t" };
	static const char *no[] = { "no", "off", "0", "false", "n", "f", "" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

int
val_to_bool(const struct val *v)
{
	if (v == NULL || v->type == V_NULL)
		return 0;
	if (v->type == V_BOOL)
		return v->u.b;
	if (v->type == V_INT)
		return v->u.i == 1 ? 1 : v->u.i == 0 ? 0 : -1;
	if (v->type != V_STR)
		return -1;
	return str_to_bool(v->u.str.s);
}

int
val_to_int(const struct val *v, int64_t *out)
{
	const char *s;
	char *end;
	long long n;

	if (v == NULL)
		return -1;
	if (v->type == V_INT) {
		*out = v->u.i;
		return 0;
	}
	if (v->type == V_BOOL) {
		*out = v->u.b;
		return 0;
	}
	if (v->type != V_STR)
		return -1;
	s = v->u.str.s;
	while (*s == ' ')
		s++;
	if (*s == '\0')
		return -1;
	n = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	if (*end != '\0')
		return -1;
	*out = n;
	return 0;
}

static void
py_str(const char *s, size_t len, struct strbuf *sb)
{
	size_t i;

	strbuf_addch(sb, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'' || s[i] == '\\')
			strbuf_addch(sb, '\\');
		if (s[i] == '\n')
			strbuf_addstr(sb, "\\n");
		else
			strbuf_addch(sb, s[i]);
	}
	strbuf_addch(sb, '\'');
}

static void
val_repr_py(const struct val *v, struct strbuf *sb, int top)
{
	size_t i;

	if (v == NULL) {
		strbuf_addstr(sb, "None");
		return;
	}
	switch (v->type) {
	case V_NULL: strbuf_addstr(sb, "None"); break;
	case V_BOOL: strbuf_addstr(sb, v->u.b ? "True" : "False"); break;
	case V_INT: strbuf_addf(sb, "%" PRId64, v->u.i); break;
	case V_FLOAT: val_float_repr(v->u.f, sb); break;
	case V_STR:
		if (top)
			strbuf_add(sb, v->u.str.s, v->u.str.len);
		else
			py_str(v->u.str.s, v->u.str.len, sb);
		break;
	case V_LIST:
		strbuf_addch(sb, v->tuple ? '(' : '[');
		for (i = 0; i < v->u.list.n; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			val_repr_py(v->u.list.items[i], sb, 0);
		}
		strbuf_addstr(sb, !v->tuple ? "]" : v->u.list.n == 1 ? ",)" :
		    ")");
		break;
	case V_MAP:
		strbuf_addch(sb, '{');
		for (i = 0; i < v->u.map.n; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			py_str(v->u.map.items[i].key,
			    strlen(v->u.map.items[i].key), sb);
			strbuf_addstr(sb, ": ");
			val_repr_py(v->u.map.items[i].v, sb, 0);
		}
		strbuf_addch(sb, '}');
		break;
	}
}

void
val_to_str_py(const struct val *v, struct strbuf *sb)
{
	val_repr_py(v, sb, 1);
}

void
val_to_str(const struct val *v, struct strbuf *sb)
{
	if (v == NULL)
		return;
	switch (v->type) {
	case V_NULL: break;
	case V_BOOL: strbuf_addstr(sb, v->u.b ? "true" : "false"); break;
	case V_INT: strbuf_addf(sb, "%" PRId64, v->u.i); break;
	case V_STR: strbuf_add(sb, v->u.str.s, v->u.str.len); break;
	case V_FLOAT: val_float_repr(v->u.f, sb); break;
	default: val_to_json(v, sb, -1); break;
	}
}

static void
json_indent(struct strbuf *sb, int indent, int depth)
{
	int i;

	if (indent < 0)
		return;
	strbuf_addch(sb, '\n');
	for (i = 0; i < indent * depth; i++)
		strbuf_addch(sb, ' ');
}

static void
json_rec(const struct val *v, struct strbuf *sb, int indent, int depth,
    int unsafe)
{
	size_t i;

	unsafe = unsafe || (v != NULL && v->unsafe);
	if (v == NULL || v->type == V_NULL) {
		strbuf_addstr(sb, "null");
		return;
	}
	if (unsafe && v->type != V_LIST && v->type != V_MAP) {
		strbuf_addstr(sb, "\"********\"");
		return;
	}
	switch (v->type) {
	case V_BOOL: strbuf_addstr(sb, v->u.b ? "true" : "false"); break;
	case V_INT: strbuf_addf(sb, "%" PRId64, v->u.i); break;
	case V_STR: strbuf_addjson(sb, v->u.str.s, v->u.str.len); break;
	case V_FLOAT:      /* Python's json: repr, Infinity, NaN */
		if (v->u.f != v->u.f || v->u.f - v->u.f != 0)
			strbuf_addstr(sb, v->u.f != v->u.f ? "NaN" : v->u.f > 0
			    ? "Infinity" : "-Infinity");
		else
			val_float_repr(v->u.f, sb);
		break;
	case V_LIST:
		strbuf_addch(sb, '[');
		for (i = 0; i < v->u.list.n; i++) {
			if (i)
				strbuf_addch(sb, ',');
			json_indent(sb, indent, depth + 1);
			json_rec(v->u.list.items[i], sb, indent, depth + 1,
			    unsafe);
		}
		if (v->u.list.n)
			json_indent(sb, indent, depth);
		strbuf_addch(sb, ']');
		break;
	case V_MAP:
		strbuf_addch(sb, '{');
		for (i = 0; i < v->u.map.n; i++) {
			const char *k = v->u.map.items[i].key;

			if (i)
				strbuf_addch(sb, ',');
			json_indent(sb, indent, depth + 1);
			strbuf_addjson(sb, k, strlen(k));
			strbuf_addstr(sb, indent >= 0 ? ": " : ":");
			json_rec(v->u.map.items[i].v, sb, indent, depth + 1,
			    unsafe);
		}
		if (v->u.map.n)
			json_indent(sb, indent, depth);
		strbuf_addch(sb, '}');
		break;
	default:
		break;
	}
}

void
val_to_json(const struct val *v, struct strbuf *sb, int indent)
{
	json_rec(v, sb, indent, 0, 0);
}

int
val_equal(const struct val *a, const struct val *b)
{
	size_t i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type) {
		int64_t x, y;

		if (a->type == V_FLOAT || b->type == V_FLOAT) {
			const struct val *fl = a->type == V_FLOAT ? a : b;
			const struct val *o = fl == a ? b : a;

			return (o->type == V_INT || o->type == V_BOOL) &&
			    val_to_int(o, &x) == 0 && fl->u.f == (double)x;
		}
		if ((a->type == V_INT || b->type == V_INT) &&
		    a->type != V_STR && b->type != V_STR &&
		    val_to_int(a, &x) == 0 && val_to_int(b, &y) == 0)
			return x == y;
		return 0;
	}
	switch (a->type) {
	case V_NULL: return 1;
	case V_BOOL: return a->u.b == b->u.b;
	case V_INT: return a->u.i == b->u.i;
	case V_FLOAT: return a->u.f == b->u.f;
	case V_STR:
		return a->u.str.len == b->u.str.len &&
		    memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case V_LIST:
		if (a->u.list.n != b->u.list.n)
			return 0;
		for (i = 0; i < a->u.list.n; i++)
			if (!val_equal(a->u.list.items[i], b->u.list.items[i]))
				return 0;
		return 1;
	case V_MAP:
		if (a->u.map.n != b->u.map.n)
			return 0;
		for (i = 0; i < a->u.map.n; i++) {
			struct val *o = val_map_get(b, a->u.map.items[i].key);

			if (o == NULL || !val_equal(a->u.map.items[i].v, o))
				return 0;
		}
		return 1;
	}
	return 0;
}

void
val_mark_unsafe(struct val *v)
{
	size_t i;

	if (v == NULL)
		return;
	v->unsafe = 1;
	if (v->type == V_LIST)
		for (i = 0; i < v->u.list.n; i++)
			val_mark_unsafe(v->u.list.items[i]);
	if (v->type == V_MAP)
		for (i = 0; i < v->u.map.n; i++)
			val_mark_unsafe(v->u.map.items[i].v);
}

void
val_mark_literal(struct val *v)
{
	size_t i;

	if (v == NULL)
		return;
	v->literal = 1;
	if (v->type == V_LIST)
		for (i = 0; i < v->u.list.n; i++)
			val_mark_literal(v->u.list.items[i]);
	if (v->type == V_MAP)
		for (i = 0; i < v->u.map.n; i++)
			val_mark_literal(v->u.map.items[i].v);
}

const char *
val_map_str(const struct val *map, const char *key, const char *def)
{
	struct val *v = val_map_get(map, key);

	if (v == NULL || v->type != V_STR)
		return def;
	return v->u.str.s;
}
