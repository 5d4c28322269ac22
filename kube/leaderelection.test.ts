import { KubeApiError } from './errors';
import { FakeClock, flushPromises } from '../testkit/fakeclock';
import {
  LeaderElectionConfigError,
  LeaderElector,
  LeaseClient,
  LeaseRecord,
  ObservedLease,
  StoredLease,
  decideLease,
  observeLease,
  releaseRecord,
} from './leaderelection';
import { captureLogger } from '../testkit/capturedlogger';

const params = { leaseDurationSeconds: 15 };
const held = (holder: string, over: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: 1000,
  renewTime: 5000,
  leaseTransitions: 3,
  ...over,
});
const seen = (record: LeaseRecord, observedAt: number): ObservedLease => ({
  record,
  resourceVersion: '7',
  observedAt,
});

describe('decideLease', () => {
  it('creates the lease when there is none', () => {
    expect(decideLease(undefined, 100, 'me', params)).toEqual({
      action: 'create',
      record: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: 100,
        renewTime: 100,
        leaseTransitions: 0,
      },
    });
  });

  it('waits while another holder is within leaseDuration of our observation', () => {
    expect(decideLease(seen(held('other'), 10_000), 24_999, 'me', params)).toEqual({
      action: 'wait',
      holder: 'other',
      expiresAt: 25_000,
    });
  });

  it('judges expiry by our observation time, not the remote renewTime (clock skew)', () => {
    // The holder's renewTime is an hour behind our clock, but we only just saw the record change.
    const record = held('other', { renewTime: 0 });
    expect(decideLease(seen(record, 3_600_000), 3_600_001, 'me', params).action).toBe('wait');
  });

  it('takes over an expired lease: new acquireTime, one more transition', () => {
    expect(decideLease(seen(held('other'), 10_000), 25_000, 'me', params)).toEqual({
      action: 'update',
      resourceVersion: '7',
      renewing: false,
      record: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: 25_000,
        renewTime: 25_000,
        leaseTransitions: 4,
      },
    });
  });

  it('renews its own lease keeping acquireTime and transitions', () => {
    expect(decideLease(seen(held('me'), 10_000), 12_000, 'me', params)).toMatchObject({
      action: 'update',
      renewing: true,
      record: { acquireTime: 1000, renewTime: 12_000, leaseTransitions: 3 },
    });
  });

  it('takes a released lease (empty holder) at once', () => {
    const released = releaseRecord(held('other'), 9000);
    expect(decideLease(seen(released, 9000), 9001, 'me', params)).toMatchObject({
      action: 'update',
      record: { holderIdentity: 'me', leaseTransitions: 4 },
    });
  });
});

describe('observeLease', () => {
  it('keeps the observation time while the record is unchanged and moves it when it changes', () => {
    const first = observeLease(undefined, { record: held('a'), resourceVersion: '1' }, 100);
    const same = observeLease(first, { record: held('a'), resourceVersion: '1' }, 200);
    const renewed = observeLease(same, { record: held('a', { renewTime: 6000 }), resourceVersion: '2' }, 300);
    expect([first?.observedAt, same?.observedAt, renewed?.observedAt]).toEqual([100, 100, 300]);
    expect(observeLease(renewed, undefined, 400)).toBeUndefined();
  });
});

describe('releaseRecord', () => {
  it('empties the holder, shortens the duration to 1s and keeps the transition count', () => {
    expect(releaseRecord(held('me'), 42)).toEqual({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: 42,
      renewTime: 42,
      leaseTransitions: 3,
    });
  });
});

/** One Lease in memory with resourceVersion checks, shared by every candidate. */
class FakeLeaseServer {
  lease: StoredLease | undefined;
  private rv = 0;
  failing = false;
  hang = false;
  writes = 0;

  client(): LeaseClient {
    const guard = async (): Promise<void> => {
      if (this.hang) await new Promise(() => undefined);
      if (this.failing) throw new Error('apiserver unavailable');
    };
    return {
      get: async () => {
        await guard();
        return this.lease;
      },
      create: async (record) => {
        await guard();
        if (this.lease !== undefined)
          throw new KubeApiError(409, 'POST', '/leases', { reason: 'AlreadyExists' });
        return this.store(record);
      },
      update: async (record, resourceVersion) => {
        await guard();
        if (this.lease?.resourceVersion !== resourceVersion) {
          throw new KubeApiError(409, 'PUT', '/leases/x', { reason: 'Conflict' });
        }
        return this.store(record);
      },
    };
  }

  private store(record: LeaseRecord): StoredLease {
    this.writes++;
    this.lease = { record, resourceVersion: String(++this.rv) };
    return this.lease;
  }
}

interface Candidate {
  elector: LeaderElector;
  events: string[];
  done: Promise<void>;
  signal: () => AbortSignal | undefined;
}

function candidate(server: FakeLeaseServer, clock: FakeClock, identity: string): Candidate {
  const events: string[] = [];
  let leadSignal: AbortSignal | undefined;
  const elector = new LeaderElector({
    client: server.client(),
    clock,
    logger: captureLogger().logger,
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    random: () => 0,
    callbacks: {
      onStartedLeading: (signal) => {
        leadSignal = signal;
        events.push('started');
      },
      onStoppedLeading: () => events.push('stopped'),
      onNewLeader: (id) => events.push(`leader ${id}`),
    },
  });
  return { elector, events, done: elector.run(), signal: () => leadSignal };
}

