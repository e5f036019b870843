import type { PlanPhase, PlanStep } from '../model/plan-types.js';
import { capturesIn, type Rendered } from '../shell/rendered.js';

/**
 * For each step of a machine's order, the places (in that order) of the steps it must wait for
 * when steps run side by side: the steps it names in `needs` (naming none, the step written
 * before it in its phase), the steps whose captured values it uses, and, for a step that waits
 * for none of its own phase, every step of the phases its phase needs (directly or through
 * others). Steps not in the order (ended before, left out) are not waited for.
 */
export function stepWaits(order: readonly PlanStep[], phases: readonly PlanPhase[]): number[][] {
  const place = new Map(order.map((step, index) => [step.id, index] as const));
  const byId = new Map(phases.flatMap((phase) => phase.steps.map((step) => [step.id, step] as const)));
  const phaseNeeds = neededPhases(phases);
  const phaseSteps = new Map<string, number[]>();
  for (const [index, step] of order.entries()) {
    const list = phaseSteps.get(step.phase) ?? [];
    list.push(index);
    phaseSteps.set(step.phase, list);
  }
  // A step that follows one left out of the order follows the one that one followed.
  const followed = (id: string | undefined): number | undefined => {
    for (let at = id; at !== undefined; at = byId.get(at)?.follows) if (place.has(at)) return place.get(at);
    return undefined;
  };
  return order.map((step) => {
    const own = [...step.needs.map((id) => place.get(id)), followed(step.follows)].filter((n): n is number => n !== undefined);
    const fromPhases = own.length > 0 ? [] : [...(phaseNeeds.get(step.phase) ?? [])].flatMap((phase) => phaseSteps.get(phase) ?? []);
    const producers = [...capturedFrom(step)].map((id) => place.get(id)).filter((n): n is number => n !== undefined);
    return [...new Set([...own, ...fromPhases, ...producers])].sort((a, b) => a - b);
  });
}

/** Each phase's needs, followed through: a phase needs what the phases it needs need. */
function neededPhases(phases: readonly PlanPhase[]): Map<string, Set<string>> {
  const closed = new Map<string, Set<string>>();
  // Phases are in restore order: a phase's needs are closed before it is reached.
  for (const phase of phases) {
    const all = new Set<string>();
    for (const need of phase.needs) {
      all.add(need);
      for (const further of closed.get(need) ?? []) all.add(further);
    }
    closed.set(phase.id, all);
  }
  return closed;
}

/**
 * The selected steps in waves that may run together: a step's wave is one after the latest wave
 * of the steps it waits for. With one step at a time they run in restore order all the same.
 */
export function runTogether(phases: readonly PlanPhase[]): PlanStep[][] {
  const order = phases.flatMap((phase) => phase.steps.filter((step) => step.selected));
  const waits = stepWaits(order, phases);
  const wave: number[] = [];
  const waves: PlanStep[][] = [];
  for (const [index, step] of order.entries()) {
    const at = Math.max(-1, ...waits[index]!.map((w) => wave[w]!)) + 1;
    wave.push(at);
    (waves[at] ??= []).push(step);
  }
  return waves;
}

const isSegment = (item: unknown): boolean => typeof item === 'object' && item !== null && (typeof (item as { raw?: unknown }).raw === 'string' || Array.isArray((item as { value?: unknown }).value));

/** The ids of the steps whose captured values a step (or any value holding rendered text) refers to. */
function capturedFrom(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value) && value.length > 0 && value.every(isSegment)) {
    for (const ref of capturesIn(value as Rendered)) into.add(ref.step);
  } else if (Array.isArray(value)) {
    for (const item of value) capturedFrom(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) capturedFrom(item, into);
  }
  return into;
}
