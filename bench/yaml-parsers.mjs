// Times the two YAML parsers Lifeboat uses on one file, in this process, interleaved:
// js-yaml (values only) and the yaml package (parseDocument with positions, then toJS).
//
//   node bench/yaml-parsers.mjs FILE [RUNS]
//
// Why both are kept is in bench/NOTES.md: this is the measurement behind it.
import { readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import { LineCounter, parseDocument } from 'yaml';

const [file, runsArg = '7'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/yaml-parsers.mjs FILE [RUNS]');
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
const runs = Number(runsArg);
const timed = { jsYaml: [], yaml: [] };
for (let i = 0; i < runs + 1; i++) {
  let start = performance.now();
  jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  const a = performance.now() - start;
  start = performance.now();
  parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, prettyErrors: false }).toJS({ maxAliasCount: -1 });
  const b = performance.now() - start;
  // The first round warms both up.
  if (i > 0) {
    timed.jsYaml.push(a);
    timed.yaml.push(b);
  }
}
const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const [a, b] = [median(timed.jsYaml), median(timed.yaml)];
console.log(`${file} (${(text.length / 1e6).toFixed(2)} MB): js-yaml ${a.toFixed(1)} ms, yaml ${b.toFixed(1)} ms, ${(b / a).toFixed(1)}x (medians of ${runs})`);
