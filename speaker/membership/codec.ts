// Wire format of the membership protocol, one module with encode / decode / encodingLength (the dns-packet
// shape). Every packet ends in an HMAC-SHA256 tag over everything before it, keyed by the memberlist secret;
// the tag is checked before any field is parsed, so unauthenticated bytes never reach the parser.
//
//   0  4  magic "ILBM"          4  1  format version (1)     5  1  type     6  1  flags
//   7  1  sender name length n  8  n  sender name (UTF-8)
//   .  8  incarnation (u64)     .  8  seq (u64)   .  4  sender version (u32)   .  1  sender status
//   .     body (by type)        . 32  HMAC-SHA256(key, all preceding bytes)
//
// Bodies: heartbeat = digest (8); announce = empty; ack = incarnation (u64) + version (u32);
// states = count (u16) + records, each name length (u8), name, incarnation (u64), version (u32), status (u8).
import { createHmac, timingSafeEqual } from 'crypto';
import type { MemberRecord, MemberStatus, Message } from './messages';

export const MAGIC = Buffer.from('ILBM', 'ascii');
export const FORMAT_VERSION = 1;
export const TAG_LENGTH = 32;
export const DIGEST_LENGTH = 8;
/** Kept under a typical 1500-byte MTU minus IP/UDP headers, so a packet is never fragmented. */
export const MAX_PACKET = 1400;
const MAX_NAME = 253;

const TYPE_CODES = { heartbeat: 1, announce: 2, ack: 3, states: 4 } as const;
const TYPES = ['', 'heartbeat', 'announce', 'ack', 'states'] as const;
const STATUS_CODES: Record<MemberStatus, number> = { alive: 1, leaving: 2, dead: 3 };
const STATUSES: readonly (MemberStatus | undefined)[] = [undefined, 'alive', 'leaving', 'dead'];
const FLAG_SYNC_REQUEST = 1;

export type DecodeFailure = 'short' | 'badMac' | 'magic' | 'formatVersion' | 'malformed';
export type DecodeResult = { ok: true; message: Message } | { ok: false; reason: DecodeFailure };

