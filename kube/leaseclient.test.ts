import { KubeApiError, isConflict } from './errors';
import { RestLeaseClient, recordFromLease } from './leaseclient';
import type { RestClient, RestRequest } from './rest';

function rest(answers: Array<unknown | KubeApiError>): RestClient & { requests: RestRequest[] } {
  const requests: RestRequest[] = [];
  return {
    requests,
    request: async (req) => {
      requests.push(req);
      const a = answers.shift();
      if (a instanceof KubeApiError) throw a;
      return a;
    },
  };
}

const leaseJson = {
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'ironlb', namespace: 'metallb-system', resourceVersion: '12', labels: { team: 'net' } },
  spec: {
    holderIdentity: 'pod-a',
    leaseDurationSeconds: 15,
    acquireTime: '2024-05-01T10:00:00.000000Z',
    renewTime: '2024-05-01T10:00:05.250000Z',
    leaseTransitions: 2,
  },
};

describe('RestLeaseClient', () => {
  it('reads the lease, converting MicroTime strings to epoch ms', async () => {
    const r = rest([leaseJson]);
    const got = await new RestLeaseClient(r, 'metallb-system', 'ironlb').get();
    expect(r.requests[0]).toMatchObject({
      method: 'GET',
      path: '/apis/coordination.k8s.io/v1/namespaces/metallb-system/leases/ironlb',
    });
    expect(got).toEqual({
      resourceVersion: '12',
      record: {
        holderIdentity: 'pod-a',
        leaseDurationSeconds: 15,
        acquireTime: Date.UTC(2024, 4, 1, 10, 0, 0),
        renewTime: Date.UTC(2024, 4, 1, 10, 0, 5, 250),
        leaseTransitions: 2,
      },
    });
  });

  it('reads a missing lease as undefined but passes other errors on', async () => {
    const missing = new RestLeaseClient(
      rest([new KubeApiError(404, 'GET', '/x', { reason: 'NotFound' })]),
      'ns',
      'l',
    );
    expect(await missing.get()).toBeUndefined();
    const forbidden = new RestLeaseClient(
      rest([new KubeApiError(403, 'GET', '/x', { reason: 'Forbidden' })]),
      'ns',
      'l',
    );
    await expect(forbidden.get()).rejects.toBeInstanceOf(KubeApiError);
  });

  it('creates with six-digit MicroTime strings', async () => {
    const r = rest([leaseJson]);
    await new RestLeaseClient(r, 'metallb-system', 'ironlb').create({
      holderIdentity: 'pod-a',
      leaseDurationSeconds: 15,
      acquireTime: Date.UTC(2024, 4, 1, 10, 0, 0, 7),
      renewTime: Date.UTC(2024, 4, 1, 10, 0, 0, 7),
      leaseTransitions: 0,
    });
    expect(r.requests[0]).toMatchObject({
      method: 'POST',
      path: '/apis/coordination.k8s.io/v1/namespaces/metallb-system/leases',
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'ironlb', namespace: 'metallb-system' },
        spec: {
          holderIdentity: 'pod-a',
          acquireTime: '2024-05-01T10:00:00.007000Z',
          renewTime: '2024-05-01T10:00:00.007000Z',
        },
      },
    });
  });

  it('updates with PUT carrying the resourceVersion and keeping existing labels', async () => {
    const r = rest([leaseJson, { ...leaseJson, metadata: { ...leaseJson.metadata, resourceVersion: '13' } }]);
    const client = new RestLeaseClient(r, 'metallb-system', 'ironlb');
    await client.get();
    const stored = await client.update(
      { holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 2, renewTime: 0, acquireTime: 0 },
      '12',
    );
    expect(stored.resourceVersion).toBe('13');
    expect(r.requests[1]).toMatchObject({
      method: 'PUT',
      body: { metadata: { resourceVersion: '12', labels: { team: 'net' } }, spec: { holderIdentity: '' } },
    });
  });

  it('surfaces a stale-resourceVersion PUT as a conflict', async () => {
    const r = rest([new KubeApiError(409, 'PUT', '/x', { reason: 'Conflict' })]);
    const err = await new RestLeaseClient(r, 'ns', 'l')
      .update({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 }, '1')
      .catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
  });
});

describe('recordFromLease', () => {
  it('reads a lease without spec the way client-go does: no holder, zero duration', () => {
    expect(recordFromLease({ metadata: { name: 'x' } })).toEqual({
      holderIdentity: '',
      leaseDurationSeconds: 0,
      leaseTransitions: 0,
    });
  });
});
