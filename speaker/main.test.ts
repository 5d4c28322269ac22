// What speaker/main.ts loads: no @kubernetes/client-node (about 80 MiB, the speaker's whole budget), no
// prom-client and no test-only code (testkit/entrypointgraph.ts), and not the event-loop and GC metrics,
// whose watch costs about 0.6 MiB of RSS (kube/prometheus/eventloop.ts).
import * as path from 'node:path';
import { describeEntryPointGraph } from '../testkit/entrypointgraph';
import { moduleGraph } from '../testkit/importgraph';

describeEntryPointGraph('speaker/main.ts', ['speaker/l2/announcer.ts', 'speaker/membership/membership.ts']);

test('speaker/main.ts does not load the event-loop and GC metrics (node:perf_hooks)', () => {
  const repo = path.resolve(__dirname, '..');
  const graph = moduleGraph(path.join(repo, 'speaker/main.ts'));
  const files = graph.files.map((f) => path.relative(repo, f));
  expect(files).toContain('kube/prometheus/process.ts');
  expect(files).not.toContain('kube/prometheus/eventloop.ts');
  expect(graph.packages.has('node:perf_hooks')).toBe(false);
});
