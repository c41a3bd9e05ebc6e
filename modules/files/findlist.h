/*
 * findlist.h - the find module's listing (pure, fuzzed): the remote
 * command that lists every entry under the paths (GNU find -printf, one
 * NUL-terminated record per entry, lstat fields; a "\001D" or "\001N"
 * record opens each path: a directory or not), its parser, and the walk
 * that gives the entries in Python's os.walk order (a directory's
 * non-directories, then its directories, a link to a directory counting
 * as one; then each real directory's content, in the order find read
 * them).
 */
#ifndef MEND_FINDLIST_H
#define MEND_FINDLIST_H

#include <stddef.h>

#include "runner/util/strbuf.h"

struct ent {
	char type, ftype;          /* lstat type, type following links */
	unsigned mode;
	unsigned long long uid, gid, size, ino, dev, nlink;
	double atime, mtime, ctime;
	const char *user, *group, *rel;   /* into the listing's buffer */
	int depth;
	long first_child, last_child, next;
	int keep;
};

struct root {
	const char *path;          /* as given */
	int isdir;
	size_t first, n;           /* its entries in find's order */
};

struct listing {
	struct strbuf raw;         /* the command's output (cut at NULs by
	                            * findlist_parse) */
	struct ent *e;
	size_t n, alloc;
	struct root *roots;
	size_t nroots;
	double now;
};

/* The record format (find -printf) and the remote command listing
 * paths (NULL-terminated) down to maxdepth (0 = no limit); values quoted
 * through shellcmd_build(). */
extern const char findlist_fmt[];
void findlist_cmd(struct strbuf *cmd, char **paths, long maxdepth);

/* Parse l->raw (the host's date +%s.%N line, then the records) for paths;
 * malformed records are skipped.  0, or -1 when the output has no date
 * line or no path marker at all. */
int findlist_parse(struct listing *l, char **paths);

/* Append to order (room for l->n) the indices of the entries below entry
 * `dir` (-1: the root r) in os.walk's order. */
void findlist_walk(struct listing *l, const struct root *r, long dir,
    long *order, size_t *n);

void findlist_release(struct listing *l);

#endif
