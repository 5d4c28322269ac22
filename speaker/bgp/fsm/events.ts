// From a complete message received on the connection (as `frame` delimits it) to the RFC 4271 8.1.5 event
// the FSM takes. UPDATEs go through RFC 7606 validation instead of the strict decoder: what RFC 7606 lets a
// speaker ignore must not end the session.
import { ErrorCode, HEADER_LENGTH, MessageType, OpenMessageSubcode } from '../codec/codes';
import { decode, frame } from '../codec/message';
import { validateUpdate } from '../validate';
import type { Event } from './fsm';
import type { Negotiated } from './open';

export function eventForMessage(bytes: Uint8Array, negotiated: Negotiated | undefined): Event {
  const framed = frame(bytes);
  if (framed.status === 'message' && framed.type === MessageType.UPDATE) {
    const verdict = validateUpdate(bytes.subarray(HEADER_LENGTH, framed.length), {
      fourOctetAs: negotiated?.fourOctetAs ?? false,
      internal: negotiated?.internal ?? false,
    });
    return verdict.action === 'ignore'
      ? { type: 'UpdateMsg' }
      : { type: 'UpdateMsgErr', notification: verdict.notification };
  }
  const result = decode(bytes, { fourOctetAs: negotiated?.fourOctetAs ?? false });
  if (!result.ok) {
    const { notification } = result.error;
    return notification.code === ErrorCode.OpenMessageError
      ? { type: 'BGPOpenMsgErr', notification }
      : { type: 'BGPHeaderErr', notification };
  }
  const m = result.value;
  switch (m.type) {
    case 'open':
      return { type: 'BGPOpen', open: m };
    case 'keepalive':
      return { type: 'KeepAliveMsg' };
    case 'route-refresh':
      return { type: 'RouteRefreshMsg' };
    case 'notification': {
      const notification = { code: m.code, subcode: m.subcode, data: m.data };
      // RFC 4271 8.1.5 Event 24: a NOTIFICATION saying our version is unsupported.
      const versionError =
        m.code === ErrorCode.OpenMessageError && m.subcode === OpenMessageSubcode.UnsupportedVersionNumber;
      return versionError ? { type: 'NotifMsgVerErr', notification } : { type: 'NotifMsg', notification };
    }
    case 'update':
      return { type: 'UpdateMsg' }; // not reached: UPDATEs are validated above
  }
}
