import { captureLogger } from '../../testkit/capturedlogger';
import { bindErrorLogger, bindProblem, membershipLogger } from './eventlog';

describe('membershipLogger', () => {
  it('logs deaths, returns, own state and stalls, and never a refused packet', () => {
    const { logger, lines } = captureLogger();
    const log = membershipLogger(logger);
    log({ type: 'memberDead', name: 'node-b', declaredByMe: true, silenceMs: 351.4 });
    log({ type: 'memberAlive', name: 'node-b' });
    log({ type: 'selfState', state: 'isolated' });
    log({ type: 'stalled', ms: 812.2 });
    log({ type: 'rejected', reason: 'replay', from: 'node-c' });
    expect(lines()).toMatchObject([
      {
        level: 'warn',
        msg: 'speaker declared dead',
        member: 'node-b',
        declaredBy: 'this speaker',
        silenceMs: 351,
      },
      { level: 'info', msg: 'speaker alive', member: 'node-b' },
      { level: 'warn', msg: 'membership state of this speaker', state: 'isolated' },
      {
        level: 'warn',
        msg: 'this speaker did not run for longer than the fence time: rejoining before answering',
        stalledMs: 812,
      },
    ]);
  });
});

describe('bindErrorLogger', () => {
  it('warns on the first failure, repeats the same error at most once a minute, and logs the recovery', () => {
    const { logger, lines } = captureLogger();
    let t = 0;
    let changes = 0;
    const log = bindErrorLogger(
      logger,
      '2001:db8::5',
      7946,
      () => void changes++,
      () => t,
    );
    const gone = new Error('bind EADDRNOTAVAIL 2001:db8::5:7946');
    log(gone, 500);
    t = 1_000;
    log(gone, 1_000);
    t = 30_000;
    log(gone, 5_000);
    t = 61_000;
    log(gone, 5_000);
    log(undefined, 0);
    expect(lines()).toMatchObject([
      {
        level: 'warn',
        msg: 'cannot bind the membership socket: retrying; Layer 2 answers nothing until it binds',
        address: '2001:db8::5',
        port: 7946,
        error: gone.message,
        retryInMs: 500,
      },
      { level: 'warn', retryInMs: 5_000 },
      { level: 'info', msg: 'membership socket bound after failures', address: '2001:db8::5', port: 7946 },
    ]);
    expect(lines()).toHaveLength(3);
    // The ConfigurationState is recomputed on the first failure and on the recovery only.
    expect(changes).toBe(2);
  });

  it('bindProblem names the error while unbound and nothing once bound', () => {
    expect(bindProblem({ bindFailure: () => new Error('bind EADDRINUSE 192.0.2.5:7946') })).toBe(
      'membership socket cannot bind: bind EADDRINUSE 192.0.2.5:7946',
    );
    expect(bindProblem({ bindFailure: () => undefined })).toBeUndefined();
    expect(bindProblem(undefined)).toBeUndefined();
  });
});
