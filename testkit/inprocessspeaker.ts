// A speaker's reconcile core started in-process against a test control plane, as the speaker's integration
// tests run it: real informers, writers and (for BGP) sessions; the Layer 2 announcer is the caller's.
import type { Registry } from '../kube/prometheus/registry';
import { systemClock } from '../kube/clock';
import { informerFactory } from '../kube/informerfactory';
import { silentLogger } from '../kube/log';
import { createRegistry } from '../kube/metrics';
import { KubeRestClient } from '../kube/rest';
import { speakerMetrics } from '../speaker/app/metrics';
import { startSpeaker, type RunningSpeaker, type SpeakerOptions } from '../speaker/app/speaker';
import { NS, type Cluster } from './metallbcluster';

export async function startInProcessSpeaker(
  cluster: Cluster,
  node: string,
  options: Partial<SpeakerOptions> = {},
): Promise<{ speaker: RunningSpeaker; registry: Registry }> {
  const kubeConfig = cluster.cp.kubeConfig();
  const rest = new KubeRestClient(kubeConfig, { userAgent: `speaker-${node}` });
  const clock = systemClock();
  const logger = silentLogger();
  const registry = createRegistry({ withoutDefaultMetrics: true });
  const speaker = await startSpeaker({
    rest,
    informers: informerFactory({ kubeConfig, rest, clock, logger }),
    registry,
    metrics: speakerMetrics(registry, node),
    clock,
    logger,
    node,
    namespace: NS,
    podName: '',
    lbClass: '',
    ignoreExcludeLB: false,
    announcer: { announce: () => undefined, withdraw: () => undefined },
    interfaceNames: () => new Set(['eth0']),
    announcerProblem: () => undefined,
    ...options,
  });
  return { speaker, registry };
}
