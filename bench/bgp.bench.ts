// The native BGP speaker at 10,000 Services (issue 10): one real ironlb speaker process (compiled when
// `npm run build:release` left dist/, else under ts-node) in a node namespace of the harness's world, fed by a
// real kube-apiserver, peering over IPv6 with three FRR instances (bench/bgpkit.ts has the work and every
// figure: announce, session reset, withdraw, UPDATEs sent and received, RSS settled).
// Needs root. Prints figures, asserts nothing (bench/README.md).
//
// Knobs: IRONLB_BENCH_BGP_SERVICES (10000), IRONLB_BENCH_BGP_REPEAT (3 trials), IRONLB_BENCH_BGP_POLL_MS (50),
// IRONLB_BENCH_BGP_MODE (native, or frr: the speaker beside an FRR sidecar), IRONLB_BENCH_BGP_NODE_FLAGS (more
// node flags for the speaker, space-separated, after the shipped ones: `--heapsnapshot-signal=SIGUSR2`, say).
import { PEERS, printBgpFigures, runBgpWork } from './bgpkit';
import { ironlbSpeaker, type SpeakerMode } from './bgpsides';

const SERVICES = Number(process.env['IRONLB_BENCH_BGP_SERVICES'] ?? 10_000);
const REPEAT = Number(process.env['IRONLB_BENCH_BGP_REPEAT'] ?? 3);
const POLL_MS = Number(process.env['IRONLB_BENCH_BGP_POLL_MS'] ?? 50);
const MODE = ((m: string): SpeakerMode => {
  if (m !== 'native' && m !== 'frr') throw new Error(`IRONLB_BENCH_BGP_MODE=${m}: give native or frr`);
  return m;
})(process.env['IRONLB_BENCH_BGP_MODE'] ?? 'native');
const NODE_FLAGS = (process.env['IRONLB_BENCH_BGP_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');

const say = (line: string): void => void process.stderr.write(`[bgp.bench] ${line}\n`);

async function main(): Promise<void> {
  const side = ironlbSpeaker(MODE, 'info', NODE_FLAGS);
  say(side.describe);
  const f = await runBgpWork(side, {
    family: 'ipv6',
    services: SERVICES,
    repeat: REPEAT,
    pollMs: POLL_MS,
    say,
  });
  printBgpFigures(
    f,
    `${side.label} BGP speaker, ${SERVICES} IPv6 Services, ${PEERS.length} FRR peers (one instance each), ${REPEAT} trials, FRR polled every ${POLL_MS} ms`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
