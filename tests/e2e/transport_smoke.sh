#!/usr/bin/env bash
# transport_smoke.sh - manual end-to-end check of runner/transport/transport*.c.
#
#   tests/e2e/transport_smoke.sh [PORT]     (as root; default: a free port
#                                            from 22722 up)
#
# Starts a throwaway sshd on 127.0.0.1:PORT with its own host keys and
# authorized_keys in a fresh /tmp/transport-test.XXXXXX, creates two
# throwaway users (mendtt-np-PID: NOPASSWD sudo, mendtt-pw-PID: sudo with a
# password), so that several runs can share the machine, builds
# tests/e2e/transport_smoke.c with the transport sources, runs it, and undoes it all
# (sshd killed by PID, users and sudoers files removed) on exit.
# Not run by `make`: it needs root, sudo and openssh-server.
set -euo pipefail
unset SSH_AUTH_SOCK SSH_AGENT_PID    # the checks expect no agent, except one
cd "$(dirname "$0")/../.."
PORT=${1:-}
if [ -z "$PORT" ]; then
	for PORT in $(seq 22722 22799); do
		[ -z "$(ss -Hltn "sport = :$PORT")" ] && break
	done
fi
T=$(mktemp -d /tmp/transport-test.XXXXXX)
SSHD_PID= SLEEP_PID= AGENT_PID=
NP=mendtt-np-$$ PW=mendtt-pw-$$ PASS='pw-Quote'\''s $x'
NS=mendtt-smoke-$$ SUDOERS=/etc/sudoers.d/mendtt-smoke-$$

cleanup() {
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null || true
	[ -n "$SLEEP_PID" ] && kill "$SLEEP_PID" 2>/dev/null || true
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null || true
	for u in $NP $PW; do
		id "$u" >/dev/null 2>&1 && userdel -r "$u" 2>/dev/null || true
	done
	rm -f "$SUDOERS"
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/auth" && chmod 755 "$T" "$T/auth"
ssh-keygen -q -t ed25519 -N '' -f "$T/host_ed25519" -C smoke-host
ssh-keygen -q -t ed25519 -N '' -f "$T/host2_ed25519" -C smoke-host2
ssh-keygen -q -t ed25519 -N '' -f "$T/id_ed25519" -C smoke-client
ssh-keygen -q -t ed25519 -N '' -f "$T/id_other" -C smoke-unauthorized
ssh-keygen -q -t ed25519 -N 'secret' -f "$T/id_enc" -C smoke-encrypted
chmod 644 "$T/id_ed25519" "$T/id_other"     # read by the test users too

for u in $NP $PW; do
	id "$u" >/dev/null 2>&1 || useradd -m -s /bin/sh "$u"
	cat "$T/id_ed25519.pub" "$T/id_enc.pub" >"$T/auth/$u"
done
cat "$T/id_ed25519.pub" "$T/id_enc.pub" >"$T/auth/root"
usermod -p '*' "$NP"        # no password, but not a locked account
echo "$PW:$PASS" | chpasswd
printf '%s ALL=(ALL) NOPASSWD: ALL\n%s ALL=(ALL) ALL\n' "$NP" "$PW" \
	>"$SUDOERS"
chmod 440 "$SUDOERS"
visudo -cq

cat >"$T/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $T/host_ed25519
PidFile $T/sshd.pid
AuthorizedKeysFile $T/auth/%u
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding yes
MaxStartups 300:30:400
MaxSessions 20
LogLevel ERROR
# no room for the channel opened ahead of time: must still work
Match User $PW
	MaxSessions 1
EOF
mkdir -p /run/sshd
/usr/sbin/sshd -D -f "$T/sshd_config" -E "$T/sshd.log" &
SSHD_PID=$!
for _ in $(seq 50); do
	[ -n "$(ss -Hltn "sport = :$PORT")" ] && break
	sleep 0.1
done
kill -0 "$SSHD_PID" 2>/dev/null || { echo "sshd did not start:" >&2;
	cat "$T/sshd.log" >&2; exit 1; }

# only the transport and what it needs, so others' work in progress
# cannot break this build
cc ${SMOKE_CFLAGS:--O2 -g} -std=c11 -Wall -Wextra -D_GNU_SOURCE -pthread \
	-o "$T/transport_smoke" tests/e2e/transport_smoke.c runner/transport/transport*.c \
	-I. runner/util/strbuf.c runner/util/err.c $(pkg-config --cflags --libs libssh) -pthread

export SMOKE_DIR=$T SMOKE_PORT=$PORT SMOKE_NP=$NP SMOKE_PW=$PW \
	SMOKE_PASS=$PASS SMOKE_SSHD_CONFIG=$T/sshd_config
rc=0
if [ "${SMOKE_ONLY:-}" = hold ]; then    # keep sshd and users for manual work
	echo "sshd on 127.0.0.1:$PORT (pid $SSHD_PID), files in $T, users $NP" \
		"$PW; kill $$ to clean up"
	sleep 3600 & SLEEP_PID=$!
	wait $SLEEP_PID
	exit
fi
if [ -n "${SMOKE_ONLY:-}" ]; then       # e.g. SMOKE_ONLY="concurrency 10"
	"$T/transport_smoke" $SMOKE_ONLY
	exit
fi
"$T/transport_smoke" || rc=1

# An unreachable address: in a namespace of our own where 198.51.100.0/24
# is on a veth with nobody behind it (the default route of a sandbox may
# lead to a proxy that accepts any connection).
ip netns add "$NS"
ip netns exec "$NS" sh -c 'ip link add v0 type veth peer name v1 &&
	ip addr add 198.51.100.1/24 dev v0 && ip link set v0 up &&
	ip link set v1 up && ip link set lo up'
ip netns exec "$NS" "$T/transport_smoke" unreachable || rc=1

# ssh-agent holding the key
eval "$(ssh-agent -s)" >/dev/null
AGENT_PID=$SSH_AGENT_PID
ssh-add -q "$T/id_ed25519" 2>/dev/null || { chmod 600 "$T/id_ed25519";
	ssh-add -q "$T/id_ed25519"; chmod 644 "$T/id_ed25519"; }
"$T/transport_smoke" agent || rc=1
kill "$AGENT_PID"; AGENT_PID=
unset SSH_AUTH_SOCK SSH_AGENT_PID

# ProxyJump (libssh 0.10 runs "ssh -W" for it): as $NP, whose ~/.ssh we own
H=$(getent passwd "$NP" | cut -d: -f6)
install -d -o "$NP" -m 700 "$H/.ssh"
install -o "$NP" -m 600 "$T/id_ed25519" "$H/.ssh/id_ed25519"
echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$T/host_ed25519.pub")" \
	>"$H/.ssh/known_hosts"
printf 'Host pjtarget\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  ProxyJump %s@127.0.0.1:%s\n' \
	"$PORT" "$NP" "$NP" "$PORT" >"$H/.ssh/config_pj"
chown "$NP" "$H/.ssh/known_hosts" "$H/.ssh/config_pj"
su -s /bin/sh "$NP" -c "$T/transport_smoke proxyjump" || rc=1
exit $rc
