import { setFlagsFromString } from 'node:v8';
import { reportBug } from './report-bug.js';
import { lifeboatVersion } from './version.js';

// A run spends its time waiting on processes, on machines that may be small: V8 sizes its heap for
// memory rather than speed, so that a wide fan-out does not grow it with every thousand items
// (each spawn's short-lived objects otherwise pile up in the old generation between collections).
setFlagsFromString('--optimize-for-size');

// A reader that goes away (`lifeboat plan … | head`) must not crash a run: its journal goes on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // EIO: the terminal was closed (SIGHUP); the run records its interruption all the same.
    if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
  });
}

// A closed terminal also fails the question on it (EIO when the prompt lets go of the terminal's
// raw mode): that is the hang-up (SIGHUP) the run already records as an interruption, not a crash.
// Anything else thrown outside a command's own flow is a bug, told as one (exit 70).
process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EIO' && error.syscall === 'setRawMode') return;
  process.exit(reportBug(error, (text) => process.stderr.write(text)));
});

// `--version` answers before anything heavy loads: it must cost no more than starting node.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${lifeboatVersion()}\n`);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(args);
}
