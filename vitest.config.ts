import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two projects, chosen by path (test files are never moved to change project):
 *
 * - `process`: tests that start real processes (the built CLI, bash, signals, sshd, tmux, chromium,
 *   promtool). A file is one when it is under one of PROCESS_DIRS, listed in PROCESS_FILES, or named
 *   `*.process.test.ts`.
 * - `unit`: every other test file. They run in-process only: tests/helpers/no-processes.ts makes any
 *   attempt to start a process fail with a message naming this rule, so a new test that needs one
 *   is put in the process project (name it `*.process.test.ts`, or list it below) rather than
 *   slowing the fast part down.
 *
 * `npm test` runs both; `npm run test:unit` runs the unit project only. The end-to-end lab suite
 * (tests/e2e) has its own config, vitest.e2e.config.ts.
 */
const PROCESS_DIRS = ['tests/cli', 'tests/durable', 'tests/ssh'];

const PROCESS_FILES = [
  'tests/core/compile-machine.test.ts',
  'tests/core/fast-positions.test.ts',
  'tests/core/interpolate.test.ts',
  'tests/engine/execute-run.test.ts',
  'tests/readiness/age-check.test.ts',
  'tests/readiness/age-on-record.test.ts',
  'tests/readiness/backup-templates.test.ts',
  'tests/readiness/drill.test.ts',
  'tests/readiness/prometheus-text.test.ts',
  'tests/readiness/ready-cli.test.ts',
  'tests/readiness/scheduling-examples.test.ts',
  'tests/review/logs.test.ts',
  'tests/review/report.test.ts',
  'tests/review/stats.test.ts',
  'tests/security/injection-local.test.ts',
  'tests/security/injection-remote.test.ts',
  'tests/security/output-tail.test.ts',
  'tests/security/secrets-leak.test.ts',
  'tests/security/validation-gaps.test.ts',
  'tests/security/yaml-bombs.test.ts',
];

const PROCESS_TESTS = [...PROCESS_DIRS.map((dir) => `${dir}/**/*.test.ts`), ...PROCESS_FILES, 'tests/**/*.process.test.ts'];

// Vitest's default is one worker per core but one, so a single file at a time on a 2-core machine.
// Unit files keep the cores busy with two; process files mostly wait for their children (sleeps in
// steps, journal polling, sshd), so several run side by side. LIFEBOAT_TEST_WORKERS overrides both.
const override = Number(process.env.LIFEBOAT_TEST_WORKERS) || undefined;
const UNIT_WORKERS = override ?? Math.max(2, availableParallelism());
const PROCESS_WORKERS = override ?? Math.max(4, availableParallelism() * 2);

export default defineConfig({
  test: {
    // A bound that turns a hang into a failure, not a speed limit: on the shared 2-core machine a test
    // of a few CLI runs took more than 30 s at a load average over 20.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // A unit file's worker is reused by the next one, modules already loaded: a fresh process
          // and module graph per file cost more than most unit files themselves (the unit part took
          // about three times as long). A unit test that changes process state (cwd, env, spies,
          // stdout) puts it back before it ends, as tests/helpers/cli-in-process.ts does.
          isolate: false,
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**', 'node_modules/**', ...PROCESS_TESTS],
          setupFiles: ['tests/helpers/no-processes.ts'],
          maxWorkers: UNIT_WORKERS,
          // The fast part runs first: a broken unit shows before the long process part.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'process',
          include: PROCESS_TESTS,
          maxWorkers: PROCESS_WORKERS,
          sequence: { groupOrder: 1 },
          exclude: ['tests/e2e/**', 'node_modules/**'],
        },
      },
    ],
  },
});
