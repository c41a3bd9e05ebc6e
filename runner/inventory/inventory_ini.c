/*
 * inventory_ini.c - INI inventories, as Ansible's ini inventory plugin reads
 * them (plugins/inventory/ini.py), with positioned errors; and the Python
 * literals (ast.literal_eval) its values are.  See inventory.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runner/inventory/inventory_int.h"
#include "runner/util/banned.h"

#define PY_MAX_DEPTH 64

/* ---- Python literals ---- */

struct py {
	const char *s;
	size_t i;
	const struct pos *pos;
};

static struct val *py_value(struct py *p, int depth);

static void
py_ws(struct py *p)
{
	for (;;) {
		char c = p->s[p->i];

		if (c == ' ' || c == '\t' || c == '\f' || c == '\r' ||
		    c == '\n')
			p->i++;
		else if (c == '#')
			p->i += strcspn(p->s + p->i, "\n");
		else
			return;
	}
}

static struct val *
py_pos(struct py *p, struct val *v)
{
	if (v != NULL)
		v->pos = *p->pos;
	return v;
}

static int
py_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* Digits of the given base with single '_' separators; 0 on error. */
static size_t
py_digits(const char *s, int base, struct strbuf *out)
{
	size_t i = 0;
	int prev_us = 1;

	for (;; i++) {
		char c = s[i];
		int d = isdigit((unsigned char)c) ? c - '0' :
		    isxdigit((unsigned char)c) ? tolower((unsigned char)c) -
		    'a' + 10 : -1;

		if (c == '_' && !prev_us) {
			prev_us = 1;
			continue;
		}
		if (d < 0 || d >= base)
			break;
		strbuf_addch(out, c);
		prev_us = 0;
	}
	return (prev_us || out->len == 0) ? 0 : i;
}

/* A Python float literal: 1.5, .5, 5., 1e3, 1_0.2_5e-1_0. */
static struct val *
py_float(struct py *p, int neg)
{
	struct strbuf d = STRBUF_INIT;
	const char *s = p->s + p->i;
	size_t n = py_digits(s, 10, &d), f = 0, x = 0;
	struct val *v = NULL;
	int dot = 0;

	if (s[n] == '.') {
		dot = 1;
		strbuf_addch(&d, '.');
		f = py_digits(s + n + 1, 10, &d);
		if (n == 0 && f == 0)
			goto out;
		n += 1 + f;
	}
	if (s[n] == 'e' || s[n] == 'E') {
		size_t sign = s[n + 1] == '+' || s[n + 1] == '-';

		strbuf_addch(&d, 'e');
		if (sign)
			strbuf_addch(&d, s[n + 1]);
		if ((x = py_digits(s + n + 1 + sign, 10, &d)) == 0)
			goto out;
		n += 1 + sign + x;
	}
	if ((!dot && x == 0) || py_ident_char(s[n]) || s[n] == '.')
		goto out;             /* 1.2.3, 1.5j, 1e */
	p->i = (size_t)(s + n - p->s);
	v = py_pos(p, val_float(neg ? -strtod(d.buf, NULL) :
	    strtod(d.buf, NULL)));
out:
	strbuf_release(&d);
	return v;
}

static struct val *
py_number(struct py *p, int neg)
{
	struct strbuf d = STRBUF_INIT;
	const char *s = p->s + p->i;
	struct val *v = NULL;
	int base = 10;
	size_t n;
	uint64_t u;
	char *end;

	if (s[0] == '0' && s[1] != '\0' && strchr("xXoObB", s[1]) != NULL) {
		base = strchr("xX", s[1]) ? 16 : strchr("oO", s[1]) ? 8 : 2;
		s += 2;
		s += *s == '_';
	}
	n = py_digits(s, base, &d);
	if (base == 10 && (s[n] == '.' || s[n] == 'e' || s[n] == 'E' ||
	    (n == 0 && s[0] == '.'))) {
		strbuf_release(&d);
		return py_float(p, neg);
	}
	if (n == 0 || py_ident_char(s[n]) || s[n] == '.')
		goto out;             /* complex, 1abc */
	if (base == 10 && d.buf[0] == '0' && strspn(d.buf, "0") != d.len)
		goto out;             /* 012 is a SyntaxError */
	errno = 0;
	u = strtoull(d.buf, &end, base);
	if (errno == ERANGE || u > (uint64_t)INT64_MAX + (uint64_t)neg)
		goto out;
	p->i = (size_t)(s + n - p->s);
	v = py_pos(p, val_int(neg ? (int64_t)(0 - u) : (int64_t)u));
out:
	strbuf_release(&d);
	return v;
}

