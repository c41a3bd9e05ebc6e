/*
 * template_frandom.c - the filters `random`, `product` and `type_debug`
 * as ansible-core 2.14's (plugins/filter/core.py, mathstuff.py).
 *
 * random(end, start=0, step=1, seed=None): an integer input N gives
 * Python's Random.randrange(start, N, step), a sequence one of its items
 * (Random.choice).  With a seed the result is Python's: CPython's
 * Mersenne Twister seeded as Random(seed) seeds it (an int: its absolute
 * value's 32-bit words; a string: version 2, the UTF-8 bytes followed by
 * their SHA-512 as one big-endian integer), then _randbelow by
 * getrandbits, so `59 | random(seed=inventory_hostname)` is the same
 * minute as Ansible's.  Without a seed the bits come from getrandom(2)
 * (Ansible: SystemRandom).
 */
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>

#include "runner/template/template_int.h"
#include "runner/util/banned.h"

#define MT_N 624
#define TMPL_SEED_MAX 4096
#define MT_M 397

struct mt {
	uint32_t s[MT_N];
	int i;
	int sys;                  /* no seed: getrandom(2) */
};

static void
mt_init(struct mt *m, uint32_t seed)
{
	int i;

	m->s[0] = seed;
	for (i = 1; i < MT_N; i++)
		m->s[i] = 1812433253U * (m->s[i - 1] ^ (m->s[i - 1] >> 30)) +
		    (uint32_t)i;
	m->i = MT_N;
}

/* CPython's init_by_array (Modules/_randommodule.c). */
static void
mt_init_array(struct mt *m, const uint32_t *key, size_t n)
{
	size_t i = 1, j = 0, k;

	mt_init(m, 19650218U);
	for (k = MT_N > n ? MT_N : n; k; k--) {
		m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) *
		    1664525U)) + key[j] + (uint32_t)j;
		i++, j++;
		if (i >= MT_N) { m->s[0] = m->s[MT_N - 1]; i = 1; }
		if (j >= n) j = 0;
	}
	for (k = MT_N - 1; k; k--) {
		m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) *
		    1566083941U)) - (uint32_t)i;
		i++;
		if (i >= MT_N) { m->s[0] = m->s[MT_N - 1]; i = 1; }
	}
	m->s[0] = 0x80000000U;
}

