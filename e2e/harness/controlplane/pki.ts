// The control plane's throwaway PKI: one CA, the apiserver's serving certificate, client certificates for the
// admin and the two controllers, serving certificates for the controllers' health ports, and the key pair that
// signs ServiceAccount tokens.
import { Pki, type CertPair } from '../certs';

const KUBERNETES_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
// Any URL works as issuer; this is the conventional in-cluster one, so tokens look like a real cluster's.
export const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/**
 * How kube-controller-manager's controllers authenticate: each as its own ServiceAccount (kubeadm's choice, the
 * default), or all with the controller manager's certificate in system:masters (about 4-5 s faster to start on
 * 2 cores, since no per-controller token round trips precede the informers).
 */
export type ControllerCredentials = 'serviceaccounts' | 'shared';

/** The user the apiserver presents to kubelets (kubeadm's name); the process kubelet lets it in. */
export const APISERVER_KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

export interface Pkis {
  pki: Pki;
  apiserver: CertPair;
  /** --kubelet-client-certificate/--kubelet-client-key: the apiserver's identity towards kubelets. */
  apiserverKubeletClient: CertPair;
  admin: CertPair;
  kcm: CertPair;
  kcmServing: CertPair;
  scheduler: CertPair;
  schedulerServing: CertPair;
  sa: { privateKeyPath: string; publicKeyPath: string };
}

export async function makePki(
  dir: string,
  serviceIps: string[],
  servingIps: readonly string[],
  controllerCredentials: ControllerCredentials,
): Promise<Pkis> {
  const pki = await Pki.create(dir);
  const loopback = { ips: ['127.0.0.1', '::1'], dnsNames: ['localhost'] };
  // Independent leaves: issue them concurrently.
  const [apiserver, apiserverKubeletClient, admin, kcm, kcmServing, scheduler, schedulerServing, sa] =
    await Promise.all([
      pki.issueServing('apiserver', 'kube-apiserver', {
        ips: [...new Set([...loopback.ips, ...serviceIps, ...servingIps])],
        dnsNames: [...loopback.dnsNames, ...KUBERNETES_NAMES],
      }),
      pki.issueClient('apiserver-kubelet-client', { user: APISERVER_KUBELET_CLIENT_USER }),
      pki.issueClient('admin', { user: 'kubernetes-admin', groups: ['system:masters'] }),
      // Shared controller credentials need every controller's permissions; system:masters is how that is granted.
      pki.issueClient('controller-manager', {
        user: 'system:kube-controller-manager',
        groups: controllerCredentials === 'shared' ? ['system:masters'] : [],
      }),
      pki.issueServing('controller-manager-serving', 'kube-controller-manager', loopback),
      pki.issueClient('scheduler', { user: 'system:kube-scheduler' }),
      pki.issueServing('scheduler-serving', 'kube-scheduler', loopback),
      pki.serviceAccountKeys(),
    ]);
  return { pki, apiserver, apiserverKubeletClient, admin, kcm, kcmServing, scheduler, schedulerServing, sa };
}
