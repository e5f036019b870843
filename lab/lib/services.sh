# shellcheck shell=bash
# shellcheck disable=SC2034  # constants used by the scripts that source this file
# The lab's daemons: how each one starts, what it is called, and how to tell it is ready.
# Used by setup.sh, teardown.sh, faults.sh and the `systemctl`/`pihole` stand-ins that the
# runbook calls over SSH. Every daemon runs in the foreground of its own session (setsid),
# inside its host's network namespace, with its pid in $LAB_DIR/run/HOST-UNIT.pid.
# Needs lib/common.sh sourced first.

# Units each host knows (what `systemctl` answers to there).
lab_units() {
  case "$1" in
    router) echo "ssh unbound pihole-FTL" ;;
    nas) echo "ssh smbd nfs-ganesha" ;;
    pve1) echo "ssh" ;;
    inet) echo "root-dns tld-dns" ;;
  esac
}

svc_pidfile() { printf '%s/run/%s-%s.pid' "$LAB_DIR" "$1" "$2"; }
svc_logfile() { printf '%s/log/%s-%s.log' "$LAB_DIR" "$1" "$2"; }

# Sets SVC_CMD (array), SVC_COMM (the process name), SVC_READY ("tcp|udp PORT") and SVC_DESC
# for HOST UNIT; returns 1 for a unit the host does not have.
svc_spec() {
  local host=$1 unit=${2%.service}
  SVC_CMD=() SVC_COMM='' SVC_READY='' SVC_DESC=''
  case "$host/$unit" in
    router/ssh | nas/ssh | pve1/ssh | router/sshd | nas/sshd | pve1/sshd)
      SVC_CMD=(/usr/sbin/sshd -D -f "$LAB_DIR/$host/sshd_config" -E "$(svc_logfile "$host" ssh)")
      SVC_COMM=sshd SVC_READY="tcp 22" SVC_DESC="OpenBSD Secure Shell server (lab: $host)" ;;
    router/unbound)
      SVC_CMD=(/usr/sbin/unbound -d -c "$LAB_DIR/router/unbound/unbound.conf")
      SVC_COMM=unbound SVC_READY="udp $UNBOUND_PORT" SVC_DESC="Unbound DNS server (lab: 127.0.0.1@$UNBOUND_PORT, zone home.arpa)" ;;
    router/pihole-FTL)
      # Pi-hole is not packaged: a second Unbound answers on :53 and forwards everything to
      # Unbound on 127.0.0.1@5335, as Pi-hole does with the usual upstream 127.0.0.1#5335.
      SVC_CMD=(/usr/sbin/unbound -d -c "$LAB_DIR/router/pihole/unbound.conf")
      SVC_COMM=unbound SVC_READY="udp 53" SVC_DESC="Pi-hole FTL (lab stand-in: unbound on $ROUTER_IP:53 forwarding to 127.0.0.1@$UNBOUND_PORT)" ;;
    inet/root-dns)
      # the lab's DNS root: an Unbound serving the zone "." from a file (auth-zone), which
      # delegates org. to the TLD server below; it recurses for nobody
      SVC_CMD=(/usr/sbin/unbound -d -c "$LAB_DIR/inet/root/unbound.conf")
      SVC_COMM=unbound SVC_READY="udp 53 $ROOT_DNS_IP" SVC_DESC="lab DNS root server ($ROOT_DNS_IP:53, zone .)" ;;
    inet/tld-dns)
      SVC_CMD=(/usr/sbin/unbound -d -c "$LAB_DIR/inet/tld/unbound.conf")
      SVC_COMM=unbound SVC_READY="udp 53 $TLD_DNS_IP" SVC_DESC="lab DNS TLD server ($TLD_DNS_IP:53, zone org.)" ;;
    nas/smbd)
      SVC_CMD=(/usr/sbin/smbd --foreground --no-process-group --debug-stdout -s "$LAB_DIR/nas/samba/smb.conf" --log-basename="$LAB_DIR/nas/samba/log")
      SVC_COMM=smbd SVC_READY="tcp $SMB_PORT" SVC_DESC="Samba SMB Daemon (lab: $NAS_IP:$SMB_PORT)" ;;
    nas/nfs-ganesha)
      SVC_CMD=(/usr/bin/ganesha.nfsd -F -L "$(svc_logfile nas nfs-ganesha)" -f "$LAB_DIR/nas/ganesha/ganesha.conf" -p "$(svc_pidfile nas nfs-ganesha)")
      SVC_COMM=ganesha.nfsd SVC_READY="tcp $NFS_PORT" SVC_DESC="NFS-Ganesha file server (lab: NFSv4 on $NAS_IP:$NFS_PORT)" ;;
    *) return 1 ;;
  esac
  if [ "$unit" = sshd ]; then unit=ssh; fi
  SVC_UNIT=$unit
}

