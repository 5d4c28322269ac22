import { KubeApiError } from './errors';
import type { WatchEvent } from './informer';
import { RestListWatch, WatchLike, decodeKubeObject, parseWatchEvent } from './listwatch';
import type { KubeObject } from './object';
import { RESOURCES } from './resource';
import type { RestClient, RestRequest } from './rest';
import { captureLogger } from '../testkit/capturedlogger';

/** Answers each request with the next scripted page and records what was asked. */
function pagedRest(pages: unknown[]): RestClient & { requests: RestRequest[] } {
  const requests: RestRequest[] = [];
  return {
    requests,
    request: async (req) => {
      requests.push(req);
      const page = pages.shift();
      if (page === undefined) throw new KubeApiError(500, req.method, req.path, { message: 'no more pages' });
      return page;
    },
  };
}

interface RecordedWatch {
  path: string;
  query: Record<string, unknown>;
  emit: (phase: string, obj: unknown) => void;
  done: (err: unknown) => void;
  controller: AbortController;
}

function fakeWatch(): WatchLike & { calls: RecordedWatch[] } {
  const calls: RecordedWatch[] = [];
  return {
    calls,
    watch: async (path, query, callback, done) => {
      const controller = new AbortController();
      calls.push({ path, query, emit: callback, done, controller });
      return controller;
    },
  };
}

function source(
  rest: RestClient,
  watch: WatchLike,
  extra: { namespace?: string; labelSelector?: string } = {},
) {
  const { logger, lines } = captureLogger();
  const lw = new RestListWatch<KubeObject>({
    rest,
    watch,
    resource: RESOURCES.services,
    decode: decodeKubeObject,
    logger,
    pageSize: 2,
    ...extra,
  });
  return { lw, lines };
}

describe('RestListWatch.list', () => {
  it('follows continue tokens, keeps selectors on every page, and returns the snapshot resourceVersion', async () => {
    const rest = pagedRest([
      {
        metadata: { resourceVersion: '100', continue: 'c1' },
        items: [{ metadata: { name: 'a', namespace: 'ns' } }],
      },
      { metadata: { resourceVersion: '100' }, items: [{ metadata: { name: 'b', namespace: 'ns' } }] },
    ]);
    const { lw } = source(rest, fakeWatch(), { namespace: 'ns', labelSelector: 'app=web' });
    const result = await lw.list();
    expect(result.resourceVersion).toBe('100');
    expect(result.items.map((o) => o.metadata?.name)).toEqual(['a', 'b']);
    expect(rest.requests.map((r) => [r.path, r.query])).toEqual([
      [
        '/api/v1/namespaces/ns/services',
        { labelSelector: 'app=web', fieldSelector: undefined, limit: 2, continue: undefined },
      ],
      [
        '/api/v1/namespaces/ns/services',
        { labelSelector: 'app=web', fieldSelector: undefined, limit: 2, continue: 'c1' },
      ],
    ]);
  });

  it('fills in apiVersion and kind, which list items lack', async () => {
    const rest = pagedRest([
      { metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'a', namespace: 'n' } }] },
    ]);
    const { lw } = source(rest, fakeWatch());
    const [item] = (await lw.list()).items;
    expect(item).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
  });

  it('skips and logs an item that does not decode instead of failing the whole list', async () => {
    const rest = pagedRest([
      { metadata: { resourceVersion: '1' }, items: [{ metadata: {} }, { metadata: { name: 'ok' } }] },
    ]);
    const { lw, lines } = source(rest, fakeWatch());
    expect((await lw.list()).items.map((o) => o.metadata?.name)).toEqual(['ok']);
    expect(lines().some((l) => l.msg === 'skipping object that does not decode')).toBe(true);
  });

  it('treats a null items field (an empty list from some servers) as empty', async () => {
    const { lw } = source(pagedRest([{ metadata: { resourceVersion: '3' }, items: null }]), fakeWatch());
    expect(await lw.list()).toEqual({ items: [], resourceVersion: '3' });
  });

  it('propagates API errors so the informer backs off', async () => {
    const { lw } = source(pagedRest([]), fakeWatch());
    await expect(lw.list()).rejects.toBeInstanceOf(KubeApiError);
  });
});

