#!/bin/bash
# Builds the Lifeboat end-to-end lab on this machine and leaves it in its "disaster" state, so
# that `lifeboat run runbooks/homelab.yaml --inventory lab/inventory.yaml` has real work to do.
#
#   lab/setup.sh            build (or rebuild) the lab, then break it: the disaster
#   lab/setup.sh --healthy  build it and leave everything running (to try verify.sh/faults.sh)
#
# Safe to run again at any time: it creates what is missing and resets the lab to the state
# asked for. lab/teardown.sh removes all of it. Needs root (network namespaces, mounts).
#
# What it builds (addresses in lib/common.sh), all on 10.213.7.0/24:
#   lbswitch  the LAN switch: bridge br0, one port per machine
#   root ns   "the laptop": lbhost0 10.213.7.100/24, the only route to the lab
#   lbrouter  router: lan0 10.213.7.1 (SSH, Pi-hole :53, Unbound 127.0.0.1:5335), lan1 (the
#             runbook's lan_if, 10.213.7.2/24 once repaired)
#   lbnas     nas 10.213.7.20: zfs-fuse pool tank (two file "disks"), smbd :4445, nfs-ganesha :2049
#   lbpve1    pve1 10.213.7.30: Proxmox stand-ins; guests on 10.213.7.41/.42/.50 when running
#   lbinet    "the internet's DNS": the lab's root server 10.213.7.53 (zone .), which delegates
#             org. to the TLD server 10.213.7.54; Unbound's only root hint is the lab root
#   VLANs     (lib/vlans.sh) a bridge per VLAN in lbswitch: br20 (clients, 10.213.20.0/24) and
#             br30 (IoT, 10.213.30.0/24), the router's ports lan0.20/lan0.30 (.1) on them, a
#             client namespace on each (lbclient, lbiot: .10); the router's saved nftables
#             ruleset router/nftables.conf (empty in the disaster, as its VLAN ports are down)
# The laptop mounts the NAS's SMB share media (rclone over FUSE) on
# /tmp/lifeboat-lab/laptop/mnt/nas/media: in the disaster the mount is there, but shows nothing.
# Each host runs a real sshd (port 22) with its own host key; the laptop's key and known_hosts
# are in /tmp/lifeboat-lab/ssh.
set -euo pipefail

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
. "$LAB_SRC/lib/common.sh"
# shellcheck source=lib/services.sh
. "$LAB_SRC/lib/services.sh"
# shellcheck source=lib/pve.sh
. "$LAB_SRC/lib/pve.sh"
# shellcheck source=lib/crypt.sh
. "$LAB_SRC/lib/crypt.sh"
# shellcheck source=lib/vlans.sh
. "$LAB_SRC/lib/vlans.sh"
# shellcheck source=lib/replica.sh
. "$LAB_SRC/lib/replica.sh"

PACKAGES=(openssh-server openssh-client unbound bind9-dnsutils zfs-fuse samba smbclient nfs-ganesha
  nfs-ganesha-vfs libnfs-utils rclone gocryptfs iproute2 iputils-ping procps nftables faketime psmisc)
# Paths outside the state dir that the lab's daemons may create; teardown removes the ones that
# did not exist before the lab first came up.
# (Samba's rpcd_* helpers open empty logs under /var/log/samba whatever the configuration says.)
HOST_PATHS=(/run/netns /run/sshd /run/zfs /run/lock/zfs /run/blkid /run/ganesha /var/lib/zfs/zpool.cache
  /mnt/pve/nas-backup /mnt/pve /var/log/samba/log.samba-dcerpcd /var/log/samba/log.rpcd_classic
  /var/log/samba/log.rpcd_epmapper /var/log/samba/log.rpcd_fsrvp /var/log/samba/log.rpcd_lsad
  /var/log/samba/log.rpcd_mdssvc /var/log/samba/log.rpcd_spoolss /var/log/samba/log.rpcd_winreg)
DISK_DIR="$LAB_DIR/nas/disks"
DISKS=("$DISK_DIR/ata-LAB_HDD_0001" "$DISK_DIR/ata-LAB_HDD_0002")
POOL_MNT="$LAB_DIR/nas/tank"

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

mode=disaster
case "${1:-}" in
  '') ;;
  --healthy) mode=healthy ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

[ "$(id -u)" = 0 ] || die "run me as root (network namespaces, mounts)"
close_inherited_fds
lab_lock 120
started=$(date +%s.%N)

install_packages() {
  local p missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  local t
  for t in nsenter setsid flock ssh ssh-keygen sshd unbound unbound-checkconf dig zpool zfs smbd smbclient \
    testparm ganesha.nfsd nfs-ls rclone gocryptfs gocryptfs-xray fusermount ping ss findmnt; do
    command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || [ -x "/sbin/$t" ] || die "$t is missing"
  done
  command -v node >/dev/null || die "node is missing (the guests' stand-in services run on it)"
}

# The lab's subnet must be free: no route or address of this machine may touch it.
check_subnet() {
  local clash
  clash=$( {
    ip -4 route show root "$LAB_SUBNET"
    ip -4 route show match "$LAB_SUBNET" | grep -v '^default '
  } | grep -v " dev $LAB_HOST_IF " || true)
  [ -z "$clash" ] || die "$LAB_SUBNET is already routed here: $clash"
  clash=$(ip -4 -o addr show | grep ' 10\.213\.7\.' | grep -v " $LAB_HOST_IF " || true)
  [ -z "$clash" ] || die "an address of $LAB_SUBNET is already in use: $clash"
  check_vlan_subnets
}

record_host_paths() {
  local p
  mkdir -p "$LAB_DIR"
  chmod 755 "$LAB_DIR"
  [ -f "$LAB_DIR/host-paths-created" ] && return 0
  : >"$LAB_DIR/host-paths-created.tmp"
  for p in "${HOST_PATHS[@]}"; do
    [ -e "$p" ] || echo "$p" >>"$LAB_DIR/host-paths-created.tmp"
  done
  mv "$LAB_DIR/host-paths-created.tmp" "$LAB_DIR/host-paths-created"
}

