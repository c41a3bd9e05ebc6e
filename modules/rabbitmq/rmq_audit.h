/*
 * rmq_audit.h - shared by rmq_audit.c (RabbitMQ's audit rules and file
 * checks) and rmq_scan.c (its mend scan probes): rule indexes and exports.
 */
#ifndef MEND_RMQ_AUDIT_H
#define MEND_RMQ_AUDIT_H

#include "runner/audit/audit.h"
#include "runner/audit/scan.h"

/* Index of each rule in audit_rabbitmq.rules. */
enum {
	R_PLAIN_AMQP, R_INVALID_KEY, R_INVALID_VALUE, R_PLAIN_MGMT,
	R_PLAIN_PLUGIN, R_WEAK_TLS, R_CONF_IGNORED, R_TLS_NO_CERT,
	R_UNVERIFIED, R_SCAN_AMQP, R_SCAN_MGMT, R_SCAN_TLS, R_SCAN_WEAKTLS,
};

extern const struct audit_product audit_rabbitmq;  /* rmq_audit.c */
/* rmq_scan.c */
extern const struct scan_probe scan_amqp;          /* 5672: cleartext */
extern const struct scan_probe scan_amqps;         /* 5671: TLS */
extern const struct scan_probe scan_rabbitmq_mgmt; /* 15672: HTTP */

#endif
