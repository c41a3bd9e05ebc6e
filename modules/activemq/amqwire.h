/*
 * amqwire.h - the first exchange of each protocol an ActiveMQ listener
 * speaks, to prove that a listener answers in that protocol (pure: bytes
 * in, a verdict out).
 *
 *   OpenWire  the broker sends its WireFormatInfo as soon as a client
 *             connects: int32 size, type 1, magic "ActiveMQ", int32
 *             version (5.17.2 sends 12).  We send a minimal client
 *             WireFormatInfo too (a TLS port answers it with an alert).
 *   STOMP     we send CONNECT (accept-version 1.0-1.2, host localhost);
 *             the broker answers a CONNECTED frame (headers server:
 *             ActiveMQ/5.17.2, version:1.2) or an ERROR frame.
 *   MQTT      we send CONNECT (3.1.1, clean session, client id
 *             "mend-probe"); the broker answers CONNACK 20 02 00 RC.
 *   AMQP 1.0  we send "AMQP" 0 1 0 0 (or 3 1 0 0 for SASL) and get a
 *             protocol header back.  (Debian's broker has no AMQP module.)
 * A TLS alert record (0x15 0x03 ..) means the port is a TLS listener.
 */
#ifndef MEND_AMQWIRE_H
#define MEND_AMQWIRE_H

#include <stddef.h>

enum amqw_proto { AMQW_OPENWIRE, AMQW_STOMP, AMQW_MQTT, AMQW_AMQP };

enum amqw_kind {
	AMQW_INCOMPLETE,     /* need more bytes */
	AMQW_HELLO,          /* the protocol answered (see detail) */
	AMQW_REFUSAL,        /* the protocol answered with a refusal
	                      * (STOMP ERROR, CONNACK rc != 0) */
	AMQW_TLS_ALERT,      /* a TLS record: not this protocol in clear */
	AMQW_GARBAGE,        /* something else */
};

struct amqw_reply {
	enum amqw_kind kind;
	char detail[160];    /* "CONNECTED, server ActiveMQ/5.17.2" ... */
	char server[64];     /* product/version when the reply names it */
};

/* Parse "openwire|stomp|mqtt|amqp" (-1: unknown). */
int amqw_proto_parse(const char *s);
const char *amqw_proto_name(enum amqw_proto p);
/* What we send first (may be empty: OpenWire). */
const unsigned char *amqw_hello(enum amqw_proto p, size_t *len);
/* Classify the bytes received so far. */
void amqw_classify(enum amqw_proto p, const unsigned char *b, size_t n,
    struct amqw_reply *r);

#endif
