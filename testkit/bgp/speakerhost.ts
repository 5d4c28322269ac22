// The speaker's BGP half as its own process, for speaker/bgp/gracefulrestart.e2e.test.ts: one BGPPeer built by the
// config parser, a BGPSessionManager with the speaker's R-bit rule (speaker/bgp/restart.ts), routes set a moment after
// the start (as the reconciler does once its caches are synced), and on SIGTERM the same close the speaker
// process makes (BGPSessionManager.shutdown), then exit. Also used by dualstack.e2e.test.ts. Run inside a node namespace of the e2e world:
//
//   speakerhost.ts <nodeAddress> <peerAddress> <peerASN> <myASN> <options> <prefixes> [routesDelayMs]
//
// <options> is a comma list of `gr` (enableGracefulRestart) and `dual` (dualStackAddressFamily), or `none`;
// <prefixes> a comma list.
//
// STOP_KIND (restart or drain) and SHUTDOWN_WAIT_MS pick the close. One JSON line per session change on
// stdout.
import winston from 'winston';
import { buildOk, node, peer } from '../configfixtures';
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
const routes = prefixText.split(',').map((text) => {
  const prefix = parsePrefix(text);
  if (prefix === undefined) throw new Error(`bad prefix ${text}`);
  return { prefix };
});
const config = buildOk({
  nodes: [node('n1')],
  bgpPeers: [
    peer('router', {
      myASN: Number(myAs),
      peerASN: Number(peerAs),
      peerAddress,
      holdTime: '9s',
      enableGracefulRestart: flags.includes('gr'),
      dualStackAddressFamily: flags.includes('dual'),
    }),
  ],
});
const startedAt = Date.now();
const manager = new BGPSessionManager({
  node: 'n1',
  nodeAddress,
  logger: winston.createLogger({ level: 'error', transports: [new winston.transports.Console()] }),
  observer: {
    changed: (name, _label, stats) =>
      process.stdout.write(`${JSON.stringify({ peer: name, at: Date.now(), ...stats })}\n`),
    removed: () => undefined,
  },
  restarting: restartWindow(startedAt, () => Date.now()),
});
manager.sync([...config.peers.values()]);
setTimeout(() => manager.setRoutes('router', routes), Number(delay));
process.once('SIGTERM', () => {
  const kind: StopKind = process.env.STOP_KIND === 'drain' ? 'drain' : 'restart';
  void manager.shutdown(kind, Number(process.env.SHUTDOWN_WAIT_MS ?? '200')).finally(() => process.exit(0));
});
