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
#include "runner/core/localplug.h"
#include "runner/core/playbook.h"
#include "runner/core/startat.h"
#include "runner/template/template.h"

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
/* The load must fail with a first message ending in `want` at
 * file:line:col (file: in DIR). */
static void
expect_error_in(const char *text, const char *file, int line, int col,
    const char *want)
{
	struct err e = ERR_INIT;
	char prefix[300];

	if (load("bad.yml", text, &e) != NULL)
		fail_msg("loaded: %s", text);
	snprintf(prefix, sizeof(prefix), "%s/%s:%d:%d: error: ", dir, file,
	    line, col);
	if (strncmp(e.msg.buf, prefix, strlen(prefix)) != 0 ||
	    strstr(e.msg.buf, want) == NULL)
		fail_msg("got: %s\nwant: %s%s", e.msg.buf, prefix, want);
	err_release(&e);
}

static void
expect_error(const char *text, int line, int col, const char *want)
{
	expect_error_in(text, "bad.yml", line, col, want);
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
	    "  become_method: sudo\n"
	    "  serial: [1, \"50%\"]\n"
	    "  max_fail_percentage: 10\n"
	    "  force_handlers: true\n"
	    "  vars: {conf: /etc/x}\n"
	    "  tasks:\n"
	    "    - name: set\n"
	    "      ansible.builtin.lineinfile: path={{ conf }} line='A 1'\n"
	    "      notify: restart\n"
	    "      when: \"'a,b' in conf\"\n"
	    "    - command: ls -l chdir=/tmp\n"
	    "      register: out\n"
	    "      changed_when: false\n"
	    "      become_method: sudo\n"
	    "  handlers:\n"
	    "    - name: restart\n"
	    "      service: name=nut-client state=restarted\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	assert_int_equal(pb->nplays, 1);
	assert_string_equal(pb->plays[0].hosts, "web:&prod");
	assert_int_equal(pb->plays[0].become, 1);
	assert_int_equal(pb->plays[0].max_fail_pct, 10);
	assert_int_equal(pb->plays[0].force_handlers, 1);
	assert_null(pb->plays[0].max_fail_expr);
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

/* issue 13: facts on by default, keywords as templates, environment,
 * set_fact and include_vars as modules */
static void
test_facts_and_keywords(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct task *t;

	(void)state;
	pb = load("kw.yml",
	    "- hosts: all\n"
	    "  serial: \"{{ n }}\"\n"
	    "  max_fail_percentage: \"{{ m }}\"\n"
	    "  force_handlers: \"{{ f }}\"\n"
	    "  gather_subset: \"!all,network\"\n"
	    "  environment: {A: \"{{ a }}\"}\n"
	    "  tasks:\n"
	    "    - set_fact: x=1 cacheable=yes\n"
	    "      ignore_errors: \"{{ ie }}\"\n"
	    "      no_log: \"{{ nl }}\"\n"
	    "    - include_vars: common.yml\n"
	    "      environment: \"{{ env }}\"\n"
	    "      timeout: \"{{ t }}\"\n"
	    "      become: \"{{ b }}\"\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	assert_int_equal(pb->plays[0].gather_facts, 1);
	assert_string_equal(pb->plays[0].serial_expr, "{{ n }}");
	assert_null(pb->plays[0].serial);
	assert_string_equal(pb->plays[0].max_fail_expr, "{{ m }}");
	assert_int_equal(pb->plays[0].max_fail_pct, -1);
	assert_string_equal(pb->plays[0].force_handlers_expr, "{{ f }}");
	assert_int_equal(pb->plays[0].force_handlers, -1);
	assert_int_equal(pb->plays[0].gather_subset->u.list.n, 2);
	assert_string_equal(pb->plays[0].gather_subset->u.list.items[0]->u.str.s,
	    "!all");
	assert_non_null(val_map_get(pb->plays[0].environment, "A"));
	t = &pb->plays[0].tasks[0];
	assert_string_equal(t->mod->name, "set_fact");
	assert_string_equal(val_map_str(t->args, "x", ""), "1");
	assert_string_equal(t->ignore_errors_expr, "{{ ie }}");
	assert_string_equal(t->no_log_expr, "{{ nl }}");
	t = &pb->plays[0].tasks[1];
	assert_string_equal(t->mod->name, "include_vars");
	assert_int_equal(t->environment->type, V_STR);
	assert_string_equal(t->timeout_expr, "{{ t }}");
	assert_string_equal(t->become_expr, "{{ b }}");
	playbook_free(pb);
	err_release(&e);
	expect_error("- hosts: all\n  environment: [a]\n", 2, 16,
	    "'environment' must be a mapping");
	expect_error("- hosts: all\n  serial: \"{{ n \"\n", 2, 11, "");
	expect_error("- hosts: all\n  tasks:\n    - set_fact: {}\n", 3, 17,
	    "no key/value pairs provided");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n"
	    "      ignore_errors: \"{{ x | nosuch }}\"\n", 4, 30,
	    "unknown filter 'nosuch'");
}

/* meta: the actions mend runs become TASK_META tasks; Ansible's others,
 * typos, flush_handlers with when, other keywords and meta among
 * handlers are errors at their position. */
static void put(const char *name, const char *text);

/* A task of an Ansible module mend lacks validates with a warning (its
 * templates still checked) and runs as `fail` with the message; a name
 * that is no Ansible module stays an error. */
static void
test_ansible_only_module(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct task *t;

	(void)state;
	put("other.yml", "- hosts: x\n  tasks: []\n");
	pb = load("ao.yml", "- hosts: all\n  tasks:\n"
	    "    - pacman: {name: x}\n      when: false\n"
	    "    - name: repo\n      ansible.builtin.yum_repository:\n"
	    "        name: '{{ r }}'\n"
	    "    - with_first_found: [a.yml]\n      include_vars: '{{ item }}'\n"
	    "- import_playbook: other.yml\n  name: other\n  tags: [i, x]\n",
	    &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	t = &pb->plays[0].tasks[0];
	assert_string_equal(t->mod->name, "fail");
	assert_string_equal(t->name, "pacman");
	assert_string_equal(val_map_str(t->args, "msg", NULL), "'pacman' is an "
	    "Ansible module (community.general.pacman) that mend does not have");
	assert_string_equal(pb->plays[0].tasks[1].name, "repo");
	assert_non_null(strstr(pb->warnings.buf, "ao.yml:3:7: warning: 'pacman' "
	    "is an Ansible module (community.general.pacman) that mend does "
	    "not have: the task fails on any host that runs it\n"));
	assert_non_null(strstr(pb->warnings.buf, "ao.yml:6:7: warning: "
	    "'ansible.builtin.yum_repository' is an Ansible module that mend"));
	assert_string_equal(pb->plays[0].tasks[2].loop.lookup, "first_found");
	/* import_playbook's tags join the imported play's */
	assert_int_equal(pb->plays[1].ntags, 2);
	assert_string_equal(pb->plays[1].tags[0], "i");
	playbook_free(pb);
	err_release(&e);
	expect_error("- hosts: all\n  tasks:\n    - pacman:\n"
	    "        name: '{{ x | nofilter }}'\n", 4, 23, "unknown filter 'nofilter'");
	expect_error("- hosts: all\n  tasks:\n    - ufx: {}\n", 3, 7,
	    "unknown module 'ufx'");
	expect_error("- import_playbook: other.yml\n  when: x\n", 2, 3,
	    "'when' on import_playbook is not supported by mend");
}

static void
test_meta(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;

	(void)state;
	pb = load("meta.yml", "- hosts: all\n  tasks:\n"
	    "    - meta: flush_handlers\n"
	    "    - meta: end_host\n      when: x == 1\n      tags: [t]\n"
	    "    - {name: stop, meta: end_play}\n", &e);
	assert_non_null(pb);
	assert_int_equal(pb->plays[0].ntasks, 3);
	assert_int_equal(pb->plays[0].tasks[0].kind, TASK_META);
	assert_string_equal(pb->plays[0].tasks[0].meta, "flush_handlers");
	assert_string_equal(pb->plays[0].tasks[1].meta, "end_host");
	assert_true(pb->plays[0].tasks[1].when.set);
	assert_int_equal(pb->plays[0].tasks[1].ntags, 1);
	assert_string_equal(pb->plays[0].tasks[2].name, "stop");
	playbook_free(pb);
	err_release(&e);
	pb = load("meta2.yml", "- hosts: all\n  tasks:\n"
	    "    - ansible.builtin.meta: noop\n", &e);
	assert_non_null(pb);
	assert_string_equal(pb->plays[0].tasks[0].meta, "noop");
	playbook_free(pb);
	expect_error("- hosts: all\n  tasks:\n    - meta: clear_facts\n", 3, 13,
	    "meta: 'clear_facts' is an Ansible meta action that mend does "
	    "not have");
	expect_error("- hosts: all\n  tasks:\n    - meta: flush\n", 3, 13,
	    "meta: 'flush' is not a meta action (flush_handlers noop end_host "
	    "end_play end_batch reset_connection)");
	expect_error("- hosts: all\n  tasks:\n    - meta: [noop]\n", 3, 13,
	    "meta: takes an action name, not 'list'");
	expect_error("- hosts: all\n  tasks:\n    - meta: flush_handlers\n"
	    "      when: true\n", 4, 7, "meta: flush_handlers does not take "
	    "'when' (Ansible ignores it with a warning)");
	expect_error("- hosts: all\n  tasks:\n    - meta: noop\n"
	    "      register: r\n", 4, 7, "'register' on meta is not "
	    "supported by mend");
	expect_error("- hosts: all\n  tasks: []\n  handlers:\n"
	    "    - {name: h, meta: noop}\n", 4, 7, "meta among handlers is "
	    "not supported by mend");
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
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      with_lines: [1]\n",
	    4, 7, "task keyword 'with_lines' is not supported by mend");
	expect_error("- hosts: all\n  become_method: su\n  tasks: []\n", 2, 18,
	    "become_method 'su' is not supported by mend (it escalates with "
	    "sudo only)");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n"
	    "      become_method: doas\n", 4, 22, "become_method 'doas' is "
	    "not supported by mend");
	expect_error("- hosts: all\n  tasks:\n    - block: [ping: {}]\n"
	    "      become_method: '{{ m }}'\n", 4, 22, "a templated "
	    "become_method is not supported by mend");
	expect_error("- hosts: all\n  force_handlers: maybe\n", 2, 19,
	    "'force_handlers' must be a boolean");
	expect_error("- hosts: all\n  max_fail_percentage: 101\n", 2, 24,
	    "'max_fail_percentage' must be an integer from 0 to 100");
	expect_error("- hosts: all\n  max_fail_percentage: '{{ x'\n", 2, 24,
	    "");
	expect_error("- hosts: all\n  become_method: [sudo]\n", 2, 18,
	    "'become_method' must be a string, got list");
	expect_error("- hosts: all\n  roles: [x]\n", 2, 11,
	    "the role 'x' was not found in ");
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
	expect_error("- hosts: all\n  gather_facts: maybe\n", 2, 17,
	    "'gather_facts' must be a boolean");
	expect_error("- hosts: all\n  gather_timeout: 0\n", 2, 19,
	    "'gather_timeout' must be an integer");
	expect_error("- hosts: all\n  serial: lots\n", 2, 11, "'serial' takes");
	expect_error("- tasks: []\n", 1, 3, "play has no 'hosts'");
	expect_error("hosts: all\n", 1, 1, "a playbook must be a list of plays");
	/* found by fuzz_playbook: an empty file had no position */
	expect_error("", 1, 1, "a playbook must be a list of plays");
	expect_error("# only a comment\n\n", 1, 1,
	    "a playbook must be a list of plays");
	expect_error("- hosts: all\n  tasks:\n    - debug: {msg: \"{{ x | nosuch }}\"}\n",
	    3, 28, "unknown filter 'nosuch'");
	expect_error("- hosts: all\n  handlers:\n    - ping:\n", 3, 7,
	    "a handler needs a 'name'");
}

