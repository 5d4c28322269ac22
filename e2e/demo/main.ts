// `make demo`: a local cluster with ironlb installed from its manifests, left running for kubectl until Ctrl-C
// or SIGTERM (`make demo-down`). It shows what works today and says plainly what does not: the speaker is not
// built, so no address is announced and nothing outside the nodes can reach a Service's EXTERNAL-IP yet.
//
// Records itself in e2e/.run/demo/owner ("PID STARTTIME", read by scripts/demo.sh down and e2e-clean.sh) and
// writes the admin kubeconfig to e2e/.run/demo/kubeconfig.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { procStartTime } from '../harness/net';
import { kubectlBinary, RUN_ROOT } from '../harness/paths';
import { waitFor } from '../harness/readiness';
import { startFrr, type FrrRouter } from '../harness/routers/frr';
import {
  installIronlb,
  startCluster,
  waitForControllerReady,
  type InstalledCluster,
} from '../install/cluster';
import { applyManifest, METALLB_NAMESPACE } from '../install/manifest';
import { readService } from '../../testkit/servicereader';
import {
  backendObjects,
  CLUSTER_ASN,
  DEMO_NAMESPACE,
  DEMO_SERVICE,
  metallbObjects,
  ROUTER_ASN,
} from './objects';

const DEMO_DIR = path.join(RUN_ROOT, 'demo');
const OWNER = path.join(DEMO_DIR, 'owner');
const KUBECONFIG = path.join(DEMO_DIR, 'kubeconfig');
const NODES = 3;

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const step = (line: string): void => say(`==> ${line}`);

/** The kubectl built with the control plane (scripts/build-cluster-bins.sh), else one from PATH. */
function findKubectl(): string | undefined {
  try {
    return kubectlBinary();
  } catch {
    // Not built (an older cache): look on PATH.
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, 'kubectl');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function kubectl(bin: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, [...args], { env: { ...process.env, KUBECONFIG } }, (err, stdout, stderr) => {
      resolve(err ? `${stdout}${stderr}(kubectl failed: ${err.message})\n` : stdout);
    });
  });
}

async function show(bin: string | undefined, args: readonly string[]): Promise<void> {
  say(`$ kubectl ${args.join(' ')}`);
  if (bin === undefined) say('(kubectl is not installed on this machine; see the note below)');
  else process.stdout.write(await kubectl(bin, args));
  say();
}

function claimDemoDir(): void {
  fs.mkdirSync(DEMO_DIR, { recursive: true, mode: 0o700 });
  try {
    const [pid, start] = fs.readFileSync(OWNER, 'utf8').trim().split(' ');
    if (pid !== undefined && start !== undefined && procStartTime(Number(pid)) === start) {
      throw new Error(`a demo is already running (pid ${pid}); stop it with: make demo-down`);
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('a demo')) throw err;
    // No owner file, or a stale one: ours now.
  }
  fs.writeFileSync(OWNER, `${process.pid} ${procStartTime(process.pid) ?? ''}\n`);
}

