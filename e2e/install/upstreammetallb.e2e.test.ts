// Upstream MetalLB from its own release manifest in a world of two nodes (e2e/install/upstreammetallb.ts): the
// controller and both speakers Ready through the scheduler, the DaemonSet controller and the process kubelet,
// a Service addressed from an IPAddressPool, and exactly one node answering ARP for it in Layer 2 mode.
// Skipped (saying how to build it) when MetalLB is not built: CI does not build it.
import { MissingBinariesError } from '../harness/paths';
import { metallbBuild, type MetallbBuild } from '../harness/kubelet/metallb';
import { waitFor } from '../harness/readiness';
import { readService } from '../../testkit/servicereader';
import { backendObjects, DEMO_NAMESPACE, DEMO_SERVICE, l2Objects } from '../demo/objects';
import { applyWhenAdmitted, nodeOfMac, startCluster, type InstalledCluster } from './cluster';
import { answeringMacs } from './layer2kit';
import { applyManifest } from './manifest';
import { installUpstream, upstreamImageTable } from './upstreammetallb';

jest.setTimeout(240_000);

function built(): MetallbBuild | string {
  try {
    return metallbBuild();
  } catch (err) {
    if (err instanceof MissingBinariesError) return err.message;
    throw err;
  }
}

const build = built();
const say = (line: string): void => {
  process.stdout.write(`[upstream-metallb.e2e] ${line}\n`);
};
if (typeof build === 'string') say(`skipped: ${build}`);
const maybe = typeof build === 'string' ? describe.skip : describe;

maybe('upstream MetalLB from its release manifest', () => {
  let cluster: InstalledCluster | undefined;
  afterAll(async () => {
    await cluster?.stop();
  });

  test('controller and speakers Ready, a Service addressed, one speaker answering ARP for it', async () => {
    if (typeof build === 'string') throw new Error(build);
    const t = Date.now();
    cluster = await startCluster({ nodes: 2, kubelet: { images: upstreamImageTable(build) }, onStep: say });
    const { admin, world } = cluster;
    const pods = await installUpstream(admin, build, 2, say);
    say(
      `MetalLB ${build.version}: controller and ${pods.speakers.length} speakers Ready ${Date.now() - t}ms after start`,
    );
    expect(new Set(pods.speakers.map((p) => p.spec.nodeName)).size).toBe(2);
    await applyWhenAdmitted(admin, l2Objects(world.plan.pools.l2), (m) => say(`webhook not ready: ${m}`));
    await applyManifest(admin, backendObjects(2, { readinessProbe: false }));
    let ip4 = '';
    await waitFor(
      `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE} to get an IPv4 address from lan-pool`,
      async () => {
        ip4 =
          (await readService(admin, DEMO_NAMESPACE, DEMO_SERVICE)).ips.find((i) => !i.includes(':')) ?? '';
        return ip4 !== '';
      },
      { timeoutMs: 60_000 },
    );
    const macs = await answeringMacs(world, ip4, `a speaker to answer ARP for ${ip4}`, say, 30_000);
    expect(macs).toHaveLength(1);
    expect(nodeOfMac(world, macs[0] ?? '')).toBeDefined();
    say(`${ip4} answered by ${nodeOfMac(world, macs[0] ?? '') ?? '?'} ${Date.now() - t}ms after start`);
  });
});
