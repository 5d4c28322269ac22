// Container images map to local entry points: the simulated world has no container runtime, so the image name
// only selects which program a pod's container runs. The table is plain data and callers pass their own; the
// default maps the test image and ironlb's own images.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTROLLER_NODE_FLAGS } from '../../../controller/runtimeflags';
import { SPEAKER_NODE_FLAGS } from '../../../speaker/runtimeflags';
import { REPO_ROOT } from '../paths';

export interface ImageEntry {
  /** Matches when the image equals this string or starts with it, or when the RegExp matches. */
  image: string | RegExp;
  /** The image's ENTRYPOINT; a container's `command` replaces it. */
  entrypoint: string[];
  /** The image's CMD; a container's `args` replaces it (and `command` alone drops it), as in Kubernetes. */
  cmd?: string[];
  /** Working directory when the container sets none. */
  cwd?: string;
}

export type ImageTable = readonly ImageEntry[];

export class UnknownImageError extends Error {
  constructor(readonly image: string) {
    super(`no entry in the kubelet's image table matches image ${JSON.stringify(image)}`);
    this.name = 'UnknownImageError';
  }
}

export interface ResolvedCommand {
  argv: string[];
  cwd: string | undefined;
}

function matches(entry: ImageEntry, image: string): boolean {
  return typeof entry.image === 'string'
    ? image === entry.image || image.startsWith(entry.image)
    : entry.image.test(image);
}

/** The argv a container runs, following Kubernetes' command/args over ENTRYPOINT/CMD rules. */
export function resolveCommand(
  table: ImageTable,
  image: string,
  container: { command?: string[]; args?: string[]; workingDir?: string },
): ResolvedCommand {
  const entry = table.find((e) => matches(e, image));
  if (entry === undefined) throw new UnknownImageError(image);
  const command = container.command ?? entry.entrypoint;
  const args = container.args ?? (container.command !== undefined ? [] : (entry.cmd ?? []));
  const argv = [...command, ...args];
  if (argv.length === 0)
    throw new Error(`image ${image}: neither the container nor the image table gives a command`);
  return { argv, cwd: container.workingDir ?? entry.cwd };
}

/** The built-in test image: a Node script of composable steps (see testimage.ts). */
export const TEST_IMAGE = 'ironlb.test/testimage:latest';
export const TEST_IMAGE_SCRIPT = path.join(__dirname, 'testimage.ts');

/**
 * One of ironlb's own deployables, run from the compiled output when `npm run build` produced it, else from the
 * TypeScript source through ts-node.
 */
export function ironlbEntry(
  image: string | RegExp,
  entry: string,
  nodeFlags: readonly string[] = [],
): ImageEntry {
  const compiled = path.join(REPO_ROOT, 'dist', entry.replace(/\.ts$/, '.js'));
  const entrypoint = fs.existsSync(compiled)
    ? [process.execPath, ...nodeFlags, compiled]
    : [process.execPath, ...nodeFlags, '-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, entry)];
  return { image, entrypoint, cwd: REPO_ROOT };
}

export function defaultImageTable(): ImageTable {
  return [
    { image: 'ironlb.test/testimage', entrypoint: [process.execPath, TEST_IMAGE_SCRIPT] },
    // Any Node script: command/args give the script and its arguments.
    { image: 'ironlb.test/node', entrypoint: [process.execPath] },
    // Whatever registry and tag: .../ironlb-controller:v1, ironlb-speaker@sha256:..., each with its image's
    // Node flags (the Dockerfiles' ENTRYPOINT): memory figures must be the shipped ones.
    ironlbEntry(/(^|\/)ironlb-controller([:@]|$)/, 'controller/main.ts', CONTROLLER_NODE_FLAGS),
    ironlbEntry(/(^|\/)ironlb-speaker([:@]|$)/, 'speaker/main.ts', SPEAKER_NODE_FLAGS),
    ironlbEntry(/(^|\/)ironlb-operator([:@]|$)/, 'operator/main.ts'),
  ];
}
