/* cli.c - option parsing and the subcommands; see cli.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "runner/cli/cli.h"
#include "runner/cli/cli_int.h"
#include "runner/core/extravars.h"
#include "runner/core/run.h"
#include "runner/core/shard.h"
#include "runner/core/sshargs.h"
#include "runner/util/vault.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

static const char run_usage[] =
"usage: mend run PLAYBOOK... -i INVENTORY [options]\n"
"       mend check PLAYBOOK... -i INVENTORY [options]\n"
"\n"
"  -i, --inventory SRC     inventory file, directory, or 'h1,h2,' (repeatable)\n"
"  -l, --limit PATTERN     further limit the selected hosts\n"
"      --shard K/N         run only shard K of N of the selected hosts: a\n"
"                          stable partition by host name, so N controllers\n"
"                          running K = 1..N cover every host once\n"
"      --run-id ID         the id the N shards of one run share (needed with\n"
"                          --shard): 'mend runs --merge', 'mend show ID' and\n"
"                          'mend rollback ID' find the shards by it\n"
"  -f, --forks N           hosts at once (default 20)\n"
"  -C, --check             change nothing; report what would change\n"
"  -D, --diff              show unified diffs of file changes\n"
"  -e, --extra-vars VARS   variables (highest precedence): 'k=v k2=v2',\n"
"                          YAML/JSON '{...}', or @FILE (YAML)\n"
"  -t, --tags TAGS         run only tasks with these tags (comma-separated)\n"
"      --skip-tags TAGS    skip tasks with these tags\n"
"  -u, --user USER         remote user (below ansible_user)\n"
"  -c, --connection ssh|local\n"
"                          how to reach the hosts (default ssh; 'smart' is\n"
"                          ssh; below the play keyword and\n"
"                          ansible_connection)\n"
"      --private-key FILE  SSH private key\n"
"      --known-hosts FILE  known_hosts file (default ~/.ssh/known_hosts)\n"
"      --ssh-common-args ARGS, --ssh-extra-args ARGS\n"
"                          ssh options mend's libssh honours: -o Port=,\n"
"                          User=, IdentityFile=, UserKnownHostsFile=,\n"
"                          StrictHostKeyChecking=, ServerAlive*= (and -p,\n"
"                          -l, -i); Control*, ConnectTimeout... accepted\n"
"                          without effect; others refused, named\n"
"      --ssh-config FILE   ssh_config file (default ~/.ssh/config)\n"
"      --host-key-policy strict|accept-new|off\n"
"                          unknown host keys: refuse (default), record on\n"
"                          first use, or accept with a warning; a changed key\n"
"                          is always refused\n"
"  -b, --become            run tasks with sudo\n"
"      --become-user USER  sudo to USER (default root)\n"
"      --become-method sudo\n"
"                          accepted for Ansible's sake: sudo is the only\n"
"                          method mend has (su, doas... are refused)\n"
"  -K, --ask-become-pass   ask for the sudo password once\n"
"  -T, --timeout SECONDS   connect timeout (default 10)\n"
"      --task-timeout SECONDS\n"
"                          limit for each remote command (default none)\n"
"      --server-alive-interval SECONDS\n"
"                          after SECONDS of silence from a host, send an SSH\n"
"                          keepalive (default 15; 0: never)\n"
"      --server-alive-count-max N\n"
"                          give a host up as unreachable after N silent\n"
"                          intervals (default 3: 45 s); long commands are not\n"
"                          limited while sshd answers\n"
"      --no-persistent-shell\n"
"                          one SSH channel (and login shell) per command\n"
"                          instead of one shell per host\n"
"      --force-handlers    run the notified handlers of a host even after\n"
"                          it failed (as Ansible; the play keyword\n"
"                          force_handlers wins)\n"
"      --start-at-task NAME\n"
"                          start at the first task named NAME (or 'role :\n"
"                          NAME'; a shell pattern): earlier tasks and plays\n"
"                          run nothing, as ansible-playbook\n"
"      --step              ask before each task on each host: (N)o,\n"
"                          (y)es, (c)ontinue without asking (stdin must be\n"
"                          a terminal)\n"
"      --json FILE         write every result and the recap as JSON\n"
"      --state-dir DIR     run journals (default $XDG_STATE_HOME/mend or\n"
"                          ~/.local/state/mend)\n"
"      --window SPEC       change window for every play (replaces the play\n"
"                          key 'window'): \"Sat 22:00-Sun 04:00\" (weekly) or\n"
"                          \"2026-11-28T22:00/2026-11-29T04:00\" (absolute);\n"
"                          outside it nothing runs (exit 5)\n"
"      --tz ZONE           the windows' time zone, e.g. Europe/Berlin\n"
"                          (default: the local zone)\n"
"      --now TIME          pretend it is TIME (tests; also MEND_NOW):\n"
"                          2026-11-28T23:00[:SS][Z|+HH:MM] or @EPOCH\n"
"      --rollback-on-failure[=host|run]\n"
"                          when a batch breaches max_fail_percentage (unset:\n"
"                          any failure), stop and roll back the failed hosts\n"
"                          (host, the default) or every host of the run\n"
"      --confirm-timeout SECONDS\n"
"                          confirm-or-revert: before a service restart, arm a\n"
"                          job on the host that puts it back unless mend\n"
"                          confirms over a new connection within SECONDS\n"
"      --vault-password-file FILE, --vault-id [ID@]FILE|prompt,\n"
"      --ask-vault-pass    passwords for ansible-vault values and files\n"
"      --list-hosts        list each play's hosts; run nothing\n"
"      --list-tasks        list each play's tasks (after -t/--skip-tags)\n"
"      --list-tags         list each play's tags\n"
"      --syntax-check      validate everything; contact nothing\n"
"      --version           print the version\n"
"  -v, --verbose           more output (repeat for more)\n"
"  -h, --help              this help\n"
"\n"
"Defaults also come from ansible.cfg (ANSIBLE_CONFIG, ./ansible.cfg,\n"
"~/.ansible.cfg, /etc/ansible/ansible.cfg: the first found) and ANSIBLE_*\n"
"variables, as ansible-playbook reads them; the options above win.\n"
"\n"
"exit codes: 0 ok, 1 usage/internal error, 2 a host failed,\n"
"3 playbook or inventory invalid (nothing run), 4 a host unreachable,\n"
"5 outside the change window (nothing run) or hosts skipped because it\n"
"was closing\n";


enum { OPT_SKIP_TAGS = 256, OPT_PRIVATE_KEY, OPT_KNOWN_HOSTS, OPT_POLICY,
	OPT_BECOME_USER, OPT_JSON, OPT_SSH_CONFIG, OPT_TASK_TIMEOUT,
	OPT_STATE_DIR, OPT_FORCE, OPT_WINDOW, OPT_TZ, OPT_NOW, OPT_ROLLBACK,
	OPT_CONFIRM, OPT_LIST_HOSTS, OPT_LIST_TASKS, OPT_LIST_TAGS,
	OPT_SYNTAX_CHECK, OPT_VERSION, OPT_VAULT_PASS_FILE, OPT_VAULT_ID,
	OPT_ASK_VAULT_PASS, OPT_ALIVE_INTERVAL, OPT_ALIVE_COUNT, OPT_SHARD,
	OPT_RUN_ID, OPT_MERGE, OPT_NO_PSH, OPT_BECOME_METHOD,
	OPT_FORCE_HANDLERS, OPT_START_AT, OPT_SSH_COMMON, OPT_SSH_EXTRA,
	OPT_STEP };

static const struct option run_longopts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "limit", required_argument, NULL, 'l' },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "run-id", required_argument, NULL, OPT_RUN_ID },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "forks", required_argument, NULL, 'f' },
	{ "check", no_argument, NULL, 'C' },
	{ "diff", no_argument, NULL, 'D' },
	{ "extra-vars", required_argument, NULL, 'e' },
	{ "tags", required_argument, NULL, 't' },
	{ "skip-tags", required_argument, NULL, OPT_SKIP_TAGS },
	{ "user", required_argument, NULL, 'u' },
	{ "connection", required_argument, NULL, 'c' },
	{ "private-key", required_argument, NULL, OPT_PRIVATE_KEY },
	{ "known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS },
	{ "ssh-config", required_argument, NULL, OPT_SSH_CONFIG },
	{ "host-key-policy", required_argument, NULL, OPT_POLICY },
	{ "become", no_argument, NULL, 'b' },
	{ "become-user", required_argument, NULL, OPT_BECOME_USER },
	{ "become-method", required_argument, NULL, OPT_BECOME_METHOD },
	{ "ask-become-pass", no_argument, NULL, 'K' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "task-timeout", required_argument, NULL, OPT_TASK_TIMEOUT },
	{ "server-alive-interval", required_argument, NULL, OPT_ALIVE_INTERVAL },
	{ "server-alive-count-max", required_argument, NULL, OPT_ALIVE_COUNT },
	{ "no-persistent-shell", no_argument, NULL, OPT_NO_PSH },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "force-handlers", no_argument, NULL, OPT_FORCE_HANDLERS },
	{ "start-at-task", required_argument, NULL, OPT_START_AT },
	{ "step", no_argument, NULL, OPT_STEP },
	{ "ssh-common-args", required_argument, NULL, OPT_SSH_COMMON },
	{ "ssh-extra-args", required_argument, NULL, OPT_SSH_EXTRA },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "rollback-on-failure", optional_argument, NULL, OPT_ROLLBACK },
	{ "confirm-timeout", required_argument, NULL, OPT_CONFIRM },
	{ "vault-password-file", required_argument, NULL, OPT_VAULT_PASS_FILE },
	{ "vault-pass-file", required_argument, NULL, OPT_VAULT_PASS_FILE },
	{ "vault-id", required_argument, NULL, OPT_VAULT_ID },
	{ "ask-vault-pass", no_argument, NULL, OPT_ASK_VAULT_PASS },
	{ "ask-vault-password", no_argument, NULL, OPT_ASK_VAULT_PASS },
	{ "list-hosts", no_argument, NULL, OPT_LIST_HOSTS },
	{ "list-tasks", no_argument, NULL, OPT_LIST_TASKS },
	{ "list-tags", no_argument, NULL, OPT_LIST_TAGS },
	{ "syntax-check", no_argument, NULL, OPT_SYNTAX_CHECK },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("mend: error: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n(see 'mend run --help')\n", stderr);
	return -1;
}

static int
parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || n < min || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

static char **
split_csv(const char *s)
{
	char **res = NULL;
	size_t n = 0, alloc = 0;
	const char *p = s;

	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len) {
			ALLOC_GROW(res, n + 2, alloc);
			res[n++] = xstrndup(p, len);
		}
		p += len + (c != NULL);
	}
	ALLOC_GROW(res, n + 1, alloc);
	res[n] = NULL;
	return res;
}

static void
free_csv(char **l)
{
	size_t i;

	for (i = 0; l != NULL && l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

static int
add_extra_vars(struct cli *c, const char *arg)
{
	struct err e = ERR_INIT;
	int ret;

	if (c->o.extra_vars == NULL)
		c->o.extra_vars = val_map();
	if ((ret = extravars_add(c->o.extra_vars, arg, &e)) < 0) {
		strbuf_rtrim(&e.msg);
		usage_error("%s", err_text(&e, "invalid -e"));
	}
	err_release(&e);
	return ret;
}

static int
add_vault_file(const char *id, const char *path)
{
	struct err e = ERR_INIT;
	int ret;

	if ((ret = vault_add_secret_file(id, path, &e)) < 0) {
		strbuf_rtrim(&e.msg);
		usage_error("%s", err_text(&e, "bad vault password file"));
	}
	err_release(&e);
	return ret;
}

/* --vault-id [ID@]FILE or [ID@]prompt */
static int
add_vault_id(struct cli *c, const char *arg)
{
	const char *at = strchr(arg, '@');
	char *id = at ? xstrndup(arg, (size_t)(at - arg)) : NULL;
	const char *src = at ? at + 1 : arg;
	int ret = 0;

	if (strcmp(src, "prompt") == 0) {
		free(c->vault_prompt_id);
		c->vault_prompt_id = id ? xstrdup(id) : NULL;
		c->ask_vault_pass = 1;
	} else {
		ret = add_vault_file(id, src);
	}
	free(id);
	return ret;
}

