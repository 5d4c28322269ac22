// Whatever sequence of Service changes, deletions, pool changes and restarts happens, the cluster the
// reconciler leaves behind is consistent: no address on two Services (none share here), every address
// inside the current pools and named by its pool annotation, and the allocator agrees with the Services;
// and a restart alone moves no address.
import fc from 'fast-check';
import { parseIP } from '../../addr/ip';
import { pool as poolObject } from '../../testkit/configfixtures';
import { service } from '../../testkit/servicefixtures';
import { FakeWorld } from '../../testkit/ipamworld';

const POOL_SETS = [
  [poolObject('a', ['192.0.2.0/30']), poolObject('b', ['198.51.100.0/31'])],
  [poolObject('a', ['192.0.2.2/31'])],
  [poolObject('a', ['192.0.2.0/29']), poolObject('c', ['203.0.113.0/31'], { autoAssign: false })],
  [],
];
const POOL_NAMES = [['a', 'b'], ['a'], ['a', 'c'], []];

type Op =
  | {
      kind: 'put';
      svc: number;
      type: 'LoadBalancer' | 'ClusterIP';
      request: 'none' | 'pool-b' | 'pool-c' | 'ip';
    }
  | { kind: 'delete'; svc: number }
  | { kind: 'pools'; set: number }
  | { kind: 'restart' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('put' as const),
    svc: fc.nat(7),
    type: fc.constantFrom('LoadBalancer' as const, 'ClusterIP' as const),
    request: fc.constantFrom('none' as const, 'pool-b' as const, 'pool-c' as const, 'ip' as const),
  }),
  fc.record({ kind: fc.constant('delete' as const), svc: fc.nat(7) }),
  fc.record({ kind: fc.constant('pools' as const), set: fc.nat(POOL_SETS.length - 1) }),
  fc.record({ kind: fc.constant('restart' as const) }),
);

function annotationsFor(request: string): Record<string, string> {
  if (request === 'pool-b') return { 'metallb.io/address-pool': 'b' };
  if (request === 'pool-c') return { 'metallb.io/address-pool': 'c' };
  if (request === 'ip') return { 'metallb.io/loadBalancerIPs': '192.0.2.3' };
  return {};
}

async function check(ops: Op[]): Promise<void> {
  let world = new FakeWorld();
  let set = 0;
  world.resources = { ipAddressPools: POOL_SETS[set] ?? [] };
  world.reloadConfig();
  for (const o of ops) {
    if (o.kind === 'put') {
      const existing = world.services.get(`default/s${o.svc}`);
      const fresh = service({ name: `s${o.svc}`, type: o.type, annotations: annotationsFor(o.request) });
      // Keep what the controller wrote, as an edit of the spec or annotations would.
      world.put({
        ...fresh,
        status: existing?.status ?? fresh.status,
        metadata: {
          ...fresh.metadata,
          annotations: { ...existing?.metadata.annotations, ...annotationsFor(o.request) },
        },
      });
    } else if (o.kind === 'delete') {
      if (world.services.has(`default/s${o.svc}`)) world.remove(`default/s${o.svc}`);
    } else if (o.kind === 'pools') {
      set = o.set;
      world.resources = { ipAddressPools: POOL_SETS[set] ?? [] };
      world.reloadConfig();
    } else {
      const next = new FakeWorld();
      next.resources = world.resources;
      for (const svc of world.services.values()) next.put(svc);
      next.reloadConfig();
      const before = new Map([...world.services.keys()].map((k) => [k, world.ingressOf(k)]));
      world = next;
      await world.drain();
      // A restart with nothing else changed moves no address.
      for (const [k, ips] of before) if (ips.length > 0) expect(world.ingressOf(k)).toEqual(ips);
      continue;
    }
    await world.drain();
  }
  const poolNames = POOL_NAMES[set] ?? [];
  const owners = new Map<string, string>();
  for (const svc of world.services.values()) {
    const key = `default/${svc.metadata.name ?? ''}`;
    const ips = world.ingressOf(key);
    const alloc = world.ipam.allocator.allocation(key);
    expect(alloc?.ips.length ?? 0).toBe(ips.length);
    if (svc.spec?.type !== 'LoadBalancer') expect(ips).toEqual([]);
    for (const text of ips) {
      expect(owners.get(text)).toBeUndefined();
      owners.set(text, key);
      const ip = parseIP(text);
      expect(ip).toBeDefined();
      const owner = world.ipam.allocator.poolNameFor(ip ? [ip] : []);
      expect(owner).toBeDefined();
      expect(poolNames).toContain(owner);
      expect(svc.metadata.annotations?.['metallb.io/ip-allocated-from-pool']).toBe(owner);
    }
    if (ips.length === 0)
      expect(svc.metadata.annotations?.['metallb.io/ip-allocated-from-pool']).toBeUndefined();
  }
}

describe('IpamReconciler properties', () => {
  it('leaves a consistent cluster after any sequence of changes and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), (ops) => check(ops)),
      { numRuns: 150 },
    );
  });
});
