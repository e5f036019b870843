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
PVE_ETC="$LAB_DIR/pve1/etc-pve"           # stands for /etc/pve (pmxcfs, shared by the cluster's nodes)
# The other node of the two-node cluster (lab/faults.sh cluster, no-quorum, lose-pve2): never a
# running machine in the lab, only its folder in pmxcfs, its corosync vote and its guests.
PVE_PEER=pve2
PVE_PEER_IP=10.213.7.31
# pve2's guests, as LAB_GUESTS: their configurations live in /etc/pve/nodes/pve2, their disks
# on pve2's local-zfs, which storage replication (pvesr) copies to pve1's local-zfs every 15
# minutes; pve1 can run them once their configuration is moved to its own folder.
PVE_PEER_GUESTS=("210 lxc paperless 10.213.7.51 8000")
# pve2's network, while pve2 "runs" (lab/faults.sh cluster, pve2-answers): a namespace on the
# lab's switch with pve2's address, answering a ping; no namespace while pve2 is off.
PVE_PEER_NS=lbpve2
PVE_START_LOG="$LAB_DIR/log/pve1-guest-starts.log" # "EPOCH.NANOS ID" per guest start
PVE_LOCAL="$LAB_DIR/pve1/local-zfs"       # storage local-zfs: vm-ID-disk-N files, subvol-ID-disk-N folders
PVE_LVM="$LAB_DIR/pve1/local-lvm"         # storage local-lvm (lvmthin): vm-ID-disk-N files
PVE_BACKUP_MNT=/mnt/pve/nas-backup        # where Proxmox mounts the storage nas-backup
NAS_BACKUP_PATH="$LAB_DIR/nas/tank/backup" # the NAS's dataset tank/backup, exported as /backup
PBS_STORE="$LAB_DIR/pbs/datastore"         # the datastore of the storage pbs-backup (a PBS stand-in)
PVE_FAULTS="$LAB_DIR/pve1/faults"          # flags set by lab/faults.sh (e.g. a storage that times out)
PVE_STORAGES=(local-zfs local-lvm nas-backup pbs-backup)

pve_die() { # MESSAGE [EXIT]
  echo "$1" >&2
  exit "${2:-255}"
}

# guest_info ID: sets G_ID G_KIND (qemu|lxc) G_NAME G_IP G_PORT; returns 1 for an id not in the lab.
guest_info() {
  local entry id kind name ip port
  for entry in "${LAB_GUESTS[@]}" "${PVE_PEER_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$entry"
    if [ "$id" = "$1" ]; then
      G_ID=$id G_KIND=$kind G_NAME=$name G_IP=$ip G_PORT=$port
      return 0
    fi
  done
  return 1
}

guest_conf() { # KIND ID [NODE]: where the guest's configuration is when NODE (default pve1) has it
  if [ "$1" = qemu ]; then
    printf '%s/nodes/%s/qemu-server/%s.conf' "$PVE_ETC" "${3:-$PVE_NODE}" "$2"
  else
    printf '%s/nodes/%s/lxc/%s.conf' "$PVE_ETC" "${3:-$PVE_NODE}" "$2"
  fi
}

# pmxcfs's layout: each node's guests in nodes/NODE/{qemu-server,lxc}; /etc/pve/qemu-server,
# /etc/pve/lxc and /etc/pve/local are links to the local node's folders, as pmxcfs shows them.
pve_etc_layout() {
  local d
  mkdir -p "$PVE_ETC/nodes/$PVE_NODE/qemu-server" "$PVE_ETC/nodes/$PVE_NODE/lxc"
  for d in qemu-server lxc; do
    [ -L "$PVE_ETC/$d" ] || rm -rf "${PVE_ETC:?}/$d"
    ln -sfn "nodes/$PVE_NODE/$d" "$PVE_ETC/$d"
  done
  ln -sfn "nodes/$PVE_NODE" "$PVE_ETC/local"
}

