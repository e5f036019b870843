import { Command, Option } from 'commander';
import { stylesFor } from '../adapters/terminal-styles.js';
import { lifeboatCommand } from './command-name.js';
import { exitCodeForError } from './error-boundary.js';
import { ExitCode } from './exit-codes.js';
import { addPlanOptions, collect } from './plan-options.js';

// An answer may hold commas: each --answer is one value.
const collectAll = (value: string, previous: string[] = []): string[] => [...previous, value];

import { lifeboatVersion } from './version.js';

type Action = (...args: never[]) => Promise<number>;

// Commands load their module only when called, so one command never pays for another's imports.
const commands = {
  validate: async () => (await import('./validate.js')).validateCommand,
  plan: async () => (await import('./plan.js')).planCommand,
  graph: async () => (await import('./graph.js')).graphCommand,
  run: async () => (await import('./run.js')).runCommand,
  resume: async () => (await import('./resume.js')).resumeCommand,
  logsList: async () => (await import('./logs.js')).logsListCommand,
  logsShow: async () => (await import('./logs.js')).logsShowCommand,
  logsReport: async () => (await import('./logs.js')).logsReportCommand,
  logsCompare: async () => (await import('./logs.js')).logsCompareCommand,
  stats: async () => (await import('./stats.js')).statsCommand,
  docs: async () => (await import('./docs.js')).docsCommand,
  ready: async () => (await import('./ready.js')).readyCommand,
  test: async () => (await import('./test.js')).testCommand,
} satisfies Record<string, () => Promise<Action>>;

