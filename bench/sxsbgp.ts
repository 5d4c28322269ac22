// The BGP rows of sxs.bench.ts: ironlb's and MetalLB's speakers on the work of bench/bgpkit.ts, each on a fresh
// world and control plane, one after the other, then one table per work with every side and the ratios.
//
// Two works, because of what MetalLB's native speaker can do and what the test address ranges hold:
// - IPv6, SERVICES (10,000) Services: MetalLB announces IPv6 only in FRR mode (its native mode refuses an IPv6
//   pool selected by a BGPAdvertisement: "native bgp mode does not support ipv6", internal/config/validate.go),
//   so the columns are ironlb native, MetalLB FRR mode and ironlb FRR mode (the same FRR sidecar setup);
// - IPv4, both native speakers: the IPv4 documentation ranges hold 128 addresses for a BGP pool here
//   (bgpkit.ts), so this work is at most 128 Services: what it shows is the UPDATE count, one per prefix for
//   MetalLB's native speaker.
import { metallbBuild } from '../e2e/harness/kubelet/metallb';
import {
  type BgpFigures,
  type BgpSide,
  familyCapacity,
  pct,
  PEERS,
  runBgpWork,
  type Workload,
} from './bgpkit';
import { ironlbSpeaker, metallbSpeaker } from './bgpsides';

export interface BgpKnobs {
  readonly services: number;
  readonly v4Services: number;
  readonly repeat: number;
  readonly logLevel: string;
  /** ironlb or metallb: that side's columns only. */
  readonly only: string;
  readonly say: (line: string) => void;
}

interface Row {
  readonly label: string;
  readonly unit: 'ms' | 'MiB' | 'n';
  readonly value: (f: BgpFigures) => number;
}

const median = (xs: readonly number[]): number => (xs.length === 0 ? NaN : pct(xs, 50));
/** The median over trials and peers of one phase's UPDATE count. */
const updates =
  (phase: string, which: 'sent' | 'received') =>
  (f: BgpFigures): number =>
    median(f.updates.filter((u) => u.phase === phase).flatMap((u) => u[which]));

function rows(services: number): Row[] {
  return [
    {
      label: 'advertisement -> first prefix on every FRR',
      unit: 'ms',
      value: (f) => median(f.announceFirst),
    },
    { label: `advertisement -> all ${services} on every FRR`, unit: 'ms', value: (f) => median(f.announce) },
    { label: `clear bgp: Established -> all ${services}`, unit: 'ms', value: (f) => median(f.reset) },
    {
      label: `clear bgp -> all ${services} (reconnect included)`,
      unit: 'ms',
      value: (f) => median(f.resetTotal),
    },
    { label: 'advertisement deleted -> 0 on every FRR', unit: 'ms', value: (f) => median(f.withdraw) },
    {
      label: 'UPDATEs per peer, announce (FRR updatesRecv)',
      unit: 'n',
      value: updates('announce', 'received'),
    },
    {
      label: 'UPDATEs per peer, session reset (FRR updatesRecv)',
      unit: 'n',
      value: updates('session reset', 'received'),
    },
    {
      label: 'UPDATEs per peer, withdraw (FRR updatesRecv)',
      unit: 'n',
      value: updates('withdraw', 'received'),
    },
    { label: `speaker RSS, ${services} prefixes, settled`, unit: 'MiB', value: (f) => median(f.rssMiB) },
    {
      label: 'FRR sidecar daemons RSS (FRR mode)',
      unit: 'MiB',
      value: (f) => median(f.sidecarRssMiB),
    },
    {
      label: 'speaker + sidecar RSS',
      unit: 'MiB',
      value: (f) => median(f.rssMiB) + (f.sidecarRssMiB.length > 0 ? median(f.sidecarRssMiB) : 0),
    },
  ];
}

