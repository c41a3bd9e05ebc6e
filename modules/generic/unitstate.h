/*
 * unitstate.h - journal a systemd unit's enablement change (enable,
 * disable, mask, unmask) so that `mend rollback` puts it back: a journal
 * entry of kind "unit", path "unit:NAME", was/now the states before and
 * after ("enabled", "disabled", "masked"; "unmasked" for any state but
 * masked).  restore.c undoes it with systemctl when the unit is still as
 * the run left it (else: drift, unless --force).  Shared by the service
 * and systemd modules.
 */
#ifndef MEND_UNITSTATE_H
#define MEND_UNITSTATE_H

#include "modules/module.h"

/* The state `systemctl is-enabled` printed, as unitstate_journal wants
 * it: "masked" (masked, masked-runtime), "disabled" (disabled, nothing,
 * not-found, bad, transient), else "enabled" (enabled, static, alias,
 * indirect, generated, linked...).  restore.c reads the host the same way. */
const char *unitstate_norm(const char *is_enabled);

/* Before the change: the intent (returns its seq, 0 without a journal or
 * in check mode, -1 when it cannot be written: do not change the unit).
 * After: unitstate_done(ctx, seq, failed_msg or NULL). */
long unitstate_journal(struct modctx *ctx, const char *unit,
    const char *was, const char *now);
void unitstate_done(struct modctx *ctx, long seq, const char *failed);

#endif
