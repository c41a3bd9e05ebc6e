/* test_playbook.c - playbook parsing, whole-playbook validation (every error
 * path with its file:line:col), serial batch arithmetic, tag selection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/module.h"
#include "runner/core/playbook.h"

static char dir[] = "/tmp/mend-test-pb.XXXXXX";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write text to DIR/name and load it; returns the playbook or NULL with
 * the errors in e. */
static struct playbook *
load(const char *name, const char *text, struct err *e)
{
	char path[256];
	struct playbook *pb = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (playbook_load(path, &pb, e) < 0)
		return NULL;
	return pb;
}

/* The load must fail with exactly one message ending in `want` at
 * name:line:col. */
static void
expect_error(const char *text, int line, int col, const char *want)
{
	struct err e = ERR_INIT;
	char prefix[300];

	assert_null(load("bad.yml", text, &e));
	snprintf(prefix, sizeof(prefix), "%s/bad.yml:%d:%d: error: ", dir,
	    line, col);
	if (strncmp(e.msg.buf, prefix, strlen(prefix)) != 0 ||
	    strstr(e.msg.buf, want) == NULL)
		fail_msg("got: %s\nwant: %s%s", e.msg.buf, prefix, want);
	err_release(&e);
}

static void
test_valid_playbook(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct task *t;

	(void)state;
	pb = load("ok.yml",
	    "- name: fix\n"
	    "  hosts: web:&prod\n"
	    "  gather_facts: false\n"
	    "  become: yes\n"
	    "  serial: [1, \"50%\"]\n"
	    "  max_fail_percentage: 10\n"
	    "  vars: {conf: /etc/x}\n"
	    "  tasks:\n"
	    "    - name: set\n"
	    "      ansible.builtin.lineinfile: path={{ conf }} line='A 1'\n"
	    "      notify: restart\n"
	    "      when: \"'a,b' in conf\"\n"
	    "    - command: ls -l chdir=/tmp\n"
	    "      register: out\n"
	    "      changed_when: false\n"
	    "  handlers:\n"
	    "    - name: restart\n"
	    "      service: name=nut-client state=restarted\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	assert_int_equal(pb->nplays, 1);
	assert_string_equal(pb->plays[0].hosts, "web:&prod");
	assert_int_equal(pb->plays[0].become, 1);
	assert_int_equal(pb->plays[0].max_fail_pct, 10);
	assert_int_equal(pb->plays[0].ntasks, 2);
	t = &pb->plays[0].tasks[0];
	assert_string_equal(t->mod->name, "lineinfile");
	assert_string_equal(val_map_str(t->args, "path", ""), "{{ conf }}");
	assert_string_equal(val_map_str(t->args, "line", ""), "A 1");
	assert_int_equal(t->when.nexprs, 1);          /* not split at ',' */
	assert_int_equal(t->nnotify, 1);
	t = &pb->plays[0].tasks[1];
	assert_string_equal(val_map_str(t->args, "_raw_params", ""), "ls -l");
	assert_string_equal(val_map_str(t->args, "chdir", ""), "/tmp");
	assert_int_equal(t->changed_when.literal, 1);
	assert_int_equal(t->changed_when.value, 0);
	playbook_free(pb);
	err_release(&e);
}

static void
test_errors_have_positions(void **state)
{
	(void)state;
	expect_error("- hosts: all\n  tasks:\n    - lineinfil:\n        path: /x\n",
	    3, 7, "unknown module 'lineinfil' (did you mean 'lineinfile'?)");
	expect_error("- hosts: all\n  tasks:\n    - lineinfile:\n        path: /x\n"
	    "        lien: y\n", 5, 9,
	    "module 'lineinfile' has no argument 'lien' (did you mean 'line'?)");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      whne: x\n",
	    4, 7, "unknown task keyword 'whne' (did you mean 'when'?)");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      loop: [1]\n",
	    4, 7, "task keyword 'loop' is not supported by mend");
	expect_error("- hosts: all\n  roles: [x]\n", 2, 3,
	    "play keyword 'roles' is not supported by mend");
	expect_error("- hosts: all\n  taks: []\n", 2, 3,
	    "unknown play keyword 'taks' (did you mean 'tasks'?)");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      command: ls\n",
	    4, 7, "conflicting action statements");
	expect_error("- hosts: all\n  tasks:\n    - name: x\n", 3, 7,
	    "task has no module");
	expect_error("- hosts: all\n  tasks:\n    - lineinfile: {line: x}\n", 3, 19,
	    "missing required argument 'path'");
	expect_error("- hosts: all\n  tasks:\n    - wait_for: {port: abc}\n", 3,
	    24, "argument 'port' must be an integer");
	expect_error("- hosts: all\n  tasks:\n    - lineinfile: {path: /x, state: gone}\n",
	    3, 37, "must be one of present|absent");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      notify: nope\n",
	    3, 7, "notifies handler 'nope'");
	expect_error("- hosts: all\n  gather_facts: true\n", 2, 17,
	    "gather_facts: true is not supported");
	expect_error("- hosts: all\n  serial: lots\n", 2, 11, "'serial' takes");
	expect_error("- tasks: []\n", 1, 3, "play has no 'hosts'");
	expect_error("hosts: all\n", 1, 1, "a playbook must be a list of plays");
	/* found by fuzz_playbook: an empty file had no position */
	expect_error("", 1, 1, "a playbook must be a list of plays");
	expect_error("# only a comment\n\n", 1, 1,
	    "a playbook must be a list of plays");
	expect_error("- hosts: all\n  tasks:\n    - debug: {msg: \"{{ x | nosuch }}\"}\n",
	    3, 28, "unknown filter 'nosuch'");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      vars: {a: 1}\n",
	    4, 7, "task keyword 'vars' is not supported");
	expect_error("- hosts: all\n  handlers:\n    - ping:\n", 3, 7,
	    "a handler needs a 'name'");
}

