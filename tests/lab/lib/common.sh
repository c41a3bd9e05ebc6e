# shellcheck shell=bash
# Shared helpers for the mend test lab scripts (sourced, not executed).
#
# Conventions:
#   LAB_DIR      state dir: ${MEND_LAB_DIR:-/tmp/mend-lab}
#   LAB_LIB      this directory
#   lab.env      written by `up`, sourced by every other script

# shellcheck disable=SC2034  # constants used by the scripts that source this
LAB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_BIN=$(cd "$LAB_LIB/.." && pwd)
LAB_DIR=${MEND_LAB_DIR:-/tmp/mend-lab}
LAB_NET_PREFIX=198.51.100
# shellcheck disable=SC2034
LAB_BRIDGE=mendlab0
# shellcheck disable=SC2034
LAB_MAX_NETNS_HOSTS=244 # 198.51.100.11 .. 198.51.100.254

PROG=$(basename "$0")

die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

warn() {
    printf '%s: warning: %s\n' "$PROG" "$*" >&2
}

info() {
    printf '%s: %s\n' "$PROG" "$*" >&2
}

# Millisecond clock (bash 5 has EPOCHREALTIME).
now_ms() {
    local t=${EPOCHREALTIME/./}
    printf '%s\n' "$((t / 1000))"
}

# Seconds with two decimals between two now_ms values.
elapsed() {
    local ms=$(($2 - $1))
    printf '%d.%02d' "$((ms / 1000))" "$(((ms % 1000) / 10))"
}

