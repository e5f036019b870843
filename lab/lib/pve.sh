# shellcheck shell=bash
# shellcheck disable=SC2034  # constants used by the scripts that source this file
# State and behaviour of the Proxmox VE stand-ins (qm, pct, qmrestore, pvesh, pvecm) on pve1.
# Proxmox is not packaged for Debian, so pve1's guests are stand-ins: a guest's configuration
# and disks are files, and a running guest is its address on pve1's vmbr0 plus a small HTTP
# server there (lab/guest/http-guest.mjs). Backups are files on the NAS's dataset tank/backup,
# which pve1 "mounts" (a bind mount standing in for the NFS mount Proxmox would make) once the
# NAS really serves that export over NFSv4 (checked with nfs-ls, a real NFS client).
# Needs lib/common.sh sourced first.

PVE_NODE=pve1
PVE_ETC="$LAB_DIR/pve1/etc-pve"           # stands for /etc/pve
PVE_LOCAL="$LAB_DIR/pve1/local-zfs"       # storage local-zfs: vm-ID-disk-N files, subvol-ID-disk-N folders
PVE_BACKUP_MNT=/mnt/pve/nas-backup        # where Proxmox mounts the storage nas-backup
NAS_BACKUP_PATH="$LAB_DIR/nas/tank/backup" # the NAS's dataset tank/backup, exported as /backup

pve_die() { # MESSAGE [EXIT]
  echo "$1" >&2
  exit "${2:-255}"
}

# guest_info ID: sets G_ID G_KIND (qemu|lxc) G_NAME G_IP G_PORT; returns 1 for an id not in the lab.
guest_info() {
  local entry id kind name ip port
  for entry in "${LAB_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$entry"
    if [ "$id" = "$1" ]; then
      G_ID=$id G_KIND=$kind G_NAME=$name G_IP=$ip G_PORT=$port
      return 0
    fi
  done
  return 1
}

guest_conf() { # KIND ID
  if [ "$1" = qemu ]; then printf '%s/qemu-server/%s.conf' "$PVE_ETC" "$2"; else printf '%s/lxc/%s.conf' "$PVE_ETC" "$2"; fi
}

guest_pidfile() { printf '%s/run/pve1-guest-%s.pid' "$LAB_DIR" "$1"; }

guest_running() { pid_alive "$(guest_pidfile "$1")" node; }

# The volume ids (storage:name) of a guest's disks, from its configuration.
guest_volumes() { # CONF
  sed -nE 's/^(scsi|virtio|sata|ide|efidisk|tpmstate)[0-9]+: *([^,]+).*/\2/p; s/^rootfs: *([^,]+).*/\1/p; s/^mp[0-9]+: *([^,/][^,]*).*/\1/p' "$1" |
    grep -v -e '^none$' -e 'media=cdrom' || true
}

volume_path() { # VOLID -> path on this node, or fails for an unknown storage
  local store=${1%%:*} name=${1#*:}
  case "$store" in
    local-zfs) printf '%s/%s' "$PVE_LOCAL" "$name" ;;
    *) return 1 ;;
  esac
}

quorum_state() { # sets Q_EXPECTED Q_TOTAL Q_NEEDED Q_QUORATE (Yes|No)
  Q_EXPECTED=$(cat "$PVE_ETC/.expected_votes" 2>/dev/null || echo 1)
  Q_TOTAL=1
  Q_NEEDED=$((Q_EXPECTED / 2 + 1))
  if [ "$Q_TOTAL" -ge "$Q_NEEDED" ]; then Q_QUORATE=Yes; else Q_QUORATE=No; fi
}

# Starts a guest: its address on vmbr0, then its service; waits until that answers.
guest_boot() { # ID
  local pidfile pid i
  guest_info "$1" || return 1
  pidfile=$(guest_pidfile "$G_ID")
  guest_running "$G_ID" && return 0
  mkdir -p "$LAB_DIR/run" "$LAB_DIR/log"
  in_ns pve1 ip addr replace "$G_IP/$LAB_PREFIXLEN" dev vmbr0
  setsid nsenter --net=/run/netns/lbpve1 -- "$NODE_BIN" "$LAB_DIR/lib/http-guest.mjs" "$G_NAME" "$G_IP" "$G_PORT" \
    </dev/null >>"$LAB_DIR/log/pve1-guest-$G_ID.log" 2>&1 9<&- &
  pid=$!
  echo "$pid" >"$pidfile"
  for ((i = 0; i < 100; i++)); do
    if port_listening pve1 tcp "$G_PORT" "$G_IP"; then return 0; fi
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  echo "guest $G_ID did not come up; see $LAB_DIR/log/pve1-guest-$G_ID.log" >&2
  guest_halt "$G_ID"
  return 1
}

