// Types of loopback-sshd.mjs (plain JavaScript, shared with the benchmarks).

export declare const SSHD_BIN: string;

/** A free TCP port on 127.0.0.1: bound to port 0 by node:net, then released. */
export declare function freePort(): Promise<number>;

/** Makes an ed25519 key pair without a passphrase; returns the private key's path (the public one is PATH.pub). */
export declare function keyPair(path: string, comment?: string): string;

/** The `type base64` part of a .pub file (its comment dropped). */
export declare function publicKey(pubPath: string): string;

/** A running throwaway sshd. */
export interface Sshd {
  /** Its temp folder (keys, config, log), removed by stop(). */
  dir: string;
  port: number;
  pid: number;
  /** user@127.0.0.1, the current user. */
  target: string;
  user: string;
  /** The client's private key, authorized by this server. */
  identity: string;
  /** A known_hosts file with exactly this server's host key. */
  knownHosts: string;
  /** The host key line (type and base64) the server presents. */
  hostKey: string;
  logFile: string;
  /** The sshd log so far. */
  log(): string;
  /** Number of "Accepted publickey" lines: one per authenticated connection. */
  acceptedCount(): number;
  /** The ssh options to reach it from a plain `ssh` command (BatchMode, port, identity, known_hosts). */
  sshOptions(): string[];
  /** A host entry for a runbook or inventory, as a YAML flow map. */
  hostYaml(overrides?: { port?: number; identity?: string; known_hosts?: string }): string;
  /** Whether the daemon still runs. */
  running(): boolean;
  /** Kills it by pid, waits until it is gone, and removes its folder unless `keepDir`. */
  stop(keepDir?: boolean): Promise<void>;
  /** Sends it SIGTERM and removes its folder at once, without waiting (for an exit handler). */
  stopNow(): void;
}

/**
 * Starts sshd on 127.0.0.1 at a free port, in the foreground (-D) but detached, logging to a file (-E).
 * It authorizes one throwaway client key for the current user; as root, PermitRootLogin prohibit-password.
 */
export declare function startSshd(options?: { prefix?: string; readBashrc?: boolean }): Promise<Sshd>;
