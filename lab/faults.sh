#!/bin/bash
# Injects faults into the lab built by lab/setup.sh, and repairs them, to see how Lifeboat and
# the runbook behave when something else is broken than the disaster setup.sh leaves.
#
#   lab/faults.sh kill-dns              Unbound and "Pi-hole" on the router die (SIGKILL)
#   lab/faults.sh fix-dns               start them again
#   lab/faults.sh stop-sshd HOST        stop sshd on router, nas or pve1 (connection refused)
#   lab/faults.sh start-sshd HOST       start it again
#   lab/faults.sh wrong-hostkey HOST    give HOST a new host key: the lab's known_hosts no
#                                       longer matches, so ssh refuses (as after a reinstall,
#                                       or a machine in the middle)
#   lab/faults.sh fix-hostkey HOST      put the real host key back
#   lab/faults.sh link-down             the router's lan1 goes down and loses its address
#   lab/faults.sh vlans-down            the router's VLAN ports (lan0.20, lan0.30) go down and
#                                       lose their addresses, forwarding goes off, the firewall
#                                       ruleset is emptied: as a reboot that lost the network
#                                       configuration and the nftables service
#   lab/faults.sh cluster               pve1 is in a two-node cluster with pve2, both up (quorate;
#                                       pve2 answers a ping on 10.213.7.31: namespace lbpve2)
#   lab/faults.sh no-quorum             pve1 is in a two-node cluster whose other node, pve2, is
#                                       down: not quorate, qm start refuses ("cluster not ready -
#                                       no quorum?"); `pvecm expected 1` lets pve1 run alone
#   lab/faults.sh lose-pve2             no-quorum, and pve2 is lost for good: its container 210
#                                       (paperless) has its configuration in pve2's folder of
#                                       /etc/pve/nodes and its replica on pve1's local-zfs
#   lab/faults.sh pve2-answers          pve2 answers a ping on 10.213.7.31 but is no cluster
#                                       member (its corosync link is down, the machine runs)
#   lab/faults.sh lose-replica ID       pve1 has no replica of pve2's guest ID (210)
#   lab/faults.sh fix-quorum            pve1 is a standalone node again (as setup.sh leaves it),
#                                       without pve2's guests
#   lab/faults.sh onboot-off ID         guest ID is not started at boot (`qm set ID --onboot 0`)
#   lab/faults.sh fix-onboot ID         it is again (onboot 1)
#   lab/faults.sh lock-backup ID        guest ID stopped with "lock: backup" in its configuration,
#                                       as a power cut during its nightly backup leaves it
#   lab/faults.sh fix-lock ID           remove the lock
#   lab/faults.sh backup-running        a vzdump process runs on pve1 (a backup in progress)
#   lab/faults.sh fix-backup-running    stop it
#   lab/faults.sh lose-config ID        guest ID stopped and its configuration deleted; its disks
#                                       stay (a reinstalled node whose data pool survived)
#   lab/faults.sh fix-config ID         put the configuration back as setup.sh wrote it
#   lab/faults.sh storage-timeout STORE listing the volumes of STORE (local-zfs, local-lvm) times
#                                       out, as a zfs list under load does; restores still work
#   lab/faults.sh fix-storage-timeout STORE
#   lab/faults.sh stop-guest ID         stop guest ID (qm/pct stop, as before a restore over it)
#   lab/faults.sh lose-guest ID         pve1 loses guest ID's disks (its config stays): the
#                                       runbook restores it from the NAS backup
#   lab/faults.sh fix-guest ID          recreate the disks without a restore
#   lab/faults.sh serve-empty           with the pool not imported, start smbd and nfs-ganesha
#                                       anyway, as a NAS that boots them before its pool would
#                                       (what the runbook's hold-shares steps are for)
#   lab/faults.sh stray-files           with the pool not imported, write a file into the
#                                       mountpoint of tank/data: the import cannot mount it
#                                       ("directory is not empty"), the run stops at mount-datasets
#   lab/faults.sh fix-stray-files       remove the stray files (then Retry / resume)
#   lab/faults.sh age-backup ID         guest ID's vzdump archive on the NAS is three days old
#                                       (a backup job that stopped): the RPO is missed
#   lab/faults.sh fix-backup-age ID     make it two hours old again
#   lab/faults.sh lose-dataset [NAME]   the NAS loses tank/NAME (backup, the default, or data): the
#                                       dataset is destroyed with its snapshots while the pool
#                                       stays; the runbook restores it from the backup pool
#   lab/faults.sh stale-replica         replication stopped after the full send two days ago:
#                                       the newest snapshot of each replica is 50 hours old
#   lab/faults.sh fix-replica           send the missing increments again (2 hours old)
#   lab/faults.sh fix-all               repair every fault above (not the disaster itself)
#   lab/faults.sh status                what is broken right now
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

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