static int
parse_policy(const char *s, enum hostkey_policy *p)
{
	if (strcmp(s, "strict") == 0)
		*p = HK_STRICT;
	else if (strcmp(s, "accept-new") == 0)
		*p = HK_ACCEPT_NEW;
	else if (strcmp(s, "off") == 0)
		*p = HK_OFF;
	else
		return usage_error("--host-key-policy must be strict, "
		    "accept-new or off, got '%s'", s);
	return 0;
}

/* -c: the connections mend has (Ansible's default "smart" is ssh) */
static int
parse_connection(struct cli *c, const char *arg)
{
	if (strcmp(arg, "ssh") != 0 && strcmp(arg, "smart") != 0 &&
	    strcmp(arg, "local") != 0)
		return usage_error("-c/--connection '%s' is not supported: mend "
		    "has ssh (libssh, also for 'smart') and local", arg);
	c->o.connection = arg;
	return 0;
}

/* --ssh-common-args, --ssh-extra-args: what libssh can honour
 * (runner/core/sshargs.h), checked here */
static int
parse_ssh_args(struct cli *c, int ch, const char *arg)
{
	const char *what = ch == OPT_SSH_COMMON ? "--ssh-common-args" :
	    "--ssh-extra-args";
	struct ssh_args a;
	struct err e = ERR_INIT;
	int ret;

	ssh_args_init(&a);
	if ((ret = ssh_args_parse(arg, what, &a, &e)) < 0) {
		strbuf_rtrim(&e.msg);
		usage_error("%s", err_text(&e, "bad ssh arguments"));
	}
	ssh_args_release(&a);
	err_release(&e);
	if (ch == OPT_SSH_COMMON)
		c->o.ssh_common_args = arg;
	else
		c->o.ssh_extra_args = arg;
	return ret;
}

