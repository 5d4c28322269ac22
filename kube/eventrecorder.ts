// Records core/v1 Events on objects, like client-go's EventRecorder: `event()` never blocks and never
// throws; events are written one at a time in the background through the EventCorrelator, which drops
// spam, combines similar events and turns repeats into count bumps (PATCH) rather than new Events.
// A failed write is logged and dropped: events are advisory, and retrying them must not compete with
// reconciles for the API server.
import type { Logger } from './log';
import type { Clock } from './clock';
import { describeError, isNotFound } from './errors';
import { CorrelatorOptions, EventCorrelator, EventInput, EventSource, EventType } from './events';
import { KubeObject, ObjectReference, referenceTo } from './object';
import { RESOURCES, collectionPath, objectPath } from './resource';
import { CONTENT_TYPE, RestClient } from './rest';
import { formatTime } from './timefmt';

/** A core/v1 Event as we write it. */
export interface CoreEvent {
  apiVersion: 'v1';
  kind: 'Event';
  metadata: { name: string; namespace: string };
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
}

export interface EventCountPatch {
  count: number;
  message: string;
  lastTimestamp: string;
}

/** Event writes. Errors carry HTTP codes (errors.ts) so a vanished Event (404) can be recreated. */
export interface EventSink {
  create(event: CoreEvent): Promise<void>;
  patch(namespace: string, name: string, patch: EventCountPatch): Promise<void>;
}

export class RestEventSink implements EventSink {
  constructor(private readonly rest: RestClient) {}

  async create(event: CoreEvent): Promise<void> {
    await this.rest.request({
      method: 'POST',
      path: collectionPath(RESOURCES.events, event.metadata.namespace),
      body: event,
    });
  }

  async patch(namespace: string, name: string, patch: EventCountPatch): Promise<void> {
    await this.rest.request({
      method: 'PATCH',
      path: objectPath(RESOURCES.events, name, namespace),
      body: patch,
      contentType: CONTENT_TYPE.mergePatch,
    });
  }
}

export interface EventRecorderOptions {
  readonly sink: EventSink;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly source: EventSource;
  readonly correlator?: CorrelatorOptions;
  /** Events waiting to be written beyond this are dropped (client-go: 1000). */
  readonly maxQueued?: number;
}

export class EventRecorder {
  private readonly correlator: EventCorrelator;
  private readonly queue: EventInput[] = [];
  private draining: Promise<void> | undefined;
  private seq = 0;

  constructor(private readonly options: EventRecorderOptions) {
    this.correlator = new EventCorrelator(options.source, options.correlator);
  }

  /** Records an event on `obj`, e.g. event(service, 'Normal', 'IPAllocated', 'Assigned IP ["192.0.2.1"]'). */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (this.queue.length >= (this.options.maxQueued ?? 1000)) {
      this.options.logger.warn('event queue full, dropping event', { reason, object: obj.metadata?.name });
      return;
    }
    this.queue.push({ involvedObject: referenceTo(obj), type, reason, message });
    if (this.draining === undefined) this.draining = this.drain();
  }

  /** Resolves once every event recorded so far has been written or dropped. */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        await this.write(next);
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async write(input: EventInput): Promise<void> {
    const { clock, sink, logger } = this.options;
    const now = clock.now();
    const decision = this.correlator.correlate(input, now);
    const context = {
      reason: input.reason,
      object: `${input.involvedObject.namespace ?? ''}/${input.involvedObject.name ?? ''}`,
    };
    try {
      if (decision.action === 'drop') {
        logger.debug('event rate-limited', context);
        return;
      }
      if (decision.action === 'patch') {
        try {
          await sink.patch(decision.namespace, decision.name, {
            count: decision.count,
            message: decision.message,
            lastTimestamp: formatTime(now),
          });
          this.correlator.recordWritten(
            decision.key,
            {
              name: decision.name,
              namespace: decision.namespace,
              count: decision.count,
              firstTimestamp: decision.firstTimestamp,
            },
            now,
          );
          return;
        } catch (err) {
          // The Event expired (the API server keeps them an hour by default): write a fresh one.
          if (!isNotFound(err)) throw err;
          this.correlator.forget(decision.key);
        }
      }
      const event = this.build(input, decision.message, now);
      await sink.create(event);
      this.correlator.recordWritten(
        decision.key,
        { name: event.metadata.name, namespace: event.metadata.namespace, count: 1, firstTimestamp: now },
        now,
      );
    } catch (err) {
      if (decision.action !== 'drop') this.correlator.forget(decision.key);
      logger.warn('writing event failed, dropping it', { ...context, error: describeError(err) });
    }
  }

  private build(input: EventInput, message: string, now: number): CoreEvent {
    const ref = input.involvedObject;
    const { component, host } = this.options.source;
    // client-go names Events "<object>.<unix nanos in hex>"; the sequence keeps names unique within a ms.
    const nanos = BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const time = formatTime(now);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      // Events about cluster-scoped objects (Nodes) go to "default", as client-go puts them.
      metadata: {
        name: `${ref.name ?? 'unknown'}.${nanos.toString(16)}`,
        namespace: ref.namespace || 'default',
      },
      involvedObject: ref,
      reason: input.reason,
      message,
      type: input.type,
      source: host !== undefined ? { component, host } : { component },
      reportingComponent: component,
      reportingInstance: host ?? component,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    };
  }
}
