/*
 * fuzz_playbook.c - libFuzzer harness for the playbook loader
 * (runner/core/playbook.c over runner/util/yamlload.c: YAML to plays,
 * tasks, handlers, and the whole validation: keywords, module argument
 * tables, templates, conditions, notify, serial, windows).
 *
 *   make fuzz   (builds every harness with the whole engine)
 *   seeds: the playbooks of playbooks/ (any playbook will do)
 *
 * The input is a playbook file (written to a memfd: playbook_load reads a
 * path).  Besides memory errors it checks the contracts:
 *  - failure always comes with a message, success with none;
 *  - every message about the file is "FILE:LINE:COL: error: ..." with a
 *    line inside the file and a column >= 1;
 *  - a loaded playbook's plays, tasks and handlers have positions inside
 *    the file and a module each.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runner/core/playbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "contract broken: %s\n", what);
		abort();
	}
}

/* Lines as YAML counts them: "\r\n", "\r", "\n", NEL, LS, PS break. */
static int
lines_of(const uint8_t *d, size_t n)
{
	int lines = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')
			i++;
		if (d[i] == '\n' || d[i] == '\r' || (d[i] == 0xC2 &&
		    i + 1 < n && d[i + 1] == 0x85) || (d[i] == 0xE2 &&
		    i + 2 < n && d[i + 1] == 0x80 && (d[i + 2] == 0xA8 ||
		    d[i + 2] == 0xA9)))
			lines++;
	}
	return lines;
}

static void
check_pos(const struct pos *p, int lines)
{
	check(p->line >= 1 && p->line <= lines && p->col >= 1,
	    "positions inside the file");
}

/* Messages about the file carry a position inside it. */
static void
check_messages(const struct err *e, const char *path, int lines)
{
	const char *p = e->msg.buf;
	size_t plen = strlen(path);

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');

		if (strncmp(p, path, plen) == 0 && p[plen] == ':') {
			char *end;
			long l = strtol(p + plen + 1, &end, 10);

			check(*end == ':' && l >= 1 && l <= lines &&
			    strtol(end + 1, NULL, 10) >= 1,
			    "message positions inside the file");
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void
check_tasks(const struct task *t, size_t n, int lines)
{
	size_t i;

	for (i = 0; i < n; i++) {
		check((t[i].kind == TASK_MODULE) == (t[i].mod != NULL),
		    "a task has a module, a block none");
		check_pos(&t[i].pos, lines);
		check_tasks(t[i].block, t[i].nblock, lines);
		check_tasks(t[i].rescue, t[i].nrescue, lines);
		check_tasks(t[i].always, t[i].nalways, lines);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct playbook *pb = NULL;
	struct err e = ERR_INIT;
	char path[64];
	int fd, ret, lines;
	size_t i;

	if (size > 16384)
		return 0;
	fd = memfd_create("fuzz.yml", MFD_CLOEXEC);
	check(fd >= 0 && write(fd, data, size) == (ssize_t)size, "memfd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	lines = lines_of(data, size);
	ret = playbook_load(path, &pb, &e);
	check((ret < 0) == (e.count > 0), "failure iff a message");
	check_messages(&e, path, lines);
	if (ret == 0) {
		for (i = 0; i < pb->nplays; i++) {
			check_pos(&pb->plays[i].pos, lines);
			check_tasks(pb->plays[i].tasks, pb->plays[i].ntasks,
			    lines);
			check_tasks(pb->plays[i].handlers,
			    pb->plays[i].nhandlers, lines);
		}
		playbook_free(pb);
	}
	err_release(&e);
	close(fd);
	return 0;
}