static int
py_hex(const char *s, int n, uint32_t *out)
{
	int i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		*out = *out * 16 + (uint32_t)(isdigit((unsigned char)s[i]) ?
		    s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return 0;
}

static void
utf8_put(struct strbuf *sb, uint32_t c)
{
	if (c < 0x80) {
		strbuf_addch(sb, (int)c);
	} else if (c < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | (c >> 6)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | (c >> 12)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | (c >> 18)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 12) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	}
}

/* One backslash escape at s (after the backslash); bytes consumed or -1. */
static int
py_escape(const char *s, int bytes, struct strbuf *sb)
{
	static const char from[] = "\\'\"abfnrtv", to[] = "\\'\"\a\b\f\n\r\t\v";
	const char *f = s[0] ? strchr(from, s[0]) : NULL;
	uint32_t c;
	int n = 0;

	if (f != NULL) {
		strbuf_addch(sb, to[f - from]);
		return 1;
	}
	if (s[0] >= '0' && s[0] <= '7') {
		for (c = 0; n < 3 && s[n] >= '0' && s[n] <= '7'; n++)
			c = c * 8 + (uint32_t)(s[n] - '0');
		utf8_put(sb, c);
		return n;
	}
	n = s[0] == 'x' ? 2 : (!bytes && s[0] == 'u') ? 4 :
	    (!bytes && s[0] == 'U') ? 8 : 0;
	if (n > 0) {
		if (py_hex(s + 1, n, &c) < 0 || c > 0x10ffff)
			return -1;
		utf8_put(sb, c);
		return n + 1;
	}
	if (s[0] == 'N' && !bytes)
		return -1;            /* \N{name}: not supported */
	strbuf_addch(sb, '\\');       /* unknown escapes stay */
	return 0;
}

/* One string literal with optional prefix; appends its text to sb. */
static int
py_string1(struct py *p, struct strbuf *sb)
{
	const char *s = p->s + p->i;
	int raw = 0, bytes = 0, k;
	size_t qlen;
	char q;

	for (; *s != '\0' && strchr("rRbBuU", *s) != NULL; s++) {
		raw |= *s == 'r' || *s == 'R';
		bytes |= *s == 'b' || *s == 'B';
	}
	if (*s != '\'' && *s != '"')
		return -1;
	q = *s;
	qlen = (s[1] == q && s[2] == q) ? 3 : 1;
	for (s += qlen; *s != '\0'; s++) {
		if (*s == q && (qlen == 1 || (s[1] == q && s[2] == q))) {
			p->i = (size_t)(s + qlen - p->s);
			return 0;
		}
		if (*s == '\n' && qlen == 1)
			return -1;
		if (*s == '\\' && s[1] != '\0' && raw) {
			strbuf_add(sb, s, 2);
			s++;
		} else if (*s == '\\' && s[1] != '\0') {
			if ((k = py_escape(s + 1, bytes, sb)) < 0)
				return -1;
			s += k;
		} else {
			strbuf_addch(sb, *s);
		}
	}
	return -1;
}

static int
py_starts_string(const char *s)
{
	size_t n = strspn(s, "rRbBuU");

	return n <= 2 && (s[n] == '\'' || s[n] == '"');
}

/* Adjacent string literals concatenate ('a' "b" is "ab"). */
static struct val *
py_string(struct py *p)
{
	struct strbuf sb = STRBUF_INIT;

	do {
		if (py_string1(p, &sb) < 0) {
			strbuf_release(&sb);
			return NULL;
		}
		py_ws(p);
	} while (py_starts_string(p->s + p->i));
	return py_pos(p, val_str_take(strbuf_detach(&sb, NULL)));
}

