import { nodeObject, nodeStatus } from './nodes';

const spec = { name: 'node1', ipv4: '192.0.2.11', ipv6: '2001:db8:1::11', labels: { zone: 'a' } };

describe('simulated node objects', () => {
  test('report both InternalIPs, the hostname and a Ready condition stamped with the heartbeat time', () => {
    const s = nodeStatus(spec, Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(s.addresses).toEqual([
      { type: 'InternalIP', address: '192.0.2.11' },
      { type: 'InternalIP', address: '2001:db8:1::11' },
      { type: 'Hostname', address: 'node1' },
    ]);
    expect(s.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-02T03:04:05Z' }),
        expect.objectContaining({ type: 'MemoryPressure', status: 'False' }),
      ]),
    );
  });

  test('a single-stack node has one InternalIP', () => {
    const s = nodeStatus({ name: 'n', ipv4: '192.0.2.12' }, 0);
    expect(s.addresses).toEqual([
      { type: 'InternalIP', address: '192.0.2.12' },
      { type: 'Hostname', address: 'n' },
    ]);
  });

  test('carry the well-known labels plus the caller’s', () => {
    expect(nodeObject(spec, 0)).toMatchObject({
      metadata: {
        name: 'node1',
        labels: { 'kubernetes.io/hostname': 'node1', 'kubernetes.io/os': 'linux', zone: 'a' },
      },
    });
  });

  test('advertise the kubelet endpoint: its port, and an ExternalIP where it is not an InternalIP', () => {
    const s = nodeStatus({ ...spec, kubeletPort: 41000, kubeletAddress: '127.0.0.1' }, 0);
    expect(s.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 41000 } });
    expect(s.addresses).toEqual([
      { type: 'InternalIP', address: '192.0.2.11' },
      { type: 'InternalIP', address: '2001:db8:1::11' },
      { type: 'ExternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: 'node1' },
    ]);
  });

  test('by default the kubelet is at port 10250 of an InternalIP', () => {
    const s = nodeStatus({ ...spec, kubeletAddress: '192.0.2.11' }, 0);
    expect(s.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(s.addresses).not.toContainEqual(expect.objectContaining({ type: 'ExternalIP' }));
  });
});
