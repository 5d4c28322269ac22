// Two FSMs talking through the real codecs: what one sends is encoded, the bytes are turned into the other's
// event by eventForMessage, and so on until both sides are quiet. Pins down that the pieces compose.
import { ErrorCode, MessageHeaderSubcode } from '../codec/codes';
import { encode } from '../codec/message';
import { unhex } from '../codec/testutil';
import { eventForMessage } from './events';
import { type Action, type Environment, type Event, IDLE, type Session, step } from './fsm';
import { IPV4_UNICAST, IPV6_UNICAST, type SessionConfig } from './open';

interface Side {
  session: Session;
  readonly env: Environment;
  readonly log: Action[];
}

function side(config: SessionConfig): Side {
  return { session: IDLE, env: { config, random: () => 0.5 }, log: [] };
}

const SPEAKER: SessionConfig = {
  localAs: 4200000001,
  peerAs: 'external',
  routerId: '192.0.2.1',
  holdTime: 90,
  connectRetryTime: 10,
  families: [IPV4_UNICAST, IPV6_UNICAST],
  gracefulRestart: { restartTime: 120 },
};
const ROUTER: SessionConfig = {
  localAs: 64501,
  peerAs: 4200000001,
  routerId: '192.0.2.2',
  holdTime: 30,
  connectRetryTime: 10,
  families: [IPV4_UNICAST],
  passive: true,
};

/** Delivers events, and the messages they cause, until nothing is left in flight. */
function exchange(a: Side, b: Side, first: [Side, Event][]): void {
  const queue = [...first];
  for (let n = 0; n < 100 && queue.length > 0; n++) {
    const [target, event] = queue.shift() ?? fail();
    const peer = target === a ? b : a;
    const result = step(target.session, event, target.env);
    target.session = result.session;
    target.log.push(...result.actions);
    for (const action of result.actions) {
      if (action.type === 'connect')
        queue.push([target, { type: 'Tcp_CR_Acked' }], [peer, { type: 'TcpConnectionConfirmed' }]);
      if (action.type === 'send') {
        const bytes = encode(action.message, {
          fourOctetAs: target.session.negotiated?.fourOctetAs ?? false,
        });
        queue.push([peer, eventForMessage(bytes, peer.session.negotiated)]);
      }
    }
  }
}

function fail(): never {
  throw new Error('empty queue');
}

describe('two FSMs through the codecs', () => {
  it('reach Established on both sides, agreeing on the hold time, the 4-octet AS and the common family', () => {
    const speaker = side(SPEAKER);
    const router = side(ROUTER);
    exchange(speaker, router, [
      [router, { type: 'ManualStart' }],
      [speaker, { type: 'ManualStart' }],
    ]);
    expect(speaker.session.state).toBe('Established');
    expect(router.session.state).toBe('Established');
    expect(speaker.session.negotiated).toMatchObject({
      peerAs: 64501,
      holdTime: 30,
      keepaliveTime: 10,
      fourOctetAs: true,
      families: [IPV4_UNICAST],
    });
    expect(router.session.negotiated).toMatchObject({ peerAs: 4200000001, holdTime: 30, internal: false });
    expect(speaker.log.filter((a) => a.type === 'established')).toHaveLength(1);
  });

  it('a peer that sends garbage gets Message Header Error, and both sides end in Idle', () => {
    const speaker = side(SPEAKER);
    const router = side(ROUTER);
    exchange(speaker, router, [
      [router, { type: 'ManualStart' }],
      [speaker, { type: 'ManualStart' }],
    ]);
    exchange(speaker, router, [
      [speaker, eventForMessage(unhex('00'.repeat(19)), speaker.session.negotiated)],
    ]);
    const notification = speaker.log.flatMap((a) =>
      a.type === 'send' && a.message.type === 'notification' ? [a.message] : [],
    );
    expect(notification[0]).toMatchObject({
      code: ErrorCode.MessageHeaderError,
      subcode: MessageHeaderSubcode.ConnectionNotSynchronized,
    });
    expect(speaker.session.state).toBe('Idle');
    expect(router.session.state).toBe('Idle');
  });

  it('a graceful ManualStop reaches the peer as Cease / Administrative Shutdown with the message', () => {
    const speaker = side(SPEAKER);
    const router = side(ROUTER);
    exchange(speaker, router, [
      [router, { type: 'ManualStart' }],
      [speaker, { type: 'ManualStart' }],
    ]);
    const before = router.log.length;
    exchange(speaker, router, [[speaker, { type: 'ManualStop', communication: 'node drained' }]]);
    expect(router.log.slice(before)).toContainEqual(
      expect.objectContaining({
        type: 'stateChange',
        from: 'Established',
        to: 'Idle',
        reason: 'notification received 6/2',
      }),
    );
    expect(speaker.session.autoRestart).toBe(false);
    expect(router.session.autoRestart).toBe(true);
  });
});