install_lab_files() {
  local host
  mkdir -p "$LAB_DIR/lib" "$LAB_DIR/run" "$LAB_DIR/log"
  install -m 0644 "$LAB_SRC/lib/common.sh" "$LAB_SRC/lib/services.sh" "$LAB_SRC/lib/pve.sh" \
    "$LAB_SRC/guest/http-guest.mjs" "$LAB_DIR/lib/"
  printf 'NODE_BIN=%q\n' "$(command -v node)" >"$LAB_DIR/lab.env"
  for host in "${LAB_HOSTS[@]}"; do
    rm -rf "${LAB_DIR:?}/${host:?}/bin"
    mkdir -p "$LAB_DIR/$host/bin"
    install -m 0755 "$LAB_SRC/shims/systemctl" "$LAB_DIR/$host/bin/"
  done
  install -m 0755 "$LAB_SRC/shims/pihole" "$LAB_DIR/router/bin/"
  install -m 0755 "$LAB_SRC/shims/qm" "$LAB_SRC/shims/pct" "$LAB_SRC/shims/qmrestore" \
    "$LAB_SRC/shims/pvesh" "$LAB_SRC/shims/pvecm" "$LAB_DIR/pve1/bin/"
  install -m 0755 "$LAB_SRC/shims/zfs" "$LAB_DIR/nas/bin/"
}

# ---------------------------------------------------------------------------------------------
# Network: a bridge in lbswitch, one veth per machine; nothing routes off the subnet.

ns_sysctl() { nsenter --net="/run/netns/$1" -- sysctl -qw "${@:2}"; }

# plug NS IFNAME PORT [BRIDGE]: a cable from IFNAME in NS (or the root namespace) to switch port
# PORT, a port of the LAN's bridge br0 or of another segment's (a VLAN's).
plug() {
  local ns=$1 ifname=$2 port=$3 bridge=${4:-br0}
  if ! ip -n lbswitch link show dev "$port" >/dev/null 2>&1; then
    if [ "$ns" = root ]; then
      ip link del "$ifname" 2>/dev/null || true
      ip link add "$ifname" type veth peer name "$port" netns lbswitch
    else
      ip -n "$ns" link del "$ifname" 2>/dev/null || true
      ip -n "$ns" link add "$ifname" type veth peer name "$port" netns lbswitch
    fi
  fi
  ip -n lbswitch link set "$port" master "$bridge" up
}

build_network() {
  local ns
  for ns in "${LAB_NAMESPACES[@]}"; do
    ns_exists "$ns" || ip netns add "$ns"
    ns_sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  # The router answers ARP only on the interface that has the address asked for, so its two
  # LAN ports never steal each other's traffic.
  ns_sysctl lbrouter net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
    net.ipv4.conf.default.arp_ignore=1 net.ipv4.conf.default.arp_announce=2 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  ip -n lbswitch link show dev br0 >/dev/null 2>&1 || ip -n lbswitch link add br0 type bridge
  ip -n lbswitch link set br0 up

  plug root "$LAB_HOST_IF" sw-laptop
  plug lbrouter lan0 sw-router0
  plug lbrouter lan1 sw-router1
  plug lbnas eth0 sw-nas
  plug lbpve1 vmbr0 sw-pve1
  plug lbinet eth0 sw-inet

  # The laptop: one address, hence one connected route to the lab's /24 and nothing else.
  sysctl -qw "net.ipv6.conf.$LAB_HOST_IF.disable_ipv6=1"
  ip addr replace "$LAPTOP_IP/$LAB_PREFIXLEN" dev "$LAB_HOST_IF"
  ip link set "$LAB_HOST_IF" up

  ip -n lbrouter addr replace "$ROUTER_IP/$LAB_PREFIXLEN" dev lan0
  ip -n lbrouter link set lan0 up
  ip -n lbnas addr replace "$NAS_IP/$LAB_PREFIXLEN" dev eth0
  ip -n lbnas link set eth0 up
  ip -n lbpve1 addr replace "$PVE1_IP/$LAB_PREFIXLEN" dev vmbr0
  ip -n lbpve1 link set vmbr0 up
  ip -n lbpve1 route replace default via "$ROUTER_IP"
  ip -n lbinet addr replace "$ROOT_DNS_IP/$LAB_PREFIXLEN" dev eth0
  ip -n lbinet addr replace "$TLD_DNS_IP/$LAB_PREFIXLEN" dev eth0
  ip -n lbinet link set eth0 up

  local ip i
  for ip in "$ROUTER_IP" "$NAS_IP" "$PVE1_IP" "$ROOT_DNS_IP"; do
    for ((i = 0; i < 20; i++)); do
      ping -c1 -W1 -I "$LAB_HOST_IF" "$ip" >/dev/null 2>&1 && continue 2
      sleep 0.2
    done
    die "$ip does not answer pings from the laptop ($LAB_HOST_IF)"
  done
  build_vlans
}

# The VLAN subnets must be free too: no route or address of this machine may touch them.
check_vlan_subnets() {
  local v net clash
  for v in "${LAB_VLANS[@]}"; do
    net="$(vlan_field "$v" 3).0/$VLAN_PREFIXLEN"
    clash=$( {
      ip -4 route show root "$net"
      ip -4 route show match "$net" | grep -v '^default '
      ip -4 -o addr show | grep -F " $(vlan_field "$v" 3)."
    } || true)
    [ -z "$clash" ] || die "the lab's VLAN subnet $net is already in use here: $clash"
  done
}

# Each VLAN a segment of its own (lib/vlans.sh): a bridge brID in the switch, the router's port
# VLAN_PARENT.ID on it, a client namespace with one address and its default route via the
# router. Only the router has a foot in every segment; it has no route off the lab.
build_vlans() {
  local v id ns
  command -v nft >/dev/null || die "nft is missing (package nftables)"
  for v in "${LAB_VLANS[@]}"; do
    id=$(vlan_field "$v" 1) ns=$(vlan_field "$v" 4)
    ip -n lbswitch link show dev "br$id" >/dev/null 2>&1 || ip -n lbswitch link add "br$id" type bridge
    ip -n lbswitch link set "br$id" up
    plug lbrouter "$(vlan_if "$v")" "sw-router$id" "br$id"
    plug "$ns" eth0 "sw-$(vlan_field "$v" 2)" "br$id"
    ip -n "$ns" addr replace "$(vlan_client_ip "$v")/$VLAN_PREFIXLEN" dev eth0
    ip -n "$ns" link set eth0 up
    # the router's port up with its address while the client's route is added (break_lab then
    # takes both away)
    ip -n lbrouter link set "$(vlan_if "$v")" up
    ip -n lbrouter addr replace "$(vlan_router_ip "$v")/$VLAN_PREFIXLEN" dev "$(vlan_if "$v")"
    ip -n "$ns" route replace default via "$(vlan_router_ip "$v")"
  done
  write_nft_ruleset
}

