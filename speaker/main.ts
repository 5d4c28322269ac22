// ironlb speaker: announces the addresses the controller assigned, by Layer 2 (ARP/NDP) from the node the
// election picks, and by BGP to the peers that select this node. Parses flags and environment, builds the parts, starts them (upstream speaker/main.go).
// First, before any module imports zod: its 63 unused locale tables load only on demand (kube/zodlocales).
import '../kube/zodlocales/loadhook';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { systemClock } from '../kube/clock';
import { describeError } from '../kube/errors';
import { HealthServer } from '../kube/health';
import { informerFactory } from '../kube/informerfactory';
import { createLogger } from '../kube/log';
import { createRegistry } from '../kube/metrics';
import { clusterAccessOrExit } from '../kube/credentials/startup';
import { KubeRestClient } from '../kube/rest';
import { authorizeMetrics, readCertDir } from '../kube/securemetrics';
import { startSpeaker, type SpeakerMembership } from './app/speaker';
import { speakerMetrics } from './app/metrics';
import { startHeapTrim } from './app/heaptrim';
import { parseExcludeL2 } from './excludel2';
import { FlagError, parseFlags, type MemberlistFlags } from './flags';
import { vtyshRunner } from './frr/vtysh';
import { Announcer } from './l2/announcer';
import { linuxL2Io } from './l2/io';
import { L2SocketError } from './l2/sys/packet-socket';
import { mallocTrim } from './l2/sys/libc';
import { bindErrorLogger, bindProblem, membershipLogger } from './membership/eventlog';
import { Membership } from './membership/membership';

/** The key bytes: METALLB_ML_SECRET_KEY when set, else `<path>/secretkey` (upstream k8s.MLSecretKeyName). */
function memberlistKey(ml: MemberlistFlags): Buffer | undefined {
  if (ml.secretKey !== '') return Buffer.from(ml.secretKey, 'utf8');
  if (ml.secretKeyPath === '') return undefined;
  return readFileSync(path.join(ml.secretKeyPath, 'secretkey'));
}

