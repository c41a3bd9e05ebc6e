/*
 * fileattrs.h - Ansible's file common arguments (add_file_common_args)
 * for the modules that edit a file's content (replace, blockinfile):
 * mode, owner and group are set after the content, as Ansible's
 * check_file_attrs() does, with its message; unsafe_writes is accepted
 * (mend's writes are always atomic); the attribute options are refused by
 * name at load time.  The SELinux options (seuser, serole, setype,
 * selevel) are accepted: on a host without SELinux they do nothing, as
 * Ansible's (selinux_enabled() false); on a host with SELinux enabled the
 * task fails before it changes anything (mend does not set contexts).
 */
#ifndef MEND_FILEATTRS_H
#define MEND_FILEATTRS_H

#include "modules/module.h"
#include "modules/seargs.h"

/* The argument table entries, to put at the end of a module's table. */
#define FILEATTRS_ARGS \
	{ "mode", ARG_MODE, 0, NULL, NULL, \
	  "permissions, octal ('0644') or symbolic ('u=rw,g=r,o=')", NULL }, \
	{ "owner", ARG_STR, 0, NULL, NULL, "owner of the file", NULL }, \
	{ "group", ARG_STR, 0, NULL, NULL, "group of the file", NULL }, \
	{ "unsafe_writes", ARG_BOOL, 0, "false", NULL, \
	  "accepted; mend's writes are always atomic", NULL }, \
	SEARGS_ARGS, \
	{ "attributes", ARG_STR, 0, NULL, NULL, "refused (chattr)", "attr" }

/* Refuse the options mend does not implement (file:line:col of the
 * argument): "module 'M': argument 'seuser' is not supported by mend". */
int fileattrs_validate(const char *module, const struct val *args,
    struct err *e);

/* Refuse a `validate` command without %s, as Ansible does. */
int fileattrs_validate_cmd(const char *module, const struct val *args,
    struct err *e);

/* Write the new content of `path` (meta/old: as read; a file that did not
 * exist is created with its missing directories, each journaled so that
 * rollback removes it), keeping its mode and owner,
 * with args' backup (the copy's path returned under `backup_key`) and
 * validate; marks the task changed.  Returns 0, -1 (failed, recorded) or
 * TERR_*.  mode/owner/group are fileattrs_apply()'s. */
int fileattrs_write(struct modctx *ctx, const struct val *args,
    const char *path, const struct file_meta *meta, const struct strbuf *old,
    const struct strbuf *new, const char *backup_key);

/* After the content was written (ctx->changed set) or left alone: make
 * mode/owner/group what args ask (meta: the file as it was read, its
 * attributes kept by the write; content: its bytes now, for the journal)
 * and set the message as Ansible: msg, then " and " when the content
 * changed, "ownership, perms or SE linux context changed".  Returns 0,
 * -1 (failed, recorded) or TERR_*. */
int fileattrs_apply(struct modctx *ctx, const struct val *args,
    const char *path, const struct file_meta *meta, const void *content,
    size_t len, const char *msg);

/* The end of an in-place edit (lineinfile, blockinfile): when changed,
 * fileattrs_write() of new over old; then fileattrs_apply() with msg,
 * except for a file that does not exist because check mode did not
 * create it: only msg (Ansible returns before the attributes).  meta,
 * old: the file as read; new: its whole content after the edit, changed
 * or not.  Returns 0, -1 (failed, recorded) or TERR_*. */
int fileattrs_finish(struct modctx *ctx, const struct val *args,
    const char *path, const struct file_meta *meta, const struct strbuf *old,
    const struct strbuf *new, int changed, const char *backup_key,
    const char *msg);

#endif
