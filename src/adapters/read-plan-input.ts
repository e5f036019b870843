import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Selection } from '../core/model/plan-types.js';
import { InputError, type Problem } from '../core/model/problem.js';
import type { SourceFile } from '../core/parse/source-doc.js';
import { decodeUtf8 } from '../core/parse/utf8-text.js';
import type { PlanInput, StepLibrary } from '../core/plan/build-plan.js';

/** What the command line says about a runbook to load. */
export interface PlanRequest {
  file: string;
  vars?: ReadonlyArray<[string, string]>;
  varsFile?: string;
  inventory?: string;
  stepsDir?: string;
  selection?: Selection;
}

/** Reads a source file, turning an unreadable or missing file into a positioned problem. */
export function readSource(path: string, what: string): SourceFile {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    return { path, ...decodeUtf8(path, readFileSync(path)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder, not a file' : (error as Error).message;
    throw new InputError([
      {
        file: path,
        line: 1,
        column: 1,
        path: '',
        message: `cannot read ${what}: ${why}`,
        expected: `a readable YAML file (${what})`,
        received: code === 'ENOENT' ? 'no file at this path' : why,
        hint: code === 'ENOENT' ? (what === 'the runbook' ? 'check the path; runbooks usually live in runbooks/' : 'check the path given on the command line') : undefined,
      },
    ]);
  }
}

/** Finds the steps folder: the one given with --steps, else the nearest steps/ at or above the runbook's folder. */
export function findStepsDir(runbookPath: string, explicit?: string): string | undefined {
  if (explicit) return resolve(explicit);
  let dir = resolve(dirname(runbookPath));
  for (;;) {
    const candidate = join(dir, 'steps');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Lists the templates (*.yaml) and scripts (*.mjs, *.js, *.sh) of a steps folder. */
export function readStepLibrary(dir: string | undefined): StepLibrary {
  const templates = new Map<string, SourceFile>();
  const scripts = new Set<string>();
  if (!dir || !existsSync(dir)) return { dir: dir ? relative(process.cwd(), dir) || '.' : 'steps', templates, scripts };
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    const name = relative(dir, full).split(sep).join('/');
    if (/\.ya?ml$/.test(name)) {
      const path = relative(process.cwd(), full) || full;
      templates.set(name.replace(/\.ya?ml$/, ''), { path, ...decodeUtf8(path, readFileSync(full)) });
    } else if (/\.(mjs|js|sh)$/.test(name)) scripts.add(name);
  }
  return { dir: relative(process.cwd(), dir) || '.', templates, scripts };
}

/** Reads everything a plan needs from disk: the runbook, its step library and any vars file. */
export function readPlanInput(request: PlanRequest): PlanInput & { stepsDir: string } {
  const runbook = readSource(request.file, 'the runbook');
  const stepsDir = findStepsDir(request.file, request.stepsDir);
  const library = readStepLibrary(stepsDir);
  const problems: Problem[] = [];
  // An unreadable vars file or inventory is reported with the runbook's own problems rather than hiding them.
  const optional = (path: string | undefined, what: string): SourceFile | undefined => {
    try {
      return path ? readSource(path, what) : undefined;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const varsFile = optional(request.varsFile, 'the vars file');
  const inventory = optional(request.inventory, 'the inventory');
  return { runbook, library, varsFile, inventory, vars: request.vars, selection: request.selection, problems, stepsDir: stepsDir ?? resolve('steps') };
}
