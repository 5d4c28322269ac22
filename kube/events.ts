// What to do with an Event before it reaches the API server, after client-go's EventCorrelator
// (tools/record/events_cache.go), as pure logic driven by the time the caller passes in:
// 1. spam filter: a token bucket per (source, involved object), burst 25, one token per 5 minutes. An event
//    storm on one object (MetalLB users saw 24,000 events in 10 minutes) becomes 25 events, then one
//    every 5 minutes;
// 2. aggregation of similar events: once 10 different messages with the same (object, type, reason) arrive
//    within 10 minutes, they fold into one "(combined from similar events): ..." Event;
// 3. deduplication: a repeat of the same (object, type, reason, message) within the window bumps `count`
//    and `lastTimestamp` on the Event already written (a PATCH) instead of creating another.
// We write core/v1 Events, as MetalLB does through client-go's recorder: `kubectl describe` and tooling
// that selects on involvedObject.* or reads `count` see what they see with MetalLB, and core/v1 times are
// whole-second metav1.Time, free of the MicroTime format events.k8s.io/v1 requires in eventTime.
import type { ObjectReference } from './object';
import { TokenBucket, TokenBucketParams, fullBucket, tokenBucketParams, tryTakeToken } from './tokenbucket';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  /** e.g. "metallb-controller", "metallb-speaker". */
  readonly component: string;
  /** The node, for per-node components. */
  readonly host?: string;
}

export interface EventInput {
  readonly involvedObject: ObjectReference;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export interface CorrelatorOptions {
  readonly spamBurst?: number;
  /** Tokens per second; client-go: 1/300. */
  readonly spamQps?: number;
  /** Dedup and aggregation window; client-go: 10 minutes. */
  readonly windowMs?: number;
  /** Distinct messages before similar events are combined; client-go: 10. */
  readonly maxSimilarMessages?: number;
  /** Entries kept per cache (LRU); client-go: 4096. */
  readonly cacheSize?: number;
}

export type Correlation =
  | { readonly action: 'drop' }
  | { readonly action: 'create'; readonly key: string; readonly message: string }
  | {
      readonly action: 'patch';
      readonly key: string;
      readonly name: string;
      readonly namespace: string;
      readonly message: string;
      readonly count: number;
      readonly firstTimestamp: number;
    };

export const COMBINED_PREFIX = '(combined from similar events): ';

/** A Map with least-recently-used eviction: bounded memory however many objects emit events. */
class LruMap<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

interface Written {
  readonly name: string;
  readonly namespace: string;
  readonly count: number;
  readonly firstTimestamp: number;
  readonly lastSeen: number;
}

interface Similar {
  readonly messages: Set<string>;
  readonly firstSeen: number;
}

const SEP = '\u0000';

function objectKeyParts(source: EventSource, ref: ObjectReference): string[] {
  return [
    source.component,
    source.host ?? '',
    ref.kind ?? '',
    ref.namespace ?? '',
    ref.name ?? '',
    ref.uid ?? '',
    ref.apiVersion ?? '',
  ];
}

export class EventCorrelator {
  private readonly spam: LruMap<TokenBucket>;
  private readonly similar: LruMap<Similar>;
  private readonly written: LruMap<Written>;
  private readonly bucket: TokenBucketParams;
  private readonly windowMs: number;
  private readonly maxSimilar: number;

  constructor(
    private readonly source: EventSource,
    options: CorrelatorOptions = {},
  ) {
    const size = options.cacheSize ?? 4096;
    this.spam = new LruMap(size);
    this.similar = new LruMap(size);
    this.written = new LruMap(size);
    this.bucket = tokenBucketParams(options.spamQps ?? 1 / 300, options.spamBurst ?? 25);
    this.windowMs = options.windowMs ?? 600_000;
    this.maxSimilar = options.maxSimilarMessages ?? 10;
  }

  /** Decides the fate of one event at time `now`. Call `written` after a successful create or patch. */
  correlate(input: EventInput, now: number): Correlation {
    const objectParts = objectKeyParts(this.source, input.involvedObject);
    const spamKey = objectParts.join(SEP);
    const taken = tryTakeToken(this.spam.get(spamKey) ?? fullBucket(this.bucket, now), this.bucket, now);
    this.spam.set(spamKey, taken.bucket);
    if (!taken.allowed) return { action: 'drop' };

    const similarKey = [...objectParts, input.type, input.reason].join(SEP);
    let similar = this.similar.get(similarKey);
    if (similar === undefined || now - similar.firstSeen > this.windowMs) {
      similar = { messages: new Set(), firstSeen: now };
    }
    similar.messages.add(input.message);
    this.similar.set(similarKey, similar);

    // Past the threshold every similar event lands on one combined Event, keyed without its message.
    const combined = similar.messages.size >= this.maxSimilar;
    const key = combined ? similarKey : [similarKey, input.message].join(SEP);
    const message = combined ? COMBINED_PREFIX + input.message : input.message;

    const previous = this.written.get(key);
    if (previous === undefined || now - previous.lastSeen > this.windowMs)
      return { action: 'create', key, message };
    return {
      action: 'patch',
      key,
      name: previous.name,
      namespace: previous.namespace,
      message,
      count: previous.count + 1,
      firstTimestamp: previous.firstTimestamp,
    };
  }

  /** Records that the Event for `key` now exists with this name and count. */
  recordWritten(
    key: string,
    event: { name: string; namespace: string; count: number; firstTimestamp: number },
    now: number,
  ): void {
    this.written.set(key, { ...event, lastSeen: now });
  }

  /** Forgets the Event for `key` (it was deleted or never written), so the next occurrence creates one. */
  forget(key: string): void {
    this.written.delete(key);
  }
}
