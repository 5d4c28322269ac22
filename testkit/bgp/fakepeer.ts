// A hand-played BGP peer behind an in-memory connection, for PeerSession's unit tests
// (speaker/bgp/session/*.test.ts): it records every dial and decodes what the session writes.
import { type Message, decode, encode, frame } from '../../speaker/bgp/codec/message';
import type { Connector, LinkHandlers } from '../../speaker/bgp/session/session';
import type { DialOptions } from '../../speaker/bgp/session/tcp';

const CTX = { fourOctetAs: true };

export class FakePeer {
  handlers: LinkHandlers | undefined;
  dials = 0;
  closed = 0;
  received: Message[] = [];
  private buf = Buffer.alloc(0);
  /** What each dial asked for. */
  dialed: DialOptions[] = [];
  readonly connector: Connector = (opts, h) => {
    this.dials++;
    this.dialed.push(opts);
    this.handlers = h;
    return {
      write: (bytes) => {
        this.buf = Buffer.concat([this.buf, bytes]);
        for (let f = frame(this.buf); f.status === 'message'; f = frame(this.buf)) {
          const d = decode(this.buf.subarray(0, f.length), CTX);
          if (!d.ok) throw new Error(`the session wrote an undecodable message: ${d.error.reason}`);
          this.received.push(d.value);
          this.buf = this.buf.subarray(f.length);
        }
      },
      close: () => {
        this.closed++;
      },
    };
  };
  send(m: Message | Buffer): void {
    this.handlers?.onData(Buffer.isBuffer(m) ? m : encode(m, CTX));
  }
  take(): Message[] {
    return this.received.splice(0);
  }
}
