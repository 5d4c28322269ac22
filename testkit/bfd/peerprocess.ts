// A BfdManager with one session, for bench/bfd.bench.ts and speaker/bfd/bfd.e2e.test.ts: run inside a network namespace with the peer
// address, the profile (ms, ms, multiplier) and how long to run. Prints one JSON line per state change with
// the wall clock (Date.now()) so the parent can compare it with when it cut the link.
import { expectedBFD, expectedPeer } from '../configfixtures';
import { BfdManager } from '../../speaker/bfd/manager';
import { createLogger } from '../../kube/log';

const [peerAddress = '192.0.2.1', rx = '100', tx = '100', mult = '3'] = process.argv.slice(2);
// Errors on stderr: stdout carries only the state-change lines the parent parses.
const logger = createLogger({ level: 'error', component: 'bfd-peer', stream: process.stderr });
const manager = new BfdManager({
  logger,
  onDown: (peer) => console.log(JSON.stringify({ event: 'down', peer, at: Date.now() })),
  observer: {
    state: (_peer, isUp) => isUp && console.log(JSON.stringify({ event: 'up', at: Date.now() })),
    packetIn: () => undefined,
    packetOut: () => undefined,
    upEvent: () => undefined,
    downEvent: () => undefined,
    removed: () => undefined,
  },
});
const profile = expectedBFD({
  name: 'bench',
  receiveInterval: Number(rx),
  transmitInterval: Number(tx),
  detectMultiplier: Number(mult),
});
manager.sync([
  expectedPeer({ name: 'peer', myASN: 64512, peerASN: 64501, address: peerAddress, bfdProfile: profile }),
]);
process.stdin.on('end', () => {
  manager.stop();
  setTimeout(() => process.exit(0), 100);
});
process.stdin.resume();
