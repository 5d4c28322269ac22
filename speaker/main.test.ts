// What speaker/main.ts loads. client-node's generated model graph alone raises a process from about 40 to
// about 120 MiB of RSS, so no shipped module reachable from the speaker's entry point may import it, not
// even lazily: credentials come from kube/credentials, requests from kube/rest.ts, watches from kube/watch.ts.
import * as path from 'node:path';
import { moduleGraph } from '../testkit/importgraph';

const graph = moduleGraph(path.join(__dirname, 'main.ts'));

describe('speaker/main.ts module graph', () => {
  it('never reaches @kubernetes/client-node', () => {
    const hit = graph.packages.get('@kubernetes/client-node');
    expect(hit === undefined ? 'not reached' : `reached via ${hit.chain.join(' -> ')}`).toBe('not reached');
  });

  it('loads no test-only code', () => {
    const repo = path.resolve(__dirname, '..');
    const testOnly = graph.files
      .map((f) => path.relative(repo, f))
      .filter((f) => /^(testkit|e2e|bench)\//.test(f) || f.endsWith('.test.ts'));
    expect(testOnly).toEqual([]);
  });

  it('does reach the plumbing that replaced client-node (the walk follows the real graph)', () => {
    const repo = path.resolve(__dirname, '..');
    const files = graph.files.map((f) => path.relative(repo, f));
    expect(files).toEqual(
      expect.arrayContaining([
        'kube/credentials/load.ts',
        'kube/rest.ts',
        'kube/watch.ts',
        'kube/informer.ts',
        'speaker/l2/announcer.ts',
        'speaker/membership/membership.ts',
      ]),
    );
  });
});
