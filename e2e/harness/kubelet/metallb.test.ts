import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MissingBinariesError } from '../paths';
import { resolveCommand, UnknownImageError } from './images';
import { metallbBuild, metallbImages, metallbVersion } from './metallb';

describe('upstream MetalLB as a harness operand', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metallb-build-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads METALLB_VERSION from versions.env', () => {
    const file = path.join(dir, 'versions.env');
    fs.writeFileSync(file, '# c\nK8S_VERSION=v1\nMETALLB_VERSION=v0.15.2\n');
    expect(metallbVersion(file)).toBe('v0.15.2');
    fs.writeFileSync(file, 'K8S_VERSION=v1\n');
    expect(() => metallbVersion(file)).toThrow(/METALLB_VERSION is not set/);
  });

  test('a missing build says how to build it', () => {
    let caught: unknown;
    try {
      metallbBuild(dir, 'v0.15.2');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MissingBinariesError);
    expect(String(caught)).toContain('scripts/build-cluster-bins.sh metallb');
    expect(String(caught)).toContain(path.join(dir, 'metallb-v0.15.2', 'controller'));
  });

  test("maps MetalLB's images, whatever the registry and tag, to the built binaries", () => {
    const out = path.join(dir, 'metallb-v0.15.2');
    fs.mkdirSync(out);
    for (const f of ['controller', 'speaker', 'metallb-native.yaml', 'metallb-frr.yaml', 'frr-reloader.sh'])
      fs.writeFileSync(path.join(out, f), '');
    const build = metallbBuild(dir, 'v0.15.2');
    const table = metallbImages(build);
    expect(
      resolveCommand(table, 'quay.io/metallb/controller:v0.15.2', { args: ['--port=7472'] }).argv,
    ).toEqual([build.controller, '--port=7472']);
    expect(resolveCommand(table, 'metallb/speaker@sha256:abc', {}).argv).toEqual([build.speaker]);
    expect(() => resolveCommand(table, 'quay.io/metallb/controllers:v1', {})).toThrow(UnknownImageError);
  });
});
