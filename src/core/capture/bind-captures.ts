import { placementError } from '../resolve/interpolate.js';
import { type CaptureRef, captureReference, type ItemRef, isDeferred, itemReference, type Piece, type Rendered, type Segment } from '../shell/rendered.js';
import { type CapturedValue, type Captures, valueAt, valueText } from './captured-values.js';

/** What the run knows of captured values when it binds a step: the values, and which are secret. */
export interface CaptureScope {
  captures: Captures;
  /** `STEP.NAME` of each capture marked `secret: true`. */
  secret: ReadonlySet<string>;
  /**
   * A rehearsal, which captures nothing: a value not known stands as its reference, quoted like
   * any value, instead of failing (it is shown, never run).
   */
  preview?: boolean;
  /** The item a `foreach` step runs for, when it is bound for one. */
  item?: { value: CapturedValue };
}

/** A captured value that cannot be used where a step refers to it. */
export class BindError extends Error {
  constructor(
    readonly reference: string,
    readonly why: string,
  ) {
    super(`${reference} ${why}`);
    this.name = 'BindError';
  }
}

const isSegment = (item: unknown): item is Segment =>
  typeof item === 'object' && item !== null && (typeof (item as { raw?: unknown }).raw === 'string' || Array.isArray((item as { value?: unknown }).value));

/** True for rendered text: a non-empty list of segments. */
const isRendered = (value: unknown): value is Rendered => Array.isArray(value) && value.length > 0 && value.every(isSegment);

/** True when a step (or any value) refers to a captured value or an item anywhere in its texts. */
export function refersToCaptures(value: unknown): boolean {
  if (isRendered(value)) return value.some((s) => 'value' in s && s.value.some(isDeferred));
  if (Array.isArray(value)) return value.some(refersToCaptures);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(refersToCaptures);
  return false;
}

/**
 * Puts the captured values into every text of a step (or any value holding rendered text). Each
 * is escaped where it stands as any other value is, and refused where no escaping could make it
 * safe; a secret capture travels as a secret (by name), its value in `secrets`.
 */
export function bindCaptures<T>(value: T, scope: CaptureScope): { bound: T; secrets: Map<string, string> } {
  const secrets = new Map<string, string>();
  const bound = bindValue(value, scope, secrets) as T;
  return { bound, secrets };
}

function bindValue(value: unknown, scope: CaptureScope, secrets: Map<string, string>): unknown {
  if (isRendered(value)) return value.map((segment) => bindSegment(segment, scope, secrets));
  if (Array.isArray(value)) return value.map((item) => bindValue(item, scope, secrets));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bindValue(v, scope, secrets)]));
  return value;
}

function bindSegment(segment: Segment, scope: CaptureScope, secrets: Map<string, string>): Segment {
  if (!('value' in segment) || !segment.value.some(isDeferred)) return segment;
  const pieces: Piece[] = segment.value.map((piece) => ('capture' in piece ? bindPiece(piece.capture, scope, secrets) : 'item' in piece ? bindItem(piece.item, scope) : piece));
  const refused = placementError(pieces, segment.quote, segment.spot);
  if (refused && !scope.preview) {
    const deferred = segment.value.find(isDeferred)!;
    // The reason names the place; the hint says how to write it instead.
    throw new BindError(
      'capture' in deferred ? captureReference(deferred.capture) : itemReference(deferred.item),
      `is refused: ${refused.message.replace(/^a value /, 'its value ')}${refused.hint ? ` (${refused.hint})` : ''}`,
    );
  }
  return { value: pieces, quote: segment.quote };
}

function bindItem(ref: ItemRef, scope: CaptureScope): Piece {
  const shown = itemReference(ref);
  if (!scope.item) {
    if (scope.preview) return { text: shown };
    throw new BindError(shown, 'is known only while an item of the step runs');
  }
  const found = valueAt(scope.item.value, ref.path);
  if (found === undefined) throw new BindError(shown, `is not there: the item has no ${ref.path.join('.')}`);
  return { text: valueText(found) };
}

function bindPiece(ref: CaptureRef, scope: CaptureScope, secrets: Map<string, string>): Piece {
  const shown = captureReference(ref);
  const captured = Object.hasOwn(scope.captures, ref.step) ? scope.captures[ref.step] : undefined;
  if (scope.preview && (captured === undefined || !Object.hasOwn(captured, ref.name))) return { text: shown };
  if (captured === undefined) throw new BindError(shown, `is not known: step \`${ref.step}\` has not captured anything in this run (it did not run, was skipped, or was not applicable)`);
  if (!Object.hasOwn(captured, ref.name)) throw new BindError(shown, `is not known: step \`${ref.step}\` did not capture \`${ref.name}\``);
  const found: CapturedValue | undefined = valueAt(captured[ref.name]!, ref.path);
  if (found === undefined) throw new BindError(shown, `is not there: the value step \`${ref.step}\` captured as \`${ref.name}\` has no ${ref.path.join('.')}`);
  const text = valueText(found);
  if (scope.secret.has(`${ref.step}.${ref.name}`)) {
    const name = [`steps.${ref.step}`, ref.name, ...ref.path].join('.');
    secrets.set(name, text);
    return { secret: name };
  }
  return { text };
}
