import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Container, Pod, Volume } from './pod';
import {
  CONFIGMAP_FILE_MODE,
  mountPathRewriter,
  SECRET_FILE_MODE,
  setUpVolumes,
  VolumeSetupError,
  type ObjectDataLookup,
} from './volumes';

const KEY = Buffer.from([0, 1, 2, 255, 0, 10]);
const store: Record<string, Map<string, Buffer>> = {
  'Secret/metallb-system/metallb-memberlist': new Map([['secretkey', KEY]]),
  'ConfigMap/metallb-system/excludel2': new Map([
    ['excludel2.yaml', Buffer.from('announcedInterfacesToExclude: ["^cni.*"]\n')],
    ['other', Buffer.from('x')],
  ]),
};
const lookup: ObjectDataLookup = (kind, ns, name) => Promise.resolve(store[`${kind}/${ns}/${name}`]);

function podWith(volumes: Volume[]): Pod {
  return {
    metadata: { name: 'speaker-abc', namespace: 'metallb-system', uid: 'u-1' },
    spec: { containers: [{ name: 'speaker' }], volumes },
  };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ironlb-volumes-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const modeOf = (f: string): number => fs.statSync(f).mode & 0o777;

describe('setUpVolumes', () => {
  test('a Secret volume holds its keys byte for byte, readable by the owner only', async () => {
    const dirs = await setUpVolumes(
      podWith([{ name: 'memberlist', secret: { secretName: 'metallb-memberlist' } }]),
      dir,
      lookup,
    );
    const file = path.join(dirs.get('memberlist') ?? '', 'secretkey');
    expect(fs.readFileSync(file)).toEqual(KEY);
    expect(modeOf(file)).toBe(SECRET_FILE_MODE);
  });

  test('a ConfigMap volume with items holds only those keys, at their paths, world-readable', async () => {
    const dirs = await setUpVolumes(
      podWith([
        {
          name: 'excludel2',
          configMap: { name: 'excludel2', items: [{ key: 'excludel2.yaml', path: 'conf/excludel2.yaml' }] },
        },
      ]),
      dir,
      lookup,
    );
    const root = dirs.get('excludel2') ?? '';
    const file = path.join(root, 'conf/excludel2.yaml');
    expect(fs.readFileSync(file, 'utf8')).toContain('announcedInterfacesToExclude');
    expect(modeOf(file)).toBe(CONFIGMAP_FILE_MODE);
    expect(fs.existsSync(path.join(root, 'other'))).toBe(false);
  });

  test('a missing Secret fails as the kubelet words it, unless the volume is optional', async () => {
    await expect(
      setUpVolumes(podWith([{ name: 'memberlist', secret: { secretName: 'absent' } }]), dir, lookup),
    ).rejects.toThrow(new VolumeSetupError('memberlist', 'secret "absent" not found'));
    const dirs = await setUpVolumes(
      podWith([{ name: 'memberlist', secret: { secretName: 'absent', optional: true } }]),
      dir,
      lookup,
    );
    expect(fs.readdirSync(dirs.get('memberlist') ?? '')).toEqual([]);
  });

  test('an item path that climbs out of the volume is refused', async () => {
    await expect(
      setUpVolumes(
        podWith([
          { name: 'v', configMap: { name: 'excludel2', items: [{ key: 'other', path: '../escape' }] } },
        ]),
        dir,
        lookup,
      ),
    ).rejects.toThrow(VolumeSetupError);
    expect(fs.existsSync(path.join(dir, 'escape'))).toBe(false);
  });

  test('a volume source it cannot provide is refused by name', async () => {
    await expect(
      setUpVolumes(podWith([{ name: 'host', hostPath: { path: '/etc' } } as Volume]), dir, lookup),
    ).rejects.toThrow(/hostPath is not supported/);
  });

  test('a second start replaces what the first wrote', async () => {
    const pod = podWith([{ name: 'memberlist', secret: { secretName: 'metallb-memberlist' } }]);
    const first = await setUpVolumes(pod, dir, lookup);
    fs.writeFileSync(path.join(first.get('memberlist') ?? '', 'stale'), 'x');
    const second = await setUpVolumes(pod, dir, lookup);
    expect(fs.readdirSync(second.get('memberlist') ?? '')).toEqual(['secretkey']);
  });
});

describe('mountPathRewriter', () => {
  const container: Container = {
    name: 'speaker',
    volumeMounts: [
      { name: 'memberlist', mountPath: '/etc/ml_secret_key/' },
      { name: 'conf', mountPath: '/etc/metallb' },
      { name: 'inner', mountPath: '/etc/metallb/inner' },
      { name: 'one', mountPath: '/etc/single.yaml', subPath: 'single.yaml' },
    ],
  };
  const rewrite = mountPathRewriter(
    container,
    new Map([
      ['memberlist', '/run/pod/volumes/memberlist'],
      ['conf', '/run/pod/volumes/conf'],
      ['inner', '/run/pod/volumes/inner'],
      ['one', '/run/pod/volumes/one'],
    ]),
  );

  test.each([
    ['/etc/ml_secret_key', '/run/pod/volumes/memberlist'],
    ['/etc/ml_secret_key/secretkey', '/run/pod/volumes/memberlist/secretkey'],
    ['/etc/metallb/excludel2.yaml', '/run/pod/volumes/conf/excludel2.yaml'],
    ['/etc/metallb/inner/x', '/run/pod/volumes/inner/x'],
    ['/etc/single.yaml', '/run/pod/volumes/one/single.yaml'],
    [
      '--exclude-l2-config=/etc/metallb/excludel2.yaml',
      '--exclude-l2-config=/run/pod/volumes/conf/excludel2.yaml',
    ],
    // Not below a mountPath: a sibling that shares a prefix, a relative path, plain values.
    ['/etc/ml_secret_key2', '/etc/ml_secret_key2'],
    ['etc/metallb/x', 'etc/metallb/x'],
    ['--log-level=info', '--log-level=info'],
    ['7946', '7946'],
  ])('%s -> %s', (input, want) => {
    expect(rewrite(input)).toBe(want);
  });

  test('a volumeMount naming no volume is an error', () => {
    expect(() =>
      mountPathRewriter({ name: 'c', volumeMounts: [{ name: 'x', mountPath: '/x' }] }, new Map()),
    ).toThrow(/volumeMount x names no volume/);
  });
});

describe('the projected ServiceAccount volume', () => {
  const saVolume: Volume = {
    name: 'kube-api-access-x1',
    projected: {
      sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }],
    },
  } as Volume;

  test('is the directory the ServiceAccount files were written to', async () => {
    const dirs = await setUpVolumes(podWith([saVolume]), dir, lookup, '/run/pod/root/var/run/secrets/sa');
    expect(dirs.get('kube-api-access-x1')).toBe('/run/pod/root/var/run/secrets/sa');
  });

  test('is an error when no token was written (automountServiceAccountToken: false)', async () => {
    await expect(setUpVolumes(podWith([saVolume]), dir, lookup)).rejects.toThrow(VolumeSetupError);
  });

  test('other projected volumes are refused', async () => {
    await expect(
      setUpVolumes(podWith([{ name: 'p', projected: { sources: [{}] } } as Volume]), dir, lookup, '/sa'),
    ).rejects.toThrow(/projected is not supported/);
  });
});
