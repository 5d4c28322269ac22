import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import type { KubeObject } from '../kube/object';
import type { MetallbBuild } from '../e2e/harness/kubelet/metallb';
import { ironlbRelease, metallbRelease, type ReleaseManifest } from './sxsmanifest';

const build = { argv: ['/usr/bin/node', '/tmp/out/controller/main.js'], env: {}, dispose: () => undefined };

const podSpecSchema = z.looseObject({
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        nodeSelector: z.record(z.string(), z.string()).optional(),
        containers: z.array(z.looseObject({ args: z.array(z.string()).optional() })),
      }),
    }),
  }),
});

const podSpec = (d: KubeObject | undefined): z.infer<typeof podSpecSchema>['spec']['template']['spec'] =>
  podSpecSchema.parse(d).spec.template.spec;

const speakers = (r: ReleaseManifest): KubeObject | undefined =>
  r.support.find((d) => d.kind === 'DaemonSet' && d.metadata?.name === 'speaker');

const controllerArgs = (r: ReleaseManifest): string[] => podSpec(r.deployment).containers[0]?.args ?? [];

/** MetalLB's controller Deployment or speaker DaemonSet, with the fields the bench reads or edits. */
const workload = (kind: string, name: string): string => `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: ${name}
  namespace: metallb-system
spec:
  template:
    spec:
      nodeSelector:
        kubernetes.io/os: linux
      containers:
        - name: ${name}
          image: quay.io/metallb/${name}:v0.15.2
          args: [--port=7472, --log-level=info]
          ports:
            - containerPort: 7472
              name: monitoring`;

/** A release manifest cut down to what metallbRelease edits, as metallb-native.yaml writes it. */
const fixtureDirs: string[] = [];
afterAll(() => fixtureDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function metallbFixture(): MetallbBuild {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sxsmanifest-test-'));
  fixtureDirs.push(dir);
  const manifest = path.join(dir, 'metallb-native.yaml');
  fs.writeFileSync(
    manifest,
    `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ipaddresspools.metallb.io
spec: {}
---
apiVersion: v1
kind: Namespace
metadata:
  name: metallb-system
---
${workload('Deployment', 'controller')}
---
${workload('DaemonSet', 'speaker')}
`,
  );
  return {
    version: 'v0.15.2',
    controller: '/bin/true',
    speaker: '/bin/true',
    nativeManifest: manifest,
    frrManifest: manifest,
    frrReloader: '/bin/true',
  };
}

describe('ironlbRelease', () => {
  const release = ironlbRelease(build, 'info');

  test('keeps the speaker DaemonSet but selects no node, beside its own selector', () => {
    expect(podSpec(speakers(release)).nodeSelector).toEqual({
      'kubernetes.io/os': 'linux',
      'ironlb.bench/sxs-no-speaker': 'true',
    });
  });

  test('holds the controller Deployment apart from what is applied first', () => {
    expect(release.deployment.kind).toBe('Deployment');
    expect(release.support.some((d) => d.kind === 'Deployment')).toBe(false);
    expect(release.support.some((d) => d.kind === 'CustomResourceDefinition')).toBe(false);
    expect(release.crds.length).toBeGreaterThan(0);
  });

  test('runs the controller image as the compiled build', () => {
    const entry = release.images[0];
    expect(entry?.entrypoint).toEqual(build.argv);
    expect(entry?.image instanceof RegExp && entry.image.test('quay.io/ironlb/ironlb-controller:dev')).toBe(
      true,
    );
  });

  test('reports only the speaker change at the manifest log level', () => {
    expect(release.changes).toHaveLength(1);
    expect(controllerArgs(release).filter((a) => a.startsWith('--log-level='))).toEqual(['--log-level=info']);
  });

  test('sets and reports another log level', () => {
    const debug = ironlbRelease(build, 'debug');
    expect(controllerArgs(debug).filter((a) => a.startsWith('--log-level='))).toEqual(['--log-level=debug']);
    expect(debug.changes.some((c) => c.includes('--log-level=debug'))).toBe(true);
  });
});

describe('metallbRelease', () => {
  const release = metallbRelease(metallbFixture(), 'info');

  test("moves the controller's port to 7572 and says so", () => {
    expect(controllerArgs(release)).toContain('--port=7572');
    expect(release.changes[0]).toContain('7572');
  });

  test('takes the CRDs from the release manifest itself', () => {
    expect(release.crds.map((d) => d.metadata?.name)).toEqual(['ipaddresspools.metallb.io']);
  });

  test('selects no node for the speakers, as for ironlb', () => {
    expect(podSpec(speakers(release)).nodeSelector).toEqual({
      'kubernetes.io/os': 'linux',
      'ironlb.bench/sxs-no-speaker': 'true',
    });
  });
});
