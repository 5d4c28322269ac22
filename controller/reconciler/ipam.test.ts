import type { ClusterResources } from '../../config/resources';
import { l2, pool as poolObject, namespace } from '../../testkit/configfixtures';
import { service } from '../../testkit/servicefixtures';
import { FakeWorld } from '../../testkit/ipamworld';

const POOL = poolObject('web', ['192.0.2.0/30']);

async function world(resources: ClusterResources = { ipAddressPools: [POOL] }): Promise<FakeWorld> {
  const w = new FakeWorld();
  w.resources = resources;
  return w;
}

describe('IpamReconciler', () => {
  it('serves no Service before the configuration is loaded', async () => {
    const w = await world();
    w.put(service({ name: 'a' }));
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual([]);
    expect(w.ipam.isSynced()).toBe(false);
  });

  it('allocates, writes the status and the pool annotation, and records IPAllocated', async () => {
    const w = await world();
    w.put(service({ name: 'a' }));
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual(['192.0.2.0']);
    expect(w.services.get('default/a')?.metadata.annotations?.['metallb.io/ip-allocated-from-pool']).toBe(
      'web',
    );
    expect(w.events).toEqual(['a Normal IPAllocated: Assigned IP ["192.0.2.0"]']);
  });

  it('on start-up re-claims every existing ingress before serving new Services', async () => {
    const w = await world();
    // "a-new" sorts first by name; it must still not be handed the address "z-old" shows.
    w.put(service({ name: 'a-new' }));
    w.put(
      service({
        name: 'z-old',
        ingress: [{ ip: '192.0.2.0' }],
        annotations: { 'metallb.io/ip-allocated-from-pool': 'web' },
      }),
    );
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/z-old')).toEqual(['192.0.2.0']);
    expect(w.ingressOf('default/a-new')).toEqual(['192.0.2.1']);
  });

  it('a Service whose old address is gone cannot take one another Service still shows', async () => {
    const w = await world();
    // Same number of ingress entries, and "a" sorts first: only re-claiming everything before serving
    // anyone keeps "a" off 192.0.2.0.
    w.put(service({ name: 'a', ingress: [{ ip: '203.0.113.99' }] }));
    w.put(service({ name: 'b', ingress: [{ ip: '192.0.2.0' }] }));
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/b')).toEqual(['192.0.2.0']);
    expect(w.ingressOf('default/a')).toEqual(['192.0.2.1']);
  });

  it('a restart (a new reconciler over the same Services) keeps every address', async () => {
    const w = await world();
    for (const name of ['a', 'b', 'c']) w.put(service({ name }));
    w.reloadConfig();
    await w.drain();
    const before = ['a', 'b', 'c'].map((n) => w.ingressOf(`default/${n}`));
    const restarted = new FakeWorld();
    restarted.resources = w.resources;
    // Newest first in the cache, so list order differs from the first run's.
    for (const svc of [...w.services.values()].reverse()) restarted.put(svc);
    restarted.put(service({ name: '0-newcomer' }));
    restarted.reloadConfig();
    await restarted.drain();
    expect(['a', 'b', 'c'].map((n) => restarted.ingressOf(`default/${n}`))).toEqual(before);
    expect(restarted.ingressOf('default/0-newcomer')).toEqual(['192.0.2.3']);
    expect(restarted.events.filter((e) => !e.startsWith('0-newcomer'))).toEqual([]);
  });

  it('a pool change releases only the addresses it no longer covers, saying why, and re-allocates', async () => {
    const other = poolObject('other', ['198.51.100.0/30'], { autoAssign: false });
    const w = await world({ ipAddressPools: [poolObject('web', ['192.0.2.0/30']), other] });
    w.put(service({ name: 'a' }));
    w.put(service({ name: 'b', annotations: { 'metallb.io/address-pool': 'other' } }));
    w.reloadConfig();
    await w.drain();
    w.events.length = 0;
    w.resources = { ipAddressPools: [poolObject('web', ['192.0.2.8/30']), other] };
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual(['192.0.2.8']);
    expect(w.ingressOf('default/b')).toEqual(['198.51.100.0']);
    expect(w.events).toEqual([
      'a Normal ClearAssignment: current IP for "default/a" not allowed by config, will attempt for new IP assignment: "192.0.2.0" is not allowed in config',
      'a Normal IPAllocated: Assigned IP ["192.0.2.8"]',
    ]);
  });

  it('a serviceAllocation change moves a Service that no longer qualifies', async () => {
    const restricted = (ns: string) =>
      poolObject('web', ['192.0.2.0/30'], { serviceAllocation: { namespaces: [ns] } });
    const w = await world({
      ipAddressPools: [restricted('default'), poolObject('open', ['198.51.100.0/30'])],
    });
    w.put(service({ name: 'a' }));
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual(['192.0.2.0']);
    w.resources = {
      ipAddressPools: [restricted('elsewhere'), poolObject('open', ['198.51.100.0/30'])],
      namespaces: [namespace('default')],
    };
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual(['198.51.100.0']);
    expect(w.events.some((e) => e.includes('ClearAssignment') && e.includes('not compatible'))).toBe(true);
  });

  it('deleting a Service frees its address for one that was waiting', async () => {
    const w = await world({ ipAddressPools: [poolObject('one', ['192.0.2.7/32'])] });
    w.put(service({ name: 'a' }));
    w.reloadConfig();
    await w.drain();
    w.put(service({ name: 'b' }));
    await w.drain();
    expect(w.ingressOf('default/b')).toEqual([]);
    expect(w.events.at(-1)).toBe(
      'b Warning AllocationFailed: Failed to allocate IP for "default/b": no available IPs',
    );
    w.remove('default/a');
    await w.drain();
    expect(w.ingressOf('default/b')).toEqual(['192.0.2.7']);
  });

  it('changing type away from LoadBalancer clears status and annotation', async () => {
    const w = await world();
    w.put(service({ name: 'a' }));
    w.reloadConfig();
    await w.drain();
    const current = w.services.get('default/a');
    if (!current?.spec) throw new Error('missing');
    w.put({ ...current, spec: { ...current.spec, type: 'ClusterIP' } });
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual([]);
    expect(
      w.services.get('default/a')?.metadata.annotations?.['metallb.io/ip-allocated-from-pool'],
    ).toBeUndefined();
  });

  it('an invalid configuration keeps the last valid one and is reported', async () => {
    const w = await world();
    w.put(service({ name: 'a' }));
    w.reloadConfig();
    await w.drain();
    w.resources = { ipAddressPools: [poolObject('web', ['not-a-cidr'])] };
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual(['192.0.2.0']);
    expect(w.configStates.at(-1)?.[0]).toContain('IPAddressPool metallb-system/web');
    w.put(service({ name: 'b' }));
    await w.drain();
    expect(w.ingressOf('default/b')).toEqual(['192.0.2.1']);
  });

  it('a pass that runs before the watch shows our write does not allocate again', async () => {
    const w = await world();
    w.reloadConfig();
    await w.drain();
    w.put(service({ name: 'a' }));
    w.applyWrites = false;
    await w.ipam.services.reconcile('default/a');
    const writes = w.writes;
    await w.ipam.services.reconcile('default/a');
    expect(w.writes).toBe(writes);
    expect(w.events).toEqual(['a Normal IPAllocated: Assigned IP ["192.0.2.0"]']);
  });

  it('a failed write throws for a retry, and the retry converges', async () => {
    const w = await world();
    w.reloadConfig();
    await w.drain();
    w.put(service({ name: 'a' }));
    w.failWrites = true;
    await expect(w.ipam.services.reconcile('default/a')).rejects.toThrow('apiserver unavailable');
    w.failWrites = false;
    await w.ipam.services.reconcile('default/a');
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual(['192.0.2.0']);
  });

  it('Services of another loadBalancerClass are left alone', async () => {
    const w = await world();
    w.put(service({ name: 'a', loadBalancerClass: 'someone-else' }));
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it('writes IPAddressPool status counts when they change', async () => {
    const w = await world();
    w.put(service({ name: 'a' }));
    w.reloadConfig();
    await w.drain();
    expect(w.poolStatus.get('web')).toEqual({
      assignedIPv4: 1n,
      assignedIPv6: 0n,
      availableIPv4: 3n,
      availableIPv6: 0n,
      totalIPv4: 4n,
      totalIPv6: 0n,
    });
    expect(w.configStates).toEqual([[]]);
  });

  it('a rebuild that leaves the pools as they were re-examines no Service', async () => {
    const one = poolObject('one', ['192.0.2.7/32'], {
      serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
    });
    const w = await world({ ipAddressPools: [one], namespaces: [namespace('default', { team: 'a' })] });
    w.put(service({ name: 'a' }));
    w.put(service({ name: 'b' }));
    w.reloadConfig();
    await w.drain();
    const failures = () => w.events.filter((e) => e.includes('AllocationFailed')).length;
    // A full pass re-runs "b", which has no address, and says so again; none must run here.
    expect(failures()).toBe(1);
    const reconciled = w.serviceReconciles.length;
    // The same objects; a Namespace label no pool selects; an advertisement (the speaker's business).
    w.reloadConfig();
    await w.drain();
    w.resources = {
      ipAddressPools: [one],
      namespaces: [namespace('default', { team: 'a', other: 'x' }), namespace('unrelated')],
      l2Advertisements: [l2('everywhere')],
    };
    w.reloadConfig();
    await w.drain();
    expect(failures()).toBe(1);
    expect(w.serviceReconciles.length).toBe(reconciled);
    // A pool that changed does get a pass: "b" is tried again.
    w.resources = {
      ...w.resources,
      ipAddressPools: [one, poolObject('manual', ['198.51.100.0/30'], { autoAssign: false })],
    };
    w.reloadConfig();
    await w.drain();
    expect(failures()).toBe(2);
  });

  it("a Namespace relabelled into a pool's namespaceSelector does get a pass", async () => {
    const selective = poolObject('selective', ['192.0.2.7/32'], {
      serviceAllocation: { namespaceSelectors: [{ matchLabels: { team: 'a' } }] },
    });
    const w = await world({ ipAddressPools: [selective], namespaces: [namespace('default')] });
    w.put(service({ name: 'a' }));
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual([]);
    w.resources = { ipAddressPools: [selective], namespaces: [namespace('default', { team: 'a' })] };
    w.reloadConfig();
    await w.drain();
    expect(w.ingressOf('default/a')).toEqual(['192.0.2.7']);
  });
});

describe('PoolStatusReconciler', () => {
  it('writes one pool per key, with the counts the allocator has when it runs', async () => {
    const w = await world({
      ipAddressPools: [poolObject('web', ['192.0.2.0/30']), poolObject('db', ['198.51.100.0/30'])],
    });
    w.put(service({ name: 'a', annotations: { 'metallb.io/address-pool': 'web' } }));
    w.put(service({ name: 'b', annotations: { 'metallb.io/address-pool': 'db' } }));
    w.reloadConfig();
    await w.drain();
    expect(w.poolStatus.get('web')?.assignedIPv4).toBe(1n);
    expect(w.poolStatus.get('db')?.assignedIPv4).toBe(1n);
    w.poolStatus.clear();
    await w.ipam.poolStatus.reconcile('db');
    expect([...w.poolStatus.keys()]).toEqual(['db']);
    // A pool that is not in the configuration has no status to write.
    await w.ipam.poolStatus.reconcile('gone');
    expect([...w.poolStatus.keys()]).toEqual(['db']);
  });

  it('queues only the pools whose counts changed', async () => {
    const w = await world({
      ipAddressPools: [poolObject('web', ['192.0.2.0/30']), poolObject('db', ['198.51.100.0/30'])],
    });
    w.reloadConfig();
    await w.drain();
    w.put(service({ name: 'a', annotations: { 'metallb.io/address-pool': 'db' } }));
    const queued: string[] = [];
    const original = w.queue.add.bind(w.queue);
    w.queue.add = (entry: string) => {
      queued.push(entry);
      return original(entry);
    };
    await w.drain();
    expect(queued.filter((e) => e.startsWith('poolStatus'))).toEqual(['poolStatus db']);
  });
});

describe('ConfigStateReconciler', () => {
  it('writes the report once, again when it changes, and again after the object is deleted', async () => {
    const w = await world();
    w.reloadConfig();
    await w.drain();
    w.reloadConfig();
    await w.drain();
    expect(w.configStates).toEqual([[]]);
    w.resources = { ipAddressPools: [poolObject('web', ['not-a-cidr'])] };
    w.reloadConfig();
    await w.drain();
    expect(w.configStates).toHaveLength(2);
    expect(w.configStates[1]?.[0]).toContain('IPAddressPool metallb-system/web');
    w.ipam.configState.resend();
    await w.drain();
    expect(w.configStates).toHaveLength(3);
    expect(w.configStates[2]).toEqual(w.configStates[1]);
  });
});
