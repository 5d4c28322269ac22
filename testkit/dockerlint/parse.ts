// A Dockerfile as the builder reads it (Dockerfile reference, https://docs.docker.com/reference/dockerfile/):
// parser directives at the top (`# escape=`), comment lines, instructions continued over lines that end in the
// escape character (comment and empty lines inside a continuation are skipped, as BuildKit skips them), and
// each instruction's leading `--flag=value` options. Pure: text in, instructions and parse errors out.

export interface Instruction {
  /** Upper-cased: `FROM`, `COPY`, ... */
  readonly keyword: string;
  /** The arguments after the keyword and its flags, continuation lines joined with one space. */
  readonly args: string;
  /** `--from=build` as `{ from: 'build' }`; a flag without a value maps to ''. */
  readonly flags: Readonly<Record<string, string>>;
  /** 1-based line of the keyword. */
  readonly line: number;
}

export interface ParseError {
  readonly line: number;
  readonly message: string;
}

export interface ParsedDockerfile {
  readonly instructions: readonly Instruction[];
  readonly errors: readonly ParseError[];
  readonly escape: string;
}

/** Instructions whose leading `--name[=value]` words are options, not arguments. */
const FLAGGED = new Set(['FROM', 'COPY', 'ADD', 'RUN', 'HEALTHCHECK']);

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(\S+)\s*$/;

/** Parser directives: only before the first comment, blank line or instruction (Dockerfile reference). */
function readDirectives(lines: readonly string[]): { escape: string; errors: ParseError[]; start: number } {
  let escape = '\\';
  const errors: ParseError[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i] ?? '');
    if (m === null) break;
    const [, name = '', value = ''] = m;
    if (name.toLowerCase() === 'escape') {
      if (value !== '\\' && value !== '`')
        errors.push({ line: i + 1, message: `escape directive must be \\ or \`, not ${value}` });
      else escape = value;
    }
  }
  return { escape, errors, start: i };
}

function splitFlags(keyword: string, rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  if (!FLAGGED.has(keyword)) return { flags, args: rest };
  let args = rest;
  for (;;) {
    const m = /^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?\s*/.exec(args);
    if (m === null) break;
    flags[m[1] ?? ''] = m[2] ?? '';
    args = args.slice(m[0].length);
  }
  return { flags, args };
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.split(/\r?\n/);
  const { escape, errors, start } = readDirectives(lines);
  const instructions: Instruction[] = [];
  let pending: { line: number; parts: string[] } | undefined;

  const finish = (): void => {
    if (pending === undefined) return;
    const joined = pending.parts.join(' ').trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(joined);
    if (m !== null) {
      const keyword = (m[1] ?? '').toUpperCase();
      const { flags, args } = splitFlags(keyword, (m[2] ?? '').trim());
      if (/<<-?["']?[A-Za-z_]/.test(args) && (keyword === 'RUN' || keyword === 'COPY'))
        errors.push({
          line: pending.line,
          message: `${keyword} with a heredoc: not supported by this checker`,
        });
      instructions.push({ keyword, args, flags, line: pending.line });
    }
    pending = undefined;
  };

  for (let i = start; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending !== undefined)) continue;
    if (trimmed === '') continue;
    const continues = trimmed.endsWith(escape);
    const body = continues ? trimmed.slice(0, -escape.length).trim() : trimmed;
    if (pending === undefined) pending = { line: i + 1, parts: [] };
    pending.parts.push(body);
    if (!continues) finish();
  }
  if (pending !== undefined) {
    errors.push({ line: pending.line, message: 'the last instruction ends in a line continuation' });
    finish();
  }
  return { instructions, errors, escape };
}

/** The JSON (exec) form of RUN, CMD, ENTRYPOINT, COPY and ADD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Whitespace-separated words, with "double" and 'single' quotes grouping (enough for COPY, FROM and LABEL). */
export function words(args: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(args); m !== null; m = re.exec(args)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}
