// The operator as the bundle's CSV runs it: the Deployment's environment and arguments are what env.ts and
// flags.ts accept, and the RBAC the CSV grants covers every call the operator makes on what it renders.
import { z } from 'zod';
import { releaseBundleOptions, renderClusterServiceVersion } from '../render/csv';
import { renderOperands } from '../render/install';
import { renderOperatorInstall } from '../render/operatormanifest';
import { OPERATOR_RBAC } from '../render/operatorrbac';
import { resolveInstallOptions, MONITORING_MODES, PLATFORMS, RENDERED_BGP_BACKENDS } from '../render/options';
import type { PolicyRule } from '../render/rbac';
import { parseEnvironment } from './env';
import { parseFlags } from './flags';
import { VALIDATE_METALLB_PATH } from './webhook/review';
import { DAEMONSETS, DEPLOYMENTS, METALLB, resourceFor } from './app/resources';

const Container = z.looseObject({
  args: z.array(z.string()),
  env: z.array(
    z.looseObject({ name: z.string(), value: z.string().optional(), valueFrom: z.unknown().optional() }),
  ),
});
const Csv = z.looseObject({
  spec: z.looseObject({
    install: z.looseObject({
      spec: z.looseObject({
        deployments: z.array(
          z.looseObject({
            spec: z.looseObject({
              template: z.looseObject({ spec: z.looseObject({ containers: z.array(Container) }) }),
            }),
          }),
        ),
      }),
    }),
  }),
});

const options = releaseBundleOptions('1.2.3');
const container = Csv.parse(renderClusterServiceVersion(options)).spec.install.spec.deployments[0]?.spec
  .template.spec.containers[0];

function allows(
  rules: readonly PolicyRule[],
  group: string,
  resource: string,
  verb: string,
  name?: string,
): boolean {
  return rules.some(
    (r) =>
      r.apiGroups.includes(group) &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb) &&
      (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))),
  );
}
const namespaced = OPERATOR_RBAC.namespacedRules.flatMap((g) => g.rules);
const cluster = OPERATOR_RBAC.clusterRules.flatMap((g) => g.rules);

describe("the CSV's operator Deployment", () => {
  test('sets the environment env.ts requires, with the release images', () => {
    if (container === undefined) throw new Error('no container');
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value ?? 'from-downward-api']));
    const parsed = parseEnvironment(env);
    expect(parsed.env).toMatchObject({
      controllerImage: options.images.controller,
      speakerImage: options.images.speaker,
      frrImage: options.images.frr,
    });
    expect(parsed.notApplied).toEqual([]);
    expect(container.env.find((e) => e.name === 'OPERATOR_NAMESPACE')?.valueFrom).toEqual({
      fieldRef: { fieldPath: 'metadata.namespace' },
    });
  });

  test('passes flags flags.ts accepts, leader election on', () => {
    expect(parseFlags(container?.args ?? []).enableLeaderElection).toBe(true);
  });
});

