# shellcheck shell=bash
# The NAS's encrypted dataset: ZFS native encryption played by gocryptfs (zfs-fuse has none).
# The real dataset tank/private holds the ciphertext on a hidden mountpoint; the NAS's `zfs`
# stand-in (shims/zfs) loads its key and mounts the plaintext view on tank/private's usual
# mountpoint. Sourced after common.sh.

CRYPT_DATASET="$POOL/private"
# where the homelab's users see tank/private (its mountpoint on the real NAS)
CRYPT_PLAIN="$LAB_DIR/nas/tank/private"
# where zfs-fuse mounts the ciphertext of tank/private (inside the pool's root dataset)
CRYPT_RAW="$LAB_DIR/nas/tank/.private.raw"
# the "kernel's" key store: the unwrapped key of a loaded dataset, root only
CRYPT_KEYS="$LAB_DIR/run/nas-zfs-keys"
# The lab's passphrase of tank/private (a throwaway lab: it is written here on purpose).
LAB_ZFS_PASSPHRASE='lifeboat lab passphrase'

crypt_env() {
  mkdir -p "$LAB_DIR/nas"
  printf 'CRYPT_DATASET=%q\nCRYPT_PLAIN=%q\nCRYPT_RAW=%q\nCRYPT_KEYS=%q\n' \
    "$CRYPT_DATASET" "$CRYPT_PLAIN" "$CRYPT_RAW" "$CRYPT_KEYS" >"$LAB_DIR/nas/crypt.env"
}

# The NAS's zfs as the runbook's commands see it over ssh.
# (fd 9, the lab scripts' lock, is not handed to the gocryptfs daemon a mount starts)
crypt_zfs() { LAB_CRYPT_ENV="$LAB_DIR/nas/crypt.env" "$LAB_SRC/shims/zfs" "$@" 9<&-; }

# Locked: the plaintext unmounted and the key unloaded, as after a reboot or an export.
crypt_lock() {
  if findmnt -rn --mountpoint "$CRYPT_PLAIN" >/dev/null 2>&1; then
    fusermount -u "$CRYPT_PLAIN" 2>/dev/null || umount -l "$CRYPT_PLAIN" 2>/dev/null || true
  fi
  # one whose mount was detached while busy, or whose lower dataset went away
  pkill -KILL -f -- "gocryptfs .*$CRYPT_RAW $CRYPT_PLAIN" 2>/dev/null || true
  rm -rf "$CRYPT_KEYS"
}

# Unlocked with the lab's passphrase and mounted, as a healthy NAS has it.
crypt_unlock() {
  crypt_zfs get -H -o value keystatus "$CRYPT_DATASET" | grep -qx available ||
    crypt_zfs load-key -L prompt "$CRYPT_DATASET" <<<"$LAB_ZFS_PASSPHRASE" >/dev/null || return 1
  crypt_zfs get -H -o value mounted "$CRYPT_DATASET" | grep -qx yes || crypt_zfs mount "$CRYPT_DATASET"
}

# tank/private as gocryptfs ciphertext with a known file in it (the pool exists and is mounted).
crypt_ensure() {
  local pass
  [ "$(zfs get -H -o value mountpoint "$CRYPT_DATASET")" = "$CRYPT_RAW" ] ||
    zfs set mountpoint="$CRYPT_RAW" "$CRYPT_DATASET"
  zfs mount "$CRYPT_DATASET" 2>/dev/null || true
  crypt_env
  if [ ! -f "$CRYPT_RAW/gocryptfs.conf" ]; then
    find "$CRYPT_RAW" -mindepth 1 -delete
    pass=$(mktemp)
    printf '%s\n' "$LAB_ZFS_PASSPHRASE" >"$pass"
    gocryptfs -init -q -nosyslog -passfile "$pass" "$CRYPT_RAW" >/dev/null
    rm -f "$pass"
  fi
  # the plaintext mountpoint must be empty (a lab built before the stand-in wrote files there)
  findmnt -rn --mountpoint "$CRYPT_PLAIN" >/dev/null 2>&1 || rm -rf "$CRYPT_PLAIN"
  mkdir -p "$CRYPT_PLAIN"
  crypt_unlock || die "cannot unlock $CRYPT_DATASET with the lab's passphrase"
  [ -f "$CRYPT_PLAIN/tax-2025.txt" ] || echo "household paperwork, encrypted at rest" >"$CRYPT_PLAIN/tax-2025.txt"
}
