// Proves the two safety nets behind World.destroy(): a run that is told to stop (SIGTERM, SIGINT) cleans up
// its own world, and a run that is SIGKILLed leaves a world that scripts/e2e-clean.sh removes from the run
// record alone. Each case runs a real world, with FRR in it, in a child Node process. Needs root.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listNamespaces, run } from '../harness/net';
import { REPO_ROOT } from '../harness/paths';
import { waitFor } from '../harness/readiness';

jest.setTimeout(90_000);

// The child: a world with FRR in the router namespace (zebra changes user, which makes the kernel drop the
// parent-death signal processes.ts relies on, so it is the process most likely to outlive a crash), then
// "READY <runDir> <prefix> <pid>..." on stdout, then it idles until killed.
const CHILD = `
const { createWorld } = require('./e2e/harness/net');
const { startFrr } = require('./e2e/harness/routers/frr');
(async () => {
  const w = await createWorld({ nodes: 1 });
  await startFrr(w, 'router', { hostname: 'r', asn: 64512, routerId: '192.0.2.1', neighbors: [{ address: '192.0.2.11', asn: 64513 }] });
  await w.spawnIn('node1', 'sleeper', ['sleep', '600']);
  console.log(['READY', w.runDir, w.prefix, ...w.processes().map((p) => p.pid)].join(' '));
  setInterval(() => {}, 1000);
})().catch((e) => { console.error(e); process.exit(1); });
`;

interface Started {
  child: ChildProcess;
  runDir: string;
  prefix: string;
  pids: number[];
  exited: Promise<void>;
}

const children: ChildProcess[] = [];

async function startChild(): Promise<Started> {
  const node = path.join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  const child = spawn(node, ['-r', 'ts-node/register/transpile-only', '-e', CHILD], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor(
    'child world ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`child exited ${child.exitCode}: ${err}`);
      return out.includes('READY ');
    },
    { timeoutMs: 60_000, maxIntervalMs: 200 },
  );
  const line = out.split('\n').find((l) => l.startsWith('READY ')) ?? '';
  const [, runDir, prefix, ...pids] = line.trim().split(' ');
  if (runDir === undefined || prefix === undefined) throw new Error(`bad READY line: ${line}`);
  return { child, runDir, prefix, pids: pids.map(Number), exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function worldNamespaces(prefix: string): Promise<string[]> {
  return (await listNamespaces()).filter((n) => n.startsWith(`${prefix}-`));
}

afterAll(async () => {
  // Whatever a failed case left: its child, then its world via the clean script.
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await run([path.join(REPO_ROOT, 'scripts', 'e2e-clean.sh')], { allowFailure: true, timeoutMs: 60_000 });
});

describe('cleanup safety nets', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('a run stopped with %s removes its own world', async (signal) => {
    const s = await startChild();
    expect(await worldNamespaces(s.prefix)).toHaveLength(4);
    s.child.kill(signal);
    await s.exited;
    expect(await worldNamespaces(s.prefix)).toEqual([]);
    await waitFor('world processes gone', async () => s.pids.every((p) => !alive(p)), { timeoutMs: 10_000 });
  });

  test('a SIGKILLed run leaves a world that scripts/e2e-clean.sh removes, sparing live runs', async () => {
    const live = await startChild();
    // Other modules add namespaces to a world under its prefix (as the control plane's management namespace once was); they count as in use.
    const extra = `${live.prefix}-extra`;
    await run(['ip', 'netns', 'add', extra]);
    const crashed = await startChild();
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    // Nothing of the crashed child could clean up: the namespaces and at least zebra remain.
    expect(await worldNamespaces(crashed.prefix)).toHaveLength(4);
    const survivors = crashed.pids.filter(alive);
    expect(survivors.length).toBeGreaterThan(0);

    const r = await run([path.join(REPO_ROOT, 'scripts', 'e2e-clean.sh')], { timeoutMs: 60_000 });
    expect(r.stdout).toContain(`deleting namespace ${crashed.prefix}-router`);
    expect(await worldNamespaces(crashed.prefix)).toEqual([]);
    for (const p of crashed.pids) expect({ pid: p, alive: alive(p) }).toEqual({ pid: p, alive: false });
    expect(fs.readdirSync(path.join(crashed.runDir, 'pids'))).toEqual([]);

    // The live run's world is untouched, and it still cleans up after itself.
    expect(r.stdout).toContain(`${path.relative(REPO_ROOT, live.runDir)} is in use`);
    expect(await worldNamespaces(live.prefix)).toHaveLength(5);
    expect(live.pids.every(alive)).toBe(true);
    await run(['ip', 'netns', 'del', extra]);
    live.child.kill('SIGTERM');
    await live.exited;
    expect(await worldNamespaces(live.prefix)).toEqual([]);
  });
});
