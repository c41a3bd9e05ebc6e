/*
 * filetree.c - recurse: true of the file module (filetree.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/files/filetree.h"
#include "modules/files/fsdirs.h"
#include "runner/core/rfsftp.h"
#include "runner/util/shellcmd.h"
#include "runner/util/banned.h"

#define CHUNK_MAX (60u << 10)   /* bytes of one attribute command */

/* One entry under the top: what it is and what it becomes. */
struct entry {
	char type;              /* find's %y: d, f, l, p, s, b, c */
	unsigned mode, newmode;
	char *uid, *gid, *owner, *group, *path;
	int chmod, chown, chgrp;
};

struct filetree {
	struct entry *e;
	size_t n, alloc;
	unsigned umask;
	char *dir, *owner, *group;
	int changed;
};

static unsigned
shift_of(char user)
{
	return user == 'u' ? 6 : user == 'g' ? 3 : 0;
}

/* Ansible's _get_octal_mode_from_symbolic_perms for one letter. */
static unsigned
perm_bits(char user, char perm, unsigned prev, int isdir, int use_umask,
    unsigned umask)
{
	unsigned sh = shift_of(user), b = 0;

	switch (perm) {
	case 'r': b = 4u << sh; break;
	case 'w': b = 2u << sh; break;
	case 'x': b = 1u << sh; break;
	case 'X': return isdir || (prev & 0111) ? 1u << sh : 0;
	case 's': return user == 'u' ? 04000 : user == 'g' ? 02000 : 0;
	case 't': return user == 'o' ? 01000 : 0;
	case 'u': return ((prev >> 6) & 7) << sh;
	case 'g': return ((prev >> 3) & 7) << sh;
	case 'o': return (prev & 7) << sh;
	default: return 0;
	}
	return use_umask ? b & ~umask & 07777 : b;
}

static unsigned
apply_op(char user, char op, unsigned m, unsigned cur)
{
	unsigned mask = user == 'u' ? 04700 : user == 'g' ? 02070 : 01007;

	if (op == '=')
		return (cur & ~mask & 07777) | m;
	if (op == '+')
		return cur | m;
	return cur & ~m;
}

/* One clause "[ugoa]*(op perms)+" onto *cur. */
static int
clause(const char *c, size_t len, unsigned prev, int isdir, unsigned umask,
    unsigned *cur)
{
	size_t i = strspn(c, "ugoa"), j, k;
	const char *users = i == 0 || (i == 1 && c[0] == 'a') ? "ugo" : NULL;
	char who[9] = "";
	int nowho = i == 0;
	unsigned m;

	if (i > len || i >= sizeof(who) || (users == NULL && memchr(c, 'a', i)))
		return -1;   /* Ansible: 'a' only alone */
	if (users == NULL) {
		memcpy(who, c, i);
		who[i] = '\0';
		users = who;
	}
	if (i == len || strchr("+-=", c[i]) == NULL)
		return -1;
	while (i < len) {
		char op = c[i++];

		j = i + strspn(c + i, "rwxXstugo");
		if (j > len)
			j = len;
		if (j < len && strchr("+-=", c[j]) == NULL)
			return -1;
		for (k = 0; users[k] != '\0'; k++) {
			const char *p;

			m = 0;
			for (p = c + i; p < c + j; p++)
				m |= perm_bits(users[k], *p, prev, isdir,
				    nowho, umask);
			*cur = apply_op(users[k], op, m, *cur);
		}
		i = j;
	}
	return 0;
}

long
filetree_symbolic(const char *sym, unsigned cur, int isdir, unsigned umask)
{
	unsigned prev = cur & 07777, m = prev;
	const char *c = sym, *e;

	if (*sym == '\0')
		return -1;
	for (;; c = e + 1) {
		e = strchrnul(c, ',');
		if (e == c || clause(c, (size_t)(e - c), prev, isdir, umask,
		    &m) < 0)
			return -1;
		if (*e == '\0')
			return (long)m;
	}
}

/* "TYPE MODE UID GID OWNER GROUP PATH" (find -printf), into t. */
static int
parse_entry(struct filetree *t, const char *s)
{
	char type, a[32], b[32], o[64], g[64];
	unsigned mode;
	int n = 0;
	struct entry *e;

	if (sscanf(s, "%c %o %31s %31s %63s %63s %n", &type, &mode, a, b, o,
	    g, &n) != 6 || n == 0 || s[n] == '\0')
		return -1;
	ALLOC_GROW(t->e, t->n + 1, t->alloc);
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->mode = mode & 07777;
	e->uid = xstrdup(a);
	e->gid = xstrdup(b);
	e->owner = xstrdup(o);
	e->group = xstrdup(g);
	e->path = xstrdup(s + n);
	return 0;
}

/* Everything under dir (find -P: links not followed), and the umask. */
static int
list_tree(struct modctx *ctx, const char *dir, struct filetree *t)
{
	struct strbuf out = STRBUF_INIT;
	char *cmd = shellcmd("LC_ALL=C; export LC_ALL; p=%q\n"
	    "printf '%%s\\0' \"$(umask)\"\n"
	    "find -P \"$p\" -mindepth 1 -printf '%%y %%m %%U %%G %%u %%g %%p\\0'"
	    "\n", dir);
	const char *p, *end;
	int ret = fs_run_change(ctx, cmd, NULL, 0, "list the tree under", dir,
	    &out);

	free(cmd);
	p = out.buf;
	end = out.buf + out.len;
	if (ret == 0)
		t->umask = (unsigned)strtoul(p, NULL, 8) & 0777;
	for (p += strlen(p) + 1; ret == 0 && p < end; p += strlen(p) + 1)
		if (parse_entry(t, p) < 0)
			ret = mod_fail(ctx, "cannot list the tree under '%s': "
			    "unexpected reply", dir);
	if (ret == 0 && out.len == 0)
		ret = mod_fail(ctx, "cannot list the tree under '%s'", dir);
	strbuf_release(&out);
	return ret;
}

