/*
 * amqxml.h - a small, byte-preserving XML tokenizer with a validating pass,
 * for activemq.xml (Spring XML read by Xerces).
 *
 * Why not libxml2 or a DOM: mend must change two attributes and insert one
 * element while keeping every other byte of the operator's file (comments,
 * attribute order and quoting, indentation, CRLF, entity spellings), and
 * report every problem at file:line:col.  A DOM loses the bytes; a
 * position-keeping library would be a new dependency for ~25 lines of
 * XML that matter.  So the document is cut into tokens that cover the
 * input exactly (the concatenation of all token spans IS the file), each
 * with its position, and edits are (offset, length, replacement) splices.
 *
 * Pure: bytes in, tokens out, no I/O.  What is checked (the errors Xerces
 * would stop the broker with, each with file:line:col):
 *  - markup: start/end/empty-element tags, comments (no "--" inside, as
 *    Xerces), CDATA sections, processing instructions, a DOCTYPE without
 *    an internal subset (one with "[...]" may declare entities: refused);
 *  - names ([A-Za-z_:] then [A-Za-z0-9_:.-], bytes >= 0x80 allowed),
 *    attributes name="value" or 'value', no duplicate attribute, no "<"
 *    in a value, entity references &lt; &gt; &amp; &quot; &apos; &#N;
 *    &#xH; only (no DTD: any other name is undefined);
 *  - nesting: every end tag closes the open element of the same name,
 *    exactly one root element, only comments/PIs/blanks outside it;
 *  - a NUL byte anywhere is refused; a UTF-8 byte order mark at offset 0
 *    is kept as part of the first token.
 * Attribute values are decoded as XML does (entities replaced, each TAB,
 * LF, CR and CRLF normalised to one space).  Lines count "\n".
 */
#ifndef MEND_AMQXML_H
#define MEND_AMQXML_H

#include <stddef.h>

#include "runner/util/err.h"
#include "runner/util/strbuf.h"

enum ax_kind {
	AX_TEXT,        /* character data between markup (may be blanks) */
	AX_COMMENT,     /* <!-- ... --> */
	AX_CDATA,       /* <![CDATA[ ... ]]> */
	AX_PI,          /* <? ... ?> (the XML declaration too) */
	AX_DOCTYPE,     /* <!DOCTYPE ...> */
	AX_START,       /* <name attr="v"> */
	AX_EMPTY,       /* <name attr="v"/> */
	AX_END,         /* </name> */
};

struct ax_attr {
	size_t name_off, name_len;   /* the attribute's name in the input */
	size_t val_off, val_len;     /* raw value bytes between the quotes */
	char quote;                  /* '"' or '\'' */
	char *value;                 /* decoded value (malloc'ed) */
	int line, col;               /* of the name */
};

struct ax_tok {
	enum ax_kind kind;
	size_t off, len;             /* the whole token in the input */
	int line, col;               /* 1-based, of its first byte */
	size_t name_off, name_len;   /* tags: the qualified name */
	size_t attr0, nattrs;        /* tags: attrs[attr0 .. attr0+nattrs) */
	size_t end_off;              /* START/EMPTY: offset of "/>" or ">" */
	long parent;                 /* index of the enclosing START, -1 */
	long close;                  /* START: index of its END token */
	int depth;                   /* 0 for the root element's tokens */
};

struct ax_doc {
	const char *file;            /* interned, for positions */
	const char *buf;             /* the input (not owned) */
	size_t len;
	struct ax_tok *toks;
	size_t ntoks, atoks;
	struct ax_attr *attrs;
	size_t nattrs, aattrs;
	long root;                   /* index of the root element, -1 */
	int crlf;                    /* the first line ending is "\r\n" */
};

/* Tokenize and validate buf (len bytes; buf must outlive d).  0, or -1
 * with e set to "file:line:col: ..." of the first problem; d is usable
 * (released) either way after ax_release(). */
int ax_parse(struct ax_doc *d, const char *file, const char *buf, size_t len,
    struct err *e);
void ax_release(struct ax_doc *d);

/* The local name of a tag token (after any "prefix:"), not terminated:
 * *n gets its length. */
const char *ax_local(const struct ax_doc *d, const struct ax_tok *t,
    size_t *n);
/* Does tag token t have this local name? */
int ax_is(const struct ax_doc *d, const struct ax_tok *t, const char *name);
/* The attribute of tag token t with this name, or NULL. */
const struct ax_attr *ax_attr(const struct ax_doc *d, const struct ax_tok *t,
    const char *name);
/* Next element (START/EMPTY) that is a direct child of START token
 * `parent`, after token index `after` (-1: the first).  -1 when none. */
long ax_child(const struct ax_doc *d, long parent, long after);
/* The decoded character data (TEXT and CDATA) directly inside START
 * token i, appended to out. */
void ax_text(const struct ax_doc *d, long i, struct strbuf *out);
/* Position of byte offset off: line and column (1-based). */
void ax_pos(const struct ax_doc *d, size_t off, int *line, int *col);

/* Append s to out escaped for an attribute value quoted with q:
 * & < and the quote become entities; TAB, LF, CR become &#9; &#10; &#13;
 * so that the value reads back as written. */
void ax_escape_attr(struct strbuf *out, const char *s, char q);

/* Splices: replace [off, off+len) of the input by text.  Applied in
 * offset order; edits must not overlap (ax_apply returns -1 then). */
struct ax_edit {
	size_t off, len;
	char *text;                  /* malloc'ed */
};
struct ax_edits {
	struct ax_edit *v;
	size_t n, alloc;
};
void ax_edit_add(struct ax_edits *ed, size_t off, size_t len, char *text);
int ax_apply(const struct ax_edits *ed, const char *buf, size_t len,
    struct strbuf *out);
void ax_edits_release(struct ax_edits *ed);

#endif
