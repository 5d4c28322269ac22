// Proves the simulated network the e2e suites run in: namespaces, L2 reachability in both families, the
// multihop leg, node backends with ARP-hidden service addresses, the L2 probes, management access to the
// root namespace's loopback, an untouched root namespace, and a complete teardown. Needs root.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import {
  listNamespaces,
  namespacePids,
  run,
  addServiceAddress,
  httpGetFrom,
  startBackend,
  exposeNamespacePort,
  exposeRootPort,
  createWorld,
  type World,
  arpOf,
  ndpOf,
  arping,
  flushNeighbours,
  ndisc6,
  neighbourMac,
  neighbours,
  startCapture,
  rootNetSnapshot,
  type RootNetSnapshot,
} from '../harness/net';
import { freePorts } from '../harness/ports';
import { get, waitFor } from '../harness/readiness';

jest.setTimeout(60_000);

let world: World | undefined;
let rootBefore: RootNetSnapshot;

function w(): World {
  if (world === undefined) throw new Error('world did not start (see beforeAll)');
  return world;
}

async function ping(from: string, ip: string): Promise<void> {
  const family = ip.includes(':') ? '-6' : '-4';
  const r = await w().exec(from, ['ping', family, '-c', '1', '-W', '2', ip], { allowFailure: true });
  if (r.code !== 0) throw new Error(`ping ${ip} from ${from} failed:\n${r.stdout}${r.stderr}`);
}

beforeAll(async () => {
  expect(process.getuid?.()).toBe(0);
  rootBefore = await rootNetSnapshot();
  world = await createWorld({
    nodes: 3,
    multihop: true,
    management: true,
    secondaryLan: true,
    peers: [
      { role: 'ebgpsingle', segment: 'lan' },
      { role: 'ebgpmulti', segment: 'far' },
    ],
  });
});

afterAll(async () => {
  await world?.destroy();
});

