// Go's flag syntax, as upstream's binaries parse their command lines: -name or --name, --name=value or
// --name value, booleans set by their bare name (a following word is never taken as their value), and an
// environment variable per flag as the fallback below an explicit flag (upstream reads both through its
// own helpers). Returns the raw text per flag: each deployable converts and checks its own values.
// Pure: argv and env in, values or a FlagError out.

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export interface FlagSpec {
  readonly kind: 'string' | 'int' | 'bool' | 'duration';
  readonly default: string;
  /** Read when the flag is not given (an empty variable counts as unset, as upstream's). */
  readonly env?: string;
}

export interface FlagSet {
  readonly specs: Readonly<Record<string, FlagSpec>>;
  /** Upstream flags this build refuses, each with the reason a person reads. */
  readonly unsupported?: Readonly<Record<string, string>>;
}

export function scanFlags(
  set: FlagSet,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, spec] of Object.entries(set.specs))
    values.set(name, (spec.env !== undefined ? env[spec.env] : undefined) || spec.default);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('-')) throw new FlagError(`unexpected argument ${JSON.stringify(arg)}`);
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const why = set.unsupported?.[name];
    if (why !== undefined) throw new FlagError(`flag -${name} is not supported by ironlb: ${why}`);
    const spec = set.specs[name];
    if (!spec) throw new FlagError(`flag provided but not defined: -${name}`);
    if (eq >= 0) values.set(name, body.slice(eq + 1));
    else if (spec.kind === 'bool') values.set(name, 'true');
    else {
      const next = argv[i + 1];
      if (next === undefined) throw new FlagError(`flag needs an argument: -${name}`);
      values.set(name, next);
      i++;
    }
  }
  return values;
}
