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

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* One row of the banded table: cells lo..hi of row i (1-based), column 0
 * and the cell before lo (max + 1: a lower bound of every cell outside the
 * band, which no path within the bound crosses).  Returns the row's
 * smallest cell. */
static size_t
osa_row(const char *a, const char *b, size_t i, size_t lo, size_t hi,
    size_t big, const size_t *pp, const size_t *prev, size_t *cur)
{
	size_t j, rowmin;

	cur[0] = i < big ? i : big;
	rowmin = lo == 1 ? cur[0] : big;
	if (lo > 1)
		cur[lo - 1] = big;
	for (j = lo; j <= hi; j++) {
		cur[j] = min3(prev[j - 1] + (a[i - 1] != b[j - 1]), prev[j] + 1,
		    cur[j - 1] + 1);
		if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
		    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < cur[j])
			cur[j] = pp[j - 2] + 1;
		if (cur[j] < rowmin)
			rowmin = cur[j];
	}
	return rowmin;
}

/* Ukkonen's band: a path of cost <= max never leaves |i - j| <= max, so
 * only those cells are computed, and the work stops once two consecutive
 * rows are all above max (a swap reaches back two rows). */
size_t
edit_distance_max(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), i, j, big, prevmin = 0;
	size_t rows[3][64], *pp = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (max >= 99)
		return edit_distance(a, b);
	big = max + 1;
	if (la >= 63 || lb >= 63 || (la > lb ? la - lb : lb - la) > max)
		return big;
	for (j = 0; j <= lb; j++)
		pp[j] = prev[j] = j < big ? j : big;
	for (i = 1; i <= la; i++) {
		size_t lo = i > max ? i - max : 1;
		size_t hi = i + max < lb ? i + max : lb;
		size_t rowmin = osa_row(a, b, i, lo, hi, big, pp, prev, cur);

		if (hi < lb)
			cur[hi + 1] = big;
		if (rowmin >= big && prevmin >= big)
			return big;
		prevmin = rowmin;
		t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb] < big ? prev[lb] : big;
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
		size_t d = edit_distance_max(w, words[i], bestd);

		if (d < bestd || (d == bestd && best != NULL &&
		    is_subsequence(w, words[i]) && !is_subsequence(w, best))) {
			bestd = d;
			best = words[i];
		}
	}
	return best;
}
