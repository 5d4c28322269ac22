import * as path from 'node:path';
import { describeRuntimeFlags } from '../testkit/runtimeflags';
import { SPEAKER_NODE_FLAGS } from './runtimeflags';

describeRuntimeFlags(
  'SPEAKER_NODE_FLAGS',
  SPEAKER_NODE_FLAGS,
  path.join(__dirname, 'Dockerfile'),
  'speaker/main.js',
);
