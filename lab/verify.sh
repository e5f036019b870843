#!/bin/bash
# Checks, from the laptop (this machine's root namespace) and with the real clients, that the
# lab built by lab/setup.sh is restored: the network, SSH to every host, DNS through Pi-hole
# and Unbound, the pool and its datasets, the SMB and NFS shares, and pve1 with its guests
# running and answering. Stops at the first failure with a message saying what is wrong
# (exit 1); --keep-going runs every check and lists all failures.
#
#   lab/verify.sh [--keep-going] [--quiet]
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$LAB_SRC/lib/common.sh"
# shellcheck source=lib/vlans.sh
. "$LAB_SRC/lib/vlans.sh"

keep_going=0 quiet=0
for a in "$@"; do
  case "$a" in
    --keep-going | -k) keep_going=1 ;;
    --quiet | -q) quiet=1 ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "usage: lab/verify.sh [--keep-going] [--quiet]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || die "run me as root"
[ -d "$LAB_DIR" ] || { echo "verify: FAIL: there is no lab ($LAB_DIR is missing): run lab/setup.sh" >&2; exit 1; }

failures=() total=0
# check DESCRIPTION HINT -- COMMAND...: passes when COMMAND exits 0.
check() {
  local what=$1 hint=$2 out
  shift 3
  total=$((total + 1))
  if out=$("$@" 2>&1); then
    [ "$quiet" = 1 ] || printf 'ok    %s\n' "$what"
    return 0
  fi
  out=$(printf '%s' "$out" | tail -n 3 | sed 's/^/        /')
  printf 'FAIL  %s\n      %s\n%s\n' "$what" "$hint" "$out" >&2
  failures+=("$what")
  if [ "$keep_going" = 0 ]; then
    echo "verify: the lab is NOT restored: $what" >&2
    exit 1
  fi
}

# expect WANT COMMAND...: COMMAND's output (trimmed) is exactly WANT.
expect() {
  local want=$1 got
  shift
  got=$("$@" 2>&1) || { echo "$got"; return 1; }
  got=$(printf '%s' "$got" | sed -e 's/[[:space:]]*$//' -e '/^$/d')
  [ "$got" = "$want" ] || { echo "expected '$want', got '$got'"; return 1; }
}

# contains TEXT COMMAND...: COMMAND succeeds and prints TEXT somewhere.
contains() {
  local text=$1 got
  shift
  got=$("$@" 2>&1) || { echo "$got"; return 1; }
  grep -qF -e "$text" <<<"$got" || { echo "'$text' not in: $(tail -n 3 <<<"$got")"; return 1; }
}

# http_status ADDRESS PORT PATH: prints the HTTP status code (plain bash, no HTTP client needed).
# A guest's service answers a moment after its process starts: it is given 10 seconds.
http_status() {
  local i
  for ((i = 0; i < 20; i++)); do
    http_status_once "$@" 2>/dev/null && return 0
    sleep 0.5
  done
  http_status_once "$@"
}
http_status_once() {
  # shellcheck disable=SC2016  # the inner script's own arguments
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$3" "$1" >&3
    IFS=" " read -r _ code _ <&3
    echo "$code"' _ "$1" "$2" "$3"
}

on() { lab_ssh "$@"; }

# this machine's routes that cover the lab, other than its default route
lab_routes() { ip -4 route show match "$LAPTOP_IP" | grep -v '^default '; }

