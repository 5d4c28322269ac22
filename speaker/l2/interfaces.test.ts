import { selectUsableInterfaces } from './interfaces';
import type { InterfaceAddress, Link } from './netlink';

const UP = 0x1;
const BROADCAST = 0x2;
const NOARP = 0x80;
const link = (index: number, name: string, flags: number, over: Partial<Link> = {}): Link => ({
  index,
  name,
  type: 1,
  flags,
  mac: `02:00:00:00:00:0${index}`,
  ...over,
});
const ll = (index: number, flags = 0x80): InterfaceAddress => ({
  index,
  family: 10,
  prefixLength: 64,
  scope: 253,
  flags,
  address: `fe80::${index}`,
});

describe('usable interfaces (upstream internal/layer2/announcer.go rules)', () => {
  it('answers ARP on a broadcast link and NDP where it has a link-local', () => {
    expect(selectUsableInterfaces([link(2, 'eth0', UP | BROADCAST)], [ll(2)])).toEqual([
      { name: 'eth0', index: 2, mac: '02:00:00:00:00:02', arp: true, ndp: true, linkLocal: 'fe80::2' },
    ]);
  });

  it.each<[string, Link]>([
    ['down', link(2, 'eth0', BROADCAST)],
    ['NOARP', link(2, 'eth0', UP | BROADCAST | NOARP)],
    ['enslaved to a bridge', link(2, 'eth0', UP | BROADCAST, { master: 5 })],
    ['loopback', link(2, 'lo', UP | 0x8)],
    ['not Ethernet (a tunnel)', link(2, 'wg0', UP | BROADCAST, { type: 65534 })],
  ])('skips a link that is %s', (_what, l) => {
    expect(selectUsableInterfaces([l], [ll(2)])).toEqual([]);
  });

  it('skips links matching the exclude pattern', () => {
    const links = [link(2, 'eth0', UP | BROADCAST), link(3, 'cali123', UP | BROADCAST)];
    expect(selectUsableInterfaces(links, [], /^cali/).map((i) => i.name)).toEqual(['eth0']);
  });

  it('does not answer NDP from a link-local still in DAD, nor on a link without one', () => {
    const [tentative] = selectUsableInterfaces([link(2, 'eth0', UP | BROADCAST)], [ll(2, 0x40)]);
    expect(tentative).toMatchObject({ arp: true, ndp: false });
    expect(tentative?.linkLocal).toBeUndefined();
  });

  it('answers NDP only on a point-to-point Ethernet link without BROADCAST', () => {
    expect(selectUsableInterfaces([link(2, 'p2p', UP)], [ll(2)])).toMatchObject([{ arp: false, ndp: true }]);
    expect(selectUsableInterfaces([link(2, 'p2p', UP)], [])).toEqual([]);
  });
});
