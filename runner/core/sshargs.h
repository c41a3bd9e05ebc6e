/*
 * sshargs.h - ssh command-line arguments for mend's libssh connections:
 * --ssh-common-args, --ssh-extra-args and a host's ansible_ssh_common_args
 * and ansible_ssh_extra_args.
 *
 * Ansible appends these words to the ssh command line; mend has no ssh
 * client, so it reads the ones libssh can honour and refuses the others
 * with an error naming them.  Words are split as Python's shlex does.
 * Read: -o Port=N, -p N; -o User=U, -l U; -o IdentityFile=F, -i F;
 * -o UserKnownHostsFile=F (unless --known-hosts); -o
 * StrictHostKeyChecking=yes|accept-new|no (mend's --host-key-policy
 * strict|accept-new|off, unless --host-key-policy chose accept-new or
 * off: "no" accepts an unknown key with a warning, a changed key is still
 * refused); -o ServerAliveInterval=N, -o ServerAliveCountMax=N.  Accepted
 * and without effect (mend keeps one connection per host for the run,
 * authenticates with the key it is given first, reads one known_hosts,
 * and Ansible's own -o ConnectTimeout comes first, so ssh would ignore
 * this one too): ControlMaster, ControlPersist, ControlPath,
 * ConnectTimeout, IdentitiesOnly, ... listed in sshargs.c.  -o Key Value (two
 * words) and -oKey=Value are read as ssh does.  As ssh keeps the first
 * value of an option, and Ansible puts ansible_port, ansible_user and the
 * private key before these words, those win; here: a field is only set
 * when the caller had none.
 */
#ifndef MEND_SSHARGS_H
#define MEND_SSHARGS_H

#include "runner/transport/transport.h"
#include "runner/util/err.h"

struct ssh_args {
	int port;                 /* 0: not given */
	char *user, *identity, *known_hosts;    /* NULL: not given */
	int policy;               /* enum hostkey_policy, -1: not given */
	int alive_interval, alive_count;        /* 0: not given */
};

void ssh_args_init(struct ssh_args *a);
/* Parse s into a (ssh_args_init'ed; several strings may be parsed into
 * it, the first value of an option wins).  `what` names the source in
 * errors ("--ssh-extra-args", "ansible_ssh_common_args").  Returns 0, or
 * -1 with e set. */
int ssh_args_parse(const char *s, const char *what, struct ssh_args *a,
    struct err *e);
void ssh_args_release(struct ssh_args *a);
/* Fill what cp lacks from a (port, user, identity, known_hosts when the
 * caller set none; policy, keepalive when given). */
void ssh_args_apply(const struct ssh_args *a, struct conn_params *cp);

#endif