svc_running() {
  svc_spec "$1" "$2" || return 1
  pid_alive "$(svc_pidfile "$1" "$SVC_UNIT")" "$SVC_COMM"
}

svc_ready() {
  local host=$1 proto port addr
  read -r proto port addr <<<"$SVC_READY"
  port_listening "$host" "$proto" "$port" "$addr"
}

# Starts HOST UNIT unless it runs; waits until it listens. Returns 1 (log tail on stderr) when
# it does not come up within 20 s.
svc_start() {
  local host=$1 unit=$2 pidfile logfile pid i
  svc_spec "$host" "$unit" || { echo "Unit ${unit%.service}.service not found." >&2; return 5; }
  pidfile=$(svc_pidfile "$host" "$SVC_UNIT")
  logfile=$(svc_logfile "$host" "$SVC_UNIT")
  mkdir -p "$LAB_DIR/run" "$LAB_DIR/log"
  if pid_alive "$pidfile" "$SVC_COMM"; then return 0; fi
  rm -f "$pidfile"
  printf -- '--- %s starting %s\n' "$(date '+%F %T')" "$SVC_UNIT" >>"$logfile"
  # A background child of a non-interactive shell is no process group leader, so setsid
  # does not fork and $! is the daemon itself (nsenter execs too).
  detached setsid nsenter --net="/run/netns/$(lab_ns "$host")" -- "${SVC_CMD[@]}" </dev/null >>"$logfile" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  for ((i = 0; i < 200; i++)); do
    if ! [ -d "/proc/$pid" ] || [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
      echo "$SVC_UNIT on $host exited at start; the end of $logfile:" >&2
      tail -n 8 "$logfile" >&2
      rm -f "$pidfile"
      return 1
    fi
    if svc_ready "$host"; then
      echo "$pid" >"$pidfile"   # the daemon may have rewritten it; keep ours
      return 0
    fi
    sleep 0.1
  done
  echo "$SVC_UNIT on $host did not listen ($SVC_READY) within 20s; the end of $logfile:" >&2
  tail -n 8 "$logfile" >&2
  kill_pid "$pid" 5
  rm -f "$pidfile"
  return 1
}

svc_stop() {
  local host=$1 unit=$2 pidfile
  svc_spec "$host" "$unit" || { echo "Unit ${unit%.service}.service not loaded." >&2; return 5; }
  pidfile=$(svc_pidfile "$host" "$SVC_UNIT")
  if pid_alive "$pidfile" "$SVC_COMM"; then
    kill_pid "$(pid_of "$pidfile")" 10
    printf -- '--- %s stopped %s\n' "$(date '+%F %T')" "$SVC_UNIT" >>"$(svc_logfile "$host" "$SVC_UNIT")"
  fi
  rm -f "$pidfile"
  svc_stop_helpers "$host" "$SVC_UNIT"
}

# smbd starts samba-dcerpcd (and its rpcd_* workers) on demand, in a session of its own, and
# it outlives smbd: stop the ones of the lab's smb.conf with it, as systemd's cgroup would.
svc_stop_helpers() {
  local pid
  [ "$1/$2" = nas/smbd ] || return 0
  for pid in $(pgrep -x samba-dcerpcd || true); do
    if grep -qF -- "--configfile=$LAB_DIR/nas/samba/smb.conf" "/proc/$pid/cmdline" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
  done
}

# Like a crash: SIGKILL, no clean shutdown.
svc_crash() {
  local host=$1 unit=$2 pidfile
  svc_spec "$host" "$unit" || return 5
  pidfile=$(svc_pidfile "$host" "$SVC_UNIT")
  if pid_alive "$pidfile" "$SVC_COMM"; then
    kill -KILL "$(pid_of "$pidfile")" 2>/dev/null || true
    sleep 0.2
  fi
}

# Pi-hole's gravity, as `pihole -g` builds it: every domain of every adlist (file:// in the
# lab) becomes a local zone of the Pi-hole stand-in answering 0.0.0.0. Prints the count.
pihole_gravity() {
  local dir=$LAB_DIR/router/pihole url f n
  : >"$dir/gravity.conf.tmp"
  while read -r url; do
    case "$url" in '' | '#'*) continue ;; esac
    f=${url#file://}
    [ "$f" != "$url" ] && [ -r "$f" ] || { echo "  [✗] Status: $url not reachable" >&2; continue; }
    # hosts format ("0.0.0.0 domain") or one domain a line
    awk '!/^[[:space:]]*(#|$)/ { d = (NF > 1 ? $2 : $1); print d }' "$f"
  done <"$dir/adlists.list" | sort -u | while read -r d; do
    printf '    local-zone: "%s." always_null\n' "$d"
  done >>"$dir/gravity.conf.tmp"
  mv "$dir/gravity.conf.tmp" "$dir/gravity.conf"
  n=$(grep -c . "$dir/gravity.conf" || true)
  echo "$n"
}

# ---------------------------------------------------------------------------------------------
# The laptop's client mount of the NAS's SMB share media: rclone's SMB client over FUSE, in the
# root namespace (the laptop), at $CLIENT_MNT. Like a laptop's mount that outlives a NAS outage,
# it stays mounted while smbd is down (every look inside fails with EIO) and shows the share
# again as soon as smbd serves it. Short retries and timeouts: a look inside answers at once,
# never after rclone's default of ten retries, so a client check polling it sees smbd's return.

client_pidfile() { printf '%s/run/laptop-rclone.pid' "$LAB_DIR"; }
client_mounted() { findmnt -rn --mountpoint "$CLIENT_MNT" >/dev/null 2>&1; }

# Mounts the share unless rclone runs with it mounted; returns 1 (log tail on stderr) when the
# mount does not appear within 10 s.
client_mount() {
  local pidfile logfile pid i
  pidfile=$(client_pidfile)
  logfile="$LAB_DIR/log/laptop-rclone.log"
  if pid_alive "$pidfile" rclone && client_mounted; then return 0; fi
  client_unmount
  mkdir -p "$CLIENT_MNT" "$LAB_DIR/laptop/rclone-cache" "$LAB_DIR/run" "$LAB_DIR/log"
  # Anonymous, as the share is (guest ok; an unknown user is the guest: map to guest = Bad User).
  cat >"$LAB_DIR/laptop/rclone.conf" <<CONF
# The laptop's SMB client for the lab NAS (written by lab/setup.sh): rclone's SMB backend.
[nas]
type = smb
host = $NAS_IP
port = $SMB_PORT
user = guest
CONF
  printf -- '--- %s mounting //%s/media on %s\n' "$(date '+%F %T')" "$NAS_IP" "$CLIENT_MNT" >>"$logfile"
  detached setsid rclone mount nas:media "$CLIENT_MNT" --config "$LAB_DIR/laptop/rclone.conf" \
    --cache-dir "$LAB_DIR/laptop/rclone-cache" --read-only --dir-cache-time 2s --attr-timeout 1s \
    --low-level-retries 2 --contimeout 3s --timeout 10s --log-level INFO \
    </dev/null >>"$logfile" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  for ((i = 0; i < 100; i++)); do
    client_mounted && return 0
    if ! pid_alive "$pidfile" rclone; then break; fi
    sleep 0.1
  done
  echo "rclone did not mount //$NAS_IP/media on $CLIENT_MNT; the end of $logfile:" >&2
  tail -n 8 "$logfile" >&2
  client_unmount
  return 1
}

# Stops rclone (which unmounts on TERM), then detaches whatever mount is left (a dead FUSE
# mount answers "Transport endpoint is not connected"). Quiet when nothing is there.
client_unmount() {
  local pidfile
  pidfile=$(client_pidfile)
  if pid_alive "$pidfile" rclone; then kill_pid "$(pid_of "$pidfile")" 10; fi
  rm -f "$pidfile"
  if client_mounted; then
    umount "$CLIENT_MNT" 2>/dev/null || umount -l "$CLIENT_MNT" 2>/dev/null || true
  fi
  ! client_mounted
}
