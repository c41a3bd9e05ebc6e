/*
 * value.h - the data model: a JSON/YAML-like tree of values.
 *
 * Variables, module arguments, registered results and facts are all
 * `struct val`.  Every node remembers where it came from (struct pos) so an
 * error about any value can say file:line:col.
 *
 * Ownership: a val owns its children and its strings.  val_free() frees the
 * whole tree.  Functions named *_take* take ownership of their argument;
 * getters return borrowed pointers valid while the container lives.
 * Maps keep insertion order (output and diffs are deterministic) and keys are
 * unique: val_map_set() replaces an existing key in place.
 *
 * Scalars read from YAML stay strings unless they were unquoted plain
 * scalars that look like ints/bools/null (YAML 1.1 core as Ansible uses it:
 * true/false/yes/no/on/off, case variants).  val_truthy(), val_to_int() and
 * val_to_str() convert on demand.
 */
#ifndef MEND_VALUE_H
#define MEND_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "runner/util/err.h"

enum val_type { V_NULL, V_BOOL, V_INT, V_STR, V_LIST, V_MAP, V_FLOAT };

struct val;

struct val_pair {
	char *key;
	struct val *v;
	struct pos pos;         /* where the key itself is (YAML) */
};

struct val {
	enum val_type type;
	struct pos pos;
	unsigned quoted : 1;      /* YAML scalar was quoted (stays a string) */
	unsigned unsafe : 1;      /* no_log: never print this value */
	unsigned literal : 1;     /* data, never templated (registered results,
	                           * facts: Ansible's "unsafe"); covers the
	                           * node's children too (see template.h) */
	unsigned tuple : 1;       /* V_LIST that Python would hold as a tuple
	                           * (templates): prints as (a, b) */
	union {
		int b;
		int64_t i;
		double f;
		struct { char *s; size_t len; } str;
		struct { struct val **items; size_t n, alloc; } list;
		struct { struct val_pair *items; size_t n, alloc; } map;
	} u;
};

struct val *val_new(enum val_type t);
struct val *val_null(void);
struct val *val_bool(int b);
struct val *val_int(int64_t i);
/* A float (INI `x=1.5`, JSON); printed as Python's repr(): 1.5, 1000.0,
 * 1e+16, 1e-05, inf, nan. */
struct val *val_float(double f);
void val_float_repr(double f, struct strbuf *sb);
struct val *val_str(const char *s);
struct val *val_strn(const char *s, size_t len);
struct val *val_str_take(char *s);      /* takes ownership of s */
struct val *val_list(void);
/* A list of the non-empty lines of s (split on '\n'). */
struct val *val_list_of_lines(const char *s);
struct val *val_map(void);
void val_free(struct val *v);
struct val *val_copy(const struct val *v);

void val_list_push(struct val *list, struct val *item);   /* takes item */
struct val *val_list_get(const struct val *list, size_t i);

void val_map_set(struct val *map, const char *key, struct val *v); /* takes v */
struct val *val_map_get(const struct val *map, const char *key);
/* Position of the key in a map (falls back to the value's), or NULL. */
const struct pos *val_map_keypos(const struct val *map, const char *key);
/* Path lookup "a.b.0.c" (no templating): NULL when any step is missing. */
struct val *val_map_getpath(const struct val *map, const char *path);
int val_map_del(struct val *map, const char *key);  /* 1 if removed */
/* Remove key and hand its value over (not freed; NULL when missing). */
struct val *val_map_take(struct val *map, const char *key);
/* Merge src into dst: keys of src replace keys of dst (Ansible's
 * hash_behaviour=replace); src is copied. */
void val_map_merge(struct val *dst, const struct val *src);

const char *val_type_name(enum val_type t);
int val_truthy(const struct val *v);       /* Python truthiness */
/* Convert to a bool the way Ansible's module arguments and ansible.cfg are
 * (module_utils.parsing.convert_bool.boolean): -1 if not a bool.  Not the
 * |bool filter (template_filter.c f_bool: no y/t, anything else false)
 * nor YAML 1.1's booleans (yamlload.c: true/yes/on, no 1/y/t). */
int val_to_bool(const struct val *v);
/* The same for a string: yes on 1 true y t -> 1, no off 0 false n f ""
 * -> 0 (any case), anything else -1. */
int str_to_bool(const char *s);
/* 0 on success; -1 if v is not an integer or an integer-looking string. */
int val_to_int(const struct val *v, int64_t *out);
/* Render v as text into sb: strings as-is, scalars as Python prints them
 * (True/False/None for Jinja compatibility is NOT used: true/false/null... see
 * val_to_str_py), containers as JSON. */
void val_to_str(const struct val *v, struct strbuf *sb);
/* Text as Jinja2 would print it: True, False, None, ['a', 1], {'k': 'v'}. */
void val_to_str_py(const struct val *v, struct strbuf *sb);
/* JSON serialisation; values with `unsafe` set print as "********". */
void val_to_json(const struct val *v, struct strbuf *sb, int indent);
int val_equal(const struct val *a, const struct val *b);
/* Mark v and all its children unsafe (no_log). */
void val_mark_unsafe(struct val *v);
/* Mark v and all its children literal (data: never templated). */
void val_mark_literal(struct val *v);
/* Convenience: string of a map entry, or def when missing/not scalar. */
const char *val_map_str(const struct val *map, const char *key, const char *def);

#endif
