# shellcheck shell=bash
# shellcheck disable=SC2034  # constants used by the scripts that source this file
# The lab's VLANs and the router's firewall, sourced by setup.sh, teardown.sh, verify.sh and
# faults.sh after common.sh. Sourced, never run.
#
# This kernel has no 802.1q (`ip link add ... type vlan` is unknown) and no VLAN-filtering
# bridges, so each VLAN is a segment of its own: a bridge per VLAN in the switch (lbswitch), the
# router with one port on each, named as the real sub-interfaces of its LAN port are (lan0.20,
# lan0.30), and one client machine (a namespace) on each. The router routes between them and
# the LAN; its nftables ruleset (table inet homelab, chain forward) decides what may cross.

# The router's LAN port, whose sub-interfaces the VLANs are (the runbook's vlan_parent).
VLAN_PARENT=lan0
# id name subnet-prefix client-namespace: the router is PREFIX.1/24 on VLAN_PARENT.ID, the
# client PREFIX.10/24 with its default route via the router (as DHCP would give it).
LAB_VLANS=(
  "20 clients 10.213.20 lbclient"
  "30 iot 10.213.30 lbiot"
)
VLAN_PREFIXLEN=24
VLAN_CLIENT_HOST=10
# The clients' namespaces are lab namespaces like the others (built, torn down, checked alike).
LAB_NAMESPACES+=(lbclient lbiot)
# The router's saved ruleset (the runbook's nft_file: /etc/nftables.conf on a real router).
NFT_FILE=$LAB_DIR/router/nftables.conf
NFT_FAMILY=inet
NFT_TABLE=filter
# What the IoT VLAN may reach on the LAN: Home Assistant (VM 101, lib/common.sh's LAB_GUESTS).
IOT_ALLOWED_IP=10.213.7.41
IOT_ALLOWED_PORT=8123

# vlan_field ENTRY N: field N (1 id, 2 name, 3 prefix, 4 namespace) of a LAB_VLANS entry.
vlan_field() { awk -v n="$2" '{ print $n }' <<<"$1"; }
vlan_router_ip() { printf '%s.1' "$(vlan_field "$1" 3)"; }
vlan_client_ip() { printf '%s.%s' "$(vlan_field "$1" 3)" "$VLAN_CLIENT_HOST"; }
vlan_if() { printf '%s.%s' "$VLAN_PARENT" "$(vlan_field "$1" 1)"; }

# The disaster on the router's VLANs, as a reboot without its network configuration and without
# the nftables service leaves them: sub-interfaces down without addresses, ruleset empty.
# (Forwarding off is break_lab's; faults.sh vlans-down turns it off too.)
vlans_break() {
  local v
  for v in "${LAB_VLANS[@]}"; do
    ip -n lbrouter addr flush dev "$(vlan_if "$v")"
    ip -n lbrouter link set "$(vlan_if "$v")" down
  done
  nsenter --net=/run/netns/lbrouter -- nft flush ruleset
}

vlans_heal() {
  local v
  for v in "${LAB_VLANS[@]}"; do
    ip -n lbrouter link set "$(vlan_if "$v")" up
    ip -n lbrouter addr replace "$(vlan_router_ip "$v")/$VLAN_PREFIXLEN" dev "$(vlan_if "$v")"
  done
  nsenter --net=/run/netns/lbrouter -- nft -f "$NFT_FILE"
}