guest_halt() { # ID
  local pidfile
  guest_info "$1" || return 1
  pidfile=$(guest_pidfile "$G_ID")
  if guest_running "$G_ID"; then kill_pid "$(pid_of "$pidfile")" 10; fi
  rm -f "$pidfile"
  in_ns pve1 ip addr del "$G_IP/$LAB_PREFIXLEN" dev vmbr0 2>/dev/null || true
}

backup_mounted() { findmnt -rn --mountpoint "$PVE_BACKUP_MNT" >/dev/null 2>&1; }

# Does the NAS serve the backup export? Asked from pve1 with a real NFSv4 client.
nas_backup_served() {
  in_ns pve1 timeout 10 nfs-ls "nfs://$NAS_IP/backup?version=4&nfsport=$NFS_PORT" 2>/dev/null | grep -qE '[[:space:]]dump$'
}

# What pvestatd does for an NFS storage: mount it once the server answers.
backup_activate() {
  if ! nas_backup_served; then return 1; fi
  if ! backup_mounted; then
    mkdir -p "$PVE_BACKUP_MNT"
    mount --bind "$NAS_BACKUP_PATH" "$PVE_BACKUP_MNT"
  fi
}

backup_deactivate() {
  if backup_mounted; then umount "$PVE_BACKUP_MNT" 2>/dev/null || umount -l "$PVE_BACKUP_MNT"; fi
}

# Resolves a backup volume id or path to a file, activating the storage as Proxmox does.
backup_file() { # ARCHIVE
  local a=$1
  case "$a" in
    nas-backup:backup/*)
      backup_activate || pve_die "storage 'nas-backup' is not online"
      a="$PVE_BACKUP_MNT/dump/${a#nas-backup:backup/}" ;;
    /*) ;;
    *:*) pve_die "storage '${a%%:*}' does not exist" ;;
  esac
  [ -f "$a" ] || pve_die "unable to restore - archive '$1' does not exist"
  printf '%s' "$a"
}

# Restores a guest from a stand-in vzdump archive: its first line names the guest type, the
# rest is the guest's configuration; disks are created empty on the target storage.
guest_restore() { # KIND ID ARCHIVE STORAGE FORCE
  local kind=$1 id=$2 archive=$3 storage=$4 force=$5 file conf header vol path
  file=$(backup_file "$archive")
  header=$(head -n 1 "$file")
  case "$header" in
    "LAB-VZDUMP $kind "*) ;;
    *) pve_die "unable to restore - '$archive' is not a $kind backup" ;;
  esac
  conf=$(guest_conf "$kind" "$id")
  if [ -f "$conf" ]; then
    if guest_running "$id"; then pve_die "unable to restore $([ "$kind" = qemu ] && echo VM || echo CT) $id - $([ "$kind" = qemu ] && echo VM || echo CT) is running"; fi
    if [ "$force" != 1 ]; then pve_die "unable to restore $([ "$kind" = qemu ] && echo VM || echo CT) $id - $([ "$kind" = qemu ] && echo VM || echo CT) $id already exists on node '$PVE_NODE'"; fi
    while read -r vol; do
      path=$(volume_path "$vol") && rm -rf "$path"
    done < <(guest_volumes "$conf")
  fi
  [ -z "$storage" ] || [ "$storage" = local-zfs ] || pve_die "storage '$storage' does not exist"
  mkdir -p "$(dirname "$conf")" "$PVE_LOCAL"
  tail -n +2 "$file" >"$conf.tmp"
  echo "restore $([ "$kind" = qemu ] && echo vma || echo tar) archive: $file"
  while read -r vol; do
    path=$(volume_path "$vol") || pve_die "storage '${vol%%:*}' does not exist"
    if [ "$kind" = lxc ]; then
      mkdir -p "$path/etc" && echo "$id" >"$path/etc/hostname"
    else
      truncate -s 32M "$path"
    fi
    echo "new volume ID is '$vol'"
  done < <(guest_volumes "$conf.tmp")
  mv "$conf.tmp" "$conf"
  echo "progress 100% (read 33554432 bytes)"
  echo "rescan volumes..."
}

# `qm` and `pct`: the subcommands the runbook and an operator use, with Proxmox's messages
# and exit codes (2 for a guest that does not exist, 255 for a refused action).
pve_guest_cli() { # KIND ARGS...
  local kind=$1 tool cmd id conf word
  shift
  if [ "$kind" = qemu ]; then tool=qm word=VM; else tool=pct word=CT; fi
  cmd=${1:-help}
  shift || true
  case "$cmd" in
    list)
      if [ "$kind" = qemu ]; then
        printf '%10s %-20s %-10s %-10s %12s %-10s\n' VMID NAME STATUS 'MEM(MB)' 'BOOTDISK(GB)' PID
      else
        printf '%-10s %-10s %-12s %-20s\n' VMID Status Lock Name
      fi
      for conf in "$(dirname "$(guest_conf "$kind" 0)")"/*.conf; do
        [ -f "$conf" ] || continue
        id=$(basename "$conf" .conf)
        local name mem state pid=0
        name=$(sed -nE 's/^(name|hostname): *//p' "$conf")
        mem=$(sed -nE 's/^memory: *//p' "$conf")
        if guest_running "$id"; then state=running pid=$(pid_of "$(guest_pidfile "$id")"); else state=stopped; fi
        if [ "$kind" = qemu ]; then
          printf '%10s %-20s %-10s %-10s %12s %-10s\n' "$id" "$name" "$state" "${mem:-512}" 32.00 "$pid"
        else
          printf '%-10s %-10s %-12s %-20s\n' "$id" "$state" '' "$name"
        fi
      done
      return 0 ;;
    restore)
      [ "$kind" = lxc ] || pve_die "unknown command 'qm restore' (use qmrestore)" 255
      local ctid=${1:-} archive=${2:-} storage='' force=0
      shift 2 || pve_die "400 not enough arguments
