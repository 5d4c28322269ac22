// The module-graph checks every deployable's entry point shares: client-node's generated model graph alone
// raises a process from about 40 to about 120 MiB of RSS, so no shipped module reachable from an entry point may
// import it, not even lazily (credentials come from kube/credentials, requests from kube/rest.ts, watches from
// kube/watch.ts), and no entry point may load test-only code. Nor prom-client: importing it alone raises a bare
// Node from about 42 to 54 MiB of RSS (0.9-1.3 MiB in the loaded speaker); metrics come from kube/prometheus.
import * as path from 'node:path';
import { moduleGraph } from './importgraph';

const REPO = path.resolve(__dirname, '..');

/** Registers the shared tests for `entry` (repo-relative); `mustReach` proves the walk followed the real graph. */
export function describeEntryPointGraph(entry: string, mustReach: readonly string[]): void {
  const graph = moduleGraph(path.join(REPO, entry));
  const files = graph.files.map((f) => path.relative(REPO, f));

  describe(`${entry} module graph`, () => {
    it.each(['@kubernetes/client-node', 'prom-client'])('never reaches %s', (pkg) => {
      const hit = graph.packages.get(pkg);
      expect(hit === undefined ? 'not reached' : `reached via ${hit.chain.join(' -> ')}`).toBe('not reached');
    });

    it('loads no test-only code', () => {
      const testOnly = files.filter((f) => /^(testkit|e2e|bench)\//.test(f) || f.endsWith('.test.ts'));
      expect(testOnly).toEqual([]);
    });

    it('does reach the plumbing that replaced client-node (the walk follows the real graph)', () => {
      expect(files).toEqual(
        expect.arrayContaining([
          'kube/credentials/load.ts',
          'kube/rest.ts',
          'kube/watch.ts',
          'kube/informer.ts',
          'kube/prometheus/registry.ts',
          ...mustReach,
        ]),
      );
    });
  });
}
