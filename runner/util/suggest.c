/* suggest.c - see suggest.h. */
#include <string.h>

#include "runner/util/suggest.h"
#include "runner/util/banned.h"

/* Optimal string alignment distance: Levenshtein plus the swap of two
 * adjacent letters as one edit ("lien" -> "line"). */
size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t pp[64], prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = pp[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins)
			    : (del < ins ? del : ins);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < cur[j])
				cur[j] = pp[j - 2] + 1;
		}
		memcpy(pp, prev, (lb + 1) * sizeof(prev[0]));
		memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
	}
	return prev[lb];
}

/* Is every letter of w in c, in order (a dropped letter: taks -> tasks)? */
static int
is_subsequence(const char *w, const char *c)
{
	for (; *c != '\0' && *w != '\0'; c++)
		if (*c == *w)
			w++;
	return *w == '\0';
}

const char *
suggest(const char *w, const char *const *words)
{
	const char *best = NULL;
	size_t i, bestd = strlen(w) <= 4 ? 2 : 3;   /* short: one edit */

	for (i = 0; words[i] != NULL; i++) {
		size_t d = edit_distance(w, words[i]);

		if (d < bestd || (d == bestd && best != NULL &&
		    is_subsequence(w, words[i]) && !is_subsequence(w, best))) {
			bestd = d;
			best = words[i];
		}
	}
	return best;
}
