import fc from 'fast-check';
import { chunkRecords, decode, encode, encodingLength, MAX_PACKET } from './codec';
import type { MemberRecord, Message } from './messages';

const key = Buffer.alloc(32, 1);
const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,40}[a-z0-9])?$/);
const u64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const status = fc.constantFrom<MemberRecord['status']>('alive', 'leaving', 'dead');
const record = fc.record({ name, incarnation: u64, version: u32, status });
const header = { from: record, seq: u64 };
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    type: fc.constant('heartbeat' as const),
    ...header,
    digest: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b)),
  }),
  fc.record({ type: fc.constant('announce' as const), ...header }),
  fc.record({ type: fc.constant('ack' as const), ...header, incarnation: u64, version: u32 }),
  fc.record({
    type: fc.constant('states' as const),
    ...header,
    syncRequest: fc.boolean(),
    records: fc.array(record, { maxLength: 5 }),
  }),
);

describe('membership codec', () => {
  it('round-trips every message, and encodingLength is exact', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encode(m, key);
        expect(bytes.length).toBe(encodingLength(m));
        expect(decode(bytes, key)).toEqual({ ok: true, message: m });
      }),
    );
  });

  it('golden bytes: a heartbeat header', () => {
    const m: Message = {
      type: 'heartbeat',
      from: { name: 'n1', incarnation: 1, version: 2, status: 'alive' },
      seq: 3,
      digest: Buffer.alloc(8, 0xab),
    };
    const bytes = encode(m, key);
    expect(bytes.subarray(0, bytes.length - 32).toString('hex')).toBe(
      '494c424d' +
        '01' +
        '01' +
        '00' +
        '02' +
        '6e31' +
        '0000000000000001' +
        '0000000000000003' +
        '00000002' +
        '01' +
        'ab'.repeat(8),
    );
  });

  it('garbage never throws and is rejected', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (raw) => {
        expect(decode(Buffer.from(raw), key).ok).toBe(false);
      }),
    );
  });

  it('authenticated garbage (right key, nonsense body) never throws', () => {
    const { createHmac } = jest.requireActual<typeof import('crypto')>('crypto');
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.integer({ min: 0, max: 6 }),
        (raw, type) => {
          const body = Buffer.concat([Buffer.from('ILBM'), Buffer.from([1, type]), Buffer.from(raw)]);
          const packet = Buffer.concat([body, createHmac('sha256', key).update(body).digest()]);
          const r = decode(packet, key);
          if (r.ok) expect(encode(r.message, key).equals(packet)).toBe(true);
        },
      ),
    );
  });

  it('a wrong key is rejected as badMac', () => {
    fc.assert(
      fc.property(message, fc.uint8Array({ minLength: 16, maxLength: 32 }), (m, other) => {
        fc.pre(!Buffer.from(other).equals(key));
        expect(decode(encode(m, Buffer.from(other)), key)).toEqual({ ok: false, reason: 'badMac' });
      }),
    );
  });

  it('any flipped bit is rejected', () => {
    const bytes = encode(
      { type: 'announce', from: { name: 'n', incarnation: 5, version: 0, status: 'alive' }, seq: 1 },
      key,
    );
    for (let i = 0; i < bytes.length * 8; i += 7) {
      const copy = Buffer.from(bytes);
      copy[i >> 3] = (copy[i >> 3] ?? 0) ^ (1 << (i & 7));
      expect(decode(copy, key).ok).toBe(false);
    }
  });

  it('chunks a large view into packets under the MTU', () => {
    const records: MemberRecord[] = Array.from({ length: 300 }, (_, i) => ({
      name: `worker-${i}.rack-${i % 7}.example.internal`,
      incarnation: 1_700_000_000_000 + i,
      version: i,
      status: 'alive',
    }));
    const chunks = chunkRecords('sender-node', records);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(records);
    for (const c of chunks) {
      const m: Message = {
        type: 'states',
        from: { name: 'sender-node', incarnation: 1, version: 0, status: 'alive' },
        seq: 1,
        syncRequest: false,
        records: c,
      };
      expect(encodingLength(m)).toBeLessThanOrEqual(MAX_PACKET);
    }
  });
});