describe('network world', () => {
  test('creates one prefixed namespace per host and per segment', async () => {
    const names = await listNamespaces();
    const mine = names.filter((n) => n.startsWith(`${w().prefix}-`)).sort();
    expect(mine).toEqual(
      [
        'client',
        'ebgpmulti',
        'ebgpsingle',
        'far',
        'farrouter',
        'lan',
        'lan2',
        'mgmt',
        'node1',
        'node2',
        'node3',
        'router',
      ]
        .map((r) => `${w().prefix}-${r}`)
        .sort(),
    );
    expect(w().prefix).toMatch(/^ilb-[0-9a-f]{6}$/);
    expect(fs.readFileSync(path.join(w().runDir, 'namespaces'), 'utf8').trim().split('\n').sort()).toEqual(
      mine,
    );
  });

  test('every host interface carries its planned IPv4 and IPv6 address and no default route', async () => {
    for (const h of w().hosts) {
      const addrs = (await w().ip(h.role, ['-j', 'addr', 'show'])).stdout;
      for (const i of h.interfaces) {
        expect(addrs).toContain(`"local":"${i.v4}","prefixlen":${i.v4Prefix}`);
        expect(addrs).toContain(`"local":"${i.v6}","prefixlen":${i.v6Prefix}`);
      }
      // Nothing can leave the documentation ranges: an address outside them has no route at all.
      const out = await w().ip(h.role, ['route', 'get', '198.18.0.1'], { allowFailure: true });
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(/unreachable/i);
    }
  });

  test('client and every node reach each other on IPv4 and IPv6', async () => {
    const client = w().client.primary;
    for (const n of w().nodes) {
      for (const ip of [n.primary.v4, n.primary.v6]) await ping('client', ip);
      for (const ip of [client.v4, client.v6]) await ping(n.role, ip);
    }
    await ping('node1', w().host('node3').primary.v6);
    await ping('router', w().host('node2').primary.v4);
    for (const n of w().nodes) await ping(n.role, w().host('mgmt').primary.v6);
  });

  test('the far router is one routed hop away from the nodes, in both families', async () => {
    const far = w().farRouter;
    if (far === undefined) throw new Error('multihop world has no far router');
    for (const n of w().nodes) {
      await ping(n.role, far.primary.v4);
      await ping(n.role, far.primary.v6);
    }
    const trace = await w().exec('farrouter', ['ping', '-c', '1', '-W', '2', w().host('node1').primary.v4]);
    // TTL 63: decremented once, by the router.
    expect(trace.stdout).toMatch(/ttl=63/);
  });

  test('linkDown takes a host off every segment and linkUp brings it back with its routes', async () => {
    const node3 = w().host('node3');
    const far = w().farRouter;
    if (far === undefined) throw new Error('multihop world has no far router');
    const eth1 = node3.interfaces.find((i) => i.ifname === 'eth1');
    if (eth1 === undefined) throw new Error('node3 has no eth1');
    await w().linkDown('node3');
    for (const ip of [node3.primary.v4, node3.primary.v6, eth1.v4]) {
      await expect(ping('client', ip)).rejects.toThrow(/failed/);
    }
    await w().linkUp('node3');
    // The client's neighbour entries for node3 went FAILED meanwhile; the kernel resolves them again on the
    // next packets, which may take a retry.
    for (const ip of [node3.primary.v4, node3.primary.v6, eth1.v4, eth1.v6]) {
      await waitFor(`client reaches ${ip} again`, () => ping('client', ip).then(() => true), {
        timeoutMs: 10_000,
      });
    }
    // The kernel dropped the routes through the downed link; they are back, so the far segment is reachable.
    await ping('node3', far.primary.v4);
    await ping('node3', far.primary.v6);
  });

  test('the second lan connects every node eth1 to the client eth1, and only them', async () => {
    for (const n of w().nodes) {
      const eth1 = n.interfaces.find((i) => i.ifname === 'eth1');
      if (eth1 === undefined) throw new Error(`${n.role} has no eth1`);
      expect(eth1.mac).not.toBe(n.primary.mac);
      await ping('client', eth1.v4);
      await ping('client', eth1.v6);
      // The kernel picks eth1 for lan2 addresses: an ARP from the client's eth1 is answered with eth1's MAC.
      expect((await arping(w(), eth1.v4, { iface: 'eth1' })).macs).toEqual([eth1.mac]);
    }
    const r = await w().exec(
      'router',
      ['ping', '-c', '1', '-W', '1', w().host('node1').interfaces[1]?.v4 ?? ''],
      { allowFailure: true },
    );
    expect(r.code).not.toBe(0);
  });

  test('extra peers sit on their segments and reach the nodes directly or through the router', async () => {
    const [single, multi] = w().peers;
    if (single === undefined || multi === undefined) throw new Error('peers missing');
    expect(single.primary.v4).toBe('192.0.2.3');
    expect(multi.primary.v4).toBe('203.0.113.3');
    for (const n of w().nodes) {
      await ping(single.role, n.primary.v4);
      await ping(multi.role, n.primary.v6);
    }
    expect(
      (await w().exec(multi.role, ['ping', '-c', '1', '-W', '2', w().host('node1').primary.v4])).stdout,
    ).toMatch(/ttl=63/);
  });

  test('probes see ARP and NDP on the wire and in the client neighbour table', async () => {
    const node2 = w().host('node2').primary;
    await flushNeighbours(w());
    const capture = await startCapture(w(), 'arp or icmp6');
    const a = await arping(w(), node2.v4, { count: 2 });
    expect(a.macs).toEqual([node2.mac]);
    const n = await ndisc6(w(), node2.v6);
    expect(n.macs).toEqual([node2.mac]);
    await capture.waitFor('ARP reply from node2', (p) => {
      const m = arpOf(p);
      return m?.op === 'reply' && m.ip === node2.v4 && m.mac === node2.mac;
    });
    await capture.waitFor(
      'NA from node2',
      (p) => ndpOf(p)?.type === 'advertisement' && p.srcMac === node2.mac,
    );
    const packets = await capture.stop();
    expect(packets.some((p) => arpOf(p)?.op === 'request')).toBe(true);

    await ping('client', node2.v4);
    await ping('client', node2.v6);
    expect(await neighbourMac(w(), node2.v4)).toBe(node2.mac);
    expect(await neighbourMac(w(), node2.v6)).toBe(node2.mac);
    const table = await neighbours(w(), { dev: 'eth0' });
    expect(table.every((e) => e.dev === 'eth0' || e.dev === '')).toBe(true);
  });

  test('a service address on a node lo is never answered by the kernel, yet is served once the client knows the MAC', async () => {
    const node1 = w().host('node1');
    const vip4 = '192.0.2.200';
    const vip6 = '2001:db8:1::ff00';
    await addServiceAddress(w(), 'node1', vip4);
    await addServiceAddress(w(), 'node1', vip6);
    await startBackend(w(), 'node1', 8080);
    // Without a speaker nobody may answer for the address.
    expect((await arping(w(), vip4, { count: 2 })).replies).toEqual([]);
    expect((await ndisc6(w(), vip6)).macs).toEqual([]);
    // Play the speaker's part by hand: point the client at node1's MAC.
    for (const vip of [vip4, vip6]) {
      await w().ip('client', [
        'neigh',
        'replace',
        vip,
        'lladdr',
        node1.primary.mac,
        'dev',
        'eth0',
        'nud',
        'permanent',
      ]);
      const answer = await httpGetFrom(w(), 'client', vip);
      expect(answer.node).toBe('node1');
      expect(answer.local.replace(/^::ffff:/, '')).toBe(vip);
      expect(answer.remote.replace(/^::ffff:/, '')).toBe(
        vip.includes(':') ? w().client.primary.v6 : w().client.primary.v4,
      );
    }
    await w().ip('client', ['neigh', 'del', vip4, 'dev', 'eth0']);
    await w().ip('client', ['neigh', 'del', vip6, 'dev', 'eth0']);
  });

  test('management: a node namespace reaches a root loopback service at the same address, and back', async () => {
    // Stand-in for the apiserver: a plain TCP/HTTP service on the root namespace's 127.0.0.1.
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('no free port');
    const server = http.createServer((req, res) => res.end(`root saw ${req.url ?? ''}`));
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port }, r));
    try {
      const fwd = await exposeRootPort(w(), port);
      expect(fwd.processes).toHaveLength(1 + w().nodes.length);
      for (const n of w().nodes) {
        const r = await w().exec(n.role, [
          'curl',
          '--silent',
          '--show-error',
          '--noproxy',
          '*',
          '--max-time',
          '3',
          `http://127.0.0.1:${port}/from-${n.role}`,
        ]);
        expect(r.stdout).toBe(`root saw /from-${n.role}`);
      }
      // The client was not given access: its 127.0.0.1:port is closed.
      const denied = await w().exec(
        'client',
        ['curl', '--silent', '--max-time', '3', `http://127.0.0.1:${port}/`],
        { allowFailure: true },
      );
      expect(denied.code).not.toBe(0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    // Reverse direction: the test reads a port that only exists inside node2 (a metrics endpoint, later).
    await startBackend(w(), 'node2', 9100);
    const back = await exposeNamespacePort(w(), 'node2', 9100);
    let body = '';
    await waitFor(
      'root reaches node2:9100',
      async () => {
        body = (await get(`http://127.0.0.1:${back.port}/metrics`)).body;
        return true;
      },
      { timeoutMs: 10_000 },
    );
    expect(JSON.parse(body)).toMatchObject({ node: 'node2', path: '/metrics' });
  });

  test('processes started in the world run in their namespace and are recorded by PID', async () => {
    const procs = w()
      .processes()
      .filter((p) => p.running);
    expect(procs.length).toBeGreaterThan(0);
    for (const p of procs) {
      const rec = fs
        .readFileSync(path.join(w().runDir, 'pids', `${p.name}.pid`), 'utf8')
        .trim()
        .split(' ');
      expect(Number(rec[0])).toBe(p.pid);
    }
    const backend = procs.find((p) => p.name === 'backend-node1-8080');
    if (backend === undefined) throw new Error('backend-node1-8080 is not running');
    expect(await namespacePids(w().ns('node1'))).toContain(backend.pid);
    expect(await namespacePids(w().ns('node2'))).not.toContain(backend.pid);
  });

  test('the root namespace gained no link, address or route', async () => {
    expect(await rootNetSnapshot()).toEqual(rootBefore);
  });

  test('destroy removes every namespace and process of the world, and only those', async () => {
    const mine = w().namespaces();
    const pids = w()
      .processes()
      .map((p) => p.pid);
    const others = (await listNamespaces()).filter((n) => !n.startsWith(`${w().prefix}-`));
    const t = Date.now();
    await w().destroy();
    const took = Date.now() - t;
    const after = await listNamespaces();
    expect(after.filter((n) => n.startsWith(`${w().prefix}-`))).toEqual([]);
    // Other runs' namespaces (a parallel jest worker's world) are untouched.
    for (const n of others) {
      if (n.startsWith('ilb-')) expect(after).toContain(n);
    }
    for (const pid of pids) expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(fs.readdirSync(path.join(w().runDir, 'pids'))).toEqual([]);
    expect(mine.length).toBe(12);
    expect(took).toBeLessThan(15_000);
    expect(await rootNetSnapshot()).toEqual(rootBefore);
    // Idempotent.
    await w().destroy();
    const r = await run(['ip', 'netns', 'list']);
    expect(r.stdout).not.toContain(w().prefix);
  });
});
