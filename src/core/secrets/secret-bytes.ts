// A secret read from a file is bytes; a JS string cannot hold every byte sequence. Bytes that are
// not UTF-8 are kept as lone low surrogates U+DC80..U+DCFF, one per byte (as Python's
// "surrogateescape" does), so the value stays a string everywhere and its bytes come back exact.

const ESCAPE_BASE = 0xdc00;

function isLoneEscape(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  if (unit < 0xdc80 || unit > 0xdcff) return false;
  const before = i > 0 ? text.charCodeAt(i - 1) : 0;
  return !(before >= 0xd800 && before <= 0xdbff);
}

/** The length of the well-formed UTF-8 sequence at `i`, or 0 when the byte there does not start one. */
function sequenceAt(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k]! >= lo && bytes[i + k]! <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    // No overlong forms (E0 80..9F), no UTF-16 surrogates (ED A0..BF).
    const ok = b0 === 0xe0 ? cont(1, 0xa0) : b0 === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    return ok && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const ok = b0 === 0xf0 ? cont(1, 0x90) : b0 === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    return ok && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** Whether the bytes are well-formed UTF-8 text. */
export function isUtf8(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceAt(bytes, i);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/** Decodes bytes to a string, keeping each byte that is not UTF-8 as an escape, so nothing is lost. */
export function bytesToSecret(bytes: Uint8Array): string {
  const decoder = new TextDecoder('utf-8');
  let out = '';
  let start = 0;
  for (let i = 0; i < bytes.length; ) {
    const n = sequenceAt(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += decoder.decode(bytes.subarray(start, i)) + String.fromCharCode(ESCAPE_BASE + bytes[i]!);
    i += 1;
    start = i;
  }
  return out + decoder.decode(bytes.subarray(start));
}

/** Whether a secret holds bytes that are not UTF-8 (and so cannot travel as text). */
export function hasRawBytes(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (isLoneEscape(value, i)) return true;
  return false;
}

/** The exact bytes of a secret. */
export function secretBytes(value: string): Uint8Array {
  const encoder = new TextEncoder();
  const parts: number[] = [];
  let start = 0;
  const flush = (end: number) => {
    for (const byte of encoder.encode(value.slice(start, end))) parts.push(byte);
  };
  for (let i = 0; i < value.length; i++) {
    if (!isLoneEscape(value, i)) continue;
    flush(i);
    parts.push(value.charCodeAt(i) - ESCAPE_BASE);
    start = i + 1;
  }
  flush(value.length);
  return Uint8Array.from(parts);
}

/** How a secret reads once its bytes are printed and decoded as UTF-8 (what a command's output shows of it). */
export function displayForm(value: string): string {
  return hasRawBytes(value) ? new TextDecoder('utf-8').decode(secretBytes(value)) : value;
}

/** The secret's bytes as an ASCII `printf %b` argument: bash turns it back into the exact bytes. */
export function printfEscaped(value: string): string {
  let out = '';
  for (const byte of secretBytes(value)) {
    out += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}
