import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { DataError } from '../core/model/data-error.js';
import { RUN_ID_PATTERN } from '../core/model/run-id.js';
import type { JournalRead, RunMeta, RunStore } from '../ports/run-store.js';
import { ensureDir } from './ensure-dir.js';
import { parseJournalLine } from './journal-record.js';
import { createSnapshotQueue } from './snapshot-queue.js';

/** The error for a journal damaged in its middle: which file, which line, what can be done. */
export function damagedJournal(file: string, line: number): DataError {
  return new DataError(`${file}:${line}: the run's journal is damaged (this line is not a whole record, and more follow it)`, {
    expected: 'one JSON record per line, as Lifeboat writes them',
    received: `an unreadable line ${line}`,
    hint: `\`lifeboat logs show\` shows what can be read; to go on, repair or delete line ${line} (keep a copy), or start a new run`,
  });
}

/** The error for a run.json that cannot be read: what file, what can be done. */
function badMeta(file: string, what: string): DataError {
  return new DataError(`${file}: the run's metadata cannot be used (${what})`, {
    expected: 'run.json as Lifeboat wrote it: runId, runbook, request, fingerprints, order',
    received: what,
    hint: 'restore run.json from a copy, or start a new run; the journal (events.jsonl) beside it is untouched',
  });
}

/** Reads a journal, leaving out (and reporting) a last line torn by a crash mid-write. */
export function readJournalFile(file: string): JournalRead {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const events: JournalRead['events'] = [];
  let tornLine = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const event = parseJournalLine(line);
    if (event !== undefined) events.push(event);
    // Only the last line can be torn; anything else is damage worth stopping for.
    else if (i >= lines.length - 2) tornLine = true;
    else throw damagedJournal(file, i + 1);
  });
  return { events, tornLine };
}

/** Reads a run file without following a symlink planted in its place. */
function readNoFollow(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

const text = (value: unknown) => typeof value === 'string' && value !== '';
const optionalText = (value: unknown) => value === undefined || typeof value === 'string';
const textList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');
const record = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const textRecord = (value: unknown) => record(value) && Object.values(value).every((item) => typeof item === 'string');

function selectionProblem(selection: unknown): string | undefined {
  if (selection === undefined) return undefined;
  if (!record(selection)) return 'a selection that is not an object';
  const { only, from, skip } = selection;
  if ((only !== undefined && !textList(only)) || !optionalText(from) || (skip !== undefined && !textList(skip))) return 'a selection (only, from, skip) of the wrong types';
  return undefined;
}

// Every field a resume builds its plan from is checked here: a hand-edited run.json is told, not crashed on.
function metaProblem(meta: RunMeta): string | undefined {
  if (!record(meta)) return 'not an object';
  if (!text(meta.runId)) return 'no runId';
  if (!record(meta.runbook) || !text(meta.runbook.name) || !text(meta.runbook.path) || !text(meta.runbook.hash)) return 'no runbook name, path and hash';
  const request = meta.request as unknown;
  if (!record(request) || !text(request.file) || !Array.isArray(request.vars)) return 'no request (runbook file and vars)';
  if (!request.vars.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string'))
    return 'request vars that are not [name, value] pairs of text';
  if (!optionalText(request.varsFile) || !optionalText(request.inventory) || !optionalText(request.stepsDir)) return 'a vars file, inventory or steps folder that is not text';
  const selection = selectionProblem(request.selection);
  if (selection) return selection;
  if (!textRecord(meta.fingerprints)) return 'no step fingerprints';
  if (meta.inputs !== undefined && !textRecord(meta.inputs)) return 'input fingerprints that are not text';
  if (!textList(meta.order)) return 'no step order';
  if (!optionalText(meta.bootId) || !optionalText(meta.createdAt)) return 'a start time or boot id that is not text';
  return undefined;
}

/** Reads and checks a run's metadata; a file that is not what Lifeboat wrote is a DataError. */
function readMetaFile(file: string): RunMeta {
  let meta: RunMeta;
  try {
    meta = JSON.parse(readNoFollow(file)) as RunMeta;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw badMeta(file, code === 'ELOOP' ? 'it is a symbolic link' : code ? `it cannot be read: ${code}` : `it is not valid JSON: ${(error as Error).message}`);
  }
  const problem = metaProblem(meta);
  if (problem) throw badMeta(file, problem);
  return meta;
}

/** Reads a run's journal for a resume: a missing, linked or unreadable one is a DataError. */
function readJournalChecked(file: string): JournalRead {
  let link: boolean;
  try {
    link = lstatSync(file).isSymbolicLink();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DataError(`${file}: the run's journal cannot be read (${code})`, {
      expected: "the run's journal, events.jsonl",
      received: code === 'ENOENT' ? 'no such file' : code,
      hint: 'restore it from a copy, or start a new run',
    });
  }
  if (link) throw new DataError(`${file} is a symbolic link, not the run's journal`, { hint: 'replace it with the journal itself, or start a new run' });
  try {
    return readJournalFile(file);
  } catch (error) {
    if (error instanceof DataError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new DataError(`${file}: the run's journal cannot be read (${code})`, {
      expected: "the run's journal, events.jsonl, a file",
      received: code,
      hint: 'restore it from a copy, or start a new run',
    });
  }
}

/** Runs as folders under the logs directory: run.json, snapshot.json (atomic), events.jsonl. */
export function createFileRunStore(dir: string): RunStore {
  const runDir = (runId: string) => join(dir, runId);
  const snapshots = createSnapshotQueue(runDir);
  return {
    dir,
    runDir,
    create(meta) {
      ensureDir(dir);
      const path = runDir(meta.runId);
      mkdirSync(path, { mode: 0o700 });
      // Written (and fsynced) before any step runs: a full disk or a read-only folder stops the run here.
      writeFileAtomic.sync(join(path, 'run.json'), `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
      // Created here, never through a symlink, so the journal that follows appends to this file.
      closeSync(openSync(join(path, 'events.jsonl'), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
      return path;
    },
    readMeta: (runId) => readMetaFile(join(runDir(runId), 'run.json')),
    saveSnapshot: snapshots.save,
    flush: snapshots.flush,
    checkWritable(runId) {
      // Creating, syncing and renaming a file is what a snapshot needs: proven before any step runs.
      const probe = join(runDir(runId), '.write-check');
      writeFileAtomic.sync(probe, '', { mode: 0o600 });
      rmSync(probe, { force: true });
    },
    writeMeta(meta) {
      writeFileAtomic.sync(join(runDir(meta.runId), 'run.json'), `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
    },
    repairJournal(runId) {
      // A torn last line (a crash mid-write) is cut off, so that the next record starts on a line of its own.
      const file = join(runDir(runId), 'events.jsonl');
      const text = readFileSync(file, 'utf8');
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, end)));
    },
    loadSnapshot(runId) {
      const file = join(runDir(runId), 'snapshot.json');
      if (!existsSync(file)) return { problem: 'the snapshot is missing' };
      try {
        return { snapshot: JSON.parse(readFileSync(file, 'utf8')) as { context?: unknown } };
      } catch (error) {
        return { problem: `the snapshot is unreadable (${(error as Error).message})` };
      }
    },
    readJournal: (runId) => readJournalChecked(join(runDir(runId), 'events.jsonl')),
    list() {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
      return readdirSync(dir)
        .filter((name) => RUN_ID_PATTERN.test(name) && existsSync(join(dir, name, 'run.json')) && statSync(join(dir, name)).isDirectory())
        .sort();
    },
  };
}
