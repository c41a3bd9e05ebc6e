/* yamlload.c - YAML to struct val with positions (libyaml events); see
 * yamlload.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "runner/util/input.h"
#include "runner/util/vault.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

#define YAML_MAX_DEPTH 128
#define YAML_MAX_ALIAS_NODES 100000  /* nodes all aliases of a file bring */

struct anchor {
	char *name;
	struct val *v;
};

struct loader {
	yaml_parser_t parser;
	const char *file;       /* interned */
	const char *src;        /* the input, for reader errors' positions */
	size_t len;
	struct err *e;
	struct anchor *anchors;
	size_t nanchors, anchors_alloc;
	size_t alias_nodes;     /* nodes brought by aliases so far */
	int depth;
	int end_line;           /* the file's last line (0: not counted yet) */
	struct pos end;         /* where the file ends */
};

static struct val *load_node(struct loader *l, yaml_event_t *ev);

/* Length of the line break at s[i] as YAML counts them ("\r\n", "\r",
 * "\n", NEL, LS, PS), 0 if none. */
static size_t
yaml_break(const char *s, size_t i, size_t len)
{
	const unsigned char *u = (const unsigned char *)s + i;

	if (u[0] == '\n')
		return 1;
	if (u[0] == '\r')
		return i + 1 < len && u[1] == '\n' ? 2 : 1;
	if (u[0] == 0xC2 && i + 1 < len && u[1] == 0x85)
		return 2;
	if (u[0] == 0xE2 && i + 2 < len && u[1] == 0x80 &&
	    (u[2] == 0xA8 || u[2] == 0xA9))
		return 3;
	return 0;
}

/* libyaml's reader (bad UTF-8, control characters such as NUL) gives a
 * byte offset, not a mark: find its line and column (in characters). */
static void
offset_pos(const struct loader *l, size_t off, struct pos *p)
{
	size_t i = 0, br;

	p->line = p->col = 1;
	while (i < off && i < l->len) {
		if ((br = yaml_break(l->src, i, l->len)) > 0) {
			p->line++;
			p->col = 1;
			i += br;
			continue;
		}
		if (((unsigned char)l->src[i] & 0xC0) != 0x80)
			p->col++;
		i++;
	}
}

/* A mark as a position inside the file.  At the end of a file without a
 * final newline libyaml's mark has moved to a line that does not exist (its
 * stream end forces a new line): say where the file ends instead. */
static struct pos
mark_pos(struct loader *l, const yaml_mark_t *m)
{
	struct pos p = { l->file, (int)m->line + 1, (int)m->column + 1 };

	if (l->end_line == 0) {
		offset_pos(l, l->len, &l->end);  /* (marks count characters) */
		l->end_line = l->end.line;
	}
	if (p.line > l->end_line) {
		p = l->end;
		p.file = l->file;
	}
	return p;
}

static void
set_pos(struct loader *l, struct val *v, const yaml_mark_t *m)
{
	v->pos = mark_pos(l, m);
}

static int
parse_error(struct loader *l)
{
	struct pos p = mark_pos(l, &l->parser.problem_mark);
	const char *problem = l->parser.problem ? l->parser.problem
	    : "malformed YAML";

	if (l->parser.error == YAML_READER_ERROR) {
		offset_pos(l, l->parser.problem_offset, &p);
		if (l->parser.problem_value == 0)
			return err_setpos(l->e, &p, "%s (a NUL byte)", problem);
		return err_setpos(l->e, &p, "%s (byte 0x%02X)", problem,
		    (unsigned)l->parser.problem_value & 0xFF);
	}

	if (l->parser.context != NULL)
		return err_setpos(l->e, &p, "%s %s", problem,
		    l->parser.context);
	return err_setpos(l->e, &p, "%s", problem);
}

static int
next_event(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev))
		return parse_error(l);
	return 0;
}

static int
is_int(const char *s)
{
	const char *p = s;

	if (*p == '-' || *p == '+')
		p++;
	if (*p == '\0')
		return 0;
	if (p[0] == '0' && p[1] != '\0')
		return 0;         /* 0640 stays a string (octal modes) */
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return strlen(s) < 19;
}

