/* suggest.h - "did you mean ...?" for mistyped names. */
#ifndef MEND_SUGGEST_H
#define MEND_SUGGEST_H

#include <stddef.h>

/* Edit distance, a swap of two adjacent letters counting one (optimal
 * string alignment; names up to 62 bytes; longer = large). */
size_t edit_distance(const char *a, const char *b);
/* min(edit_distance(a, b), max + 1), computing only the cells within max
 * of the diagonal and stopping as soon as the distance must exceed max:
 * "is it one edit away?" costs O(length), not O(length^2). */
size_t edit_distance_max(const char *a, const char *b, size_t max);
/* The word of `words` (NULL-terminated) closest to w within edit distance 2
 * (1 for a w of at most 4 bytes: "npm" is no near-miss of "name"),
 * or NULL.  Ties go to a word that holds w's letters in order (a dropped
 * letter, "taks" -> "tasks"), else to the earlier word. */
const char *suggest(const char *w, const char *const *words);

#endif
