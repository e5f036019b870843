# shellcheck shell=bash
# The NAS's backup pool and its replicas of tank's datasets (sourced by setup.sh, faults.sh and
# teardown.sh after common.sh).
#
# The pool `backup` is one file "disk" (nas/backup-disks/usb-LAB_BACKUP_0001, like a USB disk),
# mountpoint none, so its replicas are never mounted or changed. setup.sh replicates tank/data
# and tank/backup there with zfs send | zfs recv: a full send of a snapshot taken 50 hours ago,
# then an incremental one (zfs send -i) of a snapshot taken 2 hours ago. Those ages are real
# creation times: the snapshots are taken by zfs-fuse running under libfaketime (its clock set
# back through a timestamp file), and zfs recv keeps a snapshot's creation time from the stream.

BACKUP_POOL=backup
BACKUP_DISK_DIR="$LAB_DIR/nas/backup-disks"
BACKUP_DISK="$BACKUP_DISK_DIR/usb-LAB_BACKUP_0001"
# tank's datasets that are replicated, each to backup/tank/NAME
REPLICATED=(data backup)
# the ages (hours) of the full and of the incremental replication
REPLICA_FULL_HOURS=50
REPLICA_INCR_HOURS=2
LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
FAKETIME_FILE="$LAB_DIR/run/zfs-fuse.faketime"

backup_pool_is_ours() { zpool status "$BACKUP_POOL" 2>/dev/null | grep -qF "$BACKUP_DISK_DIR/"; }

# replica_snapshots DATASET: its snapshots named replica_*, oldest first
replica_snapshots() {
  zfs list -H -t snapshot -o name -s creation -r "$1" 2>/dev/null | grep -F -e "$1@replica_" || true
}

# Brings the replicas of the backup pool up to date with tank's newest replica_ snapshots
# (incremental sends from the replica's newest snapshot); the creation times come along.
replica_catch_up() {
  local d src dst base newest
  for d in "${REPLICATED[@]}"; do
    src="$POOL/$d" dst="$BACKUP_POOL/$POOL/$d"
    newest=$(replica_snapshots "$src" | tail -n 1)
    base=$(replica_snapshots "$dst" | tail -n 1)
    [ -n "$newest" ] && [ -n "$base" ] || die "no replica_ snapshot of $src or of $dst to start from"
    [ "${newest#*@}" = "${base#*@}" ] && continue
    if ! zfs list -H -o name "$src@${base#*@}" >/dev/null 2>&1; then
      log "$src no longer has ${base#*@}, the base of an incremental send: $dst left as it is"
      continue
    fi
    zfs send -i "${base#*@}" "$newest" | zfs recv "$dst" || die "zfs send -i ${base#*@} $newest | zfs recv $dst failed"
  done
}

# Are the backup pool's replicas as a set-up leaves them, and still young enough to keep (so a
# rebuild of the lab need not restart zfs-fuse)? Both replica_ snapshots on each side, the
# newest the same, at most 12 hours old.
replicas_current() {
  local d src dst newest
  backup_pool_is_ours || return 1
  for d in "${REPLICATED[@]}"; do
    src="$POOL/$d" dst="$BACKUP_POOL/$POOL/$d"
    [ "$(replica_snapshots "$dst" | wc -l)" -ge 2 ] || return 1
    newest=$(replica_snapshots "$dst" | tail -n 1)
    [ "$(replica_snapshots "$src" | tail -n 1)" = "$src@${newest#*@}" ] || return 1
    [ $(($(date +%s) - $(zfs get -H -p -o value creation "$newest"))) -le 43200 ] || return 1
  done
}