/* --shard K/N, --run-id ID (runner/core/shard.h) */
static int
parse_shard_opt(struct cli *c, int ch, const char *arg)
{
	struct err e = ERR_INIT;
	int ret;

	if (ch == OPT_SHARD)
		ret = shard_parse(arg, &c->o.shard, &e);
	else if ((ret = run_id_check(arg, &e)) == 0)
		c->o.run_id = arg;
	if (ret < 0) {
		strbuf_rtrim(&e.msg);
		usage_error("%s", err_text(&e, "invalid value"));
	}
	err_release(&e);
	return ret;
}

static int
handle_opt(struct cli *c, int ch, const char *arg, int *ask_pass)
{
	switch (ch) {
	case 'i':
		ALLOC_GROW(c->inventories, c->ninv + 1, c->inv_alloc);
		c->inventories[c->ninv++] = (char *)arg;
		return 0;
	case 'l': c->o.limit = arg; return 0;
	case OPT_SHARD:
	case OPT_RUN_ID: return parse_shard_opt(c, ch, arg);
	case 'f':
		return parse_int(arg, 1, 1000, &c->o.forks) ? usage_error(
		    "--forks must be a number from 1 to 1000, got '%s'", arg)
		    : 0;
	case 'C': c->o.check = 1; return 0;
	case 'D': c->o.diff = 1; return 0;
	case 'e':                /* read once the vault secrets are known */
		ALLOC_GROW(c->evars, c->nevars + 1, c->evars_alloc);
		c->evars[c->nevars++] = arg;
		return 0;
	case OPT_VAULT_PASS_FILE: return add_vault_file(NULL, arg);
	case OPT_VAULT_ID: return add_vault_id(c, arg);
	case OPT_ASK_VAULT_PASS: c->ask_vault_pass = 1; return 0;
	case 't': free_csv(c->o.tags); c->o.tags = split_csv(arg); return 0;
	case OPT_SKIP_TAGS:
		free_csv(c->o.skip_tags);
		c->o.skip_tags = split_csv(arg);
		return 0;
	case 'u': c->o.user = arg; return 0;
	case 'c': return parse_connection(c, arg);
	case OPT_PRIVATE_KEY: c->o.private_key = arg; return 0;
	case OPT_KNOWN_HOSTS: c->o.known_hosts = arg; return 0;
	case OPT_SSH_CONFIG: c->o.ssh_config = arg; return 0;
	case OPT_POLICY:
		c->policy_set = 1;
		return parse_policy(arg, &c->o.policy);
	case 'b': c->o.become = 1; return 0;
	case OPT_BECOME_USER: c->o.become_user = arg; return 0;
	case OPT_BECOME_METHOD:
		c->become_method_set = 1;
		return strcmp(arg, "sudo") == 0 ? 0 : usage_error(
		    "--become-method '%s' is not supported: mend escalates "
		    "with sudo only", arg);
	case 'K': *ask_pass = 1; return 0;
	case 'T':
		return parse_int(arg, 1, 3600, &c->o.connect_timeout) ?
		    usage_error("--timeout must be 1..3600 seconds, got '%s'",
		    arg) : 0;
	case OPT_ALIVE_INTERVAL:
		if (parse_int(arg, 0, 3600, &c->o.alive_interval))
			return usage_error("--server-alive-interval must be "
			    "0..3600 seconds (0: off), got '%s'", arg);
		if (c->o.alive_interval == 0)
			c->o.alive_interval = -1;
		return 0;
	case OPT_NO_PSH: c->o.no_persistent_shell = 1; return 0;
	case OPT_ALIVE_COUNT:
		return parse_int(arg, 1, 1000, &c->o.alive_count) ?
		    usage_error("--server-alive-count-max must be 1..1000, got "
		    "'%s'", arg) : 0;
	case OPT_TASK_TIMEOUT:
		return parse_int(arg, 1, 86400, &c->o.task_timeout) ?
		    usage_error("--task-timeout must be 1..86400 seconds, got "
		    "'%s'", arg) : 0;
	case OPT_JSON: c->o.json_path = arg; return 0;
	case OPT_STATE_DIR: c->state_dir = arg; return 0;
	case OPT_FORCE: c->force = 1; return 0;
	case OPT_FORCE_HANDLERS: c->o.force_handlers = 1; return 0;
	case OPT_START_AT: c->o.start_at_task = arg; return 0;
	case OPT_STEP:
		c->o.step = 1;
		return isatty(STDIN_FILENO) ? 0 : usage_error("%s", "--step "
		    "asks before each task: it needs a terminal on stdin");
	case OPT_SSH_COMMON:
	case OPT_SSH_EXTRA: return parse_ssh_args(c, ch, arg);
	case OPT_MERGE: c->merge = 1; return 0;
	case OPT_WINDOW: c->o.window = arg; return 0;
	case OPT_TZ: c->o.tz = arg; return 0;
	case OPT_NOW: c->now = arg; return 0;
	case OPT_ROLLBACK:
		if (arg == NULL || strcmp(arg, "host") == 0)
			c->o.rollback_on_failure = ROLLBACK_HOST;
		else if (strcmp(arg, "run") == 0)
			c->o.rollback_on_failure = ROLLBACK_RUN;
		else
			return usage_error("--rollback-on-failure takes host or "
			    "run, got '%s'", arg);
		return 0;
	case OPT_CONFIRM:
		return parse_int(arg, 1, 86400, &c->o.confirm_timeout) ?
		    usage_error("--confirm-timeout must be 1..86400 seconds, "
		    "got '%s'", arg) : 0;
	case OPT_LIST_HOSTS: c->list_hosts = 1; return 0;
	case OPT_LIST_TASKS: c->list_tasks = 1; return 0;
	case OPT_LIST_TAGS: c->list_tags = 1; return 0;
	case OPT_SYNTAX_CHECK: c->syntax_check = 1; return 0;
	case OPT_VERSION: c->version = 1; return 0;
	case 'v': c->o.verbose++; return 0;
	case 'h': c->help = 1; return 0;
	default: return -1;
	}
}

