// The container's view of its volumes: each container process runs in a mount namespace of its own
// (`unshare --mount --propagation private`), where its volumeMounts (the ServiceAccount token volume at
// /var/run/secrets/kubernetes.io/serviceaccount, Secret and ConfigMap volumes) are bind mounts of the pod's
// files at their real mountPaths, as a container runtime gives them (kubelet: pkg/kubelet/kubelet_pods.go
// makeMounts; the runtime then binds each one). Private propagation means none of these mounts reaches the
// host's mount table, and everything disappears with the last process of the namespace.
//
// A mountPath whose directory does not exist on the host (/etc/ml_secret_key, /var/run/secrets) is not
// created there: its deepest existing ancestor gets an overlay inside the namespace whose upper layer is a
// tmpfs, so the mount point is made in memory and the host's directory stays as it was (except where that
// ancestor holds the pod's own files: see mountNamespaceArgv). The overlay shows the
// ancestor's files but not what is mounted below it on the host (overlayfs does not cross mount points), which
// the processes run here do not need.
//
// Root only (mounting needs CAP_SYS_ADMIN); without it the kubelet falls back to rewriting paths
// (volumes.ts mountPathRewriter).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Container } from './pod';

export interface BindMount {
  /** The pod's file or directory on the host. */
  readonly source: string;
  /** The container's path (the volumeMount's mountPath). */
  readonly target: string;
  readonly isFile: boolean;
  readonly readOnly: boolean;
}

export interface MountPlan {
  /** Existing host directories that get a tmpfs-backed overlay first, so missing mount points can be made. */
  readonly overlays: readonly string[];
  /** Parents before children, so a nested mount lands on top of its parent's. */
  readonly binds: readonly BindMount[];
}

/** What a path is on the host, as the plan needs to know it. */
export type PathKind = 'dir' | 'file' | 'missing';

export function hostPathKind(p: string): PathKind {
  try {
    return fs.statSync(p).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * The bind mounts of one container: one per volumeMount, the source being its volume's directory (or the
 * subPath inside it). Throws when a volumeMount names no volume of the pod or a mountPath is not absolute.
 */
export function mountPlan(
  container: Container,
  volumeDirs: ReadonlyMap<string, string>,
  kind: (p: string) => PathKind = hostPathKind,
): MountPlan {
  const binds = (container.volumeMounts ?? []).map((m): BindMount => {
    const dir = volumeDirs.get(m.name);
    if (dir === undefined)
      throw new Error(`container ${container.name}: volumeMount ${m.name} names no volume of the pod`);
    if (!path.isAbsolute(m.mountPath))
      throw new Error(
        `container ${container.name}: volumeMount ${m.name}: mountPath ${m.mountPath} is not absolute`,
      );
    const source = m.subPath !== undefined && m.subPath !== '' ? path.join(dir, m.subPath) : dir;
    return {
      source,
      target: path.normalize(m.mountPath).replace(/(.)\/+$/, '$1'),
      isFile: kind(source) === 'file',
      readOnly: m.readOnly === true,
    };
  });
  binds.sort((a, b) => depth(a.target) - depth(b.target));
  const targets = binds.map((b) => b.target);
  const overlays = new Set<string>();
  for (const b of binds) {
    // A target inside another target is made in that mount's source, not on the host.
    if (targets.some((t) => t !== b.target && isUnder(b.target, t))) continue;
    if (kind(b.target) !== 'missing') continue;
    let ancestor = path.dirname(b.target);
    while (kind(ancestor) === 'missing') ancestor = path.dirname(ancestor);
    overlays.add(ancestor);
  }
  // An overlay inside another overlay's directory would be hidden by it; the outer one serves both.
  const outer = [...overlays].filter((o) => ![...overlays].some((p) => p !== o && isUnder(o, p)));
  return { overlays: outer.sort(), binds };
}

function depth(p: string): number {
  return p.split('/').filter((s) => s !== '').length;
}

function isUnder(p: string, dir: string): boolean {
  return dir === '/' ? p !== '/' : p.startsWith(`${dir}/`);
}

/** POSIX shell single quoting. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that runs `argv` in a private mount namespace after making `plan`'s mounts. `stagingDir`
 * is an existing, empty host directory of the pod where the overlays' tmpfs is mounted (inside the namespace
 * only). The shell execs the program, so the PID the kubelet records is the container process itself.
 */
export function mountNamespaceArgv(plan: MountPlan, stagingDir: string, argv: readonly string[]): string[] {
  const q = shellQuote;
  // An overlay on a directory that holds the pod's own files (a checkout under /tmp, where the run directory
  // lives, and a mountPath such as /tmp/k8s-webhook-server) would hide them: there the missing mount point is
  // made on the host instead (the bind loop's mkdir -p), an empty directory that the bind covers only inside
  // the namespace. The root is never overlaid.
  const overlays = plan.overlays.filter((dir) => dir !== '/' && !isUnder(stagingDir, dir));
  const lines: string[] = ['set -e'];
  if (overlays.length > 0) {
    lines.push(`mount -t tmpfs -o mode=0755 ironlb-pod ${q(stagingDir)}`);
    overlays.forEach((dir, i) => {
      const upper = path.join(stagingDir, `u${i}`);
      const work = path.join(stagingDir, `w${i}`);
      lines.push(`mkdir ${q(upper)} ${q(work)}`);
      lines.push(
        `mount -t overlay ironlb-pod -o ${q(`lowerdir=${dir},upperdir=${upper},workdir=${work}`)} ${q(dir)}`,
      );
    });
  }
  for (const b of plan.binds) {
    if (b.isFile) {
      lines.push(`mkdir -p ${q(path.dirname(b.target))}`);
      lines.push(`[ -e ${q(b.target)} ] || : > ${q(b.target)}`);
    } else lines.push(`mkdir -p ${q(b.target)}`);
    lines.push(`mount --bind ${q(b.source)} ${q(b.target)}`);
    if (b.readOnly) lines.push(`mount -o remount,bind,ro ${q(b.target)}`);
  }
  lines.push('exec "$@"');
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    lines.join('\n'),
    'sh',
    ...argv,
  ];
}

/** An exec probe's command run inside the mount namespace of the container process `pid`. */
export function inContainerMounts(pid: number, argv: readonly string[]): string[] {
  return ['nsenter', `--target=${pid}`, '--mount', '--', ...argv];
}

/** Whether this process may make mount namespaces (root; unshare and nsenter come with util-linux). */
export function canIsolateMounts(): boolean {
  return process.getuid?.() === 0;
}
