/* rmqschema.c - the broker's accepted keys from its schema files; see
 * rmqschema.h. */
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqschema.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

/* the whole text of every schema file on one line, so that a mapping
 * written over two lines is found too */
static const char schema_script[] =
	"LC_ALL=C; export LC_ALL\n"
	"set -- \"$lib\"/rabbitmq_server-*/plugins/*/priv/schema/*.schema "
	"\"$lib\"/rabbitmq_server-*/plugins/*/priv/*.schema\n"
	"m=0; for f; do [ -f \"$f\" ] && m=$((m + 1)); done\n"
	"z=0; for f in \"$lib\"/rabbitmq_server-*/plugins/*.ez; do "
	"[ -f \"$f\" ] && z=$((z + 1)); done\n"
	"t=$(mktemp) || exit 1\n"
	"{\n"
	"  for f; do [ -f \"$f\" ] && cat -- \"$f\"; done\n"
	/* 3.8 ships its plugins as .ez (zip) archives: the broker's own
	 * Erlang reads the schemas out of them */
	"  if [ $z -gt 0 ] && command -v erl >/dev/null 2>&1; then\n"
	"    L=$lib erl -noshell -eval '"
	"F = fun(Z) -> case zip:extract(Z, [memory, {file_filter, fun(E) -> "
	"lists:suffix(\".schema\", element(2, E)) end}]) of "
	"{ok, S} -> [io:put_chars([B, \"\\n%%mend-schema-file\\n\"]) || "
	"{_, B} <- S]; _ -> ok end end, "
	"[F(Z) || Z <- filelib:wildcard(os:getenv(\"L\") ++ "
	"\"/rabbitmq_server-*/plugins/*.ez\")], halt().' 2>/dev/null\n"
	"  fi\n"
	"} >\"$t\"\n"
	"e=$(grep -c '^%%mend-schema-file$' \"$t\")\n"
	"echo \"$n files $((m + e))\"\n"
	"if [ $z -gt 0 ] && ! command -v erl >/dev/null 2>&1; then "
	"echo \"$n ez $z\"; else echo \"$n ez 0\"; fi\n"
	"tr '\\n' ' ' <\"$t\" | grep -o '{mapping,[[:space:]]*\"[^\"]*\"' | "
	"sed 's/^[^\"]*\"//; s/\"$//' | sort -u | sed \"s/^/$n key /\"\n"
	"rm -f \"$t\"\n";

void
rmq_schema_cmd(struct strbuf *cmd, const char *nonce, const char *libdir)
{
	shellcmd_build(cmd, "n=%q; lib=%q\n", nonce, libdir);
	strbuf_addstr(cmd, schema_script);
}

static void
add_key(struct rmq_schema *s, const char *k, size_t n)
{
	ALLOC_GROW(s->keys, s->n + 1, s->alloc);
	s->keys[s->n++] = xstrndup(k, n);
}

void
rmq_schema_parse(struct rmq_schema *s, const char *out, const char *nonce)
{
	size_t k = strlen(nonce);

	while (*out != '\0') {
		size_t n = strcspn(out, "\n");
		const char *v = out + k + 1;

		if (n > k + 1 && memcmp(out, nonce, k) == 0 && out[k] == ' ') {
			size_t vn = n - k - 1;

			if (vn > 4 && memcmp(v, "key ", 4) == 0)
				add_key(s, v + 4, vn - 4);
			else if (vn > 6 && memcmp(v, "files ", 6) == 0)
				s->nfiles = (size_t)strtoul(v + 6, NULL, 10);
			else if (vn > 3 && memcmp(v, "ez ", 3) == 0)
				s->nez = (size_t)strtoul(v + 3, NULL, 10);
		}
		out += n + (out[n] == '\n');
	}
}

/* One mapping against one key, segment by segment. */
static int
match(const char *pat, const char *key)
{
	for (;;) {
		size_t p = strcspn(pat, "."), q = strcspn(key, ".");

		if (q == 0 || p == 0)
			return 0;
		if (pat[0] != '$' && (p != q || memcmp(pat, key, p) != 0))
			return 0;
		if (pat[p] == '\0' || key[q] == '\0')
			return pat[p] == '\0' && key[q] == '\0';
		pat += p + 1;
		key += q + 1;
	}
}

int
rmq_schema_accepts(const struct rmq_schema *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (match(s->keys[i], key))
			return 1;
	return 0;
}

void
rmq_schema_release(struct rmq_schema *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->keys[i]);
	free(s->keys);
	memset(s, 0, sizeof(*s));
}
