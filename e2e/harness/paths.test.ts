import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { controlPlaneBinaries, MissingBinariesError, readVersions } from './paths';

describe('paths', () => {
  test('versions.env pins every component', () => {
    const v = readVersions();
    expect(v.k8s).toMatch(/^v1\.\d+\.\d+$/);
    expect(v.etcd).toMatch(/^v3\.\d+\.\d+$/);
    expect(v.gobgp).toMatch(/^v3\.\d+\.\d+$/);
  });

  test('missing binaries fail with the command that builds them', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ironlb-bins-'));
    try {
      expect(() => controlPlaneBinaries(readVersions(), empty)).toThrow(MissingBinariesError);
      expect(() => controlPlaneBinaries(readVersions(), empty)).toThrow(/scripts\/build-cluster-bins\.sh/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
