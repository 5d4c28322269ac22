// Where the harness finds prebuilt binaries and where it puts per-run state. Versions come from
// e2e/cluster/versions.env, the same file scripts/build-cluster-bins.sh sources, so the two can never
// disagree about which folder holds the binaries.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const VERSIONS_FILE = path.join(REPO_ROOT, 'e2e', 'cluster', 'versions.env');
export const BIN_ROOT = path.join(REPO_ROOT, 'e2e', '.cache', 'bin');
export const RUN_ROOT = path.join(REPO_ROOT, 'e2e', '.run');
export const BUILD_SCRIPT = 'scripts/build-cluster-bins.sh';

export interface ClusterVersions {
  k8s: string;
  etcd: string;
  gobgp: string;
}

/** Parses versions.env (plain KEY=VALUE lines, `#` comments). */
export function readVersions(file: string = VERSIONS_FILE): ClusterVersions {
  const vars = new Map<string, string>();
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Z0-9_]+)=([^\s#]+)\s*(#.*)?$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined) {
      throw new Error(`${file}: cannot parse line ${JSON.stringify(raw)}`);
    }
    vars.set(m[1], m[2]);
  }
  const get = (k: string): string => {
    const v = vars.get(k);
    if (v === undefined) throw new Error(`${file}: ${k} is not set`);
    return v;
  };
  return { k8s: get('K8S_VERSION'), etcd: get('ETCD_VERSION'), gobgp: get('GOBGP_VERSION') };
}

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
}

export interface GobgpBinaries {
  gobgpd: string;
  gobgp: string;
}

/** Thrown when a prebuilt binary is absent; the message says how to build it. */
export class MissingBinariesError extends Error {
  constructor(readonly missing: string[]) {
    super(
      `Missing cluster binaries:\n  ${missing.join('\n  ')}\n` +
        `Build them first with: ${BUILD_SCRIPT}   (first build takes a while; later runs skip what exists)`,
    );
    this.name = 'MissingBinariesError';
  }
}

function checkExecutables(paths: string[]): void {
  const missing = paths.filter((p) => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new MissingBinariesError(missing);
}

/**
 * Locates the control-plane binaries. `binRoot` exists so a CI cache or another checkout's build can be reused.
 * Throws MissingBinariesError rather than returning partial results: a test that cannot start a real
 * apiserver must fail, never quietly skip.
 */
export function controlPlaneBinaries(
  versions: ClusterVersions = readVersions(),
  binRoot: string = BIN_ROOT,
): ControlPlaneBinaries {
  const k8s = path.join(binRoot, `k8s-${versions.k8s}`);
  const bins: ControlPlaneBinaries = {
    etcd: path.join(binRoot, `etcd-${versions.etcd}`, 'etcd'),
    kubeApiserver: path.join(k8s, 'kube-apiserver'),
    kubeControllerManager: path.join(k8s, 'kube-controller-manager'),
    kubeScheduler: path.join(k8s, 'kube-scheduler'),
  };
  checkExecutables(Object.values(bins));
  return bins;
}

/**
 * kubectl built from the same Kubernetes release as the control plane, so tests and the demo never depend on
 * whatever client (or none) the machine happens to have.
 */
export function kubectlBinary(
  versions: ClusterVersions = readVersions(),
  binRoot: string = BIN_ROOT,
): string {
  const bin = path.join(binRoot, `k8s-${versions.k8s}`, 'kubectl');
  checkExecutables([bin]);
  return bin;
}

export function gobgpBinaries(
  versions: ClusterVersions = readVersions(),
  binRoot: string = BIN_ROOT,
): GobgpBinaries {
  const dir = path.join(binRoot, `gobgp-${versions.gobgp}`);
  const bins: GobgpBinaries = { gobgpd: path.join(dir, 'gobgpd'), gobgp: path.join(dir, 'gobgp') };
  checkExecutables(Object.values(bins));
  return bins;
}

/**
 * Creates e2e/.run/<run-id>/. The id sorts by start time and carries the PID plus randomness so parallel jest
 * workers never share a folder.
 */
export function createRunDir(prefix = 'cp', runRoot: string = RUN_ROOT): { runId: string; runDir: string } {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const runId = `${prefix}-${stamp}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const runDir = path.join(runRoot, runId);
  fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  return { runId, runDir };
}
