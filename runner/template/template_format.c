/*
 * template_format.c - Python string formatting as templates use it:
 * str.format ("{}", "{0}", "{name}", "{{", "}}", a spec of
 * [[fill]align][0][width][.precision][s|d|x|X|o|b]) and printf-style
 * `'%s' % x` / `'%s-%d' | format(a, b)` (%s %r %d %i %x %X %o %c %% with
 * flags - 0 + space, width and precision).  No floating point: %f, {:f}
 * are errors.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

/* Python repr of a value (strings quoted, as inside a list). */
static void
py_repr(const struct val *v, struct strbuf *sb)
{
	struct strbuf t = STRBUF_INIT;
	struct val *l;

	if (v->type != V_STR) {
		val_to_str_py(v, sb);
		return;
	}
	l = val_list();
	val_list_push(l, val_copy(v));
	val_to_str_py(l, &t);
	val_free(l);
	strbuf_add(sb, t.buf + 1, t.len - 2);      /* without [ ] */
	strbuf_release(&t);
}

struct spec {
	char fill, align, sign, type;
	int zero, alt;
	int64_t width, prec;
};

static void
pad(struct strbuf *sb, const char *s, size_t n, const struct spec *sp,
    char dflt_align)
{
	size_t cps = 0, i, w, left = 0, right = 0;
	char align = sp->align ? sp->align : dflt_align;

	for (i = 0; i < n; i++)
		cps += ((unsigned char)s[i] & 0xC0) != 0x80;
	w = sp->width > 0 ? (size_t)sp->width : 0;
	if (w > cps) {
		left = align == '>' ? w - cps : align == '^' ? (w - cps) / 2 : 0;
		right = w - cps - left;
	}
	for (i = 0; i < left; i++)
		strbuf_addch(sb, sp->fill ? sp->fill : ' ');
	strbuf_add(sb, s, n);
	for (i = 0; i < right; i++)
		strbuf_addch(sb, sp->fill ? sp->fill : ' ');
}

static void
fmt_int(struct strbuf *sb, int64_t x, const struct spec *sp)
{
	char digits[80];
	struct strbuf t = STRBUF_INIT;
	uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
	int base = sp->type == 'x' || sp->type == 'X' ? 16 :
	    sp->type == 'o' ? 8 : sp->type == 'b' ? 2 : 10;
	const char *dig = sp->type == 'X' ? "0123456789ABCDEF" :
	    "0123456789abcdef";
	size_t n = 0, i;
	struct spec s2 = *sp;

	do {
		digits[n++] = dig[u % (uint64_t)base];
		u /= (uint64_t)base;
	} while (u > 0 && n < sizeof(digits));
	if (x < 0)
		strbuf_addch(&t, '-');
	else if (sp->sign == '+' || sp->sign == ' ')
		strbuf_addch(&t, sp->sign);
	if (sp->zero && !sp->align) {
		size_t have = t.len + n;

		for (; sp->width > 0 && have < (size_t)sp->width; have++)
			strbuf_addch(&t, '0');
	}
	for (i = n; i > 0; i--)
		strbuf_addch(&t, digits[i - 1]);
	pad(sb, t.buf, t.len, &s2, '>');
	strbuf_release(&t);
}

static int
fmt_one(struct ectx *cx, size_t at, const struct val *v,
    const struct spec *sp, struct strbuf *sb)
{
	struct strbuf t = STRBUF_INIT;

	if (sp->type == 'f' || sp->type == 'e' || sp->type == 'g' ||
	    sp->type == 'F' || sp->type == 'E' || sp->type == 'G' ||
	    sp->type == '%')
		return terr_set(cx->err, at, "floating point format '%c' is "
		    "not supported", sp->type);
	if (sp->type != 0 && sp->type != 's' && sp->type != 'r') {
		if (v->type != V_INT && v->type != V_BOOL)
			return terr_set(cx->err, at, "format '%c' needs a "
			    "number, not %s", sp->type, val_type_name(v->type));
		fmt_int(sb, v->type == V_INT ? v->u.i : v->u.b, sp);
		return 0;
	}
	if (sp->type == 0 && (v->type == V_INT) && !sp->prec) {
		fmt_int(sb, v->u.i, sp);
		return 0;
	}
	if (sp->type == 'r')
		py_repr(v, &t);
	else
		val_to_str_py(v, &t);
	if (sp->prec > 0 && (size_t)sp->prec < t.len)
		strbuf_setlen(&t, (size_t)sp->prec);
	pad(sb, t.buf, t.len, sp, '<');
	strbuf_release(&t);
	return 0;
}

static const char *
parse_num(const char *p, int64_t *out)
{
	*out = 0;
	while (isdigit((unsigned char)*p) && *out < 100000)
		*out = *out * 10 + (*p++ - '0');
	return p;
}

/* [[fill]align][sign][#][0][width][.prec][type] */
static int
parse_spec(struct ectx *cx, size_t at, const char *p, const char *end,
    struct spec *sp)
{
	memset(sp, 0, sizeof(*sp));
	if (end - p >= 2 && strchr("<>^=", p[1]) != NULL && p[1]) {
		sp->fill = p[0];
		sp->align = p[1];
		p += 2;
	} else if (p < end && strchr("<>^=", *p) != NULL && *p) {
		sp->align = *p++;
	}
	if (p < end && (*p == '+' || *p == '-' || *p == ' '))
		sp->sign = *p++;
	if (p < end && *p == '#')
		sp->alt = *p++ == '#';
	if (p < end && *p == '0')
		sp->zero = *p++ == '0';
	p = parse_num(p, &sp->width);
	if (p < end && *p == '.')
		p = parse_num(p + 1, &sp->prec);
	if (p < end)
		sp->type = *p++;
	if (p != end || sp->align == '=')
		return terr_set(cx->err, at, "unsupported format specification");
	return 0;
}

