// A pod's ServiceAccount files, as the kubelet projects them: a token from the TokenRequest API bound to the pod
// (NodeRestriction insists on it), refreshed at 80 % of its life, the cluster CA and the namespace, under
// <pod root>/var/run/secrets/kubernetes.io/serviceaccount; plus a kubeconfig built from them for clients that
// call loadFromDefault().
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import type { RestClient } from '../../../kube/rest';
import type { HostPort } from '../controlplane';
import { log } from '../log';
import type { Pod } from './pod';

/** Where the ServiceAccount files live under a pod's root, as in a container's filesystem. */
export const SERVICEACCOUNT_SUBDIR = 'var/run/secrets/kubernetes.io/serviceaccount';
// The ServiceAccount admission plugin's projected volume asks for 3607 s; the kubelet refreshes at 80 %.
const DEFAULT_TOKEN_SECONDS = 3607;
const REFRESH_RETRY_MS = 12_500;

const tokenRequestSchema = z.looseObject({
  status: z.looseObject({ token: z.string(), expirationTimestamp: z.string().optional() }),
});

export interface ServiceAccountDeps {
  client: RestClient;
  caPem: string;
  apiserver: HostPort;
  podRoot: string;
  kubeconfigPath: string;
}

async function writeAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, content, { mode: 0o644 });
  await fs.rename(tmp, file);
}

export class ServiceAccountFiles {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly pod: Pod,
    private readonly deps: ServiceAccountDeps,
    private readonly dir: string,
  ) {}

  /** Writes the files and keeps the token fresh until stop(). */
  static async write(pod: Pod, deps: ServiceAccountDeps): Promise<ServiceAccountFiles> {
    const dir = path.join(deps.podRoot, SERVICEACCOUNT_SUBDIR);
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    const files = new ServiceAccountFiles(pod, deps, dir);
    const ttl = await files.refreshToken();
    await writeAtomic(path.join(dir, 'ca.crt'), deps.caPem);
    await writeAtomic(path.join(dir, 'namespace'), pod.metadata.namespace);
    await writeAtomic(deps.kubeconfigPath, files.inClusterKubeconfig());
    files.scheduleRefresh(ttl);
    return files;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * The in-cluster configuration as a kubeconfig file: the same server, CA and projected token (re-read as it
   * is refreshed: client-node's tokenFile provider), so a client using it acts exactly as loadFromCluster would.
   */
  private inClusterKubeconfig(): string {
    const { host, port } = this.deps.apiserver;
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'in-cluster', cluster: { server, 'certificate-authority': path.join(this.dir, 'ca.crt') } },
      ],
      users: [
        {
          name: 'in-cluster',
          user: {
            'auth-provider': { name: 'tokenFile', config: { tokenFile: path.join(this.dir, 'token') } },
          },
        },
      ],
      contexts: [
        {
          name: 'in-cluster',
          context: { cluster: 'in-cluster', user: 'in-cluster', namespace: this.pod.metadata.namespace },
        },
      ],
      'current-context': 'in-cluster',
    });
  }

  /** TokenRequest for the pod's own ServiceAccount, bound to the pod; returns the token's remaining life. */
  private async refreshToken(): Promise<number> {
    const { namespace, name, uid } = this.pod.metadata;
    const sa = this.pod.spec.serviceAccountName ?? 'default';
    const raw = await this.deps.client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${namespace}/serviceaccounts/${sa}/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          expirationSeconds: DEFAULT_TOKEN_SECONDS,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid },
        },
      },
    });
    const tr = tokenRequestSchema.parse(raw);
    await writeAtomic(path.join(this.dir, 'token'), tr.status.token);
    const expires =
      tr.status.expirationTimestamp !== undefined ? Date.parse(tr.status.expirationTimestamp) : NaN;
    return Number.isNaN(expires) ? DEFAULT_TOKEN_SECONDS * 1000 : Math.max(expires - Date.now(), 10_000);
  }

  private scheduleRefresh(ttlMs: number): void {
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.refreshToken().then(
        (next) => this.scheduleRefresh(next),
        (err: unknown) => {
          log.warn(
            `pod ${this.pod.metadata.namespace}/${this.pod.metadata.name}: token refresh failed: ${err instanceof Error ? err.message : String(err)}`,
          );
          this.scheduleRefresh(REFRESH_RETRY_MS);
        },
      );
    }, ttlMs * 0.8);
    this.timer.unref();
  }
}
