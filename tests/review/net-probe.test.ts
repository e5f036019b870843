import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { netProbe } from '../../src/adapters/net-probe.js';

describe('tcp probe reasons', () => {
  it('says why a connection failed without repeating the address (the check label already names it)', async () => {
    // A port that was just free: listen, note it, close.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const error = await netProbe.tcp('127.0.0.1', port, 5_000).then(() => undefined, (e: Error) => e);
    expect(error?.message).toBe('ECONNREFUSED');
    expect(error?.message).not.toContain(String(port));
  });
});