/* loops, until, blocks: what is accepted and every refusal's position */
static void
test_flow_errors(void **state)
{
	(void)state;
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      loop: [1]\n"
	    "      with_items: [2]\n", 5, 7, "a task has one loop: "
	    "'with_items' and 'loop'");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      loop: {a: 1}\n",
	    4, 13, "'loop' requires a list");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      loop: abc\n",
	    4, 13, "'loop' requires a list");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      loop_control:"
	    " {loop_var: x}\n", 4, 7, "'loop_control' without a loop");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      loop: [1]\n"
	    "      loop_control: {labl: x}\n", 5, 22, "loop_control: unknown "
	    "key 'labl' (did you mean 'label'?)");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      loop: [1]\n"
	    "      loop_control: {loop_var: '{{ x }}'}\n", 5, 32,
	    "'loop_var' must be a variable name");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      with_items: "
	    "\"{{ x | nosuch }}\"\n", 4, 27, "unknown filter 'nosuch'");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      until: x ==\n",
	    4, 18, "expected an expression");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      retries: -1\n",
	    4, 16, "'retries' must be an integer");
	expect_error("- hosts: all\n  tasks:\n    - block:\n        - pign:\n",
	    4, 11, "unknown module 'pign'");
	expect_error("- hosts: all\n  tasks:\n    - block: []\n      ping:\n",
	    4, 7, "'ping' is not allowed on a block");
	expect_error("- hosts: all\n  tasks:\n    - block: []\n      register: x\n",
	    4, 7, "'register' is not allowed on a block");
	expect_error("- hosts: all\n  tasks:\n    - block: []\n      notify: x\n",
	    3, 7, "notifies handler 'x'");
	expect_error("- hosts: all\n  tasks:\n    - rescue:\n        - ping:\n",
	    3, 7, "'rescue' and 'always' need a 'block'");
	expect_error("- hosts: all\n  tasks:\n    - block: []\n      whn: x\n",
	    4, 7, "unknown block keyword 'whn' (did you mean 'when'?)");
	expect_error("- hosts: all\n  tasks:\n    - block:\n        - ping:\n"
	    "      always:\n        - ping:\n          notify: h\n", 6, 11,
	    "notifies handler 'h'");
	expect_error("- hosts: all\n  tasks:\n    - block: x\n", 3, 14,
	    "'block' must be a list of tasks");
	expect_error("- hosts: all\n  handlers:\n    - block: []\n", 3, 7,
	    "a block among handlers is not supported");
}

