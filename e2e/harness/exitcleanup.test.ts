// Each case runs a child Node process that registers cleanups, then ends it the way a run ends (SIGTERM,
// SIGINT, process.exit) and reads back, from the child's stdout, which cleanups ran and in what order.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

jest.setTimeout(30_000);

interface ChildRun {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
}

// Registers, in scrambled order: two 'processes' cleanups (one of which throws), one 'namespaces' cleanup, and
// one that is unregistered again before the end. Every cleanup writes one line with writeSync, so nothing is
// lost when the process dies right after.
const REGISTER = `
const fs = require('node:fs');
const { onExitCleanup } = require('./e2e/harness/exitcleanup');
const say = (s) => fs.writeSync(1, s + '\\n');
onExitCleanup('namespaces', 'ns', () => say('namespaces ns'));
onExitCleanup('processes', 'a', () => say('processes a'));
onExitCleanup('processes', 'broken', () => { say('processes broken'); throw new Error('boom'); });
const off = onExitCleanup('namespaces', 'gone', () => say('namespaces gone'));
onExitCleanup('processes', 'b', () => say('processes b'));
off();
`;

function runChild(script: string, end: (pid: number) => void): Promise<ChildRun> {
  const node = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  const child = spawn(node, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let ended = false;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!ended && out.includes('READY\n') && child.pid !== undefined) {
      ended = true;
      end(child.pid);
    }
  });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      const lines = out.split('\n').filter((l) => l !== '' && l !== 'READY');
      resolve({ lines, code, signal });
    });
  });
}

const ORDERED = ['processes a', 'processes broken', 'processes b', 'namespaces ns'];

describe('exit cleanup registry', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s every registered cleanup runs once, processes before namespaces, and the signal still ends the process',
    async (sig) => {
      const r = await runChild(`${REGISTER}\nsay('READY'); setInterval(() => {}, 1000);`, (pid) =>
        process.kill(pid, sig),
      );
      expect(r.lines).toEqual(ORDERED);
      expect(r.signal).toBe(sig);
    },
  );

  test('with another signal listener (as jest has) the cleanups run at the signal and not again at exit', async () => {
    const script = `${REGISTER}
process.on('SIGTERM', () => setTimeout(() => { say('own handler exits'); process.exit(0); }, 100));
say('READY'); setInterval(() => {}, 1000);`;
    const r = await runChild(script, (pid) => process.kill(pid, 'SIGTERM'));
    expect(r.lines).toEqual([...ORDERED, 'own handler exits']);
    expect(r.code).toBe(0);
  });

  test('a plain exit runs them once too, keeping the exit code', async () => {
    const r = await runChild(`${REGISTER}\nsay('READY'); setTimeout(() => process.exit(3), 50);`, () => {});
    expect(r.lines).toEqual(ORDERED);
    expect(r.code).toBe(3);
  });

  test('nothing registered, nothing installed: SIGTERM keeps its default action', async () => {
    const script = `
const fs = require('node:fs');
const { onExitCleanup } = require('./e2e/harness/exitcleanup');
onExitCleanup('processes', 'x', () => fs.writeSync(1, 'ran x\\n'))();
fs.writeSync(1, 'listeners ' + process.listenerCount('SIGTERM') + '\\n');
fs.writeSync(1, 'READY\\n'); setInterval(() => {}, 1000);`;
    const r = await runChild(script, (pid) => process.kill(pid, 'SIGTERM'));
    expect(r.lines).toEqual(['listeners 0']);
    expect(r.signal).toBe('SIGTERM');
  });

  test("a harness child is already dead when the namespaces phase runs (processes.ts uses the 'processes' phase)", async () => {
    // The namespaces cleanup polls the sleeper's /proc state for up to 3 s: it must find it dead (a zombie,
    // since its parent, blocked in this handler, cannot reap it) or gone, because SIGKILL came first.
    const script = `
const fs = require('node:fs');
const { spawnManaged } = require('./e2e/harness/processes');
const { onExitCleanup } = require('./e2e/harness/exitcleanup');
const state = (pid) => { try { return fs.readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1][0]; } catch { return 'gone'; } };
(async () => {
  const p = await spawnManaged('sleeper', 'sleep', { args: ['600'], logFile: process.env.LOG });
  onExitCleanup('namespaces', 'check', () => {
    const until = Date.now() + 3000;
    let s = state(p.pid);
    while (s !== 'Z' && s !== 'gone' && Date.now() < until) s = state(p.pid);
    fs.writeSync(1, 'sleeper ' + (s === 'Z' || s === 'gone' ? 'dead' : 'alive') + '\\n');
  });
  fs.writeSync(1, 'READY\\n');
  setInterval(() => {}, 1000);
})();`;
    const log = path.join(REPO_ROOT, 'e2e', '.run', `exitcleanup-${process.pid}.log`);
    const r = await runChild(`process.env.LOG = ${JSON.stringify(log)};\n${script}`, (pid) =>
      process.kill(pid, 'SIGTERM'),
    );
    expect(r.lines).toEqual(['sleeper dead']);
  });
});
