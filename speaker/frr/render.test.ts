// Golden files for the frr.conf renderer (testdata/*.conf), one per option of BGPPeer, BGPAdvertisement and
// BFDProfile that changes the text. `IRONLB_UPDATE_GOLDEN=1` rewrites them; review the diff before committing.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrefix, type Prefix } from '../bgp/codec/prefix';
import type { Route } from '../bgp/session/session';
import { expectedBFD, expectedPeer, type PeerExpectation } from '../../testkit/configfixtures';
import type { Peer } from '../../config/types';
import { formatCommunity, renderFrrConfig, type FrrNodeConfig } from './render';

const UPDATE = process.env.IRONLB_UPDATE_GOLDEN === '1';

function prefix(text: string): Prefix {
  const p = parsePrefix(text);
  if (p === undefined) throw new Error(`bad prefix ${text}`);
  return p;
}

const peer = (p: Partial<PeerExpectation> & { name: string }): Peer =>
  expectedPeer({ myASN: 64512, peerASN: 64500, address: '192.0.2.1', ...p });

const node = (c: Partial<FrrNodeConfig>): FrrNodeConfig => ({
  hostname: 'node-a',
  logLevel: 'info',
  peers: [],
  routes: new Map(),
  bfdProfiles: [],
  ...c,
});

const route = (p: string, extra: Omit<Route, 'prefix'> = {}): Route => ({ prefix: prefix(p), ...extra });

const CASES: Record<string, FrrNodeConfig> = {
  // No peers: only the global header (a node no BGPPeer selects).
  empty: node({}),
  'single-peer': node({
    peers: [peer({ name: 'r1' })],
    routes: new Map([['r1', [route('203.0.113.10/32')]]]),
  }),
  'no-routes': node({ peers: [peer({ name: 'r1' })] }),
  'ibgp-localpref-communities': node({
    peers: [peer({ name: 'r1', peerASN: 64512 })],
    routes: new Map([
      [
        'r1',
        [
          route('203.0.113.10/32', { localPref: 150, communities: [0xfde80064] }),
          route('203.0.113.11/32', {
            localPref: 150,
            communities: [0xfde80064, 0xfde800c8],
            largeCommunities: [{ global: 4200000000, local1: 1, local2: 2 }],
          }),
          route('203.0.113.12/32', { localPref: 200 }),
        ],
      ],
    ]),
  }),
  'session-options': node({
    peers: [
      peer({
        name: 'r1',
        port: 1179,
        holdTime: 9,
        keepaliveTime: 3,
        connectTime: 5,
        password: 's3cret',
        sourceAddress: '192.0.2.2',
        ebgpMultiHop: true,
        enableGracefulRestart: true,
        routerID: '198.51.100.1',
        localASN: 64999,
      }),
    ],
  }),
  'dynamic-asn': node({
    peers: [
      peer({ name: 'ext', peerASN: 0, dynamicASN: 'external' }),
      peer({ name: 'int', peerASN: 0, dynamicASN: 'internal', address: '192.0.2.3' }),
    ],
  }),
  ipv6: node({
    peers: [peer({ name: 'v6', address: '2001:db8::1' })],
    routes: new Map([['v6', [route('2001:db8:1::10/128', { communities: [0xfde80064] })]]]),
  }),
  'dual-stack': node({
    peers: [peer({ name: 'r1', dualStackAddressFamily: true })],
    routes: new Map([['r1', [route('203.0.113.10/32'), route('2001:db8:1::10/128')]]]),
  }),
  unnumbered: node({ peers: [peer({ name: 'eth', address: undefined, interface: 'eth1' })] }),
  'bfd-profiles': node({
    peers: [
      peer({
        name: 'r1',
        bfdProfile: expectedBFD({
          name: 'fast',
          receiveInterval: 100,
          transmitInterval: 100,
          detectMultiplier: 3,
        }),
      }),
    ],
    bfdProfiles: [
      expectedBFD({ name: 'fast', receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 }),
      expectedBFD({ name: 'echo', echoMode: true, echoInterval: 60, passiveMode: true, minimumTtl: 250 }),
      expectedBFD({ name: 'defaults' }),
    ],
  }),
  vrf: node({
    peers: [
      peer({ name: 'default', address: '192.0.2.1' }),
      peer({ name: 'red', address: '192.0.2.1', vrf: 'red', myASN: 64513 }),
    ],
    routes: new Map([
      ['default', [route('203.0.113.10/32')]],
      ['red', [route('203.0.113.20/32', { localPref: 120 })]],
    ]),
  }),
  // Two peers of one router, each with its own share of the prefixes (BGPAdvertisement peers filter).
  'peers-filter': node({
    peers: [peer({ name: 'r2', address: '192.0.2.5' }), peer({ name: 'r1' })],
    routes: new Map([
      ['r1', [route('203.0.113.10/32'), route('203.0.113.11/32')]],
      ['r2', [route('203.0.113.11/32')]],
    ]),
  }),
  debug: node({ logLevel: 'debug', peers: [peer({ name: 'r1' })] }),
  // FRR_LOGGING_LEVEL wins over the speaker's level, debug lines included (upstream levelFor).
  'frr-logging-level': node({ logLevel: 'info', frrLogLevel: 'debugging', peers: [peer({ name: 'r1' })] }),
  extras: node({ peers: [peer({ name: 'r1' })], extras: 'router bgp 64512\n  bgp log-neighbor-changes\n' }),
};

