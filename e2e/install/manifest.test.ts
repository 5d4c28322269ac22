// The native manifest agrees with the code it installs: webhook paths the server routes, flags the controller
// parses, an image the process kubelet can run. The e2e test proves it in a cluster; these catch drift without
// one.
import { z } from 'zod';
import { parseFlags } from '../../controller/flags';
import { METALLB } from '../../api/resources';
import { VALIDATION_PATHS } from '../../controller/webhooks/validate';
import { defaultImageTable, resolveCommand } from '../harness/kubelet/images';
import { crdManifests, nativeManifest, parseManifest, resourceOf } from './manifest';

const docs = nativeManifest();
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

const webhookConfigSchema = z.looseObject({
  webhooks: z.array(
    z.looseObject({
      name: z.string(),
      clientConfig: z.looseObject({
        service: z.looseObject({ name: z.string(), namespace: z.string(), path: z.string() }),
      }),
      rules: z.array(z.looseObject({ apiVersions: z.array(z.string()), resources: z.array(z.string()) })),
    }),
  ),
});

const deploymentSchema = z.looseObject({
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        serviceAccountName: z.string(),
        containers: z.array(
          z.looseObject({
            image: z.string(),
            args: z.array(z.string()),
            env: z.array(z.looseObject({ name: z.string(), value: z.string().optional() })),
          }),
        ),
      }),
    }),
  }),
});

describe('manifests/ironlb-native.yaml', () => {
  test('every document has a REST mapping and lives in metallb-system when namespaced', () => {
    for (const d of docs) {
      const ref = resourceOf(d);
      expect([ref.namespaced, d.metadata?.namespace]).toEqual(
        ref.namespaced ? [true, 'metallb-system'] : [false, undefined],
      );
    }
  });

  test('the webhook configuration routes exactly the paths the webhook server serves, via the Service', () => {
    const [vwc] = byKind('ValidatingWebhookConfiguration');
    const hooks = webhookConfigSchema.parse(vwc).webhooks;
    expect(hooks.map((h) => h.clientConfig.service.path).sort()).toEqual(
      Object.keys(VALIDATION_PATHS).sort(),
    );
    for (const h of hooks) {
      expect(h.clientConfig.service).toMatchObject({
        name: 'metallb-webhook-service',
        namespace: 'metallb-system',
      });
      // Upstream's naming: <kind>validationwebhook.metallb.io, path /validate-metallb-io-<version>-<kind>.
      const kind = h.name.replace(/validationwebhook\.metallb\.io$/, '');
      const ref = Object.values(METALLB).find((r) => r.kind.toLowerCase() === kind);
      expect(h.clientConfig.service.path).toBe(`/validate-metallb-io-${ref?.version ?? '?'}-${kind}`);
      expect(h.rules).toEqual([
        expect.objectContaining({ apiVersions: [ref?.version], resources: [ref?.plural] }),
      ]);
    }
  });

  test('the controller container parses its args and env, and the process kubelet can run its image', () => {
    const [deployment] = byKind('Deployment');
    const spec = deploymentSchema.parse(deployment).spec.template.spec;
    expect(spec.serviceAccountName).toBe('controller');
    const [container] = spec.containers;
    if (container === undefined) throw new Error('no container');
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value ?? 'from-fieldRef']));
    const flags = parseFlags(container.args, env);
    expect(flags).toMatchObject({ port: 7472, webhookMode: 'enabled', namespace: 'from-fieldRef' });
    // controller/main.ts through ts-node, or dist/controller/main.js after `npm run build:release`.
    expect(resolveCommand(defaultImageTable(), container.image, container).argv.join(' ')).toMatch(
      /controller\/main\.(ts|js)\b/,
    );
  });

  test('a replaced controller image reaches the Deployment and nothing else changes', () => {
    const retagged = nativeManifest({ controllerImage: 'example.com/ironlb-controller:v9' });
    const [deployment] = retagged.filter((d) => d.kind === 'Deployment');
    expect(deploymentSchema.parse(deployment).spec.template.spec.containers[0]?.image).toBe(
      'example.com/ironlb-controller:v9',
    );
    expect(retagged.filter((d) => d.kind !== 'Deployment')).toEqual(
      docs.filter((d) => d.kind !== 'Deployment'),
    );
  });
});

describe('parseManifest', () => {
  test('skips empty documents and rejects an object without a name', () => {
    expect(
      parseManifest('---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n', 't'),
    ).toHaveLength(1);
    expect(() => parseManifest('apiVersion: v1\nkind: Namespace\nmetadata: {}\n', 't')).toThrow(
      /t: document 1 is not a Kubernetes object with a name/,
    );
  });

  test('every generated CRD has a REST mapping', () => {
    expect(crdManifests().map((d) => resourceOf(d).kind)).toEqual(
      crdManifests().map(() => 'CustomResourceDefinition'),
    );
  });
});

describe('nativeManifest({ controllerMetricsPort })', () => {
  test("moves only the controller's metrics port, not the speaker's", () => {
    const moved = nativeManifest({ controllerMetricsPort: 7473 });
    const text = (kind: string, name: string): string =>
      JSON.stringify(moved.find((d) => d.kind === kind && d.metadata?.name === name));
    expect(text('Deployment', 'controller')).toContain('"--port=7473"');
    expect(text('Deployment', 'controller')).toContain('{"name":"monitoring","containerPort":7473}');
    expect(text('Deployment', 'controller')).not.toContain('"--port=7472"');
    expect(text('DaemonSet', 'speaker')).toContain('"--port=7472"');
  });
});
