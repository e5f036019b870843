# shellcheck shell=bash
# shellcheck disable=SC2034  # constants used by the scripts that source this file
# Constants and helpers shared by the lab scripts and by the stand-in commands (shims) that
# run inside the lab's hosts. Sourced, never run. setup.sh copies it to $LAB_DIR/lib/.

# The state dir is a constant so that lab/inventory.yaml can name its key files statically.
LAB_DIR=/tmp/lifeboat-lab

# One private subnet, used by nothing else on this machine (setup.sh checks).
LAB_SUBNET=10.213.7.0/24
LAB_PREFIXLEN=24
LAPTOP_IP=10.213.7.100      # the root namespace: "the laptop plugged into the LAN switch"
ROUTER_IP=10.213.7.1        # router lan0: SSH, Pi-hole (DNS :53), the NAS's gateway
ROUTER_LAN1_IP=10.213.7.2   # router lan1: the runbook's lan_if / lan_cidr in the lab
NAS_IP=10.213.7.20
PVE1_IP=10.213.7.30
# "The internet's DNS", inside the lab (namespace lbinet): a root server answering for "." that
# delegates org. to a TLD server, which answers for deb.debian.org (the runbook's probe of
# recursion). Unbound on the router has the lab root as its only root hint.
ROOT_DNS_IP=10.213.7.53
TLD_DNS_IP=10.213.7.54
PUBLIC_NAME=deb.debian.org
PUBLIC_NAME_IP=10.213.7.80
# On the lab Pi-hole's adlist: answers 0.0.0.0 once gravity is built (`pihole -g`).
BLOCKED_NAME=doubleclick.net

# Network namespaces: the runbook's hosts, plus the switch holding the LAN bridge.
LAB_HOSTS=(router nas pve1)
LAB_NAMESPACES=(lbrouter lbnas lbpve1 lbinet lbswitch)
LAB_HOST_IF=lbhost0         # the root namespace's only lab interface
SMB_PORT=4445
# The laptop's mount of the NAS's SMB share media, where a laptop would have /mnt/nas/media:
# rclone's SMB client over FUSE (this machine has no kernel SMB or NFS client).
CLIENT_MNT=$LAB_DIR/laptop/mnt/nas/media
NFS_PORT=2049
UNBOUND_PORT=5335
POOL=tank

# Guests of pve1: id, kind, name, address, TCP port of the service that answers once it runs.
# The stand-in "boots" a guest by adding its address to pve1's vmbr0 and starting a tiny
# HTTP server there (lab/guest/http-guest.mjs); Home Assistant answers /manifest.json.
LAB_GUESTS=(
  "102 qemu docker 10.213.7.42 9000"
  "101 qemu homeassistant 10.213.7.41 8123"
  "200 lxc jellyfin 10.213.7.50 8096"
)

SSH_KEY="$LAB_DIR/ssh/id_ed25519"
KNOWN_HOSTS="$LAB_DIR/ssh/known_hosts"

lab_ns() { printf 'lb%s' "$1"; }

lab_ip() {
  case "$1" in
    router) printf '%s' "$ROUTER_IP" ;;
    nas) printf '%s' "$NAS_IP" ;;
    pve1) printf '%s' "$PVE1_IP" ;;
    laptop) printf '%s' "$LAPTOP_IP" ;;
    *) echo "lab: unknown host '$1' (router, nas, pve1)" >&2; return 2 ;;
  esac
}

lab_is_host() { case "$1" in router | nas | pve1) return 0 ;; *) return 1 ;; esac; }

# Runs a command in a lab host's network namespace. nsenter (not `ip netns exec`) keeps the
# machine's one mount namespace, so ZFS (FUSE) mounts are seen by every lab process.
in_ns() {
  local ns
  ns=$(lab_ns "$1")
  shift
  nsenter --net="/run/netns/$ns" -- "$@"
}

ns_exists() { [ -e "/run/netns/$1" ]; }

