// The output masker, fed as a command's output arrives: random secrets printed at random places,
// cut into random pieces, never come through, and the result is the same as masking it whole.
import { describe, expect, it } from 'vitest';
import { createMasker } from '../../src/core/secrets/secret-masker.js';

/** A small seeded PRNG (mulberry32): every failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [...'abcXYZ019 .*+?^$()[]{}|\\/-_:\n\t\r', 'é', 'ß', '€', '𝄞', '日', '\u200b'];

describe('streaming masker (fuzz)', () => {
  it('3000 random cases: no secret survives any chunking, and streamed equals whole', () => {
    const random = prng(0x5ec2e7);
    const int = (n: number) => Math.floor(random() * n);
    const word = (min: number, max: number) => Array.from({ length: min + int(max - min + 1) }, () => ALPHABET[int(ALPHABET.length)]).join('');
    for (let c = 0; c < 3000; c++) {
      const secrets = new Map<string, string>();
      const count = 1 + int(3);
      for (let i = 0; i < count; i++) {
        // Often one secret begins like another, or holds several lines.
        const base = i > 0 && random() < 0.3 ? [...secrets.values()][0]!.slice(0, 3) : '';
        secrets.set(`s${i}`, base + word(6, 24) + (random() < 0.3 ? `\n${word(3, 10)}` : ''));
      }
      const values = [...secrets.values()];
      let text = word(0, 40);
      const prints = 1 + int(4);
      for (let i = 0; i < prints; i++) text += values[int(values.length)]! + (random() < 0.1 ? 'x'.repeat(65_000 + int(2_000)) : '') + word(0, 30);
      const masker = createMasker(secrets);
      const stream = masker.stream();
      let out = '';
      for (let at = 0; at < text.length; ) {
        const size = random() < 0.4 ? 1 + int(4) : random() < 0.8 ? 1 + int(200) : 1 + int(70_000);
        out += stream.push(text.slice(at, at + size));
        at += size;
      }
      out += stream.end();
      const context = `case ${c}: ${JSON.stringify([...secrets])}`;
      expect(out, context).toBe(masker.mask(text));
      // What remains once the masks themselves are taken out holds no secret.
      const bare = out.replace(/\[secret:s\d\]/g, '\u0000');
      for (const value of values) expect(bare.includes(value), context).toBe(false);
    }
  });

  it('a secret across a 64 KiB pipe read, one byte at a time, and a multi-line secret split at its newline', () => {
    const secret = 'k3y-ÄÖ-\n-second (line) $1.*';
    const masker = createMasker(new Map([['key', secret]]));
    const text = `${'x'.repeat(65_530)}${secret} tail\n`;
    for (const cut of [65_530, 65_532, 65_536, 65_530 + secret.indexOf('\n'), 65_530 + secret.indexOf('\n') + 1]) {
      const stream = masker.stream();
      const out = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
      expect(out).toBe(`${'x'.repeat(65_530)}[secret:key] tail\n`);
    }
  });
});
