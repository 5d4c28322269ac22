// Records the first messages real BGP routers send, for the golden-byte tests (golden.test.ts).
//
//   sudo PATH=$PWD/node_modules/.bin:$PATH node -r ts-node/register/transpile-only \
//     speaker/bgp/testdata/capture.ts [frr] [bird] [gobgp]
//
// It creates two network namespaces joined by a veth pair (192.0.2.0/24 and 2001:db8::/64, documentation
// ranges only; nothing on the host is touched), runs a TCP listener in one (this script again, with --listen),
// starts the router in the other, configured to peer with the listener and to announce one IPv4 and one IPv6
// prefix. The listener answers the router's OPEN with this speaker's OPEN (fsm/open.ts) and a KEEPALIVE, so
// the router also sends KEEPALIVE, UPDATEs and End-of-RIB (the OPEN offers graceful restart, without which FRR
// sends no End-of-RIB); every message received is written, one hex line each, to <router>.hex. The listener
// then announces routes packed by packer.ts (testdata/speakerroutes.ts), recorded in <router>-sent.hex, and
// the router's table is saved to <router>-rib.txt.
// Everything created is deleted on the way out, and only the processes started here are stopped, by PID.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode, frame } from '../codec/message';
import { adminShutdown } from '../codec/notification';
import { LISTENER_AS, LISTENER_CTX, listenerOpen, speakerUpdates } from './speakerroutes';

const LISTENER_V4 = '192.0.2.1';
const ROUTER_V4 = '192.0.2.2';
const LISTENER_V6 = '2001:db8::1';
const ROUTER_V6 = '2001:db8::2';
const GOBGP_DIR = process.env.GOBGP_DIR ?? '/work/main/e2e/.cache/bin/gobgp-v3.37.0';

interface Router {
  readonly description: string;
  /** Writes its config into `dir` and returns the command that runs it in the foreground. */
  readonly command: (dir: string) => string[];
  /** Commands to run (in the router's namespace) once it is up, e.g. to add routes. */
  readonly afterStart?: string[][];
  /** Commands that print the router's table, to show what it made of the speaker's UPDATEs. */
  readonly rib: (dir: string) => string[][];
}

const ROUTERS: Record<string, Router> = {
  frr: {
    description: 'FRR bgpd, AS 64501, IPv4 and IPv6 unicast',
    command: (dir) => {
      writeFileSync(
        join(dir, 'bgpd.conf'),
        [
          'frr defaults traditional',
          'hostname capture',
          'router bgp 64501',
          ` bgp router-id ${ROUTER_V4}`,
          ' no bgp ebgp-requires-policy',
          ' no bgp network import-check',
          ` neighbor ${LISTENER_V4} remote-as ${LISTENER_AS}`,
          ` neighbor ${LISTENER_V4} timers connect 1`,
          ' address-family ipv4 unicast',
          '  network 203.0.113.0/24',
          ' exit-address-family',
          ' address-family ipv6 unicast',
          `  neighbor ${LISTENER_V4} activate`,
          '  network 2001:db8:100::/48',
          ' exit-address-family',
          '',
        ].join('\n'),
      );
      return [
        '/usr/lib/frr/bgpd',
        ...['-f', join(dir, 'bgpd.conf'), '-i', join(dir, 'bgpd.pid'), '-z', join(dir, 'zserv')],
        ...['--vty_socket', dir, '-Z', '-n', '-P', '0', '-S', '--log', 'stdout'],
      ];
    },
    rib: (dir) => [
      ['vtysh', '--vty_socket', dir, '-d', 'bgpd', '-c', 'show bgp ipv4 unicast'],
      ['vtysh', '--vty_socket', dir, '-d', 'bgpd', '-c', 'show bgp ipv4 unicast 198.51.100.10/32'],
      ['vtysh', '--vty_socket', dir, '-d', 'bgpd', '-c', 'show bgp ipv6 unicast'],
      ['vtysh', '--vty_socket', dir, '-d', 'bgpd', '-c', 'show bgp ipv6 unicast 2001:db8:200::10/128'],
    ],
  },
  bird: {
    description: 'BIRD 2, AS 64502, IPv4 and IPv6 channels',
    command: (dir) => {
      writeFileSync(
        join(dir, 'bird.conf'),
        [
          `router id ${ROUTER_V4};`,
          'protocol device {}',
          'protocol static s4 { ipv4; route 203.0.113.0/24 blackhole; }',
          'protocol static s6 { ipv6; route 2001:db8:100::/48 blackhole; }',
          'protocol bgp capture {',
          `  local ${ROUTER_V4} as 64502;`,
          `  neighbor ${LISTENER_V4} as ${LISTENER_AS};`,
          '  connect delay time 1;',
          '  ipv4 { import all; export all; };',
          `  ipv6 { import all; export all; next hop address ${ROUTER_V6}; };`,
          '}',
          '',
        ].join('\n'),
      );
      return [
        'bird',
        '-f',
        '-c',
        join(dir, 'bird.conf'),
        '-s',
        join(dir, 'bird.ctl'),
        '-P',
        join(dir, 'bird.pid'),
      ];
    },
    rib: (dir) => [['birdc', '-s', join(dir, 'bird.ctl'), 'show route protocol capture all']],
  },
  gobgp: {
    description: 'GoBGP 3.37, AS 4200000001 (4-octet), IPv4 and IPv6 unicast',
    command: (dir) => {
      writeFileSync(
        join(dir, 'gobgpd.toml'),
        [
          '[global.config]',
          '  as = 4200000001',
          `  router-id = "${ROUTER_V4}"`,
          '  port = -1',
          '[[neighbors]]',
          '  [neighbors.config]',
          `    neighbor-address = "${LISTENER_V4}"`,
          `    peer-as = ${LISTENER_AS}`,
          '  [neighbors.timers.config]',
          '    connect-retry = 1',
          '  [[neighbors.afi-safis]]',
          '    [neighbors.afi-safis.config]',
          '      afi-safi-name = "ipv4-unicast"',
          '  [[neighbors.afi-safis]]',
          '    [neighbors.afi-safis.config]',
          '      afi-safi-name = "ipv6-unicast"',
          '',
        ].join('\n'),
      );
      return [join(GOBGP_DIR, 'gobgpd'), '-f', join(dir, 'gobgpd.toml'), '--api-hosts', '127.0.0.1:50051'];
    },
    rib: () => [
      [join(GOBGP_DIR, 'gobgp'), '-u', '127.0.0.1', 'global', 'rib', '-a', 'ipv4'],
      [join(GOBGP_DIR, 'gobgp'), '-u', '127.0.0.1', 'global', 'rib', '-a', 'ipv6'],
    ],
    afterStart: [
      [join(GOBGP_DIR, 'gobgp'), '-u', '127.0.0.1', 'global', 'rib', 'add', '203.0.113.0/24', '-a', 'ipv4'],
      [
        join(GOBGP_DIR, 'gobgp'),
        '-u',
        '127.0.0.1',
        'global',
        'rib',
        'add',
        '2001:db8:100::/48',
        '-a',
        'ipv6',
      ],
    ],
  },
};

