/*
 * hostcpu.c - CPU time of the benchmark hosts' processes: every process of
 * one user, plus the sshd processes of the given sshd listeners, that exit
 * while we listen (Linux taskstats over generic netlink; CAP_NET_ADMIN).
 *
 *     hostcpu [-c] -u UID [-p PID,PID,...] -o FILE
 *
 * Registers for the exit statistics of every task on every CPU, prints
 * "ready" on stdout once registered, and sums the user+system time (each
 * task's own, children not included: nothing counts twice) of
 *  - the tasks whose uid is UID (sshd's post-auth child, the shells and
 *    commands of the sessions);
 *  - the tasks whose parent is one of the listener pids -p (sshd's
 *    per-connection monitor: re-exec, key exchange, authentication), and
 *    the children of those monitors that exited before them (the
 *    unprivileged pre-auth child);
 * until SIGTERM/SIGINT; then writes
 *     user=S sys=S tasks=N lost=N
 * to FILE (with -c also one line per command name: "comm tasks user sys").
 * lost = netlink overruns (records dropped: the sums are then
 * low; the socket buffer is 16 MiB, which a benchmark does not overrun).
 *
 * Why: the benchmark's hosts are sshd instances on this machine.  Their
 * session processes are not all reaped along the tree (sshd's monitor
 * exits without waiting for its post-auth child), so the listeners'
 * cutime misses most of it; taskstats sees every exit.
 *
 * Build: cc -O2 -o hostcpu hostcpu.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NLA_DATA(na) ((void *)((char *)(na) + NLA_HDRLEN))
#define GENL_BUF 8192

static volatile sig_atomic_t stop;

struct req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char buf[256];
};

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
send_cmd(int fd, unsigned short type, unsigned char cmd, unsigned short attr,
    const void *data, unsigned short len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct req r;
	struct nlattr *na;

	memset(&r, 0, sizeof(r));
	r.n.nlmsg_type = type;
	r.n.nlmsg_flags = NLM_F_REQUEST;
	r.n.nlmsg_pid = (unsigned)getpid();
	r.g.cmd = cmd;
	r.g.version = 1;
	na = (struct nlattr *)r.buf;
	na->nla_type = attr;
	na->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy(NLA_DATA(na), data, len);
	r.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(na->nla_len);
	return sendto(fd, &r, r.n.nlmsg_len, 0, (struct sockaddr *)&to,
	    sizeof(to)) < 0 ? -1 : 0;
}

/* The generic netlink family id of "TASKSTATS". */
static int
family_id(int fd)
{
	char buf[GENL_BUF];
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	struct nlattr *na;
	ssize_t len;
	int rem;

	if (send_cmd(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
	    CTRL_ATTR_FAMILY_NAME, TASKSTATS_GENL_NAME,
	    sizeof(TASKSTATS_GENL_NAME)) < 0)
		return -1;
	if ((len = recv(fd, buf, sizeof(buf), 0)) < 0 ||
	    !NLMSG_OK(n, (unsigned)len) || n->nlmsg_type == NLMSG_ERROR)
		return -1;
	na = (struct nlattr *)((char *)NLMSG_DATA(n) + GENL_HDRLEN);
	rem = (int)n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	while (rem >= NLA_HDRLEN && na->nla_len >= NLA_HDRLEN) {
		if (na->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(unsigned short *)NLA_DATA(na);
		rem -= NLA_ALIGN(na->nla_len);
		na = (struct nlattr *)((char *)na + NLA_ALIGN(na->nla_len));
	}
	return -1;
}

#define MAXCOMM 256

struct comm_sum {
	char comm[TS_COMM_LEN];
	unsigned long long user_us, sys_us, tasks;
};

#define MAXPEND 4096
#define MAXLISTEN 1024

/* An sshd task not yet attributed: maybe the pre-auth child of one of
 * our monitors (which exits later). */
struct pending {
	unsigned ppid;
	struct taskstats ts;
};

struct sums {
	unsigned long long user_us, sys_us, tasks, lost;
	unsigned uid;
	int by_comm;
	struct comm_sum comms[MAXCOMM];
	size_t ncomms;
	unsigned listeners[MAXLISTEN];
	size_t nlisteners;
	struct pending pend[MAXPEND];
	size_t npend, pend_next;
};

static void
add_comm(struct sums *s, const struct taskstats *ts)
{
	size_t i;

	for (i = 0; i < s->ncomms; i++)
		if (strncmp(s->comms[i].comm, ts->ac_comm, TS_COMM_LEN) == 0)
			break;
	if (i == s->ncomms) {
		if (s->ncomms == MAXCOMM)
			return;
		memcpy(s->comms[i].comm, ts->ac_comm, TS_COMM_LEN);
		s->comms[i].comm[TS_COMM_LEN - 1] = '\0';
		s->ncomms++;
	}
	s->comms[i].user_us += ts->ac_utime;
	s->comms[i].sys_us += ts->ac_stime;
	s->comms[i].tasks++;
}

static void
count(struct sums *s, const struct taskstats *ts)
{
	s->user_us += ts->ac_utime;
	s->sys_us += ts->ac_stime;
	s->tasks++;
	if (s->by_comm)
		add_comm(s, ts);
}

static int
is_listener(const struct sums *s, unsigned pid)
{
	size_t i;

	for (i = 0; i < s->nlisteners; i++)
		if (s->listeners[i] == pid)
			return 1;
	return 0;
}

static void
take_task(struct sums *s, const struct taskstats *ts)
{
	size_t i;

	if (ts->ac_uid == s->uid) {
		count(s, ts);
		return;
	}
	if (is_listener(s, ts->ac_ppid)) {
		/* a monitor: count it and its children seen before */
		count(s, ts);
		for (i = 0; i < s->npend; i++)
			if (s->pend[i].ppid == ts->ac_pid) {
				count(s, &s->pend[i].ts);
				s->pend[i].ppid = 0;
			}
		return;
	}
	if (s->nlisteners > 0 && strncmp(ts->ac_comm, "sshd", 5) == 0) {
		i = s->pend_next++ % MAXPEND;
		s->pend[i].ppid = ts->ac_ppid;
		s->pend[i].ts = *ts;
		if (s->npend < MAXPEND)
			s->npend++;
	}
}

/* One TASKSTATS_TYPE_AGGR_PID attribute: its nested stats. */
static void
take_aggr(struct nlattr *agg, struct sums *s)
{
	struct nlattr *na = NLA_DATA(agg);
	int rem = agg->nla_len - NLA_HDRLEN;

	while (rem >= NLA_HDRLEN && na->nla_len >= NLA_HDRLEN) {
		if (na->nla_type == TASKSTATS_TYPE_STATS) {
			struct taskstats ts;

			memset(&ts, 0, sizeof(ts));
			memcpy(&ts, NLA_DATA(na), sizeof(ts) <
			    (size_t)(na->nla_len - NLA_HDRLEN) ? sizeof(ts) :
			    (size_t)(na->nla_len - NLA_HDRLEN));
			take_task(s, &ts);
		}
		rem -= NLA_ALIGN(na->nla_len);
		na = (struct nlattr *)((char *)na + NLA_ALIGN(na->nla_len));
	}
}

static void
take_msg(struct nlmsghdr *n, struct sums *s)
{
	struct nlattr *na = (struct nlattr *)((char *)NLMSG_DATA(n) +
	    GENL_HDRLEN);
	int rem = (int)n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	while (rem >= NLA_HDRLEN && na->nla_len >= NLA_HDRLEN) {
		/* per task; the per-thread-group records would count twice */
		if (na->nla_type == TASKSTATS_TYPE_AGGR_PID)
			take_aggr(na, s);
		rem -= NLA_ALIGN(na->nla_len);
		na = (struct nlattr *)((char *)na + NLA_ALIGN(na->nla_len));
	}
}

static void
drain(int fd, int fam, struct sums *s)
{
	static char buf[1 << 16];
	ssize_t len;

	while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		struct nlmsghdr *n = (struct nlmsghdr *)buf;

		if (len < 0) {
			if (errno == ENOBUFS) {
				s->lost++;
				continue;
			}
			return;     /* EAGAIN / EINTR */
		}
		for (; NLMSG_OK(n, (unsigned)len); n = NLMSG_NEXT(n, len))
			if (n->nlmsg_type == fam)
				take_msg(n, s);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	static struct sums s;
	const char *outfile = NULL;
	char mask[32];
	int fd, fam, opt, bufsz = 16 << 20, have_uid = 0;
	FILE *out;

	size_t i;

	char *p;

	while ((opt = getopt(argc, argv, "cu:o:p:")) != -1) {
		if (opt == 'c')
			s.by_comm = 1;
		else if (opt == 'p')
			for (p = optarg; *p != '\0' && s.nlisteners < MAXLISTEN;
			    p += strspn(p, ", "))
				s.listeners[s.nlisteners++] =
				    (unsigned)strtoul(p, &p, 10);
		else if (opt == 'u')
			s.uid = (unsigned)strtoul(optarg, NULL, 10), have_uid = 1;
		else if (opt == 'o')
			outfile = optarg;
		else
			return 2;
	}
	if (!have_uid || outfile == NULL) {
		fprintf(stderr, "usage: hostcpu [-c] -u UID [-p PID,...] -o FILE\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC)) < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("hostcpu: netlink");
		return 1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
	    sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if ((fam = family_id(fd)) < 0) {
		fprintf(stderr, "hostcpu: no TASKSTATS netlink family\n");
		return 1;
	}
	snprintf(mask, sizeof(mask), "0-%ld", sysconf(_SC_NPROCESSORS_CONF) - 1);
	if (send_cmd(fd, (unsigned short)fam, TASKSTATS_CMD_GET,
	    TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, mask,
	    (unsigned short)(strlen(mask) + 1)) < 0) {
		perror("hostcpu: register");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, 200) > 0)
			drain(fd, fam, &s);
	}
	drain(fd, fam, &s);
	if ((out = fopen(outfile, "w")) == NULL) {
		perror(outfile);
		return 1;
	}
	fprintf(out, "user=%.3f sys=%.3f tasks=%llu lost=%llu\n",
	    s.user_us / 1e6, s.sys_us / 1e6, s.tasks, s.lost);
	for (i = 0; i < s.ncomms; i++)
		fprintf(out, "%-16s %6llu %8.3f %8.3f\n", s.comms[i].comm,
		    s.comms[i].tasks, s.comms[i].user_us / 1e6,
		    s.comms[i].sys_us / 1e6);
	return fclose(out) == 0 ? 0 : 1;
}
