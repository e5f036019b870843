import type { Plan } from '../model/plan-types.js';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Renders the restore order as Graphviz DOT: a cluster per phase, steps in order, needs as edges. */
export function toDot(plan: Plan): string {
  const lines = [`digraph ${quote(plan.name)} {`, '  rankdir=TB;', '  compound=true;', '  node [shape=box, style=rounded];'];
  plan.phases.forEach((phase) => {
    lines.push(`  subgraph ${quote(`cluster_${phase.id}`)} {`);
    lines.push(`    label=${quote(`${phase.number}. ${phase.title}`)};`);
    phase.steps.forEach((step, j) => {
      const attrs = [`label=${quote(`${step.position} ${step.title}${step.host ? `\n(on ${step.host.name})` : ''}`)}`];
      if (!step.selected) attrs.push('style="rounded,dashed"', 'fontcolor=gray50');
      lines.push(`    ${quote(step.id)} [${attrs.join(', ')}];`);
      if (j > 0) lines.push(`    ${quote(phase.steps[j - 1]!.id)} -> ${quote(step.id)};`);
    });
    lines.push('  }');
  });
  for (const phase of plan.phases) {
    for (const need of phase.needs) {
      const from = plan.phases.find((p) => p.id === need)!;
      const a = from.steps[from.steps.length - 1]!.id;
      const b = phase.steps[0]!.id;
      lines.push(`  ${quote(a)} -> ${quote(b)} [ltail=${quote(`cluster_${from.id}`)}, lhead=${quote(`cluster_${phase.id}`)}];`);
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
