import { buildConfig } from '../../config/build';
import type { Config } from '../../config/types';
import { silentLogger } from '../../kube/log';
import type { ElectionNode } from '../election/types';
import type { L2Announcer } from './announcements';
import { Layer2Reconciler, RECOMPUTE_MIN_SLICE, type L2StatusWriter, type Layer2Options } from './layer2';
import type { SpeakerService, SpeakerSlice } from './objects';
import { l2StatusName } from './status';

const NS = 'metallb-system';

/** The cluster every speaker of a test reads: plain maps the test edits between steps. */
class World {
  services = new Map<string, SpeakerService>();
  slices = new Map<string, SpeakerSlice[]>();
  nodes = new Map<string, ElectionNode>();
  alive: Set<string> | undefined;
  isolated = new Set<string>();
  statuses = new Set<string>();

  constructor(nodeNames: string[]) {
    for (const n of nodeNames)
      this.nodes.set(n, { labels: { 'kubernetes.io/hostname': n }, networkUnavailable: false });
  }

  addService(key: string, ips: string[], extra: Partial<SpeakerService> = {}, endpointNodes = ['n1']): void {
    const [namespace = '', name = ''] = key.split('/');
    this.services.set(key, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, uid: `uid-${name}`, labels: {}, annotations: {} },
      type: 'LoadBalancer',
      loadBalancerClass: '',
      externalTrafficPolicy: 'Cluster',
      ingressIPs: ips,
      ...extra,
    });
    this.slices.set(key, [
      {
        metadata: { name: `${name}-abc`, namespace },
        service: key,
        endpoints: endpointNodes.map((nodeName) => ({ nodeName, conditions: { ready: true } })),
      },
    ]);
  }
}

function config(
  pools: Record<string, string>,
  ads: { name: string; pools: string[]; interfaces?: string[] }[],
): Config {
  const result = buildConfig({
    ipAddressPools: Object.entries(pools).map(([name, cidr]) => ({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name, namespace: NS },
      spec: { addresses: [cidr] },
    })),
    l2Advertisements: ads.map((a) => ({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: a.name, namespace: NS },
      spec: { ipAddressPools: a.pools, ...(a.interfaces ? { interfaces: a.interfaces } : {}) },
    })),
    nodes: ['n1', 'n2', 'n3'].map((n) => ({
      metadata: { name: n, labels: { 'kubernetes.io/hostname': n } },
    })),
  });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.config;
}

const TWO_POOLS = config({ web: '192.0.2.0/28', db: '198.51.100.0/28' }, [
  { name: 'web-l2', pools: ['web'] },
  { name: 'db-l2', pools: ['db'] },
]);

class RecordingAnnouncer implements L2Announcer {
  readonly held = new Map<string, readonly string[] | 'all'>();
  readonly calls: string[] = [];
  announce(ip: string, interfaces: readonly string[] | 'all'): void {
    this.held.set(ip, interfaces);
    this.calls.push(`announce ${ip}`);
  }
  withdraw(ip: string): void {
    this.held.delete(ip);
    this.calls.push(`withdraw ${ip}`);
  }
}

function speaker(
  world: World,
  node: string,
  interfaceNames: string[] = ['eth0'],
  extra: Partial<Layer2Options> = {},
) {
  const announcer = new RecordingAnnouncer();
  const enqueued: string[] = [];
  const writes: string[] = [];
  const events: string[] = [];
  const statusWriter: L2StatusWriter = {
    apply: (s) => {
      writes.push(`apply ${s.metadata.name}`);
      world.statuses.add(s.metadata.name);
      return Promise.resolve();
    },
    delete: (_ns, name) => {
      writes.push(`delete ${name}`);
      world.statuses.delete(name);
      return Promise.resolve();
    },
  };
  const r = new Layer2Reconciler({
    myNode: node,
    namespace: NS,
    lbClass: '',
    ignoreExcludeLB: false,
    sources: {
      service: (k) => world.services.get(k),
      slices: (k) => world.slices.get(k) ?? [],
      nodes: () => world.nodes,
      serviceKeys: () => world.services.keys(),
      hasStatus: (name) => world.statuses.has(name),
    },
    membership: { aliveSpeakers: () => world.alive, isIsolated: () => world.isolated.has(node) },
    announcer,
    interfaceNames: () => new Set(interfaceNames),
    statusWriter,
    events: {
      nodeAssigned: (svc, n) => events.push(`nodeAssigned ${svc.metadata.name} ${n}`),
      announceFailed: (svc, ip) => events.push(`announceFailed ${svc.metadata.name} ${ip}`),
    },
    metrics: { announced: () => undefined, withdrawn: () => undefined },
    logger: silentLogger(),
    enqueue: (k) => enqueued.push(k),
    ...extra,
  });
  return { r, announcer, enqueued, writes, events };
}

function cluster(world: World, cfg: Config = TWO_POOLS) {
  const speakers = ['n1', 'n2', 'n3'].map((n) => speaker(world, n));
  for (const s of speakers) {
    s.r.membershipChanged();
    s.r.setConfig(cfg);
  }
  for (const s of speakers) s.enqueued.length = 0;
  return speakers;
}

