// The ListWatchSource the informer runs on, for a real API server: list through rest.ts (plain JSON,
// paginated), watch through a WatchLike (watch.ts's RestWatch) with allowWatchBookmarks, so the informer can
// resume from the last bookmark instead of re-listing.
//
// The WatchLike contract this relies on: `watch(path, query, onEvent, done)` resolves with an
// AbortController (it rejects only when there is no cluster to talk to); `done(err)` is called exactly once,
// with null on a clean close, with an error carrying the HTTP status (`code` or `statusCode`) when the server
// refused the watch (e.g. 410), and with a TimeoutError after a silent spell.
import type { Logger } from './log';
import { z } from 'zod';
import { describeError, kubeStatusSchema } from './errors';
import type { ListResult, ListWatchSource, WatchCallbacks, WatchEvent, WatchHandle } from './informer';
import { KubeObject, kubeObjectSchema } from './object';
import { ResourceRef, apiVersionOf, collectionPath } from './resource';
import type { QueryValue, RestClient } from './rest';

/** The watch call a list-watch makes; RestWatch implements it (and client-node's Watch fits it too). */
export interface WatchLike {
  watch(
    path: string,
    queryParams: Record<string, QueryValue>,
    callback: (phase: string, apiObj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController>;
}

/**
 * Turns raw JSON into the cached type, throwing when it cannot. Check only what caching needs (the default
 * requires metadata.name) and validate domain rules in the reconciler: an object the decoder rejects is
 * skipped, so a too-strict decoder would hide that object's changes, and its deletion, from the cache.
 */
export type Decoder<T> = (raw: unknown) => T;

export const decodeKubeObject: Decoder<KubeObject> = (raw) => kubeObjectSchema.parse(raw);

export interface RestListWatchOptions<T> {
  readonly rest: RestClient;
  readonly watch: WatchLike;
  readonly resource: ResourceRef;
  /** Omit for all namespaces (or for a cluster-scoped resource). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly decode: Decoder<T>;
  readonly logger: Logger;
  /** Objects per list page. Default 500, as client-go. */
  readonly pageSize?: number;
  /** Asks the server to end each watch after this many seconds; unset leaves it to the server. */
  readonly timeoutSeconds?: number;
}

const listSchema = z.looseObject({
  metadata: z
    .looseObject({ resourceVersion: z.string().optional(), continue: z.string().optional() })
    .optional(),
  items: z.array(z.unknown()).nullish(),
});

const bookmarkSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string() }),
});

const objectShape = z.record(z.string(), z.unknown());

export class RestListWatch<T> implements ListWatchSource<T> {
  readonly description: string;
  private readonly path: string;

  constructor(private readonly options: RestListWatchOptions<T>) {
    this.path = collectionPath(options.resource, options.namespace);
    const where = options.namespace !== undefined ? ` in ${options.namespace}` : '';
    const sel = [options.labelSelector, options.fieldSelector].filter((s) => s !== undefined && s !== '');
    this.description = `${options.resource.plural}${where}${sel.length > 0 ? ` (${sel.join(', ')})` : ''}`;
  }

  async list(): Promise<ListResult<T>> {
    const items: T[] = [];
    let resourceVersion = '';
    let continueToken: string | undefined;
    do {
      const raw = await this.options.rest.request({
        method: 'GET',
        path: this.path,
        query: {
          labelSelector: this.options.labelSelector,
          fieldSelector: this.options.fieldSelector,
          limit: this.options.pageSize ?? 500,
          continue: continueToken,
        },
      });
      const page = listSchema.parse(raw);
      for (const item of page.items ?? []) {
        const decoded = this.decode(this.withTypeMeta(item));
        if (decoded !== undefined) items.push(decoded);
      }
      // Every page of one paginated list is the same snapshot and reports its resourceVersion.
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken !== undefined);
    return { items, resourceVersion };
  }

  async watch(resourceVersion: string, callbacks: WatchCallbacks<T>): Promise<WatchHandle> {
    let finished = false;
    const query: Record<string, QueryValue> = {
      allowWatchBookmarks: true,
      resourceVersion: resourceVersion === '' ? undefined : resourceVersion,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
      timeoutSeconds: this.options.timeoutSeconds,
    };
    const controller = await this.options.watch.watch(
      this.path,
      query,
      (phase, raw) => {
        if (finished) return;
        const event = parseWatchEvent(phase, raw, (r) => this.decode(r));
        if (event !== undefined) callbacks.onEvent(event);
      },
      (err) => {
        if (finished) return;
        finished = true;
        callbacks.onClose(err === null || err === undefined ? undefined : err);
      },
    );
    return {
      stop: () => {
        // Our own abort is not a failure: the informer already knows it stopped this watch.
        finished = true;
        controller.abort();
      },
    };
  }

  /** List items come without apiVersion and kind; watched objects have them. Make the cache uniform. */
  private withTypeMeta(item: unknown): unknown {
    const obj = objectShape.safeParse(item);
    if (!obj.success) return item;
    return { apiVersion: apiVersionOf(this.options.resource), kind: this.options.resource.kind, ...obj.data };
  }

  private decode(raw: unknown): T | undefined {
    try {
      return this.options.decode(raw);
    } catch (err) {
      const name = kubeObjectSchema.safeParse(raw);
      this.options.logger.warn('skipping object that does not decode', {
        resource: this.description,
        object: name.success ? name.data.metadata.name : undefined,
        error: describeError(err),
      });
      return undefined;
    }
  }
}

/**
 * One line of a watch stream as a typed event; undefined for lines to ignore (unknown types, objects the
 * decoder rejects, a BOOKMARK without a resourceVersion).
 */
export function parseWatchEvent<T>(
  phase: string,
  raw: unknown,
  decode: (raw: unknown) => T | undefined,
): WatchEvent<T> | undefined {
  switch (phase) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED': {
      const object = decode(raw);
      return object === undefined ? undefined : { type: phase, object };
    }
    case 'BOOKMARK': {
      const bookmark = bookmarkSchema.safeParse(raw);
      return bookmark.success
        ? { type: 'BOOKMARK', resourceVersion: bookmark.data.metadata.resourceVersion }
        : undefined;
    }
    case 'ERROR': {
      const status = kubeStatusSchema.safeParse(raw);
      return { type: 'ERROR', status: status.success ? status.data : { message: describeError(raw) } };
    }
    default:
      return undefined;
  }
}
