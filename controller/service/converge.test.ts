// Table tests after upstream controller_test.go TestControllerMutation: one Service, a pool set, what the
// controller decides. Events are compared as "reason: message" so a changed wording is caught.
import { Allocator } from '../allocator/allocator';
import { pool, svc as claim, ip } from '../../testkit/allocatorfixtures';
import { AllocatorPool } from '../allocator/types';
import { converge } from './converge';
import { service, ServiceShape } from '../../testkit/servicefixtures';

const V4POOL = pool('pool1', ['192.0.2.0/30']);
const V4POOL2 = pool('pool2', ['198.51.100.0/30']);
const V6POOL = pool('pool6', ['2001:db8:1::/126']);
const DUALPOOL = pool('dual', ['192.0.2.64/30', '2001:db8:10::/126']);
const DUAL_CLUSTER = ['198.51.100.210', '2001:db8::10'];

interface Case {
  name: string;
  pools?: AllocatorPool[];
  svc: ServiceShape;
  ingress: string[];
  pool?: string;
  action: string;
  events?: string[];
}

const CASES: Case[] = [
  {
    name: 'not a LoadBalancer: nothing allocated',
    svc: { type: 'ClusterIP' },
    ingress: [],
    action: 'release',
  },
  {
    name: 'LoadBalancer to NodePort: the assignment is cleared',
    svc: {
      type: 'NodePort',
      ingress: [{ ip: '192.0.2.0' }],
      annotations: { 'metallb.io/ip-allocated-from-pool': 'pool1' },
    },
    ingress: [],
    action: 'release',
  },
  {
    name: 'simple LoadBalancer: the lowest address of the pool',
    svc: {},
    ingress: ['192.0.2.0'],
    pool: 'pool1',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["192.0.2.0"]'],
  },
  {
    name: 'already allocated and valid: kept without events',
    svc: { ingress: [{ ip: '192.0.2.2' }], annotations: { 'metallb.io/ip-allocated-from-pool': 'pool1' } },
    ingress: ['192.0.2.2'],
    pool: 'pool1',
    action: 'keep',
  },
  {
    name: 'spec.loadBalancerIP: that address',
    svc: { loadBalancerIP: '192.0.2.3' },
    ingress: ['192.0.2.3'],
    pool: 'pool1',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["192.0.2.3"]'],
  },
  {
    name: 'loadBalancerIPs annotation: that address (spaces trimmed)',
    svc: { annotations: { 'metallb.io/loadBalancerIPs': ' 192.0.2.2 ' } },
    ingress: ['192.0.2.2'],
    pool: 'pool1',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["192.0.2.2"]'],
  },
  {
    name: 'both the annotation and spec.loadBalancerIP: refused',
    svc: { loadBalancerIP: '192.0.2.3', annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.2' } },
    ingress: [],
    action: 'fail',
    events: [
      'AllocationFailed: Failed to allocate IP for "default/web": service can not have both metallb.io/loadBalancerIPs and svc.Spec.LoadBalancerIP',
    ],
  },
  {
    name: 'invalid spec.loadBalancerIP',
    svc: { loadBalancerIP: 'banana' },
    ingress: [],
    action: 'fail',
    events: [
      'AllocationFailed: Failed to allocate IP for "default/web": invalid spec.loadBalancerIP "banana"',
    ],
  },
  {
    name: 'requested address outside every pool',
    svc: { loadBalancerIP: '198.51.100.201' },
    ingress: [],
    action: 'fail',
    events: [
      'AllocationFailed: Failed to allocate IP for "default/web": "198.51.100.201" is not allowed in config',
    ],
  },
  {
    name: 'requested address and a pool that does not hold it',
    pools: [V4POOL, V4POOL2],
    svc: { loadBalancerIP: '192.0.2.1', annotations: { 'metallb.io/address-pool': 'pool2' } },
    ingress: [],
    action: 'fail',
    events: [
      'AllocationFailed: Failed to allocate IP for "default/web": requested loadBalancer IP(s) ["192.0.2.1"] is not compatible with requested address pool pool2',
    ],
  },
  {
    name: 'two requested addresses of one family',
    svc: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,192.0.2.2' } },
    ingress: [],
    action: 'fail',
    events: [
      'AllocationFailed: Failed to allocate IP for "default/web": same address family ["192.0.2.1","192.0.2.2"]',
    ],
  },
  {
    name: 'requested pool',
    pools: [V4POOL, V4POOL2],
    svc: { annotations: { 'metallb.io/address-pool': 'pool2' } },
    ingress: ['198.51.100.0'],
    pool: 'pool2',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["198.51.100.0"]'],
  },
  {
    name: 'switching the requested pool moves the Service',
    pools: [V4POOL, V4POOL2],
    svc: {
      ingress: [{ ip: '192.0.2.0' }],
      annotations: { 'metallb.io/address-pool': 'pool2', 'metallb.io/ip-allocated-from-pool': 'pool1' },
    },
    ingress: ['198.51.100.0'],
    pool: 'pool2',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["198.51.100.0"]'],
  },
  {
    name: 'deprecated pool annotation still works; the new prefix wins',
    pools: [V4POOL, V4POOL2],
    svc: { annotations: { 'metallb.universe.tf/address-pool': 'pool1', 'metallb.io/address-pool': 'pool2' } },
    ingress: ['198.51.100.0'],
    pool: 'pool2',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["198.51.100.0"]'],
  },
  {
    name: 'unknown pool',
    svc: { annotations: { 'metallb.io/address-pool': 'nope' } },
    ingress: [],
    action: 'fail',
    events: ['AllocationFailed: Failed to allocate IP for "default/web": unknown pool "nope"'],
  },
  {
    name: 'invalid address in status: cleared and re-allocated',
    svc: { ingress: [{ ip: 'not-an-ip' }] },
    ingress: ['192.0.2.0'],
    pool: 'pool1',
    action: 'allocate',
    events: [
      'nolbIPsIPFamily: Failed to retrieve LBIPs IPFamily for ["not-an-ip"]: invalid address in ["not-an-ip"]',
      'IPAllocated: Assigned IP ["192.0.2.0"]',
    ],
  },
  {
    name: 'hostname-only ingress is no allocation',
    svc: { ingress: [{ hostname: 'lb.example.com' }] },
    ingress: ['192.0.2.0'],
    pool: 'pool1',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["192.0.2.0"]'],
  },
  {
    name: 'address no pool holds any more: ClearAssignment, then a new one',
    svc: { ingress: [{ ip: '203.0.113.40' }] },
    ingress: ['192.0.2.0'],
    pool: 'pool1',
    action: 'allocate',
    events: [
      'ClearAssignment: current IP for "default/web" not allowed by config, will attempt for new IP assignment: "203.0.113.40" is not allowed in config',
      'IPAllocated: Assigned IP ["192.0.2.0"]',
    ],
  },
  {
    name: 'no cluster IP: cleared, no event',
    svc: { clusterIPs: [], ingress: [{ ip: '192.0.2.0' }] },
    ingress: [],
    action: 'fail',
  },
  {
    name: 'no pools at all: every LoadBalancer is cleared',
    pools: [],
    svc: { ingress: [{ ip: '192.0.2.0' }] },
    ingress: [],
    action: 'fail',
  },
  {
    name: 'IPv6 Service gets an IPv6 address',
    pools: [V4POOL, V6POOL],
    svc: { clusterIPs: ['2001:db8::10'] },
    ingress: ['2001:db8:1::'],
    pool: 'pool6',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["2001:db8:1::"]'],
  },
  {
    name: 'requested address of the wrong family',
    pools: [V4POOL, V6POOL],
    svc: { clusterIPs: ['2001:db8::10'], loadBalancerIP: '192.0.2.1' },
    ingress: [],
    action: 'fail',
    events: [
      'AllocationFailed: Failed to allocate IP for "default/web": requested loadBalancer IP(s) ["192.0.2.1"] does not match the ipFamily of the service',
    ],
  },
  {
    name: 'IPv4 address held by a Service that became IPv6: re-allocated',
    pools: [V4POOL, V6POOL],
    svc: { clusterIPs: ['2001:db8::10'], ingress: [{ ip: '192.0.2.1' }] },
    ingress: ['2001:db8:1::'],
    pool: 'pool6',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["2001:db8:1::"]'],
  },
  {
    name: 'RequireDualStack with a dual-stack pool: one address of each family',
    pools: [V4POOL, DUALPOOL],
    svc: { clusterIPs: DUAL_CLUSTER, policy: 'RequireDualStack' },
    ingress: ['192.0.2.64', '2001:db8:10::'],
    pool: 'dual',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["192.0.2.64" "2001:db8:10::"]'],
  },
  {
    name: 'RequireDualStack with IPv6 the primary family: still IPv4 first, as MetalLB writes it',
    pools: [V4POOL, DUALPOOL],
    svc: {
      clusterIPs: ['2001:db8::10', '198.51.100.210'],
      ipFamilies: ['IPv6', 'IPv4'],
      policy: 'RequireDualStack',
    },
    ingress: ['192.0.2.64', '2001:db8:10::'],
    pool: 'dual',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["192.0.2.64" "2001:db8:10::"]'],
  },
  {
    name: 'PreferDualStack with IPv6 the primary family and a dual-stack pool: IPv4 first',
    pools: [DUALPOOL],
    svc: {
      clusterIPs: ['2001:db8::10', '198.51.100.210'],
      ipFamilies: ['IPv6', 'IPv4'],
      policy: 'PreferDualStack',
    },
    ingress: ['192.0.2.64', '2001:db8:10::'],
    pool: 'dual',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["192.0.2.64" "2001:db8:10::"]'],
  },
  {
    name: 'RequireDualStack with one cluster IP',
    pools: [DUALPOOL],
    svc: { policy: 'RequireDualStack' },
    ingress: [],
    action: 'fail',
    events: ['not enough clusterips: Service requires dual stack but not enough clusterips [198.51.100.210]'],
  },
  {
    name: 'RequireDualStack with single-stack pools only',
    pools: [V4POOL, V6POOL],
    svc: { clusterIPs: DUAL_CLUSTER, policy: 'RequireDualStack' },
    ingress: [],
    action: 'fail',
    events: ['AllocationFailed: Failed to allocate IP for "default/web": no available IPs'],
  },
  {
    name: 'PreferDualStack with single-stack pools: the primary family',
    pools: [V4POOL, V6POOL],
    svc: {
      clusterIPs: ['2001:db8::10', '198.51.100.210'],
      ipFamilies: ['IPv6', 'IPv4'],
      policy: 'PreferDualStack',
    },
    ingress: ['2001:db8:1::'],
    pool: 'pool6',
    action: 'allocate',
    events: ['IPAllocated: Assigned IP ["2001:db8:1::"]'],
  },
  {
    name: 'PreferDualStack holding one address gains the other family from its pool',
    pools: [DUALPOOL],
    svc: { clusterIPs: DUAL_CLUSTER, policy: 'PreferDualStack', ingress: [{ ip: '192.0.2.65' }] },
    ingress: ['192.0.2.65', '2001:db8:10::'],
    pool: 'dual',
    action: 'allocate',
    events: ['IPAllocated: Assigned additional IP "2001:db8:10::"'],
  },
  {
    name: 'pool restricted to another namespace is not used',
    pools: [
      pool('ns-only', ['203.0.113.0/30'], {
        serviceAllocation: { priority: 0, namespaces: new Set(['other']), serviceSelectors: [] },
      }),
    ],
    svc: {},
    ingress: [],
    action: 'fail',
    events: ['AllocationFailed: Failed to allocate IP for "default/web": no available IPs'],
  },
];

describe('converge (TestControllerMutation scenarios)', () => {
  it.each(CASES)('$name', (c) => {
    const alloc = new Allocator();
    const pools = c.pools ?? [V4POOL];
    alloc.setPools(pools);
    const decision = converge(service(c.svc), alloc, { hasPools: pools.length > 0 });
    expect(decision.ingress).toEqual(c.ingress);
    expect(decision.pool).toBe(c.pool);
    expect(decision.action).toBe(c.action);
    expect(decision.events.map((e) => `${e.reason}: ${e.message}`)).toEqual(c.events ?? []);
    // The allocator agrees with the decision.
    expect(alloc.allocation('default/web')?.ips.length ?? 0).toBe(c.ingress.length);
  });
});

describe('converge with other Services present', () => {
  it('a requested address taken by a Service that does not share fails with the sharing reason', () => {
    const alloc = new Allocator();
    alloc.setPools([V4POOL]);
    expect(alloc.assign(claim('default/other'), [ip('192.0.2.1')]).ok).toBe(true);
    const d = converge(service({ loadBalancerIP: '192.0.2.1' }), alloc, { hasPools: true });
    expect(d.action).toBe('fail');
    expect(d.events[0]?.reason).toBe('AllocationFailed');
  });

  it('Services with one sharing key and distinct ports share the lowest address', () => {
    const alloc = new Allocator();
    alloc.setPools([V4POOL]);
    const shared = { 'metallb.io/allow-shared-ip': 'k' };
    converge(service({ name: 'a', annotations: shared, ports: [{ port: 80 }] }), alloc, { hasPools: true });
    const d = converge(service({ name: 'b', annotations: shared, ports: [{ port: 443 }] }), alloc, {
      hasPools: true,
    });
    expect(d.ingress).toEqual(['192.0.2.0']);
  });

  it('ETP Local with different selectors never shares', () => {
    const alloc = new Allocator();
    alloc.setPools([V4POOL]);
    const shared = { 'metallb.io/allow-shared-ip': 'k' };
    converge(
      service({
        name: 'a',
        annotations: shared,
        etp: 'Local',
        selector: { app: 'a' },
        ports: [{ port: 80 }],
      }),
      alloc,
      {
        hasPools: true,
      },
    );
    const d = converge(
      service({
        name: 'b',
        annotations: shared,
        etp: 'Local',
        selector: { app: 'b' },
        ports: [{ port: 443 }],
      }),
      alloc,
      { hasPools: true },
    );
    expect(d.ingress).toEqual(['192.0.2.1']);
  });

  it('a Service losing its address asks for every other Service to be looked at again', () => {
    const alloc = new Allocator();
    alloc.setPools([V4POOL]);
    converge(service(), alloc, { hasPools: true });
    const d = converge(service({ type: 'ClusterIP', ingress: [{ ip: '192.0.2.0' }] }), alloc, {
      hasPools: true,
    });
    expect(d.reprocessAll).toBe(true);
    expect(alloc.allocation('default/web')).toBeUndefined();
  });

  it('a Service that keeps its address does not', () => {
    const alloc = new Allocator();
    alloc.setPools([V4POOL]);
    converge(service(), alloc, { hasPools: true });
    const d = converge(service({ ingress: [{ ip: '192.0.2.0' }] }), alloc, { hasPools: true });
    expect(d.action).toBe('keep');
    expect(d.reprocessAll).toBe(false);
  });
});