describe('Layer2Reconciler', () => {
  it('exactly one speaker announces each address, and every speaker agrees which', () => {
    const world = new World(['n1', 'n2', 'n3']);
    for (let i = 1; i <= 10; i++) world.addService(`default/s${i}`, [`192.0.2.${i}`]);
    const speakers = cluster(world);
    for (let i = 1; i <= 10; i++) {
      const key = `default/s${i}`;
      for (const s of speakers) s.r.evaluate(key);
      const holding = speakers.filter((s) => s.announcer.held.has(`192.0.2.${i}`));
      expect(holding).toHaveLength(1);
      const winners = new Set(speakers.map((s) => s.r.winnerOf(key)));
      expect(winners.size).toBe(1);
    }
  });

  it('a Service change touches that Service only; withdrawing it releases its address', () => {
    const world = new World(['n1']);
    world.alive = new Set(['n1']);
    world.addService('default/a', ['192.0.2.1']);
    world.addService('default/b', ['192.0.2.2']);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    expect([...s.announcer.held.keys()].sort()).toEqual(['192.0.2.1', '192.0.2.2']);
    s.announcer.calls.length = 0;
    world.services.set('default/a', {
      ...(world.services.get('default/a') as SpeakerService),
      type: 'ClusterIP',
    });
    expect(s.r.evaluate('default/a')).toMatchObject({ announce: false, reason: 'notLoadBalancer' });
    expect(s.announcer.calls).toEqual(['withdraw 192.0.2.1']);
  });

  it('re-evaluating an unchanged Service does not call the announcer again (no new gratuitous burst)', () => {
    const world = new World(['n1']);
    world.addService('default/a', ['192.0.2.1']);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    s.r.evaluate('default/a');
    s.r.evaluate('default/a');
    expect(s.announcer.calls).toEqual(['announce 192.0.2.1']);
  });

  it("losing the winner moves only that winner's Services, to the same new node on every survivor", () => {
    const world = new World(['n1', 'n2', 'n3']);
    world.alive = new Set(['n1', 'n2', 'n3']);
    for (let i = 1; i <= 12; i++) world.addService(`default/s${i}`, [`192.0.2.${i}`]);
    const speakers = cluster(world);
    const [, n2, n3] = speakers;
    if (!n2 || !n3) throw new Error('three speakers');
    const wonByN1 = [...world.services.keys()].filter((k) => n2.r.winnerOf(k) === 'n1');
    expect(wonByN1.length).toBeGreaterThan(0);
    world.alive = new Set(['n2', 'n3']);
    n2.r.membershipChanged();
    n3.r.membershipChanged();
    expect(new Set(n2.enqueued)).toEqual(new Set(wonByN1));
    expect(new Set(n3.enqueued)).toEqual(new Set(wonByN1));
    for (const key of wonByN1) {
      const ip = world.services.get(key)?.ingressIPs[0] ?? '';
      expect([n2, n3].filter((s) => s.announcer.held.has(ip))).toHaveLength(1);
    }
  });

  it('a joining node makes a speaker look again only at the Services it announces itself', () => {
    const world = new World(['n1', 'n2', 'n3']);
    world.alive = new Set(['n1', 'n2']);
    for (let i = 1; i <= 12; i++) world.addService(`default/s${i}`, [`192.0.2.${i}`]);
    const speakers = cluster(world);
    const n1 = speakers[0];
    if (!n1) throw new Error('speaker');
    const mine = [...n1.r.announcedServices().keys()];
    world.alive = new Set(['n1', 'n2', 'n3']);
    n1.r.membershipChanged();
    expect(new Set(n1.enqueued)).toEqual(new Set(mine));
  });

  it('a config change recomputes the Services of the changed pool only', () => {
    const world = new World(['n1']);
    world.addService('default/web', ['192.0.2.1']);
    world.addService('default/db', ['198.51.100.1']);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    s.enqueued.length = 0;
    s.r.setConfig(
      config({ web: '192.0.2.0/28', db: '198.51.100.0/28' }, [
        { name: 'web-l2', pools: ['web'], interfaces: ['eth0'] },
        { name: 'db-l2', pools: ['db'] },
      ]),
    );
    expect(s.enqueued).toEqual(['default/web']);
    expect(s.announcer.held.get('192.0.2.1')).toEqual(['eth0']);
    expect(s.announcer.held.get('198.51.100.1')).toBe('all');
  });

  it('a Service whose address is in no pool is recomputed when a pool appears', () => {
    const world = new World(['n1']);
    world.addService('default/late', ['203.0.113.5']);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    expect(s.r.evaluate('default/late')).toMatchObject({ reason: 'ipNotAllowed' });
    s.enqueued.length = 0;
    s.r.setConfig(
      config({ web: '192.0.2.0/28', db: '198.51.100.0/28', late: '203.0.113.0/28' }, [
        { name: 'all', pools: ['web', 'db', 'late'] },
      ]),
    );
    expect(s.enqueued).toContain('default/late');
    expect(s.announcer.held.has('203.0.113.5')).toBe(true);
  });

  it('isolation withdraws every address at once, and rejoining announces them again', () => {
    const world = new World(['n1']);
    world.alive = new Set(['n1']);
    world.addService('default/a', ['192.0.2.1']);
    world.addService('default/b', ['192.0.2.2']);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    world.isolated.add('n1');
    world.alive = new Set();
    s.r.membershipChanged();
    expect(s.announcer.held.size).toBe(0);
    world.isolated.clear();
    world.alive = new Set(['n1']);
    s.r.membershipChanged();
    expect(s.announcer.held.size).toBe(2);
  });

  it('a shared address stays announced until the last Service holding it lets go', () => {
    const world = new World(['n1']);
    world.addService('default/a', ['192.0.2.1']);
    world.addService('default/b', ['192.0.2.1']);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    world.services.delete('default/a');
    s.r.evaluate('default/a');
    expect(s.announcer.held.has('192.0.2.1')).toBe(true);
    world.services.delete('default/b');
    s.r.evaluate('default/b');
    expect(s.announcer.calls).toEqual(['announce 192.0.2.1', 'withdraw 192.0.2.1']);
  });

  it('writes ServiceL2Status and nodeAssigned once on announce, deletes the status on withdraw', async () => {
    const world = new World(['n1']);
    world.addService('default/a', ['192.0.2.1']);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    await s.r.reconcile('default/a');
    await s.r.reconcile('default/a');
    const name = l2StatusName('n1', 'default', 'a');
    expect(s.writes).toEqual([`apply ${name}`]);
    expect(s.events).toEqual(['nodeAssigned a n1']);
    world.slices.set('default/a', []);
    await s.r.reconcile('default/a');
    expect(s.writes).toEqual([`apply ${name}`, `delete ${name}`]);
    expect(s.announcer.held.size).toBe(0);
  });

  it('deletes a stale status left from before a restart for a Service it does not announce', async () => {
    const world = new World(['n1']);
    const name = l2StatusName('n1', 'default', 'gone');
    world.statuses.add(name);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    await s.r.reconcile('default/gone');
    expect(s.writes).toEqual([`delete ${name}`]);
  });

  it('warns announceFailed and skips the address when none of its interfaces exists here', async () => {
    const world = new World(['n1']);
    world.addService('default/a', ['192.0.2.1']);
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(
      config({ web: '192.0.2.0/28' }, [{ name: 'web-l2', pools: ['web'], interfaces: ['bond7'] }]),
    );
    const result = await s.r.reconcile('default/a');
    expect(s.announcer.held.size).toBe(0);
    expect(s.events).toEqual(['announceFailed a 192.0.2.1']);
    expect(result).toEqual({ requeueAfter: 10_000 });
  });

  it('keeps no state for Services it has nothing to remember about', () => {
    const world = new World(['n1']);
    for (let i = 0; i < 50; i++) world.addService(`default/c${i}`, [], { type: 'ClusterIP' });
    const s = speaker(world, 'n1');
    s.r.membershipChanged();
    s.r.setConfig(TWO_POOLS);
    expect(s.r.announcedServices().size).toBe(0);
    expect(s.r.winnerOf('default/c1')).toBeUndefined();
  });

  it('spreads a large recompute over turns, withdrawing what it announces first, and settles when done', async () => {
    const world = new World(['n1', 'n2', 'n3']);
    const n = 300;
    for (let i = 0; i < n; i++) world.addService(`default/s${i}`, [`192.0.2.${i % 250}`]);
    const big = config({ web: '192.0.2.0/24' }, [{ name: 'web-l2', pools: ['web'] }]);
    const turns: (() => void)[] = [];
    // A zero time budget: every slice stops after the minimum, so the test sees each turn.
    const s = speaker(world, 'n1', ['eth0'], { defer: (next) => void turns.push(next), sliceMs: 0 });
    world.alive = new Set(['n1']);
    void s.r.membershipChanged();
    let settled = false;
    void s.r.setConfig(big).then(() => (settled = true));
    while (turns.length > 0) turns.shift()?.();
    await Promise.resolve();
    expect(settled).toBe(true);
    expect(s.r.announcedServices().size).toBe(n);
    // Two more nodes come: in the first slice, only Services n1 announced are looked at, so every
    // withdrawal that slice makes happens before any Service it never held is considered.
    world.alive = new Set(['n1', 'n2', 'n3']);
    s.announcer.calls.length = 0;
    let done = false;
    void s.r.membershipChanged().then(() => (done = true));
    const firstSlice = s.announcer.calls.filter((c) => c.startsWith('withdraw')).length;
    expect(firstSlice).toBeGreaterThan(0);
    expect(firstSlice).toBeLessThanOrEqual(RECOMPUTE_MIN_SLICE);
    expect(done).toBe(false);
    let slices = 1;
    while (turns.length > 0) {
      turns.shift()?.();
      slices++;
    }
    await Promise.resolve();
    expect(done).toBe(true);
    expect(slices).toBeGreaterThan(1);
    const kept = s.r.announcedServices().size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(n);
  });
});
