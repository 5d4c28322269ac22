// The committed bundle/ and olm/ are what the generator writes, and they pass the checks of the OLM validators
// (operator-framework/api pkg/validation: csv.go, bundle.go, operatorhub.go) ported as tests, since the Go
// validators cannot run here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { GROUP, KINDS } from '../api/registry';
import { objectSchemas } from '../api/resources';
import { GENERATE_BUNDLE_COMMAND, bundleAnnotations, renderBundleFiles, renderCatalog } from './bundlefiles';
import { CHANNEL, PACKAGE, releaseBundleOptions, renderClusterServiceVersion } from './csv';
import { CONTROLLER, SPEAKER } from './names';
import { OPERATOR_SERVICE_ACCOUNT } from './operatorrbac';

const ROOT = join(__dirname, '..');
const { version } = z
  .looseObject({ version: z.string() })
  .parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
const OPTIONS = releaseBundleOptions(version);
const FILES = renderBundleFiles(OPTIONS);

const Csv = z.looseObject({
  metadata: z.looseObject({ name: z.string(), annotations: z.record(z.string(), z.string()) }),
  spec: z.looseObject({
    displayName: z.string().min(1),
    version: z.string(),
    minKubeVersion: z.string(),
    icon: z.array(z.looseObject({ base64data: z.string(), mediatype: z.string() })),
    installModes: z.array(z.looseObject({ type: z.string(), supported: z.boolean() })),
    customresourcedefinitions: z.looseObject({
      owned: z.array(
        z.looseObject({ name: z.string(), version: z.string(), kind: z.string(), description: z.string() }),
      ),
    }),
    install: z.looseObject({
      strategy: z.literal('deployment'),
      spec: z.looseObject({
        deployments: z.array(z.looseObject({ name: z.string(), spec: z.looseObject({}) })),
        permissions: z.array(z.looseObject({ serviceAccountName: z.string(), rules: z.array(z.unknown()) })),
        clusterPermissions: z.array(
          z.looseObject({ serviceAccountName: z.string(), rules: z.array(z.unknown()) }),
        ),
      }),
    }),
    relatedImages: z.array(z.looseObject({ name: z.string(), image: z.string() })),
  }),
});
const csv = Csv.parse(
  parse(readFileSync(join(ROOT, 'bundle/manifests', `${PACKAGE}.clusterserviceversion.yaml`), 'utf8')),
);
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

describe('bundle/ and olm/', () => {
  test.each(FILES.map((f) => [f.path, f]))('%s is what the generator writes', (path, file) => {
    let committed: string;
    try {
      committed = readFileSync(join(ROOT, path), 'utf8');
    } catch {
      throw new Error(`${path} is missing: run \`${GENERATE_BUNDLE_COMMAND}\``);
    }
    if (committed !== file.text)
      throw new Error(`${path} is stale: run \`${GENERATE_BUNDLE_COMMAND}\` and commit it`);
  });
});

