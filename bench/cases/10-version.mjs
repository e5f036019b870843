// Startup cost: `lifeboat --version` should cost little more than starting Node itself.
import { lifeboat, measurement, node } from '../lib/commands.mjs';

export default {
  name: 'version',
  target: '`lifeboat --version` median <= 1.5x `node -e 0`',
  baseline: measurement('node -e 0', [node('-e', '0')]),
  subject: measurement('lifeboat --version', [lifeboat('--version')]),
  limit: { maxRatio: 1.5 },
  runs: 15,
  warmup: 3,
};