/* Items up to `close`; a map when dict != 0. Sets *had_comma. */
static int
py_items(struct py *p, char close, int depth, struct val *into, int dict,
    int *had_comma)
{
	*had_comma = 0;
	for (;;) {
		struct val *k = NULL, *v;

		py_ws(p);
		if (p->s[p->i] == close)
			break;
		if ((v = py_value(p, depth + 1)) == NULL)
			return -1;
		py_ws(p);
		if (dict) {
			struct strbuf key = STRBUF_INIT;

			k = v;
			if (p->s[p->i] != ':' || k->type == V_LIST ||
			    k->type == V_MAP) {
				val_free(k);
				return -1;
			}
			p->i++;
			py_ws(p);
			if ((v = py_value(p, depth + 1)) == NULL) {
				val_free(k);
				return -1;
			}
			val_to_str_py(k, &key);
			val_map_set(into, key.buf, v);
			strbuf_release(&key);
			val_free(k);
			py_ws(p);
		} else {
			val_list_push(into, v);
		}
		if (p->s[p->i] != ',')
			break;
		p->i++;
		*had_comma = 1;
	}
	if (p->s[p->i] != close)
		return -1;
	p->i++;
	return 0;
}

static struct val *
py_container(struct py *p, int depth)
{
	char open = p->s[p->i];
	char close = open == '[' ? ']' : open == '(' ? ')' : '}';
	struct val *v;
	size_t save;
	int comma, dict = 0;

	p->i++;
	py_ws(p);
	if (open == '{') {
		struct val *first;

		save = p->i;
		if (p->s[p->i] == '}')
			dict = 1;
		else if ((first = py_value(p, depth + 1)) != NULL) {
			py_ws(p);
			dict = p->s[p->i] == ':';
			val_free(first);
		}
		p->i = save;
	}
	v = dict ? val_map() : val_list();
	if (py_items(p, close, depth, v, dict, &comma) < 0) {
		val_free(v);
		return NULL;
	}
	if (open == '(' && !comma && v->u.list.n == 1) {
		struct val *only = v->u.list.items[0];   /* (x) is x */

		v->u.list.n = 0;
		val_free(v);
		return only;
	}
	return py_pos(p, v);
}

static struct val *
py_word(struct py *p)
{
	static const char *words[] = { "True", "False", "None" };
	const char *s = p->s + p->i;
	size_t n = 0, i;

	if (strncmp(s, "...", 3) == 0) {
		p->i += 3;
		return py_pos(p, val_str("..."));
	}
	while (py_ident_char(s[n]))
		n++;
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (strlen(words[i]) != n || strncmp(s, words[i], n) != 0)
			continue;
		p->i += n;
		return py_pos(p, i == 2 ? val_null() : val_bool(i == 0));
	}
	return NULL;
}

static int
py_numeric(const char *s)
{
	return isdigit((unsigned char)s[0]) ||
	    (s[0] == '.' && isdigit((unsigned char)s[1]));
}

static struct val *
py_value(struct py *p, int depth)
{
	char c = p->s[p->i];

	if (depth > PY_MAX_DEPTH)
		return NULL;
	if (c == '-' || c == '+') {
		p->i++;
		py_ws(p);
		return py_numeric(p->s + p->i) ? py_number(p, c == '-') :
		    NULL;
	}
	if (py_numeric(p->s + p->i))
		return py_number(p, 0);
	if (py_starts_string(p->s + p->i))
		return py_string(p);
	if (c == '[' || c == '(' || c == '{')
		return py_container(p, depth);
	return py_word(p);
}

