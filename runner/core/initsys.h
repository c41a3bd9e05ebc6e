/*
 * initsys.h - which init system runs the host's services, in remote shell.
 *
 * One probe for every script that starts, stops or looks at a service
 * (the service and rabbitmq_service modules, the confirm-or-revert job,
 * nut_facts, rabbitmq_facts).  These are shell fragments, pasted into
 * mend's own scripts (string literal concatenation), never values: they
 * read only variables the script itself sets.
 *
 * INITSYS_KIND_SH sets $kind to
 *   systemd   systemd is the running init (/run/systemd/system exists, as
 *             sd_booted(3) checks) and systemctl is there; a host that
 *             merely has systemd installed is not one
 *   service   else, the service(8) wrapper exists (Debian's init-system-
 *             helpers, Red Hat's initscripts)
 *   initd     else: /etc/init.d/NAME scripts, called directly
 *
 * INITSYS_SVC_SH defines `initsys_svc NAME ACTION` (ACTION: start, stop,
 * restart, status...) for the $kind the script has set, with stdin and
 * output left to the caller.
 */
#ifndef MEND_INITSYS_H
#define MEND_INITSYS_H

#define INITSYS_KIND_SH \
	"if [ -d /run/systemd/system ] && " \
	"command -v systemctl >/dev/null 2>&1; then kind=systemd\n" \
	"elif command -v service >/dev/null 2>&1; then kind=service\n" \
	"else kind=initd; fi\n"

#define INITSYS_SVC_SH \
	"initsys_svc() {\n" \
	"  case $kind in\n" \
	"  systemd) systemctl \"$2\" -- \"$1\" ;;\n" \
	"  service) service \"$1\" \"$2\" ;;\n" \
	"  *) \"/etc/init.d/$1\" \"$2\" ;;\n" \
	"  esac\n" \
	"}\n"

#endif
