// On-disk record of a network world, written before anything is created, so that a run that dies without
// cleaning up (SIGKILL, OOM, power loss) can be cleaned up later by scripts/e2e-clean.sh from facts rather
// than guesses: world.json names the world's namespaces and its owner process, and pids/<name>.pid holds
// "PID STARTTIME" for every process the world started. STARTTIME (field 22 of /proc/PID/stat, in clock
// ticks since boot) guards against PID reuse: a PID whose start time differs is someone else's process.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WorldRecord {
  runId: string;
  prefix: string;
  namespaces: string[];
  owner: { pid: number; startTime: string | null };
  createdAt: string;
}

/** Field 22 of /proc/PID/stat, or null when the process does not exist. */
export function procStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')': split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field 22 is rest[19].
  return rest[19] ?? null;
}

/**
 * world.json for people, plus plain files for scripts/e2e-clean.sh (which must not need jq): `owner`
 * ("PID STARTTIME" of the process that owns the world; a live owner means the world is in use),
 * `namespaces` (one name per line) and `prefix` (every `<prefix>-*` namespace belongs to the world).
 */
export function writeWorldRecord(runDir: string, record: WorldRecord): void {
  fs.writeFileSync(path.join(runDir, 'world.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(runDir, 'owner'), `${record.owner.pid} ${record.owner.startTime ?? '0'}\n`, {
    mode: 0o600,
  });
  fs.writeFileSync(path.join(runDir, 'namespaces'), record.namespaces.map((n) => `${n}\n`).join(''), {
    mode: 0o600,
  });
  // Namespaces added to the world later by other modules (e.g. the control plane's) share this prefix.
  fs.writeFileSync(path.join(runDir, 'prefix'), `${record.prefix}\n`, { mode: 0o600 });
}

export function pidDir(runDir: string): string {
  return path.join(runDir, 'pids');
}

/** Records a process the world started. The name must be unique within the world (it is the file name). */
export function writePidFile(runDir: string, name: string, pid: number): string {
  const dir = pidDir(runDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${name}.pid`);
  fs.writeFileSync(file, `${pid} ${procStartTime(pid) ?? '0'}\n`, { mode: 0o600 });
  return file;
}

export function removePidFile(file: string): void {
  fs.rmSync(file, { force: true });
}
