// What the Layer 2 e2e tests ask of the world, from the client's side: who answers ARP and NDP for an address,
// whether HTTP gets through, how many peers each speaker's membership sees, and the reply timeline a capture
// shows (who answered when, and whether two nodes ever answered the same request).
import {
  arpOf,
  arping,
  httpGetFrom,
  ndisc6,
  type BackendAnswer,
  type Capture,
  type World,
} from '../harness/net';
import { waitFor } from '../harness/readiness';
import { readService } from '../../testkit/servicereader';
import {
  applyWhenAdmitted,
  installAndWaitForSpeakers,
  startCluster,
  type InstalledCluster,
  type SpeakerPod,
} from './cluster';
import { applyManifest, METALLB_NAMESPACE as NS } from './manifest';
import {
  BACKEND_PORT,
  backendObjects,
  DEMO_NAMESPACE,
  DEMO_SERVICE,
  exposeServiceOnNodes,
  l2Objects,
} from '../demo/objects';

export interface DemoLayer2 {
  cluster: InstalledCluster;
  speakers: Map<string, SpeakerPod>;
  /** The demo Service's IPv4 and IPv6 EXTERNAL-IPs. */
  ip4: string;
  ip6: string;
}

/**
 * The demo's Layer 2 set-up in a world of `nodes`: ironlb from the manifest with one Ready speaker per node, the
 * lan pool and its L2Advertisement, a backend per node and the dual-stack demo Service, exposed on the nodes as
 * kube-proxy would, answered over HTTP on both families.
 */