/* Is s word w as YAML 1.1's resolver spells it (PyYAML): w, Capitalised
 * or UPPER, not any other mix ("yEs" stays a string)? */
static int
yaml11_word(const char *s, const char *w)
{
	size_t i;
	int upper;

	if (strcasecmp(s, w) != 0)
		return 0;
	if (strcmp(s + 1, w + 1) == 0)
		return 1;        /* w or Capitalised */
	for (i = 0, upper = 1; s[i]; i++)
		upper = upper && isupper((unsigned char)s[i]);
	return upper;
}

/* A plain scalar as YAML 1.1 resolves it (PyYAML, Ansible's loader):
 * booleans are true/yes/on and false/no/off only, not str_to_bool()'s
 * 1/y/t (module arguments) nor the |bool filter's (template_filter.c). */
static struct val *
scalar_value(const char *s, size_t len, int plain)
{
	static const char *trues[] = { "true", "yes", "on" };
	static const char *falses[] = { "false", "no", "off" };
	size_t i;

	if (!plain)
		return val_strn(s, len);
	if (len == 0 || strcmp(s, "~") == 0 || yaml11_word(s, "null"))
		return val_null();
	for (i = 0; i < ARRAY_SIZE(trues); i++)
		if (yaml11_word(s, trues[i]))
			return val_bool(1);
	for (i = 0; i < ARRAY_SIZE(falses); i++)
		if (yaml11_word(s, falses[i]))
			return val_bool(0);
	if (is_int(s))
		return val_int(strtoll(s, NULL, 10));
	return val_strn(s, len);
}

static void
remember_anchor(struct loader *l, const yaml_char_t *anchor, struct val *v)
{
	if (anchor == NULL || v == NULL)
		return;
	ALLOC_GROW(l->anchors, l->nanchors + 1, l->anchors_alloc);
	l->anchors[l->nanchors].name = xstrdup((const char *)anchor);
	l->anchors[l->nanchors].v = val_copy(v);
	l->nanchors++;
}

/* Nodes in v (scalars, lists, mappings), counting stops past `limit`. */
static size_t
count_nodes(const struct val *v, size_t limit)
{
	size_t n = 1, i;

	for (i = 0; v->type == V_LIST && i < v->u.list.n && n <= limit; i++)
		n += count_nodes(v->u.list.items[i], limit - n);
	for (i = 0; v->type == V_MAP && i < v->u.map.n && n <= limit; i++)
		n += count_nodes(v->u.map.items[i].v, limit - n);
	return n;
}

/* An alias is a copy of its anchor's node: what all aliases bring is
 * capped, so a small file cannot expand into millions of nodes (the
 * "billion laughs"). */
static struct val *
load_alias(struct loader *l, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	struct pos p = mark_pos(l, &ev->start_mark);
	size_t i;

	for (i = l->nanchors; i-- > 0;) {
		if (strcmp(l->anchors[i].name, name) != 0)
			continue;
		l->alias_nodes += count_nodes(l->anchors[i].v,
		    YAML_MAX_ALIAS_NODES - l->alias_nodes);
		if (l->alias_nodes > YAML_MAX_ALIAS_NODES) {
			err_setpos(l->e, &p, "aliases expand to more than %d "
			    "nodes (at alias '%s')", YAML_MAX_ALIAS_NODES,
			    name);
			return NULL;
		}
		return val_copy(l->anchors[i].v);
	}
	err_setpos(l->e, &p, "unknown alias '%s'", name);
	return NULL;
}

static struct val *
load_sequence(struct loader *l, yaml_event_t *start)
{
	struct val *list = val_list();
	yaml_event_t ev;

	set_pos(l, list, &start->start_mark);
	for (;;) {
		struct val *item;

		if (next_event(l, &ev) < 0)
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return list;
		}
		item = load_node(l, &ev);
		yaml_event_delete(&ev);
		if (item == NULL)
			goto fail;
		val_list_push(list, item);
	}
fail:
	val_free(list);
	return NULL;
}

