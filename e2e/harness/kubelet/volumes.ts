// A pod's secret, configMap and emptyDir volumes, as the process kubelet provides them. The keys are written
// as files under <pod dir>/volumes/<volume> (Secret keys 0400, ConfigMap keys 0444, whatever defaultMode says:
// the files sit on the host's shared filesystem, so nothing is made wider than its owner needs).
//
// As root the kubelet runs each container in a mount namespace of its own where these directories are bind
// mounted at their mountPaths (mountns.ts). Without root, pod processes share the host's filesystem, so a
// container cannot see those files at its volumeMount's mountPath. Instead, every path at or below a mountPath
// that the container spec itself spells out (a literal env value, an element of command or args, or the value
// of an `--flag=path` argument) is rewritten to the materialised directory. A program that finds a mounted file
// by a path compiled into it, not given in its spec, will not find it then. Contents are written once, when the
// pod starts (no refresh when the object changes later), and subPath mounts of a single file are the file.
// The projected ServiceAccount volume the admission plugin adds (kube-api-access-*) is the one projected
// volume it knows: serviceaccount.ts writes and refreshes those files, and the volume is their directory.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Container, Pod, Volume } from './pod';

/** Every key of a Secret or ConfigMap as bytes, or undefined when the object does not exist. */
export type ObjectDataLookup = (
  kind: 'Secret' | 'ConfigMap',
  namespace: string,
  name: string,
) => Promise<ReadonlyMap<string, Buffer> | undefined>;

export const SECRET_FILE_MODE = 0o400;
export const CONFIGMAP_FILE_MODE = 0o444;

/** Why a volume could not be set up, in the kubelet's own words (a FailedMount event's message). */
export class VolumeSetupError extends Error {
  constructor(volume: string, reason: string) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${reason}`);
    this.name = 'VolumeSetupError';
  }
}

/** A key's file name inside its volume: relative, no `..` (the API refuses these too). */
function safeRelative(volume: string, p: string): string {
  const norm = path.posix.normalize(p);
  if (p === '' || path.posix.isAbsolute(p) || norm.split('/').includes('..'))
    throw new VolumeSetupError(
      volume,
      `item path ${JSON.stringify(p)} must be relative and must not contain '..'`,
    );
  return norm;
}

async function writeKeys(
  volume: string,
  dir: string,
  data: ReadonlyMap<string, Buffer>,
  items: readonly { key: string; path: string }[] | undefined,
  isOptional: boolean,
  mode: number,
  what: string,
): Promise<void> {
  const files: [string, Buffer][] = [];
  if (items === undefined) {
    for (const [k, v] of data) files.push([safeRelative(volume, k), v]);
  } else {
    for (const item of items) {
      const v = data.get(item.key);
      if (v === undefined) {
        if (isOptional) continue;
        throw new VolumeSetupError(volume, `${what} has no key ${JSON.stringify(item.key)}`);
      }
      files.push([safeRelative(volume, item.path), v]);
    }
  }
  for (const [rel, content] of files) {
    const file = path.join(dir, rel);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await fs.writeFile(file, content, { mode });
    // writeFile's mode is filtered by the umask; the file must have exactly this one.
    await fs.chmod(file, mode);
  }
}

async function materialise(pod: Pod, volume: Volume, dir: string, lookup: ObjectDataLookup): Promise<void> {
  const ns = pod.metadata.namespace;
  const source =
    volume.secret !== undefined
      ? {
          kind: 'Secret' as const,
          name: volume.secret.secretName ?? '',
          items: volume.secret.items,
          isOptional: volume.secret.optional === true,
          mode: SECRET_FILE_MODE,
        }
      : volume.configMap !== undefined
        ? {
            kind: 'ConfigMap' as const,
            name: volume.configMap.name ?? '',
            items: volume.configMap.items,
            isOptional: volume.configMap.optional === true,
            mode: CONFIGMAP_FILE_MODE,
          }
        : undefined;
  if (source === undefined) {
    if (volume.emptyDir !== undefined || isServiceAccountVolume(volume)) return;
    const kinds = Object.keys(volume).filter((k) => k !== 'name');
    throw new VolumeSetupError(
      volume.name,
      `volume source ${kinds.join(', ') || '(none)'} is not supported by the process kubelet (secret, configMap, emptyDir)`,
    );
  }
  const what = `${source.kind === 'Secret' ? 'secret' : 'configmap'} "${source.name}"`;
  const data = await lookup(source.kind, ns, source.name);
  if (data === undefined) {
    if (source.isOptional) return;
    throw new VolumeSetupError(volume.name, `${what} not found`);
  }
  await writeKeys(volume.name, dir, data, source.items, source.isOptional, source.mode, what);
}

/** The projected volume holding a ServiceAccount token (with, as the admission plugin adds it, the CA and namespace). */
function isServiceAccountVolume(volume: Volume): boolean {
  return volume.projected?.sources?.some((s) => s.serviceAccountToken !== undefined) === true;
}

/**
 * Writes every volume of the pod under `volumesDir` (replacing what an earlier start left) and returns each
 * volume's directory by name. Throws VolumeSetupError when a volume cannot be set up (a missing Secret, say):
 * the kubelet keeps the pod's containers waiting and tries again.
 */
export async function setUpVolumes(
  pod: Pod,
  volumesDir: string,
  lookup: ObjectDataLookup,
  /** Where serviceaccount.ts wrote the pod's token, CA and namespace, if it did. */
  serviceAccountDir?: string,
): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  for (const volume of pod.spec.volumes ?? []) {
    if (isServiceAccountVolume(volume)) {
      if (serviceAccountDir === undefined)
        throw new VolumeSetupError(
          volume.name,
          'a ServiceAccount token volume, but no token was written for the pod',
        );
      dirs.set(volume.name, serviceAccountDir);
      continue;
    }
    const dir = path.join(volumesDir, safeRelative(volume.name, volume.name));
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    await materialise(pod, volume, dir, lookup);
    dirs.set(volume.name, dir);
  }
  return dirs;
}

/**
 * The path rewrite described in the file comment, for one container: a function from a value of the
 * container's spec to the value its process gets. Longest mountPath first, so nested mounts resolve to the
 * innermost.
 */
export function mountPathRewriter(
  container: Container,
  volumeDirs: ReadonlyMap<string, string>,
): (value: string) => string {
  const mounts = (container.volumeMounts ?? [])
    .map((m) => {
      const dir = volumeDirs.get(m.name);
      if (dir === undefined)
        throw new Error(`container ${container.name}: volumeMount ${m.name} names no volume of the pod`);
      const mountPath = m.mountPath.length > 1 ? m.mountPath.replace(/\/+$/, '') : m.mountPath;
      const target = m.subPath !== undefined && m.subPath !== '' ? path.join(dir, m.subPath) : dir;
      return { mountPath, target };
    })
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  const rewritePath = (p: string): string | undefined => {
    for (const m of mounts) {
      if (p === m.mountPath) return m.target;
      if (p.startsWith(`${m.mountPath}/`)) return m.target + p.slice(m.mountPath.length);
    }
    return undefined;
  };
  return (value) => {
    const whole = rewritePath(value);
    if (whole !== undefined) return whole;
    const flag = /^(--?[A-Za-z0-9][A-Za-z0-9_.-]*=)(\/.*)$/.exec(value);
    if (flag !== null) {
      const rewritten = rewritePath(flag[2] ?? '');
      if (rewritten !== undefined) return `${flag[1] ?? ''}${rewritten}`;
    }
    return value;
  };
}