# The router's saved firewall (what /etc/nftables.conf is on the real one): the runbook's
# router-firewall step loads it with `nft -f`.
write_nft_ruleset() {
  local clients iot
  clients=$(vlan_if "${LAB_VLANS[0]}") iot=$(vlan_if "${LAB_VLANS[1]}")
  mkdir -p "$(dirname "$NFT_FILE")"
  cat >"$NFT_FILE" <<EOF
#!/usr/sbin/nft -f
# The lab router's firewall (written by lab/setup.sh). Loaded with \`nft -f\`, as the nftables
# service does at boot; loading it again replaces the table, and no other table is touched.
#
# Only traffic routed between the segments is filtered (chain forward). The router's own
# services (SSH, DNS) have no rule here, and traffic within one segment never reaches the
# router's forward hook: the laptop, the NAS and pve1 talk as before.
#   the LAN ($VLAN_PARENT, lan1: servers, the laptop) -> anywhere            allowed
#   clients, VLAN $(vlan_field "${LAB_VLANS[0]}" 1) ($clients) -> anywhere                 allowed (the NAS's shares, ...)
#   IoT, VLAN $(vlan_field "${LAB_VLANS[1]}" 1) ($iot) -> Home Assistant $IOT_ALLOWED_IP:$IOT_ALLOWED_PORT   allowed
#   IoT -> anything else (the NAS's ssh and SMB, ...)                 dropped
#   answers to an allowed connection                                  allowed
table $NFT_FAMILY $NFT_TABLE
delete table $NFT_FAMILY $NFT_TABLE
table $NFT_FAMILY $NFT_TABLE {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iifname { "$VLAN_PARENT", "lan1" } accept comment "the LAN: anywhere"
		iifname "$clients" counter accept comment "clients VLAN: anywhere"
		iifname "$iot" ip daddr $IOT_ALLOWED_IP tcp dport $IOT_ALLOWED_PORT counter accept comment "IoT VLAN: Home Assistant only"
		iifname "$iot" counter drop comment "IoT VLAN: nothing else"
	}
}
EOF
  nsenter --net=/run/netns/lbrouter -- nft -c -f "$NFT_FILE" || die "the router's ruleset $NFT_FILE is invalid"
}

# ---------------------------------------------------------------------------------------------
# SSH: throwaway keys, one sshd per host with the host's stand-in commands first in PATH.

