// `make demo`: a local cluster with ironlb installed the operator way, left running for kubectl until Ctrl-C or
// SIGTERM (`make demo-down`): the operator from its bundle's CSV (e2e/install/olm.ts stands in for OLM, which
// cannot run here), then the `MetalLB` resource, whose conditions it shows before the Services. It shows what
// works today and says plainly what does not: the speakers (the operator's DaemonSet) answer ARP and NDP for the lan pool's addresses from the elected node, so the client
// reaches the demo Service's EXTERNAL-IP over IPv4 and IPv6; every node's speaker peers with the router and
// advertises the second Service's bgp-pool address, so the router routes to it by ECMP over all nodes.
//
// Harness limitation: every pod shares its node's network namespace, so the operator runs on a control-plane
// Node registered on the management host (its probes on 8080 would clash with the backends' hostPort, its
// webhook on 9443 with the controller's), the speakers, the controller and the backends on the three workers,
// and the controller's metrics move to 7473 (the operator's CONTROLLER_METRICS_PORT, set as a Subscription's
// spec.config.env would set it) off the speaker's 7472.
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
import { installOperatorFromCsv, OPERATOR_SELECTOR, waitForMetalLBCondition } from '../install/fromcsv';
import {
  applyWhenAdmitted,
  CONTROL_PLANE_NODE,
  CONTROLLER_METRICS_PORT,
  isReady,
  listPods,
  startCluster,
  waitForControllerReady,
  waitForSpeakersReady,
  WORKER_LABEL,
  type InstalledCluster,
} from '../install/cluster';
import { applyManifest, METALLB_NAMESPACE } from '../install/manifest';
import { arping, ndisc6, type World } from '../harness/net';
import { readService } from '../../testkit/servicereader';
import {
  BACKEND_PORT,
  backendObjects,
  CLUSTER_ASN,
  exposeServiceOnNodes,
  DEMO_NAMESPACE,
  DEMO_SERVICE,
  DEMO_BGP_SERVICE,
  type Doc,
  bgpServiceObject,
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

/** Runs argv in `role`'s namespace and prints it as a person would type it, with its output. */
async function showIn(world: World, role: string, argv: readonly string[]): Promise<string> {
  say(`$ ip netns exec ${world.ns(role)} ${argv.join(' ')}`);
  const r = await world.exec(role, argv, { allowFailure: true });
  const out = `${r.stdout}${r.stderr}`;
  process.stdout.write(out.endsWith('\n') || out === '' ? out : `${out}\n`);
  say();
  return r.stdout;
}

/**
 * The MetalLB resource: the speakers and the controller on the workers (the control-plane Node is the
 * operator's; see the harness limitation above).
 */
function metallbResource(): Doc {
  const workers = { [WORKER_LABEL]: '' };
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'MetalLB',
    metadata: { name: 'metallb', namespace: METALLB_NAMESPACE },
    spec: { logLevel: 'info', nodeSelector: workers, controllerNodeSelector: workers },
  };
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
    step(
      'starting the network world (3 nodes, client, router, management host), control plane, nodes ' +
        `(and Node ${CONTROL_PLANE_NODE} on the management host, for the operator)`,
    );
    const c = await startCluster({ nodes: NODES, controlPlaneNode: true, onStep: (m) => say(`    ${m}`) });
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

    step('installing the ironlb operator from bundle/manifests: its CSV, as OLM would (e2e/install/olm.ts)');
    const applied = await installOperatorFromCsv(admin, {
      nodeSelector: { 'kubernetes.io/hostname': CONTROL_PLANE_NODE },
      env: [{ name: 'CONTROLLER_METRICS_PORT', value: String(CONTROLLER_METRICS_PORT) }],
    });
    say(`    applied: ${applied.join(', ')}`);
    let operator = '';
    await waitFor(
      'the operator pod to be Ready',
      async () => {
        const ready = (await listPods(admin, OPERATOR_SELECTOR)).find(isReady);
        operator = ready?.metadata.name ?? '';
        return ready !== undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    say(`    operator pod ${operator} Ready on ${CONTROL_PLANE_NODE}`);

    step('creating the MetalLB resource: the operator deploys the controller and the speakers');
    // The operator's own webhook admits it once the apiserver reaches it: retry briefly, as for the config.
    await applyWhenAdmitted(admin, [metallbResource()], (m) =>
      say(`    (operator webhook not reachable yet, retrying: ${m})`),
    );
    const controller = await waitForControllerReady(admin);
    say(`    controller pod ${controller.metadata.name} Ready on ${controller.spec.nodeName ?? '?'}`);
    const speakers = await waitForSpeakersReady(
      admin,
      world.nodes.map((n) => n.role),
    );
    say(
      `    speaker DaemonSet: ${[...speakers].map(([node, p]) => `${p.metadata.name} Ready on ${node}`).join(', ')}`,
    );

    await waitForMetalLBCondition(admin, 'metallb', 'Available', 'True');
    const bin = findKubectl();
    say();
    await show(bin, ['-n', METALLB_NAMESPACE, 'get', 'metallb']);
    await show(bin, [
      '-n',
      METALLB_NAMESPACE,
      'get',
      'metallb',
      'metallb',
      '-o',
      'jsonpath={range .status.conditions[*]}{.type}={.status} ({.reason}){"\\n"}{end}',
    ]);

    step('applying the sample configuration: IPAddressPools, L2Advertisement, BGPPeer, BGPAdvertisement');
    // The webhook admits metallb.io objects only once the apiserver has picked up the injected CA and the
    // webhook Service's endpoints: retry the first apply briefly.
    const pools = world.plan.pools;
    await applyWhenAdmitted(admin, metallbObjects(pools, router), (m) =>
      say(`    (webhook not reachable yet, retrying: ${m})`),
    );

    step(
      'deploying the demo backend (a Deployment, one replica per node) and a dual-stack LoadBalancer Service',
    );
    await applyManifest(admin, [
      ...backendObjects(NODES, { nodeSelector: { [WORKER_LABEL]: '' } }),
      bgpServiceObject(),
    ]);
    let ip = '';
    let ip6 = '';
    let fromPool = '';
    await waitFor(
      `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE} to get an IPv4 and an IPv6 address`,
      async () => {
        const svc = await readService(admin, DEMO_NAMESPACE, DEMO_SERVICE);
        ip = svc.ips.find((a) => !a.includes(':')) ?? '';
        ip6 = svc.ips.find((a) => a.includes(':')) ?? '';
        fromPool = svc.pool ?? '';
        return ip !== '' && ip6 !== '' && fromPool !== '';
      },
      { timeoutMs: 60_000 },
    );
    let bgpIp = '';
    await waitFor(
      `Service ${DEMO_NAMESPACE}/${DEMO_BGP_SERVICE} to get an address from bgp-pool`,
      async () => {
        bgpIp = (await readService(admin, DEMO_NAMESPACE, DEMO_BGP_SERVICE)).ips[0] ?? '';
        return bgpIp !== '';
      },
      { timeoutMs: 60_000 },
    );
    // No kube-proxy in this harness: the addresses go on every node's `lo` instead (demo/objects.ts).
    await exposeServiceOnNodes(world, [ip, ip6, bgpIp]);
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

    say();
    step(`cluster up in ${(startup / 1000).toFixed(1)}s. What ironlb did:`);
    say();
    await show(bin, ['get', 'svc', '-o', 'wide']);
    await show(bin, ['get', 'svc', DEMO_SERVICE, '-o', 'jsonpath={.metadata.annotations}{"\\n"}']);
    await show(bin, ['get', 'pods', '-A', '-o', 'wide']);
    await show(bin, ['-n', METALLB_NAMESPACE, 'get', 'ipaddresspools,l2advertisements,bgppeers']);
    await show(bin, ['-n', METALLB_NAMESPACE, 'get', 'servicel2statuses']);
    if (bin === undefined) {
      say(
        `Service ${DEMO_NAMESPACE}/${DEMO_SERVICE}: EXTERNAL-IP ${ip} (metallb.io/ip-allocated-from-pool: ${fromPool})`,
      );
      say('kubectl was not found on PATH; install it (any v1.32+ client) to inspect the cluster.');
      say();
    }

    step('Layer 2: from the client, one node answers for the EXTERNAL-IP, and a backend answers HTTP');
    // The elected speaker answers within a moment of the Service getting its address: wait for that.
    await waitFor(
      `an ARP answer for ${ip}`,
      async () => (await arping(world, ip, { count: 1 })).macs.length > 0,
      { timeoutMs: 30_000, intervalMs: 500 },
    ).catch((err: unknown) => say(`    warning: ${err instanceof Error ? err.message : String(err)}`));
    const macs = (await arping(world, ip, { count: 3 })).macs;
    const owner = world.nodes.find((n) => macs.includes(n.primary.mac.toLowerCase()));
    say(
      `The node MACs: ${world.nodes.map((n) => `${n.role} ${n.primary.mac.toLowerCase()}`).join(', ')}. ` +
        `Answered by: ${macs.join(', ') || 'nobody'}${owner !== undefined ? ` (${owner.role}, the elected node)` : ''}.`,
    );
    say();
    await showIn(world, 'client', ['arping', '-c', '3', '-i', 'eth0', ip]);
    await showIn(world, 'client', ['ndisc6', '-n', '-r', '1', ip6, 'eth0']);
    for (const a of [ip, ip6]) {
      const host = a.includes(':') ? `[${a}]` : a;
      await showIn(world, 'client', ['curl', '-sS', '-m', '3', `http://${host}:${BACKEND_PORT}/`]);
    }
    // Also visible per ndisc6: how many distinct answers arrive (one, unless two nodes claim the address).
    const v6 = await ndisc6(world, ip6);
    say(`ndisc6 -m (every advertisement within 1 s): answered by ${v6.macs.join(', ') || 'nobody'}`);
    say();

    step(`BGP: every node advertises ${bgpIp}/32 to the router, which routes to it over all of them (ECMP)`);
    const routerFrr = frr;
    await waitFor(
      `the router to install ${bgpIp}/32 via every node`,
      async () => ((await routerFrr.installedBgpRoutes('ipv4')).get(`${bgpIp}/32`) ?? []).length === NODES,
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((err: unknown) => say(`    warning: ${err instanceof Error ? err.message : String(err)}`));
    say('$ vtysh -c "show bgp summary"   (on the router)');
    process.stdout.write(await frr.vtysh('show bgp summary'));
    say(`$ vtysh -c "show bgp ipv4 unicast ${bgpIp}/32"   (on the router)`);
    process.stdout.write(await frr.vtysh(`show bgp ipv4 unicast ${bgpIp}/32`));
    say(`$ vtysh -c "show ip route ${bgpIp}/32"   (on the router)`);
    process.stdout.write(await frr.vtysh(`show ip route ${bgpIp}/32`));
    say('A request from the client, routed by the router over BGP to a node, answered by its backend:');
    await showIn(world, 'client', ['curl', '-sS', '-m', '3', `http://${bgpIp}:${BACKEND_PORT}/`]);
    await show(bin, ['-n', METALLB_NAMESPACE, 'get', 'servicebgpstatuses']);
    say();

    step('what is NOT working yet');
    say('BGP: BFD, graceful restart, VRFs and the FRR backend are refused with a clear configuration error;');
    say('the native speaker closes its sessions on SIGTERM without the graceful-shutdown community.');
    say();

    const nodes = world.nodes.map((n) => `${n.role} ${n.primary.v4} / ${n.primary.v6}`).join(', ');
    step('the demo keeps running; in another shell:');
    say(`  export KUBECONFIG=${KUBECONFIG}`);
    if (bin !== undefined)
      say(`  export PATH=${path.dirname(bin)}:$PATH   # the kubectl built with the control plane`);
    say('  kubectl get svc -o wide');
    say(`  kubectl -n ${METALLB_NAMESPACE} get ipaddresspools -o yaml`);
    say(
      `  kubectl -n ${METALLB_NAMESPACE} get metallb metallb -o yaml   # the operator's resource and status`,
    );
    say(`  kubectl -n ${METALLB_NAMESPACE} logs ${operator}   # the operator's log`);
    say(`  kubectl -n ${METALLB_NAMESPACE} logs ${controller.metadata.name}   # the controller's log`);
    say(
      `  kubectl -n ${METALLB_NAMESPACE} logs -l component=speaker --prefix --tail 20   # the speakers' logs`,
    );
    say(`  kubectl create service loadbalancer web --tcp=80:8080 && kubectl get svc web -w`);
    say(`  ip netns exec ${world.ns('client')} arping -c 3 -i eth0 ${ip}`);
    say(`  ip netns exec ${world.ns('client')} curl -m 3 http://${ip}:${BACKEND_PORT}/`);
    say(`  ip netns exec ${world.ns('client')} curl -m 3 http://[${ip6}]:${BACKEND_PORT}/`);
    say(
      `  ip netns exec ${world.ns('client')} curl -m 3 http://${bgpIp}:${BACKEND_PORT}/   # via the router`,
    );
    say(
      `  ip netns exec ${world.ns('router')} vtysh --vty_socket ${frr.socketDir} -c 'show bgp ipv4 unicast'`,
    );
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
    say(`  service     ${DEMO_NAMESPACE}/${DEMO_SERVICE} EXTERNAL-IP ${ip}, ${ip6} (port ${BACKEND_PORT})`);
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
