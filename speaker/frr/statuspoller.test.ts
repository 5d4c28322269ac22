// FrrStatusPoller on a fake clock, with vtysh answering the real FRR output of testdata/: each change of a
// BGPPeer's state is reported once, a peer that goes is removed, and a vtysh failure is logged once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureLogger } from '../../testkit/capturedlogger';
import { expectedBFD, expectedPeer } from '../../testkit/configfixtures';
import { FakeClock } from '../../testkit/fakeclock';
import type { Peer } from '../../config/types';
import type { PeerSessionState } from './status';
import { FrrStatusPoller } from './statuspoller';

const testdata = (name: string): string => readFileSync(join(__dirname, 'testdata', name), 'utf8');
const fast = expectedBFD({ name: 'fast' });
const v4 = expectedPeer({
  name: 'router-v4',
  myASN: 64513,
  peerASN: 64512,
  address: '192.0.2.1',
  bfdProfile: fast,
});
const v6 = expectedPeer({ name: 'router-v6', myASN: 64513, peerASN: 64512, address: '2001:db8:1::1' });

function world(initial: 'up' | 'down') {
  const answers = {
    neighbors: testdata(initial === 'up' ? 'neighbors-established.json' : 'neighbors-down.json'),
    bfd: testdata(initial === 'up' ? 'bfd-peers-up.json' : 'bfd-peers-down.json'),
  };
  const commands: string[] = [];
  let failure: Error | undefined;
  const changed: PeerSessionState[] = [];
  const removed: PeerSessionState[] = [];
  let peers: Peer[] = [v4, v6];
  const clock = new FakeClock();
  const log = captureLogger('info');
  const poller = new FrrStatusPoller({
    clock,
    logger: log.logger,
    intervalMs: 5000,
    peers: () => peers,
    vtysh: (command) => {
      commands.push(command);
      if (failure) return Promise.reject(failure);
      return Promise.resolve(command.includes('bfd') ? answers.bfd : answers.neighbors);
    },
    observer: { changed: (s) => changed.push(s), removed: (s) => removed.push(s) },
  });
  return {
    poller,
    clock,
    log,
    commands,
    changed,
    removed,
    answers,
    setPeers: (p: Peer[]) => (peers = p),
    fail: (err: Error | undefined) => (failure = err),
  };
}

describe('FrrStatusPoller', () => {
  it('reports each BGPPeer once, then only what changed', async () => {
    const w = world('up');
    await w.poller.poll();
    expect(w.changed.map((s) => [s.peer, s.isEstablished, s.bfdStatus])).toEqual([
      ['router-v4', true, 'up'],
      ['router-v6', true, undefined],
    ]);
    await w.poller.poll();
    expect(w.changed).toHaveLength(2);
    w.answers.neighbors = testdata('neighbors-down.json');
    await w.poller.poll();
    expect(w.changed.slice(2).map((s) => [s.peer, s.state])).toEqual([
      ['router-v4', 'Idle'],
      ['router-v6', 'Idle'],
    ]);
    const lines = w.log.lines().filter((l) => l.msg === 'BGP session state changed');
    expect(lines.at(-1)).toMatchObject({
      peer: 'router-v6',
      address: '2001:db8:1::1:179',
      vrf: 'default',
      state: 'Idle',
      previous: 'Established',
    });
  });
  it('reports a BFD change alone, with the BGP state unchanged', async () => {
    const w = world('up');
    await w.poller.poll();
    w.answers.bfd = testdata('bfd-peers-down.json');
    await w.poller.poll();
    expect(w.changed.slice(2)).toMatchObject([
      { peer: 'router-v4', state: 'Established', bfdStatus: 'down' },
    ]);
  });
  it('asks bfdd only when a BGPPeer has a BFD profile', async () => {
    const w = world('up');
    w.setPeers([v6]);
    await w.poller.poll();
    expect(w.commands).toEqual(['show bgp vrf all neighbors json']);
    w.setPeers([v4]);
    await w.poller.poll();
    expect(w.commands.slice(1)).toEqual(['show bgp vrf all neighbors json', 'show bfd peers json']);
  });
  it('removes a BGPPeer that no longer selects this node, and every one when none is left', async () => {
    const w = world('up');
    await w.poller.poll();
    w.setPeers([v6]);
    await w.poller.poll();
    expect(w.removed.map((s) => s.peer)).toEqual(['router-v4']);
    w.setPeers([]);
    await w.poller.poll();
    expect(w.removed.map((s) => s.peer)).toEqual(['router-v4', 'router-v6']);
    expect(w.commands).toHaveLength(3); // no vtysh without peers
  });
  it('logs a failing vtysh once, keeps the last states, and logs when it answers again', async () => {
    const w = world('up');
    await w.poller.poll();
    w.fail(new Error('vtysh: failed to connect to any daemons'));
    await w.poller.poll();
    await w.poller.poll();
    expect(w.removed).toEqual([]);
    const warnings = w.log.lines().filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ error: expect.stringContaining('failed to connect') as unknown });
    w.fail(undefined);
    await w.poller.poll();
    expect(w.log.lines().some((l) => l.msg === 'reading FRR session state again')).toBe(true);
  });
  it('polls on its interval once started, and not after stop', async () => {
    const w = world('down');
    w.poller.start();
    await w.clock.advance(0);
    expect(w.commands.length).toBeGreaterThan(0);
    const first = w.commands.length;
    await w.clock.advance(5000);
    expect(w.commands.length).toBeGreaterThan(first);
    w.poller.stop();
    const stopped = w.commands.length;
    await w.clock.advance(20_000);
    expect(w.commands.length).toBe(stopped);
  });
});