[ "$(id -u)" = 0 ] || die "run me as root"
[ -d "$LAB_DIR/run" ] || die "there is no lab: run lab/setup.sh first"
close_inherited_fds
lab_lock 30

# zfs destroy -r, retried while the dataset is busy for a moment (a share daemon's last
# request, a process leaving its mountpoint); when it stays busy, says who holds it.
destroy_dataset() { # DATASET
  local ds=$1 mnt i
  for ((i = 0; i < 20; i++)); do
    zfs destroy -r "$ds" 2>"$LAB_DIR/run/destroy.err" && return 0
    grep -qiE 'busy' "$LAB_DIR/run/destroy.err" || break
    sleep 0.5
  done
  cat "$LAB_DIR/run/destroy.err" >&2
  mnt=$(zfs get -H -o value mountpoint "$ds" 2>/dev/null || true)
  if [ -n "$mnt" ] && [ -d "$mnt" ]; then
    echo "what holds $mnt:" >&2
    fuser -vm "$mnt" >&2 2>&1 || true
    findmnt -R "$mnt" >&2 || true
  fi
  die "zfs destroy -r $ds failed"
}

need_host() {
  lab_is_host "${1:-}" || die "name a host: router, nas or pve1"
}

write_corosync() {
  cat >"$PVE_ETC/corosync.conf" <<EOF
totem {
  cluster_name: homelab
  config_version: 4
  version: 2
}
nodelist {
  node {
    name: pve1
    nodeid: 1
    quorum_votes: 1
    ring0_addr: $PVE1_IP
  }
  node {
    name: pve2
    nodeid: 2
    quorum_votes: 1
    ring0_addr: 10.213.7.31
  }
}
quorum {
  provider: corosync_votequorum
}
EOF
}

hostkey() { printf '%s/%s/ssh_host_ed25519_key' "$LAB_DIR" "$1"; }

restart_sshd() {
  svc_stop "$1" ssh
  svc_start "$1" ssh || die "sshd on $1 did not start"
}

guest_disks() { # ID -> the paths of its disks on pve1
  guest_info "$1" || die "no guest $1 in the lab (102, 101, 200)"
  local vol conf
  conf=$(guest_conf "$G_KIND" "$1")
  [ -f "$conf" ] || return 0
  while read -r vol; do volume_path "$vol" && echo; done < <(guest_volumes "$conf")
}