make_keys() {
  local host key
  mkdir -p "$LAB_DIR/ssh"
  chmod 700 "$LAB_DIR/ssh"
  [ -f "$SSH_KEY" ] || ssh-keygen -q -t ed25519 -N '' -C lifeboat-lab-laptop -f "$SSH_KEY" </dev/null
  install -m 0600 "$SSH_KEY.pub" "$LAB_DIR/ssh/authorized_keys"
  : >"$KNOWN_HOSTS.tmp"
  for host in "${LAB_HOSTS[@]}"; do
    key="$LAB_DIR/$host/ssh_host_ed25519_key"
    mkdir -p "$LAB_DIR/$host"
    # a wrong-hostkey fault (faults.sh) kept the real key aside: put it back
    if [ -f "$key.orig" ]; then mv -f "$key.orig" "$key" && mv -f "$key.orig.pub" "$key.pub"; fi
    [ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C "lab-$host" -f "$key" </dev/null
    printf '%s %s\n' "$(lab_ip "$host")" "$(cut -d' ' -f1,2 "$key.pub")" >>"$KNOWN_HOSTS.tmp"
  done
  mv "$KNOWN_HOSTS.tmp" "$KNOWN_HOSTS"
  chmod 644 "$KNOWN_HOSTS"
}

write_sshd_config() {
  local host=$1
  cat >"$LAB_DIR/$host/sshd_config" <<EOF
# sshd of the lab host $host (written by lab/setup.sh)
Port 22
ListenAddress $(lab_ip "$host")
HostKey $LAB_DIR/$host/ssh_host_ed25519_key
PidFile $(svc_pidfile "$host" ssh)
AuthorizedKeysFile $LAB_DIR/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
MaxSessions 64
MaxStartups 64:30:128
ClientAliveInterval 30
# The host's stand-ins (systemctl, pihole, qm, ...) come first in every session's PATH.
# SHLVL=1: bash then does not read ~/.bashrc for an SSH command (it does so only as a top-level
# shell): the hosts share this machine's /root, whose .bashrc belongs to the laptop, not to them.
SetEnv PATH=$LAB_DIR/$host/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LIFEBOAT_LAB_HOST=$host SHLVL=1
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
}

start_sshds() {
  local host
  mkdir -p /run/sshd
  for host in "${LAB_HOSTS[@]}"; do
    write_sshd_config "$host"
    /usr/sbin/sshd -t -f "$LAB_DIR/$host/sshd_config" || die "sshd_config of $host is invalid"
    # a running sshd keeps the old host key or config: restart it
    svc_stop "$host" ssh
    svc_start "$host" ssh || die "sshd on $host did not start"
  done
  for host in "${LAB_HOSTS[@]}"; do
    # shellcheck disable=SC2016  # expanded by the remote shell
    [ "$(lab_ssh "$host" 'echo "$LIFEBOAT_LAB_HOST"')" = "$host" ] || die "ssh root@$(lab_ip "$host") does not work"
  done
}

# ---------------------------------------------------------------------------------------------
# DNS on the router: Unbound (local zone home.arpa) on 127.0.0.1@5335, "Pi-hole" on :53.

write_dns_configs() {
  local g id kind name ip port
  mkdir -p "$LAB_DIR/router/unbound" "$LAB_DIR/router/pihole"
  {
    cat <<EOF
# Unbound on the lab router (written by lab/setup.sh): recursive resolver and local zone.
server:
    interface: 127.0.0.1@$UNBOUND_PORT
    port: $UNBOUND_PORT
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$LAB_DIR/router/unbound"
    pidfile: "$(svc_pidfile router unbound)"
    use-syslog: no
    logfile: ""
    verbosity: 1
    access-control: 127.0.0.0/8 allow
    access-control: $LAB_SUBNET allow
    # The lab has no internet: its root is the lab's own (namespace lbinet), which delegates
    # org. to a lab TLD server. No trust anchor: the lab's zones are not signed.
    root-hints: "$LAB_DIR/router/unbound/root.hints"
    local-zone: "home.arpa." static
    local-data: "router.home.arpa. 300 IN A $ROUTER_IP"
    local-data: "nas.home.arpa. 300 IN A $NAS_IP"
    local-data: "pve1.home.arpa. 300 IN A $PVE1_IP"
EOF
    for g in "${LAB_GUESTS[@]}"; do
      read -r id kind name ip port <<<"$g"
      printf '    local-data: "%s.home.arpa. 300 IN A %s"\n' "$name" "$ip"
    done
    printf 'remote-control:\n    control-enable: no\n'
  } >"$LAB_DIR/router/unbound/unbound.conf"
  cat >"$LAB_DIR/router/pihole/unbound.conf" <<EOF
# "Pi-hole" on the lab router (written by lab/setup.sh). Pi-hole is not packaged: this Unbound
# plays pihole-FTL, answering the LAN on :53 and forwarding every query, the local zone
# included, to Unbound on 127.0.0.1#$UNBOUND_PORT, like Pi-hole's usual upstream setting.
server:
    interface: $ROUTER_IP@53
    interface: 127.0.0.1@53
    port: 53
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$LAB_DIR/router/pihole"
    pidfile: "$(svc_pidfile router pihole-FTL)"
    use-syslog: no
    logfile: ""
    verbosity: 1
    access-control: 127.0.0.0/8 allow
    access-control: $LAB_SUBNET allow
    do-not-query-localhost: no
    cache-max-negative-ttl: 5
    local-zone: "home.arpa." nodefault
    domain-insecure: "home.arpa."
    # Blocking: the domains of the adlists, as \`pihole -g\` ("gravity") last built them, each
    # answering 0.0.0.0 (Pi-hole's default blocking mode, NULL).
    include: "$LAB_DIR/router/pihole/gravity.conf"
forward-zone:
    name: "."
    forward-addr: 127.0.0.1@$UNBOUND_PORT
remote-control:
    control-enable: no
EOF
  cat >"$LAB_DIR/router/unbound/root.hints" <<EOF
; the lab's DNS root (written by lab/setup.sh): the only root server Unbound knows
.                        3600000  NS  a.root-servers.net.
a.root-servers.net.      3600000  A   $ROOT_DNS_IP
EOF
  # Pi-hole's adlists: the lab has no internet, so its one list is a local file (Pi-hole
  # takes file:// lists too). setup.sh builds gravity from it; the disaster empties it.
  mkdir -p "$LAB_DIR/router/pihole/lists"
  cat >"$LAB_DIR/router/pihole/lists/lab-ads.txt" <<EOF
# the lab's adlist (hosts format, as most adlists are)
0.0.0.0 $BLOCKED_NAME
0.0.0.0 ads.example.net
EOF
  echo "file://$LAB_DIR/router/pihole/lists/lab-ads.txt" >"$LAB_DIR/router/pihole/adlists.list"
  [ -f "$LAB_DIR/router/pihole/gravity.conf" ] || : >"$LAB_DIR/router/pihole/gravity.conf"
  unbound-checkconf "$LAB_DIR/router/unbound/unbound.conf" >/dev/null || die "unbound.conf is invalid"
  unbound-checkconf "$LAB_DIR/router/pihole/unbound.conf" >/dev/null || die "pihole's unbound.conf is invalid"
}

# The lab's "internet" DNS (namespace lbinet): a root server for "." that delegates org. to a
# TLD server, which answers for $PUBLIC_NAME. Both are Unbound serving a zone file
# (auth-zone): authoritative answers and referrals, no recursion for anyone.
write_inet_dns_configs() {
  local kind ip zone
  for kind in root tld; do
    if [ "$kind" = root ]; then ip=$ROOT_DNS_IP zone=.; else ip=$TLD_DNS_IP zone=org.; fi
    mkdir -p "$LAB_DIR/inet/$kind"
    cat >"$LAB_DIR/inet/$kind/unbound.conf" <<EOF
# The lab's DNS $kind server (written by lab/setup.sh): authoritative for "$zone" on $ip:53.
server:
    interface: $ip@53
    port: 53
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$LAB_DIR/inet/$kind"
    pidfile: "$(svc_pidfile inet "$kind-dns")"
    use-syslog: no
    logfile: ""
    verbosity: 1
    # every query in the log (log/inet-*-dns.log): the suite reads there that Unbound asked
    log-queries: yes
    access-control: $LAB_SUBNET allow
auth-zone:
    name: "$zone"
    zonefile: "$LAB_DIR/inet/$kind/zone"
    for-downstream: yes
    for-upstream: no
    fallback-enabled: no
remote-control:
    control-enable: no
EOF
  done
  cat >"$LAB_DIR/inet/root/zone" <<EOF
; the lab's root zone (written by lab/setup.sh)
.                   86400  IN SOA a.root-servers.net. nstld.verisign-grs.com. 2026120600 1800 900 604800 86400
.                   518400 IN NS  a.root-servers.net.
a.root-servers.net. 518400 IN A   $ROOT_DNS_IP
; the delegation of org. to the lab's TLD server, with its glue
org.                172800 IN NS  a0.org.afilias-nst.org.
a0.org.afilias-nst.org. 172800 IN A $TLD_DNS_IP
EOF
  cat >"$LAB_DIR/inet/tld/zone" <<EOF
; the lab's org. zone (written by lab/setup.sh)
org.                    900  IN SOA a0.org.afilias-nst.org. hostmaster.donuts.email. 2026120600 7200 900 1209600 3600
org.                    3600 IN NS  a0.org.afilias-nst.org.
a0.org.afilias-nst.org. 3600 IN A   $TLD_DNS_IP
$PUBLIC_NAME.         300  IN A   $PUBLIC_NAME_IP
EOF
  unbound-checkconf "$LAB_DIR/inet/root/unbound.conf" >/dev/null || die "the lab root's unbound.conf is invalid"
  unbound-checkconf "$LAB_DIR/inet/tld/unbound.conf" >/dev/null || die "the lab TLD's unbound.conf is invalid"
}

start_inet_dns() {
  # a rebuild may have changed the zones: restart them
  svc_stop inet root-dns
  svc_stop inet tld-dns
  svc_start inet root-dns || die "the lab's DNS root did not start"
  svc_start inet tld-dns || die "the lab's TLD server did not start"
}

# ---------------------------------------------------------------------------------------------
# Storage on the NAS: zfs-fuse, the pool tank on two file "disks", Samba and NFS-Ganesha.

# FUSE mounts whose daemon died (zfs-fuse killed or crashed) answer "Transport endpoint is not
# connected" to everything: detach them before the lab touches its paths. A mount that does not
# answer at all is a wedged daemon (seen once of zfs-fuse: every thread waiting on a lock): the
# lab's own zfs-fuse is then killed, which turns its mounts into dead ones, and start_zfs starts
# a new one that imports the pool again.
clear_dead_mounts() {
  local m rc
  while read -r m; do
    [ -n "$m" ] || continue
    rc=0
    timeout 5 stat -t "$m" >/dev/null 2>&1 || rc=$?
    if [ "$rc" = 124 ] && [ "$(findmnt -rn -o FSTYPE --mountpoint "$m")" = fuse.zfs ] &&
      [ -f "$LAB_DIR/run/zfs-fuse.pid" ] && pid_alive "$LAB_DIR/run/zfs-fuse.pid" zfs-fuse; then
      log "zfs-fuse does not answer on $m: killing it (a new one is started below)"
      kill -KILL "$(pid_of "$LAB_DIR/run/zfs-fuse.pid")" 2>/dev/null || true
      sleep 0.5
    fi
    [ "$rc" = 0 ] || umount -l "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | awk -v d="$LAB_DIR" -v b="$PVE_BACKUP_MNT" 'index($0, d) == 1 || $0 == b' | sort -r)
  # a gocryptfs whose mount was detached above
  pkill -KILL -f -- "gocryptfs .*$CRYPT_RAW $CRYPT_PLAIN" 2>/dev/null || true
}

start_zfs() {
  local i
  if proc_running zfs-fuse; then
    if ! pid_alive "$LAB_DIR/run/zfs-fuse.pid" zfs-fuse; then
      log "using the zfs-fuse that already runs on this machine (the lab did not start it and will not stop it)"
    fi
  else
    detached setsid nsenter --net=/run/netns/lbnas -- /sbin/zfs-fuse --no-daemon --no-kstat-mount \
      </dev/null >>"$LAB_DIR/log/nas-zfs-fuse.log" 2>&1 &
    echo $! >"$LAB_DIR/run/zfs-fuse.pid"
  fi
  for ((i = 0; i < 100; i++)); do
    zpool list >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "zfs-fuse does not answer (see $LAB_DIR/log/nas-zfs-fuse.log)"
}

# Exports the pool, retrying while it is busy: a share daemon or an ssh session that just ended,
# or the bind mount of tank/backup on pve1, can hold it for a moment ("pool is busy").
export_pool() {
  local i err
  for ((i = 0; i < 15; i++)); do
    backup_deactivate
    err=$(zpool export "$POOL" 2>&1) && return 0
    zpool list -H -o name "$POOL" >/dev/null 2>&1 || return 0
    sleep 1
  done
  log "zpool export $POOL: $err; forcing it"
  zpool export -f "$POOL"
}

pool_is_ours() { zpool status "$POOL" 2>/dev/null | grep -qF "$DISK_DIR/"; }

populate_pool() {
  local day m
  mkdir -p "$POOL_MNT/data/media/Movies" "$POOL_MNT/data/media/Music" "$POOL_MNT/data/documents" \
    "$POOL_MNT/backup/dump"
  [ -f "$POOL_MNT/data/media/Movies/Big Buck Bunny (2008).mkv" ] ||
    head -c 262144 /dev/urandom >"$POOL_MNT/data/media/Movies/Big Buck Bunny (2008).mkv"
  [ -f "$POOL_MNT/data/media/Movies/Sintel (2010).mkv" ] ||
    head -c 131072 /dev/urandom >"$POOL_MNT/data/media/Movies/Sintel (2010).mkv"
  echo "lab media share on tank/data (lifeboat lab)" >"$POOL_MNT/data/media/README.txt"
  echo "household paperwork" >"$POOL_MNT/data/documents/insurance.txt"
  # Last night's vzdump backups of pve1's guests, as the stand-in qmrestore/pct restore read
  # them: a header line, then the guest's configuration.
  day=$(date -d '-1 day' +%Y_%m_%d)
  for m in "${LAB_GUESTS[@]}"; do
    local id kind name ip port f
    read -r id kind name ip port <<<"$m"
    if [ "$kind" = qemu ]; then f="vzdump-qemu-$id-${day}-02_00_05.vma.zst"; else f="vzdump-lxc-$id-${day}-02_10_11.tar.zst"; fi
    if ! ls "$POOL_MNT/backup/dump/"vzdump-*-"$id"-* >/dev/null 2>&1; then
      { echo "LAB-VZDUMP $kind $id"; guest_config "$id"; } >"$POOL_MNT/backup/dump/$f"
      # made a couple of hours ago, so the runbook's RPO (26h) holds whenever the suite runs
      touch -d '-2 hours' "$POOL_MNT/backup/dump/$f"
    fi
  done
}

ensure_pool() {
  local d
  mkdir -p "$DISK_DIR" "$POOL_MNT"
  if zpool list -H -o name "$POOL" >/dev/null 2>&1; then
    pool_is_ours || die "a pool named $POOL that is not the lab's is imported on this machine"
    # a dataset left unmounted (e.g. by files written into its mountpoint): export, clean up below
    if zfs list -H -o mounted -r "$POOL" | grep -qx no; then
      export_pool
    fi
  fi
  if ! zpool list -H -o name "$POOL" >/dev/null 2>&1 && [ -z "$(findmnt -rn -o TARGET | grep -F "$POOL_MNT" || true)" ]; then
    # nothing is mounted there: whatever is in the mountpoints was written while the pool was
    # away (faults.sh stray-files, serve-empty) and would stop the mounts
    rm -rf "${POOL_MNT:?}"
    mkdir -p "$POOL_MNT"
  fi
  if zpool list -H -o name "$POOL" >/dev/null 2>&1; then
    :
  elif zpool import -d "$DISK_DIR" 2>/dev/null | grep -qE "^ *pool: $POOL\$"; then
    zpool import -d "$DISK_DIR" "$POOL" || zpool import -f -d "$DISK_DIR" "$POOL"
  else
    log "creating the pool $POOL (mirror of ${DISKS[*]##*/})"
    for d in "${DISKS[@]}"; do
      rm -f "$d"
      truncate -s 256M "$d"
    done
    zpool create -f -m "$POOL_MNT" "$POOL" mirror "${DISKS[@]}" 2>&1 | grep -v '^Defaulting to 4K blocksize' >&2 || true
    zpool list -H -o name "$POOL" >/dev/null || die "zpool create failed"
  fi
  for d in data private backup; do
    zfs list -H -o name "$POOL/$d" >/dev/null 2>&1 || zfs create "$POOL/$d"
  done
  zfs mount -a
  populate_pool
  # a fresh daily snapshot, so the runbook's snapshot-freshness check has one to judge
  zfs snapshot "$POOL/data@autosnap_$(date +%Y-%m-%d_%H:%M:%S)_daily"
}

write_share_configs() {
  local s
  for s in private lock state cache pid ncalrpc log; do mkdir -p "$LAB_DIR/nas/samba/$s"; done
  chmod 700 "$LAB_DIR/nas/samba/private"
  cat >"$LAB_DIR/nas/samba/smb.conf" <<EOF
# Samba on the lab NAS (written by lab/setup.sh): SMB on $NAS_IP:$SMB_PORT only.
[global]
    workgroup = HOMELAB
    netbios name = NAS
    server string = Lifeboat lab NAS
    server role = standalone server
    interfaces = $NAS_IP/$LAB_PREFIXLEN
    bind interfaces only = yes
    smb ports = $SMB_PORT
    disable netbios = yes
    map to guest = Bad User
    guest account = nobody
    passdb backend = tdbsam:$LAB_DIR/nas/samba/private/passdb.tdb
    private dir = $LAB_DIR/nas/samba/private
    lock directory = $LAB_DIR/nas/samba/lock
    state directory = $LAB_DIR/nas/samba/state
    cache directory = $LAB_DIR/nas/samba/cache
    pid directory = $LAB_DIR/nas/samba/pid
    ncalrpc dir = $LAB_DIR/nas/samba/ncalrpc
    log file = $LAB_DIR/nas/samba/log/%m.log
    usershare max shares = 0
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes

[media]
    comment = Films and music (tank/data/media)
    path = $POOL_MNT/data/media
    guest ok = yes
    read only = no
    force user = root

[documents]
    comment = Paperwork (tank/data/documents)
    path = $POOL_MNT/data/documents
    guest ok = yes
    read only = yes
EOF
  testparm -s "$LAB_DIR/nas/samba/smb.conf" >/dev/null 2>&1 || die "smb.conf is invalid: $(testparm -s "$LAB_DIR/nas/samba/smb.conf" 2>&1 | tail -n 3)"
  mkdir -p "$LAB_DIR/nas/ganesha/recovery"
  cat >"$LAB_DIR/nas/ganesha/ganesha.conf" <<EOF
# NFS-Ganesha on the lab NAS (written by lab/setup.sh): NFSv4 on $NAS_IP:$NFS_PORT.
NFS_CORE_PARAM {
    Protocols = 4;
    NFS_Port = $NFS_PORT;
    Bind_addr = $NAS_IP;
    Enable_NLM = false;
    Enable_RQUOTA = false;
}
NFSv4 {
    Graceless = true;
    RecoveryBackend = fs;
    RecoveryRoot = $LAB_DIR/nas/ganesha/recovery;
}
EXPORT {
    Export_Id = 1;
    Path = $POOL_MNT/data;
    Pseudo = /export;
    Protocols = 4;
    Access_Type = RW;
    Squash = No_Root_Squash;
    SecType = sys;
    FSAL { Name = VFS; }
}
EXPORT {
    Export_Id = 2;
    Path = $POOL_MNT/backup;
    Pseudo = /backup;
    Protocols = 4;
    Access_Type = RW;
    Squash = No_Root_Squash;
    SecType = sys;
    FSAL { Name = VFS; }
}
EOF
}

# ---------------------------------------------------------------------------------------------
# pve1: the guests' configurations and disks, the storages, the cluster.

# The boot order pve1 gives its guests (`startup:`), as `qm set ID --startup order=N,up=S` sets
# it: the Docker VM first (the others need its reverse proxy and MQTT), then Home Assistant,
# then Jellyfin. The `up` delays are short for the lab; a real node waits its guests' boot.
guest_startup() { # ID
  case "$1" in
    102) echo order=1,up=5 ;;
    101) echo order=2,up=3 ;;
    200) echo order=3 ;;
    210) echo order=2,up=10 ;;
  esac
}