static char *
ask_password(const char *prompt)
{
	struct termios old, quiet;
	char buf[1024];
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), echo_off = 0;
	ssize_t n;
	size_t len = 0;

	if (fd < 0) {
		fprintf(stderr, "mend: error: no terminal to ask '%s'\n",
		    prompt);
		return NULL;
	}
	if (write(fd, prompt, strlen(prompt)) < 0)
		goto fail;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	while (len + 1 < sizeof(buf) && (n = read(fd, buf + len, 1)) == 1 &&
	    buf[len] != '\n')
		len++;
	buf[len] = '\0';
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		len = len + 0;
	close(fd);
	return xstrdup(buf);
fail:
	close(fd);
	return NULL;
}

/* --ask-vault-pass, then the -e arguments (which may name vault files). */
static int
finish_vault_and_vars(struct cli *c)
{
	size_t i;

	if (c->ask_vault_pass) {
		char *pw = ask_password("Vault password: ");

		if (pw == NULL)
			return -1;
		if (*pw == '\0') {
			free(pw);
			return usage_error("%s", "empty vault password");
		}
		vault_add_secret(c->vault_prompt_id, pw, strlen(pw));
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	for (i = 0; i < c->nevars; i++)
		if (add_extra_vars(c, c->evars[i]) < 0)
			return -1;
	return 0;
}

/* --tz, --now (or MEND_NOW), --window: valid? */
static int
check_safety_opts(struct cli *c)
{
	struct err e = ERR_INIT;
	struct window w;
	int ret = 0;

	if ((c->o.tz != NULL && zone_check(c->o.tz, &e) < 0) ||
	    mend_clock_init(&c->clock, c->now, c->o.tz, &e) < 0 ||
	    (c->o.window != NULL && window_parse(c->o.window, &w, &e) < 0)) {
		strbuf_rtrim(&e.msg);
		usage_error("%s", err_text(&e, "invalid value"));
		ret = -1;
	}
	c->o.clock = &c->clock;
	err_release(&e);
	return ret;
}

int
parse_cli(struct cli *c, int argc, char **argv)
{
	int ch, ask_pass = 0;

	memset(c, 0, sizeof(*c));
	c->o.out = stdout;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+i:l:f:CDe:t:u:c:bKT:vh",
	    run_longopts, NULL)) != -1 || optind < argc) {
		if (ch == -1) {     /* a positional: playbook or pattern */
			c->playbooks = xrealloc(c->playbooks,
			    (c->npb + 1) * sizeof(char *));
			c->playbooks[c->npb++] = argv[optind++];
			continue;
		}
		if (ch == '?')
			return usage_error("unknown or incomplete option '%s'",
			    argv[optind - 1]);
		if (handle_opt(c, ch, optarg, &ask_pass) < 0)
			return -1;
	}
	c->ninv_argv = c->ninv;
	if (!c->help && !c->version && cli_config(c, &ask_pass) < 0)
		return -1;
	if (c->o.forks == 0)
		c->o.forks = 20;
	if (c->o.connect_timeout == 0)
		c->o.connect_timeout = 10;
	if (!c->help && check_safety_opts(c) < 0)
		return -1;
	if (ask_pass && !c->help &&
	    (c->o.become_pass = ask_password("BECOME password: ")) == NULL)
		return -1;
	if (!c->help && finish_vault_and_vars(c) < 0)
		return -1;
	c->o.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	c->o.progress = isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL &&
	    !c->o.step;           /* --step asks there */
	return 0;
}