static void
merge_key(struct val *map, const struct val *src)
{
	size_t i;

	if (src->type == V_LIST) {
		for (i = 0; i < src->u.list.n; i++)
			if (src->u.list.items[i]->type == V_MAP)
				merge_key(map, src->u.list.items[i]);
		return;
	}
	for (i = 0; i < src->u.map.n; i++)
		if (val_map_get(map, src->u.map.items[i].key) == NULL)
			val_map_set(map, src->u.map.items[i].key,
			    val_copy(src->u.map.items[i].v));
}

static int
add_key(struct loader *l, struct val *map, struct val *key, struct val *v,
    struct val *merges)
{
	struct strbuf k = STRBUF_INIT;

	if (key->type == V_LIST || key->type == V_MAP) {
		err_setpos(l->e, &key->pos, "a mapping key must be a scalar");
		return -1;
	}
	val_to_str(key, &k);
	if (strcmp(k.buf, "<<") == 0 && !key->quoted &&
	    (v->type == V_MAP || v->type == V_LIST)) {
		val_list_push(merges, v);  /* applied at the end: keys win */
		strbuf_release(&k);
		return 0;
	}
	if (val_map_get(map, k.buf) != NULL) {
		err_setpos(l->e, &key->pos, "duplicate key '%s'", k.buf);
		strbuf_release(&k);
		return -1;
	}
	val_map_set(map, k.buf, v);
	map->u.map.items[map->u.map.n - 1].pos = key->pos;
	strbuf_release(&k);
	return 0;
}

static struct val *
load_mapping(struct loader *l, yaml_event_t *start)
{
	struct val *map = val_map(), *merges = val_list();
	yaml_event_t ev;
	size_t i;

	set_pos(l, map, &start->start_mark);
	for (;;) {
		struct val *key, *v;

		if (next_event(l, &ev) < 0)
			goto fail;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			for (i = 0; i < merges->u.list.n; i++)
				merge_key(map, merges->u.list.items[i]);
			val_free(merges);
			return map;
		}
		key = load_node(l, &ev);
		yaml_event_delete(&ev);
		if (key == NULL)
			goto fail;
		if (next_event(l, &ev) < 0) {
			val_free(key);
			goto fail;
		}
		v = load_node(l, &ev);
		yaml_event_delete(&ev);
		if (v == NULL || add_key(l, map, key, v, merges) < 0) {
			val_free(key);
			val_free(v);
			goto fail;
		}
		val_free(key);
	}
fail:
	val_free(map);
	val_free(merges);
	return NULL;
}

/* `!vault |` + an ansible-vault envelope: the decrypted string, a secret
 * (unsafe: never printed; masked in diffs). */
static struct val *
load_vault_scalar(struct loader *l, yaml_event_t *ev)
{
	struct strbuf sb = STRBUF_INIT;
	struct err ve = ERR_INIT;
	struct pos p = mark_pos(l, &ev->start_mark);
	struct val *v;

	if (vault_decrypt((const char *)ev->data.scalar.value,
	    ev->data.scalar.length, &sb, &ve) < 0) {
		strbuf_rtrim(&ve.msg);
		err_setpos(l->e, &p, "!vault value: %s", err_text(&ve,
		    "cannot decrypt"));
		err_release(&ve);
		strbuf_release(&sb);
		return NULL;
	}
	vault_note_secret(sb.buf, sb.len);
	v = val_strn(sb.buf, sb.len);
	explicit_bzero(sb.buf, sb.len);
	strbuf_release(&sb);
	v->quoted = 1;
	v->unsafe = 1;
	set_pos(l, v, &ev->start_mark);
	return v;
}

static struct val *
load_node(struct loader *l, yaml_event_t *ev)
{
	struct val *v = NULL;
	const yaml_char_t *anchor = NULL;

	if (++l->depth > YAML_MAX_DEPTH) {
		struct pos p = mark_pos(l, &ev->start_mark);

		err_setpos(l->e, &p, "nesting deeper than %d levels",
		    YAML_MAX_DEPTH);
		l->depth--;
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.tag != NULL && strcmp((const char *)
		    ev->data.scalar.tag, "!vault") == 0) {
			v = load_vault_scalar(l, ev);
			break;
		}
		v = scalar_value((const char *)ev->data.scalar.value,
		    ev->data.scalar.length,
		    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    ev->data.scalar.tag == NULL);
		v->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		set_pos(l, v, &ev->start_mark);
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		v = load_sequence(l, ev);
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		v = load_mapping(l, ev);
		break;
	case YAML_ALIAS_EVENT:
		v = load_alias(l, ev);
		break;
	default:
		err_set(l->e, "%s: unexpected YAML event", l->file);
		break;
	}
	remember_anchor(l, anchor, v);
	l->depth--;
	return v;
}

