// The BFD metrics with upstream's names and labels (FRR mode's frr-tools/metrics/collector/bfd.go: `peer` is
// the peer's address, `vrf` the BGPPeer's VRF or "default"). The echo counters
// and metallb_bfd_zebra_notifications describe FRR internals (echo is not implemented, there is no zebra):
// they are not exported.
import { Counter } from '../../kube/prometheus/counter';
import { Gauge } from '../../kube/prometheus/gauge';
import type { Registry } from '../../kube/prometheus/registry';
import type { BfdObserver } from '../bfd/manager';

export function bfdMetrics(registry: Registry): BfdObserver {
  const labelNames = ['peer', 'vrf'] as const;
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const up = new Gauge({
    name: 'metallb_bfd_session_up',
    help: 'BFD session state (1 is up, 0 is down)',
    labelNames,
    registers: [registry],
  });
  const input = counter('metallb_bfd_control_packet_input', 'Number of received BFD control packets');
  const output = counter('metallb_bfd_control_packet_output', 'Number of sent BFD control packets');
  const downs = counter('metallb_bfd_session_down_events', 'Number of BFD session down events');
  const ups = counter('metallb_bfd_session_up_events', 'Number of BFD session up events');
  const all = [up, input, output, downs, ups];
  return {
    state(labels, isUp) {
      up.set(labels, isUp ? 1 : 0);
      for (const c of [input, output, downs, ups]) c.inc(labels, 0);
    },
    packetIn: (labels) => input.inc(labels),
    packetOut: (labels) => output.inc(labels),
    upEvent: (labels) => ups.inc(labels),
    downEvent: (labels) => downs.inc(labels),
    removed(labels) {
      for (const m of all) m.remove(labels);
    },
  };
}
