// A Kubernetes watch over plain HTTP: `GET <collection>?watch=true&...`, answered with one JSON event per
// line ({"type":"ADDED","object":{...}}) for as long as the server keeps the response open. Sent over the
// connection's keep-alive agent, so watches and requests share the TLS setup. It implements WatchLike
// (listwatch.ts) with the semantics client-node's Watch had, which the informer relies on:
// - `watch()` rejects only when there is no cluster to talk to; every later failure goes to `done`;
// - `done(err)` is called exactly once: null on a clean end (the server's timeoutSeconds), a KubeApiError with
//   the HTTP status when the server refused the watch (410 Gone makes the informer re-list), an error named
//   TimeoutError after `idleTimeoutMs` without a byte, the abort reason after `abort()`;
// - ERROR events (e.g. 410 Expired sent inside a 200 response) are passed to the callback like any other.
// Unlike client-node's, a line that is not a JSON event ends the watch with an error instead of being
// dropped: a dropped event is a change the cache would never see, while a restarted watch resumes from the
// last resourceVersion and misses nothing.
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { KubeApiError } from './errors';
import type { WatchLike } from './listwatch';
import {
  buildUrl,
  CONTENT_TYPE,
  KeepAliveAgents,
  type KubeConfigLike,
  parseErrorBody,
  type QueryValue,
} from './rest';

const watchEventSchema = z.looseObject({ type: z.string(), object: z.unknown() });
export type RawWatchEvent = z.infer<typeof watchEventSchema>;

/** A watch response that is not a stream of JSON events. */
export class WatchStreamError extends Error {
  override readonly name = 'WatchStreamError';
}

/**
 * Splits a watch response into events. Chunks arrive cut anywhere, through a line and through a multi-byte
 * UTF-8 character alike; a line is parsed only once its newline has arrived.
 */
export class WatchLineParser {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  /**
   * Emits the events this chunk completes, in order. Throws WatchStreamError at a line that is not one; the
   * events before it have been emitted.
   */
  push(chunk: Buffer | string, emit: (event: RawWatchEvent) => void): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.parse(line, emit);
  }

  /** The stream ended: a last event without its newline still counts. */
  end(emit: (event: RawWatchEvent) => void): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    this.parse(rest, emit);
  }

  private parse(line: string, emit: (event: RawWatchEvent) => void): void {
    const trimmed = line.trim();
    if (trimmed === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch {
      throw new WatchStreamError(`watch stream: not JSON: ${trimmed.slice(0, 200)}`);
    }
    const event = watchEventSchema.safeParse(raw);
    if (!event.success) throw new WatchStreamError(`watch stream: not an event: ${trimmed.slice(0, 200)}`);
    emit(event.data);
  }
}

export interface RestWatchOptions {
  /**
   * A watch that sends nothing for this long is ended with a TimeoutError (a dead connection would otherwise
   * hang forever). Default 30s, as client-node's; the informer restarts such a watch at once.
   */
  readonly idleTimeoutMs?: number;
  readonly userAgent?: string;
}

const timeoutError = (ms: number): Error =>
  Object.assign(new Error(`watch sent nothing for ${ms}ms`), { name: 'TimeoutError' });

export class RestWatch implements WatchLike {
  private readonly idleTimeoutMs: number;
  private readonly userAgent: string;
  private readonly agents = new KeepAliveAgents();

  constructor(
    private readonly connection: KubeConfigLike,
    options: RestWatchOptions = {},
  ) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'ironlb';
  }

  async watch(
    path: string,
    queryParams: Record<string, QueryValue>,
    callback: (phase: string, apiObj: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const cluster = this.connection.getCurrentCluster();
    if (cluster === null) throw new Error('kubeconfig has no current cluster');
    const url = buildUrl(cluster.server, path, { ...queryParams, watch: true });
    const controller = new AbortController();
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { Accept: CONTENT_TYPE.json, 'User-Agent': this.userAgent },
    };
    await this.connection.applyToHTTPSOptions(options);
    if (options.agent !== undefined) options.agent = this.agents.upgrade(options.agent);

    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: unknown): void => {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      controller.signal.removeEventListener('abort', onAbort);
      request.destroy();
      done(err);
    };
    const onAbort = (): void => finish(controller.signal.reason);
    const armIdleTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => finish(timeoutError(this.idleTimeoutMs)), this.idleTimeoutMs);
      timer.unref();
    };
    controller.signal.addEventListener('abort', onAbort);
    armIdleTimer();

    const transport = url.protocol === 'http:' ? http : https;
    // Declared after `finish`, which only runs from its events, the timer or an abort: all after this line.
    const request = transport.request(url, options, (res) => {
      if (res.statusCode !== 200) {
        const code = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', finish);
        res.on('end', () =>
          finish(
            new KubeApiError(
              code,
              'WATCH',
              path,
              parseErrorBody(code, Buffer.concat(chunks).toString('utf8')),
            ),
          ),
        );
        return;
      }
      const parser = new WatchLineParser();
      const deliver = (event: RawWatchEvent): void => {
        if (!finished) callback(event.type, event.object);
      };
      res.on('data', (chunk: Buffer) => {
        if (finished) return;
        armIdleTimer();
        try {
          parser.push(chunk, deliver);
        } catch (err) {
          finish(err);
        }
      });
      res.on('end', () => {
        try {
          parser.end(deliver);
          finish(null);
        } catch (err) {
          finish(err);
        }
      });
      res.on('error', finish);
      // A connection cut mid-stream closes the response without 'end'.
      res.on('close', () => finish(new Error('watch connection closed before the response ended')));
    });
    request.on('error', finish);
    request.end();
    return controller;
  }
}
