/* sshargs.c - ssh arguments for libssh connections; see sshargs.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/core/sshargs.h"
#include "runner/util/shlex.h"
#include "runner/util/strbuf.h"
#include "runner/util/banned.h"

/* ssh options that change nothing for mend (see sshargs.h) */
static const char *const ssh_noop[] = {
	"ControlMaster", "ControlPersist", "ControlPath", "ConnectTimeout",
	"PreferredAuthentications", "PasswordAuthentication",
	"KbdInteractiveAuthentication", "GSSAPIAuthentication", "LogLevel",
	"ConnectionAttempts", "Compression", "ForwardAgent", "ForwardX11",
	"IdentitiesOnly", "CheckHostIP", "UpdateHostKeys",
	"GlobalKnownHostsFile", NULL
};

static int
num(const char *v, int min, int max, int *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*v == '\0' || *end != '\0' || n < min || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

static int
set_str(char **dst, const char *v)
{
	if (*dst == NULL)          /* ssh: the first value wins */
		*dst = xstrdup(v);
	return 0;
}

static int
policy(const char *v)
{
	if (strcasecmp(v, "yes") == 0)
		return HK_STRICT;
	if (strcasecmp(v, "accept-new") == 0)
		return HK_ACCEPT_NEW;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0)
		return HK_OFF;
	return -1;
}

/* one -o Key=Value */
static int
opt(const char *key, const char *v, const char *what, struct ssh_args *a,
    struct err *e)
{
	size_t i;
	int n;

	for (i = 0; ssh_noop[i] != NULL; i++)
		if (strcasecmp(key, ssh_noop[i]) == 0)
			return 0;
	if (strcasecmp(key, "Port") == 0 && num(v, 1, 65535, &n) == 0) {
		if (a->port == 0)
			a->port = n;
		return 0;
	}
	if (strcasecmp(key, "User") == 0)
		return set_str(&a->user, v);
	if (strcasecmp(key, "IdentityFile") == 0)
		return set_str(&a->identity, v);
	if (strcasecmp(key, "UserKnownHostsFile") == 0)
		return set_str(&a->known_hosts, v);
	if (strcasecmp(key, "StrictHostKeyChecking") == 0 &&
	    policy(v) >= 0) {
		if (a->policy < 0)
			a->policy = policy(v);
		return 0;
	}
	if (strcasecmp(key, "ServerAliveInterval") == 0 &&
	    num(v, 0, 3600, &n) == 0) {
		if (a->alive_interval == 0)
			a->alive_interval = n ? n : -1;
		return 0;
	}
	if (strcasecmp(key, "ServerAliveCountMax") == 0 &&
	    num(v, 1, 1000, &n) == 0) {
		if (a->alive_count == 0)
			a->alive_count = n;
		return 0;
	}
	return err_set(e, "%s: ssh option '%s=%s' is not supported by mend "
	    "(it connects with libssh; ProxyJump and the like belong in an "
	    "ssh_config file: --ssh-config)", what, key, v);
}

/* -o Key=Value, -oKey=Value, -o "Key Value" */
static int
opt_word(const char *w, const char *what, struct ssh_args *a,
    struct err *e)
{
	char *k = xstrdup(w), *v = k + strcspn(k, "= \t");
	int ret;

	if (*v == '\0')
		ret = err_set(e, "%s: ssh option '%s' has no value", what, w);
	else {
		*v++ = '\0';
		v += strspn(v, "= \t");
		ret = opt(k, v, what, a, e);
	}
	free(k);
	return ret;
}

int
ssh_args_parse(const char *s, const char *what, struct ssh_args *a,
    struct err *e)
{
	char **w = NULL;
	size_t n = 0, i;
	const char *why;
	int ret = 0, port;

	if (shlex_split(s, &w, &n, &why) < 0)
		return err_set(e, "%s: %s", what, why);
	for (i = 0; ret == 0 && i < n; i++) {
		const char *arg = w[i][0] == '-' && w[i][1] != '\0' &&
		    w[i][2] != '\0' ? w[i] + 2 : i + 1 < n ? w[i + 1] : NULL;
		int sep = w[i][0] == '-' && w[i][1] != '\0' && w[i][2] == '\0';

		if (w[i][0] != '-' || strchr("opli", w[i][1]) == NULL ||
		    w[i][1] == '\0' || arg == NULL)
			ret = err_set(e, "%s: ssh argument '%s' is not supported "
			    "by mend (it reads -o, -p, -l and -i)", what, w[i]);
		else if (w[i][1] == 'o')
			ret = opt_word(arg, what, a, e);
		else if (w[i][1] == 'p')
			ret = num(arg, 1, 65535, &port) < 0 ? err_set(e, "%s: "
			    "bad port '%s'", what, arg) : (a->port ? 0 :
			    (a->port = port, 0));
		else
			set_str(w[i][1] == 'l' ? &a->user : &a->identity, arg);
		i += sep;
	}
	shlex_free(w);
	return ret;
}

void
ssh_args_init(struct ssh_args *a)
{
	memset(a, 0, sizeof(*a));
	a->policy = -1;
}

void
ssh_args_release(struct ssh_args *a)
{
	free(a->user);
	free(a->identity);
	free(a->known_hosts);
	memset(a, 0, sizeof(*a));
}

void
ssh_args_apply(const struct ssh_args *a, struct conn_params *cp)
{
	if (cp->port == 0)
		cp->port = a->port;
	if (cp->user == NULL)
		cp->user = a->user;
	if (cp->identity == NULL)
		cp->identity = a->identity;
	if (cp->known_hosts == NULL)
		cp->known_hosts = a->known_hosts;
	if (a->policy >= 0 && cp->policy == HK_STRICT)
		cp->policy = (enum hostkey_policy)a->policy;
	if (a->alive_interval != 0)
		cp->alive_interval = a->alive_interval;
	if (a->alive_count != 0)
		cp->alive_count = a->alive_count;
}
