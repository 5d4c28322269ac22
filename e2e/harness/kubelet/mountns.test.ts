import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inContainerMounts, mountNamespaceArgv, mountPlan, type PathKind } from './mountns';
import type { Container } from './pod';

const SA = '/run/pod/root/var/run/secrets/kubernetes.io/serviceaccount';
const dirs = new Map([
  ['kube-api-access-x', SA],
  ['memberlist', '/run/pod/volumes/memberlist'],
  ['cert', '/run/pod/volumes/cert'],
  ['cfg', '/run/pod/volumes/cfg'],
]);

/** A host where /etc, /tmp and /var/run exist and the pod's files are what their names say. */
function host(extra: Record<string, PathKind> = {}): (p: string) => PathKind {
  const known: Record<string, PathKind> = {
    '/': 'dir',
    '/etc': 'dir',
    '/tmp': 'dir',
    '/var': 'dir',
    '/var/run': 'dir',
    '/run/pod/volumes/cfg/app.conf': 'file',
    ...extra,
  };
  return (p) => known[p] ?? (p.startsWith('/run/pod/') ? 'dir' : 'missing');
}

function container(mounts: Container['volumeMounts']): Container {
  return { name: 'speaker', image: 'quay.io/metallb/speaker:v0.15.2', volumeMounts: mounts };
}

describe('mountPlan', () => {
  test('binds each volumeMount at its mountPath, the ServiceAccount volume read-only as the admission plugin asks', () => {
    const plan = mountPlan(
      container([
        {
          name: 'kube-api-access-x',
          mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
          readOnly: true,
        },
        { name: 'memberlist', mountPath: '/etc/ml_secret_key/', readOnly: true },
      ]),
      dirs,
      host(),
    );
    expect(plan.binds).toEqual([
      { source: '/run/pod/volumes/memberlist', target: '/etc/ml_secret_key', isFile: false, readOnly: true },
      { source: SA, target: '/var/run/secrets/kubernetes.io/serviceaccount', isFile: false, readOnly: true },
    ]);
  });

  test('a missing mountPath gets an overlay on its deepest existing ancestor, never a directory made on the host', () => {
    const plan = mountPlan(
      container([
        { name: 'kube-api-access-x', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
        { name: 'memberlist', mountPath: '/etc/ml_secret_key' },
        { name: 'cert', mountPath: '/tmp/k8s-webhook-server/serving-certs' },
      ]),
      dirs,
      host(),
    );
    expect(plan.overlays).toEqual(['/etc', '/tmp', '/var/run']);
  });

  test('an existing mountPath needs no overlay', () => {
    const plan = mountPlan(container([{ name: 'cert', mountPath: '/tmp' }]), dirs, host());
    expect(plan.overlays).toEqual([]);
  });

  test('a mount nested in another is made inside the outer mount, and mounted after it', () => {
    const plan = mountPlan(
      container([
        { name: 'kube-api-access-x', mountPath: '/srv/app/secrets/sa' },
        { name: 'cfg', mountPath: '/srv/app' },
      ]),
      dirs,
      host({ '/srv': 'dir' }),
    );
    expect(plan.binds.map((b) => b.target)).toEqual(['/srv/app', '/srv/app/secrets/sa']);
    expect(plan.overlays).toEqual(['/srv']);
  });

  test('a subPath mount of one file is a file bind mount', () => {
    const plan = mountPlan(
      container([{ name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }]),
      dirs,
      host(),
    );
    expect(plan.binds).toEqual([
      { source: '/run/pod/volumes/cfg/app.conf', target: '/etc/app.conf', isFile: true, readOnly: false },
    ]);
  });

  test('a volumeMount naming no volume of the pod, or a relative mountPath, is refused', () => {
    expect(() => mountPlan(container([{ name: 'nope', mountPath: '/x' }]), dirs, host())).toThrow(
      /volumeMount nope names no volume/,
    );
    expect(() => mountPlan(container([{ name: 'cfg', mountPath: 'x' }]), dirs, host())).toThrow(
      /not absolute/,
    );
  });
});

describe('mountNamespaceArgv', () => {
  test('runs the program through unshare with private propagation and execs it with its own arguments', () => {
    const argv = mountNamespaceArgv({ overlays: [], binds: [] }, '/run/pod/mnt/c', [
      '/bin/prog',
      "it's",
      '$HOME',
    ]);
    expect(argv.slice(0, 5)).toEqual(['unshare', '--mount', '--propagation', 'private', '--']);
    expect(argv.slice(-4)).toEqual(['sh', '/bin/prog', "it's", '$HOME']);
  });

  test('never overlays the pod directory or the root: the missing mount point is made by mkdir instead', () => {
    const bind = { source: '/run/pod/vol/cert', target: '/run/certs/x', isFile: false, readOnly: false };
    for (const overlays of [['/run'], ['/']]) {
      const script = mountNamespaceArgv({ overlays, binds: [bind] }, '/run/pod/mnt/c', ['x'])[7] ?? '';
      expect(script).not.toContain('overlay');
      expect(script).not.toContain('tmpfs');
      expect(script).toContain("mkdir -p '/run/certs/x'\nmount --bind '/run/pod/vol/cert' '/run/certs/x'");
    }
  });

  test('an exec probe enters the container process mount namespace', () => {
    expect(inContainerMounts(42, ['cat', '/x'])).toEqual([
      'nsenter',
      '--target=42',
      '--mount',
      '--',
      'cat',
      '/x',
    ]);
  });

  // The script itself, run for real (root only): the program sees the volume at the mountPath, quoting
  // survives, a read-only mount refuses writes, and the host's mount table and directories are unchanged.
  const asRoot = process.getuid?.() === 0 ? test : test.skip;
  asRoot('as root: the mounts are seen inside and leave no trace on the host', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mountns-'));
    try {
      const vol = path.join(tmp, 'vol');
      fs.mkdirSync(vol);
      fs.writeFileSync(path.join(vol, 'namespace'), "team's-ns");
      const staging = path.join(tmp, 'mnt');
      fs.mkdirSync(staging);
      const target = `/etc/ironlb-mountns-test-${process.pid}/sa`;
      const plan = mountPlan(
        container([{ name: 'sa', mountPath: target, readOnly: true }]),
        new Map([['sa', vol]]),
      );
      expect(plan.overlays).toEqual(['/etc']);
      const before = fs.readFileSync('/proc/self/mountinfo', 'utf8');
      const script = `cat ${target}/namespace; echo; touch ${target}/x 2>/dev/null && echo writable || echo read-only`;
      const [cmd = '', ...args] = mountNamespaceArgv(plan, staging, ['/bin/sh', '-c', script]);
      const out = execFileSync(cmd, args, { encoding: 'utf8' });
      expect(out.trim().split('\n')).toEqual(["team's-ns", 'read-only']);
      expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toBe(before);
      expect(fs.existsSync(path.dirname(target))).toBe(false);
      expect(fs.readdirSync(staging)).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
