import { conditionsFor, daemonSetNotReady, deploymentNotReady, sameConditions } from './status';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const LATER = new Date('2026-01-01T00:05:00.000Z');

const byType = (conds: ReturnType<typeof conditionsFor>) =>
  Object.fromEntries(conds.map((c) => [c.type, c.status]));

describe('conditionsFor', () => {
  test('available: Available and Upgradeable true, the rest false, in upstream order', () => {
    const conds = conditionsFor({ kind: 'available' }, 3, NOW);
    expect(conds.map((c) => c.type)).toEqual(['Available', 'Upgradeable', 'Progressing', 'Degraded']);
    expect(byType(conds)).toEqual({
      Available: 'True',
      Upgradeable: 'True',
      Progressing: 'False',
      Degraded: 'False',
    });
    expect(conds.every((c) => c.observedGeneration === 3 && c.reason === c.type)).toBe(true);
  });

  test('degraded: only Degraded true, with the reason and message', () => {
    const conds = conditionsFor(
      { kind: 'degraded', reason: 'IncorrectMetalLBResourceName', message: 'm' },
      1,
      NOW,
    );
    expect(byType(conds)).toEqual({
      Available: 'False',
      Upgradeable: 'False',
      Progressing: 'False',
      Degraded: 'True',
    });
    expect(conds[3]).toMatchObject({ reason: 'IncorrectMetalLBResourceName', message: 'm' });
  });

  test('progressing: only Progressing true', () => {
    const conds = conditionsFor({ kind: 'progressing', reason: 'DaemonSetNotReady', message: 'x' }, 1, NOW);
    expect(byType(conds)).toMatchObject({ Progressing: 'True', Available: 'False', Degraded: 'False' });
  });

  test('a condition whose status did not change keeps its transition time', () => {
    const first = conditionsFor({ kind: 'progressing', reason: 'r', message: 'm' }, 1, NOW);
    const second = conditionsFor({ kind: 'available' }, 1, LATER, first);
    expect(second.find((c) => c.type === 'Degraded')?.lastTransitionTime).toBe(NOW.toISOString());
    expect(second.find((c) => c.type === 'Available')?.lastTransitionTime).toBe(LATER.toISOString());
  });

  test('the same outcome twice is the same conditions, so nothing is written', () => {
    const first = conditionsFor({ kind: 'available' }, 2, NOW);
    expect(sameConditions(first, conditionsFor({ kind: 'available' }, 2, LATER, first))).toBe(true);
    expect(sameConditions(first, conditionsFor({ kind: 'available' }, 3, LATER, first))).toBe(false);
  });
});

const deployment = (status: Record<string, number>, generation = 2, replicas?: number) => ({
  metadata: { name: 'controller', generation },
  spec: replicas === undefined ? {} : { replicas },
  status,
});

describe('deploymentNotReady', () => {
  const ready = { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 };

  test('ready when the current generation is rolled out and available (replicas default 1)', () => {
    expect(deploymentNotReady(deployment(ready))).toBeUndefined();
  });

  test('not ready while the controller has not observed the generation', () => {
    expect(deploymentNotReady(deployment({ ...ready, observedGeneration: 1 }))).toBe(
      'Deployment controller: rollout not observed yet',
    );
  });

  test('not ready until every replica is available', () => {
    expect(deploymentNotReady(deployment({ ...ready, availableReplicas: 0 }))).toBe(
      'Deployment controller: 0 of 1 replicas available',
    );
  });

  test('not ready while replicas are not updated, or old ones still run', () => {
    expect(deploymentNotReady(deployment({ ...ready, updatedReplicas: 1, replicas: 2 }))).toBe(
      'Deployment controller: 1 old replicas still running',
    );
    expect(deploymentNotReady(deployment({ ...ready, replicas: 2 }, 2, 2))).toBe(
      'Deployment controller: 1 of 2 replicas updated',
    );
  });

  test('a Deployment without status is not ready', () => {
    expect(deploymentNotReady({ metadata: { name: 'controller', generation: 1 } })).toBeDefined();
  });
});

describe('daemonSetNotReady', () => {
  const ds = (status: Record<string, number>) => ({ metadata: { name: 'speaker', generation: 4 }, status });
  const ready = {
    observedGeneration: 4,
    desiredNumberScheduled: 3,
    currentNumberScheduled: 3,
    numberReady: 3,
    updatedNumberScheduled: 3,
  };

  test('ready when every desired pod is scheduled, updated and ready', () => {
    expect(daemonSetNotReady(ds(ready))).toBeUndefined();
  });

  test('ready with no nodes to run on (0 of 0)', () => {
    expect(
      daemonSetNotReady(
        ds({
          observedGeneration: 4,
          desiredNumberScheduled: 0,
          currentNumberScheduled: 0,
          numberReady: 0,
          updatedNumberScheduled: 0,
        }),
      ),
    ).toBeUndefined();
  });

  test.each([
    ['currentNumberScheduled', 'DaemonSet speaker: 2 of 3 pods scheduled'],
    ['updatedNumberScheduled', 'DaemonSet speaker: 2 of 3 pods updated'],
    ['numberReady', 'DaemonSet speaker: 2 of 3 pods ready'],
  ])('not ready when %s lags', (field, message) => {
    expect(daemonSetNotReady(ds({ ...ready, [field]: 2 }))).toBe(message);
  });

  test('not ready while the generation is not observed', () => {
    expect(daemonSetNotReady(ds({ ...ready, observedGeneration: 3 }))).toBe(
      'DaemonSet speaker: rollout not observed yet',
    );
  });
});
