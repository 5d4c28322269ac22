import { isTestCidr } from '../../cidr';
import { BGP_POOLS, L2_POOLS, checkPlan, hostsOfKind, planWorld } from './plan';

describe('netplan', () => {
  test('default world: router, three nodes and a client on one lan segment (plus mgmt on request)', () => {
    const p = planWorld('abcdef', { management: true });
    expect(p.segments).toEqual([
      { name: 'lan', bridgeNs: 'ilb-abcdef-lan', v4: '192.0.2.0/24', v6: '2001:db8:1::/64' },
    ]);
    expect(p.hosts.map((h) => h.ns)).toEqual([
      'ilb-abcdef-router',
      'ilb-abcdef-mgmt',
      'ilb-abcdef-node1',
      'ilb-abcdef-node2',
      'ilb-abcdef-node3',
      'ilb-abcdef-client',
    ]);
    const node2 = p.hosts.find((h) => h.role === 'node2');
    expect(node2?.interfaces).toEqual([
      {
        ifname: 'eth0',
        segment: 'lan',
        bridgePort: 'node2',
        v4: '192.0.2.12',
        v6: '2001:db8:1::12',
        v4Prefix: 24,
        v6Prefix: 64,
      },
    ]);
    expect(hostsOfKind(p, 'router')[0]?.interfaces[0]?.v4).toBe('192.0.2.1');
    expect(hostsOfKind(p, 'client')[0]?.interfaces[0]?.v6).toBe('2001:db8:1::100');
    expect(hostsOfKind(p, 'management')[0]?.interfaces[0]).toMatchObject({
      v4: '192.0.2.2',
      v6: '2001:db8:1::2',
      bridgePort: 'mgmt',
    });
    expect(hostsOfKind(p, 'management')[0]?.routes).toEqual([]);
  });

  test('the management namespace is left out unless asked for', () => {
    expect(hostsOfKind(planWorld('abcdef'), 'management')).toEqual([]);
  });

  test('only routers forward, and nobody has a default route', () => {
    const p = planWorld('abcdef', { multihop: true });
    for (const h of p.hosts) {
      expect(h.forwarding).toBe(h.kind === 'router' || h.kind === 'farrouter');
      for (const r of h.routes) expect(r.dst).not.toMatch(/^(0\.0\.0\.0|::)\/0$/);
    }
  });

  test('the client reaches the BGP pools through the router', () => {
    const client = hostsOfKind(planWorld('abcdef'), 'client')[0];
    expect(client?.routes).toEqual([
      { dst: '203.0.113.128/25', via: '192.0.2.1' },
      { dst: '2001:db8:100::/120', via: '2001:db8:1::1' },
    ]);
  });

  test('multihop adds a far segment, a second router leg and routes both ways', () => {
    const p = planWorld('abcdef', { multihop: true, nodes: 2 });
    expect(p.segments.map((s) => s.bridgeNs)).toEqual(['ilb-abcdef-lan', 'ilb-abcdef-far']);
    const router = hostsOfKind(p, 'router')[0];
    expect(router?.interfaces.map((i) => [i.ifname, i.segment, i.v4, i.v6])).toEqual([
      ['eth0', 'lan', '192.0.2.1', '2001:db8:1::1'],
      ['eth1', 'far', '203.0.113.1', '2001:db8:2::1'],
    ]);
    const far = hostsOfKind(p, 'farrouter')[0];
    expect(far?.interfaces[0]?.v4).toBe('203.0.113.2');
    expect(far?.routes).toEqual([
      { dst: '192.0.2.0/24', via: '203.0.113.1' },
      { dst: '2001:db8:1::/64', via: '2001:db8:2::1' },
    ]);
    expect(hostsOfKind(p, 'node')[0]?.routes).toEqual([
      { dst: '203.0.113.0/26', via: '192.0.2.1' },
      { dst: '2001:db8:2::/64', via: '2001:db8:1::1' },
    ]);
  });

  test('secondaryLan gives every node and the client an eth1 on lan2', () => {
    const p = planWorld('abcdef', { nodes: 2, secondaryLan: true });
    expect(p.segments.map((s) => [s.name, s.bridgeNs, s.v4, s.v6])).toEqual([
      ['lan', 'ilb-abcdef-lan', '192.0.2.0/24', '2001:db8:1::/64'],
      ['lan2', 'ilb-abcdef-lan2', '203.0.113.64/26', '2001:db8:3::/64'],
    ]);
    const eth1 = (role: string): unknown =>
      p.hosts.find((h) => h.role === role)?.interfaces.find((i) => i.ifname === 'eth1');
    expect(eth1('node1')).toEqual({
      ifname: 'eth1',
      segment: 'lan2',
      bridgePort: 'node1',
      v4: '203.0.113.75',
      v6: '2001:db8:3::11',
      v4Prefix: 26,
      v6Prefix: 64,
    });
    expect(eth1('client')).toMatchObject({ v4: '203.0.113.126', v6: '2001:db8:3::62' });
    expect(eth1('router')).toBeUndefined();
  });

  test('peers get their own namespaces on the lan or the far segment, routed across the router', () => {
    const p = planWorld('abcdef', {
      multihop: true,
      peers: [
        { role: 'ibgpsingle', segment: 'lan' },
        { role: 'ebgpsingle', segment: 'lan' },
        { role: 'ibgpmulti', segment: 'far' },
      ],
    });
    const peers = hostsOfKind(p, 'peer');
    expect(peers.map((h) => [h.ns, h.interfaces[0]?.v4, h.interfaces[0]?.v6, h.forwarding])).toEqual([
      ['ilb-abcdef-ibgpsingle', '192.0.2.3', '2001:db8:1::3', false],
      ['ilb-abcdef-ebgpsingle', '192.0.2.4', '2001:db8:1::4', false],
      ['ilb-abcdef-ibgpmulti', '203.0.113.3', '2001:db8:2::3', false],
    ]);
    expect(peers[0]?.routes).toEqual([
      { dst: '203.0.113.0/26', via: '192.0.2.1' },
      { dst: '2001:db8:2::/64', via: '2001:db8:1::1' },
    ]);
    expect(peers[2]?.routes).toEqual([
      { dst: '192.0.2.0/24', via: '203.0.113.1' },
      { dst: '2001:db8:1::/64', via: '2001:db8:2::1' },
    ]);
  });

  test('peer roles must be free, far peers need multihop, and a segment holds at most seven', () => {
    expect(() => planWorld('abcdef', { peers: [{ role: 'client', segment: 'lan' }] })).toThrow(/taken/);
    expect(() => planWorld('abcdef', { peers: [{ role: 'node2', segment: 'lan' }] })).toThrow(/taken/);
    expect(() =>
      planWorld('abcdef', {
        peers: [
          { role: 'p', segment: 'lan' },
          { role: 'p', segment: 'lan' },
        ],
      }),
    ).toThrow(/taken/);
    expect(() => planWorld('abcdef', { peers: [{ role: 'p', segment: 'far' }] })).toThrow(/multihop/);
    const eight = Array.from({ length: 8 }, (_, i) => ({ role: `p${i}`, segment: 'lan' as const }));
    expect(() => planWorld('abcdef', { peers: eight })).toThrow(/at most 7/);
    expect(() => planWorld('abcdef', { peers: eight.slice(0, 7) })).not.toThrow();
  });

  test('every address is a documentation address and pools overlap no host', () => {
    const p = planWorld('abcdef', {
      nodes: 50,
      multihop: true,
      management: true,
      secondaryLan: true,
      peers: Array.from({ length: 7 }, (_, i) => ({
        role: `peer${i}`,
        segment: i % 2 === 0 ? ('lan' as const) : ('far' as const),
      })),
    });
    const all = p.hosts.flatMap((h) => h.interfaces.flatMap((i) => [i.v4, i.v6]));
    expect(new Set(all).size).toBe(all.length);
    for (const ip of all) expect(isTestCidr(`${ip}/${ip.includes(':') ? 128 : 32}`)).toBe(true);
    expect(all).not.toContain('192.0.2.200');
    expect([...L2_POOLS, ...BGP_POOLS].every(isTestCidr)).toBe(true);
  });

  test('node count is bounded', () => {
    expect(() => planWorld('abcdef', { nodes: 0 })).toThrow(/nodes/);
    expect(() => planWorld('abcdef', { nodes: 51 })).toThrow(/nodes/);
    expect(planWorld('abcdef', { nodes: 1 }).hosts.filter((h) => h.kind === 'node')).toHaveLength(1);
  });

  test('checkPlan refuses addresses outside the documentation ranges and duplicates', () => {
    const p = planWorld('abcdef', { nodes: 2 });
    const bad = structuredClone(p);
    const node = bad.hosts.find((h) => h.role === 'node1');
    const i = node?.interfaces[0];
    if (i === undefined) throw new Error('plan has no node interface');
    i.v4 = '10.0.0.5';
    expect(() => checkPlan(bad)).toThrow(/refusing 10\.0\.0\.5/);
    const dup = structuredClone(p);
    const j = dup.hosts.find((h) => h.role === 'node2')?.interfaces[0];
    if (j === undefined) throw new Error('plan has no second node');
    j.v6 = '2001:db8:1::11';
    expect(() => checkPlan(dup)).toThrow(/planned for both node1\/eth0 and node2/);
    const route = structuredClone(p);
    route.hosts.find((h) => h.kind === 'client')?.routes.push({ dst: '0.0.0.0/0', via: '192.0.2.1' });
    expect(() => checkPlan(route)).toThrow(/refusing 0\.0\.0\.0\/0/);
  });
});