describe('ClusterServiceVersion (the checks of operator-framework/api csv.go and operatorhub.go)', () => {
  test('is named <package>.v<semver>, matching spec.version, a DNS-1123 subdomain', () => {
    expect(SEMVER.test(csv.spec.version)).toBe(true);
    expect(csv.metadata.name).toBe(`${PACKAGE}.v${csv.spec.version}`);
    expect(csv.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);
  });

  test('minKubeVersion is semver', () => {
    expect(SEMVER.test(csv.spec.minKubeVersion)).toBe(true);
  });

  test('owns exactly the CRDs the bundle ships, once per version, each with a description', () => {
    const shipped = FILES.filter((f) => /^bundle\/manifests\/metallb\.io_/.test(f.path)).flatMap((f) =>
      parseAllDocuments(f.text).map((d) => {
        const crd = z
          .looseObject({
            metadata: z.looseObject({ name: z.string() }),
            spec: z.looseObject({ versions: z.array(z.looseObject({ name: z.string() })) }),
          })
          .parse(d.toJS());
        return crd.spec.versions.map((v) => `${crd.metadata.name}/${v.name}`);
      }),
    );
    const owned = csv.spec.customresourcedefinitions.owned;
    expect(owned.map((o) => `${o.name}/${o.version}`).sort()).toEqual(shipped.flat().sort());
    expect(owned.filter((o) => o.description === '')).toEqual([]);
  });

  test('alm-examples is JSON, with one example per owned kind and version, each valid for its schema', () => {
    const examples = z
      .array(z.looseObject({ apiVersion: z.string(), kind: z.string() }))
      .parse(JSON.parse(csv.metadata.annotations['alm-examples'] ?? ''));
    const gvks = examples.map((e) => `${e.apiVersion}/${e.kind}`);
    const owned = csv.spec.customresourcedefinitions.owned.map((o) => `${GROUP}/${o.version}/${o.kind}`);
    expect([...gvks].sort()).toEqual([...owned].sort());
    const schemas = objectSchemas();
    for (const example of examples) {
      const whole = schemas.get(`${example.apiVersion}/${example.kind}`)?.schema;
      // Status-only kinds have no whole-object schema in api/registry.ts; their spec schema decides.
      const version = KINDS.find((k) => k.kind === example.kind)?.versions.find(
        (v) => `${GROUP}/${v.name}` === example.apiVersion,
      );
      if (version === undefined)
        throw new Error(`${example.apiVersion}/${example.kind} is not in api/registry.ts`);
      const schema =
        whole ??
        z.strictObject({
          apiVersion: z.string(),
          kind: z.string(),
          metadata: z.looseObject({}),
          ...(version.spec ? { spec: version.spec } : {}),
        });
      expect(() => schema.parse(example)).not.toThrow();
    }
  });

  test('installModes lists the four types once, some supported', () => {
    const types = csv.spec.installModes.map((m) => m.type);
    expect([...types].sort()).toEqual(['AllNamespaces', 'MultiNamespace', 'OwnNamespace', 'SingleNamespace']);
    expect(csv.spec.installModes.some((m) => m.supported)).toBe(true);
  });

  test("OperatorHub's required metadata: capability level, a standard category, one icon of an image type", () => {
    expect(['Basic Install', 'Seamless Upgrades', 'Full Lifecycle', 'Deep Insights', 'Auto Pilot']).toContain(
      csv.metadata.annotations.capabilities,
    );
    expect(csv.metadata.annotations.categories).toBe('Networking');
    expect(csv.spec.icon).toHaveLength(1);
    expect(['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml']).toContain(csv.spec.icon[0]?.mediatype);
  });

  test('every ServiceAccount the operator and its operands run as gets its permissions from the CSV', () => {
    const accounts = [OPERATOR_SERVICE_ACCOUNT, CONTROLLER, SPEAKER].sort();
    const { permissions, clusterPermissions } = csv.spec.install.spec;
    expect(permissions.map((p) => p.serviceAccountName).sort()).toEqual(accounts);
    expect(clusterPermissions.map((p) => p.serviceAccountName).sort()).toEqual(accounts);
  });

  test('relatedImages lists the operator and every operand image the operator is given', () => {
    const images = csv.spec.relatedImages.map((i) => i.image);
    const deployment = JSON.stringify(csv.spec.install.spec.deployments);
    for (const image of Object.values(OPTIONS.images)) {
      expect(images).toContain(image);
      expect(deployment).toContain(image);
    }
  });

  test('the bundle ships no loose kind OLM does not install, and no ServiceAccount a Deployment runs as', () => {
    const kinds = FILES.filter((f) => f.path.startsWith('bundle/manifests/')).flatMap((f) =>
      parseAllDocuments(f.text).map((d) => z.looseObject({ kind: z.string() }).parse(d.toJS()).kind),
    );
    expect([...new Set(kinds)].sort()).toEqual([
      'ClusterServiceVersion',
      'CustomResourceDefinition',
      'NetworkPolicy',
    ]);
  });

  test('the compressed bundle stays far below the 1 MiB limit', () => {
    const manifests = FILES.filter((f) => f.path.startsWith('bundle/'))
      .map((f) => f.text)
      .join('');
    expect(gzipSync(manifests).length).toBeLessThan(0.85 * 1024 * 1024);
  });

  test('renders the same CSV for the same options (nothing time- or host-dependent)', () => {
    expect(renderClusterServiceVersion(OPTIONS)).toEqual(
      renderClusterServiceVersion(releaseBundleOptions(version)),
    );
  });
});

describe('bundle metadata', () => {
  test('annotations.yaml names the package and channel and matches the Dockerfile labels', () => {
    const annotations = z
      .looseObject({ annotations: z.record(z.string(), z.string()) })
      .parse(parse(readFileSync(join(ROOT, 'bundle/metadata/annotations.yaml'), 'utf8'))).annotations;
    expect(annotations).toEqual(bundleAnnotations());
    expect(annotations['operators.operatorframework.io.bundle.package.v1']).toBe(PACKAGE);
    const dockerfile = readFileSync(join(ROOT, 'bundle/bundle.Dockerfile'), 'utf8');
    for (const [k, v] of Object.entries(annotations)) expect(dockerfile).toContain(`LABEL ${k}=${v}\n`);
  });
});

describe('file-based catalog (olm/catalog)', () => {
  const docs = renderCatalog(OPTIONS).map((d) =>
    z.looseObject({ schema: z.string(), name: z.string() }).parse(d),
  );

  test('one package whose default channel exists and lists this bundle', () => {
    const pkg = z
      .looseObject({ defaultChannel: z.string() })
      .parse(docs.find((d) => d.schema === 'olm.package'));
    const channel = z
      .looseObject({
        name: z.string(),
        package: z.string(),
        entries: z.array(z.looseObject({ name: z.string() })),
      })
      .parse(docs.find((d) => d.schema === 'olm.channel'));
    expect(pkg.defaultChannel).toBe(CHANNEL);
    expect(channel).toMatchObject({
      name: CHANNEL,
      package: PACKAGE,
      entries: [{ name: csv.metadata.name }],
    });
  });

  test('the bundle entry carries olm.package and an olm.gvk per owned kind and version', () => {
    const bundle = z
      .looseObject({
        package: z.string(),
        image: z.string(),
        properties: z.array(z.looseObject({ type: z.string(), value: z.looseObject({}) })),
      })
      .parse(docs.find((d) => d.schema === 'olm.bundle'));
    expect(bundle.package).toBe(PACKAGE);
    expect(bundle.properties).toContainEqual({
      type: 'olm.package',
      value: { packageName: PACKAGE, version },
    });
    const gvks = bundle.properties.filter((p) => p.type === 'olm.gvk').length;
    expect(gvks).toBe(KINDS.reduce((n, k) => n + k.versions.length, 0));
    expect(bundle.image).toMatch(/ironlb-operator-bundle:v/);
  });
});
