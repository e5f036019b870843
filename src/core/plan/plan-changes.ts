import type { Plan } from '../model/plan-types.js';
import { stepView } from '../views/plan-view.js';

/** FNV-1a, 32-bit: enough to notice that a step's text changed. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** A fingerprint per selected step: what it does, not where it stands. */
export function stepFingerprints(plan: Plan): Record<string, string> {
  const prints: Record<string, string> = {};
  for (const phase of plan.phases) {
    for (const step of phase.steps) {
      if (!step.selected) continue;
      const { position: _position, selected: _selected, ...rest } = stepView(step);
      prints[step.id] = fnv1a(JSON.stringify(rest));
    }
  }
  return prints;
}

/**
 * A fingerprint per input a run started with, beyond its steps' text: each resolved var and each
 * host (a changed selection shows as steps added or removed). A vars file, an inventory or run.json edited between a stop and its
 * resume changes one of them, and the resume says so instead of running other commands silently.
 */
export function inputFingerprints(plan: Plan): Record<string, string> {
  const prints: Record<string, string> = {};
  for (const [name, value] of Object.entries(plan.vars)) prints[`vars.${name}`] = fnv1a(JSON.stringify(value));
  for (const [name, host] of Object.entries(plan.hosts)) prints[`hosts.${name}`] = fnv1a(JSON.stringify(host));
  return prints;
}

/** The inputs whose fingerprint differs, or that appeared or went away. */
export function inputChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}

/** What changed between the steps a run was started with and the runbook now. */
export interface PlanChanges {
  added: string[];
  removed: string[];
  edited: string[];
  /** Inputs (vars, hosts) that differ from those the run started with. */
  inputs?: string[];
}

/** Compares fingerprints by step id. */
export function planChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): PlanChanges {
  return {
    added: Object.keys(after).filter((id) => !(id in before)),
    removed: Object.keys(before).filter((id) => !(id in after)),
    edited: Object.keys(after).filter((id) => id in before && before[id] !== after[id]),
  };
}

/** True when nothing changed. */
export function noChanges(changes: PlanChanges): boolean {
  return changes.added.length + changes.removed.length + changes.edited.length + (changes.inputs?.length ?? 0) === 0;
}
