/*
 * test_psh.c - the persistent shell: the pure framing (pshframe.c: script,
 * request header, the reply parser fed in every split, look-alike
 * markers, garbled exit statuses),
 * and the real loop script run by the local /bin/sh over a socketpair
 * (transport_psh.c: output, exit status, stdin that is read partly or
 * not at all, a daemon keeping stdout open, timeouts with and without
 * timeout(1), a shell that dies, its directory removed at the end).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner/transport/pshframe.h"
#include "runner/transport/transport_impl.h"
#include "runner/util/banned.h"

#define NONCE "0123456789abcdef0123456789abcdef"

/* ---- framing ---- */

static void
script_and_request(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	psh_script(&sb, NONCE);
	assert_non_null(strstr(sb.buf, "__mend_k=" NONCE ";"));
	assert_int_equal(sb.buf[sb.len - 1], '\n');
	assert_null(memchr(sb.buf, '\n', sb.len - 1));   /* one line */
	strbuf_reset(&sb);
	psh_request(&sb, 7, "echo 'a b'", 0);
	assert_string_equal(sb.buf, "7 L 0\necho 'a b'\n");
	strbuf_reset(&sb);
	psh_request(&sb, 8, "echo a\necho b", 5);
	assert_string_equal(sb.buf, "8 13 5\necho a\necho b");
	strbuf_release(&sb);
}

#define MARK(seq, tail) "\036MEND " NONCE " " #seq " " tail

static const char reply[] = "hello" MARK(3, "o\n") "err" MARK(3, "e 2\n");

/* Every split of the reply into two feeds, and byte by byte, gives the
 * same result. */
static void
frame_every_split(void **state)
{
	size_t cut, i, len = sizeof(reply) - 1;

	(void)state;
	for (cut = 0; cut <= len + 1; cut++) {
		struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
		struct psh_frame f;
		size_t used;

		psh_frame_init(&f, NONCE, 3);
		if (cut <= len) {
			used = psh_frame_feed(&f, reply, cut, &out, &err);
			assert_int_equal(used, cut);
			used = psh_frame_feed(&f, reply + cut, len - cut,
			    &out, &err);
			assert_int_equal(used, len - cut);
		} else {
			for (i = 0; i < len; i++)
				assert_int_equal(psh_frame_feed(&f, reply + i,
				    1, &out, &err), 1);
		}
		assert_int_equal(f.state, PF_DONE);
		assert_int_equal(f.rc, 2);
		assert_string_equal(out.buf, "hello");
		assert_string_equal(err.buf, "err");
		strbuf_release(&out);
		strbuf_release(&err);
	}
}

static enum psh_state
feed_str(const char *s, unsigned long seq, struct strbuf *out,
    struct strbuf *err, size_t *used)
{
	struct psh_frame f;

	strbuf_reset(out);
	strbuf_reset(err);
	psh_frame_init(&f, NONCE, seq);
	*used = psh_frame_feed(&f, s, strlen(s), out, err);
	if (f.state == PF_BAD)
		assert_non_null(f.why);
	if (f.state == PF_DONE)
		assert_true(f.rc >= 0 && f.rc <= 255);
	return f.state;
}

