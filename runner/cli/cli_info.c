/* cli_info.c - `mend hosts` and `mend modules`; see cli.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/module.h"
#include "runner/core/args.h"
#include "runner/cli/cli.h"
#include "runner/inventory/inventory.h"
#include "runner/util/banned.h"

static const char hosts_usage[] =
"usage: mend hosts -i INVENTORY [-i INVENTORY...] [-v] [PATTERN]\n"
"\n"
"List the hosts PATTERN selects (default 'all'), in inventory order.\n"
"  -i, --inventory SRC   inventory file, directory or 'h1,h2,' (repeatable)\n"
"  -v, --verbose         also print each host's merged variables (YAML-ish JSON)\n"
"  -h, --help            this help\n"
"exit codes: 0 ok, 1 usage error, 3 inventory invalid\n";

static const char modules_usage[] =
"usage: mend modules [NAME]\n"
"\n"
"Without NAME, list the built-in modules; with NAME, show its arguments and\n"
"documentation.\n";

static const struct option hosts_longopts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
print_hosts(struct inventory *inv, const char *pattern, int verbose)
{
	struct inv_host **sel = NULL;
	struct err e = ERR_INIT;
	size_t n, i;

	if (inventory_select(inv, pattern, NULL, &sel, &n, &e) < 0) {
		err_print(&e, stderr);
		err_release(&e);
		return EXIT_INVALID;
	}
	for (i = 0; i < n; i++) {
		puts(sel[i]->name);
		if (verbose) {
			struct val *v = inventory_host_vars(inv, sel[i]);
			struct strbuf sb = STRBUF_INIT;

			val_to_json(v, &sb, 2);
			printf("  %s\n", sb.buf);
			strbuf_release(&sb);
			val_free(v);
		}
	}
	if (n == 0)
		fprintf(stderr, "mend: no hosts match '%s'\n", pattern);
	free(sel);
	return EXIT_OK;
}

int
cmd_hosts(int argc, char **argv)
{
	struct inventory *inv = inventory_new();
	struct err e = ERR_INIT;
	int ch, verbose = 0, ninv = 0, rc = EXIT_OK;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "i:vh", hosts_longopts,
	    NULL)) != -1) {
		if (ch == 'h') {
			fputs(hosts_usage, stdout);
			goto out;
		}
		if (ch == 'v') {
			verbose++;
		} else if (ch == 'i') {
			ninv++;
			if ((strchr(optarg, ',') && access(optarg, F_OK) != 0
			    ? inventory_add_list(inv, optarg, &e)
			    : inventory_load(inv, optarg, &e)) < 0)
				rc = EXIT_INVALID;
		} else {
			fputs(hosts_usage, stderr);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (ninv == 0 || optind + 1 < argc) {
		fputs(hosts_usage, stderr);
		rc = EXIT_USAGE;
	} else if (rc != EXIT_OK) {
		err_print(&e, stderr);
	} else {
		rc = print_hosts(inv, optind < argc ? argv[optind] : "all",
		    verbose);
	}
out:
	err_release(&e);
	inventory_free(inv);
	return rc;
}

static void
print_flags(unsigned f)
{
	printf("flags:");
	if (f & MOD_CHANGES_HOST)
		printf(" changes-host");
	if (f & MOD_SUPPORTS_CHECK)
		printf(" check-mode");
	if (f & MOD_FREE_FORM)
		printf(" free-form");
	if (f & MOD_NO_HOST)
		printf(" controller-only");
	printf("\n");
}

static void
print_module(const struct module *m)
{
	const struct module_arg *a;

	printf("%s - %s\n\n%s\n\n", m->name, m->summary, m->doc ? m->doc : "");
	print_flags(m->flags);
	printf("\narguments:\n");
	for (a = m->args; a->name != NULL; a++) {
		printf("  %-18s %s%s", a->name, arg_type_name(a->type),
		    a->required ? ", required" : "");
		if (a->def != NULL)
			printf(", default '%s'", a->def);
		if (a->choices != NULL)
			printf(", one of %s", a->choices);
		if (a->aliases != NULL)
			printf(", aliases %s", a->aliases);
		printf("\n      %s\n", a->help ? a->help : "");
	}
}

int
cmd_modules(int argc, char **argv)
{
	const struct module *m;
	size_t i;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		fputs(modules_usage, stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		fputs(modules_usage, stderr);
		return EXIT_USAGE;
	}
	if (argc == 2) {
		m = module_find(argv[1]);
		if (m == NULL) {
			const char *s = module_suggest(argv[1]);

			fprintf(stderr, "mend: error: unknown module '%s'%s%s%s\n",
			    argv[1], s ? " (did you mean '" : "", s ? s : "",
			    s ? "'?)" : "");
			return EXIT_USAGE;
		}
		print_module(m);
		return EXIT_OK;
	}
	for (i = 0; module_table[i] != NULL; i++)
		printf("%-16s %s\n", module_table[i]->name,
		    module_table[i]->summary);
	return EXIT_OK;
}
