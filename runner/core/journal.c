/* journal.c - the run journal; see journal.h. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "runner/core/journal.h"
#include "runner/util/hash.h"
#include "runner/util/fileio.h"
#include "runner/util/banned.h"

/*
 * Group commit.  Records are written in seq order under `lock`, then made
 * durable by ONE fdatasync for every record written so far: a thread whose
 * record is not yet synced either runs the fdatasync itself (with the lock
 * released, so others can append meanwhile) or waits for the one in flight
 * and checks again.  With 50 hosts appending at once, that is a handful of
 * syncs instead of one per record in a queue (the benchmark measured the
 * per-record sync as a third of each host's time).  journal_append() still
 * returns only once its record is durable.  A failed fdatasync fails every
 * later append too: after an error the kernel may report later syncs as
 * fine although the earlier data is lost.
 */
struct journal {
	pthread_mutex_t lock;
	pthread_cond_t synced_cv;
	char *id;
	char *dir;
	int fd;
	long seq;           /* last record written (seq and write happen
	                     * under one hold of `lock`) */
	long synced;        /* last seq known durable */
	int syncing;        /* a thread is in fdatasync */
	int broken;         /* a write or fdatasync failed: no more records */
};

char *
journal_state_dir(const char *opt)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (opt != NULL && opt[0] != '/') {
		char *cwd = getcwd(NULL, 0), *abs;

		if (cwd == NULL)        /* the current directory is gone */
			return xstrdup(opt);
		abs = xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", opt);
		free(cwd);
		return abs;
	}
	if (opt != NULL)
		return xstrdup(opt);
	if (x != NULL && x[0] == '/')
		return xasprintf("%s/mend", x);
	return xasprintf("%s/.local/state/mend", home ? home : "/root");
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			ret = -1;
		*s = '/';
	}
	if (ret == 0 && mkdir(p, mode) < 0 && errno != EEXIST)
		ret = -1;
	free(p);
	return ret;
}

/* Write a file atomically (temp + fsync + rename), mode 0600.  The temp
 * name is unique per call: hosts run in threads of one process, and two of
 * them may store the same object (same content, same name) at once. */
static int
write_file_atomic(const char *path, const void *data, size_t len)
{
	static atomic_ulong tmp_seq;
	char *tmp = xasprintf("%s.tmp%ld.%lu", path, (long)getpid(),
	    atomic_fetch_add(&tmp_seq, 1));
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int ret = -1;

	if (fd < 0)
		goto out;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

static char *
new_run_id(void)
{
	unsigned char rnd[2];
	char ts[32];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		fatal("RAND_bytes failed");
	/* the milliseconds (000-3e7) first: runs started within the same
	 * second still sort in start order ("last" is the newest), then 12
	 * random bits; journal_open() retries on a clash */
	return xasprintf("%s-%03lx%03x", ts, (long)(now.tv_nsec / 1000000),
	    (unsigned)(rnd[0] << 4 | rnd[1] >> 4) & 0xfff);
}

static void
iso_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%.20s.%03dZ", base, (int)(ts.tv_nsec / 1000000) % 1000);
}

int
journal_open(struct journal **out, const char *state_dir,
    const struct val *meta, struct err *e)
{
	struct journal *j = xcalloc(1, sizeof(*j));
	struct strbuf sb = STRBUF_INIT;
	char *path, *objs;
	int tries;

	*out = NULL;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->synced_cv, NULL);
	path = xasprintf("%s/runs", state_dir);
	if (mkdir_p(path, 0700) < 0) {
		err_set(e, "cannot create '%s': %s", path, strerror(errno));
		free(path);
		goto fail;
	}
	free(path);
	for (tries = 0;; tries++) {      /* a new directory, never a shared one */
		j->id = new_run_id();
		j->dir = xasprintf("%s/runs/%s", state_dir, j->id);
		if (mkdir(j->dir, 0700) == 0 || errno != EEXIST || tries == 20)
			break;
		free(j->id);
		free(j->dir);
	}
	objs = xasprintf("%s/objects", j->dir);
	if (chmod(j->dir, 0700) < 0 || mkdir(objs, 0700) < 0) {
		err_set(e, "cannot create run directory '%s': %s", j->dir,
		    strerror(errno));
		free(objs);
		goto fail;
	}
	free(objs);
	val_to_json(meta, &sb, 2);
	strbuf_addch(&sb, '\n');
	path = xasprintf("%s/meta.json", j->dir);
	if (write_file_atomic(path, sb.buf, sb.len) < 0) {
		err_set(e, "cannot write '%s': %s", path, strerror(errno));
		free(path);
		goto fail;
	}
	free(path);
	path = xasprintf("%s/journal.jsonl", j->dir);
	j->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		err_set(e, "cannot open '%s': %s", path, strerror(errno));
		free(path);
		goto fail;
	}
	free(path);
	strbuf_release(&sb);
	*out = j;
	return 0;
