import type { Plan } from '../model/plan-types.js';

// Inside a quoted Mermaid label only entity codes are safe for these characters.
const ENTITIES: Record<string, string> = { '"': '#quot;', '#': '#35;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '`': '#96;' };

function label(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim() || ' ';
  return `"${clean.replace(/["#<>&`]/g, (c) => ENTITIES[c]!)}"`;
}

/** Renders the restore order as a Mermaid flowchart: phases as subgraphs, steps in order, needs as edges. */
export function toMermaid(plan: Plan): string {
  const lines = ['flowchart TD'];
  const phaseNode = new Map(plan.phases.map((p, i) => [p.id, `p${i + 1}`]));
  const excluded: string[] = [];
  plan.phases.forEach((phase) => {
    const pid = phaseNode.get(phase.id)!;
    lines.push(`  subgraph ${pid}[${label(`${phase.number}. ${phase.title}`)}]`);
    lines.push('    direction TB');
    phase.steps.forEach((step, j) => {
      const sid = `${pid}s${j + 1}`;
      const where = step.host ? ` (on ${step.host.name})` : '';
      lines.push(`    ${sid}[${label(`${step.position} ${step.title}${where}`)}]`);
      if (j > 0) lines.push(`    ${pid}s${j} --> ${sid}`);
      if (!step.selected) excluded.push(sid);
    });
    lines.push('  end');
  });
  for (const phase of plan.phases) {
    for (const need of phase.needs) lines.push(`  ${phaseNode.get(need)} --> ${phaseNode.get(phase.id)}`);
  }
  if (excluded.length) {
    lines.push('  classDef excluded stroke-dasharray: 5 5,color:#888');
    lines.push(`  class ${excluded.join(',')} excluded`);
  }
  return `${lines.join('\n')}\n`;
}
