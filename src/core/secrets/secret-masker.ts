import { secretMask } from '../shell/rendered.js';
import { displayForm } from './secret-bytes.js';

/** Masks one stream of text that arrives in pieces: no piece boundary lets a value through. */
export interface MaskingStream {
  /** Adds text; returns what is safe to show now, masked (a tail that may start a secret is held back). */
  push(text: string): string;
  /** The stream has ended: returns what was held back, masked. */
  end(): string;
}

/** Replaces every known secret value in text with [secret:NAME]. */
export interface SecretMasker {
  mask(text: string): string;
  /** A masker for one stream (a command's stdout, say), fed in pieces. */
  stream(): MaskingStream;
  /** True when there is nothing to mask. */
  readonly empty: boolean;
}

const identityStream: MaskingStream = { push: (text) => text, end: () => '' };

/**
 * Builds a masker for secret values; longer values are replaced first so one never hides part of
 * another. A value holding bytes that are not UTF-8 is also masked as it reads once decoded.
 */
export function createMasker(secrets: ReadonlyMap<string, string>): SecretMasker {
  const names = new Map<string, string>();
  for (const [name, value] of secrets) {
    for (const form of [value, displayForm(value)]) if (form.length > 0 && !names.has(form)) names.set(form, name);
  }
  const values = [...names.keys()].sort((a, b) => b.length - a.length);
  if (values.length === 0) return { mask: (text) => text, stream: () => identityStream, empty: true };
  const pattern = new RegExp(values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  const firsts = new Set(values.map((value) => value[0]!));
  const longest = values[0]!.length;
  const replace = (found: string) => secretMask(names.get(found)!);
  const mask = (text: string) => text.replace(pattern, replace);

  /** The first place from `from` where the rest of `text` is the start of a secret, not yet all of one. */
  const pendingStart = (text: string, from: number): number => {
    for (let p = Math.max(from, text.length - longest + 1); p < text.length; p++) {
      if (!firsts.has(text[p]!)) continue;
      const rest = text.slice(p);
      if (values.some((value) => value.length > rest.length && value.startsWith(rest))) return p;
    }
    return text.length;
  };

  return {
    mask,
    empty: false,
    stream() {
      let held = '';
      return {
        push(text) {
          const buffer = held + text;
          let out = '';
          let at = 0;
          // A match that starts before the first pending start is final: no longer value can
          // start there (it would be pending), and no earlier match can appear with more text.
          for (;;) {
            const hold = pendingStart(buffer, at);
            pattern.lastIndex = at;
            const found = pattern.exec(buffer);
            if (found && found.index < hold) {
              out += buffer.slice(at, found.index) + replace(found[0]);
              at = found.index + found[0].length;
              continue;
            }
            out += buffer.slice(at, hold);
            held = buffer.slice(hold);
            return out;
          }
        },
        end() {
          const out = mask(held);
          held = '';
          return out;
        },
      };
    },
  };
}

/** A masker that also learns values during the run (a capture marked secret). */
export interface GrowingMasker extends SecretMasker {
  /** Masks `value` as [secret:NAME] from now on. */
  add(name: string, value: string): void;
}

/** A masker over `secrets` that can learn more values: each one learnt rebuilds the matcher, so streams started later mask it. */
export function createGrowingMasker(secrets: ReadonlyMap<string, string>): GrowingMasker {
  const known = new Map(secrets);
  let inner = createMasker(known);
  return {
    mask: (text) => inner.mask(text),
    stream: () => inner.stream(),
    get empty() {
      return inner.empty;
    },
    add(name, value) {
      if (value === '' || known.get(name) === value) return;
      known.set(name, value);
      inner = createMasker(known);
    },
  };
}

// The journal's own structure: which event, which step, what became of it. Never masked, so a
// secret that happens to be part of a step id or a status word cannot change what a resume reads.
const STRUCTURE_KEYS = new Set([
  'kind',
  'runId',
  'step',
  'position',
  'phase',
  'action',
  'host',
  'status',
  'via',
  'set',
  'menu',
  'choice',
  'by',
  'stream',
  'level',
  'mode',
  'stoppedAt',
  'selection',
  'acceptedChanges',
  'hash',
  'name',
]);

/**
 * Masks every string inside a JSON-like value (an event) except the journal's structure: event
 * names, step ids, statuses and the like, whose values are Lifeboat's own and are kept as they are.
 */
export function maskDeep<T>(value: T, masker: SecretMasker): T {
  if (masker.empty) return value;
  if (typeof value === 'string') return masker.mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, masker)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, STRUCTURE_KEYS.has(k) ? v : maskDeep(v, masker)])) as T;
  }
  return value;
}

// In a saved machine snapshot only these hold text from outside (why a step failed, what the
// operator typed, a failing check's label); everything else is the machine's own state.
const SNAPSHOT_TEXT_KEYS = new Set(['reason', 'message', 'failed', 'error', 'output', 'text']);
// Whole subtrees of text from outside: captured output (a secret capture among it), a failure's summary and lines.
const SNAPSHOT_TEXT_TREES = new Set(['captures', 'failure', 'exit', 'abortReason']);

/** Masks the text from outside inside a saved machine snapshot, leaving its states and ids alone. */
export function maskSnapshot<T>(value: T, masker: SecretMasker, inText = false): T {
  if (masker.empty) return value;
  if (typeof value === 'string') return (inText ? masker.mask(value) : value) as T;
  if (Array.isArray(value)) return value.map((v) => maskSnapshot(v, masker, inText)) as T;
  if (value && typeof value === 'object') {
    // A text key marks text from outside when it holds text (a string or a list of them); an object
    // under it (XState's `output`, the run's final context) is structure whose own keys decide.
    const textUnder = (k: string, v: unknown) => inText || SNAPSHOT_TEXT_TREES.has(k) || (SNAPSHOT_TEXT_KEYS.has(k) && (typeof v === 'string' || Array.isArray(v)));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSnapshot(v, masker, textUnder(k, v))])) as T;
  }
  return value;
}

/** Secrets so short that masking them will also hide those letters in ordinary output. */
export function shortSecrets(secrets: ReadonlyMap<string, string>, minimum = 6): string[] {
  return [...secrets].filter(([, value]) => value.length > 0 && value.length < minimum).map(([name]) => name);
}
