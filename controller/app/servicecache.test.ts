import { ServiceSchema } from '../../api/service';
import { leanService } from './servicecache';

// The fields api/service.ts names, as the API server sends them for a LoadBalancer Service.
const named = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'web',
    namespace: 'default',
    uid: 'u-1',
    resourceVersion: '42',
    labels: { app: 'web' },
    annotations: { 'metallb.io/address-pool': 'blue' },
  },
  spec: {
    type: 'LoadBalancer',
    clusterIP: '198.51.100.10',
    clusterIPs: ['198.51.100.10'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    externalTrafficPolicy: 'Local',
    selector: { app: 'web' },
    ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
  },
  status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP' }] } },
};

// The same Service after a create and the controller's status patch: everything else the server adds.
const fromApiServer = ServiceSchema.parse({
  ...named,
  metadata: {
    ...named.metadata,
    creationTimestamp: '2026-12-03T10:00:00Z',
    managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }],
  },
  spec: {
    ...named.spec,
    healthCheckNodePort: 31000,
    sessionAffinity: 'None',
    ports: [{ ...named.spec.ports[0], targetPort: 8080, nodePort: 30080 }],
  },
  status: { loadBalancer: { ingress: [{ ip: '192.0.2.10', ipMode: 'VIP', ports: [] }] }, conditions: [] },
});

describe('leanService', () => {
  it('keeps every field the Service schema names', () => {
    expect(leanService(fromApiServer)).toEqual(named);
  });

  it('drops managedFields and every field no reconciler reads', () => {
    const json = JSON.stringify(leanService(fromApiServer));
    for (const gone of [
      'managedFields',
      'creationTimestamp',
      'healthCheckNodePort',
      'nodePort',
      'conditions',
    ])
      expect(json).not.toContain(gone);
  });

  it('passes a Service that has only named fields through unchanged, nulls included', () => {
    const minimal = ServiceSchema.parse({
      metadata: { name: 'a', namespace: 'ns', deletionTimestamp: '2026-12-03T10:00:00Z' },
      spec: { type: 'LoadBalancer', ports: null, loadBalancerClass: null },
      status: { loadBalancer: { ingress: null } },
    });
    expect(leanService(minimal)).toEqual(minimal);
  });

  it('keeps a Service without spec or status without inventing them', () => {
    const bare = ServiceSchema.parse({ metadata: { name: 'b' } });
    expect(leanService(bare)).toEqual({ metadata: { name: 'b' } });
  });
});
