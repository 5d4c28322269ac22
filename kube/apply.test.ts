import { ApplyError, applyObject, applyStatus } from './apply';
import type { ResourceRef } from './resource';
import { RESOURCES } from './resource';
import type { RestClient, RestRequest } from './rest';

const pools: ResourceRef = {
  group: 'metallb.io',
  version: 'v1beta1',
  plural: 'ipaddresspools',
  kind: 'IPAddressPool',
  namespaced: true,
};

function echoRest(): RestClient & { requests: RestRequest[] } {
  const requests: RestRequest[] = [];
  return {
    requests,
    request: async (req) => {
      requests.push(req);
      const body = typeof req.body === 'object' && req.body !== null ? req.body : {};
      return { ...body, metadata: { name: 'web', namespace: 'metallb-system', resourceVersion: '9' } };
    },
  };
}

describe('applyObject', () => {
  it('PATCHes with the apply content type, fieldManager and force, filling apiVersion and kind', async () => {
    const rest = echoRest();
    const out = await applyObject(
      rest,
      pools,
      { metadata: { name: 'web', namespace: 'metallb-system' } },
      { fieldManager: 'metallb-controller' },
    );
    expect(rest.requests[0]).toEqual({
      method: 'PATCH',
      path: '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/web',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'metallb-controller', force: true, dryRun: undefined },
      body: {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'web', namespace: 'metallb-system' },
      },
    });
    expect(out.metadata?.resourceVersion).toBe('9');
  });

  it('can apply without force and as a dry run', async () => {
    const rest = echoRest();
    await applyObject(
      rest,
      RESOURCES.nodes,
      { metadata: { name: 'n1' } },
      { fieldManager: 'm', force: false, dryRun: true },
    );
    expect(rest.requests[0]?.query).toEqual({ fieldManager: 'm', force: false, dryRun: 'All' });
    expect(rest.requests[0]?.path).toBe('/api/v1/nodes/n1');
  });

  it.each([
    [{ metadata: { namespace: 'ns' } }, /metadata.name is required/],
    [{ metadata: { name: 'web' } }, /metadata.namespace is required/],
    [
      { kind: 'Service', metadata: { name: 'web', namespace: 'ns' } },
      /kind is Service, expected IPAddressPool/,
    ],
    [
      { apiVersion: 'metallb.io/v1beta2', metadata: { name: 'web', namespace: 'ns' } },
      /apiVersion is metallb.io\/v1beta2/,
    ],
  ])('refuses %o before sending anything', async (obj, message) => {
    const rest = echoRest();
    await expect(applyObject(rest, pools, obj, { fieldManager: 'm' })).rejects.toThrow(message);
    expect(rest.requests).toHaveLength(0);
  });

  it('needs a field manager', async () => {
    await expect(
      applyObject(echoRest(), pools, { metadata: { name: 'a', namespace: 'b' } }, { fieldManager: '' }),
    ).rejects.toBeInstanceOf(ApplyError);
  });
});

describe('applyStatus', () => {
  it('targets the status subresource', async () => {
    const rest = echoRest();
    const status = { assignedIPv4: 3 };
    await applyStatus(
      rest,
      pools,
      { metadata: { name: 'web', namespace: 'metallb-system' }, status },
      { fieldManager: 'metallb-controller' },
    );
    expect(rest.requests[0]?.path).toBe(
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/web/status',
    );
    expect(rest.requests[0]?.body).toMatchObject({ status });
  });
});
