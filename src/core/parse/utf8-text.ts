import type { Problem } from '../model/problem.js';

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a file's bytes as UTF-8, refusing any byte sequence that is not: a lenient decode
 * would change such bytes silently to U+FFFD, and a command would run with other text than written.
 */
export function decodeUtf8(path: string, bytes: Uint8Array): { text: string; problem?: Problem } {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const bad = firstInvalidByte(bytes);
    const lineStart = bytes.lastIndexOf(0x0a, bad - 1) + 1;
    let line = 1;
    for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
    const column = strict.decode(bytes.subarray(lineStart, bad)).length + 1;
    const shown = bad < bytes.length ? `the byte 0x${bytes[bad]!.toString(16).toUpperCase().padStart(2, '0')}` : 'a character cut short at the end';
    return {
      text: new TextDecoder('utf-8').decode(bytes),
      problem: {
        file: path,
        line,
        column,
        path: '',
        message: 'the file is not UTF-8 text',
        expected: 'UTF-8 text',
        received: `${shown}, which is not UTF-8`,
        hint: `save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 ${path} > ${path}.utf8, check it, then replace the file`,
      },
    };
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const extra = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    // The second byte's range also rules out overlong forms, surrogates and code points past U+10FFFF.
    const low = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const high = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= extra; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return i;
    }
    i += extra + 1;
  }
  return bytes.length;
}
