import { isConfigChange } from './configchange';

const pool = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: {
    name: 'web',
    namespace: 'metallb-system',
    labels: { tier: 'a' },
    resourceVersion: '1',
    generation: 1,
  },
  spec: { addresses: ['192.0.2.0/28'], autoAssign: true },
  ...over,
});

describe('isConfigChange', () => {
  test('a status write of the controller itself is not a change', () => {
    const written = pool({
      metadata: {
        name: 'web',
        namespace: 'metallb-system',
        labels: { tier: 'a' },
        resourceVersion: '2',
        generation: 1,
      },
      status: { assignedIPv4: 3, availableIPv4: 13 },
    });
    expect(isConfigChange(pool(), written)).toBe(false);
  });

  test('a spec change is', () => {
    expect(isConfigChange(pool(), pool({ spec: { addresses: ['192.0.2.0/27'], autoAssign: true } }))).toBe(
      true,
    );
  });

  test('a label change is (advertisements select pools, pools select namespaces, by label)', () => {
    const relabelled = pool({
      metadata: { name: 'web', namespace: 'metallb-system', labels: { tier: 'b' } },
    });
    expect(isConfigChange(pool(), relabelled)).toBe(true);
  });

  test('a Node heartbeat is not a change; a Node label change is', () => {
    const node = (labels: Record<string, string>, heartbeat: string): Record<string, unknown> => ({
      kind: 'Node',
      metadata: { name: 'node1', labels },
      status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat }] },
    });
    expect(isConfigChange(node({ zone: 'a' }, 't1'), node({ zone: 'a' }, 't2'))).toBe(false);
    expect(isConfigChange(node({ zone: 'a' }, 't1'), node({ zone: 'b' }, 't1'))).toBe(true);
  });

  test('a Secret data or type change is; key order is not', () => {
    const secret = (
      data: Record<string, string>,
      type = 'kubernetes.io/basic-auth',
    ): Record<string, unknown> => ({
      kind: 'Secret',
      metadata: { name: 'peer', namespace: 'metallb-system' },
      type,
      data,
    });
    expect(isConfigChange(secret({ password: 'YQ==' }), secret({ password: 'Yg==' }))).toBe(true);
    expect(isConfigChange(secret({ password: 'YQ==' }), secret({ password: 'YQ==' }, 'Opaque'))).toBe(true);
    expect(isConfigChange(secret({ a: '1', password: 'YQ==' }), secret({ password: 'YQ==', a: '1' }))).toBe(
      false,
    );
  });
});
