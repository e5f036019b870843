// Scale: validate + plan of generated 5,000- and 50,000-step runbooks, each command timed on its own.
import path from 'node:path';
import { writeRunbook } from '../generate-runbook.mjs';
import { lifeboat, measurement } from '../lib/commands.mjs';
import { OUT_DIR } from '../lib/paths.mjs';

// The validate and plan commands for one generated runbook, as a single summed measurement.
function validateAndPlan(steps) {
  const file = path.join(OUT_DIR, `runbook-${steps}.yaml`);
  return {
    file,
    measurement: measurement(`validate + plan, ${steps.toLocaleString('en')} steps`, [lifeboat('validate', file), lifeboat('plan', file, '--json')]),
  };
}

const small = validateAndPlan(5_000);
const large = validateAndPlan(50_000);

export default [
  {
    name: 'validate+plan 5k',
    target: 'validate + plan of a 5,000-step runbook: median sum < 1000 ms',
    setup: () => writeRunbook(5_000, small.file),
    baseline: measurement('lifeboat --version', [lifeboat('--version')]),
    subject: small.measurement,
    limit: { maxMedianMs: 1000 },
    runs: 10,
  },
  {
    name: 'validate+plan 50k',
    target: 'validate + plan of a 50,000-step runbook: median sum <= 10x the 5,000-step sum',
    setup: () => {
      writeRunbook(5_000, small.file);
      writeRunbook(50_000, large.file);
    },
    baseline: small.measurement,
    subject: large.measurement,
    limit: { maxRatio: 10 },
    runs: 5,
    warmup: 1,
  },
];
