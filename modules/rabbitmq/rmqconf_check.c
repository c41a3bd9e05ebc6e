/*
 * rmqconf_check.c - rabbitmq.conf setting validation: keys against the
 * 3.10.8 key table (rmqconf_keys.c), values (ports, listeners, booleans,
 * paths...); see rmqconf.h "validate".
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/rabbitmq/rmqconf.h"
#include "modules/rabbitmq/rmqconf_int.h"
#include "runner/util/banned.h"

/* =========================================================== validation */

/* End of the segment starting at k (an unescaped '.' or NUL). */
static const char *
seg_end(const char *k)
{
	while (*k && *k != '.') {
		if (k[0] == '\\' && k[1] == '.')
			k++;
		k++;
	}
	return k;
}

/* Does key match pattern ("$x" segments match any one segment)? */
int
rmqc_pattern_match(const char *pat, const char *key)
{
	const char *pe, *ke;

	for (;;) {
		pe = strchr(pat, '.');
		if (pe == NULL)
			pe = pat + strlen(pat);
		ke = seg_end(key);
		if (ke == key)
			return 0;
		if (*pat != '$' && ((size_t)(pe - pat) != (size_t)(ke - key) ||
				    memcmp(pat, key, (size_t)(pe - pat)) != 0))
			return 0;
		if (*pe == '\0' || *ke == '\0')
			return *pe == '\0' && *ke == '\0';
		pat = pe + 1;
		key = ke + 1;
	}
}

/* Namespaces modelled completely: a key under one that matches no pattern
 * is a key the broker rejects. */
static const char *const strict_ns[] = {
	"listeners", "ssl_options",
	"management.tcp", "management.ssl", "management.listener",
	"stomp.listeners", "mqtt.listeners", "stream.listeners",
};

int
rmqc_in_namespace(const char *key, const char *ns)
{
	size_t n = strlen(ns);

	return strncmp(key, ns, n) == 0 && (key[n] == '\0' || key[n] == '.');
}

enum rmq_key_class
rmq_key_classify(const char *key, const char **pattern)
{
	const char *const *table;
	size_t i, n;

	if (pattern)
		*pattern = NULL;
	table = rmqc_key_table_get(&n);
	for (i = 0; i < n; i++) {
		if (rmqc_pattern_match(table[i], key)) {
			if (pattern)
				*pattern = table[i];
			return RMQ_KEY_VALID;
		}
	}
	for (i = 0; i < ARRAY_SIZE(strict_ns); i++)
		if (rmqc_in_namespace(key, strict_ns[i]))
			return RMQ_KEY_INVALID;
	return RMQ_KEY_UNVERIFIED;
}

const char *
rmq_key_class_name(enum rmq_key_class k)
{
	switch (k) {
	case RMQ_KEY_VALID:
		return "valid";
	case RMQ_KEY_INVALID:
		return "invalid";
	default:
		return "unverified";
	}
}

/* ------------------------------------------------------------ values */

enum vtype {
	VT_NONE,      /* only "none" */
	VT_LISTENER,  /* port or ip:port */
	VT_BOOL, VT_VERIFY, VT_TLSVER, VT_PATH, VT_PORT, VT_IP, VT_CRL,
};

static const struct {
	const char *pat;
	enum vtype t;
} value_rules[] = {
	{ "listeners.tcp", VT_NONE }, { "listeners.ssl", VT_NONE },
	{ "listeners.tcp.$name", VT_LISTENER },
	{ "listeners.ssl.$name", VT_LISTENER },
	{ "stomp.listeners.tcp", VT_NONE }, { "stomp.listeners.ssl", VT_NONE },
	{ "stomp.listeners.tcp.$name", VT_LISTENER },
	{ "stomp.listeners.ssl.$name", VT_LISTENER },
	{ "mqtt.listeners.tcp", VT_NONE }, { "mqtt.listeners.ssl", VT_NONE },
	{ "mqtt.listeners.tcp.$name", VT_LISTENER },
	{ "mqtt.listeners.ssl.$name", VT_LISTENER },
	{ "stream.listeners.tcp", VT_NONE }, { "stream.listeners.ssl", VT_NONE },
	{ "stream.listeners.tcp.$name", VT_LISTENER },
	{ "stream.listeners.ssl.$name", VT_LISTENER },
	{ "ssl_options", VT_NONE },
	{ "ssl_options.verify", VT_VERIFY },
	{ "ssl_options.fail_if_no_peer_cert", VT_BOOL },
	{ "ssl_options.versions.$v", VT_TLSVER },
	{ "ssl_options.cacertfile", VT_PATH },
	{ "ssl_options.certfile", VT_PATH },
	{ "ssl_options.keyfile", VT_PATH },
	{ "ssl_options.crl_check", VT_CRL },
	{ "ssl_options.client_renegotiation", VT_BOOL },
	{ "ssl_options.honor_cipher_order", VT_BOOL },
	{ "ssl_options.honor_ecc_order", VT_BOOL },
	{ "ssl_options.reuse_sessions", VT_BOOL },
	{ "ssl_options.secure_renegotiate", VT_BOOL },
	{ "ssl_options.log_alert", VT_BOOL },
	{ "ssl_options.bypass_pem_cache", VT_BOOL },
	{ "management.tcp.port", VT_PORT }, { "management.tcp.ip", VT_IP },
	{ "management.ssl.port", VT_PORT }, { "management.ssl.ip", VT_IP },
	{ "management.ssl.verify", VT_VERIFY },
	{ "management.ssl.fail_if_no_peer_cert", VT_BOOL },
	{ "management.ssl.versions.$v", VT_TLSVER },
	{ "management.ssl.cacertfile", VT_PATH },
	{ "management.ssl.certfile", VT_PATH },
	{ "management.ssl.keyfile", VT_PATH },
	{ "management.listener.port", VT_PORT },
	{ "management.listener.ip", VT_IP },
	{ "management.listener.ssl", VT_BOOL },
	{ "management.listener.ssl_opts", VT_NONE },
};

