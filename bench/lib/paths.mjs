// Where the benchmark harness lives and where it writes generated inputs.

import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of bench/. */
export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Absolute path of the project root (commands run from here). */
export const ROOT = path.dirname(BENCH_DIR);

/** Absolute path of bench/out/, the git-ignored folder for generated inputs. */
export const OUT_DIR = path.join(BENCH_DIR, 'out');

/** Absolute path of bench/cases/, where benchmark cases are discovered. */
export const CASES_DIR = path.join(BENCH_DIR, 'cases');

/** Absolute path of bench/RESULTS.md, regenerated on every run. */
export const RESULTS_FILE = path.join(BENCH_DIR, 'RESULTS.md');
