// The BGP reconciler: what makes it look at every Service again after a config change (bgpFingerprint moves
// with the pools, their BGP advertisements and the peers, and not with Layer 2-only changes), what a recompute
// of every Service logs, and when it writes a Service's ServiceBGPStatus.
import { bgpAd, buildOk, l2, node, peer, pool } from '../../testkit/configfixtures';
import { captureLogger } from '../../testkit/capturedlogger';
import type { ClusterResources } from '../../config/resources';
import type { Peer } from '../../config/types';
import type { Route } from '../bgp/session/session';
import { BGPReconciler, bgpFingerprint, statusContent } from './bgp';
import type { SpeakerService, SpeakerSlice } from './objects';
import type { PodOwner } from './status';

const base: ClusterResources = {
  nodes: [node('n1')],
  ipAddressPools: [pool('bgp', ['198.51.100.0/24']), pool('lan', ['192.0.2.192/27'])],
  bgpAdvertisements: [bgpAd('ad', { ipAddressPools: ['bgp'] })],
  l2Advertisements: [l2('l2', { ipAddressPools: ['lan'] })],
  bgpPeers: [peer('p', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', password: 'x' })],
};
const fp = (over: ClusterResources = {}) => bgpFingerprint(buildOk({ ...base, ...over }));

describe('bgpFingerprint', () => {
  it('is stable for the same config', () => expect(fp()).toBe(fp()));
  it('ignores a Layer 2-only change', () => {
    expect(fp({ l2Advertisements: [l2('l2', { ipAddressPools: ['lan'], interfaces: ['eth1'] })] })).toBe(
      fp(),
    );
  });
  it('moves with a BGP advertisement', () => {
    expect(fp({ bgpAdvertisements: [bgpAd('ad', { ipAddressPools: ['bgp'], localPref: 50 })] })).not.toBe(
      fp(),
    );
  });
  it('moves with a pool', () => {
    expect(
      fp({ ipAddressPools: [pool('bgp', ['198.51.100.0/25']), pool('lan', ['192.0.2.192/27'])] }),
    ).not.toBe(fp());
  });
  it('moves with a peer, and never holds the password itself', () => {
    expect(
      fp({ bgpPeers: [peer('p', { myASN: 64512, peerASN: 64514, peerAddress: '192.0.2.1' })] }),
    ).not.toBe(fp());
    expect(fp()).not.toContain('"password":"x"');
  });
});

const NS = 'metallb-system';

/** The caches and the API the reconciler reads and writes, as plain maps; the sessions record their routes. */
class World {
  services = new Map<string, SpeakerService>();
  slices = new Map<string, SpeakerSlice[]>();
  statuses = new Map<string, { peers: string[]; owner: string | undefined }>();
  writes: string[] = [];
  deletes: string[] = [];
  sessionPeers: string[] = [];
  routes = new Map<string, readonly Route[]>();
  owner: PodOwner | undefined = { name: 'speaker-abc', uid: 'u1' };
  queued: string[] = [];
  /** Told of each route set handed to a session, before it is recorded. */
  onHand: ((peer: string) => void) | undefined;
  readonly log = captureLogger('debug');
  readonly reconciler = new BGPReconciler({
    myNode: 'n1',
    namespace: NS,
    lbClass: '',
    ignoreExcludeLB: false,
    logger: this.log.logger,
    enqueue: (key) => this.queued.push(key),
    owner: () => this.owner,
    sources: {
      service: (k) => this.services.get(k),
      slices: (k) => this.slices.get(k) ?? [],
      node: () => ({ labels: {}, networkUnavailable: false }),
      serviceKeys: () => this.services.keys(),
      hasStatus: (name) => this.statuses.has(name),
    },
    sessions: {
      sync: (peers: readonly Peer[]) => {
        const started = peers.map((p) => p.name).filter((p) => !this.sessionPeers.includes(p));
        this.sessionPeers = peers.map((p) => p.name).sort();
        return started;
      },
      setRoutes: (p, routes) => {
        this.onHand?.(p);
        this.routes.set(p, routes);
      },
      peers: () => this.sessionPeers,
    },
    statusWriter: {
      apply: (status) => {
        this.writes.push(status.metadata.name);
        this.statuses.set(status.metadata.name, {
          peers: status.status.peers,
          owner: status.metadata.ownerReferences?.[0]?.uid,
        });
        return Promise.resolve();
      },
      delete: (_ns, name) => {
        this.deletes.push(name);
        this.statuses.delete(name);
        return Promise.resolve();
      },
    },
    events: { nodeAssigned: () => undefined },
    metrics: { announced: () => undefined, withdrawn: () => undefined },
  });

  addService(i: number): string {
    const name = `s${i}`;
    const key = `demo/${name}`;
    this.services.set(key, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'demo', uid: `uid-${name}`, labels: {}, annotations: {} },
      type: 'LoadBalancer',
      loadBalancerClass: '',
      externalTrafficPolicy: 'Cluster',
      ingressIPs: [`198.51.100.${i}`],
    });
    this.slices.set(key, [
      {
        metadata: { name: `${name}-x`, namespace: 'demo' },
        service: key,
        endpoints: [{ nodeName: 'n1', conditions: { ready: true } }],
      },
    ]);
    return key;
  }

  async drain(): Promise<void> {
    for (const key of this.queued.splice(0)) await this.reconciler.reconcile(key);
  }

  messages(level: string): unknown[] {
    return this.log
      .lines()
      .filter((l) => l['level'] === level)
      .map((l) => l['msg']);
  }
}

