// Structured JSON logs, one event a line, shaped like MetalLB's go-kit logs so existing log queries keep
// working: {"level":"info","ts":"2024-05-01T10:00:00.000Z","msg":"...", ...context}. Levels follow the
// MetalLB resource's `logLevel` (all, debug, info, warn, error, none).
import type { Writable } from 'node:stream';
import winston from 'winston';

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

/**
 * The winston (npm levels) threshold for a MetalLB level; undefined for `none`, which silences the logger.
 * `all` admits winston's chattiest level, so nothing is filtered.
 */
export function winstonLevelFor(level: LogLevel): string | undefined {
  switch (level) {
    case 'all':
      return 'silly';
    case 'debug':
      return 'debug';
    case 'info':
      return 'info';
    case 'warn':
      return 'warn';
    case 'error':
      return 'error';
    case 'none':
      return undefined;
  }
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

const MESSAGE = Symbol.for('message');
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

/** Orders the stable keys first (level, ts, msg, component) and renames winston's `message` to `msg`. */
function metallbShape(now: () => Date, component: string | undefined): winston.Logform.Format {
  return winston.format((info) => {
    const line: Record<string, unknown> = {
      level: info.level,
      ts: now().toISOString(),
      msg: info.message,
    };
    if (component !== undefined) line.component = component;
    for (const [key, value] of Object.entries(info)) {
      if (!RESERVED.has(key)) line[key] = value;
    }
    // The transport writes info[MESSAGE]: the finished line.
    Object.assign(info, { [MESSAGE]: stringifyLogLine(line) });
    return info;
  })();
}

export function createLogger(options: LoggerOptions): winston.Logger {
  const threshold = winstonLevelFor(options.level);
  const transport =
    options.stream !== undefined
      ? new winston.transports.Stream({ stream: options.stream })
      : new winston.transports.Console();
  return winston.createLogger({
    level: threshold ?? 'error',
    silent: threshold === undefined,
    levels: winston.config.npm.levels,
    format: metallbShape(options.now ?? (() => new Date()), options.component),
    transports: [transport],
  });
}

/** A logger that discards everything, for tests and tools that do not log. */
export function silentLogger(): winston.Logger {
  return winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ silent: true })],
  });
}
