import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { InvalidLogLevelError, LogLevel, createLogger, parseLogLevel, stringifyLogLine } from './log';

const logLine = z.record(z.string(), z.unknown());

function capture(
  level: LogLevel,
  component?: string,
): { lines: () => Record<string, unknown>[]; log: ReturnType<typeof createLogger> } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  const log = createLogger({ level, component, stream, now: () => new Date('2024-05-01T10:00:00.000Z') });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => logLine.parse(JSON.parse(l)));
  return { lines, log };
}

describe('createLogger', () => {
  it('writes one JSON object a line with level, ts, msg, component first, then context', () => {
    const { log, lines } = capture('info', 'controller');
    log.info('IP assigned', { service: 'default/web', ip: '192.0.2.1' });
    const out = lines();
    expect(out).toEqual([
      {
        level: 'info',
        ts: '2024-05-01T10:00:00.000Z',
        msg: 'IP assigned',
        component: 'controller',
        service: 'default/web',
        ip: '192.0.2.1',
      },
    ]);
    expect(Object.keys(out[0] ?? {}).slice(0, 4)).toEqual(['level', 'ts', 'msg', 'component']);
  });

  it.each<[LogLevel, string[]]>([
    ['all', ['error', 'warn', 'info', 'debug', 'silly']],
    ['debug', ['error', 'warn', 'info', 'debug']],
    ['info', ['error', 'warn', 'info']],
    ['warn', ['error', 'warn']],
    ['error', ['error']],
    ['none', []],
  ])('logLevel %s lets through %j', (level, expected) => {
    const { log, lines } = capture(level);
    log.error('e');
    log.warn('w');
    log.info('i');
    log.debug('d');
    log.silly('s');
    expect(lines().map((l) => l.level)).toEqual(expected);
  });

  it('child loggers carry their context on every line', () => {
    const { log, lines } = capture('info');
    log.child({ controller: 'service' }).info('reconciled', { key: 'ns/a' });
    expect(lines()[0]).toMatchObject({ controller: 'service', key: 'ns/a', msg: 'reconciled' });
  });

  it("a call's context wins over its child's, and neither can overwrite level, ts or msg", () => {
    const { log, lines } = capture('info', 'speaker');
    log
      .child({ peer: 'a', level: 'debug' })
      .child({ session: 1 })
      .warn('down', { peer: 'b', msg: 'x', ts: 'y' });
    expect(lines()).toEqual([
      {
        level: 'warn',
        ts: '2024-05-01T10:00:00.000Z',
        msg: 'down',
        component: 'speaker',
        peer: 'b',
        session: 1,
      },
    ]);
  });

  it('writes each line before the call returns, so a line logged just before exit is kept', () => {
    const { log, lines } = capture('info');
    log.error('last words');
    expect(lines()).toHaveLength(1);
  });
});

describe('parseLogLevel', () => {
  it('accepts the MetalLB values', () => {
    expect(parseLogLevel('warn')).toBe('warn');
  });

  it('rejects anything else with a typed error naming the value', () => {
    expect(() => parseLogLevel('verbose')).toThrow(InvalidLogLevelError);
    expect(() => parseLogLevel('verbose')).toThrow(/"verbose"/);
  });
});

describe('stringifyLogLine', () => {
  it('renders errors as messages, bigints as strings and cycles as a marker', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(JSON.parse(stringifyLogLine({ err: new Error('boom'), n: 2n ** 70n, cyclic }))).toEqual({
      err: 'boom',
      n: '1180591620717411303424',
      cyclic: { a: 1, self: '[circular]' },
    });
  });
});
