/*
 * diff.h - unified diff of two byte buffers, line by line (pure).
 *
 * Lines are split on '\n' and keep their terminator, so "a\r\n" and "a\n"
 * differ, and a last line without '\n' differs from the same line with one
 * (it is printed followed by "\ No newline at end of file", as GNU diff
 * does).  NUL bytes are allowed and compared like any other byte; callers
 * that want "Binary files differ" decide that themselves.
 *
 * The edit script is Myers' O(ND) shortest edit script on the lines left
 * after stripping the common prefix and suffix.  If the two middles are so
 * different that the search would need more than DIFF_MAX_D edits, the
 * whole middle is reported as one replaced block: the diff stays correct
 * (applying it gives b) but is no longer minimal.  Within a change block
 * all '-' lines come before the '+' lines.
 *
 * Output format (GNU `diff -u`):
 *     --- label_a
 *     +++ label_b
 *     @@ -l,s +l,s @@
 *      context
 *     -removed
 *     +added
 * with `context` lines of context around each change, hunks closer than
 * 2 * context lines merged, ",s" omitted when s == 1, and for an empty range
 * the line number before it (so adding to an empty file is "@@ -0,0 +1 @@").
 */
#ifndef MEND_DIFF_H
#define MEND_DIFF_H

#include <stddef.h>

#include "strbuf.h"

#define DIFF_CONTEXT 3
#define DIFF_MAX_D   1000

/* Append the unified diff of a -> b to out.  Appends nothing and returns 0
 * when a and b are byte-identical; otherwise returns the number of hunks. */
int diff_unified(struct strbuf *out, const char *a, size_t alen,
    const char *b, size_t blen, const char *label_a, const char *label_b,
    int context);

/* Is s binary for display: a NUL byte or invalid UTF-8? */
int diff_is_binary(const char *s, size_t n);

/* The diff of a file's two versions as mend shows it: unified, labels
 * "before: PATH" and "after: PATH"; when either side is binary, one line
 * "Binary file PATH: before N bytes (sha256 X), after M bytes (sha256 Y)"
 * instead (never the bytes).  Nothing when a and b are identical. */
void diff_file(struct strbuf *out, const char *path, const char *a,
    size_t alen, const char *b, size_t blen);

#endif
