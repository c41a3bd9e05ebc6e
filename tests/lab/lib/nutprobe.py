"""Speak the NUT network protocol to upsd and report what it offers.

Run by tests/lab/nut-probe (inside a lab host or from the controller), fed on
stdin so that it works even where the repository is not visible.

Exit codes: 0 STARTTLS accepted and the TLS handshake (verified if a CA was
given) worked and LIST UPS answered over TLS; 3 upsd refused STARTTLS (plaintext
only); 4 STARTTLS accepted but the handshake/verification failed; 1 other error
(connection refused, protocol error).
"""
import argparse
import socket
import ssl
import sys


def readline(f):
    line = f.readline()
    if not line:
        raise EOFError("connection closed by upsd")
    return line.decode("utf-8", "replace").rstrip("\r\n")


def command(sock_file, wfile, cmd):
    wfile.write((cmd + "\n").encode())
    wfile.flush()
    first = readline(sock_file)
    lines = [first]
    if first.startswith("BEGIN LIST"):
        while True:
            line = readline(sock_file)
            lines.append(line)
            if line.startswith("END LIST"):
                break
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=3493)
    ap.add_argument("--ca-pem", default="", help="CA certificate (PEM text) to verify against")
    ap.add_argument("--name", default="", help="expected name in the certificate (default: --addr)")
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()

    out = lambda k, v: print(f"{k}: {v}", flush=True)
    try:
        s = socket.create_connection((a.addr, a.port), timeout=a.timeout)
    except OSError as e:
        out("connect", f"FAILED {a.addr}:{a.port}: {e}")
        return 1
    f = s.makefile("rb")
    w = s.makefile("wb")
    try:
        out("plain VER", command(f, w, "VER")[0])
        out("plain LIST UPS", " | ".join(command(f, w, "LIST UPS")))
        reply = command(f, w, "STARTTLS")[0]
    except (EOFError, OSError) as e:
        out("protocol", f"FAILED: {e}")
        return 1
    out("STARTTLS", reply)
    if reply != "OK STARTTLS":
        return 3

    if a.ca_pem:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=a.ca_pem)
        ctx.check_hostname = True
        server_name = a.name or a.addr
        mode = f"verified against the lab CA, name {server_name}"
    else:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        server_name = a.name or None
        mode = "NOT verified (no CA given)"
    try:
        t = ctx.wrap_socket(s, server_hostname=server_name)
    except (ssl.SSLError, ssl.CertificateError, OSError) as e:
        out("tls", f"FAILED ({mode}): {e}")
        return 4
    cert = t.getpeercert(binary_form=False) or {}
    subject = ",".join("=".join(x) for rdn in cert.get("subject", ()) for x in rdn)
    out("tls", f"OK {t.version()} {t.cipher()[0]}; {mode}" + (f"; subject {subject}" if subject else ""))
    tf = t.makefile("rb")
    tw = t.makefile("wb")
    try:
        out("tls LIST UPS", " | ".join(command(tf, tw, "LIST UPS")))
        out("tls LOGOUT", command(tf, tw, "LOGOUT")[0])
    except (EOFError, OSError) as e:
        out("tls protocol", f"FAILED: {e}")
        return 4
    return 0


if __name__ == "__main__":
    sys.exit(main())
