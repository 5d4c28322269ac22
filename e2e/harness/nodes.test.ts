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
});
