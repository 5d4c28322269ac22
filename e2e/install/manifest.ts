// Loads and applies the install manifests (manifests/ironlb-native.yaml, the generated crds/) as a user's
// `kubectl apply --server-side` would: every document by server-side apply under one field manager, so
// applying twice is a no-op and the controller's own writes (caBundle, Secret data) are kept.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyObject } from '../../kube/apply';
import { statusCodeOf } from '../../kube/errors';
import { type KubeObject, kubeObjectSchema } from '../../kube/object';
import { collectionPath, type ResourceRef } from '../../kube/resource';
import type { RestClient } from '../../kube/rest';
import { METALLB } from '../../api/resources';
import { REPO_ROOT } from '../harness/paths';
import { waitFor } from '../harness/readiness';

export const NATIVE_MANIFEST = path.join(REPO_ROOT, 'manifests', 'ironlb-native.yaml');
export const CRD_DIR = path.join(REPO_ROOT, 'crds');
export const METALLB_NAMESPACE = 'metallb-system';
export const FIELD_MANAGER = 'ironlb-install';

/** The kinds the install manifests hold, by `apiVersion/kind`. */
const KINDS: Readonly<Record<string, ResourceRef>> = Object.fromEntries(
  (
    [
      ['', 'v1', 'namespaces', 'Namespace', false],
      ['', 'v1', 'serviceaccounts', 'ServiceAccount', true],
      ['', 'v1', 'secrets', 'Secret', true],
      ['', 'v1', 'services', 'Service', true],
      ['', 'v1', 'configmaps', 'ConfigMap', true],
      ['apps', 'v1', 'deployments', 'Deployment', true],
      ['apps', 'v1', 'daemonsets', 'DaemonSet', true],
      ['networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true],
      ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false],
      ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false],
      ['rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true],
      ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true],
      [
        'admissionregistration.k8s.io',
        'v1',
        'validatingwebhookconfigurations',
        'ValidatingWebhookConfiguration',
        false,
      ],
      ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false],
      ...Object.values(METALLB).map((r) => [r.group, r.version, r.plural, r.kind, r.namespaced] as const),
    ] as const
  ).map(([group, version, plural, kind, namespaced]) => [
    `${group === '' ? version : `${group}/${version}`}/${kind}`,
    { group, version, plural, kind, namespaced },
  ]),
);

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** Every non-empty document of a YAML stream, checked to be an object with a name. */
export function parseManifest(text: string, source: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc, i) => {
      if (doc.errors.length > 0)
        throw new ManifestError(`${source}: document ${i + 1}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
      return doc.toJS() as unknown;
    })
    .filter((raw) => raw !== null && raw !== undefined)
    .map((raw, i) => {
      const parsed = kubeObjectSchema.safeParse(raw);
      if (!parsed.success)
        throw new ManifestError(`${source}: document ${i + 1} is not a Kubernetes object with a name`);
      return parsed.data;
    });
}

export function resourceOf(obj: KubeObject): ResourceRef {
  const key = `${obj.apiVersion ?? ''}/${obj.kind ?? ''}`;
  const ref = KINDS[key];
  if (ref === undefined)
    throw new ManifestError(`no REST mapping for ${key} (${obj.metadata?.name ?? 'unnamed'})`);
  return ref;
}

export interface NativeOptions {
  /** Replaces the controller image (the process kubelet maps any `.../ironlb-controller:<tag>`). */
  readonly controllerImage?: string;
  /**
   * Moves the controller's metrics port (its --port flag and `monitoring` containerPort). Harness limitation:
   * the process kubelet runs every pod in its node's network namespace (there is no pod network), so the
   * controller's 7472 would clash with the host-network speaker's 7472 on the node the controller lands on.
   */
  readonly controllerMetricsPort?: number;
}

/** The metrics port both deployables use in the manifest (render/names.ts). */
const MANIFEST_METRICS_PORT = 7472;

function rewriteDoc(d: KubeObject, edit: (json: string) => string): KubeObject {
  return kubeObjectSchema.parse(JSON.parse(edit(JSON.stringify(d))));
}

/** manifests/ironlb-native.yaml, optionally with another controller image or metrics port. */
export function nativeManifest(opts: NativeOptions = {}): KubeObject[] {
  let docs = parseManifest(fs.readFileSync(NATIVE_MANIFEST, 'utf8'), NATIVE_MANIFEST);
  const image = opts.controllerImage;
  if (image !== undefined)
    docs = docs.map((d) =>
      rewriteDoc(d, (j) =>
        j.replace(/"image":"[^"]*ironlb-controller[^"]*"/g, `"image":${JSON.stringify(image)}`),
      ),
    );
  const port = opts.controllerMetricsPort;
  if (port !== undefined) {
    const isController = (d: KubeObject): boolean =>
      d.kind === 'Deployment' && d.metadata?.name === 'controller';
    if (!docs.some(isController)) throw new Error('nativeManifest: no controller Deployment to edit');
    docs = docs.map((d) =>
      isController(d)
        ? rewriteDoc(d, (j) =>
            j
              .replace(`"--port=${MANIFEST_METRICS_PORT}"`, `"--port=${port}"`)
              .replace(
                `{"name":"monitoring","containerPort":${MANIFEST_METRICS_PORT}}`,
                `{"name":"monitoring","containerPort":${port}}`,
              ),
          )
        : d,
    );
  }
  return docs;
}

/** The generated metallb.io CRDs. */
export function crdManifests(): KubeObject[] {
  return fs
    .readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseManifest(fs.readFileSync(path.join(CRD_DIR, f), 'utf8'), path.join(CRD_DIR, f)));
}

/** Server-side applies each object in order; returns `kind/name` of each, for logs. */
export async function applyManifest(rest: RestClient, docs: readonly KubeObject[]): Promise<string[]> {
  const applied: string[] = [];
  for (const doc of docs) {
    const resource = resourceOf(doc);
    await applyObject(rest, resource, doc, { fieldManager: FIELD_MANAGER });
    applied.push(`${resource.kind}/${doc.metadata?.name ?? ''}`);
  }
  return applied;
}

/** Applies the CRDs and waits until every metallb.io kind is served in `namespace`. */
export async function applyCrds(
  rest: RestClient,
  namespace = METALLB_NAMESPACE,
  timeoutMs = 60_000,
): Promise<void> {
  await applyManifest(rest, crdManifests());
  await waitFor(
    'metallb.io CRDs served',
    async () => {
      for (const resource of Object.values(METALLB)) {
        try {
          await rest.request({ method: 'GET', path: collectionPath(resource, namespace) });
        } catch (err) {
          // 404 while a CRD is being established, 429 while its storage initialises.
          const code = statusCodeOf(err);
          if (code === 404 || code === 429) return false;
          throw err;
        }
      }
      return true;
    },
    { timeoutMs },
  );
}