void
cli_free(struct cli *c)
{
	size_t i;

	free(c->inventories);
	free(c->playbooks);
	free_csv(c->o.tags);
	free_csv(c->o.skip_tags);
	val_free(c->o.extra_vars);
	free(c->evars);
	free(c->vault_prompt_id);
	for (i = 0; i < c->ncfg_strs; i++)
		free(c->cfg_strs[i]);
	free(c->cfg_strs);
	if (c->o.become_pass != NULL) {
		explicit_bzero(c->o.become_pass, strlen(c->o.become_pass));
		free(c->o.become_pass);
	}
}

void
cli_request(const struct cli *c, struct mend_request *req)
{
	memset(req, 0, sizeof(*req));
	req->playbooks = (const char *const *)c->playbooks;
	req->nplaybooks = c->npb;
	req->inventories = (const char *const *)c->inventories;
	req->ninventories = c->ninv;
	req->state_dir = c->state_dir;
	req->force = c->force;
	req->opts = c->o;
}

/* --list-hosts, --list-tasks, --list-tags, --syntax-check: the loaded,
 * valid playbooks, listed (cli_list.c). */
static int
list_only(const struct cli *c, const struct mend_request *req,
    struct mend_result *res)
{
	struct inventory *inv = NULL;
	struct playbook **pbs = NULL;
	int rc = mend_load(req, res, &inv, &pbs);