# in_vlan NS COMMAND...: COMMAND on a VLAN's client machine (lib/vlans.sh).
in_vlan() { nsenter --net="/run/netns/$1" -- "${@:2}"; }
# tcp_open NS ADDRESS PORT: from namespace NS, a TCP connection is accepted within 3 seconds.
tcp_open() { in_vlan "$1" timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$2" "$3"; }
# vlan_iface_up IF: the router's interface IF is UP; prints its addresses.
vlan_iface_up() { ip -n lbrouter -br addr show dev "$1" | grep -E '^\S+\s+UP\s'; }
# The router's live table is the one the saved file defines (the file loaded into an empty
# namespace, both listed without counters), as the runbook's router-firewall step checks it.
vlan_ruleset_matches() {
  local live saved
  live=$(in_ns router nft -s list table "$NFT_FAMILY" "$NFT_TABLE") || return 1
  saved=$(unshare --net sh -c 'nft -f "$1" && nft -s list table "$2" "$3"' _ "$NFT_FILE" "$NFT_FAMILY" "$NFT_TABLE") || return 1
  [ "$live" = "$saved" ] || { diff <(printf '%s\n' "$live") <(printf '%s\n' "$saved"); return 1; }
}

# not COMMAND...: passes when COMMAND fails.
not() {
  local out
  if out=$("$@" 2>&1); then echo "unexpectedly worked: $out"; return 1; fi
}

# --- network
for h in router nas pve1; do
  check "the laptop pings $h ($(lab_ip "$h"))" "the lab network is down: lab/setup.sh rebuilds it" -- \
    ping -c1 -W1 "$(lab_ip "$h")"
done
for h in router nas pve1; do
  check "ssh root@$(lab_ip "$h") works with the lab key and known_hosts" \
    "sshd on $h is down or its host key changed (faults.sh start-sshd/fix-hostkey $h)" -- on "$h" true
done
check "router: lan1 is UP" "the runbook's router-lan-link step" -- \
  contains " UP " on router ip -br link show dev lan1
check "router: lan1 has $ROUTER_LAN1_IP/$LAB_PREFIXLEN" "the runbook's router-lan-address step" -- \
  contains "$ROUTER_LAN1_IP/$LAB_PREFIXLEN" on router ip -br addr show dev lan1
check "the laptop pings the router's lan1 address $ROUTER_LAN1_IP" "lan1 is down or has no address" -- \
  ping -c1 -W1 "$ROUTER_LAN1_IP"
check "router: IPv4 forwarding is on" "the runbook's router-forwarding step" -- \
  expect 1 on router sysctl -n net.ipv4.ip_forward
check "nas: default route via the router" "the runbook's nas-route step" -- \
  contains "default via $ROUTER_IP" on nas ip route show default

# --- DNS
check "router: Unbound answers nas.home.arpa on 127.0.0.1:$UNBOUND_PORT" "unbound is stopped (faults.sh fix-dns)" -- \
  expect "$NAS_IP" on router dig @127.0.0.1 -p "$UNBOUND_PORT" nas.home.arpa A +short +time=2 +tries=1
for h in nas pve1 router; do
  check "the laptop resolves $h.home.arpa through Pi-hole ($ROUTER_IP:53)" "pihole-FTL or unbound is stopped" -- \
    expect "$(lab_ip "$h")" dig @"$ROUTER_IP" -p 53 "$h.home.arpa" A +short +time=2 +tries=1
done
check "the laptop resolves $PUBLIC_NAME through Pi-hole: Unbound recurses from the lab's root" \
  "Unbound's root hints, or the lab root/TLD servers (namespace lbinet)" -- \
  expect "$PUBLIC_NAME_IP" dig @"$ROUTER_IP" -p 53 "$PUBLIC_NAME" A +short +time=3 +tries=1
check "Pi-hole blocks $BLOCKED_NAME (0.0.0.0)" "gravity is empty: pihole -g on the router (the runbook's dns-filtering step)" -- \
  expect 0.0.0.0 dig @"$ROUTER_IP" -p 53 "$BLOCKED_NAME" A +short +time=2 +tries=1
check "nas resolves pve1.home.arpa through the router" "DNS or the NAS's network" -- \
  expect "$PVE1_IP" on nas dig @"$ROUTER_IP" pve1.home.arpa A +short +time=2 +tries=1

# --- ZFS
check "nas: pool $POOL is imported and ONLINE" "the pool is exported or degraded (zpool import -d $LAB_DIR/nas/disks $POOL)" -- \
  expect ONLINE on nas zpool list -H -o health "$POOL"
check "nas: $POOL/private is unlocked (its key is loaded)" "zfs load-key -L prompt $POOL/private with its passphrase (the runbook's unlock-private)" -- \
  expect available on nas zfs get -H -o value keystatus "$POOL/private"
for ds in data private backup; do
  check "nas: $POOL/$ds is mounted" "zfs mount -a on the NAS" -- \
    expect yes on nas zfs get -H -o value mounted "$POOL/$ds"
done

check "nas: the files of $POOL/private read back in plaintext" "its key is loaded but it is not mounted: zfs mount $POOL/private" -- \
  contains "encrypted at rest" on nas cat "$LAB_DIR/nas/tank/private/tax-2025.txt"
# --- the backup pool: replicas of tank/data and tank/backup, the newest at most 26h old
check "nas: pool backup is imported and ONLINE" "the backup pool is missing (lab/setup.sh makes it)" -- \
  expect ONLINE on nas zpool list -H -o health backup
for ds in data backup; do
  # shellcheck disable=SC2016  # run by the NAS's shell
  check "nas: the replica backup/$POOL/$ds has a snapshot at most 26h old" "replication stopped (faults.sh fix-replica)" -- \
    on nas "r=backup/$POOL/$ds"'; n=$(zfs list -H -t snapshot -o name -s creation -r "$r" | grep -F -e "$r@" | tail -n 1) && [ -n "$n" ] && c=$(zfs get -H -p -o value creation "$n") && a=$(( $(date +%s) - c )) && echo "$n is ${a}s old" && [ "$a" -le 93600 ]'
done

# --- shares, with the real clients
check "SMB: the NAS lists the share media (smbclient -L, anonymous)" "smbd is stopped or not on :$SMB_PORT" -- \
  contains media smbclient -L "$NAS_IP" -p "$SMB_PORT" -N -g
check "SMB: //$NAS_IP/media serves the pool's files" "smbd serves an empty folder: restart it after the pool is mounted" -- \
  contains "Big Buck Bunny (2008).mkv" smbclient "//$NAS_IP/media" -p "$SMB_PORT" -N -c 'ls Movies/*'
check "NFS: nfs://$NAS_IP/export serves the pool's files (NFSv4)" "nfs-ganesha is stopped, or serves the empty mountpoint: restart it" -- \
  contains "Big Buck Bunny (2008).mkv" nfs-ls "nfs://$NAS_IP/export/media/Movies?version=4&nfsport=$NFS_PORT"
check "NFS: nfs://$NAS_IP/backup lists the backups" "nfs-ganesha's export /backup" -- \
  contains "dump" nfs-ls "nfs://$NAS_IP/backup?version=4&nfsport=$NFS_PORT"
check "SMB: the laptop's mount of //$NAS_IP/media (rclone) shows the pool's files" \
  "smbd is stopped, or the mount at $CLIENT_MNT is gone (lab/setup.sh mounts it again)" -- \
  contains "Big Buck Bunny (2008).mkv" ls "$CLIENT_MNT/Movies"

# --- Proxmox
# shellcheck disable=SC2016  # run by pve1's shell
check "pve1: a standalone node, or a quorate cluster" "pvecm expected 1, or faults.sh fix-quorum" -- \
  on pve1 'out=$(pvecm status 2>&1); rc=$?; [ "$rc" = 0 ] && grep -q "Quorate: *Yes" <<<"$out" || grep -q "is this node part of a cluster" <<<"$out"'
check "pve1: no guest is locked" "qm unlock / pct unlock (after a backup cut short)" -- \
  not on pve1 'grep -l "^lock:" /tmp/lifeboat-lab/pve1/etc-pve/qemu-server/*.conf /tmp/lifeboat-lab/pve1/etc-pve/lxc/*.conf' 
check "pve1: the storage nas-backup is active" "the NAS's NFS export /backup" -- \
  contains '"active":1' on pve1 pvesh get /nodes/localhost/storage/nas-backup/status --output-format json
for g in "${LAB_GUESTS[@]}"; do
  read -r id kind name ip port <<<"$g"
  tool=qm
  [ "$kind" = qemu ] || tool=pct
  check "pve1: $tool status $id ($name) is running" "$tool start $id on pve1" -- \
    expect "status: running" on pve1 "$tool" status "$id"
  if [ "$name" = homeassistant ]; then
    check "Home Assistant answers http://$ip:$port/manifest.json" "the VM runs but its service does not answer" -- \
      expect 200 http_status "$ip" "$port" /manifest.json
  else
    check "$name answers on $ip:$port" "the guest runs but its service does not answer" -- \
      expect 200 http_status "$ip" "$port" /
  fi
done

# --- VLANs: a client machine on each, routed by the router, filtered by its firewall
check "router: its firewall (table $NFT_FAMILY $NFT_TABLE) is the saved $NFT_FILE" "the runbook's router-firewall step" -- \
  vlan_ruleset_matches
for v in "${LAB_VLANS[@]}"; do
  vif=$(vlan_if "$v")
  check "router: $vif is UP with $(vlan_router_ip "$v")/$VLAN_PREFIXLEN" "the runbook's router-vlan-links and router-vlan-addresses steps" -- \
    contains "$(vlan_router_ip "$v")/$VLAN_PREFIXLEN" vlan_iface_up "$vif"
done
clients=${LAB_VLANS[0]} iot=${LAB_VLANS[1]}
cns=$(vlan_field "$clients" 4) ins=$(vlan_field "$iot" 4)
# the NAS's answer comes back with TTL 63: one router crossed
check "VLAN $(vlan_field "$clients" 1): $cns ($(vlan_client_ip "$clients")) pings the NAS through the router (ttl=63)" \
  "the router's VLAN port, forwarding, or the NAS's default route" -- \
  contains "ttl=63" in_vlan "$cns" ping -c1 -W2 "$NAS_IP"
check "VLAN $(vlan_field "$clients" 1): $cns lists //$NAS_IP/media with smbclient (allowed by the firewall)" \
  "smbd, the router's forwarding or its firewall" -- \
  contains "Big Buck Bunny (2008).mkv" in_vlan "$cns" smbclient "//$NAS_IP/media" -p "$SMB_PORT" -N -c 'ls Movies/*'
check "VLAN $(vlan_field "$iot" 1): $ins reaches Home Assistant $IOT_ALLOWED_IP:$IOT_ALLOWED_PORT (allowed)" \
  "the router's forwarding or its firewall, or VM 101 is down" -- tcp_open "$ins" "$IOT_ALLOWED_IP" "$IOT_ALLOWED_PORT"
check "VLAN $(vlan_field "$iot" 1): $ins cannot reach the NAS's ssh $NAS_IP:22 (blocked by the firewall)" \
  "the router's firewall is not loaded: the runbook's router-firewall step" -- not tcp_open "$ins" "$NAS_IP" 22

# --- containment: the lab must not reach (or be reached from) anything beyond its subnet
check "containment: the router has no route off $LAB_SUBNET" "a route was added on the router: lab/setup.sh rebuilds it" -- \
  not on router ip route get 1.1.1.1
check "containment: the NAS cannot reach beyond the lab (ping 1.1.1.1 fails)" "a route off the lab exists" -- \
  not on nas ping -c1 -W1 1.1.1.1
check "containment: a VLAN client cannot reach beyond the lab (ping 1.1.1.1 fails)" "a route off the lab exists on the router" -- \
  not in_vlan "$(vlan_field "${LAB_VLANS[0]}" 4)" ping -c1 -W1 1.1.1.1
check "containment: this machine's only route into the lab is $LAB_SUBNET dev $LAB_HOST_IF" "a route to the lab changed" -- \
  expect "$LAB_SUBNET dev $LAB_HOST_IF proto kernel scope link src $LAPTOP_IP" lab_routes

if [ "${#failures[@]}" -gt 0 ]; then
  echo "verify: the lab is NOT restored: ${#failures[@]} of $total checks failed:" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "verify: the lab is restored ($total checks passed)"
