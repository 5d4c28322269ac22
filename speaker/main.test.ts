// What speaker/main.ts loads: no @kubernetes/client-node (about 80 MiB, the speaker's whole budget) and no
// test-only code (testkit/entrypointgraph.ts).
import { describeEntryPointGraph } from '../testkit/entrypointgraph';

describeEntryPointGraph('speaker/main.ts', ['speaker/l2/announcer.ts', 'speaker/membership/membership.ts']);
