// What operator/main.ts loads: no @kubernetes/client-node and no test-only code (testkit/entrypointgraph.ts).
import { describeEntryPointGraph } from '../testkit/entrypointgraph';

describeEntryPointGraph('operator/main.ts', ['operator/app/reconciler.ts', 'render/install.ts']);
