import { describe, expect, it } from 'vitest';
import { type ShellContext, shellContexts } from '../../src/core/shell/shell-context.js';

/**
 * The contexts of every `@` in a script, in order. `@` has no meaning in any of the quoting
 * constructs under test, so it marks a spot without changing how the script parses.
 */
function contextsAt(script: string): ShellContext[] {
  const offsets: number[] = [];
  for (let i = script.indexOf('@'); i >= 0; i = script.indexOf('@', i + 1)) offsets.push(i);
  return shellContexts(script, offsets);
}

describe('shellContexts: the basic contexts', () => {
  it('a bare word, inside single quotes, inside double quotes', () => {
    expect(contextsAt(`echo @ '@' "@"`)).toEqual(['word', 'single', 'double']);
  });

  it('glued to other text: the quotes around the spot decide, not the word it is part of', () => {
    expect(contextsAt(`echo --opt=@ pre'@'post pre"@"post`)).toEqual(['word', 'single', 'double']);
  });

  it('a spot right after a closing quote is a word again', () => {
    expect(contextsAt(`echo 'a'@ "b"@`)).toEqual(['word', 'word']);
  });

  it('offsets that are not asked for are not reported; offsets are answered in the order given', () => {
    const script = `echo 'x' "y" z`;
    expect(shellContexts(script, [])).toEqual([]);
    expect(shellContexts(script, [script.indexOf('z'), script.indexOf('x'), script.indexOf('y')])).toEqual(['word', 'single', 'double']);
  });

  it('quotes spanning lines keep their context on the following lines', () => {
    expect(contextsAt(`echo 'one\n@\n' "two\n@" @`)).toEqual(['single', 'double', 'word']);
  });
});

describe('shellContexts: nested and escaped quotes', () => {
  it('a \' inside "…" and a " inside \'…\' are plain characters', () => {
    expect(contextsAt(`echo "it's @" 'say "@"' @`)).toEqual(['double', 'single', 'word']);
  });

  it('an escaped \\" inside "…" does not close it', () => {
    expect(contextsAt(`echo "a \\" @" @`)).toEqual(['double', 'word']);
    expect(contextsAt(`echo "a \\\\" @`)).toEqual(['word']);
  });

  it("an escaped \\' outside quotes opens nothing", () => {
    expect(contextsAt(`echo it\\'s @ '@'`)).toEqual(['word', 'single']);
    expect(contextsAt(`echo \\" @`)).toEqual(['word']);
  });

  it("a backslash inside '…' escapes nothing: the next ' closes it", () => {
    expect(contextsAt(`echo 'a\\' @`)).toEqual(['word']);
  });

  it("the '\\'' idiom: close, escaped quote, reopen", () => {
    expect(contextsAt(`echo 'it'\\''s @' @`)).toEqual(['single', 'word']);
  });
});

describe('shellContexts: comments', () => {
  it('a comment without quotes changes nothing', () => {
    expect(contextsAt(`echo hi # just a note\necho @`)).toEqual(['word']);
  });

  it('a # inside a word or inside quotes is not a comment', () => {
    expect(contextsAt(`echo a#b @ "#" '#' @`)).toEqual(['word', 'word']);
  });

  it("an apostrophe in a comment (`# don't`) does not open a quote", () => {
    expect(contextsAt("echo hi # don't\necho @")).toEqual(['word']);
    expect(contextsAt('echo hi # say "hi\necho @')).toEqual(['word']);
    // Not a comment: `#` inside a word, or after `$`.
    expect(contextsAt("echo a#'@' $#'@'")).toEqual(['single', 'single']);
  });
});

describe('shellContexts: command substitution', () => {
  it('$(…) inside "…" starts a fresh word context, with its own quotes', () => {
    expect(contextsAt(`echo "$(echo @ "@" '@')" @`)).toEqual(['word', 'double', 'single', 'word']);
  });

  it('after $(…) closes, the enclosing "…" goes on', () => {
    expect(contextsAt(`echo "pre $(true) @" @`)).toEqual(['double', 'word']);
  });

  it('nested $(…) inside "…" inside $(…) inside "…"', () => {
    expect(contextsAt(`echo "$(echo "$(echo @)" @ "@")" "@" @`)).toEqual(['word', 'word', 'double', 'double', 'word']);
  });

  it('parentheses inside $(…) do not close it early', () => {
    expect(contextsAt(`echo "$( (echo x) ; echo @ )" @ "@"`)).toEqual(['word', 'word', 'double']);
  });

  it('$((…)) arithmetic inside "…"', () => {
    expect(contextsAt(`x="$((1 + 2)) @" @`)).toEqual(['double', 'word']);
  });

  it('a quote inside "$(…)" does not end the outer "…"', () => {
    expect(contextsAt(`echo "$(echo ")")" @ "@"`)).toEqual(['word', 'double']);
  });

  it('backticks: a bare word inside, quotes inside them are their own, "`…`" nests', () => {
    // Backticks re-parse their body with one level of backslashes removed: refused, not followed.
    expect(contextsAt('echo `echo @ \'@\' "@"` @')).toEqual(['unknown', 'unknown', 'unknown', 'word']);
    expect(contextsAt('echo "pre `echo @` @" @')).toEqual(['unknown', 'double', 'word']);
  });
});

