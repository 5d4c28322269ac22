import { podPhase, podStatus, type ContainerView, type PodView } from './status';

const running: ContainerView = { name: 'a', image: 'i', runningSince: 1_000, restartCount: 0, ready: true };
const done = (exitCode: number): ContainerView => ({
  name: 'a',
  image: 'i',
  terminated: { exitCode, startedAt: 1_000, finishedAt: 2_000 },
  restartCount: 0,
  ready: false,
});
const waiting: ContainerView = {
  name: 'a',
  image: 'i',
  waiting: { reason: 'CreateContainerConfigError', message: 'x' },
  restartCount: 0,
  ready: false,
};
const view = (restartPolicy: string, containers: ContainerView[]): PodView => ({
  restartPolicy,
  podIPs: ['192.0.2.11'],
  hostIPs: ['192.0.2.11'],
  startTime: 1_000,
  containers,
});

describe('podPhase', () => {
  test.each([
    ['Always', [waiting], 'Pending'],
    ['Always', [running], 'Running'],
    ['Always', [done(0)], 'Running'],
    ['Never', [done(0)], 'Succeeded'],
    ['Never', [done(3)], 'Failed'],
    ['Never', [done(0), running], 'Running'],
    ['OnFailure', [done(0)], 'Succeeded'],
    ['OnFailure', [done(1)], 'Running'],
  ] as const)('%s %j -> %s', (policy, cs, want) => {
    expect(podPhase(view(policy, [...cs]))).toBe(want);
  });
});

describe('podStatus', () => {
  test('Ready follows every container being ready', () => {
    const s = podStatus(view('Always', [running, { ...running, name: 'b', ready: false }]), 5_000);
    expect(s.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }),
      ]),
    );
    const ok = podStatus(view('Always', [running]), 5_000);
    expect(ok.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'True' })]),
    );
    expect(ok).toMatchObject({ phase: 'Running', podIP: '192.0.2.11', hostIPs: [{ ip: '192.0.2.11' }] });
  });

  test('a signal death reports the signal number (the API field is an int32)', () => {
    const s = podStatus(
      view('Never', [
        { ...done(143), terminated: { exitCode: 143, signal: 15, startedAt: 1_000, finishedAt: 2_000 } },
      ]),
      5_000,
    );
    expect(s.containerStatuses).toEqual([
      expect.objectContaining({
        state: { terminated: expect.objectContaining({ exitCode: 143, signal: 15, reason: 'Error' }) },
      }),
    ]);
  });

  test('a container backing off shows waiting CrashLoopBackOff, with the exit it waits after as lastState', () => {
    const backingOff: ContainerView = {
      ...done(7),
      restartCount: 1,
      waiting: {
        reason: 'CrashLoopBackOff',
        message: 'back-off 10s restarting failed container=a pod=p_ns(u)',
      },
      lastTerminated: { exitCode: 7, startedAt: 100, finishedAt: 200 },
    };
    const [c] = podStatus(view('Always', [backingOff]), 5_000).containerStatuses as Record<string, unknown>[];
    expect(c?.state).toEqual({ waiting: backingOff.waiting });
    expect(c?.lastState).toEqual({
      terminated: expect.objectContaining({ exitCode: 7, finishedAt: '1970-01-01T00:00:02Z' }),
    });
  });
});
