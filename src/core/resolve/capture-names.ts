import { isRecord } from './resolve-context.js';
import type { TemplateCache } from './step-template.js';

/** The name under which an ask step keeps its answer. */
export const ANSWER = 'answer';

/**
 * The names each step captures, read from the runbook before any step is resolved, so a step may
 * refer to one written further down (the restore order decides whether it comes first). A step
 * from a template captures what the template declares, its own `capture:` over it.
 */
export function captureNames(phases: unknown, templates: TemplateCache): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  if (!Array.isArray(phases)) return names;
  for (const phase of phases) {
    if (!isRecord(phase) || !Array.isArray(phase.steps)) continue;
    for (const raw of phase.steps) {
      if (!isRecord(raw)) continue;
      const loaded = typeof raw.uses === 'string' ? templates.get(raw.uses) : undefined;
      const base = typeof loaded === 'object' ? loaded.step : {};
      const step = { ...base, ...raw };
      const id = typeof raw.id === 'string' ? raw.id : typeof raw.uses === 'string' ? raw.uses.split('/').pop() : undefined;
      if (id === undefined) continue;
      const own = new Set<string>(isRecord(step.capture) ? Object.keys(step.capture) : []);
      if (step.ask !== undefined) own.add(ANSWER);
      if (own.size > 0) names.set(id, own);
    }
  }
  return names;
}
