// Address families against a dual-stack API server: the cluster IPs the API server allocates decide the
// families, and the controller hands out one address per family from a dual-stack pool.
import { silentLogger } from '../kube/log';
import { RunningController, startController } from './app/controller';
import {
  Cluster,
  NS,
  create,
  eventually,
  lbService,
  poolPath,
  readService,
  servicePath,
  startCluster,
  stopCluster,
  waitForIPs,
} from '../testkit/metallbcluster';

jest.setTimeout(180_000);

let cluster: Cluster | undefined;
let controller: RunningController | undefined;

function c(): Cluster {
  if (!cluster) throw new Error('control plane did not start (see beforeAll)');
  return cluster;
}

beforeAll(async () => {
  cluster = await startCluster(['198.51.100.0/24', '2001:db8:1::/112']);
  await create(c().api, poolPath(), {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: 'dual', namespace: NS },
    spec: { addresses: ['203.0.113.0/29', '2001:db8:2::/125'] },
  });
  controller = await startController({
    kubeConfig: c().cp.kubeConfig(),
    namespace: NS,
    lbClass: '',
    identity: 'controller-dual',
    logger: silentLogger(),
    leaderElection: false,
  });
}, 240_000);

afterAll(async () => {
  await controller?.stop();
  await stopCluster(cluster);
}, 60_000);

describe('dual-stack', () => {
  it('RequireDualStack gets one IPv4 and one IPv6 address', async () => {
    await create(c().api, servicePath(), lbService('both', {}, { ipFamilyPolicy: 'RequireDualStack' }));
    const ips = await waitForIPs(c().api, 'both', 2);
    expect(ips[0]).toMatch(/^203\.0\.113\./);
    expect(ips[1]).toMatch(/^2001:db8:2::/);
  });

  it('IPv6-first cluster IPs still get the IPv4 address first, as MetalLB writes them', async () => {
    await create(
      c().api,
      servicePath(),
      lbService('six-first', {}, { ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' }),
    );
    const ips = await waitForIPs(c().api, 'six-first', 2);
    expect(ips[0]).toMatch(/^203\.0\.113\./);
    expect(ips[1]).toMatch(/^2001:db8:2::/);
  });

  it('SingleStack IPv6 gets an IPv6 address', async () => {
    await create(
      c().api,
      servicePath(),
      lbService('six', {}, { ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack' }),
    );
    const [ip] = await waitForIPs(c().api, 'six', 1);
    expect(ip).toMatch(/^2001:db8:2::[0-7]?$/);
  });

  it('a requested pair of addresses is honoured', async () => {
    await create(
      c().api,
      servicePath(),
      lbService(
        'pinned',
        { 'metallb.io/loadBalancerIPs': '203.0.113.7,2001:db8:2::7' },
        { ipFamilyPolicy: 'RequireDualStack' },
      ),
    );
    expect(await waitForIPs(c().api, 'pinned', 2)).toEqual(['203.0.113.7', '2001:db8:2::7']);
    // The pool annotation and the status are two writes (metadata, then the status subresource, as upstream):
    // wait for the annotation instead of assuming it landed before the addresses were seen.
    await eventually('pinned carries metallb.io/ip-allocated-from-pool', async () => {
      return (await readService(c().api, 'pinned')).pool === 'dual';
    });
    expect((await readService(c().api, 'pinned')).pool).toBe('dual');
  });
});
