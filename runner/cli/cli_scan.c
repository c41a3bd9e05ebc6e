/*
 * cli_scan.c - `mend scan [-i INV] TARGET...`: targets (host names,
 * addresses, CIDR ranges, or with -i inventory patterns resolved to each
 * host's ansible_host) to the scan engine (runner/audit/scan.h), the report
 * as mend audit's (cli_audit.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/cli/cli.h"
#include "runner/cli/cli_audit.h"
#include "runner/audit/scan.h"
#include "runner/inventory/inventory.h"
#include "modules/audit_products.h"
#include "runner/util/banned.h"

static const char scan_usage[] =
"usage: mend scan [options] TARGET...\n"
"       mend scan -i INVENTORY [options] [PATTERN...]\n"
"\n"
"Probe NUT (3493), AMQP (5672 cleartext, 5671 TLS), the RabbitMQ\n"
"management API (15672) and ActiveMQ (OpenWire 61616/61617, STOMP\n"
"61613/61614, MQTT 1883/8883) from this machine, without credentials: does the\n"
"service answer in cleartext, is STARTTLS offered, which certificate and TLS\n"
"versions.  TARGETs are host names, addresses or IPv4 CIDR ranges; with -i\n"
"they are inventory patterns (default all) and each host's ansible_host is\n"
"probed.\n"
"\n"
"  -i, --inventory SRC    inventory file, directory or 'h1,h2,' (repeatable)\n"
"  -p, --ports LIST       ports to probe (default every probe's): 3493,5671,\n"
"                         or PORT/PROBE for another port (8883/amqps);\n"
"                         probes: nut, amqp, amqps, rabbitmq-mgmt, openwire,\n"
"                         openwire+ssl, stomp, stomp+ssl, mqtt, mqtt+ssl,\n"
"                         amqp10 (no default port)\n"
"  --ca FILE              verify certificates against this CA (PEM)\n"
"  --verify-name NAME     name certificates must carry (default: the target)\n"
"  --concurrency N        connections at once (default 16)\n"
"  --rate N               connections started per second (default 50)\n"
"  --timeout MS           connect and read timeout (default 3000)\n"
"  --no-tls-versions      do not try TLS 1.0-1.3 one by one\n"
"  --format, -o, --fail-on, --baseline, --write-baseline, --color\n"
"                         as for mend audit\n"
"\n"
"exit codes: 0 no finding at or above --fail-on, 1 such findings,\n"
"2 usage error, 3 a target or port that cannot be used\n";

enum { O_CA = 300, O_VNAME, O_CONC, O_RATE, O_TIMEOUT, O_NOVERS };

static const struct option scan_longopts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "ports", required_argument, NULL, 'p' },
	{ "ca", required_argument, NULL, O_CA },
	{ "verify-name", required_argument, NULL, O_VNAME },
	{ "concurrency", required_argument, NULL, O_CONC },
	{ "rate", required_argument, NULL, O_RATE },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "no-tls-versions", no_argument, NULL, O_NOVERS },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "fail-on", required_argument, NULL, O_FAILON },
	{ "baseline", required_argument, NULL, O_BASELINE },
	{ "write-baseline", required_argument, NULL, O_WBASELINE },
	{ "color", required_argument, NULL, O_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct scan_cli {
	struct scan_opts so;
	struct report_opts ro;
	const char *ports;
	const char **inv;
	size_t ninv, inv_alloc;
};

static int
num(const char *s, int min, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int
scan_opt(struct scan_cli *c, struct audit_run *r, int ch, const char *arg)
{
	switch (ch) {
	case 'i':
		ALLOC_GROW(c->inv, c->ninv + 1, c->inv_alloc);
		c->inv[c->ninv++] = arg;
		return 1;
	case 'p': c->ports = arg; return 1;
	case O_CA:
		if (access(arg, R_OK) != 0)
			return fprintf(stderr, "mend: cannot read CA file '%s'\n",
			    arg), -1;
		c->so.cafile = arg;
		return 1;
	case O_VNAME: c->so.verify_name = arg; return 1;
	case O_NOVERS: c->so.tls_versions = 0; return 1;
	case O_CONC:
		return num(arg, 1, 256, &c->so.concurrency) < 0 ? fprintf(stderr,
		    "mend: --concurrency wants 1..256\n"), -1 : 1;
	case O_RATE:
		return num(arg, 1, 10000, &c->so.rate) < 0 ? fprintf(stderr,
		    "mend: --rate wants 1..10000\n"), -1 : 1;
	case O_TIMEOUT:
		return num(arg, 50, 600000, &c->so.timeout_ms) < 0 ?
		    fprintf(stderr, "mend: --timeout wants 50..600000 (ms)\n"),
		    -1 : 1;
	}
	return report_opt(&c->ro, r, ch, arg);
}

/* Inventory patterns to the addresses of their hosts. */
static int
resolve_inventory(const struct scan_cli *c, char **pats, size_t npat,
    char ***out, size_t *n)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;
	struct inv_host **sel;
	const char *all = "all";
	size_t i, k, ns;
	int rc = 0;

	for (i = 0; i < c->ninv && rc == 0; i++)
		rc = strchr(c->inv[i], ',') && access(c->inv[i], F_OK) != 0 ?
		    inventory_add_list(inv, c->inv[i], &e) :
		    inventory_load(inv, c->inv[i], &e);
	*out = NULL;
	*n = 0;
	for (i = 0; rc == 0 && i < (npat ? npat : 1); i++) {
		if (inventory_select(inv, npat ? pats[i] : all, NULL, &sel, &ns,
		    &e) < 0) {
			rc = -1;
			break;
		}
		if (ns == 0)
			rc = err_set(&e, "pattern '%s' matches no host",
			    npat ? pats[i] : all);
		*out = xrealloc(*out, (*n + ns + 1) * sizeof(**out));
		for (k = 0; k < ns; k++) {
			struct val *v = inventory_host_vars(inv, sel[k]);

			(*out)[(*n)++] = xstrdup(val_map_str(v, "ansible_host",
			    sel[k]->name));
			val_free(v);
		}
		free(sel);
	}
	if (rc < 0)
		err_print(&e, stderr);
	err_release(&e);
	inventory_free(inv);
	return rc;
}

