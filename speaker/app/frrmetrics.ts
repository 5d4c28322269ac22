// Session metrics in FRR mode, with the names and labels of upstream's frr-metrics sidecar
// (frr-tools/metrics/collector/bgp.go and bfd.go: `peer` and `vrf`), fed by frr/statuspoller.ts. The native
// mode's sets (bgpmetrics.ts, bfdmetrics.ts) are not registered then: the sidecar's bgpd and bfdd run the
// sessions, and the counters those sets carry are FRR's to report.
import { Gauge } from '../../kube/prometheus/gauge';
import type { Registry } from '../../kube/prometheus/registry';
import type { FrrSessionObserver } from '../frr/statuspoller';

export function frrSessionMetrics(registry: Registry): FrrSessionObserver {
  const labelNames = ['peer', 'vrf'] as const;
  const bgpUp = new Gauge({
    name: 'metallb_bgp_session_up',
    help: 'BGP session state (1 is up, 0 is down)',
    labelNames,
    registers: [registry],
  });
  const bfdUp = new Gauge({
    name: 'metallb_bfd_session_up',
    help: 'BFD session state (1 is up, 0 is down)',
    labelNames,
    registers: [registry],
  });
  return {
    changed(s) {
      const labels = { peer: s.label, vrf: s.vrf };
      bgpUp.set(labels, s.isEstablished ? 1 : 0);
      if (s.bfdStatus !== undefined) bfdUp.set(labels, s.bfdStatus === 'up' ? 1 : 0);
      else bfdUp.remove(labels);
    },
    removed(s) {
      bgpUp.remove({ peer: s.label, vrf: s.vrf });
      bfdUp.remove({ peer: s.label, vrf: s.vrf });
    },
  };
}
