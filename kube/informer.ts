// An informer: an in-memory cache of one resource kept current by list + watch, with add/update/delete
// notifications, after client-go's reflector and shared informer. The rules that keep the cache right:
// - watch from the list's resourceVersion, and advance it with every event and BOOKMARK, so a restarted
//   watch resumes exactly where the last one stopped: nothing missed, nothing replayed;
// - a closed or failed watch is restarted from that resourceVersion; at once if it had been healthy, after
//   an exponential backoff if it failed straight away (a server that refuses us is not hammered);
// - 410 Gone (the server no longer has our resourceVersion) means events were lost: re-list, and diff the
//   new list against the cache so objects deleted in the gap get a delete notification and changed objects
//   an update. A deletion during a reconnect is therefore never lost.
// The API calls sit behind ListWatchSource; listwatch.ts has the API server's (over watch.ts).
import type { Logger } from './log';
import { Backoff, BackoffOptions, REFLECTOR_BACKOFF } from './backoff';
import type { Clock, TimerHandle } from './clock';
import { KubeStatus, describeError, isGone } from './errors';
import { KubeObject, objectKey, resourceVersionOf } from './object';

export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string }
  | { readonly type: 'ERROR'; readonly status: KubeStatus };

export interface ListResult<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

export interface WatchCallbacks<T> {
  onEvent(event: WatchEvent<T>): void;
  /** The watch ended: cleanly (no argument) or with an error. Called at most once. */
  onClose(err?: unknown): void;
}

export interface WatchHandle {
  stop(): void;
}

/** The two API calls an informer makes. Namespace and selectors are the source's business. */
export interface ListWatchSource<T> {
  /** For logs, e.g. "services in metallb-system". */
  readonly description: string;
  list(): Promise<ListResult<T>>;
  /** Rejects only if the watch could not be started; later failures go to onClose. */
  watch(resourceVersion: string, callbacks: WatchCallbacks<T>): Promise<WatchHandle>;
}

export interface DeleteInfo {
  /**
   * True when the deletion was inferred from a re-list rather than seen as a DELETED event: the object is
   * the last state we knew, which may be older than its real final state (client-go's
   * DeletedFinalStateUnknown).
   */
  readonly finalStateUnknown: boolean;
}

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T, info: DeleteInfo): void;
}

export interface InformerOptions<T> {
  readonly source: ListWatchSource<T>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Reconnect backoff; client-go's reflector values (800ms..30s) by default. */
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  /**
   * A watch that delivered no event and closed sooner than this failed to start, and its restart backs
   * off. RestWatch (watch.ts) closes a silent watch after 30s; that one restarts at once.
   */
  readonly minHealthyWatchMs?: number;
}

const isExpired = (status: KubeStatus): boolean =>
  status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone';

/** "Too large resource version": the server is behind us (e.g. a lagging watch cache); re-list. */
const isTooLargeResourceVersion = (status: KubeStatus): boolean =>
  status.code === 504 && (status.message ?? '').includes('Too large resource version');

export class Informer<T extends KubeObject> {
  private readonly store = new Map<string, T>();
  private readonly handlers = new Set<InformerHandlers<T>>();
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private resourceVersion = '';
  /** Bumped whenever a list or watch is abandoned, so its late callbacks are ignored. */
  private session = 0;
  private running = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private timer: TimerHandle | undefined;
  private watchHandle: WatchHandle | undefined;

  constructor(private readonly options: InformerOptions<T>) {
    this.backoff = new Backoff(options.backoff ?? REFLECTOR_BACKOFF, options.random);
    this.log = options.logger.child({ informer: options.source.description });
  }

  /**
   * Registers handlers; returns a function that removes them. Objects already cached are delivered to the
   * new handlers as adds, so a late subscriber sees the same world as an early one.
   */
  addHandlers(handlers: InformerHandlers<T>): () => void {
    this.handlers.add(handlers);
    for (const obj of this.store.values()) this.call('onAdd', () => handlers.onAdd?.(obj));
    return () => this.handlers.delete(handlers);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.relist();
  }