# The node whose folder holds a guest's configuration, if any.
guest_owner() { # KIND ID
  local f
  for f in "$PVE_ETC"/nodes/*/"$([ "$1" = qemu ] && echo qemu-server || echo lxc)/$2.conf"; do
    [ -f "$f" ] || continue
    f=${f#"$PVE_ETC"/nodes/}
    echo "${f%%/*}"
    return 0
  done
  return 1
}

guest_pidfile() { printf '%s/run/pve1-guest-%s.pid' "$LAB_DIR" "$1"; }

# A guest runs when its process (QEMU, or the container's init: here its stand-in) runs;
# whether its service answers is another matter.
guest_running() { pid_alive "$(guest_pidfile "$1")" node; }

# conf_get CONF KEY: the value of KEY in the guest's current configuration (not its snapshots).
conf_get() { sed -nE "/^\[/q; s/^$2: *//p" "$1" | head -n 1; }

# The volume ids (storage:name) of a guest's disks, from its configuration: "KEY VOLID" lines.
guest_volume_keys() { # CONF
  sed -nE '/^\[/q; s/^((scsi|virtio|sata|ide|efidisk|tpmstate|unused)[0-9]+): *([^,]+).*/\1 \3/p; s/^(rootfs): *([^,]+).*/\1 \2/p; s/^(mp[0-9]+): *([^,/][^,]*).*/\1 \2/p' "$1" |
    grep -v -e ' none$' -e 'media=cdrom' -e ' /' | grep ':' || true
}
guest_volumes() { guest_volume_keys "$1" | awk '{ print $2 }'; }

storage_known() { case "$1" in local-zfs | local-lvm | nas-backup | pbs-backup) return 0 ;; *) return 1 ;; esac; }
storage_type() { case "$1" in local-zfs) echo zfspool ;; local-lvm) echo lvmthin ;; nas-backup) echo nfs ;; pbs-backup) echo pbs ;; esac; }
storage_content() { case "$1" in local-zfs) echo images,rootdir ;; local-lvm) echo images,rootdir ;; *) echo backup ;; esac; }
storage_dir() { case "$1" in local-zfs) echo "$PVE_LOCAL" ;; local-lvm) echo "$PVE_LVM" ;; nas-backup) echo "$PVE_BACKUP_MNT" ;; pbs-backup) echo "$PBS_STORE" ;; esac; }

# What listing a storage's volumes does when the storage is slow (faults.sh storage-timeout).
storage_timeout_check() { # STORE
  if [ -e "$PVE_FAULTS/timeout-$1" ]; then
    case "$(storage_type "$1")" in
      zfspool) pve_die "zfs error: cannot list volumes of 'rpool/data': got timeout" ;;
      *) pve_die "storage '$1': got timeout" ;;
    esac
  fi
}

# Is a storage usable now? nas-backup is when the NAS serves its export (as pvestatd mounts it).
storage_active() { # STORE
  case "$1" in
    nas-backup) backup_activate ;;
    *) storage_known "$1" ;;
  esac
}

volume_path() { # VOLID -> path on this node, or fails for a storage without volumes of guests
  local store=${1%%:*} name=${1#*:}
  case "$store" in
    local-zfs) printf '%s/%s' "$PVE_LOCAL" "$name" ;;
    local-lvm) printf '%s/%s' "$PVE_LVM" "$name" ;;
    *) return 1 ;;
  esac
}