/** Builds the command-line program; each action records its exit code in `result`. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the declarative table of commands and their options, one chained definition per command.
function buildProgram(result: { code: number }): Command {
  const program = new Command('lifeboat')
    .description('Disaster-recovery runbooks for homelabs: plan, run and verify a restore, step by step.')
    .version(lifeboatVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) });
  const run =
    <K extends keyof typeof commands>(name: K) =>
    async (...args: unknown[]) => {
      const action = (await commands[name]()) as unknown as (...a: unknown[]) => Promise<number>;
      // commander passes the Command itself last; actions take arguments and options only.
      result.code = await action(...args.slice(0, -1));
    };

  addPlanOptions(
    program.command('validate').description('check runbooks for every mistake at once, all reported on stdout (exit 0 valid, 2 invalid)').argument('<file...>', 'runbook files'),
    false,
  ).action(run('validate'));

  addPlanOptions(
    program
      .command('plan')
      .description('show the restore in order: positions, hosts, exact commands, checks; runs nothing')
      .argument('<file>', 'runbook file')
      .option('--json', 'print the plan as JSON')
      .option('--logs <dir>', 'where past run logs are, for the estimates (default: $LIFEBOAT_LOGS or ./logs)'),
  ).action(run('plan'));

  addPlanOptions(
    program
      .command('graph')
      .description('draw the restore order (Mermaid, Graphviz DOT) or print the state machine and the order of steps it walks (JSON, for Stately)')
      .argument('<file>', 'runbook file')
      .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot', 'json']).default('mermaid')),
  ).action(run('graph'));

  addPlanOptions(
    program
      .command('run')
      .description(
        'walk through the restore: each step shown, run, then verified by its checks; every choice (and why), wait at a question and shell opened is recorded; it ends with times, RTO verdicts and what to follow up',
      )
      .argument('<file>', 'runbook file')
      .option('-y, --yes', 'run unattended: no questions; a failure stops the run, so does a typed confirmation not named with --confirm')
      .addOption(new Option('--confirm <step>', 'with --yes: give the confirmation of this step (repeatable, or comma-separated)').argParser(collect))
      .addOption(new Option('--answer <step=value>', "answer an ask step's question (repeatable): needed with --yes when it has no default").argParser(collectAll))
      .option('--concurrency <n>', "run up to N steps at once when what they wait for has ended (default: the runbook's concurrency, else 1)")
      .option('--dry-run', 'rehearse: walk every step and print every command, execute nothing')
      .option('--probe', 'with --dry-run: run the read-only checks, on the hosts too, to see what is already done')
      .option('--transcript <file>', 'also write a plain copy of the screen to this file (secrets masked)')
      .option('--drill <purpose>', 'record this run as a rehearsal (a drill), with its purpose')
      .option('--logs <dir>', 'where run logs go (default: $LIFEBOAT_LOGS or ./logs)'),
  ).action(run('run'));

  program
    .command('resume')
    .description('continue an interrupted run where it stopped; finished steps never run again')
    .argument('[run-id]', 'a run id, a unique prefix of one, or last (default: the newest unfinished run)')
    .option('-y, --yes', 'run unattended: no questions; a failure stops the run, so does a typed confirmation not named with --confirm')
    .addOption(new Option('--confirm <step>', 'with --yes: give the confirmation of this step (repeatable, or comma-separated)').argParser(collect))
    .addOption(new Option('--answer <step=value>', "answer an ask step's question (repeatable): needed with --yes when it has no default").argParser(collectAll))
    .option('--transcript <file>', 'also write a plain copy of the screen to this file (secrets masked)')
    .option('--concurrency <n>', "run up to N steps at once when what they wait for has ended (default: the runbook's concurrency, else 1)")
    .option('--accept-changes', 'resume even though the runbook changed, matching steps by id')
    .option('--logs <dir>', 'where run logs are (default: $LIFEBOAT_LOGS or ./logs)')
    .action(run('resume'));

  const logs = program.command('logs').description('review recorded runs: list, show, report (HTML), compare');
  logs
    .command('list')
    .description('one line per run, newest first: id, runbook, start, duration, status, operator, the step it stopped at')
    .option('--runbook <name>', 'only runs of this runbook (its name, or its file)')
    .option('--json', 'print the runs as JSON')
    .option('--logs <dir>', 'where run logs are (default: $LIFEBOAT_LOGS or ./logs)')
    .action(run('logsList'));
  logs
    .command('show')
    .description(
      "a run's timeline: each step's start, working time, status (already done, skipped and why), choices and reasons, time waited for the operator, shells opened, failing checks, what to follow up",
    )
    .argument('<run-id>', 'a run id, a unique prefix of one, or last')
    .option('--step <step>', 'only this step: its id or its position (e.g. 5.5)')
    .option('--output', "include each step's captured output (secrets stay masked)")
    .option('--json', 'print the run as JSON')
    .option('--logs <dir>', 'where run logs are (default: $LIFEBOAT_LOGS or ./logs)')
    .action(run('logsShow'));
  logs
    .command('report')
    .description('write one self-contained HTML page of a run: wall and active time, RTO verdicts, timeline chart, failures, what to follow up, shells opened, collapsible output')
    .argument('<run-id>', 'a run id, a unique prefix of one, or last')
    .requiredOption('--html <file>', 'the HTML file to write')
    .option('--logs <dir>', 'where run logs are (default: $LIFEBOAT_LOGS or ./logs)')
    .action(run('logsReport'));
  logs
    .command('compare')
    .description('two runs step by step: durations and outcomes side by side, largest slow-downs first')
    .argument('<run-a>', 'the earlier (or reference) run: id, unique prefix, or last')
    .argument('<run-b>', 'the run to compare with it')
    .option('--json', 'print the comparison as JSON')
    .option('--logs <dir>', 'where run logs are (default: $LIFEBOAT_LOGS or ./logs)')
    .action(run('logsCompare'));

  addPlanOptions(
    program
      .command('stats')
      .description(
        "per phase and step across a runbook's past runs: count, success rate, median and slowest, last success, RTO; a step already done or skipped is no success, and waiting for the operator is no working time",
      )
      .argument('<file>', 'runbook file')
      .option('--json', 'print the stats as JSON')
      .option('--logs <dir>', 'where run logs are (default: $LIFEBOAT_LOGS or ./logs)'),
    false,
  ).action(run('stats'));

  addPlanOptions(
    program
      .command('docs')
      .description('render the runbook as a Markdown restore document (overview, Mermaid restore order, every step and check, a checkbox each for paper)')
      .argument('<file>', 'runbook file')
      .option('--out <file>', 'write the Markdown to this file instead of stdout'),
    false,
  ).action(run('docs'));

  addPlanOptions(
    program
      .command('ready')
      .description('read-only readiness pass: hosts over ssh, secrets, read-only checks, backup ages, logs folder, last drill (exit 0 ready, 1 not)')
      .argument('<file>', 'runbook file')
      .option('--json', 'print the readiness as JSON')
      .option('--prometheus <file>', 'also write node_exporter textfile-collector metrics to this file (atomically)')
      .option('--logs <dir>', 'where run logs are (default: $LIFEBOAT_LOGS or ./logs)'),
  ).action(run('ready'));

  addPlanOptions(
    program
      .command('test')
      .description(
        "run the runbook's test cases in-process with the real engine: each step exits and prints what its case declares, nothing is executed (exit 0 all pass, 1 a case fails, 2 invalid input)",
      )
      .argument('<file>', 'runbook file')
      .option('--tests <path>', 'the test file, or a folder of them (default: FILE.tests.yaml beside the runbook, or the folder FILE.tests/)'),
  ).action(run('test'));

  // The examples are typed as this process was started; the usage lines keep the program's name.
  const me = lifeboatCommand();
  const example = (what: string, args: string) => `  ${what}:\n    ${me} ${args}`;
  program.addHelpText(
    'after',
    [
      '',
      'Examples:',
      example('Check a runbook, then see the restore in order', 'plan runbooks/homelab.yaml'),
      example('Walk through the demo (output may go to `| tee run.txt`)', 'run runbooks/demo.yaml'),
      example('Ask the hosts what is already done, changing nothing', 'run runbooks/homelab.yaml --dry-run --probe'),
      example('Unattended, giving one typed confirmation', 'run runbooks/homelab.yaml --yes --confirm force-import-pool'),
      example('Continue the newest unfinished run', 'resume'),
      example("Check the runbook's branches against its test cases, executing nothing", 'test runbooks/homelab.yaml'),
      '',
      'Exit codes: 0 done · 1 a step failed or aborted · 2 invalid input · 3 interrupted (resumable) · 4 locked by another run',
    ].join('\n'),
  );
  return program;
}

/** Runs the command line and maps every outcome to an exit code: the single error boundary. */
export async function runCli(args: string[]): Promise<number> {
  const result = { code: ExitCode.Ok as number };
  const err = stylesFor(process.stderr);
  try {
    await buildProgram(result).parseAsync(args, { from: 'user' });
    return result.code;
  } catch (error) {
    return exitCodeForError(error, err, (text) => process.stderr.write(text));
  }
}