guest_config() { # ID: the guest's Proxmox configuration
  local g id kind name ip port
  for g in "${LAB_GUESTS[@]}" "${PVE_PEER_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$g"
    [ "$id" = "$1" ] || continue
    if [ "$kind" = qemu ]; then
      cat <<EOF
#$name (lab guest: answers on $ip:$port once running)
agent: 1
boot: order=scsi0
cores: 2
memory: $([ "$name" = homeassistant ] && echo 4096 || echo 8192)
name: $name
net0: virtio=BC:24:11:00:00:$(printf '%02X' $((id % 256))),bridge=vmbr0
onboot: 1
ostype: l26
scsi0: local-zfs:vm-$id-disk-0,size=32G
scsihw: virtio-scsi-single
startup: $(guest_startup "$id")
EOF
    else
      cat <<EOF
#$name (lab guest: answers on $ip:$port once running)
arch: amd64
cores: 2
hostname: $name
memory: 2048
net0: name=eth0,bridge=vmbr0,ip=$ip/$LAB_PREFIXLEN,gw=$ROUTER_IP,type=veth
onboot: 1
ostype: debian
rootfs: local-zfs:subvol-$id-disk-0,size=8G
startup: $(guest_startup "$id")
unprivileged: 1
EOF
    fi
  done
}

