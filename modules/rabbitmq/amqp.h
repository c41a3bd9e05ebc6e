/*
 * amqp.h - classify what an AMQP 0-9-1 server answered to the protocol
 * header "AMQP\x00\x00\x09\x01" (AMQP_HEADER_091).  Pure, no I/O: the
 * caller sends the header, reads bytes, and calls amqp_parse_reply() on
 * everything received so far until the result is not AMQP_INCOMPLETE.
 *
 * Results:
 *   AMQP_CONNECTION_START  a Connection.Start frame: type 1, channel 0,
 *                          size, class 10 method 10, version-major,
 *                          version-minor, server-properties field table,
 *                          mechanisms and locales long strings, frame end
 *                          0xCE.  The server speaks AMQP 0-9-1 in
 *                          plaintext (or inside TLS, if the caller did the
 *                          handshake first).
 *   AMQP_PROTOCOL_HEADER   the server sent back its own 8-byte protocol
 *                          header ("AMQP" + 4 bytes): it refused ours
 *                          (version mismatch, or a non-AMQP request such
 *                          as "STARTTLS\r\n") and closes the connection.
 *   AMQP_TLS_ALERT         a TLS alert record (first byte 0x15): a TLS
 *                          listener answering plaintext.
 *   AMQP_GARBAGE           anything else (reason in amqp_reply.why).
 *   AMQP_INCOMPLETE        a valid prefix: amqp_reply.need more bytes at
 *                          least are needed.
 *
 * Every length field is bounds-checked; frames larger than
 * AMQP_MAX_START_FRAME are garbage (a broker's Connection.Start is about
 * 500 bytes, and before Connection.Tune peers must accept only 4096).
 */
#ifndef MEND_AMQP_H
#define MEND_AMQP_H

#include <stddef.h>
#include <stdint.h>

#define AMQP_HEADER_091 "AMQP\x00\x00\x09\x01"
#define AMQP_HEADER_LEN 8
#define AMQP_FRAME_END 0xCE
#define AMQP_MAX_START_FRAME 131072

enum amqp_kind {
	AMQP_INCOMPLETE,
	AMQP_CONNECTION_START,
	AMQP_PROTOCOL_HEADER,
	AMQP_TLS_ALERT,
	AMQP_GARBAGE,
};

/* Strings copied from the frame, NUL-terminated, truncated to fit, bytes
 * outside printable ASCII replaced by '?'.  Empty when absent. */
#define AMQP_STR_MAX 128

struct amqp_reply {
	enum amqp_kind kind;
	size_t need;             /* AMQP_INCOMPLETE: more bytes needed (>= 1) */
	size_t consumed;         /* bytes of the frame / header / alert record */
	const char *why;         /* AMQP_GARBAGE: static text */
	size_t where;            /* AMQP_GARBAGE: offset of the bad byte */
	/* AMQP_CONNECTION_START */
	uint8_t version_major, version_minor;
	char product[AMQP_STR_MAX], version[AMQP_STR_MAX];
	char platform[AMQP_STR_MAX], cluster_name[AMQP_STR_MAX];
	char mechanisms[AMQP_STR_MAX], locales[AMQP_STR_MAX];
	/* AMQP_PROTOCOL_HEADER: the 4 bytes after "AMQP" (0 0 9 1 for 0-9-1,
	 * 0 1 0 0 for AMQP 1.0) */
	uint8_t header[4];
	/* AMQP_TLS_ALERT: level (1 warning, 2 fatal) and description, 0 when
	 * the record was cut short */
	uint8_t alert_level, alert_desc;
};

/* Classify buf[0..len).  Never reads outside it; any input is accepted. */
enum amqp_kind amqp_parse_reply(const unsigned char *buf, size_t len,
				struct amqp_reply *r);
const char *amqp_kind_name(enum amqp_kind k);

#endif