static uint32_t
mt_next(struct mt *m)
{
	static const uint32_t mag[2] = { 0, 0x9908b0dfU };
	uint32_t y;
	int k;

	if (m->sys) {
		if (getrandom(&y, sizeof(y), 0) != (ssize_t)sizeof(y))
			y = 0;
		return y;
	}
	if (m->i >= MT_N) {
		for (k = 0; k < MT_N; k++) {
			y = (m->s[k] & 0x80000000U) |
			    (m->s[(k + 1) % MT_N] & 0x7fffffffU);
			m->s[k] = m->s[(k + MT_M) % MT_N] ^ (y >> 1) ^ mag[y & 1];
		}
		m->i = 0;
	}
	y = m->s[m->i++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680U;
	y ^= (y << 15) & 0xefc60000U;
	return y ^ (y >> 18);
}

/* getrandbits(k), 0 < k <= 64: little-endian 32-bit words. */
static uint64_t
mt_bits(struct mt *m, int k)
{
	uint64_t r = 0;
	uint32_t w;
	int sh = 0;

	for (; k > 0; k -= 32, sh += 32) {
		w = mt_next(m);
		if (k < 32)
			w >>= 32 - k;
		r |= (uint64_t)w << sh;
	}
	return r;
}

/* Python's _randbelow_with_getrandbits(n), n > 0. */
static uint64_t
mt_below(struct mt *m, uint64_t n)
{
	int k = 0;
	uint64_t r;

	while (k < 64 && (n >> k) != 0)
		k++;
	do
		r = mt_bits(m, k);
	while (r >= n);
	return r;
}

/* The words of a big-endian magnitude, least significant first. */
static size_t
be_words(const unsigned char *b, size_t len, uint32_t *w)
{
	size_t n = 0, i;

	while (len > 0 && b[0] == 0)
		b++, len--;
	for (i = len; i > 0; n++) {
		uint32_t x = 0;
		size_t k;

		for (k = 0; k < 4 && i > 0; k++, i--)
			x |= (uint32_t)b[i - 1] << (8 * k);
		w[n] = x;
	}
	if (n == 0)
		w[n++] = 0;
	return n;
}

/* Random(seed) as CPython 3 seeds it; -1: a seed of another type. */
static int
mt_seed(struct mt *m, const struct val *seed)
{
	unsigned char buf[TMPL_SEED_MAX + EVP_MAX_MD_SIZE + 8];
	uint32_t w[(sizeof(buf) + 3) / 4];
	unsigned int mdlen = 0;
	size_t len = 0, i;

	m->sys = 0;
	if (seed->type == V_INT) {
		uint64_t a = seed->u.i < 0 ? -(uint64_t)seed->u.i :
		    (uint64_t)seed->u.i;

		for (i = 0; i < 8; i++)
			buf[i] = (unsigned char)(a >> (56 - 8 * i));
		len = 8;
	} else if (seed->type == V_STR && seed->u.str.len <= TMPL_SEED_MAX) {
		memcpy(buf, seed->u.str.s, seed->u.str.len);
		if (EVP_Digest(seed->u.str.s, seed->u.str.len,
		    buf + seed->u.str.len, &mdlen, EVP_sha512(), NULL) != 1)
			return -1;
		len = seed->u.str.len + mdlen;
	} else {
		return -1;
	}
	mt_init_array(m, w, be_words(buf, len, w));
	return 0;
}

static int
arg_int(struct ectx *cx, const struct node *n, struct fargs *fa, int k,
    int64_t def, int64_t *out)
{
	const struct val *v = fa->set[k] ? fa->a[k].v : NULL;

	*out = def;
	if (v == NULL || v->type == V_NULL || (v->type == V_INT &&
	    v->u.i == 0))   /* Ansible: `if not start` */
		return 0;
	if (v->type != V_INT)
		return terr_set(cx->err, n->off, "random: '%s' must be an "
		    "integer, not %s", n->filter->params[k],
		    val_type_name(v->type));
	*out = v->u.i;
	return 0;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Python's randrange(start, stop, step) */
static int
randrange(struct ectx *cx, const struct node *n, struct mt *m,
    int64_t start, int64_t stop, int64_t step, int64_t *out)
{
	int64_t width = stop - start, cnt;

	cnt = step > 0 ? floordiv(width + step - 1, step) :
	    floordiv(width + step + 1, step);
	if (cnt <= 0)
		return terr_set(cx->err, n->off, "empty range for randrange() "
		    "(%lld, %lld, %lld)", (long long)start, (long long)stop,
		    (long long)width);
	*out = start + step * (int64_t)mt_below(m, (uint64_t)cnt);
	return 0;
}

static int
f_random(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct mt m = { .sys = 1 };
	const struct val *v = in->v;
	int64_t start, step, r = 0;
	struct val *items;

	if (fa->set[2] && fa->a[2].v->type != V_NULL &&
	    mt_seed(&m, fa->a[2].v) < 0)
		return terr_set(cx->err, n->off, "random: a seed must be an "
		    "integer or a string (of at most %d bytes), not %s",
		    TMPL_SEED_MAX, val_type_name(fa->a[2].v->type));
	if (arg_int(cx, n, fa, 0, 0, &start) < 0 ||
	    arg_int(cx, n, fa, 1, 1, &step) < 0)
		return -1;
	if (v->type == V_INT) {
		if (randrange(cx, n, &m, start, v->u.i, step, &r) < 0)
			return -1;
		res_set(out, val_int(r));
		return 0;
	}
	if (v->type == V_MAP || (items = tmpl_iter_list(v)) == NULL)
		return terr_set(cx->err, n->off, "random can only be used on "
		    "sequences and integers%s", v->type == V_MAP ? " (mend: "
		    "not on a mapping, whose random key Python looks up as an "
		    "index)" : "");
	if ((fa->set[0] && val_truthy(fa->a[0].v)) ||
	    (fa->set[1] && val_truthy(fa->a[1].v))) {
		val_free(items);
		return terr_set(cx->err, n->off, "start and step can only be "
		    "used with integer values");
	}
	if (items->u.list.n == 0) {
		val_free(items);
		return terr_set(cx->err, n->off, "Cannot choose from an empty "
		    "sequence");
	}
	res_set(out, val_copy(items->u.list.items[mt_below(&m,
	    items->u.list.n)]));
	val_free(items);
	return 0;
}

/* itertools.product(input, *lists): tuples, first list slowest */
static int
f_product(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	struct val *ls[1 + TMPL_MAX_PARAMS] = { NULL }, *r, *t;
	size_t k, nl = 0, idx[1 + TMPL_MAX_PARAMS] = { 0 }, total = 1;
	int ret = -1;

	for (k = 0; k <= TMPL_MAX_PARAMS && (k == 0 || fa->set[k - 1]); k++) {
		const struct val *v = k == 0 ? in->v : fa->a[k - 1].v;

		if ((ls[nl] = tmpl_iter_list(v)) == NULL) {
			terr_set(cx->err, n->off, "'product' filter needs "
			    "lists, not %s", val_type_name(v->type));
			goto out;
		}
		total = ls[nl]->u.list.n == 0 ? 0 : total *
		    ls[nl]->u.list.n;
		if (total > TMPL_MAX_ITERS) {
			terr_set(cx->err, n->off, "'product' filter: more than "
			    "%d tuples", TMPL_MAX_ITERS);
			nl++;
			goto out;
		}
		nl++;
	}
	r = val_list();
	while (total > 0) {
		t = val_list();
		t->tuple = 1;
		for (k = 0; k < nl; k++)
			val_list_push(t, val_copy(ls[k]->u.list.items[idx[k]]));
		val_list_push(r, t);
		for (k = nl; k > 0 && ++idx[k - 1] == ls[k - 1]->u.list.n; k--)
			idx[k - 1] = 0;
		if (k == 0)
			break;
	}
	res_set(out, r);
	ret = 0;
out:
	for (k = 0; k < nl; k++)
		val_free(ls[k]);
	return ret;
}

/* Python's type name of the value.  A string's is refused: Ansible
 * answers str, AnsibleUnicode or AnsibleUnsafeText by where the value
 * came from (a literal, a vars file, a registered result), which mend
 * does not track. */
static int
f_type_debug(struct ectx *cx, const struct node *n, struct res *in,
    struct fargs *fa, struct res *out)
{
	const struct val *v = in->v;
	const char *t = "NoneType";

	(void)fa;
	switch (v->type) {
	case V_NULL: break;
	case V_BOOL: t = "bool"; break;
	case V_INT: t = "int"; break;
	case V_FLOAT: t = "float"; break;
	case V_LIST: t = v->tuple ? "tuple" : "list"; break;
	case V_MAP: t = "dict"; break;
	case V_STR:
		return terr_set(cx->err, n->off, "type_debug of a string is "
		    "not supported by mend (Ansible answers str, "
		    "AnsibleUnicode or AnsibleUnsafeText by where the value "
		    "came from; test it with 'is string')");
	}
	res_set(out, val_str(t));
	return 0;
}

static const struct filter table[] = {
	{ "random", f_random, { "start", "step", "seed" }, 0 },
	{ "product", f_product, { "*1", "*2", "*3", "*4", "*5" }, 0 },
	{ "type_debug", f_type_debug, { NULL }, 0 },
};

const struct filter *
tmpl_random_filters(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}