static void
test_blocks_inherit(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct task *b, *in, *inner, *leaf;

	(void)state;
	pb = load("blk.yml",
	    "- hosts: all\n"
	    "  tasks:\n"
	    "    - name: outer\n"
	    "      become: true\n"
	    "      ignore_errors: true\n"
	    "      tags: [o]\n"
	    "      vars: {a: 1}\n"
	    "      block:\n"
	    "        - ping:\n"
	    "          ignore_errors: false\n"
	    "        - block:\n"
	    "            - ping:\n"
	    "              loop: \"{{ l }}\"\n"
	    "              loop_control: {loop_var: x, pause: 0.5, extended: true}\n"
	    "          become_user: u\n"
	    "          tags: i\n"
	    "      rescue:\n"
	    "        - ping:\n"
	    "          until: false\n"
	    "          retries: 2\n"
	    "    - ping:\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	b = &pb->plays[0].tasks[0];
	assert_int_equal(b->kind, TASK_BLOCK);
	assert_int_equal(b->nblock, 2);
	assert_int_equal(b->nrescue, 1);
	assert_int_equal(b->nalways, 0);
	assert_non_null(b->vars);
	in = &b->block[0];
	assert_ptr_equal(in->parent, b);
	assert_int_equal(task_eff_ignore_errors(in), 0);   /* its own */
	assert_int_equal(task_eff_become(in), 1);          /* the block's */
	assert_null(task_eff_become_user(in));
	inner = &b->block[1];
	leaf = &inner->block[0];
	assert_ptr_equal(leaf->parent, inner);
	assert_ptr_equal(inner->parent, b);
	assert_int_equal(task_eff_ignore_errors(leaf), 1);
	assert_string_equal(task_eff_become_user(leaf), "u");
	assert_int_equal(task_eff_no_log(leaf), 0);
	assert_int_equal(task_eff_check_mode(leaf), -1);
	assert_true(leaf->loop.set);
	assert_string_equal(leaf->loop.lookup, "loop");
	assert_string_equal(leaf->loop.var, "x");
	assert_int_equal(leaf->loop.pause_ms, 500);
	assert_int_equal(leaf->loop.extended, 1);
	assert_int_equal(b->rescue[0].retries, 2);
	assert_true(b->rescue[0].until.set);
	assert_ptr_equal(b->rescue[0].parent, b);
	assert_null(pb->plays[0].tasks[1].parent);
	assert_int_equal(pb->plays[0].tasks[1].retries, -1);
	{
		char i_[] = "i", o_[] = "o";
		char *only_i[] = { i_, NULL }, *skip_o[] = { o_, NULL };

		assert_true(task_tags_match(&pb->plays[0], leaf, only_i, NULL));
		assert_false(task_tags_match(&pb->plays[0], in, only_i, NULL));
		assert_false(task_tags_match(&pb->plays[0], leaf, NULL, skip_o));
	}
	playbook_free(pb);
	err_release(&e);
}

/* 2.14 forms real playbooks use: a block's notify as its tasks' default,
 * the play's old `user:` (remote_user), `- name:` and `loop:` left empty. */
static void
test_legacy_forms(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct task *b;

	(void)state;
	pb = load("legacy.yml",
	    "- hosts: all\n"
	    "  user: deploy\n"
	    "  tasks:\n"
	    "    - block:\n"
	    "        - ping:\n"
	    "        - ping:\n"
	    "          notify: own\n"
	    "        - block:\n"
	    "            - ping:\n"
	    "      notify: [h]\n"
	    "    - name:\n"
	    "      ping:\n"
	    "      loop:\n"
	    "  handlers:\n"
	    "    - {name: h, ping: }\n"
	    "    - {name: own, ping: }\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	assert_string_equal(pb->plays[0].remote_user, "deploy");
	b = &pb->plays[0].tasks[0];
	assert_string_equal(task_eff_notify(&b->block[0])->notify[0], "h");
	assert_int_equal(task_eff_notify(&b->block[1])->nnotify, 1);
	assert_string_equal(task_eff_notify(&b->block[1])->notify[0], "own");
	assert_string_equal(task_eff_notify(&b->block[2].block[0])->notify[0],
	    "h");
	assert_null(pb->plays[0].tasks[1].name);
	assert_false(pb->plays[0].tasks[1].loop.set);
	playbook_free(pb);
	err_release(&e);
	expect_error("- hosts: all\n  user: a\n  remote_user: b\n  tasks: []\n",
	    2, 3, "both 'user' and 'remote_user' are set for this play");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n      with_items:\n",
	    4, 7, "you must specify a value when using with_items");
}

/* Write DIR/name (making its directories). */
static void
put(const char *name, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"", dir,
	    name);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

/* import/include_tasks, import_playbook, pre/post_tasks, roles */
/* --start-at-task: names, role prefixes, patterns, blocks (not rescue),
 * pre_tasks before tasks, unnamed tasks by module */
static void
test_start_at(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct play *p;
	char path[300];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "mkdir -p '%s/roles/rr/tasks'", dir);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/roles/rr/tasks/main.yml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("- name: role task\n  ping:\n", f);
	fclose(f);
	pb = load("sat.yml",
	    "- hosts: all\n"
	    "  pre_tasks:\n"
	    "    - {name: same, ping: }\n"
	    "  roles: [rr]\n"
	    "  tasks:\n"
	    "    - block:\n"
	    "        - {name: in block, ping: }\n"
	    "      rescue:\n"
	    "        - {name: in rescue, ping: }\n"
	    "      always:\n"
	    "        - {name: in always, ping: }\n"
	    "    - command: ls\n"
	    "    - {name: same, ping: }\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	p = &pb->plays[0];
	assert_ptr_equal(start_at_find(p, "same"), &p->pre_tasks[0]);
	assert_ptr_equal(start_at_find(p, "in block"), &p->tasks[0].block[0]);
	assert_ptr_equal(start_at_find(p, "in always"),
	    &p->tasks[0].always[0]);
	assert_null(start_at_find(p, "in rescue"));
	assert_ptr_equal(start_at_find(p, "in b*"), &p->tasks[0].block[0]);
	assert_ptr_equal(start_at_find(p, "in [a]l*"),
	    &p->tasks[0].always[0]);
	assert_ptr_equal(start_at_find(p, "command"), &p->tasks[1]);
	assert_non_null(start_at_find(p, "rr : role task"));
	assert_ptr_equal(start_at_find(p, "role task"),
	    start_at_find(p, "rr : role*"));
	assert_null(start_at_find(p, "In block"));    /* case-sensitive */
	assert_null(start_at_find(p, "rr : same"));
	playbook_free(pb);
	err_release(&e);
}

static void
test_reuse(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct play *p;
	const struct task *imp, *inc, *dyn, *role;

	(void)state;
	put("t/a.yml", "- ping:\n- import_tasks: b.yml\n");
	put("t/b.yml", "- name: in b\n  ping:\n  notify: h\n");
	put("other.yml", "- hosts: x\n  tasks: []\n");
	put("roles/dep/tasks/main.yml", "- name: dep task\n  ping:\n");
	put("roles/dep/defaults/main.yml", "d: 1\n");
	put("roles/r/meta/main.yml", "dependencies: [dep]\n");
	put("roles/r/tasks/main.yml", "- name: r task\n  ping:\n"
	    "  notify: rh\n");
	put("roles/r/vars/main.yml", "rv: 2\n");
	put("roles/r/handlers/main.yml", "- name: rh\n  ping:\n");
	pb = load("reuse.yml",
	    "- hosts: all\n"
	    "  pre_tasks: [{ping: }]\n"
	    "  roles: [dep, {role: r, p: 1, when: x}]\n"
	    "  tasks:\n"
	    "    - import_tasks: t/a.yml\n"
	    "      when: y\n"
	    "    - include_tasks: t/b.yml\n"
	    "      vars: {v: 1}\n"
	    "    - include_tasks: {file: \"t/{{ n }}.yml\"}\n"
	    "  post_tasks: [{ping: }]\n"
	    "  handlers: [{name: h, ping: }]\n"
	    "- import_playbook: other.yml\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	assert_int_equal(pb->nplays, 2);
	assert_string_equal(pb->plays[1].hosts, "x");
	p = &pb->plays[0];
	assert_int_equal(p->npre_tasks, 1);
	assert_int_equal(p->npost_tasks, 1);
	assert_int_equal(p->nroles, 2);         /* dep once, then r */
	assert_string_equal(p->roles[0].role, "dep");
	role = &p->roles[1];
	assert_string_equal(role->role, "r");
	assert_true(role->when.set);
	assert_non_null(val_map_get(role->vars, "p"));
	assert_non_null(val_map_get(role->vars, "role_path"));
	assert_ptr_equal(role->block[0].parent, role);
	assert_non_null(val_map_get(p->role_defaults, "d"));
	assert_non_null(val_map_get(p->role_vars, "rv"));
	assert_int_equal(p->nhandlers, 2);      /* the role's first */
	assert_string_equal(p->handlers[0].name, "rh");
	imp = &p->tasks[0];
	assert_int_equal(imp->kind, TASK_BLOCK);
	assert_int_equal(imp->nblock, 2);
	assert_int_equal(imp->block[1].kind, TASK_BLOCK);   /* nested import */
	assert_string_equal(imp->block[1].block[0].name, "in b");
	assert_ptr_equal(imp->block[1].block[0].parent, &imp->block[1]);
	inc = &p->tasks[1];
	assert_int_equal(inc->kind, TASK_INCLUDE);
	assert_int_equal(inc->nblock, 1);       /* a plain name: loaded now */
	dyn = &p->tasks[2];
	assert_int_equal(dyn->kind, TASK_INCLUDE);
	assert_null(dyn->block);                /* a template: when it runs */
	assert_string_equal(dyn->include, "t/{{ n }}.yml");
	{
		struct task *ts = NULL;
		size_t n = 0;

		assert_int_equal(playbook_load_include(p, dyn, "t/b.yml", &ts,
		    &n, &e), 0);
		assert_int_equal(n, 1);
		assert_ptr_equal(ts[0].parent, dyn);
		tasks_free(ts, n);
		put("t/bad.yml", "- ping:\n  notify: nope\n");
		assert_int_equal(playbook_load_include(p, dyn, "t/bad.yml", &ts,
		    &n, &e), -1);
		assert_non_null(strstr(e.msg.buf, "bad.yml:1:3: error: task "
		    "notifies handler 'nope'"));
		err_release(&e);
		assert_int_equal(playbook_load_include(p, dyn, "t/none.yml",
		    &ts, &n, &e), -1);
		assert_non_null(strstr(e.msg.buf, "could not find or access "
		    "'t/none.yml'"));
	}
	playbook_free(pb);
	err_release(&e);
}

static void
test_reuse_errors(void **state)
{
	(void)state;
	put("loop1.yml", "- import_tasks: loop2.yml\n");
	put("loop2.yml", "- import_tasks: loop1.yml\n");
	put("typo.yml", "- ping:\n- lineinfil: {}\n");
	expect_error("- hosts: all\n  tasks:\n    - import_tasks: nope.yml\n",
	    3, 21, "import_tasks: could not find or access 'nope.yml'");
	expect_error_in("- hosts: all\n  tasks:\n    - import_tasks: loop1.yml\n",
	    "loop2.yml", 1, 17, "task files nest more than 32 deep");
	expect_error("- hosts: all\n  tasks:\n    - import_tasks: \"{{ x }}.yml\"\n",
	    3, 21, "import_tasks: the file name cannot be a template");
	expect_error_in("- hosts: all\n  tasks:\n    - include_tasks: typo.yml\n",
	    "typo.yml", 2, 3, "unknown module 'lineinfil'");
	expect_error("- hosts: all\n  tasks:\n    - import_tasks: typo.yml\n"
	    "      loop: [1]\n", 4, 7, "'loop' on import_tasks is not "
	    "supported by mend");
	expect_error("- hosts: all\n  tasks:\n    - include_tasks: {file: a, "
	    "apply: []}\n", 3, 39, "include_tasks: 'apply' must be a mapping "
	    "of keywords");
	expect_error("- hosts: all\n  tasks:\n    - include_tasks: {file: a, "
	    "apply: {loop: [1]}}\n", 3, 40, "include_tasks: 'loop' in 'apply' "
	    "is not supported by mend");
	expect_error("- hosts: all\n  tasks:\n    - include_tasks: a\n"
	    "      become: true\n", 4, 7, "'become' is not a keyword of "
	    "include_tasks");
	expect_error("- hosts: all\n  roles: [nosuchrole]\n", 2, 11,
	    "the role 'nosuchrole' was not found in ");
	expect_error("- hosts: all\n  roles: [{when: x}]\n", 2, 11,
	    "a role is a name or a mapping with 'role: NAME'");
	expect_error("- import_playbook: other.yml\n  vars: [1]\n", 2, 9,
	    "vars for import_playbook statements must be specified as a "
	    "dictionary");
	expect_error("- import_playbook: other.yml\n  when: x\n", 2, 3,
	    "'when' on import_playbook is not supported by mend");
	{       /* vars: over each imported play's, outer over inner */
		struct err e = ERR_INIT;
		struct playbook *pb;

		put("ipv_in.yml", "- hosts: x\n  vars: {a: p, b: p, c: p}\n"
		    "  tasks: []\n");
		put("ipv_mid.yml", "- import_playbook: ipv_in.yml\n"
		    "  vars: {b: mid, c: mid}\n");
		pb = load("ipv.yml", "- import_playbook: ipv_mid.yml\n"
		    "  vars: {a: out, b: out}\n- hosts: y\n  tasks: []\n", &e);
		if (pb == NULL)
			fail_msg("%s", e.msg.buf);
		assert_string_equal(val_map_str(pb->plays[0].vars, "a", ""),
		    "out");
		assert_string_equal(val_map_str(pb->plays[0].vars, "b", ""),
		    "out");
		assert_string_equal(val_map_str(pb->plays[0].vars, "c", ""),
		    "mid");
		assert_null(val_map_get(pb->plays[1].vars, "a"));
		playbook_free(pb);
		err_release(&e);
	}
	expect_error("- import_playbook: nope.yml\n", 1, 20,
	    "import_playbook: could not find or access");
	put("twice1.yml", "- import_tasks: twice2.yml\n- import_tasks: twice2.yml\n");
	put("twice2.yml", "- import_tasks: twice1.yml\n- import_tasks: twice1.yml\n");
	{       /* imports that import each other twice: bounded, not 2^32 */
		struct err e = ERR_INIT;

		assert_null(load("bomb.yml", "- hosts: all\n  tasks:\n"
		    "    - import_tasks: twice1.yml\n- import_playbook: "
		    "bomb.yml\n- import_playbook: bomb.yml\n", &e));
		assert_non_null(strstr(e.msg.buf, "nest more than 32 deep"));
		assert_true(e.count > 1 && e.count <= 2100);
		err_release(&e);
	}
	expect_error("- hosts: all\n  tasks:\n    - include_role: {name: x}\n",
	    3, 28, "the role 'x' was not found in");
	expect_error("- hosts: all\n  tasks:\n    - import_role: {name: x, "
	    "apply: {}}\n", 3, 30, "import_role: 'apply' is not supported "
	    "by mend");
	expect_error("- hosts: all\n  tasks:\n    - include_role: {name: x}\n"
	    "      loop: [1]\n", 4, 7, "'loop' on include_role is not "
	    "supported by mend");
	expect_error("- hosts: all\n  tasks:\n    - import_role: x\n", 3, 20,
	    "import_role takes a mapping with 'name'");
}

/* import_tasks: {file: F}; include_tasks with args: {apply: ...};
 * import_tasks among handlers (its handlers join the section) */
static void
test_include_forms(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct play *p;

	(void)state;
	put("f/t.yml", "- name: t\n  ping:\n");
	put("f/h.yml", "- name: h1\n  ping:\n- name: h2\n  ping:\n");
	pb = load("forms.yml",
	    "- hosts: all\n"
	    "  tasks:\n"
	    "    - ansible.builtin.import_tasks: {file: f/t.yml}\n"
	    "    - include_tasks: f/t.yml\n"
	    "      args: {apply: {become: true}}\n"
	    "  handlers:\n"
	    "    - {name: h0, ping: }\n"
	    "    - import_tasks: f/h.yml\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	p = &pb->plays[0];
	assert_int_equal(p->tasks[0].kind, TASK_BLOCK);
	assert_string_equal(p->tasks[0].block[0].name, "t");
	assert_non_null(p->tasks[1].apply);
	assert_int_equal(p->tasks[1].apply->become, 1);
	assert_ptr_equal(p->tasks[1].block[0].parent, p->tasks[1].apply);
	assert_int_equal(p->nhandlers, 3);
	assert_string_equal(p->handlers[1].name, "h1");
	assert_string_equal(p->handlers[2].name, "h2");
	playbook_free(pb);
	err_release(&e);
	{       /* 20 blocks: each block's tasks still point at it */
		struct strbuf sb = STRBUF_INIT;
		size_t i;

		strbuf_addstr(&sb, "- hosts: all\n  tasks:\n");
		for (i = 0; i < 20; i++)
			strbuf_addstr(&sb, "    - block: [{ping: }]\n");
		pb = load("many.yml", sb.buf, &e);
		if (pb == NULL)
			fail_msg("%s", e.msg.buf);
		for (i = 0; i < 20; i++)
			assert_ptr_equal(pb->plays[0].tasks[i].block[0].parent,
			    &pb->plays[0].tasks[i]);
		playbook_free(pb);
		strbuf_release(&sb);
	}
	expect_error("- hosts: all\n  tasks:\n    - import_tasks: f/t.yml\n"
	    "      args: {apply: {become: true}}\n", 4, 14, "import_tasks: "
	    "'apply' in 'args' is not supported by mend (as in Ansible, "
	    "import_tasks has no 'apply')");
	expect_error("- hosts: all\n  tasks:\n    - include_tasks: f/t.yml\n"
	    "      args: [1]\n", 4, 13, "include_tasks: 'args' must be a "
	    "mapping");
	expect_error("- hosts: all\n  tasks:\n    - import_tasks: {file: "
	    "f/t.yml, apply: {}}\n", 3, 37, "import_tasks: 'apply' is not "
	    "supported by mend (only 'file')");
	expect_error("- hosts: all\n  handlers:\n    - import_tasks: f/h.yml\n"
	    "      when: x\n", 4, 7, "'when' on import_tasks among handlers "
	    "is not supported by mend");
	expect_error("- hosts: all\n  handlers:\n    - include_tasks: f/h.yml\n",
	    3, 7, "a handler needs a 'name' (or 'listen')");
	expect_error("- hosts: all\n  handlers:\n    - name: x\n"
	    "      include: f/h.yml\n", 4, 7, "'include' among handlers is "
	    "not supported by mend (include_tasks and import_tasks are)");
	expect_error("- hosts: all\n  handlers:\n    - import_tasks: nope.yml\n",
	    3, 7, "import_tasks: could not find or access 'nope.yml'");
}

/* the legacy task include: static/dynamic as ansible-core 2.14 decides,
 * its parameters (k=v, mapping, args) as variables below the task's vars */
static void
test_legacy_include(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct play *p;

	(void)state;
	put("li/a.yml", "- name: in a\n  ping:\n- include: b.yml n=1\n");
	put("li/b.yml", "- name: in b\n  ping:\n");
	pb = load("legacy.yml",
	    "- hosts: all\n"
	    "  tasks:\n"
	    "    - include: li/a.yml x=1 y=\"two words\"\n"
	    "    - include: \"li/{{ f }}.yml z=3\"\n"
	    "    - include: li/a.yml x=1\n"
	    "      vars: {x: two}\n"
	    "    - include: li/a.yml\n"
	    "      loop: [1]\n"
	    "    - include: {file: li/b.yml, m: four}\n"
	    "      become: true\n"
	    "    - include: li/b.yml\n"
	    "      args: {k: five}\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	p = &pb->plays[0];
	assert_int_equal(p->tasks[0].kind, TASK_BLOCK);     /* static */
	assert_string_equal(val_map_str(p->tasks[0].vars, "x", ""), "1");
	assert_string_equal(val_map_str(p->tasks[0].vars, "y", ""),
	    "two words");
	assert_int_equal(p->tasks[0].nblock, 2);
	assert_int_equal(p->tasks[0].block[1].kind, TASK_BLOCK);
	assert_string_equal(val_map_str(p->tasks[0].block[1].vars, "n", ""),
	    "1");
	assert_int_equal(p->tasks[1].kind, TASK_INCLUDE);   /* a template */
	assert_string_equal(p->tasks[1].include, "li/{{ f }}.yml");
	assert_string_equal(val_map_str(p->tasks[1].vars, "z", ""), "3");
	assert_string_equal(val_map_str(p->tasks[2].vars, "x", ""), "two");
	assert_int_equal(p->tasks[3].kind, TASK_INCLUDE);   /* a loop */
	/* below a dynamic include, a nested one is dynamic too */
	assert_int_equal(p->tasks[3].block[1].kind, TASK_INCLUDE);
	assert_int_equal(p->tasks[4].kind, TASK_BLOCK);
	assert_int_equal(p->tasks[4].become, 1);
	assert_string_equal(val_map_str(p->tasks[4].vars, "m", ""), "four");
	assert_string_equal(val_map_str(p->tasks[5].vars, "k", ""), "five");
	playbook_free(pb);
	err_release(&e);
	expect_error("- hosts: all\n  tasks:\n    - include: li/b.yml "
	    "tags=x\n", 3, 16, "include: 'tags' as a parameter is not "
	    "supported by mend");
	expect_error("- hosts: all\n  tasks:\n    - include: {m: 1}\n", 3,
	    16, "include takes a file name");
	expect_error("- hosts: all\n  tasks:\n    - include: li/b.yml "
	    "x=\"a\n", 3, 16, "include: ");
	expect_error("- hosts: all\n  tasks:\n    - include: li/nope.yml "
	    "x=1\n", 3, 16, "include: could not find or access "
	    "'li/nope.yml'");
	expect_error("- include: li/a.yml\n", 1, 3, "'include' is not a play "
	    "keyword (ansible-core 2.14 refuses it there too)");
}

/* in a role, task files found as ansible-core 2.14's path_dwim_relative
 * (next to the including file, the role's tasks/ (handlers/ first for its
 * handlers), the role's root, the playbook's directory); include_tasks
 * as a handler (its tasks parsed as tasks, parented to it once the
 * handlers stop moving) */
static void
test_role_include_paths(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct play *p;
	const struct task *r, *h;

	(void)state;
	put("roles/rp/tasks/main.yml", "- import_tasks: sec/a.yml\n"
	    "- include_tasks: tasks/c.yml\n");
	put("roles/rp/tasks/sec/a.yml", "- import_tasks: b.yml\n");
	put("roles/rp/tasks/sec/b.yml", "- name: sec b\n  ping:\n");
	put("roles/rp/tasks/b.yml", "- name: top b\n  ping:\n");
	put("roles/rp/tasks/c.yml", "- name: c\n  ping:\n");
	put("roles/rp/tasks/restart.yml", "- name: restart\n  ping:\n");
	put("roles/rp/handlers/main.yml", "- name: h by path\n"
	    "  include_tasks: tasks/restart.yml\n"
	    "- listen: topic\n  include_tasks: restart.yml\n");
	pb = load("rp.yml", "- hosts: all\n  roles: [rp]\n  tasks:\n"
	    "    - {name: n, ping: , notify: [h by path, topic]}\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	p = &pb->plays[0];
	r = &p->roles[0];
	/* sec/a.yml's b.yml: next to it, not the role's tasks/b.yml */
	assert_string_equal(r->block[0].block[0].block[0].name, "sec b");
	assert_int_equal(r->block[1].kind, TASK_INCLUDE);
	assert_string_equal(r->block[1].block[0].name, "c");
	assert_non_null(strstr(r->block[1].include_rdir, "roles/rp"));
	assert_int_equal(p->nhandlers, 2);
	h = &p->handlers[0];
	assert_int_equal(h->kind, TASK_INCLUDE);
	assert_string_equal(h->name, "h by path");
	assert_int_equal(h->include_rhandlers, 1);
	assert_string_equal(h->block[0].name, "restart");
	assert_ptr_equal(h->block[0].parent, h);
	assert_ptr_equal(p->handlers[1].block[0].parent, &p->handlers[1]);
	assert_string_equal(p->handlers[1].listen[0], "topic");
	{       /* a dynamic include of the role: found when it runs */
		struct task *ts = NULL;
		size_t n = 0;

		assert_int_equal(playbook_load_include(p, &r->block[1],
		    "tasks/restart.yml", &ts, &n, &e), 0);
		assert_string_equal(ts[0].name, "restart");
		tasks_free(ts, n);
		assert_int_equal(playbook_load_include(p, &r->block[1],
		    "nope.yml", &ts, &n, &e), -1);
		assert_non_null(strstr(e.msg.buf, "could not find or access "
		    "'nope.yml' (next to "));
		assert_non_null(strstr(e.msg.buf, "in the role "));
		err_release(&e);
	}
	playbook_free(pb);
	err_release(&e);
	put("roles/rq/tasks/main.yml", "- import_tasks: none.yml\n");
	expect_error_in("- hosts: all\n  roles: [rq]\n",
	    "roles/rq/tasks/main.yml", 1, 17, "import_tasks: could not find "
	    "or access 'none.yml' (next to ");
}

/* run_once, delegate_to, delegate_facts (false only) on tasks, blocks
 * and the play */
static void
test_once_delegate(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct play *p;

	(void)state;
	pb = load("once.yml",
	    "- hosts: all\n"
	    "  run_once: true\n"
	    "  tasks:\n"
	    "    - ping:\n"
	    "      run_once: \"{{ x }}\"\n"
	    "      delegate_to: \"{{ h }}\"\n"
	    "      delegate_facts: false\n"
	    "    - block: [{ping: }]\n"
	    "      delegate_to: localhost\n"
	    "      run_once: false\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	p = &pb->plays[0];
	assert_int_equal(p->run_once, 1);
	assert_string_equal(p->tasks[0].run_once_expr, "{{ x }}");
	assert_string_equal(task_eff_delegate_to(&p->tasks[0]), "{{ h }}");
	assert_int_equal(p->tasks[1].run_once, 0);
	assert_string_equal(task_eff_delegate_to(&p->tasks[1].block[0]),
	    "localhost");
	assert_int_equal(p->tasks[1].block[0].run_once, -1);   /* inherits */
	playbook_free(pb);
	err_release(&e);
	pb = load("conn.yml", "- hosts: all\n  connection: local\n"
	    "  tasks: []\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	assert_string_equal(pb->plays[0].connection, "local");
	playbook_free(pb);
	pb = load("tmplkw.yml", "- hosts: all\n  any_errors_fatal: \"{{ x }}\"\n"
	    "  tasks:\n    - ping:\n      retries: \"{{ n }}\"\n"
	    "      delay: \"{{ d }}\"\n      until: true\n", &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	assert_int_equal(pb->plays[0].any_errors_fatal, 1);
	assert_string_equal(pb->plays[0].tasks[0].retries_expr, "{{ n }}");
	assert_string_equal(pb->plays[0].tasks[0].delay_expr, "{{ d }}");
	playbook_free(pb);
	expect_error("- hosts: all\n  tasks:\n    - ping:\n"
	    "      delay: \"{{ d \"\n", 4, 14, "");
	expect_error("- hosts: all\n  connection: docker\n", 2, 15,
	    "'connection' must be 'ssh' or 'local'");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n"
	    "      connection: local\n", 4, 7, "task keyword 'connection' is "
	    "not supported by mend");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n"
	    "      delegate_facts: true\n", 4, 23, "'delegate_facts: true' is "
	    "not supported by mend");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n"
	    "      run_once: maybe\n", 4, 17, "'run_once' must be a boolean");
	expect_error("- hosts: all\n  tasks:\n    - ping:\n"
	    "      delegate_to: [a]\n", 4, 20, "'delegate_to' must be a string");
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

/* Project-local plugins: a module in library/ beside the playbook, in the
 * role or beside the role's roles/ directory validates with a warning and
 * runs as `fail` naming its file; a filter of a filter_plugins/ file
 * parses with a warning (its evaluation fails: test_template.c); a name
 * in neither stays an error. */
static void
test_local_plugins(void **state)
{
	struct err e = ERR_INIT;
	struct playbook *pb;
	const struct play *p;
	char want[512], text[1024];

	(void)state;
	put("lp/library/pbmod.py", "# a module\n");
	put("lp/roles/r1/library/rmod.sh", "#!/bin/sh\n");
	put("lp/roles/r1/tasks/main.yml", "- rmod: {a: 1}\n"
	    "- import_tasks: sub/x.yml\n- debug: {msg: '{{ y | myf(1, k=2) }}'}\n");
	put("lp/roles/r1/tasks/sub/x.yml", "- rmod: {}\n");
	put("lp/roles/r1/filter_plugins/f.py", "class FilterModule(object):\n"
	    "    def filters(self):\n        return {\n"
	    "            'myf': myf,  # 'notkey'\n        }\n");
	put("lp/filter_plugins/g.py", "    def filters(self):\n"
	    "        return {\"other\": o, 'x': {'notkey2': 1}}\n");
	put("proj/library/projmod.py", "\n");
	put("proj/roles/r2/tasks/main.yml", "- projmod: {}\n");
	snprintf(text, sizeof(text), "- hosts: all\n  roles: [r1]\n  tasks:\n"
	    "    - pbmod: {x: 1}\n"
	    "    - debug: {msg: \"{{ 'a' | other }}\"}\n"
	    "    - name: project\n      import_role: {name: %s/proj/roles/r2}\n",
	    dir);
	pb = load("lp/pb.yml", text, &e);
	if (pb == NULL)
		fail_msg("%s", e.msg.buf);
	p = &pb->plays[0];
	assert_string_equal(p->tasks[0].mod->name, "fail");
	snprintf(want, sizeof(want), "'pbmod' is a local module (%s/lp/library/"
	    "pbmod.py) that mend cannot run", dir);
	assert_string_equal(val_map_str(p->tasks[0].args, "msg", NULL), want);
	snprintf(want, sizeof(want), "%s/lp/pb.yml:4:7: warning: 'pbmod' is a "
	    "local module (%s/lp/library/pbmod.py)", dir, dir);
	assert_non_null(strstr(pb->warnings.buf, want));
	snprintf(want, sizeof(want), "%s/lp/roles/r1/tasks/sub/x.yml:1:3: "
	    "warning: 'rmod' is a local module (%s/lp/roles/r1/library/rmod.sh)",
	    dir, dir);
	assert_non_null(strstr(pb->warnings.buf, want));
	snprintf(want, sizeof(want), "%s/lp/roles/r1/tasks/main.yml:3:24: "
	    "warning: filter 'myf' is defined by the project-local filter "
	    "plugin %s/lp/roles/r1/filter_plugins/f.py, which mend cannot run",
	    dir, dir);
	assert_non_null(strstr(pb->warnings.buf, want));
	assert_non_null(strstr(pb->warnings.buf, "/lp/pb.yml:5:30: warning: "
	    "filter 'other' is defined by"));
	snprintf(want, sizeof(want), "'projmod' is a local module (%s/proj/"
	    "library/projmod.py)", dir);
	assert_non_null(strstr(pb->warnings.buf, want));
	playbook_free(pb);
	err_release(&e);
	expect_error("- hosts: all\n  tasks:\n    - rmod: {}\n", 3, 7,
	    "unknown module 'rmod'");
	expect_error("- hosts: all\n  tasks:\n"
	    "    - debug: {msg: '{{ 1 | notkey }}'}\n", 3, 28,
	    "unknown filter 'notkey'");
	expect_error("- hosts: all\n  tasks:\n"
	    "    - debug: {msg: '{{ 1 | notkey2 }}'}\n", 3, 28,
	    "unknown filter 'notkey2'");
	tmpl_local_filters_reset();
}

static void
expect_dir(char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

/* localplug.c's pieces: the names of a filters() dict literal (a
 * computed table: -1), a role's directory and project. */
static void
test_localplug_parts(void **state)
{
	char **names = NULL;

	(void)state;
	assert_int_equal(local_filter_names("x = 1\n", &names), 0);
	assert_int_equal(local_filter_names("def filters(self):\n"
	    "    return filters.get_filters()\n", &names), -1);
	assert_int_equal(local_filter_names("def filters(self):\n  return {\n"
	    "  'a\\'b': f, # 'c': x\n  \"d\" : {'e': 1}, 'f': g(['h']),\n}\n",
	    &names), 3);
	assert_string_equal(names[0], "a'b");
	assert_string_equal(names[1], "d");
	assert_string_equal(names[2], "f");
	free(names[0]);
	free(names[1]);
	free(names[2]);
	free(names);
	expect_dir(local_role_dir("/p/roles/r/tasks"), "/p/roles/r");
	expect_dir(local_role_dir("/p/roles/r/tasks/a/b"), "/p/roles/r");
	expect_dir(local_role_dir("/p/roles/r/handlers"), "/p/roles/r");
	expect_dir(local_role_dir("/p/play"), NULL);
	expect_dir(local_role_dir(NULL), NULL);
	expect_dir(local_role_project("/p/roles/r"), "/p");
	expect_dir(local_role_project("/roles/r"), "/");
	expect_dir(local_role_project("roles/r"), ".");
	expect_dir(local_role_project("/p/galaxy/r"), NULL);
	expect_dir(local_role_project(NULL), NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_playbook),
		cmocka_unit_test(test_facts_and_keywords),
		cmocka_unit_test(test_errors_have_positions),
		cmocka_unit_test(test_errors_collected),
		cmocka_unit_test(test_flow_errors),
		cmocka_unit_test(test_blocks_inherit),
		cmocka_unit_test(test_legacy_forms),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_start_at),
		cmocka_unit_test(test_reuse_errors),
		cmocka_unit_test(test_include_forms),
		cmocka_unit_test(test_legacy_include),
		cmocka_unit_test(test_role_include_paths),
		cmocka_unit_test(test_once_delegate),
		cmocka_unit_test(test_serial_arithmetic),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_ansible_only_module),
		cmocka_unit_test(test_local_plugins),
		cmocka_unit_test(test_localplug_parts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