# The volume names of a guest's disks on a storage (vm-ID-disk-N, subvol-ID-disk-N, ...).
storage_guest_volumes() { # STORE ID
  local dir f
  dir=$(storage_dir "$1")
  for f in "$dir"/*-"$2"-disk-*; do
    [ -e "$f" ] || continue
    basename "$f"
  done
}

# The next free volume name of a guest on a storage: vm-ID-disk-N or subvol-ID-disk-N.
next_volume_name() { # STORE ID PREFIX
  local n=0 dir
  dir=$(storage_dir "$1")
  while [ -e "$dir/$3-$2-disk-$n" ]; do n=$((n + 1)); done
  printf '%s-%s-disk-%s' "$3" "$2" "$n"
}

# The cluster, as pvecm and pmxcfs see it. Without $PVE_ETC/corosync.conf pve1 is a standalone
# node (the usual homelab): pvecm status fails as on real Proxmox, and guests start without any
# quorum. With it, pve1 is in the two-node cluster "homelab" with pve2, which is up when
# $PVE_ETC/.pve2-up exists; the expected votes are the nodes' unless `pvecm expected N` set them.
quorum_state() { # sets Q_MODE (standalone|cluster) Q_NODES Q_EXPECTED Q_TOTAL Q_NEEDED Q_QUORATE (Yes|No)
  if [ ! -f "$PVE_ETC/corosync.conf" ]; then
    Q_MODE=standalone Q_NODES=1 Q_EXPECTED=1 Q_TOTAL=1 Q_NEEDED=1 Q_QUORATE=Yes
    return 0
  fi
  Q_MODE=cluster
  Q_NODES=$(grep -c '^ *name: ' "$PVE_ETC/corosync.conf" || true)
  Q_EXPECTED=$(cat "$PVE_ETC/.expected_votes" 2>/dev/null || echo "$Q_NODES")
  Q_TOTAL=1
  [ ! -e "$PVE_ETC/.pve2-up" ] || Q_TOTAL=2
  [ "$Q_EXPECTED" -ge "$Q_TOTAL" ] || Q_EXPECTED=$Q_TOTAL
  Q_NEEDED=$((Q_EXPECTED / 2 + 1))
  if [ "$Q_TOTAL" -ge "$Q_NEEDED" ]; then Q_QUORATE=Yes; else Q_QUORATE=No; fi
}

# What pmxcfs needs to change /etc/pve: quorum (always there on a standalone node).
need_quorum() {
  quorum_state
  [ "$Q_QUORATE" = Yes ] || pve_die "cluster not ready - no quorum?"
}

# Starts a guest: its address on vmbr0 and its process (the stand-in of QEMU or the container's
# init). Returns once the process runs, as `qm start` does: its service answers a moment later.
guest_boot() { # ID
  local pidfile pid
  guest_info "$1" || return 1
  pidfile=$(guest_pidfile "$G_ID")
  guest_running "$G_ID" && return 0
  mkdir -p "$LAB_DIR/run" "$LAB_DIR/log"
  in_ns pve1 ip addr replace "$G_IP/$LAB_PREFIXLEN" dev vmbr0
  detached setsid nsenter --net=/run/netns/lbpve1 -- "$NODE_BIN" "$LAB_DIR/lib/http-guest.mjs" "$G_NAME" "$G_IP" "$G_PORT" \
    </dev/null >>"$LAB_DIR/log/pve1-guest-$G_ID.log" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  echo "$(date +%s.%N) $G_ID" >>"$PVE_START_LOG"
  sleep 0.2
  if ! guest_running "$G_ID"; then
    echo "guest $G_ID did not start; see $LAB_DIR/log/pve1-guest-$G_ID.log" >&2
    guest_halt "$G_ID"
    return 1
  fi
}

# Waits until a started guest's service answers (for setup.sh --healthy, not for qm start).
guest_wait_service() { # ID
  local i
  guest_info "$1" || return 1
  for ((i = 0; i < 100; i++)); do
    port_listening pve1 tcp "$G_PORT" "$G_IP" && return 0
    sleep 0.1
  done
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

# What pvestatd does for an NFS storage: mount it once the server answers. One at a time: two
# pvesh calls at once (a fan-out of checks) must not stack two bind mounts, as the second one
# would outlive a deactivation and keep tank/backup busy.
backup_activate() {
  nas_backup_served || return 1
  (
    flock -w 30 8 || exit 1
    if ! backup_mounted; then
      mkdir -p "$PVE_BACKUP_MNT"
      mount --bind "$NAS_BACKUP_PATH" "$PVE_BACKUP_MNT"
    fi
  ) 8>/run/lock/lifeboat-nas-backup.lock
}

# Unmounts the storage, every layer of it (a lab built before activations were serialised may
# have stacked them); lazily when one is busy, so that the NAS may let go of the dataset.
backup_deactivate() {
  (
    flock -w 30 8 || exit 1
    for ((i = 0; i < 10; i++)); do
      backup_mounted || exit 0
      umount "$PVE_BACKUP_MNT" 2>/dev/null || umount -l "$PVE_BACKUP_MNT" || exit 1
    done
    ! backup_mounted
  ) 8>/run/lock/lifeboat-nas-backup.lock
}

# Resolves a backup volume id or path to a file, activating the storage as Proxmox does.
backup_file() { # ARCHIVE
  local a=$1
  case "$a" in
    nas-backup:backup/*)
      backup_activate || pve_die "storage 'nas-backup' is not online"
      a="$PVE_BACKUP_MNT/dump/${a#nas-backup:backup/}" ;;
    pbs-backup:backup/*)
      a="$PBS_STORE/${a#pbs-backup:backup/}" ;;
    /*) ;;
    *:*) pve_die "storage '${a%%:*}' does not exist" ;;
  esac
  [ -f "$a" ] || pve_die "unable to restore - archive '$1' does not exist"
  printf '%s' "$a"
}

# Proxmox takes a guest's configuration lock (a flock, 10 s) for every change to the guest: two
# starts, or a start and a restore, at once wait for each other instead of both acting. Held on
# fd 6 until the command exits; the guest's own process does not inherit it (`detached`).
guest_config_lock() { # KIND ID
  local shown
  if [ "$1" = qemu ]; then shown=/var/lock/qemu-server/lock-$2.conf; else shown=/run/lock/lxc/pve-config-$2.lock; fi
  exec 6>"$LAB_DIR/run/guest-config-$2.lock"
  flock -w 10 6 || pve_die "can't lock file '$shown' - got timeout"
}

# Restores a guest from a stand-in backup (a vzdump file on nas-backup, or a snapshot on
# pbs-backup): its first line names the guest type, the rest is the guest's configuration.
# As qmrestore and pct restore do: the archive and every target storage are checked first; only
# then, with --force, over an existing guest that is neither running, protected nor locked, the
# volumes of the disks being restored are freed. Other volumes of the old configuration are
# kept (as unusedN). The restored disks are allocated on --storage, or where the backup had them.
guest_restore() { # KIND ID ARCHIVE STORAGE FORCE
  local kind=$1 id=$2 archive=$3 storage=$4 force=$5 word file conf header key vol path store prefix n=0 newconf
  if [ "$kind" = qemu ]; then word=VM prefix=vm; else word=CT prefix=subvol; fi
  file=$(backup_file "$archive")
  header=$(head -n 1 "$file")
  case "$header" in
    "LAB-VZDUMP $kind "*) ;;
    *) pve_die "unable to restore - '$archive' is not a $kind backup" ;;
  esac
  need_quorum
  guest_config_lock "$kind" "$id"
  # the target storages, before anything is freed
  while read -r key vol; do
    store=${storage:-${vol%%:*}}
    storage_known "$store" || pve_die "storage '$store' does not exist"
    case ",$(storage_content "$store")," in
      *",$([ "$kind" = qemu ] && echo images || echo rootdir),"*) ;;
      *) pve_die "storage '$store' does not support $([ "$kind" = qemu ] && echo 'vm images' || echo 'container directories')" ;;
    esac
    storage_active "$store" || pve_die "storage '$store' is not online"
  done < <(tail -n +2 "$file" | guest_volume_keys /dev/stdin)
  conf=$(guest_conf "$kind" "$id")
  local oldconf=''
  if [ -f "$conf" ]; then
    if guest_running "$id"; then
      if [ "$kind" = qemu ]; then pve_die "unable to restore VM $id - vm is running"; else pve_die "can't overwrite running container"; fi
    fi
    [ "$force" = 1 ] || pve_die "unable to restore $word $id - $word $id already exists on node '$PVE_NODE'"
    [ "$(conf_get "$conf" protection)" != 1 ] || pve_die "unable to restore $word $id - protection mode enabled"
    local lock
    lock=$(conf_get "$conf" lock)
    [ -z "$lock" ] || pve_die "$word is locked ($lock)"
    oldconf=$(cat "$conf")
  fi
  mkdir -p "$(dirname "$conf")" "$PVE_LOCAL" "$PVE_LVM"
  echo "restore $([ "$kind" = qemu ] && echo vma || echo tar) archive: $file"
  # free the volumes of the disks the backup holds; keep the others
  local kept=()
  if [ -n "$oldconf" ]; then
    while read -r key vol; do
      if tail -n +2 "$file" | grep -qE "^$key: "; then
        path=$(volume_path "$vol") && [ -e "$path" ] && { rm -rf "$path"; echo "freed volume '$vol'"; }
      else
        kept+=("$vol")
      fi
    done < <(printf '%s\n' "$oldconf" | guest_volume_keys /dev/stdin)
  fi
  newconf=$(tail -n +2 "$file")
  while read -r key vol; do
    store=${storage:-${vol%%:*}}
    local name newvol
    name=$(next_volume_name "$store" "$id" "$prefix")
    newvol="$store:$name"
    path=$(volume_path "$newvol")
    if [ "$kind" = lxc ]; then mkdir -p "$path/etc" && echo "$id" >"$path/etc/hostname"; else truncate -s 32M "$path"; fi
    echo "new volume ID is '$newvol'"
    newconf=$(printf '%s\n' "$newconf" | sed -E "s|^($key: *)[^,]+|\\1$newvol|")
  done < <(printf '%s\n' "$newconf" | guest_volume_keys /dev/stdin)
  for vol in "${kept[@]}"; do newconf+=$'\n'"unused$n: $vol"; n=$((n + 1)); done
  printf '%s\n' "$newconf" >"$conf.tmp"
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
      local confs=() c
      for c in "$(dirname "$(guest_conf "$kind" 0)")"/*.conf; do [ -f "$c" ] && confs+=("$c"); done
      # pct list prints nothing at all without containers
      [ "${#confs[@]}" -gt 0 ] || return 0
      if [ "$kind" = qemu ]; then
        printf '%10s %-20s %-10s %-10s %12s %-10s\n' VMID NAME STATUS 'MEM(MB)' 'BOOTDISK(GB)' PID
      else
        printf '%-10s %-10s %-12s %-20s\n' VMID Status Lock Name
      fi
      for conf in "${confs[@]}"; do
        id=$(basename "$conf" .conf)
        local name mem state pid=0
        name=$(sed -nE 's/^(name|hostname): *//p' "$conf")
        mem=$(conf_get "$conf" memory)
        if guest_running "$id"; then state=running pid=$(pid_of "$(guest_pidfile "$id")"); else state=stopped; fi
        if [ "$kind" = qemu ]; then
          printf '%10s %-20s %-10s %-10s %12s %-10s\n' "$id" "$name" "$state" "${mem:-512}" 32.00 "$pid"
        else
          printf '%-10s %-10s %-12s %-20s\n' "$id" "$state" "$(conf_get "$conf" lock)" "$name"
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
      echo "lab stand-in for $tool: list, status ID [--verbose], start ID, stop ID, shutdown ID, reboot ID, config ID, unlock ID$([ "$kind" = lxc ] && echo ', restore ID ARCHIVE [--storage S] [--force 1]')"
      return 0 ;;
  esac
  id=${1:-}
  [[ "$id" =~ ^[0-9]+$ ]] || pve_die "400 Parameter verification failed.
vmid: type check ('integer') failed - got '$id'
$tool $cmd <vmid>" 255
  conf=$(guest_conf "$kind" "$id")
  if [ ! -f "$conf" ] && [ "$cmd" = start ] && guest_owner "$kind" "$id" >/dev/null; then
    # the guest is another node's: its configuration is in that node's folder of pmxcfs
    pve_die "unable to find configuration file for $word $id on node '$PVE_NODE'" 255
  fi
  if [ ! -f "$conf" ]; then
    if [ "$kind" = qemu ]; then
      pve_die "Configuration file 'nodes/$PVE_NODE/qemu-server/$id.conf' does not exist" 2
    else
      pve_die "Configuration file 'nodes/$PVE_NODE/lxc/$id.conf' does not exist" 2
    fi
  fi
  case "$cmd" in start | stop | shutdown | reboot | unlock) guest_config_lock "$kind" "$id" ;; esac
  local lock
  lock=$(conf_get "$conf" lock)
  case "$cmd" in
    status)
      if guest_running "$id"; then echo "status: running"; else echo "status: stopped"; fi
      if [ "${2:-}" = --verbose ]; then
        sed -nE 's/^(name|hostname): */name: /p; s/^memory: */maxmem: /p' "$conf"
        [ -z "$lock" ] || echo "lock: $lock"
      fi ;;
    config) sed -e '/^\[/,$d' "$conf" | grep -v '^#' ;;
    start)
      need_quorum
      guest_running "$id" && pve_die "$word $id already running"
      [ -z "$lock" ] || pve_die "$word is locked ($lock)"
      local vol path
      while read -r vol; do
        case "$vol" in unused*) continue ;; esac
        storage_known "${vol%%:*}" || pve_die "storage '${vol%%:*}' does not exist"
        path=$(volume_path "$vol") || pve_die "storage '${vol%%:*}' does not support $([ "$kind" = qemu ] && echo 'vm images' || echo 'container directories')"
        if [ ! -e "$path" ]; then
          case "${vol%%:*}" in
            local-zfs) pve_die "TASK ERROR: zfs error: cannot open 'rpool/data/${vol#*:}': dataset does not exist" ;;
            *) pve_die "TASK ERROR: no such logical volume pve/${vol#*:}" ;;
          esac
        fi
      done < <(guest_volume_keys "$conf" | grep -v '^unused' | awk '{ print $2 }')
      guest_info "$id" || pve_die "lab: guest $id has no lab address (see LAB_GUESTS)" 1
      guest_boot "$id" || pve_die "TASK ERROR: start failed: lab guest $id did not start"
      ;;
    stop | shutdown)
      need_quorum
      [ -z "$lock" ] || pve_die "$word is locked ($lock)"
      guest_info "$id" && guest_halt "$id" ;;
    reboot)
      [ -z "$lock" ] || pve_die "$word is locked ($lock)"
      guest_info "$id" && guest_halt "$id" && guest_boot "$id" ;;
    unlock)
      need_quorum
      sed -i '/^\[/,$!{/^lock: /d}' "$conf" ;;
    *) pve_die "400 unknown command '$tool $cmd'" 255 ;;
  esac
}

