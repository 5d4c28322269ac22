// NetworkPolicies that limit the controller to the traffic it needs, as the MetalLB operator renders them
// (metallb-operator bindata/deployment/helm/metallb/templates/networkpolicy.yaml `metallb-controller` and
// `metallb-webhook`, off with DISABLE_NETWORK_POLICIES=true: pkg/helm/metallb.go netpolValues), and the one
// upstream's bundle ships for the operator itself (bundle/manifests/operator_networking.k8s.io_v1_networkpolicy.yaml).
//
// ironlb's controller serves the metallb.io webhooks itself (no separate webhook-server Deployment), so its
// one policy admits what upstream's two admit: the metrics port and the webhook port. The speakers get none:
// they run in the host's network namespace, which NetworkPolicies do not govern (MetalLB's own
// config/networkpolicies/kustomization.yaml: "speaker pods do not need network policy because they are
// hostnetworked"). Kubelet probes come from the node, which NetworkPolicies always admit, so the health port
// needs no rule.
import { CONTROLLER_LABELS, WEBHOOK_PORT } from './names';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject, type RenderedObject } from './object';

export const CONTROLLER_NETWORK_POLICY = 'metallb-controller';
export const OPERATOR_NETWORK_POLICY = 'operator';

/**
 * The API server's port behind the `kubernetes` Service, as upstream's policies name it. Policies match the
 * endpoint after the Service's translation, so this is the API server's own port (6443 on kubeadm, kind,
 * OpenShift); where it listens elsewhere (443 on some managed clusters) set DISABLE_NETWORK_POLICIES=true.
 */
export const API_SERVER_PORT = 6443;

const tcp = (port: number) => ({ protocol: 'TCP', port });

function policy(
  name: string,
  namespace: string | undefined,
  podLabels: Readonly<Record<string, string>>,
  ingressPorts: readonly number[],
): RenderedObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec: {
      podSelector: { matchLabels: podLabels },
      egress: [{ ports: [tcp(API_SERVER_PORT)] }],
      ingress: [{ ports: ingressPorts.map(tcp) }],
      policyTypes: ['Egress', 'Ingress'],
    },
  };
}

/** The controller's policy, unless the install is told to render none (`networkPolicies: false`). */
export function renderNetworkPolicies(opts: InstallOptions): AnnotatedObject[] {
  if (!opts.networkPolicies) return [];
  return [
    annotated(
      policy(CONTROLLER_NETWORK_POLICY, opts.namespace, CONTROLLER_LABELS, [
        opts.controllerMetricsPort,
        WEBHOOK_PORT,
      ]),
      {
        path: ['spec', 'egress', 0],
        text: `Only the API server (its endpoints' port ${API_SERVER_PORT}); the controller resolves no names.`,
      },
    ),
  ];
}

/**
 * The operator's own pod: its MetalLB webhook in, the API server out. Without a namespace for the bundle, where
 * OLM creates it in the install namespace.
 */
export function renderOperatorNetworkPolicy(
  namespace: string | undefined,
  operatorLabels: Readonly<Record<string, string>>,
  webhookPort: number,
): RenderedObject {
  return policy(OPERATOR_NETWORK_POLICY, namespace, operatorLabels, [webhookPort]);
}
