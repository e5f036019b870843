import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { lifeboatInProcess } from './cli-in-process.js';
import { filesUnder, type Workspace } from './run-fixtures.js';

/**
 * Every place a run's text ends up, named: the screen, each file under logs/, `logs show --output`,
 * the HTML report. The two `logs` commands only read the run's records: they go through the CLI's
 * entry point in this process (tests/helpers/cli-in-process.ts).
 */
export async function secretPlaces(w: Workspace, screen: string): Promise<Array<[string, string]>> {
  const places: Array<[string, string]> = [['screen', screen]];
  for (const file of filesUnder(w.logs)) places.push([file, readFileSync(file, 'utf8')]);
  const show = await lifeboatInProcess(['logs', 'show', 'last', '--output', '--logs', w.logs], { cwd: w.dir });
  expect(show.code).toBe(0);
  places.push(['logs show --output', show.stdout + show.stderr]);
  const report = await lifeboatInProcess(['logs', 'report', 'last', '--html', w.path('report.html'), '--logs', w.logs], { cwd: w.dir });
  expect(report.code).toBe(0);
  places.push(['report.html', readFileSync(w.path('report.html'), 'utf8')]);
  return places;
}