/* What only looks like a marker is output, whatever its position. */
static void
frame_markers(void **state)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	size_t used;

	(void)state;
	/* the login shell's chatter before the ready reply: its stdout */
	assert_int_equal(feed_str("Welcome!\n" MARK(0, "o\n") MARK(0, "e 0\n"),
	    0, &out, &err, &used), PF_DONE);
	assert_string_equal(out.buf, "Welcome!\n");
	/* another nonce, another sequence, a marker's prefix, lone \036 */
	assert_int_equal(feed_str("a\036MEND 0123456789abcdef0123456789abcdee "
	    "1 o\n" MARK(2, "o\n") "\036MEN" "\036\036" MARK(1, "o\n")
	    "\036MEND " NONCE " 1 e" MARK(1, "e 7\n"), 1, &out, &err, &used),
	    PF_DONE);
	assert_string_equal(out.buf, "a\036MEND 0123456789abcdef0123456789abcdee"
	    " 1 o\n" MARK(2, "o\n") "\036MEN\036\036");
	assert_string_equal(err.buf, "\036MEND " NONCE " 1 e");
	/* an output ending in a marker's prefix is held back, not lost */
	assert_int_equal(feed_str("x\036MEND " NONCE, 1, &out, &err, &used),
	    PF_OUT);
	assert_string_equal(out.buf, "x");
	/* the exit status: 0..255, digits, a newline */
	assert_int_equal(feed_str(MARK(1, "o\n") MARK(1, "e 255\n"), 1, &out,
	    &err, &used), PF_DONE);
	assert_int_equal(feed_str(MARK(1, "o\n") MARK(1, "e 256\n"), 1, &out,
	    &err, &used), PF_BAD);
	assert_int_equal(feed_str(MARK(1, "o\n") MARK(1, "e 0001\n"), 1, &out,
	    &err, &used), PF_BAD);
	assert_int_equal(feed_str(MARK(1, "o\n") MARK(1, "e \n"), 1, &out,
	    &err, &used), PF_BAD);
	assert_int_equal(feed_str(MARK(1, "o\n") MARK(1, "e -1\n"), 1, &out,
	    &err, &used), PF_BAD);
	/* more than the reply: the rest is not used */
	assert_int_equal(feed_str("ok" MARK(1, "o\n") MARK(1, "e 0\n") "EXTRA",
	    1, &out, &err, &used), PF_DONE);
	assert_int_equal(used, strlen("ok" MARK(1, "o\n") MARK(1, "e 0\n")));
	assert_string_equal(out.buf, "ok");
	strbuf_release(&out);
	strbuf_release(&err);
}

static void
frame_cap(void **state)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct psh_frame f;

	(void)state;
	out.cap = 2;
	psh_frame_init(&f, NONCE, 3);
	assert_int_equal(psh_frame_feed(&f, reply, sizeof(reply) - 1, &out,
	    &err), sizeof(reply) - 1);
	assert_int_equal(f.state, PF_DONE);
	assert_string_equal(out.buf, "he");
	assert_true(out.truncated);
	assert_string_equal(err.buf, "err");
	strbuf_release(&out);
	strbuf_release(&err);
}

/* ---- the loop, run by the local /bin/sh ---- */

struct live {
	pid_t pid;
	char dir[64];           /* TMPDIR of the loop */
	struct psh *p;
};

