// Fuzzing the decoders: over a million random and mutated messages (the default), none may throw; every error
// must carry the NOTIFICATION code RFC 4271 6 (and RFC 7313 5) assigns to where the fault is; every success must
// re-encode canonically. fast-check drives it with a fixed seed; each run derives several messages from a
// seeded PRNG, which keeps a million messages within seconds. More: BGP_FUZZ_SCALE=10 (ten times the runs),
// BGP_FUZZ_SEED=<n> (another seed), e.g.
//   BGP_FUZZ_SCALE=10 BGP_FUZZ_SEED=$RANDOM npx jest --selectProjects unit -- speaker/bgp/fuzz
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  ErrorCode,
  HEADER_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageHeaderSubcode,
  MessageType,
} from './codec/codes';
import type { UpdateContext } from './codec/attributes';
import { decode, encode } from './codec/message';
import type { Notification } from './codec/result';
import { arbMessage } from './codec/testutil';
import { validateUpdate } from './validate';

const SCALE = Number(process.env.BGP_FUZZ_SCALE ?? '1');
const SEED = Number(process.env.BGP_FUZZ_SEED ?? '20260602');
const PER_RUN = 10;
const TIMEOUT = 120_000 * SCALE;
const FOUR: UpdateContext = { fourOctetAs: true };
const TWO: UpdateContext = { fourOctetAs: false };

// Jest runs tests in a vm context, where every lookup of a global such as `Math` is slow; in the hot loops
// below that cost dominated, so the functions are bound once here.
const { imul, floor, min, max } = Math;

/** mulberry32: a small, fast, seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct inputs checked (each UPDATE is decoded twice and validated once, but counts once). */
let inputs = 0;
/** Outcomes by kind (`ok`, `1/2`, `3`, ...), so a fuzzer that stopped reaching some decoder shows. */
const outcomes = new Map<string, number>();
const tally = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

/** The Error Code (and, for header faults, subcode) a message's first fault must produce. */
function expected(bytes: Uint8Array): { code: number; subcode?: number } {
  if (bytes.length < HEADER_LENGTH) {
    return { code: ErrorCode.MessageHeaderError, subcode: MessageHeaderSubcode.BadMessageLength };
  }
  for (let i = 0; i < 16; i++) {
    if (bytes[i] !== 0xff)
      return { code: ErrorCode.MessageHeaderError, subcode: MessageHeaderSubcode.ConnectionNotSynchronized };
  }
  const length = ((bytes[16] ?? 0) << 8) | (bytes[17] ?? 0);
  const type = bytes[18] ?? 0;
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    return { code: ErrorCode.MessageHeaderError, subcode: MessageHeaderSubcode.BadMessageLength };
  }
  if (type < MessageType.OPEN || type > MessageType.ROUTE_REFRESH) {
    return { code: ErrorCode.MessageHeaderError, subcode: MessageHeaderSubcode.BadMessageType };
  }
  if (type === MessageType.ROUTE_REFRESH && length !== 23) {
    // RFC 7313 5 sends the whole message as data, so a ROUTE-REFRESH cut short is first of all truncated.
    return bytes.length < length
      ? { code: ErrorCode.MessageHeaderError, subcode: MessageHeaderSubcode.BadMessageLength }
      : { code: ErrorCode.RouteRefreshMessageError, subcode: 1 };
  }
  const min = { 1: 29, 2: 23, 3: 21, 4: 19, 5: 23 }[type] ?? 19;
  if (length < min || (type === MessageType.KEEPALIVE && length !== 19) || bytes.length < length) {
    return { code: ErrorCode.MessageHeaderError, subcode: MessageHeaderSubcode.BadMessageLength };
  }
  return { code: type === MessageType.OPEN ? ErrorCode.OpenMessageError : ErrorCode.UpdateMessageError };
}

function fail(why: string, bytes: Uint8Array, detail?: unknown): never {
  throw new Error(`${why}: ${Buffer.from(bytes).toString('hex')} ${JSON.stringify(detail ?? '')}`);
}

function checkNotification(
  n: Notification,
  want: { code: number; subcode?: number },
  bytes: Uint8Array,
): void {
  if (n.code !== want.code || (want.subcode !== undefined && n.subcode !== want.subcode)) {
    fail(`wanted ${want.code}/${want.subcode ?? '*'}, got ${n.code}/${n.subcode}`, bytes);
  }
  if (
    n.code === ErrorCode.MessageHeaderError &&
    n.subcode === MessageHeaderSubcode.BadMessageLength &&
    n.data.length !== 2
  ) {
    fail('Bad Message Length without the length as data', bytes);
  }
}

/**
 * Decodes one input and checks every property; an UPDATE is decoded under both AS sizes (the only message whose
 * layout depends on them) and validated as received.
 */
function check(bytes: Uint8Array): void {
  inputs++;
  const isUpdate = bytes.length >= HEADER_LENGTH && bytes[18] === MessageType.UPDATE;
  for (const ctx of isUpdate ? [FOUR, TWO] : [FOUR]) {
    const result = decode(bytes, ctx);
    if (!result.ok) {
      const n = result.error.notification;
      tally(n.code === ErrorCode.MessageHeaderError ? `1/${n.subcode}` : String(n.code));
      checkNotification(n, expected(bytes), bytes);
      continue;
    }
    tally(`ok ${result.value.type}`);
    // Canonical form: what decode returns encodes to bytes that decode and encode to the same bytes again.
    const canonical = encode(result.value, ctx);
    const again = decode(canonical, ctx);
    if (!again.ok) fail('a decoded message does not re-decode', bytes, again.error);
    if (!encode(again.value, ctx).equals(canonical)) fail('re-encoding is not stable', bytes);
  }
  if (isUpdate && bytes.length >= 23) {
    const length = min(bytes.length, ((bytes[16] ?? 0) << 8) | (bytes[17] ?? 0));
    const verdict = validateUpdate(bytes.subarray(HEADER_LENGTH, max(HEADER_LENGTH, length)), {
      ...FOUR,
      internal: false,
    });
    if (verdict.action === 'reset' && verdict.notification.code !== ErrorCode.UpdateMessageError) {
      fail('an UPDATE reset without UPDATE Message Error', bytes, verdict);
    }
  }
}

