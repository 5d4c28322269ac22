import {
  arpOf,
  ndpOf,
  parseArping,
  parseNdisc6,
  parseNeighbours,
  parseTcpdump,
  parseTcpdumpLine,
} from './parse';

// Output captured from the real tools in a world on this project's machines.
const ARPING_OK = `ARPING 192.0.2.11
42 bytes from de:fd:6f:8a:b4:18 (192.0.2.11): index=0 time=54.212 usec
42 bytes from DE:FD:6F:8A:B4:19 (192.0.2.11): index=1 time=8.185 usec

--- 192.0.2.11 statistics ---
2 packets transmitted, 2 packets received,   0% unanswered (0 extra)
`;
const ARPING_NONE = `ARPING 192.0.2.99
Timeout

--- 192.0.2.99 statistics ---
1 packets transmitted, 0 packets received, 100% unanswered (0 extra)
`;
const NDISC6_OK = `Soliciting 2001:db8:1::11 (2001:db8:1::11) on eth0...
Target link-layer address: DE:FD:6F:8A:B4:18
 from 2001:db8:1::11
Target link-layer address: 3E:3C:A4:EF:A8:0D
 from 2001:db8:1::11
`;
const TCPDUMP = `tcpdump: verbose output suppressed, use -v[v]... for full protocol decode
listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes
1795430566.344634 0e:a1:4a:83:34:20 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 58: Request who-has 192.0.2.11 tell 192.0.2.100, length 44
1795430566.344706 de:fd:6f:8a:b4:18 > 0e:a1:4a:83:34:20, ethertype ARP (0x0806), length 42: Reply 192.0.2.11 is-at de:fd:6f:8a:b4:18, length 28
1795430569.455353 0e:a1:4a:83:34:20 > 33:33:ff:00:00:11, ethertype IPv6 (0x86dd), length 86: fe80::ca1:4aff:fe83:3420 > ff02::1:ff00:11: ICMP6, neighbor solicitation, who has 2001:db8:1::11, length 32
1795430569.455408 de:fd:6f:8a:b4:18 > 0e:a1:4a:83:34:20, ethertype IPv6 (0x86dd), length 86: 2001:db8:1::11 > fe80::ca1:4aff:fe83:3420: ICMP6, neighbor advertisement, tgt is 2001:db8:1::11, length 32
10 packets captured
`;

describe('netparse', () => {
  test('arping: every reply, MACs lower-cased', () => {
    expect(parseArping(ARPING_OK)).toEqual([
      { mac: 'de:fd:6f:8a:b4:18', ip: '192.0.2.11' },
      { mac: 'de:fd:6f:8a:b4:19', ip: '192.0.2.11' },
    ]);
    expect(parseArping(ARPING_NONE)).toEqual([]);
  });

  test('ndisc6: every advertised link-layer address', () => {
    expect(parseNdisc6(NDISC6_OK)).toEqual(['de:fd:6f:8a:b4:18', '3e:3c:a4:ef:a8:0d']);
    expect(
      parseNdisc6('Soliciting 2001:db8:1::99 (2001:db8:1::99) on eth0...\nTimed out.\nNo response.\n'),
    ).toEqual([]);
  });

  test('ip -j neigh: reachable and incomplete entries', () => {
    const json =
      '[{"dst":"192.0.2.11","dev":"eth0","lladdr":"DE:FD:6F:8A:B4:18","state":["REACHABLE"]},' +
      '{"dst":"2001:db8:1::ff01","dev":"eth0","state":["INCOMPLETE"]}]';
    expect(parseNeighbours(json)).toEqual([
      { ip: '192.0.2.11', dev: 'eth0', mac: 'de:fd:6f:8a:b4:18', state: ['REACHABLE'] },
      { ip: '2001:db8:1::ff01', dev: 'eth0', mac: undefined, state: ['INCOMPLETE'] },
    ]);
    expect(parseNeighbours('')).toEqual([]);
    expect(() => parseNeighbours('{}')).toThrow(/array/);
  });

  test('tcpdump: packet lines parsed, status lines skipped', () => {
    const packets = parseTcpdump(TCPDUMP);
    expect(packets).toHaveLength(4);
    expect(packets[0]).toMatchObject({
      time: 1795430566.344634,
      srcMac: '0e:a1:4a:83:34:20',
      dstMac: 'ff:ff:ff:ff:ff:ff',
      ethertype: 'ARP',
      summary: 'Request who-has 192.0.2.11 tell 192.0.2.100, length 44',
    });
    expect(
      parseTcpdumpLine('listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes'),
    ).toBeUndefined();
  });

  test('ARP and NDP content of captured packets', () => {
    const [req, rep, ns, na] = parseTcpdump(TCPDUMP);
    if (req === undefined || rep === undefined || ns === undefined || na === undefined)
      throw new Error('missing packets');
    expect(arpOf(req)).toEqual({ op: 'request', target: '192.0.2.11', sender: '192.0.2.100' });
    expect(arpOf(rep)).toEqual({ op: 'reply', ip: '192.0.2.11', mac: 'de:fd:6f:8a:b4:18' });
    expect(arpOf(ns)).toBeUndefined();
    expect(ndpOf(ns)).toEqual({
      type: 'solicitation',
      src: 'fe80::ca1:4aff:fe83:3420',
      target: '2001:db8:1::11',
    });
    expect(ndpOf(na)).toEqual({ type: 'advertisement', src: '2001:db8:1::11', target: '2001:db8:1::11' });
    expect(ndpOf(req)).toBeUndefined();
  });
});