static void
live_start(struct live *l)
{
	struct tstream *s = xcalloc(1, sizeof(*s));
	struct err e = ERR_INIT;
	int sv[2];

	snprintf(l->dir, sizeof(l->dir), "/tmp/test_psh.XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	l->pid = fork();
	assert_true(l->pid >= 0);
	if (l->pid == 0) {
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		setenv("SHELL", "/bin/false", 1);
		setenv("TMPDIR", l->dir, 1);
		execl("/bin/sh", "sh", "-c", PSH_BOOT, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	s->fd = sv[0];
	assert_int_equal(fcntl(s->fd, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(psh_start(s, 10000, &l->p, &e), 0);
	err_release(&e);
}

/* End the shell; its directory must be gone. */
static void
live_end(struct live *l)
{
	DIR *d;
	struct dirent *de;
	int n = 0, st;

	psh_end(l->p);
	assert_int_equal(waitpid(l->pid, &st, 0), l->pid);
	assert_non_null(d = opendir(l->dir));
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 0);
	rmdir(l->dir);
}

static int
run(struct live *l, const char *cmd, const char *in, int timeout,
    struct exec_res *r)
{
	struct err e = ERR_INIT;
	int rc;

	strbuf_reset(&r->out);
	strbuf_reset(&r->err);
	r->rc = -1;
	rc = psh_run(l->p, cmd, in, in != NULL ? strlen(in) : 0, timeout, r,
	    &e);
	if (rc != 0 && e.count == 0)
		fail_msg("'%s': %d without a message", cmd, rc);
	err_release(&e);
	return rc;
}

static void
live_commands(void **state)
{
	struct live l;
	struct exec_res r;

	(void)state;
	exec_res_init(&r);
	live_start(&l);
	assert_int_equal(run(&l, "echo out; echo err >&2; exit 3", NULL, 0,
	    &r), 0);
	assert_int_equal(r.rc, 3);
	assert_string_equal(r.out.buf, "out\n");
	assert_string_equal(r.err.buf, "err\n");
	/* quoting survives: the command is bytes, not a shell word */
	assert_int_equal(run(&l, "printf '%s|' \"a b\" 'c'\\''d' '$HOME' \\\\",
	    NULL, 0, &r), 0);
	assert_string_equal(r.out.buf, "a b|c'd|$HOME|\\|");
	/* a command of several lines, and a long one (length-prefixed) */
	assert_int_equal(run(&l, "echo one\nprintf '%s\\n' '  two\\'\n",
	    NULL, 0, &r), 0);
	assert_string_equal(r.out.buf, "one\n  two\\\n");
	{
		struct strbuf big = STRBUF_INIT;

		strbuf_addstr(&big, "x=");
		while (big.len < 3 * PSH_CMD_LINE_MAX)
			strbuf_addstr(&big, "abcdefgh");
		strbuf_addstr(&big, "; echo ${#x} '  lead and trail  '");
		assert_int_equal(run(&l, big.buf, NULL, 0, &r), 0);
		assert_string_equal(r.out.buf, "12288   lead and trail  \n");
		strbuf_release(&big);
	}
	assert_int_equal(run(&l, "  printf '%s|' '\\t  x  ' ", NULL, 0, &r),
	    0);
	assert_string_equal(r.out.buf, "\\t  x  |");
	/* stdin: read, read in part, not read at all; stays in step */
	assert_int_equal(run(&l, "cat", "line1\nline2", 0, &r), 0);
	assert_string_equal(r.out.buf, "line1\nline2");
	assert_int_equal(run(&l, "head -c 3", "abcdefgh", 0, &r), 0);
	assert_string_equal(r.out.buf, "abc");
	assert_int_equal(run(&l, "true", "never read", 0, &r), 0);
	assert_int_equal(run(&l, "cat; echo .", NULL, 0, &r), 0);
	assert_string_equal(r.out.buf, ".\n");    /* no stdin: /dev/null */
	/* killed by a signal: 128+N, as sshd's exit-signal */
	assert_int_equal(run(&l, "kill -TERM $$", NULL, 0, &r), 0);
	assert_int_equal(r.rc, 128 + SIGTERM);
	/* variables of the loop are not the commands' */
	assert_int_equal(run(&l, "echo \"[${__mend_d-}]\"", NULL, 0, &r), 0);
	assert_string_equal(r.out.buf, "[]\n");
	assert_int_equal(run(&l, "echo \"[${__mend_k-}]\"", NULL, 0, &r), 0);
	assert_string_equal(r.out.buf, "[]\n");
	/* bytes, not lines: NULs, no final newline, on both streams */
	assert_int_equal(run(&l, "printf 'a\\000b'; printf '\\036MEND x' >&2",
	    NULL, 0, &r), 0);
	assert_int_equal(r.out.len, 3);
	assert_memory_equal(r.out.buf, "a\0b", 3);
	assert_string_equal(r.err.buf, "\036MEND x");
	/* many commands: the files removed every tenth stay out of the way */
	{
		int i;

		for (i = 0; i < 25; i++) {
			assert_int_equal(run(&l, i % 2 ? "true" : "echo y",
			    NULL, 0, &r), 0);
			assert_string_equal(r.out.buf, i % 2 ? "" : "y\n");
		}
	}
	assert_true(psh_ok(l.p));
	live_end(&l);
	exec_res_release(&r);
}

static void
live_big_output(void **state)
{
	struct live l;
	struct exec_res r;

	(void)state;
	exec_res_init(&r);
	live_start(&l);
	assert_int_equal(run(&l, "head -c 3000000 /dev/zero; echo x >&2",
	    NULL, 0, &r), 0);
	assert_int_equal(r.out.len, 3000000);
	assert_string_equal(r.err.buf, "x\n");
	r.out.cap = 1000;
	assert_int_equal(run(&l, "head -c 5000 /dev/zero", NULL, 0, &r), 0);
	assert_int_equal(r.out.len, 1000);
	assert_true(r.out.truncated);
	assert_int_equal(run(&l, "echo next", NULL, 0, &r), 0);
	assert_string_equal(r.out.buf, "next\n");
	live_end(&l);
	exec_res_release(&r);
}

/* A daemon that keeps the command's stdout open does not hold the reply,
 * and its later output never reaches the stream. */
static void
live_daemon(void **state)
{
	struct live l;
	struct exec_res r;
	int64_t t0 = mono_ms();

	(void)state;
	exec_res_init(&r);
	live_start(&l);
	assert_int_equal(run(&l, "(sleep 1; echo late) & echo started", NULL,
	    0, &r), 0);
	assert_string_equal(r.out.buf, "started\n");
	assert_true(mono_ms() - t0 < 900);
	usleep(1300 * 1000);
	assert_int_equal(run(&l, "echo second", NULL, 0, &r), 0);
	assert_string_equal(r.out.buf, "second\n");
	live_end(&l);
	exec_res_release(&r);
}

static void
live_timeouts(void **state)
{
	struct strbuf cmd = STRBUF_INIT;
	struct live l;
	struct exec_res r;
	int64_t t0;

	(void)state;
	exec_res_init(&r);
	live_start(&l);
	/* with timeout(1), as conn_exec() wraps: stopped, shell in step */
	tr_wrap_timeout(&cmd, "echo begun; sleep 30", 1);
	t0 = mono_ms();
	assert_int_equal(run(&l, cmd.buf, NULL, 1, &r), TERR_TIMEOUT);
	assert_true(mono_ms() - t0 < 4000);
	assert_true(psh_ok(l.p));
	assert_int_equal(run(&l, "echo alive", NULL, 0, &r), 0);
	assert_string_equal(r.out.buf, "alive\n");
	/* without: the shell is given up after the grace period */
	t0 = mono_ms();
	assert_int_equal(run(&l, "sleep 6", NULL, 1, &r), TERR_TIMEOUT);
	assert_true(mono_ms() - t0 < 7000);
	assert_false(psh_ok(l.p));
	live_end(&l);     /* the loop ends after the sleep, and cleans up */
	strbuf_release(&cmd);
	exec_res_release(&r);
}

/* The shell dies during a command: 255, as a channel without status. */
static void
live_shell_dies(void **state)
{
	struct live l;
	struct exec_res r;

	(void)state;
	exec_res_init(&r);
	live_start(&l);
	assert_int_equal(run(&l, "kill -KILL $PPID", NULL, 0, &r), 0);
	assert_int_equal(r.rc, 255);
	assert_false(psh_ok(l.p));
	struct strbuf rm = STRBUF_INIT;

	psh_end(l.p);
	waitpid(l.pid, NULL, 0);
	strbuf_addf(&rm, "rm -rf '%s'", l.dir);   /* its trap did not run */
	assert_int_equal(system(rm.buf), 0);
	strbuf_release(&rm);
	exec_res_release(&r);
}

/* Not a shell at the other end: no ready frame, no psh. */
static void
live_not_a_shell(void **state)
{
	struct tstream *s = xcalloc(1, sizeof(*s));
	struct err e = ERR_INIT;
	struct psh *p = NULL;
	int sv[2];
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	if ((pid = fork()) == 0) {
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		execl("/bin/sh", "sh", "-c", "echo 'This account is not "
		    "available.'", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	s->fd = sv[0];
	assert_int_equal(fcntl(s->fd, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(psh_start(s, 5000, &p, &e), -1);
	assert_null(p);
	assert_non_null(strstr(e.msg.buf, "ended before it was ready"));
	tstream_close(s);
	waitpid(pid, NULL, 0);
	err_release(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(script_and_request),
		cmocka_unit_test(frame_every_split),
		cmocka_unit_test(frame_markers),
		cmocka_unit_test(frame_cap),
		cmocka_unit_test(live_commands),
		cmocka_unit_test(live_big_output),
		cmocka_unit_test(live_daemon),
		cmocka_unit_test(live_timeouts),
		cmocka_unit_test(live_shell_dies),
		cmocka_unit_test(live_not_a_shell),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
