import type { AgeMeasure } from '../model/age-measure.js';

/** How one item of a readiness pass stands; `skipped` items do not count against readiness. */
export type ReadyState = 'ok' | 'failed' | 'unknown' | 'skipped';

/** One line of a readiness pass: a host, a secret, a check, the logs folder, the last drill. */
export interface ReadyItem {
  area: 'runbook' | 'host' | 'secret' | 'check' | 'backup' | 'logs' | 'drill';
  item: string;
  state: ReadyState;
  /** What was measured, for people: "3h 10m", "reachable", "12d ago". */
  measured?: string;
  /** What it must be: "≤ 26h", "every 90d". */
  target?: string;
  /** Why it failed, or why it was not checked. */
  detail?: string;
  /** The step a check belongs to. */
  step?: string;
  host?: string;
  age?: AgeMeasure;
}

/** A whole readiness pass over one runbook. */
export interface Readiness {
  format: 'lifeboat-ready/1';
  runbook: string;
  file: string;
  checkedAt: string;
  ready: boolean;
  rpoSeconds?: number;
  drillEverySeconds?: number;
  /** When the last successful drill ended, if any is on record. */
  lastDrillAt?: string;
  items: ReadyItem[];
}

/** Ready when no item failed or is unknown: skipped items are deliberate and do not count. */
export function isReady(items: readonly ReadyItem[]): boolean {
  return items.every((i) => i.state === 'ok' || i.state === 'skipped');
}

/** The drill item: when the last successful drill was, against `drill_every` when the runbook sets it. */
export function drillItem(lastDrillMs: number | undefined, drillEveryMs: number | undefined, nowMs: number): ReadyItem {
  const target = drillEveryMs === undefined ? undefined : `every ${Math.round(drillEveryMs / 86_400_000)}d`;
  if (lastDrillMs === undefined) {
    return drillEveryMs === undefined
      ? { area: 'drill', item: 'last successful drill', state: 'skipped', measured: 'none', detail: 'no successful drill on record (`lifeboat run --drill "why"` records one)' }
      : { area: 'drill', item: 'last successful drill', state: 'failed', measured: 'none', target, detail: 'no successful drill on record: rehearse with `lifeboat run --drill "why"`' };
  }
  const days = Math.floor((nowMs - lastDrillMs) / 86_400_000);
  const measured = `${days}d ago`;
  if (drillEveryMs !== undefined && nowMs - lastDrillMs > drillEveryMs) {
    return { area: 'drill', item: 'last successful drill', state: 'failed', measured, target, detail: `no successful drill for ${days} days` };
  }
  return { area: 'drill', item: 'last successful drill', state: 'ok', measured, target };
}