const advertised = (peers: string[] = ['p1', 'p2'], adPeers?: string[]) =>
  buildOk({
    nodes: [node('n1')],
    ipAddressPools: [pool('bgp', ['198.51.100.0/24'])],
    bgpAdvertisements: [bgpAd('ad', { ipAddressPools: ['bgp'], ...(adPeers ? { peers: adPeers } : {}) })],
    bgpPeers: peers.map((name, i) =>
      peer(name, { myASN: 64512, peerASN: 64513, peerAddress: `192.0.2.${i + 1}` }),
    ),
  });

describe('BGPReconciler, a recompute of every Service', () => {
  it('logs one info line for the Services it starts advertising, each Service at debug', async () => {
    const w = new World();
    const keys = [1, 2, 3].map((i) => w.addService(i));
    w.reconciler.setConfig(advertised());
    await w.drain();
    const summary = w.log.lines().filter((l) => l['level'] === 'info');
    expect(summary).toEqual([
      expect.objectContaining({
        msg: 'making advertisements using BGP',
        services: 3,
        first: keys,
      }),
    ]);
    expect(w.messages('debug').filter((m) => m === 'making advertisements using BGP')).toHaveLength(3);
    w.reconciler.stop();
  });

  it('logs one info line per withdrawal reason', async () => {
    const w = new World();
    [1, 2].forEach((i) => w.addService(i));
    w.reconciler.setConfig(advertised());
    await w.drain();
    const before = w.log.lines().length;
    w.reconciler.setConfig(
      buildOk({ nodes: [node('n1')], ipAddressPools: [pool('bgp', ['198.51.100.0/24'])] }),
    );
    await w.drain();
    expect(
      w.log
        .lines()
        .slice(before)
        .filter((l) => l['level'] === 'info'),
    ).toEqual([
      expect.objectContaining({
        msg: 'withdrawing service BGP advertisements',
        reason: 'notOwner',
        services: 2,
      }),
    ]);
  });

  it('still logs a Service that starts advertising on its own at info, as upstream SetBalancer', async () => {
    const w = new World();
    w.reconciler.setConfig(advertised());
    const key = w.addService(4);
    await w.reconciler.reconcile(key);
    expect(w.log.lines()).toContainEqual(
      expect.objectContaining({ level: 'info', msg: 'making advertisements using BGP', service: key }),
    );
    w.reconciler.stop();
  });

  it('hands every session its routes in one flush', async () => {
    const w = new World();
    [1, 2, 3].forEach((i) => w.addService(i));
    w.reconciler.setConfig(advertised());
    w.reconciler.flush();
    expect(w.routes.get('p1')).toHaveLength(3);
    expect(w.routes.get('p2')).toBe(w.routes.get('p1'));
    w.reconciler.stop();
  });
});

