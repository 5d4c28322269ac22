// ironlb controller: IP address management for LoadBalancer Services, the metallb.io admission and
// conversion webhooks, and the memberlist secret. Parses flags, builds the parts, starts them.
// First, before any module imports zod: its 63 unused locale tables load only on demand (kube/zodlocales).
import '../kube/zodlocales/loadhook';
import { readFileSync } from 'node:fs';
import { systemClock } from '../kube/clock';
import { describeError } from '../kube/errors';
import { createLogger } from '../kube/log';
import { clusterAccessOrExit } from '../kube/credentials/startup';
import { KubeRestClient } from '../kube/rest';
import { startController } from './app/controller';
import { ensureMemberlistSecret } from './app/memberlist';
import { startWebhooks } from './app/webhooks';
import { FlagError, parseFlags } from './flags';

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

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
  const logger = createLogger({ level: flags.logLevel, component: 'controller' });
  let namespace = flags.namespace;
  if (namespace === '') {
    try {
      namespace = readFileSync(SA_NAMESPACE, 'utf8').trim();
    } catch (err) {
      logger.error(
        'Unable to get namespace from pod service account data, please specify --namespace or METALLB_NAMESPACE',
        {
          op: 'startup',
          error: describeError(err),
        },
      );
      process.exit(1);
    }
  }
  logger.info('ironlb controller starting', {
    namespace,
    lbClass: flags.lbClass,
    webhookMode: flags.webhookMode,
    bgpType: flags.bgpType,
  });
  const kubeConfig = await clusterAccessOrExit(logger, flags.kubeconfig);
  const rest = new KubeRestClient(kubeConfig, { userAgent: 'ironlb-controller' });
  const clock = systemClock();

  if (flags.mlSecretName !== '') await ensureMemberlistSecret(rest, namespace, flags.mlSecretName);

  const stops: Array<() => Promise<void>> = [];
  if (flags.webhookMode !== 'disabled') {
    const webhooks = await startWebhooks({
      rest,
      clock,
      logger,
      namespace,
      port: flags.webhookPort,
      bgpType: flags.bgpType,
      secretName: flags.webhookSecret,
      serviceName: flags.certServiceName,
      disableCertRotation: flags.disableCertRotation,
      certDir: flags.certDir,
      tls: flags.tls,
      ...(flags.webhookFailurePolicy !== undefined ? { failurePolicy: flags.webhookFailurePolicy } : {}),
    });
    stops.push(() => webhooks.stop());
  }
  if (flags.webhookMode !== 'onlywebhook') {
    const controller = await startController({
      kubeConfig,
      namespace,
      lbClass: flags.lbClass,
      identity: flags.podName || `ironlb-controller-${process.pid}`,
      logger,
      bgpType: flags.bgpType,
      leaderElection: flags.leaderElect,
      leaseDurationMs: flags.leaseDurationMs,
      renewDeadlineMs: flags.renewDeadlineMs,
      retryPeriodMs: flags.retryPeriodMs,
      ...(flags.port !== 0 ? { metricsPort: flags.port } : {}),
      ...(flags.secureMetrics
        ? {
            secureMetrics: {
              tls: flags.tls,
              ...(flags.metricsCertDir !== '' ? { certDir: flags.metricsCertDir } : {}),
            },
          }
        : {}),
      healthPort: flags.healthPort,
      onLostLeadership: () => process.exit(1),
    });
    stops.push(() => controller.stop());
  }

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    void Promise.allSettled(stops.map((stop) => stop())).then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`controller failed to start: ${describeError(err)}\n`);
  process.exit(1);
});
