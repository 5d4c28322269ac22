// The operator installed from bundle/manifests as OLM would install it (olm.ts stands in for OLM, which cannot
// run here): the bundle's CRDs, then what olmInstallObjects makes of the CSV, with a freshly minted serving
// certificate for its webhookdefinitions. Used by operatorcsv.e2e.test.ts and `make demo`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { KubeObject } from '../../kube/object';
import { createCA, createServingCert } from '../../kube/tls/certs';
import type { HarnessRestClient } from '../harness/kubeconfig';
import { REPO_ROOT } from '../harness/paths';
import { waitFor } from '../harness/readiness';
import { applyCrds, applyManifest, METALLB_NAMESPACE as NS, parseManifest } from './manifest';
import { olmInstallObjects, webhookServiceName, type OlmInstallOptions } from './olm';

/** The Deployment of the CSV's install strategy (render/operatordeployment.ts). */
export const OPERATOR_DEPLOYMENT = 'metallb-operator-controller-manager';
export const OPERATOR_SELECTOR = 'control-plane=controller-manager';

/** bundle/manifests as OLM reads it: the CSV, and every other manifest. */
export function readBundle(): { csv: KubeObject; others: KubeObject[] } {
  const dir = join(REPO_ROOT, 'bundle', 'manifests');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseManifest(readFileSync(join(dir, f), 'utf8'), `bundle/manifests/${f}`));
  const csv = docs.find((d) => d.kind === 'ClusterServiceVersion');
  if (csv === undefined) throw new Error('bundle/manifests holds no ClusterServiceVersion');
  return { csv, others: docs.filter((d) => d !== csv) };
}

/**
 * Creates the install namespace (where the OperatorGroup would be), the CRDs (OLM installs them before the
 * CSV), then the CSV's objects; returns what was applied. `subscription` is the Subscription's `spec.config`.
 */
export async function installOperatorFromCsv(
  admin: HarnessRestClient,
  subscription: Pick<OlmInstallOptions, 'nodeSelector' | 'env'> = {},
): Promise<string[]> {
  const { csv, others } = readBundle();
  await applyManifest(admin, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
  await applyManifest(
    admin,
    others.filter((o) => o.kind === 'CustomResourceDefinition'),
  );
  await applyCrds(admin);
  const service = webhookServiceName(OPERATOR_DEPLOYMENT);
  const ca = createCA();
  const cert = createServingCert(ca, {
    dnsNames: [`${service}.${NS}.svc`, `${service}.${NS}.svc.cluster.local`],
    validityMs: 3_600_000,
  });
  return applyManifest(
    admin,
    olmInstallObjects(csv, {
      namespace: NS,
      ...subscription,
      webhookCert: { ...cert, caPem: ca.cert },
      extraManifests: others.filter((o) => o.kind !== 'CustomResourceDefinition'),
    }),
  );
}

const METALLBS = `/apis/metallb.io/v1beta1/namespaces/${NS}/metallbs`;
const Condition = z.looseObject({ type: z.string(), status: z.string(), reason: z.string().optional() });
const MetalLBStatus = z.looseObject({
  status: z.looseObject({ conditions: z.array(Condition).optional() }).optional(),
});

/** The MetalLB resource's conditions, as `type` -> `status/reason`. */
export async function metallbConditions(
  admin: HarnessRestClient,
  name: string,
): Promise<Record<string, string>> {
  const got = MetalLBStatus.parse(await admin.request({ method: 'GET', path: `${METALLBS}/${name}` }));
  return Object.fromEntries(
    (got.status?.conditions ?? []).map((x) => [x.type, `${x.status}/${x.reason ?? ''}`]),
  );
}

/** Waits for condition `type` of MetalLB `name` to have `status`; the error says the last conditions seen. */
export async function waitForMetalLBCondition(
  admin: HarnessRestClient,
  name: string,
  type: string,
  status: string,
  timeoutMs = 90_000,
): Promise<void> {
  let last: Record<string, string> = {};
  await waitFor(
    `MetalLB ${name} ${type}=${status}`,
    async () => {
      last = await metallbConditions(admin, name);
      return last[type]?.startsWith(`${status}/`) === true;
    },
    { timeoutMs, intervalMs: 500 },
  ).catch((err: unknown) => {
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\nlast conditions: ${JSON.stringify(last)}`,
    );
  });
}