fail:
	strbuf_release(&sb);
	free(j->id);
	free(j->dir);
	free(j);
	return -1;
}

const char *journal_run_id(const struct journal *j) { return j->id; }
const char *journal_dir(const struct journal *j) { return j->dir; }

int
journal_store(struct journal *j, const void *data, size_t len,
    char sha_hex[65])
{
	struct stat st;
	char *path;
	int ret = 0;

	sha256_hex(data, len, sha_hex);
	path = xasprintf("%s/objects/%s", j->dir, sha_hex);
	if (stat(path, &st) != 0 || (size_t)st.st_size != len)
		ret = write_file_atomic(path, data, len);
	free(path);
	return ret;
}

/* Tests only: MEND_TEST_CRASH="before|after:TYPE:N" kills the process
 * with SIGKILL before/after writing the N-th record of TYPE, to check
 * that a journal cut at that point can still be rolled back.  Called with
 * j->lock held. */
static void
test_crash_point(const char *when, const char *type)
{
	static long count;            /* records of the spec's type so far */
	const char *spec = getenv("MEND_TEST_CRASH"), *t;
	size_t tl = strlen(type);

	if (spec == NULL || (t = strchr(spec, ':')) == NULL ||
	    strncmp(t + 1, type, tl) != 0 || t[1 + tl] != ':')
		return;
	if (strcmp(when, "before") == 0)
		count++;
	if (strncmp(spec, when, strlen(when)) == 0 &&
	    spec[strlen(when)] == ':' && count == atol(t + 2 + tl))
		raise(SIGKILL);
}

/*
 * Records that must be durable before journal_append() returns: the intent
 * (write-ahead: before the change), a service restart (rollback restarts
 * what the run restarted), confirm-or-revert events, start and end.  The
 * outcome records (done, fail, backup, lock) are written in order and become
 * durable with the next sync: a controller that loses power before that
 * leaves an intent without its outcome, which rollback already treats as
 * "may or may not have happened" (it compares the file's hash).  A killed
 * process loses nothing either way (the page cache has the write).
 */
static int
must_sync(const char *type)
{
	static const char *const ride[] = { "done", "fail", "backup", "lock" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ride); i++)
		if (strcmp(type, ride[i]) == 0)
			return 0;
	return 1;
}

long
journal_append(struct journal *j, const char *type, struct val *rec)
{
	struct strbuf sb = STRBUF_INIT;
	char now[40];
	long seq;
	int ret;

	iso_now(now, sizeof(now));
	pthread_mutex_lock(&j->lock);
	seq = ++j->seq;
	{
		struct val *full = val_map();

		val_map_set(full, "t", val_str(type));
		val_map_set(full, "seq", val_int(seq));
		val_map_set(full, "time", val_str(now));
		val_map_merge(full, rec);
		val_to_json(full, &sb, -1);
		val_free(full);
	}
	strbuf_addch(&sb, '\n');
	test_crash_point("before", type);
	ret = j->broken ? -1 : write_all(j->fd, sb.buf, sb.len);
	if (ret != 0)
		j->broken = 1;
	while (ret == 0 && !j->broken && j->synced < seq && must_sync(type)) {
		long upto;

		if (j->syncing) {
			pthread_cond_wait(&j->synced_cv, &j->lock);
			continue;
		}
		j->syncing = 1;
		upto = j->seq;
		pthread_mutex_unlock(&j->lock);
		ret = fdatasync(j->fd);
		pthread_mutex_lock(&j->lock);
		j->syncing = 0;
		if (ret == 0 && upto > j->synced)
			j->synced = upto;
		else if (ret != 0)
			j->broken = 1;
		pthread_cond_broadcast(&j->synced_cv);
	}
	if (j->broken)
		ret = -1;
	if (ret == 0)
		test_crash_point("after", type);
	pthread_mutex_unlock(&j->lock);
	strbuf_release(&sb);
	return ret < 0 ? -1 : seq;
}

void
journal_close(struct journal *j, const struct val *summary)
{
	struct val *rec = summary ? val_copy(summary) : val_map();

	if (j == NULL) {
		val_free(rec);
		return;
	}
	journal_append(j, "end", rec);
	val_free(rec);
	close(j->fd);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->synced_cv);
	free(j->id);
	free(j->dir);
	free(j);
}
