import { Resolver } from 'node:dns/promises';
import { stat } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Probe } from '../ports/probe.js';

/** Probes from this machine: TCP connects, HTTP requests, DNS queries to a chosen server, file tests. */
export const netProbe: Probe = {
  tcp: (host, port, timeoutMs) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port });
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`)));
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', (error: NodeJS.ErrnoException) => fail(new Error(error.code ?? error.message)));
    }),
  async http(url, timeoutMs) {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status;
  },
  async dns(name, type, server, timeoutMs) {
    const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
    if (server) resolver.setServers([server]);
    try {
      const answers = (await resolver.resolve(name, type as 'A')) as unknown[];
      return answers.map((a) => (typeof a === 'string' ? a : Array.isArray(a) ? a.join('') : JSON.stringify(a)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
      // The check's label names the query and its server; the reason says what went wrong.
      throw new Error(code ?? (error as Error).message);
    }
  },
  async pathExists(path) {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  },
};
