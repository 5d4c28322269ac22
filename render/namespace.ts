// The install namespace. The speaker needs host networking and raw sockets, so Pod Security admits privileged
// pods here (upstream config/manifests/metallb-native.yaml labels it the same way).
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

const PRIVILEGED = 'privileged';

export function renderNamespace(opts: InstallOptions): AnnotatedObject[] {
  return [
    annotated({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: opts.namespace,
        labels: {
          'pod-security.kubernetes.io/audit': PRIVILEGED,
          'pod-security.kubernetes.io/enforce': PRIVILEGED,
          'pod-security.kubernetes.io/warn': PRIVILEGED,
        },
      },
    }),
  ];
}
