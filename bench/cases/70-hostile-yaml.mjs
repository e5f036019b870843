// Hostile and broken input: validate answers a broken runbook of a few MB, and refuses YAML bombs
// (an alias bomb, 50,000 nested flow lists, deep block nesting), each with exit 2 and a position.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateRunbook } from '../generate-runbook.mjs';
import { lifeboat, measurement, node } from '../lib/commands.mjs';
import { BENCH_DIR, OUT_DIR } from '../lib/paths.mjs';

const REFUSE = path.join(BENCH_DIR, 'expect-refusal.mjs');
const file = (name) => path.join(OUT_DIR, name);
const refusal = (label, name) => measurement(label, [node(REFUSE, file(name))]);

// About 3 MB: 22,000 generated steps, the last one given a timeout of zero.
const BROKEN = 'broken-3mb.yaml';
const laughs = ['name: bomb', 'x:', '  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
for (let i = 1; i < 9; i++)
  laughs.push(
    `  l${i}: &l${i} [${Array(9)
      .fill(`*l${i - 1}`)
      .join(', ')}]`,
  );
const INPUTS = {
  [BROKEN]: () => `${generateRunbook(22_000)}        timeout: 0\n`,
  'alias-bomb.yaml': () => [...laughs, 'phases: [{ id: p, steps: [{ id: s, script: a.mjs, args: *l8 }] }]', ''].join('\n'),
  'nested-flow.yaml': () => `name: deep\nphases: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`,
  'nested-block.yaml': () => `name: deep\nphases:\n${Array.from({ length: 5_000 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}x\n`,
};

function setup() {
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, text] of Object.entries(INPUTS)) writeFileSync(file(name), text());
}

const baseline = measurement('lifeboat --version', [lifeboat('--version')]);

export default [
  {
    name: 'validate broken 3 MB',
    target: 'validate of a broken ~3 MB runbook (22,000 steps): exit 2 with the position, median < 2000 ms',
    setup,
    baseline,
    subject: refusal('validate broken 3 MB runbook', BROKEN),
    limit: { maxMedianMs: 2000 },
    runs: 5,
    warmup: 1,
  },
  {
    name: 'yaml bombs',
    target: 'validate refuses an alias bomb, 50,000 nested flow lists and 5,000 levels of block nesting: exit 2 each, median sum < 1500 ms',
    setup,
    baseline,
    subject: measurement(
      'validate alias bomb + nested flow + nested block',
      ['alias-bomb.yaml', 'nested-flow.yaml', 'nested-block.yaml'].map((name) => node(REFUSE, file(name))),
    ),
    limit: { maxMedianMs: 1500 },
    runs: 5,
    warmup: 1,
  },
];
