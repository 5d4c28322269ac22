import { parseBirdProtocols, parseBirdRoutePrefixes, renderBirdConf } from './bird';

describe('bird config', () => {
  test('renders device, kernel, static and one BGP protocol per neighbour', () => {
    const conf = renderBirdConf({
      asn: 64512,
      routerId: '192.0.2.1',
      neighbors: [
        { address: '192.0.2.11', asn: 64513, password: 'ibgp-test' },
        { address: '2001:db8:1::11', asn: 64513, port: 180, multihop: true, holdTime: 9 },
      ],
      networks: ['203.0.113.0/26', '2001:db8:2::/64'],
    });
    expect(conf).toBe(
      [
        'log stderr all;',
        'router id 192.0.2.1;',
        '',
        'protocol device { scan time 5; }',
        '',
        'protocol kernel kernel_ipv4 {',
        '  ipv4 { import none; export all; };',
        '  merge paths on;',
        '}',
        '',
        'protocol kernel kernel_ipv6 {',
        '  ipv6 { import none; export all; };',
        '  merge paths on;',
        '}',
        '',
        'protocol static static_ipv4 {',
        '  ipv4;',
        '  route 203.0.113.0/26 unreachable;',
        '}',
        '',
        'protocol static static_ipv6 {',
        '  ipv6;',
        '  route 2001:db8:2::/64 unreachable;',
        '}',
        '',
        'protocol bgp peer_192_0_2_11 {',
        '  local as 64512;',
        '  neighbor 192.0.2.11 as 64513;',
        '  password "ibgp-test";',
        '  connect retry time 5;',
        '  ipv4 { import all; export all; next hop self; };',
        '}',
        '',
        'protocol bgp peer_2001_db8_1__11 {',
        '  local as 64512;',
        '  neighbor 2001:db8:1::11 port 180 as 64513;',
        '  multihop;',
        '  hold time 9;',
        '  connect retry time 5;',
        '  ipv6 { import all; export all; next hop self; };',
        '}',
        '',
      ].join('\n'),
    );
  });

  test('local address, listen port, no kernel export, both families on one session', () => {
    const conf = renderBirdConf({
      asn: 64512,
      routerId: '192.0.2.1',
      localAddress: '192.0.2.1',
      listenPort: 180,
      exportToKernel: false,
      neighbors: [{ address: '192.0.2.12', asn: 64512, families: ['ipv4', 'ipv6'] }],
    });
    expect(conf).toContain('  local 192.0.2.1 port 180 as 64512;\n');
    expect(conf).toContain('  ipv4 { import none; export none; };');
    expect(conf).toContain(
      '  ipv4 { import all; export all; next hop self; };\n  ipv6 { import all; export all; next hop self; };\n',
    );
    expect(conf).not.toContain('protocol static');
    // iBGP on the shared segment: direct, so next hops resolve without an IGP.
    expect(conf).toContain('  neighbor 192.0.2.12 as 64512;\n  direct;\n');
  });

  test('refuses addresses outside the documentation ranges', () => {
    const base = { asn: 64512, routerId: '192.0.2.1', neighbors: [] };
    expect(() => renderBirdConf({ ...base, localAddress: '10.1.1.1' })).toThrow(/refusing/);
    expect(() => renderBirdConf({ ...base, networks: ['192.168.0.0/16'] })).toThrow(/refusing/);
    expect(() =>
      renderBirdConf({ ...base, neighbors: [{ address: '192.0.2.11', asn: 1, password: 'x"y' }] }),
    ).toThrow(/password/);
  });
});

describe('birdc output parsing', () => {
  test('show protocols, with time-only and date-time Since columns', () => {
    const text = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     10:46:04.854  
kernel_ipv4 Kernel     master4    up     10:46:04.854  
peer_192_0_2_1 BGP        ---        up     10:46:05.269  Established   
peer_192_0_2_12 BGP        ---        start  2026-11-22 23:59:01  Active        Socket: Connection refused
`;
    expect(parseBirdProtocols(text)).toEqual([
      { name: 'device1', proto: 'Device', table: '---', state: 'up', since: '10:46:04.854', info: '' },
      {
        name: 'kernel_ipv4',
        proto: 'Kernel',
        table: 'master4',
        state: 'up',
        since: '10:46:04.854',
        info: '',
      },
      {
        name: 'peer_192_0_2_1',
        proto: 'BGP',
        table: '---',
        state: 'up',
        since: '10:46:05.269',
        info: 'Established',
      },
      {
        name: 'peer_192_0_2_12',
        proto: 'BGP',
        table: '---',
        state: 'start',
        since: '2026-11-22 23:59:01',
        info: 'Active Socket: Connection refused',
      },
    ]);
  });

  test('show route prefixes, skipping continuation lines', () => {
    const text = `BIRD 2.0.12 ready.
Table master4:
203.0.113.128/28     unicast [peer_192_0_2_1 10:46:05.879 from 192.0.2.1] * (100) [AS64513?]
\tvia 192.0.2.11 on eth0
                     unicast [peer_192_0_2_2 10:46:05.879 from 192.0.2.2] (100) [AS64513?]
\tvia 192.0.2.12 on eth0
203.0.113.144/28     unreachable [static_ipv4 10:46:04.854] * (200)
`;
    expect(parseBirdRoutePrefixes(text)).toEqual(['203.0.113.128/28', '203.0.113.144/28']);
  });
});
