#!/bin/bash
# Removes the Lifeboat lab built by lab/setup.sh, leaving nothing behind: unmounts the laptop's
# mount of the NAS's share (stopping its rclone), stops every lab process (by pid file, then
# whatever still runs in a lab namespace), destroys the pool tank, stops zfs-fuse if the lab
# started it, unmounts what the lab mounted, deletes the namespaces,
# the veths and the bridge (and with them the laptop's route to the lab), the paths the lab's
# daemons created outside the state dir, and the state dir /tmp/lifeboat-lab. Then checks that
# nothing is left and says what is, exiting 1 in that case. Safe to run when there is no lab.
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

case "${1:-}" in
  '') ;;
  -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  *) echo "usage: lab/teardown.sh" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || die "run me as root"
lab_lock 120
started=$(date +%s.%N)
# pve2's namespace, which lab/faults.sh makes while pve2 "runs" (lab/lib/pve.sh peer_answers)
LAB_NAMESPACES+=(lbpve2)

# Kills every process of a namespace: TERM, a grace period, then KILL.
kill_namespace() {
  local ns=$1 pids i
  ns_exists "$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086  # a list of pids
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.3
}

lab_mounts() { findmnt -rn -o TARGET | awk -v d="$LAB_DIR" -v m="$PVE_BACKUP_MNT" 'index($0, d) == 1 || $0 == m' | sort -r; }

if [ -d "$LAB_DIR" ]; then
  # 1. the laptop's mount of the media share while smbd still serves it (rclone unmounts on
  # TERM; a mount whose rclone died is detached), pve1's guests and its mount of the backup share
  client_unmount || log "cannot unmount the laptop's share mount $CLIENT_MNT"
  for g in "${LAB_GUESTS[@]}"; do
    read -r id _ <<<"$g"
    if [ -f "$(guest_pidfile "$id")" ]; then
      if ns_exists lbpve1; then guest_halt "$id"; else kill_pid "$(pid_of "$(guest_pidfile "$id")")" 5 2>/dev/null || true; fi
    fi
  done
  backup_deactivate || true
  # 2. the services, then the sshds, by pid file
  for unit in router/pihole-FTL router/unbound inet/root-dns inet/tld-dns nas/smbd nas/nfs-ganesha router/ssh nas/ssh pve1/ssh; do
    svc_stop "${unit%/*}" "${unit#*/}" || true
  done
fi

# 3. the pool: destroyed if it is the lab's (its disks are files of the state dir), once the
# plaintext of its encrypted dataset (gocryptfs, which holds the dataset open) is unmounted.
# A lab zfs-fuse that answers nothing on its mounts (wedged) would hang the destroy: it is
# killed, and its dead mounts are detached in step 6.
rc=0
[ ! -d "$LAB_DIR/nas/tank" ] || timeout 5 stat -t "$LAB_DIR/nas/tank" >/dev/null 2>&1 || rc=$?
if [ "$rc" = 124 ] && [ -f "$LAB_DIR/run/zfs-fuse.pid" ] && pid_alive "$LAB_DIR/run/zfs-fuse.pid" zfs-fuse; then
  log "zfs-fuse does not answer on $LAB_DIR/nas/tank: killing it"
  kill -KILL "$(pid_of "$LAB_DIR/run/zfs-fuse.pid")" 2>/dev/null || true
fi
crypt_lock
if proc_running zfs-fuse && zpool list -H -o name "$POOL" >/dev/null 2>&1; then
  if zpool status "$POOL" 2>/dev/null | grep -qF "$LAB_DIR/nas/disks/"; then
    zpool scrub -s "$POOL" >/dev/null 2>&1 || true
    # the unmounts of a destroy can race with daemons that just exited: "pool is busy"
    for ((i = 0; i < 10; i++)); do
      err=$(zpool destroy -f "$POOL" 2>&1) && break
      sleep 1
    done
    if zpool list -H -o name "$POOL" >/dev/null 2>&1; then
      log "zpool destroy $POOL failed ($err): exporting it instead"
      zpool export -f "$POOL" || log "zpool export $POOL failed too"
    fi
  else
    log "a pool named $POOL is imported but is not the lab's: left alone"
  fi
fi

# 3b. the backup pool, destroyed if it is the lab's (lib/replica.sh)
if proc_running zfs-fuse && zpool list -H -o name "$BACKUP_POOL" >/dev/null 2>&1; then
  if backup_pool_is_ours; then
    zpool destroy -f "$BACKUP_POOL" || zpool export -f "$BACKUP_POOL" || log "cannot destroy or export the pool $BACKUP_POOL"
  else
    log "a pool named $BACKUP_POOL is imported but is not the lab's: left alone"
  fi
fi

# 4. whatever still runs in a lab namespace (ssh sessions, commands they started, ...)
for ns in "${LAB_NAMESPACES[@]}"; do kill_namespace "$ns"; done

