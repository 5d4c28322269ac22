// The safety net behind World.destroy(): if the Node process exits or is told to stop (SIGINT, SIGTERM)
// while a world exists, its processes are killed by their recorded PIDs and its namespaces deleted, with
// synchronous calls only, because nothing asynchronous runs after 'exit'. processes.ts has the same net for
// processes; this adds the namespaces, which would otherwise outlive us. A SIGKILL of this process leaves
// both behind: that is what scripts/e2e-clean.sh is for.
import { deleteNamespaceSync } from '../exec';

export interface CleanupTarget {
  /** PIDs still running, killed first (a namespace cannot be fully freed while a process holds it). */
  pids(): number[];
  /** Namespaces to delete, dependents first. */
  namespaces(): string[];
}

const targets = new Set<CleanupTarget>();
let installed = false;

function cleanupSync(): void {
  for (const t of targets) {
    for (const pid of t.pids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const ns of t.namespaces()) deleteNamespaceSync(ns);
  }
  targets.clear();
}

function onExit(): void {
  cleanupSync();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupSync();
  uninstall();
  // Our listener disabled Node's default action; re-raise so the process still ends, unless another handler
  // (processes.ts, jest) is still listening and will do that itself.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/** Registers a world for emergency cleanup; returns the function that unregisters it (after destroy()). */
export function registerCleanup(target: CleanupTarget): () => void {
  targets.add(target);
  install();
  return () => {
    targets.delete(target);
    if (targets.size === 0) uninstall();
  };
}
