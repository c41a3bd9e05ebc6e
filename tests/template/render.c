/*
 * render.c - render one template file with mend's engine as the template
 * module does (tmpl_render_file, Ansible's defaults), for the differential
 * suite tests/template/diff.
 *   usage: render TEMPLATE VARS.yml   (output on stdout; exit 1 on error)
 */
#include <stdio.h>
#include <stdlib.h>

#include "runner/template/template.h"
#include "runner/util/strbuf.h"
#include "runner/util/yamlload.h"

int
main(int argc, char **argv)
{
	struct strbuf src = STRBUF_INIT, out = STRBUF_INIT;
	struct err e = ERR_INIT;
	struct val *vars = NULL;
	char buf[65536];
	size_t n;
	FILE *f;

	if (argc != 3 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: render TEMPLATE VARS.yml\n");
		return 2;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&src, buf, n);
	fclose(f);
	if (yaml_load_file(argv[2], &vars, &e) < 0) {
		err_print(&e, stderr);
		return 2;
	}
	if (tmpl_render_file(src.buf, src.len, argv[1], vars, NULL, &out,
	    &e) < 0) {
		err_print(&e, stdout);
		return 1;
	}
	fwrite(out.buf, 1, out.len, stdout);
	val_free(vars);
	strbuf_release(&src);
	strbuf_release(&out);
	return 0;
}
