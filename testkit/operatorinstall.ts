// The operator's install for integration tests that run it in process, under the RBAC its install grants:
// a manifests/ file applied without what needs a kubelet or a running webhook, cluster access as a
// ServiceAccount (a TokenRequest token, verified against the control plane's CA), and whether an object exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ControlPlane } from '../e2e/harness/controlplane';
import type { HarnessRestClient } from '../e2e/harness/kubeconfig';
import { ClusterAccess } from '../kube/credentials/clusteraccess';
import { StaticToken } from '../kube/credentials/credentials';
import { applyCrds, applyManifest, parseManifest } from '../e2e/install/manifest';
import { isNotFound } from '../kube/errors';
import type { OperatorEnvironment } from '../operator/env';
import type { CapturedLogger } from './capturedlogger';

/**
 * Applies manifests/<file> but its Deployment (it would need a kubelet; the test runs the operator itself)
 * and its ValidatingWebhookConfigurations (they would call a webhook nobody serves), then the CRDs.
 */
export async function applyOperatorManifest(
  admin: HarnessRestClient,
  file: string,
  namespace: string,
): Promise<void> {
  const path = join(__dirname, '..', 'manifests', file);
  const manifest = parseManifest(readFileSync(path, 'utf8'), `manifests/${file}`);
  await applyManifest(
    admin,
    manifest.filter((o) => o.kind !== 'Deployment' && o.kind !== 'ValidatingWebhookConfiguration'),
  );
  await applyCrds(admin, namespace);
}

export const testOperatorEnvironment = (namespace: string): OperatorEnvironment => ({
  namespace,
  controllerImage: 'example.com/controller:test',
  speakerImage: 'example.com/speaker:test',
  frrImage: 'example.com/frr:test',
  monitoring: 'none',
  networkPolicies: true,
});

export async function serviceAccountAccess(
  cp: ControlPlane,
  admin: HarnessRestClient,
  namespace: string,
  name: string,
): Promise<ClusterAccess> {
  const token = z.looseObject({ status: z.looseObject({ token: z.string() }) }).parse(
    await admin.request({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    }),
  ).status.token;
  return new ClusterAccess({
    server: cp.server,
    caPem: cp.caPem,
    insecureSkipTLSVerify: false,
    bearer: new StaticToken(token),
    origin: `TokenRequest for ${name}`,
  });
}

export async function exists(api: HarnessRestClient, path: string): Promise<boolean> {
  try {
    await api.request({ method: 'GET', path });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** Log lines that tell of a refused call: a 403 status (not the digits inside a number) or "forbidden". */
export function refusedCalls(captured: CapturedLogger): string[] {
  return captured
    .lines()
    .map((l) => JSON.stringify(l))
    .filter((l) => /(?<![\d.])403(?![\d.])/.test(l) || l.toLowerCase().includes('forbidden'));
}