write_pve_state() {
  local g id kind name ip port conf when f
  pve_etc_layout
  peer_clear
  # every volume and fault of an earlier run goes: the guests' disks are made again below;
  # pve2's folder in pmxcfs too (lab/faults.sh lose-pve2 makes it), and the log of guest starts
  rm -rf "${PVE_LOCAL:?}" "${PVE_LVM:?}" "${PVE_FAULTS:?}" "${PBS_STORE:?}" "${PVE_ETC:?}/nodes/$PVE_PEER"
  rm -f "$PVE_START_LOG"
  rm -f "$PVE_ETC"/qemu-server/*.conf "$PVE_ETC"/lxc/*.conf
  mkdir -p "$PVE_LOCAL" "$PVE_LVM" "$PVE_FAULTS" "$PBS_STORE"
  cat >"$PVE_ETC/storage.cfg" <<EOF
zfspool: local-zfs
	pool rpool/data
	content images,rootdir
	sparse 1

lvmthin: local-lvm
	thinpool data
	vgname pve
	content images,rootdir

nfs: nas-backup
	export /backup
	path $PVE_BACKUP_MNT
	server $NAS_IP
	content backup
	options vers=4.2
	prune-backups keep-daily=7,keep-weekly=4

pbs: pbs-backup
	datastore homelab
	server 10.213.7.60
	content backup
	username backup@pbs
EOF
  # a standalone node, as most homelabs have (lab/faults.sh no-quorum makes it a cluster)
  rm -f "$PVE_ETC/corosync.conf" "$PVE_ETC/.expected_votes" "$PVE_ETC/.pve2-up"
  when=$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)
  for g in "${LAB_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$g"
    conf=$(guest_conf "$kind" "$id")
    guest_config "$id" >"$conf"
    if [ "$kind" = qemu ]; then
      truncate -s 32M "$PVE_LOCAL/vm-$id-disk-0"
    else
      mkdir -p "$PVE_LOCAL/subvol-$id-disk-0/etc"
      echo "$name" >"$PVE_LOCAL/subvol-$id-disk-0/etc/hostname"
    fi
    # the same night's backup on the Proxmox Backup Server stand-in (storage pbs-backup)
    f="$PBS_STORE/$([ "$kind" = qemu ] && echo vm || echo ct)/$id/$when"
    mkdir -p "$(dirname "$f")"
    { echo "LAB-VZDUMP $kind $id"; guest_config "$id"; } >"$f"
    touch -d '-2 hours' "$f"
  done
  mkdir -p "$PVE_BACKUP_MNT"
}

# ---------------------------------------------------------------------------------------------
# The backup pool on the NAS and its replicas of tank's datasets (lib/replica.sh).

# Restarts the lab's zfs-fuse, under libfaketime when given an offset ("-50h"): its clock then
# reads FAKETIME_FILE, which replicate_to_backup moves. Pools are exported around the restart.
restart_zfs() {
  local pid i
  pid=$(pid_of "$LAB_DIR/run/zfs-fuse.pid")
  export_pool
  zpool export "$BACKUP_POOL" 2>/dev/null || true
  kill_pid "$pid" 10
  if [ -n "${1:-}" ]; then
    echo "$1" >"$FAKETIME_FILE"
    detached setsid nsenter --net=/run/netns/lbnas -- env LD_PRELOAD="$LIBFAKETIME" FAKETIME_TIMESTAMP_FILE="$FAKETIME_FILE" \
      FAKETIME_CACHE_DURATION=1 FAKETIME_DONT_FAKE_MONOTONIC=1 /sbin/zfs-fuse --no-daemon --no-kstat-mount \
      </dev/null >>"$LAB_DIR/log/nas-zfs-fuse.log" 2>&1 &
    echo $! >"$LAB_DIR/run/zfs-fuse.pid"
    for ((i = 0; i < 100; i++)); do
      zpool list >/dev/null 2>&1 && break
      sleep 0.1
    done
  else
    rm -f "$FAKETIME_FILE"
    start_zfs
  fi
  zpool list >/dev/null 2>&1 || die "zfs-fuse does not answer after its restart (see $LAB_DIR/log/nas-zfs-fuse.log)"
  zpool import -d "$DISK_DIR" "$POOL" || die "zpool import $POOL failed after restarting zfs-fuse"
  zpool import -d "$BACKUP_DISK_DIR" "$BACKUP_POOL" 2>/dev/null || true
}

# Takes snapshot NAME of each replicated dataset, then sends it to the backup pool: in full,
# or incrementally from BASE.
replicate_snapshot() { # NAME [BASE]
  local d
  for d in "${REPLICATED[@]}"; do
    zfs snapshot "$POOL/$d@$1"
    if [ -z "${2:-}" ]; then
      zfs send "$POOL/$d@$1" | zfs recv "$BACKUP_POOL/$POOL/$d" || die "full send of $POOL/$d@$1 failed"
    else
      zfs send -i "$2" "$POOL/$d@$1" | zfs recv "$BACKUP_POOL/$POOL/$d" || die "zfs send -i $2 $POOL/$d@$1 failed"
    fi
  done
}

# The backup pool, made again at every set-up, with a full then an incremental replication of
# tank's datasets, taken REPLICA_FULL_HOURS and REPLICA_INCR_HOURS ago by zfs-fuse's clock.
replicate_to_backup() {
  local d s full incr aged=yes
  if replicas_current; then
    log "the backup pool's replicas are kept: as the last set-up left them"
    return 0
  fi
  pid_alive "$LAB_DIR/run/zfs-fuse.pid" zfs-fuse || aged=no
  full="replica_$(date -u -d "-$REPLICA_FULL_HOURS hours" +%Y-%m-%d_%H%M)"
  incr="replica_$(date -u -d "-$REPLICA_INCR_HOURS hours" +%Y-%m-%d_%H%M)"
  if [ "$aged" = yes ]; then
    restart_zfs "-${REPLICA_FULL_HOURS}h"
  else
    log "zfs-fuse was not started by the lab: the replicas' snapshots are taken now, not aged"
  fi
  if zpool list -H -o name "$BACKUP_POOL" >/dev/null 2>&1; then
    backup_pool_is_ours || die "a pool named $BACKUP_POOL that is not the lab's is imported on this machine"
    zpool destroy -f "$BACKUP_POOL"
  fi
  mkdir -p "$BACKUP_DISK_DIR"
  rm -f "$BACKUP_DISK"
  truncate -s 128M "$BACKUP_DISK"
  zpool create -f -m none "$BACKUP_POOL" "$BACKUP_DISK" 2>&1 | grep -v '^Defaulting to 4K blocksize' >&2 || true
  zfs create "$BACKUP_POOL/$POOL"
  for d in "${REPLICATED[@]}"; do
    while read -r s; do [ -z "$s" ] || zfs destroy "$s"; done < <(replica_snapshots "$POOL/$d")
  done
  replicate_snapshot "$full"
  if [ "$aged" = yes ]; then
    echo "-${REPLICA_INCR_HOURS}h" >"$FAKETIME_FILE"
    sleep 1.2 # FAKETIME_CACHE_DURATION
  fi
  replicate_snapshot "$incr" "$full"
  if [ "$aged" = yes ]; then restart_zfs; fi
  zfs mount -a
}

# ---------------------------------------------------------------------------------------------
# The two states the lab can be left in.

break_lab() {
  local g id kind name ip port
  # pve1: guests stopped, the NAS backup storage not mounted; the power cut came during the
  # nightly backup of the Docker VM (102), whose configuration keeps its "lock: backup"
  for g in "${LAB_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$g"
    guest_halt "$id"
  done
  echo "lock: backup" >>"$(guest_conf qemu 102)"
  backup_deactivate
  # nas: shares stopped, pool exported, the default route lost
  svc_stop nas smbd
  svc_stop nas nfs-ganesha
  crypt_lock
  if zpool list -H -o name "$POOL" >/dev/null 2>&1; then export_pool; fi
  ip -n lbnas route del default 2>/dev/null || true
  # router: DNS stopped, the LAN port lan1 down without its address, forwarding off
  svc_stop router pihole-FTL
  svc_stop router unbound
  # Pi-hole's settings came back, its blocklist did not: gravity is empty until `pihole -g`
  : >"$LAB_DIR/router/pihole/gravity.conf"
  ip -n lbrouter addr flush dev lan1
  ip -n lbrouter link set lan1 down
  ns_sysctl lbrouter net.ipv4.ip_forward=0
  # and its VLAN ports down without their addresses, its firewall ruleset empty
  vlans_break
}

heal_lab() {
  local g id kind name ip port
  pihole_gravity >/dev/null
  ip -n lbrouter link set lan1 up
  ip -n lbrouter addr replace "$ROUTER_LAN1_IP/$LAB_PREFIXLEN" dev lan1
  ns_sysctl lbrouter net.ipv4.ip_forward=1
  vlans_heal
  svc_start router unbound || die "unbound did not start"
  svc_start router pihole-FTL || die "pihole-FTL did not start"
  ip -n lbnas route replace default via "$ROUTER_IP"
  zfs mount -a
  crypt_unlock || die "cannot unlock $CRYPT_DATASET"
  svc_start nas nfs-ganesha || die "nfs-ganesha did not start"
  svc_start nas smbd || die "smbd did not start"
  backup_activate || die "pve1 cannot reach the NAS's NFS export /backup"
  for g in "${LAB_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$g"
    guest_boot "$id" || die "guest $id did not start"
  done
  for g in "${LAB_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$g"
    guest_wait_service "$id" || die "guest $id does not answer on $ip:$port"
  done
}

install_packages
check_subnet
record_host_paths
# the laptop's mount is made again at the end, for the state asked for
client_unmount || die "cannot unmount the laptop's share mount $CLIENT_MNT"
clear_dead_mounts
install_lab_files
log "network: namespaces ${LAB_NAMESPACES[*]} on $LAB_SUBNET"
build_network
log "ssh: sshd on router $ROUTER_IP, nas $NAS_IP, pve1 $PVE1_IP"
make_keys
start_sshds
log "dns, shares and Proxmox configuration"
write_dns_configs
write_inet_dns_configs
start_inet_dns
write_share_configs
log "zfs: pool $POOL in $DISK_DIR"
start_zfs
# stop the shares before touching the pool (a rebuild may find them serving)
svc_stop nas smbd
svc_stop nas nfs-ganesha
crypt_lock
ensure_pool
log "zfs: backup pool $BACKUP_POOL, replicas of ${REPLICATED[*]/#/$POOL/}"
replicate_to_backup
# after the replication, which restarts zfs-fuse (exporting the pools) to age its snapshots
crypt_ensure
write_pve_state
if [ "$mode" = healthy ]; then
  log "leaving every service running (--healthy)"
  heal_lab
else
  log "the disaster: router lan1 down, forwarding off, DNS stopped, Pi-hole's gravity empty, NAS without default route, pool exported, shares stopped, guests stopped"
  break_lab
fi
# In the disaster smbd is down: the mount comes up all the same, and every look inside fails
# until the runbook serves the share again.
log "laptop: rclone mount of //$NAS_IP/media on $CLIENT_MNT"
client_mount || die "the laptop cannot mount //$NAS_IP/media with rclone (see $LAB_DIR/log/laptop-rclone.log)"
elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
cat <<EOF
[lab] ready in ${elapsed}s ($mode). Hosts: router $ROUTER_IP, nas $NAS_IP, pve1 $PVE1_IP; laptop $LAPTOP_IP
[lab] restore it:  LIFEBOAT_ZFS_KEY='lifeboat lab passphrase' node bin/lifeboat.js run runbooks/homelab.yaml --inventory lab/inventory.yaml \\
[lab]                --yes --confirm scrub --logs /tmp/lab-logs
[lab] check it:    lab/verify.sh        remove it: lab/teardown.sh
EOF
