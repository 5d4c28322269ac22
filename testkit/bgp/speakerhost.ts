// The speaker's BGP half as its own process, for speaker/bgp/gracefulrestart.e2e.test.ts: one BGPPeer built by the
// config parser, a BGPSessionManager with the speaker's R-bit rule (speaker/bgp/restart.ts), routes set a moment after
// the start (as the reconciler does once its caches are synced), and on SIGTERM the same close the speaker
// process makes (BGPSessionManager.shutdown), then exit. Also used by dualstack.e2e.test.ts. Run inside a node namespace of the e2e world:
//
//   speakerhost.ts <nodeAddress> <peerAddress> <peerASN> <myASN> <options> <prefixes> [routesDelayMs]
//
// <peerAddress> is one address or a comma list; `address%name` puts that peer in VRF `name` (BGPPeer vrf). The
// first peer is named `router`, the others `peer1`, `peer2`, ... Every peer gets the routes and <options>.
// <options> is a comma list of `gr` (enableGracefulRestart), `dual` (dualStackAddressFamily), `multihop`
// (ebgpMultiHop) and `bfd` (bfdProfile 100 ms x 3, minimumTtl 254, run by speaker/bfd's BfdManager and
// wired as speaker/app/speaker.ts does: a BFD Down drops the BGP session), or `none`; <prefixes> a comma list.
//
// STOP_KIND (restart or drain) and SHUTDOWN_WAIT_MS pick the close; LOG_LEVEL (default error) the speaker's
// log lines, JSON on stdout as well. One JSON line per session change on
// stdout, and one `{"bfd": "up" | "down", "at": ...}` line per BFD change with `bfd`.
import winston from 'winston';
import { bfd, buildOk, node, peer } from '../configfixtures';
import { LOG_LEVELS, createLogger } from '../../kube/log';
import { BfdManager } from '../../speaker/bfd/manager';
import { BGPSessionManager } from '../../speaker/bgp/manager';
import { parsePrefix } from '../../speaker/bgp/codec/prefix';
import { restartWindow } from '../../speaker/bgp/restart';
import type { StopKind } from '../../speaker/bgp/stopkind';

const [
  nodeAddress = '',
  peerAddress = '',
  peerAs = '',
  myAs = '',
  options = 'none',
  prefixText = '',
  delay = '500',
] = process.argv.slice(2);
const flags = options.split(',');
const hasBfd = flags.includes('bfd');
const routes = prefixText.split(',').map((text) => {
  const prefix = parsePrefix(text);
  if (prefix === undefined) throw new Error(`bad prefix ${text}`);
  return { prefix };
});
const config = buildOk({
  nodes: [node('n1')],
  bgpPeers: peerAddress.split(',').map((entry, i) => {
    const [address = '', vrf] = entry.split('%');
    return peer(i === 0 ? 'router' : `peer${i}`, {
      myASN: Number(myAs),
      peerASN: Number(peerAs),
      peerAddress: address,
      holdTime: '9s',
      enableGracefulRestart: flags.includes('gr'),
      dualStackAddressFamily: flags.includes('dual'),
      ebgpMultiHop: flags.includes('multihop'),
      ...(vrf !== undefined ? { vrf } : {}),
      ...(hasBfd ? { bfdProfile: 'fast' } : {}),
    });
  }),
  bfdProfiles: [
    bfd('fast', { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3, minimumTtl: 254 }),
  ],
});
const startedAt = Date.now();
const logger = winston.createLogger({
  level: process.env.LOG_LEVEL ?? 'error',
  transports: [new winston.transports.Console()],
});
const manager = new BGPSessionManager({
  node: 'n1',
  nodeAddress,
  logger,
  observer: {
    changed: (name, _label, stats) =>
      process.stdout.write(`${JSON.stringify({ peer: name, at: Date.now(), ...stats })}\n`),
    removed: () => undefined,
  },
  restarting: restartWindow(startedAt, () => Date.now()),
});
const bfdLogLevel = LOG_LEVELS.find((l) => l === process.env.LOG_LEVEL) ?? 'error';
const bfdLine = (state: string): void =>
  void process.stdout.write(`${JSON.stringify({ bfd: state, at: Date.now() })}\n`);
const bfdSessions = new BfdManager({
  logger: createLogger({ level: bfdLogLevel, component: 'bfd', stream: process.stderr }),
  onDown: (name) => {
    bfdLine('down');
    manager.bfdDown(name);
  },
  observer: {
    state: (_peer, isUp) => {
      if (isUp) bfdLine('up');
    },
    packetIn: () => undefined,
    packetOut: () => undefined,
    upEvent: () => undefined,
    downEvent: () => undefined,
    removed: () => undefined,
  },
});
const peers = [...config.peers.values()];
bfdSessions.sync(peers);
manager.sync(peers);
setTimeout(() => {
  for (const name of manager.peers()) manager.setRoutes(name, routes);
}, Number(delay));
process.once('SIGTERM', () => {
  const kind: StopKind = process.env.STOP_KIND === 'drain' ? 'drain' : 'restart';
  // After BGP, as speaker/app/speaker.ts does: AdminDown is no failure (RFC 5882 3.2).
  void manager.shutdown(kind, Number(process.env.SHUTDOWN_WAIT_MS ?? '200')).finally(() => {
    bfdSessions.stop();
    setTimeout(() => process.exit(0), 50);
  });
});