describe('renderFrrConfig golden files', () => {
  it.each(Object.keys(CASES))('%s', (name) => {
    const input = CASES[name];
    if (input === undefined) throw new Error(name);
    const text = renderFrrConfig(input);
    const file = join(__dirname, 'testdata', `${name}.conf`);
    if (UPDATE || !existsSync(file)) {
      if (!UPDATE) throw new Error(`${file} missing: run with IRONLB_UPDATE_GOLDEN=1`);
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
  });
});

// FRR's own parser (vtysh dry run, no daemons needed) accepts every golden file; the machines this runs on
// have Debian's frr installed (the e2e tests need it too).
const VTYSH = '/usr/bin/vtysh';
(existsSync(VTYSH) ? describe : describe.skip)('golden files parsed by vtysh --dryrun', () => {
  it.each(Object.keys(CASES))('%s', (name) => {
    const file = join(__dirname, 'testdata', `${name}.conf`);
    expect(() =>
      execFileSync(VTYSH, ['--dryrun', '-f', file], { stdio: 'pipe', timeout: 10_000 }),
    ).not.toThrow();
  });
});

describe('renderFrrConfig', () => {
  it('gives the same text whatever the order of peers, routes and profiles', () => {
    const input = CASES['peers-filter'];
    const bfd = CASES['bfd-profiles'];
    if (input === undefined || bfd === undefined) throw new Error('cases');
    const reversed: FrrNodeConfig = {
      ...input,
      peers: [...input.peers].reverse(),
      routes: new Map([...input.routes].reverse().map(([k, v]) => [k, [...v].reverse()])),
    };
    expect(renderFrrConfig(reversed)).toBe(renderFrrConfig(input));
    expect(renderFrrConfig({ ...bfd, bfdProfiles: [...bfd.bfdProfiles].reverse() })).toBe(
      renderFrrConfig(bfd),
    );
    expect(renderFrrConfig(input)).toBe(renderFrrConfig(input));
  });

  it('denies every received route and lets out only the peer’s own prefixes', () => {
    const text = renderFrrConfig(CASES['peers-filter'] ?? node({}));
    expect(text).toContain('route-map 192.0.2.5-in deny 20');
    expect(text).toContain('ip prefix-list 192.0.2.5-allowed-ipv4 seq 1 permit 203.0.113.11/32');
    expect(text).not.toContain('192.0.2.5-allowed-ipv4 seq 2');
    expect(text).toContain('ipv6 prefix-list 192.0.2.5-allowed-ipv6 seq 1 deny any');
  });

  it('writes standard communities as high:low', () => {
    expect(formatCommunity(0xffff0000)).toBe('65535:0');
    expect(formatCommunity(0xfde80064)).toBe('65000:100');
  });
});
