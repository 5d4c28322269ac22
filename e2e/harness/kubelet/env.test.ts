import { expand, fieldRefValue, resolveEnv, EnvResolutionError, type KeyLookup } from './env';
import type { Pod } from './pod';

const pod: Pod = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1' },
  spec: { nodeName: 'node1', serviceAccountName: 'web', containers: [{ name: 'main' }] },
};
const net = { podIPs: ['192.0.2.11', '2001:db8:1::11'], hostIPs: ['192.0.2.11', '2001:db8:1::11'] };
const store: Record<string, string> = {
  'Secret/shop/creds/password': 's3cret',
  'ConfigMap/shop/settings/greeting': 'hello',
};
const lookup: KeyLookup = (kind, ns, name, key) => Promise.resolve(store[`${kind}/${ns}/${name}/${key}`]);

describe('expand', () => {
  test.each([
    ['plain', 'plain'],
    ['$(A)-$(B)', 'a-b'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['cost $5', 'cost $5'],
    ['$(A', '$(A'],
    ['end$', 'end$'],
  ])('%s -> %s', (input, want) => {
    expect(
      expand(
        input,
        new Map([
          ['A', 'a'],
          ['B', 'b'],
        ]),
      ),
    ).toBe(want);
  });
});

describe('fieldRefValue', () => {
  test.each([
    ['metadata.name', 'web-1'],
    ['metadata.namespace', 'shop'],
    ['metadata.uid', 'u-1'],
    ['spec.nodeName', 'node1'],
    ['spec.serviceAccountName', 'web'],
    ['status.podIP', '192.0.2.11'],
    ['status.podIPs', '192.0.2.11,2001:db8:1::11'],
    ['status.hostIP', '192.0.2.11'],
  ])('%s', (path, want) => {
    expect(fieldRefValue(pod, path, net)).toBe(want);
  });

  test('unsupported paths are undefined, not empty', () => {
    expect(fieldRefValue(pod, 'metadata.labels', net)).toBeUndefined();
  });
});

describe('resolveEnv', () => {
  test('resolves values, downward API, Secret and ConfigMap keys, in order', async () => {
    const env = await resolveEnv(
      pod,
      {
        name: 'main',
        env: [
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
          { name: 'BOTH', value: '$(GREETING)@$(NODE)' },
        ],
      },
      net,
      lookup,
      new Map([['BASE', 'kept']]),
    );
    expect(Object.fromEntries(env)).toEqual({
      BASE: 'kept',
      NODE: 'node1',
      PASSWORD: 's3cret',
      GREETING: 'hello',
      BOTH: 'hello@node1',
    });
  });

  test('a missing key fails unless optional', async () => {
    const missing = { name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'nope' } } };
    await expect(resolveEnv(pod, { name: 'main', env: [missing] }, net, lookup)).rejects.toThrow(
      EnvResolutionError,
    );
    const optional = {
      name: 'X',
      valueFrom: { secretKeyRef: { name: 'creds', key: 'nope', optional: true } },
    };
    expect((await resolveEnv(pod, { name: 'main', env: [optional] }, net, lookup)).has('X')).toBe(false);
  });
});
