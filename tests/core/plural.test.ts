import { describe, expect, it } from 'vitest';
import { counted } from '../../src/core/text/plural.js';

describe('counted', () => {
  it('says one thing in the singular and any other number in the plural', () => {
    expect(counted(1, 'phase')).toBe('1 phase');
    expect(counted(0, 'phase')).toBe('0 phases');
    expect(counted(3, 'run folder')).toBe('3 run folders');
    expect(counted(2, 'entry', 'entries')).toBe('2 entries');
  });
});
