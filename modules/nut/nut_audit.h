/*
 * nut_audit.h - shared by nut_audit.c (NUT's audit rules and file checks)
 * and nut_scan.c (its mend scan probe): the rule indexes and the exports.
 */
#ifndef MEND_NUT_AUDIT_H
#define MEND_NUT_AUDIT_H

#include "runner/audit/audit.h"
#include "runner/audit/scan.h"

/* Index of each rule in audit_nut.rules. */
enum {
	R_IGNORED, R_MISREAD, R_CERTVERIFY, R_FORCESSL, R_CERTPATH,
	R_CERTHOST, R_UPSD_CERT, R_UPSD_WEAK, R_SCAN_PLAIN, R_SCAN_NOTLS,
	R_SCAN_CERT, R_SCAN_WEAKTLS,
};

extern const struct audit_product audit_nut;   /* nut_audit.c */
extern const struct scan_probe scan_nut;       /* nut_scan.c: port 3493 */

#endif
