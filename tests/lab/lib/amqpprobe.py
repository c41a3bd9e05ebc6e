"""Send the AMQP 0-9-1 protocol header and decode the broker's first frame.

Run by tests/lab/rabbitmq-probe and rabbitmq-up (fed on stdin).
Exit codes: 0 Connection.Start received (over TLS if --tls, verified if a CA
was given); 1 connection refused / unreachable; 2 something else answered
(not Connection.Start, e.g. a protocol header back); 4 TLS handshake or
verification failed.
"""
import argparse
import socket
import ssl
import struct
import sys

HEADER = b"AMQP\x00\x00\x09\x01"


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def shortstr(b, i):
    n = b[i]
    return b[i + 1:i + 1 + n].decode("utf-8", "replace"), i + 1 + n


def server_props(payload):
    # class(2) method(2) major(1) minor(1) server-properties(table) ...
    try:
        i = 6
        (tlen,) = struct.unpack(">I", payload[i:i + 4])
        i += 4
        end = i + tlen
        props = {}
        while i < end:
            key, i = shortstr(payload, i)
            t = chr(payload[i])
            i += 1
            if t == "S":
                (ln,) = struct.unpack(">I", payload[i:i + 4])
                props[key] = payload[i + 4:i + 4 + ln].decode("utf-8", "replace")
                i += 4 + ln
            elif t == "F":
                (ln,) = struct.unpack(">I", payload[i:i + 4])
                i += 4 + ln
            elif t == "t":
                i += 1
            elif t == "I":
                i += 4
            elif t == "l" or t == "T":
                i += 8
            else:
                break
        return props
    except (IndexError, struct.error):
        return {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--ca-pem", default="")
    ap.add_argument("--name", default="")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    port = a.port or (5671 if a.tls else 5672)

    def out(k, v):
        if not a.quiet:
            print(f"{k}: {v}", flush=True)

    try:
        s = socket.create_connection((a.addr, port), timeout=a.timeout)
    except OSError as e:
        out("connect", f"FAILED {a.addr}:{port}: {e}")
        return 1
    if a.tls:
        if a.ca_pem:
            ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=a.ca_pem)
            name = a.name or a.addr
            mode = f"verified against the lab CA, name {name}"
        else:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            name = a.name or None
            mode = "NOT verified"
        try:
            s = ctx.wrap_socket(s, server_hostname=name)
        except (ssl.SSLError, ssl.CertificateError, OSError) as e:
            out("tls", f"FAILED ({mode}): {e}")
            return 4
        out("tls", f"OK {s.version()} {s.cipher()[0]}; {mode}")
    try:
        s.sendall(HEADER)
        head = recv_exact(s, 7)
    except OSError as e:
        out("amqp", f"FAILED: {e}")
        return 2
    if len(head) < 7:
        out("amqp", f"FAILED: connection closed after {len(head)} bytes {head!r}")
        return 2
    if head.startswith(b"AMQP"):
        out("amqp", f"broker sent a protocol header back: {head + recv_exact(s, 1)!r} (version mismatch)")
        return 2
    ftype, channel, size = struct.unpack(">BHI", head)
    payload = recv_exact(s, size + 1)
    if ftype != 1 or channel != 0 or len(payload) < size + 1 or payload[-1] != 0xCE:
        out("amqp", f"FAILED: unexpected frame type={ftype} channel={channel} size={size}")
        return 2
    cls, meth, vmaj, vmin = struct.unpack(">HHBB", payload[:6])
    if (cls, meth) != (10, 10):
        out("amqp", f"FAILED: first method is {cls}.{meth}, not Connection.Start (10.10)")
        return 2
    props = server_props(payload[:-1])
    out("amqp", f"Connection.Start (version {vmaj}-{vmin}) from {props.get('product', '?')} "
        f"{props.get('version', '?')} on {a.addr}:{port}" + (" over TLS" if a.tls else " in PLAINTEXT"))
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
