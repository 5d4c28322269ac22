// Upstream MetalLB as an operand of the harness: where scripts/build-cluster-bins.sh put its controller and
// speaker (built from the Go module proxy at METALLB_VERSION in e2e/cluster/versions.env, only when asked:
// `scripts/build-cluster-bins.sh metallb`), its release manifest from the same module source, and the kubelet
// image-table entries that run quay.io/metallb/{controller,speaker} images as those binaries.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN_ROOT, BUILD_SCRIPT, MissingBinariesError, VERSIONS_FILE } from '../paths';
import type { ImageEntry } from './images';

export interface MetallbBuild {
  readonly version: string;
  readonly controller: string;
  readonly speaker: string;
  /** config/manifests/metallb-native.yaml of the same module version. */
  readonly nativeManifest: string;
  /** config/manifests/metallb-frr.yaml: the speaker DaemonSet with its FRR containers. */
  readonly frrManifest: string;
  /** frr-tools/reloader/frr-reloader.sh, the reloader its frr image runs. */
  readonly frrReloader: string;
}

/** METALLB_VERSION from versions.env. */
export function metallbVersion(file: string = VERSIONS_FILE): string {
  const m = /^METALLB_VERSION=([^\s#]+)/m.exec(fs.readFileSync(file, 'utf8'));
  if (m?.[1] === undefined) throw new Error(`${file}: METALLB_VERSION is not set`);
  return m[1];
}

/** Locates the built MetalLB; throws MissingBinariesError (saying how to build it) when any part is absent. */
export function metallbBuild(binRoot: string = BIN_ROOT, version: string = metallbVersion()): MetallbBuild {
  const dir = path.join(binRoot, `metallb-${version}`);
  const build = {
    version,
    controller: path.join(dir, 'controller'),
    speaker: path.join(dir, 'speaker'),
    nativeManifest: path.join(dir, 'metallb-native.yaml'),
    frrManifest: path.join(dir, 'metallb-frr.yaml'),
    frrReloader: path.join(dir, 'frr-reloader.sh'),
  };
  const missing = [
    build.controller,
    build.speaker,
    build.nativeManifest,
    build.frrManifest,
    build.frrReloader,
  ].filter((p) => !fs.existsSync(p));
  if (missing.length > 0) {
    const err = new MissingBinariesError(missing);
    err.message =
      `Missing MetalLB ${version} build:\n  ${missing.join('\n  ')}\n` +
      `Build it with: ${BUILD_SCRIPT} metallb   (about 5 minutes on 2 cores; built only when named)`;
    throw err;
  }
  return build;
}

/** Image-table entries for MetalLB's images, whatever the registry and tag (quay.io/metallb/speaker:v0.15.2). */
export function metallbImages(build: MetallbBuild): ImageEntry[] {
  return [
    { image: /(^|\/)metallb\/controller([:@]|$)/, entrypoint: [build.controller] },
    { image: /(^|\/)metallb\/speaker([:@]|$)/, entrypoint: [build.speaker] },
  ];
}
