import { Registry } from '../../kube/prometheus/registry';
import type { MembershipMetrics } from '../membership/membership';
import { speakerMetrics } from './metrics';

function membershipFigures(over: Partial<MembershipMetrics>): MembershipMetrics {
  return {
    failoversDetected: 0,
    deathsLearned: 0,
    detectionTimesMs: [],
    packetsSent: 0,
    packetsReceived: 0,
    rejected: {},
    peersSeen: 0,
    peers: new Map(),
    selfState: 'joining',
    ...over,
  };
}

describe('membership gauges', () => {
  it('one peer_status series per listed peer and one self_state series, replaced at every scrape', async () => {
    const registry = new Registry();
    const metrics = speakerMetrics(registry, 'node-0');
    let figures = membershipFigures({
      peersSeen: 1,
      peers: new Map([
        ['node-1', 'alive'],
        ['node-2', 'unknown'],
      ]),
      selfState: 'active',
    });
    metrics.watchMembership(() => figures);
    let text = await registry.metrics();
    expect(text).toContain('ironlb_membership_peer_status{peer="node-1",status="alive"} 1');
    expect(text).toContain('ironlb_membership_peer_status{peer="node-2",status="unknown"} 1');
    expect(text).toContain('ironlb_membership_self_state{state="active"} 1');
    expect(text).toContain('ironlb_membership_peers_seen 1');

    figures = membershipFigures({ peers: new Map([['node-1', 'dead']]), selfState: 'isolated' });
    text = await registry.metrics();
    expect(text).toContain('ironlb_membership_peer_status{peer="node-1",status="dead"} 1');
    expect(text).not.toMatch(/peer="node-1",status="alive"/);
    expect(text).not.toMatch(/peer="node-2"/);
    expect(text).toContain('ironlb_membership_self_state{state="isolated"} 1');
    expect(text).not.toMatch(/state="active"/);
  });
});
