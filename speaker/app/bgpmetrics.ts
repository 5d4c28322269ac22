// The BGP metrics with upstream's names and labels (internal/bgp/native/stats.go: `peer` is `addr:port`),
// fed from each session's figures, and `metallb_speaker_announced{protocol="bgp"}` (speaker/main.go). They
// are set to 0 when a session is created and deleted when it closes, as upstream's native speaker does.
import { Counter } from '../../kube/prometheus/counter';
import { Gauge } from '../../kube/prometheus/gauge';
import type { Registry } from '../../kube/prometheus/registry';
import type { SessionObserver } from '../bgp/manager';
import type { SessionStats } from '../bgp/session/session';
import type { BGPAnnounceMetrics } from '../reconcile/bgp';

export interface BGPMetrics {
  readonly sessions: SessionObserver;
  readonly announce: BGPAnnounceMetrics;
}

const ANNOUNCED = 'metallb_speaker_announced';

/**
 * The speaker's announced gauge is registered by speaker/app/metrics.ts (Layer 2); BGP sets the same series
 * with protocol `bgp`, so it is taken from the registry, and only made here when the registry lacks it.
 */
function announcedGauge(registry: Registry): Gauge<'service' | 'protocol' | 'node' | 'ip'> {
  const existing = registry.getSingleMetric(ANNOUNCED);
  if (existing instanceof Gauge) return existing;
  return new Gauge({
    name: ANNOUNCED,
    help: 'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
    labelNames: ['service', 'protocol', 'node', 'ip'] as const,
    registers: [registry],
  });
}

/** `metallb_speaker_announced{protocol="bgp"}` alone: what FRR mode keeps of these metrics. */
export function bgpAnnounceMetrics(registry: Registry, node: string): BGPAnnounceMetrics {
  const announced = announcedGauge(registry);
  return {
    announced: (service, ip) => announced.set({ service, protocol: 'bgp', node, ip }, 1),
    withdrawn: (service, ip) => announced.remove({ service, protocol: 'bgp', node, ip }),
  };
}

export function bgpMetrics(registry: Registry, node: string): BGPMetrics {
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['peer'] as const, registers: [registry] });
  const up = gauge('metallb_bgp_session_up', 'BGP session state (1 is up, 0 is down)');
  const updates = new Counter({
    name: 'metallb_bgp_updates_total',
    help: 'Number of BGP UPDATE messages sent',
    labelNames: ['peer'] as const,
    registers: [registry],
  });
  const announcedPrefixes = gauge(
    'metallb_bgp_announced_prefixes_total',
    'Number of IP prefixes currently being advertised on the BGP session',
  );
  const pendingPrefixes = gauge(
    'metallb_bgp_pending_prefixes_total',
    'Number of IP prefixes that should be advertised on the BGP session',
  );
  // UPDATEs counted so far per session: a session's own count starts at 0 on each new session.
  const counted = new Map<string, number>();
  return {
    sessions: {
      changed(peerName: string, label: string, stats: SessionStats) {
        const key = `${peerName}\0${label}`;
        const seen = counted.get(key);
        if (seen === undefined) updates.inc({ peer: label }, 0);
        const delta = stats.updatesSent - (seen ?? 0);
        if (delta > 0) updates.inc({ peer: label }, delta);
        counted.set(key, stats.updatesSent);
        up.set({ peer: label }, stats.state === 'Established' ? 1 : 0);
        announcedPrefixes.set({ peer: label }, stats.announced);
        pendingPrefixes.set({ peer: label }, stats.pending);
      },
      removed(peerName: string, label: string) {
        counted.delete(`${peerName}\0${label}`);
        for (const m of [up, updates, announcedPrefixes, pendingPrefixes]) m.remove({ peer: label });
      },
    },
    announce: bgpAnnounceMetrics(registry, node),
  };
}
