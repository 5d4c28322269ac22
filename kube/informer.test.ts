import { FakeClock, flushPromises } from '../testkit/fakeclock';
import {
  DeleteInfo,
  Informer,
  ListResult,
  ListWatchSource,
  WatchCallbacks,
  WatchEvent,
  WatchHandle,
} from './informer';
import { KubeObject } from './object';
import { captureLogger } from '../testkit/capturedlogger';

interface Obj extends KubeObject {
  spec?: { v: number };
}

const obj = (name: string, rv: string, v = 0, namespace = 'ns'): Obj => ({
  metadata: { name, namespace, resourceVersion: rv },
  spec: { v },
});

interface FakeWatch {
  readonly resourceVersion: string;
  readonly callbacks: WatchCallbacks<Obj>;
  stopped: boolean;
}

/** A scripted API server: lists return `state`, watches are recorded so tests can push events into them. */
class FakeSource implements ListWatchSource<Obj> {
  readonly description = 'objs in ns';
  state: ListResult<Obj> = { items: [], resourceVersion: '1' };
  listCalls = 0;
  readonly watches: FakeWatch[] = [];
  private listFailures: unknown[] = [];
  private watchFailures: unknown[] = [];

  failNextList(err: unknown): void {
    this.listFailures.push(err);
  }

  failNextWatch(err: unknown): void {
    this.watchFailures.push(err);
  }

  async list(): Promise<ListResult<Obj>> {
    this.listCalls++;
    if (this.listFailures.length > 0) throw this.listFailures.shift();
    return { items: [...this.state.items], resourceVersion: this.state.resourceVersion };
  }

  async watch(resourceVersion: string, callbacks: WatchCallbacks<Obj>): Promise<WatchHandle> {
    if (this.watchFailures.length > 0) throw this.watchFailures.shift();
    const w: FakeWatch = { resourceVersion, callbacks, stopped: false };
    this.watches.push(w);
    return { stop: () => (w.stopped = true) };
  }

  current(): FakeWatch {
    const w = this.watches[this.watches.length - 1];
    if (w === undefined) throw new Error('no watch started');
    return w;
  }

  emit(event: WatchEvent<Obj>): void {
    this.current().callbacks.onEvent(event);
  }
}

type Note = string;

