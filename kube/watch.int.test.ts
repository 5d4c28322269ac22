// The client-node-free plumbing against a real kube-apiserver: credentials from the harness's kubeconfigs
// (YAML with client certificate data; a bearer token; client-node's tokenFile auth provider, rotated), the
// REST client and RestWatch over one ClusterAccess, the watch's events and its server-side timeout, and an
// informer on top. (A fresh etcd keeps its whole history, so 410 Gone cannot be provoked here; watch.test.ts
// and informer.test.ts cover it.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { startControlPlane, type ControlPlane } from '../e2e/harness/controlplane';
import { ClusterAccess } from './credentials/clusteraccess';
import { loadKubeconfigFiles } from './credentials/kubeconfig';
import { systemClock } from './clock';
import { Informer } from './informer';
import { decodeKubeObject, RestListWatch } from './listwatch';
import { silentLogger } from './log';
import type { KubeObject } from './object';
import { collectionPath, objectPath, RESOURCES } from './resource';
import { CONTENT_TYPE, KubeRestClient } from './rest';
import { RestWatch } from './watch';

jest.setTimeout(120_000);

const NS = 'watch-int';
let cp: ControlPlane | undefined;
let admin: ClusterAccess | undefined;
const opened: ClusterAccess[] = [];

function plane(): ControlPlane {
  if (cp === undefined) throw new Error('control plane did not start (see beforeAll)');
  return cp;
}
function adminAccess(): ClusterAccess {
  if (admin === undefined) throw new Error('no admin credentials (see beforeAll)');
  return admin;
}
const track = (a: ClusterAccess): ClusterAccess => {
  opened.push(a);
  return a;
};

beforeAll(async () => {
  cp = await startControlPlane({ scheduler: false, controllerManager: false });
  // The harness writes YAML with certificate-authority-data and client-certificate/key-data.
  admin = track(new ClusterAccess(await loadKubeconfigFiles([cp.kubeconfigPath])));
  await new KubeRestClient(admin).request({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: NS } },
  });
});

afterAll(async () => {
  opened.forEach((a) => a.close());
  await cp?.stop();
});

const configMaps = collectionPath(RESOURCES.configMaps, NS);
const listSchema = z.looseObject({ metadata: z.looseObject({ resourceVersion: z.string() }) });
const eventObject = z.looseObject({
  metadata: z.looseObject({ name: z.string().optional(), resourceVersion: z.string().optional() }),
});

/** A watch whose events and end the test can await. */
function recorder() {
  const events: Array<{ type: string; name: string | undefined }> = [];
  const waiters: Array<() => void> = [];
  let end: { err: unknown } | undefined;
  const settle = (): void => waiters.splice(0).forEach((w) => w());
  return {
    events,
    callback: (type: string, obj: unknown): void => {
      const parsed = eventObject.safeParse(obj);
      events.push({ type, name: parsed.success ? parsed.data.metadata.name : undefined });
      settle();
    },
    done: (err: unknown): void => {
      end = { err };
      settle();
    },
    async until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!ok()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}: ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    ended: () => end,
  };
}

const whoAmI = async (rest: KubeRestClient): Promise<string> => {
  const review = z
    .looseObject({ status: z.looseObject({ userInfo: z.looseObject({ username: z.string() }) }) })
    .parse(
      await rest.request({
        method: 'POST',
        path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      }),
    );
  return review.status.userInfo.username;
};

