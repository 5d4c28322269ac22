// A real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) built from
// upstream source by scripts/build-cluster-bins.sh, placed on loopback (integration tests) or inside a management
// network namespace (e2e world); see placement.ts. No real kubelets and no kube-proxy: simulated
// nodes (../nodes.ts) and the process kubelet (../kubelet/) stand in for them.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { CertPair } from '../certs';
import { makePki, SA_ISSUER, type ControllerCredentials } from './pki';
import { assertTestCidr, assertTestIp, nthAddress, parseStrictCidr } from '../cidr';
import { clientNode } from '../clientnode';
import {
  loopbackPlacement,
  type ComponentPorts,
  type HostPort,
  type Placement,
  type PlacementContext,
} from './placement';
import {
  certCredentials,
  restClient,
  writeKubeconfig,
  type Credentials,
  type HarnessRestClient,
} from '../kubeconfig';
import { log } from '../log';
import { controlPlaneBinaries, createRunDir, RUN_ROOT, BIN_ROOT, readVersions } from '../paths';
import { ProcessGroup, type ManagedProcess, type SpawnOptions } from '../processes';
import { get, waitFor, waitForHttp200, type TlsClientOptions } from '../readiness';

export interface ControlPlaneOptions {
  /**
   * Service ClusterIP ranges, primary first (two entries, one per family, make the cluster dual-stack). They must
   * lie in the documentation ranges; the first address of each becomes the `kubernetes` Service IP.
   */
  serviceCidrs?: string[];
  /**
   * Loopback placement only: the address published in the `kubernetes` Service's endpoints. Nothing listens or
   * dials there: the apiserver only binds 127.0.0.1, but endpoint validation rejects loopback.
   */
  advertiseAddress?: string;
  /** Where the components run (default: loopbackPlacement). World mode: worldPlacement({ netns, ipv4, ipv6 }). */
  placement?: Placement;
  /** Start kube-controller-manager (default true). */
  controllerManager?: boolean;
  /** See ControllerCredentials (default 'serviceaccounts', as kubeadm). */
  controllerCredentials?: ControllerCredentials;
  /** Start kube-scheduler (default true). */
  scheduler?: boolean;
  /** Overall budget for reaching readiness (default 120 s: a cold page cache on 2 cores is slow). */
  readyTimeoutMs?: number;
  /** Keep etcd's data folder after stop() (default false; its WAL preallocates 64 MiB). */
  keepData?: boolean;
  /** klog verbosity for the Kubernetes components (default 1). */
  verbosity?: number;
  extraApiserverArgs?: string[];
  extraControllerManagerArgs?: string[];
  extraSchedulerArgs?: string[];
  binRoot?: string;
  runRoot?: string;
}

export interface ControlPlane {
  readonly runId: string;
  readonly runDir: string;
  /** Admin (system:masters) kubeconfig: e2e/.run/<run-id>/admin.kubeconfig. */
  readonly kubeconfigPath: string;
  /** The apiserver URL for clients in the root namespace (jest, kubectl). */
  readonly server: string;
  /** Where processes of simulated nodes dial the apiserver (their KUBERNETES_SERVICE_HOST/PORT). */
  readonly inClusterApiserver: HostPort;
  readonly placement: Placement['kind'];
  readonly caCertPath: string;
  readonly caPem: string;
  readonly serviceCidrs: readonly string[];
  /** Ports inside the control plane's network namespace. */
  readonly ports: Readonly<ComponentPorts>;
  /**
   * Milliseconds spent in each start-up phase, plus `spawnToReady` (first component spawned until everything is
   * ready) and `total` (including the PKI).
   */
  readonly timings: Readonly<Record<string, number>>;
  readonly processes: readonly ManagedProcess[];
  /** PIDs of the components still running. */
  pids(): number[];
  /** A fresh client-node KubeConfig for the admin user (client-node is ESM-only: see clientnode.ts). */
  kubeConfig(): KubeConfig;
  /** Admin (system:masters) credentials for the root namespace. */
  readonly adminCredentials: Credentials;
  /** A JSON REST client (kube/rest.ts) for the admin user; close() it when done. */
  adminClient(): HarnessRestClient;
  /** Issues a client certificate for `user`/`groups` (e.g. system:node:<name>, [system:nodes]). */
  issueCredentials(user: string, groups?: string[]): Promise<Credentials>;
  /** Issues a serving certificate from the cluster CA (webhooks: `<service>.<namespace>.svc`). */
  issueServingCert(name: string, sans: { dnsNames: string[]; ips?: string[] }): Promise<CertPair>;
  /** Issues a client certificate for `user`/`groups` and returns the path of a kubeconfig using it. */
  userKubeconfig(user: string, groups?: string[]): Promise<string>;
  /** Writes a kubeconfig that authenticates with a bearer token (e.g. from the TokenRequest API). */
  tokenKubeconfig(name: string, token: string, namespace?: string): Promise<string>;
  /** Stops every component this control plane started (only those PIDs). Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_SERVICE_CIDRS = ['198.51.100.0/24'];
const DEFAULT_ADVERTISE = { 4: '192.0.2.254', 6: '2001:db8:ffff::fe' } as const;

/**
 * Starts a control plane and resolves once the API is ready, the controllers are healthy and the `default`
 * ServiceAccount exists (so tests may create pods immediately). On any failure everything already started is
 * stopped before the error propagates.
 */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (phase: string, since: number): void => {
    timings[phase] = Date.now() - since;
    log.info(`${phase}: ${timings[phase]}ms`);
  };

