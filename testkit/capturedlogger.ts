// A logger that keeps its lines in memory, for tests that check what was logged.
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { Logger } from '../kube/log';
import { LogLevel, createLogger } from '../kube/log';

const logLine = z.record(z.string(), z.unknown());

export interface CapturedLogger {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Array<Record<string, unknown>>;
}

export function captureLogger(level: LogLevel = 'debug'): CapturedLogger {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const logger = createLogger({ level, stream });
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => logLine.parse(JSON.parse(l))),
  };
}
