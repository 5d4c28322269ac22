// The network world's part of the exit safety net behind World.destroy(): if the Node process exits or is told
// to stop while a world exists, its namespaces are deleted synchronously. exitcleanup.ts runs this after the
// 'processes' phase, in which processes.ts has already killed every harness child by PID, since a namespace
// cannot be fully freed while a process holds it. A SIGKILL of this process leaves the namespaces behind: that
// is what scripts/e2e-clean.sh is for.
import { onExitCleanup } from '../../exitcleanup';
import { deleteNamespaceSync } from '../exec';

/**
 * Registers a world's namespaces (dependents first) for emergency deletion; returns the function that
 * unregisters them (after destroy()).
 */
export function registerNamespaceCleanup(world: string, namespaces: () => string[]): () => void {
  return onExitCleanup('namespaces', `world ${world}`, () => {
    for (const ns of namespaces()) deleteNamespaceSync(ns);
  });
}