function show(unit: Row['unit'], v: number): string {
  if (Number.isNaN(v)) return '-';
  if (unit === 'MiB') return `${v.toFixed(1)} MiB`;
  if (unit === 'ms') return `${v.toFixed(0)} ms`;
  return String(v);
}

/** One table: a column per side, then "side / first side" for every side after the first. */
export function printBgpTable(title: string, figures: readonly BgpFigures[]): void {
  const [base] = figures;
  if (base === undefined) return;
  const header = [
    'figure',
    ...figures.map((f) => f.side),
    ...figures.slice(1).map((f) => `${f.side} / ${base.side}`),
  ];
  console.log(`\n${title}`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows(base.services)) {
    const vals = figures.map((f) => r.value(f));
    const b = vals[0] ?? NaN;
    const ratios = vals
      .slice(1)
      .map((v) =>
        r.unit === 'n' || Number.isNaN(v) || Number.isNaN(b) || b <= 0 ? '' : `${(v / b).toFixed(2)}x`,
      );
    console.log(`| ${[r.label, ...vals.map((v) => show(r.unit, v)), ...ratios].join(' | ')} |`);
  }
  for (const f of figures)
    console.log(`  ${f.side}: load average at the end ${f.loadAverage}; fed in ${f.fedMs} ms`);
}

async function runAll(sides: readonly BgpSide[], w: Workload): Promise<BgpFigures[]> {
  const out: BgpFigures[] = [];
  for (const side of sides) {
    w.say(`BGP ${w.family} ${w.services}: ${side.describe}`);
    out.push(await runBgpWork(side, w));
  }
  return out;
}

export async function bgpRows(k: BgpKnobs): Promise<void> {
  const wantIronlb = k.only !== 'metallb';
  const wantMetallb = k.only !== 'ironlb';
  const build = wantMetallb ? metallbBuild() : undefined;
  const base = { repeat: k.repeat, pollMs: 50, say: (line: string) => k.say(`[sxs bgp] ${line}`) };

  const v6Sides: BgpSide[] = [
    ...(wantIronlb ? [ironlbSpeaker('native', k.logLevel)] : []),
    ...(build !== undefined ? [metallbSpeaker(build, 'frr', k.logLevel)] : []),
    ...(wantIronlb ? [ironlbSpeaker('frr', k.logLevel)] : []),
  ];
  const v6 = await runAll(v6Sides, { ...base, family: 'ipv6', services: k.services });
  const v4Count = Math.min(k.v4Services, familyCapacity('ipv4'));
  const v4Sides: BgpSide[] = [
    ...(wantIronlb ? [ironlbSpeaker('native', k.logLevel)] : []),
    ...(build !== undefined ? [metallbSpeaker(build, 'native', k.logLevel)] : []),
  ];
  const v4 = v4Count > 0 ? await runAll(v4Sides, { ...base, family: 'ipv4', services: v4Count }) : [];

  printBgpTable(
    `speakers, BGP: ${k.services} IPv6 Services, ${PEERS.length} FRR peers, ${k.repeat} trials per side, median ` +
      'over trials (and peers for UPDATE counts); MetalLB in FRR mode, its only mode for IPv6',
    v6,
  );
  if (v4.length > 0)
    printBgpTable(
      `speakers, BGP: ${v4Count} IPv4 Services (the IPv4 test ranges hold no more), ${PEERS.length} FRR peers, both native`,
      v4,
    );
  for (const s of [...v6Sides, ...v4Sides]) console.log(`  ${s.label}: ${s.describe}`);
  console.log(
    "unfair: every speaker runs as a plain process with its manifest's arguments (no kubelet); MetalLB's " +
      "memberlist is off (one node, BGP only). The Services' statuses and EndpointSlices are written by the bench " +
      "(no controller runs). In FRR mode the reload (frr-reload.py) and FRR's bgpd do the sending, so the UPDATE " +
      "count is FRR's packing for both; FRR mode's RSS is the speaker's plus the sidecar daemons'.",
  );
}
