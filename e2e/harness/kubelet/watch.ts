// List-then-watch over one collection, with relist on expiry or a broken stream: the reflector pattern, small.
// Each object is handed to `onChange`; `onResync` receives the full list after every (re)list so the caller
// can drop what vanished while no watch was open.
import * as https from 'node:https';
import { z } from 'zod';
import { buildUrl, type RestClient } from '../../../kube/rest';
import type { CredentialsConfig } from '../kubeconfig';
import { log } from '../log';

export interface ListWatchOptions<T> {
  client: RestClient;
  config: CredentialsConfig;
  /** Collection path, e.g. /api/v1/pods. */
  path: string;
  query: Record<string, string>;
  parseList: (raw: unknown) => { resourceVersion: string | undefined; items: T[] };
  parseItem: (raw: unknown) => T;
  onResync: (items: T[]) => void;
  onChange: (type: 'ADDED' | 'MODIFIED' | 'DELETED', item: T) => void;
}

const watchEventSchema = z.looseObject({ type: z.string(), object: z.unknown() });

/** Runs until `signal` aborts. Errors are logged and followed by a relist after a short backoff. */
export async function listWatch<T>(opts: ListWatchOptions<T>, signal: AbortSignal): Promise<void> {
  let backoffMs = 200;
  while (!signal.aborted) {
    try {
      const list = opts.parseList(
        await opts.client.request({ method: 'GET', path: opts.path, query: opts.query, signal }),
      );
      opts.onResync(list.items);
      backoffMs = 200;
      await watchOnce(opts, list.resourceVersion, signal);
    } catch (err) {
      if (signal.aborted) return;
      log.warn(`list/watch ${opts.path}: ${err instanceof Error ? err.message : String(err)}`);
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 5_000);
    }
  }
}

/** One watch stream from `resourceVersion`; resolves when the server ends it (it does every few minutes). */
async function watchOnce<T>(
  opts: ListWatchOptions<T>,
  resourceVersion: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const server = opts.config.getCurrentCluster().server;
  const url = buildUrl(server, opts.path, {
    ...opts.query,
    watch: 'true',
    allowWatchBookmarks: 'false',
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
  });
  const reqOpts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' }, signal };
  await opts.config.applyToHTTPSOptions(reqOpts);
  await new Promise<void>((resolve, reject) => {
    const req = https.request(url, reqOpts, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`watch ${opts.path}: HTTP ${res.statusCode ?? 0}`));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line === '') continue;
          let ev: z.infer<typeof watchEventSchema>;
          try {
            ev = watchEventSchema.parse(JSON.parse(line));
          } catch (err) {
            req.destroy();
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          if (ev.type === 'ERROR') {
            // Typically 410 Gone: the resourceVersion is too old. Relist.
            req.destroy();
            reject(new Error(`watch ${opts.path}: ${JSON.stringify(ev.object).slice(0, 300)}`));
            return;
          }
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') {
            try {
              opts.onChange(ev.type, opts.parseItem(ev.object));
            } catch (err) {
              log.warn(
                `watch ${opts.path}: ignoring unparseable object: ${err instanceof Error ? err.message : String(err)}`,
              );
            }
          }
        }
      });
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
