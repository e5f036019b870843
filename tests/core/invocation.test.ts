import { describe, expect, it } from 'vitest';
import { invocation } from '../../src/core/views/invocation.js';

describe('the command hints print, as this process was started', () => {
  const facts = { cwd: '/home/op/lifeboat', npmCommand: undefined, onPath: false };
  it('npx lifeboat (npm exec, or npm run, through the bin link)', () => {
    expect(invocation({ ...facts, script: '/root/.npm/_npx/5a/node_modules/.bin/lifeboat', npmCommand: 'exec' })).toBe('npx lifeboat');
    expect(invocation({ ...facts, script: '/home/op/lifeboat/node_modules/.bin/lifeboat', npmCommand: 'run-script' })).toBe('npx lifeboat');
  });
  it('lifeboat, when started by that name and it is on PATH (npm link, npm install -g .)', () => {
    expect(invocation({ ...facts, script: '/usr/local/bin/lifeboat', onPath: true })).toBe('lifeboat');
  });
  it('the bin link by its path when it is not on PATH', () => {
    expect(invocation({ ...facts, script: '/home/op/lifeboat/node_modules/.bin/lifeboat' })).toBe('./node_modules/.bin/lifeboat');
    expect(invocation({ ...facts, script: '/opt/lb/bin/lifeboat' })).toBe('/opt/lb/bin/lifeboat');
  });
  it('node bin/lifeboat.js: relative to the working folder, else absolute; quoted when it must be', () => {
    expect(invocation({ ...facts, script: '/home/op/lifeboat/bin/lifeboat.js' })).toBe('node bin/lifeboat.js');
    expect(invocation({ ...facts, script: '/srv/life boat/bin/lifeboat.js' })).toBe("node '/srv/life boat/bin/lifeboat.js'");
    // npm's variables are inherited by processes started below it: they do not count for `node FILE`.
    expect(invocation({ ...facts, script: '/home/op/lifeboat/bin/lifeboat.js', npmCommand: 'exec', onPath: true })).toBe('node bin/lifeboat.js');
  });
});
