import fc from 'fast-check';
import { BfdState, decode, encode, encodingLength, type ControlPacket } from './packet';

// Hand-assembled per RFC 5880 section 4.1: version 1, diag 0, state Up, Poll, mult 3, discriminators 1 and 2,
// 300 ms / 300 ms / 0 intervals.
const GOLDEN = '20e00318' + '00000001' + '00000002' + '000493e0' + '000493e0' + '00000000';

const PACKET: ControlPacket = {
  diagnostic: 0,
  state: BfdState.Up,
  poll: true,
  final: false,
  controlPlaneIndependent: false,
  demand: false,
  detectMult: 3,
  myDiscriminator: 1,
  yourDiscriminator: 2,
  desiredMinTxInterval: 300_000,
  requiredMinRxInterval: 300_000,
  requiredMinEchoRxInterval: 0,
};

test('encodes and decodes the golden bytes', () => {
  expect(encode(PACKET).toString('hex')).toBe(GOLDEN);
  expect(decode(Buffer.from(GOLDEN, 'hex'))).toEqual({ ok: true, value: PACKET });
  expect(encodingLength()).toBe(24);
});

test.each([
  ['short', '20e00318'],
  ['version 0', '00e00318000000010000000200' + '0493e0000493e000000000'],
  ['mult 0', '20e00018000000010000000200' + '0493e0000493e000000000'],
  ['my discriminator 0', '20e00318000000000000000200' + '0493e0000493e000000000'],
  ['poll and final', '20f00318000000010000000200' + '0493e0000493e000000000'],
  ['your discriminator 0 in Up', '20c00318000000010000000000' + '0493e0000493e000000000'],
])('drops %s', (_name, hex) => {
  const r = decode(Buffer.from(hex, 'hex'));
  expect(r.ok).toBe(false);
  if (!r.ok && _name !== 'short') expect(r.reason).not.toMatch(/shorter/);
});

test('decode never throws and successes re-encode to their first 24 bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const r = decode(bytes);
      if (r.ok) expect(encode(r.value)).toEqual(Buffer.from(bytes.subarray(0, 24)).fill(24, 3, 4));
    }),
    { seed: 20261202, numRuns: 20_000 },
  );
});
