/*
 * step.h - --step: a question before each task on each host.
 *
 * As ansible-playbook's free strategy (mend's: hosts run independently),
 * which asks per task and host: "Perform task: TASK: NAME on HOST
 * (N)o/(y)es/(c)ontinue: ".  y or yes runs it; c or continue runs it and
 * stops asking for the rest of the run; anything else (an empty line, end
 * of input) skips it, not counted, as Ansible.  Meta tasks are not asked
 * about; handlers are.  One question at a time: the other hosts wait.  The
 * CLI refuses --step when stdin is not a terminal.
 */
#ifndef MEND_STEP_H
#define MEND_STEP_H

#include <stdio.h>

/* Ask on out, read the answer from in.  1: run the task, 0: skip it. */
int step_ask(const char *task, const char *host, FILE *in, FILE *out);

#endif
