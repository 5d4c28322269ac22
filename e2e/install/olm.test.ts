// The OLM stand-in (olm.ts) on the real CSV: what it creates, checked against what OLM documents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from '../harness/paths';
import { parseManifest } from './manifest';
import { OLM_WEBHOOK_CERT_DIR, olmInstallObjects } from './olm';

const CSV_FILE = join(REPO_ROOT, 'bundle', 'manifests', 'ironlb-operator.clusterserviceversion.yaml');
const [csv] = parseManifest(readFileSync(CSV_FILE, 'utf8'), 'bundle CSV');
const cert = { cert: 'CERT', key: 'KEY', caPem: 'CA' };
const objects = olmInstallObjects(csv, { namespace: 'ns', nodeSelector: { zone: 'a' }, webhookCert: cert });
const label = (o: { kind?: string; metadata?: { name?: string } }) =>
  `${o.kind ?? ''}/${o.metadata?.name ?? ''}`;

const Deployment = z.looseObject({
  spec: z.looseObject({
    selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()) }),
    template: z.looseObject({
      spec: z.looseObject({
        nodeSelector: z.record(z.string(), z.string()),
        volumes: z.array(
          z.looseObject({ name: z.string(), secret: z.looseObject({ secretName: z.string() }) }),
        ),
        containers: z.array(
          z.looseObject({
            args: z.array(z.string()),
            ports: z.array(z.looseObject({ containerPort: z.number() })),
            volumeMounts: z.array(z.looseObject({ name: z.string(), mountPath: z.string() })),
          }),
        ),
      }),
    }),
  }),
});

describe('the OLM stand-in', () => {
  test('one ServiceAccount per account of the CSV, and a Role and ClusterRole with bindings for each', () => {
    const accounts = ['manager-account', 'controller', 'speaker'];
    expect(objects.filter((o) => o.kind === 'ServiceAccount').map(label)).toEqual(
      accounts.map((a) => `ServiceAccount/${a}`),
    );
    for (const kind of ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'])
      expect(objects.filter((o) => o.kind === kind)).toHaveLength(accounts.length);
  });

  test("the Deployment keeps the CSV's spec, takes the Subscription nodeSelector and mounts OLM's certificate", () => {
    const d = Deployment.parse(objects.find((o) => o.kind === 'Deployment'));
    const pod = d.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ zone: 'a' });
    const mount = pod.containers[0]?.volumeMounts.find((m) => m.mountPath === OLM_WEBHOOK_CERT_DIR);
    const volume = pod.volumes.find((v) => v.name === mount?.name);
    expect(volume?.secret.secretName).toBe('metallb-operator-controller-manager-service-cert');
    // The operator reads its certificate where OLM mounts it.
    expect(pod.containers[0]?.args).toContain(`--cert-dir=${OLM_WEBHOOK_CERT_DIR}`);
  });

  test("the webhook Service selects the operator's pods and targets its webhook port; the configuration names it", () => {
    const d = Deployment.parse(objects.find((o) => o.kind === 'Deployment'));
    const service = z
      .looseObject({
        spec: z.looseObject({
          selector: z.record(z.string(), z.string()),
          ports: z.array(z.looseObject({ port: z.number(), targetPort: z.number() })),
        }),
      })
      .parse(objects.find((o) => o.kind === 'Service'));
    expect(service.spec.selector).toEqual(d.spec.selector.matchLabels);
    expect(d.spec.template.spec.containers[0]?.ports.map((p) => p.containerPort)).toContain(
      service.spec.ports[0]?.targetPort,
    );
    const vwc = z
      .looseObject({
        webhooks: z.array(
          z.looseObject({
            name: z.string(),
            clientConfig: z.looseObject({
              service: z.looseObject({
                name: z.string(),
                namespace: z.string(),
                path: z.string(),
                port: z.number(),
              }),
              caBundle: z.string(),
            }),
          }),
        ),
      })
      .parse(objects.find((o) => o.kind === 'ValidatingWebhookConfiguration'));
    expect(vwc.webhooks[0]).toMatchObject({
      name: 'metallbvalidationwebhook.metallb.io',
      clientConfig: {
        service: {
          name: 'metallb-operator-controller-manager-service',
          namespace: 'ns',
          path: '/validate-metallb-io-v1beta1-metallb',
          port: service.spec.ports[0]?.port,
        },
        caBundle: Buffer.from('CA').toString('base64'),
      },
    });
  });

  test('objects come in an order the API accepts: accounts and RBAC, then the certificate, then the Deployment', () => {
    const kinds = objects.map((o) => o.kind);
    expect(kinds.indexOf('Secret')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.lastIndexOf('ClusterRoleBinding')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.at(-1)).toBe('ValidatingWebhookConfiguration');
  });

  test('a CSV with webhookdefinitions needs a certificate', () => {
    expect(() => olmInstallObjects(csv, { namespace: 'ns' })).toThrow(/webhookCert/);
  });
});

describe("the Subscription's spec.config.env", () => {
  const EnvOf = z.looseObject({
    spec: z.looseObject({
      template: z.looseObject({
        spec: z.looseObject({
          containers: z.array(
            z.looseObject({
              env: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })),
            }),
          ),
        }),
      }),
    }),
  });
  const envOf = (env: { name: string; value: string }[]) => {
    const d = olmInstallObjects(csv, { namespace: 'ns', webhookCert: cert, env }).find(
      (o) => o.kind === 'Deployment',
    );
    return EnvOf.parse(d).spec.template.spec.containers[0]?.env ?? [];
  };

  test('is added to every container, after the CSV own variables', () => {
    const env = envOf([{ name: 'CONTROLLER_METRICS_PORT', value: '7473' }]);
    expect(env.at(-1)).toEqual({ name: 'CONTROLLER_METRICS_PORT', value: '7473' });
    expect(env.map((e) => e.name)).toContain('CONTROLLER_IMAGE');
  });

  test('replaces a CSV variable of the same name', () => {
    const env = envOf([{ name: 'DEPLOY_PODMONITORS', value: 'true' }]);
    expect(env.filter((e) => e.name === 'DEPLOY_PODMONITORS')).toEqual([
      { name: 'DEPLOY_PODMONITORS', value: 'true' },
    ]);
  });
});
