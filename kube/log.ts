// Structured JSON logs, one event a line, shaped like MetalLB's go-kit logs so existing log queries keep
// working: {"level":"info","ts":"2024-05-01T10:00:00.000Z","msg":"...", ...context}. Levels follow the
// MetalLB resource's `logLevel` (all, debug, info, warn, error, none).
import type { Writable } from 'node:stream';

export const LOG_LEVELS = ['all', 'debug', 'info', 'warn', 'error', 'none'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class InvalidLogLevelError extends Error {
  override readonly name = 'InvalidLogLevelError';

  constructor(readonly value: string) {
    super(`invalid log level ${JSON.stringify(value)}: must be one of ${LOG_LEVELS.join(', ')}`);
  }
}

export function parseLogLevel(value: string): LogLevel {
  const found = LOG_LEVELS.find((l) => l === value);
  if (found === undefined) throw new InvalidLogLevelError(value);
  return found;
}

/** Severities from most to least severe, as winston's npm levels were; a logger admits those up to its own. */
const SEVERITY = { error: 0, warn: 1, info: 2, debug: 5, silly: 6 } as const;
type Severity = keyof typeof SEVERITY;

/** The most verbose severity a MetalLB level admits; undefined for `none`, which silences the logger. */
function thresholdFor(level: LogLevel): number | undefined {
  switch (level) {
    case 'all':
      return SEVERITY.silly;
    case 'debug':
      return SEVERITY.debug;
    case 'info':
      return SEVERITY.info;
    case 'warn':
      return SEVERITY.warn;
    case 'error':
      return SEVERITY.error;
    case 'none':
      return undefined;
  }
}

/** Key/value pairs a line carries after level, ts, msg and component. */
export type LogContext = Readonly<Record<string, unknown>>;

/** What every component logs through; `child` adds context to every line of the logger it returns. */
export interface Logger {
  error(msg: string, context?: LogContext): void;
  warn(msg: string, context?: LogContext): void;
  info(msg: string, context?: LogContext): void;
  debug(msg: string, context?: LogContext): void;
  /** Below debug: only with logLevel `all`. */
  silly(msg: string, context?: LogContext): void;
  child(context: LogContext): Logger;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Added to every line as `component`, e.g. "controller" or "speaker". */
  readonly component?: string;
  /** Where lines go; standard output by default. */
  readonly stream?: Writable;
  /** Time source for `ts`; tests pass a fixed one. */
  readonly now?: () => Date;
}

const RESERVED = new Set(['level', 'message', 'ts', 'msg']);

/** JSON.stringify that survives what log context may hold: Errors, bigints, cycles. */
export function stringifyLogLine(value: object): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return v.message;
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}

/**
 * The JSON-lines logger. winston did this job before; it is no longer loaded by any ironlb process because its
 * module graph cost about 2 MiB of the speaker's 80 MiB budget for what is one JSON.stringify and one write.
 * Lines are written synchronously (process.stdout is synchronous for files and pipes on Linux), so the last
 * line before an exit is not lost.
 */
class JsonLogger implements Logger {
  constructor(
    private readonly threshold: number | undefined,
    private readonly stream: Writable,
    private readonly now: () => Date,
    private readonly component: string | undefined,
    private readonly context: LogContext,
  ) {}

  error(msg: string, context?: LogContext): void {
    this.write('error', msg, context);
  }

  warn(msg: string, context?: LogContext): void {
    this.write('warn', msg, context);
  }

  info(msg: string, context?: LogContext): void {
    this.write('info', msg, context);
  }

  debug(msg: string, context?: LogContext): void {
    this.write('debug', msg, context);
  }

  silly(msg: string, context?: LogContext): void {
    this.write('silly', msg, context);
  }

  child(context: LogContext): Logger {
    return new JsonLogger(this.threshold, this.stream, this.now, this.component, {
      ...this.context,
      ...context,
    });
  }

  private write(severity: Severity, msg: string, context: LogContext | undefined): void {
    if (this.threshold === undefined || SEVERITY[severity] > this.threshold) return;
    // Stable keys first (level, ts, msg, component), then the child's context, then the call's.
    const line: Record<string, unknown> = { level: severity, ts: this.now().toISOString(), msg };
    if (this.component !== undefined) line.component = this.component;
    for (const source of [this.context, context ?? {}])
      for (const [key, value] of Object.entries(source)) if (!RESERVED.has(key)) line[key] = value;
    this.stream.write(`${stringifyLogLine(line)}\n`);
  }
}

export function createLogger(options: LoggerOptions): Logger {
  return new JsonLogger(
    thresholdFor(options.level),
    options.stream ?? process.stdout,
    options.now ?? (() => new Date()),
    options.component,
    {},
  );
}

/** A logger that discards everything, for tests and tools that do not log. */
export function silentLogger(): Logger {
  return new JsonLogger(undefined, process.stdout, () => new Date(), undefined, {});
}
