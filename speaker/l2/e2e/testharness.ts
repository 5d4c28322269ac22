// A process the L2 end-to-end test starts inside a network namespace (`ip netns exec <ns> node -r
// ts-node/register/transpile-only speaker/l2/e2e/testharness.ts`). It runs a real Announcer on linuxL2Io and
// takes one JSON command a line on stdin, answering one JSON line on stdout:
//   {"id":1,"op":"announce","ip":"192.0.2.200","interfaces":["eth0"]}   (or "all")
//   {"id":2,"op":"withdraw","ip":"192.0.2.200"}
//   {"id":3,"op":"state"}                      -> interfaces and counters
//   {"id":4,"op":"send","ifname":"eth0","protocol":"ndp","hex":"3333..."}  (raw frame out of a packet socket)
import * as readline from 'node:readline';
import { Announcer, L2Counters } from '../announcer';
import { ARP_REQUEST_FILTER } from '../bpf';
import { linuxL2Io } from '../io';
import { readInterfaces } from '../sys/netlink-socket';
import { PacketSocket } from '../sys/packet-socket';

const counters = new L2Counters();
const errors: string[] = [];
const announcer = new Announcer({
  io: linuxL2Io({ onSocketError: (e) => errors.push(e.message) }),
  metrics: counters,
  onError: (e) => errors.push(e.message),
});
announcer.start();

const out = (msg: object): void => void process.stdout.write(`${JSON.stringify(msg)}\n`);

function handle(cmd: Record<string, unknown>): object {
  switch (cmd.op) {
    case 'announce':
      announcer.announce(String(cmd.ip), cmd.interfaces === 'all' ? 'all' : (cmd.interfaces as string[]));
      return {};
    case 'withdraw':
      announcer.withdraw(String(cmd.ip));
      return {};
    case 'state':
      return { interfaces: announcer.interfaces(), counters: counters.toJSON(), errors };
    case 'send': {
      const link = readInterfaces().links.find((l) => l.name === cmd.ifname);
      if (link === undefined) throw new Error(`no interface ${String(cmd.ifname)}`);
      const sock = PacketSocket.open({
        ifname: link.name,
        ifindex: link.index,
        protocol: cmd.protocol === 'arp' ? 'arp' : 'ndp',
        filter: ARP_REQUEST_FILTER,
        onFrame: () => undefined,
      });
      try {
        sock.send(Buffer.from(String(cmd.hex), 'hex'));
      } finally {
        sock.close();
      }
      return {};
    }
    default:
      throw new Error(`unknown op ${String(cmd.op)}`);
  }
}

readline
  .createInterface({ input: process.stdin })
  .on('line', (line) => {
    let id: unknown;
    try {
      const cmd = JSON.parse(line) as Record<string, unknown>;
      id = cmd.id;
      out({ id, ok: true, ...handle(cmd) });
    } catch (err) {
      out({ id, ok: false, error: (err as Error).message });
    }
  })
  .on('close', () => {
    announcer.stop();
    process.exit(0);
  });
out({ ready: true, pid: process.pid });