cmd=${1:-}
arg=${2:-}
case "$cmd" in
  kill-dns)
    svc_crash router pihole-FTL
    svc_crash router unbound
    log "router: unbound and pihole-FTL killed" ;;
  fix-dns)
    svc_start router unbound || die "unbound did not start"
    svc_start router pihole-FTL || die "pihole-FTL did not start"
    log "router: unbound and pihole-FTL running" ;;
  stop-sshd)
    need_host "$arg"
    svc_stop "$arg" ssh
    log "$arg: sshd stopped" ;;
  start-sshd)
    need_host "$arg"
    svc_start "$arg" ssh || die "sshd on $arg did not start"
    log "$arg: sshd running" ;;
  wrong-hostkey)
    need_host "$arg"
    key=$(hostkey "$arg")
    if [ ! -f "$key.orig" ]; then
      mv "$key" "$key.orig"
      mv "$key.pub" "$key.orig.pub"
    fi
    rm -f "$key" "$key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "impostor-$arg" -f "$key" </dev/null
    restart_sshd "$arg"
    log "$arg: new host key $(ssh-keygen -l -f "$key.pub" | awk '{ print $2 }'); known_hosts still has the old one" ;;
  fix-hostkey)
    need_host "$arg"
    key=$(hostkey "$arg")
    if [ -f "$key.orig" ]; then
      mv -f "$key.orig" "$key"
      mv -f "$key.orig.pub" "$key.pub"
      restart_sshd "$arg"
    fi
    log "$arg: the real host key is back" ;;
  link-down)
    ip -n lbrouter addr flush dev lan1
    ip -n lbrouter link set lan1 down
    log "router: lan1 down, without its address" ;;
  vlans-down)
    vlans_break
    nsenter --net=/run/netns/lbrouter -- sysctl -qw net.ipv4.ip_forward=0
    log "router: VLAN ports down without their addresses, forwarding off, firewall ruleset empty" ;;
  cluster | no-quorum)
    write_corosync
    rm -f "$PVE_ETC/.expected_votes"
    if [ "$cmd" = cluster ]; then
      touch "$PVE_ETC/.pve2-up"
      peer_answers
      log "pve1: in the two-node cluster homelab, pve2 up (answering on $PVE_PEER_IP): quorate"
    else
      rm -f "$PVE_ETC/.pve2-up"
      peer_silent
      log "pve1: in the two-node cluster homelab, pve2 down: 1 of 2 expected votes, not quorate"
    fi ;;
  lose-pve2)
    write_corosync
    rm -f "$PVE_ETC/.expected_votes" "$PVE_ETC/.pve2-up"
    peer_silent
    peer_lost
    log "pve1: in the two-node cluster homelab, pve2 lost; its guests ${PVE_PEER_GUESTS[*]%% *} in /etc/pve/nodes/pve2, replicated to pve1's local-zfs" ;;
  pve2-answers)
    [ -f "$PVE_ETC/corosync.conf" ] || die "pve1 is standalone: lose-pve2 first"
    peer_answers
    log "pve2 answers on $PVE_PEER_IP but is not in the cluster (its corosync link is down): it may run its guests" ;;
  lose-replica)
    [ -n "$arg" ] || die "name a guest id of pve2: 210"
    rm -rf "${PVE_LOCAL:?}"/*-"$arg"-disk-*
    log "pve1: no replica of guest $arg's disks" ;;
  onboot-off | fix-onboot)
    [ -n "$arg" ] || die "name a guest id: 102, 101 or 200"
    guest_info "$arg" || die "no guest $arg in the lab (102, 101, 200)"
    conf=$(guest_conf "$G_KIND" "$arg")
    [ -f "$conf" ] || die "guest $arg has no configuration (fix-config $arg)"
    sed -i "/^\[/,\$!{s/^onboot: .*/onboot: $([ "$cmd" = onboot-off ] && echo 0 || echo 1)/}" "$conf"
    log "pve1: guest $arg onboot $(conf_get "$conf" onboot)" ;;
  fix-quorum)
    rm -f "$PVE_ETC/corosync.conf" "$PVE_ETC/.expected_votes" "$PVE_ETC/.pve2-up"
    peer_clear
    log "pve1: a standalone node again" ;;
  lock-backup | fix-lock)
    [ -n "$arg" ] || die "name a guest id: 102, 101 or 200"
    guest_info "$arg" || die "no guest $arg in the lab (102, 101, 200)"
    conf=$(guest_conf "$G_KIND" "$arg")
    [ -f "$conf" ] || die "guest $arg has no configuration (fix-config $arg)"
    sed -i '/^lock: /d' "$conf"
    if [ "$cmd" = lock-backup ]; then
      guest_halt "$arg"
      echo "lock: backup" >>"$conf"
      log "pve1: guest $arg stopped, locked (backup)"
    else
      log "pve1: guest $arg unlocked"
    fi ;;
  backup-running)
    if ! pid_alive "$LAB_DIR/run/pve1-vzdump.pid" vzdump; then
      mkdir -p "$LAB_DIR/pve1/sbin"
      printf '#!/bin/bash\n# lab: a backup job that runs (its process is named vzdump)\nwhile :; do sleep 1; done\n' >"$LAB_DIR/pve1/sbin/vzdump"
      chmod 755 "$LAB_DIR/pve1/sbin/vzdump"
      detached setsid nsenter --net=/run/netns/lbpve1 -- "$LAB_DIR/pve1/sbin/vzdump" </dev/null >/dev/null 2>&1 &
      echo $! >"$LAB_DIR/run/pve1-vzdump.pid"
    fi
    log "pve1: a vzdump runs (pid $(pid_of "$LAB_DIR/run/pve1-vzdump.pid"))" ;;
  fix-backup-running)
    if [ -f "$LAB_DIR/run/pve1-vzdump.pid" ]; then
      pid=$(pid_of "$LAB_DIR/run/pve1-vzdump.pid")
      kill_pid "$pid" 5
      # ended, and reaped: an orphan stays a zombie named vzdump until this machine's init reaps
      # it (here up to a second), where a real node's task worker reaps its vzdump at once
      for ((i = 0; i < 50; i++)); do
        [ -d "/proc/$pid" ] || break
        sleep 0.1
      done
    fi
    rm -f "$LAB_DIR/run/pve1-vzdump.pid"
    log "pve1: no vzdump runs" ;;
  lose-config)
    [ -n "$arg" ] || die "name a guest id: 102, 101 or 200"
    guest_info "$arg" || die "no guest $arg in the lab (102, 101, 200)"
    guest_halt "$arg"
    rm -f "$(guest_conf "$G_KIND" "$arg")"
    log "pve1: guest $arg stopped and its configuration deleted (its disks stay)" ;;
  fix-config)
    [ -n "$arg" ] || die "name a guest id: 102, 101 or 200"
    guest_info "$arg" || die "no guest $arg in the lab (102, 101, 200)"
    conf=$(guest_conf "$G_KIND" "$arg")
    [ -f "$conf" ] || tail -n +2 "$(ls "$PBS_STORE"/*/"$arg"/*Z | tail -n 1)" >"$conf"
    log "pve1: guest $arg has its configuration" ;;
  storage-timeout | fix-storage-timeout)
    case "$arg" in local-zfs | local-lvm) ;; *) die "name a guest storage: local-zfs or local-lvm" ;; esac
    mkdir -p "$PVE_FAULTS"
    if [ "$cmd" = storage-timeout ]; then
      touch "$PVE_FAULTS/timeout-$arg"
      log "pve1: listing the volumes of $arg times out"
    else
      rm -f "$PVE_FAULTS/timeout-$arg"
      log "pve1: $arg lists its volumes again"
    fi ;;
  stop-guest)
    [ -n "$arg" ] || die "name a guest id: 102, 101 or 200"
    guest_info "$arg" || die "no guest $arg in the lab (102, 101, 200)"
    guest_halt "$arg"
    log "pve1: guest $arg stopped" ;;
  lose-guest)
    [ -n "$arg" ] || die "name a guest id: 102, 101 or 200"
    guest_info "$arg" || die "no guest $arg in the lab (102, 101, 200)"
    guest_halt "$arg"
    while read -r p; do
      [ -n "$p" ] && rm -rf "$p"
    done < <(guest_disks "$arg")
    log "pve1: guest $arg stopped and its disks deleted (its configuration stays)" ;;
  fix-guest)
    [ -n "$arg" ] || die "name a guest id: 102, 101 or 200"
    guest_info "$arg" || die "no guest $arg in the lab (102, 101, 200)"
    while read -r p; do
      [ -n "$p" ] || continue
      if [ "$G_KIND" = qemu ]; then [ -e "$p" ] || truncate -s 32M "$p"; else mkdir -p "$p/etc"; fi
    done < <(guest_disks "$arg")
    log "pve1: guest $arg has its disks again" ;;
  serve-empty)
    if zpool list -H -o name "$POOL" >/dev/null 2>&1; then die "the pool is imported: this fault needs the disaster state (lab/setup.sh)"; fi
    svc_start nas nfs-ganesha || die "nfs-ganesha did not start"
    svc_start nas smbd || die "smbd did not start"
    log "nas: smbd and nfs-ganesha answer although $POOL is not imported (their shares are missing)" ;;
  stray-files)
    if zpool list -H -o name "$POOL" >/dev/null 2>&1; then die "the pool is imported: this fault needs the disaster state (lab/setup.sh)"; fi
    mkdir -p "$LAB_DIR/nas/tank/data"
    echo "written while the pool was away" >"$LAB_DIR/nas/tank/data/stray.txt"
    log "nas: a file was written into the empty mountpoint $LAB_DIR/nas/tank/data: the datasets will not mount" ;;
  fix-stray-files)
    if findmnt -rn --mountpoint "$LAB_DIR/nas/tank/data" >/dev/null; then die "tank/data is mounted: nothing stray is in the way"; fi
    # the plaintext of tank/private first (its key stays loaded, as ZFS keeps it over an unmount)
    if findmnt -rn --mountpoint "$CRYPT_PLAIN" >/dev/null; then fusermount -u "$CRYPT_PLAIN" 2>/dev/null || umount -l "$CRYPT_PLAIN"; fi
    if zpool list -H -o name "$POOL" >/dev/null 2>&1; then zfs umount -a 2>/dev/null || true; fi
    if [ -z "$(findmnt -rn -o TARGET | grep -F "$LAB_DIR/nas/tank" || true)" ]; then
      rm -rf "${LAB_DIR:?}/nas/tank"
      mkdir -p "$LAB_DIR/nas/tank"
    fi
    log "nas: the stray files are gone (zfs mount -a mounts the datasets again)" ;;
  age-backup|fix-backup-age)
    [ -n "$arg" ] || die "name a guest id: 102, 101 or 200"
    guest_info "$arg" || die "no guest $arg in the lab (102, 101, 200)"
    found=0
    for f in "$LAB_DIR/nas/tank/backup/dump/"vzdump-*-"$arg"-*; do
      [ -e "$f" ] || continue
      if [ "$cmd" = age-backup ]; then touch -d '-3 days' "$f"; else touch -d '-2 hours' "$f"; fi
      found=1
    done
    [ "$found" = 1 ] || die "no vzdump archive of guest $arg on the NAS (is the pool imported?)"
    if [ "$cmd" = age-backup ]; then log "nas: guest $arg's newest vzdump is three days old"; else log "nas: guest $arg's vzdump is two hours old again"; fi ;;
  lose-dataset)
    case "${arg:-backup}" in backup | data) ds="$POOL/${arg:-backup}" ;; *) die "name a dataset: backup or data" ;; esac
    zfs list -H -o name "$ds" >/dev/null 2>&1 || die "$ds is not there (is the pool imported?)"
    # the share daemons and pve1's mount of tank/backup hold the dataset: let go of it first
    backup_deactivate
    running=()
    for unit in smbd nfs-ganesha; do
      if svc_running nas "$unit"; then running+=("$unit") && svc_stop nas "$unit"; fi
    done
    destroy_dataset "$ds"
    for unit in "${running[@]}"; do svc_start nas "$unit" || die "$unit did not start"; done
    log "nas: $ds is lost with its snapshots (the shares still run: ${running[*]:-none})" ;;
  stale-replica)
    for d in "${REPLICATED[@]}"; do
      snaps=$(replica_snapshots "$BACKUP_POOL/$POOL/$d")
      [ "$(wc -l <<<"$snaps")" -ge 2 ] || die "$BACKUP_POOL/$POOL/$d has only its full replica: already stale?"
      zfs destroy "$(tail -n 1 <<<"$snaps")"
    done
    log "nas: the replicas' newest snapshots are the full sends of $REPLICA_FULL_HOURS hours ago" ;;
  fix-replica)
    replica_catch_up
    log "nas: the replicas are up to date with tank's newest replica_ snapshots" ;;
  fix-all)
    for h in "${LAB_HOSTS[@]}"; do
      key=$(hostkey "$h")
      if [ -f "$key.orig" ]; then
        mv -f "$key.orig" "$key"
        mv -f "$key.orig.pub" "$key.pub"
        svc_stop "$h" ssh
      fi
      svc_start "$h" ssh || die "sshd on $h did not start"
    done
    rm -f "$PVE_ETC/corosync.conf" "$PVE_ETC/.expected_votes" "$PVE_ETC/.pve2-up" "$PVE_FAULTS"/timeout-*
    peer_clear
    if [ -f "$LAB_DIR/run/pve1-vzdump.pid" ]; then kill_pid "$(pid_of "$LAB_DIR/run/pve1-vzdump.pid")" 5; fi
    rm -f "$LAB_DIR/run/pve1-vzdump.pid"
    for g in "${LAB_GUESTS[@]}"; do
      read -r id _ <<<"$g"
      "$0" fix-config "$id" 9<&- >/dev/null 2>&1 || true
      "$0" fix-guest "$id" 9<&- >/dev/null 2>&1 || true
      "$0" fix-onboot "$id" 9<&- >/dev/null 2>&1 || true
    done
    log "sshd and host keys, quorum and guest disks repaired (DNS, links and shares are the runbook's to restore; fix-dns starts DNS)" ;;
  status)
    for h in "${LAB_HOSTS[@]}"; do
      s="sshd $(svc_running "$h" ssh && echo running || echo STOPPED)"
      [ ! -f "$(hostkey "$h").orig" ] || s="$s, WRONG HOST KEY"
      echo "$h: $s"
    done
    echo "router: unbound $(svc_running router unbound && echo running || echo stopped), pihole-FTL $(svc_running router pihole-FTL && echo running || echo stopped), lan1 $(ip -n lbrouter -br link show dev lan1 | awk '{ print $2 }')"
    echo "nas: pool $(zpool list -H -o health "$POOL" 2>/dev/null || echo 'not imported'), smbd $(svc_running nas smbd && echo running || echo stopped), nfs-ganesha $(svc_running nas nfs-ganesha && echo running || echo stopped)"
    echo "laptop: //$NAS_IP/media $(client_mounted && echo "mounted on $CLIENT_MNT" || echo 'NOT MOUNTED'), rclone $(pid_alive "$(client_pidfile)" rclone && echo running || echo STOPPED)"
    quorum_state
    s="pve1: $Q_MODE, quorate $Q_QUORATE"
    for g in "${LAB_GUESTS[@]}"; do
      read -r id _ <<<"$g"
      missing=''
      while read -r p; do [ -z "$p" ] || [ -e "$p" ] || missing=' (DISKS LOST)'; done < <(guest_disks "$id")
      s="$s, $id $(guest_running "$id" && echo running || echo stopped)$missing"
    done
    echo "$s" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
