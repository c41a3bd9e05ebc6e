/* test_sshargs.c - ssh arguments for libssh (runner/core/sshargs.h): the
 * options read, in ssh's spellings (-o K=V, -o "K V", -oK=V, -p, -l, -i),
 * the first value of an option winning, the ones accepted without effect,
 * the refused ones named, and what is applied over a host's parameters. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "runner/core/sshargs.h"

static void
test_read(void **state)
{
	struct ssh_args a;
	struct err e = ERR_INIT;

	(void)state;
	ssh_args_init(&a);
	assert_int_equal(ssh_args_parse("-o Port=2222 -oUser=deploy "
	    "-o 'IdentityFile /k/id' -o UserKnownHostsFile=/k/kh "
	    "-o StrictHostKeyChecking=no -o ServerAliveInterval=5 "
	    "-o ServerAliveCountMax=2 -o ControlMaster=auto "
	    "-o ControlPersist=60s -o IdentitiesOnly=yes", "--ssh-common-args",
	    &a, &e), 0);
	assert_int_equal(ssh_args_parse("-p 22 -l other -i /other", "x", &a,
	    &e), 0);                  /* later values lose, as in ssh */
	assert_int_equal(a.port, 2222);
	assert_string_equal(a.user, "deploy");
	assert_string_equal(a.identity, "/k/id");
	assert_string_equal(a.known_hosts, "/k/kh");
	assert_int_equal(a.policy, HK_OFF);
	assert_int_equal(a.alive_interval, 5);
	assert_int_equal(a.alive_count, 2);
	ssh_args_release(&a);
	ssh_args_init(&a);
	assert_int_equal(ssh_args_parse("-p 2200 -l u -i /id "
	    "-o StrictHostKeyChecking=accept-new", "x", &a, &e), 0);
	assert_int_equal(a.port, 2200);
	assert_string_equal(a.user, "u");
	assert_string_equal(a.identity, "/id");
	assert_int_equal(a.policy, HK_ACCEPT_NEW);
	ssh_args_release(&a);
	assert_int_equal(e.count, 0);
	err_release(&e);
}

static void
expect_refused(const char *s, const char *want)
{
	struct ssh_args a;
	struct err e = ERR_INIT;

	ssh_args_init(&a);
	assert_int_equal(ssh_args_parse(s, "ansible_ssh_extra_args", &a, &e),
	    -1);
	if (strstr(e.msg.buf, want) == NULL)
		fail_msg("'%s': got %s, want %s", s, e.msg.buf, want);
	ssh_args_release(&a);
	err_release(&e);
}

static void
test_refused(void **state)
{
	(void)state;
	expect_refused("-o ProxyJump=bastion", "ansible_ssh_extra_args: ssh "
	    "option 'ProxyJump=bastion' is not supported by mend");
	expect_refused("-o ProxyCommand='ssh -W %h:%p b'", "'ProxyCommand=ssh "
	    "-W %h:%p b' is not supported");
	expect_refused("-J bastion", "ssh argument '-J' is not supported by "
	    "mend (it reads -o, -p, -l and -i)");
	expect_refused("-o Port=x", "'Port=x' is not supported");
	expect_refused("-o StrictHostKeyChecking=ask", "is not supported");
	expect_refused("-o Port", "ssh option 'Port' has no value");
	expect_refused("-p 0", "bad port '0'");
	expect_refused("-o 'a", "no closing quotation");
	expect_refused("-v", "ssh argument '-v' is not supported");
	expect_refused("-o", "ssh argument '-o' is not supported");
}

static void
test_apply(void **state)
{
	struct ssh_args a;
	struct err e = ERR_INIT;
	struct conn_params cp;

	(void)state;
	ssh_args_init(&a);
	assert_int_equal(ssh_args_parse("-o Port=2222 -o User=u -o "
	    "IdentityFile=/id -o UserKnownHostsFile=/kh -o "
	    "StrictHostKeyChecking=no", "x", &a, &e), 0);
	memset(&cp, 0, sizeof(cp));
	ssh_args_apply(&a, &cp);      /* nothing set: all from the args */
	assert_int_equal(cp.port, 2222);
	assert_string_equal(cp.user, "u");
	assert_string_equal(cp.identity, "/id");
	assert_string_equal(cp.known_hosts, "/kh");
	assert_int_equal(cp.policy, HK_OFF);
	memset(&cp, 0, sizeof(cp));   /* ansible_port/user/key, --known-hosts
	                               * and --host-key-policy win */
	cp.port = 22;
	cp.user = "root";
	cp.identity = "/mine";
	cp.known_hosts = "/kh0";
	cp.policy = HK_ACCEPT_NEW;
	ssh_args_apply(&a, &cp);
	assert_int_equal(cp.port, 22);
	assert_string_equal(cp.user, "root");
	assert_string_equal(cp.identity, "/mine");
	assert_string_equal(cp.known_hosts, "/kh0");
	assert_int_equal(cp.policy, HK_ACCEPT_NEW);
	ssh_args_release(&a);
	err_release(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