function nameLength(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

/** Bytes one record takes inside a states body. */
export function recordLength(r: MemberRecord): number {
  return 1 + nameLength(r.name) + 8 + 4 + 1;
}

export function encodingLength(m: Message): number {
  let body = 0;
  switch (m.type) {
    case 'heartbeat':
      body = DIGEST_LENGTH;
      break;
    case 'announce':
      break;
    case 'ack':
      body = 12;
      break;
    case 'states':
      body = 2 + m.records.reduce((n, r) => n + recordLength(r), 0);
      break;
  }
  return 8 + nameLength(m.from.name) + 8 + 8 + 4 + 1 + body + TAG_LENGTH;
}

/** Room for records in one states packet from this sender. */
export function statesCapacity(senderName: string): number {
  return MAX_PACKET - (8 + nameLength(senderName) + 21 + 2 + TAG_LENGTH);
}

/** Splits records into groups that each fit one packet from `senderName`. */
export function chunkRecords(senderName: string, records: readonly MemberRecord[]): MemberRecord[][] {
  const room = statesCapacity(senderName);
  const chunks: MemberRecord[][] = [];
  let current: MemberRecord[] = [];
  let used = 0;
  for (const r of records) {
    const n = recordLength(r);
    if (current.length > 0 && used + n > room) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(r);
    used += n;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}

function checkName(name: string): void {
  const n = nameLength(name);
  if (n === 0 || n > MAX_NAME) throw new RangeError(`member name "${name}" must be 1..${MAX_NAME} bytes`);
}

function writeU64(buf: Buffer, value: number, at: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`u64 field out of range: ${value}`);
  buf.writeBigUInt64BE(BigInt(value), at);
  return at + 8;
}

function writeRecordTail(buf: Buffer, r: Omit<MemberRecord, 'name'>, at: number): number {
  at = writeU64(buf, r.incarnation, at);
  buf.writeUInt32BE(r.version, at);
  buf.writeUInt8(STATUS_CODES[r.status], at + 4);
  return at + 5;
}

function writeName(buf: Buffer, name: string, at: number): number {
  checkName(name);
  const n = buf.write(name, at + 1, 'utf8');
  buf.writeUInt8(n, at);
  return at + 1 + n;
}

export function encode(m: Message, key: Buffer): Buffer {
  const buf = Buffer.alloc(encodingLength(m));
  MAGIC.copy(buf, 0);
  buf.writeUInt8(FORMAT_VERSION, 4);
  buf.writeUInt8(TYPE_CODES[m.type], 5);
  buf.writeUInt8(m.type === 'states' && m.syncRequest ? FLAG_SYNC_REQUEST : 0, 6);
  let at = writeName(buf, m.from.name, 7);
  at = writeU64(buf, m.from.incarnation, at);
  at = writeU64(buf, m.seq, at);
  buf.writeUInt32BE(m.from.version, at);
  buf.writeUInt8(STATUS_CODES[m.from.status], at + 4);
  at += 5;
  switch (m.type) {
    case 'heartbeat':
      if (m.digest.length !== DIGEST_LENGTH) throw new RangeError(`digest must be ${DIGEST_LENGTH} bytes`);
      m.digest.copy(buf, at);
      at += DIGEST_LENGTH;
      break;
    case 'announce':
      break;
    case 'ack':
      at = writeU64(buf, m.incarnation, at);
      buf.writeUInt32BE(m.version, at);
      at += 4;
      break;
    case 'states':
      buf.writeUInt16BE(m.records.length, at);
      at += 2;
      for (const r of m.records) {
        at = writeName(buf, r.name, at);
        at = writeRecordTail(buf, r, at);
      }
      break;
  }
  tag(key, buf.subarray(0, at)).copy(buf, at);
  return buf;
}

function tag(key: Buffer, bytes: Buffer): Buffer {
  return createHmac('sha256', key).update(bytes).digest();
}

class Malformed extends Error {}

/** Bounds-checked reads; running off the end raises Malformed, which decode turns into a result. */
class Reader {
  private at: number;
  constructor(
    private readonly buf: Buffer,
    start: number,
    private readonly end: number,
  ) {
    this.at = start;
  }
  private need(n: number): number {
    if (this.at + n > this.end) throw new Malformed();
    const here = this.at;
    this.at += n;
    return here;
  }
  u8(): number {
    return this.buf.readUInt8(this.need(1));
  }
  u16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  u64(): number {
    const v = this.buf.readBigUInt64BE(this.need(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Malformed();
    return Number(v);
  }
  bytes(n: number): Buffer {
    const here = this.need(n);
    return Buffer.from(this.buf.subarray(here, here + n));
  }
  name(): string {
    const n = this.u8();
    if (n === 0) throw new Malformed();
    const text = this.bytes(n).toString('utf8');
    if (nameLength(text) !== n) throw new Malformed(); // invalid UTF-8 would not round-trip
    return text;
  }
  status(): MemberStatus {
    const s = STATUSES[this.u8()];
    if (s === undefined) throw new Malformed();
    return s;
  }
  done(): boolean {
    return this.at === this.end;
  }
}

/** Never throws: every failure is a reason the caller counts. */
export function decode(packet: Buffer, key: Buffer): DecodeResult {
  const minimum = 8 + 1 + 21 + TAG_LENGTH;
  if (packet.length < minimum) return { ok: false, reason: 'short' };
  const end = packet.length - TAG_LENGTH;
  const expected = tag(key, packet.subarray(0, end));
  if (!timingSafeEqual(expected, packet.subarray(end))) return { ok: false, reason: 'badMac' };
  if (!packet.subarray(0, 4).equals(MAGIC)) return { ok: false, reason: 'magic' };
  if (packet.readUInt8(4) !== FORMAT_VERSION) return { ok: false, reason: 'formatVersion' };
  try {
    return { ok: true, message: parse(packet, end) };
  } catch (e) {
    if (e instanceof Malformed || e instanceof RangeError) return { ok: false, reason: 'malformed' };
    throw e;
  }
}

function parse(packet: Buffer, end: number): Message {
  const type = TYPES[packet.readUInt8(5)];
  const flags = packet.readUInt8(6);
  if (type === undefined || type === '') throw new Malformed();
  const r = new Reader(packet, 7, end);
  const name = r.name();
  const incarnation = r.u64();
  const seq = r.u64();
  const version = r.u32();
  const status = r.status();
  const from: MemberRecord = { name, incarnation, version, status };
  let message: Message;
  switch (type) {
    case 'heartbeat':
      message = { type, from, seq, digest: r.bytes(DIGEST_LENGTH) };
      break;
    case 'announce':
      message = { type, from, seq };
      break;
    case 'ack':
      message = { type, from, seq, incarnation: r.u64(), version: r.u32() };
      break;
    case 'states': {
      const count = r.u16();
      const records: MemberRecord[] = [];
      for (let i = 0; i < count; i++) {
        const rn = r.name();
        records.push({ name: rn, incarnation: r.u64(), version: r.u32(), status: r.status() });
      }
      message = { type, from, seq, syncRequest: (flags & FLAG_SYNC_REQUEST) !== 0, records };
      break;
    }
  }
  if (!r.done()) throw new Malformed();
  return message;
}