function setup(): {
  source: FakeSource;
  clock: FakeClock;
  informer: Informer<Obj>;
  notes: Note[];
  lines: () => Array<Record<string, unknown>>;
} {
  const source = new FakeSource();
  const clock = new FakeClock(0);
  const { logger, lines } = captureLogger();
  const informer = new Informer<Obj>({
    source,
    clock,
    logger,
    backoff: { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 0 },
  });
  const notes: Note[] = [];
  const name = (o: Obj): string => o.metadata?.name ?? '?';
  informer.addHandlers({
    onAdd: (o) => notes.push(`add ${name(o)}@${o.metadata?.resourceVersion}`),
    onUpdate: (a, b) =>
      notes.push(`update ${name(b)} ${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: (o, info: DeleteInfo) =>
      notes.push(`delete ${name(o)}${info.finalStateUnknown ? ' (unknown final)' : ''}`),
  });
  return { source, clock, informer, notes, lines };
}

describe('Informer', () => {
  it('fills the cache from the list, notifies adds, syncs, and watches from the list resourceVersion', async () => {
    const { source, informer, notes } = setup();
    source.state = { items: [obj('a', '5'), obj('b', '6')], resourceVersion: '10' };
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    expect(informer.hasSynced()).toBe(true);
    expect(notes).toEqual(['add a@5', 'add b@6']);
    expect(informer.keys().sort()).toEqual(['ns/a', 'ns/b']);
    expect(source.current().resourceVersion).toBe('10');
  });

  it('applies watch events to the cache and tracks their resourceVersion', async () => {
    const { source, informer, notes } = setup();
    informer.start();
    await flushPromises();
    source.emit({ type: 'ADDED', object: obj('a', '11', 1) });
    source.emit({ type: 'MODIFIED', object: obj('a', '12', 2) });
    expect(informer.get('ns/a')?.spec?.v).toBe(2);
    source.emit({ type: 'DELETED', object: obj('a', '13', 2) });
    expect(informer.get('ns/a')).toBeUndefined();
    expect(notes).toEqual(['add a@11', 'update a 11->12', 'delete a']);
    expect(informer.lastResourceVersion()).toBe('13');
  });

  it('advances the resourceVersion on BOOKMARK without notifying, and resumes a closed watch from it', async () => {
    const { source, informer, notes } = setup();
    informer.start();
    await flushPromises();
    source.emit({ type: 'BOOKMARK', resourceVersion: '42' });
    expect(notes).toEqual([]);
    source.current().callbacks.onClose();
    await flushPromises();
    expect(source.watches).toHaveLength(2);
    expect(source.current().resourceVersion).toBe('42');
    expect(source.listCalls).toBe(1);
  });

  it('restarts a healthy watch at once after it closes with an error (e.g. the 30s inactivity timeout)', async () => {
    const { source, clock, informer } = setup();
    informer.start();
    await flushPromises();
    await clock.advance(30_000);
    source.current().callbacks.onClose(new Error('The operation was aborted due to timeout'));
    await flushPromises();
    expect(source.watches).toHaveLength(2);
    expect(source.watches[0]?.stopped).toBe(true);
  });

  it('backs off exponentially while the watch fails at once, and resets after a healthy watch', async () => {
    const { source, clock, informer } = setup();
    informer.start();
    await flushPromises();
    source.failNextWatch(new Error('connection refused'));
    source.current().callbacks.onClose(new Error('reset')); // first watch: 0ms old, no events -> unhealthy
    await flushPromises();
    expect(source.watches).toHaveLength(1);
    await clock.advance(799);
    expect(source.watches).toHaveLength(1);
    await clock.advance(1); // 800: attempt fails (rejects)
    await clock.advance(1599);
    expect(source.watches).toHaveLength(1);
    await clock.advance(1); // +1600: attempt succeeds
    expect(source.watches).toHaveLength(2);
    source.emit({ type: 'BOOKMARK', resourceVersion: '3' });
    source.current().callbacks.onClose();
    await flushPromises();
    expect(source.watches).toHaveLength(3); // healthy: no delay
  });

  it('on a 410 ERROR event re-lists and notifies deletes that happened in the gap, updates and adds', async () => {
    const { source, informer, notes } = setup();
    source.state = {
      items: [obj('keep', '1'), obj('change', '2'), obj('vanish', '3')],
      resourceVersion: '3',
    };
    informer.start();
    await flushPromises();
    notes.length = 0;
    source.state = { items: [obj('keep', '1'), obj('change', '7'), obj('new', '8')], resourceVersion: '9' };
    source.emit({
      type: 'ERROR',
      status: { code: 410, reason: 'Expired', message: 'too old resource version' },
    });
    await flushPromises();
    expect(source.listCalls).toBe(2);
    expect(notes).toEqual(['delete vanish (unknown final)', 'update change 2->7', 'add new@8']);
    expect(informer.keys().sort()).toEqual(['ns/change', 'ns/keep', 'ns/new']);
    expect(source.watches[0]?.stopped).toBe(true);
    expect(source.current().resourceVersion).toBe('9');
  });

  it('re-lists when the watch request itself fails with HTTP 410', async () => {
    const { source, clock, informer } = setup();
    informer.start();
    await flushPromises();
    source.failNextWatch(Object.assign(new Error('Gone'), { statusCode: 410 }));
    source.current().callbacks.onClose(); // closed at once: the restart waits the first backoff step
    await clock.advance(800);
    expect(source.listCalls).toBe(2);
  });

  it('re-watches from the same resourceVersion, without re-listing, on a non-410 ERROR event', async () => {
    const { source, informer } = setup();
    source.state = { items: [], resourceVersion: '20' };
    informer.start();
    await flushPromises();
    source.emit({ type: 'ADDED', object: obj('a', '21') });
    source.emit({ type: 'ERROR', status: { code: 500, reason: 'InternalError', message: 'etcd hiccup' } });
    await flushPromises();
    expect(source.listCalls).toBe(1);
    expect(source.current().resourceVersion).toBe('21');
  });

  it('retries a failed list after the backoff and only then syncs', async () => {
    const { source, clock, informer, lines } = setup();
    source.failNextList(new Error('forbidden'));
    informer.start();
    await flushPromises();
    expect(informer.hasSynced()).toBe(false);
    await clock.advance(800);
    expect(source.listCalls).toBe(2);
    expect(informer.hasSynced()).toBe(true);
    expect(lines().some((l) => l.msg === 'list failed, retrying' && l.error === 'forbidden')).toBe(true);
  });

  it('keeps the cache and other handlers working when a handler throws', async () => {
    const { source, informer, notes, lines } = setup();
    informer.addHandlers({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    informer.start();
    await flushPromises();
    source.emit({ type: 'ADDED', object: obj('a', '2') });
    expect(informer.get('ns/a')).toBeDefined();
    expect(notes).toEqual(['add a@2']);
    expect(lines().some((l) => l.msg === 'informer handler threw')).toBe(true);
  });

  it('replays the cache as adds to handlers registered late, and stops notifying after unsubscribe', async () => {
    const { source, informer } = setup();
    source.state = { items: [obj('a', '1')], resourceVersion: '1' };
    informer.start();
    await flushPromises();
    const seen: string[] = [];
    const off = informer.addHandlers({ onAdd: (o) => seen.push(o.metadata?.name ?? '') });
    expect(seen).toEqual(['a']);
    off();
    source.emit({ type: 'ADDED', object: obj('b', '2') });
    expect(seen).toEqual(['a']);
  });

  it('after stop, ignores late events and starts no new watch or list', async () => {
    const { source, clock, informer, notes } = setup();
    informer.start();
    await flushPromises();
    const w = source.current();
    informer.stop();
    expect(w.stopped).toBe(true);
    w.callbacks.onEvent({ type: 'ADDED', object: obj('late', '5') });
    w.callbacks.onClose(new Error('closed'));
    await clock.advance(60_000);
    expect(notes).toEqual([]);
    expect(source.watches).toHaveLength(1);
    expect(source.listCalls).toBe(1);
  });

  it('stops a watch whose start resolves after the informer was stopped', async () => {
    const { source, informer } = setup();
    let release: (h: WatchHandle) => void = () => undefined;
    let stopped = false;
    source.watch = () =>
      new Promise<WatchHandle>((resolve) => {
        release = resolve;
      });
    informer.start();
    await flushPromises();
    informer.stop();
    release({ stop: () => (stopped = true) });
    await flushPromises();
    expect(stopped).toBe(true);
  });
});
