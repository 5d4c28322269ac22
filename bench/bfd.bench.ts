// BFD detection time against FRR bfdd (8.4), 100 ms x 3: two network namespaces joined by a veth pair, bfdd in
// one, speaker/bfd (testkit/bfd/peerprocess.ts) in the other. Each trial waits until both sides are Up, cuts the
// link, and measures how long each side takes to declare the session Down (ironlb: its onDown, which drops
// the BGP session; FRR: `show bfd peers json` polled every 10 ms). Then the link comes back. Needs root.
// Prints figures, asserts nothing. Removes its namespaces and stops its processes by PID whatever happens.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

const TRIALS = Number(process.env.IRONLB_BENCH_BFD_TRIALS ?? 5);
const id = randomBytes(3).toString('hex');
const NS_FRR = `ilb-${id}-f`;
const NS_SPK = `ilb-${id}-s`;
const IF_FRR = `ilb-${id}f`;
const IF_SPK = `ilb-${id}s`;
const FRR_IP = '192.0.2.1';
const SPK_IP = '192.0.2.2';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ilb-bfd-'));
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const ipn = (ns: string, ...args: string[]) => sh('ip', ['-n', ns, ...args]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pids: number[] = [];

function frrStatus(): string {
  const out = sh('vtysh', ['--vty_socket', dir, '-c', 'show bfd peers json']);
  const peers = JSON.parse(out) as { peer: string; status: string }[];
  return peers.find((p) => p.peer === SPK_IP)?.status ?? 'none';
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000, stepMs = 10): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
  return Date.now();
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function main(): Promise<void> {
  sh('ip', ['netns', 'add', NS_FRR]);
  sh('ip', ['netns', 'add', NS_SPK]);
  sh('ip', ['link', 'add', IF_FRR, 'netns', NS_FRR, 'type', 'veth', 'peer', 'name', IF_SPK, 'netns', NS_SPK]);
  ipn(NS_FRR, 'addr', 'add', `${FRR_IP}/24`, 'dev', IF_FRR);
  ipn(NS_SPK, 'addr', 'add', `${SPK_IP}/24`, 'dev', IF_SPK);
  for (const [ns, dev] of [
    [NS_FRR, IF_FRR],
    [NS_SPK, IF_SPK],
  ] as const) {
    ipn(ns, 'link', 'set', dev, 'up');
    ipn(ns, 'link', 'set', 'lo', 'up');
  }
  fs.chmodSync(dir, 0o777);
  const conf = path.join(dir, 'bfdd.conf');
  fs.writeFileSync(
    conf,
    `bfd\n peer ${SPK_IP} local-address ${FRR_IP}\n  receive-interval 100\n  transmit-interval 100\n  detect-multiplier 3\n !\n!\n`,
  );
  fs.chmodSync(conf, 0o644);
  const bfdd = spawn(
    'ip',
    [
      'netns',
      'exec',
      NS_FRR,
      '/usr/lib/frr/bfdd',
      '-f',
      conf,
      '-i',
      path.join(dir, 'bfdd.pid'),
      '--vty_socket',
      dir,
      '-z',
      path.join(dir, 'zserv.api'),
    ],
    { stdio: 'ignore' },
  );
  if (bfdd.pid) pids.push(bfdd.pid);
  await until('bfdd vty', () => fs.existsSync(path.join(dir, 'bfdd.vty')));
  const script = path.join(__dirname, '..', 'testkit', 'bfd', 'peerprocess.ts');
  const speaker = spawn(
    'ip',
    [
      'netns',
      'exec',
      NS_SPK,
      process.execPath,
      '-r',
      'ts-node/register/transpile-only',
      script,
      FRR_IP,
      '100',
      '100',
      '3',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: path.join(__dirname, '..') },
  );
  if (speaker.pid) pids.push(speaker.pid);
  const events: { event: string; at: number }[] = [];
  readline.createInterface({ input: speaker.stdout }).on('line', (l) => events.push(JSON.parse(l) as never));
  const ours: number[] = [];
  const theirs: number[] = [];
  const handshakes: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const linkUp = Date.now();
    const seen = events.length;
    // The first trial may see ironlb's Up before `seen` was taken; later ones wait for a new one.
    const from = t === 0 ? 0 : seen;
    await until(
      'both sides Up',
      () => events.slice(from).some((e) => e.event === 'up') && frrStatus() === 'up',
    );
    handshakes.push(Date.now() - linkUp);
    await sleep(1000 + Math.random() * 200);
    const mark = events.length;
    const cut = Date.now();
    ipn(NS_FRR, 'link', 'set', IF_FRR, 'down');
    const frrDown = await until('FRR Down', () => frrStatus() === 'down', 5000, 5);
    await until('ironlb Down', () => events.slice(mark).some((e) => e.event === 'down'), 5000);
    const ourDown = events.slice(mark).find((e) => e.event === 'down')?.at ?? NaN;
    ours.push(ourDown - cut);
    theirs.push(frrDown - cut);
    ipn(NS_FRR, 'link', 'set', IF_FRR, 'up');
  }
  speaker.stdin?.end();
  const line = (name: string, xs: number[]) =>
    console.log(`${name.padEnd(42)} p50 ${pct(xs, 50)} ms  max ${Math.max(...xs)} ms  (${xs.join(', ')})`);
  console.log(`BFD 100 ms x 3 against FRR bfdd, ${TRIALS} link cuts (goal: about 300 ms)`);
  line('ironlb detects the cut (link down -> onDown)', ours);
  line('FRR detects the cut (polled every 5 ms)', theirs);
  line('Up again after the link returns', handshakes.slice(1));
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const pid of pids.reverse()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    const bfddPid = path.join(dir, 'bfdd.pid');
    if (fs.existsSync(bfddPid)) {
      try {
        process.kill(Number(fs.readFileSync(bfddPid, 'utf8').trim()), 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    for (const ns of [NS_FRR, NS_SPK]) {
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        /* not created */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