export async function startDemoLayer2(nodes: number, say: (line: string) => void): Promise<DemoLayer2> {
  const t = Date.now();
  const cluster = await startCluster({ nodes, onStep: say });
  try {
    const { world } = cluster;
    const speakers = await installAndWaitForSpeakers(cluster);
    say(`controller and ${speakers.size} speakers Ready ${Date.now() - t}ms after start`);
    const { ip4, ip6 } = await serveDemoService(cluster, nodes, say);
    for (const ip of [ip4, ip6]) await httpUntilAnswered(world, ip, 30_000);
    say(`Service addresses ${ip4} ${ip6}, answered over HTTP`);
    return { cluster, speakers, ip4, ip6 };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

const BROADCAST = 'ff:ff:ff:ff:ff:ff';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The demo's work on an installed cluster, whichever load balancer serves it: the lan pool and its
 * L2Advertisement, a backend per node and the dual-stack demo Service, exposed on the nodes as kube-proxy
 * would once it has both addresses. Resolves with them.
 */
export async function serveDemoService(
  cluster: InstalledCluster,
  nodes: number,
  say: (line: string) => void,
): Promise<{ ip4: string; ip6: string }> {
  const { admin, world } = cluster;
  await applyWhenAdmitted(admin, l2Objects(world.plan.pools.l2), (m) => say(`webhook not ready: ${m}`));
  await applyManifest(admin, backendObjects(nodes));
  let ips: string[] = [];
  await waitFor(
    `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE} to get an IPv4 and an IPv6 address`,
    async () => {
      ips = (await readService(admin, DEMO_NAMESPACE, DEMO_SERVICE)).ips;
      return ips.some((i) => !i.includes(':')) && ips.some((i) => i.includes(':'));
    },
    { timeoutMs: 60_000 },
  );
  await exposeServiceOnNodes(world, ips);
  return { ip4: ips.find((i) => !i.includes(':')) ?? '', ip6: ips.find((i) => i.includes(':')) ?? '' };
}
/**
 * Waits until the client's neighbour probe for `ip` is answered (arping, three requests, for IPv4; ndisc6 for
 * IPv6) and returns the answering MACs.
 */
export async function answeringMacs(
  world: World,
  ip: string,
  what: string,
  say: (line: string) => void,
  timeoutMs = 15_000,
): Promise<string[]> {
  const v6 = ip.includes(':');
  const tool = v6 ? 'ndisc6' : 'arping';
  let macs: string[] = [];
  let output = '';
  await waitFor(
    what,
    async () => {
      const r = v6
        ? await ndisc6(world, ip, { waitMs: 1_500 })
        : await arping(world, ip, { count: 3, deadlineS: 4 });
      macs = r.macs;
      output = r.output;
      return r.macs.length > 0;
    },
    { timeoutMs, intervalMs: 200 },
  ).catch((err: unknown) => {
    throw new Error(`${message(err)}\nlast ${tool}: ${output}`);
  });
  say(`${tool} ${ip}:\n${output.trim()}`);
  return macs;
}

/** Retries HTTP from the client to `ip` every 50 ms until a backend answers. */
export async function httpUntilAnswered(
  world: World,
  ip: string,
  timeoutMs = 20_000,
): Promise<BackendAnswer> {
  let answer: BackendAnswer | undefined;
  let last = '';
  await waitFor(
    `HTTP to ${ip}:${BACKEND_PORT} from the client to be answered`,
    async () => {
      try {
        answer = await httpGetFrom(world, 'client', ip, BACKEND_PORT, 1);
        return true;
      } catch (err) {
        last = message(err);
        return false;
      }
    },
    { timeoutMs, intervalMs: 50 },
  ).catch((err: unknown) => {
    throw new Error(`${message(err)}\nlast error: ${last}`);
  });
  if (answer === undefined) throw new Error('lost the answer');
  return answer;
}

/** A speaker's /metrics text, scraped from inside its node; '' when it does not answer within `timeoutS`. */
export async function speakerMetricsText(
  world: World,
  node: World['nodes'][number],
  timeoutS = 2,
): Promise<string> {
  const url = `http://${node.primary.v4}:7472/metrics`;
  return (await world.exec(node.role, ['curl', '-sS', '-m', String(timeoutS), url], { allowFailure: true }))
    .stdout;
}

/** Every speaker's ironlb_membership_peers_seen, by node ('?' when its metrics do not answer). */
export async function peersSeen(world: World): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  for (const n of world.nodes) {
    const text = await speakerMetricsText(world, n);
    seen.set(n.role, /^ironlb_membership_peers_seen (\d+)$/m.exec(text)?.[1] ?? '?');
  }
  return seen;
}

/**
 * What each speaker that does not see every other one holds instead: for each missing peer its status in that
 * speaker's view (dead, leaving, unknown: never heard of) or `unlisted` (not among the speaker pods it lists),
 * and the speaker's own membership state. Read from ironlb_membership_peer_status and _self_state.
 */
export async function membershipGaps(world: World): Promise<Record<string, string>> {
  const gaps: Record<string, string> = {};
  for (const n of world.nodes) {
    const text = await speakerMetricsText(world, n);
    const status = new Map<string, string>();
    for (const m of text.matchAll(/^ironlb_membership_peer_status\{([^}]*)\} 1$/gm)) {
      const labels = m[1] ?? '';
      const peer = /peer="([^"]*)"/.exec(labels)?.[1];
      const st = /status="([^"]*)"/.exec(labels)?.[1];
      if (peer !== undefined && st !== undefined) status.set(peer, st);
    }
    const self = /^ironlb_membership_self_state\{state="([^"]*)"\} 1$/m.exec(text)?.[1] ?? '?';
    const missing = world.nodes
      .filter((o) => o.role !== n.role && status.get(o.role) !== 'alive')
      .map((o) => `${o.role}=${status.get(o.role) ?? 'unlisted'}`);
    if (missing.length > 0 || self !== 'active') gaps[n.role] = `${self}; ${missing.join(' ')}`;
  }
  return gaps;
}

/** Waits until every speaker sees all the others alive. */
export async function waitForFullMembership(world: World, timeoutMs = 30_000): Promise<void> {
  const others = String(world.nodes.length - 1);
  let seen = new Map<string, string>();
  await waitFor(
    `every speaker to report ironlb_membership_peers_seen ${others}`,
    async () => {
      seen = await peersSeen(world);
      return [...seen.values()].every((v) => v === others);
    },
    { timeoutMs, intervalMs: 500 },
  ).catch(async (err: unknown) => {
    const gaps = await membershipGaps(world).catch((e: unknown) => ({ error: message(e) }));
    throw new Error(
      `${message(err)}\npeers seen: ${JSON.stringify([...seen])}\nnot seen alive: ${JSON.stringify(gaps)}`,
    );
  });
}

