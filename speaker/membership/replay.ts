// Replay protection per sender: the sliding-window check of RFC 4303 section 3.4.3 (IPsec ESP), over
// (incarnation, seq). A newer incarnation resets the window; an older one is always refused, so a captured
// packet from a previous process of the same speaker can never be replayed.
const WINDOW = 64;

interface SenderWindow {
  incarnation: number;
  highest: number;
  /** Bit i set: highest - i was seen. */
  seen: bigint;
}

export class ReplayGuard {
  private readonly senders = new Map<string, SenderWindow>();

  /** True (and recorded) when the packet is new; false for a replay or a packet too old to judge. */
  accept(sender: string, incarnation: number, seq: number): boolean {
    const w = this.senders.get(sender);
    if (w === undefined || incarnation > w.incarnation) {
      this.senders.set(sender, { incarnation, highest: seq, seen: 1n });
      return true;
    }
    if (incarnation < w.incarnation) return false;
    if (seq > w.highest) {
      const shift = seq - w.highest;
      w.seen = shift >= WINDOW ? 1n : ((w.seen << BigInt(shift)) | 1n) & ((1n << BigInt(WINDOW)) - 1n);
      w.highest = seq;
      return true;
    }
    const age = w.highest - seq;
    if (age >= WINDOW) return false;
    const bit = 1n << BigInt(age);
    if ((w.seen & bit) !== 0n) return false;
    w.seen |= bit;
    return true;
  }

  forget(sender: string): void {
    this.senders.delete(sender);
  }
}
