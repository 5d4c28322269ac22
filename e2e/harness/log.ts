// Harness logger. Quiet by default (warn) because jest prints everything a test writes; set
// IRONLB_E2E_LOG=info (or debug) to see start-up phases and their timings.
import * as winston from 'winston';

export const log = winston.createLogger({
  level: process.env.IRONLB_E2E_LOG ?? 'warn',
  format: winston.format.combine(
    winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
    winston.format.printf((i) => `${String(i.timestamp)} [harness] ${i.level}: ${String(i.message)}`),
  ),
  // stderr so harness chatter never mixes into a script's stdout.
  transports: [
    new winston.transports.Console({
      stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'],
    }),
  ],
});
