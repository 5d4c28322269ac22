// The continuous HTTP client of the failover benchmark (prober.main.ts), started in a namespace of the world,
// and the reading of its log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertTestIp } from '../../cidr';
import { nodeExecutable, type World } from '../world';
import type { ManagedProcess } from '../../processes';
import { waitFor } from '../../readiness';

const PROBER = path.join(__dirname, 'prober.main.ts');

export interface ProbeResult {
  ok: boolean;
  startMs: number;
  endMs: number;
  /** The answering backend's node when ok, else the failure reason. */
  detail: string;
}

export interface HttpProber {
  readonly process: ManagedProcess;
  /** Every request finished so far, in the order they finished. */
  results(): ProbeResult[];
  /**
   * The first request to finish that started at or after `sinceMs` and succeeded (and that `accept` takes, for
   * example "not answered by the node just killed"), waiting up to timeoutMs for it.
   */
  firstSuccessSince(
    sinceMs: number,
    timeoutMs?: number,
    accept?: (r: ProbeResult) => boolean,
  ): Promise<ProbeResult>;
  stop(): Promise<void>;
}

export function parseProberLine(line: string): ProbeResult | undefined {
  const m = /^(ok|fail) (\d+) (\d+) (\S+)$/.exec(line.trim());
  if (m === null) return undefined;
  return { ok: m[1] === 'ok', startMs: Number(m[2]), endMs: Number(m[3]), detail: m[4] ?? '' };
}

export async function startHttpProber(
  world: World,
  fromRole: string,
  name: string,
  target: { ip: string; port: number; intervalMs?: number; timeoutMs?: number },
): Promise<HttpProber> {
  assertTestIp(target.ip);
  const p = await world.spawnIn(fromRole, name, [
    nodeExecutable(),
    PROBER,
    '--ip',
    target.ip,
    '--port',
    String(target.port),
    '--interval',
    String(target.intervalMs ?? 20),
    '--timeout',
    String(target.timeoutMs ?? 1000),
  ]);
  const read = (): string => (fs.existsSync(p.logFile) ? fs.readFileSync(p.logFile, 'utf8') : '');
  await waitFor(`prober in ${fromRole} started`, async () => read().includes('probing '), {
    timeoutMs: 15_000,
    watch: [p],
  });
  const results = (): ProbeResult[] =>
    read()
      .split('\n')
      .map(parseProberLine)
      .filter((r): r is ProbeResult => r !== undefined);
  return {
    process: p,
    results,
    async firstSuccessSince(sinceMs, timeoutMs = 30_000, accept = () => true) {
      let found: ProbeResult | undefined;
      await waitFor(
        `an HTTP answer to ${target.ip} from ${fromRole} for a request sent after ${new Date(sinceMs).toISOString()}`,
        async () => {
          found = results().find((r) => r.ok && r.startMs >= sinceMs && accept(r));
          return found !== undefined;
        },
        { timeoutMs, intervalMs: 50, watch: [p] },
      );
      if (found === undefined) throw new Error(`prober: lost the match`);
      return found;
    },
    async stop() {
      await p.stop(5_000);
    },
  };
}