pct restore <vmid> <ostemplate> [OPTIONS]" 255
      while [ $# -gt 0 ]; do
        case "$1" in
          --storage) storage=$2; shift 2 ;;
          --force) force=$2; shift 2 ;;
          --unprivileged | --start) shift 2 ;;
          *) pve_die "400 unknown option: $1" 255 ;;
        esac
      done
      guest_restore lxc "$ctid" "$archive" "$storage" "$force"
      return 0 ;;
    help | --help | -h)
      echo "lab stand-in for $tool: list, status ID [--verbose], start ID, stop ID, shutdown ID, reboot ID, config ID$([ "$kind" = lxc ] && echo ', restore ID ARCHIVE [--storage S] [--force 1]')"
      return 0 ;;
  esac
  id=${1:-}
  [[ "$id" =~ ^[0-9]+$ ]] || pve_die "400 Parameter verification failed.
vmid: type check ('integer') failed - got '$id'
$tool $cmd <vmid>" 255
  conf=$(guest_conf "$kind" "$id")
  if [ ! -f "$conf" ]; then
    if [ "$kind" = qemu ]; then
      pve_die "Configuration file 'nodes/$PVE_NODE/qemu-server/$id.conf' does not exist" 2
    else
      pve_die "Configuration file 'nodes/$PVE_NODE/lxc/$id.conf' does not exist" 2
    fi
  fi
  case "$cmd" in
    status)
      if guest_running "$id"; then echo "status: running"; else echo "status: stopped"; fi
      if [ "${2:-}" = --verbose ]; then
        sed -nE 's/^(name|hostname): */name: /p; s/^memory: */maxmem: /p' "$conf"
      fi ;;
    config) grep -v '^#' "$conf" ;;
    start)
      quorum_state
      [ "$Q_QUORATE" = Yes ] || pve_die "cluster not ready - no quorum?"
      guest_running "$id" && pve_die "$word $id already running"
      local vol path
      while read -r vol; do
        path=$(volume_path "$vol") || pve_die "storage '${vol%%:*}' does not exist"
        if [ ! -e "$path" ]; then
          pve_die "TASK ERROR: zfs error: cannot open 'rpool/data/${vol#*:}': dataset does not exist"
        fi
      done < <(guest_volumes "$conf")
      guest_info "$id" || pve_die "lab: guest $id has no lab address (see LAB_GUESTS)" 1
      guest_boot "$id" || pve_die "TASK ERROR: start failed: lab guest $id did not come up"
      ;;
    stop | shutdown)
      quorum_state
      [ "$Q_QUORATE" = Yes ] || pve_die "cluster not ready - no quorum?"
      guest_info "$id" && guest_halt "$id" ;;
    reboot)
      guest_info "$id" && guest_halt "$id" && guest_boot "$id" ;;
    *) pve_die "400 unknown command '$tool $cmd'" 255 ;;
  esac
}