int
cmd_scan(int argc, char **argv)
{
	struct audit_run r;
	struct scan_cli c;
	char **targets = NULL;
	size_t nt = 0, i;
	int ch, k, rc;

	memset(&c, 0, sizeof(c));
	scan_opts_init(&c.so);
	report_opts_init(&c.ro);
	audit_run_init(&r, audit_products, "scan");
	while ((ch = getopt_long(argc, argv, "i:p:o:h", scan_longopts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(scan_usage, stdout);
			rc = 0;
			goto out;
		}
		k = scan_opt(&c, &r, ch, optarg);
		if (k <= 0) {
			if (k == 0)
				fputs(scan_usage, stderr);
			rc = AUDIT_EXIT_USAGE;
			goto out;
		}
	}
	if (c.ninv) {
		if (resolve_inventory(&c, argv + optind, (size_t)(argc - optind),
		    &targets, &nt) < 0) {
			rc = AUDIT_EXIT_INPUT;
			goto out;
		}
	} else if (optind >= argc) {
		fputs(scan_usage, stderr);
		rc = AUDIT_EXIT_USAGE;
		goto out;
	}
	scan_run(&r, c.ninv ? targets : argv + optind, c.ninv ? nt :
	    (size_t)(argc - optind), c.ports, &c.so);
	rc = report_emit(&r, &c.ro);
out:
	for (i = 0; i < nt; i++)
		free(targets[i]);
	free(targets);
	free(c.inv);
	scan_release(&r);
	audit_run_release(&r);
	return rc;
}
