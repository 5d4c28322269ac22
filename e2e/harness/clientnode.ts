// @kubernetes/client-node 2.x is ESM-only. Plain Node 24 require()s ESM natively, but jest's module runtime can
// only do so when Node runs with --experimental-vm-modules. Loading it lazily, in one place, turns that
// situation into an actionable error instead of an obscure "Must use import" at import time, and keeps the
// rest of the harness (processes, certs) usable without it.
import type * as K8s from '@kubernetes/client-node';

export type ClientNode = typeof K8s;

let cached: ClientNode | undefined;

export function clientNode(): ClientNode {
  if (cached !== undefined) return cached;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('@kubernetes/client-node') as ClientNode;
    return cached;
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(
      `cannot load @kubernetes/client-node (ESM-only): ${msg}\n` +
        'Under jest, Node must run with --experimental-vm-modules, e.g. ' +
        'NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects integration',
    );
  }
}