async function main(): Promise<void> {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: flags.logLevel, component: 'speaker' }).child({
    node: flags.nodeName,
  });
  logger.info('ironlb speaker starting', { namespace: flags.namespace, lbClass: flags.lbClass });

  // A bad exclude file is reported and ignored: answering on one interface too many beats not answering.
  let exclude: RegExp | undefined;
  try {
    exclude = await parseExcludeL2(
      readFileSync(flags.excludeL2ConfigPath, 'utf8'),
      flags.excludeL2ConfigPath,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.error('announcedInterfacesToExclude ignored', { error: describeError(err) });
  }

  // Credentials without @kubernetes/client-node: importing it alone costs about 80 MiB of RSS, the speaker's
  // whole budget (speaker/main.test.ts keeps it out of the module graph).
  const kubeConfig = await clusterAccessOrExit(logger);
  const rest = new KubeRestClient(kubeConfig, { userAgent: 'ironlb-speaker' });
  const clock = systemClock();
  const registry = createRegistry({ defaultLabels: {} });
  const l2metrics = speakerMetrics(registry, flags.nodeName);

  // The announcer's failures are reported once each; missing CAP_NET_RAW is the one a person must fix.
  let announcerProblem: string | undefined;
  let onProblem = (): void => {};
  let ml: Membership | undefined;
  const announcer = new Announcer({
    // With membership on, nothing goes out while it says this node may not answer (fenced, joining, or
    // just back from an event-loop stall it has not looked past yet).
    mayAnswer: () => ml?.mayAnswer() ?? true,
    io: linuxL2Io(),
    clock,
    metrics: l2metrics.announcer,
    ...(exclude !== undefined ? { excludeInterfaces: exclude } : {}),
    refreshIntervalMs: flags.gratuitousRefreshMs,
    onError: (err) => {
      if (err instanceof L2SocketError && err.isMissingCapability) {
        if (announcerProblem === undefined)
          logger.error(
            'cannot answer ARP/NDP: the speaker lacks CAP_NET_RAW; Layer 2 announcements are off',
            {
              error: err.message,
            },
          );
        announcerProblem = err.message;
        onProblem();
      } else {
        logger.warn('layer 2 announcer error', { error: err.message });
      }
    },
  });
  announcer.start();
  const interfaceNames = (): ReadonlySet<string> => new Set(announcer.interfaces().map((i) => i.name));
  const problem = (): string | undefined =>
    announcerProblem ??
    bindProblem(ml) ??
    (interfaceNames().size === 0 ? 'no usable interface for ARP/NDP on this node' : undefined);

  let membership: { list: SpeakerMembership; namespace: string; labels: string; port: number } | undefined;
  if (flags.memberlist !== undefined) {
    const key = memberlistKey(flags.memberlist);
    if (key === undefined)
      logger.warn('no memberlist secret key: membership traffic is not authenticated by a shared key');
    ml = new Membership({
      self: flags.nodeName,
      bindAddress: flags.memberlist.bindAddr,
      bindPort: flags.memberlist.bindPort,
      secretKey: key ?? Buffer.alloc(0),
      clock,
      onEvent: membershipLogger(logger),
      onBindError: bindErrorLogger(logger, flags.memberlist.bindAddr, flags.memberlist.bindPort, () =>
        onProblem(),
      ),
    });
    // Tried now so that the first failure is logged at start; a failed bind is retried (the node's address
    // may be missing while its link is down), never a crash. Joined by startSpeaker once the Pods are listed.
    await ml.bind();
    membership = {
      list: ml,
      namespace: flags.memberlist.namespace,
      labels: flags.memberlist.labels,
      port: flags.memberlist.bindPort,
    };
  } else {
    logger.info(
      'memberlist disabled (needs --ml-bindaddr and --ml-labels): every Node counts as a live speaker',
    );
  }

  if (flags.frr !== undefined)
    logger.info('BGP by the FRR sidecar', {
      configFile: flags.frr.configFile,
      reloaderPidFile: flags.frr.reloaderPidFile,
      sessionState: existsSync(flags.frr.vtySocketDir) ? flags.frr.vtySocketDir : 'not read (no vty sockets)',
    });
  const speaker = await startSpeaker({
    rest,
    informers: informerFactory({ kubeConfig, rest, clock, logger }),
    registry,
    metrics: l2metrics,
    clock,
    logger,
    node: flags.nodeName,
    namespace: flags.namespace,
    podName: flags.podName,
    lbClass: flags.lbClass,
    ignoreExcludeLB: flags.ignoreExcludeLB,
    nodeAddress: flags.host,
    announcer,
    interfaceNames,
    announcerProblem: problem,
    ...(membership !== undefined ? { membership } : {}),
    ...(flags.frr !== undefined
      ? {
          frr: {
            hostname: hostname(),
            logLevel: flags.logLevel,
            configFile: flags.frr.configFile,
            reloaderPidFile: flags.frr.reloaderPidFile,
            debounceMs: flags.frr.debounceMs,
            ...(flags.frr.logLevel !== undefined ? { frrLogLevel: flags.frr.logLevel } : {}),
            // The speaker container of render/frr.ts mounts no vty sockets: there the frr-metrics sidecar
            // exports the session state, as upstream's; where they are mounted, this process reads them too.
            ...(existsSync(flags.frr.vtySocketDir)
              ? { vtysh: vtyshRunner({ binary: flags.frr.vtysh, socketDir: flags.frr.vtySocketDir }) }
              : {}),
          },
        }
      : {}),
  });
  onProblem = () => speaker.reportState();
  // The interface list changes under us (links up, down, renamed): re-report it now and then.
  let lastProblem = problem();
  const watchInterfaces = setInterval(() => {
    const now = problem();
    if (now !== lastProblem) speaker.reportState();
    lastProblem = now;
  }, 10_000);
  watchInterfaces.unref();

  let server: HealthServer | undefined;
  if (flags.port !== 0) {
    server = new HealthServer({
      logger,
      metrics: registry,
      ...(flags.metricsCertDir !== ''
        ? {
            tls: { ...(await readCertDir(flags.metricsCertDir)), settings: flags.tls },
            authorizeMetrics: (authorization: string | undefined) => authorizeMetrics(rest, authorization),
          }
        : {}),
    });
    server.addReadinessCheck('informers-synced', () => {
      if (!speaker.hasSynced()) throw new Error('caches not synced');
    });
    await server.listen(flags.port, flags.host === '' ? '0.0.0.0' : flags.host);
  }

  // glibc keeps the C heap's freed pages after bursts of watch events; hand them back (speaker/app/heaptrim.ts).
  const heapTrim = startHeapTrim({ clock, trim: mallocTrim });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    clearInterval(watchInterfaces);
    heapTrim.stop();
    void (async () => {
      await Promise.all([
        (async () => {
          // Planned leave first: the others take over before this node stops answering.
          await ml?.leave().catch(() => undefined);
          ml?.close();
          announcer.stop();
        })(),
        // Beside the leave, within the 2 s termination grace: BGP sessions close for a restart (graceful
        // restart keeps the routes) or a drain (graceful shutdown, then Cease), as the Node's state says.
        speaker.stop({ gracefulShutdownMs: flags.bgpShutdownWaitMs }).catch((err: unknown) => {
          logger.error('speaker stop failed', { error: describeError(err) });
        }),
      ]);
      await server?.close();
      process.exit(0);
    })();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`speaker failed to start: ${describeError(err)}\n`);
  process.exit(1);
});
