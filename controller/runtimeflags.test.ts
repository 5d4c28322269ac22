import * as path from 'node:path';
import { describeRuntimeFlags } from '../testkit/runtimeflags';
import { CONTROLLER_NODE_FLAGS } from './runtimeflags';

describeRuntimeFlags(
  'CONTROLLER_NODE_FLAGS',
  CONTROLLER_NODE_FLAGS,
  path.join(__dirname, 'Dockerfile'),
  'controller/main.js',
);
