// The membership protocol's messages as plain data. Every message carries its sender's own record (name,
// incarnation, version, status), so any authenticated packet is first-hand evidence of the sender's state.

/** What a member is, as far as the cluster is told. Order matters: at the same version, later wins. */
export type MemberStatus = 'alive' | 'leaving' | 'dead';

export interface MemberRecord {
  readonly name: string;
  /** Process start in ms since the epoch: a restarted speaker is a new incarnation and beats every old record. */
  readonly incarnation: number;
  /** Bumped by the member itself to refute a death claim or to announce leaving. */
  readonly version: number;
  readonly status: MemberStatus;
}

interface Header {
  /** The sender's own record. */
  readonly from: MemberRecord;
  /** Per-incarnation sequence number, strictly increasing per packet: the replay guard. */
  readonly seq: number;
}

/** Sent every interval to the sender's ring successors. */
export interface Heartbeat extends Header {
  readonly type: 'heartbeat';
  /** 8-byte digest of the sender's view; a receiver with a different one asks for a sync. */
  readonly digest: Buffer;
}

/** "Here is my current record, please acknowledge": sent to every member on join, rejoin and leave. */
export interface Announce extends Header {
  readonly type: 'announce';
}

export interface Ack extends Header {
  readonly type: 'ack';
  /** The announcer's record as the acknowledging member now holds it. */
  readonly incarnation: number;
  readonly version: number;
}

/** Records about other members: a death claim, or one chunk of a view sync. */
export interface States extends Header {
  readonly type: 'states';
  /** Ask the receiver to answer with its whole view (push-pull sync). */
  readonly syncRequest: boolean;
  readonly records: readonly MemberRecord[];
}

export type Message = Heartbeat | Announce | Ack | States;

export const STATUS_RANK: Record<MemberStatus, number> = { alive: 0, leaving: 1, dead: 2 };

/** Total order of records about one member: newer incarnation, then newer version, then alive < leaving < dead. */
export function compareRecords(a: MemberRecord, b: MemberRecord): number {
  if (a.incarnation !== b.incarnation) return a.incarnation - b.incarnation;
  if (a.version !== b.version) return a.version - b.version;
  return STATUS_RANK[a.status] - STATUS_RANK[b.status];
}