describe('shellContexts: here-documents', () => {
  it('an unquoted <<EOF body is `heredoc`; after the delimiter line, words again', () => {
    expect(contextsAt(`cat <<EOF\nline @\n@\nEOF\necho @`)).toEqual(['heredoc', 'heredoc', 'word']);
  });

  it('the rest of the operator line is still ordinary shell', () => {
    expect(contextsAt(`cat <<EOF | grep '@' @\nbody @\nEOF`)).toEqual(['single', 'word', 'heredoc']);
  });

  it('quotes inside an unquoted body mean nothing: still `heredoc`', () => {
    expect(contextsAt(`cat <<EOF\n'@' "@" it's\nEOF\n'@'`)).toEqual(['heredoc', 'heredoc', 'single']);
  });

  it("a quoted delimiter (<<'EOF', <<\"EOF\", <<E\\OF, <<-'EOF') makes the body literal", () => {
    expect(contextsAt(`cat <<'EOF'\n@\nEOF\n@`)).toEqual(['heredoc-literal', 'word']);
    expect(contextsAt(`cat <<"EOF"\n@\nEOF\n@`)).toEqual(['heredoc-literal', 'word']);
    expect(contextsAt(`cat <<E\\OF\n@\nEOF\n@`)).toEqual(['heredoc-literal', 'word']);
    expect(contextsAt(`cat <<-'EOF'\n\t@\n\tEOF\n@`)).toEqual(['heredoc-literal', 'word']);
  });

  it('a space between << and the delimiter', () => {
    expect(contextsAt(`cat << EOF\n@\nEOF\n@`)).toEqual(['heredoc', 'word']);
  });

  it('<<-EOF: the delimiter line may be indented with tabs', () => {
    expect(contextsAt(`cat <<-EOF\n\t@\n\t\tEOF\necho @`)).toEqual(['heredoc', 'word']);
  });

  it('<<EOF (no dash): a tab-indented delimiter does not end the body', () => {
    expect(contextsAt(`cat <<EOF\n\tEOF\n@\nEOF\n@`)).toEqual(['heredoc', 'word']);
  });

  it('a line that merely starts with the delimiter does not end the body', () => {
    expect(contextsAt(`cat <<EOF\nEOF2\n@\n EOF\n@\nEOF\n@`)).toEqual(['heredoc', 'heredoc', 'word']);
  });

  it('several here-documents on one line: their bodies follow one after another', () => {
    expect(contextsAt(`cat <<ONE <<'TWO' <<-THREE\n@\nONE\n@\nTWO\n\t@\n\tTHREE\n@`)).toEqual(['heredoc', 'heredoc-literal', 'heredoc', 'word']);
  });

  it('a here-document inside $(…) inside "…"', () => {
    expect(contextsAt(`x="$(cat <<EOF\n@\nEOF\n)" @ "@"`)).toEqual(['heredoc', 'word', 'double']);
  });

  it('a body that never ends runs to the end of the script', () => {
    expect(contextsAt(`cat <<EOF\n@\n@`)).toEqual(['heredoc', 'heredoc']);
  });

  it('"<<" inside quotes is not a here-document', () => {
    expect(contextsAt(`echo "<<EOF" '<<EOF'\n@`)).toEqual(['word']);
  });

  it('a here-string (<<<) is an ordinary word context, quotes included', () => {
    expect(contextsAt(`cat <<< @ <<<"@" <<< '@'\n@`)).toEqual(['word', 'double', 'single', 'word']);
    expect(contextsAt(`cat <<<@`)).toEqual(['word']);
  });

  it('a left shift inside $(( … )) or (( … )) is not a here-document', () => {
    expect(contextsAt('echo $(( 1 << 2 ))\necho @')).toEqual(['word']);
    expect(contextsAt('(( x <<= 1 ))\necho @')).toEqual(['word']);
    expect(contextsAt('echo $(( 1 + @ ))')).toEqual(['arith']);
    expect(contextsAt('echo $[1 << 2]\necho @')).toEqual(['word']);
  });

  it('after a `case` inside $(…), the reader admits it cannot follow: unknown', () => {
    expect(contextsAt('echo "$(case a in a) echo @;; esac)"')).toEqual(['unknown']);
  });
});