# 5. zfs-fuse, only if the lab started it
if [ -f "$LAB_DIR/run/zfs-fuse.pid" ] && pid_alive "$LAB_DIR/run/zfs-fuse.pid" zfs-fuse; then
  kill_pid "$(pid_of "$LAB_DIR/run/zfs-fuse.pid")" 15
fi

# 6. mounts left under the state dir or on /mnt/pve/nas-backup (e.g. a dead FUSE mount)
while read -r m; do
  [ -n "$m" ] || continue
  umount "$m" 2>/dev/null || umount -l "$m" || log "cannot unmount $m"
done < <(lab_mounts)

# 7. the network: namespaces (with their veths and the bridge), the laptop's veth and route
# Deleting lbswitch deletes the veth peers there, and with them (a moment later) lbhost0: a link
# may be gone between looking and deleting ("Cannot find device"), which is what we want.
for ns in "${LAB_NAMESPACES[@]}"; do
  if ns_exists "$ns"; then ip netns del "$ns" 2>/dev/null || ! ns_exists "$ns" || log "cannot delete namespace $ns"; fi
done
ip link del "$LAB_HOST_IF" 2>/dev/null || true
for ((i = 0; i < 50; i++)); do
  ip link show dev "$LAB_HOST_IF" >/dev/null 2>&1 || break
  sleep 0.1
done

# 8. paths outside the state dir that did not exist before the lab (daemons' run dirs, ...)
if [ -f "$LAB_DIR/host-paths-created" ]; then
  while read -r p; do
    case "$p" in
      /run/zfs | /run/lock/zfs | /run/ganesha | /run/blkid)
        # only when no daemon still uses them (a zfs-fuse the lab did not start keeps /run/zfs)
        if [ "$p" != /run/ganesha ] && [ "$p" != /run/blkid ] && proc_running zfs-fuse; then continue; fi
        rm -rf "$p" ;;
      /run/netns)
        # `ip netns add` made it a mount point; only if no namespace (of anyone) is left in it
        if [ -d "$p" ] && [ -z "$(ls -A "$p")" ]; then
          if findmnt -rn --mountpoint "$p" >/dev/null; then umount "$p" || true; fi
          rmdir "$p" 2>/dev/null || true
        fi ;;
      /var/lib/zfs/zpool.cache | /var/log/samba/log.*) rm -f "$p" ;;
      /mnt/pve/nas-backup | /mnt/pve)
        if ! findmnt -rn --mountpoint "$p" >/dev/null; then rmdir "$p" 2>/dev/null || true; fi ;;
    esac
  done <"$LAB_DIR/host-paths-created"
fi

# 9. the state dir, once nothing is mounted inside it
if [ -d "$LAB_DIR" ]; then
  if [ -n "$(lab_mounts)" ]; then
    log "not removing $LAB_DIR: still mounted: $(lab_mounts | tr '\n' ' ')"
  else
    rm -rf "${LAB_DIR:?}"
  fi
fi

# 10. is anything left?
left=()
for ns in "${LAB_NAMESPACES[@]}"; do ns_exists "$ns" && left+=("namespace $ns"); done
ip link show dev "$LAB_HOST_IF" >/dev/null 2>&1 && left+=("interface $LAB_HOST_IF")
r=$(ip -4 route show | grep -F "${LAB_SUBNET%.*/*}." || true)
[ -z "$r" ] || left+=("route: $r")
m=$(lab_mounts | tr '\n' ' ')
[ -z "$m" ] || left+=("mounts: $m")
l=$(losetup -a 2>/dev/null | grep -F "$LAB_DIR" || true)
[ -z "$l" ] || left+=("loop devices: $l")
# processes that name the state dir, but not ssh clients (see below)
p=$(for pid in $(pgrep -f "$LAB_DIR" || true); do
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = ssh ] || ps -o pid=,args= -p "$pid" || true
done)
[ -z "$p" ] || left+=("processes: $p")
[ ! -e "$LAB_DIR" ] || left+=("state dir $LAB_DIR")
elapsed=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "${#left[@]}" -gt 0 ]; then
  printf '[lab] teardown left behind:\n' >&2
  printf '  - %s\n' "${left[@]}" >&2
  exit 1
fi
# ssh clients on this machine still connected to the lab (e.g. a ControlMaster of a Lifeboat
# run) were not started by the lab: they are named, not killed; they end on their own.
c=$(pgrep -a -x ssh | grep -F -e "${LAB_SUBNET%.*/*}." -e "$LAB_DIR" || true)
[ -z "$c" ] || log "ssh clients still pointing at the lab (not started by the lab, left alone): $c"
log "lab removed in ${elapsed}s: no namespace, interface, route, mount, process or file of it is left"
