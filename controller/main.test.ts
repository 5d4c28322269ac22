// What controller/main.ts loads: no @kubernetes/client-node and no test-only code (testkit/entrypointgraph.ts).
import { describeEntryPointGraph } from '../testkit/entrypointgraph';

describeEntryPointGraph('controller/main.ts', []);