  // Fails (MissingBinariesError) before touching anything, so a missing build is reported clearly.
  const bins = controlPlaneBinaries(readVersions(), opts.binRoot ?? BIN_ROOT);

  const serviceCidrs = opts.serviceCidrs ?? DEFAULT_SERVICE_CIDRS;
  if (serviceCidrs.length < 1 || serviceCidrs.length > 2)
    throw new Error('serviceCidrs: give one or two ranges');
  serviceCidrs.forEach(assertTestCidr);
  const primaryFamily = parseStrictCidr(serviceCidrs[0] ?? '').family;
  const advertiseDefault = opts.advertiseAddress ?? DEFAULT_ADVERTISE[primaryFamily];
  assertTestIp(advertiseDefault);
  const placement = opts.placement ?? loopbackPlacement(advertiseDefault);
  const advertise = placement.advertiseAddress;
  const serviceIps = serviceCidrs.map((c) => nthAddress(c, 1));
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const v = String(opts.verbosity ?? 1);
  const controllerCredentials = opts.controllerCredentials ?? 'serviceaccounts';
  const runWith = { controllerManager: opts.controllerManager ?? true, scheduler: opts.scheduler ?? true };

  const { runId, runDir } = createRunDir('cp', opts.runRoot ?? RUN_ROOT);
  const logDir = path.join(runDir, 'logs');
  const etcdDataDir = path.join(runDir, 'etcd');
  const group = new ProcessGroup();
  log.info(`control plane ${runId} in ${runDir}`);

  // Components start inside the placement's network namespace; the harness reaches their ports directly
  // (loopback) or through the placement's unix-socket relay (world).
  const spawnComponent = (
    name: string,
    command: string,
    spawnOpts: SpawnOptions,
  ): Promise<ManagedProcess> => {
    const argv = placement.wrap(command, spawnOpts.args);
    return group.spawn(name, argv.command, { ...spawnOpts, args: argv.args });
  };

