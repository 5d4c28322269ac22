import { KubeApiError } from './errors';
import { CoreEvent, EventCountPatch, EventRecorder, EventSink, RestEventSink } from './eventrecorder';
import { FakeClock } from '../testkit/fakeclock';
import type { RestClient, RestRequest } from './rest';
import { captureLogger } from '../testkit/capturedlogger';

class FakeSink implements EventSink {
  created: CoreEvent[] = [];
  patched: Array<{ namespace: string; name: string; patch: EventCountPatch }> = [];
  failCreate: unknown[] = [];
  failPatch: unknown[] = [];

  async create(event: CoreEvent): Promise<void> {
    if (this.failCreate.length > 0) throw this.failCreate.shift();
    this.created.push(event);
  }

  async patch(namespace: string, name: string, patch: EventCountPatch): Promise<void> {
    if (this.failPatch.length > 0) throw this.failPatch.shift();
    this.patched.push({ namespace, name, patch });
  }
}

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5' },
};

function setup(maxQueued?: number) {
  const sink = new FakeSink();
  const clock = new FakeClock(Date.UTC(2024, 4, 1, 10, 0, 0));
  const { logger, lines } = captureLogger();
  const recorder = new EventRecorder({
    sink,
    clock,
    logger,
    source: { component: 'metallb-controller' },
    maxQueued,
  });
  return { sink, clock, recorder, lines };
}

describe('EventRecorder', () => {
  it('writes a core/v1 Event naming the object, reason, type, source and timestamps', async () => {
    const { sink, recorder } = setup();
    recorder.event(service, 'Normal', 'IPAllocated', 'Assigned IP ["192.0.2.1"]');
    await recorder.flush();
    expect(sink.created).toHaveLength(1);
    expect(sink.created[0]).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'default' },
      involvedObject: { kind: 'Service', name: 'web', namespace: 'default', uid: 'u1', apiVersion: 'v1' },
      reason: 'IPAllocated',
      message: 'Assigned IP ["192.0.2.1"]',
      type: 'Normal',
      source: { component: 'metallb-controller' },
      firstTimestamp: '2024-05-01T10:00:00Z',
      lastTimestamp: '2024-05-01T10:00:00Z',
      count: 1,
    });
    expect(sink.created[0]?.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
  });

  it('bumps count with a patch on a repeat instead of creating another Event', async () => {
    const { sink, recorder, clock } = setup();
    recorder.event(service, 'Normal', 'nodeAssigned', 'announcing from node "n1"');
    await recorder.flush();
    await clock.advance(5000);
    recorder.event(service, 'Normal', 'nodeAssigned', 'announcing from node "n1"');
    await recorder.flush();
    expect(sink.created).toHaveLength(1);
    expect(sink.patched).toEqual([
      {
        namespace: 'default',
        name: sink.created[0]?.metadata.name,
        patch: { count: 2, message: 'announcing from node "n1"', lastTimestamp: '2024-05-01T10:00:05Z' },
      },
    ]);
  });

  it('creates a fresh Event when the one to patch has expired (404)', async () => {
    const { sink, recorder } = setup();
    recorder.event(service, 'Warning', 'AllocationFailed', 'no available IPs');
    await recorder.flush();
    sink.failPatch.push(new KubeApiError(404, 'PATCH', '/events/x', { reason: 'NotFound' }));
    recorder.event(service, 'Warning', 'AllocationFailed', 'no available IPs');
    await recorder.flush();
    expect(sink.created).toHaveLength(2);
  });

  it('logs and drops a failed write without throwing, and creates on the next occurrence', async () => {
    const { sink, recorder, lines } = setup();
    sink.failCreate.push(
      new KubeApiError(403, 'POST', '/events', { reason: 'Forbidden', message: 'no RBAC' }),
    );
    expect(() => recorder.event(service, 'Normal', 'IPAllocated', 'x')).not.toThrow();
    await recorder.flush();
    expect(lines().some((l) => l.msg === 'writing event failed, dropping it')).toBe(true);
    recorder.event(service, 'Normal', 'IPAllocated', 'x');
    await recorder.flush();
    expect(sink.created).toHaveLength(1);
    expect(sink.patched).toHaveLength(0);
  });

  it('puts Events about cluster-scoped objects in the default namespace', async () => {
    const { sink, recorder } = setup();
    recorder.event(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } },
      'Warning',
      'announceFailed',
      'x',
    );
    await recorder.flush();
    expect(sink.created[0]?.metadata.namespace).toBe('default');
  });

  it('drops events beyond the queue bound instead of growing without limit', async () => {
    const { sink, recorder, lines } = setup(2);
    for (let i = 0; i < 5; i++) recorder.event(service, 'Normal', 'R', `m${i}`);
    await recorder.flush();
    // The first is taken by the writer at once; two more fit in the queue.
    expect(sink.created.length).toBe(3);
    expect(lines().filter((l) => l.msg === 'event queue full, dropping event')).toHaveLength(2);
  });

  it('rate-limits a storm on one object to the spam filter burst', async () => {
    const { sink, recorder } = setup(100_000);
    for (let i = 0; i < 1000; i++) recorder.event(service, 'Warning', 'AllocationFailed', `attempt ${i}`);
    await recorder.flush();
    expect(sink.created.length + sink.patched.length).toBe(25);
  });
});

describe('RestEventSink', () => {
  it('creates with POST and bumps with a JSON merge patch', async () => {
    const requests: RestRequest[] = [];
    const rest: RestClient = { request: async (r) => void requests.push(r) };
    const sink = new RestEventSink(rest);
    const patch = { count: 2, message: 'm', lastTimestamp: '2024-05-01T10:00:05Z' };
    await sink.patch('default', 'web.17', patch);
    expect(requests[0]).toEqual({
      method: 'PATCH',
      path: '/api/v1/namespaces/default/events/web.17',
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  });
});
