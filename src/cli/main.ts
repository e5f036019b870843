import { lifeboatVersion } from './version.js';

// `--version` answers before anything heavy loads: it must cost no more than starting node.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${lifeboatVersion()}\n`);
} else {
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(args);
}
