/*
 * rmqconf_plugins.c - enabled_plugins (an Erlang list of atoms) and the
 * plugins each one starts; see rmqconf.h "enabled_plugins".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqconf.h"
#include "modules/rabbitmq/rmqconf_int.h"
#include "runner/util/banned.h"

/* ====================================================== enabled_plugins */

/* Plugins that start another one (from the .app files of 3.10.8). */
static const struct {
	const char *plugin, *starts;
} plugin_deps[] = {
	{ "rabbitmq_federation_management", "rabbitmq_management" },
	{ "rabbitmq_shovel_management", "rabbitmq_management" },
	{ "rabbitmq_stream_management", "rabbitmq_management" },
	{ "rabbitmq_stream_management", "rabbitmq_stream" },
	{ "rabbitmq_top", "rabbitmq_management" },
	{ "rabbitmq_tracing", "rabbitmq_management" },
	{ "rabbitmq_web_stomp", "rabbitmq_stomp" },
	{ "rabbitmq_web_stomp_examples", "rabbitmq_web_stomp" },
	{ "rabbitmq_web_mqtt", "rabbitmq_mqtt" },
	{ "rabbitmq_web_mqtt_examples", "rabbitmq_web_mqtt" },
};


void
rmqc_et_skip(struct eterm *t)
{
	while (t->i < t->len) {
		char ch = t->s[t->i];

		if (ch == '%') {
			while (t->i < t->len && t->s[t->i] != '\n')
				t->i++;
		} else if (ch == '\n') {
			t->i++;
			t->line++;
			t->line_start = t->i;
		} else if (ch == ' ' || ch == '\t' || ch == '\r' ||
			   ch == '\f' || ch == '\v') {
			t->i++;
		} else {
			return;
		}
	}
}

static int
plugins_error(struct eterm *t, const char *file, struct err *e, const char *what)
{
	struct pos p;

	p.file = pos_intern(file);
	p.line = t->line;
	p.col = (int)(t->i - t->line_start) + 1;
	return err_setpos(e, &p, "malformed enabled_plugins: %s", what);
}

/* Atom at t->i: plain (lowercase start) or 'quoted'.  Returns length of
 * the name or 0; *start set. */
size_t
rmqc_et_atom(struct eterm *t, size_t *start)
{
	size_t j = t->i;

	if (j < t->len && t->s[j] == '\'') {
		*start = ++j;
		while (j < t->len && t->s[j] != '\'' && t->s[j] != '\n' &&
		       t->s[j] != '\\')
			j++;
		if (j >= t->len || t->s[j] != '\'' || j == *start)
			return 0;
		t->i = j + 1;
		return j - *start;
	}
	if (j >= t->len || t->s[j] < 'a' || t->s[j] > 'z')
		return 0;
	*start = j;
	while (j < t->len && (t->s[j] == '@' || (t->s[j] != '-' &&
			      rmqc_is_word_char((unsigned char)t->s[j]))))
		j++;
	t->i = j;
	return j - *start;
}

static int
plugins_list(struct rmq_plugins *p, struct eterm *t, const char *file,
	     struct err *e)
{
	size_t start, n;

	rmqc_et_skip(t);
	if (t->i < t->len && t->s[t->i] == ']')
		return t->i++, 0;
	for (;;) {
		rmqc_et_skip(t);
		n = rmqc_et_atom(t, &start);
		if (n == 0)
			return plugins_error(t, file, e, "expected a plugin name");
		ALLOC_GROW(p->names, p->n + 1, p->alloc);
		p->names[p->n++] = xstrndup(t->s + start, n);
		rmqc_et_skip(t);
		if (t->i < t->len && t->s[t->i] == ']')
			return t->i++, 0;
		if (t->i >= t->len || t->s[t->i] != ',')
			return plugins_error(t, file, e, "expected ',' or ']'");
		t->i++;
	}
}

int
rmq_plugins_parse(struct rmq_plugins *p, const char *file, const char *buf,
		  size_t len, struct err *e)
{
	struct eterm t = { buf, len, 0, 1, 0 };

	memset(p, 0, sizeof(*p));
	rmqc_et_skip(&t);
	if (t.i == t.len)
		return 0;
	if (buf[t.i] != '[')
		return plugins_error(&t, file, e, "expected '['");
	t.i++;
	if (plugins_list(p, &t, file, e) < 0)
		return -1;
	rmqc_et_skip(&t);
	if (t.i >= t.len || buf[t.i] != '.')
		return plugins_error(&t, file, e, "expected '.' after the list");
	t.i++;
	rmqc_et_skip(&t);
	if (t.i != t.len)
		return plugins_error(&t, file, e, "unexpected text after '.'");
	return 0;
}

void
rmq_plugins_release(struct rmq_plugins *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->names[i]);
	free(p->names);
	memset(p, 0, sizeof(*p));
}

static int
plugins_enabled_depth(const struct rmq_plugins *p, const char *name, int depth)
{
	size_t i;

	if (p == NULL || depth > 4)
		return 0;
	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], name) == 0)
			return 1;
	for (i = 0; i < ARRAY_SIZE(plugin_deps); i++)
		if (strcmp(plugin_deps[i].starts, name) == 0 &&
		    plugins_enabled_depth(p, plugin_deps[i].plugin, depth + 1))
			return 1;
	return 0;
}

int
rmq_plugins_enabled(const struct rmq_plugins *p, const char *name)
{
	return plugins_enabled_depth(p, name, 0);
}
