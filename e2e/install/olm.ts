// What OLM makes of a ClusterServiceVersion, for the harness, which cannot run OLM (operator-lifecycle-manager
// and operator-registry are not served by the Go module proxy here). From the CSV's install strategy, as OLM's
// pkg/controller/install (deployment.go, rbac.go, webhook.go, certresources.go) does it:
//   - a ServiceAccount for every `serviceAccountName` of permissions, clusterPermissions and deployments;
//   - per `permissions` entry a Role and RoleBinding in the install namespace, per `clusterPermissions` entry a
//     ClusterRole and ClusterRoleBinding (OLM names them `<csv>-<hash>`; here `<csv>-<account>`);
//   - each Deployment as written, with the Subscription's `spec.config.nodeSelector` in place of the pod's and
//     its `spec.config.env` merged into every container (a variable of the same name replaced, as
//     pkg/controller/operators/olm/overrides/inject InjectEnvIntoDeployment does);
//   - for each `webhookdefinitions` entry: a serving certificate in Secret `<deployment>-service-cert`, mounted
//     into the Deployment's containers at /tmp/k8s-webhook-server/serving-certs (and
//     /apiserver.local.config/certificates), the Service `<deployment>-service` (containerPort -> targetPort),
//     and the ValidatingWebhookConfiguration with the CA bundle;
//   - the bundle's other manifests (here the NetworkPolicy) into the install namespace.
// Not done: OwnerReferences to the CSV, OLM's labels and hash annotations, the CSV's status phases, upgrades.
// Pure: the CSV and choices in, objects in apply order out.
import { z } from 'zod';
import type { KubeObject } from '../../kube/object';

/** A manifest document: what any object has, plus its kind's own fields. */
type Doc = KubeObject & { readonly [field: string]: unknown };

const Rule = z.looseObject({});
const Permission = z.object({ serviceAccountName: z.string(), rules: z.array(Rule) });
const DeploymentSpec = z.looseObject({
  selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()) }),
  template: z.looseObject({
    spec: z.looseObject({
      serviceAccountName: z.string().optional(),
      containers: z.array(z.looseObject({ volumeMounts: z.array(z.looseObject({})).optional() })),
      volumes: z.array(z.looseObject({})).optional(),
    }),
  }),
});
const WebhookDefinition = z.looseObject({
  type: z.enum(['ValidatingAdmissionWebhook', 'MutatingAdmissionWebhook', 'ConversionWebhook']),
  generateName: z.string(),
  deploymentName: z.string(),
  containerPort: z.number(),
  targetPort: z.number(),
  webhookPath: z.string(),
  admissionReviewVersions: z.array(z.string()),
  sideEffects: z.string(),
  failurePolicy: z.string().optional(),
  rules: z.array(z.looseObject({})),
});
export const CsvSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({
    install: z.object({
      strategy: z.literal('deployment'),
      spec: z.object({
        deployments: z.array(z.object({ name: z.string(), spec: DeploymentSpec })),
        permissions: z.array(Permission).optional(),
        clusterPermissions: z.array(Permission).optional(),
      }),
    }),
    webhookdefinitions: z.array(WebhookDefinition).optional(),
  }),
});
export type Csv = z.infer<typeof CsvSchema>;

/** OLM's mount of a webhook deployment's certificate (pkg/controller/install/certresources.go). */
export const OLM_WEBHOOK_CERT_DIR = '/tmp/k8s-webhook-server/serving-certs';
const OLM_APISERVICE_CERT_DIR = '/apiserver.local.config/certificates';

export const webhookServiceName = (deployment: string): string => `${deployment}-service`;

export interface OlmInstallOptions {
  readonly namespace: string;
  /** The Subscription's `spec.config.nodeSelector`, which OLM puts on every Deployment of the CSV. */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** The Subscription's `spec.config.env`, which OLM merges into every container of the CSV's Deployments. */
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  /** The webhook deployments' serving certificate and its CA, which OLM generates. */
  readonly webhookCert?: { readonly cert: string; readonly key: string; readonly caPem: string };
  /** The bundle's manifests other than the CSV and CRDs. */
  readonly extraManifests?: readonly KubeObject[];
}

function rbac(csvName: string, namespace: string, p: z.infer<typeof Permission>, cluster: boolean): Doc[] {
  const name = `${csvName}-${p.serviceAccountName}`;
  const subject = { kind: 'ServiceAccount', name: p.serviceAccountName, namespace };
  const meta = cluster ? { name } : { name, namespace };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: cluster ? 'ClusterRole' : 'Role',
      metadata: meta,
      rules: p.rules,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: cluster ? 'ClusterRoleBinding' : 'RoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: cluster ? 'ClusterRole' : 'Role', name },
      subjects: [subject],
    },
  ];
}

