// Setup file of the unit project (vitest.config.ts): a unit test runs in-process, so starting a
// process fails at once, naming the rule, instead of quietly making the fast part slow.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const STARTERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

for (const name of STARTERS) {
  Reflect.set(childProcess, name, (file: unknown) => {
    throw new Error(
      `a unit test tried to start a process (child_process.${name} ${String(file)}): ` + 'name the test file *.process.test.ts or list it in vitest.config.ts, so it runs in the process project',
    );
  });
}
// Named imports (`import { spawn } from 'node:child_process'`, as execa does) see the change too.
syncBuiltinESMExports();