/* What changes for each entry; -1 (failed) for a link or a bad mode. */
static int
plan(struct modctx *ctx, struct filetree *t, const char *mode,
    const char *owner, const char *group, int *changed)
{
	size_t i;
	long m;

	for (i = 0; i < t->n; i++) {
		struct entry *e = &t->e[i];

		if (e->type == 'l')
			return mod_fail(ctx, "recurse: '%s' is a symbolic link; "
			    "mend does not follow links under recurse (Ansible "
			    "changes their targets)", e->path);
		m = mode == NULL ? (long)e->mode : rf_mode_octal(mode) ?
		    (long)(strtoul(mode, NULL, 8) & 07777) :
		    filetree_symbolic(mode, e->mode, e->type == 'd', t->umask);
		if (m < 0)
			return mod_fail(ctx, "invalid mode '%s'", mode);
		e->newmode = (unsigned)m;
		e->chmod = e->newmode != e->mode;
		e->chown = owner != NULL && strcmp(owner, e->owner) != 0 &&
		    strcmp(owner, e->uid) != 0;
		e->chgrp = group != NULL && strcmp(group, e->group) != 0 &&
		    strcmp(group, e->gid) != 0;
		*changed |= e->chmod || e->chown || e->chgrp;
	}
	return 0;
}

/* Journal entry "attrs" for e: its mode, owner and group before. */
static long
journal_entry(struct modctx *ctx, const struct entry *e)
{
	struct file_meta before;
	struct fs_change c = { e->path, "attrs", &before, NULL, NULL, NULL,
		0 };

	memset(&before, 0, sizeof(before));
	before.exists = 1;
	before.mode = e->mode;
	before.owner = e->owner;
	before.group = e->group;
	return mod_journal_fs(ctx, &c);
}

static void
add_cmds(struct strbuf *cmd, const struct entry *e, const char *owner,
    const char *group)
{
	if (e->chown)
		shellcmd_build(cmd, "chown -- %q %q || exit 1\n", owner,
		    e->path);
	if (e->chgrp)
		shellcmd_build(cmd, "chgrp -- %q %q || exit 1\n", group,
		    e->path);
	/* chown clears set-id bits: set the mode again after it */
	if (e->chmod || ((e->chown || e->chgrp) && (e->newmode & 06000))) {
		char oct[8];   /* 5 digits: GNU chmod clears a directory's
		                * set-id bits only so */

		snprintf(oct, sizeof(oct), "%05o", e->newmode);
		shellcmd_build(cmd, "chmod -- %q %q || exit 1\n", oct,
		    e->path);
	}
}

/* Entries [from, to) that change: journaled, then one command. */
static int
apply_chunk(struct modctx *ctx, const char *dir, struct filetree *t,
    size_t from, size_t to, const char *owner, const char *group)
{
	struct strbuf cmd = STRBUF_INIT;
	long *seq = xcalloc(to - from + 1, sizeof(*seq));
	size_t i;
	int ret = 0;

	strbuf_addstr(&cmd, "LC_ALL=C; export LC_ALL\n");
	for (i = from; i < to && ret == 0; i++) {
		const struct entry *e = &t->e[i];

		if (!e->chmod && !e->chown && !e->chgrp)
			continue;
		if ((seq[i - from] = journal_entry(ctx, e)) < 0)
			ret = mod_fail(ctx, "cannot write the journal entry "
			    "for '%s': not changing it", e->path);
		add_cmds(&cmd, e, owner, group);
	}
	if (ret == 0)
		ret = fs_run_change(ctx, cmd.buf, NULL, 0, "set attributes "
		    "under", dir, NULL);
	for (i = from; i < to; i++) {
		if (seq[i - from] <= 0)
			continue;
		if (ret == 0)
			mod_journal_done(ctx, seq[i - from], "", 0, NULL);
		else
			mod_journal_fail(ctx, seq[i - from], ctx->msg.buf);
	}
	free(seq);
	strbuf_release(&cmd);
	return ret;
}

int
filetree_plan(struct modctx *ctx, const char *dir, const char *mode,
    const char *owner, const char *group, struct filetree **out,
    int *changed)
{
	struct filetree *t = xcalloc(1, sizeof(*t));
	int ret = 0;

	*changed = 0;
	t->dir = xstrdup(dir);
	t->owner = owner != NULL ? xstrdup(owner) : NULL;
	t->group = group != NULL ? xstrdup(group) : NULL;
	if (mode != NULL || owner != NULL || group != NULL)
		ret = list_tree(ctx, dir, t);
	if (ret == 0)
		ret = plan(ctx, t, mode, owner, group, changed);
	t->changed = *changed;
	*out = t;
	return ret;
}

int
filetree_apply(struct modctx *ctx, struct filetree *t)
{
	size_t i, from, bytes;
	int ret = 0;

	for (from = 0, i = 0, bytes = 0; ret == 0 && !ctx->check &&
	    t->changed && i < t->n; i++) {
		bytes += strlen(t->e[i].path) * 3 + 64;
		if (bytes < CHUNK_MAX && i + 1 < t->n)
			continue;
		ret = apply_chunk(ctx, t->dir, t, from, i + 1, t->owner,
		    t->group);
		from = i + 1;
		bytes = 0;
	}
	return ret;
}

void
filetree_free(struct filetree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->e[i].uid);
		free(t->e[i].gid);
		free(t->e[i].owner);
		free(t->e[i].group);
		free(t->e[i].path);
	}
	free(t->e);
	free(t->dir);
	free(t->owner);
	free(t->group);
	free(t);
}
