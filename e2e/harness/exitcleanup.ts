// The one owner of the harness's exit and signal handling. When the Node process exits or is told to stop
// (SIGINT, SIGTERM), every registered cleanup runs once, synchronously (nothing asynchronous runs after
// 'exit'), in phase order: 'processes' first (processes.ts kills its children by recorded PID), then
// 'namespaces' (net/world/cleanup.ts deletes a world's namespaces, which a live process would keep in use).
// A SIGKILL of this process runs nothing: setpriv's parent-death signal and scripts/e2e-clean.sh cover that.

export type CleanupPhase = 'processes' | 'namespaces';

const PHASES: readonly CleanupPhase[] = ['processes', 'namespaces'];
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

interface Entry {
  readonly name: string;
  readonly run: () => void;
}

const registry = new Map<CleanupPhase, Set<Entry>>(PHASES.map((p) => [p, new Set<Entry>()]));
let installed = false;

function size(): number {
  let n = 0;
  for (const set of registry.values()) n += set.size;
  return n;
}

/** Runs (and forgets) every registered cleanup, phase by phase; one failing cleanup does not stop the rest. */
export function runExitCleanups(): void {
  for (const phase of PHASES) {
    const set = registry.get(phase);
    if (set === undefined) continue;
    const entries = [...set];
    set.clear();
    for (const e of entries) {
      try {
        e.run();
      } catch (err) {
        // stderr directly: the logger may itself be shutting down.
        process.stderr.write(
          `exit cleanup ${e.name} failed: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      }
    }
  }
  uninstall();
}

function onExit(): void {
  runExitCleanups();
}

function onSignal(signal: NodeJS.Signals): void {
  runExitCleanups();
  // Our listener disabled Node's default "terminate on signal". If nobody else (e.g. jest) handles the signal,
  // re-raise it so the process still ends the way it was asked to.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/**
 * Registers `run` to be called once if the process exits or gets SIGINT/SIGTERM. Returns the function that
 * unregisters it (call it after the normal, asynchronous cleanup succeeded). Handlers are installed only while
 * something is registered, so an idle harness leaves the process's signal behaviour alone.
 */
export function onExitCleanup(phase: CleanupPhase, name: string, run: () => void): () => void {
  const entry: Entry = { name, run };
  registry.get(phase)?.add(entry);
  install();
  return () => {
    registry.get(phase)?.delete(entry);
    if (size() === 0) uninstall();
  };
}
