/* step.c - --step; see step.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include "runner/core/step.h"
#include "runner/util/banned.h"

static pthread_mutex_t step_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int step_off;     /* answered "continue" */

int
step_ask(const char *task, const char *host, FILE *in, FILE *out)
{
	char line[64];
	int run = 1;

	if (atomic_load(&step_off))
		return 1;
	pthread_mutex_lock(&step_mu);
	if (!atomic_load(&step_off)) {
		fprintf(out, "Perform task: TASK: %s on %s (N)o/(y)es/(c)ontinue: ",
		    task, host);
		fflush(out);
		if (fgets(line, sizeof(line), in) == NULL)
			line[0] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		if (strcasecmp(line, "c") == 0 ||
		    strcasecmp(line, "continue") == 0)
			atomic_store(&step_off, 1);
		else
			run = strcasecmp(line, "y") == 0 ||
			    strcasecmp(line, "yes") == 0;
	}
	pthread_mutex_unlock(&step_mu);
	return run;
}
