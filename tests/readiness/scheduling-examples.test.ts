// The scheduling examples in examples/monitoring: the systemd pair (systemd-analyze verify when
// present, parsed always), the cron line (run for real, with its paths pointed at a workspace),
// and the alert rules (promtool check rules when present; their metrics checked against ours).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.js';
import { workspacesPerTest } from '../helpers/run-fixtures.js';
import { parsePrometheusText } from './prometheus-parse.js';

const EXAMPLES = join(ROOT, 'examples/monitoring');
const ws = workspacesPerTest('lifeboat-schedule-');
const read = (name: string) => readFileSync(join(EXAMPLES, name), 'utf8');

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A systemd unit file as sections of key/value lists (comments and blank lines left out). */
function unitFile(text: string): Record<string, Array<[string, string]>> {
  const sections: Record<string, Array<[string, string]>> = {};
  let current: Array<[string, string]> | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = [];
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`line ${i + 1} is not a unit file line: ${raw}`);
    current.push([kv[1]!, kv[2]!]);
  }
  return sections;
}

const value = (unit: Record<string, Array<[string, string]>>, section: string, key: string) => unit[section]?.find(([k]) => k === key)?.[1];

/** A tiny local runbook the examples' command can check without leaving this machine. */
function localRunbook(dir: string): string {
  const file = join(dir, 'homelab.yaml');
  writeFileSync(file, 'name: homelab\nphases:\n  - id: p\n    steps:\n      - id: s\n        run: "true"\n        precheck:\n          - path: /\n');
  return file;
}

describe('scheduling examples', () => {
  it('the systemd service and timer are valid units that run ready nightly and write the metrics', () => {
    const service = unitFile(read('lifeboat-ready.service'));
    const timer = unitFile(read('lifeboat-ready.timer'));
    expect(value(service, 'Service', 'Type')).toBe('oneshot');
    expect(value(service, 'Service', 'ExecStart')).toMatch(/lifeboat\.js ready runbooks\/homelab\.yaml --prometheus \S+\.prom$/);
    expect(value(service, 'Service', 'SuccessExitStatus')).toBe('1');
    expect(value(timer, 'Timer', 'OnCalendar')).toMatch(/^\*-\*-\* \d\d:\d\d:\d\d$/);
    expect(value(timer, 'Install', 'WantedBy')).toBe('timers.target');
    if (has('systemd-analyze') && has('node')) {
      const w = ws();
      // verify wants the ExecStart binary to exist: point it at this machine's node.
      const node = execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).trim();
      writeFileSync(w.path('lifeboat-ready.service'), read('lifeboat-ready.service').replace('/usr/bin/node', node));
      writeFileSync(w.path('lifeboat-ready.timer'), read('lifeboat-ready.timer'));
      execFileSync('systemd-analyze', ['verify', w.path('lifeboat-ready.service'), w.path('lifeboat-ready.timer')], { stdio: 'pipe' });
    }
  });

  it('the cron line runs ready and writes a metrics file Prometheus reads', () => {
    const line = read('lifeboat-ready.cron')
      .split('\n')
      .find((l) => l.trim() && !l.startsWith('#'))!;
    const fields = line.split(/\s+/);
    expect(fields.slice(0, 5)).toEqual(['30', '5', '*', '*', '*']);
    expect(fields[5]).toBe('root');
    const w = ws();
    const runbook = localRunbook(w.dir);
    const prom = w.path('lifeboat.prom');
    const command = fields
      .slice(6)
      .join(' ')
      .replaceAll('/opt/lifeboat/logs', w.logs)
      .replaceAll('cd /opt/lifeboat', `cd ${ROOT}`)
      .replace('/usr/bin/node', process.execPath)
      .replace('runbooks/homelab.yaml', runbook)
      .replace('/var/lib/prometheus/node-exporter/lifeboat.prom', prom)
      .replace('/var/log/lifeboat-ready.log', w.path('ready.log'));
    execFileSync('bash', ['-c', command]);
    const metrics = parsePrometheusText(readFileSync(prom, 'utf8'));
    expect(metrics.value('lifeboat_runbook_ready', { runbook: 'homelab' })).toBe(1);
    expect(readFileSync(w.path('ready.log'), 'utf8')).toMatch(/^READY: /m);
  });

  it('the alert rules are valid and use only metrics that ready writes', () => {
    const rules = parse(read('lifeboat-alerts.yml')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining(['LifeboatBackupOlderThanRPO', 'LifeboatDrillOverdue', 'LifeboatHostUnreachable']));
    const written = new Set([
      'lifeboat_runbook_ready',
      'lifeboat_ready',
      'lifeboat_backup_age_seconds',
      'lifeboat_backup_max_age_seconds',
      'lifeboat_host_up',
      'lifeboat_rpo_seconds',
      'lifeboat_last_drill_timestamp_seconds',
      'lifeboat_drill_interval_seconds',
      'lifeboat_ready_timestamp_seconds',
    ]);
    const source = readFileSync(join(ROOT, 'src/core/readiness/prometheus-text.ts'), 'utf8');
    for (const name of written) expect(source).toContain(`'${name}'`);
    for (const a of alerts) for (const m of a.expr.match(/lifeboat_[a-z_]+/g) ?? []) expect(written, `${a.alert}: ${m}`).toContain(m);
    if (has('promtool')) execFileSync('promtool', ['check', 'rules', join(EXAMPLES, 'lifeboat-alerts.yml')], { stdio: 'pipe' });
  });
});
