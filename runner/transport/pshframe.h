/*
 * pshframe.h - the wire format of the persistent remote shell (psh.h),
 * pure: no I/O, so that it can be unit-tested and fuzzed.
 *
 * The controller starts one exec channel per host running PSH_BOOT (via
 * the user's login shell, once), then writes the loop script
 * (psh_script(), one line) on its stdin.  The loop answers a ready reply
 * (sequence 0: whatever the login shell printed before it counts as its
 * stdout and is dropped), then serves requests until its stdin ends:
 *
 *   request   "<seq> <cmdlen> <inlen>\n" <cmd: cmdlen bytes> <in: inlen bytes>
 *         or  "<seq> L <inlen>\n" <cmd> "\n" <in: inlen bytes>  (a command
 *             of one line, read by the shell's `read`: no program run)
 *   reply     <stdout> "\036MEND <nonce> <seq> o\n"
 *             <stderr> "\036MEND <nonce> <seq> e <rc>\n"
 *
 * The loop runs the command with /bin/sh -c (the command lines are POSIX
 * sh, quoted for it: shellcmd.h; a login shell run for each command would
 * be bash reading ~/.bashrc again, as sshd's SSH_CLIENT tells it to) with
 * stdout and stderr redirected to files of its own mktemp -d directory and
 * stdin from the request's bytes (through a pipe that is drained after the
 * command, so a command that reads less keeps the stream in step; none:
 * /dev/null).  Then, when either file is not empty, one `cat` sends
 * stdout, the first marker (written to a file by the shell's printf) and
 * stderr; else the shell prints the marker itself: a command without
 * output costs the host its own process and nothing else.  Each command
 * has its own pair of files (removed every tenth command): a daemon the
 * command started may keep them open and write on, into a file that no
 * reply reads again, never into the stream.
 * The nonce (32 hex digits, random per shell, in no environment, file or
 * command line) is what a command's output cannot forge: the markers are
 * found by it, not by lengths, so the host runs no wc.  rc is the shell's
 * $? (128+N for signal N).
 */
#ifndef MEND_PSHFRAME_H
#define MEND_PSHFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "runner/util/strbuf.h"

#define PSH_NONCE_LEN 32
#define PSH_LINE_MAX  96      /* longest marker, newline included */

/* The exec request: the login shell runs it once; /bin/sh reads the loop
 * script (one line) from stdin and evaluates it.  Only plain characters:
 * it goes through any login shell (sh, bash, zsh, fish, csh). */
#define PSH_BOOT "exec /bin/sh -c 'IFS= read -r l && eval \"$l\"'"

/* Append the loop script for nonce (PSH_NONCE_LEN hex digits), ending in
 * a newline. */
void psh_script(struct strbuf *sb, const char *nonce);

/* Append a request header and the command (its inlen bytes of stdin
 * follow): one line when cmd has no newline and at most
 * PSH_CMD_LINE_MAX bytes, else length-prefixed. */
#define PSH_CMD_LINE_MAX 4096
void psh_request(struct strbuf *sb, unsigned long seq, const char *cmd,
    size_t inlen);

enum psh_state { PF_OUT, PF_ERR, PF_RC, PF_DONE, PF_BAD };

/*
 * A reply being parsed.  psh_frame_init() sets the nonce and the sequence
 * number the markers must carry.  psh_frame_feed() takes the next len
 * bytes of the stream and returns how many it used (less than len only
 * once the reply is complete, PF_DONE, or garbled, PF_BAD); stdout bytes go
 * to out and stderr bytes to err (strbuf caps apply: past the cap, bytes
 * are dropped and the buffer marked truncated).  Bytes that may begin a
 * marker are held back until it is clear they do not.  After PF_DONE, rc
 * holds the status; why says what was wrong after PF_BAD (only the exit
 * status can be garbled: anything else is output).
 */
struct psh_frame {
	char mark[PSH_LINE_MAX];   /* the marker being looked for */
	size_t marklen, matched;   /* its length; its bytes seen so far */
	char nonce[PSH_NONCE_LEN + 1];
	unsigned long seq;
	enum psh_state state;
	int rc, rcdigits;
	const char *why;
};

void psh_frame_init(struct psh_frame *f, const char *nonce,
    unsigned long seq);
size_t psh_frame_feed(struct psh_frame *f, const char *buf, size_t len,
    struct strbuf *out, struct strbuf *err);

#endif