	if (rc == EXIT_OK)
		rc = cli_list(c, inv, pbs);
	mend_unload(req, inv, pbs);
	return rc;
}

static int
run_or_check(int argc, char **argv, int run)
{
	struct cli c;
	struct mend_request req;
	struct mend_result res;
	int rc, list;

	mend_result_init(&res);
	if (parse_cli(&c, argc, argv) < 0) {
		cli_free(&c);
		return EXIT_USAGE;
	}
	list = c.list_hosts || c.list_tasks || c.list_tags || c.syntax_check;
	if (c.help || c.version) {
		if (c.help)
			fputs(run_usage, stdout);
		else
			printf("mend %s\n", MEND_VERSION);
		rc = EXIT_OK;
	} else if (c.force || c.merge || c.npb == 0 || c.ninv == 0) {
		usage_error("%s", c.force || c.merge ? "--force and --merge "
		    "are options of 'mend rollback'" : c.npb == 0 ?
		    "no playbook given"
		    : "no inventory given (-i)");
		rc = EXIT_USAGE;
	} else if (run && !list && !c.o.check && c.o.shard.n > 0 &&
	    c.o.run_id == NULL) {
		usage_error("%s", "--shard needs --run-id ID: the same ID for "
		    "the shards of one run, so that 'mend runs --merge' and "
		    "'mend rollback ID' find them all");
		rc = EXIT_USAGE;
	} else {
		cli_request(&c, &req);
		rc = list ? list_only(&c, &req, &res) : run ? mend_run(&req,
		    &res) : mend_check(&req, &res);
		err_print(&res.errors, stderr);
		if (rc == EXIT_INVALID)
			fprintf(stderr, "mend: nothing was run: fix the errors "
			    "above\n");
		else if (!run && !list && rc == EXIT_OK)
			printf("ok: %zu playbook(s) valid, %zu host(s) in the "
			    "inventory\n", c.npb, res.inventory_hosts);
	}
	mend_result_release(&res);
	cli_free(&c);
	return rc;
}

int
cmd_run(int argc, char **argv)
{
	return run_or_check(argc, argv, 1);
}

int
cmd_check(int argc, char **argv)
{
	return run_or_check(argc, argv, 0);
}
