/* extravars.c - `-e` arguments as Ansible reads them; see extravars.h. */
#include <string.h>

#include "runner/core/extravars.h"
#include "runner/util/kvparse.h"
#include "runner/util/yamlload.h"
#include "runner/util/banned.h"

static int
load_data(const char *arg, struct val **v, struct err *e)
{
	if (arg[0] == '@')
		return yaml_load_file(arg + 1, v, e);
	if (arg[0] == '/' || arg[0] == '.')
		return err_set(e, "please prepend extra_vars filename '%s' "
		    "with '@'", arg);
	if (arg[0] == '[' || arg[0] == '{')
		return yaml_load_string("extra vars", arg, strlen(arg), v, e);
	if (kv_parse(arg, v, e) < 0)
		return -1;
	if (val_map_get(*v, "_raw_params") != NULL) {
		err_set(e, "-e takes KEY=VALUE pairs, YAML/JSON or @FILE: "
		    "'%s' has text that is not KEY=VALUE", arg);
		val_free(*v);
		*v = NULL;
		return -1;
	}
	return 0;
}

int
extravars_add(struct val *ev, const char *arg, struct err *e)
{
	struct val *v = NULL;

	if (arg[0] == '\0')
		return 0;
	if (load_data(arg, &v, e) < 0)
		return -1;
	if (v->type != V_MAP) {
		val_free(v);
		return err_set(e, "invalid extra vars data supplied: '%s' "
		    "could not be made into a mapping", arg);
	}
	val_map_merge(ev, v);
	val_free(v);
	return 0;
}
