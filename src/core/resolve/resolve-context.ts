import type { Problem } from '../model/problem.js';
import { formatPath, positionInValue, positionOf, type SourceDoc } from '../parse/source-doc.js';
import type { YamlPath } from '../parse/yaml-path.js';
import { type CaptureRef, capturesIn, literal, type Rendered } from '../shell/rendered.js';
import { interpolate, type Scope, type TextKind } from './interpolate.js';

/** A value with the file, YAML path and scope it was written in, so problems point at it. */
export interface Located<T = unknown> {
  value: T;
  src: SourceDoc;
  path: YamlPath;
  scope: Scope;
}

/** A reference to a captured value, and where it is written (for a problem if its step comes too late). */
export interface CaptureUse {
  ref: CaptureRef;
  where: Omit<Problem, 'message' | 'expected' | 'received' | 'hint'>;
}

/** Collects problems while resolving, and interpolates located text. */
export class Resolution {
  readonly problems: Problem[] = [];
  /** Every reference to a captured value met so far, in the order met. */
  readonly captureUses: CaptureUse[] = [];

  /** Records a problem at a located value (or at its key). */
  report(at: Pick<Located, 'src' | 'path'>, problem: Omit<Problem, 'file' | 'line' | 'column' | 'path'>, key = false): void {
    this.problems.push({ ...positionOf(at.src, at.path, key), path: formatPath(at.path), ...problem });
  }

  /** Interpolates a located string (true: a bash script), recording every unresolved reference where it is written. */
  text(at: Located, kind: boolean | TextKind): Rendered {
    if (typeof at.value !== 'string') return literal(String(at.value ?? ''));
    const { rendered, errors } = interpolate(at.value, at.scope, kind === true ? 'shell' : kind === false ? 'plain' : kind);
    this.noteCaptures(at as Located<string>, rendered);
    const seen = new Map<string, number>();
    for (const error of errors) {
      const occurrence = seen.get(error.reference) ?? 0;
      seen.set(error.reference, occurrence + 1);
      this.problems.push({
        ...positionInValue(at.src, at.path, error.reference, occurrence),
        path: formatPath(at.path),
        message: error.message,
        expected: error.expected,
        received: error.reference,
        hint: error.hint,
      });
    }
    return rendered;
  }

  private noteCaptures(at: Located<string>, rendered: Rendered): void {
    const seen = new Map<string, number>();
    for (const ref of capturesIn(rendered)) {
      const written = `steps.${ref.step}.${ref.name}`;
      const occurrence = seen.get(written) ?? 0;
      seen.set(written, occurrence + 1);
      // Where it is written as such; a capture passed in through a template parameter points at the template's text.
      const found = at.value.includes(written) ? positionInValue(at.src, at.path, written, occurrence) : positionInValue(at.src, at.path, '{{', 0);
      this.captureUses.push({ ref, where: { ...found, path: formatPath(at.path) } });
    }
  }
}

/** Moves one step deeper into a located value. */
export function child<T = unknown>(at: Located, key: string | number): Located<T> {
  const parent = at.value as Record<string | number, unknown> | undefined;
  return { value: parent?.[key] as T, src: at.src, path: [...at.path, key], scope: at.scope };
}

/** True for a plain (non-list) map. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
