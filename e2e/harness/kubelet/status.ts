// Pod status from what the process kubelet knows about its containers: pure, so the phase rules are tested
// without processes. Follows the kubelet's getPhase(): Pending until every container started, Running while any
// runs or may restart, Succeeded/Failed once all ended for good.
import { formatTime } from '../../../kube/timefmt';

export interface Terminated {
  exitCode: number;
  /** Signal number (ContainerStateTerminated.signal is an int32). */
  signal?: number;
  startedAt: number;
  finishedAt: number;
}

export interface ContainerView {
  name: string;
  image: string;
  pid?: number;
  /** Set while the process runs. */
  runningSince?: number;
  terminated?: Terminated;
  lastTerminated?: Terminated;
  /** Why the container is not running yet (e.g. UnknownImage, CreateContainerConfigError). */
  waiting?: { reason: string; message: string };
  restartCount: number;
  ready: boolean;
}

export interface PodView {
  restartPolicy: string;
  podIPs: string[];
  hostIPs: string[];
  startTime: number;
  containers: ContainerView[];
}

export function podPhase(view: PodView): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  const cs = view.containers;
  if (cs.some((c) => c.runningSince !== undefined)) return 'Running';
  const allEnded = cs.length > 0 && cs.every((c) => c.terminated !== undefined);
  if (!allEnded) return cs.some((c) => c.terminated !== undefined) ? 'Running' : 'Pending';
  const allZero = cs.every((c) => c.terminated?.exitCode === 0);
  switch (view.restartPolicy) {
    case 'Never':
      return allZero ? 'Succeeded' : 'Failed';
    case 'OnFailure':
      // Failed containers are about to be restarted.
      return allZero ? 'Succeeded' : 'Running';
    default:
      return 'Running';
  }
}

function terminatedState(t: Terminated): Record<string, unknown> {
  return {
    exitCode: t.exitCode,
    ...(t.signal !== undefined ? { signal: t.signal } : {}),
    reason: t.exitCode === 0 ? 'Completed' : 'Error',
    startedAt: formatTime(t.startedAt),
    finishedAt: formatTime(t.finishedAt),
  };
}

function containerStatus(c: ContainerView): Record<string, unknown> {
  let state: Record<string, unknown>;
  let last = c.lastTerminated;
  if (c.runningSince !== undefined) state = { running: { startedAt: formatTime(c.runningSince) } };
  else if (c.waiting !== undefined) {
    // Waiting to start again (CrashLoopBackOff): the exit it waits after is the last state, as the kubelet shows.
    state = { waiting: c.waiting };
    last = c.terminated ?? c.lastTerminated;
  } else if (c.terminated !== undefined) state = { terminated: terminatedState(c.terminated) };
  else state = { waiting: { reason: 'ContainerCreating', message: '' } };
  return {
    name: c.name,
    image: c.image,
    imageID: '',
    ...(c.pid !== undefined ? { containerID: `ironlb-process://${c.pid}` } : {}),
    ready: c.ready,
    started: c.runningSince !== undefined,
    restartCount: c.restartCount,
    state,
    lastState: last !== undefined ? { terminated: terminatedState(last) } : {},
  };
}

/** The full status object the kubelet writes (as a merge patch, which replaces each list wholesale). */
export function podStatus(view: PodView, now: number): Record<string, unknown> {
  const phase = podPhase(view);
  const t = formatTime(now);
  const containersReady = view.containers.length > 0 && view.containers.every((c) => c.ready);
  const cond = (type: string, ok: boolean, reason?: string): Record<string, unknown> => ({
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: t,
    ...(reason !== undefined && !ok ? { reason } : {}),
  });
  return {
    phase,
    podIP: view.podIPs[0],
    podIPs: view.podIPs.map((ip) => ({ ip })),
    hostIP: view.hostIPs[0],
    hostIPs: view.hostIPs.map((ip) => ({ ip })),
    startTime: formatTime(view.startTime),
    conditions: [
      cond('PodReadyToStartContainers', true),
      cond('Initialized', true),
      cond('Ready', containersReady, phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady'),
      cond('ContainersReady', containersReady, phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady'),
      cond('PodScheduled', true),
    ],
    containerStatuses: view.containers.map(containerStatus),
  };
}
