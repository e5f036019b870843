import type { Readiness } from './readiness-model.js';

/** Escapes a label value for the Prometheus text format: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes HELP text: backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

type Labels = Record<string, string>;
interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** Makes label values unique within a family: a second `x` becomes `x (2)`, so no series is duplicated. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = (seen.get(n) ?? 0) + 1;
    seen.set(n, count);
    return count === 1 ? n : `${n} (${count})`;
  });
}

/**
 * A readiness pass as node_exporter textfile-collector metrics (Prometheus text format 0.0.4):
 * readiness per item and overall, backup ages beside their targets, host reachability, and the
 * last successful drill.
 */
export function prometheusText(r: Readiness, nowMs: number): string {
  const runbook = r.runbook;
  const families: Family[] = [];
  const add = (name: string, help: string, samples: Family['samples']) => {
    if (samples.length) families.push({ name, help, samples });
  };
  add('lifeboat_runbook_ready', '1 when every item of the readiness pass is ready, else 0.', [{ labels: { runbook }, value: r.ready ? 1 : 0 }]);
  const checks = uniqueNames(r.items.map((i) => `${i.area}: ${i.item}`));
  add(
    'lifeboat_ready',
    'Per item of the readiness pass: 1 ready (or deliberately not checked), 0 not ready.',
    r.items.map((i, n) => ({ labels: { runbook, check: checks[n]!, area: i.area }, value: i.state === 'ok' || i.state === 'skipped' ? 1 : 0 })),
  );
  const ages = r.items.filter((i) => i.age);
  const assets = uniqueNames(ages.map((i) => i.item));
  add(
    'lifeboat_backup_age_seconds',
    'Age of the newest backup an age check found, in seconds.',
    ages.map((i, n) => ({ labels: { runbook, asset: assets[n]! }, value: i.age!.ageSeconds })),
  );
  add(
    'lifeboat_backup_max_age_seconds',
    'The max_age of that age check (its RPO), in seconds.',
    ages.map((i, n) => ({ labels: { runbook, asset: assets[n]! }, value: i.age!.maxAgeSeconds })),
  );
  const hosts = r.items.filter((i) => i.area === 'host');
  add(
    'lifeboat_host_up',
    '1 when the host answered over ssh with a known host key, else 0.',
    hosts.map((i) => ({ labels: { runbook, host: i.item }, value: i.state === 'ok' ? 1 : 0 })),
  );
  if (r.rpoSeconds !== undefined) add('lifeboat_rpo_seconds', "The runbook's recovery point objective, in seconds.", [{ labels: { runbook }, value: r.rpoSeconds }]);
  add('lifeboat_last_drill_timestamp_seconds', 'When the last successful drill ended, in seconds since the epoch (0: none on record).', [
    { labels: { runbook }, value: r.lastDrillAt ? Math.floor(Date.parse(r.lastDrillAt) / 1000) : 0 },
  ]);
  if (r.drillEverySeconds !== undefined)
    add('lifeboat_drill_interval_seconds', 'How often a successful drill is due (drill_every), in seconds.', [{ labels: { runbook }, value: r.drillEverySeconds }]);
  add('lifeboat_ready_timestamp_seconds', 'When this readiness pass ran, in seconds since the epoch.', [{ labels: { runbook }, value: Math.floor(nowMs / 1000) }]);
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) lines.push(`${f.name}${labelText(s.labels)} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}
