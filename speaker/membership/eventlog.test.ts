import { captureLogger } from '../../testkit/capturedlogger';
import { membershipLogger } from './eventlog';

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
