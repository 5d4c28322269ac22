import { AS_TRANS, ErrorCode, MessageHeaderSubcode, UpdateMessageSubcode } from '../codec/codes';
import { encode } from '../codec/message';
import { endOfRib } from '../codec/update';
import { unhex } from '../codec/testutil';
import { eventForMessage } from './events';
import type { Negotiated } from './open';

const MARKER = 'ff'.repeat(16);
const NEGOTIATED: Negotiated = {
  peerAs: 64501,
  peerId: '192.0.2.2',
  internal: false,
  holdTime: 90,
  keepaliveTime: 30,
  fourOctetAs: true,
  routeRefresh: true,
  families: [{ afi: 1, safi: 1 }],
};

describe('eventForMessage', () => {
  it('maps each message type to its RFC 4271 8.1.5 event', () => {
    const open = {
      type: 'open' as const,
      version: 4,
      myAs: AS_TRANS,
      holdTime: 90,
      bgpId: '192.0.2.2',
      parameters: [],
    };
    expect(eventForMessage(encode(open), undefined)).toEqual({ type: 'BGPOpen', open });
    expect(eventForMessage(encode({ type: 'keepalive' }), NEGOTIATED)).toEqual({ type: 'KeepAliveMsg' });
    expect(eventForMessage(encode(endOfRib(1)), NEGOTIATED)).toEqual({ type: 'UpdateMsg' });
    expect(
      eventForMessage(encode({ type: 'route-refresh', afi: 1, subtype: 0, safi: 1 }), NEGOTIATED),
    ).toEqual({
      type: 'RouteRefreshMsg',
    });
  });

  it('tells a NOTIFICATION about our version (Event 24) from any other (Event 25)', () => {
    const data = new Uint8Array(0);
    expect(eventForMessage(encode({ type: 'notification', code: 2, subcode: 1, data }), undefined).type).toBe(
      'NotifMsgVerErr',
    );
    expect(eventForMessage(encode({ type: 'notification', code: 6, subcode: 2, data }), undefined).type).toBe(
      'NotifMsg',
    );
  });

  it('reports header faults as BGPHeaderErr and OPEN faults as BGPOpenMsgErr, with their NOTIFICATION', () => {
    expect(eventForMessage(unhex(MARKER + '0013 09'), undefined)).toMatchObject({
      type: 'BGPHeaderErr',
      notification: { code: ErrorCode.MessageHeaderError, subcode: MessageHeaderSubcode.BadMessageType },
    });
    expect(eventForMessage(unhex(MARKER + '001e 01 04 fde9 00b4 c0000201 01 02'), undefined)).toMatchObject({
      type: 'BGPOpenMsgErr',
      notification: { code: ErrorCode.OpenMessageError },
    });
  });

  it('lets an UPDATE RFC 7606 can ignore through, and resets on one it cannot', () => {
    const duplicateOrigin = unhex(MARKER + '001f 02 0000 0008 40010100 40010100');
    expect(eventForMessage(duplicateOrigin, NEGOTIATED)).toEqual({ type: 'UpdateMsg' });
    const twoUnreach = unhex(MARKER + '0023 02 0000 000c 800f03000201 800f03000201');
    expect(eventForMessage(twoUnreach, NEGOTIATED)).toMatchObject({
      type: 'UpdateMsgErr',
      notification: {
        code: ErrorCode.UpdateMessageError,
        subcode: UpdateMessageSubcode.MalformedAttributeList,
      },
    });
  });
});
