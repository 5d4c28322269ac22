import { z } from 'zod';
import { renderInstall } from './install';
import { API_SERVER_PORT, CONTROLLER_NETWORK_POLICY, renderOperatorNetworkPolicy } from './networkpolicy';

const Port = z.object({ protocol: z.literal('TCP'), port: z.number() });
const Policy = z.object({
  metadata: z.looseObject({ name: z.string(), namespace: z.string() }),
  spec: z.object({
    podSelector: z.object({ matchLabels: z.record(z.string(), z.string()) }),
    egress: z.array(z.object({ ports: z.array(Port) })),
    ingress: z.array(z.object({ ports: z.array(Port) })),
    policyTypes: z.array(z.string()),
  }),
});
const Workload = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({
    template: z.looseObject({
      metadata: z.looseObject({ labels: z.record(z.string(), z.string()) }),
      spec: z.looseObject({
        hostNetwork: z.boolean().optional(),
        containers: z.array(
          z.looseObject({
            ports: z.array(z.looseObject({ name: z.string(), containerPort: z.number() })).optional(),
          }),
        ),
      }),
    }),
  }),
});

const objects = renderInstall({ namespace: 'lb-system', networkPolicies: true });
const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => Policy.parse(o));
const selects = (labels: Record<string, string>, selector: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('network policies', () => {
  test('one policy, for the controller only, in the install namespace', () => {
    expect(policies.map((p) => [p.metadata.name, p.metadata.namespace])).toEqual([
      [CONTROLLER_NETWORK_POLICY, 'lb-system'],
    ]);
  });

  test("it selects the controller's pods and not the speakers'", () => {
    const [policy] = policies;
    const workloads = objects
      .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
      .map((o) => Workload.parse(o));
    const selected = workloads.filter((w) =>
      selects(w.spec.template.metadata.labels, policy?.spec.podSelector.matchLabels ?? { none: '' }),
    );
    expect(selected.map((w) => w.metadata.name)).toEqual(['controller']);
  });

  test("it admits exactly the controller's metrics and webhook ports, which the webhook Service targets", () => {
    const controller = Workload.parse(objects.find((o) => o.kind === 'Deployment'));
    const ports = new Map(
      (controller.spec.template.spec.containers[0]?.ports ?? []).map((p) => [p.name, p.containerPort]),
    );
    const admitted = policies[0]?.spec.ingress.flatMap((r) => r.ports.map((p) => p.port));
    expect(admitted).toEqual([ports.get('monitoring'), ports.get('webhook-server')]);
    const service = z
      .looseObject({ spec: z.looseObject({ ports: z.array(z.looseObject({ targetPort: z.number() })) }) })
      .parse(objects.find((o) => o.kind === 'Service' && o.metadata.name === 'metallb-webhook-service'));
    expect(admitted).toContain(service.spec.ports[0]?.targetPort);
  });

  test('it lets the controller out to the API server only, and isolates both directions', () => {
    expect(policies[0]?.spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: API_SERVER_PORT }] }]);
    expect(policies[0]?.spec.policyTypes).toEqual(['Egress', 'Ingress']);
  });

  test('the speakers, on the host network, get no policy (NetworkPolicies do not govern it)', () => {
    const speaker = Workload.parse(objects.find((o) => o.kind === 'DaemonSet'));
    expect(speaker.spec.template.spec.hostNetwork).toBe(true);
    expect(
      policies.some((p) => selects(speaker.spec.template.metadata.labels, p.spec.podSelector.matchLabels)),
    ).toBe(false);
  });

  test('networkPolicies false (the plain manifest) renders none', () => {
    expect(renderInstall().filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test("the operator's policy admits its webhook port and lets it out to the API server", () => {
    const p = Policy.parse(
      renderOperatorNetworkPolicy('ns', { 'control-plane': 'controller-manager' }, 9443),
    );
    expect(p.metadata.name).toBe('operator');
    expect(p.spec.podSelector.matchLabels).toEqual({ 'control-plane': 'controller-manager' });
    expect(p.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 9443 }] }]);
    expect(p.spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: API_SERVER_PORT }] }]);
  });
});
