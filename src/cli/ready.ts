import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { createExecaRunner } from '../adapters/execa-runner.js';
import { createLiveChecks } from '../adapters/live-checks.js';
import { withMaskedOutput } from '../adapters/masked-output-runner.js';
import { netProbe } from '../adapters/net-probe.js';
import { lastSuccessfulDrill, probeHosts, probeLogsFolder, probeSecrets } from '../adapters/readiness-probes.js';
import { createSshRunner } from '../adapters/ssh-runner.js';
import { stylesFor } from '../adapters/terminal-styles.js';
import { refersToCaptures } from '../core/capture/bind-captures.js';
import type { Check, Plan, PlanStep } from '../core/model/plan-types.js';
import { InputError } from '../core/model/problem.js';
import { describeSeconds } from '../core/readiness/age-measure.js';
import { prometheusText } from '../core/readiness/prometheus-text.js';
import { drillItem, isReady, type Readiness, type ReadyItem } from '../core/readiness/readiness-model.js';
import { readinessText } from '../core/readiness/readiness-table.js';
import { createMasker } from '../core/secrets/secret-masker.js';
import { secretsUsed } from '../core/secrets/secrets-used.js';
import type { CheckRunner } from '../ports/check-runner.js';
import { ExitCode } from './exit-codes.js';
import { loadPlanWithSources } from './load-plan.js';
import { logsDir } from './logs-dir.js';
import { type PlanOptions, planRequest } from './plan-options.js';

/** Options of `lifeboat ready`. */
export interface ReadyOptions extends PlanOptions {
  logs?: string;
  json?: boolean;
  prometheus?: string;
}

/** A check `ready` runs, with where it comes from. */
interface Planned {
  step: PlanStep;
  set: 'precheck' | 'verify' | 'wait';
  check: Check;
  rpoMs?: number;
}

/** The checks of a plan that `ready` considers: read-only prechecks and waits, and every age check. */
function checksToRun(plan: Plan): Planned[] {
  const planned: Planned[] = [];
  for (const phase of plan.phases) {
    const rpoMs = phase.rpoMs ?? plan.rpoMs;
    for (const step of phase.steps.filter((s) => s.selected)) {
      for (const check of step.precheck) planned.push({ step, set: 'precheck', check, rpoMs });
      if (step.action.kind === 'wait') for (const check of step.action.until) planned.push({ step, set: 'wait', check, rpoMs });
      for (const check of step.verify) if (check.kind === 'age') planned.push({ step, set: 'verify', check, rpoMs });
    }
  }
  return planned;
}

