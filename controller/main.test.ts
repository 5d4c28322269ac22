// What controller/main.ts loads: no @kubernetes/client-node, no prom-client and no test-only code
// (testkit/entrypointgraph.ts); it does serve the event-loop and GC metrics.
import { describeEntryPointGraph } from '../testkit/entrypointgraph';

describeEntryPointGraph('controller/main.ts', ['kube/prometheus/eventloop.ts']);
