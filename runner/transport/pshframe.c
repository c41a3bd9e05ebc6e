/*
 * pshframe.c - the persistent shell's wire format: the loop script, the
 * request header and the reply parser.  See pshframe.h.
 *
 * The loop's names start with __mend_ so that they cannot change a
 * variable the user's environment exports (the commands would see it);
 * none of them is exported.  Its own stderr goes to /dev/null (only the
 * commands' output is wanted, and that goes to files).
 */
#include <stdio.h>
#include <string.h>

#include "runner/transport/pshframe.h"
#include "runner/util/banned.h"

static const char script_head[] =
    "exec 2>/dev/null; __mend_k=";
static const char script_tail[] =
    "; __mend_d=$(mktemp -d \"${TMPDIR:-/tmp}/mend.XXXXXXXXXX\") || exit 1; "
    "trap 'rm -rf \"$__mend_d\"' EXIT; trap 'exit 1' HUP PIPE TERM; "
    "__mend_m=$__mend_d/m; "
    "printf '\\036MEND %s 0 o\\n\\036MEND %s 0 e 0\\n' \"$__mend_k\" "
    "\"$__mend_k\"; "
    "while read -r __mend_n __mend_c __mend_i; do "
    "__mend_o=$__mend_d/o$__mend_n; __mend_e=$__mend_d/e$__mend_n; "
    "case $__mend_c in L) IFS= read -r __mend_x ;; "
    "*) __mend_x=$(head -c \"$__mend_c\") ;; esac; "
    "if [ \"$__mend_i\" -gt 0 ]; then head -c \"$__mend_i\" | { "
    "/bin/sh -c \"$__mend_x\" >\"$__mend_o\" 2>\"$__mend_e\"; "
    "__mend_r=$?; cat >/dev/null; exit \"$__mend_r\"; }; "
    "else /bin/sh -c \"$__mend_x\" </dev/null >\"$__mend_o\" "
    "2>\"$__mend_e\"; fi; __mend_r=$?; "
    "if [ -s \"$__mend_o\" ] || [ -s \"$__mend_e\" ]; then "
    "printf '\\036MEND %s %s o\\n' \"$__mend_k\" \"$__mend_n\" >\"$__mend_m\"; "
    "cat \"$__mend_o\" \"$__mend_m\" \"$__mend_e\"; "
    "else printf '\\036MEND %s %s o\\n' \"$__mend_k\" \"$__mend_n\"; fi; "
    "printf '\\036MEND %s %s e %s\\n' \"$__mend_k\" \"$__mend_n\" "
    "\"$__mend_r\"; "
    "case $__mend_n in *0) rm -f \"$__mend_d\"/[oe]* ;; esac; done\n";

void
psh_script(struct strbuf *sb, const char *nonce)
{
	strbuf_addstr(sb, script_head);
	strbuf_add(sb, nonce, strnlen(nonce, PSH_NONCE_LEN));
	strbuf_addstr(sb, script_tail);
}

void
psh_request(struct strbuf *sb, unsigned long seq, const char *cmd,
    size_t inlen)
{
	size_t clen = strlen(cmd);

	if (clen <= PSH_CMD_LINE_MAX && memchr(cmd, '\n', clen) == NULL) {
		strbuf_addf(sb, "%lu L %zu\n", seq, inlen);
		strbuf_add(sb, cmd, clen);
		strbuf_addch(sb, '\n');
		return;
	}
	strbuf_addf(sb, "%lu %zu %zu\n", seq, clen, inlen);
	strbuf_add(sb, cmd, clen);
}

/* The marker that ends stdout ("o\n") or that precedes the status ("e "). */
static void
set_mark(struct psh_frame *f, const char *tail)
{
	int n = snprintf(f->mark, sizeof(f->mark), "\036MEND %s %lu %s",
	    f->nonce, f->seq, tail);

	f->marklen = n > 0 && (size_t)n < sizeof(f->mark) ? (size_t)n : 0;
	f->matched = 0;
}

void
psh_frame_init(struct psh_frame *f, const char *nonce, unsigned long seq)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->nonce, nonce, strnlen(nonce, PSH_NONCE_LEN));
	f->seq = seq;
	f->state = PF_OUT;
	set_mark(f, "o\n");
}

static void
bad(struct psh_frame *f, const char *why)
{
	f->state = PF_BAD;
	f->why = why;
}

/*
 * Output bytes up to the marker into sink.  The marker's first byte (\036)
 * occurs nowhere else in it, so on a mismatch the bytes held back are
 * output and the mismatching byte is looked at afresh.
 */
static size_t
feed_data(struct psh_frame *f, const char *buf, size_t len,
    struct strbuf *sink)
{
	size_t i = 0;
	const char *hit;

	while (i < len) {
		if (f->matched > 0) {
			if (buf[i] != f->mark[f->matched]) {
				strbuf_add(sink, f->mark, f->matched);
				f->matched = 0;
				continue;
			}
			i++;
			if (++f->matched < f->marklen)
				continue;
			if (f->state == PF_OUT) {
				f->state = PF_ERR;
				set_mark(f, "e ");
			} else {
				f->state = PF_RC;
			}
			return i;
		}
		hit = memchr(buf + i, '\036', len - i);
		if (hit == NULL) {
			strbuf_add(sink, buf + i, len - i);
			return len;
		}
		strbuf_add(sink, buf + i, (size_t)(hit - (buf + i)));
		i = (size_t)(hit - buf) + 1;
		f->matched = 1;
	}
	return i;
}

/* The status after the second marker: 1 to 3 digits (0..255), newline. */
static void
rc_byte(struct psh_frame *f, char ch)
{
	if (ch == '\n' && f->rcdigits > 0) {
		f->state = PF_DONE;
		return;
	}
	if (ch < '0' || ch > '9' || f->rcdigits == 3) {
		bad(f, "a garbled exit status");
		return;
	}
	f->rc = f->rc * 10 + (ch - '0');
	f->rcdigits++;
	if (f->rc > 255)
		bad(f, "an exit status above 255");
}

size_t
psh_frame_feed(struct psh_frame *f, const char *buf, size_t len,
    struct strbuf *out, struct strbuf *err)
{
	size_t i = 0;

	while (i < len && f->state != PF_DONE && f->state != PF_BAD) {
		if (f->state == PF_RC)
			rc_byte(f, buf[i++]);
		else
			i += feed_data(f, buf + i, len - i,
			    f->state == PF_OUT ? out : err);
	}
	return i;
}
