/*
 * nut_service.c - restart (start, stop) a NUT daemon so that the real
 * process stops, and journal it with the modules that restart it and
 * prove its configuration: what `mend rollback` needs for upsmon and upsd.
 *
 * The work is the service module's (mod_call "service"), with pid_file
 * set to the daemon's (/run/nut/upsmon.pid, /run/nut/upsd.pid): every
 * process of that name is tracked across the stop, one the init script or
 * the unit cannot see gets SIGTERM by PID, one that survives fails the
 * task by name (modules/generic/service.c).  The daemon follows from the
 * service name (nut-client, nut-monitor: upsmon; nut-server: upsd) unless
 * `daemon` says it.  The action is journaled as a service record with
 * via nut_service and prove nut_live, so that `mend rollback` restarts the
 * daemon the same way and then proves, with nut_live, that it runs the
 * restored configuration (modules/nut/nut_live.c).
 */
#include <stdlib.h>
#include <string.h>

#include "modules/module.h"
#include "runner/util/banned.h"

/* upsmon or upsd for a service name, or NULL. */
static const char *
daemon_of(const char *name, const char *given)
{
	if (given != NULL && given[0] != '\0')
		return given;
	if (strcmp(name, "nut-client") == 0 ||
	    strcmp(name, "nut-monitor") == 0)
		return "upsmon";
	if (strcmp(name, "nut-server") == 0)
		return "upsd";
	return NULL;
}

static enum mod_result
nut_service_run(struct modctx *ctx, const struct val *args)
{
	const char *name = arg_str(args, "name");
	const char *d = daemon_of(name, arg_str(args, "daemon"));
	const char *pidf = arg_str(args, "pid_file");
	struct val *a;
	char *dflt = NULL;
	enum mod_result res;

	if (d == NULL || (strcmp(d, "upsmon") != 0 && strcmp(d, "upsd") != 0))
		return mod_done(ctx, mod_fail(ctx, "nut_service: which daemon "
		    "is '%s'? set daemon: upsmon or upsd", name));
	if (pidf == NULL)
		pidf = dflt = xasprintf("/run/nut/%s.pid", d);
	a = val_map();
	a->pos = args->pos;
	val_map_set(a, "name", val_str(name));
	val_map_set(a, "state", val_str(arg_str(args, "state")));
	val_map_set(a, "wait", val_int(arg_int(args, "wait", 10)));
	if (pidf[0] != '\0')
		val_map_set(a, "pid_file", val_str(pidf));
	res = mod_call(ctx, "service", a);
	val_free(a);
	free(dflt);
	if (res == MOD_CHANGED && !ctx->check)
		mod_journal_service_via(ctx, name, arg_str(args, "state"),
		    "nut_service", "nut_live");
	mod_set(ctx, "daemon", val_str(d));
	return res;
}

static const struct module_arg nut_service_args[] = {
	{ "name", ARG_STR, 1, NULL, NULL,
	  "the service: nut-client / nut-monitor (upsmon), nut-server (upsd)",
	  NULL },
	{ "state", ARG_STR, 0, "restarted", "started|stopped|restarted",
	  "as the service module's", NULL },
	{ "daemon", ARG_STR, 0, NULL, "upsmon|upsd",
	  "the daemon (default: from the service name)", NULL },
	{ "pid_file", ARG_PATH, 0, NULL, NULL,
	  "its pid file, naming the process to track (default "
	  "/run/nut/DAEMON.pid; '' = not tracked)", NULL },
	{ "wait", ARG_INT, 0, "10", NULL,
	  "seconds for the stop, a SIGTERM, and the start to show", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, NULL }
};

const struct module mod_nut_service = {
	.name = "nut_service",
	.summary = "restart a NUT daemon for real and journal how to restart "
	    "and prove it",
	.doc = "The service module with the daemon's pid_file (every upsmon "
	    "or upsd is tracked across the stop; one the stop leaves gets "
	    "SIGTERM by PID, one that survives fails the task), journaled "
	    "with via nut_service and prove nut_live: mend rollback restarts "
	    "the daemon the same way and proves it runs the restored "
	    "configuration.  Returns the service module's values and daemon.",
	.args = nut_service_args,
	.flags = MOD_CHANGES_HOST | MOD_SUPPORTS_CHECK,
	.run = nut_service_run,
};
