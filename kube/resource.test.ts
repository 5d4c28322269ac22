import {
  RESOURCES,
  ResourcePathError,
  ResourceRef,
  apiVersionOf,
  collectionPath,
  objectPath,
} from './resource';

const pools: ResourceRef = {
  group: 'metallb.io',
  version: 'v1beta1',
  plural: 'ipaddresspools',
  kind: 'IPAddressPool',
  namespaced: true,
};

describe('resource paths', () => {
  it.each([
    [RESOURCES.services, undefined, '/api/v1/services'],
    [RESOURCES.services, 'metallb-system', '/api/v1/namespaces/metallb-system/services'],
    [RESOURCES.nodes, undefined, '/api/v1/nodes'],
    [pools, 'metallb-system', '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools'],
  ])('collection of %o in %p is %s', (ref, ns, path) => {
    expect(collectionPath(ref, ns)).toBe(path);
  });

  it('builds object and subresource paths, escaping names', () => {
    expect(objectPath(pools, 'web', 'metallb-system', 'status')).toBe(
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/web/status',
    );
    expect(objectPath(RESOURCES.nodes, 'node a')).toBe('/api/v1/nodes/node%20a');
    expect(objectPath(RESOURCES.leases, 'ironlb', 'ns')).toBe(
      '/apis/coordination.k8s.io/v1/namespaces/ns/leases/ironlb',
    );
  });

  it('refuses a namespaced object without namespace and a cluster-scoped one with one', () => {
    expect(() => objectPath(RESOURCES.services, 'web')).toThrow(ResourcePathError);
    expect(() => collectionPath(RESOURCES.nodes, 'default')).toThrow(ResourcePathError);
    expect(() => objectPath(RESOURCES.services, '', 'ns')).toThrow(ResourcePathError);
  });

  it('forms apiVersion with and without group', () => {
    expect(apiVersionOf(RESOURCES.services)).toBe('v1');
    expect(apiVersionOf(pools)).toBe('metallb.io/v1beta1');
  });
});
