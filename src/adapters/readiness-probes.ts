import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HostRef, SecretSource } from '../core/model/plan-types.js';
import type { ReadyItem } from '../core/readiness/readiness-model.js';
import type { CommandRunner } from '../ports/command-runner.js';
import { listRunEntries } from './journal-reader.js';

/** Asks each host for `true` over ssh (batch mode, strict host keys): reachable with a known key, or why not. */
export async function probeHosts(hosts: readonly HostRef[], ssh: CommandRunner): Promise<ReadyItem[]> {
  return Promise.all(
    hosts.map(async (host): Promise<ReadyItem> => {
      const result = await ssh.run({ script: 'true', host, env: {}, timeoutMs: 20_000 });
      const ok = !result.error && result.exitCode === 0;
      return {
        area: 'host',
        item: host.name,
        host: host.name,
        state: ok ? 'ok' : 'failed',
        measured: ok ? 'answers' : 'no answer',
        target: 'known key',
        ...(ok ? {} : { detail: result.error ?? `ssh ran \`true\` and it exited ${result.exitCode ?? result.signal}${result.timedOut ? ' (timed out)' : ''}` }),
      };
    }),
  );
}

/** Reads each secret from its source without asking anyone: the values (for checks that use them) and one item per secret. */
export function probeSecrets(sources: Readonly<Record<string, SecretSource>>): { values: Map<string, string>; items: ReadyItem[] } {
  const values = new Map<string, string>();
  const items: ReadyItem[] = [];
  for (const [name, source] of Object.entries(sources)) {
    if (source.kind === 'env') {
      const value = process.env[source.name];
      if (value === undefined || value === '')
        items.push({ area: 'secret', item: name, state: 'failed', measured: 'not set', target: `$${source.name}`, detail: `environment variable ${source.name} is not set` });
      else {
        values.set(name, value);
        items.push({ area: 'secret', item: name, state: 'ok', measured: 'readable', target: `$${source.name}` });
      }
    } else if (source.kind === 'file') {
      const path = source.path.replace(/^~(?=$|\/)/, homedir());
      try {
        const value = readFileSync(path, 'utf8').trim();
        if (!value) throw Object.assign(new Error('empty'), { code: 'empty' });
        values.set(name, value);
        items.push({ area: 'secret', item: name, state: 'ok', measured: 'readable', target: 'file' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        items.push({ area: 'secret', item: name, state: 'failed', measured: 'unreadable', target: 'file', detail: `cannot read ${path} (${code})` });
      }
    } else {
      items.push({ area: 'secret', item: name, state: 'skipped', measured: 'prompt', target: 'prompt', detail: 'asked for at a prompt when a run starts' });
    }
  }
  return { values, items };
}

/**
 * Whether runs can be recorded in the logs folder, leaving nothing behind: an existing folder takes
 * an empty folder made and removed at once; a missing one needs its nearest existing parent writable.
 */
export function probeLogsFolder(dir: string): ReadyItem {
  const item = { area: 'logs' as const, item: dir, target: 'writable' };
  try {
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) return { ...item, state: 'failed', measured: 'not a folder', detail: `${dir} is not a folder` };
      rmdirSync(mkdtempSync(join(dir, '.lifeboat-ready-')));
      return { ...item, state: 'ok', measured: 'writable' };
    }
    let parent = dirname(dir);
    while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
    accessSync(parent, constants.W_OK | constants.X_OK);
    return { ...item, state: 'ok', measured: 'can create', detail: `${dir} does not exist yet; the first run creates it in ${parent}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { ...item, state: 'failed', measured: 'not writable', detail: `runs cannot be recorded in ${dir} (${code}); a run refuses to start without a record` };
  }
}

/** When the last successful drill of a runbook (by file or name) ended, from the logs folder; undefined when none. */
export function lastSuccessfulDrill(logs: string, runbook: { path: string; name: string }): number | undefined {
  let last: number | undefined;
  for (const e of listRunEntries(logs).entries) {
    if (e.drill === undefined || e.status !== 'done') continue;
    if (e.runbookPath !== runbook.path && e.runbook !== runbook.name) continue;
    const end = Date.parse(e.startedAt) + (e.durationMs ?? 0);
    if (!Number.isNaN(end) && (last === undefined || end > last)) last = end;
  }
  return last;
}
