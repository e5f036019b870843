// Discovers benchmark cases: every bench/cases/*.mjs default-exports one case or an array of cases.
// A case is { name, target (text), baseline, subject, limit, runs?, warmup?, setup? } where baseline and
// subject are measurement(label, [commands]) from ./commands.mjs, limit is { maxRatio } (subject median /
// baseline median <= maxRatio) and/or { maxMedianMs } (subject median < maxMedianMs), runs defaults to 15,
// warmup to 2, and setup() (may be async) writes generated inputs under bench/out/ before timing.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Loads all cases from the folder, in file-name order, then in the order each file lists them. */
export async function loadCases(dir) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .sort();
  const cases = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(path.join(dir, file)).href);
    const exported = mod.default;
    for (const c of Array.isArray(exported) ? exported : [exported]) cases.push(checkCase(c, file));
  }
  return cases;
}

// Rejects a malformed case early, naming the file it came from.
function checkCase(c, file) {
  const problem =
    !c || typeof c !== 'object'
      ? 'default export is not a case object'
      : typeof c.name !== 'string'
        ? 'missing name'
        : typeof c.target !== 'string'
          ? 'missing target'
          : !c.baseline?.commands
            ? 'baseline is not a measurement(...)'
            : !c.subject?.commands
              ? 'subject is not a measurement(...)'
              : !c.limit || (c.limit.maxRatio === undefined && c.limit.maxMedianMs === undefined)
                ? 'limit needs maxRatio and/or maxMedianMs'
                : undefined;
  if (problem) throw new Error(`bench/cases/${file}: ${problem}`);
  return { runs: 15, warmup: 2, ...c, file };
}
