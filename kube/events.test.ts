import { COMBINED_PREFIX, Correlation, EventCorrelator, EventInput } from './events';

const svc = (name: string, uid = `uid-${name}`): EventInput['involvedObject'] => ({
  apiVersion: 'v1',
  kind: 'Service',
  namespace: 'default',
  name,
  uid,
});
const ev = (name: string, message = 'Assigned IP ["192.0.2.1"]', reason = 'IPAllocated'): EventInput => ({
  involvedObject: svc(name),
  type: 'Normal',
  reason,
  message,
});

/** Correlates and, as the recorder does, records every create or patch as written. */
function run(c: EventCorrelator, input: EventInput, now: number): Correlation {
  const d = c.correlate(input, now);
  if (d.action === 'create')
    c.recordWritten(d.key, { name: `e${now}`, namespace: 'default', count: 1, firstTimestamp: now }, now);
  if (d.action === 'patch') c.recordWritten(d.key, { ...d }, now);
  return d;
}

const source = { component: 'metallb-controller' };

describe('EventCorrelator deduplication', () => {
  it('creates the first event and patches count on repeats, keeping firstTimestamp', () => {
    const c = new EventCorrelator(source);
    expect(run(c, ev('web'), 0).action).toBe('create');
    expect(run(c, ev('web'), 1000)).toMatchObject({
      action: 'patch',
      name: 'e0',
      count: 2,
      firstTimestamp: 0,
    });
    expect(run(c, ev('web'), 2000)).toMatchObject({ action: 'patch', name: 'e0', count: 3 });
  });

  it('creates a new event when the repeat comes after the window', () => {
    const c = new EventCorrelator(source, { windowMs: 10_000 });
    run(c, ev('web'), 0);
    expect(run(c, ev('web'), 10_001).action).toBe('create');
  });

  it('keeps different messages, reasons, types and objects apart', () => {
    const c = new EventCorrelator(source);
    run(c, ev('web'), 0);
    expect(run(c, ev('web', 'Assigned IP ["192.0.2.2"]'), 1).action).toBe('create');
    expect(run(c, ev('web', 'Assigned IP ["192.0.2.1"]', 'ClearAssignment'), 2).action).toBe('create');
    expect(run(c, { ...ev('web'), type: 'Warning' }, 3).action).toBe('create');
    expect(run(c, { ...ev('web'), involvedObject: svc('web', 'recreated-uid') }, 4).action).toBe('create');
    expect(run(c, ev('api'), 5).action).toBe('create');
  });

  it('creates again after forget (the Event was deleted or never written)', () => {
    const c = new EventCorrelator(source);
    const first = run(c, ev('web'), 0);
    if (first.action === 'create') c.forget(first.key);
    expect(run(c, ev('web'), 1).action).toBe('create');
  });

  it('bounds its memory: the least recently used entry is forgotten first', () => {
    const c = new EventCorrelator(source, { cacheSize: 2 });
    run(c, ev('a'), 0);
    run(c, ev('b'), 1);
    run(c, ev('a'), 2); // touch a
    run(c, ev('c'), 3); // evicts b
    expect(run(c, ev('a'), 4).action).toBe('patch');
    expect(run(c, ev('b'), 5).action).toBe('create');
  });
});

describe('EventCorrelator spam filter', () => {
  it('lets a burst of 25 through per object, then one per 5 minutes', () => {
    const c = new EventCorrelator(source);
    const actions = Array.from({ length: 26 }, (_, i) => run(c, ev('web', `m${i % 3}`), i).action);
    expect(actions.filter((a) => a !== 'drop')).toHaveLength(25);
    expect(actions[25]).toBe('drop');
    expect(run(c, ev('other'), 30).action).toBe('create'); // another object has its own bucket
    expect(run(c, ev('web'), 299_999).action).toBe('drop');
    expect(run(c, ev('web'), 300_026).action).not.toBe('drop');
  });

  it('turns a storm of 24,000 events in 10 minutes on one object into 26 writes', () => {
    const c = new EventCorrelator(source);
    let writes = 0;
    for (let i = 0; i < 24_000; i++) {
      // Distinct messages: nothing to deduplicate, only the rate limit helps.
      if (
        run(c, ev('web', `Failed to allocate IP: attempt ${i}`, 'AllocationFailed'), i * 25).action !== 'drop'
      )
        writes++;
    }
    expect(writes).toBe(25 + 1); // the burst, then one at 5 minutes; the next token is due at 10
  });
});

describe('EventCorrelator aggregation of similar events', () => {
  it('combines the 10th distinct message for one object and reason into a single event, then patches it', () => {
    const c = new EventCorrelator(source);
    const results = Array.from({ length: 12 }, (_, i) =>
      run(c, ev('web', `msg ${i}`, 'AllocationFailed'), i),
    );
    expect(results.slice(0, 9).every((r) => r.action === 'create')).toBe(true);
    expect(results[9]).toMatchObject({ action: 'create', message: `${COMBINED_PREFIX}msg 9` });
    expect(results[10]).toMatchObject({ action: 'patch', count: 2, message: `${COMBINED_PREFIX}msg 10` });
    expect(results[11]).toMatchObject({ action: 'patch', count: 3 });
  });

  it('starts counting similar messages again after the window', () => {
    const c = new EventCorrelator(source, { windowMs: 1000 });
    for (let i = 0; i < 9; i++) run(c, ev('web', `msg ${i}`), i);
    expect(run(c, ev('web', 'msg 9'), 2000)).toMatchObject({ action: 'create', message: 'msg 9' });
  });
});
