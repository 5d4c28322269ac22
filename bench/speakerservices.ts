// The speaker's view of N single-stack LoadBalancer Services `default/svc-<i>`, each with one ready endpoint
// on one node, as the in-process speaker benches (layer2recompute, bgprecompute) feed their reconcilers.
import type { SpeakerService, SpeakerSlice } from '../speaker/reconcile/objects';

export interface SpeakerServiceSet {
  readonly services: Map<string, SpeakerService>;
  readonly endpointSlices: Map<string, SpeakerSlice[]>;
}

/** `ipOf(i)` is the i-th Service's address; every endpoint is ready on `endpointNode`. */
export function speakerServices(
  count: number,
  ipOf: (i: number) => string,
  endpointNode: string,
): SpeakerServiceSet {
  const services = new Map<string, SpeakerService>();
  const endpointSlices = new Map<string, SpeakerSlice[]>();
  for (let i = 0; i < count; i++) {
    const name = `svc-${i}`;
    const key = `default/${name}`;
    services.set(key, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'default', uid: `uid-${i}`, labels: {}, annotations: {} },
      type: 'LoadBalancer',
      loadBalancerClass: '',
      externalTrafficPolicy: 'Cluster',
      ingressIPs: [ipOf(i)],
    });
    endpointSlices.set(key, [
      {
        metadata: { name: `${name}-x`, namespace: 'default' },
        service: key,
        endpoints: [{ nodeName: endpointNode, conditions: { ready: true } }],
      },
    ]);
  }
  return { services, endpointSlices };
}