  stop(): void {
    this.running = false;
    this.session++;
    this.clearTimer();
    this.stopWatch();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has filled the cache. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  /** The resourceVersion the next watch would start from. */
  lastResourceVersion(): string {
    return this.resourceVersion;
  }

  private async relist(): Promise<void> {
    this.stopWatch();
    const session = ++this.session;
    let result: ListResult<T>;
    try {
      result = await this.options.source.list();
    } catch (err) {
      if (session !== this.session) return;
      const delay = this.backoff.next();
      this.log.warn('list failed, retrying', { error: describeError(err), retryInMs: delay });
      this.schedule(delay, () => void this.relist());
      return;
    }
    if (session !== this.session) return;
    this.backoff.reset();
    this.replace(result);
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
    void this.watch(session);
  }

  /** Makes the cache equal to a fresh list, notifying the differences: deletes first, then adds and updates. */
  private replace(result: ListResult<T>): void {
    const fresh = new Map<string, T>();
    for (const obj of result.items) fresh.set(objectKey(obj), obj);
    const gone: T[] = [];
    for (const [key, old] of this.store) if (!fresh.has(key)) gone.push(old);
    for (const old of gone) {
      this.store.delete(objectKey(old));
      this.emitDelete(old, { finalStateUnknown: true });
    }
    for (const [key, obj] of fresh) {
      const old = this.store.get(key);
      this.store.set(key, obj);
      if (old === undefined) this.emitAdd(obj);
      else if (resourceVersionOf(old) !== resourceVersionOf(obj)) this.emitUpdate(old, obj);
    }
    this.resourceVersion = result.resourceVersion;
    this.log.debug('listed', {
      objects: fresh.size,
      resourceVersion: this.resourceVersion,
      deletedInGap: gone.length,
    });
  }

  private async watch(session: number): Promise<void> {
    const startedAt = this.options.clock.now();
    let sawEvent = false;
    let ended = false;
    const end = (how: { relist: boolean; err?: unknown }): void => {
      if (ended || session !== this.session) return;
      ended = true;
      this.session++;
      this.stopWatch();
      if (how.relist) {
        this.log.info('watch expired, re-listing', { resourceVersion: this.resourceVersion });
        void this.relist();
        return;
      }
      const healthy =
        sawEvent || this.options.clock.now() - startedAt >= (this.options.minHealthyWatchMs ?? 1000);
      if (healthy) {
        this.backoff.reset();
        this.log.debug('watch closed, restarting', {
          error: how.err === undefined ? undefined : describeError(how.err),
        });
        void this.watch(this.session);
        return;
      }
      const delay = this.backoff.next();
      this.log.warn('watch failed, restarting after backoff', {
        error: how.err === undefined ? 'closed at once' : describeError(how.err),
        retryInMs: delay,
      });
      this.schedule(delay, () => void this.watch(this.session));
    };

    const callbacks: WatchCallbacks<T> = {
      onEvent: (event) => {
        if (ended || session !== this.session) return;
        if (event.type === 'ERROR') {
          if (isExpired(event.status) || isTooLargeResourceVersion(event.status)) end({ relist: true });
          else
            end({
              relist: false,
              err: new Error(
                `watch error event: ${event.status.message ?? event.status.reason ?? 'unknown'}`,
              ),
            });
          return;
        }
        sawEvent = true;
        this.apply(event);
      },
      onClose: (err) =>
        end({ relist: err !== undefined && err !== null && isGone(err), err: err ?? undefined }),
    };

    try {
      const handle = await this.options.source.watch(this.resourceVersion, callbacks);
      if (ended || session !== this.session) handle.stop();
      else this.watchHandle = handle;
    } catch (err) {
      callbacks.onClose(err);
    }
  }

  private apply(event: Exclude<WatchEvent<T>, { type: 'ERROR' }>): void {
    if (event.type === 'BOOKMARK') {
      if (event.resourceVersion !== '') this.resourceVersion = event.resourceVersion;
      return;
    }
    const obj = event.object;
    const key = objectKey(obj);
    const old = this.store.get(key);
    if (event.type === 'DELETED') {
      this.store.delete(key);
      this.emitDelete(obj, { finalStateUnknown: false });
    } else {
      this.store.set(key, obj);
      // ADDED for a cached key (or MODIFIED for an unknown one) happens after a re-list races the watch.
      if (old === undefined) this.emitAdd(obj);
      else this.emitUpdate(old, obj);
    }
    const rv = resourceVersionOf(obj);
    if (rv !== undefined && rv !== '') this.resourceVersion = rv;
  }

  private emitAdd(obj: T): void {
    for (const h of this.handlers) this.call('onAdd', () => h.onAdd?.(obj));
  }

  private emitUpdate(oldObj: T, newObj: T): void {
    for (const h of this.handlers) this.call('onUpdate', () => h.onUpdate?.(oldObj, newObj));
  }

  private emitDelete(obj: T, info: DeleteInfo): void {
    for (const h of this.handlers) this.call('onDelete', () => h.onDelete?.(obj, info));
  }

  /** A throwing handler is logged and skipped; it must not break the cache or the other handlers. */
  private call(which: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('informer handler threw', { handler: which, error: describeError(err) });
    }
  }

  private schedule(ms: number, fn: () => void): void {
    this.clearTimer();
    if (!this.running) return;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.running) fn();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stopWatch(): void {
    const handle = this.watchHandle;
    this.watchHandle = undefined;
    handle?.stop();
  }
}