/** One random edit: flip, overwrite, insert, delete, truncate or extend; then maybe fix the length field. */
function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  let bytes = Buffer.from(input);
  const edits = 1 + floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = floor(rand() * max(1, bytes.length));
    // Faults past the header are the interesting ones: most edits leave the marker alone.
    const pos = bytes.length > 19 && rand() < 0.9 ? 19 + floor(rand() * (bytes.length - 19)) : at;
    switch (floor(rand() * 7)) {
      case 0:
        bytes[pos] = (bytes[pos] ?? 0) ^ (1 << floor(rand() * 8));
        break;
      case 1:
        bytes[pos] = floor(rand() * 256);
        break;
      case 2:
        bytes[pos] = [0, 1, 0xff, 0x7f, 0x80, 0x10][floor(rand() * 6)] ?? 0;
        break;
      case 3:
        bytes = Buffer.concat([bytes.subarray(0, pos), Buffer.of(floor(rand() * 256)), bytes.subarray(pos)]);
        break;
      case 4:
        bytes = Buffer.concat([bytes.subarray(0, pos), bytes.subarray(pos + 1 + floor(rand() * 4))]);
        break;
      case 5:
        bytes = bytes.subarray(0, pos);
        break;
      default:
        bytes = Buffer.concat([
          bytes,
          Buffer.from(Array.from({ length: 1 + floor(rand() * 8) }, () => floor(rand() * 256))),
        ]);
    }
  }
  if (bytes.length >= 18 && rand() < 0.8) bytes.writeUInt16BE(min(bytes.length, 0xffff), 16);
  return bytes;
}

function randomMessage(rand: () => number): Uint8Array {
  const length = HEADER_LENGTH + floor(rand() * (rand() < 0.9 ? 80 : 600));
  const bytes = Buffer.alloc(length);
  bytes.fill(0xff, 0, 16);
  bytes.writeUInt16BE(rand() < 0.9 ? length : floor(rand() * 0x10000), 16);
  bytes[18] = rand() < 0.95 ? 1 + floor(rand() * 5) : floor(rand() * 256);
  for (let i = HEADER_LENGTH; i < length; i++) bytes[i] = rand() < 0.3 ? 0 : floor(rand() * 256);
  return bytes;
}

function captured(): Buffer[] {
  return ['frr', 'bird', 'gobgp', 'frr-sent', 'bird-sent', 'gobgp-sent'].flatMap((name) =>
    readFileSync(join(__dirname, 'testdata', `${name}.hex`), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => Buffer.from(line, 'hex')),
  );
}

function runs(messages: number): number {
  return Math.ceil((messages * SCALE) / PER_RUN);
}

describe('fuzzing the decoders (fixed seed; BGP_FUZZ_SCALE / BGP_FUZZ_SEED for more)', () => {
  afterAll(() => {
    process.stdout.write(
      `fuzz: ${inputs} messages checked: ${JSON.stringify(Object.fromEntries(outcomes))}\n`,
    );
    for (const kind of [
      'ok open',
      'ok update',
      'ok notification',
      'ok route-refresh',
      '1/1',
      '1/2',
      '1/3',
      '2',
      '3',
      '7',
    ]) {
      const count = outcomes.get(kind) ?? 0;
      if (count <= 100 * SCALE) throw new Error(`the fuzzer reached outcome ${kind} only ${count} times`);
    }
    // Keeps the "a million" claim honest: the cases below must add up to it at scale 1.
    expect(inputs).toBeGreaterThanOrEqual(1_000_000 * SCALE);
  });

  it.each([0, 1])(
    'random messages behind a valid-looking header (half %i)',
    (half) => {
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const rand = prng(seed);
          for (let i = 0; i < PER_RUN; i++) check(randomMessage(rand));
        }),
        { seed: SEED + half, numRuns: runs(250_000) },
      );
    },
    TIMEOUT,
  );

  it.each([
    ['4-octet', FOUR],
    ['2-octet', TWO],
  ] as const)(
    'mutations of generated valid messages (%s AS)',
    (_name, ctx) => {
      fc.assert(
        fc.property(
          arbMessage(ctx).map((m) => encode(m, ctx)),
          fc.integer(),
          (bytes, seed) => {
            const rand = prng(seed);
            for (let i = 0; i < PER_RUN; i++) check(mutate(bytes, rand));
          },
        ),
        { seed: SEED + 2 + (ctx.fourOctetAs ? 1 : 0), numRuns: runs(150_000) },
      );
    },
    TIMEOUT,
  );

  it.each([0, 1])(
    'mutations of the messages captured from FRR, BIRD and GoBGP, and sent to them (half %i)',
    (half) => {
      const corpus = captured();
      fc.assert(
        fc.property(fc.nat({ max: corpus.length - 1 }), fc.integer(), (index, seed) => {
          const rand = prng(seed);
          const base = corpus[index] ?? Buffer.alloc(0);
          for (let i = 0; i < PER_RUN; i++) check(mutate(base, rand));
        }),
        { seed: SEED + 4 + half, numRuns: runs(125_000) },
      );
    },
    TIMEOUT,
  );
});