function releaseDemoDir(): void {
  for (const f of [OWNER, KUBECONFIG]) fs.rmSync(f, { force: true });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  claimDemoDir();
  let cluster: InstalledCluster | undefined;
  let frr: FrrRouter | undefined;
  let stopping = false;
  const stop = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say();
    step(`${why}: stopping the demo (kubelets, nodes, control plane, router, network namespaces)`);
    await frr?.stop().catch(() => undefined);
    await cluster?.stop().catch((err: unknown) => say(`cleanup error: ${String(err)}`));
    releaseDemoDir();
    step('demo stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      void stop(signal).then(() => process.exit(0));
    });
  }

  try {
    step('starting the network world (3 nodes, client, router, management host), control plane, nodes');
    const c = await startCluster({ nodes: NODES, onStep: (m) => say(`    ${m}`) });
    cluster = c;
    const { world, admin } = c;
    fs.copyFileSync(c.cp.kubeconfigPath, KUBECONFIG);
    fs.chmodSync(KUBECONFIG, 0o600);

    step('starting FRR (zebra + bgpd) on the router, expecting a BGP session from each node');
    const router = world.router.primary.v4;
    frr = await startFrr(world, 'router', {
      hostname: 'router',
      asn: ROUTER_ASN,
      routerId: router,
      connectRetry: 5,
      neighbors: world.nodes.map((n) => ({ address: n.primary.v4, asn: CLUSTER_ASN })),
    });

    step('installing ironlb: crds/ and manifests/ironlb-native.yaml');
    await installIronlb(c);
    const controller = await waitForControllerReady(admin);
    say(`    controller pod ${controller.metadata.name} Ready on ${controller.spec.nodeName ?? '?'}`);

    step('applying the sample configuration: IPAddressPools, L2Advertisement, BGPPeer, BGPAdvertisement');
    // The webhook admits metallb.io objects only once the apiserver has picked up the injected CA and the
    // webhook Service's endpoints: retry the first apply briefly.
    const pools = world.plan.pools;
    await waitFor(
      'the sample configuration to be admitted',
      async () => {
        try {
          await applyManifest(admin, metallbObjects(pools, router));
          return true;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          // A denial is an answer, not a webhook still starting: stop and show it.
          if (message.includes('denied the request')) throw err;
          say(`    (webhook not reachable yet, retrying: ${message.slice(0, 200)})`);
          return false;
        }
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );

    step('deploying the demo backend (a Deployment, one replica per node) and a LoadBalancer Service');
    await applyManifest(admin, backendObjects(NODES));
    let ip = '';
    let fromPool = '';
    await waitFor(
      `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE} to get an address`,
      async () => {
        const svc = await readService(admin, DEMO_NAMESPACE, DEMO_SERVICE);
        ip = svc.ips[0] ?? '';
        fromPool = svc.pool ?? '';
        return ip !== '' && fromPool !== '';
      },
      { timeoutMs: 60_000 },
    );
    await waitFor(
      'the demo backends to be Ready',
      async () => {
        const d = z
          .looseObject({ status: z.looseObject({ readyReplicas: z.number().optional() }).optional() })
          .parse(
            await admin.request({
              method: 'GET',
              path: `/apis/apps/v1/namespaces/${DEMO_NAMESPACE}/deployments/demo`,
            }),
          );
        return (d.status?.readyReplicas ?? 0) === NODES;
      },
      { timeoutMs: 90_000 },
    ).catch((err: unknown) => say(`    warning: ${err instanceof Error ? err.message : String(err)}`));
    const startup = Date.now() - t0;

    const bin = findKubectl();
    say();
    step(`cluster up in ${(startup / 1000).toFixed(1)}s. What ironlb did:`);
    say();
    await show(bin, ['get', 'svc', '-o', 'wide']);
    await show(bin, ['get', 'svc', DEMO_SERVICE, '-o', 'jsonpath={.metadata.annotations}{"\\n"}']);
    await show(bin, ['get', 'pods', '-A', '-o', 'wide']);
    await show(bin, ['-n', METALLB_NAMESPACE, 'get', 'ipaddresspools,l2advertisements,bgppeers']);
    if (bin === undefined) {
      say(
        `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE}: EXTERNAL-IP ${ip} (metallb.io/ip-allocated-from-pool: ${fromPool})`,
      );
      say('kubectl was not found on PATH; install it (any v1.32+ client) to inspect the cluster.');
      say();
    }

    step('what is NOT working yet');
    say(
      'The ironlb speaker (the per-node DaemonSet that announces addresses by ARP/NDP and BGP) is not built',
    );
    say(`yet. So ${ip} is assigned but announced by no one: a curl from the client namespace to it fails,`);
    say('and the router has no route to it. The demo does not show either, because it cannot.');
    say();
    say('$ vtysh -c "show bgp summary"   (on the router: the peers are configured, none is Established)');
    process.stdout.write(await frr.vtysh('show bgp summary'));
    say();

    const nodes = world.nodes.map((n) => `${n.role} ${n.primary.v4} / ${n.primary.v6}`).join(', ');
    step('the demo keeps running; in another shell:');
    say(`  export KUBECONFIG=${KUBECONFIG}`);
    if (bin !== undefined)
      say(`  export PATH=${path.dirname(bin)}:$PATH   # the kubectl built with the control plane`);
    say('  kubectl get svc -o wide');
    say(`  kubectl -n ${METALLB_NAMESPACE} get ipaddresspools -o yaml`);
    const controllerLog = c.kubelets
      .map((k) => k.logOf(METALLB_NAMESPACE, controller.metadata.name, 'controller'))
      .find((l) => l !== undefined);
    say(
      `  less ${controllerLog ?? '(controller log not found)'}   # the controller's log (no kubectl logs: process kubelet)`,
    );
    say(`  kubectl create service loadbalancer web --tcp=80:8080 && kubectl get svc web -w`);
    say(`  ip netns exec ${world.ns('client')} curl -m 3 http://${ip}/   # fails until the speaker exists`);
    say();
    say('Addresses in use (all documentation ranges, inside network namespaces only):');
    say(
      `  apiserver   ${c.cp.server} (root namespace, forwarded to ${c.cp.inClusterApiserver.host}:${c.cp.inClusterApiserver.port} in ${world.management?.ns ?? 'the management namespace'})`,
    );
    say(`  nodes       ${nodes}`);
    say(
      `  router      ${world.router.primary.v4} / ${world.router.primary.v6} (FRR, AS ${ROUTER_ASN}; nodes AS ${CLUSTER_ASN})`,
    );
    say(`  client      ${world.client.primary.v4} / ${world.client.primary.v6}`);
    say(
      `  pools       lan-pool (L2): ${pools.l2.join(', ')}; bgp-pool (BGP): ${pools.bgp.filter((p) => !p.includes(':')).join(', ')}`,
    );
    say(`  service     ${DEMO_NAMESPACE}/${DEMO_SERVICE} EXTERNAL-IP ${ip}`);
    say(`  namespaces  ${world.namespaces().join(' ')}`);
    say(`  logs        ${c.cp.runDir} and ${world.runDir}`);
    say();
    say('Stop with Ctrl-C here, or `make demo-down` from another shell.');
    // Kept alive by the heartbeats and kubelets; the interval makes sure of it.
    setInterval(() => undefined, 60_000);
  } catch (err) {
    say(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await stop('failure');
    process.exit(1);
  }
}

void main();
