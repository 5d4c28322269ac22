import {
  parseFrrRoutes,
  parseFrrSummary,
  parseZebraRoutes,
  renderFrrConf,
  renderFrrWrapper,
  renderZebraConf,
} from './frr';

describe('frr config', () => {
  const base = { hostname: 'router', asn: 64512, routerId: '192.0.2.1' };

  test('renders a dual-family eBGP router with per-family activation, ECMP and no policy requirement', () => {
    const conf = renderFrrConf({
      ...base,
      neighbors: [
        { address: '192.0.2.11', asn: 64513 },
        { address: '2001:db8:1::11', asn: 64513, password: 'ebgp-test', holdTime: 9 },
      ],
      networks: ['203.0.113.0/26'],
    });
    expect(conf).toBe(
      [
        'frr defaults traditional',
        'hostname router',
        'log stdout informational',
        '!',
        'router bgp 64512',
        ' bgp router-id 192.0.2.1',
        ' no bgp ebgp-requires-policy',
        ' no bgp default ipv4-unicast',
        ' no bgp network import-check',
        ' neighbor 192.0.2.11 remote-as 64513',
        ' neighbor 192.0.2.11 timers connect 5',
        ' neighbor 2001:db8:1::11 remote-as 64513',
        ' neighbor 2001:db8:1::11 password ebgp-test',
        ' neighbor 2001:db8:1::11 timers 3 9',
        ' neighbor 2001:db8:1::11 timers connect 5',
        ' !',
        ' address-family ipv4 unicast',
        '  neighbor 192.0.2.11 activate',
        '  network 203.0.113.0/26',
        '  maximum-paths 32',
        '  maximum-paths ibgp 32',
        ' exit-address-family',
        ' !',
        ' address-family ipv6 unicast',
        '  neighbor 2001:db8:1::11 activate',
        '  maximum-paths 32',
        '  maximum-paths ibgp 32',
        ' exit-address-family',
        'exit',
        '!',
        '',
      ].join('\n'),
    );
  });

  test('multihop, port and both families on one session', () => {
    const conf = renderFrrConf({
      ...base,
      neighbors: [
        { address: '192.0.2.12', asn: 4200000000, multihop: true, port: 180, families: ['ipv4', 'ipv6'] },
      ],
      connectRetry: 2,
    });
    expect(conf).toContain(
      ' neighbor 192.0.2.12 remote-as 4200000000\n neighbor 192.0.2.12 port 180\n neighbor 192.0.2.12 ebgp-multihop\n',
    );
    expect(conf).toContain(' neighbor 192.0.2.12 timers connect 2\n');
    expect(conf).toMatch(/address-family ipv4 unicast\n {2}neighbor 192\.0\.2\.12 activate/);
    expect(conf).toMatch(/address-family ipv6 unicast\n {2}neighbor 192\.0\.2\.12 activate/);
  });

  test('graceful restart per neighbour', () => {
    const conf = renderFrrConf({
      ...base,
      neighbors: [
        { address: '192.0.2.13', asn: 64512, gracefulRestart: true },
        { address: '192.0.2.14', asn: 64512 },
      ],
    });
    expect(conf).toContain(' neighbor 192.0.2.13 graceful-restart\n');
    expect(conf).not.toContain('192.0.2.14 graceful-restart');
  });

  test('refuses neighbours, router ids and networks outside the documentation ranges', () => {
    expect(() => renderFrrConf({ ...base, neighbors: [{ address: '10.0.0.1', asn: 1 }] })).toThrow(
      /refusing 10\.0\.0\.1/,
    );
    expect(() => renderFrrConf({ ...base, routerId: '172.16.0.1', neighbors: [] })).toThrow(/refusing/);
    expect(() => renderFrrConf({ ...base, routerId: '2001:db8::1', neighbors: [] })).toThrow(
      /routerId must be IPv4/,
    );
    expect(() => renderFrrConf({ ...base, neighbors: [], networks: ['0.0.0.0/0'] })).toThrow(/refusing/);
    expect(() => renderFrrConf({ ...base, asn: 0, neighbors: [] })).toThrow(/ASN/);
    expect(() =>
      renderFrrConf({ ...base, neighbors: [{ address: '192.0.2.11', asn: 1, password: 'a b' }] }),
    ).toThrow(/password/);
  });

  test('zebra config and wrapper', () => {
    expect(renderZebraConf('r1')).toBe(
      'frr defaults traditional\nhostname r1\nlog stdout informational\n!\n',
    );
    const w = renderFrrWrapper();
    expect(w.startsWith('#!/bin/sh\n')).toBe(true);
    for (const m of [
      'mount --bind "$d/etc" /etc/frr',
      'mount --bind "$d/run" /var/run/frr',
      'mount --bind "$d/tmp" /var/tmp',
    ]) {
      expect(w).toContain(m);
    }
    expect(w.trimEnd().endsWith('exec "$@"')).toBe(true);
  });
});

describe('frr output parsing', () => {
  test('summary merges families per peer', () => {
    const json = JSON.stringify({
      ipv4Unicast: {
        peers: { '192.0.2.11': { remoteAs: 64513, state: 'Established', pfxRcd: 2, pfxSnt: 1 } },
      },
      ipv6Unicast: {
        peers: {
          '192.0.2.11': { remoteAs: 64513, state: 'Established', pfxRcd: 1, pfxSnt: 0 },
          '2001:db8:1::12': { remoteAs: 64513, state: 'Active' },
        },
      },
    });
    expect(parseFrrSummary(json)).toEqual([
      { address: '192.0.2.11', state: 'Established', remoteAs: 64513, prefixesReceived: 3, prefixesSent: 1 },
      { address: '2001:db8:1::12', state: 'Active', remoteAs: 64513, prefixesReceived: 0, prefixesSent: 0 },
    ]);
  });

  test('routes with next hops, AS path, local preference and communities', () => {
    const json = JSON.stringify({
      routes: {
        '203.0.113.128/28': [
          {
            valid: true,
            bestpath: true,
            path: '64513',
            locPrf: 150,
            community: { string: '64512:1 no-export' },
            nexthops: [{ ip: '192.0.2.11' }],
          },
          { valid: true, path: '64513', nexthops: [{ ip: '192.0.2.12' }] },
        ],
      },
    });
    expect(parseFrrRoutes(json).get('203.0.113.128/28')).toEqual([
      {
        valid: true,
        bestpath: true,
        nexthops: ['192.0.2.11'],
        asPath: '64513',
        localPref: 150,
        communities: ['64512:1', 'no-export'],
      },
      {
        valid: true,
        bestpath: false,
        nexthops: ['192.0.2.12'],
        asPath: '64513',
        localPref: undefined,
        communities: [],
      },
    ]);
  });

  test('zebra routes: only installed routes of the protocol, only FIB next hops', () => {
    const json = JSON.stringify({
      '192.0.2.0/24': [{ protocol: 'connected', installed: true, nexthops: [{ fib: true }] }],
      '203.0.113.128/28': [
        {
          protocol: 'bgp',
          installed: true,
          nexthops: [{ fib: true, ip: '192.0.2.11' }, { fib: true, ip: '192.0.2.12' }, { ip: '192.0.2.13' }],
        },
      ],
      '203.0.113.144/28': [
        { protocol: 'bgp', installed: false, nexthops: [{ fib: false, ip: '192.0.2.11' }] },
      ],
    });
    expect([...parseZebraRoutes(json)]).toEqual([['203.0.113.128/28', ['192.0.2.11', '192.0.2.12']]]);
  });
});