int
inv_pylit(const char *s, const struct pos *pos, struct val **out)
{
	struct py p = { s, 0, pos };
	struct val *v;

	py_ws(&p);
	v = py_value(&p, 0);
	if (v != NULL)
		py_ws(&p);
	if (v == NULL || s[p.i] != '\0') {
		val_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

/* An INI value: a Python literal, else the text itself. */
static struct val *
ini_value(const char *s, const struct pos *pos)
{
	struct val *v;

	if (inv_pylit(s, pos, &v) == 0)
		return v;
	v = val_str(s);
	v->pos = *pos;
	return v;
}

/* ---- INI ---- */

enum ini_state { INI_HOSTS, INI_VARS, INI_CHILDREN, INI_SKIP };

struct vars_decl {
	struct inv_group *group;
	struct pos pos;
};

/* A group named under [p:children] before it exists (Ansible's
 * pending_declarations): linked to its parents, in their order, when its
 * own [x] or [x:children] section comes; never coming is an error. */
struct pending_child {
	char *name;
	struct inv_group **parents;
	struct pos *pos;             /* of each listing */
	size_t nparents, alloc, palloc;
	int resolved;
};

struct ini {
	struct inventory *inv;
	struct err *e;
	struct pos pos;              /* file and line being read */
	struct inv_group *group;     /* current section */
	enum ini_state state;
	struct inv_refs refs;        /* [x:children] entries */
	struct vars_decl *decls;     /* [x:vars] of groups not yet defined */
	size_t ndecls, decls_alloc;
	struct pending_child *pend;
	size_t npend, pend_alloc;
	int ret;
};

struct tok {
	char *s;
	int col;
	int plain;                   /* no quotes or escapes */
};

static struct pos
at(const struct ini *in, int col)
{
	struct pos p = in->pos;

	p.col = col;
	return p;
}

static void ini_error(struct ini *in, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
ini_error(struct ini *in, int col, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	struct pos p = at(in, col);
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	err_setpos(in->e, &p, "%s", sb.buf);
	strbuf_release(&sb);
	in->ret = -1;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

static int
is_name_char(char c)
{
	return c != '\0' && c != ':' && c != ']' && !is_ws(c);
}

/* After a name: blanks, then nothing or a comment. */
static const char *
trailing_junk(const char *p)
{
	while (is_ws(*p))
		p++;
	return (*p == '\0' || *p == '#' || *p == ';') ? NULL : p;
}

static void
toks_free(struct tok *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i].s);
	free(t);
}

/* One quoted part of a token at *pp (on its quote); -1 if unterminated. */
static int
shlex_quoted(const char **pp, struct strbuf *sb)
{
	const char *p = *pp;
	char q = *p++;

	while (*p != '\0' && *p != q) {
		if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		strbuf_addch(sb, *p++);
	}
	if (*p != q)
		return -1;
	*pp = p + 1;
	return 0;
}

/* One shlex word at *pp into t; -1 after an error. */
static int
shlex_word(struct ini *in, const char *s, int col0, const char **pp,
    struct tok *t)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = *pp;

	t->col = col0 + (int)(p - s);
	t->plain = 1;
	while (*p != '\0' && !is_ws(*p) && *p != '#') {
		const char *q = p;

		if (*p == '\'' || *p == '"') {
			t->plain = 0;
			if (shlex_quoted(&p, &sb) < 0) {
				ini_error(in, col0 + (int)(q - s), "missing "
				    "closing quote (%c)", *q);
				strbuf_release(&sb);
				return -1;
			}
		} else if (*p == '\\') {
			t->plain = 0;
			if (p[1] == '\0') {
				ini_error(in, col0 + (int)(p - s), "nothing "
				    "after '\\' at the end of the line");
				strbuf_release(&sb);
				return -1;
			}
			strbuf_addch(&sb, p[1]);
			p += 2;
		} else {
			strbuf_addch(&sb, *p++);
		}
	}
	t->s = strbuf_detach(&sb, NULL);
	*pp = p;
	return 0;
}

/* Split a host line as Python's shlex.split(line, comments=True). */
static int
shlex_split(struct ini *in, const char *s, int col0, struct tok **out,
    size_t *n)
{
	struct tok *t = NULL;
	size_t alloc = 0;
	const char *p = s;

	*n = 0;
	for (;;) {
		while (is_ws(*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		ALLOC_GROW(t, *n + 1, alloc);
		if (shlex_word(in, s, col0, &p, &t[*n]) < 0) {
			toks_free(t, *n);
			*n = 0;
			return -1;
		}
		(*n)++;
	}
	*out = t;
	return 0;
}

/* "key=value" tokens after the host into a map; -1 after an error. */
static int
host_vars(struct ini *in, struct tok *t, size_t n, struct val *vars)
{
	size_t i;

	for (i = 1; i < n; i++) {
		char *eq = strchr(t[i].s, '=');
		struct pos p = at(in, t[i].col);

		if (eq == NULL) {
			ini_error(in, t[i].col, "expected 'key=value' after "
			    "host '%s', got '%s'", t[0].s, t[i].s);
			return -1;
		}
		if (eq == t[i].s) {
			ini_error(in, t[i].col, "missing variable name before "
			    "'=' in '%s'", t[i].s);
			return -1;
		}
		*eq = '\0';
		if (t[i].plain)
			p.col += (int)(eq + 1 - t[i].s);
		val_map_set(vars, t[i].s, ini_value(eq + 1, &p));
	}
	return 0;
}

static void
add_hosts(struct ini *in, const struct strlist *names, long port,
    const struct val *vars, int col)
{
	struct pos p = at(in, col);
	size_t i;

	for (i = 0; i < names->n; i++) {
		struct inv_host *h = inv_host_get(in->inv, names->v[i], &p);

		inv_add_member(in->group, h);
		if (port >= 0)
			inv_set_host_var(h, "ansible_port", val_int(port));
		val_map_merge(h->file_vars, vars);
	}
}

static void
ini_host(struct ini *in, const char *s, int col0)
{
	struct strlist names = { 0 };
	struct val *vars = NULL;
	struct tok *t = NULL;
	size_t n = 0, off;
	char *why = NULL;
	long port;

	if (shlex_split(in, s, col0, &t, &n) < 0 || n == 0)
		goto out;
	if (strcmp(t[0].s, "---") == 0) {
		ini_error(in, t[0].col, "'---' is not a host name (a YAML "
		    "inventory needs a .yml or .yaml name)");
		goto out;
	}
	if (inv_expand_hosts(t[0].s, &names, &port, &why, &off) < 0) {
		ini_error(in, t[0].col + (t[0].plain ? (int)off : 0), "%s",
		    why);
		goto out;
	}
	vars = val_map();
	if (host_vars(in, t, n, vars) == 0)
		add_hosts(in, &names, port, vars, t[0].col);
out:
	val_free(vars);
	free(why);
	strlist_clear(&names);
	toks_free(t, n);
}

static void
ini_var(struct ini *in, const char *s, int col0)
{
	const char *eq = strchr(s, '='), *v;
	struct pos p;
	char *key;
	size_t klen;

	if (eq == NULL) {
		ini_error(in, col0, "expected 'key=value' in section "
		    "'[%s:vars]', got '%s'", in->group->name, s);
		return;
	}
	for (klen = (size_t)(eq - s); klen > 0 && is_ws(s[klen - 1]); klen--)
		;
	if (klen == 0 || memchr(s, ' ', klen) || memchr(s, '\t', klen)) {
		ini_error(in, col0, "invalid variable name '%.*s' in section "
		    "'[%s:vars]'", (int)klen, s, in->group->name);
		return;
	}
	for (v = eq + 1; is_ws(*v); v++)
		;
	p = at(in, col0 + (int)(v - s));
	key = xstrndup(s, klen);
	if (inv_set_group_var(in->group, key, ini_value(v, &p), &p, in->e) < 0)
		in->ret = -1;
	free(key);
}

static void
link_child(struct ini *in, struct inv_group *parent, struct inv_group *g,
    const struct pos *pos)
{
	g->referenced = 1;
	inv_refs_add(&in->refs, g, parent->name, pos);
	if (inv_add_child(in->inv, parent, g, pos, in->e) < 0)
		in->ret = -1;
}

static struct pending_child *
pending_find(struct ini *in, const char *name)
{
	size_t i;

	for (i = 0; i < in->npend; i++)
		if (!in->pend[i].resolved && strcmp(in->pend[i].name, name) == 0)
			return &in->pend[i];
	return NULL;
}

static void
pending_add(struct ini *in, const char *name, const struct pos *pos)
{
	struct pending_child *pc = pending_find(in, name);

	if (pc == NULL) {
		ALLOC_GROW(in->pend, in->npend + 1, in->pend_alloc);
		pc = &in->pend[in->npend++];
		memset(pc, 0, sizeof(*pc));
		pc->name = xstrdup(name);
	}
	ALLOC_GROW(pc->parents, pc->nparents + 1, pc->alloc);
	ALLOC_GROW(pc->pos, pc->nparents + 1, pc->palloc);
	pc->parents[pc->nparents] = in->group;
	pc->pos[pc->nparents++] = *pos;
}

/* g's section came: link it to the parents that named it. */
static void
pending_resolve(struct ini *in, struct inv_group *g)
{
	struct pending_child *pc = pending_find(in, g->name);
	size_t i;

	if (pc == NULL)
		return;
	for (i = 0; i < pc->nparents; i++)
		link_child(in, pc->parents[i], g, &pc->pos[i]);
	pc->resolved = 1;
}

/* Those never defined: Ansible refuses the file. */
static void
pending_finish(struct ini *in)
{
	size_t i;

	for (i = 0; i < in->npend; i++) {
		struct pending_child *pc = &in->pend[i];

		if (!pc->resolved && inventory_find_host(in->inv, pc->name))
			err_setpos(in->e, &pc->pos[0], "child '%s' of group '%s' "
			    "is a host, not a group", pc->name,
			    pc->parents[0]->name);
		else if (!pc->resolved)
			err_setpos(in->e, &pc->pos[0], "section '[%s:children]' "
			    "includes undefined group '%s' (add a '[%s]' "
			    "section)", pc->parents[0]->name, pc->name,
			    pc->name);
		in->ret = pc->resolved ? in->ret : -1;
		free(pc->name);
		free(pc->parents);
		free(pc->pos);
	}
	free(in->pend);
}

static void
ini_child(struct ini *in, const char *s, int col0)
{
	const char *p = s, *junk;
	struct inv_group *g;
	struct pos pos = at(in, col0);
	char *name;

	while (is_name_char(*p))
		p++;
	junk = trailing_junk(p);
	if (p == s || junk != NULL) {
		ini_error(in, col0 + (int)((junk ? junk : p) - s), "expected "
		    "a group name in section '[%s:children]', got '%s'",
		    in->group->name, s);
		return;
	}
	name = xstrndup(s, (size_t)(p - s));
	if ((g = inventory_find_group(in->inv, name)) == NULL)
		pending_add(in, name, &pos);
	else
		link_child(in, in->group, g, &pos);
	free(name);
}

/* Parse "[name]" or "[name:tag]" into name/tag; -1 after an error. */
static int
section_parse(struct ini *in, const char *s, int col0, char **name,
    enum ini_state *state)
{
	const char *p = s + 1, *n = p, *tag = NULL, *junk;

	while (is_name_char(*p))
		p++;
	if (p == n) {
		ini_error(in, col0 + (int)(p - s), "missing group name in "
		    "section header '%s'", s);
		return -1;
	}
	if (*p == ':') {
		for (tag = ++p; isalnum((unsigned char)*p) || *p == '_'; p++)
			;
	}
	if (tag != NULL && p == tag && *p == ']') {
		ini_error(in, col0 + (int)(p - s), "missing section type after "
		    "':' in '%s'", s);
		return -1;
	}
	if (*p != ']' || (tag != NULL && p == tag)) {
		ini_error(in, col0 + (int)(p - s), "invalid character '%c' in "
		    "section header '%s'", *p ? *p : ' ', s);
		return -1;
	}
	if ((junk = trailing_junk(p + 1)) != NULL) {
		ini_error(in, col0 + (int)(junk - s), "unexpected text after "
		    "section header '%.*s'", (int)(p + 1 - s), s);
		return -1;
	}
	*state = INI_HOSTS;
	if (tag != NULL && (size_t)(p - tag) == 4 && !strncmp(tag, "vars", 4))
		*state = INI_VARS;
	else if (tag != NULL && (size_t)(p - tag) == 8 &&
	    strncmp(tag, "children", 8) == 0)
		*state = INI_CHILDREN;
	else if (tag != NULL) {
		ini_error(in, col0 + (int)(tag - s), "unknown section type "
		    "'%.*s' in '%.*s' (expected 'vars' or 'children')",
		    (int)(p - tag), tag, (int)(p + 1 - s), s);
		return -1;
	}
	*name = xstrndup(n, (size_t)((tag ? tag - 1 : p) - n));
	return 0;
}

static void
ini_section(struct ini *in, const char *s, int col0)
{
	struct pos p = at(in, col0 + 1);
	enum ini_state state;
	char *name = NULL;
	int existed;

	in->state = INI_SKIP;
	if (strchr(s, ']') == NULL) {
		ini_error(in, col0, "unterminated section header '%s'", s);
		return;
	}
	if (section_parse(in, s, col0, &name, &state) < 0)
		return;
	existed = inventory_find_group(in->inv, name) != NULL;
	in->group = inv_group_get(in->inv, name, &p);
	in->state = state;
	if (state != INI_VARS) {
		in->group->defined = 1;
		pending_resolve(in, in->group);
	} else if (!existed) {
		ALLOC_GROW(in->decls, in->ndecls + 1, in->decls_alloc);
		in->decls[in->ndecls].group = in->group;
		in->decls[in->ndecls++].pos = p;
	}
	free(name);
}

/* "[::1]:22 ..." is a host, not a section. */
static int
bracketed_host(const char *s)
{
	const char *close = strchr(s, ']');
	size_t n;

	if (close == NULL || close[1] != ':')
		return 0;
	n = strspn(close + 2, "0123456789");
	return n > 0 && (close[2 + n] == '\0' || is_ws(close[2 + n]) ||
	    close[2 + n] == '#');
}

static void
ini_line(struct ini *in, char *line)
{
	size_t n = strlen(line), lead = 0;
	const char *s;

	while (n > 0 && is_ws(line[n - 1]))
		line[--n] = '\0';
	while (is_ws(line[lead]))
		lead++;
	s = line + lead;
	if (*s == '\0' || *s == '#' || *s == ';')
		return;
	if (*s == '[' && !bracketed_host(s)) {
		ini_section(in, s, (int)lead + 1);
		return;
	}
	switch (in->state) {
	case INI_HOSTS: ini_host(in, s, (int)lead + 1); break;
	case INI_VARS: ini_var(in, s, (int)lead + 1); break;
	case INI_CHILDREN: ini_child(in, s, (int)lead + 1); break;
	case INI_SKIP: break;
	}
}

static void
ini_finish(struct ini *in)
{
	size_t i;

	for (i = 0; i < in->ndecls; i++) {
		struct inv_group *g = in->decls[i].group;

		if (g->defined)
			continue;
		err_setpos(in->e, &in->decls[i].pos, "section '[%s:vars]' is "
		    "for an undefined group (add a '[%s]' section)", g->name,
		    g->name);
		in->ret = -1;
	}
	if (inv_refs_check(in->inv, &in->refs, in->e) < 0)
		in->ret = -1;
	pending_finish(in);
}

int
inv_parse_ini(struct inventory *inv, const char *file, const char *buf,
    size_t len, struct err *e)
{
	struct ini in;
	const char *p = buf, *end = buf + len;

	memset(&in, 0, sizeof(in));
	in.inv = inv;
	in.e = e;
	in.pos.file = file;
	in.group = inventory_find_group(inv, "ungrouped");
	in.state = INI_HOSTS;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;               /* a UTF-8 byte order mark */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);

		in.pos.line++;
		ini_line(&in, line);
		free(line);
		p = nl ? nl + 1 : end;
	}
	ini_finish(&in);
	inv_refs_clear(&in.refs);
	free(in.decls);
	return in.ret;
}
