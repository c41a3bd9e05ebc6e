/*
 * fspath.h - path arithmetic as Python's os.path does it, for the file
 * modules that compute the paths Ansible returns (fetch, find).
 */
#ifndef MEND_FSPATH_H
#define MEND_FSPATH_H

#include "runner/util/strbuf.h"

/* os.path.normpath(in) into out (reset first): repeated and trailing
 * slashes dropped, "." removed, "x/.." collapsed; ".." above "/" stays
 * "/"; an empty result is "." (or "/" for an absolute path). */
void fspath_normpath(const char *in, struct strbuf *out);

#endif