function withWebhookCert(
  spec: z.infer<typeof DeploymentSpec>,
  secretName: string,
): z.infer<typeof DeploymentSpec> {
  const items = (crt: string, key: string) => [
    { key: 'tls.crt', path: crt },
    { key: 'tls.key', path: key },
  ];
  return withPodSpec(spec, (pod) => ({
    ...pod,
    volumes: [
      ...(pod.volumes ?? []),
      { name: 'apiservice-cert', secret: { secretName, items: items('apiserver.crt', 'apiserver.key') } },
      { name: 'webhook-cert', secret: { secretName, items: items('tls.crt', 'tls.key') } },
    ],
    containers: pod.containers.map((c) => ({
      ...c,
      volumeMounts: [
        ...(c.volumeMounts ?? []),
        { name: 'apiservice-cert', mountPath: OLM_APISERVICE_CERT_DIR },
        { name: 'webhook-cert', mountPath: OLM_WEBHOOK_CERT_DIR },
      ],
    })),
  }));
}

type PodSpecOf = z.infer<typeof DeploymentSpec>['template']['spec'];

/** `spec` with its pod template's spec replaced by `edit`'s result. */
function withPodSpec(
  spec: z.infer<typeof DeploymentSpec>,
  edit: (pod: PodSpecOf) => PodSpecOf,
): z.infer<typeof DeploymentSpec> {
  return { ...spec, template: { ...spec.template, spec: edit(spec.template.spec) } };
}

const EnvVar = z.looseObject({ name: z.string() });

function withEnv(
  spec: z.infer<typeof DeploymentSpec>,
  env: readonly { readonly name: string; readonly value: string }[],
): z.infer<typeof DeploymentSpec> {
  const names = new Set(env.map((e) => e.name));
  return withPodSpec(spec, (pod) => ({
    ...pod,
    containers: pod.containers.map((c) => ({
      ...c,
      env: [
        ...z
          .array(EnvVar)
          .parse(c.env ?? [])
          .filter((e) => !names.has(e.name)),
        ...env,
      ],
    })),
  }));
}

/** The objects OLM would create for `csvInput` in `opts.namespace`, in apply order. */
export function olmInstallObjects(csvInput: unknown, opts: OlmInstallOptions): Doc[] {
  const csv = CsvSchema.parse(csvInput);
  const { namespace } = opts;
  const install = csv.spec.install.spec;
  const permissions = install.permissions ?? [];
  const clusterPermissions = install.clusterPermissions ?? [];
  const accounts = [
    ...new Set([
      ...permissions.map((p) => p.serviceAccountName),
      ...clusterPermissions.map((p) => p.serviceAccountName),
      ...install.deployments.flatMap((d) => d.spec.template.spec.serviceAccountName ?? []),
    ]),
  ];
  const webhooks = csv.spec.webhookdefinitions ?? [];
  if (webhooks.length > 0 && opts.webhookCert === undefined)
    throw new Error(`${csv.metadata.name} declares webhookdefinitions: a webhookCert is needed`);
  const webhookDeployments = new Set(webhooks.map((w) => w.deploymentName));
  const secretOf = (deployment: string) => `${webhookServiceName(deployment)}-cert`;

  const objects: Doc[] = [
    ...accounts.map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } })),
    ...permissions.flatMap((p) => rbac(csv.metadata.name, namespace, p, false)),
    ...clusterPermissions.flatMap((p) => rbac(csv.metadata.name, namespace, p, true)),
    ...(opts.extraManifests ?? []).map((o) => ({ ...o, metadata: { ...o.metadata, namespace } })),
  ];
  for (const deployment of webhookDeployments) {
    const cert = opts.webhookCert;
    const spec = install.deployments.find((d) => d.name === deployment)?.spec;
    if (cert === undefined || spec === undefined)
      throw new Error(`webhookdefinitions name deployment ${deployment}, which the install strategy lacks`);
    const ports = webhooks
      .filter((w) => w.deploymentName === deployment)
      .map((w) => ({ port: w.containerPort, targetPort: w.targetPort }));
    objects.push(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: secretOf(deployment), namespace },
        type: 'kubernetes.io/tls',
        stringData: { 'tls.crt': cert.cert, 'tls.key': cert.key },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: webhookServiceName(deployment), namespace },
        spec: {
          selector: spec.selector.matchLabels,
          ports: [...new Map(ports.map((p) => [p.port, p])).values()],
        },
      },
    );
  }
  for (const d of install.deployments) {
    let spec = d.spec;
    if (webhookDeployments.has(d.name)) spec = withWebhookCert(spec, secretOf(d.name));
    if (opts.env !== undefined) spec = withEnv(spec, opts.env);
    if (opts.nodeSelector !== undefined)
      spec = {
        ...spec,
        template: { ...spec.template, spec: { ...spec.template.spec, nodeSelector: opts.nodeSelector } },
      };
    objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: d.name, namespace }, spec });
  }
  for (const w of webhooks) {
    if (w.type !== 'ValidatingAdmissionWebhook')
      throw new Error(`webhook ${w.generateName}: only validating webhooks are stood in for here`);
    objects.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: `${w.generateName}-olm` },
      webhooks: [
        {
          name: w.generateName,
          clientConfig: {
            service: {
              name: webhookServiceName(w.deploymentName),
              namespace,
              path: w.webhookPath,
              port: w.containerPort,
            },
            caBundle: Buffer.from(opts.webhookCert?.caPem ?? '').toString('base64'),
          },
          rules: w.rules,
          admissionReviewVersions: w.admissionReviewVersions,
          sideEffects: w.sideEffects,
          failurePolicy: w.failurePolicy ?? 'Fail',
        },
      ],
    });
  }
  return objects;
}