describe('RestListWatch.watch', () => {
  it('watches the collection from the given resourceVersion with bookmarks and the selectors', async () => {
    const watch = fakeWatch();
    const { lw } = source(pagedRest([]), watch, { namespace: 'ns', labelSelector: 'a=b' });
    await lw.watch('77', { onEvent: () => undefined, onClose: () => undefined });
    expect(watch.calls[0]?.path).toBe('/api/v1/namespaces/ns/services');
    expect(watch.calls[0]?.query).toMatchObject({
      resourceVersion: '77',
      allowWatchBookmarks: true,
      labelSelector: 'a=b',
    });
  });

  it('forwards parsed events and a clean close as onClose()', async () => {
    const watch = fakeWatch();
    const { lw } = source(pagedRest([]), watch);
    const events: WatchEvent<KubeObject>[] = [];
    const closes: unknown[] = [];
    await lw.watch('1', { onEvent: (e) => events.push(e), onClose: (err) => closes.push(err) });
    const w = watch.calls[0];
    w?.emit('ADDED', { metadata: { name: 'a', resourceVersion: '2' } });
    w?.emit('BOOKMARK', { kind: 'Service', metadata: { resourceVersion: '9' } });
    w?.done(null);
    w?.done(new Error('second done is ignored'));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(closes).toEqual([undefined]);
  });

  it('passes a refused watch error through, so a 410 can trigger a re-list', async () => {
    const watch = fakeWatch();
    const { lw } = source(pagedRest([]), watch);
    const closes: unknown[] = [];
    await lw.watch('1', { onEvent: () => undefined, onClose: (err) => closes.push(err) });
    const refused = Object.assign(new Error('Gone'), { statusCode: 410 });
    watch.calls[0]?.done(refused);
    expect(closes).toEqual([refused]);
  });

  it('stop aborts the request and swallows the resulting close and late events', async () => {
    const watch = fakeWatch();
    const { lw } = source(pagedRest([]), watch);
    const seen: string[] = [];
    const handle = await lw.watch('1', {
      onEvent: (e) => seen.push(e.type),
      onClose: () => seen.push('close'),
    });
    handle.stop();
    expect(watch.calls[0]?.controller.signal.aborted).toBe(true);
    watch.calls[0]?.emit('ADDED', { metadata: { name: 'late' } });
    watch.calls[0]?.done(new Error('aborted'));
    expect(seen).toEqual([]);
  });

  it('omits an empty resourceVersion (watch from now)', async () => {
    const watch = fakeWatch();
    const { lw } = source(pagedRest([]), watch);
    await lw.watch('', { onEvent: () => undefined, onClose: () => undefined });
    expect(watch.calls[0]?.query.resourceVersion).toBeUndefined();
  });
});

describe('parseWatchEvent', () => {
  const decode = (raw: unknown): KubeObject | undefined => {
    const r = decodeKubeObject;
    try {
      return r(raw);
    } catch {
      return undefined;
    }
  };

  it.each([
    ['MODIFIED', { metadata: { name: 'a' } }, { type: 'MODIFIED', object: { metadata: { name: 'a' } } }],
    ['DELETED', { metadata: { name: 'a' } }, { type: 'DELETED', object: { metadata: { name: 'a' } } }],
    ['BOOKMARK', { metadata: { resourceVersion: '5' } }, { type: 'BOOKMARK', resourceVersion: '5' }],
    [
      'ERROR',
      { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (2)' },
      {
        type: 'ERROR',
        status: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (2)' },
      },
    ],
  ])('parses %s', (phase, raw, expected) => {
    expect(parseWatchEvent(phase, raw, decode)).toEqual(expected);
  });

  it.each([
    ['UNKNOWN', { metadata: { name: 'a' } }],
    ['ADDED', { metadata: {} }],
    ['BOOKMARK', { metadata: {} }],
  ])('ignores %s %o', (phase, raw) => {
    expect(parseWatchEvent(phase, raw, decode)).toBeUndefined();
  });
});