static int
is_one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

/* Decimal port 0..65535 (leading zeros allowed, as the broker does). */
int
rmqc_parse_port(const char *s, size_t n, int *port)
{
	long v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > 65535)
			return -1;
	}
	*port = (int)v;
	return 0;
}

/* Numeric address as Erlang's inet:parse_address accepts it (IPv4 in the
 * inet_aton forms, IPv6 with an optional %scope), no brackets. */
static int
is_ip(const char *s, size_t n)
{
	char tmp[INET6_ADDRSTRLEN + 64];
	unsigned char bin[sizeof(struct in6_addr)];
	struct in_addr a4;
	char *pct;

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (strpbrk(tmp, " \t\r\n"))
		return 0;
	if (strchr(tmp, ':') == NULL)
		return inet_aton(tmp, &a4) != 0;
	pct = strchr(tmp, '%');
	if (pct)
		*pct = '\0';
	return inet_pton(AF_INET6, tmp, bin) == 1;
}

/* "PORT" or "IP:PORT" as the [integer, ip] datatype; addr may be NULL. */
int
rmqc_parse_listener(const char *v, char *addr, size_t addrsz, int *port)
{
	const char *colon = strrchr(v, ':');

	if (colon == NULL) {
		if (addr)
			addr[0] = '\0';
		return rmqc_parse_port(v, strlen(v), port);
	}
	if (!is_ip(v, (size_t)(colon - v)) ||
	    rmqc_parse_port(colon + 1, strlen(colon + 1), port) < 0)
		return -1;
	if (addr) {
		if ((size_t)(colon - v) >= addrsz)
			return -1;
		memcpy(addr, v, (size_t)(colon - v));
		addr[colon - v] = '\0';
	}
	return 0;
}

static int
check_vtype(enum vtype t, const char *v, const char **why)
{
	static const char *const bools[] = { "true", "false", NULL };
	static const char *const verifies[] = { "verify_peer", "verify_none", NULL };
	static const char *const tlsvers[] = { "tlsv1.3", "tlsv1.2", "tlsv1.1",
					       "tlsv1", NULL };
	static const char *const crls[] = { "true", "false", "peer",
					    "best_effort", NULL };
	int port;

	switch (t) {
	case VT_NONE:
		*why = "the only accepted value is 'none'";
		return strcmp(v, "none") == 0 ? 0 : -1;
	case VT_LISTENER:
		*why = "expected a port or IP:PORT (IPv6 without brackets)";
		return rmqc_parse_listener(v, NULL, 0, &port);
	case VT_BOOL:
		*why = "expected 'true' or 'false'";
		return is_one_of(v, bools) ? 0 : -1;
	case VT_VERIFY:
		*why = "expected 'verify_peer' or 'verify_none'";
		return is_one_of(v, verifies) ? 0 : -1;
	case VT_TLSVER:
		*why = "expected 'tlsv1.3', 'tlsv1.2', 'tlsv1.1' or 'tlsv1'";
		return is_one_of(v, tlsvers) ? 0 : -1;
	case VT_CRL:
		*why = "expected 'true', 'false', 'peer' or 'best_effort'";
		return is_one_of(v, crls) ? 0 : -1;
	case VT_PORT:
		*why = "expected a port number (0-65535)";
		return rmqc_parse_port(v, strlen(v), &port);
	case VT_IP:
		*why = "expected a numeric IP address";
		return is_ip(v, strlen(v)) ? 0 : -1;
	case VT_PATH:
		*why = "the file name ends with a blank (no final newline?)";
		return *v && !IS_WS(v[strlen(v) - 1]) ? 0 : -1;
	}
	return 0;
}

int
rmq_value_check(const char *key, const char *value, const char **why)
{
	const char *w = NULL;
	size_t i;

	*why = NULL;
	for (i = 0; i < ARRAY_SIZE(value_rules); i++) {
		if (!rmqc_pattern_match(value_rules[i].pat, key))
			continue;
		if (check_vtype(value_rules[i].t, value, &w) == 0)
			return 0;
		*why = w;
		return -1;
	}
	return 0;
}
