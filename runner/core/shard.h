/*
 * shard.h - `--shard K/N` and `--run-id ID`: N controllers running one
 * playbook, each on its own part of the selected hosts.
 *
 * The partition is by host name alone: a host's shard is
 *     jump_consistent_hash(first 8 bytes of SHA-256(name), big-endian, N) + 1
 * (Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm",
 * 2014).  So the shard of a host does not depend on the inventory's order,
 * on the other hosts, on -l or on the controller: N controllers with the
 * same N and K = 1..N cover every selected host exactly once.  Going from N
 * to N+1 shards moves only the hosts that land in the new shard N+1 (about
 * 1/(N+1) of them); every other host keeps its shard.
 *
 * The shard applies after the play's pattern and -l (a filter on the host,
 * so the order does not matter): a play's hosts in a sharded run are the
 * hosts it would select unsharded that fall in shard K.
 *
 * A run id (--run-id) names one sharded run across its N journals: every
 * shard records "run_id" and "shard" ("K/N") in its meta.json, so `mend
 * runs --merge DIR...`, `mend show ID` and `mend rollback ID` find the
 * shards of one run in their state directories.  A sharded run needs one
 * (there is nothing else the N controllers share to derive it from).
 */
#ifndef MEND_SHARD_H
#define MEND_SHARD_H

#include "runner/util/err.h"

#define SHARD_MAX 100000        /* N at most */
#define RUN_ID_MAX 64           /* --run-id length at most */

struct shard {
	int k, n;                   /* 1 <= k <= n; n == 0: not sharded */
};

/* Parse "K/N" (decimal, 1 <= K <= N <= SHARD_MAX).  Returns 0, or -1 with
 * the reason in e. */
int shard_parse(const char *s, struct shard *out, struct err *e);
/* The shard (1..n) of the host named `name` among n shards (n >= 1). */
int shard_of(const char *name, int n);
/* Is host `name` in shard s?  Always 1 when s is NULL or not sharded. */
int shard_has(const struct shard *s, const char *name);
/* A valid run id: 1..RUN_ID_MAX of [A-Za-z0-9._:+-], starting with a
 * letter or digit, and not "last".  Returns 0, or -1 with e set. */
int run_id_check(const char *id, struct err *e);

#endif
