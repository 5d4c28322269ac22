// The OLM bundle under the upstream validators themselves: tools/bundlevalidate runs operator-framework/api's
// pkg/validation (the default bundle validators, the OperatorHub v2 suite with standard capabilities and
// categories, good practices, deprecated and removed APIs for the Kubernetes version the harness runs) on
// bundle/, and any error or warning fails CI but for the one false positive waived below, by its exact text.
// scripts/build-cluster-bins.sh builds the tool; without the binary the tests are skipped with the command
// that builds it.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { BIN_ROOT, BUILD_SCRIPT, REPO_ROOT, readVersions } from '../e2e/harness/paths';
import { PACKAGE } from '../render/csv';

const TOOL_DIR = join(REPO_ROOT, 'tools', 'bundlevalidate');
const apiVersion = /^require github\.com\/operator-framework\/api (v\S+)$/m.exec(
  readFileSync(join(TOOL_DIR, 'go.mod'), 'utf8'),
)?.[1];
const BINARY = join(BIN_ROOT, `bundlevalidate-${apiVersion ?? 'unknown'}`, 'bundlevalidate');
const BUNDLE_DIR = join(REPO_ROOT, 'bundle');
/** The deprecated-APIs check takes major.minor: the Kubernetes the harness (and so the e2e path) runs. */
const K8S_VERSION = readVersions().k8s.replace(/^v(\d+\.\d+)\..*$/, '$1');

const Report = z.object({
  bundle: z.string(),
  k8sVersion: z.string(),
  suites: z.array(z.string()),
  errors: z.number(),
  warnings: z.number(),
  findings: z.array(
    z.object({
      suite: z.string(),
      object: z.string(),
      level: z.string(),
      type: z.string(),
      detail: z.string(),
    }),
  ),
});
type Report = z.infer<typeof Report>;

interface Run {
  readonly exitCode: number;
  readonly report: Report;
}

function validate(dir: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(BINARY, ['-k8s-version', K8S_VERSION, dir], { timeout: 60_000 }, (err, stdout, stderr) => {
      const exitCode = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      if (exitCode !== 0 && exitCode !== 1) {
        reject(new Error(`bundlevalidate ${dir} exited ${exitCode}: ${stderr}`));
        return;
      }
      try {
        resolve({ exitCode, report: Report.parse(JSON.parse(stdout)) });
      } catch (parseErr) {
        reject(new Error(`bundlevalidate ${dir}: unreadable output (${String(parseErr)}): ${stdout}`));
      }
    });
  });
}

/**
 * Findings that are wrong about this bundle, each with why. A waiver that no longer matches fails the test,
 * so none outlives its cause.
 */
const WAIVED: readonly {
  readonly suites: readonly string[];
  readonly detail: RegExp;
  readonly why: string;
}[] = [
  {
    // removed_apis.go warns on any RBAC rule naming discovery.k8s.io endpointslices, whatever the version:
    // rules carry no version, and the speaker and controller read discovery.k8s.io/v1 EndpointSlices (GA
    // since 1.21), not the v1beta1 that 1.25 removed. Dropping the rule would break the speaker.
    suites: ['operatorhub:v2', 'deprecated-apis'],
    detail:
      /^Warning: Value ironlb-operator\.v[\d.]+: this bundle is using APIs which were deprecated and removed in v1\.25\. .* Migrate the API\(s\) for endpointslices: \(\["ClusterServiceVersion\.Spec\.InstallStrategy\.StrategySpec\.ClusterPermissions\[\d+\]\.Rules\[\d+\]"\]\)$/,
    why: 'RBAC rules on endpointslices are version-less; v1 is served',
  },
];

const isWaived = (f: Report['findings'][number]): boolean =>
  WAIVED.some((w) => w.suites.includes(f.suite) && w.detail.test(f.detail));

const hasBinary = existsSync(BINARY);
if (!hasBinary)
  process.stderr.write(
    `operator/bundlevalidate.int.test.ts: skipped, ${BINARY} is absent; build it with ${BUILD_SCRIPT} bundlevalidate\n`,
  );
const maybe = hasBinary ? describe : describe.skip;

maybe('the bundle under operator-framework/api pkg/validation', () => {
  test('every suite reports zero errors and zero warnings on bundle/, waivers apart', async () => {
    const { exitCode, report } = await validate(BUNDLE_DIR);
    const unwaived = report.findings.filter((f) => !isWaived(f));
    expect(unwaived.map((f) => `${f.suite} ${f.level}: ${f.detail}`)).toEqual([]);
    expect(report.errors).toBe(0);
    for (const w of WAIVED)
      for (const suite of w.suites)
        expect(report.findings.some((f) => f.suite === suite && w.detail.test(f.detail))).toBe(true);
    expect(report.suites).toEqual(
      expect.arrayContaining([
        'default:csv',
        'default:crd',
        'default:bundle',
        'operatorhub:v2',
        'good-practices',
        'deprecated-apis',
      ]),
    );
    expect(report.k8sVersion).toBe(K8S_VERSION);
    // Exit 1 means a warning remained; only the waived ones may have caused it.
    expect(exitCode).toBe(report.findings.length === 0 ? 0 : 1);
  });

  // The run above can only pass if the validators look at what they are given: the same bundle with its
  // CSV's version removed and a CRD's description gone must fail them.
  describe('a broken copy of the bundle', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'ironlb-bundle-'));
      cpSync(BUNDLE_DIR, dir, { recursive: true });
      const csvFile = join(dir, 'manifests', `${PACKAGE}.clusterserviceversion.yaml`);
      const csv = z
        .looseObject({
          spec: z.looseObject({
            version: z.string().optional(),
            customresourcedefinitions: z.looseObject({
              owned: z.array(z.looseObject({ description: z.string().optional() })),
            }),
          }),
        })
        .parse(parse(readFileSync(csvFile, 'utf8')));
      delete csv.spec.version;
      const first = csv.spec.customresourcedefinitions.owned[0];
      if (first !== undefined) delete first.description;
      writeFileSync(csvFile, stringify(csv));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('fails with an error for the missing version and a warning for the missing description', async () => {
      const { exitCode, report } = await validate(dir);
      expect(exitCode).toBe(1);
      expect(report.errors).toBeGreaterThan(0);
      const details = report.findings.map((f) => f.detail).join('\n');
      expect(details).toMatch(/version/i);
      expect(report.findings.some((f) => f.level === 'Warning' && /description/i.test(f.detail))).toBe(true);
    });
  });
});
