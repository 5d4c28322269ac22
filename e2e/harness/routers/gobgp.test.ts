import { parseGobgpNeighbors, parseGobgpRib, renderGobgpConf } from './gobgp';

describe('gobgpd config', () => {
  test('renders global settings and one neighbour block per peer', () => {
    const conf = renderGobgpConf({
      asn: 64513,
      routerId: '192.0.2.11',
      localAddresses: ['192.0.2.11', '2001:db8:1::11'],
      neighbors: [
        { address: '192.0.2.1', asn: 64512, password: 'ebgp-test', holdTime: 9 },
        { address: '2001:db8:2::2', asn: 4200000000, port: 180, multihop: true, families: ['ipv4', 'ipv6'] },
      ],
    });
    expect(conf).toBe(
      [
        '[global.config]',
        '  as = 64513',
        '  router-id = "192.0.2.11"',
        '  port = 179',
        '  local-address-list = ["192.0.2.11", "2001:db8:1::11"]',
        '',
        '[[neighbors]]',
        '  [neighbors.config]',
        '    neighbor-address = "192.0.2.1"',
        '    peer-as = 64512',
        '    auth-password = "ebgp-test"',
        '  [neighbors.timers.config]',
        '    connect-retry = 5',
        '    hold-time = 9',
        '    keepalive-interval = 3',
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        '      afi-safi-name = "ipv4-unicast"',
        '',
        '[[neighbors]]',
        '  [neighbors.config]',
        '    neighbor-address = "2001:db8:2::2"',
        '    peer-as = 4200000000',
        '  [neighbors.timers.config]',
        '    connect-retry = 5',
        '  [neighbors.transport.config]',
        '    remote-port = 180',
        '  [neighbors.ebgp-multihop.config]',
        '    enabled = true',
        '    multihop-ttl = 16',
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        '      afi-safi-name = "ipv4-unicast"',
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        '      afi-safi-name = "ipv6-unicast"',
        '',
      ].join('\n'),
    );
  });

  test('listen port and no local-address list by default', () => {
    const conf = renderGobgpConf({ asn: 64513, routerId: '192.0.2.11', listenPort: 180, neighbors: [] });
    expect(conf).toBe('[global.config]\n  as = 64513\n  router-id = "192.0.2.11"\n  port = 180\n');
  });

  test('refuses addresses outside the documentation ranges', () => {
    expect(() =>
      renderGobgpConf({ asn: 1, routerId: '192.0.2.11', localAddresses: ['0.0.0.0'], neighbors: [] }),
    ).toThrow(/refusing/);
    expect(() =>
      renderGobgpConf({ asn: 1, routerId: '192.0.2.11', neighbors: [{ address: 'fd00::1', asn: 2 }] }),
    ).toThrow(/refusing/);
  });
});

describe('gobgp output parsing', () => {
  test('neighbours with the numeric session state', () => {
    const json = JSON.stringify([
      { conf: { neighbor_address: '192.0.2.1', peer_asn: 64512 }, state: { session_state: 6 } },
      { conf: { neighbor_address: '2001:db8:1::1', peer_asn: 64512 }, state: { session_state: 3 } },
      { conf: { neighbor_address: '192.0.2.2', peer_asn: 64512 }, state: {} },
    ]);
    expect(parseGobgpNeighbors(json)).toEqual([
      { address: '192.0.2.1', peerAs: 64512, state: 'established' },
      { address: '2001:db8:1::1', peerAs: 64512, state: 'active' },
      { address: '192.0.2.2', peerAs: 64512, state: 'unknown' },
    ]);
    expect(parseGobgpNeighbors('')).toEqual([]);
  });

  test('rib with IPv4 NEXT_HOP, IPv6 MP_REACH next hop and AS path', () => {
    const v4 =
      '{"203.0.113.128/28":[{"nlri":{"prefix":"203.0.113.128/28"},"best":true,"attrs":[{"type":1,"value":2},{"type":3,"nexthop":"0.0.0.0"}]}],' +
      '"203.0.113.144/28":[{"best":true,"attrs":[{"type":2,"as_paths":[{"type":2,"num":1,"asns":[64514]}]},{"type":3,"nexthop":"192.0.2.12"}]}]}';
    expect([...parseGobgpRib(v4)]).toEqual([
      ['203.0.113.128/28', [{ nexthop: '0.0.0.0', best: true, asPath: [] }]],
      ['203.0.113.144/28', [{ nexthop: '192.0.2.12', best: true, asPath: [64514] }]],
    ]);
    const v6 =
      '{"2001:db8:100::/124":[{"best":true,"attrs":[{"type":1,"value":2},{"type":14,"nexthop":"::","afi":2,"safi":1}]}]}';
    expect(parseGobgpRib(v6).get('2001:db8:100::/124')).toEqual([{ nexthop: '::', best: true, asPath: [] }]);
    expect(parseGobgpRib('null').size).toBe(0);
  });
});