static void
test_errors_collected(void **state)
{
	struct err e = ERR_INIT;

	(void)state;
	assert_null(load("many.yml", "- hosts: all\n  tasks:\n    - pign:\n"
	    "    - ping:\n      whne: 1\n    - shell:\n", &e));
	assert_int_equal(e.count, 3);
	err_release(&e);
}

static size_t *
batches(const char *serial_yaml, size_t n, size_t *nb)
{
	struct err e = ERR_INIT;
	char text[256];
	struct playbook *pb;
	size_t *res;

	snprintf(text, sizeof(text), "- hosts: all\n  serial: %s\n  tasks: []\n",
	    serial_yaml);
	pb = load("serial.yml", text, &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	res = play_batches(&pb->plays[0], n, nb);
	playbook_free(pb);
	return res;
}

static void
test_serial_arithmetic(void **state)
{
	size_t nb, *b;

	(void)state;
	b = batches("2", 5, &nb);             /* 2 2 1 */
	assert_int_equal(nb, 3);
	assert_int_equal(b[0], 2);
	assert_int_equal(b[2], 1);
	free(b);
	b = batches("\"30%\"", 10, &nb);      /* 3 3 3 1 */
	assert_int_equal(nb, 4);
	assert_int_equal(b[0], 3);
	assert_int_equal(b[3], 1);
	free(b);
	b = batches("[1, \"10%\", \"50%\"]", 20, &nb);   /* 1 2 10 7 */
	assert_int_equal(nb, 4);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[1], 2);
	assert_int_equal(b[2], 10);
	assert_int_equal(b[3], 7);
	free(b);
	b = batches("\"1%\"", 3, &nb);         /* percentage rounds down, min 1 */
	assert_int_equal(nb, 3);
	free(b);
	b = batches("0", 4, &nb);              /* 0 = all at once */
	assert_int_equal(nb, 1);
	assert_int_equal(b[0], 4);
	free(b);
}

static void
test_tags(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	char fix[] = "fix", dangerous[] = "dangerous";
	char *only_fix[] = { fix, NULL }, *skip_fix[] = { fix, NULL };
	char *never[] = { dangerous, NULL };
	const struct play *p;

	(void)state;
	pb = load("tags.yml", "- hosts: all\n  tasks:\n"
	    "    - {ping: , tags: fix}\n"
	    "    - {ping: , tags: [always]}\n"
	    "    - {ping: , tags: [never, dangerous]}\n"
	    "    - {ping: }\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	p = &pb->plays[0];
	assert_true(task_tags_match(p, &p->tasks[0], NULL, NULL));
	assert_false(task_tags_match(p, &p->tasks[2], NULL, NULL));
	assert_true(task_tags_match(p, &p->tasks[0], only_fix, NULL));
	assert_true(task_tags_match(p, &p->tasks[1], only_fix, NULL));
	assert_false(task_tags_match(p, &p->tasks[3], only_fix, NULL));
	assert_false(task_tags_match(p, &p->tasks[0], NULL, skip_fix));
	assert_true(task_tags_match(p, &p->tasks[2], never, NULL));
	playbook_free(pb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_playbook),
		cmocka_unit_test(test_errors_have_positions),
		cmocka_unit_test(test_errors_collected),
		cmocka_unit_test(test_serial_arithmetic),
		cmocka_unit_test(test_tags),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
