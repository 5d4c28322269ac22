// ironlb operator: turns the singleton MetalLB resource into the controller and speaker workloads and keeps
// them right. Parses flags and environment, builds the parts, starts them.
// First, before any module imports zod: its 63 unused locale tables load only on demand (kube/zodlocales).
import '../kube/zodlocales/loadhook';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../kube/errors';
import { createLogger } from '../kube/log';
import { clusterAccessOrExit } from '../kube/credentials/startup';
import { startOperator } from './app/operator';
import { EnvironmentError, parseEnvironment } from './env';
import { FlagError, parseFlags } from './flags';

async function main(): Promise<void> {
  let flags;
  let parsed;
  try {
    flags = parseFlags(process.argv.slice(2));
    parsed = parseEnvironment(process.env);
  } catch (err) {
    if (err instanceof FlagError || err instanceof EnvironmentError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: flags.logLevel, component: 'operator' });
  for (const { name, reason } of parsed.notApplied)
    logger.warn('environment variable set but not applied', { variable: name, reason });
  const { env } = parsed;
  logger.info('ironlb operator starting', {
    namespace: env.namespace,
    controllerImage: env.controllerImage,
    speakerImage: env.speakerImage,
    frrImage: env.frrImage,
    monitoring: env.monitoring,
    networkPolicies: env.networkPolicies,
  });
  const kubeConfig = await clusterAccessOrExit(logger, flags.kubeconfig);
  let webhook;
  if (flags.webhookPort !== 0) {
    try {
      const read = (file: string) => readFileSync(join(flags.certDir, file), 'utf8');
      webhook = { port: flags.webhookPort, cert: { cert: read('tls.crt'), key: read('tls.key') } };
    } catch (err) {
      logger.error('cannot read the webhook certificate', {
        certDir: flags.certDir,
        error: describeError(err),
      });
      process.exit(1);
    }
  }
  const frrk8sExternalNamespace = process.env.FRRK8S_EXTERNAL_NAMESPACE;
  const operator = await startOperator({
    kubeConfig,
    env,
    ...(frrk8sExternalNamespace !== undefined ? { validation: { frrk8sExternalNamespace } } : {}),
    logger,
    identity: process.env.POD_NAME ?? process.env.HOSTNAME ?? `ironlb-operator-${process.pid}`,
    leaderElection: flags.enableLeaderElection,
    healthPort: flags.healthAddr.port,
    listenHost: flags.healthAddr.host,
    ...(flags.metricsAddr !== undefined
      ? { metricsPort: flags.metricsAddr.port, metricsHost: flags.metricsAddr.host }
      : {}),
    ...(webhook !== undefined ? { webhook } : {}),
    onLostLeadership: () => process.exit(1),
  });
  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    void operator.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`operator failed to start: ${describeError(err)}\n`);
  process.exit(1);
});