describe('LeaderElector', () => {
  it('creates the lease and leads when it is alone', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    const a = candidate(server, clock, 'a');
    await flushPromises();
    expect(a.events).toEqual(['leader a', 'started']);
    expect(a.elector.isLeader()).toBe(true);
    expect(server.lease?.record).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0 });
    a.elector.stop();
    await a.done;
  });

  it('renews every retryPeriod', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    const a = candidate(server, clock, 'a');
    await flushPromises();
    await clock.advance(2_000);
    expect(server.lease?.record.renewTime).toBe(2_000);
    await clock.advance(2_000);
    expect(server.lease?.record.renewTime).toBe(4_000);
    expect(server.lease?.record.acquireTime).toBe(0);
    a.elector.stop();
    await a.done;
  });

  it('a second candidate waits, and takes over within a retry period after a graceful release', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    const a = candidate(server, clock, 'a');
    await flushPromises();
    const b = candidate(server, clock, 'b');
    await clock.advance(6_000);
    expect(b.events).toEqual(['leader a']);
    a.elector.stop();
    await a.done;
    expect(a.events).toEqual(['leader a', 'started', 'stopped']);
    expect(server.lease?.record.holderIdentity).toBe('');
    await clock.advance(2_000);
    expect(b.events).toEqual(['leader a', 'leader b', 'started']);
    expect(server.lease?.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    b.elector.stop();
    await b.done;
  });

  it('a crashed leader is replaced only after leaseDuration from when its record stopped changing', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    server.lease = { record: held('dead', { renewTime: 0 }), resourceVersion: '99' };
    const b = candidate(server, clock, 'b');
    await clock.advance(14_000);
    expect(b.elector.isLeader()).toBe(false);
    await clock.advance(2_000); // first observation at t=0, 15s lease: free from t=15s, next try at t=16s
    expect(b.elector.isLeader()).toBe(true);
    expect(server.lease?.record.leaseTransitions).toBe(4);
    b.elector.stop();
    await b.done;
  });

  it('steps down after failing to renew for renewDeadline, aborting the leader signal', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    const a = candidate(server, clock, 'a');
    await flushPromises();
    server.failing = true;
    await clock.advance(8_000);
    expect(a.elector.isLeader()).toBe(true);
    await clock.advance(2_000); // t=10s: last renew at 0, deadline passed
    await a.done;
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(['leader a', 'started', 'stopped']);
    expect(a.signal()?.aborted).toBe(true);
  });

  it('steps down at the deadline when the API call hangs', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    const a = candidate(server, clock, 'a');
    await flushPromises();
    server.hang = true;
    await clock.advance(10_000);
    await a.done;
    expect(a.events).toContain('stopped');
  });

  it('steps down at once when it sees another holder took the lease', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    const a = candidate(server, clock, 'a');
    await flushPromises();
    server.lease = { record: held('usurper', { renewTime: 1 }), resourceVersion: '50' };
    await clock.advance(2_000);
    await a.done;
    expect(a.events).toEqual(['leader a', 'started', 'leader usurper', 'stopped']);
  });

  it('survives a lost write race (409) and tries again', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    const client = server.client();
    let raced = false;
    const racing: LeaseClient = {
      get: () => client.get(),
      create: async (record) => {
        if (!raced) {
          raced = true;
          throw new KubeApiError(409, 'POST', '/leases', { reason: 'AlreadyExists' });
        }
        return client.create(record);
      },
      update: (r, rv) => client.update(r, rv),
    };
    const started: string[] = [];
    const elector = new LeaderElector({
      client: racing,
      clock,
      logger: captureLogger().logger,
      identity: 'a',
      random: () => 0,
      callbacks: { onStartedLeading: () => void started.push('a'), onStoppedLeading: () => undefined },
    });
    const done = elector.run();
    await flushPromises();
    expect(elector.isLeader()).toBe(false);
    await clock.advance(2_000);
    expect(started).toEqual(['a']);
    elector.stop();
    await done;
  });

  it('a throwing callback is logged, not fatal', async () => {
    const server = new FakeLeaseServer();
    const clock = new FakeClock(0);
    const { logger, lines } = captureLogger();
    const elector = new LeaderElector({
      client: server.client(),
      clock,
      logger,
      identity: 'a',
      callbacks: {
        onStartedLeading: async () => {
          throw new Error('worker failed to start');
        },
        onStoppedLeading: () => undefined,
      },
    });
    const done = elector.run();
    await flushPromises();
    expect(elector.isLeader()).toBe(true);
    expect(lines().some((l) => l.error === 'worker failed to start')).toBe(true);
    elector.stop();
    await done;
  });

  it.each([
    [{ leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }],
    [{ renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }],
    [{ identity: '' }],
  ])('rejects inconsistent timing or identity %o', (over) => {
    expect(
      () =>
        new LeaderElector({
          client: new FakeLeaseServer().client(),
          clock: new FakeClock(0),
          logger: captureLogger().logger,
          identity: 'a',
          callbacks: { onStartedLeading: () => undefined, onStoppedLeading: () => undefined },
          ...over,
        }),
    ).toThrow(LeaderElectionConfigError);
  });
});