function run(args: string[]): void {
  execFileSync(args[0] ?? 'false', args.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- listener mode: runs inside the listener namespace ----

/**
 * Accepts the router's connection, answers its OPEN with ours and, once its KEEPALIVE arrives, announces the
 * speaker's routes; prints `routes-sent`, and records everything until the driver writes `finish` on stdin.
 */
async function listen(name: string, out: string, sentOut: string): Promise<void> {
  const lines: string[] = [];
  const sentLines: string[] = [];
  let buffered = Buffer.alloc(0);
  let sentOpen = false;
  let sentRoutes = false;
  await new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, 40_000);
    const server = createServer((socket: Socket) => {
      server.close();
      process.stdin.on('data', () => {
        clearTimeout(deadline);
        socket.end(encode({ type: 'notification', ...adminShutdown('capture done') }));
        setTimeout(resolve, 200);
      });
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        for (;;) {
          const f = frame(buffered);
          if (f.status !== 'message') break;
          const message = buffered.subarray(0, f.length);
          buffered = buffered.subarray(f.length);
          const decoded = decode(message, LISTENER_CTX);
          const kind = decoded.ok ? decoded.value.type : `undecodable (${decoded.error.reason})`;
          lines.push(`# ${kind}`, message.toString('hex'));
          if (decoded.ok && decoded.value.type === 'open' && !sentOpen) {
            sentOpen = true;
            for (const m of [listenerOpen(), { type: 'keepalive' as const }]) {
              const bytes = encode(m, LISTENER_CTX);
              sentLines.push(bytes.toString('hex'));
              socket.write(bytes);
            }
          }
          if (decoded.ok && decoded.value.type === 'keepalive' && sentOpen && !sentRoutes) {
            sentRoutes = true;
            for (const m of speakerUpdates()) {
              const bytes = encode(m, LISTENER_CTX);
              sentLines.push(bytes.toString('hex'));
              socket.write(bytes);
            }
            setTimeout(() => process.stdout.write('routes-sent\n'), 1000);
          }
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    server.listen(179, LISTENER_V4, () => process.stdout.write('listening\n'));
  });
  const header = [`# ${name}: ${ROUTERS[name]?.description ?? name}`, '# one message a line, as received'];
  writeFileSync(out, [...header, ...lines, ''].join('\n'));
  const sentHeader = [
    `# sent to ${name} by the capture listener (testdata/speakerroutes.ts), one message a line`,
  ];
  writeFileSync(sentOut, [...sentHeader, ...sentLines, ''].join('\n'));
  process.stdout.write(`${name}: ${lines.length / 2} messages received, ${sentLines.length} sent\n`);
  process.exit(0);
}

// ---- driver mode: sets up the namespaces and runs one router at a time ----

async function captureOne(name: string, router: Router, nsL: string, nsR: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `ironlb-capture-${name}-`));
  const started: ChildProcess[] = [];
  try {
    const out = join(__dirname, `${name}.hex`);
    const sentOut = join(__dirname, `${name}-sent.hex`);
    const listener = spawn(
      'ip',
      [
        'netns',
        'exec',
        nsL,
        process.execPath,
        '-r',
        'ts-node/register/transpile-only',
        __filename,
        '--listen',
        name,
        out,
        sentOut,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    started.push(listener);
    const done = new Promise<void>((resolve) => listener.on('exit', () => resolve()));
    let routesSent: () => void = () => undefined;
    const sent = new Promise<void>((resolve) => (routesSent = resolve));
    await new Promise<void>((resolve, reject) => {
      listener.stdout?.on('data', (d: Buffer) => {
        process.stdout.write(d);
        if (d.toString().includes('listening')) resolve();
        if (d.toString().includes('routes-sent')) routesSent();
      });
      listener.on('exit', () => reject(new Error('listener exited early')));
    });
    const cmd = router.command(dir);
    const proc = spawn('ip', ['netns', 'exec', nsR, ...cmd], {
      stdio: ['ignore', process.env.CAPTURE_ROUTER_LOG === '1' ? 'inherit' : 'ignore', 'inherit'],
    });
    started.push(proc);
    for (const extra of router.afterStart ?? []) {
      await sleep(1500);
      run(['ip', 'netns', 'exec', nsR, ...extra]);
    }
    await Promise.race([sent, sleep(30_000)]);
    await sleep(2000); // let the router take in the routes and send its own End-of-RIB
    const rib = router.rib(dir).map((cmd) => {
      const text = execFileSync('ip', ['netns', 'exec', nsR, ...cmd], { encoding: 'utf8' });
      return `$ ${cmd.map((c) => (c.startsWith(dir) ? c.replace(dir, '<dir>') : c)).join(' ')}\n${text}`;
    });
    writeFileSync(
      join(__dirname, `${name}-rib.txt`),
      `# ${name}'s table after the listener's UPDATEs\n${rib.join('\n')}`,
    );
    listener.stdin?.end('finish\n');
    await done;
  } finally {
    // `ip netns exec` execs the command, so each PID is the process itself.
    const stop = (signal: NodeJS.Signals) => {
      for (const p of started) {
        if (p.exitCode !== null || p.signalCode !== null || p.pid === undefined) continue;
        try {
          process.kill(p.pid, signal);
        } catch {
          /* exited meanwhile */
        }
      }
    };
    stop('SIGTERM');
    await sleep(500);
    stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--listen')
    return listen(argv[1] ?? 'router', argv[2] ?? 'capture.hex', argv[3] ?? 'sent.hex');
  const names = argv.length > 0 ? argv : Object.keys(ROUTERS);
  const tag = String(process.pid % 100000);
  const nsL = `ilbcap-l-${tag}`;
  const nsR = `ilbcap-r-${tag}`;
  const vethL = `ilbl${tag}`;
  const vethR = `ilbr${tag}`;
  const created: string[] = [];
  const cleanup = () => {
    for (const ns of created.splice(0)) {
      try {
        run(['ip', 'netns', 'del', ns]); // deleting a namespace deletes the veth end inside it
      } catch {
        /* already gone */
      }
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    for (const ns of [nsL, nsR]) {
      run(['ip', 'netns', 'add', ns]);
      created.push(ns);
    }
    run(['ip', 'link', 'add', vethL, 'netns', nsL, 'type', 'veth', 'peer', 'name', vethR, 'netns', nsR]);
    const cfg = (ns: string, dev: string, v4: string, v6: string) => {
      run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      run(['ip', '-n', ns, 'addr', 'add', `${v4}/24`, 'dev', dev]);
      run(['ip', '-n', ns, 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad']);
      run(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    };
    cfg(nsL, vethL, LISTENER_V4, LISTENER_V6);
    cfg(nsR, vethR, ROUTER_V4, ROUTER_V6);
    for (const name of names) {
      const router = ROUTERS[name];
      if (router === undefined)
        throw new Error(`unknown router ${name}; expected ${Object.keys(ROUTERS).join(', ')}`);
      if (name === 'gobgp' && !existsSync(join(GOBGP_DIR, 'gobgpd'))) {
        process.stdout.write(`gobgp: ${GOBGP_DIR}/gobgpd not found, skipped\n`);
        continue;
      }
      await captureOne(name, router, nsL, nsR);
    }
  } finally {
    cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
});
