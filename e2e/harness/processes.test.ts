// A plain script (a bench, not jest) whose only pending work is waiting for a managed child to go must stay
// alive until it is gone: the child itself is unref'd (processes.ts), so without a handle held during the wait
// the event loop empties and Node ends with code 0 in the middle of the teardown, printing nothing after it.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

jest.setTimeout(30_000);

function runScript(script: string): Promise<{ out: string; code: number | null }> {
  const node = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  const child = spawn(node, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ out, code })));
}

const script = (end: 'kill' | 'stop'): string => `
const { spawnManaged } = require('./e2e/harness/processes');
(async () => {
  // Traps SIGTERM, so stop() must fall back to SIGKILL after its grace.
  const p = await spawnManaged('sleeper', process.execPath, {
    args: ['-e', 'process.on("SIGTERM", () => undefined); setInterval(() => undefined, 1000)'],
    logFile: ${JSON.stringify(path.join(os.tmpdir(), `ironlb-processes-test-${process.pid}.log`))},
  });
  // Time for the child to install its SIGTERM handler.
  await new Promise((r) => setTimeout(r, 1000));
  const info = ${end === 'kill' ? 'await p.kill()' : 'await p.stop(200)'};
  console.log('gone by ' + info.signal);
})();
`;

describe('ManagedProcess teardown in a plain script', () => {
  test.each(['kill', 'stop'] as const)('%s() resolves before the script ends', async (end) => {
    const r = await runScript(script(end));
    expect(r.out.trim()).toBe('gone by SIGKILL');
    expect(r.code).toBe(0);
  });
});
