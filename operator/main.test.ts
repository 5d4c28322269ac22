// What operator/main.ts loads: no @kubernetes/client-node, no prom-client and no test-only code
// (testkit/entrypointgraph.ts); it does serve the event-loop and GC metrics.
import { describeEntryPointGraph } from '../testkit/entrypointgraph';

describeEntryPointGraph('operator/main.ts', [
  'operator/app/reconciler.ts',
  'render/install.ts',
  'kube/prometheus/eventloop.ts',
]);
