import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLiveChecks } from '../../src/adapters/live-checks.js';
import { netProbe } from '../../src/adapters/net-probe.js';
import { loadSchemaChecks } from '../../src/adapters/schemas.js';
import { buildPlan } from '../../src/core/plan/build-plan.js';
import type { CommandRunner } from '../../src/ports/command-runner.js';

describe('tcp probe reasons', () => {
  it('says why a connection failed without repeating the address (the check label already names it)', async () => {
    // A port that was just free: listen, note it, close.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const error = await netProbe.tcp('127.0.0.1', port, 5_000).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toBe('ECONNREFUSED');
    expect(error?.message).not.toContain(String(port));
  });
});

describe('check reasons never repeat what the check line already says', () => {
  const checksOf = (verify: string) => {
    const text = `format: 1\nname: reasons\nphases:\n  - id: p\n    steps:\n      - id: a\n        run: "true"\n        verify:\n${verify}`;
    const { plan, problems } = buildPlan({ runbook: { path: 'reasons.yaml', text }, library: { dir: 'steps', templates: new Map(), scripts: new Set() } }, loadSchemaChecks());
    expect(problems).toEqual([]);
    return plan!.phases[0]!.steps[0]!.verify;
  };
  const closedPort = async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  };

  it('tcp: the address is said once, by the label or, for a named check, by the reason', async () => {
    const port = await closedPort();
    const [plain, named] = checksOf(`          - tcp: 127.0.0.1:${port}\n          - tcp: 127.0.0.1:${port}\n            name: the router answers\n`);
    const checks = createLiveChecks({} as CommandRunner, netProbe, new Map());
    const a = await checks.run(plain!, 'verify');
    expect(`${plain!.label}: ${a.reason}`).toBe(`tcp 127.0.0.1:${port}: ECONNREFUSED`);
    const b = await checks.run(named!, 'verify');
    expect(`${named!.label}: ${b.reason}`).toBe(`the router answers: 127.0.0.1:${port}: ECONNREFUSED`);
  });

  it('http: a refused connection names the URL only where the label does not', async () => {
    const port = await closedPort();
    const [plain, named] = checksOf(`          - http: http://127.0.0.1:${port}/\n          - http: http://127.0.0.1:${port}/\n            name: the web UI\n`);
    const checks = createLiveChecks({} as CommandRunner, netProbe, new Map());
    const a = await checks.run(plain!, 'verify');
    expect(a.reason).toBe('no answer: ECONNREFUSED');
    const b = await checks.run(named!, 'verify');
    expect(b.reason).toBe(`http://127.0.0.1:${port}/: no answer: ECONNREFUSED`);
  });
});