# The lab scripts hold a lock on fd 9 (flock), the stand-ins theirs on 5 to 8; every daemon
# they start is started by `detached`, or it would hold those locks for as long as it runs.

# A lock taken around a lab script (`flock FILE lab/setup.sh`, without -o) is an open file the
# script inherits: its daemons would inherit it too and hold that lock until teardown. Closes
# every inherited descriptor but stdin, stdout, stderr (and bash's own 255).
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    case "$fd" in 0 | 1 | 2 | 255) continue ;; esac
    eval "exec $fd>&-" 2>/dev/null || true
  done
}

# Runs COMMAND with no descriptor but stdin, stdout and stderr, so that a daemon keeps no lock
# of the script that started it. Meant for the background (`detached CMD... &`): it execs, so
# $! is the command's own pid.
detached() {
  close_inherited_fds
  exec "$@"
}

log() { printf '[lab] %s\n' "$*" >&2; }
die() { printf '[lab] error: %s\n' "$*" >&2; exit 1; }

# One lab per machine (fixed state dir, namespaces, addresses): its scripts take one lock of the
# machine, whichever checkout they run from, waiting up to SECONDS for another script to end.
LAB_LOCK=/run/lock/lifeboat-lab.lock
# A script run by the one holding the lock (faults.sh fix-all runs faults.sh fix-config ...)
# works under its lock: waiting for it would wait for its own parent.
lab_lock() {
  [ -n "${LAB_LOCK_HOLDER:-}" ] && [ "$LAB_LOCK_HOLDER" = "$PPID" ] && return 0
  mkdir -p "${LAB_LOCK%/*}"
  exec 9>>"$LAB_LOCK"
  flock -w "$1" 9 || die "another lab script is running (it holds $LAB_LOCK)"
  export LAB_LOCK_HOLDER=$$
}

# ssh from the laptop (root namespace) to a lab host, exactly as the runbook's inventory says.
lab_ssh() {
  local host=$1 ip
  shift
  ip=$(lab_ip "$host")
  ssh -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$KNOWN_HOSTS" -o GlobalKnownHostsFile=/dev/null \
    -o IdentitiesOnly=yes -i "$SSH_KEY" -o LogLevel=ERROR "root@$ip" "$@"
}

# pid helpers: a pid file is only trusted when its process still runs the expected program.
pid_alive() {
  local pidfile=$1 comm=$2 pid
  [ -s "$pidfile" ] || return 1
  pid=$(tr -dc '0-9' <"$pidfile")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ -z "$comm" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$comm" ] || return 1
  # a zombie is not alive
  [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

pid_of() { tr -dc '0-9' <"$1"; }

# Is a process of this exact name running (zombies, which are only waiting to be reaped, not counted)?
proc_running() {
  local pid
  for pid in $(pgrep -x "$1" || true); do
    [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ] || return 0
  done
  return 1
}

# Stops a process: TERM, then KILL after a grace period. Returns once it is gone.
kill_pid() {
  local pid=$1 grace=${2:-10} i
  [ -d "/proc/$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    if [ ! -d "/proc/$pid" ] || [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then return 0; fi
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    [ -d "/proc/$pid" ] || return 0
    [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 0
    sleep 0.1
  done
}

# Is something listening on PORT (tcp or udp) in host's namespace, optionally on ADDR?
port_listening() {
  local host=$1 proto=$2 port=$3 addr=${4:-}
  local flag=-Hltn
  [ "$proto" = udp ] && flag=-Hlun
  if [ -n "$addr" ]; then
    in_ns "$host" ss "$flag" "src $addr and sport = :$port" 2>/dev/null | grep -q .
  else
    in_ns "$host" ss "$flag" "sport = :$port" 2>/dev/null | grep -q .
  fi
}

# Written by setup.sh: where node is (for the guests' stand-in services).
NODE_BIN=node
if [ -f "$LAB_DIR/lab.env" ]; then
  # shellcheck source=/dev/null
  . "$LAB_DIR/lab.env"
fi
