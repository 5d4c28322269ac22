import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isGone, statusCodeOf } from './errors';
import type { KubeConfigLike } from './rest';
import { RawWatchEvent, RestWatch, WatchLineParser, WatchStreamError } from './watch';

const line = (type: string, object: unknown): string => `${JSON.stringify({ type, object })}\n`;
const svc = (name: string, rv: string) => ({ kind: 'Service', metadata: { name, resourceVersion: rv } });

/** Feeds the chunks, then ends the stream; returns the events in order. */
function parseAll(chunks: ReadonlyArray<Buffer | string>, end = true): RawWatchEvent[] {
  const p = new WatchLineParser();
  const out: RawWatchEvent[] = [];
  for (const c of chunks) p.push(c, (e) => out.push(e));
  if (end) p.end((e) => out.push(e));
  return out;
}

describe('WatchLineParser', () => {
  it('yields an event only once its newline has arrived', () => {
    const p = new WatchLineParser();
    const out: RawWatchEvent[] = [];
    const text = line('ADDED', svc('a', '1'));
    p.push(text.slice(0, 10), (e) => out.push(e));
    p.push(text.slice(10, -1), (e) => out.push(e));
    expect(out).toEqual([]);
    p.push('\n', (e) => out.push(e));
    expect(out).toEqual([{ type: 'ADDED', object: svc('a', '1') }]);
  });

  it('yields several events from one chunk, and skips blank lines', () => {
    const events = parseAll([line('ADDED', svc('a', '1')) + '\n' + line('DELETED', svc('a', '2'))]);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });

  it('gives the same events however the bytes are split, even inside a multi-byte character', () => {
    const text =
      line('MODIFIED', { metadata: { name: 'ü-日本-😀', resourceVersion: '3' } }) +
      line('BOOKMARK', svc('', '9'));
    const bytes = Buffer.from(text, 'utf8');
    const whole = parseAll([bytes]);
    expect(whole).toHaveLength(2);
    for (let cut = 0; cut <= bytes.length; cut++)
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(whole);
    expect(parseAll([...bytes].map((b) => Buffer.from([b])))).toEqual(whole);
  });

  it('passes BOOKMARK and ERROR events through as they are', () => {
    const status = { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' };
    const bookmark = { kind: 'Service', metadata: { resourceVersion: '42' } };
    expect(parseAll([line('BOOKMARK', bookmark) + line('ERROR', status)])).toEqual([
      { type: 'BOOKMARK', object: bookmark },
      { type: 'ERROR', object: status },
    ]);
  });

  it('counts a last event without its newline only when the stream ends', () => {
    const text = line('ADDED', svc('a', '1')).trimEnd();
    expect(parseAll([text], false)).toEqual([]);
    expect(parseAll([text])).toEqual([{ type: 'ADDED', object: svc('a', '1') }]);
  });

  it.each([['not json\n'], ['{"object":{}}\n'], ['[1,2]\n']])('refuses %j instead of dropping it', (text) => {
    expect(() => parseAll([text])).toThrow(WatchStreamError);
  });

  it('emits the events before a bad line, then throws', () => {
    const out: RawWatchEvent[] = [];
    expect(() =>
      new WatchLineParser().push(
        line('ADDED', svc('a', '1')) + 'oops\n' + line('ADDED', svc('b', '2')),
        (e) => out.push(e),
      ),
    ).toThrow(WatchStreamError);
    expect(out.map((e) => e.type)).toEqual(['ADDED']);
  });
});

interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
}