static int
load_stream(struct loader *l, struct val **out)
{
	yaml_event_t ev;
	struct val *doc = NULL;
	int ndocs = 0;

	for (;;) {
		if (next_event(l, &ev) < 0)
			goto fail;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++ndocs > 1) {
			struct pos p = mark_pos(l, &ev.start_mark);

			yaml_event_delete(&ev);
			err_setpos(l->e, &p, "more than one YAML document");
			goto fail;
		}
		if (ev.type == YAML_SCALAR_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT ||
		    ev.type == YAML_ALIAS_EVENT) {
			doc = load_node(l, &ev);
			if (doc == NULL) {
				yaml_event_delete(&ev);
				goto fail;
			}
		}
		yaml_event_delete(&ev);
	}
	if (doc == NULL) {      /* an empty document: say 1:1 */
		doc = val_null();
		doc->pos.file = l->file;
		doc->pos.line = doc->pos.col = 1;
	}
	*out = doc;
	return 0;
fail:
	val_free(doc);
	return -1;
}

static void
loader_free(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->nanchors; i++) {
		free(l->anchors[i].name);
		val_free(l->anchors[i].v);
	}
	free(l->anchors);
	yaml_parser_delete(&l->parser);
}

int
yaml_load_string(const char *name, const char *s, size_t len,
    struct val **out, struct err *e)
{
	struct loader l;
	int ret;

	memset(&l, 0, sizeof(l));
	l.file = pos_intern(name);
	l.src = s;
	l.len = len;
	l.e = e;
	*out = NULL;
	if (!yaml_parser_initialize(&l.parser))
		fatal("yaml_parser_initialize failed");
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)s, len);
	ret = load_stream(&l, out);
	loader_free(&l);
	return ret;
}

/* Every string of a vault-encrypted file is a secret: unsafe, and masked
 * in diffs when at least 8 bytes long (shorter ones would mask common
 * words). */
static void
mark_vault_tree(struct val *v)
{
	size_t i;

	v->unsafe = 1;
	if (v->type == V_STR && v->u.str.len >= 8)
		vault_note_secret(v->u.str.s, v->u.str.len);
	for (i = 0; v->type == V_LIST && i < v->u.list.n; i++)
		mark_vault_tree(v->u.list.items[i]);
	for (i = 0; v->type == V_MAP && i < v->u.map.n; i++)
		mark_vault_tree(v->u.map.items[i].v);
}

/* A whole file encrypted by ansible-vault: decrypt, then parse. */
static int
load_vault_file(const char *path, const struct strbuf *sb, struct val **out,
    struct err *e)
{
	struct strbuf plain = STRBUF_INIT;
	struct err ve = ERR_INIT;
	int ret;

	if (vault_decrypt(sb->buf, sb->len, &plain, &ve) < 0) {
		strbuf_rtrim(&ve.msg);
		ret = err_set(e, "%s: %s", path, err_text(&ve, "cannot "
		    "decrypt"));
		err_release(&ve);
		strbuf_release(&plain);
		return ret;
	}
	ret = yaml_load_string(path, plain.buf, plain.len, out, e);
	explicit_bzero(plain.buf, plain.len);
	strbuf_release(&plain);
	if (ret == 0)
		mark_vault_tree(*out);
	return ret;
}

int
yaml_load_file(const char *path, struct val **out, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	*out = NULL;
	if (input_read_file(path, NULL, &sb, e) < 0)
		return -1;
	if (vault_is_encrypted(sb.buf, sb.len))
		ret = load_vault_file(path, &sb, out, e);
	else
		ret = yaml_load_string(path, sb.buf, sb.len, out, e);
	strbuf_release(&sb);
	return ret;
}
