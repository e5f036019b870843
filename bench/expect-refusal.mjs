// Runs `lifeboat validate FILE` and exits 0 only when it refused the file as a user mistake should be
// refused: exit 2, a file:line:col position, no stack trace. Lets the benchmark time refusals.
// Usage: node bench/expect-refusal.mjs FILE
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './lib/paths.mjs';

const file = process.argv[2];
const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'lifeboat.js'), 'validate', file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
const output = `${result.stdout}${result.stderr}`;
const problems = [
  result.status !== 2 && `exited ${result.status ?? result.signal}, expected 2`,
  /Maximum call stack|^\s+at /m.test(output) && 'printed a stack trace',
  !/:\d+:\d+: /.test(output) && 'named no file:line:col',
].filter(Boolean);
if (problems.length) {
  console.error(`${file}: ${problems.join('; ')}\n${output.split('\n').slice(0, 4).join('\n')}`);
  process.exit(1);
}
