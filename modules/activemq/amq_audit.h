/*
 * amq_audit.h - shared by amq_audit.c (ActiveMQ's audit rules and file
 * checks) and amq_scan.c (its mend scan probes): rule indexes and exports.
 */
#ifndef MEND_AMQ_AUDIT_H
#define MEND_AMQ_AUDIT_H

#include "runner/audit/audit.h"
#include "runner/audit/scan.h"

/* Index of each rule in audit_activemq.rules. */
enum { R_CLEAR, R_SCHEME, R_WEAK, R_NOKEY, R_SCAN_CLEAR, R_SCAN_CERT,
	R_SCAN_WEAK };

extern const struct audit_product audit_activemq;   /* amq_audit.c */
/* amq_scan.c: one probe per protocol, cleartext and TLS */
extern const struct scan_probe scan_openwire;       /* 61616 */
extern const struct scan_probe scan_openwire_ssl;   /* 61617 */
extern const struct scan_probe scan_stomp;          /* 61613 */
extern const struct scan_probe scan_stomp_ssl;      /* 61614 */
extern const struct scan_probe scan_mqtt;           /* 1883 */
extern const struct scan_probe scan_mqtt_ssl;       /* 8883 */
extern const struct scan_probe scan_amqp10;         /* no default port:
						     * 5672/amqp10 */

#endif
