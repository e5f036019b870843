import { describe, expect, it } from 'vitest';
import { escapeLabelValue, prometheusText } from '../../src/core/readiness/prometheus-text.js';
import type { Readiness } from '../../src/core/readiness/readiness-model.js';
import { parsePrometheusText } from './prometheus-parse.js';

const NOW = Date.UTC(2026, 11, 5, 3);

describe('Prometheus text of a readiness pass', () => {
  it('escapes backslashes, quotes and line feeds in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('writes parseable metrics whose labels read back exactly, with no duplicate series', () => {
    const odd = 'zfs list "tank\\data"\nsecond line';
    const r: Readiness = {
      format: 'lifeboat-ready/1',
      runbook: 'home"lab',
      file: '/x.yaml',
      checkedAt: new Date(NOW).toISOString(),
      ready: false,
      rpoSeconds: 93_600,
      lastDrillAt: '2026-11-01T10:00:00.000Z',
      items: [
        { area: 'host', item: 'nas', state: 'ok' },
        { area: 'host', item: 'pve', state: 'failed' },
        { area: 'backup', item: odd, state: 'ok', age: { ageSeconds: 3600, newest: 'x', maxAgeSeconds: 93_600 } },
        { area: 'backup', item: odd, state: 'failed', age: { ageSeconds: 900_000, newest: 'x', maxAgeSeconds: 93_600 } },
        { area: 'check', item: 'skipped one', state: 'skipped' },
      ],
    };
    const text = prometheusText(r, NOW);
    const m = parsePrometheusText(text);
    expect(m.value('lifeboat_runbook_ready', { runbook: 'home"lab' })).toBe(0);
    expect(m.value('lifeboat_backup_age_seconds', { runbook: 'home"lab', asset: odd })).toBe(3600);
    expect(m.value('lifeboat_backup_age_seconds', { runbook: 'home"lab', asset: `${odd} (2)` })).toBe(900_000);
    expect(m.value('lifeboat_host_up', { runbook: 'home"lab', host: 'pve' })).toBe(0);
    expect(m.value('lifeboat_ready', { runbook: 'home"lab', check: 'check: skipped one', area: 'check' })).toBe(1);
    expect(m.value('lifeboat_last_drill_timestamp_seconds', { runbook: 'home"lab' })).toBe(Date.UTC(2026, 10, 1, 10) / 1000);
    expect(m.value('lifeboat_ready_timestamp_seconds', { runbook: 'home"lab' })).toBe(NOW / 1000);
    expect(
      text
        .split('\n')
        .filter((l) => l.startsWith('# TYPE'))
        .every((l) => l.endsWith(' gauge')),
    ).toBe(true);
  });

  it('the strict reader refuses what promtool refuses', () => {
    expect(() => parsePrometheusText('a{b="c\\x"} 1\n')).toThrow(/bad label set/);
    expect(() => parsePrometheusText('a 1\na 2\n')).toThrow(/duplicate series/);
    expect(() => parsePrometheusText('a 1\nb 1\na{x="y"} 1\n')).toThrow(/not contiguous/);
    expect(() => parsePrometheusText('a{b="c"} 1')).toThrow(/line feed/);
  });
});
