/*
 * benchrun.c - run one benchmark contender and measure its whole process
 * tree on the controller.
 *
 *     benchrun [-t SECONDS] [-i MS] [-o FILE] -- COMMAND [ARG...]
 *
 * Writes one line to FILE (default: stdout, after COMMAND's output):
 *     wall=S user=S sys=S maxrss_kb=K tree_kb=K fds=N rc=N
 *
 * wall       from fork to the exit of COMMAND (not of what it left behind)
 * user, sys  CPU time of COMMAND and of every descendant, including
 *            daemons it left behind (ssh ControlPersist masters): benchrun
 *            is a child subreaper, so orphans are re-parented to it; once
 *            COMMAND exits they get SIGTERM (by pid: only our own
 *            descendants), are reaped, and getrusage(RUSAGE_CHILDREN) then
 *            covers all of them
 * maxrss_kb  the largest single process of the tree (exact, ru_maxrss)
 * tree_kb    the largest sum of the tree's RSS, sampled every -i ms
 *            (default 100) from /proc; shared pages count once per process
 *            (each sample reads /proc/PID/stat of every process: keep the
 *            interval coarse on a busy machine)
 * fds        the most descriptors COMMAND itself had open at a sample
 *            (/proc/PID/fd; for mend: its sockets = open connections,
 *            plus a few files)
 * rc         COMMAND's exit status (128+N for a signal, 124 on timeout)
 *
 * Build: cc -O2 -o benchrun benchrun.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXP 65536

static pid_t ppid_of[MAXP];
static long rss_of[MAXP];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ppid and rss (pages) of one process from /proc/PID/stat; -1 if gone. */
static int
read_stat(pid_t pid, pid_t *ppid, long *rss)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	/* after ")": state ppid ... field 24 = rss (pages) */
	p += 2;
	for (i = 3; i < 24 && p != NULL; i++) {
		if (i == 4)
			*ppid = (pid_t)strtol(p, NULL, 10);
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return -1;
	*rss = strtol(p, NULL, 10);
	return 0;
}

/* Sum of the RSS (KiB) of our descendants; their pids into kids[]. */
static long
scan_tree(pid_t self, pid_t *kids, size_t *nkids, size_t cap)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t pids[MAXP];
	size_t n = 0, i;
	long sum = 0, pagekb = sysconf(_SC_PAGESIZE) / 1024;

	*nkids = 0;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < MAXP) {
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid <= 0 || pid >= MAXP)
			continue;
		if (read_stat(pid, &ppid_of[pid], &rss_of[pid]) == 0)
			pids[n++] = pid;
	}
	closedir(d);
	for (i = 0; i < n; i++) {
		pid_t p = pids[i];
		int depth = 0;

		while (p > 1 && p != self && depth++ < 64 && p < MAXP)
			p = ppid_of[p];
		if (p != self || pids[i] == self)
			continue;
		sum += rss_of[pids[i]] * pagekb;
		if (*nkids < cap)
			kids[(*nkids)++] = pids[i];
	}
	return sum;
}

/* Open descriptors of pid, -1 when gone. */
static long
count_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	long n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
status_rc(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

/* Reap what has exited; returns 1 once `main` is among them. */
static int
reap(pid_t main, int *rc)
{
	int st, done = 0;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		if (p == main) {
			*rc = status_rc(st);
			done = 1;
		}
	return done;
}

/* SIGTERM (then SIGKILL) what the command left behind, and reap it. */
static void
end_leftovers(pid_t self)
{
	static pid_t kids[MAXP];
	size_t n, i;
	int round;

	for (round = 0; round < 50; round++) {
		scan_tree(self, kids, &n, MAXP);
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			kill(kids[i], round < 25 ? SIGTERM : SIGKILL);
		usleep(20000);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (waitpid(-1, NULL, 0) > 0)
		;
}

static void
usage(void)
{
	fprintf(stderr, "usage: benchrun [-t SECONDS] [-i MS] [-o FILE] -- "
	    "COMMAND [ARG...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static pid_t kids[MAXP];
	double t0, wall = 0, limit = 0;
	long peak = 0, cur, fds = 0, nfd;
	const char *outfile = NULL;
	FILE *out = stdout;
	int opt, interval = 100, rc = 255, done = 0, timed_out = 0;
	struct rusage ru;
	sigset_t chld;
	pid_t self = getpid(), child;
	size_t n;

	while ((opt = getopt(argc, argv, "+t:i:o:")) != -1) {
		if (opt == 'o')
			outfile = optarg;
		else if (opt == 't')
			limit = atof(optarg);
		else if (opt == 'i')
			interval = atoi(optarg);
		else
			usage();
	}
	if (optind >= argc || interval <= 0)
		usage();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		perror("benchrun: prctl");
	t0 = now();
	if ((child = fork()) < 0) {
		perror("benchrun: fork");
		return 2;
	}
	if (child == 0) {
		setpgid(0, 0);
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	while (!done) {
		struct timespec ts = { interval / 1000,
		    (long)(interval % 1000) * 1000000L };

		cur = scan_tree(self, kids, &n, MAXP);
		if (cur > peak)
			peak = cur;
		if ((nfd = count_fds(child)) > fds)
			fds = nfd;
		sigtimedwait(&chld, NULL, &ts);    /* a child exited, or time */
		done = reap(child, &rc);
		if (!done && limit > 0 && now() - t0 > limit && !timed_out) {
			timed_out = 1;
			kill(-child, SIGKILL);
		}
	}
	wall = now() - t0;
	end_leftovers(self);
	getrusage(RUSAGE_CHILDREN, &ru);
	if (outfile != NULL && (out = fopen(outfile, "w")) == NULL) {
		perror(outfile);
		return 2;
	}
	fprintf(out, "wall=%.3f user=%.3f sys=%.3f maxrss_kb=%ld tree_kb=%ld "
	    "fds=%ld rc=%d\n",
	    wall, (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	    ru.ru_maxrss, peak > ru.ru_maxrss ? peak : ru.ru_maxrss, fds,
	    timed_out ? 124 : rc);
	return fclose(out) == 0 ? 0 : 2;
}
