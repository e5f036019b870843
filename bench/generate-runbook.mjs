// Generates a valid Lifeboat runbook of any size for benchmarks.
// Usage: node bench/generate-runbook.mjs STEPS [FILE]   (default FILE: bench/out/runbook-STEPS.yaml)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUT_DIR } from './lib/paths.mjs';

// A YAML double-quoted scalar (JSON strings are valid YAML).
const q = (s) => JSON.stringify(s);

/**
 * The YAML text of a runbook with `steps` steps split evenly over up to `phases` phases chained by needs;
 * every step runs a command (every other one interpolating vars) with one verify check, and every
 * other step needs the step before it in its phase. Phase ids p1.., step ids s1.. are unique runbook-wide.
 */
export function generateRunbook(steps, { phases = 10, name = `bench-${steps}` } = {}) {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a positive integer, got ${steps}`);
  const phaseCount = Math.min(phases, steps);
  const out = [`name: ${q(name)}`, 'vars:', '  pool: tank', '  target: /srv/restore', 'phases:'];
  let n = 0;
  for (let p = 1; p <= phaseCount; p++) {
    out.push(`  - id: p${p}`, `    title: ${q(`Phase ${p}`)}`);
    if (p > 1) out.push(`    needs: [p${p - 1}]`);
    out.push('    steps:');
    const inPhase = Math.floor(steps / phaseCount) + (p <= steps % phaseCount ? 1 : 0);
    for (let k = 0; k < inPhase; k++) {
      n++;
      const run = n % 2 === 0 ? `echo {{ vars.pool }}/ds-${n} {{ vars.target }}` : 'true';
      out.push(`      - id: s${n}`, `        title: ${q(`Step ${n}`)}`, `        run: ${q(run)}`);
      if (k > 0 && k % 2 === 1) out.push(`        needs: [s${n - 1}]`);
      out.push('        verify:', '          - run: "true"');
    }
  }
  return `${out.join('\n')}\n`;
}

/** Writes a generated runbook with `steps` steps to `file` (creating its folder) and returns the path. */
export function writeRunbook(steps, file = path.join(OUT_DIR, `runbook-${steps}.yaml`), options) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, generateRunbook(steps, options));
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [stepsArg, fileArg] = process.argv.slice(2);
  const steps = Number(stepsArg);
  if (!Number.isInteger(steps) || steps < 1) {
    console.error('usage: node bench/generate-runbook.mjs STEPS [FILE]');
    process.exit(2);
  }
  console.log(writeRunbook(steps, fileArg ? path.resolve(fileArg) : undefined));
}
