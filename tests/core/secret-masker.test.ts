import { describe, expect, it } from 'vitest';
import { createMasker, maskDeep, shortSecrets } from '../../src/core/secrets/secret-masker.js';
import { secretMask } from '../../src/core/shell/rendered.js';

const masker = (entries: Array<[string, string]>) => createMasker(new Map(entries));

describe('createMasker', () => {
  it('replaces every occurrence of a value with [secret:NAME]', () => {
    const m = masker([['db', 'hunter2-xyz']]);
    expect(m.empty).toBe(false);
    expect(m.mask('pw=hunter2-xyz; again hunter2-xyz.')).toBe('pw=[secret:db]; again [secret:db].');
    expect(secretMask('db')).toBe('[secret:db]');
  });

  it('leaves text without secrets alone, and is empty (identity) without secrets', () => {
    expect(masker([['db', 'hunter2-xyz']]).mask('nothing here, hunter2 alone')).toBe('nothing here, hunter2 alone');
    const none = masker([]);
    expect(none.empty).toBe(true);
    expect(none.mask('hunter2-xyz')).toBe('hunter2-xyz');
  });

  it('ignores empty values (they would match everywhere)', () => {
    const m = masker([['blank', '']]);
    expect(m.empty).toBe(true);
    expect(m.mask('abc')).toBe('abc');
    expect(
      masker([
        ['blank', ''],
        ['db', 'hunter2-xyz'],
      ]).mask('a hunter2-xyz b'),
    ).toBe('a [secret:db] b');
  });

  it('replaces longer values first, whatever the order of the secrets', () => {
    const short: [string, string] = ['short', 'abcdef'];
    const long: [string, string] = ['long', 'abcdef-ghijkl'];
    for (const entries of [
      [short, long],
      [long, short],
    ]) {
      const m = masker(entries);
      // The long value is masked whole, not as [secret:short]-ghijkl.
      expect(m.mask('x abcdef-ghijkl y abcdef z')).toBe('x [secret:long] y [secret:short] z');
    }
  });

  it('a value inside another value, at its end or in its middle: the longer one wins', () => {
    const m = masker([
      ['inner', 'cret'],
      ['outer', 'secret-value'],
    ]);
    expect(m.mask('secret-value cret')).toBe('[secret:outer] [secret:inner]');
    expect(
      masker([
        ['mid', 'et-va'],
        ['outer', 'secret-value'],
      ]).mask('secret-value et-va'),
    ).toBe('[secret:outer] [secret:mid]');
  });

  it('overlapping values: the text is masked left to right, longest value first at each place', () => {
    const m = masker([
      ['ab', 'aaabbb'],
      ['bc', 'bbbccc'],
    ]);
    // Both cannot be shown masked: the first match consumes the shared part; no value leaks whole.
    const masked = m.mask('aaabbbccc');
    expect(masked).toBe('[secret:ab]ccc');
    expect(masked).not.toContain('aaabbb');
    expect(masked).not.toContain('bbbccc');
  });

  it('values with regular-expression metacharacters are matched literally', () => {
    const values: Array<[string, string]> = [
      ['dots', 'a.b.c'],
      ['plus', 'x+y*z?'],
      ['groups', '(a|b)[c]{2}'],
      ['anchors', '^$'],
      ['slashes', 'C:\\path\\n'],
      ['dollar', '$1$&'],
    ];
    const m = masker(values);
    expect(m.mask('a.b.c x+y*z? (a|b)[c]{2} ^$ C:\\path\\n $1$&')).toBe('[secret:dots] [secret:plus] [secret:groups] [secret:anchors] [secret:slashes] [secret:dollar]');
    // Literally: text that the unescaped pattern would match is left alone.
    expect(m.mask('aXbXc xyyyz ac cc')).toBe('aXbXc xyyyz ac cc');
  });

  it('a replacement value is not re-interpreted ($& in a value or a name does not expand)', () => {
    expect(masker([['n$&', 'pa$&ss-word']]).mask('pa$&ss-word')).toBe('[secret:n$&]');
  });
});

describe('maskDeep', () => {
  const m = masker([['db', 'hunter2-xyz']]);

  it('masks nested strings in objects and arrays, keeps other values and the shape', () => {
    const event = {
      kind: 'step.output',
      step: 'dump',
      lines: ['ok', 'password hunter2-xyz'],
      detail: { command: 'mysql -phunter2-xyz', attempts: 2, ok: false, none: null, nested: [{ text: 'hunter2-xyz' }] },
    };
    expect(maskDeep(event, m)).toEqual({
      kind: 'step.output',
      step: 'dump',
      lines: ['ok', 'password [secret:db]'],
      detail: { command: 'mysql -p[secret:db]', attempts: 2, ok: false, none: null, nested: [{ text: '[secret:db]' }] },
    });
    // The input is not changed.
    expect(event.lines[1]).toBe('password hunter2-xyz');
  });

  it('leaves `kind` alone, at any depth, even when it looks like a secret', () => {
    const masked = maskDeep({ kind: 'hunter2-xyz', inner: { kind: 'hunter2-xyz', other: 'hunter2-xyz' } }, m);
    expect(masked).toEqual({ kind: 'hunter2-xyz', inner: { kind: 'hunter2-xyz', other: '[secret:db]' } });
  });

  it('masks a bare string and keys other than `kind` keep their names', () => {
    expect(maskDeep('x hunter2-xyz', m)).toBe('x [secret:db]');
    expect(maskDeep(42, m)).toBe(42);
    expect(maskDeep(undefined, m)).toBeUndefined();
    expect(Object.keys(maskDeep({ a: 1, kind: 'k', b: 'hunter2-xyz' }, m))).toEqual(['a', 'kind', 'b']);
  });

  it('with an empty masker, returns the very same value', () => {
    const value = { kind: 'x', text: 'hunter2-xyz' };
    expect(maskDeep(value, masker([]))).toBe(value);
  });
});

describe('shortSecrets', () => {
  it('names the non-empty secrets shorter than the minimum (6 by default)', () => {
    const secrets = new Map([
      ['pin', '1234'],
      ['empty', ''],
      ['ok', 'abcdef'],
      ['tiny', 'ab'],
    ]);
    expect(shortSecrets(secrets)).toEqual(['pin', 'tiny']);
    expect(shortSecrets(secrets, 3)).toEqual(['tiny']);
  });
});