describe('BGPReconciler, the flush timer', () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 60));

  it('hands the sessions their route sets one per turn of the event loop', async () => {
    const w = new World();
    [1, 2].forEach((i) => w.addService(i));
    const handed: string[] = [];
    const inFirstTurn: string[] = [];
    w.onHand = (p) => {
      if (handed.length === 0) setImmediate(() => inFirstTurn.push(...handed));
      handed.push(p);
    };
    w.reconciler.setConfig(advertised(['p1', 'p2', 'p3']));
    await settle();
    expect(inFirstTurn).toEqual(['p1']);
    expect(handed).toEqual(['p1', 'p2', 'p3']);
    expect(w.routes.get('p3')).toHaveLength(2);
    w.reconciler.stop();
  });

  it('stops handing out older sets once a newer flush ran', async () => {
    const w = new World();
    const key = w.addService(1);
    w.reconciler.setConfig(advertised(['p1', 'p2', 'p3']));
    while (!w.routes.has('p1')) await turn();
    // p2 and p3 still wait for their turn: the Service goes away and a flush runs at once.
    w.services.delete(key);
    w.reconciler.evaluate(key);
    w.reconciler.flush();
    await settle();
    for (const p of ['p1', 'p2', 'p3']) expect(w.routes.get(p)).toEqual([]);
    w.reconciler.stop();
  });
});

describe('BGPReconciler, the ServiceBGPStatus', () => {
  /** One Service advertised to p1 and p2, its status written; each test stops the reconciler. */
  async function advertisedService(): Promise<{ w: World; key: string }> {
    const w = new World();
    stopped = w;
    const key = w.addService(1);
    w.reconciler.setConfig(advertised());
    await w.drain();
    return { w, key };
  }
  afterEach(() => stopped?.reconciler.stop());
  let stopped: World | undefined;

  it('is written once, and not again while its peers and owner stay', async () => {
    const { w, key } = await advertisedService();
    await w.reconciler.reconcile(key);
    w.reconciler.setConfig(advertised(['p1', 'p2'])); // same config: nothing to recompute
    await w.drain();
    expect(w.writes).toHaveLength(1);
    expect([...w.statuses.values()]).toEqual([{ peers: ['p1', 'p2'], owner: 'u1' }]);
  });

  it('is written again when the peers it goes to change', async () => {
    const { w } = await advertisedService();
    w.reconciler.setConfig(advertised(['p1', 'p2'], ['p2']));
    await w.drain();
    expect(w.writes).toHaveLength(2);
    expect([...w.statuses.values()]).toEqual([{ peers: ['p2'], owner: 'u1' }]);
  });

  it('is written again under a new owner Pod', async () => {
    const { w, key } = await advertisedService();
    w.owner = { name: 'speaker-def', uid: 'u2' };
    await w.reconciler.reconcile(key);
    expect(w.writes).toHaveLength(2);
    expect([...w.statuses.values()]).toEqual([{ peers: ['p1', 'p2'], owner: 'u2' }]);
  });

  it('is written again when it went missing from the cluster', async () => {
    const { w, key } = await advertisedService();
    w.statuses.clear();
    await w.reconciler.reconcile(key);
    expect(w.writes).toHaveLength(2);
  });

  it('is deleted when the Service goes to no peer', async () => {
    const { w } = await advertisedService();
    w.reconciler.setConfig(advertised(['p1', 'p2'], ['elsewhere']));
    await w.drain();
    expect(w.deletes).toHaveLength(1);
    expect(w.statuses.size).toBe(0);
  });
});

describe('statusContent', () => {
  it('differs with the peers and with the owner, and is equal otherwise', () => {
    const o = { name: 'speaker-abc', uid: 'u1' };
    expect(statusContent(['p1', 'p2'], o)).toBe(statusContent(['p1', 'p2'], { ...o }));
    expect(statusContent(['p1', 'p2'], o)).not.toBe(statusContent(['p1'], o));
    expect(statusContent(['p1 p2'], o)).not.toBe(statusContent(['p1', 'p2'], o));
    expect(statusContent(['p1'], o)).not.toBe(statusContent(['p1'], { name: 'speaker-abc', uid: 'u2' }));
    expect(statusContent(['p1'], o)).not.toBe(statusContent(['p1'], undefined));
  });
});