  try {
    let t = Date.now();
    const ports = await placement.allocatePorts();
    const { etcd: etcdPort, etcdPeer: etcdPeerPort, apiserver: apiPort, controllerManager: kcmPort } = ports;
    const schedPort = ports.scheduler;
    const c = await makePki(
      path.join(runDir, 'pki'),
      serviceIps,
      placement.servingIps,
      controllerCredentials,
    );
    const caPem = await c.pki.caPem();
    // Components dial the apiserver on their own namespace's loopback.
    const localServer = `https://127.0.0.1:${apiPort}`;
    const kcmKubeconfig = path.join(runDir, 'controller-manager.kubeconfig');
    const schedKubeconfig = path.join(runDir, 'scheduler.kubeconfig');
    await Promise.all([
      writeKubeconfig(kcmKubeconfig, {
        server: localServer,
        caPem,
        user: 'system:kube-controller-manager',
        client: c.kcm,
      }),
      writeKubeconfig(schedKubeconfig, {
        server: localServer,
        caPem,
        user: 'system:kube-scheduler',
        client: c.scheduler,
      }),
    ]);
    mark('pki', t);

    t = Date.now();
    const spawnedAt = t;
    const ctx: PlacementContext = { runDir, logDir, group, ports, timeoutMs: readyTimeoutMs };
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcd = await spawnComponent('etcd', bins.etcd, {
      logFile: path.join(logDir, 'etcd.log'),
      args: [
        '--name=ironlb-e2e',
        `--data-dir=${etcdDataDir}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${etcdPeerUrl}`,
        `--initial-advertise-peer-urls=${etcdPeerUrl}`,
        `--initial-cluster=ironlb-e2e=${etcdPeerUrl}`,
        '--initial-cluster-state=new',
        // Throwaway data: skipping fsync makes start-up and every write much faster on slow disks.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
    });

    // The apiserver retries its etcd connection, so it starts in parallel instead of after etcd's health check.
    const apiserver = await spawnComponent('kube-apiserver', bins.kubeApiserver, {
      logFile: path.join(logDir, 'kube-apiserver.log'),
      args: [
        `--etcd-servers=${etcdUrl}`,
        `--bind-address=${placement.apiserverBindAddress}`,
        `--secure-port=${apiPort}`,
        `--advertise-address=${advertise}`,
        `--cert-dir=${path.join(runDir, 'apiserver')}`,
        `--tls-cert-file=${c.apiserver.certPath}`,
        `--tls-private-key-file=${c.apiserver.keyPath}`,
        `--client-ca-file=${c.pki.ca.certPath}`,
        // How the apiserver calls kubelets (kubectl logs, node proxy): its own client certificate, and the
        // kubelet's serving certificate checked against the cluster CA that issued it (kubelet/endpoint.ts).
        `--kubelet-client-certificate=${c.apiserverKubeletClient.certPath}`,
        `--kubelet-client-key=${c.apiserverKubeletClient.keyPath}`,
        `--kubelet-certificate-authority=${c.pki.ca.certPath}`,
        '--authorization-mode=Node,RBAC',
        // Added to the default-on plugins (NamespaceLifecycle, ServiceAccount, webhooks, ResourceQuota, ...),
        // the same choice kubeadm makes.
        '--enable-admission-plugins=NodeRestriction',
        `--service-cluster-ip-range=${serviceCidrs.join(',')}`,
        // Issuer + signing key enable the TokenRequest API (bound ServiceAccount tokens).
        `--service-account-issuer=${SA_ISSUER}`,
        `--service-account-key-file=${c.sa.publicKeyPath}`,
        `--service-account-signing-key-file=${c.sa.privateKeyPath}`,
        // The speaker needs hostNetwork and NET_ADMIN/NET_RAW; a real cluster allows privileged pods too.
        '--allow-privileged=true',
        '--profiling=false',
        `--v=${v}`,
        ...placement.extraApiserverArgs,
        ...(opts.extraApiserverArgs ?? []),
      ],
    });
    await placement.start(ctx);

    await waitForHttp200('etcd /health', `${etcdUrl}/health`, undefined, {
      timeoutMs: readyTimeoutMs,
      watch: [etcd],
      socketPath: placement.socketFor(etcdPort),
    });
    mark('etcd', t);

    const adminTls: TlsClientOptions = {
      ca: caPem,
      cert: await fs.readFile(c.admin.certPath, 'utf8'),
      key: await fs.readFile(c.admin.keyPath, 'utf8'),
    };
    // /readyz only turns 200 after every post-start hook ran, notably the RBAC bootstrap roles, so
    // authorization tests cannot race the bootstrap policy.
    await waitForHttp200('kube-apiserver /readyz', `${localServer}/readyz`, adminTls, {
      timeoutMs: readyTimeoutMs - (Date.now() - t0),
      watch: [etcd, apiserver],
      socketPath: placement.socketFor(apiPort),
    });
    mark('apiserver', t);
    const server = await placement.exposeApiserver(ctx);
    const kubeconfigPath = path.join(runDir, 'admin.kubeconfig');
    await writeKubeconfig(kubeconfigPath, { server, caPem, user: 'kubernetes-admin', client: c.admin });

    // The controller manager gives up if the apiserver is not healthy within seconds of its start, so it and
    // the scheduler are only started now.
    t = Date.now();
    const waits: Promise<number>[] = [];
    const servingTls = { ca: caPem };
    if (runWith.controllerManager) {
      const kcm = await spawnComponent('kube-controller-manager', bins.kubeControllerManager, {
        logFile: path.join(logDir, 'kube-controller-manager.log'),
        args: [
          `--kubeconfig=${kcmKubeconfig}`,
          `--authentication-kubeconfig=${kcmKubeconfig}`,
          `--authorization-kubeconfig=${kcmKubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${kcmPort}`,
          `--tls-cert-file=${c.kcmServing.certPath}`,
          `--tls-private-key-file=${c.kcmServing.keyPath}`,
          // One instance per cluster: leader election would only add a lease round-trip to start-up.
          '--leader-elect=false',
          // By default each controller acts as its own ServiceAccount, so RBAC is exercised as in a real cluster.
          `--use-service-account-credentials=${controllerCredentials === 'serviceaccounts'}`,
          `--service-account-private-key-file=${c.sa.privateKeyPath}`,
          `--root-ca-file=${c.pki.ca.certPath}`,
          `--cluster-signing-cert-file=${c.pki.ca.certPath}`,
          `--cluster-signing-key-file=${c.pki.ca.keyPath}`,
          `--service-cluster-ip-range=${serviceCidrs.join(',')}`,
          '--allocate-node-cidrs=false',
          '--profiling=false',
          `--v=${v}`,
          ...(opts.extraControllerManagerArgs ?? []),
        ],
      });
      waits.push(
        waitForHttp200(
          'kube-controller-manager /healthz',
          `https://127.0.0.1:${kcmPort}/healthz`,
          servingTls,
          {
            timeoutMs: readyTimeoutMs - (Date.now() - t0),
            watch: [etcd, apiserver, kcm],
            socketPath: placement.socketFor(kcmPort),
          },
        ),
      );
    }
    if (runWith.scheduler) {
      const sched = await spawnComponent('kube-scheduler', bins.kubeScheduler, {
        logFile: path.join(logDir, 'kube-scheduler.log'),
        args: [
          `--kubeconfig=${schedKubeconfig}`,
          `--authentication-kubeconfig=${schedKubeconfig}`,
          `--authorization-kubeconfig=${schedKubeconfig}`,
          '--bind-address=127.0.0.1',
          `--secure-port=${schedPort}`,
          `--tls-cert-file=${c.schedulerServing.certPath}`,
          `--tls-private-key-file=${c.schedulerServing.keyPath}`,
          '--leader-elect=false',
          '--profiling=false',
          `--v=${v}`,
          ...(opts.extraSchedulerArgs ?? []),
        ],
      });
      waits.push(
        waitForHttp200('kube-scheduler /healthz', `https://127.0.0.1:${schedPort}/healthz`, servingTls, {
          timeoutMs: readyTimeoutMs - (Date.now() - t0),
          watch: [etcd, apiserver, sched],
          socketPath: placement.socketFor(schedPort),
        }),
      );
    }
    await Promise.all(waits);
    mark('controllers', t);

    if (runWith.controllerManager) {
      // The ServiceAccount admission plugin rejects pods until the controller manager has created the
      // namespace's `default` ServiceAccount; waiting here saves every test from that race.
      t = Date.now();
      await waitFor(
        'default ServiceAccount',
        async () =>
          (await get(`${server}/api/v1/namespaces/default/serviceaccounts/default`, adminTls)).status === 200,
        { timeoutMs: readyTimeoutMs - (Date.now() - t0), watch: [...group.list()] },
      );
      mark('defaultServiceAccount', t);
    }
    timings.spawnToReady = Date.now() - spawnedAt;
    timings.total = Date.now() - t0;
    log.info(`control plane ${runId} ready in ${timings.total}ms`);
    const adminCredentials = await certCredentials(server, caPem, c.admin);

    let stopping: Promise<void> | undefined;
    const usersDir = path.join(runDir, 'users');
    const cp: ControlPlane = {
      runId,
      runDir,
      kubeconfigPath,
      server,
      inClusterApiserver: placement.inClusterApiserver(ports),
      placement: placement.kind,
      caCertPath: c.pki.ca.certPath,
      caPem,
      serviceCidrs: [...serviceCidrs],
      ports,
      timings,
      processes: group.list(),
      pids: () => group.pids(),
      kubeConfig: () => {
        const kc = new (clientNode().KubeConfig)();
        kc.loadFromFile(kubeconfigPath);
        return kc;
      },
      adminCredentials,
      adminClient: () => restClient(adminCredentials),
      issueCredentials: async (user, groups = []) => {
        await fs.mkdir(usersDir, { recursive: true, mode: 0o700 });
        const name = user.replace(/[^A-Za-z0-9._-]/g, '_');
        return certCredentials(server, caPem, await c.pki.issueClient(`user-${name}`, { user, groups }));
      },
      issueServingCert: (name, sans) =>
        c.pki.issueServing(`serving-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`, name, {
          dnsNames: sans.dnsNames,
          ips: sans.ips ?? [],
        }),
      userKubeconfig: async (user, groups = []) => {
        await fs.mkdir(usersDir, { recursive: true, mode: 0o700 });
        const name = user.replace(/[^A-Za-z0-9._-]/g, '_');
        const pair = await c.pki.issueClient(`user-${name}`, { user, groups });
        return writeKubeconfig(path.join(usersDir, `${name}.kubeconfig`), {
          server,
          caPem,
          user,
          client: pair,
        });
      },
      tokenKubeconfig: async (name, token, namespace) => {
        await fs.mkdir(usersDir, { recursive: true, mode: 0o700 });
        const file = path.join(usersDir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.token.kubeconfig`);
        return writeKubeconfig(file, {
          server,
          caPem,
          user: name,
          token,
          ...(namespace ? { namespace } : {}),
        });
      },
      stop: () => {
        stopping ??= (async () => {
          await group.stopAll();
          if (!opts.keepData) await fs.rm(etcdDataDir, { recursive: true, force: true });
          log.info(`control plane ${runId} stopped`);
        })();
        return stopping;
      },
    };
    return cp;
  } catch (err) {
    // Leave nothing behind; the error already carries the failing component's log tail.
    await group.stopAll(3_000);
    if (!opts.keepData) await fs.rm(etcdDataDir, { recursive: true, force: true });
    throw err;
  }
}
