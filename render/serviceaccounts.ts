// The identities the components run as; rbac.ts binds the rules to them.
import { APP_LABELS, CONTROLLER, SPEAKER } from './names';
import type { InstallOptions } from './options';
import { annotated, type AnnotatedObject } from './object';

/** Every component's ServiceAccount, by name. */
export const SERVICE_ACCOUNTS: readonly string[] = [CONTROLLER, SPEAKER];

export function renderServiceAccounts(opts: InstallOptions): AnnotatedObject[] {
  return SERVICE_ACCOUNTS.map((name) =>
    annotated({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace: opts.namespace, labels: APP_LABELS },
    }),
  );
}
