import type { SecretMasker } from '../core/secrets/secret-masker.js';
import type { CommandHooks, CommandResult, CommandRunner, CommandSpec } from '../ports/command-runner.js';
import { Tail } from './output-tail.js';
import { TAIL_CHARS } from './run-process.js';

/**
 * A runner whose results hold no secret: the output kept for failure cards and failing checks is
 * masked as one stream, piece by piece, before its tail is cut, so a tail (or its last lines) that
 * begins inside a secret cannot show that secret's end. `stdout` stays as printed: it is only
 * matched and parsed, never shown. What the hooks receive is unchanged (the event sink masks it).
 */
export function withMaskedOutput(runner: CommandRunner, masker: SecretMasker): CommandRunner {
  return {
    async run(spec: CommandSpec, hooks: CommandHooks = {}): Promise<CommandResult> {
      // Checked per command: the masker may learn a secret during the run.
      if (masker.empty) return runner.run(spec, hooks);
      const masking = masker.stream();
      const output = new Tail(TAIL_CHARS);
      let streamed = false;
      const result = await runner.run(spec, {
        ...hooks,
        onOutput: (stream, text) => {
          streamed = true;
          output.push(masking.push(text));
          hooks.onOutput?.(stream, text);
        },
      });
      output.push(masking.end());
      // A tail cut in its first line starts at the next whole line, not in the middle of a word.
      let kept = output.toString();
      if (output.truncated) {
        const line = kept.indexOf('\n');
        if (line >= 0 && line < kept.length - 1) kept = kept.slice(line + 1);
      }
      return {
        ...result,
        output: streamed ? kept : masker.mask(result.output),
        ...(result.error !== undefined ? { error: masker.mask(result.error) } : {}),
      };
    },
  };
}