describe("the operator's RBAC in the CSV", () => {
  const everything = PLATFORMS.flatMap((platform) =>
    RENDERED_BGP_BACKENDS.flatMap((bgpBackend) =>
      MONITORING_MODES.flatMap((monitoring) =>
        renderOperands(resolveInstallOptions({ bgpBackend, monitoring, platform })),
      ),
    ),
  );

  test.each(['get', 'create', 'patch', 'delete'])('allows %s on every operand it renders', (verb) => {
    const missing = everything.filter((o) => {
      const r = resourceFor(o.apiVersion, o.kind);
      const rules = r.namespaced ? namespaced : cluster;
      // Create is checked without a name: the API server authorizes it before the object exists.
      return !allows(rules, r.group, r.plural, verb, verb === 'create' ? undefined : o.metadata.name);
    });
    expect(missing.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('allows the informers, the status writes and the Lease', () => {
    for (const verb of ['list', 'watch']) {
      expect(allows(namespaced, 'metallb.io', METALLB.metallbs.plural, verb)).toBe(true);
      expect(allows(namespaced, 'apps', DEPLOYMENTS.plural, verb)).toBe(true);
      expect(allows(namespaced, 'apps', DAEMONSETS.plural, verb)).toBe(true);
    }
    expect(allows(namespaced, 'metallb.io', 'metallbs/status', 'patch')).toBe(true);
    for (const verb of ['get', 'create', 'update'])
      expect(allows(namespaced, 'coordination.k8s.io', 'leases', verb)).toBe(true);
  });
});

describe("the CSV's webhookdefinitions", () => {
  const Csv2 = z.looseObject({
    spec: z.looseObject({
      webhookdefinitions: z.array(
        z.looseObject({ deploymentName: z.string(), targetPort: z.number(), webhookPath: z.string() }),
      ),
      install: z.looseObject({
        spec: z.looseObject({
          deployments: z.array(
            z.looseObject({
              name: z.string(),
              spec: z.looseObject({
                template: z.looseObject({
                  spec: z.looseObject({
                    containers: z.array(
                      z.looseObject({
                        args: z.array(z.string()),
                        ports: z.array(z.looseObject({ containerPort: z.number() })),
                      }),
                    ),
                  }),
                }),
              }),
            }),
          ),
        }),
      }),
    }),
  });
  const spec = Csv2.parse(renderClusterServiceVersion(options)).spec;

  test('point at the operator Deployment, on the port it serves, at the path it answers', () => {
    const [hook] = spec.webhookdefinitions;
    const [deployment] = spec.install.spec.deployments;
    const manager = deployment?.spec.template.spec.containers[0];
    expect(hook?.deploymentName).toBe(deployment?.name);
    expect(hook?.webhookPath).toBe(VALIDATE_METALLB_PATH);
    expect(parseFlags(manager?.args ?? []).webhookPort).toBe(hook?.targetPort);
    expect(manager?.ports.map((p) => p.containerPort)).toContain(hook?.targetPort);
  });
});

describe('manifests/ironlb-operator-openshift.yaml, the webhook without OLM', () => {
  const objects = renderOperatorInstall(options.images, 'openshift').map((a) => a.object);
  const Deployment = z.looseObject({
    spec: z.looseObject({
      template: z.looseObject({
        metadata: z.looseObject({ labels: z.record(z.string(), z.string()) }),
        spec: z.looseObject({
          containers: z.array(
            z.looseObject({
              args: z.array(z.string()),
              volumeMounts: z.array(z.looseObject({ name: z.string(), mountPath: z.string() })),
            }),
          ),
          volumes: z.array(
            z.looseObject({ name: z.string(), secret: z.looseObject({ secretName: z.string() }) }),
          ),
        }),
      }),
    }),
  });
  const Service = z.looseObject({
    metadata: z.looseObject({ name: z.string(), annotations: z.record(z.string(), z.string()) }),
    spec: z.looseObject({
      selector: z.record(z.string(), z.string()),
      ports: z.array(z.looseObject({ targetPort: z.number() })),
    }),
  });
  const Hook = z.looseObject({
    metadata: z.looseObject({ annotations: z.record(z.string(), z.string()) }),
    webhooks: z.array(
      z.looseObject({
        clientConfig: z.looseObject({ service: z.looseObject({ name: z.string(), path: z.string() }) }),
      }),
    ),
  });
  const byKind = (kind: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name.includes('operator'));
  const deployment = Deployment.parse(byKind('Deployment')).spec.template;
  const service = Service.parse(byKind('Service'));
  const hook = Hook.parse(byKind('ValidatingWebhookConfiguration'));
  const manager = deployment.spec.containers[0];
  const flags = parseFlags(manager?.args ?? []);

  test('the Service selects the operator pods, on the port it serves, with the service CA certificate', () => {
    expect(deployment.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0]?.targetPort).toBe(flags.webhookPort);
    const secret = service.metadata.annotations['service.beta.openshift.io/serving-cert-secret-name'];
    const volume = deployment.spec.volumes.find((v) => v.secret.secretName === secret);
    expect(volume).toBeDefined();
    expect(manager?.volumeMounts.find((m) => m.name === volume?.name)?.mountPath).toBe(flags.certDir);
  });

  test('the configuration calls that Service at the path the server answers, CA bundle injected', () => {
    expect(hook.webhooks[0]?.clientConfig.service).toMatchObject({
      name: service.metadata.name,
      path: VALIDATE_METALLB_PATH,
    });
    expect(hook.metadata.annotations['service.beta.openshift.io/inject-cabundle']).toBe('true');
  });
});
