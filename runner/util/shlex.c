/*
 * shlex.c - split a command line into words as Python's shlex.split()
 * (shlex.h).
 */
#include <stdlib.h>
#include "runner/util/shlex.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

struct splitter {
	struct strbuf tok;
	char **v;
	size_t n, alloc;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
push_word(struct splitter *s)
{
	ALLOC_GROW(s->v, s->n + 2, s->alloc);
	s->v[s->n++] = strbuf_detach(&s->tok, NULL);
	s->v[s->n] = NULL;
}

/* p is just after the opening quote q; returns the position after the
 * closing quote, or NULL with *why set. */
static const char *
read_quoted(struct splitter *s, const char *p, char q, const char **why)
{
	for (; *p != q; p++) {
		if (*p == '\0') {
			*why = "no closing quotation";
			return NULL;
		}
		if (q == '"' && *p == '\\') {
			if (*++p == '\0') {
				*why = "no escaped character";
				return NULL;
			}
			if (*p != '\\' && *p != '"')
				strbuf_addch(&s->tok, '\\');
		}
		strbuf_addch(&s->tok, *p);
	}
	return p + 1;
}

/* One step inside a word; returns the next position or NULL on error. */
static const char *
split_step(struct splitter *s, const char *p, const char **why)
{
	if (*p == '\'' || *p == '"')
		return read_quoted(s, p + 1, *p, why);
	if (*p == '\\') {
		if (p[1] == '\0') {
			*why = "no escaped character";
			return NULL;
		}
		p++;
	}
	strbuf_addch(&s->tok, *p);
	return p + 1;
}

int
shlex_split(const char *str, char ***argv, size_t *argc, const char **why)
{
	struct splitter s = { STRBUF_INIT, NULL, 0, 0 };
	const char *p = str;
	int in_word = 0;

	ALLOC_GROW(s.v, 1, s.alloc);
	s.v[0] = NULL;
	while (p != NULL && *p != '\0') {
		if (is_blank(*p)) {
			if (in_word)
				push_word(&s);
			in_word = 0;
			p++;
			continue;
		}
		in_word = 1;
		p = split_step(&s, p, why);
	}
	if (p == NULL) {
		strbuf_release(&s.tok);
		shlex_free(s.v);
		*argv = NULL;
		*argc = 0;
		return -1;
	}
	if (in_word)
		push_word(&s);
	*argv = s.v;
	*argc = s.n;
	return 0;
}

void
shlex_free(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}