check_lab_dir_sane() {
    case $LAB_DIR in
        /*) ;;
        *) die "MEND_LAB_DIR must be an absolute path (got '$LAB_DIR')" ;;
    esac
    case $LAB_DIR in
        / | /tmp | /tmp/ | /run | /run/ | /etc* | /usr* | /var | /var/ | /home | /home/ | /root | /root/)
            die "refusing to use '$LAB_DIR' as lab state dir" ;;
    esac
}

# Load lab.env or fail with a clear message.
load_lab() {
    check_lab_dir_sane
    [[ -f $LAB_DIR/lab.env ]] || die "no lab in $LAB_DIR (run tests/lab/up first, or set MEND_LAB_DIR)"
    # shellcheck source=/dev/null
    . "$LAB_DIR/lab.env"
}

# host_index NAME-or-N -> prints N (1..LAB_COUNT)
host_index() {
    local h=$1
    h=${h#h}
    [[ $h =~ ^[0-9]+$ ]] || die "bad host '$1' (expected N or hN)"
    h=$((10#$h))
    ((h >= 1 && h <= LAB_COUNT)) || die "host $1 is not in this lab (1..$LAB_COUNT)"
    printf '%s\n' "$h"
}

# Host N of a lab whose first address is LAB_BASE+1 (default base 10, so
# h1 = 198.51.100.11). Namespace and veth names follow the address, so labs
# with different bases can run at the same time.
host_dir() { printf '%s/h%s\n' "$LAB_DIR" "$1"; }
host_addr() { printf '%s.%s\n' "$LAB_NET_PREFIX" "$((${LAB_BASE:-10} + $1))"; }
host_ns() { printf 'mendlab-h%s\n' "$((${LAB_BASE:-10} - 10 + $1))"; }
host_veth() { printf 'mendlab-v%s\n' "$((${LAB_BASE:-10} - 10 + $1))"; }

# Registry of labs created as root (one file per state dir, holding its path),
# used to decide whether shared things (user mendlab, its sudoers drop-in,
# the bridge) are still needed by another lab.
LAB_REGISTRY=/run/mend-lab.d
# Marks of things up creates outside the state dir (down removes only these).
LAB_USER_GECOS="mend test lab user (created by tests/lab/up)"
LAB_SUDOERS_MARK="# mend test lab: passwordless sudo for the lab user (created by tests/lab/up)"
# (the first versions of up used the shorter comment)
is_lab_user_gecos() { [[ $1 == "$LAB_USER_GECOS" || $1 == "mend test lab user" ]]; }
registry_file() { printf '%s/%s\n' "$LAB_REGISTRY" "${1//\//%}"; }

# True if a lab other than the one in $1 is running: a registered state dir
# that still has lab.env, or a mendlab-h* network namespace not in $2 (a
# space-separated list of our own namespace names).
other_labs_running() {
    local self=$1 ours=" ${2:-} " f d ns
    if [[ -d $LAB_REGISTRY ]]; then
        for f in "$LAB_REGISTRY"/*; do
            [[ -f $f ]] || continue
            read -r d <"$f" || continue
            [[ $d == "$self" ]] && continue
            [[ -f $d/lab.env ]] && return 0
        done
    fi
    if command -v ip >/dev/null 2>&1; then
        for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^mendlab-h[0-9]+$' || true); do
            [[ $ours == *" $ns "* ]] || return 0
        done
    fi
    return 1
}

# Process start time (field 22 of /proc/PID/stat), used to make sure a
# recorded PID still names the process we started before signalling it.
proc_starttime() {
    local stat rest
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    rest=${stat##*) }
    # fields after "comm)": state is field 3 -> index 0; starttime is 22 -> index 19
    # shellcheck disable=SC2086
    set -- $rest
    printf '%s\n' "${19}"
}

# pid_alive PID STARTTIME: true if PID is running and is the same process.
pid_alive() {
    local st
    [[ -n ${1:-} && -n ${2:-} ]] || return 1
    st=$(proc_starttime "$1") || return 1
    [[ $st == "$2" ]]
}

# Read "pid starttime" from FILE into REPLY_PID / REPLY_START.
read_pidfile() {
    REPLY_PID='' REPLY_START=''
    [[ -f $1 ]] || return 1
    read -r REPLY_PID REPLY_START <"$1" || true
    [[ -n $REPLY_PID ]]
}

# The PID to nsenter for host N (netns mode): the host's init (PID 1 inside).
host_init_pid() {
    local d
    d=$(host_dir "$1")
    read_pidfile "$d/init.pid" || die "host h$1 has no recorded init pid (is the lab up?)"
    pid_alive "$REPLY_PID" "$REPLY_START" || die "host h$1 is not running (init pid $REPLY_PID is gone)"
    printf '%s\n' "$REPLY_PID"
}

# Run a command inside host N. Netns mode: all the host's namespaces.
# Loopback mode: on this machine, in the host's root dir, with MEND_ROOT set.
in_host() {
    local n=$1
    shift
    if [[ $MEND_LAB_MODE == netns ]]; then
        local pid
        pid=$(host_init_pid "$n")
        nsenter -t "$pid" -n -m -u -p --wdns=/ -- "$@"
    else
        local root
        root="$(host_dir "$n")/fs"
        (cd "$root" && MEND_ROOT=$root "$@")
    fi
}

# in_host_net N CMD...: run CMD from this machine (its files, its programs)
# inside host N's network namespace only: the lab's probes. For namespace
# hosts this is in_host (they share this machine's programs anyway).
in_host_net() {
    local n=$1
    shift
    if [[ ${LAB_KIND:-netns} == nspawn ]]; then
        nsenter -t "$(host_init_pid "$n")" -n -- "$@"
    else
        in_host "$n" "$@"
    fi
}

# host_root N: host N's root directory as seen from this machine: the
# private dirs of a namespace host (fs/), the root of a systemd host (its
# overlay, reachable through its PID 1's /proc/PID/root).
host_root() {
    if [[ ${LAB_KIND:-netns} == nspawn ]]; then
        printf '/proc/%s/root\n' "$(host_init_pid "$1")"
    else
        printf '%s/fs\n' "$(host_dir "$1")"
    fi
}

# host_owner N USER GROUP: "USER:GROUP" for chown from this machine. A
# systemd host has its own /etc/passwd (its package users' ids may differ
# from this machine's): the numeric ids from its files.
host_owner() {
    local r u g
    if [[ ${LAB_KIND:-netns} != nspawn ]]; then
        printf '%s:%s\n' "$2" "$3"
        return 0
    fi
    r=$(host_root "$1")
    u=$(awk -F: -v n="$2" '$1 == n { print $3 }' "$r/etc/passwd")
    g=$(awk -F: -v n="$3" '$1 == n { print $3 }' "$r/etc/group")
    [[ -n $u && -n $g ]] || die "h$1: no user '$2' or group '$3' on the host"
    printf '%s:%s\n' "$u" "$g"
}

# is_systemd_host: the lab's hosts run systemd (tests/lab/up --os).
is_systemd_host() { [[ ${LAB_KIND:-netns} == nspawn ]]; }

require_netns_mode() {
    [[ $MEND_LAB_MODE == netns ]] ||
        die "this needs a lab in netns mode (this lab runs in $MEND_LAB_MODE mode: services would not be isolated)"
}

# try_tcp HOST PORT [EXPECT_PREFIX]: one TCP connect from this shell (no fork);
# if EXPECT_PREFIX is given, the first line the server sends must start with it.
try_tcp() {
    local fd line=''
    exec {fd}<>"/dev/tcp/$1/$2" || return 1
    if [[ -n ${3:-} ]]; then
        IFS= read -r -t 3 -u "$fd" line || true
    fi
    exec {fd}<&-
    [[ -z ${3:-} || $line == "$3"* ]]
}

# wait_tcp HOST PORT TIMEOUT_S [EXPECT_PREFIX]: poll try_tcp until it works.
wait_tcp() {
    local host=$1 port=$2 timeout=$3 expect=${4:-} deadline
    deadline=$(($(now_ms) + timeout * 1000))
    while (($(now_ms) < deadline)); do
        try_tcp "$host" "$port" "$expect" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

want_help() {
    local a
    for a in "$@"; do
        case $a in -h | --help) return 0 ;; --) return 1 ;; esac
    done
    return 1
}
