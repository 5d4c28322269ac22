// The install objects refer to each other by name and label; these pin the references that a new component
// (or a renamed one) could break without any single object looking wrong.
import { z } from 'zod';
import { renderInstall } from './install';
import { MEMBERLIST_SECRET } from './names';

/** Secrets the controller creates at run time (controller/app/memberlist.ts), so no install object holds them. */
const CREATED_BY_CONTROLLER = [MEMBERLIST_SECRET];

const objects = renderInstall({ namespace: 'lb-system' });
const named = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
const only = (kind: string) => {
  const [o, ...rest] = objects.filter((x) => x.kind === kind);
  if (!o || rest.length > 0) throw new Error(`expected one ${kind}`);
  return o;
};

const bindingSchema = z.looseObject({
  roleRef: z.object({ apiGroup: z.string(), kind: z.string(), name: z.string() }),
  subjects: z.array(z.object({ kind: z.literal('ServiceAccount'), name: z.string(), namespace: z.string() })),
});
const workloadSchema = z.looseObject({
  spec: z.looseObject({
    template: z.looseObject({
      metadata: z.looseObject({ labels: z.record(z.string(), z.string()) }),
      spec: z.looseObject({
        serviceAccountName: z.string(),
        volumes: z.array(z.looseObject({ secret: z.looseObject({ secretName: z.string() }).optional() })),
      }),
    }),
  }),
});
const serviceSchema = z.looseObject({ spec: z.looseObject({ selector: z.record(z.string(), z.string()) }) });
const webhookConfigSchema = z.looseObject({
  webhooks: z.array(
    z.looseObject({
      clientConfig: z.object({ service: z.looseObject({ name: z.string(), namespace: z.string() }) }),
    }),
  ),
});

test('the Namespace comes first and every namespaced object is in it', () => {
  expect(objects[0]?.kind).toBe('Namespace');
  const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration'];
  for (const o of objects)
    expect([o.kind, o.metadata.namespace]).toEqual([
      o.kind,
      clusterScoped.includes(o.kind) ? undefined : 'lb-system',
    ]);
});

test('every binding names a rendered role and rendered ServiceAccounts in the namespace', () => {
  const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding');
  expect(bindings.length).toBeGreaterThan(0);
  for (const b of bindings) {
    const { roleRef, subjects } = bindingSchema.parse(b);
    expect(named(roleRef.kind)).toContain(roleRef.name);
    for (const s of subjects)
      expect([named('ServiceAccount').includes(s.name), s.namespace]).toEqual([true, 'lb-system']);
  }
});

test('every pod runs as a rendered ServiceAccount and mounts only rendered or controller-made Secrets', () => {
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet');
  expect(workloads.length).toBeGreaterThan(0);
  for (const w of workloads) {
    const pod = workloadSchema.parse(w).spec.template.spec;
    expect(named('ServiceAccount')).toContain(pod.serviceAccountName);
    for (const v of pod.volumes)
      if (v.secret) expect([...named('Secret'), ...CREATED_BY_CONTROLLER]).toContain(v.secret.secretName);
  }
});

test('the webhook configuration calls the webhook Service, which selects the controller pods', () => {
  const service = only('Service');
  const podLabels = workloadSchema.parse(only('Deployment')).spec.template.metadata.labels;
  expect(podLabels).toMatchObject(serviceSchema.parse(service).spec.selector);
  for (const hook of webhookConfigSchema.parse(only('ValidatingWebhookConfiguration')).webhooks)
    expect(hook.clientConfig.service).toMatchObject({ name: service.metadata.name, namespace: 'lb-system' });
});