# pve2 lost (lab/faults.sh lose-pve2): its guests' configurations stay in its folder of pmxcfs,
# which pve1 holds a copy of, and storage replication (pvesr, /etc/pve/replication.cfg) has
# copied their local-zfs volumes to pve1 every 15 minutes: the usual two-node homelab without
# shared storage. A guest whose replica is missing cannot run on pve1 (lose-replica).
peer_guest_config() { # ID
  guest_info "$1" || return 1
  cat <<EOF
#$G_NAME (lab guest of pve2: answers on $G_IP:$G_PORT once running)
arch: amd64
cores: 2
hostname: $G_NAME
memory: 2048
net0: name=eth0,bridge=vmbr0,ip=$G_IP/$LAB_PREFIXLEN,gw=$ROUTER_IP,type=veth
onboot: 1
ostype: debian
rootfs: local-zfs:subvol-$G_ID-disk-0,size=8G
startup: order=2,up=10
unprivileged: 1
EOF
}

peer_lost() {
  local g id kind name ip port
  : >"$PVE_ETC/replication.cfg"
  for g in "${PVE_PEER_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$g"
    guest_halt "$id"
    rm -f "$(guest_conf "$kind" "$id")"
    mkdir -p "$(dirname "$(guest_conf "$kind" "$id" "$PVE_PEER")")"
    peer_guest_config "$id" >"$(guest_conf "$kind" "$id" "$PVE_PEER")"
    mkdir -p "$PVE_LOCAL/subvol-$id-disk-0/etc"
    echo "$name" >"$PVE_LOCAL/subvol-$id-disk-0/etc/hostname"
    printf 'local: %s-0\n\ttarget %s\n\tschedule */15\n\n' "$id" "$PVE_NODE" >>"$PVE_ETC/replication.cfg"
  done
}