/** The pid of the speaker container on `node`. */
export function speakerPid(
  cluster: InstalledCluster,
  speakers: ReadonlyMap<string, SpeakerPod>,
  node: string,
): number {
  const pod = speakers.get(node);
  const kubelet = cluster.kubelets.find((k) => k.node.name === node);
  const pid = pod === undefined ? undefined : kubelet?.pidsOf(NS, pod.metadata.name)[0];
  if (pid === undefined) throw new Error(`no running speaker process on ${node}`);
  return pid;
}

export interface ArpReply {
  /** Wire time, epoch milliseconds. */
  t: number;
  mac: string;
}

/** The ARP replies for `ip` in a capture, from `sinceMs` on, in wire order. */
export function arpReplies(capture: Capture, ip: string, sinceMs = 0): ArpReply[] {
  return capture
    .packets()
    .flatMap((p) => {
      const a = arpOf(p);
      return a?.op === 'reply' && a.ip === ip && p.time * 1000 >= sinceMs
        ? [{ t: p.time * 1000, mac: p.srcMac }]
        : [];
    })
    .sort((a, b) => a.t - b.t);
}

/** Who answered, in order, with repeats collapsed: [A, B] is one handover, [A, B, A] a handover and back. */
export function answerSequence(replies: readonly ArpReply[]): string[] {
  return replies.map((r) => r.mac).filter((m, i, all) => i === 0 || all[i - 1] !== m);
}

/**
 * Two nodes answering at once: replies from different MACs closer than `withinMs` (half the requests' interval)
 * answer the same request. A move from one node to another with replies further apart is a handover.
 */
export function overlappingReplies(
  replies: readonly ArpReply[],
  nameOf: (mac: string) => string,
  withinMs: number,
): string[] {
  return replies.flatMap((r, i) => {
    const prev = replies[i - 1];
    return prev !== undefined && prev.mac !== r.mac && r.t - prev.t < withinMs
      ? [`${nameOf(prev.mac)} and ${nameOf(r.mac)} ${Math.round(r.t - prev.t)}ms apart`]
      : [];
  });
}

/** The reply timeline relative to `fromMs`, so a failure shows who answered when. */
export function replyTimeline(
  replies: readonly ArpReply[],
  fromMs: number,
  nameOf: (mac: string) => string,
): string[] {
  return replies.map((r) => `+${Math.round(r.t - fromMs)}ms ${nameOf(r.mac)}`);
}

/**
 * Requests that two nodes answered: for every ARP request `from` sent for `ip`, the MACs that replied before
 * `from`'s next request. Exact only while `from` is the one asking (no other prober runs meanwhile), which a
 * single pinger guarantees; gratuitous ARPs (sender = target, or the broadcast reply form) are ignored.
 */
export function requestsAnsweredTwice(
  capture: Capture,
  ip: string,
  from: string,
  nameOf: (mac: string) => string,
): string[] {
  const events = capture
    .packets()
    .flatMap((p) => {
      const a = arpOf(p);
      if (a?.op === 'request' && a.target === ip && a.sender === from) return [{ t: p.time * 1000, mac: '' }];
      // Answers go to the asker; the reply form of a gratuitous ARP is broadcast and answers nobody.
      if (a?.op === 'reply' && a.ip === ip && p.dstMac !== BROADCAST)
        return [{ t: p.time * 1000, mac: p.srcMac }];
      return [];
    })
    .sort((a, b) => a.t - b.t);
  const doubles: string[] = [];
  let requestAt: number | undefined;
  let macs = new Set<string>();
  const close = (): void => {
    if (requestAt !== undefined && macs.size > 1)
      doubles.push(`request at ${new Date(requestAt).toISOString()}: ${[...macs].map(nameOf).join(' and ')}`);
  };
  for (const e of events) {
    if (e.mac === '') {
      close();
      requestAt = e.t;
      macs = new Set();
    } else if (requestAt !== undefined) macs.add(e.mac);
  }
  close();
  return doubles;
}