/** A plain HTTP server whose requests the test answers by hand. */
async function apiServer() {
  const exchanges: Exchange[] = [];
  const waiters: Array<(e: Exchange) => void> = [];
  const server = http.createServer((req, res) => {
    const e = { req, res };
    const waiter = waiters.shift();
    if (waiter) waiter(e);
    else exchanges.push(e);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const connection: KubeConfigLike = {
    getCurrentCluster: () => ({ server: `http://127.0.0.1:${port}` }),
    applyToHTTPSOptions: async (opts) => {
      opts.headers = { ...(opts.headers as Record<string, string>), Authorization: 'Bearer w' };
    },
  };
  const next = (): Promise<Exchange> => {
    const e = exchanges.shift();
    return e ? Promise.resolve(e) : new Promise((resolve) => waiters.push(resolve));
  };
  return { server, connection, next };
}

/** Runs one watch and collects what it delivers. */
function collect() {
  const events: Array<[string, unknown]> = [];
  const dones: unknown[] = [];
  let resolveDone: (err: unknown) => void = () => undefined;
  const finished = new Promise<unknown>((resolve) => (resolveDone = resolve));
  return {
    events,
    dones,
    finished,
    callback: (phase: string, obj: unknown) => events.push([phase, obj]),
    done: (err: unknown) => {
      dones.push(err);
      resolveDone(err);
    },
  };
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

describe('RestWatch', () => {
  it('asks for a watch with the query and auth, streams events, and reports a clean end as done(null)', async () => {
    const api = await apiServer();
    servers.push(api.server);
    const c = collect();
    await new RestWatch(api.connection).watch(
      '/api/v1/services',
      { resourceVersion: '5', allowWatchBookmarks: true, labelSelector: undefined },
      c.callback,
      c.done,
    );
    const { req, res } = await api.next();
    expect(req.url).toBe('/api/v1/services?resourceVersion=5&allowWatchBookmarks=true&watch=true');
    expect(req.headers.authorization).toBe('Bearer w');
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const first = line('ADDED', svc('a', '6'));
    res.write(first.slice(0, 7));
    res.write(first.slice(7) + line('BOOKMARK', { metadata: { resourceVersion: '7' } }));
    res.end();
    expect(await c.finished).toBeNull();
    expect(c.events).toEqual([
      ['ADDED', svc('a', '6')],
      ['BOOKMARK', { metadata: { resourceVersion: '7' } }],
    ]);
    expect(c.dones).toHaveLength(1);
  });

  it('reports a refused watch with its HTTP status and metav1.Status, so 410 reads as Gone', async () => {
    const api = await apiServer();
    servers.push(api.server);
    const c = collect();
    await new RestWatch(api.connection).watch('/api/v1/services', {}, c.callback, c.done);
    const { res } = await api.next();
    res.writeHead(410, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }));
    const err = await c.finished;
    expect(statusCodeOf(err)).toBe(410);
    expect(isGone(err)).toBe(true);
    expect(String(err)).toContain('too old');
  });

  it('ends a watch that sends nothing for the idle timeout with a TimeoutError', async () => {
    const api = await apiServer();
    servers.push(api.server);
    const c = collect();
    await new RestWatch(api.connection, { idleTimeoutMs: 100 }).watch('/x', {}, c.callback, c.done);
    const { res } = await api.next();
    res.writeHead(200);
    res.write(line('ADDED', svc('a', '1')));
    const err = await c.finished;
    expect(err).toMatchObject({ name: 'TimeoutError' });
    expect(c.events).toHaveLength(1);
  });

  it('ends the watch on a line that is not an event, delivering nothing after it', async () => {
    const api = await apiServer();
    servers.push(api.server);
    const c = collect();
    await new RestWatch(api.connection).watch('/x', {}, c.callback, c.done);
    const { res } = await api.next();
    res.writeHead(200);
    res.write(line('ADDED', svc('a', '1')) + 'garbage\n' + line('ADDED', svc('b', '2')));
    expect(await c.finished).toBeInstanceOf(WatchStreamError);
    expect(c.events.map(([, o]) => (o as { metadata: { name: string } }).metadata.name)).toEqual(['a']);
  });

  it('reports a connection cut mid-stream as an error', async () => {
    const api = await apiServer();
    servers.push(api.server);
    const c = collect();
    await new RestWatch(api.connection).watch('/x', {}, c.callback, c.done);
    const { res } = await api.next();
    res.writeHead(200);
    res.write(line('ADDED', svc('a', '1')));
    await new Promise((r) => setTimeout(r, 20));
    res.socket?.destroy();
    expect(String(await c.finished)).toMatch(/closed|aborted|ECONNRESET|socket hang up/);
  });

  it('abort() ends the request and calls done exactly once, with the abort reason', async () => {
    const api = await apiServer();
    servers.push(api.server);
    const c = collect();
    const controller = await new RestWatch(api.connection).watch('/x', {}, c.callback, c.done);
    const { req, res } = await api.next();
    res.writeHead(200);
    res.write(line('ADDED', svc('a', '1')));
    const closed = new Promise((r) => req.on('close', r));
    controller.abort();
    expect(await c.finished).toMatchObject({ name: 'AbortError' });
    await closed;
    expect(c.dones).toHaveLength(1);
  });

  it('rejects only when there is no cluster to talk to', async () => {
    const none: KubeConfigLike = {
      getCurrentCluster: () => null,
      applyToHTTPSOptions: async () => undefined,
    };
    const c = collect();
    await expect(new RestWatch(none).watch('/x', {}, c.callback, c.done)).rejects.toThrow(
      'no current cluster',
    );
  });
});
