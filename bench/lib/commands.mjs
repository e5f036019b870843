// Builders for the commands and measurements that benchmark cases time.
import path from 'node:path';
import { ROOT } from './paths.mjs';

const LIFEBOAT_BIN = path.join(ROOT, 'bin', 'lifeboat.js');

// Shows an absolute path relative to the project root, for readable labels.
function display(arg) {
  return path.isAbsolute(arg) && arg.startsWith(ROOT + path.sep) ? path.relative(ROOT, arg) : arg;
}

/** A command that runs this very Node binary with the given arguments. */
export function node(...args) {
  return { label: ['node', ...args.map(display)].join(' '), argv: [process.execPath, ...args] };
}

/** A command that runs the Lifeboat CLI (node bin/lifeboat.js) with the given arguments. */
export function lifeboat(...args) {
  return { label: ['lifeboat', ...args.map(display)].join(' '), argv: [process.execPath, LIFEBOAT_BIN, ...args] };
}

/** A measurement: one or more commands run back to back per iteration, timed separately and summed. */
export function measurement(label, commands) {
  if (!Array.isArray(commands) || commands.length === 0) throw new Error(`measurement "${label}" needs at least one command`);
  return { label, commands };
}

/** A stable key that identifies a measurement by what it runs, so equal measurements are timed once. */
export function measurementKey(m) {
  return JSON.stringify(m.commands.map((c) => c.argv));
}