# Back to a lab without pve2's guests: stopped, their configurations and replicas gone.
peer_clear() {
  local g id kind name ip port
  for g in "${PVE_PEER_GUESTS[@]}"; do
    read -r id kind name ip port <<<"$g"
    guest_halt "$id"
    rm -f "$(guest_conf "$kind" "$id")"
    rm -rf "${PVE_LOCAL:?}"/*-"$id"-disk-*
  done
  rm -rf "${PVE_ETC:?}/nodes/$PVE_PEER" "$PVE_ETC/replication.cfg"
  peer_silent
}

# pve2 runs: its address answers on the lab's switch (port sw-pve2).
peer_answers() {
  ns_exists "$PVE_PEER_NS" || ip netns add "$PVE_PEER_NS"
  nsenter --net="/run/netns/$PVE_PEER_NS" -- sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$PVE_PEER_NS" link set lo up
  if ! ip -n lbswitch link show dev sw-pve2 >/dev/null 2>&1; then
    ip -n "$PVE_PEER_NS" link del eth0 2>/dev/null || true
    ip -n "$PVE_PEER_NS" link add eth0 type veth peer name sw-pve2 netns lbswitch
  fi
  ip -n lbswitch link set sw-pve2 master br0 up
  ip -n "$PVE_PEER_NS" addr replace "$PVE_PEER_IP/$LAB_PREFIXLEN" dev eth0
  ip -n "$PVE_PEER_NS" link set eth0 up
}

# pve2 is off: nothing answers on its address.
peer_silent() {
  if ns_exists "$PVE_PEER_NS"; then ip netns del "$PVE_PEER_NS" 2>/dev/null || ! ns_exists "$PVE_PEER_NS"; fi
}
