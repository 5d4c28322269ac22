import type { ArpFrame, NdpFrame } from './codec/frame';
import { decode, encode } from './codec/frame';
import { type Decision, respond } from './responder';

const US = { name: 'eth0', mac: '02:00:00:00:00:0a' };
const PEER_MAC = '02:00:00:00:00:0b';
const announced = (ip: string): boolean => ip === '192.0.2.200' || ip === '2001:db8:1::200';

function arpRequest(over: Partial<ArpFrame['arp']> = {}, destination = 'ff:ff:ff:ff:ff:ff'): ArpFrame {
  return {
    ethernet: { destination, source: PEER_MAC, etherType: 0x0806 },
    protocol: 'arp',
    arp: {
      operation: 'request',
      senderMac: PEER_MAC,
      senderIp: '192.0.2.2',
      targetMac: '00:00:00:00:00:00',
      targetIp: '192.0.2.200',
      ...over,
    },
  };
}

function solicitation(
  opts: {
    hopLimit?: number;
    source?: string;
    destination?: string;
    target?: string;
    sourceLla?: boolean;
  } = {},
): NdpFrame {
  const target = opts.target ?? '2001:db8:1::200';
  return {
    ethernet: { destination: '33:33:ff:00:02:00', source: PEER_MAC, etherType: 0x86dd },
    protocol: 'ndp',
    ipv6: {
      trafficClass: 0,
      flowLabel: 0,
      hopLimit: opts.hopLimit ?? 255,
      source: opts.source ?? 'fe80::ff:fe00:b',
      destination: opts.destination ?? 'ff02::1:ff00:200',
    },
    ndp: {
      type: 'neighbor-solicitation',
      target,
      options: opts.sourceLla === false ? [] : [{ kind: 'source-lla', mac: PEER_MAC }],
    },
  };
}

function reply(d: Decision): ArpFrame | NdpFrame {
  if (d.kind !== 'reply') throw new Error(`expected a reply, got drop ${d.reason}`);
  return d.frame;
}

describe('ARP responder', () => {
  it('answers a broadcast who-has for an announced address with a unicast reply carrying our MAC', () => {
    expect(respond(arpRequest(), US, announced)).toEqual({
      kind: 'reply',
      ip: '192.0.2.200',
      frame: {
        ethernet: { destination: PEER_MAC, source: US.mac, etherType: 0x0806 },
        protocol: 'arp',
        arp: {
          operation: 'reply',
          senderMac: US.mac,
          senderIp: '192.0.2.200',
          targetMac: PEER_MAC,
          targetIp: '192.0.2.2',
        },
      },
    });
  });

  it('answers a request unicast to our MAC (a neighbour re-validating its cache)', () => {
    expect(respond(arpRequest({}, US.mac), US, announced).kind).toBe('reply');
  });

  it('answers an RFC 5227 probe (sender 0.0.0.0) so the prober sees the address is taken', () => {
    const d = respond(arpRequest({ senderIp: '0.0.0.0' }), US, announced);
    expect(reply(d).protocol === 'arp' && reply(d)).toMatchObject({
      arp: { targetIp: '0.0.0.0', targetMac: PEER_MAC },
    });
  });

  it.each<[string, ArpFrame, string]>([
    ['a reply', { ...arpRequest(), arp: { ...arpRequest().arp, operation: 'reply' } }, 'arp-reply'],
    ['a request unicast to someone else', arpRequest({}, '02:00:00:00:00:0c'), 'arp-not-for-us'],
    ['a request for an address not announced here', arpRequest({ targetIp: '192.0.2.201' }), 'not-announced'],
    ['our own gratuitous request', arpRequest({ senderMac: US.mac }), 'own-frame'],
  ])('drops %s', (_what, frame, reason) => {
    expect(respond(frame, US, announced)).toMatchObject({ kind: 'drop', reason });
  });

  it('produces a reply that survives the wire', () => {
    const d = respond(arpRequest(), US, announced);
    const again = decode(encode(reply(d)));
    expect(again.ok && again.value).toEqual(reply(d));
  });
});

describe('NDP responder (RFC 4861 §7.1.1, §7.2.4)', () => {
  it('answers a solicitation for an announced target with a solicited, overriding NA from the target', () => {
    expect(respond(solicitation(), US, announced)).toEqual({
      kind: 'reply',
      ip: '2001:db8:1::200',
      frame: {
        ethernet: { destination: PEER_MAC, source: US.mac, etherType: 0x86dd },
        protocol: 'ndp',
        ipv6: {
          trafficClass: 0,
          flowLabel: 0,
          hopLimit: 255,
          source: '2001:db8:1::200',
          destination: 'fe80::ff:fe00:b',
        },
        ndp: {
          type: 'neighbor-advertisement',
          router: false,
          solicited: true,
          override: true,
          target: '2001:db8:1::200',
          options: [{ kind: 'target-lla', mac: US.mac }],
        },
      },
    });
  });

  it('answers a DAD probe from :: to all-nodes without the Solicited flag', () => {
    const f = reply(respond(solicitation({ source: '::', sourceLla: false }), US, announced));
    expect(f).toMatchObject({
      ethernet: { destination: '33:33:00:00:00:01' },
      ipv6: { destination: 'ff02::1', hopLimit: 255 },
      ndp: { solicited: false, override: true },
    });
  });

  it('answers a unicast solicitation without a source link-layer option to the frame source MAC', () => {
    const f = reply(
      respond(solicitation({ sourceLla: false, destination: '2001:db8:1::200' }), US, announced),
    );
    expect(f.ethernet.destination).toBe(PEER_MAC);
  });

  it.each<[string, NdpFrame, string]>([
    ['hop limit 64 (forwarded, so possibly off-link)', solicitation({ hopLimit: 64 }), 'ns-hop-limit'],
    ['a multicast target', solicitation({ target: 'ff02::1' }), 'ns-target-multicast'],
    [
      'from :: to a unicast destination',
      solicitation({ source: '::', destination: '2001:db8:1::200', sourceLla: false }),
      'ns-unspecified-source-not-solicited-node',
    ],
    [
      'from :: with a source link-layer option',
      solicitation({ source: '::' }),
      'ns-unspecified-source-with-lla',
    ],
    ['a target not announced here', solicitation({ target: '2001:db8:1::201' }), 'not-announced'],
  ])('drops %s', (_what, frame, reason) => {
    expect(respond(frame, US, announced)).toMatchObject({ kind: 'drop', reason });
  });

  it('drops advertisements', () => {
    const na: NdpFrame = {
      ...solicitation(),
      ndp: {
        type: 'neighbor-advertisement',
        router: false,
        solicited: false,
        override: true,
        target: '2001:db8:1::200',
        options: [],
      },
    };
    expect(respond(na, US, announced)).toMatchObject({ kind: 'drop', reason: 'ndp-advertisement' });
  });

  it('produces an NA whose checksum verifies after the wire', () => {
    const again = decode(encode(reply(respond(solicitation(), US, announced))));
    expect(again.ok).toBe(true);
  });
});
