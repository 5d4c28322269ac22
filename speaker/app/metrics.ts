// The speaker's Prometheus metrics: upstream's names for announcements (speaker/main.go) and Layer 2 traffic
// (internal/layer2/stats.go), fed from the announcer's counters, plus ironlb's membership metrics.
import { Counter } from '../../kube/prometheus/counter';
import { Gauge } from '../../kube/prometheus/gauge';
import type { Registry } from '../../kube/prometheus/registry';
import type { L2Metrics } from '../l2/announcer';
import type { MembershipMetrics } from '../membership/membership';
import type { Layer2Metrics } from '../reconcile/layer2';

export interface SpeakerMetrics {
  readonly layer2: Layer2Metrics;
  readonly announcer: L2Metrics;
  /** Reads membership figures at scrape time; undefined when membership is disabled. */
  watchMembership(read: () => MembershipMetrics): void;
}

export function speakerMetrics(registry: Registry, node: string): SpeakerMetrics {
  const announced = new Gauge({
    name: 'metallb_speaker_announced',
    help: 'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
    labelNames: ['service', 'protocol', 'node', 'ip'] as const,
    registers: [registry],
  });
  const byIp = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ['ip'] as const, registers: [registry] });
  const requests = byIp(
    'metallb_layer2_requests_received',
    'Number of layer2 requests received for owned IPs',
  );
  const responses = byIp('metallb_layer2_responses_sent', 'Number of layer2 responses sent for owned IPs');
  const gratuitous = byIp(
    'metallb_layer2_gratuitous_sent',
    'Number of gratuitous layer2 packets sent for owned IPs',
  );
  const ignored = new Counter({
    name: 'ironlb_layer2_requests_ignored_total',
    help: 'Well-formed ARP/NDP requests not answered, by reason and interface',
    labelNames: ['reason', 'interface'] as const,
    registers: [registry],
  });
  const malformed = new Counter({
    name: 'ironlb_layer2_malformed_frames_total',
    help: 'Frames that did not decode, by reason and interface',
    labelNames: ['reason', 'interface'] as const,
    registers: [registry],
  });
  let membership: (() => MembershipMetrics) | undefined;
  const fromMembership = (name: string, help: string, pick: (m: MembershipMetrics) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        if (membership) this.set(pick(membership()));
      },
    });
  fromMembership(
    'ironlb_membership_peers_seen',
    'Other speakers this speaker sees alive',
    (m) => m.peersSeen,
  );
  // One series per listed peer, so "which speaker does this one not see, and what does it hold for it" is a
  // single query (the count alone says only that one is missing).
  new Gauge({
    name: 'ironlb_membership_peer_status',
    help: "1 for each listed peer speaker's status in this speaker's view (alive, dead, leaving, unknown)",
    labelNames: ['peer', 'status'] as const,
    registers: [registry],
    collect() {
      if (!membership) return;
      this.reset();
      for (const [peer, status] of membership().peers) this.set({ peer, status }, 1);
    },
  });
  new Gauge({
    name: 'ironlb_membership_self_state',
    help: "1 for this speaker's own membership state (joining, active, isolated, leaving, left)",
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      if (!membership) return;
      this.reset();
      this.set({ state: membership().selfState }, 1);
    },
  });
  fromMembership(
    'ironlb_membership_failovers_detected_total',
    'Speaker deaths this speaker detected itself',
    (m) => m.failoversDetected,
  );
  fromMembership(
    'ironlb_membership_deaths_learned_total',
    'Speaker deaths learned from other speakers',
    (m) => m.deathsLearned,
  );
  fromMembership(
    'ironlb_membership_last_detection_seconds',
    'Silence before the most recent death this speaker detected',
    (m) => (m.detectionTimesMs.at(-1) ?? 0) / 1000,
  );
  return {
    layer2: {
      announced: (service, ip) => announced.set({ service, protocol: 'layer2', node, ip }, 1),
      withdrawn: (service, ip) => announced.remove({ service, protocol: 'layer2', node, ip }),
    },
    announcer: {
      requestReceived: (ip) => requests.inc({ ip }),
      responseSent: (ip) => responses.inc({ ip }),
      gratuitousSent: (ip) => gratuitous.inc({ ip }),
      requestIgnored: (reason, iface) => ignored.inc({ reason, interface: iface }),
      malformedFrame: (reason, iface) => malformed.inc({ reason, interface: iface }),
    },
    watchMembership(read) {
      membership = read;
    },
  };
}