function secretsOf(check: Check): string[] {
  return [...JSON.stringify(check).matchAll(/\{"secret":"([^"]+)"\}/g)].map((m) => m[1]!);
}

/** Runs one check (or says why it is not run) and describes it as a readiness item. */
async function checkItem(p: Planned, live: CheckRunner, downHosts: ReadonlySet<string>, badSecrets: ReadonlySet<string>): Promise<ReadyItem> {
  const { check } = p;
  const base: ReadyItem = {
    area: check.kind === 'age' ? 'backup' : 'check',
    item: check.kind === 'age' ? check.asset : check.label,
    step: p.step.id,
    state: 'ok',
    ...(check.host ? { host: check.host.name } : {}),
  };
  const target = check.kind === 'age' ? `≤ ${describeSeconds(Math.round(Math.min(check.maxAgeMs, p.rpoMs ?? Infinity) / 1000))}` : p.set;
  if (!check.readonly) return { ...base, state: 'skipped', target, detail: 'not read-only: mark it `readonly: true` if running it changes nothing' };
  // A check that uses what an earlier step captured, or the item of a foreach step, is known only in a run.
  if (refersToCaptures(check)) return { ...base, state: 'skipped', target, detail: 'known only in a run: it uses a captured value or the item of a foreach step' };
  if (check.host && downHosts.has(check.host.name)) return { ...base, state: 'unknown', target, detail: `not run: host ${check.host.name} cannot be reached` };
  const missing = secretsOf(check).filter((s) => badSecrets.has(s));
  if (missing.length) return { ...base, state: 'unknown', target, detail: `not run: secret ${missing.join(', ')} cannot be read` };
  const result = await live.run(check, p.set);
  if (check.kind === 'age' && result.measured) {
    const measured = describeSeconds(result.measured.ageSeconds);
    // A phase's (or the runbook's) RPO caps every age check under it.
    const overRpo = result.ok && p.rpoMs !== undefined && result.measured.ageSeconds * 1000 > p.rpoMs;
    const detail = overRpo
      ? `the newest is ${measured} old (${result.measured.newest}), more than the RPO ${describeSeconds(Math.round(p.rpoMs! / 1000))} of step ${p.step.id}'s phase`
      : result.reason;
    return { ...base, state: result.ok && !overRpo ? 'ok' : 'failed', measured, target, age: result.measured, ...(detail ? { detail } : {}) };
  }
  return { ...base, state: result.ok ? 'ok' : 'failed', measured: result.ok ? 'passes' : 'fails', target, ...(result.ok ? {} : { detail: result.reason ?? 'failed' }) };
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function pooled<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

function writeMetrics(file: string, text: string): void {
  // Temp file and rename: node_exporter never reads half a file.
  writeFileAtomic.sync(file, text, { mode: 0o644 });
}

/**
 * `lifeboat ready FILE`: one read-only pass over everything a restore depends on: the runbook,
 * hosts over ssh, secrets, read-only prechecks, waits and backup ages, the logs folder and the last
 * drill. Exit 0 ready, 1 not ready, 2 invalid input. Changes nothing on any host.
 */
export async function readyCommand(file: string, options: ReadyOptions): Promise<number> {
  const now = Date.now();
  let plan: Plan;
  let path: string;
  try {
    const loaded = loadPlanWithSources(planRequest(file, options));
    plan = loaded.plan;
    path = loaded.path;
  } catch (error) {
    // Monitoring learns of a broken runbook too: it is the first thing a restore needs.
    if (error instanceof InputError && options.prometheus) {
      const broken: Readiness = {
        format: 'lifeboat-ready/1',
        runbook: basename(file).replace(/\.ya?ml$/, ''),
        file: resolve(file),
        checkedAt: new Date(now).toISOString(),
        ready: false,
        items: [{ area: 'runbook', item: 'validates', state: 'failed', detail: `${error.problems.length} problem(s): lifeboat validate ${file}` }],
      };
      writeMetrics(options.prometheus, prometheusText(broken, now));
    }
    throw error;
  }

  const items: ReadyItem[] = [
    { area: 'runbook', item: 'validates', state: 'ok', measured: 'valid', ...(plan.rpoMs !== undefined ? { target: `RPO ${describeSeconds(Math.round(plan.rpoMs / 1000))}` } : {}) },
  ];
  // Only the secrets the selected steps use, as a run would ask for.
  const used = new Set(secretsUsed(plan));
  const secrets = probeSecrets(Object.fromEntries(Object.entries(plan.secrets).filter(([name]) => used.has(name))));
  // Its own socket folder, removed at the end: the pass leaves nothing behind.
  const scratch = mkdtempSync(join(tmpdir(), 'lbr-'));
  const ssh = createSshRunner({ controlDir: join(scratch, 'c') });
  try {
    const hosts = await probeHosts(Object.values(plan.hosts), ssh);
    items.push(...hosts, ...secrets.items);
    const down = new Set(hosts.filter((h) => h.state !== 'ok').map((h) => h.item));
    const bad = new Set(secrets.items.filter((s) => s.state !== 'ok').map((s) => s.item));
    const masker = createMasker(secrets.values);
    const checks = createLiveChecks(withMaskedOutput(createExecaRunner(ssh), masker), netProbe, secrets.values);
    // What a check says (a reason may quote a value it was given) is shown and written to files: masked.
    const live: CheckRunner = {
      async run(check, set, signal) {
        const result = await checks.run(check, set, signal);
        return { ...result, ...(result.reason !== undefined ? { reason: masker.mask(result.reason) } : {}), ...(result.output !== undefined ? { output: masker.mask(result.output) } : {}) };
      },
    };
    items.push(...(await pooled(checksToRun(plan), 4, (p) => checkItem(p, live, down, bad))));
  } finally {
    await ssh.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const logs = logsDir(options.logs);
  items.push(probeLogsFolder(logs));
  const lastDrill = lastSuccessfulDrill(logs, { path, name: plan.name });
  items.push(drillItem(lastDrill, plan.drillEveryMs, now));

  const readiness: Readiness = {
    format: 'lifeboat-ready/1',
    runbook: plan.name,
    file: path,
    checkedAt: new Date(now).toISOString(),
    ready: isReady(items),
    ...(plan.rpoMs !== undefined ? { rpoSeconds: Math.round(plan.rpoMs / 1000) } : {}),
    ...(plan.drillEveryMs !== undefined ? { drillEverySeconds: Math.round(plan.drillEveryMs / 1000) } : {}),
    ...(lastDrill !== undefined ? { lastDrillAt: new Date(lastDrill).toISOString() } : {}),
    items,
  };
  if (options.prometheus) writeMetrics(options.prometheus, prometheusText(readiness, now));
  process.stdout.write(options.json ? `${JSON.stringify(readiness, null, 2)}\n` : readinessText(readiness, stylesFor(process.stdout)));
  return readiness.ready ? ExitCode.Ok : ExitCode.Failed;
}
