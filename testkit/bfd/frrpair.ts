// Two network namespaces joined by a veth pair (192.0.2.0/24 only), FRR bfdd in one and speaker/bfd
// (testkit/bfd/peerprocess.ts) in the other, for bench/bfd.bench.ts and speaker/bfd/bfd.e2e.test.ts. Needs
// root. `close` stops its own processes by PID and deletes its namespaces, whatever state they are in.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

export const FRR_IP = '192.0.2.1';
export const SPEAKER_IP = '192.0.2.2';

export interface FrrPeerJson {
  peer: string;
  status: string;
  diagnostic?: string;
  'remote-diagnostic'?: string;
  'receive-interval'?: number;
  'transmit-interval'?: number;
  'remote-receive-interval'?: number;
  'remote-transmit-interval'?: number;
}

export interface FrrPair {
  /** ironlb's state changes ('up' from its metrics observer, 'down' from onDown), wall clock. */
  readonly events: { event: string; at: number }[];
  frrPeer(): FrrPeerJson | undefined;
  /** Takes the veth down (or up) on FRR's side; returns the wall clock just before. */
  setLink(up: boolean): number;
  /** Ends the speaker's stdin: it closes its sessions (AdminDown) and exits. */
  stopSpeaker(): void;
  close(): void;
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(
  what: string,
  check: () => boolean,
  timeoutMs = 10_000,
  stepMs = 10,
): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
  return Date.now();
}

/** Starts bfdd with `profile` ms x mult for the speaker's address and the speaker with the same profile. */
export async function startFrrPair(profile = { rx: 100, tx: 100, mult: 3 }): Promise<FrrPair> {
  const id = randomBytes(3).toString('hex');
  const nsFrr = `ilb-${id}-f`;
  const nsSpk = `ilb-${id}-s`;
  const ifFrr = `ilb-${id}f`;
  const ifSpk = `ilb-${id}s`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ilb-bfd-'));
  const children: ChildProcess[] = [];
  const ipn = (ns: string, ...args: string[]) => sh('ip', ['-n', ns, ...args]);
  const close = (): void => {
    for (const c of children.reverse()) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGTERM');
    const pidFile = path.join(dir, 'bfdd.pid');
    try {
      if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (const ns of [nsFrr, nsSpk]) {
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        /* not created */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    sh('ip', ['netns', 'add', nsFrr]);
    sh('ip', ['netns', 'add', nsSpk]);
    sh('ip', ['link', 'add', ifFrr, 'netns', nsFrr, 'type', 'veth', 'peer', 'name', ifSpk, 'netns', nsSpk]);
    ipn(nsFrr, 'addr', 'add', `${FRR_IP}/24`, 'dev', ifFrr);
    ipn(nsSpk, 'addr', 'add', `${SPEAKER_IP}/24`, 'dev', ifSpk);
    for (const [ns, dev] of [
      [nsFrr, ifFrr],
      [nsSpk, ifSpk],
    ] as const) {
      ipn(ns, 'link', 'set', dev, 'up');
      ipn(ns, 'link', 'set', 'lo', 'up');
    }
    fs.chmodSync(dir, 0o777); // bfdd drops to the frr user
    const conf = path.join(dir, 'bfdd.conf');
    fs.writeFileSync(
      conf,
      `bfd\n peer ${SPEAKER_IP} local-address ${FRR_IP}\n  receive-interval ${profile.rx}\n` +
        `  transmit-interval ${profile.tx}\n  detect-multiplier ${profile.mult}\n !\n!\n`,
    );
    fs.chmodSync(conf, 0o644);
    const bfddArgs = ['-f', conf, '-i', path.join(dir, 'bfdd.pid'), '--vty_socket', dir];
    const bfdd = spawn(
      'ip',
      ['netns', 'exec', nsFrr, '/usr/lib/frr/bfdd', ...bfddArgs, '-z', path.join(dir, 'z')],
      {
        stdio: 'ignore',
      },
    );
    children.push(bfdd);
    await until('bfdd vty', () => fs.existsSync(path.join(dir, 'bfdd.vty')));
    const root = path.join(__dirname, '..', '..');
    const script = path.join(root, 'testkit', 'bfd', 'peerprocess.ts');
    const args = [script, FRR_IP, String(profile.rx), String(profile.tx), String(profile.mult)];
    const speaker = spawn(
      'ip',
      ['netns', 'exec', nsSpk, process.execPath, '-r', 'ts-node/register/transpile-only', ...args],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
        cwd: root,
      },
    );
    children.push(speaker);
    const events: { event: string; at: number }[] = [];
    readline
      .createInterface({ input: speaker.stdout })
      .on('line', (l) => events.push(JSON.parse(l) as never));
    return {
      events,
      frrPeer: () => {
        const out = sh('vtysh', ['--vty_socket', dir, '-c', 'show bfd peers json']);
        return (JSON.parse(out) as FrrPeerJson[]).find((p) => p.peer === SPEAKER_IP);
      },
      setLink: (up) => {
        const at = Date.now();
        ipn(nsFrr, 'link', 'set', ifFrr, up ? 'up' : 'down');
        return at;
      },
      stopSpeaker: () => speaker.stdin?.end(),
      close: () => {
        speaker.stdin?.end();
        close();
      },
    };
  } catch (err) {
    close();
    throw err;
  }
}