async function serviceAccountToken(name: string): Promise<string> {
  const rest = new KubeRestClient(adminAccess());
  await rest.request({
    method: 'POST',
    path: `/api/v1/namespaces/${NS}/serviceaccounts`,
    body: { metadata: { name } },
  });
  const tr = z.looseObject({ status: z.looseObject({ token: z.string() }) }).parse(
    await rest.request({
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/serviceaccounts/${name}/token`,
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 600 },
      },
    }),
  );
  return tr.status.token;
}

describe('credentials against the apiserver', () => {
  it('authenticates with the admin client certificate from a YAML kubeconfig', async () => {
    expect(await whoAmI(new KubeRestClient(adminAccess()))).toBe('kubernetes-admin');
  });

  it('authenticates with a bearer token kubeconfig', async () => {
    const file = await plane().tokenKubeconfig('watch-int-a', await serviceAccountToken('sa-a'), NS);
    const access = track(new ClusterAccess(await loadKubeconfigFiles([file])));
    expect(await whoAmI(new KubeRestClient(access))).toBe(`system:serviceaccount:${NS}:sa-a`);
  });

  it("follows a rotated token file through client-node's tokenFile auth provider (the kubelet's pods)", async () => {
    const dir = path.join(plane().runDir, 'tokenfile');
    fs.mkdirSync(dir, { recursive: true });
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(tokenFile, await serviceAccountToken('sa-b'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    fs.writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'in-cluster',
            cluster: { server: plane().server, 'certificate-authority': plane().caCertPath },
          },
        ],
        users: [
          { name: 'in-cluster', user: { 'auth-provider': { name: 'tokenFile', config: { tokenFile } } } },
        ],
        contexts: [
          { name: 'in-cluster', context: { cluster: 'in-cluster', user: 'in-cluster', namespace: NS } },
        ],
        'current-context': 'in-cluster',
      }),
    );
    let now = 0;
    const credentials = await loadKubeconfigFiles([kubeconfig], {
      token: { now: () => now, refreshMs: 1000 },
    });
    expect(credentials.namespace).toBe(NS);
    const rest = new KubeRestClient(track(new ClusterAccess(credentials)));
    expect(await whoAmI(rest)).toBe(`system:serviceaccount:${NS}:sa-b`);
    fs.writeFileSync(tokenFile, await serviceAccountToken('sa-c'));
    now = 1000;
    expect(await whoAmI(rest)).toBe(`system:serviceaccount:${NS}:sa-c`);
  });
});

describe('RestWatch against the apiserver', () => {
  it('streams ADDED, MODIFIED and DELETED in order from the list resourceVersion', async () => {
    const rest = new KubeRestClient(adminAccess());
    const { resourceVersion } = listSchema.parse(
      await rest.request({ method: 'GET', path: configMaps }),
    ).metadata;
    const r = recorder();
    const controller = await new RestWatch(adminAccess()).watch(
      configMaps,
      { resourceVersion, allowWatchBookmarks: true },
      r.callback,
      r.done,
    );
    try {
      await rest.request({
        method: 'POST',
        path: configMaps,
        body: { metadata: { name: 'w1' }, data: { a: '1' } },
      });
      await rest.request({
        method: 'PATCH',
        path: objectPath(RESOURCES.configMaps, 'w1', NS),
        body: { data: { a: '2' } },
        contentType: CONTENT_TYPE.mergePatch,
      });
      await rest.request({ method: 'DELETE', path: objectPath(RESOURCES.configMaps, 'w1', NS) });
      await r.until('the delete', () => r.events.some((e) => e.type === 'DELETED'));
      expect(r.events.filter((e) => e.type !== 'BOOKMARK')).toEqual([
        { type: 'ADDED', name: 'w1' },
        { type: 'MODIFIED', name: 'w1' },
        { type: 'DELETED', name: 'w1' },
      ]);
      expect(r.ended()).toBeUndefined();
    } finally {
      controller.abort();
    }
  });

  it('ends cleanly, done(null), when the server closes the watch at timeoutSeconds', async () => {
    const r = recorder();
    const started = Date.now();
    await new RestWatch(adminAccess()).watch(configMaps, { timeoutSeconds: 1 }, r.callback, r.done);
    await r.until('the end of the watch', () => r.ended() !== undefined, 15_000);
    expect(r.ended()).toEqual({ err: null });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('feeds an informer that syncs and follows a create and a delete', async () => {
    const rest = new KubeRestClient(adminAccess());
    const informer = new Informer<KubeObject>({
      source: new RestListWatch<KubeObject>({
        rest,
        watch: new RestWatch(adminAccess()),
        resource: RESOURCES.configMaps,
        namespace: NS,
        decode: decodeKubeObject,
        logger: silentLogger(),
      }),
      clock: systemClock(),
      logger: silentLogger(),
    });
    informer.start();
    try {
      await informer.waitForSync();
      await rest.request({ method: 'POST', path: configMaps, body: { metadata: { name: 'inf' } } });
      const r = recorder();
      informer.addHandlers({
        onAdd: () => r.callback('ADDED', {}),
        onDelete: () => r.callback('DELETED', {}),
      });
      await r.until('the add', () => informer.get(`${NS}/inf`) !== undefined);
      await rest.request({ method: 'DELETE', path: objectPath(RESOURCES.configMaps, 'inf', NS) });
      await r.until('the delete', () => informer.get(`${NS}/inf`) === undefined);
    } finally {
      informer.stop();
    }
  });
});