/* One {field[:spec]}; *auto_i numbers the empty fields. */
static int
format_field(struct ectx *cx, const struct node *n, const char *f,
    const char *end, const struct res *a, size_t na, const char *const *kn,
    const struct res *kv, size_t nk, size_t *auto_i, struct strbuf *sb)
{
	const char *colon = memchr(f, ':', (size_t)(end - f));
	const char *nend = colon != NULL ? colon : end;
	const struct val *v = NULL;
	struct spec sp;
	int64_t idx;
	size_t i;

	if (nend == f) {
		idx = (int64_t)(*auto_i)++;
	} else if (isdigit((unsigned char)*f)) {
		if (parse_num(f, &idx) != nend)
			return terr_set(cx->err, n->off, "bad format field");
	} else {
		for (i = 0; i < nk && v == NULL; i++)
			if (strlen(kn[i]) == (size_t)(nend - f) &&
			    memcmp(kn[i], f, (size_t)(nend - f)) == 0)
				v = kv[i].v;
		if (v == NULL)
			return terr_set(cx->err, n->off, "format: no argument "
			    "'%.*s'", (int)(nend - f), f);
		idx = -1;
	}
	if (idx >= 0 && (size_t)idx >= na)
		return terr_set(cx->err, n->off, "format: replacement index "
		    "%" PRId64 " out of range", idx);
	if (idx >= 0)
		v = a[idx].v;
	if (parse_spec(cx, n->off, colon != NULL ? colon + 1 : end, end,
	    &sp) < 0)
		return -1;
	return fmt_one(cx, n->off, v, &sp, sb);
}

int
tmpl_str_format(struct ectx *cx, const struct node *n, const struct val *fmt,
    const struct res *a, size_t na, const char *const *kn,
    const struct res *kv, size_t nk, struct res *r)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = fmt->u.str.s, *end = p + fmt->u.str.len, *q;
	size_t auto_i = 0;

	while (p < end) {
		if ((*p == '{' || *p == '}') && p + 1 < end && p[1] == *p) {
			strbuf_addch(&sb, *p);
			p += 2;
			continue;
		}
		if (*p == '}')
			goto bad;
		if (*p != '{') {
			strbuf_addch(&sb, *p++);
			continue;
		}
		q = memchr(p, '}', (size_t)(end - p));
		if (q == NULL)
			goto bad;
		if (format_field(cx, n, p + 1, q, a, na, kn, kv, nk, &auto_i,
		    &sb) < 0) {
			strbuf_release(&sb);
			return -1;
		}
		p = q + 1;
	}
	res_set(r, val_strn(sb.buf, sb.len));
	strbuf_release(&sb);
	return 0;
bad:
	strbuf_release(&sb);
	return terr_set(cx->err, n->off, "single '%c' encountered in format "
	    "string", *p);
}

/* %[flags][width][.prec]conv at *pp; consumes it. */
static int
percent_one(struct ectx *cx, size_t at, const char **pp, const char *end,
    const struct val *v, struct strbuf *sb)
{
	const char *p = *pp;
	struct spec sp;

	memset(&sp, 0, sizeof(sp));
	for (; p < end && strchr("-+ 0#", *p) != NULL && *p; p++) {
		if (*p == '-')
			sp.align = '<';
		else if (*p == '0')
			sp.zero = 1;
		else if (*p == '+' || *p == ' ')
			sp.sign = *p;
	}
	p = parse_num(p, &sp.width);
	if (p < end && *p == '.')
		p = parse_num(p + 1, &sp.prec);
	if (p >= end)
		return terr_set(cx->err, at, "incomplete format");
	sp.type = *p == 'i' || *p == 'u' ? 'd' : *p;
	*pp = p + 1;
	if (strchr("sdxXorc", sp.type) == NULL || sp.type == 0)
		return terr_set(cx->err, at, "unsupported format character "
		    "'%c'", *p);
	if (sp.align == '<')
		sp.zero = 0;
	if (sp.type == 'd' || sp.type == 'x' || sp.type == 'X' ||
	    sp.type == 'o') {
		if (sp.align == 0)
			sp.align = sp.zero ? 0 : '>';
		return fmt_one(cx, at, v, &sp, sb);
	}
	if (sp.type == 's' && sp.align == 0)
		sp.align = '>';
	if (sp.type == 'c')
		sp.type = 's';
	return fmt_one(cx, at, v, &sp, sb);
}

int
tmpl_percent(struct ectx *cx, size_t at, const struct val *fmt,
    const struct val *const *args, size_t na, struct strbuf *sb)
{
	const char *p = fmt->u.str.s, *end = p + fmt->u.str.len;
	size_t used = 0;

	while (p < end) {
		if (*p != '%') {
			strbuf_addch(sb, *p++);
			continue;
		}
		if (++p < end && *p == '%') {
			strbuf_addch(sb, *p++);
			continue;
		}
		if (used >= na)
			return terr_set(cx->err, at, "not enough arguments for "
			    "format string");
		if (percent_one(cx, at, &p, end, args[used++], sb) < 0)
			return -1;
	}
	if (used < na)
		return terr_set(cx->err, at, "not all arguments converted "
		    "during string formatting");
	return 0;
}
