// Upstream MetalLB run the way its users run it: its own release manifest (config/manifests/metallb-native.yaml
// of the built version: CRDs, RBAC, webhook configuration, controller Deployment, speaker DaemonSet), scheduled
// by the real scheduler and DaemonSet controller and run by the process kubelet with MetalLB's images mapped to
// the binaries scripts/build-cluster-bins.sh built (e2e/harness/kubelet/metallb.ts). Always in a control plane
// of its own, never next to ironlb.
//
// One change to the manifest, because every pod shares its node's network namespace here (a harness
// limitation): the controller's metrics port moves from 7472 to CONTROLLER_PORT, so it does not clash with the
// speaker's 7472 on the node both run on. Nothing else differs (log level, memberlist, webhook).
import * as fs from 'node:fs';
import { z } from 'zod';
import { isNotFound } from '../../kube/errors';
import { kubeObjectSchema, type KubeObject } from '../../kube/object';
import type { HarnessRestClient } from '../harness/kubeconfig';
import { defaultImageTable, type ImageTable } from '../harness/kubelet';
import { metallbImages, type MetallbBuild } from '../harness/kubelet/metallb';
import { waitFor } from '../harness/readiness';
import { isReady, listPods, type ControllerPod } from './cluster';
import { applyManifest, METALLB_NAMESPACE, parseManifest } from './manifest';

/** The upstream controller's metrics (and readiness) port here; the manifest says 7472, as the speaker's. */
export const CONTROLLER_PORT = 7572;
const MANIFEST_PORT = 7472;

/** The kubelet image table that runs MetalLB's images as the built binaries (and the harness's own images). */
export function upstreamImageTable(build: MetallbBuild): ImageTable {
  return [...metallbImages(build), ...defaultImageTable()];
}

/** The release manifest's objects, with the controller's port moved (see the file comment). */
export function upstreamManifest(build: MetallbBuild): KubeObject[] {
  const docs = parseManifest(fs.readFileSync(build.nativeManifest, 'utf8'), build.nativeManifest);
  return docs.map((doc) => {
    if (doc.kind !== 'Deployment' || doc.metadata?.name !== 'controller') return doc;
    const text = JSON.stringify(doc)
      .replace(`"--port=${MANIFEST_PORT}"`, `"--port=${CONTROLLER_PORT}"`)
      .replace(`"containerPort":${MANIFEST_PORT}`, `"containerPort":${CONTROLLER_PORT}`);
    if (!text.includes(`--port=${CONTROLLER_PORT}`) || !text.includes(`"containerPort":${CONTROLLER_PORT}`))
      throw new Error(
        `${build.nativeManifest}: the controller Deployment no longer says --port=${MANIFEST_PORT}`,
      );
    return kubeObjectSchema.parse(JSON.parse(text));
  });
}

export interface UpstreamPods {
  controller: ControllerPod;
  speakers: ControllerPod[];
}

/**
 * Applies the manifest and waits until the controller and one speaker per node are Ready. The controller's
 * webhook certificate is written into its Secret after the pod started; the process kubelet writes Secret
 * volumes once, at pod start (volumes.ts), where a kubelet would refresh them within a minute. So once the
 * Secret holds the certificate and the controller is still not Ready, its pod is deleted once and the
 * Deployment's next pod starts with it.
 */
export async function installUpstream(
  admin: HarnessRestClient,
  build: MetallbBuild,
  nodes: number,
  say: (line: string) => void,
  timeoutMs = 150_000,
): Promise<UpstreamPods> {
  await applyManifest(admin, upstreamManifest(build));
  let recycled = false;
  let pods: UpstreamPods | undefined;
  await waitFor(
    `MetalLB ${build.version}: controller and ${nodes} speakers Ready`,
    async () => {
      const controllers = await listPods(admin, 'app=metallb,component=controller');
      const speakers = (await listPods(admin, 'app=metallb,component=speaker')).filter(isReady);
      const controller = controllers.find(isReady);
      if (controller !== undefined && speakers.length >= nodes) {
        pods = { controller, speakers };
        return true;
      }
      const stuck = controllers.find((p) => !isReady(p) && p.status?.phase === 'Running');
      if (!recycled && stuck !== undefined && (await certificateWritten(admin))) {
        recycled = true;
        say(
          `webhook certificate in its Secret; restarting controller pod ${stuck.metadata.name} to mount it`,
        );
        await admin.request({
          method: 'DELETE',
          path: `/api/v1/namespaces/${METALLB_NAMESPACE}/pods/${stuck.metadata.name}`,
        });
      }
      throw new Error(
        `controller ${controllers.map((p) => p.status?.phase).join(',')}, speakers Ready ${speakers.length}`,
      );
    },
    { timeoutMs, intervalMs: 1_000 },
  );
  if (pods === undefined) throw new Error('unreachable: waitFor returned without pods');
  return pods;
}

const secretSchema = z.looseObject({ data: z.record(z.string(), z.string()).optional() });

async function certificateWritten(admin: HarnessRestClient): Promise<boolean> {
  try {
    const secret = secretSchema.parse(
      await admin.request({
        method: 'GET',
        path: `/api/v1/namespaces/${METALLB_NAMESPACE}/secrets/metallb-webhook-cert`,
      }),
    );
    return (secret.data?.['tls.crt'] ?? '') !== '';
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
